//! Reading the lists a county imports, row by row, with the row number and the reason for
//! every row refused. Pure: the text comes in, rows and refusals go out.
//!
//! Grade 6 → junior middle school watch: the list of grade-6 leavers and the junior middle
//! schools' enrolments at term start; every leaver enrolled nowhere becomes a case owned by the
//! primary school he left (the plan: "劝返复学工作主要由学生六年级毕业时所在中心校、小学负责").

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use notoneless_i18n::{Lang, Message, Msg};
use serde::{Deserialize, Serialize};

use crate::case::StudentCase;
use crate::command::{CaseAction, CaseCommand};
use crate::event::CaseOpening;
use crate::values::{Gender, Guardian, StudentProfile};

/// The case id of a grade-6 leaver's watch case: the same for the same child, always.
pub fn grade6_case_id(student_number: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("notoneless/grade6-watch/{student_number}").as_bytes(),
    )
    .to_string()
}

/// A row refused, by its line number in the file (the header is line 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// The header of the leavers' list.
pub const LEAVERS_HEADER: [&str; 9] = [
    "student_number",
    "name",
    "gender",
    "birth_date",
    "school",
    "class",
    "guardian",
    "guardian_relation",
    "guardian_phone",
];
/// The header of the enrolments' list.
pub const ENROLMENTS_HEADER: [&str; 2] = ["student_number", "school"];

/// The data rows of a CSV list with this header, each numbered by the line of the file it
/// starts on; a row the CSV reader cannot read comes back as the reason.
pub(crate) type Rows = Vec<(usize, Result<csv::StringRecord, String>)>;

pub(crate) fn rows(text: &str, header: &[&str]) -> Result<Rows, RowError> {
    let (found, rows) = records(text).map_err(|reason| RowError {
        row: 1,
        field: None,
        reason: format!("cannot read the header: {reason}"),
    })?;
    if found != header {
        return Err(RowError {
            row: 1,
            field: None,
            reason: format!("the header must be {}", header.join(",")),
        });
    }
    Ok(rows)
}

/// The header (its cells trimmed) and the data rows of a CSV list, each row numbered by the
/// line of the file it starts on; a header the CSV reader cannot read is the reason.
pub(crate) fn records(text: &str) -> Result<(Vec<String>, Rows), String> {
    let text = text.trim_start_matches('\u{feff}').as_bytes();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    // A row is named by the line it starts on, counted from its first byte: a quoted cell may
    // hold line breaks and blank lines are skipped, so neither the row's index nor the
    // reader's own line count is its line.
    let mut out = Vec::new();
    let (mut line, mut counted_to) = (1, 0);
    for record in reader.records() {
        let position = match &record {
            Ok(record) => record.position(),
            Err(error) => error.position(),
        };
        let mut start = position
            .and_then(|p| usize::try_from(p.byte()).ok())
            .map_or(text.len(), |b| b.min(text.len()));
        // The position is where the reader began, before the blank lines it skipped.
        while matches!(text.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += line_ends(&text[counted_to.min(start)..start]);
        counted_to = start;
        out.push((line, record.map_err(|e| e.to_string())));
    }
    Ok((found, out))
}

/// A row refused, in the catalogue's words: its line in the file (the header is line 1; a
/// workbook's row), the column at fault where there is one, and why. The imports of a
/// school's files (roll calls, a county's ledger) refuse rows so; [`RowRefusal::in_lang`]
/// writes one as a [`RowError`] in a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRefusal {
    pub row: usize,
    pub column: Option<String>,
    pub reason: Message,
}

impl RowRefusal {
    pub fn new(row: usize, column: Option<&str>, reason: Message) -> Self {
        Self {
            row,
            column: column.map(str::to_string),
            reason,
        }
    }

    /// The refusal written in `lang`.
    pub fn in_lang(&self, lang: Lang) -> RowError {
        RowError {
            row: self.row,
            field: self.column.clone(),
            reason: self.reason.text(lang),
        }
    }
}

