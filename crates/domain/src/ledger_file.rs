//! A county's existing ledger (台账), imported when it adopts the system in the middle of a
//! term: each child's case with the steps already taken, their days and who took them. Pure:
//! text in, the facts to record per case or the rows refused out.
//!
//! One row per step ([`LEDGER_COLUMNS`], each named in English or Chinese). A row's child
//! columns may be left empty after the child's first row (a workbook's merged cells read so):
//! the row then continues the child above it. The steps are recorded as the facts they are
//! (an absence, a call to the guardian, a home visit, a report upward, the return), each dated
//! the day the ledger gives; the case opens on the child's first step, its reason "imported
//! from the ledger of <date>". Who recorded them is the import, never the person the ledger
//! names (the store's command path marks each event's metadata so), and each is recorded on
//! the day of the import: the review judges them as facts entered late, as they are.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cqrs_es::Aggregate;
use notoneless_i18n::{Lang, Message, Msg};

use crate::case::StudentCase;
use crate::command::{CaseAction, CaseCommand};
use crate::event::{Absence, CaseEvent, CaseOpening, HomeVisit, ParentContact, Report, Return};
use crate::imports::{Column, RowRefusal, Table, shown};
use crate::registry::parse_id_number;
use crate::values::{
    ContactChannel, Guardian, Participant, Recipient, Role, StudentProfile, VisitOutcome,
};

macro_rules! columns {
    ($($name:ident = $en:literal / $zh:literal),* $(,)?) => {
        $(const $name: Column = Column { name: $en, zh: $zh };)*
        /// The ledger's columns, in the template's order (`docs/operations.md`).
        pub const LEDGER_COLUMNS: [Column; [$($en),*].len()] = [$($name),*];
    };
}

columns! {
    NAME = "name" / "姓名",
    STUDENT_NUMBER = "student_number" / "学籍号",
    ID_NUMBER = "id_number" / "身份证号",
    SCHOOL = "school" / "学校",
    GRADE = "grade" / "年级",
    CLASS = "class" / "班级",
    HEAD_TEACHER = "head_teacher" / "班主任",
    GUARDIAN = "guardian" / "监护人",
    GUARDIAN_RELATION = "guardian_relation" / "与学生关系",
    GUARDIAN_PHONE = "guardian_phone" / "监护人电话",
    STEP = "step" / "措施",
    DATE = "date" / "日期",
    BY = "by" / "经办人",
    BY_ROLE = "by_role" / "经办人身份",
    OUTCOME = "outcome" / "结果",
    REFERENCE = "reference" / "文号",
    NOTE = "note" / "备注",
}

/// The columns that say who the child is; empty on a row that continues the child above.
const CHILD: [Column; 10] = [
    NAME,
    STUDENT_NUMBER,
    ID_NUMBER,
    SCHOOL,
    GRADE,
    CLASS,
    HEAD_TEACHER,
    GUARDIAN,
    GUARDIAN_RELATION,
    GUARDIAN_PHONE,
];

/// The case id of a child's case imported from a ledger: the same for the same child, always,
/// so that the same ledger imported twice records once.
pub fn ledger_case_id(student_number: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("notoneless/ledger/{student_number}").as_bytes(),
    )
    .to_string()
}

/// A child read so far: its first line, its details, its steps (day, line, fact).
type Child = (usize, StudentProfile, Vec<(NaiveDate, usize, CaseAction)>);

/// One child of the ledger: the case to hold its steps, and the facts in the order to record
/// them (the opening first), each with the ledger's line it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerCase {
    pub case_id: String,
    pub school: String,
    pub facts: Vec<(usize, CaseAction)>,
}

impl LedgerCase {
    /// Names the child's school by its id in the jurisdiction tree (a ledger may give its
    /// name).
    pub fn set_school(&mut self, school: &str) {
        self.school = school.to_string();
        for (_, action) in &mut self.facts {
            if let CaseAction::OpenCase(opening) = action {
                opening.student.school = school.to_string();
            }
        }
    }
}

