//! A fictional county (喀左县, after the county whose plan this project follows), generated
//! from its size, a period and a seed: the organisation (townships, schools, a user of every
//! role), the school calendar, the children on watch, and the timed facts of the period (who
//! enters what, and when: the organisation's commands, every case's commands, the schools'
//! daily roll calls, and the lists the imports read), with the list of the violations planted
//! in them ([`Planted`]), each the finding the accountability review must make of it.
//!
//! Most of the county does things right: cases opened at term start (a tenth at a first
//! absence), children back after the teacher's call, the full 123 done on time and
//! acknowledged, leave, suspensions with their documents, confirmed transfers, dropouts
//! followed up, support, home visits and home teaching, roll calls every school day. A small
//! share is planted wrong, at rates a year's worth of a real county might show, scaled to the
//! period (`stories.rs`); and, whatever the size, every kind of violation at least once.
//!
//! The same parameters give the same county: every draw comes from ChaCha8 seeded with
//! [`Params::seed`], each child from its own stream of it. Nothing here touches a database or
//! the clock: `notoneless-demo` writes a county through the command path, one command at a
//! time with the clock set to when it was entered, and `nol-seed` (crates/bench) decides each
//! command with its aggregate and writes the events through the store's bulk writer.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use notoneless_domain::{
    CalendarDay, CalendarError, CaseAction, FindingKind, NamedAbsence, OrgCommand, RollCall,
    SHANGHAI_UTC_OFFSET_MINUTES, SchoolCalendar, Term,
};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::Serialize;

mod children;
mod lists;
mod names;
mod organisation;
mod roll_calls;
mod stories;

pub use children::Child;
pub use names::COUNTY;
pub use organisation::{Person, School, SchoolKind, Township, last_school_year};

use organisation::{ADMIN, BUREAU, INSPECTOR};
use stories::{FULL_PACE, Flaw, Story};

/// The period the facts cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// A term that started on the Monday `weeks` weeks before the week of `today`, up to
    /// yesterday: twenty weeks long, with a two-day holiday in its third week made up on the
    /// Saturday of its fourth.
    WeeksOfTerm { today: NaiveDate, weeks: u32 },
    /// The school year starting in September of this year: two terms, the national holidays
    /// and their make-up days.
    SchoolYear(i32),
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    pub townships: usize,
    /// Village schools per township (besides its junior middle and central primary school).
    pub village_schools: usize,
    /// Children on watch, a case each.
    pub children: usize,
    pub period: Period,
    /// About how many facts in all: the everyday absences (three facts each) fill the period
    /// up to it if the rest leaves room; if not, the stories are thinned (every rate taken at
    /// the share that comes near it), but for the violations planted whatever the size.
    pub events: usize,
    pub seed: u64,
    /// The grade-6 watch and two registry cross-checks, as lists for the imports (only a
    /// writer that runs the imports can send them).
    pub lists: bool,
    /// A snow day declared a holiday five days after it (a review over it reads every case
    /// from the log).
    pub late_holiday: bool,
}

impl Params {
    /// The demo county: four townships, each with a junior middle school, a central primary
    /// school and a village school; 2,000 children on watch (200 at each middle school); six
    /// weeks of a term up to yesterday; the lists and the snow day.
    pub fn demo(today: NaiveDate) -> Self {
        Self {
            townships: 4,
            village_schools: 1,
            children: 2_000,
            period: Period::WeeksOfTerm { today, weeks: 6 },
            events: 5_000,
            seed: 2023,
            lists: true,
            late_holiday: true,
        }
    }

    /// A county at scale: a township (a junior middle school, a central primary school and
    /// four village schools) for every 2,500 children on watch, and a school year.
    pub fn county(children: usize, year: i32, events: usize, seed: u64) -> Self {
        Self {
            townships: children.div_ceil(2_500).max(1),
            village_schools: 4,
            children,
            period: Period::SchoolYear(year),
            events,
            seed,
            lists: false,
            late_holiday: false,
        }
    }
}

/// Why a county could not be generated.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CountyError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the calendar of the period: {0}")]
    Calendar(#[from] CalendarError),
}

