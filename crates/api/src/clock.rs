//! The server's clock: what time it is for the server (every fact recorded now is recorded at
//! this time, and "today" is its local day), and, on a training server, moving it forward to
//! play a past term through the API as it happened (`docs/operations.md`, "Training").

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use notoneless_i18n::{Message, Msg};
use notoneless_store::clock::ClockError;

use crate::state::AppState;

/// What time it is for the server.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    pub now: DateTime<Utc>,
    /// The local day (the county's calendar): the "today" of every command.
    pub today: chrono::NaiveDate,
    /// A training server: its clock was set, and its database is marked for training.
    pub training: bool,
    /// A training clock that stays where it is put.
    pub frozen: bool,
}

fn view(state: &AppState) -> ClockView {
    let clock = &state.store.clock;
    let now = clock.now();
    ClockView {
        now,
        today: state.store.rules.get().calendar.local_date(now),
        training: clock.training().is_some(),
        frozen: clock.training().is_some_and(|t| t.is_frozen()),
    }
}

/// The server's time, and whether it is a training server.
#[utoipa::path(get, path = "/api/v1/clock", tag = "organisation",
    responses((status = 200, body = ClockView), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_clock(State(state): State<AppState>) -> Json<ClockView> {
    Json(view(&state))
}

/// Where to move a training server's clock.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockMove {
    /// An instant, RFC 3339, not before the clock's time now.
    pub now: DateTime<FixedOffset>,
}

/// Move a training server's clock forward (admin); refused on a server running on the
/// machine's clock.
#[utoipa::path(put, path = "/api/v1/clock", tag = "organisation", request_body = ClockMove,
    responses((status = 200, body = ClockView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn move_clock(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<ClockMove>,
) -> Result<Json<ClockView>, ApiError> {
    let Some(training) = state.store.clock.training() else {
        return Err(ApiError::rejected_field("now", Msg::ClockNotTraining));
    };
    training.set(request.now.with_timezone(&Utc)).map_err(
        |ClockError::Backwards { now, to }| {
            ApiError::rejected_field(
                "now",
                Message::new(Msg::ClockBackwards)
                    .with("now", now.to_rfc3339())
                    .with("to", to.to_rfc3339()),
            )
        },
    )?;
    tracing::info!(now = %request.now, "the training clock was moved");
    Ok(Json(view(&state)))
}