/// Reads a ledger (CSV text, as `list_file` makes any file) dated `ledger_date`: a case per
/// child, or every row refused. Texts the facts hold that the ledger does not give (the
/// opening's reason, who recorded an absence) are written in Chinese, the county's language.
pub fn read_ledger(text: &str, ledger_date: NaiveDate) -> Result<Vec<LedgerCase>, Vec<RowRefusal>> {
    let table = Table::read(text, &LEDGER_COLUMNS).map_err(|r| vec![r])?;
    table
        .require(&[
            NAME,
            STUDENT_NUMBER,
            ID_NUMBER,
            SCHOOL,
            GRADE,
            CLASS,
            STEP,
            DATE,
        ])
        .map_err(|r| vec![r])?;
    let mut refused = Vec::new();
    // student number → (the child's first line, its profile, its steps (day, line, action)).
    let mut children: BTreeMap<String, Child> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    // The child the rows above are about: `Some(None)` when its row was refused (the rows
    // that continue it are then passed over: its refusal is the one to fix).
    let mut current: Option<Option<String>> = None;
    for (row, record) in &table.rows {
        let row = *row;
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                refused.push(RowRefusal::new(
                    row,
                    None,
                    Message::new(Msg::RowUnreadable).with("reason", reason.as_str()),
                ));
                current = Some(None);
                continue;
            }
        };
        let cell = |column: Column| table.cell(record, column.name);
        let continues = CHILD.iter().all(|c| cell(*c).is_empty());
        let number = if continues {
            match &current {
                Some(Some(number)) => number.clone(),
                Some(None) => continue,
                None => {
                    refused.push(RowRefusal::new(
                        row,
                        Some(NAME.name),
                        Message::new(Msg::RowNoChild),
                    ));
                    continue;
                }
            }
        } else {
            match profile(row, &cell) {
                Ok(profile) => {
                    let number = profile.student_number.clone();
                    if let Some((first, known, _)) = children.get(&number) {
                        if let Some(column) = differs(known, &profile) {
                            refused.push(RowRefusal::new(
                                row,
                                Some(column),
                                Message::new(Msg::RowChildDiffers).with("line", *first),
                            ));
                            current = Some(None);
                            continue;
                        }
                    } else {
                        order.push(number.clone());
                        children.insert(number.clone(), (row, profile, Vec::new()));
                    }
                    number
                }
                Err(refusal) => {
                    refused.push(refusal);
                    current = Some(None);
                    continue;
                }
            }
        };
        current = Some(Some(number.clone()));
        let Some((_, profile, steps)) = children.get_mut(&number) else {
            continue;
        };
        match step(row, &cell, profile, ledger_date) {
            Ok((day, action)) => steps.push((day, row, action)),
            Err(refusal) => refused.push(refusal),
        }
    }
    if children.is_empty() && refused.is_empty() {
        refused.push(RowRefusal::new(1, None, Message::new(Msg::ListEmpty)));
    }
    if !refused.is_empty() {
        refused.sort_by_key(|r| r.row);
        return Err(refused);
    }
    let reason = Message::new(Msg::LedgerImportedReason)
        .with("date", ledger_date)
        .text(Lang::Zh);
    Ok(order
        .into_iter()
        .filter_map(|number| children.remove(&number))
        .map(|(first, profile, mut steps)| {
            steps.sort_by_key(|(day, row, _)| (*day, *row));
            let opened_on = steps.first().map_or(ledger_date, |(day, _, _)| *day);
            let mut facts = vec![(
                first,
                CaseAction::OpenCase(CaseOpening {
                    on: opened_on,
                    student: profile.clone(),
                    reason: Some(reason.clone()),
                }),
            )];
            facts.extend(steps.into_iter().map(|(_, row, action)| (row, action)));
            LedgerCase {
                case_id: ledger_case_id(&profile.student_number),
                school: profile.school,
                facts,
            }
        })
        .collect())
}