/// The fewest school days a period may hold: the stories need room.
const MIN_DAYS: usize = 20;

/// A fact as entered: when, by whom (an index into [`County::users`]), and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed<T> {
    pub at: DateTime<Utc>,
    pub by: usize,
    pub fact: T,
}

/// The facts entered on one stream (a case, a school's roll calls), in the order entered.
#[derive(Clone, Debug, PartialEq)]
pub struct Stream<T> {
    pub id: String,
    pub facts: Vec<Timed<T>>,
}

/// A list an import reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum List {
    /// The grade-6 leavers and the middle schools' enrolments, as of `on`.
    Grade6Watch {
        leavers: String,
        enrolments: String,
        on: NaiveDate,
    },
    /// A registry cross-check named `name`: the household register and the school rolls, as
    /// extracted on `on`.
    Registry {
        name: String,
        register: String,
        roll: String,
        on: NaiveDate,
    },
}

/// A violation planted: what the review must find, where and on which day.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Planted {
    pub kind: FindingKind,
    /// The case (`school` for a school's missing roll call, `organisation` for the calendar
    /// change, empty for a child named absent who has no case).
    pub case_id: String,
    pub school: String,
    pub day: NaiveDate,
    /// What was done wrong, in words.
    pub story: String,
}

/// The county generated.
#[derive(Clone, Debug)]
pub struct County {
    pub townships: Vec<Township>,
    pub schools: Vec<School>,
    /// Everyone with a user account: the admin, the bureau officer and the inspector first.
    pub users: Vec<Person>,
    pub terms: Vec<Term>,
    /// The calendar as the bureau declared it before term.
    pub calendar: SchoolCalendar,
    /// The school days of the period, in order.
    pub days: Vec<NaiveDate>,
    /// The first day after the period: what is planted is what a review as of then (or any
    /// time later) finds.
    pub as_of: NaiveDate,
    pub children: Vec<Child>,
    /// The organisation's commands (one stream), in the order entered.
    pub org: Vec<Timed<OrgCommand>>,
    /// Every case's commands: the children's, then those the schools enter on the cases the
    /// imports open.
    pub cases: Vec<Stream<CaseAction>>,
    /// Every school's roll calls (the stream of the school's id).
    pub roll_calls: Vec<Stream<RollCall>>,
    pub lists: Vec<Timed<List>>,
    /// Sorted.
    pub planted: Vec<Planted>,
    /// The school year the period is in (by the year it starts in).
    school_year: i32,
    /// How many school days each whole term has.
    term_days: Vec<usize>,
    year_ends: bool,
    /// The day index later declared a snow day.
    snow: Option<usize>,
    /// (school, day index) on which the school sends no roll call.
    missing: HashSet<(usize, usize)>,
}

