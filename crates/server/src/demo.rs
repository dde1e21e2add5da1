//! `serve --demo`: on an empty database, a small demo county: two townships, three schools,
//! one user of every role, a school calendar around today, and three children's cases in the
//! plan's situations, dated from today backwards. The demo users' tokens are printed once.

use std::collections::BTreeSet;

use anyhow::{Result, anyhow};
use chrono::{NaiveDate, TimeDelta};
use notoneless_domain::{
    Absence, CaseAction, CaseOpening, ContactChannel, FocusGroup, Gender, Guardian, HomeVisit,
    Node, NodeKind, OrgCommand, ParentContact, Participant, Recipient, Report, Return, Role,
    StudentProfile, Term, User, UserRole, VisitOutcome,
};
use notoneless_store::{Actor, CommandContext, Store};

use crate::serve_cmd::{cli_context, issue_token};

const NODES: [(&str, NodeKind, &str, Option<&str>); 6] = [
    ("kazuo", NodeKind::County, "喀左县", None),
    ("gongyingzi", NodeKind::Township, "公营子镇", Some("kazuo")),
    ("nanshao", NodeKind::Township, "南哨街道", Some("kazuo")),
    (
        "gyz-middle",
        NodeKind::School,
        "公营子中学",
        Some("gongyingzi"),
    ),
    (
        "gyz-central-primary",
        NodeKind::School,
        "公营子中心小学",
        Some("gongyingzi"),
    ),
    (
        "nanshao-primary",
        NodeKind::School,
        "南哨小学",
        Some("nanshao"),
    ),
];

const USERS: [(&str, &str, UserRole, &str); 8] = [
    ("admin", "系统管理员", UserRole::Admin, "kazuo"),
    ("li", "李老师", UserRole::HeadTeacher, "gyz-middle"),
    ("zhang", "张主任", UserRole::SchoolLeader, "gyz-middle"),
    ("zhao", "赵校长", UserRole::Principal, "gyz-middle"),
    (
        "sun",
        "孙老师",
        UserRole::HeadTeacher,
        "gyz-central-primary",
    ),
    ("liu", "刘乡长", UserRole::TownshipOfficer, "gongyingzi"),
    ("chen", "陈科长", UserRole::BureauOfficer, "kazuo"),
    ("zhou", "周督学", UserRole::Inspector, "kazuo"),
];

fn as_user(id: &str, role: UserRole, node: &str) -> CommandContext {
    CommandContext {
        actor: Actor {
            id: id.into(),
            role: role.as_str().into(),
            jurisdiction: node.into(),
        },
        request_id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: None,
    }
}

fn student(
    number: &str,
    name: &str,
    gender: Gender,
    born: NaiveDate,
    school: &str,
    grade: u8,
    groups: &[FocusGroup],
) -> StudentProfile {
    StudentProfile {
        student_number: number.into(),
        name: name.into(),
        gender,
        birth_date: born,
        school: school.into(),
        grade,
        class: format!("{grade}-1"),
        head_teacher: "李老师".into(),
        guardians: vec![Guardian {
            name: format!("{}家长", name.chars().next().unwrap_or('王')),
            relation: "father".into(),
            phone: "138-0000-0000".into(),
        }],
        focus_groups: groups.iter().copied().collect::<BTreeSet<_>>(),
    }
}

fn person(name: &str, role: Role) -> Participant {
    Participant::new(name, role)
}

