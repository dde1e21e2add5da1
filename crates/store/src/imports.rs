//! Imports through the same command path as everything else (so every case they open is
//! hash-chained and attributed). Case ids are derived from what identifies the row, so the
//! same file imported twice opens nothing the second time.

use chrono::NaiveDate;
use notoneless_domain::{CaseAction, CaseError, RowError, plan_grade6_watch};
use serde::Serialize;

use crate::commands::{CommandContext, CommandError};
use crate::error::StoreError;
use crate::store::Store;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Cases opened now, as (row, case id).
    pub opened: Vec<(usize, String)>,
    /// Rows whose case was opened by an earlier import.
    pub unchanged: Vec<usize>,
    /// Leavers found enrolled at a junior middle school.
    pub enrolled: usize,
    /// Every refused row of the leavers' list, and of the enrolments' list.
    pub rejected_leavers: Vec<RowError>,
    pub rejected_enrolments: Vec<RowError>,
}

/// The case id of a grade-6 leaver's watch case: the same for the same child, always.
pub fn grade6_case_id(student_number: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("notoneless/grade6-watch/{student_number}").as_bytes(),
    )
    .to_string()
}

/// Imports the grade-6 watch: every leaver enrolled nowhere gets a case at the primary school
/// he left, opened on `on`. `may_open` says whether the importer may open a case at a school;
/// a row it refuses is rejected with the reason.
pub async fn import_grade6_watch(
    store: &Store,
    leavers_csv: &str,
    enrolments_csv: &str,
    on: NaiveDate,
    may_open: impl Fn(&str) -> bool,
    context: &CommandContext,
) -> Result<ImportReport, StoreError> {
    let today = store.rules.get().calendar.local_date(store.clock.now());
    let plan = plan_grade6_watch(leavers_csv, enrolments_csv, on, today);
    let mut report = ImportReport {
        enrolled: plan.enrolled,
        rejected_leavers: plan.leaver_errors,
        rejected_enrolments: plan.enrolment_errors,
        ..ImportReport::default()
    };
    let schools = store.org.current();
    for planned in plan.to_open {
        let school = planned.opening.student.school.clone();
        let known = schools
            .org
            .nodes
            .get(&school)
            .is_some_and(|n| n.kind == notoneless_domain::NodeKind::School);
        if !known || !may_open(&school) {
            report.rejected_leavers.push(RowError {
                row: planned.row,
                field: Some("school".into()),
                reason: format!("{school} is not a school you may open cases at"),
            });
            continue;
        }
        let case_id = grade6_case_id(&planned.opening.student.student_number);
        match store
            .commands
            .execute(&case_id, CaseAction::OpenCase(planned.opening), context)
            .await
        {
            Ok(_) => report.opened.push((planned.row, case_id)),
            Err(CommandError::Rejected(CaseError::AlreadyOpened)) => {
                report.unchanged.push(planned.row)
            }
            Err(CommandError::Rejected(e)) => report.rejected_leavers.push(RowError {
                row: planned.row,
                field: e.field().map(str::to_string),
                reason: e.to_string(),
            }),
            Err(CommandError::Store(e)) => return Err(e),
            Err(other) => return Err(StoreError::Database(other.to_string())),
        }
    }
    report.rejected_leavers.sort_by_key(|e| e.row);
    Ok(report)
}
