//! The `StudentCase` aggregate: one per child, holding every fact recorded about them.
//!
//! The state is the list of facts in the order they were recorded (event `n` is sequence `n`,
//! counting from 1) and the set of facts later retracted by a correction. Everything else
//! (status, absences, the current episode) is derived from the live facts when it is needed, so
//! a retraction never leaves a stale cache behind, and applying an event is a push.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::{Aggregate, event_sink::EventSink};
use notoneless_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::command::{CaseAction, CaseActionKind, CaseCommand};
use crate::error::CaseError;
use crate::event::{
    Acknowledgement, CaseEvent, CaseOpening, Closure, Correction, FocusGroupChange,
    HomeTeachingSession, Leave, ParentContact, RegistryFinding, Report, Return, Support,
    Suspension, TransferConfirmation, TransferOut,
};
use crate::values::{
    self, ClosureReason, FocusGroup, MAX_LONG_TEXT, MAX_SHORT_TEXT, RegistryIssue, StudentProfile,
    SupportKind,
};

/// The longest leave one grant may cover; anything longer is a suspension (休学).
pub const MAX_LEAVE_DAYS: i64 = 366;
/// The largest single support payment, in fen (100,000 yuan).
pub const MAX_SUPPORT_FEN: u64 = 10_000_000;
/// The longest home-teaching session, in minutes.
pub const MAX_SESSION_MINUTES: u32 = 480;

/// Where the child stands with the school, as the status facts say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CaseStatus {
    NotOpened,
    /// On the school's roll and expected at school on school days.
    Enrolled {
        since: NaiveDate,
    },
    /// 休学: not expected at school until resumption.
    Suspended {
        since: NaiveDate,
        expected_return: NaiveDate,
    },
    /// Transferred out; the receiving school has not yet confirmed.
    TransferPending {
        since: NaiveDate,
    },
    /// Transferred out and confirmed by the receiving school.
    TransferredOut {
        since: NaiveDate,
    },
    Closed {
        since: NaiveDate,
    },
}

impl CaseStatus {
    /// The status's name, for a person.
    pub fn label(&self) -> Msg {
        match self {
            CaseStatus::NotOpened => Msg::StatusNotOpened,
            CaseStatus::Enrolled { .. } => Msg::StatusEnrolled,
            CaseStatus::Suspended { .. } => Msg::StatusSuspended,
            CaseStatus::TransferPending { .. } => Msg::StatusTransferPending,
            CaseStatus::TransferredOut { .. } => Msg::StatusTransferredOut,
            CaseStatus::Closed { .. } => Msg::StatusClosed,
        }
    }

    /// The status's name as it is written in JSON and in messages.
    pub fn name(&self) -> &'static str {
        match self {
            CaseStatus::NotOpened => "not opened",
            CaseStatus::Enrolled { .. } => "enrolled",
            CaseStatus::Suspended { .. } => "suspended",
            CaseStatus::TransferPending { .. } => "transferred out pending confirmation",
            CaseStatus::TransferredOut { .. } => "transferred out",
            CaseStatus::Closed { .. } => "closed",
        }
    }

    /// The day the status began.
    pub fn since(&self) -> Option<NaiveDate> {
        match *self {
            CaseStatus::NotOpened => None,
            CaseStatus::Enrolled { since }
            | CaseStatus::Suspended { since, .. }
            | CaseStatus::TransferPending { since }
            | CaseStatus::TransferredOut { since }
            | CaseStatus::Closed { since } => Some(since),
        }
    }

    /// The status after a status fact, or `None` when the fact does not change the status.
    pub(crate) fn after(self, event: &CaseEvent) -> Option<CaseStatus> {
        Some(match event {
            CaseEvent::CaseOpened(f) => CaseStatus::Enrolled { since: f.on },
            CaseEvent::Resumed(f) => CaseStatus::Enrolled { since: f.on },
            CaseEvent::CaseReopened(f) => CaseStatus::Enrolled { since: f.on },
            CaseEvent::Suspended(f) => CaseStatus::Suspended {
                since: f.on,
                expected_return: f.expected_return,
            },
            CaseEvent::TransferredOut(f) => CaseStatus::TransferPending { since: f.on },
            // Within the county the receiving school continues the same file (ADR 0013).
            CaseEvent::TransferConfirmed(f) if f.continued_at.is_some() => {
                CaseStatus::Enrolled { since: f.on }
            }
            CaseEvent::TransferConfirmed(f) => CaseStatus::TransferredOut { since: f.on },
            CaseEvent::CaseClosed(f) => CaseStatus::Closed { since: f.on },
            _ => return None,
        })
    }
}

