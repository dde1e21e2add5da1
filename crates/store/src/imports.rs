//! Imports through the same command path as everything else (so every case they open is
//! hash-chained and attributed). Case ids are derived from what identifies the row, so the
//! same file imported twice opens nothing the second time.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use notoneless_domain::{
    CaseAction, CaseCommand, CaseError, CaseEvent, ChildFindings, Found, ListScope, RegistryIssue,
    RowError, RowRefusal, cross_check, plan_grade6_watch, reconcile,
};
/// The case ids the imports open cases under (derived in the domain, where the fictional
/// county's generator derives them too).
pub use notoneless_domain::{grade6_case_id, registry_case_id};
use notoneless_i18n::{Lang, Message, Msg};
use serde::{Deserialize, Serialize};

use crate::commands::{CommandContext, CommandError};
use crate::db::{P, Sql};
use crate::error::StoreError;
use crate::log::{CASE, case_events, fold};
use crate::store::Store;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Cases opened now, as (row, case id).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub opened: Vec<(usize, String)>,
    /// Rows whose case was opened by an earlier import.
    pub unchanged: Vec<usize>,
    /// Leavers found enrolled at a junior middle school.
    pub enrolled: usize,
    /// Rows of the leavers' list the record refused when their case was opened (the state of
    /// the record, not the file: e.g. the child already has a case the store will not let a
    /// second one be opened beside), with the reason in the answer's language. The other rows
    /// were imported.
    pub rejected_leavers: Vec<RowError>,
    /// Rows whose child already has an open case file (a child has one): nothing opened.
    pub already_has_case: Vec<AlreadyHasCase>,
}

/// Rows of an imported file whose child already has an open case file, which the import left
/// as it is instead of opening a second one (issue 15 point 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlreadyHasCase {
    /// The lines that show the child (of a cross-check: the register's, then the roll's).
    pub rows: Vec<usize>,
    /// The child's open case file.
    pub case_id: String,
}

impl AlreadyHasCase {
    /// What happened to the rows, in the catalogue's words.
    pub fn message(&self) -> Message {
        let rows: Vec<String> = self.rows.iter().map(usize::to_string).collect();
        Message::new(Msg::RowAlreadyHasCase)
            .with("row", rows.join(", "))
            .with("case", self.case_id.as_str())
    }
}

/// Imports the grade-6 watch: every leaver enrolled nowhere gets a case at the primary school
/// he left, opened on `on`. All or nothing for the files: a refused row of either list (named
/// `leavers_csv`, `enrolments_csv`), or a leaver at a school `may_open` refuses the importer,
/// refuses the import, and nothing is written. A row whose case the record then refuses is
/// reported in the answer, in `lang`, and does not undo the others (ADR 0015).
pub async fn import_grade6_watch(
    store: &Store,
    leavers_csv: &str,
    enrolments_csv: &str,
    on: NaiveDate,
    may_open: impl Fn(&str) -> bool,
    lang: Lang,
    context: &CommandContext,
) -> Result<Result<ImportReport, Vec<RowRefusal>>, StoreError> {
    let today = store.rules.get().calendar.local_date(store.clock.now());
    let plan = plan_grade6_watch(leavers_csv, enrolments_csv, on, today);
    let schools = store.org.current();
    let mut refused: Vec<RowRefusal> = plan.leaver_errors;
    for planned in &plan.to_open {
        let school = &planned.opening.student.school;
        let known = schools
            .org
            .nodes
            .get(school)
            .is_some_and(|n| n.kind == notoneless_domain::NodeKind::School);
        if !known || !may_open(school) {
            refused.push(RowRefusal::new(
                planned.row,
                Some("school"),
                Message::new(Msg::RowNotYourSchool).with("school", school.as_str()),
            ));
        }
    }
    refused.sort_by_key(|e| e.row);
    let mut refused: Vec<RowRefusal> = refused
        .into_iter()
        .map(|r| r.in_list("leavers_csv"))
        .collect();
    refused.extend(
        plan.enrolment_errors
            .into_iter()
            .map(|r| r.in_list("enrolments_csv")),
    );
    if !refused.is_empty() {
        return Ok(Err(refused));
    }
    let mut report = ImportReport {
        enrolled: plan.enrolled,
        ..ImportReport::default()
    };
    for planned in plan.to_open {
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
            Err(CommandError::OneCase(held)) => report.already_has_case.push(AlreadyHasCase {
                rows: vec![planned.row],
                case_id: held.case_id().to_string(),
            }),
            Err(CommandError::Rejected(e)) => report.rejected_leavers.push(
                RowRefusal::new(
                    planned.row,
                    e.field(),
                    Message::new(Msg::RowCaseRefuses).with("reason", e.message()),
                )
                .in_list("leavers_csv")
                .in_lang(lang),
            ),
            Err(CommandError::Store(e)) => return Err(e),
            Err(other) => return Err(StoreError::Database(other.to_string())),
        }
    }
    Ok(Ok(report))
}

