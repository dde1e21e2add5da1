//! Properties of `assess` over generated case histories.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use notoneless_domain::fixtures::*;
use notoneless_domain::*;
use proptest::prelude::*;

const FIRST_DAY: &str = "2023-09-25"; // a Monday before the National Day holiday
const SPAN_DAYS: u64 = 70;

fn day(offset: u64) -> NaiveDate {
    d(FIRST_DAY) + Days::new(offset)
}

fn date_string(offset: u64) -> String {
    day(offset).format("%Y-%m-%d").to_string()
}

const ROLES: [Role; 3] = [Role::HeadTeacher, Role::ResponsibleLeader, Role::Principal];

fn roles(bits: u8) -> Vec<Role> {
    ROLES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, r)| *r)
        .collect()
}

/// A set of facts about one child over ten weeks, in no particular order.
fn facts() -> impl Strategy<Value = Vec<CaseEvent>> {
    (
        prop::collection::btree_set(0..SPAN_DAYS, 0..30),
        prop::collection::vec((0..SPAN_DAYS, 0..4u64), 0..3),
        prop::collection::vec((0..SPAN_DAYS, 0..3usize), 0..6),
        prop::collection::vec((0..SPAN_DAYS, 1..8u8), 0..6),
        prop::collection::vec((0..SPAN_DAYS, any::<bool>()), 0..4),
        prop::collection::btree_set(0..SPAN_DAYS, 0..5),
    )
        .prop_map(|(absences, leaves, contacts, visits, reports, returns)| {
            let mut events = Vec::new();
            events.extend(absences.iter().map(|&o| absence(&date_string(o))));
            events.extend(
                leaves.iter().map(|&(o, len)| {
                    granted(&date_string(o), &date_string(o), &date_string(o + len))
                }),
            );
            events.extend(
                contacts
                    .iter()
                    .map(|&(o, r)| contacted(&date_string(o), ROLES[r])),
            );
            events.extend(
                visits
                    .iter()
                    .map(|&(o, bits)| visited(&date_string(o), &roles(bits))),
            );
            events.extend(reports.iter().enumerate().map(|(i, &(o, township))| {
                let recipient = if township {
                    Recipient::TownshipGovernment
                } else {
                    Recipient::CountyBureau
                };
                reported(&date_string(o), recipient, &format!("R-{i}"))
            }));
            events.extend(returns.iter().map(|&o| returned(&date_string(o))));
            events
        })
}

fn case_of(facts: &[CaseEvent]) -> StudentCase {
    StudentCase::from_events(std::iter::once(opened(FIRST_DAY)).chain(facts.iter().cloned()))
}

/// The assessment with every sequence number blanked out: sequence numbers say in which order
/// facts were recorded, which is exactly what must not matter.
fn without_sequences(mut a: Assessment) -> Assessment {
    for episode in &mut a.episodes {
        episode.sequences.clear();
        if let Some(end) = &mut episode.end {
            end.sequence = None;
        }
        for obligation in &mut episode.obligations {
            if let Some(f) = &mut obligation.fulfilment {
                f.sequence = 0;
            }
        }
    }
    for ignored in &mut a.ignored_absences {
        ignored.sequence = 0;
        if let IgnoredReason::OnLeave { leave } = &mut ignored.reason {
            *leave = 0;
        }
    }
    a
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_assessment_does_not_depend_on_the_order_facts_were_recorded_in(
        (facts, shuffled) in facts().prop_flat_map(|f| (Just(f.clone()), Just(f).prop_shuffle())),
        now_offset in 0..SPAN_DAYS + 7,
        hour in 0..24u32,
    ) {
        let now = at(&date_string(now_offset), &format!("{hour:02}:30"));
        let in_order = assess(&case_of(&facts), &calendar(), &ladder(), now);
        let reordered = assess(&case_of(&shuffled), &calendar(), &ladder(), now);
        prop_assert_eq!(without_sequences(in_order), without_sequences(reordered));
    }

    #[test]
    fn every_unexcused_absence_day_belongs_to_exactly_one_episode(
        facts in facts(),
        now_offset in 0..SPAN_DAYS + 7,
    ) {
        let case = case_of(&facts);
        let calendar = calendar();
        let today = day(now_offset);
        let a = assess(&case, &calendar, &ladder(), at(&date_string(now_offset), "12:00"));

        let leaves: Vec<(NaiveDate, NaiveDate)> =
            case.leaves().filter(|(_, l)| l.on <= today).map(|(_, l)| (l.from, l.until)).collect();
        let unexcused: Vec<NaiveDate> = case
            .absences()
            .map(|(_, d)| d)
            .filter(|d| *d <= today && calendar.is_school_day(*d))
            .filter(|d| !leaves.iter().any(|(from, until)| from <= d && d <= until))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let in_episodes: Vec<NaiveDate> =
            a.episodes.iter().flat_map(|e| e.days.iter().copied()).collect();
        prop_assert_eq!(&in_episodes, &unexcused, "each day once, in order, none left out");
        for pair in a.episodes.windows(2) {
            let end = pair[0].end.expect("every episode but the last has ended");
            prop_assert!(pair[0].days.last() < Some(&end.on) && end.on <= pair[1].first_day);
        }
    }
}

