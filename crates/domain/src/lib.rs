//! The case domain of Not One Less (一个都不能少): the `StudentCase` aggregate, the facts it
//! records, the school calendar, the escalation ladder, and `assess()`, which says where a case
//! stands under the "123" rule at a given instant.
//!
//! This crate is pure. It does no I/O: no database, no network, no files, and it never reads
//! the clock ("today" and "now" are always passed in). It must not depend on sqlx, axum,
//! hyper or any database driver; cqrs-es pulls in tokio, which is fine, but this crate calls
//! no tokio API. `tests/tests/architecture.rs` at the workspace root checks both.

mod accounts;
mod assess;
mod calendar;
mod calendar_file;
mod case;
mod command;
mod error;
mod event;
mod imports;
mod ladder;
mod ledger_file;
mod org;
mod registry;
mod review;
mod roll_call;
mod roll_call_file;
mod values;

#[cfg(feature = "fixtures")]
pub mod fixtures;

pub use accounts::{
    ListRowError, ListedUser, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PasswordHash, PasswordRecord,
    PasswordRefusal, USERS_HEADER, USERS_HEADER_ZH, UserImport, check_new_password,
    check_user_name, plan_user_import, role_name_zh, role_named,
};
pub use assess::{
    Assessment, EndReason, Episode, EpisodeEnd, Fulfilment, IgnoredAbsence, IgnoredReason,
    Obligation, ObligationKind, ObligationStatus, Stage, assess,
};
pub use calendar::{CalendarSpec, SHANGHAI_UTC_OFFSET_MINUTES, SchoolCalendar, Term};
pub use calendar_file::{CalendarDifference, DayKind};
pub use case::{CaseStatus, MAX_LEAVE_DAYS, MAX_SESSION_MINUTES, MAX_SUPPORT_FEN, StudentCase};
pub use command::{CaseAction, CaseActionKind, CaseCommand};
pub use error::{CalendarError, CaseError, LadderError, ReviewScopeError, ReviewSettingsError};
pub use event::{
    Absence, Acknowledgement, CaseEvent, CaseOpening, Closure, Correction, FocusGroupChange,
    HomeTeachingSession, HomeVisit, Leave, ParentContact, RegistryClearance, RegistryFinding,
    RegistryResolution, Reopening, Report, Resumption, Return, SupervisionNote, Support,
    Suspension, TransferConfirmation, TransferOut,
};
pub use imports::{
    Column, ENROLMENTS_HEADER, Grade6Plan, LEAVERS_HEADER, Leaver, PlannedCase, RowError,
    RowRefusal, describe_columns, grade6_case_id, plan_grade6_watch, read_enrolments, read_leavers,
};
pub use ladder::{EscalationLadder, EscalationStep, StepAction};
pub use ledger_file::{LEDGER_COLUMNS, LedgerCase, ledger_case_id, plan_ledger_case, read_ledger};
pub use org::{
    CalendarDay, DEFAULT_TOKEN_LIFETIME, Node, NodeKind, ORGANISATION_ID, OrgCommand, OrgError,
    OrgEvent, Organisation, TokenRecord, User, UserRole,
};
pub use registry::{
    ChildFindings, ChildPlan, CrossCheck, Found, IdNumber, ListScope, REGISTER_HEADER, ROLL_HEADER,
    RegisterChild, RollEntry, SCHOOL_AGE, compose_id_number, cross_check, parse_id_number,
    read_register, read_roll, reconcile, registry_case_id,
};
pub use review::{
    CONTRIBUTION_RULES_VERSION, CalendarChange, CaseContribution, CaseRecord, EpisodeContribution,
    FactFinding, Finding, FindingKind, MovedDeadline, OpenSpan, Review, ReviewPass, ReviewScope,
    ReviewSettings, SchoolAttestation, SchoolSummary, StepContribution, Tally, child_key,
    deadlines_moved, review, review_attestation, review_calendar_changes,
};
pub use roll_call::{NamedAbsence, RollCall, RollCallCommand, RollCallEvent, SchoolRollCalls};
pub use roll_call_file::{
    FiledRollCall, ROLL_CALL_PER_ABSENT_CHILD, ROLL_CALL_PER_CLASS_DAY, RollCallFilePlan,
    RollCallShape, plan_roll_call_file, read_roll_call_file,
};
pub use values::{
    ClosureReason, ContactChannel, DocumentRef, FocusGroup, Gender, Guardian, MAX_LONG_TEXT,
    MAX_SHORT_TEXT, Participant, Recipient, RegistryIssue, ReturnMeasure, Role, StudentProfile,
    SupportKind, VisitOutcome,
};