// ---- the registry cross-check (学籍/户籍比对) -------------------------------------------------

/// One finding the import recorded, cleared, left or saw explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryChange {
    pub case_id: String,
    pub school: String,
    pub kind: RegistryIssue,
    /// The lines of the register and of the roll that show it (empty for a clearance).
    pub register_rows: Vec<usize>,
    pub roll_rows: Vec<usize>,
}

/// What a registry import did, and what it refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryReport {
    pub cross_check: String,
    /// What the lists cover: findings are raised and cleared only at these schools.
    pub scope: ListScope,
    /// The schools the scope covers.
    pub schools_covered: usize,
    /// Children the lists show at schools outside the scope: left as they are.
    pub outside_scope: usize,
    /// Children examined (those with a refused row are not).
    pub examined: usize,
    /// Cases opened now for children with a first finding.
    pub cases_opened: usize,
    /// Found now and not open before: recorded on the child's case.
    pub new: Vec<RegistryChange>,
    /// Open before and not found now: cleared.
    pub resolved: Vec<RegistryChange>,
    /// Found now and still open.
    pub unchanged: Vec<RegistryChange>,
    /// Found now, but resolved before with a document on file: nothing recorded.
    pub explained: Vec<RegistryChange>,
    /// Open, at a school the scope covers, and the child in neither list: kept open ("not in
    /// the latest lists"): a child missing from a list shows nothing resolved.
    pub not_in_lists: Vec<RegistryChange>,
    /// Children with a first finding who already have an open case file (a child has one):
    /// no case opened, nothing recorded for them.
    pub already_has_case: Vec<AlreadyHasCase>,
    /// Rows whose child's case refused what the cross-check found (the state of the record,
    /// not the file: a fact dated before the case's last registry fact, say), with the reason
    /// in the answer's language: that child is left as he was, the others were imported.
    pub rejected_register: Vec<RowError>,
    pub rejected_roll: Vec<RowError>,
    /// The same answer school by school: one row for every school the scope covers, by
    /// township and school id.
    pub by_school: Vec<RegistrySchoolTally>,
}

/// What a registry import did at one school of its scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrySchoolTally {
    pub school: String,
    pub school_name: String,
    pub township: String,
    pub township_name: String,
    /// Children the lists show whose answering school this is.
    pub examined: usize,
    /// Findings recorded now (`new`).
    pub raised: usize,
    /// Findings cleared (`resolved`).
    pub cleared: usize,
    /// Findings found again and still open (`unchanged`).
    pub unchanged: usize,
    /// Findings found again but resolved before with a document (`explained`).
    pub explained: usize,
    /// Findings kept open, the child in neither list (`not_in_lists`).
    pub not_in_lists: usize,
}

/// Which count of a school's row a list of the report adds to.
type TallyCount = fn(&mut RegistrySchoolTally) -> &mut usize;

