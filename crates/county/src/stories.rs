//! A child's period in the file: what happened, who entered it and when. Most of it is done
//! right, on the day; a small share is planted wrong (a [`Flaw`]), each with the finding the
//! review must make of it.
//!
//! A story takes the child's school days one plot at a time (an absence and the call, the full
//! 123, a transfer …), each on days no other plot of the child has taken. The rates are a
//! year's, scaled to the period: a six-week term sees a sixth of a year's plots.

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeDelta};
use notoneless_domain::{
    Absence, Acknowledgement, CaseAction, CaseOpening, Closure, ClosureReason, ContactChannel,
    DocumentRef, FindingKind, FocusGroup, FocusGroupChange, HomeTeachingSession, HomeVisit, Leave,
    ParentContact, Participant, Recipient, Report, Resumption, Return, ReturnMeasure,
    ReviewSettings, Role, SupervisionNote, Support, SupportKind, Suspension, TransferConfirmation,
    TransferOut, VisitOutcome,
};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use crate::names::below;
use crate::organisation::{BUREAU, INSPECTOR, School};
use crate::{Child, County, Planted, Timed, local};

/// The school days of a year: the rates below are per year, scaled to the period by it.
const YEAR: usize = 190;
/// The pace at which the rates apply, in thousandths: [`FULL_PACE`] is a real county's.
pub(crate) const FULL_PACE: usize = 1_000;

/// What a story may get wrong on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flaw {
    /// The day-1 call made the next day (a late step).
    CallLate,
    /// The day-1 call made on the day, entered days later (a late entry).
    CallEnteredLate,
    /// An absence nobody recorded, which the roll call names (a roll call mismatch).
    AbsenceUnrecorded,
    /// Two days away and no home visit on the second (a missed step).
    NoDay2Visit,
    /// The day-3 home visit without the principal (an incomplete step).
    Day3VisitWithoutPrincipal,
    /// The day-3 reports made a day or two late, once the child was back (unreported dropouts,
    /// one per recipient: a report made after the return told nobody while it mattered).
    ReportsLate,
    /// The day-3 reports never made.
    ReportsNever,
    /// A dropout reported, and nobody went back (no follow-up, one per report).
    NoFollowUp,
    TransferWithoutCertificate,
    /// A transfer the receiving school never confirmed.
    TransferUnconfirmed,
    SuspensionWithoutApproval,
    /// Not back from a suspension on the day expected, and nobody followed up.
    SuspensionOverdue,
    /// The full 123 around the day later declared a snow day: the declaration moved its
    /// deadlines (a retroactive calendar change).
    SnowDay,
}

impl Flaw {
    /// Every flaw a story can carry, in the order they are handed out when each is to be
    /// planted at least once.
    pub(crate) const ALL: [Flaw; 13] = [
        Flaw::ReportsNever,
        Flaw::ReportsLate,
        Flaw::CallLate,
        Flaw::Day3VisitWithoutPrincipal,
        Flaw::NoDay2Visit,
        Flaw::CallEnteredLate,
        Flaw::TransferWithoutCertificate,
        Flaw::TransferUnconfirmed,
        Flaw::SuspensionWithoutApproval,
        Flaw::SuspensionOverdue,
        Flaw::NoFollowUp,
        Flaw::SnowDay,
        Flaw::AbsenceUnrecorded,
    ];
}

/// A document on file: what, its number, who issued it and when.
pub(crate) fn document(kind: &str, number: String, by: &str, on: NaiveDate) -> DocumentRef {
    DocumentRef {
        kind: kind.into(),
        number: Some(number),
        issued_by: by.into(),
        issued_on: on,
    }
}

/// One child's story, as it is planned.
pub(crate) struct Story<'a> {
    county: &'a County,
    child: &'a Child,
    school: &'a School,
    rng: ChaCha8Rng,
    /// The facts to enter, in the order planned (not yet the order entered).
    pub facts: Vec<Timed<CaseAction>>,
    /// The days a roll call names the child absent, and whether excused (on leave).
    pub named: Vec<(NaiveDate, bool)>,
    pub planted: Vec<Planted>,
    /// Whether the child's period may hold everyday absences (not a child taught at home).
    pub takes_absences: bool,
    /// Day indices already taken by a plot.
    busy: Vec<bool>,
    /// The first day index after the opening, and the end of the child's period (exclusive).
    first: usize,
    end: usize,
    reports: usize,
    /// The share of the rates that applies, in thousandths (a smaller county of facts).
    pace: usize,
}

