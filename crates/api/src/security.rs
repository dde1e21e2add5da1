//! What guards authentication besides the token itself: how long new tokens live.
//! `docs/security.md` explains the choices.

use chrono::TimeDelta;

/// The settings of [`Security`]; `notoneless serve` sets them from its flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityConfig {
    /// How long a token issued through the API lives when the request does not say.
    pub token_lifetime: TimeDelta,
}

/// The longest lifetime a token may be given, in days.
pub const MAX_TOKEN_LIFETIME_DAYS: i64 = 365;

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            token_lifetime: notoneless_domain::DEFAULT_TOKEN_LIFETIME,
        }
    }
}

/// The authentication guards shared by every request.
#[derive(Debug, Default)]
pub struct Security {
    pub config: SecurityConfig,
}

impl Security {
    pub fn new(config: SecurityConfig) -> Self {
        Self { config }
    }
}
