//! Why a command was refused. Every variant names the field at fault (where there is one) and
//! the reason, so that the layer above can answer "which field, why" without parsing text.
//! These are domain errors only: no storage or transport failure is ever one of them.
//!
//! Their texts are the catalogue's (`notoneless_i18n`): `message()` gives the refusal in any
//! language, without the field; `Display` writes it in English after the field (for logs and
//! the command line).

use std::fmt;

use chrono::NaiveDate;
use notoneless_i18n::{Lang, Message, Msg};

use crate::values::{FocusGroup, Recipient, RegistryIssue};

/// Writes `field: text` in English, or the text alone.
fn english(f: &mut fmt::Formatter<'_>, field: Option<&str>, message: &Message) -> fmt::Result {
    match field {
        Some(field) => write!(f, "{field}: {}", message.text(Lang::En)),
        None => f.write_str(&message.text(Lang::En)),
    }
}

macro_rules! catalogued {
    ($($error:ty),*) => {
        $(
            impl fmt::Display for $error {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    english(f, self.field_name().as_deref(), &self.message())
                }
            }

            impl std::error::Error for $error {}
        )*
    };
}

catalogued!(
    CaseError,
    CalendarError,
    LadderError,
    ReviewSettingsError,
    ReviewScopeError
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseError {
    NotOpened,
    AlreadyOpened,
    Blank {
        field: &'static str,
    },
    TooLong {
        field: &'static str,
        max: usize,
    },
    BadFormat {
        field: &'static str,
        expected: Msg,
    },
    Empty {
        field: &'static str,
    },
    Duplicate {
        field: &'static str,
        value: String,
    },
    NotPresent {
        field: &'static str,
        value: String,
    },
    OutOfRange {
        field: &'static str,
        reason: Msg,
    },
    Inconsistent {
        field: &'static str,
        reason: Msg,
    },
    InFuture {
        field: &'static str,
        date: NaiveDate,
        today: NaiveDate,
    },
    BeforeCaseOpened {
        field: &'static str,
        date: NaiveDate,
        opened_on: NaiveDate,
    },
    EndBeforeStart {
        field: &'static str,
        start: NaiveDate,
        end: NaiveDate,
    },
    BeforeStatusChange {
        field: &'static str,
        date: NaiveDate,
        since: NaiveDate,
    },
    BeforeEvent {
        field: &'static str,
        date: NaiveDate,
        sequence: u64,
        event_on: NaiveDate,
    },
    WrongStatus {
        action: Msg,
        status: Msg,
    },
    NotEnrolledOn {
        date: NaiveDate,
        status: Msg,
    },
    DuplicateAbsence {
        on: NaiveDate,
        sequence: u64,
    },
    CoveredByLeave {
        on: NaiveDate,
        sequence: u64,
    },
    PresentThatDay {
        on: NaiveDate,
        sequence: u64,
    },
    AbsentThatDay {
        on: NaiveDate,
        sequence: u64,
    },
    OverlapsLeave {
        sequence: u64,
    },
    NotAbsent {
        on: NaiveDate,
    },
    StillAbsent {
        since: NaiveDate,
    },
    NoSuchReport {
        recipient: Recipient,
        reference: String,
    },
    AlreadyAcknowledged {
        reference: String,
        sequence: u64,
    },
    NoSuchEvent {
        sequence: u64,
    },
    AlreadyRetracted {
        sequence: u64,
    },
    CannotRetract {
        sequence: u64,
        reason: Msg,
    },
    NotInFocusGroup {
        group: FocusGroup,
    },
    FindingStillOpen {
        kind: RegistryIssue,
        sequence: u64,
    },
    NoOpenFinding {
        kind: RegistryIssue,
    },
}

impl CaseError {
    fn field_name(&self) -> Option<&'static str> {
        self.field()
    }

    /// The refusal, without its field, in the catalogue's words.
    pub fn message(&self) -> Message {
        use CaseError as E;
        let m = Message::new;
        match self {
            E::NotOpened => m(Msg::CaseNotOpened),
            E::AlreadyOpened => m(Msg::CaseAlreadyOpened),
            E::Blank { .. } => m(Msg::Blank),
            E::TooLong { max, .. } => m(Msg::TooLong).with("max", *max),
            E::BadFormat { expected, .. } => m(Msg::BadFormat).with("expected", *expected),
            E::Empty { .. } => m(Msg::EmptyList),
            E::Duplicate { value, .. } => m(Msg::GivenTwice).with("value", value.as_str()),
            E::NotPresent { value, .. } => m(Msg::NotThereToRemove).with("value", value.as_str()),
            E::OutOfRange { reason, .. } | E::Inconsistent { reason, .. } => m(*reason),
            E::InFuture { date, today, .. } => m(Msg::DayAfterToday)
                .with("date", *date)
                .with("today", *today),
            E::BeforeCaseOpened {
                date, opened_on, ..
            } => m(Msg::DayBeforeCaseOpened)
                .with("date", *date)
                .with("opened_on", *opened_on),
            E::EndBeforeStart { start, end, .. } => m(Msg::EndBeforeStart)
                .with("start", *start)
                .with("end", *end),
            E::BeforeStatusChange { date, since, .. } => m(Msg::DayBeforeStatusChange)
                .with("date", *date)
                .with("since", *since),
            E::BeforeEvent {
                date,
                sequence,
                event_on,
                ..
            } => m(Msg::DayBeforeEvent)
                .with("date", *date)
                .with("sequence", *sequence)
                .with("event_on", *event_on),
            E::WrongStatus { action, status } => m(Msg::WrongStatus)
                .with("action", *action)
                .with("status", *status),
            E::NotEnrolledOn { date, status } => m(Msg::NotEnrolledOn)
                .with("date", *date)
                .with("status", *status),
            E::DuplicateAbsence { on, sequence } => m(Msg::DuplicateAbsence)
                .with("on", *on)
                .with("sequence", *sequence),
            E::CoveredByLeave { on, sequence } => m(Msg::CoveredByLeave)
                .with("on", *on)
                .with("sequence", *sequence),
            E::PresentThatDay { on, sequence } => m(Msg::PresentThatDay)
                .with("on", *on)
                .with("sequence", *sequence),
            E::AbsentThatDay { on, sequence } => m(Msg::AbsentThatDay)
                .with("on", *on)
                .with("sequence", *sequence),
            E::OverlapsLeave { sequence } => m(Msg::OverlapsLeave).with("sequence", *sequence),
            E::NotAbsent { on } => m(Msg::NotAbsent).with("on", *on),
            E::StillAbsent { since } => m(Msg::StillAbsent).with("since", *since),
            E::NoSuchReport {
                recipient,
                reference,
            } => m(Msg::NoSuchReport)
                .with("recipient", recipient.label())
                .with("reference", reference.as_str()),
            E::AlreadyAcknowledged {
                reference,
                sequence,
            } => m(Msg::AlreadyAcknowledged)
                .with("reference", reference.as_str())
                .with("sequence", *sequence),
            E::NoSuchEvent { sequence } => m(Msg::NoSuchEvent).with("sequence", *sequence),
            E::AlreadyRetracted { sequence } => {
                m(Msg::AlreadyRetracted).with("sequence", *sequence)
            }
            E::CannotRetract { sequence, reason } => m(Msg::CannotRetract)
                .with("sequence", *sequence)
                .with("reason", *reason),
            E::NotInFocusGroup { group } => m(Msg::NotInFocusGroup).with("group", group.label()),
            E::FindingStillOpen { kind, sequence } => m(Msg::FindingStillOpen)
                .with("kind", kind.label())
                .with("sequence", *sequence),
            E::NoOpenFinding { kind } => m(Msg::NoOpenFinding).with("kind", kind.label()),
        }
    }

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarError {
    BlankTermName {
        index: usize,
    },
    TermEndsBeforeStart {
        index: usize,
        first_day: NaiveDate,
        last_day: NaiveDate,
    },
    TermsOverlap {
        index: usize,
        other: usize,
    },
    HolidayAndMakeUpDay {
        date: NaiveDate,
    },
    MakeUpDayNotWeekend {
        date: NaiveDate,
    },
    MakeUpDayOutsideTerms {
        date: NaiveDate,
    },
    BadUtcOffset {
        minutes: i32,
    },
}

impl CalendarError {
    /// The field at fault (dotted, with the term's index).
    pub fn field(&self) -> String {
        match self {
            CalendarError::BlankTermName { index } => format!("terms[{index}].name"),
            CalendarError::TermEndsBeforeStart { index, .. } => format!("terms[{index}].last_day"),
            CalendarError::TermsOverlap { index, .. } => format!("terms[{index}]"),
            CalendarError::HolidayAndMakeUpDay { .. }
            | CalendarError::MakeUpDayNotWeekend { .. }
            | CalendarError::MakeUpDayOutsideTerms { .. } => "make_up_days".into(),
            CalendarError::BadUtcOffset { .. } => "utc_offset_minutes".into(),
        }
    }

    fn field_name(&self) -> Option<String> {
        Some(self.field())
    }

    /// The refusal, without its field.
    pub fn message(&self) -> Message {
        match self {
            CalendarError::BlankTermName { .. } => Message::new(Msg::TermNameBlank),
            CalendarError::TermEndsBeforeStart {
                first_day,
                last_day,
                ..
            } => Message::new(Msg::TermEndsBeforeStart)
                .with("first_day", *first_day)
                .with("last_day", *last_day),
            // Counted from 1, as a person counts the terms listed (the index is from 0).
            CalendarError::TermsOverlap { other, .. } => {
                Message::new(Msg::TermsOverlap).with("other", other + 1)
            }
            CalendarError::HolidayAndMakeUpDay { date } => {
                Message::new(Msg::HolidayAndMakeUpDay).with("date", *date)
            }
            CalendarError::MakeUpDayNotWeekend { date } => {
                Message::new(Msg::MakeUpDayNotWeekend).with("date", *date)
            }
            CalendarError::MakeUpDayOutsideTerms { date } => {
                Message::new(Msg::MakeUpDayOutsideTerms).with("date", *date)
            }
            CalendarError::BadUtcOffset { minutes } => {
                Message::new(Msg::BadUtcOffset).with("minutes", *minutes)
            }
        }
    }
}

/// Why an escalation ladder was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LadderError {
    Empty,
    DayZero { index: usize },
    NotIncreasing { index: usize },
    NoRoles { index: usize },
}