/// The facts of a ledger case still to record on the case as it stands (`recorded`: its
/// events so far; none for a new case), each checked by the case as of `today`; or the rows
/// it refuses. A fact already on the case as the ledger gives it is not recorded again.
pub fn plan_ledger_case(
    ledger: &LedgerCase,
    recorded: &[CaseEvent],
    today: NaiveDate,
) -> Result<Vec<(usize, CaseAction)>, Vec<RowRefusal>> {
    let mut trial = StudentCase::from_events(recorded.to_vec());
    let mut to_record = Vec::new();
    let mut refused = Vec::new();
    for (row, action) in &ledger.facts {
        if let Some(event) = event_of(action)
            && recorded.contains(&event)
        {
            continue;
        }
        match trial.decide(CaseCommand::new(today, action.clone())) {
            Ok(event) => {
                trial.apply(event);
                to_record.push((*row, action.clone()));
            }
            Err(error) => refused.push(RowRefusal::new(
                *row,
                Some(column_of(action, error.field())),
                Message::new(Msg::RowCaseRefuses).with("reason", error.message()),
            )),
        }
    }
    if refused.is_empty() {
        Ok(to_record)
    } else {
        Err(refused)
    }
}

/// The event an imported fact records.
fn event_of(action: &CaseAction) -> Option<CaseEvent> {
    Some(match action.clone() {
        CaseAction::OpenCase(f) => CaseEvent::CaseOpened(f),
        CaseAction::RecordAbsence(f) => CaseEvent::AbsenceRecorded(f),
        CaseAction::RecordParentContact(f) => CaseEvent::ParentContacted(f),
        CaseAction::RecordHomeVisit(f) => CaseEvent::HomeVisitConducted(f),
        CaseAction::ReportUpward(f) => CaseEvent::ReportSubmitted(f),
        CaseAction::RecordReturn(f) => CaseEvent::ReturnedToSchool(f),
        _ => return None,
    })
}

/// The ledger's column that holds a refused fact's field.
fn column_of(action: &CaseAction, field: Option<&str>) -> &'static str {
    let field = field.unwrap_or_default();
    match action {
        CaseAction::OpenCase(_) => match field {
            "student.student_number" => STUDENT_NUMBER.name,
            "student.name" => NAME.name,
            "student.school" => SCHOOL.name,
            "student.grade" => GRADE.name,
            "student.class" => CLASS.name,
            "student.head_teacher" => HEAD_TEACHER.name,
            "student.guardians.relation" => GUARDIAN_RELATION.name,
            "student.guardians.phone" => GUARDIAN_PHONE.name,
            f if f.starts_with("student.guardians") => GUARDIAN.name,
            "student.birth_date" | "student.gender" => ID_NUMBER.name,
            _ => DATE.name,
        },
        _ => match field {
            "on" | "" => DATE.name,
            "reference" => REFERENCE.name,
            "guardian" => GUARDIAN.name,
            "note" | "summary" => NOTE.name,
            f if f.contains("name") || f.starts_with("by") || f.starts_with("participants") => {
                BY.name
            }
            f if f.starts_with("signed_by") => BY.name,
            _ => STEP.name,
        },
    }
}

/// The child a row names.
fn profile<'a>(row: usize, cell: &dyn Fn(Column) -> &'a str) -> Result<StudentProfile, RowRefusal> {
    let id = parse_id_number(&cell(ID_NUMBER).to_uppercase()).map_err(|_| {
        RowRefusal::new(row, Some(ID_NUMBER.name), Message::new(Msg::RowBadIdNumber))
    })?;
    let grade = cell(GRADE);
    let grade = grade
        .trim_end_matches("年级")
        .parse::<u8>()
        .ok()
        .or_else(|| chinese_grade(grade))
        .ok_or_else(|| {
            RowRefusal::new(
                row,
                Some(GRADE.name),
                Message::new(Msg::RowBadCount).with("value", shown(grade)),
            )
        })?;
    Ok(StudentProfile {
        // The ledger's ID number, checked above: the case holds it as the ledger does.
        id_number: Some(cell(ID_NUMBER).to_uppercase()),
        student_number: cell(STUDENT_NUMBER).to_string(),
        name: cell(NAME).to_string(),
        gender: id.gender,
        birth_date: id.birth_date,
        school: cell(SCHOOL).to_string(),
        grade,
        class: cell(CLASS).to_string(),
        head_teacher: cell(HEAD_TEACHER).to_string(),
        guardians: vec![Guardian {
            name: cell(GUARDIAN).to_string(),
            relation: cell(GUARDIAN_RELATION).to_string(),
            phone: cell(GUARDIAN_PHONE).to_string(),
        }],
        focus_groups: Default::default(),
    })
}

