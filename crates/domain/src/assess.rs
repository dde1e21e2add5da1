//! `assess(case, calendar, ladder, now)`: where a case stands at an instant, under the "123"
//! rule (or whatever ladder the county uses). Pure: everything it needs is passed in.
//!
//! # The rule, exactly
//!
//! * **As it stood.** Only facts that happened by the local date of `now` count: assessing at
//!   an instant in the past gives the case as it stood then (the facts that happened up to
//!   that day, as far as the log knows them).
//! * **Unexcused day.** An absence counts when its day is a school day, is not covered by
//!   approved leave, and the child was enrolled that day (not suspended, transferred out or
//!   closed). Other recorded absences are listed in `ignored_absences`, with the reason.
//! * **Episode.** Unexcused days are grouped into episodes of consecutive school days. Between
//!   two unexcused days `a < b` the episode goes on unless something ends it first:
//!   - a return (返校) dated in `(a, b]`: the child was at school that day;
//!   - a suspension, a transfer out or a closure dated in `(a, b]`;
//!   - a school day strictly between `a` and `b`, and before today, on which the child was
//!     neither absent nor on leave: the child was at school, so the streak broke. (Which is
//!     why a school day with no record at all matters, and why the daily roll call exists.)
//!
//!   Non-school days (weekends, holidays, breaks) neither count nor end an episode; nor do
//!   leave days: a child on approved leave between two unexcused days has not come back. The
//!   last episode is open until one of the same things ends it; today itself never ends it,
//!   because today's roll may not be taken yet.
//! * **Day n.** The n-th unexcused day of an episode is its day n. A step with threshold `d`
//!   is reached when the count reaches or passes `d`, so an absence recorded late still
//!   creates every step it skipped; the step's trigger day is the episode's day `d`.
//! * **Due.** Every obligation of a step is due by the end of its trigger day, local time
//!   (Asia/Shanghai by default): from midnight on, it is overdue.
//! * **Done.** A step's action is done by a parent contact (for `contact_parents`) or a home
//!   visit (for `home_visit`) dated from the trigger day to the day the episode ended. Its
//!   report to a recipient is done by a report to that recipient dated from the trigger day to
//!   the day before the next episode began. The earliest fact with every required role counts;
//!   failing one, the earliest fact without them does, as "done without the required roles"
//!   (the system records facts as they happened and does not hide them). A fact dated after
//!   the trigger day is "done late", by that many calendar days.
//! * **Not done.** Before the due time an obligation is open; after it, overdue. The action of
//!   an episode that has ended can no longer be done: it is missed. A report can still be
//!   made late, so it stays overdue.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use notoneless_i18n::{Message, Msg};
use serde::{Deserialize, Serialize};

use crate::calendar::SchoolCalendar;
use crate::case::{CaseStatus, StudentCase};
use crate::event::CaseEvent;
use crate::ladder::{EscalationLadder, StepAction};
use crate::values::{Recipient, Role};

/// Where a case stands, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    NotOpened,
    /// Enrolled, with no open episode.
    Attending,
    /// In an open episode that has not reached a step with recipients.
    Absent,
    /// In an open episode that has reached a step that reports upward.
    Escalated,
    Suspended,
    TransferPending,
    TransferredOut,
    Closed,
}

impl Stage {
    /// The stage, for a person ("缺勤中", "已上报").
    pub fn label(self) -> Msg {
        match self {
            Stage::NotOpened => Msg::StageNotOpened,
            Stage::Attending => Msg::StageAttending,
            Stage::Absent => Msg::StageAbsent,
            Stage::Escalated => Msg::StageEscalated,
            Stage::Suspended => Msg::StageSuspended,
            Stage::TransferPending => Msg::StageTransferPending,
            Stage::TransferredOut => Msg::StageTransferredOut,
            Stage::Closed => Msg::StageClosed,
        }
    }
}

/// Why an episode ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// A return was recorded.
    Returned,
    /// A school day passed with neither an absence nor leave on record.
    Attended,
    Suspended,
    TransferredOut,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeEnd {
    pub on: NaiveDate,
    pub reason: EndReason,
    /// The event that ended it; none when a school day passed without a record.
    pub sequence: Option<u64>,
}

/// What an obligation asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObligationKind {
    Action { action: StepAction },
    Report { recipient: Recipient },
}

