//! The imports of what schools and counties already keep in files: a school's roll calls
//! (`notoneless_domain::plan_roll_call_file`) and a county's existing ledger
//! (`notoneless_domain::read_ledger`). Both read the CSV text `list_file` makes of any file,
//! check every row before writing anything (a refused row refuses the file: nothing is
//! written), then send each fact through the one command path, so that it is validated,
//! hash-chained and attributed as if entered alone. Importing the same file again records
//! nothing new.
//!
//! A ledger's facts are recorded by the import, not by the people the ledger names: their
//! actor is `import:ledger/<date>` in the role `importer`, and their metadata says
//! `imported_from: ledger`, the ledger's date and who ran the import
//! ([`crate::commands::ledger_import`]). Their recorded time is the import's, so the review
//! judges them as the late entries they are.

use chrono::NaiveDate;
use notoneless_domain::{
    CaseAction, CaseError, FiledRollCall, LedgerCase, RollCall, RollCallShape, RowRefusal,
    SchoolRollCalls, plan_ledger_case, plan_roll_call_file, read_ledger,
};
use notoneless_i18n::{Message, Msg};
use serde::Serialize;

use crate::commands::{CommandContext, CommandError, ledger_import};
use crate::error::StoreError;
use crate::imports::AlreadyHasCase;
use crate::log::case_events;
use crate::one_case::held_case;
use crate::store::Store;

/// One roll call of a file: its class and day, and the file's lines it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiledRow {
    pub on: NaiveDate,
    pub class: String,
    pub rows: Vec<usize>,
}

impl From<&FiledRollCall> for FiledRow {
    fn from(filed: &FiledRollCall) -> Self {
        Self {
            on: filed.roll_call.on,
            class: filed.roll_call.class.clone(),
            rows: filed.rows.clone(),
        }
    }
}

/// What importing a school's roll-call file did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollCallFileReport {
    pub school: String,
    pub shape: RollCallShape,
    /// The roll calls recorded now.
    pub recorded: Vec<FiledRow>,
    /// The roll calls already on record as the file gives them (an earlier import, or the
    /// same roll call posted alone): not recorded again.
    pub unchanged: Vec<FiledRow>,
}

/// Imports a school's roll calls from a file's text: every roll call checked first, then each
/// recorded through the roll-call path; or every refused row, and nothing written.
pub async fn import_roll_call_file(
    store: &Store,
    school: &str,
    text: &str,
    context: &CommandContext,
) -> Result<Result<RollCallFileReport, Vec<RowRefusal>>, StoreError> {
    let today = store.rules.get().calendar.local_date(store.clock.now());
    let recorded = SchoolRollCalls {
        roll_calls: store
            .roll_calls
            .of_school(school, None)
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Vec<RollCall>>(),
    };
    let plan = match plan_roll_call_file(text, &recorded, today) {
        Ok(plan) => plan,
        Err(refused) => return Ok(Err(refused)),
    };
    // One key cannot stand for the many roll calls of a file: the file is idempotent by
    // what it records.
    let context = CommandContext {
        idempotency_key: None,
        ..context.clone()
    };
    let mut report = RollCallFileReport {
        school: school.to_string(),
        shape: plan.shape,
        recorded: Vec::new(),
        unchanged: plan.unchanged.iter().map(FiledRow::from).collect(),
    };
    for filed in &plan.to_record {
        match store
            .roll_calls
            .submit(school, filed.roll_call.clone(), &context)
            .await
        {
            Ok(_) => report.recorded.push(FiledRow::from(filed)),
            Err(CommandError::Store(e)) => return Err(e),
            Err(other) => {
                // Someone recorded the same class and day while the file was being imported.
                return Err(StoreError::Database(format!(
                    "the school's roll calls changed during the import and refused a checked roll call: {other}"
                )));
            }
        }
    }
    Ok(Ok(report))
}

/// One child's case as the ledger import left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerCaseReport {
    pub case_id: String,
    pub school: String,
    /// Facts recorded now (the opening among them, for a case opened now).
    pub recorded: usize,
    /// Facts already on the case as the ledger gives them: not recorded again.
    pub unchanged: usize,
}

/// What importing a county's ledger did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerReport {
    pub ledger_date: NaiveDate,
    /// The recorder of every fact imported (`import:ledger/<date>`).
    pub recorded_by: String,
    pub cases_opened: usize,
    pub facts_recorded: usize,
    pub cases: Vec<LedgerCaseReport>,
    /// Children of the ledger with no case yet who already have an open case file (a child
    /// has one): left out, nothing recorded for them.
    pub already_has_case: Vec<AlreadyHasCase>,
}

