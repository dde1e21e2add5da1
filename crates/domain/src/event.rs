//! The facts of a case. Each struct here is both the body of the command that asks to record
//! the fact and the body of the event that records it: what the user says happened is what is
//! stored. Every fact carries `on`, the day it happened (a local date in the county's time
//! zone); who recorded it and when is metadata added by the layer above, never by the domain.
//!
//! Event names are stored. They never change once stored; a changed shape gets a new version
//! and an upcaster instead.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use notoneless_i18n::{Message, Msg};
use serde::{Deserialize, Serialize};

use crate::values::{
    ClosureReason, ContactChannel, DocumentRef, FocusGroup, Participant, Recipient, RegistryIssue,
    ReturnMeasure, StudentProfile, SupportKind, VisitOutcome,
};

/// A case file is opened for a child at risk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseOpening {
    pub on: NaiveDate,
    pub student: StudentProfile,
    /// Why the case was opened ("first unexcused absence", "registry finding" …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Focus groups were added to or removed from the child's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FocusGroupChange {
    pub on: NaiveDate,
    #[serde(default)]
    pub add: BTreeSet<FocusGroup>,
    #[serde(default)]
    pub remove: BTreeSet<FocusGroup>,
    pub reason: String,
}

/// The child was absent without reason (无故旷课) for one school day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Leave (请假) was approved for the days `from..=until`; `on` is the day it was granted, which
/// may be after the days it covers (a sick note brought in later).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Leave {
    pub on: NaiveDate,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub reason: String,
    pub approved_by: Participant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentRef>,
}

/// Someone tried to reach the child's guardian (联系家长).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParentContact {
    pub on: NaiveDate,
    pub by: Participant,
    /// The guardian who was called, by name.
    pub guardian: String,
    pub channel: ContactChannel,
    /// Whether the guardian was reached. An attempt that did not reach anyone is still a fact.
    pub reached: bool,
    /// The reason the guardian gave for the absence (only when reached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A home visit (家访) and persuasion to return (劝返), with everyone who took part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HomeVisit {
    pub on: NaiveDate,
    pub participants: Vec<Participant>,
    pub outcome: VisitOutcome,
    /// What was done to bring the child back (劝返措施), in the plan's words. Visits recorded
    /// before it was asked for hold none.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub measures: BTreeSet<ReturnMeasure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The school reported the case upward to one recipient. The township government and the county
/// bureau are two separate reports, each with its own reference and acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub on: NaiveDate,
    pub recipient: Recipient,
    /// The report's document number or reference.
    pub reference: String,
    pub signed_by: Participant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// The recipient acknowledged a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    pub on: NaiveDate,
    pub recipient: Recipient,
    /// The reference of the report acknowledged.
    pub reference: String,
    /// Who acknowledged it, at the recipient.
    pub by: String,
}

/// A supervision note (督办) by an inspector or the bureau.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupervisionNote {
    pub on: NaiveDate,
    pub by: Participant,
    pub note: String,
}

/// The child came back to school (返校) on `on`, and was at school that day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Return {
    pub on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The child transferred out (转出) to another school.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferOut {
    pub on: NaiveDate,
    pub destination_school: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_region: Option<String>,
    /// The supporting documents. An empty list is recorded as it is and shows up in reviews as
    /// missing paperwork.
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
}

/// The receiving school confirmed that the child enrolled there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferConfirmation {
    pub on: NaiveDate,
    pub receiving_school: String,
    pub confirmed_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentRef>,
    /// The county's school (its id) that continues this case file from `on`: a transfer within
    /// the county moves the child's one case file, not a new one (ADR 0013). Set by the
    /// command path when the receiving school is a school of the county, whatever a request
    /// says; absent for a school outside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_at: Option<String>,
}

/// The child's schooling was suspended (休学) from `on`, expected back on `expected_return`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Suspension {
    pub on: NaiveDate,
    pub expected_return: NaiveDate,
    pub reason: String,
    /// The approving document. A suspension without one is recorded and shows up in reviews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentRef>,
}

