//! The county: townships, schools, their staff, the school calendar of the year, and the
//! children on watch with their profiles.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use notoneless_domain::{
    CalendarDay, FocusGroup, Gender, Guardian, Node, NodeKind, OrgCommand, SchoolCalendar,
    StudentProfile, Term, User, UserRole, compose_id_number,
};

use crate::Rng;

/// The county's node id.
pub const COUNTY: &str = "kazuo";

const TOWNSHIP_NAMES: [&str; 20] = [
    "大城子街道",
    "南哨街道",
    "利州街道",
    "公营子镇",
    "中三家镇",
    "六官营子镇",
    "平房子镇",
    "山嘴子镇",
    "白塔子镇",
    "甘招镇",
    "草场乡",
    "坤都营子乡",
    "大营子乡",
    "老爷庙镇",
    "南公营子镇",
    "兴隆庄镇",
    "十二德堡镇",
    "东哨镇",
    "官大海镇",
    "水泉镇",
];
pub const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "于", "董", "邢", "白",
];
const GIVEN: [&str; 32] = [
    "小明", "小红", "浩然", "子涵", "欣怡", "梓轩", "雨桐", "宇航", "佳怡", "俊杰", "思雨", "博文",
    "晨曦", "一诺", "嘉怡", "天佑", "若曦", "明轩", "诗涵", "鹏飞", "雅婷", "志强", "丽娜", "建华",
    "子墨", "欣然", "宇轩", "梦琪", "浩宇", "紫涵", "国庆", "春燕",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchoolKind {
    Middle,
    Central,
    Village,
}

/// A person with a user account.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub node: String,
}

pub struct Township {
    pub officer: Person,
}

pub struct School {
    pub id: String,
    pub township: usize,
    pub grades: Vec<u8>,
    /// A head teacher per grade, the responsible leader, the principal.
    pub teachers: BTreeMap<u8, Person>,
    pub leader: Person,
    pub principal: Person,
}

pub struct Child {
    pub case_id: String,
    pub school: usize,
    pub profile: StudentProfile,
}

pub struct County {
    pub townships: Vec<Township>,
    pub schools: Vec<School>,
    pub admin: Person,
    pub bureau: Person,
    pub inspector: Person,
    pub calendar: SchoolCalendar,
    pub terms: Vec<Term>,
    /// Every school day of the year, in order.
    pub days: Vec<NaiveDate>,
    /// The organisation's commands, in order, with when each was entered.
    pub org: Vec<(DateTime<Utc>, OrgCommand)>,
    pub children: Vec<Child>,
}

