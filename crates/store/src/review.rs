//! The accountability review over the log: every case, with the day each fact was recorded,
//! handed to the domain's `review`. "As known at" a time uses only the facts recorded by then
//! and the calendar as it was then, so a past review can be reproduced exactly.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use notoneless_domain::{
    CaseContribution, CaseRecord, OrgEvent, Review, ReviewPass, ReviewScope, ReviewSettings,
    SchoolAttestation, SchoolCalendar, StudentCase, StudentProfile,
};

use crate::commands::roll_calls_of_school;
use crate::db::{Db, P, Sql};
use crate::error::StoreError;
use crate::log::{CASE, CaseFact, case_facts_page, case_record, cases_events_in, events_after};
use crate::org::ORGANISATION;
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

/// The review of the scope: its period, as of now or as the system knew it at its instant,
/// limited to its schools.
pub async fn run_review(store: &Store, scope: &ReviewScope) -> Result<Review, StoreError> {
    let source = Source::Either {
        keep_profiles: false,
    };
    Ok(review_pass(store, scope, source).await?.0)
}

/// Where a review took the cases from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewSource {
    /// Each case's contribution as the read model keeps it, but for `recomputed` cases read
    /// from the log (events the projector had not applied yet, rows stale by now).
    ReadModel { recomputed: usize },
    /// Every case read from the log.
    Log,
}

/// [`run_review`], saying where it took the cases from; with `from_log`, every case is read
/// from the log whatever the read model holds (the reference the read model's review is
/// tested against).
pub async fn run_review_from(
    store: &Store,
    scope: &ReviewScope,
    from_log: bool,
) -> Result<(Review, ReviewSource), StoreError> {
    let source = if from_log {
        Source::Log
    } else {
        Source::Either {
            keep_profiles: false,
        }
    };
    let (review, _, source) = review_pass(store, scope, source).await?;
    Ok((review, source))
}

/// Where a pass may take the cases from, and whether it keeps their profiles.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The read model where it can.
    Either {
        keep_profiles: bool,
    },
    Log,
}

/// [`run_review`], with the profile of each child the review names (as known at the scope's
/// instant), by case id: the exports name the child of each finding from them.
pub async fn run_review_with_profiles(
    store: &Store,
    scope: &ReviewScope,
) -> Result<(Review, BTreeMap<String, StudentProfile>), StoreError> {
    let (review, mut profiles, _) = review_pass(
        store,
        scope,
        Source::Either {
            keep_profiles: true,
        },
    )
    .await?;
    let named: BTreeSet<&str> = review.findings.iter().map(|f| f.case_id.as_str()).collect();
    profiles.retain(|case_id, _| named.contains(case_id.as_str()));
    Ok((review, profiles))
}

/// One pass over the log: each case of the scope's schools is reviewed as it is read and then
/// dropped (its profile kept if the source says so), so the review's memory grows with its
/// findings, not with the county.
async fn review_pass(
    store: &Store,
    scope: &ReviewScope,
    source: Source,
) -> Result<(Review, BTreeMap<String, StudentProfile>, ReviewSource), StoreError> {
    let known_at = scope.known_at();
    let rules = store.rules.get();
    let (calendar, now) = match known_at {
        Some(t) => (store.org.calendar_known_at(t).await?, t),
        None => (rules.calendar.clone(), store.clock.now()),
    };
    let changes = store.org.calendar_changes(known_at).await?;
    let mut pass = ReviewPass::new(scope, &calendar, &rules.ladder, &changes, now);
    // The schools' roll calls are read meanwhile: they are needed only at the end.
    let wanted: Vec<String> = scope
        .schools()
        .map_or_else(|| store.org.current().org.schools(), <[String]>::to_vec);
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
    // A review of now with the default thresholds takes each case's contribution from the
    // read model, and only the cases the projector has not caught up with from the log.
    let keep_profiles = source
        == Source::Either {
            keep_profiles: true,
        };
    let mut recompute = None;
    if source != Source::Log
        && known_at.is_none()
        && *scope.settings() == ReviewSettings::default()
        && pass.takes_contributions()
    {
        let fingerprint = rules.fingerprint();
        if let Some(mut ids) = cases_to_recompute(store, now, &fingerprint).await? {
            let more = add_kept_contributions(store, &mut pass, &ids, scope, now, &fingerprint);
            ids.extend(more.await?);
            recompute = Some(ids);
        }
    }
    let used = recompute
        .as_ref()
        .map_or(ReviewSource::Log, |ids| ReviewSource::ReadModel {
            recomputed: ids.len(),
        });
    let mut add = |record: CaseRecord| {
        let Some(profile) = record.case.profile() else {
            return;
        };
        if !scope.covers(&profile.school) {
            return;
        }
        if keep_profiles {
            profiles.insert(record.case_id.clone(), profile.clone());
        }
        pass.add(&record);
    };
    match &recompute {
        Some(ids) => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            for_each_case_of(store, &calendar, &ids, &mut add).await?;
        }
        None => for_each_case(store, &calendar, known_at, add).await?,
    }
    let attestations = roll_calls
        .await
        .map_err(|e| StoreError::Database(format!("reading the roll calls stopped: {e}")))??;
    let review = pass.finish(&attestations);
    if keep_profiles && recompute.is_some() {
        let named: BTreeSet<&str> = review
            .findings
            .iter()
            .map(|f| f.case_id.as_str())
            .filter(|id| !profiles.contains_key(*id))
            .collect();
        let named: Vec<&str> = named.into_iter().collect();
        for_each_case_of(store, &calendar, &named, |record| {
            if let Some(profile) = record.case.profile() {
                profiles.insert(record.case_id.clone(), profile.clone());
            }
        })
        .await?;
    }
    tracing::debug!(source = ?used, "review");
    Ok((review, profiles, used))
}

