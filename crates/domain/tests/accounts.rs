//! The accounts' rules: a password a person may choose, a user name, the password events, a
//! batch recorded whole, and a users' list planned against the organisation, row by row.

use std::collections::BTreeMap;

use cqrs_es::test::TestFramework;
use notoneless_domain::*;
use notoneless_i18n::{Lang, Msg};

fn node(id: &str, kind: NodeKind, parent: Option<&str>) -> Node {
    Node {
        id: id.into(),
        kind,
        name: id.into(),
        parent: parent.map(str::to_string),
    }
}

fn user(id: &str, role: UserRole, node: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role,
        node: node.into(),
    }
}

fn tree() -> Vec<OrgEvent> {
    vec![
        OrgEvent::NodeAdded(node("kazuo", NodeKind::County, None)),
        OrgEvent::NodeAdded(node("gyz", NodeKind::Township, Some("kazuo"))),
        OrgEvent::NodeAdded(node("gyz-middle", NodeKind::School, Some("gyz"))),
        OrgEvent::UserAdded(user("wang", UserRole::HeadTeacher, "gyz-middle")),
    ]
}

fn hash(n: u8) -> PasswordHash {
    PasswordHash::new(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${n}"))
}

#[test]
fn a_password_is_refused_for_its_length_its_edges_and_for_being_common_or_a_run() {
    for (password, refusal) in [
        ("abc1234", PasswordRefusal::TooShort),
        ("五个汉字好", PasswordRefusal::TooShort),
        (&"x1".repeat(65) as &str, PasswordRefusal::TooLong),
        (" correct horse", PasswordRefusal::EdgeSpace),
        ("correct horse ", PasswordRefusal::EdgeSpace),
        ("12345678", PasswordRefusal::Common),
        ("Password1", PasswordRefusal::Common),
        ("WoAiNi1314", PasswordRefusal::Common),
        ("1qaz2wsx", PasswordRefusal::Common),
        ("kkkkkkkkkk", PasswordRefusal::Run),
        ("23456789", PasswordRefusal::Run),
        ("hgfedcba", PasswordRefusal::Run),
        ("wang.laoshi.2023", PasswordRefusal::HoldsUserName),
    ] {
        assert_eq!(
            check_new_password(password, "wang.laoshi"),
            Err(refusal),
            "{password}"
        );
    }
    for password in [
        "柳树下的石头桥",
        "gyz middle 8-1 班",
        "tq7-wm2-hx9",
        "wang.laoshi",
    ] {
        let chosen = check_new_password(password, "li");
        assert!(
            chosen.is_ok() || password.chars().count() < MIN_PASSWORD_CHARS,
            "{password}: {chosen:?}"
        );
    }
    assert_eq!(check_new_password("柳树下的石头桥啊", "li"), Ok(()));
    assert_eq!(
        PasswordRefusal::Common.to_string(),
        "is one of the commonest passwords, which are guessed first; choose another"
    );
}

#[test]
fn a_user_name_is_what_any_phone_can_type() {
    for good in ["wang", "ht-gyz-middle", "li.ming_2", "A1"] {
        assert_eq!(check_user_name(good), Ok(()), "{good}");
    }
    for bad in ["", "王老师", "wang laoshi", "a/b", &"x".repeat(65) as &str] {
        assert!(check_user_name(bad).is_err(), "{bad}");
    }
    TestFramework::<Organisation>::with(())
        .given(tree())
        .when(OrgCommand::AddUser(user(
            "李 老师",
            UserRole::HeadTeacher,
            "gyz-middle",
        )))
        .then_expect_error(OrgError::BadUserName {
            value: "\"李 老师\"".into(),
        });
}

#[test]
fn a_password_is_kept_as_its_hash_with_how_many_the_user_has_had_and_never_shown() {
    let mut org = Organisation::from_events(tree());
    let set = OrgCommand::SetOneTimePassword {
        user: "wang".into(),
        password_hash: hash(1),
    };
    for event in org.decide_all(set).unwrap() {
        cqrs_es::Aggregate::apply(&mut org, event);
    }
    assert_eq!(
        org.passwords["wang"],
        PasswordRecord {
            hash: hash(1),
            one_time: true,
            version: 1
        }
    );
    let change = OrgCommand::ChangePassword {
        user: "wang".into(),
        password_hash: hash(2),
    };
    let events = org.decide_all(change).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name(), "PasswordChanged");
    cqrs_es::Aggregate::apply(&mut org, events[0].clone());
    assert_eq!(org.passwords["wang"].version, 2);
    assert!(!org.passwords["wang"].one_time);
    assert_eq!(format!("{:?}", hash(3)), "PasswordHash(<redacted>)");
    assert!(!format!("{org:?}").contains("argon2id"));

    let not_argon = OrgCommand::ChangePassword {
        user: "wang".into(),
        password_hash: PasswordHash::new("5f4dcc3b5aa765d61d8327deb882cf99"),
    };
    assert_eq!(
        org.decide_all(not_argon),
        Err(OrgError::Invalid {
            field: "password_hash",
            reason: Msg::FormatPasswordHash
        })
    );
    let nobody = OrgCommand::SetOneTimePassword {
        user: "nobody".into(),
        password_hash: hash(4),
    };
    assert_eq!(
        org.decide_all(nobody),
        Err(OrgError::Unknown {
            field: "user",
            value: "nobody".into()
        })
    );
}

