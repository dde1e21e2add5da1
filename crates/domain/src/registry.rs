//! The registry cross-check (学籍/户籍比对): the household register's school-age children
//! compared with the county's school rolls. Pure: the two lists come in as text, the findings
//! per child and every refused row go out, and [`reconcile`] says what one child's case must
//! record so that its open findings are exactly what the latest cross-check found.
//!
//! What it finds, per child:
//!
//! * **not on roll** (未入学): in the register, registration not cancelled, on no roll;
//! * **nominal registration** (空挂): on a roll, but the school counts the child as not there;
//! * **duplicate** (重复): the same ID number on two or more roll entries;
//! * **wrong** (错误): the roll's ID number is not a valid one, or the roll's name, gender or
//!   birth date disagree with the register or with the ID number itself;
//! * **cancelled** (注销): on a roll although the register says the registration is cancelled.
//!
//! A child on a roll but not in the register is not a finding (children of migrant workers
//! study where their parents work). A child with any refused row, in either list, is left out
//! of this cross-check altogether: nothing is found and nothing is cleared for him, so that a
//! typing error in one row can neither raise a false finding nor hide a true one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use notoneless_i18n::{Message, Msg};
use serde::{Deserialize, Serialize};

use crate::case::StudentCase;
use crate::command::CaseAction;
use crate::event::{CaseOpening, RegistryClearance, RegistryFinding};
use crate::imports::{RowRefusal, bad_date, bad_gender, field_count, rows, shown, unreadable};
use crate::values::{self, Gender, Guardian, RegistryIssue, StudentProfile};

/// The header of the household register's list (户籍). `status` is `normal`/`正常` or
/// `cancelled`/`注销`.
pub const REGISTER_HEADER: [&str; 10] = [
    "id_number",
    "name",
    "gender",
    "birth_date",
    "township",
    "catchment_school",
    "guardian",
    "guardian_relation",
    "guardian_phone",
    "status",
];

/// The header of the school rolls' list (学籍). `attending` is `yes`/`是` when the school
/// counts the child in class, `no`/`否` when not.
pub const ROLL_HEADER: [&str; 12] = [
    "student_number",
    "id_number",
    "name",
    "gender",
    "birth_date",
    "school",
    "grade",
    "class",
    "attending",
    "guardian",
    "guardian_relation",
    "guardian_phone",
];

/// The youngest and oldest age (on the day of the extract) of compulsory education.
pub const SCHOOL_AGE: std::ops::RangeInclusive<u32> = 6..=15;

/// What a resident ID number (GB 11643) says about its holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdNumber {
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

/// Reads an 18-character resident ID number: 17 digits and a check character (a digit or X)
/// that must agree with them, a real birth date at positions 7–14, and the gender in the 17th
/// digit (odd: male).
pub fn parse_id_number(value: &str) -> Result<IdNumber, &'static str> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = value.as_bytes();
    if bytes.len() != 18 {
        return Err("an ID number has 18 characters");
    }
    let mut digits = [0u32; 17];
    for (digit, byte) in digits.iter_mut().zip(bytes) {
        if !byte.is_ascii_digit() {
            return Err("the first 17 characters of an ID number are digits");
        }
        *digit = u32::from(byte - b'0');
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let expected = CHECK[(sum % 11) as usize];
    if bytes[17].to_ascii_uppercase() != expected {
        return Err("the check character of the ID number does not match");
    }
    let birth_date = NaiveDate::parse_from_str(&value[6..14], "%Y%m%d")
        .map_err(|_| "characters 7 to 14 of the ID number are not a date")?;
    let gender = if digits[16] % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok(IdNumber { birth_date, gender })
}