/// Prints a line for the operator; a closed stdout must not bring the server down.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Seeds the demo county if the organisation is empty; prints the users' tokens.
pub async fn seed_if_empty(store: &Store) -> Result<()> {
    if !store.org.current().org.nodes.is_empty() {
        tracing::info!("the database already holds an organisation: no demo data added");
        return Ok(());
    }
    let context = cli_context();
    let org = |command| async {
        store
            .org
            .execute(command, &context)
            .await
            .map_err(|e| anyhow!("{e}"))
    };
    for (id, kind, name, parent) in NODES {
        org(OrgCommand::AddNode(Node {
            id: id.into(),
            kind,
            name: name.into(),
            parent: parent.map(str::to_string),
        }))
        .await?;
    }
    let today = store.rules.get().calendar.local_date(store.clock.now());
    org(OrgCommand::AddTerm(Term {
        name: "demo term".into(),
        first_day: today - TimeDelta::days(120),
        last_day: today + TimeDelta::days(120),
    }))
    .await?;
    say("demo county created; the demo users' tokens (shown once):");
    for (id, name, role, node) in USERS {
        org(OrgCommand::AddUser(User {
            id: id.into(),
            name: name.into(),
            role,
            node: node.into(),
        }))
        .await?;
        let token = issue_token(store, id).await?;
        say(&format!(
            "  {id:<6} {:<17} {node:<20} {token}",
            role.as_str()
        ));
    }

    // The last school days up to today, most recent last.
    let calendar = store.rules.get().calendar.clone();
    let days: Vec<NaiveDate> = calendar
        .school_days(today - TimeDelta::days(21), today)
        .collect();
    let [.., d5, d4, d3, d2, d1, d0] = days.as_slice() else {
        tracing::warn!("fewer than six school days in the last three weeks: no demo cases");
        return Ok(());
    };
    let (li, zhao, sun, zhang) = (
        as_user("li", UserRole::HeadTeacher, "gyz-middle"),
        as_user("zhao", UserRole::Principal, "gyz-middle"),
        as_user("sun", UserRole::HeadTeacher, "gyz-central-primary"),
        as_user("zhang", UserRole::SchoolLeader, "gyz-middle"),
    );
    let run = |case: &'static str, action: CaseAction, who: &CommandContext| {
        let who = who.clone();
        async move {
            store
                .commands
                .execute(case, action, &who)
                .await
                .map_err(|e| anyhow!("demo case {case}: {e}"))
        }
    };
    let absent = |on: NaiveDate| CaseAction::RecordAbsence(Absence { on, note: None });
    let open = |on: NaiveDate, profile: StudentProfile| {
        CaseAction::OpenCase(CaseOpening {
            on,
            student: profile,
            reason: Some("unexcused absence".into()),
        })
    };
    let contact = |on: NaiveDate, by: Participant| {
        CaseAction::RecordParentContact(ParentContact {
            on,
            by,
            guardian: "家长".into(),
            channel: ContactChannel::Phone,
            reached: true,
            reason_given: Some("helping at home".into()),
            note: None,
        })
    };
    let visit = |on: NaiveDate, who: Vec<Participant>| {
        CaseAction::RecordHomeVisit(HomeVisit {
            on,
            participants: who,
            outcome: VisitOutcome::Refused,
            note: None,
        })
    };
    let teacher = || person("李老师", Role::HeadTeacher);
    let leader = || person("张主任", Role::ResponsibleLeader);

    // Back at school after the day-1 call.
    let a = "00000000-0000-4000-8000-000000000001";
    run(
        a,
        open(
            *d5,
            student(
                "G211324201001011234",
                "王小明",
                Gender::Male,
                *d5 - TimeDelta::days(14 * 365),
                "gyz-middle",
                8,
                &[FocusGroup::EconomicallyPoor],
            ),
        ),
        &li,
    )
    .await?;
    run(a, absent(*d5), &li).await?;
    run(a, contact(*d5, teacher()), &li).await?;
    run(
        a,
        CaseAction::RecordReturn(Return {
            on: *d4,
            note: None,
        }),
        &li,
    )
    .await?;

    // Still away: the day-3 visit without the principal, the reports a day late.
    let b = "00000000-0000-4000-8000-000000000002";
    run(
        b,
        open(
            *d4,
            student(
                "G211324201102025678",
                "张小红",
                Gender::Female,
                *d4 - TimeDelta::days(13 * 365),
                "gyz-middle",
                7,
                &[FocusGroup::PovertyAlleviationHousehold],
            ),
        ),
        &li,
    )
    .await?;
    for day in [d4, d3, d2, d1, d0] {
        run(b, absent(*day), &li).await?;
    }
    run(b, contact(*d4, teacher()), &li).await?;
    run(b, visit(*d3, vec![teacher(), leader()]), &zhang).await?;
    run(b, visit(*d2, vec![teacher(), leader()]), &zhang).await?;
    for (recipient, reference) in [
        (Recipient::TownshipGovernment, "公中报〔demo〕1号"),
        (Recipient::CountyBureau, "公中报〔demo〕2号"),
    ] {
        let report = Report {
            on: *d1,
            recipient,
            reference: reference.into(),
            signed_by: person("赵校长", Role::Principal),
            summary: None,
        };
        run(b, CaseAction::ReportUpward(report), &zhao).await?;
    }

    // Day 2 today at the central primary school: the visit is due by tonight.
    let c = "00000000-0000-4000-8000-000000000003";
    run(
        c,
        open(
            *d1,
            student(
                "G211324201503037890",
                "李小军",
                Gender::Male,
                *d1 - TimeDelta::days(11 * 365),
                "gyz-central-primary",
                6,
                &[FocusGroup::Disabled],
            ),
        ),
        &sun,
    )
    .await?;
    run(c, absent(*d1), &sun).await?;
    run(c, contact(*d1, person("孙老师", Role::HeadTeacher)), &sun).await?;
    run(c, absent(*d0), &sun).await?;
    say(
        "demo cases: 3 children's files at gyz-middle and gyz-central-primary; try GET /api/v1/work-queue",
    );
    Ok(())
}
