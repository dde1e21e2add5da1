//! The children: those on watch, a case each, and the others the county's lists name.

use std::collections::{BTreeSet, HashSet};

use chrono::{NaiveDate, TimeDelta};
use notoneless_domain::{FocusGroup, Gender, Guardian, StudentProfile, compose_id_number};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::names::{below, child_name, surname};
use crate::organisation::{Person, School, class_of};

/// A child on watch: the case opened for him, at his school.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    pub case_id: String,
    /// An index into [`crate::County::schools`].
    pub school: usize,
    pub profile: StudentProfile,
    pub id_number: String,
}

/// The ID numbers given out so far: no two children share one.
#[derive(Default)]
pub(crate) struct IdNumbers(HashSet<String>);

impl IdNumbers {
    /// A new valid ID number for a child born on `born` in the area of township `township`.
    pub fn new_number(
        &mut self,
        township: usize,
        born: NaiveDate,
        gender: Gender,
        rng: &mut ChaCha8Rng,
    ) -> String {
        let area = format!("2113{:02}", 24 + township % 70);
        let mut sequence = below(rng, 100) as u8;
        loop {
            let id = compose_id_number(&area, born, sequence, gender).unwrap_or_default();
            if self.0.insert(id.clone()) {
                return id;
            }
            sequence = (sequence + 1) % 100;
        }
    }
}

pub(crate) fn gender(rng: &mut ChaCha8Rng) -> Gender {
    if rng.random_bool(0.5) {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// The day a child of `grade` in the school year starting in September of `school_year` was
/// born: six on the first of September before the school year of grade 1.
pub(crate) fn birth_date(school_year: i32, grade: u8, rng: &mut ChaCha8Rng) -> NaiveDate {
    NaiveDate::from_ymd_opt(school_year - 6 - i32::from(grade), 9, 2).unwrap_or_default()
        + TimeDelta::days(below(rng, 364) as i64)
}

/// The case id of a child on watch.
fn case_id(student_number: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("notoneless/county/{student_number}").as_bytes(),
    )
    .to_string()
}

/// `count` children on watch, shared out among the schools by their kind's weight, each with a
/// profile (a focus group or two, a guardian) as the head teacher enters it.
pub(crate) fn on_watch(
    count: usize,
    schools: &[School],
    users: &[Person],
    school_year: i32,
    ids: &mut IdNumbers,
    rng: &mut ChaCha8Rng,
) -> Vec<Child> {
    let total: usize = schools
        .iter()
        .map(|s| s.kind.weight())
        .sum::<usize>()
        .max(1);
    let mut children = Vec::with_capacity(count);
    for (s, school) in schools.iter().enumerate() {
        let share = if s + 1 == schools.len() {
            count - children.len()
        } else {
            (count * school.kind.weight() / total).min(count - children.len())
        };
        for n in 0..share {
            let grade = school.grades[n % school.grades.len()];
            let gender = gender(rng);
            let born = birth_date(school_year, grade, rng);
            let id_number = ids.new_number(school.township, born, gender, rng);
            let name = child_name(rng);
            let mut focus_groups = BTreeSet::from([match below(rng, 3) {
                0 => FocusGroup::PovertyAlleviationHousehold,
                1 => FocusGroup::EconomicallyPoor,
                _ => FocusGroup::AcademicallyStruggling,
            }]);
            if below(rng, 70) == 0 {
                focus_groups.insert(FocusGroup::Disabled);
            }
            let family = name.chars().next().unwrap_or('王');
            let (guardian, relation) = match below(rng, 4) {
                0 => (format!("{family}建国"), "father"),
                1 => (format!("{}秀兰", surname(rng)), "mother"),
                2 => (format!("{family}老汉"), "grandfather"),
                _ => (format!("{}桂芝", surname(rng)), "grandmother"),
            };
            let student_number = format!("G{id_number}");
            let profile = StudentProfile {
                student_number: student_number.clone(),
                name,
                gender,
                birth_date: born,
                school: school.id.clone(),
                grade,
                class: class_of(grade),
                head_teacher: users[school.teacher].name.clone(),
                guardians: vec![Guardian {
                    name: guardian,
                    relation: relation.into(),
                    phone: format!("1{}{:09}", 3 + below(rng, 6), below(rng, 1_000_000_000)),
                }],
                focus_groups,
                id_number: Some(id_number.clone()),
            };
            children.push(Child {
                case_id: case_id(&student_number),
                school: s,
                profile,
                id_number,
            });
        }
    }
    children
}