/// The instant of a local time (minutes after midnight) on a day, in the county's time zone
/// (UTC+08:00).
pub fn local(day: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default()
        + TimeDelta::minutes(i64::from(minutes))
        - TimeDelta::hours(8);
    DateTime::from_naive_utc_and_offset(naive, Utc)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn forward_to_weekday(mut d: NaiveDate) -> NaiveDate {
    while weekend(d) {
        d += TimeDelta::days(1);
    }
    d
}

fn back_to_weekday(mut d: NaiveDate) -> NaiveDate {
    while weekend(d) {
        d -= TimeDelta::days(1);
    }
    d
}

/// The school year starting in September of `year`: two terms, the national holidays that
/// fall in them, and the make-up days around them (调休), as a county bureau declares them.
fn school_year(year: i32) -> (Vec<Term>, Vec<CalendarDay>, Vec<CalendarDay>) {
    let terms = vec![
        Term {
            name: format!("{}-{}学年第一学期", year, year + 1),
            first_day: forward_to_weekday(ymd(year, 9, 1)),
            last_day: back_to_weekday(ymd(year + 1, 1, 16)),
        },
        Term {
            name: format!("{}-{}学年第二学期", year, year + 1),
            first_day: forward_to_weekday(ymd(year + 1, 3, 1)),
            last_day: back_to_weekday(ymd(year + 1, 7, 10)),
        },
    ];
    let mut holidays = Vec::new();
    let mut span = |from: NaiveDate, days: i64, name: &str| {
        for k in 0..days {
            let day = from + TimeDelta::days(k);
            if !weekend(day) {
                holidays.push(CalendarDay {
                    day,
                    name: name.into(),
                });
            }
        }
    };
    span(ymd(year, 10, 1), 7, "国庆节");
    span(ymd(year + 1, 1, 1), 1, "元旦");
    span(ymd(year + 1, 4, 4), 3, "清明节");
    span(ymd(year + 1, 5, 1), 5, "劳动节");
    // The Sunday before National Day and the Saturday after it are worked; so is the Sunday
    // before Labour Day.
    let mut sunday_before_october = ymd(year, 9, 30);
    while sunday_before_october.weekday() != Weekday::Sun {
        sunday_before_october -= TimeDelta::days(1);
    }
    let mut saturday_after = ymd(year, 10, 8);
    while saturday_after.weekday() != Weekday::Sat {
        saturday_after += TimeDelta::days(1);
    }
    let mut sunday_before_may = ymd(year + 1, 4, 30);
    while sunday_before_may.weekday() != Weekday::Sun {
        sunday_before_may -= TimeDelta::days(1);
    }
    let make_up = [
        (sunday_before_october, "国庆节调休"),
        (saturday_after, "国庆节调休"),
        (sunday_before_may, "劳动节调休"),
    ]
    .into_iter()
    .filter(|(d, _)| terms.iter().any(|t| t.first_day <= *d && *d <= t.last_day))
    .map(|(day, name)| CalendarDay {
        day,
        name: name.into(),
    })
    .collect();
    (terms, holidays, make_up)
}

/// The default school year: the last one that ended before `today`.
pub fn last_school_year(today: NaiveDate) -> i32 {
    if today > ymd(today.year(), 7, 15) {
        today.year() - 1
    } else {
        today.year() - 2
    }
}

fn person(id: String, name: String, role: UserRole, node: &str) -> Person {
    Person {
        id,
        name,
        role,
        node: node.to_string(),
    }
}

/// The county for `children` children on watch in the school year starting in `year`.
pub fn county(children: usize, year: i32, rng: &Rng) -> anyhow::Result<County> {
    let (terms, holidays, make_up) = school_year(year);
    let calendar = SchoolCalendar::new(
        terms.clone(),
        holidays.iter().map(|h| h.day),
        make_up.iter().map(|m| m.day),
    )
    .map_err(|e| anyhow::anyhow!("the calendar of {year}: {e}"))?;
    let days: Vec<NaiveDate> = calendar
        .school_days(terms[0].first_day, terms[1].last_day)
        .collect();

    // ---- the organisation: about 2,500 children on watch per township; each township has a
    // junior middle school, a central primary school and four village schools -------------
    let township_count = children.div_ceil(2_500).max(1);
    let name_of =
        |suffix: &str, rng: &Rng| format!("{}{suffix}", SURNAMES[rng.below(SURNAMES.len())]);
    let admin = person("admin".into(), "系统管理员".into(), UserRole::Admin, COUNTY);
    let bureau = person(
        "chen".into(),
        "陈科长".into(),
        UserRole::BureauOfficer,
        COUNTY,
    );
    let inspector = person("zhou".into(), "周督学".into(), UserRole::Inspector, COUNTY);
    let mut nodes = vec![Node {
        id: COUNTY.into(),
        kind: NodeKind::County,
        name: "喀左县".into(),
        parent: None,
    }];
    let mut users = vec![admin.clone(), bureau.clone(), inspector.clone()];
    let mut townships = Vec::new();
    let mut schools = Vec::new();
    for t in 0..township_count {
        let id = format!("t{:02}", t + 1);
        let base = TOWNSHIP_NAMES[t % TOWNSHIP_NAMES.len()];
        let name = if t < TOWNSHIP_NAMES.len() {
            base.to_string()
        } else {
            format!("{base}{}", t / TOWNSHIP_NAMES.len() + 1)
        };
        nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Township,
            name: name.clone(),
            parent: Some(COUNTY.into()),
        });
        let officer = person(
            format!("to-{id}"),
            name_of("乡长", rng),
            UserRole::TownshipOfficer,
            &id,
        );
        users.push(officer.clone());
        let short = name.trim_end_matches(['镇', '乡', '街', '道']);
        let kinds = [
            ("middle", format!("{short}中学"), SchoolKind::Middle),
            ("central", format!("{short}中心小学"), SchoolKind::Central),
            ("v1", format!("{short}第一村小"), SchoolKind::Village),
            ("v2", format!("{short}第二村小"), SchoolKind::Village),
            ("v3", format!("{short}第三村小"), SchoolKind::Village),
            ("v4", format!("{short}第四村小"), SchoolKind::Village),
        ];
        for (code, school_name, kind) in kinds {
            let school_id = format!("{id}-{code}");
            nodes.push(Node {
                id: school_id.clone(),
                kind: NodeKind::School,
                name: school_name,
                parent: Some(id.clone()),
            });
            let grades: Vec<u8> = if kind == SchoolKind::Middle {
                vec![7, 8, 9]
            } else {
                (1..=6).collect()
            };
            let mut teachers = BTreeMap::new();
            for &g in &grades {
                let teacher = person(
                    format!("ht-{school_id}-g{g}"),
                    name_of("老师", rng),
                    UserRole::HeadTeacher,
                    &school_id,
                );
                users.push(teacher.clone());
                teachers.insert(g, teacher);
            }
            let leader = person(
                format!("sl-{school_id}"),
                name_of("主任", rng),
                UserRole::SchoolLeader,
                &school_id,
            );
            let principal = person(
                format!("p-{school_id}"),
                name_of("校长", rng),
                UserRole::Principal,
                &school_id,
            );
            users.push(leader.clone());
            users.push(principal.clone());
            schools.push(School {
                id: school_id,
                township: t,
                grades,
                teachers,
                leader,
                principal,
            });
        }
        townships.push(Township { officer });
    }

    // ---- recorded the week before term: the tree, the users, then the calendar ------------
    let setup = terms[0].first_day - TimeDelta::days(7);
    let mut org = Vec::new();
    // One change every six seconds from nine o'clock.
    let at = |org: &mut Vec<(DateTime<Utc>, OrgCommand)>, command: OrgCommand| {
        let when = local(setup, 9 * 60) + TimeDelta::seconds(6 * org.len() as i64);
        org.push((when, command));
    };
    for node in nodes {
        at(&mut org, OrgCommand::AddNode(node));
    }
    for u in &users {
        at(
            &mut org,
            OrgCommand::AddUser(User {
                id: u.id.clone(),
                name: u.name.clone(),
                role: u.role,
                node: u.node.clone(),
            }),
        );
    }
    for term in &terms {
        at(&mut org, OrgCommand::AddTerm(term.clone()));
    }
    for day in &holidays {
        at(&mut org, OrgCommand::DeclareHoliday(day.clone()));
    }
    for day in &make_up {
        at(&mut org, OrgCommand::DeclareMakeUpDay(day.clone()));
    }

    // ---- the children on watch: a school's share by its kind ------------------------------
    let weights: Vec<usize> = schools
        .iter()
        .map(|s| match s.id.rsplit('-').next() {
            Some("middle") => 8,
            Some("central") => 6,
            _ => 2,
        })
        .collect();
    let total: usize = weights.iter().sum();
    let mut list = Vec::with_capacity(children);
    let mut ids = HashSet::new();
    let school_year = terms[0].first_day.year();
    let mut assigned = 0;
    for (s, school) in schools.iter().enumerate() {
        let share = if s + 1 == schools.len() {
            children - assigned
        } else {
            (children * weights[s] / total).min(children - assigned)
        };
        assigned += share;
        for n in 0..share {
            let grade = school.grades[n % school.grades.len()];
            let gender = if rng.below(2) == 0 {
                Gender::Male
            } else {
                Gender::Female
            };
            // Six on the first of September before the school year of grade 1.
            let born = ymd(school_year - 6 - i32::from(grade), 9, 2)
                + TimeDelta::days(rng.below(364) as i64);
            let area = format!("2113{:02}", 24 + school.township % 70);
            let mut sequence = rng.below(100) as u8;
            let id_number = loop {
                let id = compose_id_number(&area, born, sequence, gender).unwrap_or_default();
                if ids.insert(id.clone()) {
                    break id;
                }
                sequence = (sequence + 1) % 100;
            };
            let name = format!(
                "{}{}",
                SURNAMES[rng.below(SURNAMES.len())],
                GIVEN[rng.below(GIVEN.len())]
            );
            let mut focus = std::collections::BTreeSet::new();
            focus.insert(match rng.below(3) {
                0 => FocusGroup::PovertyAlleviationHousehold,
                1 => FocusGroup::EconomicallyPoor,
                _ => FocusGroup::AcademicallyStruggling,
            });
            if rng.below(100) == 0 {
                focus.insert(FocusGroup::Disabled);
            }
            let student_number = format!("G{id_number}");
            let surname = name.chars().next().unwrap_or('王');
            let (guardian, relation) = match rng.below(4) {
                0 => (format!("{surname}建国"), "father"),
                1 => (
                    format!("{}秀兰", SURNAMES[rng.below(SURNAMES.len())]),
                    "mother",
                ),
                2 => (format!("{surname}老汉"), "grandfather"),
                _ => (
                    format!("{}桂芝", SURNAMES[rng.below(SURNAMES.len())]),
                    "grandmother",
                ),
            };
            let profile = StudentProfile {
                student_number: student_number.clone(),
                name,
                gender,
                birth_date: born,
                school: school.id.clone(),
                grade,
                class: format!("{grade}-{}", 1 + rng.below(4)),
                head_teacher: school.teachers[&grade].name.clone(),
                guardians: vec![Guardian {
                    name: guardian,
                    relation: relation.into(),
                    phone: format!("1{}{:09}", 3 + rng.below(6), rng.next() % 1_000_000_000),
                }],
                focus_groups: focus,
            };
            list.push(Child {
                case_id: uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_OID,
                    format!("notoneless/seed/{student_number}").as_bytes(),
                )
                .to_string(),
                school: s,
                profile,
            });
        }
    }
    Ok(County {
        townships,
        schools,
        admin,
        bureau,
        inspector,
        calendar,
        terms,
        days,
        org,
        children: list,
    })
}
