//! The commands a case accepts. A command is a fact someone asks to record, plus `today`: the
//! local date of the request, passed in by the layer above because the domain never reads a
//! clock. Commands are imperative; the events they produce are in the past tense.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use notoneless_i18n::{Lang, Msg};

use crate::org::UserRole;

use crate::event::{
    Absence, Acknowledgement, CaseOpening, Closure, Correction, FocusGroupChange,
    HomeTeachingSession, HomeVisit, Leave, ParentContact, RegistryClearance, RegistryFinding,
    RegistryResolution, Reopening, Report, Resumption, Return, SupervisionNote, Support,
    Suspension, TransferConfirmation, TransferOut,
};

/// A request to record one fact on a case, as of `today`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCommand {
    /// The local date (county time zone) on which the command is made. No fact may be dated
    /// after it.
    pub today: NaiveDate,
    pub action: CaseAction,
}

impl CaseCommand {
    pub fn new(today: NaiveDate, action: CaseAction) -> Self {
        Self { today, action }
    }
}

/// What is asked. Each action, when accepted, records exactly one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(rename_all = "snake_case")]
#[strum_discriminants(
    name(CaseActionKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::EnumIter),
    doc = "The kind of a [`CaseAction`], without its fact: what the permission to record it and \
           the messages about it are keyed by."
)]
pub enum CaseAction {
    OpenCase(CaseOpening),
    ChangeFocusGroups(FocusGroupChange),
    RecordAbsence(Absence),
    GrantLeave(Leave),
    RecordParentContact(ParentContact),
    RecordHomeVisit(HomeVisit),
    ReportUpward(Report),
    AcknowledgeReport(Acknowledgement),
    AddSupervisionNote(SupervisionNote),
    RecordReturn(Return),
    TransferOut(TransferOut),
    ConfirmTransfer(TransferConfirmation),
    Suspend(Suspension),
    Resume(Resumption),
    GiveSupport(Support),
    RecordHomeTeaching(HomeTeachingSession),
    CloseCase(Closure),
    ReopenCase(Reopening),
    CorrectFact(Correction),
    RecordRegistryFinding(RegistryFinding),
    ResolveRegistryFinding(RegistryResolution),
    ClearRegistryFinding(RegistryClearance),
}

impl CaseAction {
    /// The day the fact happened.
    pub fn on(&self) -> NaiveDate {
        match self {
            CaseAction::OpenCase(f) => f.on,
            CaseAction::ChangeFocusGroups(f) => f.on,
            CaseAction::RecordAbsence(f) => f.on,
            CaseAction::GrantLeave(f) => f.on,
            CaseAction::RecordParentContact(f) => f.on,
            CaseAction::RecordHomeVisit(f) => f.on,
            CaseAction::ReportUpward(f) => f.on,
            CaseAction::AcknowledgeReport(f) => f.on,
            CaseAction::AddSupervisionNote(f) => f.on,
            CaseAction::RecordReturn(f) => f.on,
            CaseAction::TransferOut(f) => f.on,
            CaseAction::ConfirmTransfer(f) => f.on,
            CaseAction::Suspend(f) => f.on,
            CaseAction::Resume(f) => f.on,
            CaseAction::GiveSupport(f) => f.on,
            CaseAction::RecordHomeTeaching(f) => f.on,
            CaseAction::CloseCase(f) => f.on,
            CaseAction::ReopenCase(f) => f.on,
            CaseAction::CorrectFact(f) => f.on,
            CaseAction::RecordRegistryFinding(f) => f.on,
            CaseAction::ResolveRegistryFinding(f) => f.on,
            CaseAction::ClearRegistryFinding(f) => f.on,
        }
    }

    /// Which kind of fact the action records.
    pub fn kind(&self) -> CaseActionKind {
        CaseActionKind::from(self)
    }

    /// What the action does, in English, for logs and the command line.
    pub fn describe(&self) -> String {
        self.kind().label().text(Lang::En)
    }
}

use UserRole::{BureauOfficer, HeadTeacher, Inspector, Principal, SchoolLeader, TownshipOfficer};

/// A school's own staff: whoever keeps the child's daily record.
const SCHOOL_STAFF: &[UserRole] = &[HeadTeacher, SchoolLeader, Principal];
/// The school's leaders: the decisions a head teacher does not take alone.
const SCHOOL_LEADERS: &[UserRole] = &[SchoolLeader, Principal];

/// Which fact fulfils each kind of obligation, and who acknowledges a report: the work queue
/// shows a step only to a role that may record it.
impl crate::assess::ObligationKind {
    /// Every kind of obligation a ladder can give: its two actions and a report to each
    /// recipient.
    pub const EVERY: [Self; 4] = [
        Self::Action {
            action: crate::ladder::StepAction::ContactParents,
        },
        Self::Action {
            action: crate::ladder::StepAction::HomeVisit,
        },
        Self::Report {
            recipient: crate::values::Recipient::TownshipGovernment,
        },
        Self::Report {
            recipient: crate::values::Recipient::CountyBureau,
        },
    ];

