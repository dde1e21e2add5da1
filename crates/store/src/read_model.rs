//! The case-status read model: one row per case and one per obligation, computed with the
//! domain's `assess()` so that there is one definition of the rule.
//!
//! Obligations turn overdue by the passage of time, not by an event. A row therefore records
//! when it was assessed and `stale_after`, the first instant at which time alone can change
//! it (the end of the local day, while a step is open or an episode is running). A read at `T`
//! before `stale_after` is exact; a read after it re-assesses the case from the log at `T`. The
//! projector also refreshes stale rows as it goes.

use chrono::{DateTime, NaiveDate, Utc};
use notoneless_domain::{
    Assessment, CaseContribution, ObligationKind, ObligationStatus, ReviewSettings, assess,
};
use notoneless_i18n::Message;
use serde::Serialize;
use serde_json::Value;

use crate::chain::truncate_to_micros;
use crate::db::{Db, DbRow, P, Sql, Tx, placeholders};
use crate::error::StoreError;
use crate::log::{StoredEvent, case_events, case_record};
use crate::rules::Rules;

/// One obligation as the read model keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObligationRow {
    pub episode: i64,
    pub step: i64,
    /// `contact_parents`, `home_visit`, `report:township_government` or `report:county_bureau`.
    pub kind: String,
    pub owners: Value,
    pub trigger_day: NaiveDate,
    pub due: DateTime<Utc>,
    /// The status when the row was assessed.
    pub status: String,
    pub done_on: Option<NaiveDate>,
    pub done_sequence: Option<i64>,
    /// For a report: the day its recipient acknowledged it.
    pub acknowledged_on: Option<NaiveDate>,
}

/// One unexcused absence day the assessment counts (a day of one of its episodes), as the
/// read model keeps it for the dashboard's weekly trend: the day, and the first day of its
/// episode (the day that starts it has both the same).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AbsenceDayRow {
    pub day: NaiveDate,
    pub episode_start: NaiveDate,
}

/// One case as the read model keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseRow {
    /// What a list shows of the case.
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub last_sequence: i64,
    pub last_position: i64,
    pub assessed_at: DateTime<Utc>,
    pub stale_after: Option<DateTime<Utc>>,
    pub assessment: Value,
    pub obligations: Vec<ObligationRow>,
    /// Every unexcused absence day of every episode, in order.
    #[serde(skip)]
    pub absence_days: Vec<AbsenceDayRow>,
    /// The case's contribution to a review of now with the default thresholds (the domain's
    /// `CaseContribution`, as JSON); `None` in a row written before it was kept.
    #[serde(skip)]
    pub review: Option<String>,
    /// The rules the contribution was computed under (`Rules::fingerprint`).
    #[serde(skip)]
    pub review_rules: Option<String>,
    /// What the search finds the child by besides the summary's name and number: the
    /// name's pinyin initials, and the national ID number where the student number holds one.
    #[serde(skip)]
    pub keys: SearchKeys,
}

/// What a search finds a child by, besides the name and the student number the list shows;
/// computed when the row is written, so that a search is a plain query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchKeys {
    /// The name's pinyin initials, lower case: 张小明 → `zxm` (Latin letters and digits in a
    /// name are kept as they are; other signs, such as the `·` of some names, are left out).
    pub initials: String,
    /// The 18-character national ID number (身份证号), upper case: the national student number
    /// is "G" followed by it (全国学籍号), so it is taken from there when it is a valid one.
    pub id_number: Option<String>,
}

impl SearchKeys {
    pub fn of(name: &str, student_number: &str) -> Self {
        Self {
            initials: pinyin_initials(name),
            id_number: id_number_in(student_number),
        }
    }
}

/// The pinyin initials of a name: the first letter of each character's (most common) reading,
/// lower case; Latin letters and digits as they are, lower case; anything else left out.
pub fn pinyin_initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(reading) => reading.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

/// The national ID number a student number holds ("G" and a valid ID number), upper case.
pub fn id_number_in(student_number: &str) -> Option<String> {
    let rest = student_number
        .strip_prefix('G')
        .or_else(|| student_number.strip_prefix('g'))?
        .to_ascii_uppercase();
    notoneless_domain::parse_id_number(&rest).ok().map(|_| rest)
}

fn snake<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => Ok(s),
        _ => Err(StoreError::Database(
            "a status did not encode as a string".into(),
        )),
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Database(format!("cannot encode: {e}")))
}

