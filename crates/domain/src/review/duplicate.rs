//! **Duplicate case** (重复立案): the same child, known by his student number (学籍号, compared
//! without surrounding spaces and without regard to case), with two case files open at the
//! same time. Absences split across two files never reach day 3 in either, so the ladder is
//! never climbed: the file opened second is the finding, charged to its school on the first
//! day both were open, with its opening (or reopening) as evidence; the principal answers.
//! No threshold: one day of overlap is one too many.
//!
//! A case is open from the day it was opened (or reopened) to the day it was closed (not
//! included); a transfer does not close it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use notoneless_i18n::{Message, Msg};

use super::{CaseContribution, Finding, FindingKind, ReviewScope};
use crate::case::StudentCase;
use crate::event::CaseEvent;
use crate::values::Role;

pub const DUPLICATE_CASE: Msg = Msg::FindingKindDuplicateCase;

/// One stretch of time a case file was open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSpan {
    /// The day it was opened or reopened.
    #[serde(rename = "f")]
    pub from: NaiveDate,
    /// The day it was closed (`None`: still open).
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The opening's or reopening's sequence.
    #[serde(rename = "s")]
    pub sequence: u64,
}

impl OpenSpan {
    /// The first day both were open, if they overlap.
    fn overlap(&self, other: &OpenSpan) -> Option<NaiveDate> {
        let start = self.from.max(other.from);
        let ends_before = |span: &OpenSpan| span.until.is_some_and(|u| u <= start);
        (!ends_before(self) && !ends_before(other)).then_some(start)
    }
}

/// The stretches of time the case was open, from its live facts in recording order.
pub(super) fn open_spans(case: &StudentCase) -> Vec<OpenSpan> {
    let mut spans: Vec<OpenSpan> = Vec::new();
    for (sequence, event) in case.live() {
        match event {
            CaseEvent::CaseOpened(f) => spans.push(OpenSpan {
                from: f.on,
                until: None,
                sequence,
            }),
            CaseEvent::CaseReopened(f) => spans.push(OpenSpan {
                from: f.on,
                until: None,
                sequence,
            }),
            CaseEvent::CaseClosed(f) => {
                if let Some(last) = spans.last_mut().filter(|s| s.until.is_none()) {
                    last.until = Some(f.on);
                }
            }
            _ => {}
        }
    }
    spans
}

/// The key a child is known by across case files.
pub fn child_key(student_number: &str) -> String {
    student_number.trim().to_uppercase()
}

/// The cases of each child, as the review is fed them.
#[derive(Debug, Default)]
pub(super) struct ChildIndex {
    by_child: BTreeMap<String, Vec<(String, String, Vec<OpenSpan>)>>,
}

impl ChildIndex {
    pub fn add(&mut self, case_id: &str, contribution: &CaseContribution) {
        if contribution.open.is_empty() {
            return;
        }
        self.by_child
            .entry(child_key(&contribution.student_number))
            .or_default()
            .push((
                case_id.to_string(),
                contribution.school.clone(),
                contribution.open.clone(),
            ));
    }

    /// A finding for every case file open while an earlier one of the same child was, on the
    /// first day both were, if that day is in the period.
    pub fn findings(&self, scope: &ReviewScope) -> Vec<Finding> {
        let mut found = Vec::new();
        for cases in self.by_child.values().filter(|c| c.len() > 1) {
            let mut cases: Vec<&(String, String, Vec<OpenSpan>)> = cases.iter().collect();
            cases.sort_by(|a, b| {
                (a.2.first().map(|s| s.from), &a.0).cmp(&(b.2.first().map(|s| s.from), &b.0))
            });
            for (j, (case_id, school, spans)) in cases.iter().enumerate() {
                let earliest = cases[..j]
                    .iter()
                    .flat_map(|(other, other_school, others)| {
                        spans.iter().flat_map(move |span| {
                            others.iter().filter_map(move |o| {
                                o.overlap(span)
                                    .map(|day| (day, span.sequence, span.from, other, other_school))
                            })
                        })
                    })
                    .min();
                if let Some((day, sequence, opened, other, other_school)) = earliest
                    && scope.contains(day)
                {
                    found.push(Finding {
                        kind: FindingKind::DuplicateCase,
                        case_id: case_id.clone(),
                        school: school.clone(),
                        day,
                        detail: Message::new(Msg::FindingDuplicateCase)
                            .with("other", other.as_str())
                            .with("school", other_school.as_str()),
                        evidence: vec![sequence],
                        facts: vec![
                            Message::new(Msg::EvidenceFact)
                                .with("on", opened)
                                .with("fact", Msg::FactCaseOpened),
                        ],
                        responsible: vec![Role::Principal],
                    });
                }
            }
        }
        found
    }
}
