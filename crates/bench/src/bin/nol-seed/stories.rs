//! A year in the file of one child: what happened, who entered it and when. Most of it is done
//! right, on the day; a small share is planted wrong (a late step, a missed visit, a late or
//! missing report, a fact entered days later, an absence nobody recorded, missing paperwork)
//! so that the review has real work and an answer of a realistic size.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use notoneless_domain::{
    Absence, Acknowledgement, CaseAction, CaseOpening, Closure, ClosureReason, ContactChannel,
    DocumentRef, FindingKind, FocusGroup, FocusGroupChange, HomeTeachingSession, HomeVisit, Leave,
    ParentContact, Participant, Recipient, Report, Resumption, Return, Role, SupervisionNote,
    Support, SupportKind, Suspension, TransferConfirmation, TransferOut, VisitOutcome,
};

use crate::Rng;
use crate::county::{Child, County, School, local};

/// Who enters a fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Teacher,
    Leader,
    Principal,
    Township,
    Bureau,
    Inspector,
}

/// One fact to enter: when, by whom, and the command.
pub struct Item {
    pub at: DateTime<Utc>,
    pub who: Who,
    pub action: CaseAction,
}

/// The findings planted, by kind: how many the review should report.
pub type Planted = BTreeMap<FindingKind, usize>;

pub struct Story {
    pub child: usize,
    pub items: Vec<Item>,
    /// Days the child was away and a roll call named them, but nobody recorded an absence.
    pub forgotten: Vec<NaiveDate>,
    pub planted: Planted,
    /// Day indices already taken by something.
    busy: Vec<bool>,
    rng: Rng,
    /// The first day index after the opening, and the end of the child's year (exclusive).
    first: usize,
    end: usize,
    /// Whether the child's year may hold everyday absences (not a child taught at home).
    pub takes_absences: bool,
    reports: usize,
}

fn doc(kind: &str, number: String, by: &str, on: NaiveDate) -> DocumentRef {
    DocumentRef {
        kind: kind.into(),
        number: Some(number),
        issued_by: by.into(),
        issued_on: on,
    }
}

