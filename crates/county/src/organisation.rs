//! The organisation (the county, its townships, their schools, a user of every role) and the
//! school calendar of the period, as the admin and the bureau enter them the week before term.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use notoneless_domain::{
    CalendarDay, Node, NodeKind, OrgCommand, SchoolCalendar, Term, User, UserRole,
};
use rand::rngs::ChaCha8Rng;

use crate::names::{COUNTY, ORDINALS, TOWNSHIPS, titled};
use crate::{CountyError, Params, Period, Timed, local};

/// A person with a user account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub node: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Township {
    pub id: String,
    pub name: String,
    /// The township officer (an index into [`crate::County::users`]).
    pub officer: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchoolKind {
    /// The junior middle school (grades 7 to 9).
    Middle,
    /// The central primary school (grades 1 to 6).
    Central,
    /// A village primary school.
    Village,
}

impl SchoolKind {
    /// A school's share of the children on watch, relative to the others'.
    pub(crate) fn weight(self) -> usize {
        match self {
            SchoolKind::Middle => 10,
            SchoolKind::Central => 9,
            SchoolKind::Village => 6,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct School {
    pub id: String,
    pub name: String,
    /// An index into [`crate::County::townships`].
    pub township: usize,
    pub kind: SchoolKind,
    pub grades: Vec<u8>,
    /// The head teacher, the responsible leader and the principal (indices into
    /// [`crate::County::users`]).
    pub teacher: usize,
    pub leader: usize,
    pub principal: usize,
}

/// The class of a grade at a school: the county's schools keep one class a grade, and its
/// case files and its roll calls name it the same way (`7-1`), so that a head teacher sees
/// each of her classes once. (A roll call a class, so more classes a grade would mean more
/// roll calls a day, out of the events a county's size allows.)
pub(crate) fn class_of(grade: u8) -> String {
    format!("{grade}-1")
}

/// The organisation: who is where.
pub(crate) struct Organisation {
    pub townships: Vec<Township>,
    pub schools: Vec<School>,
    pub users: Vec<Person>,
    pub nodes: Vec<Node>,
}

/// The indices of the county's own users in [`Organisation::users`].
pub(crate) const ADMIN: usize = 0;
pub(crate) const BUREAU: usize = 1;
pub(crate) const INSPECTOR: usize = 2;

fn person(users: &mut Vec<Person>, id: String, name: String, role: UserRole, node: &str) -> usize {
    users.push(Person {
        id,
        name,
        role,
        node: node.to_string(),
    });
    users.len() - 1
}

/// The county's townships, each with a junior middle school, a central primary school and
/// `params.village_schools` village schools; a head teacher, a responsible leader and a
/// principal per school, an officer per township, and the county's admin, bureau officer and
/// inspector.
pub(crate) fn organisation(params: &Params, rng: &mut ChaCha8Rng) -> Organisation {
    let (county, county_name) = COUNTY;
    let mut nodes = vec![Node {
        id: county.into(),
        kind: NodeKind::County,
        name: county_name.into(),
        parent: None,
    }];
    let mut users = Vec::new();
    person(
        &mut users,
        "admin".into(),
        "系统管理员".into(),
        UserRole::Admin,
        county,
    );
    person(
        &mut users,
        "chen".into(),
        "陈科长".into(),
        UserRole::BureauOfficer,
        county,
    );
    person(
        &mut users,
        "zhou".into(),
        "周督学".into(),
        UserRole::Inspector,
        county,
    );
    let mut townships = Vec::new();
    let mut schools = Vec::new();
    for t in 0..params.townships {
        let (base_id, base_name, base_short) = TOWNSHIPS[t % TOWNSHIPS.len()];
        let round = t / TOWNSHIPS.len();
        let (id, name, short) = if round == 0 {
            (
                base_id.to_string(),
                base_name.to_string(),
                base_short.to_string(),
            )
        } else {
            let n = round + 1;
            (
                format!("{base_id}{n}"),
                format!("{base_name}{n}"),
                format!("{base_short}{n}"),
            )
        };
        nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Township,
            name: name.clone(),
            parent: Some(county.into()),
        });
        let officer = person(
            &mut users,
            format!("to-{short}"),
            titled(rng, "乡长"),
            UserRole::TownshipOfficer,
            &id,
        );
        let stem = base_name.trim_end_matches(['镇', '乡', '街', '道']);
        let mut kinds = vec![
            (
                format!("{short}-middle"),
                format!("{stem}中学"),
                SchoolKind::Middle,
            ),
            (
                format!("{short}-central"),
                format!("{stem}中心小学"),
                SchoolKind::Central,
            ),
        ];
        for v in 0..params.village_schools {
            let (code, ordinal) = if params.village_schools == 1 {
                ("village".to_string(), String::new())
            } else {
                let ordinal = ORDINALS
                    .get(v)
                    .map_or_else(|| format!("第{}", v + 1), |o| (*o).to_string());
                (format!("village{}", v + 1), ordinal)
            };
            kinds.push((
                format!("{short}-{code}"),
                format!("{stem}{ordinal}村小学"),
                SchoolKind::Village,
            ));
        }
        for (school_id, school_name, kind) in kinds {
            nodes.push(Node {
                id: school_id.clone(),
                kind: NodeKind::School,
                name: school_name.clone(),
                parent: Some(id.clone()),
            });
            let grades: Vec<u8> = if kind == SchoolKind::Middle {
                vec![7, 8, 9]
            } else {
                (1..=6).collect()
            };
            let mut staff = |prefix: &str, title: &str, role: UserRole| {
                person(
                    &mut users,
                    format!("{prefix}-{school_id}"),
                    titled(rng, title),
                    role,
                    &school_id,
                )
            };
            let teacher = staff("ht", "老师", UserRole::HeadTeacher);
            let leader = staff("sl", "主任", UserRole::SchoolLeader);
            let principal = staff("p", "校长", UserRole::Principal);
            schools.push(School {
                id: school_id,
                name: school_name,
                township: t,
                kind,
                grades,
                teacher,
                leader,
                principal,
            });
        }
        townships.push(Township { id, name, officer });
    }
    Organisation {
        townships,
        schools,
        users,
        nodes,
    }
}

/// The school calendar of the period, as the bureau declares it before term.
pub(crate) struct Calendar {
    pub terms: Vec<Term>,
    pub holidays: Vec<CalendarDay>,
    pub make_up: Vec<CalendarDay>,
    pub calendar: SchoolCalendar,
    /// The school days of the period, in order.
    pub days: Vec<NaiveDate>,
    /// The first day after the period: the facts are reviewed as of it (or later).
    pub as_of: NaiveDate,
    /// Whether the period ends with the school year (grade 9 completes compulsory education).
    pub year_ends: bool,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first day on or after (`step` 1) or on or before (`step` -1) `d` that is `weekday`, or
/// (with `weekday` `None`) that is not a weekend.
fn walk(mut d: NaiveDate, step: i64, weekday: Option<Weekday>) -> NaiveDate {
    while weekday.map_or(weekend(d), |w| d.weekday() != w) {
        d += TimeDelta::days(step);
    }
    d
}

pub(crate) fn calendar(period: &Period) -> Result<Calendar, CountyError> {
    let (terms, holidays, make_up, first_day, last_day, as_of, year_ends) = match *period {
        Period::WeeksOfTerm { today, weeks } => {
            // The term starts on the Monday `weeks` weeks before this week's and lasts twenty
            // weeks; a two-day holiday in its third week, made up on the Saturday of its
            // fourth. The period is the term up to yesterday.
            let monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
            let first_day = monday - TimeDelta::weeks(i64::from(weeks));
            let term = Term {
                name: format!("{}学年第一学期", first_day.year()),
                first_day,
                last_day: first_day + TimeDelta::weeks(20) - TimeDelta::days(3),
            };
            let holidays = [17, 18]
                .map(|d| CalendarDay {
                    day: first_day + TimeDelta::days(d),
                    name: "秋假".into(),
                    reason: None,
                })
                .to_vec();
            let make_up = vec![CalendarDay {
                day: first_day + TimeDelta::days(26),
                name: "秋假调休".into(),
                reason: None,
            }];
            let yesterday = today - TimeDelta::days(1);
            (
                vec![term],
                holidays,
                make_up,
                first_day,
                yesterday,
                today,
                false,
            )
        }
        Period::SchoolYear(year) => {
            let (terms, holidays, make_up) = school_year(year);
            let (first_day, last_day) = (terms[0].first_day, terms[1].last_day);
            let as_of = last_day + TimeDelta::days(1);
            (terms, holidays, make_up, first_day, last_day, as_of, true)
        }
    };
    let calendar = SchoolCalendar::new(
        terms.clone(),
        holidays.iter().map(|h| h.day),
        make_up.iter().map(|m| m.day),
    )?;
    let days: Vec<NaiveDate> = calendar.school_days(first_day, last_day).collect();
    Ok(Calendar {
        terms,
        holidays,
        make_up,
        calendar,
        days,
        as_of,
        year_ends,
    })
}

/// The school year starting in September of `year`: two terms, the national holidays that
/// fall in them, and the make-up days around them (调休), as a county bureau declares them.
fn school_year(year: i32) -> (Vec<Term>, Vec<CalendarDay>, Vec<CalendarDay>) {
    let terms = vec![
        Term {
            name: format!("{}-{}学年第一学期", year, year + 1),
            first_day: walk(ymd(year, 9, 1), 1, None),
            last_day: walk(ymd(year + 1, 1, 16), -1, None),
        },
        Term {
            name: format!("{}-{}学年第二学期", year, year + 1),
            first_day: walk(ymd(year + 1, 3, 1), 1, None),
            last_day: walk(ymd(year + 1, 7, 10), -1, None),
        },
    ];
    let mut holidays = Vec::new();
    for (from, days, name) in [
        (ymd(year, 10, 1), 7, "国庆节"),
        (ymd(year + 1, 1, 1), 1, "元旦"),
        (ymd(year + 1, 4, 4), 3, "清明节"),
        (ymd(year + 1, 5, 1), 5, "劳动节"),
    ] {
        holidays.extend(
            (0..days)
                .map(|k| from + TimeDelta::days(k))
                .filter(|d| !weekend(*d))
                .map(|day| CalendarDay {
                    day,
                    name: name.into(),
                    reason: None,
                }),
        );
    }
    // The Sunday before National Day and the Saturday after it are worked; so is the Sunday
    // before Labour Day.
    let make_up = [
        (walk(ymd(year, 9, 30), -1, Some(Weekday::Sun)), "国庆节调休"),
        (walk(ymd(year, 10, 8), 1, Some(Weekday::Sat)), "国庆节调休"),
        (
            walk(ymd(year + 1, 4, 30), -1, Some(Weekday::Sun)),
            "劳动节调休",
        ),
    ]
    .into_iter()
    .filter(|(d, _)| terms.iter().any(|t| t.first_day <= *d && *d <= t.last_day))
    .map(|(day, name)| CalendarDay {
        day,
        name: name.into(),
        reason: None,
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

/// The organisation's commands, entered the week before term, one every six seconds from nine
/// o'clock: the tree and the users by the admin, then the calendar by the bureau.
pub(crate) fn commands(org: &Organisation, calendar: &Calendar) -> Vec<Timed<OrgCommand>> {
    let setup = calendar.terms[0].first_day - TimeDelta::days(7);
    let users = org.users.iter().map(|u| {
        OrgCommand::AddUser(User {
            id: u.id.clone(),
            name: u.name.clone(),
            role: u.role,
            node: u.node.clone(),
        })
    });
    let by_admin = org
        .nodes
        .iter()
        .cloned()
        .map(OrgCommand::AddNode)
        .chain(users)
        .map(|c| (ADMIN, c));
    let by_bureau = calendar
        .terms
        .iter()
        .cloned()
        .map(OrgCommand::AddTerm)
        .chain(
            calendar
                .holidays
                .iter()
                .cloned()
                .map(OrgCommand::DeclareHoliday),
        )
        .chain(
            calendar
                .make_up
                .iter()
                .cloned()
                .map(OrgCommand::DeclareMakeUpDay),
        )
        .map(|c| (BUREAU, c));
    let start: DateTime<Utc> = local(setup, 9 * 60);
    by_admin
        .chain(by_bureau)
        .enumerate()
        .map(|(i, (by, fact))| Timed {
            at: start + TimeDelta::seconds(6 * i as i64),
            by,
            fact,
        })
        .collect()
}