impl ObligationKind {
    /// The step's name, for a person ("家访", "向乡镇政府报告").
    pub fn label(self) -> Message {
        match self {
            ObligationKind::Action { action } => Message::new(action.label()),
            ObligationKind::Report { recipient } => {
                Message::new(Msg::StepReport).with("recipient", recipient.label())
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    /// Not done, and not yet due.
    Open,
    /// Not done, past due, and still to be done.
    Overdue,
    /// Not done, and the episode it belonged to has ended: it can no longer be done.
    Missed,
    DoneOnTime,
    DoneLate,
    /// Done, but without every role the step requires (on time or late: see the fulfilment).
    DoneWithoutRequiredRoles,
}

impl ObligationStatus {
    /// The step's state, for a person ("已逾期", "按时完成").
    pub fn label(self) -> Msg {
        match self {
            ObligationStatus::Open => Msg::ConsoleStepOpen,
            ObligationStatus::Overdue => Msg::ConsoleStepOverdue,
            ObligationStatus::Missed => Msg::ConsoleStepMissed,
            ObligationStatus::DoneOnTime => Msg::ConsoleStepDoneOnTime,
            ObligationStatus::DoneLate => Msg::ConsoleStepDoneLate,
            ObligationStatus::DoneWithoutRequiredRoles => Msg::ConsoleStepDoneWithoutRoles,
        }
    }

    /// Whether someone must still act on it.
    pub fn is_outstanding(self) -> bool {
        matches!(self, ObligationStatus::Open | ObligationStatus::Overdue)
    }
}

/// The fact that fulfilled an obligation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fulfilment {
    pub on: NaiveDate,
    pub sequence: u64,
    /// Calendar days after the trigger day (0 when on time).
    pub days_late: i64,
    /// The required roles nobody took part in.
    pub missing_roles: Vec<Role>,
    /// For a report: the day the recipient acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Obligation {
    /// The step's index in the ladder.
    pub step: usize,
    /// The step's day threshold.
    pub day: u32,
    #[serde(flatten)]
    pub kind: ObligationKind,
    /// The roles that owe it.
    pub owners: Vec<Role>,
    pub trigger_day: NaiveDate,
    pub due: DateTime<Utc>,
    pub status: ObligationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilment: Option<Fulfilment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Episode {
    pub first_day: NaiveDate,
    /// The unexcused school days, in order: `days[n - 1]` is day n.
    pub days: Vec<NaiveDate>,
    /// The sequence numbers of the absences counted, in the same order.
    pub sequences: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<EpisodeEnd>,
    pub obligations: Vec<Obligation>,
}

impl Episode {
    pub fn day_count(&self) -> usize {
        self.days.len()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum IgnoredReason {
    NonSchoolDay,
    OnLeave {
        leave: u64,
    },
    NotEnrolled,
    /// The same day is recorded by an earlier event.
    SameDayAs {
        sequence: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IgnoredAbsence {
    pub on: NaiveDate,
    pub sequence: u64,
    #[serde(flatten)]
    pub reason: IgnoredReason,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub as_of: DateTime<Utc>,
    /// The local date at `as_of`.
    pub today: NaiveDate,
    pub stage: Stage,
    pub status: CaseStatus,
    pub episodes: Vec<Episode>,
    /// The index in `episodes` of the open episode, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_episode: Option<usize>,
    pub ignored_absences: Vec<IgnoredAbsence>,
}

impl Assessment {
    pub fn current(&self) -> Option<&Episode> {
        self.current_episode.and_then(|i| self.episodes.get(i))
    }

    /// Every obligation of every episode.
    pub fn obligations(&self) -> impl Iterator<Item = &Obligation> {
        self.episodes.iter().flat_map(|e| e.obligations.iter())
    }

    /// The obligations someone must still act on (open or overdue).
    pub fn outstanding(&self) -> impl Iterator<Item = &Obligation> {
        self.obligations().filter(|o| o.status.is_outstanding())
    }
}

/// A step-fulfilling fact: its day, sequence, the roles that took part, and (for reports) its
/// recipient and acknowledgement.
struct Candidate {
    on: NaiveDate,
    sequence: u64,
    roles: BTreeSet<Role>,
    acknowledged_on: Option<NaiveDate>,
}

/// Where the case stands at `now`. See the module documentation for the rule.
pub fn assess(
    case: &StudentCase,
    calendar: &SchoolCalendar,
    ladder: &EscalationLadder,
    now: DateTime<Utc>,
) -> Assessment {
    let today = calendar.local_date(now);
    let status = case.status_on(today);
    let facts = Facts::gather(case, today);

    // Sort the absences into counted and ignored.
    let mut counted: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut ignored = Vec::new();
    for &(sequence, on) in &facts.absences {
        let reason = if let Some(&first) = counted.get(&on) {
            Some(IgnoredReason::SameDayAs { sequence: first })
        } else if !calendar.is_school_day(on) {
            Some(IgnoredReason::NonSchoolDay)
        } else if let Some(leave) = facts.leave_on(on) {
            Some(IgnoredReason::OnLeave { leave })
        } else if !facts.enrolled_on(on) {
            Some(IgnoredReason::NotEnrolled)
        } else {
            None
        };
        match reason {
            // A day ignored for a reason other than a duplicate may still be counted by an
            // earlier duplicate; keep the earliest event per day.
            Some(reason) => ignored.push(IgnoredAbsence {
                on,
                sequence,
                reason,
            }),
            None => {
                counted.insert(on, sequence);
            }
        }
    }
    ignored.sort_by_key(|i| (i.on, i.sequence));

    // Group the counted days into episodes.
    let mut episodes: Vec<Episode> = Vec::new();
    for (&day, &sequence) in &counted {
        let continues = episodes.last_mut().filter(|episode| {
            let last = *episode.days.last().unwrap_or(&episode.first_day);
            facts.end_after(calendar, last, Some(day), today).is_none()
        });
        match continues {
            Some(episode) => {
                episode.days.push(day);
                episode.sequences.push(sequence);
            }
            None => {
                if let Some(previous) = episodes.last_mut() {
                    let last = *previous.days.last().unwrap_or(&previous.first_day);
                    previous.end = facts.end_after(calendar, last, Some(day), today);
                }
                episodes.push(Episode {
                    first_day: day,
                    days: vec![day],
                    sequences: vec![sequence],
                    end: None,
                    obligations: Vec::new(),
                });
            }
        }
    }
    if let Some(last) = episodes.last_mut() {
        let last_day = *last.days.last().unwrap_or(&last.first_day);
        last.end = facts.end_after(calendar, last_day, None, today);
    }

    // The obligations of each episode.
    let next_starts: Vec<Option<NaiveDate>> = episodes
        .iter()
        .skip(1)
        .map(|e| Some(e.first_day))
        .chain(std::iter::once(None))
        .collect();
    for (episode, next_start) in episodes.iter_mut().zip(next_starts) {
        episode.obligations = obligations(episode, next_start, &facts, calendar, ladder, now);
    }

    let current_episode = episodes
        .last()
        .filter(|e| e.end.is_none())
        .map(|_| episodes.len() - 1);
    let stage = match status {
        CaseStatus::NotOpened => Stage::NotOpened,
        CaseStatus::Suspended { .. } => Stage::Suspended,
        CaseStatus::TransferPending { .. } => Stage::TransferPending,
        CaseStatus::TransferredOut { .. } => Stage::TransferredOut,
        CaseStatus::Closed { .. } => Stage::Closed,
        CaseStatus::Enrolled { .. } => match current_episode.and_then(|i| episodes.get(i)) {
            None => Stage::Attending,
            Some(episode) => {
                let reports = episode
                    .obligations
                    .iter()
                    .any(|o| matches!(o.kind, ObligationKind::Report { .. }));
                if reports {
                    Stage::Escalated
                } else {
                    Stage::Absent
                }
            }
        },
    };

    Assessment {
        as_of: now,
        today,
        stage,
        status,
        episodes,
        current_episode,
        ignored_absences: ignored,
    }
}

fn obligations(
    episode: &Episode,
    next_start: Option<NaiveDate>,
    facts: &Facts,
    calendar: &SchoolCalendar,
    ladder: &EscalationLadder,
    now: DateTime<Utc>,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    for (index, step) in ladder.steps().iter().enumerate() {
        let Some(&trigger_day) = usize::try_from(step.day - 1)
            .ok()
            .and_then(|i| episode.days.get(i))
        else {
            break; // steps are in increasing order of day
        };
        let due = calendar.end_of_day(trigger_day);
        let owners: Vec<Role> = step.required_roles.iter().copied().collect();
        let action_until = episode.end.map(|end| end.on);
        let action_candidates = match step.action {
            StepAction::ContactParents => &facts.contacts,
            StepAction::HomeVisit => &facts.visits,
        };
        let mut kinds = vec![(
            ObligationKind::Action {
                action: step.action,
            },
            pick(
                action_candidates,
                trigger_day,
                action_until,
                &step.required_roles,
            ),
        )];
        let report_until = next_start.and_then(|d| d.pred_opt());
        for &recipient in &step.recipients {
            let candidates = facts.reports.get(&recipient).map_or(&[][..], Vec::as_slice);
            kinds.push((
                ObligationKind::Report { recipient },
                pick(candidates, trigger_day, report_until, &BTreeSet::new()),
            ));
        }
        for (kind, fulfilment) in kinds {
            let status = match &fulfilment {
                Some(f) if !f.missing_roles.is_empty() => {
                    ObligationStatus::DoneWithoutRequiredRoles
                }
                Some(f) if f.days_late > 0 => ObligationStatus::DoneLate,
                Some(_) => ObligationStatus::DoneOnTime,
                None if now < due => ObligationStatus::Open,
                None if episode.end.is_some() && matches!(kind, ObligationKind::Action { .. }) => {
                    ObligationStatus::Missed
                }
                None => ObligationStatus::Overdue,
            };
            out.push(Obligation {
                step: index,
                day: step.day,
                kind,
                owners: owners.clone(),
                trigger_day,
                due,
                status,
                fulfilment,
            });
        }
    }
    out
}

/// The fact that fulfils an obligation triggered on `from`, among facts dated `from..=until`:
/// the earliest with every required role, else the earliest without.
fn pick(
    candidates: &[Candidate],
    from: NaiveDate,
    until: Option<NaiveDate>,
    required: &BTreeSet<Role>,
) -> Option<Fulfilment> {
    candidates
        .iter()
        .filter(|c| c.on >= from && until.is_none_or(|u| c.on <= u))
        .map(|c| {
            let missing: Vec<Role> = required.difference(&c.roles).copied().collect();
            (missing, c)
        })
        // Ties on the same day go to the fact with fewer missing roles, then to an acknowledged
        // report; only facts that are alike in all of that are told apart by their sequence, so
        // the status never depends on the order in which facts were recorded.
        .min_by_key(|(missing, c)| {
            (
                !missing.is_empty(),
                c.on,
                missing.len(),
                missing.clone(),
                c.acknowledged_on.is_none(),
                c.acknowledged_on,
                c.sequence,
            )
        })
        .map(|(missing_roles, c)| Fulfilment {
            on: c.on,
            sequence: c.sequence,
            days_late: (c.on - from).num_days(),
            missing_roles,
            acknowledged_on: c.acknowledged_on,
        })
}

/// The live facts `assess` needs, gathered once.
struct Facts {
    absences: Vec<(u64, NaiveDate)>,
    leaves: Vec<(u64, NaiveDate, NaiveDate)>,
    /// Facts that end an episode: (day, reason, sequence), sorted by day.
    enders: Vec<(NaiveDate, EndReason, u64)>,
    /// Status facts in recording order, for "enrolled on that day".
    statuses: Vec<(NaiveDate, CaseEvent)>,
    contacts: Vec<Candidate>,
    visits: Vec<Candidate>,
    reports: BTreeMap<Recipient, Vec<Candidate>>,
}

impl Facts {
    fn gather(case: &StudentCase, today: NaiveDate) -> Self {
        let mut facts = Facts {
            absences: Vec::new(),
            leaves: Vec::new(),
            enders: Vec::new(),
            statuses: Vec::new(),
            contacts: Vec::new(),
            visits: Vec::new(),
            reports: BTreeMap::new(),
        };
        let mut acknowledgements: BTreeMap<(Recipient, String), NaiveDate> = BTreeMap::new();
        let mut report_refs: Vec<(Recipient, String)> = Vec::new();
        let mut continuations = Vec::new();
        for (sequence, event) in case.live().filter(|(_, e)| e.on() <= today) {
            match event {
                CaseEvent::AbsenceRecorded(a) => facts.absences.push((sequence, a.on)),
                CaseEvent::LeaveGranted(l) => facts.leaves.push((sequence, l.from, l.until)),
                CaseEvent::ParentContacted(c) => facts.contacts.push(Candidate {
                    on: c.on,
                    sequence,
                    roles: [c.by.role].into(),
                    acknowledged_on: None,
                }),
                CaseEvent::HomeVisitConducted(v) => facts.visits.push(Candidate {
                    on: v.on,
                    sequence,
                    roles: v.participants.iter().map(|p| p.role).collect(),
                    acknowledged_on: None,
                }),
                CaseEvent::ReportSubmitted(r) => {
                    report_refs.push((r.recipient, r.reference.trim().to_string()));
                    facts
                        .reports
                        .entry(r.recipient)
                        .or_default()
                        .push(Candidate {
                            on: r.on,
                            sequence,
                            roles: [r.signed_by.role].into(),
                            acknowledged_on: None,
                        });
                }
                CaseEvent::ReportAcknowledged(a) => {
                    acknowledgements
                        .entry((a.recipient, a.reference.trim().to_string()))
                        .or_insert(a.on);
                }
                CaseEvent::ReturnedToSchool(r) => {
                    facts.enders.push((r.on, EndReason::Returned, sequence));
                }
                _ => {}
            }
            let ender = match event {
                CaseEvent::Suspended(s) => Some((s.on, EndReason::Suspended)),
                CaseEvent::TransferredOut(t) => Some((t.on, EndReason::TransferredOut)),
                CaseEvent::CaseClosed(c) => Some((c.on, EndReason::Closed)),
                _ => None,
            };
            if let Some((on, reason)) = ender {
                facts.enders.push((on, reason, sequence));
            }
            if let CaseEvent::TransferConfirmed(c) = event
                && c.continued_at.is_some()
            {
                continuations.push(c.on);
            }
            if matches!(
                event,
                CaseEvent::CaseOpened(_)
                    | CaseEvent::Suspended(_)
                    | CaseEvent::Resumed(_)
                    | CaseEvent::TransferredOut(_)
                    | CaseEvent::TransferConfirmed(_)
                    | CaseEvent::CaseClosed(_)
                    | CaseEvent::CaseReopened(_)
            ) {
                facts.statuses.push((event.on(), event.clone()));
            }
        }
        // Attach acknowledgements to the reports they answer (reports are in recording order
        // within each recipient, as `report_refs` is).
        let mut index: BTreeMap<Recipient, usize> = BTreeMap::new();
        for (recipient, reference) in report_refs {
            let i = index.entry(recipient).or_default();
            if let Some(candidate) = facts
                .reports
                .get_mut(&recipient)
                .and_then(|v| v.get_mut(*i))
            {
                candidate.acknowledged_on = acknowledgements.get(&(recipient, reference)).copied();
            }
            *i += 1;
        }
        // A transfer that a school of the county continued the file after ends nothing: the
        // child is still the county's, and the streak goes on at the new school (ADR 0013).
        // Each continuation answers the last transfer out on or before its day.
        for confirmed in continuations {
            let answered = facts
                .enders
                .iter()
                .enumerate()
                .filter(|(_, (on, reason, _))| {
                    *reason == EndReason::TransferredOut && *on <= confirmed
                })
                .max_by_key(|(_, (on, _, sequence))| (*on, *sequence))
                .map(|(i, _)| i);
            if let Some(i) = answered {
                facts.enders.remove(i);
            }
        }
        facts
            .enders
            .sort_by_key(|&(on, _, sequence)| (on, sequence));
        facts
    }

    fn leave_on(&self, day: NaiveDate) -> Option<u64> {
        self.leaves
            .iter()
            .filter(|(_, from, until)| *from <= day && day <= *until)
            .map(|(sequence, _, _)| *sequence)
            .min()
    }

    fn enrolled_on(&self, day: NaiveDate) -> bool {
        let status = self
            .statuses
            .iter()
            .filter(|(on, _)| *on <= day)
            .fold(CaseStatus::NotOpened, |status, (_, e)| {
                status.after(e).unwrap_or(status)
            });
        matches!(status, CaseStatus::Enrolled { .. })
    }

    /// What ends an episode whose last counted day is `last`: the first ender dated after it
    /// (up to `limit`, the next counted day, if there is one), or the first school day after it
    /// (before `limit` and before today) with neither an absence nor leave nor a status that
    /// excuses it: a day the child was at school.
    fn end_after(
        &self,
        calendar: &SchoolCalendar,
        last: NaiveDate,
        limit: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<EpisodeEnd> {
        let ender = self
            .enders
            .iter()
            .find(|(on, _, _)| *on > last && limit.is_none_or(|l| *on <= l))
            .map(|&(on, reason, sequence)| EpisodeEnd {
                on,
                reason,
                sequence: Some(sequence),
            });
        let scan_until = match limit {
            Some(l) if l <= today => l,
            _ => today,
        };
        let scan_until = ender.map_or(scan_until, |e| scan_until.min(e.on));
        let attended = last
            .iter_days()
            .skip(1)
            .take_while(|d| *d < scan_until)
            .filter(|d| calendar.is_school_day(*d))
            .find(|d| {
                self.leave_on(*d).is_none()
                    && self.enrolled_on(*d)
                    && !self.absences.iter().any(|(_, a)| a == d)
            })
            .map(|on| EpisodeEnd {
                on,
                reason: EndReason::Attended,
                sequence: None,
            });
        attended.or(ender)
    }
}
