//! The schools' daily roll calls (零报告): every class (one a grade, named as the case files
//! name it: `7-1`), every school day, naming the children away; planted wrong, a few days on
//! which a school sent none, and a few names of children who have no case at all.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, TimeDelta};
use notoneless_domain::{FindingKind, NamedAbsence, RollCall};
use rand::rngs::ChaCha8Rng;

use crate::names::below;
use crate::organisation::class_of;
use crate::{County, Planted, Stream, Timed, local};

/// A few school days on which a school sends no roll call at all, as (school, day index):
/// never the day later declared a snow day (it would no longer be a school day).
pub(crate) fn missing(county: &County, rng: &mut ChaCha8Rng) -> HashSet<(usize, usize)> {
    let (schools, n) = (county.schools.len(), county.days.len());
    let want = (schools / 5).max(3).min(schools * n / 2);
    let mut missing = HashSet::new();
    while missing.len() < want {
        let day = below(rng, n);
        if county.snow != Some(day) {
            missing.insert((below(rng, schools), day));
        }
    }
    missing
}

/// Who a roll call names, per (school, grade, day).
pub(crate) type Named = HashMap<(usize, u8, NaiveDate), Vec<NamedAbsence>>;

/// Every school's roll calls, entered by its head teacher in the morning, with the findings
/// planted in them (the missing days, and the names of children with no case, one for every
/// twelve schools).
pub(crate) fn roll_calls(
    county: &County,
    mut named: Named,
    rng: &mut ChaCha8Rng,
) -> (Vec<Stream<RollCall>>, Vec<Planted>) {
    let mut planted: Vec<Planted> = county
        .missing
        .iter()
        .map(|&(s, i)| Planted {
            kind: FindingKind::MissingAttestation,
            case_id: "school".into(),
            school: county.schools[s].id.clone(),
            day: county.days[i],
            story: "no roll call that day".into(),
        })
        .collect();
    for k in 0..(county.schools.len() / 12).max(1) {
        let (s, i) = (
            below(rng, county.schools.len()),
            below(rng, county.days.len()),
        );
        if county.missing.contains(&(s, i)) || county.snow == Some(i) {
            continue;
        }
        let school = &county.schools[s];
        let grade = school.grades[below(rng, school.grades.len())];
        named
            .entry((s, grade, county.days[i]))
            .or_default()
            .push(NamedAbsence {
                student_number: format!("G211324000000{k:06}"),
                name: "无档学生".into(),
                excused: false,
            });
        planted.push(Planted {
            kind: FindingKind::RollCallMismatch,
            case_id: String::new(),
            school: school.id.clone(),
            day: county.days[i],
            story: "named absent, no case at all".into(),
        });
    }
    let mut watched: HashMap<(usize, u8), u32> = HashMap::new();
    for child in &county.children {
        *watched
            .entry((child.school, child.profile.grade))
            .or_default() += 1;
    }
    let mut streams = Vec::with_capacity(county.schools.len());
    for (s, school) in county.schools.iter().enumerate() {
        let mut facts = Vec::new();
        for (i, &day) in county.days.iter().enumerate() {
            if county.missing.contains(&(s, i)) {
                continue;
            }
            for &grade in &school.grades {
                let mut absent = named.remove(&(s, grade, day)).unwrap_or_default();
                absent.sort_by(|a, b| a.student_number.cmp(&b.student_number));
                // The whole class is on the roll; the children on watch are a part of it.
                let enrolled = watched.get(&(s, grade)).copied().unwrap_or(0) * 3 / 2 + 20;
                let present = enrolled.saturating_sub(absent.len() as u32);
                let at = local(day, 8 * 60 + 15 + 4 * u32::from(grade))
                    + TimeDelta::seconds(below(rng, 200) as i64);
                facts.push(Timed {
                    at,
                    by: school.teacher,
                    fact: RollCall {
                        on: day,
                        class: class_of(grade),
                        enrolled,
                        present,
                        absent,
                    },
                });
            }
        }
        streams.push(Stream {
            id: school.id.clone(),
            facts,
        });
    }
    (streams, planted)
}

/// How many roll calls [`roll_calls`] will make.
pub(crate) fn count(county: &County) -> usize {
    let n = county.days.len();
    county
        .schools
        .iter()
        .enumerate()
        .map(|(s, school)| {
            let skipped = county.missing.iter().filter(|(m, _)| *m == s).count();
            school.grades.len() * (n - skipped)
        })
        .sum()
}