#[test]
fn a_batch_is_recorded_whole_each_change_decided_on_what_came_before_or_not_at_all() {
    let li = user("li", UserRole::Principal, "gyz-middle");
    let batch = OrgCommand::Batch(vec![
        OrgCommand::AddUser(li.clone()),
        OrgCommand::SetOneTimePassword {
            user: "li".into(),
            password_hash: hash(1),
        },
        OrgCommand::UpdateUser(User {
            name: "王老师".into(),
            ..user("wang", UserRole::SchoolLeader, "gyz-middle")
        }),
    ]);
    TestFramework::<Organisation>::with(())
        .given(tree())
        .when(batch)
        .then_expect_events(vec![
            OrgEvent::UserAdded(li.clone()),
            OrgEvent::OneTimePasswordSet {
                user: "li".into(),
                password_hash: hash(1),
            },
            OrgEvent::UserUpdated(User {
                name: "王老师".into(),
                ..user("wang", UserRole::SchoolLeader, "gyz-middle")
            }),
        ]);
    // One change refused refuses the batch.
    let refused = OrgCommand::Batch(vec![
        OrgCommand::AddUser(li),
        OrgCommand::UpdateUser(user("wang", UserRole::TownshipOfficer, "gyz-middle")),
    ]);
    TestFramework::<Organisation>::with(())
        .given(tree())
        .when(refused)
        .then_expect_error(OrgError::WrongNode {
            role: UserRole::TownshipOfficer,
        });
}

const CSV_EN: &str = "id,name,role,node\n\
    wang,王老师,head_teacher,gyz-middle\n\
    li,李校长,principal,gyz-middle\n\
    zhao,赵干部,township_officer,gyz\n";