impl RegistryReport {
    /// Counts the report's findings school by school, over every school `covered`.
    fn tally(
        &mut self,
        org: &notoneless_domain::Organisation,
        covered: &BTreeSet<String>,
        examined: &BTreeMap<String, String>,
    ) {
        let name = |id: &str| {
            org.nodes
                .get(id)
                .map_or_else(String::new, |n| n.name.clone())
        };
        let mut rows: BTreeMap<&str, RegistrySchoolTally> = covered
            .iter()
            .map(|school| {
                let township = org.township_of(school).unwrap_or_default().to_string();
                let row = RegistrySchoolTally {
                    school: school.clone(),
                    school_name: name(school),
                    township_name: name(&township),
                    township,
                    ..RegistrySchoolTally::default()
                };
                (school.as_str(), row)
            })
            .collect();
        for school in examined.values() {
            if let Some(row) = rows.get_mut(school.as_str()) {
                row.examined += 1;
            }
        }
        let counted: [(&[RegistryChange], TallyCount); 5] = [
            (&self.new, |r| &mut r.raised),
            (&self.resolved, |r| &mut r.cleared),
            (&self.unchanged, |r| &mut r.unchanged),
            (&self.explained, |r| &mut r.explained),
            (&self.not_in_lists, |r| &mut r.not_in_lists),
        ];
        for (changes, count) in counted {
            for change in changes {
                if let Some(row) = rows.get_mut(change.school.as_str()) {
                    *count(row) += 1;
                }
            }
        }
        let mut rows: Vec<RegistrySchoolTally> = rows.into_values().collect();
        rows.sort_by(|a, b| (&a.township, &a.school).cmp(&(&b.township, &b.school)));
        self.by_school = rows;
    }
}

const REGISTRY_CASES: Sql = Sql::both(
    "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = $1 AND event_type = 'RegistryFindingRecorded' ORDER BY aggregate_id",
);

/// The ids of every case that ever held a registry finding.
pub async fn registry_cases(store: &Store) -> Result<Vec<String>, StoreError> {
    store
        .db
        .fetch_all(REGISTRY_CASES, &[P::text(CASE)])
        .await?
        .iter()
        .map(|row| row.text("aggregate_id"))
        .collect()
}