/// Composes a valid ID number from a 6-digit area code, a birth date, a sequence (0–99) and a
/// gender: the inverse of [`parse_id_number`], for demo data and tests. `None` when the area
/// code is not 6 digits or the sequence is too large.
pub fn compose_id_number(
    area: &str,
    birth_date: NaiveDate,
    sequence: u8,
    gender: Gender,
) -> Option<String> {
    if area.len() != 6 || !area.bytes().all(|b| b.is_ascii_digit()) || sequence > 99 {
        return None;
    }
    let gender_digit = match gender {
        Gender::Male => 1,
        Gender::Female => 2,
    };
    let body = format!(
        "{area}{}{sequence:02}{gender_digit}",
        birth_date.format("%Y%m%d")
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = char::from(b"10X98765432"[(sum % 11) as usize]);
    Some(format!("{body}{check}"))
}

/// The case id of a child's registry case: the same for the same child, always. `identity`
/// is the ID number, or `roll:<student number>` when the roll's ID number is not valid.
pub fn registry_case_id(identity: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("notoneless/registry/{identity}").as_bytes(),
    )
    .to_string()
}

/// A child of the household register, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterChild {
    pub row: usize,
    pub id_number: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub township: String,
    pub catchment_school: String,
    pub guardian: Guardian,
    pub cancelled: bool,
}

/// An entry of a school roll, read and checked. Its ID number may be invalid: that is a
/// finding, not a refused row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollEntry {
    pub row: usize,
    pub student_number: String,
    pub id_number: String,
    /// Why the ID number is not a valid one, if it is not.
    pub id_problem: Option<&'static str>,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub school: String,
    pub grade: u8,
    pub class: String,
    pub attending: bool,
    pub guardian: Guardian,
}

impl RollEntry {
    /// Who the entry is, for the cross-check: the ID number when it is valid, else the roll's
    /// student number.
    pub fn identity(&self) -> String {
        match self.id_problem {
            None => self.id_number.clone(),
            Some(_) => roll_identity(&self.student_number),
        }
    }
}

fn roll_identity(student_number: &str) -> String {
    format!("roll:{student_number}")
}

fn gender(value: &str) -> Option<Gender> {
    match value {
        "male" | "男" => Some(Gender::Male),
        "female" | "女" => Some(Gender::Female),
        _ => None,
    }
}

fn date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
}

/// A row's fields, trimmed, or the reason it has the wrong number of them.
fn fields(
    record: Result<csv::StringRecord, String>,
    width: usize,
) -> Result<Vec<String>, (Option<&'static str>, Message)> {
    let record = record.map_err(|reason| (None, unreadable(reason)))?;
    if record.len() != width {
        return Err((None, field_count(record.len(), width)));
    }
    Ok(record.iter().map(|f| f.trim().to_string()).collect())
}

fn refuse(row: usize, field: Option<&str>, reason: Message) -> RowRefusal {
    RowRefusal::new(row, field, reason)
}

/// Why a cell that must name a school of the county is refused.
fn not_a_school(value: &str) -> Message {
    Message::new(Msg::RowNotACountySchool).with("value", shown(value))
}

/// Why a blank cell is refused.
fn blank() -> Message {
    Message::new(Msg::Blank)
}

/// The guardian of a row, checked as a case opening would check it.
fn guardian(name: &str, relation: &str, phone: &str) -> Result<Guardian, (&'static str, Message)> {
    let check = |field: &'static str, r: Result<(), crate::error::CaseError>| {
        r.map_err(|e| (field, e.message()))
    };
    check("guardian", values::required("guardian", name))?;
    check(
        "guardian_relation",
        values::required("guardian_relation", relation),
    )?;
    check("guardian_phone", values::phone("guardian_phone", phone))?;
    Ok(Guardian {
        name: name.to_string(),
        relation: relation.to_string(),
        phone: phone.to_string(),
    })
}

/// The identities a refused row may concern: its ID number as written and its student number,
/// so that the child is left out of the cross-check.
fn unsettled_by(record: &[String], id_index: usize, number_index: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(id) = record.get(id_index).filter(|s| !s.is_empty()) {
        out.push(id.to_uppercase());
    }
    if let Some(number) = number_index
        .and_then(|i| record.get(i))
        .filter(|s| !s.is_empty())
    {
        out.push(roll_identity(number));
    }
    out
}