impl CaseRow {
    /// The row for a case, from its events, assessed at `now`. `None` for a stream that does
    /// not open a case.
    pub fn build(
        events: &[StoredEvent],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Option<Self>, StoreError> {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return Ok(None);
        };
        let Some(record) = case_record(events, &rules.calendar)? else {
            return Ok(None);
        };
        if record.case.profile().is_none() {
            return Ok(None);
        }
        let now = truncate_to_micros(now);
        let assessment = assess(&record.case, &rules.calendar, &rules.ladder, now);
        let last_event = last.decode()?;
        let contribution = CaseContribution::of(&record, &assessment, &ReviewSettings::default());
        let review_stale = contribution
            .as_ref()
            .and_then(|c| c.valid_through)
            .map(|day| rules.calendar.end_of_day(day));
        let stale_after = match (stale_after(&assessment, rules), review_stale) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let review = contribution
            .map(|c| serde_json::to_string(&c))
            .transpose()
            .map_err(|e| StoreError::Database(format!("cannot encode: {e}")))?;
        let case = &record.case;
        let Some(profile) = case.profile() else {
            return Ok(None);
        };
        Ok(Some(Self {
            keys: SearchKeys::of(&profile.name, &profile.student_number),
            summary: CaseSummary {
                case_id: first.aggregate_id.clone(),
                school: case.school().unwrap_or(&profile.school).to_string(),
                name: profile.name.clone(),
                student_number: profile.student_number.clone(),
                grade: i64::from(profile.grade),
                class: profile.class.clone(),
                stage: snake(&assessment.stage)?,
                episode_start: assessment.current().map(|e| e.first_day),
                episode_days: assessment.current().map_or(0, |e| e.day_count() as i64),
                outstanding: assessment.outstanding().count() as i64,
                next_due: assessment.outstanding().map(|o| o.due).min(),
                focus_groups: to_json(&case.focus_groups())?,
                last_event_type: last.event_type.clone(),
                last_event_on: last_event.on(),
                last_recorded_at: last.recorded_at,
            },
            last_sequence: last.sequence,
            last_position: events.iter().map(|e| e.global_position).max().unwrap_or(0),
            assessed_at: now,
            stale_after,
            obligations: obligation_rows(&assessment)?,
            absence_days: absence_day_rows(&assessment),
            assessment: to_json(&assessment)?,
            review_rules: review.as_ref().map(|_| rules.fingerprint()),
            review,
        }))
    }

    /// The assessment, read back.
    pub fn assessment(&self) -> Result<Assessment, StoreError> {
        serde_json::from_value(self.assessment.clone())
            .map_err(|e| StoreError::Corrupt(format!("case_status.assessment: {e}")))
    }
}

/// The first instant at which time alone can change the assessment: the end of its local
/// day, while a step is open (it turns overdue) or an episode is running (a day without an
/// absence on record ends it). (The row is stale from the earlier of this and the end of the
/// last day its review contribution holds.)
fn stale_after(assessment: &Assessment, rules: &Rules) -> Option<DateTime<Utc>> {
    let open_step = assessment
        .obligations()
        .any(|o| o.status == ObligationStatus::Open);
    (open_step || assessment.current_episode.is_some())
        .then(|| rules.calendar.end_of_day(assessment.today))
}

/// An obligation's kind as the read model writes it: `contact_parents`, `home_visit`,
/// `report:township_government`, `report:county_bureau`.
pub fn obligation_kind_name(kind: ObligationKind) -> Result<String, StoreError> {
    Ok(match kind {
        ObligationKind::Action { action } => snake(&action)?,
        ObligationKind::Report { recipient } => format!("report:{recipient}"),
    })
}

/// The name of an obligation row's `kind`, for a person (`None` for a kind no ladder has).
pub fn obligation_label(kind: &str) -> Option<Message> {
    let kind = match kind.strip_prefix("report:") {
        Some(recipient) => ObligationKind::Report {
            recipient: serde_json::from_value(Value::String(recipient.to_string())).ok()?,
        },
        None => ObligationKind::Action {
            action: serde_json::from_value(Value::String(kind.to_string())).ok()?,
        },
    };
    Some(kind.label())
}

fn obligation_rows(assessment: &Assessment) -> Result<Vec<ObligationRow>, StoreError> {
    let mut rows = Vec::new();
    for (episode, e) in assessment.episodes.iter().enumerate() {
        for o in &e.obligations {
            let kind = obligation_kind_name(o.kind)?;
            rows.push(ObligationRow {
                episode: episode as i64,
                step: o.step as i64,
                kind,
                owners: to_json(&o.owners)?,
                trigger_day: o.trigger_day,
                due: o.due,
                status: snake(&o.status)?,
                done_on: o.fulfilment.as_ref().map(|f| f.on),
                done_sequence: o.fulfilment.as_ref().map(|f| f.sequence as i64),
                acknowledged_on: o.fulfilment.as_ref().and_then(|f| f.acknowledged_on),
            });
        }
    }
    // The order the table is read back in.
    rows.sort_by(|a, b| (a.episode, a.step, &a.kind).cmp(&(b.episode, b.step, &b.kind)));
    Ok(rows)
}

fn absence_day_rows(assessment: &Assessment) -> Vec<AbsenceDayRow> {
    assessment
        .episodes
        .iter()
        .flat_map(|e| {
            e.days.iter().map(|&day| AbsenceDayRow {
                day,
                episode_start: e.first_day,
            })
        })
        .collect()
}