impl LadderError {
    /// The field at fault (dotted, with the step's index).
    pub fn field(&self) -> String {
        match self {
            LadderError::Empty => "steps".into(),
            LadderError::DayZero { index } | LadderError::NotIncreasing { index } => {
                format!("steps[{index}].day")
            }
            LadderError::NoRoles { index } => format!("steps[{index}].required_roles"),
        }
    }

    fn field_name(&self) -> Option<String> {
        Some(self.field())
    }

    /// The refusal, without its field.
    pub fn message(&self) -> Message {
        Message::new(match self {
            LadderError::Empty => Msg::LadderEmpty,
            LadderError::DayZero { .. } => Msg::LadderDayZero,
            LadderError::NotIncreasing { .. } => Msg::LadderNotIncreasing,
            LadderError::NoRoles { .. } => Msg::LadderNoRoles,
        })
    }
}

/// Why review thresholds were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewSettingsError {
    OutOfRange {
        field: &'static str,
        value: i64,
        max: i64,
    },
}

impl ReviewSettingsError {
    fn field_name(&self) -> Option<&'static str> {
        Some(self.field())
    }

    /// The refusal, without its field.
    pub fn message(&self) -> Message {
        match self {
            ReviewSettingsError::OutOfRange { value, max, .. } => Message::new(Msg::ThresholdRange)
                .with("value", *value)
                .with("max", *max),
        }
    }

    /// The threshold at fault, by its name in JSON and in query strings.
    pub fn field(&self) -> &'static str {
        match self {
            ReviewSettingsError::OutOfRange { field, .. } => field,
        }
    }
}