impl<'a> Story<'a> {
    /// The story of child `index`, its draws from its own stream of the county's seed, at
    /// `pace` thousandths of the rates.
    pub fn new(county: &'a County, index: usize, seed: u64, pace: usize) -> Self {
        let child = &county.children[index];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(1 + index as u64);
        let n = county.days.len();
        let mut busy = vec![false; n];
        // Nothing happens to anyone on the day later declared a snow day (but the one story
        // that shows what the declaration does), so that it moves no other case's deadlines.
        if let Some(snow) = county.snow {
            busy[snow] = true;
        }
        Self {
            county,
            child,
            school: &county.schools[child.school],
            rng,
            facts: Vec::new(),
            named: Vec::new(),
            planted: Vec::new(),
            takes_absences: true,
            busy,
            first: 0,
            end: n,
            reports: 0,
            pace,
        }
    }

    fn n(&self) -> usize {
        self.county.days.len()
    }

    fn day(&self, i: usize) -> NaiveDate {
        self.county.days[i]
    }

    fn below(&mut self, n: usize) -> usize {
        below(&mut self.rng, n)
    }

    fn participant(&self, user: usize, role: Role) -> Participant {
        Participant::new(&self.county.users[user].name, role)
    }

    fn teacher(&self) -> Participant {
        self.participant(self.school.teacher, Role::HeadTeacher)
    }

    fn leader(&self) -> Participant {
        self.participant(self.school.leader, Role::ResponsibleLeader)
    }

    fn principal(&self) -> Participant {
        self.participant(self.school.principal, Role::Principal)
    }

    fn officer(&self) -> usize {
        self.county.townships[self.school.township].officer
    }

    /// A fact entered on `day`, `minutes` after midnight and a few seconds, by `by`.
    fn push(&mut self, day: NaiveDate, minutes: u32, by: usize, action: CaseAction) {
        let at = local(day, minutes) + TimeDelta::seconds(self.below(60) as i64);
        self.facts.push(Timed {
            at,
            by,
            fact: action,
        });
    }

    fn plant(&mut self, kind: FindingKind, day: NaiveDate, story: &str) {
        self.planted.push(Planted {
            kind,
            case_id: self.child.case_id.clone(),
            school: self.school.id.clone(),
            day,
            story: story.into(),
        });
    }

    /// Whether something that happens `share` times in `out_of` happens, at the story's pace.
    fn chance(&mut self, share: usize, out_of: usize) -> bool {
        self.below(out_of * FULL_PACE) < share * self.pace
    }

    /// Whether something that happens to `per_10000` children in ten thousand a year happens
    /// to this one in the period.
    fn per_year(&mut self, per_10000: usize) -> bool {
        self.chance(per_10000 * self.n(), 10_000 * YEAR)
    }

    /// How many times something that happens `per_100` / 100 times a year happens in the
    /// period.
    fn times_per_year(&mut self, per_100: usize) -> usize {
        let (total, unit) = (per_100 * self.n() * self.pace, 100 * YEAR * FULL_PACE);
        total / unit + usize::from(self.below(unit) < total % unit)
    }

    /// One of the flaws, each with its chance in a thousand, or none.
    fn draw(&mut self, flaws: &[(Flaw, usize)]) -> Option<Flaw> {
        let mut roll = self.below(1000);
        for &(flaw, per_1000) in flaws {
            if roll < per_1000 {
                return Some(flaw);
            }
            roll -= per_1000;
        }
        None
    }

    fn take(&mut self, from: usize, to: usize) {
        for i in from..=to.min(self.n() - 1) {
            self.busy[i] = true;
        }
    }

    /// The child is gone from day index `t` on (transferred, suspended for good, dropped out).
    fn gone_from(&mut self, t: usize) {
        self.take(t, self.n() - 1);
        self.end = t;
    }

    /// A random start `t` in `lo..hi` with days `t..=t + span` all free (and before the end of
    /// the child's period), taken; `None` after a few tries.
    fn find(&mut self, span: usize, lo: usize, hi: usize) -> Option<usize> {
        let lo = lo.max(self.first);
        let hi = hi.min(self.end.saturating_sub(span));
        if lo >= hi {
            return None;
        }
        for _ in 0..40 {
            let t = lo + self.below(hi - lo);
            if (t..=t + span).all(|i| !self.busy[i]) {
                self.take(t, t + span);
                return Some(t);
            }
        }
        None
    }

