//! The demo county (示范县): four townships, a dozen schools, 2,000 children on watch, a user
//! for every role, a term's calendar with a holiday and a make-up day, and six weeks of facts
//! up to yesterday, recorded through the same command path as everything else (so every event
//! is hash-chained and attributed) with the clock set to the moment each fact was entered.
//!
//! Most of the county does things right: cases opened at term start, children back after the
//! teacher's call, the full 123 done on time and acknowledged, leave, suspensions with their
//! documents, confirmed transfers, support, home teaching, registry findings followed up,
//! roll calls every school day. Into that it plants one or two violations of every kind the
//! review looks for, and returns the list ([`Planted`]) so that a test can check that the
//! review finds each of them and nothing else.
//!
//! Every date is placed relative to `today`: the term starts on the Monday six weeks before
//! this week, so the county looks the same whatever day the demo is built.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use notoneless_domain::{
    Absence, Acknowledgement, CalendarDay, CaseAction, CaseOpening, Closure, ClosureReason,
    ContactChannel, DocumentRef, EscalationLadder, FindingKind, FocusGroup, Gender, Guardian,
    HomeTeachingSession, HomeVisit, LEAVERS_HEADER, Leave, NamedAbsence, Node, NodeKind,
    OrgCommand, ParentContact, Participant, REGISTER_HEADER, ROLL_HEADER, Recipient, RegistryIssue,
    RegistryResolution, Report, Resumption, Return, Role, RollCall, SHANGHAI_UTC_OFFSET_MINUTES,
    SchoolCalendar, StudentProfile, Support, SupportKind, Suspension, Term, TransferConfirmation,
    TransferOut, User, UserRole, VisitOutcome, compose_id_number,
};
use notoneless_store::imports::{import_grade6_watch, import_registry, registry_case_id};
use notoneless_store::org::{new_token, token_sha256};
use notoneless_store::{Actor, Clock, CommandContext, Db, Rules, Store, StoreError};
use serde::Serialize;

mod county;
mod lists;
mod stories;

use county::County;

/// Why the demo could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already holds an organisation: the demo county goes only into an empty one"
    )]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A planned fact was refused: a bug in the demo, named so it can be found.
    #[error("the demo's {what} was refused: {reason}")]
    Refused { what: String, reason: String },
}

/// A violation planted in the demo county: what the review must find, where and on which day.
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

/// A demo user and the token issued to them (shown once).
#[derive(Clone, Debug, Serialize)]
pub struct DemoUser {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub node: String,
    pub token: String,
}

/// What was built.
#[derive(Clone, Debug, Serialize)]
pub struct DemoCounty {
    pub first_day: NaiveDate,
    pub today: NaiveDate,
    pub schools: usize,
    pub children: usize,
    pub users: Vec<DemoUser>,
    pub planted: Vec<Planted>,
    /// Commands recorded (case facts, roll calls, organisation changes, imports' facts).
    pub commands: usize,
}

/// The demo's clock: set to the moment each fact is entered.
#[derive(Debug)]
pub struct DemoClock(Mutex<DateTime<Utc>>);

impl DemoClock {
    fn set(&self, now: DateTime<Utc>) {
        match self.0.lock() {
            Ok(mut t) => *t = now,
            Err(poisoned) => *poisoned.into_inner() = now,
        }
    }
}

impl Clock for DemoClock {
    fn now(&self) -> DateTime<Utc> {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

const COUNTY: &str = "kazuo";
const TOWNSHIPS: [(&str, &str, &str); 4] = [
    ("gongyingzi", "公营子镇", "gyz"),
    ("nanshao", "南哨街道", "ns"),
    ("liuguanying", "六官营子镇", "lgy"),
    ("zhongsanjia", "中三家镇", "zsj"),
];
/// Per township: the junior middle school, the central primary school and a village school,
/// with how many children of each are on watch.
const SCHOOL_KINDS: [(&str, &str, usize); 3] = [
    ("middle", "中学", 200),
    ("central", "中心小学", 180),
    ("village", "村小学", 120),
];

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗",
];
const GIVEN: [&str; 24] = [
    "小明", "小红", "浩然", "子涵", "欣怡", "梓轩", "雨桐", "宇航", "佳怡", "俊杰", "思雨", "博文",
    "晨曦", "一诺", "嘉怡", "天佑", "若曦", "明轩", "诗涵", "鹏飞", "雅婷", "志强", "丽娜", "建华",
];

/// A small deterministic generator (the same county every time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Clone, Debug)]
struct School {
    id: String,
    township: String,
    grades: Vec<u8>,
}

#[derive(Clone, Debug)]
struct Child {
    case_id: String,
    profile: StudentProfile,
    id_number: String,
    township: String,
}

impl Child {
    fn school(&self) -> &str {
        &self.profile.school
    }
}

enum Work {
    Org(OrgCommand),
    Case(String, CaseAction),
    RollCall(String, RollCall),
    Grade6 {
        leavers: String,
        enrolments: String,
        on: NaiveDate,
    },
    Registry {
        name: String,
        register: String,
        roll: String,
        on: NaiveDate,
    },
}

struct Item {
    at: DateTime<Utc>,
    order: usize,
    who: CommandContext,
    work: Work,
}

fn context(id: &str, role: UserRole, node: &str) -> CommandContext {
    CommandContext {
        actor: Actor {
            id: id.into(),
            role: role.as_str().into(),
            jurisdiction: node.into(),
        },
        request_id: format!("demo-{}", uuid::Uuid::new_v4().simple()),
        idempotency_key: None,
    }
}

/// The instant of a local time on a day, in the county's time zone.
fn local(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(hour, 0, 0).unwrap_or_default()
        - TimeDelta::minutes(i64::from(SHANGHAI_UTC_OFFSET_MINUTES));
    DateTime::from_naive_utc_and_offset(naive, Utc)
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()))
}