const UPSERT_CASE: Sql = Sql::both(
    "INSERT INTO case_status (case_id, school, stage, episode_start, episode_days, outstanding, next_due, focus_groups,
        last_sequence, last_position, last_event_type, last_event_on, last_recorded_at, assessed_at, stale_after, assessment, review, review_rules,
        student_name, name_initials, student_number, id_number, grade, class_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
     ON CONFLICT (case_id) DO UPDATE SET school = excluded.school, stage = excluded.stage,
        episode_start = excluded.episode_start, episode_days = excluded.episode_days,
        outstanding = excluded.outstanding, next_due = excluded.next_due, focus_groups = excluded.focus_groups,
        last_sequence = excluded.last_sequence, last_position = excluded.last_position,
        last_event_type = excluded.last_event_type, last_event_on = excluded.last_event_on,
        last_recorded_at = excluded.last_recorded_at, assessed_at = excluded.assessed_at,
        stale_after = excluded.stale_after, assessment = excluded.assessment, review = excluded.review,
        review_rules = excluded.review_rules, student_name = excluded.student_name,
        name_initials = excluded.name_initials, student_number = excluded.student_number,
        id_number = excluded.id_number, grade = excluded.grade, class_name = excluded.class_name",
);

const INSERT_ABSENCE_DAY: Sql =
    Sql::both("INSERT INTO case_absence_days (case_id, day, episode_start) VALUES ($1, $2, $3)");

const INSERT_OBLIGATION: Sql = Sql::both(
    "INSERT INTO case_obligations (case_id, episode, step, kind, owners, trigger_day, due, status, done_on, done_sequence, acknowledged_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
);

/// Writes many cases' rows at once, replacing what was there: one statement per few hundred
/// cases rather than several per case.
pub async fn write_cases(tx: &mut Tx, rows: &[CaseRow]) -> Result<(), StoreError> {
    write_rows(tx, rows, true).await
}

/// [`write_cases`] for cases that have no rows yet (the rebuild, into emptied tables): their
/// obligations are not first deleted.
pub async fn write_new_cases(tx: &mut Tx, rows: &[CaseRow]) -> Result<(), StoreError> {
    write_rows(tx, rows, false).await
}

/// The columns `UPSERT_CASE` writes.
const CASE_COLUMNS: usize = 24;

async fn write_rows(tx: &mut Tx, rows: &[CaseRow], replacing: bool) -> Result<(), StoreError> {
    const CASES_PER_STATEMENT: usize = 500;
    const OBLIGATIONS_PER_STATEMENT: usize = 1_000;
    const ABSENCE_DAYS_PER_STATEMENT: usize = 3_000;
    for chunk in rows.chunks(CASES_PER_STATEMENT) {
        if replacing {
            let params: Vec<P> = chunk
                .iter()
                .map(|r| P::text(r.summary.case_id.as_str()))
                .collect();
            for table in ["case_obligations", "case_absence_days"] {
                let delete = format!(
                    "DELETE FROM {table} WHERE case_id IN {}",
                    placeholders(1, chunk.len())
                );
                tx.execute(Sql::both(&delete), &params).await?;
            }
        }
        let mut values = Vec::with_capacity(chunk.len());
        let mut params = Vec::with_capacity(chunk.len() * CASE_COLUMNS);
        for row in chunk {
            let summary = &row.summary;
            values.push(placeholders(params.len() + 1, CASE_COLUMNS));
            params.extend([
                P::text(summary.case_id.as_str()),
                P::text(summary.school.as_str()),
                P::text(summary.stage.as_str()),
                P::OptDate(summary.episode_start),
                P::I64(summary.episode_days),
                P::I64(summary.outstanding),
                P::OptTs(summary.next_due),
                P::Json(summary.focus_groups.clone()),
                P::I64(row.last_sequence),
                P::I64(row.last_position),
                P::text(summary.last_event_type.as_str()),
                P::Date(summary.last_event_on),
                P::Ts(summary.last_recorded_at),
                P::Ts(row.assessed_at),
                P::OptTs(row.stale_after),
                P::Json(row.assessment.clone()),
                P::OptText(row.review.clone()),
                P::OptText(row.review_rules.clone()),
                P::text(summary.name.as_str()),
                P::text(row.keys.initials.as_str()),
                P::text(summary.student_number.as_str()),
                P::OptText(row.keys.id_number.clone()),
                P::I64(summary.grade),
                P::text(summary.class.as_str()),
            ]);
        }
        let upsert = UPSERT_CASE.postgres.replacen(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
            &format!("VALUES {}", values.join(", ")),
            1,
        );
        tx.execute(Sql::both(&upsert), &params).await?;
        let obligations: Vec<Vec<P>> = chunk
            .iter()
            .flat_map(|r| {
                r.obligations.iter().map(|o| {
                    vec![
                        P::text(r.summary.case_id.as_str()),
                        P::I64(o.episode),
                        P::I64(o.step),
                        P::text(o.kind.as_str()),
                        P::Json(o.owners.clone()),
                        P::Date(o.trigger_day),
                        P::Ts(o.due),
                        P::text(o.status.as_str()),
                        P::OptDate(o.done_on),
                        P::OptI64(o.done_sequence),
                        P::OptDate(o.acknowledged_on),
                    ]
                })
            })
            .collect();
        insert_many(
            tx,
            INSERT_OBLIGATION,
            11,
            &obligations,
            OBLIGATIONS_PER_STATEMENT,
        )
        .await?;
        let days: Vec<Vec<P>> = chunk
            .iter()
            .flat_map(|r| {
                r.absence_days.iter().map(|d| {
                    vec![
                        P::text(r.summary.case_id.as_str()),
                        P::Date(d.day),
                        P::Date(d.episode_start),
                    ]
                })
            })
            .collect();
        insert_many(tx, INSERT_ABSENCE_DAY, 3, &days, ABSENCE_DAYS_PER_STATEMENT).await?;
    }
    Ok(())
}