    /// Everything but the everyday absences: the opening, the plot of the `forced` flaw if
    /// any (else at most one change of status: a transfer, a suspension, dropping out), the
    /// full 123, two-day absences, leave, the term's home visit, support, home teaching, the
    /// end of compulsory education.
    pub fn plan(&mut self, forced: Option<Flaw>) {
        let n = self.n();
        let profile = &self.child.profile;
        let disabled = profile.focus_groups.contains(&FocusGroup::Disabled);
        self.takes_absences = !disabled;
        if forced == Some(Flaw::SnowDay)
            && let Some(snow) = self.county.snow
        {
            self.busy[snow] = false;
        }
        // Most cases open on the first day; a tenth at a first absence.
        let late = forced.is_none() && !disabled && self.chance(1, 10);
        self.open(late);
        match forced {
            Some(flaw) => self.forced(flaw),
            None => self.status_change(disabled),
        }
        if self.county.year_ends && profile.grade == 9 && self.end == n && !self.busy[n - 1] {
            self.busy[n - 1] = true;
            let last = self.day(n - 1);
            self.push(
                last,
                16 * 60,
                self.school.principal,
                CaseAction::CloseCase(Closure {
                    on: last,
                    reason: ClosureReason::CompletedCompulsoryEducation,
                    note: Some("初中毕业".into()),
                }),
            );
        }
        if disabled {
            self.home_teaching();
        } else {
            if self.per_year(800)
                && let Some(t) = self.find(3, 0, n)
            {
                let flaw = self.draw(&[
                    (Flaw::Day3VisitWithoutPrincipal, 20),
                    (Flaw::ReportsNever, 10),
                    (Flaw::ReportsLate, 30),
                ]);
                self.escalate(t, true, flaw);
            }
            for _ in 0..self.times_per_year(65) {
                let flaw = self.draw(&[(Flaw::NoDay2Visit, 20)]);
                self.two_days(flaw);
            }
            for _ in 0..self.times_per_year(100) {
                self.leave();
            }
            for term in 0..self.county.terms.len() {
                // The term's home visit, for about half.
                let (lo, hi, of) = self.term_range(term);
                if self.chance(hi - lo, 2 * of) {
                    self.home_visit(lo, hi);
                }
            }
            if self.per_year(200) {
                self.focus_change();
            }
        }
        let poor = profile.focus_groups.iter().any(|g| {
            matches!(
                g,
                FocusGroup::PovertyAlleviationHousehold | FocusGroup::EconomicallyPoor
            )
        });
        if poor {
            for term in 0..self.county.terms.len() {
                let (lo, hi, of) = self.term_range(term);
                if self.chance(hi - lo, of) {
                    self.support(term, lo, hi);
                }
            }
        }
    }

    /// The day indices of a term within the period, and how many school days the whole term
    /// has (a plot once a term happens in the period with the share of the term it holds).
    fn term_range(&self, term: usize) -> (usize, usize, usize) {
        let t = &self.county.terms[term];
        let days = &self.county.days;
        let lo = days.partition_point(|d| *d < t.first_day);
        let hi = days.partition_point(|d| *d <= t.last_day);
        (lo, hi, self.county.term_days[term].max(hi - lo).max(1))
    }

    fn forced(&mut self, flaw: Flaw) {
        match flaw {
            Flaw::TransferWithoutCertificate | Flaw::TransferUnconfirmed => {
                self.transfer(Some(flaw));
            }
            Flaw::SuspensionWithoutApproval | Flaw::SuspensionOverdue => self.suspend(Some(flaw)),
            Flaw::NoFollowUp => self.drop_out(Some(flaw)),
            Flaw::Day3VisitWithoutPrincipal | Flaw::ReportsLate | Flaw::ReportsNever => {
                if let Some(t) = self.find(3, 0, self.n()) {
                    self.escalate(t, true, Some(flaw));
                }
            }
            Flaw::NoDay2Visit => self.two_days(Some(flaw)),
            Flaw::CallLate | Flaw::CallEnteredLate | Flaw::AbsenceUnrecorded => {
                self.everyday_absence(Some(flaw));
            }
            Flaw::SnowDay => self.snow_day(),
        }
    }

    /// At most one change of status a year: transferred out (1.5 %), suspended (1 %),
    /// dropped out near the end (0.5 %).
    fn status_change(&mut self, disabled: bool) {
        let n = self.n() * self.pace;
        let roll = self.below(10_000 * YEAR * FULL_PACE);
        if roll < 150 * n {
            let flaw = self.draw(&[
                (Flaw::TransferWithoutCertificate, 50),
                (Flaw::TransferUnconfirmed, 50),
            ]);
            self.transfer(flaw);
        } else if roll < 250 * n {
            let flaw = self.draw(&[
                (Flaw::SuspensionWithoutApproval, 50),
                (Flaw::SuspensionOverdue, 50),
            ]);
            self.suspend(flaw);
        } else if !disabled && roll < 300 * n {
            let flaw = self.draw(&[(Flaw::NoFollowUp, 200)]);
            self.drop_out(flaw);
        }
    }

