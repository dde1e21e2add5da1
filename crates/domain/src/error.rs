//! Why a command was refused. Every variant names the field at fault (where there is one) and
//! the reason, so that the layer above can answer "which field, why" without parsing text.
//! These are domain errors only: no storage or transport failure is ever one of them.

use chrono::NaiveDate;
use thiserror::Error;

use crate::values::{FocusGroup, Recipient, RegistryIssue};

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CaseError {
    #[error("the case has not been opened")]
    NotOpened,
    #[error("the case is already open")]
    AlreadyOpened,
    #[error("{field}: must not be blank")]
    Blank { field: &'static str },
    #[error("{field}: must be at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}: expected {expected}")]
    BadFormat {
        field: &'static str,
        expected: &'static str,
    },
    #[error("{field}: must list at least one")]
    Empty { field: &'static str },
    #[error("{field}: {value} is given twice")]
    Duplicate { field: &'static str, value: String },
    #[error("{field}: {value} is not there to remove")]
    NotPresent { field: &'static str, value: String },
    #[error("{field}: {reason}")]
    OutOfRange {
        field: &'static str,
        reason: &'static str,
    },
    #[error("{field}: {reason}")]
    Inconsistent {
        field: &'static str,
        reason: &'static str,
    },
    #[error("{field}: {date} is after today ({today})")]
    InFuture {
        field: &'static str,
        date: NaiveDate,
        today: NaiveDate,
    },
    #[error("{field}: {date} is before the case was opened on {opened_on}")]
    BeforeCaseOpened {
        field: &'static str,
        date: NaiveDate,
        opened_on: NaiveDate,
    },
    #[error("{field}: {end} is before {start}")]
    EndBeforeStart {
        field: &'static str,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("{field}: {date} is before the case's last change of status on {since}")]
    BeforeStatusChange {
        field: &'static str,
        date: NaiveDate,
        since: NaiveDate,
    },
    #[error("{field}: {date} is before event {sequence}, dated {event_on}")]
    BeforeEvent {
        field: &'static str,
        date: NaiveDate,
        sequence: u64,
        event_on: NaiveDate,
    },
    #[error("cannot {action} while the case is {status}")]
    WrongStatus {
        action: &'static str,
        status: &'static str,
    },
    #[error("on: the child was {status} on {date}, not expected at school")]
    NotEnrolledOn {
        date: NaiveDate,
        status: &'static str,
    },
    #[error("on: an absence on {on} is already recorded (event {sequence})")]
    DuplicateAbsence { on: NaiveDate, sequence: u64 },
    #[error("on: {on} is covered by the leave granted in event {sequence}")]
    CoveredByLeave { on: NaiveDate, sequence: u64 },
    #[error("on: the child is recorded at school on {on} (event {sequence})")]
    PresentThatDay { on: NaiveDate, sequence: u64 },
    #[error("on: an absence is recorded on {on} (event {sequence})")]
    AbsentThatDay { on: NaiveDate, sequence: u64 },
    #[error("from: the leave overlaps the leave granted in event {sequence}")]
    OverlapsLeave { sequence: u64 },
    #[error("on: the child is not absent: no unexcused absence before {on} is still open")]
    NotAbsent { on: NaiveDate },
    #[error(
        "the child has been absent since {since} with no return on record: record the return first"
    )]
    StillAbsent { since: NaiveDate },
    #[error("reference: no report {reference} to the {recipient} is on record")]
    NoSuchReport {
        recipient: Recipient,
        reference: String,
    },
    #[error("reference: report {reference} was already acknowledged (event {sequence})")]
    AlreadyAcknowledged { reference: String, sequence: u64 },
    #[error("target: there is no event {sequence} in this case")]
    NoSuchEvent { sequence: u64 },
    #[error("target: event {sequence} is already retracted")]
    AlreadyRetracted { sequence: u64 },
    #[error("target: event {sequence} cannot be retracted: {reason}")]
    CannotRetract { sequence: u64, reason: &'static str },
    #[error("the child is not in the focus group {group}")]
    NotInFocusGroup { group: FocusGroup },
    #[error("kind: a registry finding of kind {kind} is still open (event {sequence})")]
    FindingStillOpen { kind: RegistryIssue, sequence: u64 },
    #[error("kind: no registry finding of kind {kind} is open")]
    NoOpenFinding { kind: RegistryIssue },
}

impl CaseError {
    /// The field at fault, where there is one (the request's field names, dotted for nested
    /// fields).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CaseError::NotOpened | CaseError::AlreadyOpened | CaseError::WrongStatus { .. } => None,
            CaseError::StillAbsent { .. } | CaseError::NotInFocusGroup { .. } => None,
            CaseError::Blank { field }
            | CaseError::TooLong { field, .. }
            | CaseError::BadFormat { field, .. }
            | CaseError::Empty { field }
            | CaseError::Duplicate { field, .. }
            | CaseError::NotPresent { field, .. }
            | CaseError::OutOfRange { field, .. }
            | CaseError::Inconsistent { field, .. }
            | CaseError::InFuture { field, .. }
            | CaseError::BeforeCaseOpened { field, .. }
            | CaseError::EndBeforeStart { field, .. }
            | CaseError::BeforeStatusChange { field, .. }
            | CaseError::BeforeEvent { field, .. } => Some(field),
            CaseError::NotEnrolledOn { .. }
            | CaseError::DuplicateAbsence { .. }
            | CaseError::CoveredByLeave { .. }
            | CaseError::PresentThatDay { .. }
            | CaseError::AbsentThatDay { .. }
            | CaseError::NotAbsent { .. } => Some("on"),
            CaseError::OverlapsLeave { .. } => Some("from"),
            CaseError::NoSuchReport { .. } | CaseError::AlreadyAcknowledged { .. } => {
                Some("reference")
            }
            CaseError::NoSuchEvent { .. }
            | CaseError::AlreadyRetracted { .. }
            | CaseError::CannotRetract { .. } => Some("target"),
            CaseError::FindingStillOpen { .. } | CaseError::NoOpenFinding { .. } => Some("kind"),
        }
    }
}

/// Why a calendar was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("terms[{index}].name: must not be blank")]
    BlankTermName { index: usize },
    #[error("terms[{index}].last_day: {last_day} is before the first day {first_day}")]
    TermEndsBeforeStart {
        index: usize,
        first_day: NaiveDate,
        last_day: NaiveDate,
    },
    #[error("terms[{index}]: overlaps term {other}")]
    TermsOverlap { index: usize, other: usize },
    #[error("make_up_days: {date} is also declared a holiday")]
    HolidayAndMakeUpDay { date: NaiveDate },
    #[error("make_up_days: {date} is not a Saturday or Sunday")]
    MakeUpDayNotWeekend { date: NaiveDate },
    #[error("make_up_days: {date} is in no term")]
    MakeUpDayOutsideTerms { date: NaiveDate },
    #[error("utc_offset_minutes: {minutes} is not between -720 and 840")]
    BadUtcOffset { minutes: i32 },
}

/// Why an escalation ladder was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LadderError {
    #[error("steps: must list at least one")]
    Empty,
    #[error("steps[{index}].day: must be 1 or more")]
    DayZero { index: usize },
    #[error("steps[{index}].day: must be later than the step before")]
    NotIncreasing { index: usize },
    #[error("steps[{index}].required_roles: must list at least one")]
    NoRoles { index: usize },
}

/// Why review thresholds were refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReviewSettingsError {
    #[error("{field}: must be a number of days from 0 to {max}, not {value}")]
    OutOfRange {
        field: &'static str,
        value: i64,
        max: i64,
    },
}

impl ReviewSettingsError {
    /// The threshold at fault, by its name in JSON and in query strings.
    pub fn field(&self) -> &'static str {
        match self {
            ReviewSettingsError::OutOfRange { field, .. } => field,
        }
    }
}

/// Why a review's scope was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ReviewScopeError {
    #[error("until: {until} is before `from` {from}")]
    UntilBeforeFrom { from: NaiveDate, until: NaiveDate },
    #[error("until: a review covers at most {max} days from `from`")]
    TooLong {
        from: NaiveDate,
        until: NaiveDate,
        max: i64,
    },
    #[error(transparent)]
    Settings(#[from] ReviewSettingsError),
}

impl ReviewScopeError {
    /// The parameter at fault, by its name in JSON and in query strings.
    pub fn field(&self) -> &'static str {
        match self {
            ReviewScopeError::UntilBeforeFrom { .. } | ReviewScopeError::TooLong { .. } => "until",
            ReviewScopeError::Settings(e) => e.field(),
        }
    }
}