/// Inserts rows of `columns` values each, `per_statement` rows to a statement: `insert` is
/// the statement for one row, ending in `VALUES ($1, …, $columns)`.
async fn insert_many(
    tx: &mut Tx,
    insert: Sql<'_>,
    columns: usize,
    rows: &[Vec<P>],
    per_statement: usize,
) -> Result<(), StoreError> {
    let one_row = format!("VALUES {}", placeholders(1, columns));
    for part in rows.chunks(per_statement) {
        let mut values = Vec::with_capacity(part.len());
        let mut params = Vec::with_capacity(part.len() * columns);
        for row in part {
            values.push(placeholders(params.len() + 1, columns));
            params.extend(row.iter().cloned());
        }
        let statement =
            insert
                .postgres
                .replacen(&one_row, &format!("VALUES {}", values.join(", ")), 1);
        tx.execute(Sql::both(&statement), &params).await?;
    }
    Ok(())
}

fn obligation_from(row: &DbRow) -> Result<ObligationRow, StoreError> {
    Ok(ObligationRow {
        episode: row.i64("episode")?,
        step: row.i64("step")?,
        kind: row.text("kind")?,
        owners: row.json("owners")?,
        trigger_day: row.date("trigger_day")?,
        due: row.ts("due")?,
        status: row.text("status")?,
        done_on: row.opt_date("done_on")?,
        done_sequence: row.opt_i64("done_sequence")?,
        acknowledged_on: row.opt_date("acknowledged_on")?,
    })
}

/// The stored row of a case, as written.
pub async fn stored_case(db: &Db, case_id: &str) -> Result<Option<CaseRow>, StoreError> {
    let Some(row) = db
        .fetch_optional(
            Sql::both("SELECT * FROM case_status WHERE case_id = $1"),
            &[P::text(case_id)],
        )
        .await?
    else {
        return Ok(None);
    };
    let obligations = db
        .fetch_all(
            Sql::both(
                "SELECT * FROM case_obligations WHERE case_id = $1 ORDER BY episode, step, kind",
            ),
            &[P::text(case_id)],
        )
        .await?
        .iter()
        .map(obligation_from)
        .collect::<Result<Vec<_>, _>>()?;
    let absence_days = db
        .fetch_all(
            Sql::both(
                "SELECT day, episode_start FROM case_absence_days WHERE case_id = $1 ORDER BY day",
            ),
            &[P::text(case_id)],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(AbsenceDayRow {
                day: row.date("day")?,
                episode_start: row.date("episode_start")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(CaseRow {
        summary: CaseSummary::from_row(&row)?,
        last_sequence: row.i64("last_sequence")?,
        last_position: row.i64("last_position")?,
        assessed_at: row.ts("assessed_at")?,
        stale_after: row.opt_ts("stale_after")?,
        assessment: row.json("assessment")?,
        obligations,
        absence_days,
        review: row.opt_text("review")?,
        review_rules: row.opt_text("review_rules")?,
        keys: SearchKeys {
            initials: row.text("name_initials")?,
            id_number: row.opt_text("id_number")?,
        },
    }))
}

/// A case's status as of `now`: the stored row while it is current, else a fresh assessment
/// from the log (`fresh` says which).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseStatusView {
    pub row: CaseRow,
    pub fresh: bool,
}

pub async fn case_status(
    db: &Db,
    rules: &Rules,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<CaseStatusView>, StoreError> {
    let Some(row) = stored_case(db, case_id).await? else {
        return Ok(None);
    };
    let current = row.assessed_at <= now && row.stale_after.is_none_or(|s| now < s);
    if current {
        return Ok(Some(CaseStatusView { row, fresh: false }));
    }
    let events = case_events(db, case_id).await?;
    Ok(CaseRow::build(&events, rules, now)?.map(|row| CaseStatusView { row, fresh: true }))
}

/// Obligations not done whose due time is at or before `now`, most overdue first.
pub async fn overdue(
    db: &Db,
    now: DateTime<Utc>,
) -> Result<Vec<(String, ObligationRow)>, StoreError> {
    db.fetch_all(
        Sql::both("SELECT * FROM case_obligations WHERE done_on IS NULL AND due <= $1 ORDER BY due, case_id, episode, step, kind"),
        &[P::Ts(now)],
    )
    .await?
    .iter()
    .map(|row| Ok((row.text("case_id")?, obligation_from(row)?)))
    .collect()
}

/// Which cases a list shows.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    /// Only these schools (the caller's jurisdiction, narrowed by any filter); `None` for all.
    pub schools: Option<Vec<String>>,
    pub stage: Option<String>,
    pub focus_group: Option<String>,
    /// Only cases with an obligation not done and past its due time.
    pub overdue_at: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// One line of a case list: where the case stands, as the read model keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub case_id: String,
    pub school: String,
    /// The child's name, student number (学籍号), grade (1 to 9) and class, as the case was
    /// opened.
    pub name: String,
    pub student_number: String,
    pub grade: i64,
    pub class: String,
    /// not_opened, attending, absent, escalated, suspended, transfer_pending,
    /// transferred_out, closed
    pub stage: String,
    pub episode_start: Option<NaiveDate>,
    pub episode_days: i64,
    /// Obligations open or overdue.
    pub outstanding: i64,
    /// The earliest due time among them.
    pub next_due: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub focus_groups: Value,
    pub last_event_type: String,
    pub last_event_on: NaiveDate,
    pub last_recorded_at: DateTime<Utc>,
}

impl CaseSummary {
    /// Read from a `case_status` row (the columns of the list's query).
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Self {
            case_id: row.text("case_id")?,
            school: row.text("school")?,
            name: row.text("student_name")?,
            student_number: row.text("student_number")?,
            grade: row.i64("grade")?,
            class: row.text("class_name")?,
            stage: row.text("stage")?,
            episode_start: row.opt_date("episode_start")?,
            episode_days: row.i64("episode_days")?,
            outstanding: row.i64("outstanding")?,
            next_due: row.opt_ts("next_due")?,
            focus_groups: row.json("focus_groups")?,
            last_event_type: row.text("last_event_type")?,
            last_event_on: row.date("last_event_on")?,
            last_recorded_at: row.ts("last_recorded_at")?,
        })
    }
}