    fn open(&mut self, late: bool) {
        let n = self.n();
        let mut opened = if late { 5 + self.below(n / 2) } else { 0 };
        if opened + 1 >= n || self.busy[opened] || self.busy[opened + 1] {
            opened = 0;
        }
        let on = self.day(opened);
        let opening = |reason: &str| {
            CaseAction::OpenCase(CaseOpening {
                on,
                student: self.child.profile.clone(),
                reason: Some(reason.into()),
            })
        };
        let teacher = self.school.teacher;
        if opened > 0 {
            let action = opening("首次无故旷课，建立控辍保学档案");
            self.push(on, 9 * 60, teacher, action);
            // The first absence, the call and the return: the episode that opened the case.
            self.take(opened, opened + 1);
            self.absence_called_back(opened, 9 * 60 + 5);
        } else {
            let action = opening("重点关注学生建档（控辍保学台账）");
            let minutes = 8 * 60 + self.below(60) as u32;
            self.push(on, minutes, teacher, action);
        }
        self.take(0, opened);
        self.first = opened + 1;
    }

    /// Transferred out with the certificate, confirmed by the receiving school within the
    /// week and closed; or planted wrong: without the certificate, or never confirmed.
    fn transfer(&mut self, flaw: Option<Flaw>) {
        let days = &self.county.days;
        let n = days.len();
        let last = days[n - 1];
        let confirmation_days = ReviewSettings::default().transfer_confirmation_days;
        // An unconfirmed transfer is a finding once the confirmation is overdue: before the
        // period is over. A confirmed one is confirmed and closed within six days.
        let hi = if flaw == Some(Flaw::TransferUnconfirmed) {
            days.partition_point(|d| *d + TimeDelta::days(confirmation_days) < self.county.as_of)
        } else {
            days.partition_point(|d| *d + TimeDelta::days(6) <= last)
        };
        let Some(t) = self.find(0, n / 10, hi) else {
            return;
        };
        let on = days[t];
        let destination = [
            "朝阳市第一中学",
            "建平县实验中学",
            "大连市甘井子区实验学校",
            "北京市昌平区回龙观学校",
        ][self.below(4)];
        let documents = if flaw == Some(Flaw::TransferWithoutCertificate) {
            self.plant(
                FindingKind::TransferWithoutDocuments,
                on,
                "transfer out with no certificate",
            );
            vec![]
        } else {
            vec![document(
                "转学证明",
                format!(
                    "转〔{}〕{}号",
                    on.format("%Y"),
                    self.child.profile.student_number
                ),
                "县教育局",
                on,
            )]
        };
        let leader = self.school.leader;
        self.push(
            on,
            10 * 60,
            leader,
            CaseAction::TransferOut(TransferOut {
                on,
                destination_school: destination.into(),
                destination_region: Some("辽宁省".into()),
                documents,
            }),
        );
        if flaw == Some(Flaw::TransferUnconfirmed) {
            self.plant(
                FindingKind::TransferUnconfirmed,
                on,
                "receiving school never confirmed",
            );
        } else {
            // The receiving school answers within the week, whether or not school is in
            // session here (a transfer at the end of term is confirmed in the break).
            let confirmed = on + TimeDelta::days(2 + self.below(4) as i64);
            let closed = confirmed + TimeDelta::days(1);
            self.push(
                confirmed,
                11 * 60,
                leader,
                CaseAction::ConfirmTransfer(TransferConfirmation {
                    on: confirmed,
                    receiving_school: destination.into(),
                    confirmed_by: format!("{destination}教务处"),
                    document: Some(document(
                        "学籍接收回执",
                        format!("接〔{}〕", self.child.profile.student_number),
                        destination,
                        confirmed,
                    )),
                    continued_at: None,
                }),
            );
            self.push(
                closed,
                16 * 60,
                self.school.principal,
                CaseAction::CloseCase(Closure {
                    on: closed,
                    reason: ClosureReason::TransferredOut,
                    note: None,
                }),
            );
        }
        self.gone_from(t);
    }

    /// Suspended with the bureau's approval and back on the day expected; or planted wrong:
    /// without the approval, or never back and nobody following up.
    fn suspend(&mut self, flaw: Option<Flaw>) {
        let n = self.n();
        let len = (10 + self.below(20)).min((n / 4).max(3));
        let Some(t) = self.find(len, n / 20, n.saturating_sub(len + 2)) else {
            return;
        };
        let (on, back) = (self.day(t), self.day(t + len));
        let approved = flaw != Some(Flaw::SuspensionWithoutApproval);
        if !approved {
            self.plant(
                FindingKind::SuspensionWithoutDocument,
                on,
                "suspension with no approval",
            );
        }
        let document = approved.then(|| {
            document(
                "休学审批表",
                format!(
                    "休〔{}〕{}号",
                    on.format("%Y"),
                    self.child.profile.student_number
                ),
                "县教育局",
                on,
            )
        });
        let leader = self.school.leader;
        self.push(
            on,
            10 * 60,
            leader,
            CaseAction::Suspend(Suspension {
                on,
                expected_return: back,
                reason: "因病休学".into(),
                document,
            }),
        );
        if flaw == Some(Flaw::SuspensionOverdue) {
            self.plant(
                FindingKind::SuspensionOverdue,
                back,
                "not back from suspension, nobody followed up",
            );
            self.gone_from(t);
        } else {
            self.push(
                back,
                8 * 60 + 10,
                leader,
                CaseAction::Resume(Resumption {
                    on: back,
                    note: Some("病愈复学".into()),
                }),
            );
        }
    }