fn document(kind: &str, number: &str, by: &str, on: NaiveDate) -> DocumentRef {
    DocumentRef {
        kind: kind.into(),
        number: Some(number.into()),
        issued_by: by.into(),
        issued_on: on,
    }
}

struct Plan {
    items: Vec<Item>,
    planted: Vec<Planted>,
    /// Named absences per (school, grade, day), for the roll calls.
    absent: BTreeMap<(String, u8, NaiveDate), Vec<NamedAbsence>>,
    /// (school, day) with no roll call at all (planted).
    no_roll_call: BTreeSet<(String, NaiveDate)>,
    /// Extra unexcused names on a roll call, with no absence on any case (planted).
    extra_named: Vec<(String, u8, NaiveDate, NamedAbsence)>,
    /// How many children of each school the stories have taken.
    taken: BTreeMap<String, usize>,
}

impl Plan {
    /// The next child of a school for a story: each child has one story at most; the
    /// disabled children are kept for home teaching.
    fn take(&mut self, county: &County, school: &str) -> Child {
        let list = &county.children[school];
        let index = self.taken.entry(school.to_string()).or_insert(0);
        while list[*index]
            .profile
            .focus_groups
            .contains(&FocusGroup::Disabled)
        {
            *index += 1;
        }
        *index += 1;
        list[*index - 1].clone()
    }

    fn push(&mut self, day: NaiveDate, hour: u32, who: &CommandContext, work: Work) {
        let order = self.items.len();
        self.items.push(Item {
            at: local(day, hour),
            order,
            who: who.clone(),
            work,
        });
    }

    fn fact(&mut self, child: &Child, day: NaiveDate, who: &CommandContext, action: CaseAction) {
        self.push(day, 15, who, Work::Case(child.case_id.clone(), action));
    }

    fn absent(&mut self, child: &Child, day: NaiveDate, who: &CommandContext) {
        self.fact(
            child,
            day,
            who,
            CaseAction::RecordAbsence(Absence {
                on: day,
                note: None,
            }),
        );
        self.absent
            .entry((child.school().to_string(), child.profile.grade, day))
            .or_default()
            .push(NamedAbsence {
                student_number: child.profile.student_number.clone(),
                name: child.profile.name.clone(),
                excused: false,
            });
    }

    fn plant(
        &mut self,
        kind: FindingKind,
        case_id: &str,
        school: &str,
        day: NaiveDate,
        story: &str,
    ) {
        self.planted.push(Planted {
            kind,
            case_id: case_id.to_string(),
            school: school.to_string(),
            day,
            story: story.to_string(),
        });
    }
}

/// The people of one school, as contexts and as participants.
struct Staff {
    teacher: CommandContext,
    leader: CommandContext,
    principal: CommandContext,
    teacher_name: String,
    leader_name: String,
    principal_name: String,
}

impl Staff {
    fn teacher_p(&self) -> Participant {
        Participant::new(&self.teacher_name, Role::HeadTeacher)
    }
    fn leader_p(&self) -> Participant {
        Participant::new(&self.leader_name, Role::ResponsibleLeader)
    }
    fn principal_p(&self) -> Participant {
        Participant::new(&self.principal_name, Role::Principal)
    }
}

fn contact(on: NaiveDate, by: Participant) -> CaseAction {
    CaseAction::RecordParentContact(ParentContact {
        on,
        by,
        guardian: "家长".into(),
        channel: ContactChannel::Phone,
        reached: true,
        reason_given: Some("孩子在家帮忙干农活".into()),
        note: None,
    })
}

fn visit(on: NaiveDate, participants: Vec<Participant>, outcome: VisitOutcome) -> CaseAction {
    CaseAction::RecordHomeVisit(HomeVisit {
        on,
        participants,
        outcome,
        note: None,
    })
}

fn back(on: NaiveDate) -> CaseAction {
    CaseAction::RecordReturn(Return { on, note: None })
}

