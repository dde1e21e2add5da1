//! The case endpoints, by job: the commands that record facts (`commands`), a case's status
//! and the lists (`status`), the work queue and the dashboard (`queue`), and the inspector's
//! history and replays (`replay`). Every read of one case goes through the access log's
//! `CaseFile` (`crate::access_log`).

pub mod commands;
pub mod queue;
pub mod replay;
pub mod status;

use std::time::Duration;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Read your write: wait (up to 2 s) until the read models include the event at this
    /// global position, as a command answered it.
    pub min_position: Option<i64>,
}

/// How long a read waits for the projector to reach a `min_position`.
const READ_WAIT: Duration = Duration::from_secs(2);

/// Waits (up to [`READ_WAIT`]) until the read models include the event at `min_position`;
/// after that, the read is served as the read models stand.
pub(crate) async fn read_your_write(
    state: &AppState,
    min_position: Option<i64>,
) -> Result<(), ApiError> {
    if let Some(position) = min_position
        && !state
            .store
            .projector
            .wait_for_global_position(position, READ_WAIT)
            .await?
    {
        tracing::debug!(
            position,
            "read served before the projector reached the asked position"
        );
    }
    Ok(())
}
