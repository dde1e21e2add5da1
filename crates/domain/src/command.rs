//! The commands a case accepts. A command is a fact someone asks to record, plus `today`: the
//! local date of the request, passed in by the layer above because the domain never reads a
//! clock. Commands are imperative; the events they produce are in the past tense.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

    /// What the action does, in words, for messages ("cannot record an absence while …").
    pub fn describe(&self) -> &'static str {
        match self {
            CaseAction::OpenCase(_) => "open the case",
            CaseAction::ChangeFocusGroups(_) => "change focus groups",
            CaseAction::RecordAbsence(_) => "record an absence",
            CaseAction::GrantLeave(_) => "grant leave",
            CaseAction::RecordParentContact(_) => "record a parent contact",
            CaseAction::RecordHomeVisit(_) => "record a home visit",
            CaseAction::ReportUpward(_) => "report upward",
            CaseAction::AcknowledgeReport(_) => "acknowledge a report",
            CaseAction::AddSupervisionNote(_) => "add a supervision note",
            CaseAction::RecordReturn(_) => "record a return",
            CaseAction::TransferOut(_) => "transfer out",
            CaseAction::ConfirmTransfer(_) => "confirm a transfer",
            CaseAction::Suspend(_) => "suspend",
            CaseAction::Resume(_) => "resume",
            CaseAction::GiveSupport(_) => "give support",
            CaseAction::RecordHomeTeaching(_) => "record home teaching",
            CaseAction::CloseCase(_) => "close the case",
            CaseAction::ReopenCase(_) => "reopen the case",
            CaseAction::CorrectFact(_) => "correct a fact",
            CaseAction::RecordRegistryFinding(_) => "record a registry finding",
            CaseAction::ResolveRegistryFinding(_) => "resolve a registry finding",
            CaseAction::ClearRegistryFinding(_) => "clear a registry finding",
        }
    }
}