/// Imports a county's existing ledger dated `ledger_date` (no later than today; the caller
/// checks) from a file's text. `may_import` says whether the importer may keep cases at a
/// school. Every child's facts are checked against the child's case first; a refused row
/// refuses the ledger and nothing is written.
pub async fn import_ledger(
    store: &Store,
    text: &str,
    ledger_date: NaiveDate,
    may_import: impl Fn(&str) -> bool,
    context: &CommandContext,
) -> Result<Result<LedgerReport, Vec<RowRefusal>>, StoreError> {
    let today = store.rules.get().calendar.local_date(store.clock.now());
    let cases = match read_ledger(text, ledger_date) {
        Ok(cases) => cases,
        Err(refused) => return Ok(Err(refused)),
    };
    let org = store.org.current();
    let mut refused = Vec::new();
    let mut already_has_case = Vec::new();
    let mut plans = Vec::new();
    let mut cases = cases;
    for case in &mut cases {
        // A ledger names a school by its name (公营子中学) or by its id in the tree.
        let school = org.org.school_named(&case.school).map(|n| n.id.clone());
        if let Some(id) = &school {
            case.set_school(id);
        }
    }
    for case in &cases {
        let first_row = case.facts.first().map_or(1, |(row, _)| *row);
        let known = org
            .org
            .nodes
            .get(&case.school)
            .is_some_and(|n| n.kind == notoneless_domain::NodeKind::School);
        if !known || !may_import(&case.school) {
            refused.push(RowRefusal::new(
                first_row,
                Some("school"),
                Message::new(Msg::RowNotYourSchool).with("school", case.school.as_str()),
            ));
            continue;
        }
        let recorded = case_events(&store.db, &case.case_id)
            .await?
            .iter()
            .map(|e| e.decode())
            .collect::<Result<Vec<_>, _>>()?;
        if recorded.is_empty()
            && let Some(held) = held_by_another(store, case).await?
        {
            already_has_case.push(AlreadyHasCase {
                rows: vec![first_row],
                case_id: held,
            });
            continue;
        }
        match plan_ledger_case(case, &recorded, today) {
            Ok(to_record) => plans.push((case, recorded.is_empty(), to_record)),
            Err(rows) => refused.extend(rows),
        }
    }
    if !refused.is_empty() {
        refused.sort_by_key(|r| r.row);
        return Ok(Err(refused));
    }
    let (importer, provenance) = ledger_import(context, ledger_date);
    let mut report = LedgerReport {
        ledger_date,
        recorded_by: importer.actor.id.clone(),
        cases_opened: 0,
        facts_recorded: 0,
        cases: Vec::new(),
        already_has_case,
    };
    for (case, new, to_record) in plans {
        let recorded = to_record.len();
        for (_, action) in to_record {
            match store
                .commands
                .execute_with(&case.case_id, action, &importer, &provenance)
                .await
            {
                Ok(_) => {}
                Err(CommandError::Store(e)) => return Err(e),
                Err(CommandError::Rejected(CaseError::AlreadyOpened)) if new => {
                    return Err(StoreError::Database(format!(
                        "case {} was opened by someone else during the ledger import",
                        case.case_id
                    )));
                }
                Err(other) => {
                    return Err(StoreError::Database(format!(
                        "case {} changed during the ledger import and refused a checked fact: {other}",
                        case.case_id
                    )));
                }
            }
        }
        if new && recorded > 0 {
            report.cases_opened += 1;
        }
        report.facts_recorded += recorded;
        report.cases.push(LedgerCaseReport {
            case_id: case.case_id.clone(),
            school: case.school.clone(),
            recorded,
            unchanged: case.facts.len() - recorded,
        });
    }
    Ok(Ok(report))
}

/// The open case file of a ledger's child, when it is another case than the ledger's.
async fn held_by_another(store: &Store, case: &LedgerCase) -> Result<Option<String>, StoreError> {
    let Some(student_number) = case.facts.iter().find_map(|(_, action)| match action {
        CaseAction::OpenCase(opening) => Some(opening.student.student_number.as_str()),
        _ => None,
    }) else {
        return Ok(None);
    };
    Ok(held_case(&store.db, student_number)
        .await?
        .filter(|held| *held != case.case_id))
}
