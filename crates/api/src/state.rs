//! What every handler shares: the store and the authentication guards.

use std::sync::Arc;

use notoneless_store::Store;

use crate::security::{Security, SecurityConfig};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub security: Arc<Security>,
}

impl AppState {
    pub fn new(store: Arc<Store>, config: SecurityConfig) -> Self {
        Self {
            store,
            security: Arc::new(Security::new(config)),
        }
    }
}
