//! Reading the lists a county imports, row by row, with the row number and the reason for
//! every row refused. Pure: the text comes in, rows and refusals go out.
//!
//! Grade 6 → junior middle school watch: the list of grade-6 leavers and the junior middle
//! schools' enrolments at term start; every leaver enrolled nowhere becomes a case owned by the
//! primary school he left (the plan: "劝返复学工作主要由学生六年级毕业时所在中心校、小学负责").

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use notoneless_i18n::{Arg, Lang, Message, Msg};
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

/// A row refused, as an answer shows it: its line in the file (the header is line 1), the
/// list it is in where an import reads several (`leavers_csv`), the column at fault where there
/// is one, the catalogue's id of the reason (`code`, for programs) and the reason in the
/// answer's language ([`RowRefusal::in_lang`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub code: String,
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

pub(crate) fn rows(text: &str, header: &[&str]) -> Result<Rows, RowRefusal> {
    let (found, rows) = records(text).map_err(|reason| {
        RowRefusal::new(
            1,
            None,
            Message::new(Msg::ListHeaderUnreadable).with("reason", reason),
        )
    })?;
    if found != header {
        return Err(RowRefusal::new(
            1,
            None,
            Message::new(Msg::ListHeaderMustBe).with("header", header.join(",")),
        ));
    }
    Ok(rows)
}

/// Why a row with `count` cells is refused where `expected` are wanted.
pub(crate) fn field_count(count: usize, expected: usize) -> Message {
    Message::new(Msg::RowFieldCount)
        .with("count", count)
        .with("expected", expected)
}

/// Why a row the CSV reader cannot read is refused.
pub(crate) fn unreadable(reason: String) -> Message {
    Message::new(Msg::RowUnreadable).with("reason", reason)
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
/// workbook's row), the list it is in where an import reads several, the column at fault
/// where there is one, and why. Every import refuses rows so; [`RowRefusal::in_lang`] writes
/// one as a [`RowError`] in a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRefusal {
    pub row: usize,
    pub list: Option<String>,
    pub column: Option<String>,
    pub reason: Message,
}

impl RowRefusal {
    pub fn new(row: usize, column: Option<&str>, reason: Message) -> Self {
        Self {
            row,
            list: None,
            column: column.map(str::to_string),
            reason,
        }
    }

    /// The refusal, naming the list it is in (`leavers_csv`).
    pub fn in_list(mut self, list: &str) -> Self {
        self.list = Some(list.to_string());
        self
    }

    /// The refusal written in `lang`.
    pub fn in_lang(&self, lang: Lang) -> RowError {
        RowError {
            row: self.row,
            list: self.list.clone(),
            field: self.column.clone(),
            code: self.reason.msg.id().to_string(),
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
pub(crate) fn shown(value: &str) -> Arg {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        None => Arg::Text(format!("{value:?}")),
        Some((end, _)) => Arg::Message(Box::new(
            Message::new(Msg::CellCut)
                .with("start", format!("{:?}", &value[..end]))
                .with("count", value.chars().count()),
        )),
    }
}

/// Why a gender cell is refused: it is neither male/男 nor female/女.
pub(crate) fn bad_gender(value: &str) -> Message {
    Message::new(Msg::RowBadChoice)
        .with("value", shown(value))
        .with("choices", "male/男, female/女")
}

/// Why a date cell is refused: it is not a day YYYY-MM-DD.
pub(crate) fn bad_date(value: &str) -> Message {
    Message::new(Msg::RowBadDate).with("value", shown(value))
}

/// A grade-6 leaver, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaver {
    pub row: usize,
    pub student: StudentProfile,
}

/// Reads the leavers' list; every refused row is reported, the others kept.
pub fn read_leavers(text: &str) -> (Vec<Leaver>, Vec<RowRefusal>) {
    let rows = match rows(text, &LEAVERS_HEADER) {
        Ok(rows) => rows,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut leavers = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeMap::new();
    for (row, record) in rows {
        let refuse = |field: Option<&str>, reason: Message| RowRefusal::new(row, field, reason);
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                errors.push(refuse(None, unreadable(reason)));
                continue;
            }
        };
        if record.len() != LEAVERS_HEADER.len() {
            errors.push(refuse(
                None,
                field_count(record.len(), LEAVERS_HEADER.len()),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default().trim().to_string();
        let gender = match field(2).as_str() {
            "male" | "男" => Gender::Male,
            "female" | "女" => Gender::Female,
            other => {
                errors.push(refuse(Some("gender"), bad_gender(other)));
                continue;
            }
        };
        let Ok(birth_date) = NaiveDate::parse_from_str(&field(3), "%Y-%m-%d") else {
            errors.push(refuse(Some("birth_date"), bad_date(&field(3))));
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
        if let Some(first) = seen.get(&student.student_number) {
            errors.push(refuse(
                Some("student_number"),
                Message::new(Msg::RowListedTwice)
                    .with("value", shown(&student.student_number))
                    .with("line", *first),
            ));
            continue;
        }
        seen.insert(student.student_number.clone(), row);
        leavers.push(Leaver { row, student });
    }
    (leavers, errors)
}

/// Reads the enrolments' list: student number → (row, junior middle school).
pub fn read_enrolments(text: &str) -> (BTreeMap<String, (usize, String)>, Vec<RowRefusal>) {
    let rows = match rows(text, &ENROLMENTS_HEADER) {
        Ok(rows) => rows,
        Err(e) => return (BTreeMap::new(), vec![e]),
    };
    let mut enrolled = BTreeMap::new();
    let mut errors = Vec::new();
    for (row, record) in rows {
        let refuse = |field: Option<&str>, reason: Message| RowRefusal::new(row, field, reason);
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                errors.push(refuse(None, unreadable(reason)));
                continue;
            }
        };
        let number = record.get(0).unwrap_or_default().trim().to_string();
        let school = record.get(1).unwrap_or_default().trim().to_string();
        if record.len() != 2 || number.is_empty() || school.is_empty() {
            errors.push(refuse(None, Message::new(Msg::RowNeedsNumberAndSchool)));
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
    pub leaver_errors: Vec<RowRefusal>,
    pub enrolment_errors: Vec<RowRefusal>,
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
            Err(e) => leaver_errors.push(RowRefusal::new(leaver.row, e.field(), e.message())),
        }
    }
    leaver_errors.sort_by_key(|e| e.row);
    plan.leaver_errors = leaver_errors;
    plan
}
