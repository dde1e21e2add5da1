//! The lists the county's offices exchange, for the imports: the grade-6 watch (last year's
//! leavers and the middle schools' enrolments, three leavers enrolled nowhere) and two registry
//! cross-checks a week apart (five children not on watch showing the five kinds of finding,
//! four of them put right in between, one left alone).

use std::collections::BTreeSet;

use notoneless_domain::{
    CaseAction, FindingKind, Gender, Guardian, HomeVisit, LEAVERS_HEADER, Participant,
    REGISTER_HEADER, ROLL_HEADER, RegistryIssue, RegistryResolution, ReturnMeasure, Role,
    StudentProfile, VisitOutcome, registry_case_id,
};
use rand::rngs::ChaCha8Rng;

use crate::children::{IdNumbers, birth_date, gender};
use crate::names::{below, child_name, surname};
use crate::organisation::{BUREAU, SchoolKind};
use crate::stories::document;
use crate::{County, List, Planted, Stream, Timed, local};

/// What the lists add: the lists, the facts the schools enter on the cases the imports open,
/// and the finding planted.
pub(crate) struct Lists {
    pub lists: Vec<Timed<List>>,
    pub cases: Vec<Stream<CaseAction>>,
    pub planted: Vec<Planted>,
}

fn gender_zh(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "男",
        Gender::Female => "女",
    }
}

/// A child the lists name: one on watch, or one the cross-check finds.
struct Listed<'a> {
    profile: &'a StudentProfile,
    id_number: &'a str,
    township: &'a str,
}

impl Listed<'_> {
    fn register_line(&self, status: &str) -> String {
        let (p, g) = (self.profile, &self.profile.guardians[0]);
        format!(
            "{},{},{},{},{},{},{},{},{},{status}\n",
            self.id_number,
            p.name,
            gender_zh(p.gender),
            p.birth_date,
            self.township,
            p.school,
            g.name,
            g.relation,
            g.phone
        )
    }

    fn roll_line(&self, number: &str, name: &str, school: &str, attending: &str) -> String {
        let (p, g) = (self.profile, &self.profile.guardians[0]);
        format!(
            "{number},{},{name},{},{},{school},{},{},{attending},{},{},{}\n",
            self.id_number,
            gender_zh(p.gender),
            p.birth_date,
            p.grade,
            p.class,
            g.name,
            g.relation,
            g.phone
        )
    }

    fn in_class(&self) -> String {
        self.roll_line(
            &self.profile.student_number,
            &self.profile.name,
            &self.profile.school,
            "是",
        )
    }
}

pub(crate) fn lists(county: &County, ids: &mut IdNumbers, rng: &mut ChaCha8Rng) -> Lists {
    let mut lists = Lists {
        lists: Vec::new(),
        cases: Vec::new(),
        planted: Vec::new(),
    };
    grade6_watch(county, ids, rng, &mut lists);
    registry(county, ids, rng, &mut lists);
    lists
}

/// Last year's grade-6 leavers of the primary schools, four each, and the middle schools'
/// enrolments; the first leaver of three schools is enrolled nowhere. Imported by the bureau
/// on the second school day.
fn grade6_watch(county: &County, ids: &mut IdNumbers, rng: &mut ChaCha8Rng, lists: &mut Lists) {
    let mut leavers = LEAVERS_HEADER.join(",") + "\n";
    let mut enrolments = "student_number,school\n".to_string();
    let primaries = county
        .schools
        .iter()
        .filter(|s| s.kind != SchoolKind::Middle);
    for (i, school) in primaries.enumerate() {
        for k in 0..4 {
            let born = birth_date(county.school_year, 7, rng);
            let number = format!(
                "G{}",
                ids.new_number(school.township, born, Gender::Male, rng)
            );
            let name = child_name(rng);
            let family = name.chars().next().unwrap_or('王');
            leavers.push_str(&format!(
                "{number},{name},男,{born},{},6-1,{family}家长,father,13700{:06}\n",
                school.id,
                below(rng, 1_000_000)
            ));
            if !(i < 3 && k == 0) {
                let middle = county
                    .schools
                    .iter()
                    .find(|s| s.township == school.township && s.kind == SchoolKind::Middle)
                    .map_or(school.id.as_str(), |s| s.id.as_str());
                enrolments.push_str(&format!("{number},{middle}\n"));
            }
        }
    }
    lists.lists.push(Timed {
        at: local(county.days[1], 11 * 60),
        by: BUREAU,
        fact: List::Grade6Watch {
            leavers,
            enrolments,
            on: county.days[0],
        },
    });
}