/// Appends `IN ($n, $n+1, …)` for each value and returns the parameters.
fn push_in(sql: &mut String, params: &mut Vec<P>, values: &[String]) {
    sql.push_str(" IN (");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        params.push(P::text(value.as_str()));
        sql.push_str(&format!("${}", params.len()));
    }
    sql.push(')');
}

/// The cases a filter selects, a page of them, and how many there are in all.
pub async fn list_cases(
    db: &Db,
    filter: &CaseFilter,
) -> Result<(Vec<CaseSummary>, i64), StoreError> {
    if filter.schools.as_ref().is_some_and(Vec::is_empty) {
        return Ok((Vec::new(), 0));
    }
    let mut params = Vec::new();
    let mut pg = String::from(" FROM case_status c WHERE 1 = 1");
    if let Some(schools) = &filter.schools {
        pg.push_str(" AND c.school");
        push_in(&mut pg, &mut params, schools);
    }
    if let Some(stage) = &filter.stage {
        params.push(P::text(stage.as_str()));
        pg.push_str(&format!(" AND c.stage = ${}", params.len()));
    }
    let mut sqlite = pg.clone();
    if let Some(group) = &filter.focus_group {
        params.push(P::Text(format!("%\"{group}\"%")));
        pg.push_str(&format!(" AND c.focus_groups::text LIKE ${}", params.len()));
        sqlite.push_str(&format!(" AND c.focus_groups LIKE ${}", params.len()));
    }
    if let Some(at) = filter.overdue_at {
        params.push(P::Ts(at));
        let clause = format!(
            " AND EXISTS (SELECT 1 FROM case_obligations o WHERE o.case_id = c.case_id AND o.done_on IS NULL AND o.status IN ('open', 'overdue') AND o.due <= ${})",
            params.len()
        );
        pg.push_str(&clause);
        sqlite.push_str(&clause);
    }
    let count_pg = format!("SELECT COUNT(*) AS n{pg}");
    let count_sqlite = format!("SELECT COUNT(*) AS n{sqlite}");
    let total = db
        .fetch_optional(
            Sql {
                postgres: &count_pg,
                sqlite: &count_sqlite,
            },
            &params,
        )
        .await?
        .map(|r| r.i64("n"))
        .transpose()?
        .unwrap_or(0);
    let n = params.len();
    params.push(P::I64(filter.limit));
    params.push(P::I64(filter.offset));
    let page = format!(
        " ORDER BY c.next_due IS NULL, c.next_due, c.case_id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let columns = "SELECT c.case_id, c.school, c.student_name, c.student_number, c.grade, c.class_name, c.stage, c.episode_start, c.episode_days, c.outstanding, c.next_due, c.focus_groups, c.last_event_type, c.last_event_on, c.last_recorded_at";
    let select_pg = format!("{columns}{pg}{page}");
    let select_sqlite = format!("{columns}{sqlite}{page}");
    let items = db
        .fetch_all(
            Sql {
                postgres: &select_pg,
                sqlite: &select_sqlite,
            },
            &params,
        )
        .await?
        .iter()
        .map(CaseSummary::from_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((items, total))
}

/// How well a case matched a search: the best of its matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchRank {
    /// The name, the pinyin initials, the student number or the ID number is the query.
    Exact,
    /// One of them begins with it.
    Prefix,
    /// The name holds it; or the student number or ID number does (a query of at least
    /// [`SEARCH_CONTAINS_MIN_DIGITS`] characters).
    Contains,
}

/// The shortest query that finds a student or ID number by a part in its middle: shorter,
/// and any few digits would match half the county.
pub const SEARCH_CONTAINS_MIN_DIGITS: usize = 4;

/// One case a search found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub rank: SearchRank,
}

