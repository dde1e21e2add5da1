//! A school's roll calls as the school keeps them in a file, read into [`RollCall`]s and
//! checked against the school's roll calls on record. Pure: text in, roll calls or refused
//! rows out. Two shapes, told apart by the header:
//!
//! - **per class and day** (`date,class,enrolled,present,absent`): one row per class and day;
//!   `absent` lists the children absent as `学籍号:姓名`, `学籍号:姓名:请假` for a child on
//!   leave, separated by `;`, `；` or `、` (empty: the zero report);
//! - **per absent child** (`date,class,enrolled,present,student_number,name,excused`): one row
//!   per child absent, the class's counts repeated on each; a class and day with nobody absent
//!   is one row with the child's columns empty.
//!
//! Every column may be named in Chinese instead (日期, 班级, 应到, 实到, 缺勤名单, 学籍号, 姓名,
//! 请假). Each roll call is then decided by the school's roll-call aggregate, as a roll call
//! posted alone is: a list is recorded whole or not at all, and a roll call already on record
//! as it is in the file is not recorded again.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cqrs_es::Aggregate;
use notoneless_i18n::{Message, Msg};

use crate::imports::{Column, RowRefusal, Table, describe_columns, shown};
use crate::roll_call::{NamedAbsence, RollCall, RollCallCommand, SchoolRollCalls};

const DATE: Column = Column {
    name: "date",
    zh: "日期",
};
const CLASS: Column = Column {
    name: "class",
    zh: "班级",
};
const ENROLLED: Column = Column {
    name: "enrolled",
    zh: "应到",
};
const PRESENT: Column = Column {
    name: "present",
    zh: "实到",
};
const ABSENT: Column = Column {
    name: "absent",
    zh: "缺勤名单",
};
const STUDENT_NUMBER: Column = Column {
    name: "student_number",
    zh: "学籍号",
};
const NAME: Column = Column {
    name: "name",
    zh: "姓名",
};
const EXCUSED: Column = Column {
    name: "excused",
    zh: "请假",
};

/// The header of a roll-call file with one row per class and day.
pub const ROLL_CALL_PER_CLASS_DAY: [Column; 5] = [DATE, CLASS, ENROLLED, PRESENT, ABSENT];
/// The header of a roll-call file with one row per absent child.
pub const ROLL_CALL_PER_ABSENT_CHILD: [Column; 7] = [
    DATE,
    CLASS,
    ENROLLED,
    PRESENT,
    STUDENT_NUMBER,
    NAME,
    EXCUSED,
];

/// The two shapes of a roll-call file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RollCallShape {
    PerClassDay,
    PerAbsentChild,
}

/// One roll call read from a file, with the lines it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FiledRollCall {
    pub rows: Vec<usize>,
    pub roll_call: RollCall,
}

/// What importing a roll-call file comes to: the roll calls to record, and those already on
/// record as they are in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollCallFilePlan {
    pub shape: RollCallShape,
    pub to_record: Vec<FiledRollCall>,
    pub unchanged: Vec<FiledRollCall>,
}

/// Reads a roll-call file (CSV text, as `list_file` makes any file) and checks every roll
/// call against the school's roll calls on record as of `today`: the plan, or every row
/// refused (and then nothing is to be recorded).
pub fn plan_roll_call_file(
    text: &str,
    recorded: &SchoolRollCalls,
    today: NaiveDate,
) -> Result<RollCallFilePlan, Vec<RowRefusal>> {
    // Rows that cannot be read and roll calls the school refuses are reported together.
    let (shape, filed, mut refused) = read_rows(text).map_err(|r| vec![r])?;
    let mut trial = recorded.clone();
    let mut plan = RollCallFilePlan {
        shape,
        to_record: Vec::new(),
        unchanged: Vec::new(),
    };
    for filed in filed {
        let first_row = filed.rows.first().copied().unwrap_or(1);
        let same_day = recorded
            .roll_calls
            .iter()
            .find(|r| r.on == filed.roll_call.on && r.class.trim() == filed.roll_call.class.trim());
        match same_day {
            Some(on_record) if *on_record == filed.roll_call => plan.unchanged.push(filed),
            Some(_) => refused.push(RowRefusal::new(
                first_row,
                Some(CLASS.name),
                Message::new(Msg::RowRollCallRecordedOtherwise).with("date", filed.roll_call.on),
            )),
            None => match trial.decide(RollCallCommand {
                today,
                roll_call: filed.roll_call.clone(),
            }) {
                Ok(event) => {
                    trial.apply(event);
                    plan.to_record.push(filed);
                }
                Err(error) => refused.push(RowRefusal::new(
                    first_row,
                    error.field().map(|field| column_of(field, shape)),
                    error.message(),
                )),
            },
        }
    }
    if refused.is_empty() {
        Ok(plan)
    } else {
        refused.sort_by_key(|r| r.row);
        Err(refused)
    }
}

