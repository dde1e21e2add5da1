//! The accountability review over the log: every case, with the day each fact was recorded,
//! handed to the domain's `review`. "As known at" a time uses only the facts recorded by then
//! and the calendar as it was then, so a past review can be reproduced exactly.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use notoneless_domain::{
    CaseRecord, Review, ReviewPass, ReviewSettings, SchoolAttestation, SchoolCalendar, StudentCase,
    StudentProfile,
};

use crate::commands::roll_calls_of_school;
use crate::db::Db;
use crate::error::StoreError;
use crate::log::{CaseFact, case_facts_page};
use crate::store::Store;

/// Feeds every case, as the review needs it, from the events recorded up to `known_at` (all,
/// if `None`), to `each`, one case at a time. The log is read a page at a time, the next page
/// read and decoded while this one is reviewed, so at most two pages and one case are in
/// memory at once, whatever the size of the county.
pub async fn for_each_case(
    store: &Store,
    calendar: &SchoolCalendar,
    known_at: Option<DateTime<Utc>>,
    each: impl FnMut(CaseRecord),
) -> Result<(), StoreError> {
    for_each_case_in_pages(store, calendar, known_at, 10_000, each).await
}

/// [`for_each_case`], reading `page` events at a time (tests use small pages to cross every
/// boundary).
pub async fn for_each_case_in_pages(
    store: &Store,
    calendar: &SchoolCalendar,
    known_at: Option<DateTime<Utc>>,
    page: i64,
    mut each: impl FnMut(CaseRecord),
) -> Result<(), StoreError> {
    let limit = page.max(1);
    let read = |db: Db, after: (String, i64)| {
        tokio::spawn(async move { case_facts_page(&db, (&after.0, after.1), limit).await })
    };
    let mut flush = |case: &mut Vec<CaseFact>| {
        let Some(first) = case.first() else {
            return;
        };
        let case_id = first.case_id.clone();
        let recorded_on = case
            .iter()
            .map(|f| calendar.local_date(f.recorded_at))
            .collect();
        let events: Vec<_> = case.drain(..).map(|f| f.event).collect();
        each(CaseRecord {
            case_id,
            case: StudentCase::from_events(events),
            recorded_on,
        });
    };
    let mut current: Vec<CaseFact> = Vec::new();
    let mut next = read(store.db.clone(), (String::new(), 0));
    loop {
        let page = next
            .await
            .map_err(|e| StoreError::Database(format!("reading the log stopped: {e}")))??;
        let Some(last) = page.last() else {
            break;
        };
        next = read(store.db.clone(), (last.case_id.clone(), last.sequence));
        for fact in page
            .into_iter()
            .filter(|f| known_at.is_none_or(|t| f.recorded_at <= t))
        {
            if current.first().is_some_and(|f| f.case_id != fact.case_id) {
                flush(&mut current);
            }
            current.push(fact);
        }
    }
    flush(&mut current);
    Ok(())
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
        review_pass(store, from, until, known_at, schools, settings, false)
            .await?
            .0,
    )
}

/// [`run_review`], with the profile of each child the review names (as known at
/// `known_at`), by case id: the exports name the child of each finding from them.
pub async fn run_review_with_profiles(
    store: &Store,
    from: NaiveDate,
    until: NaiveDate,
    known_at: Option<DateTime<Utc>>,
    schools: Option<&[String]>,
    settings: &ReviewSettings,
) -> Result<(Review, BTreeMap<String, StudentProfile>), StoreError> {
    let (review, mut profiles) =
        review_pass(store, from, until, known_at, schools, settings, true).await?;
    let named: BTreeSet<&str> = review.findings.iter().map(|f| f.case_id.as_str()).collect();
    profiles.retain(|case_id, _| named.contains(case_id.as_str()));
    Ok((review, profiles))
}

/// One pass over the log: each case of the given schools is reviewed as it is read and then
/// dropped (its profile kept if `keep_profiles`), so the review's memory grows with its
/// findings, not with the county.
async fn review_pass(
    store: &Store,
    from: NaiveDate,
    until: NaiveDate,
    known_at: Option<DateTime<Utc>>,
    schools: Option<&[String]>,
    settings: &ReviewSettings,
    keep_profiles: bool,
) -> Result<(Review, BTreeMap<String, StudentProfile>), StoreError> {
    let rules = store.rules.get();
    let (calendar, now) = match known_at {
        Some(t) => (store.org.calendar_known_at(t).await?, t),
        None => (rules.calendar.clone(), store.clock.now()),
    };
    let changes = store.org.calendar_changes(known_at).await?;
    let mut pass = ReviewPass::new(
        &calendar,
        &rules.ladder,
        settings,
        &changes,
        from,
        until,
        now,
    );
    // The schools' roll calls are read meanwhile: they are needed only at the end.
    let wanted: Vec<String> =
        schools.map_or_else(|| store.org.current().org.schools(), <[String]>::to_vec);
    let db = store.db.clone();
    let roll_calls = tokio::spawn(async move {
        let mut attestations = Vec::with_capacity(wanted.len());
        for school in wanted {
            attestations.push(SchoolAttestation {
                roll_calls: roll_calls_of_school(&db, &school, known_at).await?,
                school,
            });
        }
        Ok::<_, StoreError>(attestations)
    });
    let mut profiles = BTreeMap::new();
    for_each_case(store, &calendar, known_at, |record| {
        let Some(profile) = record.case.profile() else {
            return;
        };
        if schools.is_some_and(|s| !s.contains(&profile.school)) {
            return;
        }
        if keep_profiles {
            profiles.insert(record.case_id.clone(), profile.clone());
        }
        pass.add(&record);
    })
    .await?;
    let attestations = roll_calls
        .await
        .map_err(|e| StoreError::Database(format!("reading the roll calls stopped: {e}")))??;
    // A calendar change itself concerns the whole county: shown to those who see every school.
    Ok((pass.finish(&attestations, schools.is_none()), profiles))
}