/// `value` with LIKE's wildcards escaped (the escape character is `\`).
fn like_escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The cases of these schools (`None`: all) whose child the query finds, best match first
/// (exact, then prefix, then contains; among equals by name, then case id), a page of them,
/// and how many there are in all.
///
/// A query is matched against the child's name (exact, prefix, contains), the name's pinyin
/// initials (exact, prefix; lower case, so `ZXM` finds 张小明 too), the student number and
/// the national ID number (exact, prefix, upper case; contains for a query of at least
/// [`SEARCH_CONTAINS_MIN_DIGITS`] characters). The query is a parameter of the statement,
/// never part of its text, and is never logged.
pub async fn search_cases(
    db: &Db,
    schools: Option<&[String]>,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SearchHit>, i64), StoreError> {
    let query = query.trim();
    if query.is_empty() || schools.is_some_and(<[String]>::is_empty) {
        return Ok((Vec::new(), 0));
    }
    let lower = query.to_lowercase();
    let upper = query.to_uppercase();
    let (name, initials, number) = (
        like_escaped(query),
        like_escaped(&lower),
        like_escaped(&upper),
    );
    // $1–$3: the query as it is, lower case, upper case; $4–$6: the same as prefixes; $7, $8:
    // as a part anywhere of the name and of a number.
    let mut params = vec![
        P::text(query),
        P::Text(lower),
        P::Text(upper),
        P::Text(format!("{name}%")),
        P::Text(format!("{initials}%")),
        P::Text(format!("{number}%")),
        P::Text(format!("%{name}%")),
        P::Text(if query.chars().count() >= SEARCH_CONTAINS_MIN_DIGITS {
            format!("%{number}%")
        } else {
            // Matches what the prefix matches, nothing more.
            format!("{number}%")
        }),
    ];
    let mut from = String::from(
        " FROM case_status c WHERE (c.student_name LIKE $7 ESCAPE '\\' OR c.name_initials LIKE $5 ESCAPE '\\'
           OR UPPER(c.student_number) LIKE $8 ESCAPE '\\' OR c.id_number LIKE $8 ESCAPE '\\')",
    );
    if let Some(schools) = schools {
        from.push_str(" AND c.school");
        push_in(&mut from, &mut params, schools);
    }
    let rank = "CASE
        WHEN c.student_name = $1 OR c.name_initials = $2 OR UPPER(c.student_number) = $3 OR c.id_number = $3 THEN 0
        WHEN c.student_name LIKE $4 ESCAPE '\\' OR c.name_initials LIKE $5 ESCAPE '\\'
          OR UPPER(c.student_number) LIKE $6 ESCAPE '\\' OR c.id_number LIKE $6 ESCAPE '\\' THEN 1
        ELSE 2 END";
    // (An integer PostgreSQL and SQLite both read back as a 64-bit one.)
    let rank = format!("CAST({rank} AS BIGINT)");
    // Every parameter is referred to in both statements; SQLite's are numbered (`?n`), so that
    // one may be referred to more than once.
    // (The count ranks too, so that it refers to every parameter, as PostgreSQL requires.)
    let count = format!("SELECT COUNT(*) AS n FROM (SELECT {rank} AS match_rank{from}) t");
    let total = db
        .fetch_optional(
            Sql {
                postgres: &count,
                sqlite: &count.replace('$', "?"),
            },
            &params,
        )
        .await?
        .map(|r| r.i64("n"))
        .transpose()?
        .unwrap_or(0);
    let n = params.len();
    params.push(P::I64(limit));
    params.push(P::I64(offset));
    let select = format!(
        "SELECT c.case_id, c.school, c.student_name, c.student_number, c.grade, c.class_name, c.stage,
            c.episode_start, c.episode_days, c.outstanding, c.next_due, c.focus_groups, c.last_event_type,
            c.last_event_on, c.last_recorded_at, {rank} AS match_rank{from}
         ORDER BY match_rank, c.student_name, c.case_id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let hits = db
        .fetch_all(
            Sql {
                postgres: &select,
                sqlite: &select.replace('$', "?"),
            },
            &params,
        )
        .await?
        .iter()
        .map(|row| {
            Ok(SearchHit {
                summary: CaseSummary::from_row(row)?,
                rank: match row.i64("match_rank")? {
                    0 => SearchRank::Exact,
                    1 => SearchRank::Prefix,
                    _ => SearchRank::Contains,
                },
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((hits, total))
}

/// An obligation someone must act on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkItem {
    pub case_id: String,
    pub school: String,
    /// The child: name, student number, grade and class.
    pub name: String,
    pub student_number: String,
    pub grade: i64,
    pub class: String,
    #[serde(flatten)]
    pub obligation: ObligationRow,
    /// Past its due time at the instant asked about.
    pub overdue: bool,
    /// Why it is in the queue.
    pub reason: WorkReason,
}

/// Why an obligation is in someone's work queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkReason {
    /// The caller's role owes the step and may record it.
    Record,
    /// A report made to the caller's office, not yet acknowledged.
    Acknowledge,
    /// A report overdue (an unreported dropout while it lasts) in the caller's jurisdiction,
    /// to chase (督办).
    Supervise,
}

/// What one work queue holds: the obligations `role` owes (as the ladder names it) of the
/// `kinds` it may record; the reports to `acknowledge` (`report:<recipient>` made, not yet
/// acknowledged); and, when `supervise`, every report overdue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueQuery {
    pub role: Option<String>,
    pub kinds: Vec<String>,
    pub acknowledge: Option<String>,
    pub supervise: bool,
}

/// The work queue of `query` in these schools (`None`: all), most urgent first: the longest
/// overdue at the top.
pub async fn work_queue(
    db: &Db,
    query: &QueueQuery,
    schools: Option<&[String]>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<WorkItem>, StoreError> {
    if schools.is_some_and(<[String]>::is_empty) {
        return Ok(Vec::new());
    }
    let mut params = Vec::new();
    let mut pg_parts = Vec::new();
    let mut sqlite_parts = Vec::new();
    if let Some(role) = &query.role
        && !query.kinds.is_empty()
    {
        params.push(P::Text(format!("%\"{role}\"%")));
        let like = params.len();
        let mut kinds = String::from(" AND o.kind");
        push_in(&mut kinds, &mut params, &query.kinds);
        let tail = format!("{kinds} AND o.done_on IS NULL AND o.status IN ('open', 'overdue'))");
        pg_parts.push(format!("(o.owners::text LIKE ${like}{tail}"));
        sqlite_parts.push(format!("(o.owners LIKE ${like}{tail}"));
    }
    if let Some(kind) = &query.acknowledge {
        params.push(P::text(kind.as_str()));
        let part = format!(
            "(o.kind = ${} AND o.done_on IS NOT NULL AND o.acknowledged_on IS NULL)",
            params.len()
        );
        pg_parts.push(part.clone());
        sqlite_parts.push(part);
    }
    if query.supervise {
        params.push(P::Ts(now));
        let part = format!(
            "(o.kind LIKE 'report:%' AND o.done_on IS NULL AND o.due <= ${})",
            params.len()
        );
        pg_parts.push(part.clone());
        sqlite_parts.push(part);
    }
    if pg_parts.is_empty() {
        return Ok(Vec::new());
    }
    let mut filter = String::new();
    if let Some(schools) = schools {
        filter.push_str(" AND c.school");
        push_in(&mut filter, &mut params, schools);
    }
    params.push(P::I64(limit));
    let tail = format!(
        "){filter} ORDER BY o.due, o.case_id, o.episode, o.step, o.kind LIMIT ${}",
        params.len()
    );
    let head = "SELECT o.*, c.school, c.student_name, c.student_number, c.grade, c.class_name FROM case_obligations o JOIN case_status c ON c.case_id = o.case_id WHERE (";
    let pg = format!("{head}{}{tail}", pg_parts.join(" OR "));
    let sqlite = format!("{head}{}{tail}", sqlite_parts.join(" OR "));
    db.fetch_all(
        Sql {
            postgres: &pg,
            sqlite: &sqlite,
        },
        &params,
    )
    .await?
    .iter()
    .map(|row| {
        let obligation = obligation_from(row)?;
        let owned = query.role.as_ref().is_some_and(|role| {
            obligation.done_on.is_none()
                && query.kinds.contains(&obligation.kind)
                && obligation
                    .owners
                    .as_array()
                    .is_some_and(|o| o.iter().any(|r| r.as_str() == Some(role.as_str())))
        });
        let reason = if owned {
            WorkReason::Record
        } else if obligation.done_on.is_some() {
            WorkReason::Acknowledge
        } else {
            WorkReason::Supervise
        };
        Ok(WorkItem {
            case_id: row.text("case_id")?,
            school: row.text("school")?,
            name: row.text("student_name")?,
            student_number: row.text("student_number")?,
            grade: row.i64("grade")?,
            class: row.text("class_name")?,
            overdue: obligation.due <= now,
            reason,
            obligation,
        })
    })
    .collect()
}

/// Counts for one school.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SchoolCounts {
    pub school: String,
    pub cases: i64,
    pub by_stage: std::collections::BTreeMap<String, i64>,
    pub overdue_obligations: i64,
}

/// Case counts by stage, and overdue obligations, per school (`None`: every school).
pub async fn school_counts(
    db: &Db,
    schools: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<Vec<SchoolCounts>, StoreError> {
    let mut counts: std::collections::BTreeMap<String, SchoolCounts> =
        std::collections::BTreeMap::new();
    for row in db
        .fetch_all(
            Sql::both(
                "SELECT school, stage, COUNT(*) AS n FROM case_status GROUP BY school, stage",
            ),
            &[],
        )
        .await?
    {
        let school = row.text("school")?;
        let entry = counts
            .entry(school.clone())
            .or_insert_with(|| SchoolCounts {
                school,
                ..Default::default()
            });
        let n = row.i64("n")?;
        entry.cases += n;
        entry.by_stage.insert(row.text("stage")?, n);
    }
    for row in db
        .fetch_all(
            Sql::both(
                "SELECT c.school, COUNT(*) AS n FROM case_obligations o JOIN case_status c ON c.case_id = o.case_id
                 WHERE o.done_on IS NULL AND o.status IN ('open', 'overdue') AND o.due <= $1 GROUP BY c.school",
            ),
            &[P::Ts(now)],
        )
        .await?
    {
        let school = row.text("school")?;
        let entry = counts.entry(school.clone()).or_insert_with(|| SchoolCounts { school, ..Default::default() });
        entry.overdue_obligations = row.i64("n")?;
    }
    Ok(counts
        .into_values()
        .filter(|c| schools.is_none_or(|s| s.contains(&c.school)))
        .collect())
}

/// One week (Monday to Sunday) of the dashboard's trend: the unexcused absence days counted
/// in it (by the day they happened) and the episodes that started in it (by their first
/// day), as the domain's `assess()` groups the days into episodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WeekCounts {
    /// The week's Monday.
    pub monday: NaiveDate,
    pub absence_days: i64,
    pub episodes: i64,
}

/// The Monday of the week `day` falls in.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day.week(chrono::Weekday::Mon).first_day()
}