/// The child resumed school (复学) after a suspension, and was at school on `on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Resumption {
    pub on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Support (减、免、缓、助) given to the child's family.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Support {
    pub on: NaiveDate,
    pub kind: SupportKind,
    /// The amount in fen (0.01 yuan). A deferral may be zero; the others may not.
    pub amount_fen: u64,
    /// The period the support covers.
    pub from: NaiveDate,
    pub until: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A home-teaching session (送教上门) for a disabled child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HomeTeachingSession {
    pub on: NaiveDate,
    pub teachers: Vec<Participant>,
    #[cfg_attr(feature = "openapi", schema(maximum = 4_294_967_295_u64))]
    pub minutes: u32,
    pub content: String,
}

/// The case was closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub on: NaiveDate,
    pub reason: ClosureReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A closed case was opened again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reopening {
    pub on: NaiveDate,
    pub reason: String,
}

/// A later fact that says an earlier one was wrong. The earlier event is never changed.
/// With `retract`, the earlier fact no longer counts (it did not happen as recorded; the right
/// fact, if any, is recorded anew); without, the correction is a note that stays beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub on: NaiveDate,
    /// The sequence number of the corrected event in this case.
    pub target: u64,
    pub what_was_wrong: String,
    pub retract: bool,
}

/// The registry cross-check (学籍/户籍比对) found a problem with the child's registration. One
/// finding of each kind can be open at a time; it stays open until it is resolved or a later
/// cross-check no longer finds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistryFinding {
    /// The day of the register and roll extracts compared.
    pub on: NaiveDate,
    pub kind: RegistryIssue,
    /// What was found: the schools, rows and fields that disagree.
    pub detail: String,
    /// The name of the cross-check that found it ("2023年秋季学期学籍户籍比对").
    pub cross_check: String,
}

/// A school or the bureau resolved a registry finding: what was done about it, with the
/// document that shows it (the child enrolled, the roll corrected, the entry removed …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistryResolution {
    pub on: NaiveDate,
    pub kind: RegistryIssue,
    pub resolution: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentRef>,
}

/// A later cross-check no longer found an open registry finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistryClearance {
    pub on: NaiveDate,
    pub kind: RegistryIssue,
    /// The name of the cross-check that no longer found it.
    pub cross_check: String,
}

/// Every fact a case file can hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseEvent {
    CaseOpened(CaseOpening),
    FocusGroupsChanged(FocusGroupChange),
    AbsenceRecorded(Absence),
    LeaveGranted(Leave),
    ParentContacted(ParentContact),
    HomeVisitConducted(HomeVisit),
    ReportSubmitted(Report),
    ReportAcknowledged(Acknowledgement),
    SupervisionNoted(SupervisionNote),
    ReturnedToSchool(Return),
    TransferredOut(TransferOut),
    TransferConfirmed(TransferConfirmation),
    Suspended(Suspension),
    Resumed(Resumption),
    SupportGiven(Support),
    HomeTeachingHeld(HomeTeachingSession),
    CaseClosed(Closure),
    CaseReopened(Reopening),
    FactCorrected(Correction),
    RegistryFindingRecorded(RegistryFinding),
    RegistryFindingResolved(RegistryResolution),
    RegistryFindingCleared(RegistryClearance),
}

impl CaseEvent {
    /// The day the fact happened.
    pub fn on(&self) -> NaiveDate {
        match self {
            CaseEvent::CaseOpened(f) => f.on,
            CaseEvent::FocusGroupsChanged(f) => f.on,
            CaseEvent::AbsenceRecorded(f) => f.on,
            CaseEvent::LeaveGranted(f) => f.on,
            CaseEvent::ParentContacted(f) => f.on,
            CaseEvent::HomeVisitConducted(f) => f.on,
            CaseEvent::ReportSubmitted(f) => f.on,
            CaseEvent::ReportAcknowledged(f) => f.on,
            CaseEvent::SupervisionNoted(f) => f.on,
            CaseEvent::ReturnedToSchool(f) => f.on,
            CaseEvent::TransferredOut(f) => f.on,
            CaseEvent::TransferConfirmed(f) => f.on,
            CaseEvent::Suspended(f) => f.on,
            CaseEvent::Resumed(f) => f.on,
            CaseEvent::SupportGiven(f) => f.on,
            CaseEvent::HomeTeachingHeld(f) => f.on,
            CaseEvent::CaseClosed(f) => f.on,
            CaseEvent::CaseReopened(f) => f.on,
            CaseEvent::FactCorrected(f) => f.on,
            CaseEvent::RegistryFindingRecorded(f) => f.on,
            CaseEvent::RegistryFindingResolved(f) => f.on,
            CaseEvent::RegistryFindingCleared(f) => f.on,
        }
    }