/// One child's case file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentCase {
    facts: Vec<CaseEvent>,
    retracted: BTreeSet<u64>,
}

impl Aggregate for StudentCase {
    const TYPE: &'static str = "student_case";
    type Command = CaseCommand;
    type Event = CaseEvent;
    type Error = CaseError;
    type Services = ();

    async fn handle(
        &mut self,
        command: CaseCommand,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), CaseError> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: CaseEvent) {
        if let CaseEvent::FactCorrected(Correction {
            target,
            retract: true,
            ..
        }) = &event
        {
            self.retracted.insert(*target);
        }
        self.facts.push(event);
    }
}

impl StudentCase {
    /// The case after these events, in order (event `n` becomes sequence `n`).
    pub fn from_events(events: impl IntoIterator<Item = CaseEvent>) -> Self {
        let mut case = Self::default();
        for event in events {
            case.apply(event);
        }
        case
    }

    /// The sequence number of the last event (0 for a case with none).
    pub fn sequence(&self) -> u64 {
        self.facts.len() as u64
    }

    /// Every event with its sequence number, retracted ones included.
    pub fn events(&self) -> impl Iterator<Item = (u64, &CaseEvent)> {
        (1..).zip(self.facts.iter())
    }

    /// The facts that still count: every event not retracted by a later correction.
    pub fn live(&self) -> impl Iterator<Item = (u64, &CaseEvent)> {
        self.events()
            .filter(|(seq, _)| !self.retracted.contains(seq))
    }

    pub fn event(&self, sequence: u64) -> Option<&CaseEvent> {
        let index = usize::try_from(sequence.checked_sub(1)?).ok()?;
        self.facts.get(index)
    }

    pub fn is_retracted(&self, sequence: u64) -> bool {
        self.retracted.contains(&sequence)
    }

    pub fn opening(&self) -> Option<&CaseOpening> {
        match self.facts.first() {
            Some(CaseEvent::CaseOpened(opening)) => Some(opening),
            _ => None,
        }
    }

    pub fn profile(&self) -> Option<&StudentProfile> {
        self.opening().map(|o| &o.student)
    }

    /// The school that keeps the case file now: the last school of the county that continued
    /// it after a transfer (ADR 0013), else the school it was opened at.
    pub fn school(&self) -> Option<&str> {
        let continued = self.live().filter_map(|(_, event)| match event {
            CaseEvent::TransferConfirmed(f) => f.continued_at.as_deref(),
            _ => None,
        });
        continued
            .last()
            .or_else(|| self.profile().map(|p| p.school.as_str()))
    }

    /// The child's focus groups now: those declared at opening, changed by later facts, plus
    /// "grade 8 and above" when the grade says so.
    pub fn focus_groups(&self) -> BTreeSet<FocusGroup> {
        let Some(profile) = self.profile() else {
            return BTreeSet::new();
        };
        let mut groups = profile.focus_groups();
        for (_, event) in self.live() {
            if let CaseEvent::FocusGroupsChanged(change) = event {
                groups.extend(change.add.iter().copied());
                groups.retain(|g| !change.remove.contains(g));
            }
        }
        groups
    }

    /// Whether the case, as it stands now, takes this kind of fact: its status allows it, and
    /// a home-teaching session only for a child in the "disabled" focus group. What a fact
    /// says (its day, its fields) is checked when it is recorded ([`StudentCase::decide`]);
    /// the console offers only the forms this allows.
    pub fn accepts(&self, kind: CaseActionKind) -> bool {
        self.opening().is_some()
            && permits(&self.status(), kind)
            && (kind != CaseActionKind::RecordHomeTeaching || self.teaches_at_home())
    }