/// Reads the household register as of `on` (the day of the extract). `schools` are the
/// county's schools: a catchment school must be one.
pub fn read_register(
    text: &str,
    on: NaiveDate,
    schools: &BTreeSet<String>,
) -> (Vec<RegisterChild>, Vec<RowRefusal>, BTreeSet<String>) {
    let rows = match rows(text, &REGISTER_HEADER) {
        Ok(rows) => rows,
        Err(e) => return (Vec::new(), vec![e], BTreeSet::new()),
    };
    let mut children: Vec<RegisterChild> = Vec::new();
    let mut errors = Vec::new();
    let mut unsettled = BTreeSet::new();
    let mut first_row: BTreeMap<String, usize> = BTreeMap::new();
    for (row, record) in rows {
        let f = match fields(record, REGISTER_HEADER.len()) {
            Ok(f) => f,
            Err((field, reason)) => {
                errors.push(refuse(row, field, reason));
                continue;
            }
        };
        match read_register_row(row, &f, on, schools) {
            Ok(child) => {
                if let Some(first) = first_row.get(&child.id_number) {
                    errors.push(refuse(
                        row,
                        Some("id_number"),
                        Message::new(Msg::RowListedTwice)
                            .with("value", shown(&child.id_number))
                            .with("line", *first),
                    ));
                    continue;
                }
                first_row.insert(child.id_number.clone(), row);
                children.push(child);
            }
            Err((field, reason)) => {
                unsettled.extend(unsettled_by(&f, 0, None));
                errors.push(refuse(row, Some(field), reason));
            }
        }
    }
    children.retain(|c| !unsettled.contains(&c.id_number));
    (children, errors, unsettled)
}

fn read_register_row(
    row: usize,
    f: &[String],
    on: NaiveDate,
    schools: &BTreeSet<String>,
) -> Result<RegisterChild, (&'static str, Message)> {
    let id_number = f[0].to_uppercase();
    let id = parse_id_number(&id_number)
        .map_err(|_| ("id_number", Message::new(Msg::RowBadIdNumber)))?;
    if f[1].is_empty() {
        return Err(("name", blank()));
    }
    let gender = gender(&f[2]).ok_or_else(|| ("gender", bad_gender(&f[2])))?;
    let birth_date = date(&f[3]).ok_or_else(|| ("birth_date", bad_date(&f[3])))?;
    if gender != id.gender {
        return Err(("gender", Message::new(Msg::RowDisagreesWithIdNumber)));
    }
    if birth_date != id.birth_date {
        return Err(("birth_date", Message::new(Msg::RowDisagreesWithIdNumber)));
    }
    let age = on.years_since(birth_date).unwrap_or(0);
    if !SCHOOL_AGE.contains(&age) {
        return Err((
            "birth_date",
            Message::new(Msg::RowNotSchoolAge)
                .with("age", age)
                .with("on", on)
                .with("youngest", *SCHOOL_AGE.start())
                .with("oldest", *SCHOOL_AGE.end()),
        ));
    }
    if f[4].is_empty() {
        return Err(("township", blank()));
    }
    if !schools.contains(&f[5]) {
        return Err(("catchment_school", not_a_school(&f[5])));
    }
    let guardian = guardian(&f[6], &f[7], &f[8])?;
    let cancelled = match f[9].as_str() {
        "normal" | "正常" => false,
        "cancelled" | "注销" => true,
        other => {
            return Err((
                "status",
                Message::new(Msg::RowBadChoice)
                    .with("value", shown(other))
                    .with("choices", "normal/正常, cancelled/注销"),
            ));
        }
    };
    Ok(RegisterChild {
        row,
        id_number,
        name: f[1].clone(),
        gender,
        birth_date,
        township: f[4].clone(),
        catchment_school: f[5].clone(),
        guardian,
        cancelled,
    })
}