/// Why a review's scope was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewScopeError {
    UntilBeforeFrom {
        from: NaiveDate,
        until: NaiveDate,
    },
    TooLong {
        from: NaiveDate,
        until: NaiveDate,
        max: i64,
    },
    Settings(ReviewSettingsError),
}

impl From<ReviewSettingsError> for ReviewScopeError {
    fn from(error: ReviewSettingsError) -> Self {
        ReviewScopeError::Settings(error)
    }
}

impl ReviewScopeError {
    fn field_name(&self) -> Option<&'static str> {
        Some(self.field())
    }

    /// The refusal, without its field.
    pub fn message(&self) -> Message {
        match self {
            ReviewScopeError::UntilBeforeFrom { from, until } => {
                Message::new(Msg::ReviewUntilBeforeFrom)
                    .with("from", *from)
                    .with("until", *until)
            }
            ReviewScopeError::TooLong { max, .. } => {
                Message::new(Msg::ReviewTooLong).with("max", *max)
            }
            ReviewScopeError::Settings(e) => e.message(),
        }
    }

    /// The parameter at fault, by its name in JSON and in query strings.
    pub fn field(&self) -> &'static str {
        match self {
            ReviewScopeError::UntilBeforeFrom { .. } | ReviewScopeError::TooLong { .. } => "until",
            ReviewScopeError::Settings(e) => e.field(),
        }
    }
}