/// The file's column that holds what a roll call's field says.
fn column_of(field: &str, shape: RollCallShape) -> &'static str {
    match (field, shape) {
        ("on", _) => DATE.name,
        ("enrolled", _) => ENROLLED.name,
        ("present", _) => PRESENT.name,
        (_, RollCallShape::PerClassDay) if field.starts_with("absent") => ABSENT.name,
        ("absent.name", RollCallShape::PerAbsentChild) => NAME.name,
        (_, RollCallShape::PerAbsentChild) if field.starts_with("absent") => STUDENT_NUMBER.name,
        _ => CLASS.name,
    }
}

/// Reads a roll-call file into roll calls in the order of the file, each with its lines; or
/// every row refused.
pub fn read_roll_call_file(
    text: &str,
) -> Result<(RollCallShape, Vec<FiledRollCall>), Vec<RowRefusal>> {
    let (shape, filed, refused) = read_rows(text).map_err(|r| vec![r])?;
    if refused.is_empty() {
        Ok((shape, filed))
    } else {
        Err(refused)
    }
}

/// The roll calls of the rows that can be read, and every row that cannot; or the header
/// refused.
#[allow(clippy::type_complexity)]
fn read_rows(
    text: &str,
) -> Result<(RollCallShape, Vec<FiledRollCall>, Vec<RowRefusal>), RowRefusal> {
    let mut known = ROLL_CALL_PER_ABSENT_CHILD.to_vec();
    known.push(ABSENT);
    let table = Table::read(text, &known)?;
    let shape = if table.has(STUDENT_NUMBER.name) || table.has(NAME.name) {
        RollCallShape::PerAbsentChild
    } else if table.has(ABSENT.name) {
        RollCallShape::PerClassDay
    } else {
        return Err(RowRefusal::new(
            1,
            None,
            Message::new(Msg::RollCallShapeUnknown)
                .with("class_day", describe_columns(&ROLL_CALL_PER_CLASS_DAY))
                .with(
                    "absent_child",
                    describe_columns(&ROLL_CALL_PER_ABSENT_CHILD),
                ),
        ));
    };
    let header: &[Column] = match shape {
        RollCallShape::PerClassDay => &ROLL_CALL_PER_CLASS_DAY,
        RollCallShape::PerAbsentChild => &ROLL_CALL_PER_ABSENT_CHILD,
    };
    table.require(header)?;
    if shape == RollCallShape::PerAbsentChild && table.has(ABSENT.name) {
        return Err(RowRefusal::new(
            1,
            Some(ABSENT.name),
            Message::new(Msg::RollCallShapeUnknown)
                .with("class_day", describe_columns(&ROLL_CALL_PER_CLASS_DAY))
                .with(
                    "absent_child",
                    describe_columns(&ROLL_CALL_PER_ABSENT_CHILD),
                ),
        ));
    }
    let mut refused = Vec::new();
    // (day, class) → index in `filed`.
    let mut index: BTreeMap<(NaiveDate, String), usize> = BTreeMap::new();
    let mut filed: Vec<FiledRollCall> = Vec::new();
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
                continue;
            }
        };
        let cell = |column: Column| table.cell(record, column.name);
        let mut refuse = |column: Column, reason: Message| {
            refused.push(RowRefusal::new(row, Some(column.name), reason));
        };
        let Ok(on) = NaiveDate::parse_from_str(cell(DATE), "%Y-%m-%d") else {
            refuse(
                DATE,
                Message::new(Msg::RowBadDate).with("value", shown(cell(DATE))),
            );
            continue;
        };
        let class = cell(CLASS).to_string();
        let (Some(enrolled), Some(present)) = (count(cell(ENROLLED)), count(cell(PRESENT))) else {
            let column = if count(cell(ENROLLED)).is_none() {
                ENROLLED
            } else {
                PRESENT
            };
            refuse(
                column,
                Message::new(Msg::RowBadCount).with("value", shown(cell(column))),
            );
            continue;
        };
        let absent = match shape {
            RollCallShape::PerClassDay => match absent_list(cell(ABSENT)) {
                Ok(absent) => absent,
                Err(entry) => {
                    refuse(
                        ABSENT,
                        Message::new(Msg::RowBadAbsentEntry).with("value", shown(&entry)),
                    );
                    continue;
                }
            },
            RollCallShape::PerAbsentChild => {
                let (number, name) = (cell(STUDENT_NUMBER), cell(NAME));
                if number.is_empty() && name.is_empty() {
                    Vec::new()
                } else {
                    let Some(excused) = yes_or_no(cell(EXCUSED)) else {
                        refuse(
                            EXCUSED,
                            Message::new(Msg::RowBadChoice)
                                .with("value", shown(cell(EXCUSED)))
                                .with("choices", "yes/是/请假, no/否 (empty: no)"),
                        );
                        continue;
                    };
                    vec![NamedAbsence {
                        student_number: number.to_string(),
                        name: name.to_string(),
                        excused,
                    }]
                }
            }
        };
        let key = (on, class.trim().to_string());
        match (shape, index.get(&key)) {
            (RollCallShape::PerAbsentChild, Some(&i)) => {
                let earlier = &mut filed[i];
                if (earlier.roll_call.enrolled, earlier.roll_call.present) != (enrolled, present) {
                    let column = if earlier.roll_call.enrolled != enrolled {
                        ENROLLED
                    } else {
                        PRESENT
                    };
                    let line = earlier.rows[0];
                    refuse(
                        column,
                        Message::new(Msg::RowClassDayDiffers).with("line", line),
                    );
                    continue;
                }
                earlier.rows.push(row);
                earlier.roll_call.absent.extend(absent);
            }
            _ => {
                // Per class and day, a second row of the same class and day is refused by the
                // aggregate, as a second roll call posted would be.
                index.entry(key).or_insert(filed.len());
                filed.push(FiledRollCall {
                    rows: vec![row],
                    roll_call: RollCall {
                        on,
                        class,
                        enrolled,
                        present,
                        absent,
                    },
                });
            }
        }
    }
    if filed.is_empty() && refused.is_empty() {
        refused.push(RowRefusal::new(1, None, Message::new(Msg::ListEmpty)));
    }
    Ok((shape, filed, refused))
}