    /// A home-teaching session is for a child in the "disabled" focus group.
    fn teaches_at_home(&self) -> bool {
        self.focus_groups().contains(&FocusGroup::Disabled)
    }

    /// The transfer out the receiving school has not confirmed yet, while the case waits for
    /// it (`transfer pending`).
    pub fn pending_transfer(&self) -> Option<&TransferOut> {
        if !matches!(self.status(), CaseStatus::TransferPending { .. }) {
            return None;
        }
        self.live()
            .filter_map(|(_, event)| match event {
                CaseEvent::TransferredOut(transfer) => Some(transfer),
                _ => None,
            })
            .last()
    }

    /// The status now: the last status fact decides.
    pub fn status(&self) -> CaseStatus {
        self.live().fold(CaseStatus::NotOpened, |status, (_, e)| {
            status.after(e).unwrap_or(status)
        })
    }

    /// The status in force on a day: the last status fact dated on or before it. (Status facts
    /// cannot be dated before the one they follow, so recording order and date order agree.)
    pub fn status_on(&self, day: NaiveDate) -> CaseStatus {
        self.live()
            .filter(|(_, e)| e.on() <= day)
            .fold(CaseStatus::NotOpened, |status, (_, e)| {
                status.after(e).unwrap_or(status)
            })
    }