fn report(on: NaiveDate, recipient: Recipient, reference: String, staff: &Staff) -> CaseAction {
    CaseAction::ReportUpward(Report {
        on,
        recipient,
        reference,
        signed_by: staff.principal_p(),
        summary: Some("连续三天无故旷课，已家访劝返".into()),
    })
}

/// Builds the demo county into an empty database, as of `today`.
pub async fn build(
    db: Db,
    ladder: EscalationLadder,
    today: NaiveDate,
) -> Result<DemoCounty, DemoError> {
    let first_day = monday_of(today) - TimeDelta::weeks(6);
    let clock = Arc::new(DemoClock(Mutex::new(local(
        first_day - TimeDelta::days(7),
        9,
    ))));
    let rules = Rules {
        calendar: SchoolCalendar::every_weekday(),
        ladder,
    };
    db.migrate().await?;
    let store = Store::new(db, rules, clock.clone());
    store.org.reload().await?;
    if !store.org.current().org.nodes.is_empty() {
        return Err(DemoError::NotEmpty);
    }
    let mut plan = Plan {
        items: Vec::new(),
        planted: Vec::new(),
        absent: BTreeMap::new(),
        no_roll_call: BTreeSet::new(),
        extra_named: Vec::new(),
        taken: BTreeMap::new(),
    };
    let county = county::county(&mut plan, first_day, today)?;
    stories::done_right(&mut plan, &county);
    stories::planted(&mut plan, &county);
    lists::grade6_watch(&mut plan, &county);
    lists::registry(&mut plan, &county);
    lists::roll_calls(&mut plan, &county);

    // ---- run it all, in the order it happened -------------------------------------------
    let mut items = std::mem::take(&mut plan.items);
    items.sort_by_key(|i| (i.at, i.order));
    let mut commands = 0usize;
    for item in items {
        clock.set(item.at);
        commands += run(&store, item).await?;
    }
    // Tokens are issued now, at the real build: they are the only thing not back-dated.
    clock.set(local(today, 7));
    let mut demo_users = Vec::new();
    for (id, name, role, node) in county.users.clone() {
        let (token_id, token) = new_token();
        store
            .org
            .execute(
                OrgCommand::IssueToken {
                    token_id,
                    user: id.clone(),
                    token_sha256: token_sha256(&token),
                    // The default: 90 days from now.
                    expires_at: None,
                },
                &county.admin,
            )
            .await
            .map_err(|e| DemoError::Refused {
                what: format!("token for {id}"),
                reason: e.to_string(),
            })?;
        demo_users.push(DemoUser {
            id,
            name,
            role,
            node,
            token,
        });
    }
    let mut planted = plan.planted;
    planted.sort();
    Ok(DemoCounty {
        first_day,
        today,
        schools: county.schools.len(),
        children: county.count,
        users: demo_users,
        planted,
        commands,
    })
}

fn gender_zh(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "男",
        Gender::Female => "女",
    }
}

/// Runs one planned item; the number of commands it recorded.
async fn run(store: &Store, item: Item) -> Result<usize, DemoError> {
    let refused = |what: String, reason: String| DemoError::Refused { what, reason };
    match item.work {
        Work::Org(command) => {
            let what = format!("{command:?}");
            store
                .org
                .execute(command, &item.who)
                .await
                .map_err(|e| refused(what, e.to_string()))?;
            Ok(1)
        }
        Work::Case(case_id, action) => {
            let what = format!("{} on case {case_id}", action.describe());
            store
                .commands
                .execute(&case_id, action, &item.who)
                .await
                .map_err(|e| refused(what, e.to_string()))?;
            Ok(1)
        }
        Work::RollCall(school, roll_call) => {
            let what = format!(
                "roll call of {school} class {} on {}",
                roll_call.class, roll_call.on
            );
            store
                .roll_calls
                .submit(&school, roll_call, &item.who)
                .await
                .map_err(|e| refused(what, e.to_string()))?;
            Ok(1)
        }
        Work::Grade6 {
            leavers,
            enrolments,
            on,
        } => {
            let report =
                import_grade6_watch(store, &leavers, &enrolments, on, |_| true, &item.who).await?;
            if !report.rejected_leavers.is_empty() || !report.rejected_enrolments.is_empty() {
                return Err(refused(
                    "grade-6 import".into(),
                    format!(
                        "{:?} {:?}",
                        report.rejected_leavers, report.rejected_enrolments
                    ),
                ));
            }
            Ok(report.opened.len())
        }
        Work::Registry {
            name,
            register,
            roll,
            on,
        } => {
            let report = import_registry(store, &name, &register, &roll, on, &item.who).await?;
            if !report.rejected_register.is_empty() || !report.rejected_roll.is_empty() {
                return Err(refused(
                    format!("registry import {name}"),
                    format!("{:?} {:?}", report.rejected_register, report.rejected_roll),
                ));
            }
            Ok(report.cases_opened + report.new.len() + report.resolved.len())
        }
    }
}