/// 一年级 … 九年级 (and 初一 … 初三).
fn chinese_grade(value: &str) -> Option<u8> {
    const PRIMARY: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const JUNIOR: [&str; 3] = ["初一", "初二", "初三"];
    if let Some(i) = JUNIOR.iter().position(|g| *g == value) {
        return u8::try_from(i + 7).ok();
    }
    let digit = value.trim_end_matches("年级");
    PRIMARY
        .iter()
        .position(|g| *g == digit)
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// The first child column in which a later row of the same child says otherwise.
fn differs(known: &StudentProfile, row: &StudentProfile) -> Option<&'static str> {
    if known.name != row.name {
        Some(NAME.name)
    } else if (known.birth_date, known.gender) != (row.birth_date, row.gender) {
        Some(ID_NUMBER.name)
    } else if known.school != row.school {
        Some(SCHOOL.name)
    } else if known.grade != row.grade {
        Some(GRADE.name)
    } else if known.class != row.class {
        Some(CLASS.name)
    } else {
        None
    }
}

fn choice<T: Copy>(
    row: usize,
    column: Column,
    value: &str,
    choices: &[(&[&str], T)],
) -> Result<T, RowRefusal> {
    let lower = value.to_lowercase();
    choices
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let listed: Vec<String> = choices.iter().map(|(names, _)| names.join("/")).collect();
            RowRefusal::new(
                row,
                Some(column.name),
                Message::new(Msg::RowBadChoice)
                    .with("value", shown(value))
                    .with("choices", listed.join(", ")),
            )
        })
}

#[derive(Clone, Copy)]
enum StepKind {
    Absence,
    Call,
    Visit,
    Report,
    Return,
}

const STEP_KINDS: &[(&[&str], StepKind)] = &[
    (&["absence", "缺勤", "旷课"], StepKind::Absence),
    (&["call", "电话联系", "联系家长"], StepKind::Call),
    (&["visit", "家访", "劝返"], StepKind::Visit),
    (&["report", "上报", "报告"], StepKind::Report),
    (&["return", "返校", "复学"], StepKind::Return),
];

const ROLES: &[(&[&str], Role)] = &[
    (&["head_teacher", "班主任"], Role::HeadTeacher),
    (
        &["responsible_leader", "分管负责人", "分管校长"],
        Role::ResponsibleLeader,
    ),
    (&["principal", "校长"], Role::Principal),
    (
        &["township_officer", "乡镇干部", "乡镇政府"],
        Role::TownshipOfficer,
    ),
    (&["bureau_officer", "教育局"], Role::BureauOfficer),
    (&["inspector", "督学"], Role::Inspector),
    (&["village_cadre", "村干部"], Role::VillageCadre),
    (&["other", "其他"], Role::Other),
];