    /// The live unexcused absences, with their sequence numbers.
    pub fn absences(&self) -> impl Iterator<Item = (u64, NaiveDate)> + '_ {
        self.live().filter_map(|(seq, e)| match e {
            CaseEvent::AbsenceRecorded(a) => Some((seq, a.on)),
            _ => None,
        })
    }

    /// The live days on which the child is recorded at school: returns and resumptions.
    pub fn presences(&self) -> impl Iterator<Item = (u64, NaiveDate)> + '_ {
        self.live().filter_map(|(seq, e)| match e {
            CaseEvent::ReturnedToSchool(r) => Some((seq, r.on)),
            CaseEvent::Resumed(r) => Some((seq, r.on)),
            _ => None,
        })
    }

    /// The live grants of leave, with their sequence numbers.
    pub fn leaves(&self) -> impl Iterator<Item = (u64, &Leave)> + '_ {
        self.live().filter_map(|(seq, e)| match e {
            CaseEvent::LeaveGranted(l) => Some((seq, l)),
            _ => None,
        })
    }

    /// The first day of the absence still open before `day`: an absence dated before `day`
    /// with no return or resumption after it up to `day`. `None` when the child is not absent.
    pub fn open_absence_before(&self, day: NaiveDate) -> Option<NaiveDate> {
        let last_presence = self.presences().map(|(_, d)| d).filter(|d| *d <= day).max();
        self.absences()
            .map(|(_, d)| d)
            .filter(|d| *d < day && last_presence.is_none_or(|p| *d > p))
            .min()
    }

    /// Decides what a command records, or why it is refused. Pure: the same case and command
    /// always give the same answer.
    pub fn decide(&self, command: CaseCommand) -> Result<CaseEvent, CaseError> {
        let CaseCommand { today, action } = command;
        let on = action.on();
        if on > today {
            return Err(CaseError::InFuture {
                field: "on",
                date: on,
                today,
            });
        }
        let opening = match (&action, self.opening()) {
            (CaseAction::OpenCase(_), Some(_)) => return Err(CaseError::AlreadyOpened),
            (CaseAction::OpenCase(opening), None) => {
                check_opening(opening, today)?;
                return Ok(CaseEvent::CaseOpened(opening.clone()));
            }
            (_, None) => return Err(CaseError::NotOpened),
            (_, Some(opening)) => opening,
        };
        if on < opening.on {
            return Err(CaseError::BeforeCaseOpened {
                field: "on",
                date: on,
                opened_on: opening.on,
            });
        }
        let status = self.status();
        if !permits(&status, action.kind()) {
            return Err(CaseError::WrongStatus {
                action: action.kind().label(),
                status: status.label(),
            });
        }
        if changes_status(&action)
            && let Some(since) = status.since()
            && on < since
        {
            return Err(CaseError::BeforeStatusChange {
                field: "on",
                date: on,
                since,
            });
        }
        Ok(match action {
            CaseAction::OpenCase(_) => return Err(CaseError::AlreadyOpened),
            CaseAction::ChangeFocusGroups(change) => {
                self.check_focus_change(&change)?;
                CaseEvent::FocusGroupsChanged(change)
            }
            CaseAction::RecordAbsence(absence) => {
                values::optional("note", absence.note.as_ref(), MAX_LONG_TEXT)?;
                self.check_absence_day(absence.on)?;
                CaseEvent::AbsenceRecorded(absence)
            }
            CaseAction::GrantLeave(leave) => {
                self.check_leave(&leave, opening.on, today)?;
                CaseEvent::LeaveGranted(leave)
            }
            CaseAction::RecordParentContact(contact) => {
                check_contact(&contact)?;
                CaseEvent::ParentContacted(contact)
            }
            CaseAction::RecordHomeVisit(visit) => {
                values::participants("participants", &visit.participants)?;
                values::optional("note", visit.note.as_ref(), MAX_LONG_TEXT)?;
                CaseEvent::HomeVisitConducted(visit)
            }
            CaseAction::ReportUpward(report) => {
                self.check_report(&report)?;
                CaseEvent::ReportSubmitted(report)
            }
            CaseAction::AcknowledgeReport(ack) => {
                self.check_acknowledgement(&ack)?;
                CaseEvent::ReportAcknowledged(ack)
            }
            CaseAction::AddSupervisionNote(note) => {
                values::participants("by", std::slice::from_ref(&note.by))?;
                values::required_long("note", &note.note)?;
                CaseEvent::SupervisionNoted(note)
            }
            CaseAction::RecordReturn(ret) => {
                self.check_return(&ret)?;
                CaseEvent::ReturnedToSchool(ret)
            }
            CaseAction::TransferOut(transfer) => {
                check_transfer(&transfer, today)?;
                CaseEvent::TransferredOut(transfer)
            }
            CaseAction::ConfirmTransfer(confirmation) => {
                check_confirmation(&confirmation, today)?;
                CaseEvent::TransferConfirmed(confirmation)
            }
            CaseAction::Suspend(suspension) => {
                check_suspension(&suspension, today)?;
                CaseEvent::Suspended(suspension)
            }
            CaseAction::Resume(resumption) => {
                // No absence can fall on the day: the child was suspended since before it.
                values::optional("note", resumption.note.as_ref(), MAX_LONG_TEXT)?;
                CaseEvent::Resumed(resumption)
            }
            CaseAction::GiveSupport(support) => {
                check_support(&support)?;
                CaseEvent::SupportGiven(support)
            }
            CaseAction::RecordHomeTeaching(session) => {
                self.check_home_teaching(&session)?;
                CaseEvent::HomeTeachingHeld(session)
            }
            CaseAction::CloseCase(closure) => {
                self.check_closure(&closure)?;
                CaseEvent::CaseClosed(closure)
            }
            CaseAction::ReopenCase(reopening) => {
                values::required_long("reason", &reopening.reason)?;
                CaseEvent::CaseReopened(reopening)
            }
            CaseAction::CorrectFact(correction) => {
                self.check_correction(&correction)?;
                CaseEvent::FactCorrected(correction)
            }
            CaseAction::RecordRegistryFinding(finding) => {
                values::required_long("detail", &finding.detail)?;
                values::required("cross_check", &finding.cross_check)?;
                if let Some((sequence, _)) = self.open_registry_finding(finding.kind) {
                    return Err(CaseError::FindingStillOpen {
                        kind: finding.kind,
                        sequence,
                    });
                }
                CaseEvent::RegistryFindingRecorded(finding)
            }
            CaseAction::ResolveRegistryFinding(resolution) => {
                values::required_long("resolution", &resolution.resolution)?;
                if let Some(document) = &resolution.document {
                    values::document("document", document, today)?;
                }
                self.check_finding_open(resolution.kind, resolution.on)?;
                CaseEvent::RegistryFindingResolved(resolution)
            }
            CaseAction::ClearRegistryFinding(clearance) => {
                values::required("cross_check", &clearance.cross_check)?;
                self.check_finding_open(clearance.kind, clearance.on)?;
                CaseEvent::RegistryFindingCleared(clearance)
            }
        })
    }

    /// The registry finding of this kind still open (recorded, and neither resolved nor cleared
    /// since), with its sequence number.
    pub fn open_registry_finding(&self, kind: RegistryIssue) -> Option<(u64, &RegistryFinding)> {
        let mut open = None;
        for (seq, event) in self.live() {
            match event {
                CaseEvent::RegistryFindingRecorded(f) if f.kind == kind => open = Some((seq, f)),
                CaseEvent::RegistryFindingResolved(r) if r.kind == kind => open = None,
                CaseEvent::RegistryFindingCleared(c) if c.kind == kind => open = None,
                _ => {}
            }
        }
        open
    }

    /// The resolution, with a document, that ended the last registry finding of this kind:
    /// its sequence number. `None` when there is no such finding, when it is still open, when a
    /// cross-check cleared it, or when it was resolved without a document.
    pub fn documented_resolution(&self, kind: RegistryIssue) -> Option<u64> {
        let mut last = None;
        for (seq, event) in self.live() {
            match event {
                CaseEvent::RegistryFindingRecorded(f) if f.kind == kind => last = None,
                CaseEvent::RegistryFindingResolved(r) if r.kind == kind => {
                    last = r.document.as_ref().map(|_| seq)
                }
                CaseEvent::RegistryFindingCleared(c) if c.kind == kind => last = None,
                _ => {}
            }
        }
        last
    }

    fn check_finding_open(&self, kind: RegistryIssue, on: NaiveDate) -> Result<(), CaseError> {
        let Some((sequence, finding)) = self.open_registry_finding(kind) else {
            return Err(CaseError::NoOpenFinding { kind });
        };
        if on < finding.on {
            return Err(CaseError::BeforeEvent {
                field: "on",
                date: on,
                sequence,
                event_on: finding.on,
            });
        }
        Ok(())
    }

    fn absence_on(&self, day: NaiveDate) -> Option<u64> {
        self.absences().find(|(_, d)| *d == day).map(|(seq, _)| seq)
    }

    fn check_absence_day(&self, day: NaiveDate) -> Result<(), CaseError> {
        let status = self.status_on(day);
        if !matches!(status, CaseStatus::Enrolled { .. }) {
            return Err(CaseError::NotEnrolledOn {
                date: day,
                status: status.label(),
            });
        }
        if let Some(sequence) = self.absence_on(day) {
            return Err(CaseError::DuplicateAbsence { on: day, sequence });
        }
        if let Some((sequence, _)) = self.leaves().find(|(_, l)| l.from <= day && day <= l.until) {
            return Err(CaseError::CoveredByLeave { on: day, sequence });
        }
        if let Some((sequence, _)) = self.presences().find(|(_, d)| *d == day) {
            return Err(CaseError::PresentThatDay { on: day, sequence });
        }
        Ok(())
    }

    fn check_leave(
        &self,
        leave: &Leave,
        opened_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), CaseError> {
        if leave.from < opened_on {
            return Err(CaseError::BeforeCaseOpened {
                field: "from",
                date: leave.from,
                opened_on,
            });
        }
        if leave.until < leave.from {
            return Err(CaseError::EndBeforeStart {
                field: "until",
                start: leave.from,
                end: leave.until,
            });
        }
        if (leave.until - leave.from).num_days() >= MAX_LEAVE_DAYS {
            return Err(CaseError::OutOfRange {
                field: "until",
                reason: Msg::RuleLeaveTooLong,
            });
        }
        values::required("reason", &leave.reason)?;
        values::participants("approved_by", std::slice::from_ref(&leave.approved_by))?;
        if let Some(document) = &leave.document {
            values::document("document", document, today)?;
        }
        if let Some((sequence, _)) = self
            .leaves()
            .find(|(_, l)| l.from <= leave.until && leave.from <= l.until)
        {
            return Err(CaseError::OverlapsLeave { sequence });
        }
        Ok(())
    }

    fn check_report(&self, report: &Report) -> Result<(), CaseError> {
        values::required("reference", &report.reference)?;
        values::participants("signed_by", std::slice::from_ref(&report.signed_by))?;
        values::optional("summary", report.summary.as_ref(), MAX_LONG_TEXT)?;
        let duplicate = self.live().any(|(_, e)| {
            matches!(e, CaseEvent::ReportSubmitted(r)
                if r.recipient == report.recipient && r.reference.trim() == report.reference.trim())
        });
        if duplicate {
            return Err(CaseError::Duplicate {
                field: "reference",
                value: report.reference.clone(),
            });
        }
        Ok(())
    }

    fn check_acknowledgement(&self, ack: &Acknowledgement) -> Result<(), CaseError> {
        values::required("reference", &ack.reference)?;
        values::required("by", &ack.by)?;
        let report = self.live().find_map(|(seq, e)| match e {
            CaseEvent::ReportSubmitted(r)
                if r.recipient == ack.recipient && r.reference.trim() == ack.reference.trim() =>
            {
                Some((seq, r.on))
            }
            _ => None,
        });
        let Some((report_seq, report_on)) = report else {
            return Err(CaseError::NoSuchReport {
                recipient: ack.recipient,
                reference: ack.reference.clone(),
            });
        };
        if ack.on < report_on {
            return Err(CaseError::BeforeEvent {
                field: "on",
                date: ack.on,
                sequence: report_seq,
                event_on: report_on,
            });
        }
        let earlier = self.live().find_map(|(seq, e)| match e {
            CaseEvent::ReportAcknowledged(a)
                if a.recipient == ack.recipient && a.reference.trim() == ack.reference.trim() =>
            {
                Some(seq)
            }
            _ => None,
        });
        if let Some(sequence) = earlier {
            return Err(CaseError::AlreadyAcknowledged {
                reference: ack.reference.clone(),
                sequence,
            });
        }
        Ok(())
    }

    fn check_return(&self, ret: &Return) -> Result<(), CaseError> {
        values::optional("note", ret.note.as_ref(), MAX_LONG_TEXT)?;
        let status = self.status_on(ret.on);
        if !matches!(status, CaseStatus::Enrolled { .. }) {
            return Err(CaseError::NotEnrolledOn {
                date: ret.on,
                status: status.label(),
            });
        }
        if let Some(sequence) = self.absence_on(ret.on) {
            return Err(CaseError::AbsentThatDay {
                on: ret.on,
                sequence,
            });
        }
        if self.open_absence_before(ret.on).is_none() {
            return Err(CaseError::NotAbsent { on: ret.on });
        }
        Ok(())
    }

    fn check_home_teaching(&self, session: &HomeTeachingSession) -> Result<(), CaseError> {
        values::participants("teachers", &session.teachers)?;
        if session.minutes == 0 || session.minutes > MAX_SESSION_MINUTES {
            return Err(CaseError::OutOfRange {
                field: "minutes",
                reason: Msg::RuleSessionMinutes,
            });
        }
        values::required_long("content", &session.content)?;
        if !self.teaches_at_home() {
            return Err(CaseError::NotInFocusGroup {
                group: FocusGroup::Disabled,
            });
        }
        Ok(())
    }

    fn check_focus_change(&self, change: &FocusGroupChange) -> Result<(), CaseError> {
        values::required("reason", &change.reason)?;
        if change.add.is_empty() && change.remove.is_empty() {
            return Err(CaseError::Empty { field: "add" });
        }
        for (field, groups) in [("add", &change.add), ("remove", &change.remove)] {
            if groups.contains(&FocusGroup::Grade8OrAbove) {
                return Err(CaseError::Inconsistent {
                    field,
                    reason: Msg::RuleGrade8Derived,
                });
            }
        }
        if let Some(both) = change.add.intersection(&change.remove).next() {
            return Err(CaseError::Duplicate {
                field: "remove",
                value: both.to_string(),
            });
        }
        let current = self.focus_groups();
        if let Some(present) = change.add.iter().find(|g| current.contains(g)) {
            return Err(CaseError::Duplicate {
                field: "add",
                value: present.to_string(),
            });
        }
        if let Some(absent) = change.remove.iter().find(|g| !current.contains(g)) {
            return Err(CaseError::NotPresent {
                field: "remove",
                value: absent.to_string(),
            });
        }
        Ok(())
    }

    fn check_closure(&self, closure: &Closure) -> Result<(), CaseError> {
        values::optional("note", closure.note.as_ref(), MAX_LONG_TEXT)?;
        if closure.reason == ClosureReason::Other && closure.note.is_none() {
            return Err(CaseError::Blank { field: "note" });
        }
        let day_after = closure.on.succ_opt().unwrap_or(closure.on);
        if let Some(since) = self.open_absence_before(day_after) {
            return Err(CaseError::StillAbsent { since });
        }
        Ok(())
    }

    fn check_correction(&self, correction: &Correction) -> Result<(), CaseError> {
        values::required_long("what_was_wrong", &correction.what_was_wrong)?;
        let target = correction.target;
        let Some(event) = self.event(target) else {
            return Err(CaseError::NoSuchEvent { sequence: target });
        };
        if correction.retract {
            if self.is_retracted(target) {
                return Err(CaseError::AlreadyRetracted { sequence: target });
            }
            let refusal = match event {
                CaseEvent::CaseOpened(_) => Some(Msg::RuleOpeningStands),
                CaseEvent::FactCorrected(_) => Some(Msg::RuleCorrectionStands),
                _ => None,
            };
            if let Some(reason) = refusal {
                return Err(CaseError::CannotRetract {
                    sequence: target,
                    reason,
                });
            }
        }
        Ok(())
    }
}