    /// The kind of fact that fulfils it.
    pub const fn fulfilled_by(self) -> CaseActionKind {
        match self {
            Self::Action {
                action: crate::ladder::StepAction::ContactParents,
            } => CaseActionKind::RecordParentContact,
            Self::Action {
                action: crate::ladder::StepAction::HomeVisit,
            } => CaseActionKind::RecordHomeVisit,
            Self::Report { .. } => CaseActionKind::ReportUpward,
        }
    }
}

impl crate::values::Recipient {
    /// The one role that acknowledges a report to this recipient: the township officer the
    /// township government's, the bureau officer the county bureau's.
    pub const fn acknowledged_by(self) -> UserRole {
        match self {
            crate::values::Recipient::TownshipGovernment => TownshipOfficer,
            crate::values::Recipient::CountyBureau => BureauOfficer,
        }
    }
}

impl CaseActionKind {
    /// Who may record this kind of fact (the plan's division of work); everyone else is
    /// refused. Which case they may record it on is a matter of jurisdiction, decided above
    /// the domain. The registry's own findings and clearances are recorded only by the
    /// cross-check's import, never by a person directly.
    pub const fn recorders(self) -> &'static [UserRole] {
        match self {
            // A township officer opens a case for a child found outside any school.
            CaseActionKind::OpenCase => &[HeadTeacher, SchoolLeader, Principal, TownshipOfficer],
            CaseActionKind::ChangeFocusGroups
            | CaseActionKind::RecordAbsence
            | CaseActionKind::GrantLeave
            | CaseActionKind::RecordParentContact
            | CaseActionKind::RecordReturn
            | CaseActionKind::RecordHomeTeaching => SCHOOL_STAFF,
            // The township government joins the persuasion to return (劝返).
            CaseActionKind::RecordHomeVisit => {
                &[HeadTeacher, SchoolLeader, Principal, TownshipOfficer]
            }
            // Only the principal signs the report upward (一把手负责制).
            CaseActionKind::ReportUpward => &[Principal],
            // Each recipient acknowledges its own report: the township officer the township's,
            // the bureau officer the bureau's.
            CaseActionKind::AcknowledgeReport => &[TownshipOfficer, BureauOfficer],
            // Inspectors write nothing to a case but supervision notes.
            CaseActionKind::AddSupervisionNote => &[Inspector, BureauOfficer],
            CaseActionKind::TransferOut
            | CaseActionKind::Suspend
            | CaseActionKind::Resume
            | CaseActionKind::GiveSupport => SCHOOL_LEADERS,
            CaseActionKind::ConfirmTransfer => &[SchoolLeader, Principal, BureauOfficer],
            CaseActionKind::CorrectFact => &[HeadTeacher, SchoolLeader, Principal, BureauOfficer],
            CaseActionKind::CloseCase | CaseActionKind::ReopenCase => &[Principal, BureauOfficer],
            // A registry finding is resolved by the school's leaders or the bureau, with its
            // document.
            CaseActionKind::ResolveRegistryFinding => &[SchoolLeader, Principal, BureauOfficer],
            CaseActionKind::RecordRegistryFinding | CaseActionKind::ClearRegistryFinding => &[],
        }
    }

    /// Whether a user in this role may record this kind of fact.
    pub fn may_be_recorded_by(self, role: UserRole) -> bool {
        self.recorders().contains(&role)
    }

    /// What recording it does, as a verb phrase for a person ("cannot … while the case is
    /// closed", "a head teacher may not …").
    pub const fn label(self) -> Msg {
        match self {
            CaseActionKind::OpenCase => Msg::ActionOpenCase,
            CaseActionKind::ChangeFocusGroups => Msg::ActionChangeFocusGroups,
            CaseActionKind::RecordAbsence => Msg::ActionRecordAbsence,
            CaseActionKind::GrantLeave => Msg::ActionGrantLeave,
            CaseActionKind::RecordParentContact => Msg::ActionRecordParentContact,
            CaseActionKind::RecordHomeVisit => Msg::ActionRecordHomeVisit,
            CaseActionKind::ReportUpward => Msg::ActionReportUpward,
            CaseActionKind::AcknowledgeReport => Msg::ActionAcknowledgeReport,
            CaseActionKind::AddSupervisionNote => Msg::ActionAddSupervisionNote,
            CaseActionKind::RecordReturn => Msg::ActionRecordReturn,
            CaseActionKind::TransferOut => Msg::ActionTransferOut,
            CaseActionKind::ConfirmTransfer => Msg::ActionConfirmTransfer,
            CaseActionKind::Suspend => Msg::ActionSuspend,
            CaseActionKind::Resume => Msg::ActionResume,
            CaseActionKind::GiveSupport => Msg::ActionGiveSupport,
            CaseActionKind::RecordHomeTeaching => Msg::ActionRecordHomeTeaching,
            CaseActionKind::CloseCase => Msg::ActionCloseCase,
            CaseActionKind::ReopenCase => Msg::ActionReopenCase,
            CaseActionKind::CorrectFact => Msg::ActionCorrectFact,
            CaseActionKind::RecordRegistryFinding => Msg::ActionRecordRegistryFinding,
            CaseActionKind::ResolveRegistryFinding => Msg::ActionResolveRegistryFinding,
            CaseActionKind::ClearRegistryFinding => Msg::ActionClearRegistryFinding,
        }
    }
}