/// A count of children: a whole number (a workbook may write `30` as `30.0`).
fn count(value: &str) -> Option<u32> {
    value
        .parse::<u32>()
        .ok()
        .or_else(|| value.strip_suffix(".0").and_then(|v| v.parse().ok()))
}

/// Whether a child was on leave: empty is no.
fn yes_or_no(value: &str) -> Option<bool> {
    match value.to_lowercase().as_str() {
        "" | "no" | "false" | "0" | "否" | "n" => Some(false),
        "yes" | "true" | "1" | "是" | "y" | "请假" | "excused" => Some(true),
        _ => None,
    }
}

/// The children named in an `absent` cell; the entry that cannot be read, if one cannot.
fn absent_list(value: &str) -> Result<Vec<NamedAbsence>, String> {
    value
        .split([';', '；', '、'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let parts: Vec<&str> = entry.split([':', '：']).map(str::trim).collect();
            let excused = match parts.get(2) {
                None => Some(false),
                Some(flag) => yes_or_no(flag),
            };
            match (parts.as_slice(), excused) {
                ([number, name] | [number, name, _], Some(excused))
                    if !number.is_empty() && !name.is_empty() =>
                {
                    Ok(NamedAbsence {
                        student_number: number.to_string(),
                        name: name.to_string(),
                        excused,
                    })
                }
                _ => Err(entry.to_string()),
            }
        })
        .collect()
}