/// Which actions the current status allows. Facts about the past that need the child to have
/// been enrolled that day (absences, returns) are further checked against the status on their
/// own day.
fn permits(status: &CaseStatus, action: CaseActionKind) -> bool {
    use CaseActionKind as A;
    // Always allowed on an opened case, closed or not: notes, acknowledgements of earlier
    // reports, corrections, and the registry cross-check's findings (a closed case of a child
    // still on a roll is exactly what it looks for) and their resolution.
    if matches!(
        action,
        A::AddSupervisionNote
            | A::AcknowledgeReport
            | A::CorrectFact
            | A::RecordRegistryFinding
            | A::ResolveRegistryFinding
            | A::ClearRegistryFinding
    ) {
        return true;
    }
    match status {
        CaseStatus::NotOpened => false,
        CaseStatus::Enrolled { .. } => !matches!(
            action,
            A::Resume | A::ConfirmTransfer | A::ReopenCase | A::OpenCase
        ),
        CaseStatus::Suspended { .. } => matches!(
            action,
            A::Resume
                | A::RecordAbsence
                | A::GrantLeave
                | A::RecordReturn
                | A::RecordParentContact
                | A::RecordHomeVisit
                | A::ReportUpward
                | A::GiveSupport
                | A::RecordHomeTeaching
                | A::ChangeFocusGroups
        ),
        CaseStatus::TransferPending { .. } => matches!(
            action,
            A::ConfirmTransfer
                | A::RecordAbsence
                | A::GrantLeave
                | A::RecordReturn
                | A::RecordParentContact
                | A::RecordHomeVisit
                | A::ReportUpward
        ),
        CaseStatus::TransferredOut { .. } => matches!(
            action,
            A::CloseCase | A::RecordAbsence | A::RecordReturn | A::ReportUpward
        ),
        CaseStatus::Closed { .. } => matches!(action, A::ReopenCase),
    }
}