/// A column of a list a school or a county keeps: its name in the template and the Chinese
/// name a header may give it instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub zh: &'static str,
}

/// The columns a header names, as `name/中文名` each, for the messages.
pub fn describe_columns(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| format!("{}/{}", c.name, c.zh))
        .collect::<Vec<_>>()
        .join(",")
}

/// A list read with a header of known columns, in any order, each named in English or in
/// Chinese: where each column is, and the rows.
pub(crate) struct Table {
    columns: BTreeMap<&'static str, usize>,
    pub rows: Rows,
}

impl Table {
    /// Reads the list; a header that names a column twice or one this list does not have is
    /// refused at line 1. `known` are every column the list may have.
    pub(crate) fn read(text: &str, known: &[Column]) -> Result<Table, RowRefusal> {
        let (header, rows) = records(text).map_err(|reason| {
            RowRefusal::new(
                1,
                None,
                Message::new(Msg::ListHeaderUnreadable).with("reason", reason),
            )
        })?;
        let mut columns = BTreeMap::new();
        for (i, cell) in header.iter().enumerate() {
            if cell.is_empty() && i + 1 == header.len() {
                continue;
            }
            let Some(column) = known.iter().find(|c| c.name == cell || c.zh == cell) else {
                return Err(RowRefusal::new(
                    1,
                    Some(cell),
                    Message::new(Msg::ListUnknownColumn)
                        .with("column", shown(cell))
                        .with("expected", describe_columns(known)),
                ));
            };
            if columns.insert(column.name, i).is_some() {
                return Err(RowRefusal::new(
                    1,
                    Some(column.name),
                    Message::new(Msg::ListColumnTwice).with("column", column.name),
                ));
            }
        }
        Ok(Table { columns, rows })
    }

    pub(crate) fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// Refuses the list at line 1 if its header lacks one of these columns.
    pub(crate) fn require(&self, columns: &[Column]) -> Result<(), RowRefusal> {
        match columns.iter().find(|c| !self.has(c.name)) {
            None => Ok(()),
            Some(missing) => Err(RowRefusal::new(
                1,
                Some(missing.name),
                Message::new(Msg::ListMissingColumn)
                    .with("column", format!("{}/{}", missing.name, missing.zh)),
            )),
        }
    }

    /// A row's cell in a column, trimmed; empty when the row or the header lacks it.
    pub(crate) fn cell<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns
            .get(column)
            .and_then(|&i| record.get(i))
            .map_or("", str::trim)
    }
}

/// How many lines end in these bytes: at `\n`, `\r\n` or a lone `\r`, as the CSV reader
/// ends them.
fn line_ends(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// A cell as a refusal shows it: quoted, and cut after its first 40 characters, so that a
/// cell of megabytes is not sent back whole.
pub(crate) fn shown(value: &str) -> String {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        None => format!("{value:?}"),
        Some((end, _)) => format!(
            "{:?}… ({} characters)",
            &value[..end],
            value.chars().count()
        ),
    }
}

/// A grade-6 leaver, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaver {
    pub row: usize,
    pub student: StudentProfile,
}