/// Reads the school rolls. `schools` are the county's schools: a roll's school must be one.
pub fn read_roll(
    text: &str,
    schools: &BTreeSet<String>,
) -> (Vec<RollEntry>, Vec<RowRefusal>, BTreeSet<String>) {
    let rows = match rows(text, &ROLL_HEADER) {
        Ok(rows) => rows,
        Err(e) => return (Vec::new(), vec![e], BTreeSet::new()),
    };
    let mut entries: Vec<RollEntry> = Vec::new();
    let mut errors = Vec::new();
    let mut unsettled = BTreeSet::new();
    let mut first_row: BTreeMap<String, usize> = BTreeMap::new();
    for (row, record) in rows {
        let f = match fields(record, ROLL_HEADER.len()) {
            Ok(f) => f,
            Err((field, reason)) => {
                errors.push(refuse(row, field, reason));
                continue;
            }
        };
        match read_roll_row(row, &f, schools) {
            Ok(entry) => {
                if let Some(first) = first_row.get(&entry.student_number) {
                    errors.push(refuse(
                        row,
                        Some("student_number"),
                        Message::new(Msg::RowListedTwice)
                            .with("value", shown(&entry.student_number))
                            .with("line", *first),
                    ));
                    continue;
                }
                first_row.insert(entry.student_number.clone(), row);
                entries.push(entry);
            }
            Err((field, reason)) => {
                unsettled.extend(unsettled_by(&f, 1, Some(0)));
                errors.push(refuse(row, Some(field), reason));
            }
        }
    }
    (entries, errors, unsettled)
}

fn read_roll_row(
    row: usize,
    f: &[String],
    schools: &BTreeSet<String>,
) -> Result<RollEntry, (&'static str, Message)> {
    values::student_number("student_number", &f[0]).map_err(|e| ("student_number", e.message()))?;
    let id_number = f[1].to_uppercase();
    let id_problem = if id_number.is_empty() {
        Some("the roll has no ID number")
    } else {
        parse_id_number(&id_number).err()
    };
    if f[2].is_empty() {
        return Err(("name", blank()));
    }
    let gender = gender(&f[3]).ok_or_else(|| ("gender", bad_gender(&f[3])))?;
    let birth_date = date(&f[4]).ok_or_else(|| ("birth_date", bad_date(&f[4])))?;
    if !schools.contains(&f[5]) {
        return Err(("school", not_a_school(&f[5])));
    }
    let grade = f[6]
        .parse::<u8>()
        .ok()
        .filter(|g| (1..=9).contains(g))
        .ok_or_else(|| {
            (
                "grade",
                Message::new(Msg::RowBadGrade).with("value", shown(&f[6])),
            )
        })?;
    if f[7].is_empty() {
        return Err(("class", blank()));
    }
    let attending = match f[8].as_str() {
        "yes" | "是" => true,
        "no" | "否" => false,
        other => {
            return Err((
                "attending",
                Message::new(Msg::RowBadChoice)
                    .with("value", shown(other))
                    .with("choices", "yes/是, no/否"),
            ));
        }
    };
    let guardian = guardian(&f[9], &f[10], &f[11])?;
    Ok(RollEntry {
        row,
        student_number: f[0].clone(),
        id_number,
        id_problem,
        name: f[2].clone(),
        gender,
        birth_date,
        school: f[5].clone(),
        grade,
        class: f[7].clone(),
        attending,
        guardian,
    })
}

/// One problem found for one child: what, and the lines of either list that show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub detail: String,
    pub register_rows: Vec<usize>,
    pub roll_rows: Vec<usize>,
}

/// Everything the cross-check found about one child, and the case file to hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildFindings {
    /// The ID number, or `roll:<student number>` when the roll's ID number is not valid.
    pub identity: String,
    /// The child as a case would be opened for him, at the school that answers for him: the
    /// school whose roll the problem is on, or the catchment school of a child on no roll.
    pub profile: StudentProfile,
    pub found: BTreeMap<RegistryIssue, Found>,
}

/// The outcome of a cross-check: the children with findings, every identity it examined
/// (a finding still open for a child examined and not found again is cleared) with the
/// school that answers for him, the identities left out because of a refused row, and the
/// refused rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrossCheck {
    pub children: Vec<ChildFindings>,
    /// identity → the school that answers for the child (as [`ChildFindings::profile`] says)
    pub examined: BTreeMap<String, String>,
    /// The lines of the register and of the roll that show each child examined, by identity.
    pub lines: BTreeMap<String, (Vec<usize>, Vec<usize>)>,
    pub unsettled: BTreeSet<String>,
    pub register_errors: Vec<RowRefusal>,
    pub roll_errors: Vec<RowRefusal>,
}