    /// Dropped out in the last weeks: the full 123 on time, then away every day to the end;
    /// followed up within the week by the township and the inspector, or (planted) by nobody.
    fn drop_out(&mut self, flaw: Option<Flaw>) {
        let n = self.n();
        let (lo, hi) = (self.first.max(n.saturating_sub(30)), n.saturating_sub(12));
        if lo >= hi {
            return;
        }
        let follow_up_days = ReviewSettings::default().follow_up_days;
        for _ in 0..40 {
            let t = lo + self.below(hi - lo);
            // The snow day may fall in the episode, but after the ladder's three days: it
            // moves no deadline there.
            let free = (t..n).all(|i| !self.busy[i] || (self.county.snow == Some(i) && i > t + 2));
            let within_week = self.day(t + 4) <= self.day(t + 2) + TimeDelta::days(follow_up_days);
            if !free || !within_week {
                continue;
            }
            self.gone_from(t);
            let flawed_visit = self.draw(&[(Flaw::Day3VisitWithoutPrincipal, 20)]);
            self.escalate(t, false, flawed_visit);
            for i in t + 3..n {
                self.absent(i, 9 * 60);
            }
            let reported = self.day(t + 2);
            if flaw == Some(Flaw::NoFollowUp) {
                for recipient in [Recipient::TownshipGovernment, Recipient::CountyBureau] {
                    self.plant(
                        FindingKind::NoFollowUp,
                        reported,
                        &format!("reported to the {recipient}, then nothing for weeks"),
                    );
                }
            } else {
                let officer = self.officer();
                let visitors = vec![
                    self.participant(officer, Role::TownshipOfficer),
                    self.teacher(),
                ];
                let note = "乡镇政府与学校再次家访劝返，家长仍不同意";
                self.visit(
                    t + 4,
                    15 * 60,
                    officer,
                    visitors,
                    VisitOutcome::Refused,
                    Some(note),
                );
                let (f, by) = (
                    self.day(t + 4),
                    self.participant(INSPECTOR, Role::Inspector),
                );
                self.push(
                    f,
                    17 * 60,
                    INSPECTOR,
                    CaseAction::AddSupervisionNote(SupervisionNote {
                        on: f,
                        by,
                        note: "督办：请乡镇政府牵头，依法送达《限期复学通知书》".into(),
                    }),
                );
            }
            return;
        }
    }

    fn absent(&mut self, i: usize, minutes: u32) {
        let on = self.day(i);
        let teacher = self.school.teacher;
        self.push(
            on,
            minutes,
            teacher,
            CaseAction::RecordAbsence(Absence { on, note: None }),
        );
        self.named.push((on, false));
    }

    fn contact(&mut self, i: usize, minutes: u32) {
        let on = self.day(i);
        let reached = self.below(100) >= 5;
        let channel = match self.below(10) {
            0..7 => ContactChannel::Phone,
            7..9 => ContactChannel::Message,
            _ => ContactChannel::InPerson,
        };
        let reasons = [
            "孩子在家帮忙干农活",
            "孩子身体不舒服，在家休息",
            "家里有事，孩子跟父母去了县城",
            "孩子不想上学，家长正在劝说",
            "孩子睡过头了",
        ];
        let reason = reasons[self.below(reasons.len())];
        let by = self.teacher();
        self.push(
            on,
            minutes,
            self.school.teacher,
            CaseAction::RecordParentContact(ParentContact {
                on,
                by,
                guardian: "家长".into(),
                channel,
                reached,
                reason_given: reached.then(|| reason.into()),
                note: None,
            }),
        );
    }

    fn back(&mut self, i: usize) {
        let on = self.day(i);
        let minutes = 7 * 60 + 50 + self.below(30) as u32;
        self.push(
            on,
            minutes,
            self.school.teacher,
            CaseAction::RecordReturn(Return { on, note: None }),
        );
    }