/// Splits a cell that may name several people or roles.
fn several(value: &str) -> Vec<&str> {
    value
        .split([';', '；', '、', ',', '，'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// Who took a step: each person the `by` column names, with the role `by_role` gives (one
/// for all, or one each).
fn takers<'a>(
    row: usize,
    cell: &dyn Fn(Column) -> &'a str,
) -> Result<Vec<Participant>, RowRefusal> {
    let people = several(cell(BY));
    let roles = several(cell(BY_ROLE))
        .into_iter()
        .map(|role| choice(row, BY_ROLE, role, ROLES))
        .collect::<Result<Vec<Role>, _>>()?;
    if people.is_empty() {
        return Err(RowRefusal::new(
            row,
            Some(BY.name),
            Message::new(Msg::Blank),
        ));
    }
    match roles.len() {
        1 => Ok(people
            .iter()
            .map(|p| Participant::new(*p, roles[0]))
            .collect()),
        n if n == people.len() => Ok(people
            .iter()
            .zip(roles)
            .map(|(p, role)| Participant::new(*p, role))
            .collect()),
        0 => Err(RowRefusal::new(
            row,
            Some(BY_ROLE.name),
            Message::new(Msg::Blank),
        )),
        n => Err(RowRefusal::new(
            row,
            Some(BY_ROLE.name),
            Message::new(Msg::RowRolesDontPair)
                .with("roles", n)
                .with("people", people.len()),
        )),
    }
}

/// A note that keeps who the ledger says took a step that has no place for it.
fn note_with_by<'a>(cell: &dyn Fn(Column) -> &'a str) -> Option<String> {
    let (note, by) = (cell(NOTE), cell(BY));
    match (note.is_empty(), by.is_empty()) {
        (true, true) => None,
        (false, true) => Some(note.to_string()),
        (true, false) => Some(
            Message::new(Msg::LedgerNoteBy)
                .with("by", by)
                .text(Lang::Zh),
        ),
        (false, false) => Some(
            Message::new(Msg::LedgerNoteWithBy)
                .with("note", note)
                .with("by", by)
                .text(Lang::Zh),
        ),
    }
}

fn optional(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// The step a row records, with its day.
fn step<'a>(
    row: usize,
    cell: &dyn Fn(Column) -> &'a str,
    profile: &StudentProfile,
    ledger_date: NaiveDate,
) -> Result<(NaiveDate, CaseAction), RowRefusal> {
    let kind = choice(row, STEP, cell(STEP), STEP_KINDS)?;
    let Ok(on) = NaiveDate::parse_from_str(cell(DATE), "%Y-%m-%d") else {
        return Err(RowRefusal::new(
            row,
            Some(DATE.name),
            Message::new(Msg::RowBadDate).with("value", shown(cell(DATE))),
        ));
    };
    if on > ledger_date {
        return Err(RowRefusal::new(
            row,
            Some(DATE.name),
            Message::new(Msg::RowStepAfterLedger)
                .with("date", on)
                .with("ledger_date", ledger_date),
        ));
    }
    let action = match kind {
        StepKind::Absence => CaseAction::RecordAbsence(Absence {
            on,
            note: note_with_by(cell),
        }),
        StepKind::Return => CaseAction::RecordReturn(Return {
            on,
            note: note_with_by(cell),
        }),
        StepKind::Call => {
            let by = takers(row, cell)?.remove(0);
            let reached = choice(
                row,
                OUTCOME,
                cell(OUTCOME),
                &[
                    (&["reached", "已联系上", "联系上", "是"], true),
                    (&["not_reached", "未联系上", "否"], false),
                ],
            )?;
            let guardian = profile
                .guardians
                .first()
                .map(|g| g.name.clone())
                .unwrap_or_default();
            CaseAction::RecordParentContact(ParentContact {
                on,
                by,
                guardian,
                channel: ContactChannel::Phone,
                reached,
                reason_given: None,
                note: optional(cell(NOTE)),
            })
        }
        StepKind::Visit => {
            let outcome = if cell(OUTCOME).is_empty() {
                VisitOutcome::Other
            } else {
                choice(
                    row,
                    OUTCOME,
                    cell(OUTCOME),
                    &[
                        (
                            &["agreed_to_return", "同意返校"],
                            VisitOutcome::AgreedToReturn,
                        ),
                        (&["refused", "拒绝"], VisitOutcome::Refused),
                        (&["nobody_home", "无人在家"], VisitOutcome::NobodyHome),
                        (&["other", "其他"], VisitOutcome::Other),
                    ],
                )?
            };
            CaseAction::RecordHomeVisit(HomeVisit {
                on,
                participants: takers(row, cell)?,
                outcome,
                // A legacy ledger names no measures in the plan's words: none is claimed.
                measures: Default::default(),
                note: optional(cell(NOTE)),
            })
        }
        StepKind::Report => {
            let recipient = choice(
                row,
                OUTCOME,
                cell(OUTCOME),
                &[
                    (
                        &["township_government", "乡镇政府"],
                        Recipient::TownshipGovernment,
                    ),
                    (
                        &["county_bureau", "县教育局", "教育局"],
                        Recipient::CountyBureau,
                    ),
                ],
            )?;
            CaseAction::ReportUpward(Report {
                on,
                recipient,
                reference: cell(REFERENCE).to_string(),
                signed_by: takers(row, cell)?.remove(0),
                summary: optional(cell(NOTE)),
            })
        }
    };
    Ok((on, action))
}
