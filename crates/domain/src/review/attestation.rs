//! The daily roll calls (零报告) against the cases:
//!
//! * **missing attestation** (未报送日报): a past school day in the period on which a school
//!   submitted no roll call (today's may not be taken yet); charged to that day and the
//!   school (case `school`);
//! * **roll call mismatch** (点名与案件不符): a child a roll call names absent without excuse who
//!   has no case (no case id), or whose case has no absence that day; charged to the roll
//!   call's day and the school.
//!
//! The head teacher and the principal answer for both. No threshold of the review's.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use super::{CaseContribution, CaseRecord, Finding, FindingKind};
use crate::calendar::SchoolCalendar;
use crate::roll_call::RollCall;
use crate::values::Role;
use notoneless_i18n::{Message, Msg};

pub const MISSING_ATTESTATION: Msg = Msg::FindingKindMissingAttestation;
pub const ROLL_CALL_MISMATCH: Msg = Msg::FindingKindRollCallMismatch;

/// Who a roll call's absent child is: of the cases with the child's student number, the one
/// whose case id comes first (byte order, whatever order the cases come in), and the days that
/// case records the child absent.
#[derive(Debug, Default)]
pub(super) struct RollIndex(HashMap<String, (String, BTreeSet<NaiveDate>)>);

impl RollIndex {
    fn insert(&mut self, case_id: &str, student_number: &str, absences: &[NaiveDate]) {
        let entry = || (case_id.to_string(), absences.iter().copied().collect());
        match self.0.get_mut(student_number) {
            None => {
                self.0.insert(student_number.to_string(), entry());
            }
            Some(known) if case_id < known.0.as_str() => *known = entry(),
            Some(_) => {}
        }
    }

    pub(super) fn add(&mut self, case_id: &str, contribution: &CaseContribution) {
        self.insert(
            case_id,
            &contribution.student_number,
            &contribution.absences,
        );
    }

    fn add_record(&mut self, record: &CaseRecord) {
        if let Some(profile) = record.case.profile() {
            let absences: Vec<NaiveDate> = record.case.absences().map(|(_, d)| d).collect();
            self.insert(&record.case_id, &profile.student_number, &absences);
        }
    }
}

/// One school's roll calls, with their sequence in the school's stream.
#[derive(Clone, Debug)]
pub struct SchoolAttestation {
    pub school: String,
    pub roll_calls: Vec<(u64, RollCall)>,
}

/// Findings from the daily roll calls over the period (past school days only: today's roll
/// may not be taken yet).
pub fn review_attestation(
    schools: &[SchoolAttestation],
    records: &[CaseRecord],
    calendar: &SchoolCalendar,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut index = RollIndex::default();
    for record in records {
        index.add_record(record);
    }
    attestation_findings(schools, &index, calendar, from, until, now)
}

pub(super) fn attestation_findings(
    schools: &[SchoolAttestation],
    index: &RollIndex,
    calendar: &SchoolCalendar,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let today = calendar.local_date(now);
    let last = until.min(today.pred_opt().unwrap_or(today));
    let mut findings = Vec::new();
    for school in schools {
        let finding = |kind, case_id: String, day, detail: Message, evidence: Vec<u64>| Finding {
            kind,
            case_id,
            school: school.school.clone(),
            day,
            detail,
            // The evidence is a roll call, named by its day.
            facts: evidence
                .iter()
                .map(|_| {
                    Message::new(Msg::EvidenceFact)
                        .with("on", day)
                        .with("fact", Msg::FactRollCall)
                })
                .collect(),
            evidence,
            responsible: vec![Role::HeadTeacher, Role::Principal],
        };
        if from <= last {
            let attested: BTreeSet<NaiveDate> =
                school.roll_calls.iter().map(|(_, r)| r.on).collect();
            for day in calendar.school_days(from, last) {
                if !attested.contains(&day) {
                    findings.push(finding(
                        FindingKind::MissingAttestation,
                        "school".into(),
                        day,
                        Message::new(Msg::FindingMissingAttestation).with("day", day),
                        vec![],
                    ));
                }
            }
        }
        for (sequence, roll_call) in school
            .roll_calls
            .iter()
            .filter(|(_, r)| from <= r.on && r.on <= until)
        {
            for child in roll_call.absent.iter().filter(|c| !c.excused) {
                match index.0.get(&child.student_number) {
                    None => findings.push(finding(
                        FindingKind::RollCallMismatch,
                        String::new(),
                        roll_call.on,
                        Message::new(Msg::FindingRollCallWithoutCase)
                            .with("name", child.name.as_str())
                            .with("number", child.student_number.as_str())
                            .with("class", roll_call.class.as_str())
                            .with("day", roll_call.on),
                        vec![*sequence],
                    )),
                    Some((case_id, absences)) => {
                        if !absences.contains(&roll_call.on) {
                            findings.push(finding(
                                FindingKind::RollCallMismatch,
                                case_id.clone(),
                                roll_call.on,
                                Message::new(Msg::FindingRollCallWithoutAbsence)
                                    .with("class", roll_call.class.as_str())
                                    .with("day", roll_call.on),
                                vec![*sequence],
                            ));
                        }
                    }
                }
            }
        }
    }
    findings
}
