//! The ledger (台账) export: one line per case, in CSV with Chinese headers (UTF-8 with a
//! byte-order mark, CRLF line ends, so that spreadsheet programs open it as it is).

use chrono::{DateTime, Utc};
use notoneless_domain::{CaseEvent, CaseStatus, Gender, Organisation, StudentCase, assess};

use crate::error::StoreError;
use crate::store::Store;

/// The ledger's columns.
pub const LEDGER_HEADER: [&str; 15] = [
    "案件编号",
    "学籍号",
    "姓名",
    "性别",
    "出生日期",
    "乡镇",
    "学校",
    "年级",
    "班级",
    "状态",
    "当前连续无故缺课天数",
    "未完成事项",
    "转出去向",
    "休学预计返校",
    "最后记录时间",
];

/// A CSV field, quoted when it must be (RFC 4180).
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// One CSV line, CRLF-terminated.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| csv_field(f.as_ref())).collect();
    format!("{}\r\n", cells.join(","))
}

fn ledger_line(
    case_id: &str,
    case: &StudentCase,
    org: &Organisation,
    store: &Store,
    now: DateTime<Utc>,
    last_recorded: Option<DateTime<Utc>>,
) -> Option<String> {
    let profile = case.profile()?;
    let rules = store.rules.get();
    let assessment = assess(case, &rules.calendar, &rules.ladder, now);
    let status = match assessment.status {
        CaseStatus::NotOpened => "未立案",
        CaseStatus::Enrolled { .. } => match assessment.current() {
            Some(_) => "缺课中",
            None => "在校",
        },
        CaseStatus::Suspended { .. } => "休学",
        CaseStatus::TransferPending { .. } => "转出待确认",
        CaseStatus::TransferredOut { .. } => "已转出",
        CaseStatus::Closed { .. } => "已结案",
    };
    let destination = case
        .live()
        .filter_map(|(_, e)| match e {
            CaseEvent::TransferredOut(t) => Some(t.destination_school.clone()),
            _ => None,
        })
        .last();
    let expected_return = match assessment.status {
        CaseStatus::Suspended {
            expected_return, ..
        } => expected_return.to_string(),
        _ => String::new(),
    };
    let fields = [
        case_id.to_string(),
        profile.student_number.clone(),
        profile.name.clone(),
        match profile.gender {
            Gender::Male => "男",
            Gender::Female => "女",
        }
        .to_string(),
        profile.birth_date.to_string(),
        org.township_of(&profile.school)
            .and_then(|t| org.nodes.get(t))
            .map_or_else(String::new, |n| n.name.clone()),
        org.nodes
            .get(&profile.school)
            .map_or_else(|| profile.school.clone(), |n| n.name.clone()),
        profile.grade.to_string(),
        profile.class.clone(),
        status.to_string(),
        assessment
            .current()
            .map_or(0, |e| e.day_count())
            .to_string(),
        assessment.outstanding().count().to_string(),
        destination.unwrap_or_default(),
        expected_return,
        last_recorded.map(|t| t.to_rfc3339()).unwrap_or_default(),
    ];
    Some(csv_line(&fields))
}

/// The ledger of every case in the given schools (`None`: all), as CSV text.
pub async fn ledger_csv(store: &Store, schools: Option<&[String]>) -> Result<String, StoreError> {
    let now = store.clock.now();
    let snapshot = store.org.current();
    let mut out = format!("\u{feff}{}", csv_line(&LEDGER_HEADER));
    let events = crate::log::all_case_events(&store.db).await?;
    // The events come case by case, each case's in sequence order.
    for stream in events.chunk_by(|a, b| a.aggregate_id == b.aggregate_id) {
        let case = crate::log::fold(stream)?;
        let in_scope = case
            .profile()
            .is_some_and(|p| schools.is_none_or(|s| s.contains(&p.school)));
        if !in_scope {
            continue;
        }
        let last = stream.iter().map(|e| e.recorded_at).max();
        if let Some(line) = ledger_line(
            &stream[0].aggregate_id,
            &case,
            &snapshot.org,
            store,
            now,
            last,
        ) {
            out.push_str(&line);
        }
    }
    Ok(out)
}
