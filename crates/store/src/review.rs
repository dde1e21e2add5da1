//! The accountability review over the log: every case, with the day each fact was recorded,
//! handed to the domain's `review`. "As known at" a time uses only the facts recorded by then
//! and the calendar as it was then, so a past review can be reproduced exactly.

use chrono::{DateTime, NaiveDate, Utc};
use notoneless_domain::{
    CaseRecord, Review, ReviewSettings, SchoolAttestation, SchoolCalendar, StudentCase, review,
    review_attestation, review_calendar_changes,
};

use crate::error::StoreError;
use crate::log::{StoredEvent, case_events_page};
use crate::store::Store;

/// Every case as the review needs it, from the events recorded up to `known_at` (all, if
/// `None`). The log is read a page at a time, so only the decoded cases stay in memory, never
/// the whole log as stored.
pub async fn case_records(
    store: &Store,
    calendar: &SchoolCalendar,
    known_at: Option<DateTime<Utc>>,
) -> Result<Vec<CaseRecord>, StoreError> {
    const PAGE: i64 = 10_000;
    let mut records = Vec::new();
    let mut current: Vec<StoredEvent> = Vec::new();
    let mut flush = |batch: &mut Vec<StoredEvent>| -> Result<(), StoreError> {
        let Some(first) = batch.first() else {
            return Ok(());
        };
        let case_id = first.aggregate_id.clone();
        let recorded_on = batch
            .iter()
            .map(|e| calendar.local_date(e.recorded_at))
            .collect();
        let decoded = batch
            .iter()
            .map(|e| e.decode())
            .collect::<Result<Vec<_>, _>>()?;
        records.push(CaseRecord {
            case_id,
            case: StudentCase::from_events(decoded),
            recorded_on,
        });
        batch.clear();
        Ok(())
    };
    let mut after = (String::new(), 0i64);
    loop {
        let page = case_events_page(&store.db, (&after.0, after.1), PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = (last.aggregate_id.clone(), last.sequence);
        for event in page
            .into_iter()
            .filter(|e| known_at.is_none_or(|t| e.recorded_at <= t))
        {
            if current
                .first()
                .is_some_and(|f| f.aggregate_id != event.aggregate_id)
            {
                flush(&mut current)?;
            }
            current.push(event);
        }
    }
    flush(&mut current)?;
    Ok(records)
}

/// The review of `from..=until`, as of now or as the system knew it at `known_at`, limited to
/// the given schools (`None`: all).
pub async fn run_review(
    store: &Store,
    from: NaiveDate,
    until: NaiveDate,
    known_at: Option<DateTime<Utc>>,
    schools: Option<&[String]>,
    settings: &ReviewSettings,
) -> Result<Review, StoreError> {
    Ok(
        run_review_with_records(store, from, until, known_at, schools, settings)
            .await?
            .0,
    )
}

/// [`run_review`], with the case records it reviewed (those of the given schools, as known
/// at `known_at`): the exports name the child of each finding from them.
pub async fn run_review_with_records(
    store: &Store,
    from: NaiveDate,
    until: NaiveDate,
    known_at: Option<DateTime<Utc>>,
    schools: Option<&[String]>,
    settings: &ReviewSettings,
) -> Result<(Review, Vec<CaseRecord>), StoreError> {
    let rules = store.rules.get();
    let (calendar, now) = match known_at {
        Some(t) => (store.org.calendar_known_at(t).await?, t),
        None => (rules.calendar.clone(), store.clock.now()),
    };
    let records: Vec<CaseRecord> = case_records(store, &calendar, known_at)
        .await?
        .into_iter()
        .filter(|r| schools.is_none_or(|s| r.case.profile().is_some_and(|p| s.contains(&p.school))))
        .collect();
    let mut result = review(
        &records,
        &calendar,
        &rules.ladder,
        settings,
        from,
        until,
        now,
    );
    let changes = store.org.calendar_changes(known_at).await?;
    let mut calendar_findings =
        review_calendar_changes(&records, &changes, &rules.ladder, from, until, now);
    // The change itself concerns the whole county: shown to those who see every school.
    if schools.is_some() {
        calendar_findings.retain(|f| f.case_id != "organisation");
    }
    result.findings.extend(calendar_findings);
    let snapshot = store.org.current();
    let all_schools = snapshot.org.schools();
    let mut attestations = Vec::new();
    for school in schools.map_or(all_schools.as_slice(), |s| s) {
        attestations.push(SchoolAttestation {
            school: school.clone(),
            roll_calls: store.roll_calls.of_school(school, known_at).await?,
        });
    }
    result.findings.extend(review_attestation(
        &attestations,
        &records,
        &calendar,
        from,
        until,
        now,
    ));
    result.findings.sort_by(|a, b| {
        (&a.school, &a.case_id, a.day, a.kind).cmp(&(&b.school, &b.case_id, b.day, b.kind))
    });
    Ok((result, records))
}