    /// What a visit did to bring the child back, in the plan's words: persuasion always, the
    /// law for a family that refuses, help for a poor one, teaching for a struggling child;
    /// nothing when nobody was home. Drawn from the child's file, not the random stream, so
    /// that the stories stay as they were.
    fn measures(&self, outcome: VisitOutcome) -> BTreeSet<ReturnMeasure> {
        let mut measures = BTreeSet::new();
        if outcome == VisitOutcome::NobodyHome {
            return measures;
        }
        measures.insert(ReturnMeasure::PersuasionWithCare);
        if outcome == VisitOutcome::Refused {
            measures.insert(ReturnMeasure::LegalEducation);
            measures.insert(ReturnMeasure::ChangingViews);
        }
        let groups = self.child.profile.focus_groups();
        if groups.contains(&FocusGroup::EconomicallyPoor)
            || groups.contains(&FocusGroup::PovertyAlleviationHousehold)
        {
            measures.insert(ReturnMeasure::FinancialAid);
        }
        if groups.contains(&FocusGroup::AcademicallyStruggling) {
            measures.insert(ReturnMeasure::AdjustedTeaching);
        }
        measures
    }

    fn visit(
        &mut self,
        i: usize,
        minutes: u32,
        by: usize,
        participants: Vec<Participant>,
        outcome: VisitOutcome,
        note: Option<&str>,
    ) {
        let on = self.day(i);
        let measures = self.measures(outcome);
        self.push(
            on,
            minutes,
            by,
            CaseAction::RecordHomeVisit(HomeVisit {
                on,
                participants,
                outcome,
                measures,
                note: note.map(Into::into),
            }),
        );
    }

    /// One day away (`t`), the head teacher's call that day, back the next school day. The
    /// days are already taken.
    fn absence_called_back(&mut self, t: usize, minutes: u32) {
        self.absent(t, minutes);
        let call = minutes + 20 + self.below(100) as u32;
        self.contact(t, call);
        self.back(t + 1);
    }

    /// The full 123 from day index `t` (days `t..=t + 3` taken): three days away, the call,
    /// the two visits, the reports to the township and the bureau on day 3, acknowledged the
    /// next day; back on the fourth day when `returns`. Planted wrong: the day-3 visit
    /// without the principal, the reports late or never made.
    fn escalate(&mut self, t: usize, returns: bool, flaw: Option<Flaw>) {
        let n = self.n();
        let school = self.school;
        let st = 9 * 60 + self.below(40) as u32;
        for k in 0..3 {
            self.absent(t + k, st);
        }
        let call = st + 30 + self.below(60) as u32;
        self.contact(t, call);
        let minutes = 15 * 60 + self.below(60) as u32;
        let pair = vec![self.teacher(), self.leader()];
        self.visit(
            t + 1,
            minutes,
            school.leader,
            pair.clone(),
            VisitOutcome::NobodyHome,
            None,
        );
        let day3 = self.day(t + 2);
        let outcome = if returns {
            VisitOutcome::AgreedToReturn
        } else {
            VisitOutcome::Refused
        };
        let minutes = 14 * 60 + self.below(40) as u32;
        if flaw == Some(Flaw::Day3VisitWithoutPrincipal) {
            self.visit(
                t + 2,
                minutes,
                school.leader,
                pair,
                outcome,
                Some("班主任、分管领导再次家访劝返"),
            );
            self.plant(
                FindingKind::IncompleteStep,
                day3,
                "day-3 home visit without the principal",
            );
        } else {
            let mut all = pair;
            all.push(self.principal());
            self.visit(
                t + 2,
                minutes,
                school.principal,
                all,
                outcome,
                Some("校长带队家访劝返，宣传《义务教育法》"),
            );
        }
        let report_day = match flaw {
            Some(Flaw::ReportsNever) => None,
            Some(Flaw::ReportsLate) => Some((t + 3 + self.below(2)).min(n - 1)),
            _ => Some(t + 2),
        };
        for recipient in [Recipient::TownshipGovernment, Recipient::CountyBureau] {
            match flaw {
                Some(Flaw::ReportsNever) => {
                    self.plant(
                        FindingKind::UnreportedDropout,
                        day3,
                        &format!("three days away, never reported to the {recipient}"),
                    );
                }
                Some(Flaw::ReportsLate) => {
                    self.plant(
                        FindingKind::UnreportedDropout,
                        day3,
                        &format!("reported to the {recipient} late"),
                    );
                }
                _ => {}
            }
        }
        if let Some(r) = report_day {
            self.reports_upward(r, (r + 1).min(n - 1), "连续三天无故旷课，已两次家访劝返");
        }
        if returns {
            self.back(t + 3);
        }
    }

    /// The principal's reports to the township and the bureau on day index `r`, each
    /// acknowledged on day index `ack`.
    fn reports_upward(&mut self, r: usize, ack: usize, summary: &str) {
        let (on, ack_on) = (self.day(r), self.day(ack));
        let officer = self.officer();
        for (recipient, to, by) in [
            (Recipient::TownshipGovernment, "乡", officer),
            (Recipient::CountyBureau, "局", BUREAU),
        ] {
            self.reports += 1;
            let reference = format!("{}报〔{to}〕{}号", self.school.id, self.reports);
            let minutes = 16 * 60 + self.below(60) as u32;
            let signed_by = self.principal();
            self.push(
                on,
                minutes,
                self.school.principal,
                CaseAction::ReportUpward(Report {
                    on,
                    recipient,
                    reference: reference.clone(),
                    signed_by,
                    summary: Some(summary.into()),
                }),
            );
            let minutes = 9 * 60 + 30 + self.below(120) as u32;
            self.push(
                ack_on,
                minutes,
                by,
                CaseAction::AcknowledgeReport(Acknowledgement {
                    on: ack_on,
                    recipient,
                    reference,
                    by: self.county.users[by].name.clone(),
                }),
            );
        }
    }