#[test]
fn a_users_list_adds_the_new_updates_the_changed_and_leaves_the_rest() {
    let org = Organisation::from_events(tree());
    let zh = "用户名,姓名,角色,单位\nzhou,周督学,督学,kazuo\nwang,wang,head_teacher,gyz-middle\n";
    let plan = plan_user_import(&org, &[CSV_EN, zh]).unwrap_err();
    // wang is in both lists.
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].list, 1);
    assert_eq!(
        plan[0].error.in_lang(Lang::En),
        RowError {
            row: 3,
            list: None,
            field: Some("用户名".into()),
            code: "row-listed-twice-in-list".into(),
            reason: "\"wang\" is listed twice (first on line 2 of list 1)".into()
        }
    );
    assert_eq!(
        plan[0].error.reason.text(Lang::Zh),
        "\"wang\" 重复出现（首次在第1个名单第2行）"
    );
    let zh = "用户名,姓名,角色,单位\nzhou,周督学,督学,kazuo\n";
    let plan = plan_user_import(&org, &[CSV_EN, zh]).unwrap();
    let ids =
        |users: &[ListedUser]| -> Vec<String> { users.iter().map(|u| u.user.id.clone()).collect() };
    assert_eq!(ids(&plan.added), ["li", "zhao", "zhou"]);
    assert_eq!(ids(&plan.updated), ["wang"]);
    assert!(plan.unchanged.is_empty());
    assert_eq!(plan.added[2].user.role, UserRole::Inspector);
    assert_eq!((plan.added[2].list, plan.added[2].row), (1, 2));
    let one_time: BTreeMap<String, PasswordHash> = ["li", "zhao", "zhou"]
        .into_iter()
        .enumerate()
        .map(|(n, id)| (id.to_string(), hash(n as u8)))
        .collect();
    let commands = plan.commands(&one_time).unwrap();
    assert_eq!(
        commands.len(),
        7,
        "three users with a password each, one update"
    );
    let mut after = org.clone();
    for event in org.decide_all(OrgCommand::Batch(commands)).unwrap() {
        cqrs_es::Aggregate::apply(&mut after, event);
    }
    assert_eq!(after.users["wang"].name, "王老师");
    assert!(after.passwords["zhou"].one_time);
    // The same lists again change nothing.
    let again = plan_user_import(&after, &[CSV_EN]).unwrap();
    assert!(again.added.is_empty() && again.updated.is_empty());
    assert_eq!(again.unchanged.len(), 3);
}

#[test]
fn every_bad_row_of_a_users_list_is_named_by_its_line_and_column_and_nothing_is_planned() {
    let mut events = tree();
    events.push(OrgEvent::UserAdded(user(
        "gone",
        UserRole::HeadTeacher,
        "gyz-middle",
    )));
    events.push(OrgEvent::UserDeactivated {
        user: "gone".into(),
    });
    let org = Organisation::from_events(events);
    let list = "用户名,姓名,角色,单位\n\
        ok,好,班主任,gyz-middle\n\
        王老师,王,班主任,gyz-middle\n\
        \n\
        li,李,janitor,gyz-middle\n\
        zhao,赵,乡镇干部,gyz-middle\n\
        gone,走,班主任,gyz-middle\n\
        wu,,班主任,nowhere\n\
        short,row\n";
    let errors = plan_user_import(&org, &[list]).unwrap_err();
    let rendered: Vec<RowError> = errors.iter().map(|e| e.error.in_lang(Lang::En)).collect();
    let found: Vec<(usize, Option<&str>, &str)> = rendered
        .iter()
        .map(|e| (e.row, e.field.as_deref(), e.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                3,
                Some("用户名"),
                "\"王老师\" is not a user name: 1 to 64 ASCII letters, digits, '.', '-' or '_'"
            ),
            (
                5,
                Some("角色"),
                "\"janitor\" is not one of: head_teacher/班主任, school_leader/学校分管负责人, principal/校长, township_officer/乡镇干部, bureau_officer/教育局干部, inspector/督学, admin/管理员"
            ),
            (
                6,
                Some("单位"),
                "a township officer belongs to a township node"
            ),
            (
                7,
                Some("用户名"),
                "\"gone\" was deactivated; an import does not bring a user back"
            ),
            (8, Some("姓名"), "must not be blank"),
            (9, None, "has 2 fields, expected 4"),
        ]
    );
    let header = plan_user_import(&org, &["user,name\nx,y\n"]).unwrap_err();
    assert_eq!(header[0].error.row, 1);
    assert_eq!(
        header[0].error.reason.text(Lang::En),
        "the header must be id,name,role,node or 用户名,姓名,角色,单位"
    );
}