/// The grade a child of this age would be in, for a child on no roll: six on the first of
/// September of the school year enters grade 1.
fn expected_grade(birth_date: NaiveDate, on: NaiveDate) -> u8 {
    let school_year = if on.month() >= 9 {
        on.year()
    } else {
        on.year() - 1
    };
    let september = NaiveDate::from_ymd_opt(school_year, 9, 1).unwrap_or(on);
    let age = september.years_since(birth_date).unwrap_or(6);
    u8::try_from(age.saturating_sub(5)).unwrap_or(9).clamp(1, 9)
}

/// Compares the register with the rolls as of `on`.
pub fn cross_check(
    register_csv: &str,
    roll_csv: &str,
    on: NaiveDate,
    schools: &BTreeSet<String>,
) -> CrossCheck {
    let (register, register_errors, mut unsettled) = read_register(register_csv, on, schools);
    let (roll, roll_errors, roll_unsettled) = read_roll(roll_csv, schools);
    unsettled.extend(roll_unsettled);
    let mut entries_of: BTreeMap<String, Vec<&RollEntry>> = BTreeMap::new();
    for entry in &roll {
        entries_of.entry(entry.identity()).or_default().push(entry);
    }
    let register_of: BTreeMap<&str, &RegisterChild> =
        register.iter().map(|c| (c.id_number.as_str(), c)).collect();
    let mut out = CrossCheck {
        register_errors,
        roll_errors,
        ..CrossCheck::default()
    };
    let mut identities: BTreeSet<String> = entries_of.keys().cloned().collect();
    identities.extend(register.iter().map(|c| c.id_number.clone()));
    for identity in identities {
        let entries: &[&RollEntry] = entries_of.get(&identity).map_or(&[], Vec::as_slice);
        let registered = register_of.get(identity.as_str()).copied();
        let unsettled_here = unsettled.contains(&identity)
            || entries
                .iter()
                .any(|e| unsettled.contains(&roll_identity(&e.student_number)));
        if unsettled_here {
            continue;
        }
        if let Some(school) = answering_school(registered, entries) {
            out.examined.insert(identity.clone(), school);
        }
        out.lines.insert(
            identity.clone(),
            (
                registered.map(|c| vec![c.row]).unwrap_or_default(),
                entries.iter().map(|e| e.row).collect(),
            ),
        );
        if let Some(child) = examine(&identity, registered, entries, on) {
            out.children.push(child);
        }
    }
    out.unsettled = unsettled;
    out
}

/// The entry of a child's roll entries that answers for him: the first the school counts in
/// class, else the first.
fn home_entry<'a>(entries: &[&'a RollEntry]) -> Option<&'a RollEntry> {
    entries
        .iter()
        .find(|e| e.attending)
        .or_else(|| entries.first())
        .copied()
}

/// The school that answers for a child: the school of his answering roll entry, else the
/// catchment school of his register line.
fn answering_school(registered: Option<&RegisterChild>, entries: &[&RollEntry]) -> Option<String> {
    home_entry(entries)
        .map(|e| e.school.clone())
        .or_else(|| registered.map(|c| c.catchment_school.clone()))
}