    /// Away two days: the call, the home visit on the second, back on the third; planted
    /// wrong: no visit.
    fn two_days(&mut self, flaw: Option<Flaw>) {
        let Some(t) = self.find(2, 0, self.n()) else {
            return;
        };
        let st = 9 * 60 + self.below(40) as u32;
        self.absent(t, st);
        let call = st + 30 + self.below(60) as u32;
        self.contact(t, call);
        self.absent(t + 1, st);
        if flaw == Some(Flaw::NoDay2Visit) {
            let day2 = self.day(t + 1);
            self.plant(FindingKind::MissedStep, day2, "no home visit on day 2");
        } else {
            let minutes = 15 * 60 + self.below(90) as u32;
            let pair = vec![self.teacher(), self.leader()];
            self.visit(
                t + 1,
                minutes,
                self.school.leader,
                pair,
                VisitOutcome::AgreedToReturn,
                None,
            );
        }
        self.back(t + 2);
    }

    /// Sick or personal leave, one to three days, named excused on the roll calls.
    fn leave(&mut self) {
        let len = 1 + self.below(3);
        let Some(t) = self.find(len - 1, 0, self.n()) else {
            return;
        };
        let (from, until) = (self.day(t), self.day(t + len - 1));
        let sick = self.below(3) > 0;
        let document = (sick && self.below(10) < 6).then(|| {
            document(
                "病假条",
                format!("卫〔{}〕", self.child.profile.student_number),
                "乡卫生院",
                from,
            )
        });
        let minutes = 7 * 60 + 30 + self.below(25) as u32;
        let approved_by = self.teacher();
        self.push(
            from,
            minutes,
            self.school.teacher,
            CaseAction::GrantLeave(Leave {
                on: from,
                from,
                until,
                reason: if sick { "病假" } else { "事假" }.into(),
                approved_by,
                document,
            }),
        );
        for i in t..t + len {
            self.named.push((self.day(i), true));
        }
    }

    /// The term's home visit (常规家访), by the head teacher, sometimes with the leader.
    fn home_visit(&mut self, lo: usize, hi: usize) {
        let Some(t) = self.find(0, lo, hi) else {
            return;
        };
        let mut participants = vec![self.teacher()];
        if self.below(10) < 3 {
            participants.push(self.leader());
        }
        let minutes = 16 * 60 + 30 + self.below(60) as u32;
        self.visit(
            t,
            minutes,
            self.school.teacher,
            participants,
            VisitOutcome::Other,
            Some("学期常规家访，了解学生在家学习生活情况"),
        );
    }

    fn focus_change(&mut self) {
        let Some(t) = self.find(0, 0, self.n()) else {
            return;
        };
        let on = self.day(t);
        let struggling = self
            .child
            .profile
            .focus_groups
            .contains(&FocusGroup::AcademicallyStruggling);
        let group: std::collections::BTreeSet<FocusGroup> =
            [FocusGroup::AcademicallyStruggling].into_iter().collect();
        let (add, remove, reason) = if struggling {
            (Default::default(), group, "期中考试成绩明显提升")
        } else {
            (group, Default::default(), "期中考试多科不及格")
        };
        self.push(
            on,
            17 * 60,
            self.school.teacher,
            CaseAction::ChangeFocusGroups(FocusGroupChange {
                on,
                add,
                remove,
                reason: reason.into(),
            }),
        );
    }

    /// Support for a poor family, in the first four weeks of the term.
    fn support(&mut self, term: usize, lo: usize, hi: usize) {
        let Some(t) = self.find(0, lo, (lo + 20).min(hi)) else {
            return;
        };
        let on = self.day(t);
        let kind = [
            SupportKind::Subsidy,
            SupportKind::Waiver,
            SupportKind::Reduction,
        ][self.below(3)];
        let term = &self.county.terms[term];
        let (from, until) = (term.first_day, term.last_day);
        let minutes = 14 * 60 + self.below(120) as u32;
        self.push(
            on,
            minutes,
            self.school.leader,
            CaseAction::GiveSupport(Support {
                on,
                kind,
                amount_fen: 62_500,
                from,
                until,
                note: Some("家庭经济困难学生资助".into()),
            }),
        );
    }