    /// What kind of fact it is, for a person (the evidence of a finding names its facts by
    /// their days and kinds: "2023年10月8日 联系家长").
    pub fn fact_label(&self) -> Msg {
        match self {
            CaseEvent::CaseOpened(_) => Msg::FactCaseOpened,
            CaseEvent::FocusGroupsChanged(_) => Msg::FactFocusGroupsChanged,
            CaseEvent::AbsenceRecorded(_) => Msg::FactAbsenceRecorded,
            CaseEvent::LeaveGranted(_) => Msg::FactLeaveGranted,
            CaseEvent::ParentContacted(_) => Msg::FactParentContacted,
            CaseEvent::HomeVisitConducted(_) => Msg::FactHomeVisitConducted,
            CaseEvent::ReportSubmitted(_) => Msg::FactReportSubmitted,
            CaseEvent::ReportAcknowledged(_) => Msg::FactReportAcknowledged,
            CaseEvent::SupervisionNoted(_) => Msg::FactSupervisionNoted,
            CaseEvent::ReturnedToSchool(_) => Msg::FactReturnedToSchool,
            CaseEvent::TransferredOut(_) => Msg::FactTransferredOut,
            CaseEvent::TransferConfirmed(_) => Msg::FactTransferConfirmed,
            CaseEvent::Suspended(_) => Msg::FactSuspended,
            CaseEvent::Resumed(_) => Msg::FactResumed,
            CaseEvent::SupportGiven(_) => Msg::FactSupportGiven,
            CaseEvent::HomeTeachingHeld(_) => Msg::FactHomeTeachingHeld,
            CaseEvent::CaseClosed(_) => Msg::FactCaseClosed,
            CaseEvent::CaseReopened(_) => Msg::FactCaseReopened,
            CaseEvent::FactCorrected(_) => Msg::FactFactCorrected,
            CaseEvent::RegistryFindingRecorded(_) => Msg::FactRegistryFindingRecorded,
            CaseEvent::RegistryFindingResolved(_) => Msg::FactRegistryFindingResolved,
            CaseEvent::RegistryFindingCleared(_) => Msg::FactRegistryFindingCleared,
        }
    }

    /// The fact as a finding's evidence names it: its day and its kind.
    pub fn evidence(&self) -> Message {
        Message::new(Msg::EvidenceFact)
            .with("on", self.on())
            .with("fact", self.fact_label())
    }

    /// The stored name of the event.
    pub fn name(&self) -> &'static str {
        match self {
            CaseEvent::CaseOpened(_) => "CaseOpened",
            CaseEvent::FocusGroupsChanged(_) => "FocusGroupsChanged",
            CaseEvent::AbsenceRecorded(_) => "AbsenceRecorded",
            CaseEvent::LeaveGranted(_) => "LeaveGranted",
            CaseEvent::ParentContacted(_) => "ParentContacted",
            CaseEvent::HomeVisitConducted(_) => "HomeVisitConducted",
            CaseEvent::ReportSubmitted(_) => "ReportSubmitted",
            CaseEvent::ReportAcknowledged(_) => "ReportAcknowledged",
            CaseEvent::SupervisionNoted(_) => "SupervisionNoted",
            CaseEvent::ReturnedToSchool(_) => "ReturnedToSchool",
            CaseEvent::TransferredOut(_) => "TransferredOut",
            CaseEvent::TransferConfirmed(_) => "TransferConfirmed",
            CaseEvent::Suspended(_) => "Suspended",
            CaseEvent::Resumed(_) => "Resumed",
            CaseEvent::SupportGiven(_) => "SupportGiven",
            CaseEvent::HomeTeachingHeld(_) => "HomeTeachingHeld",
            CaseEvent::CaseClosed(_) => "CaseClosed",
            CaseEvent::CaseReopened(_) => "CaseReopened",
            CaseEvent::FactCorrected(_) => "FactCorrected",
            CaseEvent::RegistryFindingRecorded(_) => "RegistryFindingRecorded",
            CaseEvent::RegistryFindingResolved(_) => "RegistryFindingResolved",
            CaseEvent::RegistryFindingCleared(_) => "RegistryFindingCleared",
        }
    }
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}
