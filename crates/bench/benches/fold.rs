//! The in-process fold of a 200-event case: decoding its stored JSON, folding it into the
//! aggregate, and assessing it under the 123 rule. `scripts/bench` reports events per second.

use chrono::{Datelike, NaiveDate, Weekday};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use notoneless_domain::fixtures::*;
use notoneless_domain::{CaseEvent, Recipient, Role, StudentCase, assess};

/// A case of 200 events: the opening and the 123 played through 22 times, then one absence.
fn long_case() -> Vec<CaseEvent> {
    let days: Vec<NaiveDate> = d("2023-09-01")
        .iter_days()
        .take_while(|d| *d <= d_end())
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    let mut events = vec![opened("2023-09-01")];
    let mut episode = 0;
    while events.len() < 200 {
        let s = |i: usize| days[episode * 5 + i].to_string();
        let cycle = vec![
            absence(&s(0)),
            contacted(&s(0), Role::HeadTeacher),
            absence(&s(1)),
            visited(&s(1), &[Role::HeadTeacher, Role::ResponsibleLeader]),
            absence(&s(2)),
            visited(
                &s(2),
                &[Role::HeadTeacher, Role::ResponsibleLeader, Role::Principal],
            ),
            reported(
                &s(2),
                Recipient::TownshipGovernment,
                &format!("乡-{episode}"),
            ),
            reported(&s(2), Recipient::CountyBureau, &format!("局-{episode}")),
            returned(&s(3)),
        ];
        for event in cycle {
            if events.len() < 200 {
                events.push(event);
            }
        }
        episode += 1;
    }
    events
}

fn d_end() -> NaiveDate {
    d("2024-06-30")
}

fn fold(c: &mut Criterion) {
    let events = long_case();
    let json: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).expect("encodes"))
        .collect();
    let mut group = c.benchmark_group("case_200_events");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("fold", |b| {
        b.iter(|| StudentCase::from_events(std::hint::black_box(events.clone())))
    });
    group.bench_function("decode_and_fold", |b| {
        b.iter(|| {
            let decoded = json
                .iter()
                .map(|j| serde_json::from_str::<CaseEvent>(j).expect("decodes"));
            StudentCase::from_events(decoded)
        })
    });
    let case = StudentCase::from_events(events.clone());
    let (calendar, ladder) = (calendar(), ladder());
    group.bench_function("assess", |b| {
        b.iter(|| {
            assess(
                std::hint::black_box(&case),
                &calendar,
                &ladder,
                at("2024-01-15", "12:00"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, fold);
criterion_main!(benches);