/// Imports a registry cross-check named `name`, of the extracts (the register and the roll,
/// as CSV text) of `on`, whose lists cover
/// `covered` (the schools of its [`ListScope`], `scope`): at those schools only, records every
/// finding found and not open on the child's case (opening it at the school that answers),
/// and clears every open finding the cross-check no longer finds for a child the lists show;
/// a child the lists do not show keeps his findings (`not_in_lists`). Children at other
/// schools are left as they are. All or nothing for the files: a refused row of either list
/// (named `register_csv`, `roll_csv`) refuses the import and nothing is written; a child whose
/// case refuses what was found is reported, in `lang`, and left as he was (ADR 0015).
/// Importing the same lists again records nothing.
pub async fn import_registry(
    store: &Store,
    name: &str,
    (register_csv, roll_csv): (&str, &str),
    on: NaiveDate,
    scope: (&ListScope, &BTreeSet<String>),
    lang: Lang,
    context: &CommandContext,
) -> Result<Result<RegistryReport, Vec<RowRefusal>>, StoreError> {
    let (scope, covered) = scope;
    let today = store.rules.get().calendar.local_date(store.clock.now());
    let org = store.org.current();
    let schools: BTreeSet<String> = org.org.schools().into_iter().collect();
    let result = cross_check(register_csv, roll_csv, on, &schools);
    if !result.register_errors.is_empty() || !result.roll_errors.is_empty() {
        let mut refused: Vec<RowRefusal> = result
            .register_errors
            .into_iter()
            .map(|r| r.in_list("register_csv"))
            .collect();
        refused.extend(
            result
                .roll_errors
                .into_iter()
                .map(|r| r.in_list("roll_csv")),
        );
        return Ok(Err(refused));
    }
    let in_lists: BTreeSet<String> = result
        .examined
        .keys()
        .map(|i| registry_case_id(i))
        .collect();
    let mut report = RegistryReport {
        cross_check: name.to_string(),
        scope: scope.clone(),
        schools_covered: covered.len(),
        examined: result.examined.len(),
        ..RegistryReport::default()
    };
    // The lines that show each child, by case: what a refusal of his case names.
    let lines: BTreeMap<String, (Vec<usize>, Vec<usize>)> = result
        .lines
        .iter()
        .map(|(identity, lines)| (registry_case_id(identity), lines.clone()))
        .collect();
    let mut children: BTreeMap<String, ChildFindings> = result
        .children
        .into_iter()
        .map(|c| (registry_case_id(&c.identity), c))
        .collect();
    let mut case_ids: BTreeSet<String> = children.keys().cloned().collect();
    case_ids.extend(registry_cases(store).await?);
    let none = BTreeMap::new();
    for case_id in case_ids {
        let child = children.remove(&case_id);
        let case = fold(&case_events(&store.db, &case_id).await?)?;
        let found = child.as_ref().map_or(&none, |c| &c.found);
        let profile = child.as_ref().map(|c| &c.profile);
        let school = profile
            .map(|p| p.school.clone())
            .or_else(|| case.profile().map(|p| p.school.clone()))
            .unwrap_or_default();
        if !covered.contains(&school) {
            if child.is_some() {
                report.outside_scope += 1;
            }
            continue;
        }
        let plan = reconcile(&case, profile, found, in_lists.contains(&case_id), name, on);
        let change = |kind: RegistryIssue| {
            let f = found.get(&kind);
            RegistryChange {
                case_id: case_id.clone(),
                school: school.clone(),
                kind,
                register_rows: f.map(|f| f.register_rows.clone()).unwrap_or_default(),
                roll_rows: f.map(|f| f.roll_rows.clone()).unwrap_or_default(),
            }
        };
        // Every planned fact is checked against the case first, so that a child's facts are
        // recorded all or none.
        let mut trial = case.clone();
        let mut refusal = None;
        for action in &plan.actions {
            match trial.decide(CaseCommand::new(today, action.clone())) {
                Ok(event) => cqrs_es::Aggregate::apply(&mut trial, event),
                Err(e) => {
                    refusal = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = refusal {
            // What the cross-check planned does not fit the case (a fact dated before the
            // case's last registry fact, say): the rows that show the child are refused.
            refuse_rows(&mut report, lines.get(&case_id), found, &e, lang);
            continue;
        }
        let mut held = None;
        for action in plan.actions {
            let opening = matches!(action, CaseAction::OpenCase(_));
            match store.commands.execute(&case_id, action, context).await {
                Ok(_) if opening => report.cases_opened += 1,
                Ok(_) => {}
                // The opening comes first: the child has another case file open, so nothing
                // is recorded for him here.
                Err(CommandError::OneCase(refusal)) => {
                    held = Some(refusal.case_id().to_string());
                    break;
                }
                // Someone else got there first (another import running at the same time):
                // what it recorded stands.
                Err(CommandError::Rejected(
                    CaseError::AlreadyOpened
                    | CaseError::FindingStillOpen { .. }
                    | CaseError::NoOpenFinding { .. },
                )) => {}
                Err(CommandError::Rejected(e)) => {
                    return Err(StoreError::Database(format!(
                        "a registry case changed during the import and refused a checked fact: {e}"
                    )));
                }
                Err(CommandError::Store(e)) => return Err(e),
                Err(other) => return Err(StoreError::Database(other.to_string())),
            }
        }
        if let Some(case_id) = held {
            let mut rows: Vec<usize> = Vec::new();
            for f in found.values() {
                rows.extend(&f.register_rows);
            }
            for f in found.values() {
                rows.extend(&f.roll_rows);
            }
            rows.dedup();
            report
                .already_has_case
                .push(AlreadyHasCase { rows, case_id });
            continue;
        }
        report.new.extend(plan.new.into_iter().map(change));
        report
            .unchanged
            .extend(plan.unchanged.into_iter().map(change));
        report
            .explained
            .extend(plan.explained.into_iter().map(|(kind, _)| change(kind)));
        report.resolved.extend(plan.cleared.into_iter().map(change));
        report
            .not_in_lists
            .extend(plan.not_in_lists.into_iter().map(change));
    }
    report.rejected_register.sort_by_key(|e| e.row);
    report.rejected_roll.sort_by_key(|e| e.row);
    report.tally(&org.org, covered, &result.examined);
    Ok(Ok(report))
}

/// Reports every row that shows one child (`lines`, and those of his findings) as refused,
/// with the case's reason in `lang`.
fn refuse_rows(
    report: &mut RegistryReport,
    lines: Option<&(Vec<usize>, Vec<usize>)>,
    found: &BTreeMap<RegistryIssue, Found>,
    error: &CaseError,
    lang: Lang,
) {
    let mut register: BTreeSet<usize> = lines
        .map(|l| l.0.iter().copied().collect())
        .unwrap_or_default();
    let mut roll: BTreeSet<usize> = lines
        .map(|l| l.1.iter().copied().collect())
        .unwrap_or_default();
    for f in found.values() {
        register.extend(&f.register_rows);
        roll.extend(&f.roll_rows);
    }
    let refuse = |list: &str, row| {
        RowRefusal::new(
            row,
            error.field(),
            Message::new(Msg::RowCaseRefuses).with("reason", error.message()),
        )
        .in_list(list)
        .in_lang(lang)
    };
    report
        .rejected_register
        .extend(register.into_iter().map(|row| refuse("register_csv", row)));
    report
        .rejected_roll
        .extend(roll.into_iter().map(|row| refuse("roll_csv", row)));
}

/// Where a registry finding stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    Open,
    /// Resolved by a school or the bureau.
    Resolved,
    /// No longer found by a later cross-check.
    Cleared,
}

/// One registry finding, tracked from the cross-check that found it to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedFinding {
    pub case_id: String,
    pub school: String,
    /// The child: name, student number, grade and class, as the case was opened.
    pub name: String,
    pub student_number: String,
    pub grade: u8,
    pub class: String,
    pub kind: RegistryIssue,
    /// The event that recorded it, its day and the cross-check that found it.
    pub sequence: u64,
    pub found_on: NaiveDate,
    pub cross_check: String,
    pub detail: String,
    pub state: FindingState,
    /// The event that ended it, and its day.
    pub ended_by: Option<u64>,
    pub ended_on: Option<NaiveDate>,
}

/// Every registry finding ever recorded at the given schools (`None`: all), oldest first per
/// case, read from the log.
pub async fn registry_findings(
    store: &Store,
    schools: Option<&[String]>,
) -> Result<Vec<TrackedFinding>, StoreError> {
    let mut out = Vec::new();
    for case_id in registry_cases(store).await? {
        let case = fold(&case_events(&store.db, &case_id).await?)?;
        let Some(profile) = case.profile().cloned() else {
            continue;
        };
        let school = profile.school.clone();
        if schools.is_some_and(|s| !s.contains(&school)) {
            continue;
        }
        let mut open: BTreeMap<RegistryIssue, usize> = BTreeMap::new();
        for (sequence, event) in case.live() {
            let (kind, state, on) = match event {
                CaseEvent::RegistryFindingRecorded(f) => {
                    open.insert(f.kind, out.len());
                    out.push(TrackedFinding {
                        case_id: case_id.clone(),
                        school: school.clone(),
                        name: profile.name.clone(),
                        student_number: profile.student_number.clone(),
                        grade: profile.grade,
                        class: profile.class.clone(),
                        kind: f.kind,
                        sequence,
                        found_on: f.on,
                        cross_check: f.cross_check.clone(),
                        detail: f.detail.clone(),
                        state: FindingState::Open,
                        ended_by: None,
                        ended_on: None,
                    });
                    continue;
                }
                CaseEvent::RegistryFindingResolved(r) => (r.kind, FindingState::Resolved, r.on),
                CaseEvent::RegistryFindingCleared(c) => (c.kind, FindingState::Cleared, c.on),
                _ => continue,
            };
            if let Some(index) = open.remove(&kind)
                && let Some(finding) = out.get_mut(index)
            {
                finding.state = state;
                finding.ended_by = Some(sequence);
                finding.ended_on = Some(on);
            }
        }
    }
    Ok(out)
}