/// Reads the leavers' list; every refused row is reported, the others kept.
pub fn read_leavers(text: &str) -> (Vec<Leaver>, Vec<RowError>) {
    let rows = match rows(text, &LEAVERS_HEADER) {
        Ok(rows) => rows,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut leavers = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (row, record) in rows {
        let refuse = |field: Option<&str>, reason: String| RowError {
            row,
            field: field.map(str::to_string),
            reason,
        };
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                errors.push(refuse(None, reason));
                continue;
            }
        };
        if record.len() != LEAVERS_HEADER.len() {
            errors.push(refuse(
                None,
                format!(
                    "has {} fields, expected {}",
                    record.len(),
                    LEAVERS_HEADER.len()
                ),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default().trim().to_string();
        let gender = match field(2).as_str() {
            "male" | "男" => Gender::Male,
            "female" | "女" => Gender::Female,
            other => {
                errors.push(refuse(
                    Some("gender"),
                    format!("{} is not male/男 or female/女", shown(other)),
                ));
                continue;
            }
        };
        let Ok(birth_date) = NaiveDate::parse_from_str(&field(3), "%Y-%m-%d") else {
            errors.push(refuse(
                Some("birth_date"),
                format!("{} is not a date YYYY-MM-DD", shown(&field(3))),
            ));
            continue;
        };
        let student = StudentProfile {
            student_number: field(0),
            name: field(1),
            gender,
            birth_date,
            school: field(4),
            grade: 6,
            class: field(5),
            head_teacher: "（毕业班主任）".into(),
            guardians: vec![Guardian {
                name: field(6),
                relation: field(7),
                phone: field(8),
            }],
            focus_groups: BTreeSet::new(),
            id_number: None,
        };
        if !seen.insert(student.student_number.clone()) {
            errors.push(refuse(
                Some("student_number"),
                format!("{} is listed twice", shown(&student.student_number)),
            ));
            continue;
        }
        leavers.push(Leaver { row, student });
    }
    (leavers, errors)
}

/// Reads the enrolments' list: student number → (row, junior middle school).
pub fn read_enrolments(text: &str) -> (BTreeMap<String, (usize, String)>, Vec<RowError>) {
    let rows = match rows(text, &ENROLMENTS_HEADER) {
        Ok(rows) => rows,
        Err(e) => return (BTreeMap::new(), vec![e]),
    };
    let mut enrolled = BTreeMap::new();
    let mut errors = Vec::new();
    for (row, record) in rows {
        let refuse = |field: Option<&str>, reason: String| RowError {
            row,
            field: field.map(str::to_string),
            reason,
        };
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                errors.push(refuse(None, reason));
                continue;
            }
        };
        let number = record.get(0).unwrap_or_default().trim().to_string();
        let school = record.get(1).unwrap_or_default().trim().to_string();
        if record.len() != 2 || number.is_empty() || school.is_empty() {
            errors.push(refuse(
                None,
                "expected a student number and a school".into(),
            ));
            continue;
        }
        enrolled.insert(number, (row, school));
    }
    (enrolled, errors)
}

/// One case to open for a leaver enrolled nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedCase {
    pub row: usize,
    pub opening: CaseOpening,
}

/// The outcome of planning the grade-6 watch: cases to open, leavers found enrolled, and every
/// refused row of either list (a leaver whose details a case would refuse is refused here, with
/// the field and the rule).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grade6Plan {
    pub to_open: Vec<PlannedCase>,
    pub enrolled: usize,
    pub leaver_errors: Vec<RowError>,
    pub enrolment_errors: Vec<RowError>,
}

/// Plans the grade-6 watch as of `on` (the day the junior middle schools' term started).
pub fn plan_grade6_watch(
    leavers_csv: &str,
    enrolments_csv: &str,
    on: NaiveDate,
    today: NaiveDate,
) -> Grade6Plan {
    let (leavers, mut leaver_errors) = read_leavers(leavers_csv);
    let (enrolled, enrolment_errors) = read_enrolments(enrolments_csv);
    let mut plan = Grade6Plan {
        enrolment_errors,
        ..Grade6Plan::default()
    };
    for leaver in leavers {
        if enrolled.contains_key(&leaver.student.student_number) {
            plan.enrolled += 1;
            continue;
        }
        let opening = CaseOpening {
            on,
            student: leaver.student,
            reason: Some(
                "grade-6 leaver enrolled at no junior middle school at term start (小升初未入学)"
                    .into(),
            ),
        };
        let check = StudentCase::default().decide(CaseCommand::new(
            today,
            CaseAction::OpenCase(opening.clone()),
        ));
        match check {
            Ok(_) => plan.to_open.push(PlannedCase {
                row: leaver.row,
                opening,
            }),
            Err(e) => leaver_errors.push(RowError {
                row: leaver.row,
                field: e.field().map(str::to_string),
                reason: e.to_string(),
            }),
        }
    }
    leaver_errors.sort_by_key(|e| e.row);
    plan.leaver_errors = leaver_errors;
    plan
}