/// One fact of [`County::in_order`].
#[derive(Clone, Copy, Debug)]
pub enum Fact<'a> {
    Org(&'a OrgCommand),
    Case {
        case_id: &'a str,
        action: &'a CaseAction,
    },
    RollCall {
        school: &'a str,
        roll_call: &'a RollCall,
    },
    List(&'a List),
}

impl County {
    pub fn admin(&self) -> &Person {
        &self.users[ADMIN]
    }

    pub fn bureau(&self) -> &Person {
        &self.users[BUREAU]
    }

    pub fn inspector(&self) -> &Person {
        &self.users[INSPECTOR]
    }

    /// How many facts there are (each is one command).
    pub fn facts(&self) -> usize {
        self.org.len()
            + self.cases.iter().map(|c| c.facts.len()).sum::<usize>()
            + self.roll_calls.iter().map(|r| r.facts.len()).sum::<usize>()
            + self.lists.len()
    }

    /// Every fact in the order it was entered (facts entered at the same instant in the
    /// order planned): when, who (an index into [`County::users`]) and what.
    pub fn in_order(&self) -> Vec<(DateTime<Utc>, usize, Fact<'_>)> {
        let mut all: Vec<(DateTime<Utc>, usize, Fact<'_>)> = Vec::with_capacity(self.facts());
        all.extend(self.org.iter().map(|t| (t.at, t.by, Fact::Org(&t.fact))));
        for case in &self.cases {
            all.extend(case.facts.iter().map(|t| {
                let fact = Fact::Case {
                    case_id: &case.id,
                    action: &t.fact,
                };
                (t.at, t.by, fact)
            }));
        }
        for school in &self.roll_calls {
            all.extend(school.facts.iter().map(|t| {
                let fact = Fact::RollCall {
                    school: &school.id,
                    roll_call: &t.fact,
                };
                (t.at, t.by, fact)
            }));
        }
        all.extend(self.lists.iter().map(|t| (t.at, t.by, Fact::List(&t.fact))));
        all.sort_by_key(|(at, _, _)| *at);
        all
    }
}

/// The instant of a local time (minutes after midnight) on a day, in the county's time zone.
pub fn local(day: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default()
        + TimeDelta::minutes(i64::from(minutes) - i64::from(SHANGHAI_UTC_OFFSET_MINUTES));
    DateTime::from_naive_utc_and_offset(naive, Utc)
}

/// Generates the county.
pub fn generate(params: &Params) -> Result<County, CountyError> {
    let invalid = |field, reason: &str| CountyError::Invalid {
        field,
        reason: reason.into(),
    };
    if params.townships == 0 {
        return Err(invalid("townships", "at least one"));
    }
    if params.children == 0 {
        return Err(invalid("children", "at least one child on watch"));
    }
    let calendar = organisation::calendar(&params.period)?;
    if calendar.days.len() < MIN_DAYS {
        return Err(CountyError::Invalid {
            field: "period",
            reason: format!(
                "it holds {} school days; the stories need at least {MIN_DAYS}",
                calendar.days.len()
            ),
        });
    }
    // The county's own draws (the organisation, the children, the roll calls, the lists) come
    // from stream 0; each child's story from its own.
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let org = organisation::organisation(params, &mut rng);
    let first_day = calendar.days[0];
    let school_year = if first_day.month() >= 8 {
        first_day.year()
    } else {
        first_day.year() - 1
    };
    let mut ids = children::IdNumbers::default();
    let children = children::on_watch(
        params.children,
        &org.schools,
        &org.users,
        school_year,
        &mut ids,
        &mut rng,
    );
    let n = calendar.days.len();
    let term_days = calendar
        .terms
        .iter()
        .map(|t| {
            calendar
                .calendar
                .school_days(t.first_day, t.last_day)
                .count()
        })
        .collect();
    let mut county = County {
        org: organisation::commands(&org, &calendar),
        townships: org.townships,
        schools: org.schools,
        users: org.users,
        terms: calendar.terms,
        calendar: calendar.calendar,
        days: calendar.days,
        as_of: calendar.as_of,
        children,
        cases: Vec::new(),
        roll_calls: Vec::new(),
        lists: Vec::new(),
        planted: Vec::new(),
        school_year,
        term_days,
        year_ends: calendar.year_ends,
        snow: params.late_holiday.then(|| n - 8),
        missing: HashSet::new(),
    };
    county.missing = roll_calls::missing(&county, &mut rng);
    let (mut cases, named, mut planted) = stories(&county, params, &mut rng);

    // ---- the roll calls, the lists, the snow day -----------------------------------------
    let (roll_calls, in_roll_calls) = roll_calls::roll_calls(&county, named, &mut rng);
    planted.extend(in_roll_calls);
    if params.lists {
        let lists = lists::lists(&county, &mut ids, &mut rng);
        cases.extend(lists.cases);
        county.lists = lists.lists;
        planted.extend(lists.planted);
    }
    if let Some(snow) = county.snow {
        let day = county.days[snow];
        county.org.push(Timed {
            at: local(day + TimeDelta::days(5), 10 * 60),
            by: BUREAU,
            fact: OrgCommand::DeclareHoliday(CalendarDay {
                day,
                name: "雪天停课".into(),
                reason: None,
            }),
        });
        planted.push(Planted {
            kind: FindingKind::RetroactiveCalendarChange,
            case_id: "organisation".into(),
            school: String::new(),
            day,
            story: "snow day declared five days after it".into(),
        });
    }
    planted.sort();
    county.cases = cases;
    county.roll_calls = roll_calls;
    county.planted = planted;
    Ok(county)
}

/// Every child's story, thinned down to `params.events` or filled up to it by the everyday
/// absences: the cases' streams, who the roll calls name, and what was planted.
fn stories(
    county: &County,
    params: &Params,
    rng: &mut ChaCha8Rng,
) -> (Vec<Stream<CaseAction>>, roll_calls::Named, Vec<Planted>) {
    let forced = forced_flaws(county, params.late_holiday);
    let plan = |pace: usize| -> Vec<Story> {
        let mut stories: Vec<Story> = (0..county.children.len())
            .map(|i| Story::new(county, i, params.seed, pace))
            .collect();
        for (story, flaw) in stories.iter_mut().zip(&forced) {
            story.plan(*flaw);
        }
        stories
    };
    let mut stories = plan(FULL_PACE);
    // Every county has its openings, roll calls and organisation.
    let fixed = county.children.len() + roll_calls::count(county) + county.org.len();
    let more = stories.iter().map(|s| s.facts.len()).sum::<usize>() - county.children.len();
    if fixed + more > params.events {
        stories = plan(params.events.saturating_sub(fixed) * FULL_PACE / more.max(1));
    }
    let planned =
        fixed + stories.iter().map(|s| s.facts.len()).sum::<usize>() - county.children.len();
    let takers = stories.iter().filter(|s| s.takes_absences).count().max(1);
    let room = params.events.saturating_sub(planned);
    for story in stories.iter_mut().filter(|s| s.takes_absences) {
        // From a quarter to one and three quarters of the mean (three facts an absence), in
        // thousandths.
        let want = room * (250 + names::below(rng, 1_500)) / (3 * takers);
        let count = want / 1_000 + usize::from(names::below(rng, 1_000) < want % 1_000);
        story.everyday_absences(count);
    }
    let mut cases = Vec::with_capacity(stories.len());
    let mut named = roll_calls::Named::new();
    let mut planted = Vec::new();
    for (story, child) in stories.into_iter().zip(&county.children) {
        let school = child.school;
        let grade = child.profile.grade;
        for (day, excused) in story.named {
            named
                .entry((school, grade, day))
                .or_default()
                .push(NamedAbsence {
                    student_number: child.profile.student_number.clone(),
                    name: child.profile.name.clone(),
                    excused,
                });
        }
        planted.extend(story.planted);
        let mut facts = story.facts;
        facts.sort_by_key(|f| f.at);
        cases.push(Stream {
            id: child.case_id.clone(),
            facts,
        });
    }
    (cases, named, planted)
}

/// The flaw each child's story must carry, if any: every flaw once, handed out round the
/// schools to children not taught at home, so that each is planted whatever the size.
fn forced_flaws(county: &County, late_holiday: bool) -> Vec<Option<Flaw>> {
    let mut forced = vec![None; county.children.len()];
    let mut by_school: Vec<Vec<usize>> = vec![Vec::new(); county.schools.len()];
    for (i, child) in county.children.iter().enumerate().rev() {
        let disabled = child
            .profile
            .focus_groups
            .contains(&notoneless_domain::FocusGroup::Disabled);
        if !disabled {
            by_school[child.school].push(i);
        }
    }
    let flaws = Flaw::ALL
        .into_iter()
        .filter(|f| late_holiday || *f != Flaw::SnowDay);
    for (k, flaw) in flaws.enumerate() {
        let schools = by_school.len();
        if let Some(i) = (0..schools).find_map(|s| by_school[(k + s) % schools].pop()) {
            forced[i] = Some(flaw);
        }
    }
    forced
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use super::*;

    fn demo() -> County {
        generate(&Params::demo(
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        ))
        .unwrap()
    }

    #[test]
    fn the_demo_county_has_its_shape_and_every_kind_of_violation() {
        let county = demo();
        assert_eq!(county.townships.len(), 4);
        assert_eq!(county.schools.len(), 12);
        assert_eq!(county.children.len(), 2_000);
        let first = county.children.iter().filter(|c| c.school == 0).count();
        assert_eq!((county.schools[0].id.as_str(), first), ("gyz-middle", 200));
        assert!(county.users.iter().any(|u| u.id == "ht-gyz-middle"));
        let kinds: BTreeSet<FindingKind> = county.planted.iter().map(|p| p.kind).collect();
        assert_eq!(kinds.len(), 14, "{kinds:?}");
        // Thinned to about as many facts as asked for.
        let facts = county.facts();
        assert!((4_800..5_600).contains(&facts), "{facts}");
        // Nothing is entered on or after the day the demo is built.
        let today = local(county.as_of, 0);
        assert!(county.in_order().iter().all(|(at, _, _)| *at < today));
    }

    #[test]
    fn the_demo_ledger_is_full_every_case_with_the_childs_id_number_and_visits_with_their_measures()
    {
        let county = demo();
        let mut openings = 0;
        let mut visits = (0, 0);
        for case in &county.cases {
            for timed in &case.facts {
                match &timed.fact {
                    notoneless_domain::CaseAction::OpenCase(opening) => {
                        openings += 1;
                        let id = opening.student.id_number.as_deref().unwrap_or_default();
                        let parsed = notoneless_domain::parse_id_number(id).unwrap();
                        assert_eq!(parsed.birth_date, opening.student.birth_date, "{id}");
                    }
                    notoneless_domain::CaseAction::RecordHomeVisit(visit) => {
                        visits.0 += 1;
                        visits.1 += usize::from(!visit.measures.is_empty());
                    }
                    _ => {}
                }
            }
        }
        assert!(openings > 0);
        // Every visit but those that found nobody at home took a measure.
        assert!(visits.1 > 0 && visits.1 * 10 >= visits.0 * 7, "{visits:?}");
    }

    #[test]
    fn a_schools_roll_calls_and_case_files_name_the_same_classes_one_a_grade() {
        let county = demo();
        for (s, school) in county.schools.iter().enumerate() {
            let rolled: BTreeSet<String> = county
                .roll_calls
                .iter()
                .filter(|stream| stream.id == school.id)
                .flat_map(|stream| stream.facts.iter().map(|f| f.fact.class.clone()))
                .collect();
            let filed: BTreeSet<String> = county
                .children
                .iter()
                .filter(|c| c.school == s)
                .map(|c| c.profile.class.clone())
                .collect();
            let grades: BTreeSet<String> = school.grades.iter().map(|g| format!("{g}-1")).collect();
            assert_eq!(rolled, grades, "{}", school.id);
            assert!(filed.is_subset(&rolled), "{}: {filed:?}", school.id);
        }
    }

    #[test]
    fn the_same_parameters_give_the_same_county() {
        let params = Params::county(900, 2024, 30_000, 7);
        let (a, b) = (generate(&params).unwrap(), generate(&params).unwrap());
        assert_eq!(a.cases, b.cases);
        assert_eq!(a.roll_calls, b.roll_calls);
        assert_eq!(a.planted, b.planted);
        let c = generate(&Params { seed: 8, ..params }).unwrap();
        assert_ne!(a.cases, c.cases);
    }

    #[test]
    fn a_county_has_a_township_of_six_schools_for_every_2500_children() {
        for (children, townships) in [(800, 1), (2_500, 1), (2_501, 2), (40_000, 16)] {
            let params = Params::county(children, 2024, 0, 1);
            assert_eq!(params.townships, townships);
        }
        let county = generate(&Params::county(800, 2024, 20_000, 2023)).unwrap();
        assert_eq!((county.schools.len(), county.children.len()), (6, 800));
        // About as many facts as asked for.
        let facts = county.facts();
        assert!((18_000..22_000).contains(&facts), "{facts}");
    }

    #[test]
    fn bad_parameters_are_refused_with_the_field() {
        let params = Params::county(0, 2024, 0, 1);
        assert!(matches!(
            generate(&params),
            Err(CountyError::Invalid {
                field: "children",
                ..
            })
        ));
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let short = Params {
            period: Period::WeeksOfTerm { today, weeks: 2 },
            ..Params::demo(today)
        };
        assert!(matches!(
            generate(&short),
            Err(CountyError::Invalid {
                field: "period",
                ..
            })
        ));
    }
}