impl Story {
    pub fn new(child: usize, seed: u64, days: usize) -> Self {
        Self {
            child,
            items: Vec::new(),
            forgotten: Vec::new(),
            planted: Planted::new(),
            busy: vec![false; days],
            rng: Rng::new(seed ^ (child as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            first: 0,
            end: days,
            takes_absences: true,
            reports: 0,
        }
    }

    fn plant(&mut self, kind: FindingKind, findings: usize) {
        *self.planted.entry(kind).or_default() += findings;
    }

    fn push(&mut self, day: NaiveDate, minutes: u32, who: Who, action: CaseAction) {
        self.items.push(Item {
            at: local(day, minutes) + TimeDelta::seconds(self.rng.below(60) as i64),
            who,
            action,
        });
    }

    /// A random start `t` in `lo..hi` with days `t..=t + span` all free (and before the end of
    /// the child's year), taken; `None` after a few tries.
    fn find(&mut self, span: usize, lo: usize, hi: usize) -> Option<usize> {
        let lo = lo.max(self.first);
        let hi = hi.min(self.end.saturating_sub(span));
        if lo >= hi {
            return None;
        }
        for _ in 0..40 {
            let t = lo + self.rng.below(hi - lo);
            if (t..=t + span).all(|i| !self.busy[i]) {
                for i in t..=t + span {
                    self.busy[i] = true;
                }
                return Some(t);
            }
        }
        None
    }

    fn reference(&mut self, school: &School, to: &str) -> String {
        self.reports += 1;
        format!("{}报〔{}〕{}号", school.id, to, self.reports)
    }

    /// Everything but the everyday absences: the opening, at most one change of status
    /// (transfer, suspension, dropping out), the full 123, two-day absences, leave, support,
    /// visits, home teaching, the end of compulsory education. Returns the facts planned.
    pub fn plan(&mut self, county: &County) -> usize {
        let child = &county.children[self.child];
        let school = &county.schools[child.school];
        let days = &county.days;
        let n = days.len();
        let teacher = school.teachers[&child.profile.grade].name.clone();
        let p_teacher = Participant::new(&teacher, Role::HeadTeacher);
        let p_leader = Participant::new(&school.leader.name, Role::ResponsibleLeader);
        let disabled = child.profile.focus_groups.contains(&FocusGroup::Disabled);
        self.takes_absences = !disabled;

        // ---- the opening: most on the first day of the year, a tenth at a first absence ---
        let late_opening = !disabled && self.rng.below(10) == 0;
        let opened = if late_opening {
            5 + self.rng.below(n / 2)
        } else {
            0
        };
        let opening = |reason: &str| {
            CaseAction::OpenCase(CaseOpening {
                on: days[opened],
                student: child.profile.clone(),
                reason: Some(reason.into()),
            })
        };
        if late_opening {
            self.push(
                days[opened],
                9 * 60,
                Who::Teacher,
                opening("首次无故旷课，建立控辍保学档案"),
            );
            // The first absence, the call and the return: the episode that opened the case.
            self.busy[opened] = true;
            self.busy[opened + 1] = true;
            self.absence_called_back(county, opened, 9 * 60 + 5);
        } else {
            self.push(
                days[0],
                8 * 60 + self.rng.below(60) as u32,
                Who::Teacher,
                opening("重点关注学生建档（控辍保学台账）"),
            );
        }
        for i in 0..=opened {
            self.busy[i] = true;
        }
        self.first = opened + 1;

        // ---- at most one change of status ------------------------------------------------
        let roll = self.rng.below(10_000);
        let mut stays = true;
        if roll < 150 {
            // Transferred out (1.5 %): the certificate, the receiving school's confirmation,
            // the case closed. A few without the certificate, a few never confirmed.
            if let Some(t) = self.find(0, 20, n - 4) {
                let on = days[t];
                let no_documents = self.rng.below(100) < 5;
                let unconfirmed = !no_documents && self.rng.below(100) < 5;
                let destination = [
                    "朝阳市第一中学",
                    "建平县实验中学",
                    "大连市甘井子区实验学校",
                    "北京市昌平区回龙观学校",
                ][self.rng.below(4)];
                let documents = if no_documents {
                    self.plant(FindingKind::TransferWithoutDocuments, 1);
                    vec![]
                } else {
                    vec![doc(
                        "转学证明",
                        format!("转〔{}〕{}号", on.format("%Y"), self.child),
                        "县教育局",
                        on,
                    )]
                };
                self.push(
                    on,
                    10 * 60,
                    Who::Leader,
                    CaseAction::TransferOut(TransferOut {
                        on,
                        destination_school: destination.into(),
                        destination_region: Some("辽宁省".into()),
                        documents,
                    }),
                );
                if unconfirmed {
                    self.plant(FindingKind::TransferUnconfirmed, 1);
                } else {
                    // The receiving school answers within the week, whether or not school is
                    // in session here (a transfer at the end of term is confirmed in the break).
                    let c = on + TimeDelta::days(2 + self.rng.below(4) as i64);
                    let closed = c + TimeDelta::days(1);
                    self.push(
                        c,
                        11 * 60,
                        Who::Leader,
                        CaseAction::ConfirmTransfer(TransferConfirmation {
                            on: c,
                            receiving_school: destination.into(),
                            confirmed_by: format!("{destination}教务处"),
                            document: Some(doc(
                                "学籍接收回执",
                                format!("接〔{}〕", self.child),
                                destination,
                                c,
                            )),
                        }),
                    );
                    self.push(
                        closed,
                        16 * 60,
                        Who::Principal,
                        CaseAction::CloseCase(Closure {
                            on: closed,
                            reason: ClosureReason::TransferredOut,
                            note: None,
                        }),
                    );
                }
                for i in t..n {
                    self.busy[i] = true;
                }
                self.end = t;
                stays = false;
            }
        } else if roll < 250 {
            // Suspended (1 %), with the bureau's approval, back on the day expected. A few
            // without the approval, a few never back and nobody following up.
            let len = 10 + self.rng.below(20);
            if let Some(t) = self.find(len, 10, n - len - 2) {
                let on = days[t];
                let back = days[t + len];
                let no_document = self.rng.below(100) < 5;
                let overdue = !no_document && self.rng.below(100) < 5;
                if no_document {
                    self.plant(FindingKind::SuspensionWithoutDocument, 1);
                }
                self.push(
                    on,
                    10 * 60,
                    Who::Leader,
                    CaseAction::Suspend(Suspension {
                        on,
                        expected_return: back,
                        reason: "因病休学".into(),
                        document: (!no_document).then(|| {
                            doc(
                                "休学审批表",
                                format!("休〔{}〕{}号", on.format("%Y"), self.child),
                                "县教育局",
                                on,
                            )
                        }),
                    }),
                );
                if overdue {
                    self.plant(FindingKind::SuspensionOverdue, 1);
                    for i in t..n {
                        self.busy[i] = true;
                    }
                    self.end = t;
                    stays = false;
                } else {
                    self.push(
                        back,
                        8 * 60 + 10,
                        Who::Leader,
                        CaseAction::Resume(Resumption {
                            on: back,
                            note: Some("病愈复学".into()),
                        }),
                    );
                }
            }
        } else if !disabled && roll < 300 && n > 40 {
            // Dropped out near the end of the year (0.5 %): the full 123 on time, then away
            // every day to the end of the year. Most are followed up within the week; a few are
            // left alone after the reports.
            let t = n - 30 + self.rng.below(18);
            if t >= self.first && (t..n).all(|i| !self.busy[i]) {
                for i in t..n {
                    self.busy[i] = true;
                }
                self.escalate(county, t, false);
                for &day in &days[t + 3..n] {
                    self.absent(day, 9 * 60);
                }
                if self.rng.below(10) < 2 {
                    self.plant(FindingKind::NoFollowUp, 2);
                } else {
                    let f = days[t + 4];
                    let (officer, _) = self.township(county);
                    self.push(
                        f,
                        15 * 60,
                        Who::Township,
                        CaseAction::RecordHomeVisit(HomeVisit {
                            on: f,
                            participants: vec![officer, p_teacher.clone()],
                            outcome: VisitOutcome::Refused,
                            note: Some("乡镇政府与学校再次家访劝返，家长仍不同意".into()),
                        }),
                    );
                    self.push(
                        f,
                        17 * 60,
                        Who::Inspector,
                        CaseAction::AddSupervisionNote(SupervisionNote {
                            on: f,
                            by: Participant::new(&county.inspector.name, Role::Inspector),
                            note: "督办：请乡镇政府牵头，依法送达《限期复学通知书》".into(),
                        }),
                    );
                }
                self.end = t;
                stays = false;
            }
        }

        // ---- the end of compulsory education ---------------------------------------------
        if stays && child.profile.grade == 9 {
            let last = n - 1;
            if !self.busy[last] {
                self.busy[last] = true;
                self.push(
                    days[last],
                    16 * 60,
                    Who::Principal,
                    CaseAction::CloseCase(Closure {
                        on: days[last],
                        reason: ClosureReason::CompletedCompulsoryEducation,
                        note: Some("初中毕业".into()),
                    }),
                );
            }
        }

        if disabled {
            // Taught at home (送教上门) once a week.
            let mut i = self.first + self.rng.below(5);
            while i < self.end {
                if !self.busy[i] {
                    self.busy[i] = true;
                    self.push(
                        days[i],
                        16 * 60,
                        Who::Teacher,
                        CaseAction::RecordHomeTeaching(HomeTeachingSession {
                            on: days[i],
                            teachers: vec![p_teacher.clone()],
                            minutes: 90 + 30 * self.rng.below(2) as u32,
                            content: "语文、数学、康复训练".into(),
                        }),
                    );
                }
                i += 5;
            }
        } else {
            // The full 123 (8 %).
            if self.rng.below(100) < 8
                && let Some(t) = self.find(4, 0, n)
            {
                self.escalate(county, t, true);
            }
            // Away two days: the call, the visit, back on the third (about one in two).
            let two_day = match self.rng.below(100) {
                0..45 => 0,
                45..90 => 1,
                _ => 2,
            };
            for _ in 0..two_day {
                if let Some(t) = self.find(2, 0, n) {
                    let st = 9 * 60 + self.rng.below(40) as u32;
                    self.absent(days[t], st);
                    self.contact(days[t], st + 30 + self.rng.below(60) as u32, &p_teacher);
                    self.absent(days[t + 1], st);
                    if self.rng.below(100) < 2 {
                        self.plant(FindingKind::MissedStep, 1);
                    } else {
                        self.push(
                            days[t + 1],
                            15 * 60 + self.rng.below(90) as u32,
                            Who::Leader,
                            CaseAction::RecordHomeVisit(HomeVisit {
                                on: days[t + 1],
                                participants: vec![p_teacher.clone(), p_leader.clone()],
                                outcome: VisitOutcome::AgreedToReturn,
                                note: None,
                            }),
                        );
                    }
                    self.back(days[t + 2]);
                }
            }
            // Leave: sick or personal, one to three days.
            let leaves = self.rng.below(3);
            for _ in 0..leaves {
                let len = 1 + self.rng.below(3);
                if let Some(t) = self.find(len - 1, 0, n) {
                    let (from, until) = (days[t], days[t + len - 1]);
                    let sick = self.rng.below(3) > 0;
                    let document = (sick && self.rng.below(10) < 6)
                        .then(|| doc("病假条", format!("卫〔{}〕", self.child), "乡卫生院", from));
                    self.push(
                        from,
                        7 * 60 + 30 + self.rng.below(25) as u32,
                        Who::Teacher,
                        CaseAction::GrantLeave(Leave {
                            on: from,
                            from,
                            until,
                            reason: if sick { "病假" } else { "事假" }.into(),
                            approved_by: p_teacher.clone(),
                            document,
                        }),
                    );
                }
            }
            // The term's home visit (常规家访), for about half.
            for term in 0..2 {
                if self.rng.below(2) == 0 {
                    continue;
                }
                let (lo, hi) = self.term_range(county, term);
                if let Some(t) = self.find(0, lo, hi) {
                    let mut participants = vec![p_teacher.clone()];
                    if self.rng.below(10) < 3 {
                        participants.push(p_leader.clone());
                    }
                    self.push(
                        days[t],
                        16 * 60 + 30 + self.rng.below(60) as u32,
                        Who::Teacher,
                        CaseAction::RecordHomeVisit(HomeVisit {
                            on: days[t],
                            participants,
                            outcome: VisitOutcome::Other,
                            note: Some("学期常规家访，了解学生在家学习生活情况".into()),
                        }),
                    );
                }
            }
            // A change of focus group (2 %).
            if self.rng.below(100) < 2
                && let Some(t) = self.find(0, 0, n)
            {
                let struggling = child
                    .profile
                    .focus_groups
                    .contains(&FocusGroup::AcademicallyStruggling);
                let group = [FocusGroup::AcademicallyStruggling].into_iter().collect();
                let (add, remove, reason) = if struggling {
                    (Default::default(), group, "期中考试成绩明显提升")
                } else {
                    (group, Default::default(), "期中考试多科不及格")
                };
                self.push(
                    days[t],
                    17 * 60,
                    Who::Teacher,
                    CaseAction::ChangeFocusGroups(FocusGroupChange {
                        on: days[t],
                        add,
                        remove,
                        reason: reason.into(),
                    }),
                );
            }
        }
        // Support for poor families, once a term.
        let poor = child.profile.focus_groups.iter().any(|g| {
            matches!(
                g,
                FocusGroup::PovertyAlleviationHousehold | FocusGroup::EconomicallyPoor
            )
        });
        if poor {
            for term in 0..2 {
                let (lo, hi) = self.term_range(county, term);
                if let Some(t) = self.find(0, lo, (lo + 20).min(hi)) {
                    let kind = [
                        SupportKind::Subsidy,
                        SupportKind::Waiver,
                        SupportKind::Reduction,
                    ][self.rng.below(3)];
                    self.push(
                        days[t],
                        14 * 60 + self.rng.below(120) as u32,
                        Who::Leader,
                        CaseAction::GiveSupport(Support {
                            on: days[t],
                            kind,
                            amount_fen: 62_500,
                            from: county.terms[term].first_day,
                            until: county.terms[term].last_day,
                            note: Some("家庭经济困难学生资助".into()),
                        }),
                    );
                }
            }
        }
        self.items.len()
    }

    /// The day indices of a term, within the child's year.
    fn term_range(&self, county: &County, term: usize) -> (usize, usize) {
        let t = &county.terms[term];
        let lo = county.days.partition_point(|d| *d < t.first_day);
        let hi = county.days.partition_point(|d| *d <= t.last_day);
        (lo, hi)
    }

    fn township(&self, county: &County) -> (Participant, String) {
        let school = &county.schools[county.children[self.child].school];
        let officer = &county.townships[school.township].officer;
        (
            Participant::new(&officer.name, Role::TownshipOfficer),
            officer.name.clone(),
        )
    }

    fn staff<'a>(&self, county: &'a County) -> (&'a Child, &'a School) {
        let child = &county.children[self.child];
        (child, &county.schools[child.school])
    }

    fn absent(&mut self, on: NaiveDate, minutes: u32) {
        self.push(
            on,
            minutes,
            Who::Teacher,
            CaseAction::RecordAbsence(Absence { on, note: None }),
        );
    }

    fn contact(&mut self, on: NaiveDate, minutes: u32, by: &Participant) {
        let reached = self.rng.below(100) >= 5;
        let channel = match self.rng.below(10) {
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
        let reason = reasons[self.rng.below(reasons.len())];
        self.push(
            on,
            minutes,
            Who::Teacher,
            CaseAction::RecordParentContact(ParentContact {
                on,
                by: by.clone(),
                guardian: "家长".into(),
                channel,
                reached,
                reason_given: reached.then(|| reason.into()),
                note: None,
            }),
        );
    }

    fn back(&mut self, on: NaiveDate) {
        self.push(
            on,
            7 * 60 + 50 + self.rng.below(30) as u32,
            Who::Teacher,
            CaseAction::RecordReturn(Return { on, note: None }),
        );
    }

    /// One day away (`t`), the head teacher's call that day, back the next school day. The
    /// days are already taken.
    fn absence_called_back(&mut self, county: &County, t: usize, minutes: u32) {
        let (child, school) = self.staff(county);
        let p_teacher = Participant::new(
            &school.teachers[&child.profile.grade].name,
            Role::HeadTeacher,
        );
        let days = &county.days;
        self.absent(days[t], minutes);
        self.contact(
            days[t],
            minutes + 20 + self.rng.below(100) as u32,
            &p_teacher,
        );
        self.back(days[t + 1]);
    }

    /// The full 123 from day index `t` (days `t..=t + 3` taken): three days away, the call,
    /// the two visits, the reports to the township and the bureau, acknowledged the next day;
    /// back on the fourth day when `returns`. A few are planted wrong: the day-3 visit
    /// without the principal, the reports late or never made.
    fn escalate(&mut self, county: &County, t: usize, returns: bool) {
        let (child, school) = self.staff(county);
        let days = &county.days;
        let p_teacher = Participant::new(
            &school.teachers[&child.profile.grade].name,
            Role::HeadTeacher,
        );
        let p_leader = Participant::new(&school.leader.name, Role::ResponsibleLeader);
        let p_principal = Participant::new(&school.principal.name, Role::Principal);
        let (_, officer_name) = self.township(county);
        let bureau_name = county.bureau.name.clone();
        let st = 9 * 60 + self.rng.below(40) as u32;
        for k in 0..3 {
            self.absent(days[t + k], st);
        }
        self.contact(days[t], st + 30 + self.rng.below(60) as u32, &p_teacher);
        self.push(
            days[t + 1],
            15 * 60 + self.rng.below(60) as u32,
            Who::Leader,
            CaseAction::RecordHomeVisit(HomeVisit {
                on: days[t + 1],
                participants: vec![p_teacher.clone(), p_leader.clone()],
                outcome: VisitOutcome::NobodyHome,
                note: None,
            }),
        );
        let incomplete = self.rng.below(100) < 2;
        // The day-3 visit, led by the principal; a few go without.
        let mut participants = vec![p_teacher, p_leader];
        let (who, note) = if incomplete {
            self.plant(FindingKind::IncompleteStep, 1);
            (Who::Leader, "班主任、分管领导再次家访劝返")
        } else {
            participants.push(p_principal.clone());
            (Who::Principal, "校长带队家访劝返，宣传《义务教育法》")
        };
        self.push(
            days[t + 2],
            14 * 60 + self.rng.below(40) as u32,
            who,
            CaseAction::RecordHomeVisit(HomeVisit {
                on: days[t + 2],
                participants,
                outcome: if returns {
                    VisitOutcome::AgreedToReturn
                } else {
                    VisitOutcome::Refused
                },
                note: Some(note.into()),
            }),
        );
        // The reports: on day 3 as a rule; a few a day or two late, a few never made.
        let roll = if returns { self.rng.below(100) } else { 99 };
        let report_day = match roll {
            0 => None,
            1..4 => Some(t + 3 + self.rng.below(2)),
            _ => Some(t + 2),
        };
        match report_day {
            None => self.plant(FindingKind::UnreportedDropout, 2),
            Some(r) if r > t + 2 => self.plant(FindingKind::UnreportedDropout, 2),
            Some(_) => {}
        }
        if let Some(r) = report_day {
            let r = r.min(county.days.len() - 1);
            let on = days[r];
            let ack_on = days[(r + 1).min(days.len() - 1)];
            for (recipient, to, ack_who, by) in [
                (
                    Recipient::TownshipGovernment,
                    "乡",
                    Who::Township,
                    officer_name.clone(),
                ),
                (
                    Recipient::CountyBureau,
                    "局",
                    Who::Bureau,
                    bureau_name.clone(),
                ),
            ] {
                let reference = self.reference(school, to);
                self.push(
                    on,
                    16 * 60 + self.rng.below(60) as u32,
                    Who::Principal,
                    CaseAction::ReportUpward(Report {
                        on,
                        recipient,
                        reference: reference.clone(),
                        signed_by: p_principal.clone(),
                        summary: Some("连续三天无故旷课，已两次家访劝返".into()),
                    }),
                );
                self.push(
                    ack_on,
                    9 * 60 + 30 + self.rng.below(120) as u32,
                    ack_who,
                    CaseAction::AcknowledgeReport(Acknowledgement {
                        on: ack_on,
                        recipient,
                        reference,
                        by,
                    }),
                );
            }
        }
        if returns {
            self.back(days[t + 3]);
        }
    }

    /// `count` everyday absences: away one day, the head teacher calls that day, back the next
    /// school day. A few are planted wrong: the call a day late, the call entered days later,
    /// or the absence never recorded at all (only the roll call names the child).
    pub fn everyday_absences(&mut self, county: &County, count: usize) {
        let days = &county.days;
        let n = days.len();
        let (child, school) = self.staff(county);
        let p_teacher = Participant::new(
            &school.teachers[&child.profile.grade].name,
            Role::HeadTeacher,
        );
        for _ in 0..count {
            let Some(t) = self.find(1, 0, n) else {
                break;
            };
            let st = 9 * 60 + self.rng.below(50) as u32;
            match self.rng.below(1000) {
                0..3 => {
                    // Nobody recorded the absence; the roll call named the child.
                    self.plant(FindingKind::RollCallMismatch, 1);
                    self.forgotten.push(days[t]);
                }
                3..7 => {
                    // The call a day late, on the day the child was back.
                    self.plant(FindingKind::LateStep, 1);
                    self.absent(days[t], st);
                    self.back(days[t + 1]);
                    self.contact(days[t + 1], 10 * 60 + self.rng.below(60) as u32, &p_teacher);
                }
                7..10 if t + 6 < self.end.min(n - 1) => {
                    // The call made on the day, entered three to five days later (while the
                    // child is still on the school's roll).
                    self.plant(FindingKind::LateEntry, 1);
                    self.absent(days[t], st);
                    self.back(days[t + 1]);
                    let on = days[t];
                    let entered = on + TimeDelta::days(3 + self.rng.below(3) as i64);
                    let before = self.items.len();
                    self.contact(on, 0, &p_teacher);
                    if let Some(item) = self.items.get_mut(before) {
                        item.at = local(entered, 20 * 60 + self.rng.below(60) as u32);
                    }
                }
                _ => {
                    self.absent(days[t], st);
                    self.contact(days[t], st + 20 + self.rng.below(100) as u32, &p_teacher);
                    self.back(days[t + 1]);
                }
            }
        }
    }
}