fn changes_status(action: &CaseAction) -> bool {
    matches!(
        action,
        CaseAction::TransferOut(_)
            | CaseAction::ConfirmTransfer(_)
            | CaseAction::Suspend(_)
            | CaseAction::Resume(_)
            | CaseAction::CloseCase(_)
            | CaseAction::ReopenCase(_)
    )
}

fn check_opening(opening: &CaseOpening, today: NaiveDate) -> Result<(), CaseError> {
    let student = &opening.student;
    values::student_number("student.student_number", &student.student_number)?;
    values::required("student.name", &student.name)?;
    values::required("student.school", &student.school)?;
    values::required("student.class", &student.class)?;
    values::required("student.head_teacher", &student.head_teacher)?;
    if let Some(id_number) = &student.id_number {
        values::id_number("student.id_number", id_number)?;
    }
    values::optional("reason", opening.reason.as_ref(), MAX_LONG_TEXT)?;
    if student.birth_date > today {
        return Err(CaseError::InFuture {
            field: "student.birth_date",
            date: student.birth_date,
            today,
        });
    }
    let age = opening.on.years_since(student.birth_date).unwrap_or(0);
    if !(3..=20).contains(&age) {
        return Err(CaseError::OutOfRange {
            field: "student.birth_date",
            reason: Msg::RuleAgeRange,
        });
    }
    if !(1..=9).contains(&student.grade) {
        return Err(CaseError::OutOfRange {
            field: "student.grade",
            reason: Msg::RuleGradeRange,
        });
    }
    if student.guardians.is_empty() {
        return Err(CaseError::Empty {
            field: "student.guardians",
        });
    }
    for guardian in &student.guardians {
        values::required("student.guardians.name", &guardian.name)?;
        values::required("student.guardians.relation", &guardian.relation)?;
        values::phone("student.guardians.phone", &guardian.phone)?;
    }
    if student.focus_groups.contains(&FocusGroup::Grade8OrAbove) {
        return Err(CaseError::Inconsistent {
            field: "student.focus_groups",
            reason: Msg::RuleGrade8Derived,
        });
    }
    Ok(())
}