/// What one child's register line and roll entries show.
fn examine(
    identity: &str,
    registered: Option<&RegisterChild>,
    entries: &[&RollEntry],
    on: NaiveDate,
) -> Option<ChildFindings> {
    let mut found = BTreeMap::new();
    let register_rows: Vec<usize> = registered.iter().map(|c| c.row).collect();
    let all_rows: Vec<usize> = entries.iter().map(|e| e.row).collect();
    let mut add = |kind, detail: String, roll_rows: Vec<usize>| {
        found.insert(
            kind,
            Found {
                detail,
                register_rows: register_rows.clone(),
                roll_rows,
            },
        );
    };
    let home = home_entry(entries);
    match (registered, home) {
        (None, None) => return None,
        (Some(child), None) => {
            if !child.cancelled {
                add(
                    RegistryIssue::NotOnRoll,
                    format!(
                        "in the household register of {} (line {}), on no school roll of the county; catchment school {}",
                        child.township, child.row, child.catchment_school
                    ),
                    vec![],
                );
            }
        }
        (registered, Some(_)) => {
            if let Some(child) = registered
                && child.cancelled
            {
                let schools: Vec<&str> = entries.iter().map(|e| e.school.as_str()).collect();
                add(
                    RegistryIssue::Cancelled,
                    format!(
                        "household registration cancelled (register line {}), still on the roll of {}",
                        child.row,
                        schools.join(", ")
                    ),
                    all_rows.clone(),
                );
            }
            if entries.len() > 1 {
                let places: Vec<String> = entries
                    .iter()
                    .map(|e| format!("{} (line {})", e.school, e.row))
                    .collect();
                add(
                    RegistryIssue::Duplicate,
                    format!("on {} roll entries: {}", entries.len(), places.join(", ")),
                    all_rows.clone(),
                );
            }
            let absent: Vec<&&RollEntry> = entries.iter().filter(|e| !e.attending).collect();
            if !entries.iter().any(|e| e.attending) {
                let places: Vec<String> = absent
                    .iter()
                    .map(|e| format!("{} (line {})", e.school, e.row))
                    .collect();
                add(
                    RegistryIssue::NominalRegistration,
                    format!(
                        "on the roll of {} but not counted in class",
                        places.join(", ")
                    ),
                    absent.iter().map(|e| e.row).collect(),
                );
            }
            let mut wrong = Vec::new();
            let mut wrong_rows = Vec::new();
            for entry in entries {
                let mut problems: Vec<String> = Vec::new();
                match (entry.id_problem, parse_id_number(&entry.id_number)) {
                    (Some(problem), _) => problems.push(problem.to_string()),
                    (None, Ok(id)) => {
                        if id.birth_date != entry.birth_date {
                            problems.push("birth date disagrees with the ID number".into());
                        }
                        if id.gender != entry.gender {
                            problems.push("gender disagrees with the ID number".into());
                        }
                    }
                    (None, Err(_)) => {}
                }
                if let Some(child) = registered {
                    if child.name != entry.name {
                        problems.push("name differs from the household register".into());
                    }
                    if child.birth_date != entry.birth_date {
                        problems.push("birth date differs from the household register".into());
                    }
                    if child.gender != entry.gender {
                        problems.push("gender differs from the household register".into());
                    }
                }
                problems.dedup();
                if !problems.is_empty() {
                    wrong.push(format!(
                        "{} line {}: {}",
                        entry.school,
                        entry.row,
                        problems.join("; ")
                    ));
                    wrong_rows.push(entry.row);
                }
            }
            if !wrong.is_empty() {
                add(RegistryIssue::Wrong, wrong.join(" / "), wrong_rows);
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    let profile = match (home, registered) {
        (Some(entry), registered) => StudentProfile {
            student_number: entry.student_number.clone(),
            name: entry.name.clone(),
            gender: entry.gender,
            birth_date: entry.birth_date,
            school: entry.school.clone(),
            grade: entry.grade,
            class: entry.class.clone(),
            head_teacher: "（学籍比对未载明）".into(),
            guardians: vec![
                registered.map_or_else(|| entry.guardian.clone(), |c| c.guardian.clone()),
            ],
            focus_groups: BTreeSet::new(),
            // The register's number, else the roll's when it is a valid one.
            id_number: registered
                .map(|c| c.id_number.clone())
                .or_else(|| entry.id_problem.is_none().then(|| entry.id_number.clone())),
        },
        (None, Some(child)) => StudentProfile {
            // The national student number is "G" followed by the ID number.
            student_number: format!("G{}", child.id_number),
            name: child.name.clone(),
            gender: child.gender,
            birth_date: child.birth_date,
            school: child.catchment_school.clone(),
            grade: expected_grade(child.birth_date, on),
            class: "（未入学）".into(),
            head_teacher: "（未入学）".into(),
            guardians: vec![child.guardian.clone()],
            focus_groups: BTreeSet::new(),
            id_number: Some(child.id_number.clone()),
        },
        (None, None) => return None,
    };
    Some(ChildFindings {
        identity: identity.to_string(),
        profile,
        found,
    })
}

/// What a cross-check's lists cover: the whole county, some townships or some schools. An
/// import raises and clears findings only at the schools its scope covers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ListScope {
    #[default]
    County,
    Townships(Vec<String>),
    Schools(Vec<String>),
}

impl ListScope {
    /// The schools it covers in `org`; `Err` names a township or school `org` does not know
    /// as such, or an empty list.
    pub fn schools(&self, org: &crate::org::Organisation) -> Result<BTreeSet<String>, String> {
        use crate::org::NodeKind;
        let of_kind = |ids: &[String], kind: NodeKind| -> Result<(), String> {
            if ids.is_empty() {
                return Err(String::new());
            }
            match ids
                .iter()
                .find(|id| org.nodes.get(id.as_str()).is_none_or(|n| n.kind != kind))
            {
                Some(id) => Err(id.clone()),
                None => Ok(()),
            }
        };
        Ok(match self {
            ListScope::County => org.schools().into_iter().collect(),
            ListScope::Townships(ids) => {
                of_kind(ids, NodeKind::Township)?;
                ids.iter().flat_map(|t| org.schools_within(t)).collect()
            }
            ListScope::Schools(ids) => {
                of_kind(ids, NodeKind::School)?;
                ids.iter().cloned().collect()
            }
        })
    }
}

/// What one child's case must record after a cross-check, and how each kind of finding fares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildPlan {
    /// The actions, in order (the opening first when the case has none).
    pub actions: Vec<CaseAction>,
    /// Found now and not open before: recorded.
    pub new: Vec<RegistryIssue>,
    /// Found now and still open: nothing recorded.
    pub unchanged: Vec<RegistryIssue>,
    /// Found now, but resolved before with a document (an exemption on file): nothing
    /// recorded; listed for the bureau to see.
    pub explained: Vec<(RegistryIssue, u64)>,
    /// Open before and not found now, the child in the lists: cleared.
    pub cleared: Vec<RegistryIssue>,
    /// Open before, and the child in neither list: kept open ("not in the latest lists"),
    /// since a child's absence from a list shows nothing resolved.
    pub not_in_lists: Vec<RegistryIssue>,
}

/// Plans one child's case after the cross-check `name` of `on`: open the case if it has never
/// been opened (with `profile`), record every finding found and not open, clear every open
/// finding not found, but only when the child is `in_lists` (examined by this cross-check:
/// the lists show the condition resolved); a child in neither list keeps his open findings,
/// listed as not in the latest lists.
pub fn reconcile(
    case: &StudentCase,
    profile: Option<&StudentProfile>,
    found: &BTreeMap<RegistryIssue, Found>,
    in_lists: bool,
    name: &str,
    on: NaiveDate,
) -> ChildPlan {
    let mut plan = ChildPlan::default();
    if case.opening().is_none() {
        let Some(profile) = profile else {
            return plan;
        };
        if found.is_empty() {
            return plan;
        }
        plan.actions.push(CaseAction::OpenCase(CaseOpening {
            on,
            student: profile.clone(),
            reason: Some("registry cross-check finding (学籍/户籍比对)".into()),
        }));
    }
    for kind in RegistryIssue::ALL {
        let open = case.open_registry_finding(kind).is_some();
        match found.get(&kind) {
            Some(_) if open => plan.unchanged.push(kind),
            Some(f) => match case.documented_resolution(kind) {
                Some(sequence) => plan.explained.push((kind, sequence)),
                None => {
                    plan.new.push(kind);
                    plan.actions
                        .push(CaseAction::RecordRegistryFinding(RegistryFinding {
                            on,
                            kind,
                            detail: f.detail.clone(),
                            cross_check: name.to_string(),
                        }));
                }
            },
            None if open && !in_lists => plan.not_in_lists.push(kind),
            None if open => {
                plan.cleared.push(kind);
                plan.actions
                    .push(CaseAction::ClearRegistryFinding(RegistryClearance {
                        on,
                        kind,
                        cross_check: name.to_string(),
                    }));
            }
            None => {}
        }
    }
    plan
}