    /// A disabled child taught at home (送教上门) once a week.
    fn home_teaching(&mut self) {
        let mut i = self.first + self.below(5);
        while i < self.end {
            if !self.busy[i] {
                self.busy[i] = true;
                let on = self.day(i);
                let minutes = 90 + 30 * self.below(2) as u32;
                let teachers = vec![self.teacher()];
                self.push(
                    on,
                    16 * 60,
                    self.school.teacher,
                    CaseAction::RecordHomeTeaching(HomeTeachingSession {
                        on,
                        teachers,
                        minutes,
                        content: "语文、数学、康复训练".into(),
                    }),
                );
            }
            i += 5;
        }
    }

    /// The full 123 around the snow day: away from the day before it for four days; the call
    /// on the first, the leader's visit and the principal's with the reports a day after the
    /// calendar of the time wanted them. Declared a holiday five days later, the snow day
    /// makes them all on time: the declaration moved the case's deadlines.
    fn snow_day(&mut self) {
        let Some(snow) = self.county.snow else {
            return;
        };
        let t = snow - 1;
        if t < self.first || snow + 3 >= self.end || (t..=snow + 3).any(|i| self.busy[i]) {
            return;
        }
        self.take(t, snow + 3);
        for i in t..=snow + 2 {
            self.absent(i, 9 * 60);
        }
        self.contact(t, 10 * 60);
        let pair = vec![self.teacher(), self.leader()];
        self.visit(
            snow + 1,
            15 * 60,
            self.school.leader,
            pair.clone(),
            VisitOutcome::Refused,
            None,
        );
        let mut all = pair;
        all.push(self.principal());
        self.visit(
            snow + 2,
            14 * 60,
            self.school.principal,
            all,
            VisitOutcome::AgreedToReturn,
            None,
        );
        self.reports_upward(snow + 2, snow + 3, "连续三天无故旷课，已家访劝返");
        self.back(snow + 3);
        let day = self.day(snow);
        self.plant(
            FindingKind::RetroactiveCalendarChange,
            day,
            "the snow day moved this case's deadlines",
        );
    }

    /// `count` everyday absences: away one day, the head teacher calls that day, back the next
    /// school day. Planted wrong, a few in a thousand: the call a day late, the call entered
    /// days later, the absence never recorded (only the roll call names the child).
    pub fn everyday_absences(&mut self, count: usize) {
        for _ in 0..count {
            let flaw = self.draw(&[
                (Flaw::AbsenceUnrecorded, 3),
                (Flaw::CallLate, 4),
                (Flaw::CallEnteredLate, 3),
            ]);
            if !self.everyday_absence(flaw) {
                break;
            }
        }
    }

    /// One everyday absence, with its flaw if any; `false` when no days are left for one.
    fn everyday_absence(&mut self, flaw: Option<Flaw>) -> bool {
        let n = self.n();
        let late_entry_days = ReviewSettings::default().late_entry_days;
        // A call entered late is entered while the child is still on the school's roll.
        let hi = if flaw == Some(Flaw::CallEnteredLate) {
            self.end.min(n - 1).saturating_sub(6)
        } else {
            n
        };
        let (t, flaw) = match self.find(1, 0, hi) {
            Some(t) => (t, flaw),
            None => match self.find(1, 0, n) {
                Some(t) => (t, None),
                None => return false,
            },
        };
        let on = self.day(t);
        // An absence on a day the school sent no roll call is named nowhere: not a flaw.
        let unnamed = self.county.missing.contains(&(self.child.school, t));
        let st = 9 * 60 + self.below(50) as u32;
        match flaw {
            Some(Flaw::AbsenceUnrecorded) if !unnamed => {
                self.named.push((on, false));
                self.plant(
                    FindingKind::RollCallMismatch,
                    on,
                    "named absent, no absence on the case",
                );
            }
            Some(Flaw::CallLate) => {
                self.absent(t, st);
                self.back(t + 1);
                let minutes = 10 * 60 + self.below(60) as u32;
                self.contact(t + 1, minutes);
                self.plant(FindingKind::LateStep, on, "parents called a day late");
            }
            Some(Flaw::CallEnteredLate) => {
                self.absent(t, st);
                self.back(t + 1);
                self.contact(t, 0);
                let delay = late_entry_days + 1 + self.below(3) as i64;
                let minutes = 20 * 60 + self.below(60) as u32;
                if let Some(call) = self.facts.last_mut() {
                    call.at = local(on + TimeDelta::days(delay), minutes);
                }
                self.plant(
                    FindingKind::LateEntry,
                    on,
                    "parent call entered days after it was made",
                );
            }
            _ => {
                let call = st + 20 + self.below(100) as u32;
                self.absent(t, st);
                self.contact(t, call);
                self.back(t + 1);
            }
        }
        true
    }
}