fn check_contact(contact: &ParentContact) -> Result<(), CaseError> {
    values::participants("by", std::slice::from_ref(&contact.by))?;
    values::required("guardian", &contact.guardian)?;
    values::optional("reason_given", contact.reason_given.as_ref(), MAX_LONG_TEXT)?;
    values::optional("note", contact.note.as_ref(), MAX_LONG_TEXT)?;
    if !contact.reached && contact.reason_given.is_some() {
        return Err(CaseError::Inconsistent {
            field: "reason_given",
            reason: Msg::RuleReasonNeedsReached,
        });
    }
    Ok(())
}

fn check_transfer(transfer: &TransferOut, today: NaiveDate) -> Result<(), CaseError> {
    values::required("destination_school", &transfer.destination_school)?;
    values::optional(
        "destination_region",
        transfer.destination_region.as_ref(),
        MAX_SHORT_TEXT,
    )?;
    for document in &transfer.documents {
        values::document("documents", document, today)?;
    }
    Ok(())
}

fn check_confirmation(
    confirmation: &TransferConfirmation,
    today: NaiveDate,
) -> Result<(), CaseError> {
    values::required("receiving_school", &confirmation.receiving_school)?;
    values::required("confirmed_by", &confirmation.confirmed_by)?;
    if let Some(document) = &confirmation.document {
        values::document("document", document, today)?;
    }
    Ok(())
}

fn check_suspension(suspension: &Suspension, today: NaiveDate) -> Result<(), CaseError> {
    values::required("reason", &suspension.reason)?;
    if suspension.expected_return <= suspension.on {
        return Err(CaseError::EndBeforeStart {
            field: "expected_return",
            start: suspension.on,
            end: suspension.expected_return,
        });
    }
    if let Some(document) = &suspension.document {
        values::document("document", document, today)?;
    }
    Ok(())
}

fn check_support(support: &Support) -> Result<(), CaseError> {
    values::optional("note", support.note.as_ref(), MAX_LONG_TEXT)?;
    if support.until < support.from {
        return Err(CaseError::EndBeforeStart {
            field: "until",
            start: support.from,
            end: support.until,
        });
    }
    if support.amount_fen == 0 && support.kind != SupportKind::Deferral {
        return Err(CaseError::OutOfRange {
            field: "amount_fen",
            reason: Msg::RuleSupportAboveZero,
        });
    }
    if support.amount_fen > MAX_SUPPORT_FEN {
        return Err(CaseError::OutOfRange {
            field: "amount_fen",
            reason: Msg::RuleSupportAtMost,
        });
    }
    Ok(())
}
