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
}

impl Plan {
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
    };
    let setup_day = first_day - TimeDelta::days(7);
    let admin = context("admin", UserRole::Admin, COUNTY);
    let bureau = context("chen", UserRole::BureauOfficer, COUNTY);

    // ---- the organisation ------------------------------------------------------------------
    let mut nodes = vec![Node {
        id: COUNTY.into(),
        kind: NodeKind::County,
        name: "喀左县".into(),
        parent: None,
    }];
    let mut schools: Vec<School> = Vec::new();
    let mut users: Vec<(String, String, UserRole, String)> = vec![
        (
            "admin".into(),
            "系统管理员".into(),
            UserRole::Admin,
            COUNTY.into(),
        ),
        (
            "chen".into(),
            "陈科长".into(),
            UserRole::BureauOfficer,
            COUNTY.into(),
        ),
        (
            "zhou".into(),
            "周督学".into(),
            UserRole::Inspector,
            COUNTY.into(),
        ),
    ];
    let mut staff: BTreeMap<String, Staff> = BTreeMap::new();
    let mut names = Lcg(7);
    let mut person_name =
        |suffix: &str| format!("{}{suffix}", SURNAMES[names.below(SURNAMES.len())]);
    let mut township_officers: BTreeMap<String, (CommandContext, String)> = BTreeMap::new();
    for (township, name, short) in TOWNSHIPS {
        nodes.push(Node {
            id: township.into(),
            kind: NodeKind::Township,
            name: name.into(),
            parent: Some(COUNTY.into()),
        });
        let officer = format!("to-{short}");
        let officer_name = person_name("乡长");
        township_officers.insert(
            township.to_string(),
            (
                context(&officer, UserRole::TownshipOfficer, township),
                officer_name.clone(),
            ),
        );
        users.push((
            officer,
            officer_name,
            UserRole::TownshipOfficer,
            township.into(),
        ));
        for (kind, school_name, _) in SCHOOL_KINDS {
            let id = format!("{short}-{kind}");
            nodes.push(Node {
                id: id.clone(),
                kind: NodeKind::School,
                name: format!("{}{school_name}", name.trim_end_matches(['镇', '街', '道'])),
                parent: Some(township.into()),
            });
            let grades = if kind == "middle" {
                vec![7, 8, 9]
            } else {
                (1..=6).collect()
            };
            schools.push(School {
                id: id.clone(),
                township: township.into(),
                grades,
            });
            let (teacher_name, leader_name, principal_name) = (
                person_name("老师"),
                person_name("主任"),
                person_name("校长"),
            );
            users.push((
                format!("ht-{id}"),
                teacher_name.clone(),
                UserRole::HeadTeacher,
                id.clone(),
            ));
            users.push((
                format!("sl-{id}"),
                leader_name.clone(),
                UserRole::SchoolLeader,
                id.clone(),
            ));
            users.push((
                format!("p-{id}"),
                principal_name.clone(),
                UserRole::Principal,
                id.clone(),
            ));
            staff.insert(
                id.clone(),
                Staff {
                    teacher: context(&format!("ht-{id}"), UserRole::HeadTeacher, &id),
                    leader: context(&format!("sl-{id}"), UserRole::SchoolLeader, &id),
                    principal: context(&format!("p-{id}"), UserRole::Principal, &id),
                    teacher_name,
                    leader_name,
                    principal_name,
                },
            );
        }
    }
    for node in &nodes {
        plan.push(
            setup_day,
            9,
            &admin,
            Work::Org(OrgCommand::AddNode(node.clone())),
        );
    }
    for (id, name, role, node) in &users {
        plan.push(
            setup_day,
            9,
            &admin,
            Work::Org(OrgCommand::AddUser(User {
                id: id.clone(),
                name: name.clone(),
                role: *role,
                node: node.clone(),
            })),
        );
    }

    // ---- the calendar: a term from `first_day`, a two-day holiday in week 3 with a make-up
    // Saturday in week 4, declared before the term began ----------------------------------
    plan.push(
        setup_day,
        10,
        &bureau,
        Work::Org(OrgCommand::AddTerm(Term {
            name: format!("{}学年第一学期（示范）", first_day.year()),
            first_day,
            last_day: first_day + TimeDelta::weeks(20) - TimeDelta::days(3),
        })),
    );
    let holiday = [
        first_day + TimeDelta::days(17),
        first_day + TimeDelta::days(18),
    ];
    for day in holiday {
        plan.push(
            setup_day,
            10,
            &bureau,
            Work::Org(OrgCommand::DeclareHoliday(CalendarDay {
                day,
                name: "秋假".into(),
            })),
        );
    }
    let make_up = first_day + TimeDelta::days(26);
    plan.push(
        setup_day,
        10,
        &bureau,
        Work::Org(OrgCommand::DeclareMakeUpDay(CalendarDay {
            day: make_up,
            name: "秋假调休".into(),
        })),
    );
    let calendar = SchoolCalendar::new(
        vec![Term {
            name: "term".into(),
            first_day,
            last_day: first_day + TimeDelta::weeks(20) - TimeDelta::days(3),
        }],
        holiday,
        [make_up],
    )
    .map_err(|e| DemoError::Refused {
        what: "calendar".into(),
        reason: e.to_string(),
    })?;
    // The school days from the first day to yesterday, as the calendar stood then.
    let days: Vec<NaiveDate> = calendar
        .school_days(first_day, today - TimeDelta::days(1))
        .collect();
    if days.len() < 29 {
        return Err(DemoError::Refused {
            what: "calendar".into(),
            reason: format!("only {} school days before {today}", days.len()),
        });
    }
    let day = |i: usize| days[i];

    // ---- the children on watch, opened on the first day ---------------------------------
    let mut rng = Lcg(2023);
    let mut children: BTreeMap<String, Vec<Child>> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    let mut count = 0usize;
    for school in &schools {
        let on_watch = SCHOOL_KINDS
            .iter()
            .find(|(k, _, _)| school.id.ends_with(k))
            .map_or(100, |(_, _, n)| *n);
        let staff_of = &staff[&school.id];
        for n in 0..on_watch {
            let grade = school.grades[n % school.grades.len()];
            let gender = if rng.below(2) == 0 {
                Gender::Male
            } else {
                Gender::Female
            };
            // Six on the first of September before the school year of grade 1.
            let school_year = if first_day.month() >= 9 {
                first_day.year()
            } else {
                first_day.year() - 1
            };
            let born_year = school_year - 6 - i32::from(grade);
            let born = NaiveDate::from_ymd_opt(born_year, 9, 2).unwrap_or(first_day)
                + TimeDelta::days(rng.below(360) as i64);
            let mut sequence = (count % 100) as u8;
            let id_number = loop {
                let id = compose_id_number("211324", born, sequence, gender).unwrap_or_default();
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
            let mut focus = BTreeSet::new();
            focus.insert(match rng.below(3) {
                0 => FocusGroup::PovertyAlleviationHousehold,
                1 => FocusGroup::EconomicallyPoor,
                _ => FocusGroup::AcademicallyStruggling,
            });
            if n % 60 == 59 {
                focus.insert(FocusGroup::Disabled);
            }
            let student_number = format!("G{id_number}");
            let profile = StudentProfile {
                student_number: student_number.clone(),
                name: name.clone(),
                gender,
                birth_date: born,
                school: school.id.clone(),
                grade,
                class: format!("{grade}-{}", 1 + n % 2),
                head_teacher: staff_of.teacher_name.clone(),
                guardians: vec![Guardian {
                    name: format!("{}家长", name.chars().next().unwrap_or('王')),
                    relation: if rng.below(2) == 0 {
                        "father"
                    } else {
                        "grandmother"
                    }
                    .into(),
                    phone: format!("139{:08}", rng.next() % 100_000_000),
                }],
                focus_groups: focus,
            };
            let child = Child {
                case_id: uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_OID,
                    format!("notoneless/demo/{student_number}").as_bytes(),
                )
                .to_string(),
                profile,
                id_number,
                township: school.township.clone(),
            };
            plan.push(
                first_day,
                8,
                &staff_of.teacher,
                Work::Case(
                    child.case_id.clone(),
                    CaseAction::OpenCase(CaseOpening {
                        on: first_day,
                        student: child.profile.clone(),
                        reason: Some("重点关注学生建档（控辍保学台账）".into()),
                    }),
                ),
            );
            children.entry(school.id.clone()).or_default().push(child);
            count += 1;
        }
    }
    // Children are taken from each school's list for the stories below, one each.
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut take = |school: &str| -> Child {
        let list = &children[school];
        let index = taken.entry(school.to_string()).or_insert(0);
        // Skip the disabled children: they are kept for home teaching.
        while list[*index]
            .profile
            .focus_groups
            .contains(&FocusGroup::Disabled)
        {
            *index += 1;
        }
        *index += 1;
        list[*index - 1].clone()
    };
    let school_ids: Vec<String> = schools.iter().map(|s| s.id.clone()).collect();
    let s = |i: usize| school_ids[i % school_ids.len()].clone();

    // ---- done right -------------------------------------------------------------------
    // Back at school the day after the teacher's call: one per school.
    for (i, start) in [1usize, 2, 5, 8, 1, 2, 5, 8, 26, 27, 1, 2]
        .into_iter()
        .enumerate()
    {
        let child = take(&s(i));
        let st = &staff[child.school()];
        plan.absent(&child, day(start), &st.teacher);
        plan.fact(
            &child,
            day(start),
            &st.teacher,
            contact(day(start), st.teacher_p()),
        );
        plan.fact(&child, day(start + 1), &st.teacher, back(day(start + 1)));
    }
    // The full 123, on time, reports acknowledged, the child back on day 4.
    for (i, start) in [3usize, 9, 13, 3].into_iter().enumerate() {
        let child = take(&s(i * 3));
        let st = &staff[child.school()];
        for k in 0..3 {
            plan.absent(&child, day(start + k), &st.teacher);
        }
        plan.fact(
            &child,
            day(start),
            &st.teacher,
            contact(day(start), st.teacher_p()),
        );
        plan.fact(
            &child,
            day(start + 1),
            &st.leader,
            visit(
                day(start + 1),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::NobodyHome,
            ),
        );
        plan.fact(
            &child,
            day(start + 2),
            &st.principal,
            visit(
                day(start + 2),
                vec![st.teacher_p(), st.leader_p(), st.principal_p()],
                VisitOutcome::AgreedToReturn,
            ),
        );
        let (officer, officer_name) = &township_officers[&child.township];
        for (recipient, n, ack, ack_name) in [
            (
                Recipient::TownshipGovernment,
                1,
                officer,
                officer_name.as_str(),
            ),
            (Recipient::CountyBureau, 2, &bureau, "陈科长"),
        ] {
            let reference = format!("{}报〔{}〕{n}号", child.school(), start);
            plan.fact(
                &child,
                day(start + 2),
                &st.principal,
                report(day(start + 2), recipient, reference.clone(), st),
            );
            plan.fact(
                &child,
                day(start + 3),
                ack,
                CaseAction::AcknowledgeReport(Acknowledgement {
                    on: day(start + 3),
                    recipient,
                    reference,
                    by: ack_name.to_string(),
                }),
            );
        }
        plan.fact(&child, day(start + 3), &st.teacher, back(day(start + 3)));
    }
    // Sick leave, named excused on the roll calls.
    for i in 0..6 {
        let child = take(&s(i * 2 + 1));
        let st = &staff[child.school()];
        let (from, until) = (day(7), day(8));
        plan.fact(
            &child,
            from,
            &st.teacher,
            CaseAction::GrantLeave(Leave {
                on: from,
                from,
                until,
                reason: "病假".into(),
                approved_by: st.teacher_p(),
                document: Some(document("病假条", "乡卫生院", "乡卫生院", from)),
            }),
        );
        for d in [from, until] {
            plan.absent
                .entry((child.school().to_string(), child.profile.grade, d))
                .or_default()
                .push(NamedAbsence {
                    student_number: child.profile.student_number.clone(),
                    name: child.profile.name.clone(),
                    excused: true,
                });
        }
    }
    // Suspended with the bureau's approval, and back on the day expected.
    for i in 0..2 {
        let child = take(&s(i * 5 + 2));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(2),
            &st.leader,
            CaseAction::Suspend(Suspension {
                on: day(2),
                expected_return: day(9),
                reason: "因病休学".into(),
                document: Some(document("休学审批表", "休〔示范〕1号", "县教育局", day(2))),
            }),
        );
        plan.fact(
            &child,
            day(9),
            &st.leader,
            CaseAction::Resume(Resumption {
                on: day(9),
                note: None,
            }),
        );
    }
    // Transferred out with the transfer certificate, confirmed within the week, closed.
    for i in 0..3 {
        let child = take(&s(i * 4 + 3));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(5),
            &st.leader,
            CaseAction::TransferOut(TransferOut {
                on: day(5),
                destination_school: "朝阳市第一中学".into(),
                destination_region: Some("朝阳市".into()),
                documents: vec![document("转学证明", "转〔示范〕1号", "县教育局", day(5))],
            }),
        );
        plan.fact(
            &child,
            day(7),
            &st.leader,
            CaseAction::ConfirmTransfer(TransferConfirmation {
                on: day(7),
                receiving_school: "朝阳市第一中学".into(),
                confirmed_by: "朝阳市第一中学教务处".into(),
                document: None,
            }),
        );
        plan.fact(
            &child,
            day(8),
            &st.principal,
            CaseAction::CloseCase(Closure {
                on: day(8),
                reason: ClosureReason::TransferredOut,
                note: None,
            }),
        );
    }
    // Support for poor families.
    for i in 0..10 {
        let child = take(&s(i));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(4),
            &st.leader,
            CaseAction::GiveSupport(Support {
                on: day(4),
                kind: SupportKind::Subsidy,
                amount_fen: 62_500,
                from: first_day,
                until: first_day + TimeDelta::weeks(20),
                note: Some("家庭经济困难学生生活补助".into()),
            }),
        );
    }
    // Home teaching (送教上门) for the disabled children of the primary schools.
    for school in schools.iter().filter(|s| !s.id.ends_with("middle")).take(3) {
        let Some(child) = children[&school.id]
            .iter()
            .find(|c| c.profile.focus_groups.contains(&FocusGroup::Disabled))
            .cloned()
        else {
            continue;
        };
        let st = &staff[&school.id];
        for k in [3usize, 8, 13] {
            plan.fact(
                &child,
                day(k),
                &st.teacher,
                CaseAction::RecordHomeTeaching(HomeTeachingSession {
                    on: day(k),
                    teachers: vec![st.teacher_p()],
                    minutes: 90,
                    content: "语文、数学".into(),
                }),
            );
        }
    }

    // ---- planted violations ------------------------------------------------------------
    // Unreported dropout: the visits done, the report never made; back on day 8.
    {
        let child = take(&s(0));
        let st = &staff[child.school()];
        for k in 9..=11 {
            plan.absent(&child, day(k), &st.teacher);
        }
        plan.fact(&child, day(9), &st.teacher, contact(day(9), st.teacher_p()));
        plan.fact(
            &child,
            day(10),
            &st.leader,
            visit(
                day(10),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::Refused,
            ),
        );
        plan.fact(
            &child,
            day(11),
            &st.principal,
            visit(
                day(11),
                vec![st.teacher_p(), st.leader_p(), st.principal_p()],
                VisitOutcome::Refused,
            ),
        );
        plan.fact(&child, day(12), &st.teacher, back(day(12)));
        for recipient in ["township", "bureau"] {
            plan.plant(
                FindingKind::UnreportedDropout,
                &child.case_id,
                child.school(),
                day(11),
                &format!("three days away, never reported to the {recipient}"),
            );
        }
    }
    // Unreported dropout: the reports made two days late.
    {
        let child = take(&s(4));
        let st = &staff[child.school()];
        for k in 0..=2 {
            plan.absent(&child, day(k), &st.teacher);
        }
        plan.fact(&child, day(0), &st.teacher, contact(day(0), st.teacher_p()));
        plan.fact(
            &child,
            day(1),
            &st.leader,
            visit(
                day(1),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::Refused,
            ),
        );
        plan.fact(
            &child,
            day(2),
            &st.principal,
            visit(
                day(2),
                vec![st.teacher_p(), st.leader_p(), st.principal_p()],
                VisitOutcome::AgreedToReturn,
            ),
        );
        plan.fact(&child, day(3), &st.teacher, back(day(3)));
        for (recipient, n) in [
            (Recipient::TownshipGovernment, 1),
            (Recipient::CountyBureau, 2),
        ] {
            let reference = format!("{}报〔迟〕{n}号", child.school());
            plan.fact(
                &child,
                day(4),
                &st.principal,
                report(day(4), recipient, reference, st),
            );
            plan.plant(
                FindingKind::UnreportedDropout,
                &child.case_id,
                child.school(),
                day(2),
                &format!("reported to the {recipient} two days late"),
            );
        }
    }
    // Late step: the parents called a day late; the child was back that day.
    {
        let child = take(&s(5));
        let st = &staff[child.school()];
        plan.absent(&child, day(5), &st.teacher);
        plan.fact(&child, day(6), &st.teacher, contact(day(6), st.teacher_p()));
        plan.fact(&child, day(6), &st.teacher, back(day(6)));
        plan.plant(
            FindingKind::LateStep,
            &child.case_id,
            child.school(),
            day(5),
            "parents called a day late",
        );
    }
    // Incomplete step: the day-3 visit without the principal.
    {
        let child = take(&s(6));
        let st = &staff[child.school()];
        for k in 6..=8 {
            plan.absent(&child, day(k), &st.teacher);
        }
        plan.fact(&child, day(6), &st.teacher, contact(day(6), st.teacher_p()));
        plan.fact(
            &child,
            day(7),
            &st.leader,
            visit(
                day(7),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::NobodyHome,
            ),
        );
        plan.fact(
            &child,
            day(8),
            &st.leader,
            visit(
                day(8),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::AgreedToReturn,
            ),
        );
        for (recipient, n) in [
            (Recipient::TownshipGovernment, 1),
            (Recipient::CountyBureau, 2),
        ] {
            let reference = format!("{}报〔缺〕{n}号", child.school());
            plan.fact(
                &child,
                day(8),
                &st.principal,
                report(day(8), recipient, reference, st),
            );
        }
        plan.fact(&child, day(9), &st.teacher, back(day(9)));
        plan.plant(
            FindingKind::IncompleteStep,
            &child.case_id,
            child.school(),
            day(8),
            "day-3 home visit without the principal",
        );
    }
    // Missed step: two days away, no home visit; back on the third.
    {
        let child = take(&s(7));
        let st = &staff[child.school()];
        plan.absent(&child, day(10), &st.teacher);
        plan.absent(&child, day(11), &st.teacher);
        plan.fact(
            &child,
            day(10),
            &st.teacher,
            contact(day(10), st.teacher_p()),
        );
        plan.fact(&child, day(12), &st.teacher, back(day(12)));
        plan.plant(
            FindingKind::MissedStep,
            &child.case_id,
            child.school(),
            day(11),
            "no home visit on day 2",
        );
    }
    // Late entry: the call made on time, entered four days later (back-filled).
    {
        let child = take(&s(8));
        let st = &staff[child.school()];
        plan.absent(&child, day(12), &st.teacher);
        plan.push(
            day(12) + TimeDelta::days(4),
            20,
            &st.teacher,
            Work::Case(child.case_id.clone(), contact(day(12), st.teacher_p())),
        );
        plan.fact(&child, day(13), &st.teacher, back(day(13)));
        plan.plant(
            FindingKind::LateEntry,
            &child.case_id,
            child.school(),
            day(12),
            "parent call entered four days after it was made",
        );
    }
    // Transfer without documents (confirmed in time).
    {
        let child = take(&s(9));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(2),
            &st.leader,
            CaseAction::TransferOut(TransferOut {
                on: day(2),
                destination_school: "建平县实验中学".into(),
                destination_region: Some("建平县".into()),
                documents: vec![],
            }),
        );
        plan.fact(
            &child,
            day(4),
            &st.leader,
            CaseAction::ConfirmTransfer(TransferConfirmation {
                on: day(4),
                receiving_school: "建平县实验中学".into(),
                confirmed_by: "建平县实验中学".into(),
                document: None,
            }),
        );
        plan.plant(
            FindingKind::TransferWithoutDocuments,
            &child.case_id,
            child.school(),
            day(2),
            "transfer out with no certificate",
        );
    }
    // Transfer never confirmed by the receiving school: a suspected dropout.
    {
        let child = take(&s(10));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(3),
            &st.leader,
            CaseAction::TransferOut(TransferOut {
                on: day(3),
                destination_school: "大连市某民办学校".into(),
                destination_region: Some("大连市".into()),
                documents: vec![document("转学申请", "转〔示范〕9号", "家长", day(3))],
            }),
        );
        plan.plant(
            FindingKind::TransferUnconfirmed,
            &child.case_id,
            child.school(),
            day(3),
            "receiving school never confirmed",
        );
    }
    // Suspension without its approving document.
    {
        let child = take(&s(11));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(4),
            &st.leader,
            CaseAction::Suspend(Suspension {
                on: day(4),
                expected_return: first_day + TimeDelta::weeks(19),
                reason: "家长申请休学".into(),
                document: None,
            }),
        );
        plan.plant(
            FindingKind::SuspensionWithoutDocument,
            &child.case_id,
            child.school(),
            day(4),
            "suspension with no approval",
        );
    }
    // Suspension past its return date with no resumption.
    {
        let child = take(&s(1));
        let st = &staff[child.school()];
        plan.fact(
            &child,
            day(1),
            &st.leader,
            CaseAction::Suspend(Suspension {
                on: day(1),
                expected_return: day(10),
                reason: "因病休学".into(),
                document: Some(document("休学审批表", "休〔示范〕2号", "县教育局", day(1))),
            }),
        );
        plan.plant(
            FindingKind::SuspensionOverdue,
            &child.case_id,
            child.school(),
            day(10),
            "not back from suspension, nobody followed up",
        );
    }
    // Reported on time, still away, and nobody went back for weeks.
    {
        let child = take(&s(2));
        let st = &staff[child.school()];
        for k in 13..days.len() {
            plan.absent(&child, day(k), &st.teacher);
        }
        plan.fact(
            &child,
            day(13),
            &st.teacher,
            contact(day(13), st.teacher_p()),
        );
        plan.fact(
            &child,
            day(14),
            &st.leader,
            visit(
                day(14),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::Refused,
            ),
        );
        plan.fact(
            &child,
            day(15),
            &st.principal,
            visit(
                day(15),
                vec![st.teacher_p(), st.leader_p(), st.principal_p()],
                VisitOutcome::Refused,
            ),
        );
        for (recipient, n) in [
            (Recipient::TownshipGovernment, 1),
            (Recipient::CountyBureau, 2),
        ] {
            let reference = format!("{}报〔停〕{n}号", child.school());
            plan.fact(
                &child,
                day(15),
                &st.principal,
                report(day(15), recipient, reference, st),
            );
            plan.plant(
                FindingKind::NoFollowUp,
                &child.case_id,
                child.school(),
                day(15),
                &format!("reported to the {recipient}, then nothing for weeks"),
            );
        }
    }
    // Retroactive calendar change: a "snow day" declared five days after it, which makes a
    // late day-3 visit and late reports look on time.
    let snow = day(21);
    {
        let child = take(&s(3));
        let st = &staff[child.school()];
        for k in 20..=23 {
            plan.absent(&child, day(k), &st.teacher);
        }
        plan.fact(
            &child,
            day(20),
            &st.teacher,
            contact(day(20), st.teacher_p()),
        );
        plan.fact(
            &child,
            day(22),
            &st.leader,
            visit(
                day(22),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::Refused,
            ),
        );
        plan.fact(
            &child,
            day(23),
            &st.principal,
            visit(
                day(23),
                vec![st.teacher_p(), st.leader_p(), st.principal_p()],
                VisitOutcome::AgreedToReturn,
            ),
        );
        for (recipient, n) in [
            (Recipient::TownshipGovernment, 1),
            (Recipient::CountyBureau, 2),
        ] {
            let reference = format!("{}报〔雪〕{n}号", child.school());
            plan.fact(
                &child,
                day(23),
                &st.principal,
                report(day(23), recipient, reference, st),
            );
        }
        plan.fact(&child, day(24), &st.teacher, back(day(24)));
        plan.push(
            snow + TimeDelta::days(5),
            10,
            &bureau,
            Work::Org(OrgCommand::DeclareHoliday(CalendarDay {
                day: snow,
                name: "雪天停课".into(),
            })),
        );
        plan.plant(
            FindingKind::RetroactiveCalendarChange,
            &child.case_id,
            child.school(),
            snow,
            "the snow day moved this case's deadlines",
        );
        plan.plant(
            FindingKind::RetroactiveCalendarChange,
            "organisation",
            "",
            snow,
            "snow day declared five days after it",
        );
    }
    // Missing attestation: one school sent no roll call one day.
    plan.no_roll_call.insert((s(5), day(7)));
    plan.plant(
        FindingKind::MissingAttestation,
        "school",
        &s(5),
        day(7),
        "no roll call that day",
    );
    // Roll call mismatch: a child named absent who has no case, and a child on watch named
    // absent whose case has no absence that day.
    {
        let school = s(6);
        let grade = schools[6].grades[0];
        plan.extra_named.push((
            school.clone(),
            grade,
            day(8),
            NamedAbsence {
                student_number: "G211324000000000000".into(),
                name: "无档学生".into(),
                excused: false,
            },
        ));
        plan.plant(
            FindingKind::RollCallMismatch,
            "",
            &school,
            day(8),
            "named absent, no case at all",
        );
        let child = take(&s(7));
        plan.extra_named.push((
            child.school().to_string(),
            child.profile.grade,
            day(9),
            NamedAbsence {
                student_number: child.profile.student_number.clone(),
                name: child.profile.name.clone(),
                excused: false,
            },
        ));
        plan.plant(
            FindingKind::RollCallMismatch,
            &child.case_id,
            child.school(),
            day(9),
            "named absent, no absence on the case",
        );
    }

    // ---- the grade-6 watch: last year's leavers of the primary schools and the middle
    // schools' enrolments; three enrolled nowhere ------------------------------------------
    let mut leavers = LEAVERS_HEADER.join(",") + "\n";
    let mut enrolments = "student_number,school\n".to_string();
    for (i, school) in schools
        .iter()
        .filter(|s| !s.id.ends_with("middle"))
        .enumerate()
    {
        for k in 0..4 {
            let born = NaiveDate::from_ymd_opt(first_day.year() - 12, 3 + k, 10 + i as u32)
                .unwrap_or(first_day);
            let id_number =
                compose_id_number("211324", born, (50 + k) as u8, Gender::Male).unwrap_or_default();
            let number = format!("G{id_number}");
            leavers.push_str(&format!(
                "{number},{}{},男,{born},{},6-1,{}家长,father,13700{:06}\n",
                SURNAMES[(i + k as usize) % SURNAMES.len()],
                GIVEN[(i * 4 + k as usize) % GIVEN.len()],
                school.id,
                SURNAMES[(i + k as usize) % SURNAMES.len()],
                i * 10 + k as usize
            ));
            // The first leaver of three schools is enrolled nowhere.
            if !(i < 3 && k == 0) {
                let middle = format!("{}-middle", school.id.split('-').next().unwrap_or("gyz"));
                enrolments.push_str(&format!("{number},{middle}\n"));
            }
        }
    }
    plan.push(
        day(1),
        11,
        &bureau,
        Work::Grade6 {
            leavers,
            enrolments,
            on: first_day,
        },
    );

    // ---- the registry cross-check: every child on watch is in the register and on a roll,
    // in class; five more children show the five kinds of finding -------------------------
    let mut register = REGISTER_HEADER.join(",") + "\n";
    let mut roll = ROLL_HEADER.join(",") + "\n";
    let register_line = |c: &Child, status: &str, school: &str| {
        let g = &c.profile.guardians[0];
        format!(
            "{},{},{},{},{},{school},{},{},{},{status}\n",
            c.id_number,
            c.profile.name,
            gender_zh(c.profile.gender),
            c.profile.birth_date,
            c.township,
            g.name,
            g.relation,
            g.phone
        )
    };
    let roll_line = |c: &Child, number: &str, name: &str, school: &str, attending: &str| {
        let g = &c.profile.guardians[0];
        format!(
            "{number},{},{name},{},{},{school},{},{},{attending},{},{},{}\n",
            c.id_number,
            gender_zh(c.profile.gender),
            c.profile.birth_date,
            c.profile.grade,
            c.profile.class,
            g.name,
            g.relation,
            g.phone
        )
    };
    for list in children.values() {
        for c in list {
            register.push_str(&register_line(c, "正常", c.school()));
            roll.push_str(&roll_line(
                c,
                &c.profile.student_number,
                &c.profile.name,
                c.school(),
                "是",
            ));
        }
    }
    // Five children not on watch: made like the others, at five schools.
    let mut extra = Vec::new();
    for i in 0..5 {
        let school = &schools[i * 2 + 1];
        let born =
            NaiveDate::from_ymd_opt(first_day.year() - 10, 1 + i as u32, 15).unwrap_or(first_day);
        let gender = if i % 2 == 0 {
            Gender::Female
        } else {
            Gender::Male
        };
        let id_number = compose_id_number("211324", born, 90 + i as u8, gender).unwrap_or_default();
        let name = format!("{}{}", SURNAMES[i + 5], GIVEN[i + 10]);
        let profile = StudentProfile {
            student_number: format!("G{id_number}"),
            name: name.clone(),
            gender,
            birth_date: born,
            school: school.id.clone(),
            grade: 4,
            class: "4-1".into(),
            head_teacher: String::new(),
            guardians: vec![Guardian {
                name: format!("{}家长", &SURNAMES[i + 5]),
                relation: "mother".into(),
                phone: format!("1360000{:04}", i),
            }],
            focus_groups: BTreeSet::new(),
        };
        extra.push(Child {
            case_id: registry_case_id(&id_number),
            profile,
            id_number,
            township: school.township.clone(),
        });
    }
    let (unenrolled, nominal, twice, misnamed, cancelled) =
        (&extra[0], &extra[1], &extra[2], &extra[3], &extra[4]);
    register.push_str(&register_line(unenrolled, "正常", unenrolled.school()));
    register.push_str(&register_line(nominal, "正常", nominal.school()));
    register.push_str(&register_line(twice, "正常", twice.school()));
    register.push_str(&register_line(misnamed, "正常", misnamed.school()));
    register.push_str(&register_line(cancelled, "注销", cancelled.school()));
    let first_roll = format!(
        "{roll}{}{}{}{}{}",
        roll_line(
            nominal,
            &nominal.profile.student_number,
            &nominal.profile.name,
            nominal.school(),
            "否"
        ),
        roll_line(
            twice,
            &twice.profile.student_number,
            &twice.profile.name,
            twice.school(),
            "是"
        ),
        roll_line(twice, "X9000001", &twice.profile.name, &s(0), "否"),
        roll_line(
            misnamed,
            &misnamed.profile.student_number,
            "错名字",
            misnamed.school(),
            "是"
        ),
        roll_line(
            cancelled,
            &cancelled.profile.student_number,
            &cancelled.profile.name,
            cancelled.school(),
            "是"
        ),
    );
    // A week later the nominal entry, the duplicate and the wrong name are put right, and the
    // cancelled registration is off the roll; the unenrolled child is still on no roll.
    let second_roll = format!(
        "{roll}{}{}{}",
        roll_line(
            nominal,
            &nominal.profile.student_number,
            &nominal.profile.name,
            nominal.school(),
            "是"
        ),
        roll_line(
            twice,
            &twice.profile.student_number,
            &twice.profile.name,
            twice.school(),
            "是"
        ),
        roll_line(
            misnamed,
            &misnamed.profile.student_number,
            &misnamed.profile.name,
            misnamed.school(),
            "是"
        ),
    );
    plan.push(
        day(1),
        12,
        &bureau,
        Work::Registry {
            name: "第一次学籍户籍比对".into(),
            register: register.clone(),
            roll: first_roll,
            on: day(1),
        },
    );
    // The schools follow up the nominal entry, the duplicate and the wrong name within days.
    for (child, kind, resolution) in [
        (
            nominal,
            RegistryIssue::NominalRegistration,
            "学生已返校就读，学籍状态已更正",
        ),
        (twice, RegistryIssue::Duplicate, "已注销重复学籍"),
        (misnamed, RegistryIssue::Wrong, "已按户籍更正姓名"),
    ] {
        let st = &staff[child.school()];
        plan.fact(
            child,
            day(3),
            &st.leader,
            visit(
                day(3),
                vec![st.teacher_p(), st.leader_p()],
                VisitOutcome::AgreedToReturn,
            ),
        );
        plan.fact(
            child,
            day(4),
            &st.principal,
            CaseAction::ResolveRegistryFinding(RegistryResolution {
                on: day(4),
                kind,
                resolution: resolution.into(),
                document: Some(document(
                    "学籍变更记录",
                    "学籍〔示范〕",
                    "县教育局学籍管理办公室",
                    day(4),
                )),
            }),
        );
    }
    plan.push(
        day(6),
        12,
        &bureau,
        Work::Registry {
            name: "第二次学籍户籍比对".into(),
            register,
            roll: second_roll,
            on: day(6),
        },
    );
    plan.plant(
        FindingKind::UnresolvedRegistryFinding,
        &unenrolled.case_id,
        unenrolled.school(),
        day(1),
        "in the household register, on no roll, and nobody went to see",
    );

    // ---- the roll calls: every school, every grade, every school day (the snow day too: it
    // was declared a holiday only afterwards) ---------------------------------------------
    for school in &schools {
        let st = &staff[&school.id];
        for &d in &days {
            if plan.no_roll_call.contains(&(school.id.clone(), d)) {
                continue;
            }
            for &grade in &school.grades {
                let mut absent = plan
                    .absent
                    .get(&(school.id.clone(), grade, d))
                    .cloned()
                    .unwrap_or_default();
                for (sch, g, day, named) in &plan.extra_named {
                    if *sch == school.id && *g == grade && *day == d {
                        absent.push(named.clone());
                    }
                }
                let enrolled = if school.id.ends_with("middle") {
                    120
                } else {
                    45
                };
                let roll_call = RollCall {
                    on: d,
                    class: format!("{grade}年级"),
                    enrolled,
                    present: enrolled - absent.len() as u32,
                    absent,
                };
                plan.push(
                    d,
                    16,
                    &st.teacher,
                    Work::RollCall(school.id.clone(), roll_call),
                );
            }
        }
    }

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
    for (id, name, role, node) in users {
        let (token_id, token) = new_token();
        store
            .org
            .execute(
                OrgCommand::IssueToken {
                    token_id,
                    user: id.clone(),
                    token_sha256: token_sha256(&token),
                },
                &admin,
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
        schools: schools.len(),
        children: count,
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