/// The registry cross-checks on the second and the seventh school day: every child on watch
/// is in the register and on a roll, in class; five more children show the five kinds of
/// finding. The schools follow up three of them within days, the second cross-check clears
/// the cancelled registration, and the child on no roll is left alone: the finding planted.
fn registry(county: &County, ids: &mut IdNumbers, rng: &mut ChaCha8Rng, lists: &mut Lists) {
    let day = |i: usize| county.days[i];
    let township = |school: usize| {
        county.townships[county.schools[school].township]
            .id
            .as_str()
    };
    let mut register = REGISTER_HEADER.join(",") + "\n";
    let mut roll = ROLL_HEADER.join(",") + "\n";
    for child in &county.children {
        let listed = Listed {
            profile: &child.profile,
            id_number: &child.id_number,
            township: township(child.school),
        };
        register.push_str(&listed.register_line("正常"));
        roll.push_str(&listed.in_class());
    }
    // Five children not on watch, in grade 4 of five primary schools.
    let primaries: Vec<usize> = (0..county.schools.len())
        .filter(|&s| county.schools[s].kind != SchoolKind::Middle)
        .collect();
    let mut extra = Vec::new();
    for i in 0..5 {
        let s = primaries[i % primaries.len()];
        let school = &county.schools[s];
        let gender = gender(rng);
        let born = birth_date(county.school_year, 4, rng);
        let id_number = ids.new_number(school.township, born, gender, rng);
        let profile = StudentProfile {
            student_number: format!("G{id_number}"),
            name: child_name(rng),
            gender,
            birth_date: born,
            school: school.id.clone(),
            grade: 4,
            class: "4-1".into(),
            head_teacher: String::new(),
            guardians: vec![Guardian {
                name: format!("{}家长", surname(rng)),
                relation: "mother".into(),
                phone: format!("1360000{:04}", below(rng, 10_000)),
            }],
            focus_groups: BTreeSet::new(),
            id_number: None,
        };
        extra.push((s, profile, id_number));
    }
    let listed: Vec<Listed> = extra
        .iter()
        .map(|(s, profile, id_number)| Listed {
            profile,
            id_number,
            township: township(*s),
        })
        .collect();
    let [unenrolled, nominal, twice, misnamed, cancelled] = &listed[..] else {
        return;
    };
    for child in [unenrolled, nominal, twice, misnamed] {
        register.push_str(&child.register_line("正常"));
    }
    register.push_str(&cancelled.register_line("注销"));
    let elsewhere = &county.schools[primaries[5 % primaries.len()]].id;
    let first_roll = [
        roll.clone(),
        nominal.roll_line(
            &nominal.profile.student_number,
            &nominal.profile.name,
            &nominal.profile.school,
            "否",
        ),
        twice.in_class(),
        twice.roll_line("X9000001", &twice.profile.name, elsewhere, "否"),
        misnamed.roll_line(
            &misnamed.profile.student_number,
            "错名字",
            &misnamed.profile.school,
            "是",
        ),
        cancelled.in_class(),
    ]
    .concat();
    // A week later the nominal entry, the duplicate and the wrong name are put right, and the
    // cancelled registration is off the roll; the unenrolled child is still on no roll.
    let second_roll = [
        roll,
        nominal.in_class(),
        twice.in_class(),
        misnamed.in_class(),
    ]
    .concat();
    lists.lists.push(Timed {
        at: local(day(1), 12 * 60),
        by: BUREAU,
        fact: List::Registry {
            name: "第一次学籍户籍比对".into(),
            register: register.clone(),
            roll: first_roll,
            on: day(1),
        },
    });
    for (child, kind, resolution) in [
        (
            nominal,
            RegistryIssue::NominalRegistration,
            "学生已返校就读，学籍状态已更正",
        ),
        (twice, RegistryIssue::Duplicate, "已注销重复学籍"),
        (misnamed, RegistryIssue::Wrong, "已按户籍更正姓名"),
    ] {
        let school = county
            .schools
            .iter()
            .find(|s| s.id == child.profile.school)
            .unwrap_or(&county.schools[0]);
        let participant =
            |user: usize, role: Role| Participant::new(&county.users[user].name, role);
        let number = format!("学籍〔{}〕", county.school_year);
        let document = document("学籍变更记录", number, "县教育局学籍管理办公室", day(4));
        lists.cases.push(Stream {
            id: registry_case_id(child.id_number),
            facts: vec![
                Timed {
                    at: local(day(3), 15 * 60),
                    by: school.leader,
                    fact: CaseAction::RecordHomeVisit(HomeVisit {
                        on: day(3),
                        participants: vec![
                            participant(school.teacher, Role::HeadTeacher),
                            participant(school.leader, Role::ResponsibleLeader),
                        ],
                        outcome: VisitOutcome::AgreedToReturn,
                        measures: [ReturnMeasure::PersuasionWithCare].into(),
                        note: None,
                    }),
                },
                Timed {
                    at: local(day(4), 15 * 60),
                    by: school.principal,
                    fact: CaseAction::ResolveRegistryFinding(RegistryResolution {
                        on: day(4),
                        kind,
                        resolution: resolution.into(),
                        document: Some(document),
                    }),
                },
            ],
        });
    }
    lists.lists.push(Timed {
        at: local(day(6), 12 * 60),
        by: BUREAU,
        fact: List::Registry {
            name: "第二次学籍户籍比对".into(),
            register,
            roll: second_roll,
            on: day(6),
        },
    });
    lists.planted.push(Planted {
        kind: FindingKind::UnresolvedRegistryFinding,
        case_id: registry_case_id(unenrolled.id_number),
        school: unenrolled.profile.school.clone(),
        day: day(1),
        story: "in the household register, on no roll, and nobody went to see".into(),
    });
}