/// At most this many cases of a review of now are read from the log rather than taken from
/// the read model. Beyond it (a projector far behind, a rebuild under way, the morning after
/// a night that made many rows stale) the review reads the whole log instead.
const MAX_RECOMPUTED: usize = 2_000;

/// The cases whose kept contribution cannot be used for a review as of `now` under the rules
/// with this fingerprint: those with events the projector has not applied yet, and those
/// whose row is stale, was assessed after `now` or under other rules, or has no
/// contribution. `None` if there are too many of them, or the projector has a change of the
/// calendar still to apply. (`add_kept_contributions` checks each row again as it reads it:
/// the projector may rewrite rows meanwhile.)
async fn cases_to_recompute(
    store: &Store,
    now: DateTime<Utc>,
    rules: &str,
) -> Result<Option<BTreeSet<String>>, StoreError> {
    let limit = MAX_RECOMPUTED as i64 + 1;
    // Every row was written up to the checkpoint at least; what came after is in the log.
    let checkpoint = store.projector.checkpoint().await?;
    let pending = events_after(&store.db, checkpoint, limit).await?;
    if pending.len() > MAX_RECOMPUTED {
        return Ok(None);
    }
    let mut ids = BTreeSet::new();
    for event in pending {
        if event.aggregate_type == ORGANISATION {
            if event.decode_as::<OrgEvent>()?.changes_calendar() {
                return Ok(None);
            }
        } else if event.aggregate_type == CASE {
            ids.insert(event.aggregate_id);
        }
    }
    let stale = store
        .db
        .fetch_all(
            Sql::both(
                "SELECT case_id FROM case_status WHERE review IS NULL OR stale_after <= $1 OR assessed_at > $1
                 OR review_rules IS NULL OR review_rules <> $3 LIMIT $2",
            ),
            &[P::Ts(now), P::I64(limit), P::text(rules)],
        )
        .await?;
    for row in stale {
        ids.insert(row.text("case_id")?);
    }
    Ok((ids.len() <= MAX_RECOMPUTED).then_some(ids))
}

/// Adds the kept contribution of every case of the scope's schools to `pass`, but for the cases
/// in `skip`; returns the cases whose row changed meanwhile so that it no longer holds at
/// `now` (to be read from the log too). The read model is read a page at a time, in case id
/// order, the next page while this one is added.
async fn add_kept_contributions(
    store: &Store,
    pass: &mut ReviewPass<'_>,
    skip: &BTreeSet<String>,
    scope: &ReviewScope,
    now: DateTime<Utc>,
    rules: &str,
) -> Result<Vec<String>, StoreError> {
    const PAGE: i64 = 5_000;
    let read = |db: Db, after: String| {
        tokio::spawn(async move {
            db.fetch_all(
                Sql::both(
                    "SELECT case_id, school, assessed_at, stale_after, review, review_rules FROM case_status WHERE case_id > $1 ORDER BY case_id LIMIT $2",
                ),
                &[P::Text(after), P::I64(PAGE)],
            )
            .await
        })
    };
    let mut changed = Vec::new();
    let mut next = read(store.db.clone(), String::new());
    loop {
        let page = next
            .await
            .map_err(|e| StoreError::Database(format!("reading the read model stopped: {e}")))??;
        let Some(last) = page.last() else {
            break;
        };
        next = read(store.db.clone(), last.text("case_id")?);
        for row in &page {
            let case_id = row.text("case_id")?;
            if skip.contains(&case_id) {
                continue;
            }
            let school = row.text("school")?;
            if !scope.covers(&school) {
                continue;
            }
            let holds = row.ts("assessed_at")? <= now
                && row.opt_ts("stale_after")?.is_none_or(|t| now < t)
                && row.opt_text("review_rules")?.as_deref() == Some(rules);
            match row.opt_text("review")? {
                Some(text) if holds => {
                    let contribution: CaseContribution =
                        serde_json::from_str(&text).map_err(|e| {
                            StoreError::Corrupt(format!("case_status.review of {case_id}: {e}"))
                        })?;
                    pass.add_contribution(&case_id, &contribution);
                }
                _ => changed.push(case_id),
            }
        }
    }
    Ok(changed)
}

/// Feeds the given cases, read from the log (all their events), to `each`, a few hundred at a
/// time.
async fn for_each_case_of(
    store: &Store,
    calendar: &SchoolCalendar,
    case_ids: &[&str],
    mut each: impl FnMut(CaseRecord),
) -> Result<(), StoreError> {
    const CASES_PER_READ: usize = 500;
    for chunk in case_ids.chunks(CASES_PER_READ) {
        let mut tx = store.db.begin_read().await?;
        let events = cases_events_in(&mut tx, chunk).await?;
        tx.commit().await?;
        for case in events.chunk_by(|a, b| a.aggregate_id == b.aggregate_id) {
            if let Some(record) = case_record(case, calendar)? {
                each(record);
            }
        }
    }
    Ok(())
}