/// A case over ten weeks with transfers, suspensions and late entries too, as the review sees
/// it: each fact recorded on its day or up to five days later.
fn case_record() -> impl Strategy<Value = CaseRecord> {
    (
        facts(),
        prop::collection::vec((0..SPAN_DAYS, 0..3u8, 1..20u64), 0..3),
        prop::collection::vec(0..6u64, 40),
    )
        .prop_map(|(mut facts, more, delays)| {
            for (offset, what, length) in more {
                let on = date_string(offset);
                facts.push(match what {
                    0 => transferred(&on),
                    1 => suspended(&on, &date_string(offset + length)),
                    _ => CaseEvent::Resumed(Resumption {
                        on: day(offset + length),
                        note: None,
                    }),
                });
            }
            let case = case_of(&facts);
            let recorded_on = case
                .live()
                .map(|(_, e)| e.on())
                .chain(std::iter::repeat(day(0)))
                .zip(delays.iter().cycle())
                .take(facts.len() + 1)
                .map(|(on, late)| on + Days::new(*late))
                .collect();
            CaseRecord {
                case_id: "case-1".into(),
                case,
                recorded_on,
            }
        })
}

fn contribution_at(record: &CaseRecord, offset: u64, hour: u32) -> CaseContribution {
    let now = at(&date_string(offset), &format!("{hour:02}:30"));
    let assessment = assess(&record.case, &calendar(), &ladder(), now);
    CaseContribution::of(record, &assessment, &ReviewSettings::default())
        .expect("the case is opened")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_case_contribution_to_the_review_holds_through_the_day_it_says(
        record in case_record(),
        first in 0..SPAN_DAYS + 20,
        later in 0..40u64,
        (hour, later_hour) in (0..24u32, 0..24u32),
    ) {
        let earlier = contribution_at(&record, first, hour);
        // A later instant up to the end of the last day it holds.
        let last = earlier.valid_through.map_or(u64::MAX, |last| {
            u64::try_from((last - day(0)).num_days()).expect("not before the first day")
        });
        let then = (first + later).min(last);
        let then_hour = if then == first { later_hour.max(hour) } else { later_hour };
        prop_assert_eq!(contribution_at(&record, then, then_hour), earlier);
    }

    #[test]
    fn a_case_contribution_reads_back_as_it_was_written(
        record in case_record(),
        first in 0..SPAN_DAYS + 20,
    ) {
        let contribution = contribution_at(&record, first, 12);
        let text = serde_json::to_string(&contribution).expect("encodes");
        prop_assert_eq!(serde_json::from_str::<CaseContribution>(&text).expect("decodes"), contribution);
    }
}