/// The weekly trend from `from` to `until` (both included), every week from the one `from`
/// falls in to the one `until` falls in, weeks without an absence too: the absence days and
/// the episodes started in the cases of `schools` (`None`: every school) that the read model
/// holds, counted only on the days from `from` to `until`.
pub async fn absence_trend(
    db: &Db,
    schools: Option<&[String]>,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<WeekCounts>, StoreError> {
    let mut weeks = Vec::new();
    let mut monday = monday_of(from);
    while monday <= until {
        weeks.push(WeekCounts {
            monday,
            ..Default::default()
        });
        monday = monday + chrono::Days::new(7);
    }
    if schools.is_some_and(<[String]>::is_empty) || weeks.is_empty() {
        return Ok(weeks);
    }
    let mut params = vec![P::Date(from), P::Date(until)];
    let in_schools = match schools {
        Some(schools) => {
            params.extend(schools.iter().map(|s| P::text(s.as_str())));
            format!(" AND c.school IN {}", placeholders(3, schools.len()))
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT d.day AS day, COUNT(*) AS absences,
                SUM(CASE WHEN d.day = d.episode_start THEN 1 ELSE 0 END) AS started
         FROM case_absence_days d JOIN case_status c ON c.case_id = d.case_id
         WHERE d.day >= $1 AND d.day <= $2{in_schools}
         GROUP BY d.day"
    );
    for row in db.fetch_all(Sql::both(&sql), &params).await? {
        let day = row.date("day")?;
        let week = (day - monday_of(from)).num_days() / 7;
        if let Some(week) = usize::try_from(week).ok().and_then(|w| weeks.get_mut(w)) {
            week.absence_days += row.i64("absences")?;
            week.episodes += row.i64("started")?;
        }
    }
    Ok(weeks)
}

/// The school that keeps a case, from the log (not the read model, so that a command right
/// after the opening or a transfer finds it): its opening's, or, once a school of the county
/// continued it after a transfer, that school's ([`notoneless_domain::StudentCase::school`]).
pub async fn case_school(db: &Db, case_id: &str) -> Result<Option<String>, StoreError> {
    let transferred = db
        .fetch_optional(
            Sql::both("SELECT 1 AS found FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND event_type = 'TransferConfirmed' LIMIT 1"),
            &[P::text(crate::log::CASE), P::text(case_id)],
        )
        .await?
        .is_some();
    if transferred {
        let case = crate::log::fold(&crate::log::case_events(db, case_id).await?)?;
        return Ok(case.school().map(str::to_string));
    }
    let row = db
        .fetch_optional(
            Sql::both("SELECT payload FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = 1"),
            &[P::text(crate::log::CASE), P::text(case_id)],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let payload = row.json("payload")?;
    Ok(payload
        .pointer("/CaseOpened/student/school")
        .and_then(Value::as_str)
        .map(str::to_string))
}
