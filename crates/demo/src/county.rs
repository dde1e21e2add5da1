//! The county itself: the organisation (townships, schools, users), the calendar and the
//! children on watch, opened on the first day of term.

use super::*;

/// The county as the stories need it.
pub(crate) struct County {
    pub first_day: NaiveDate,
    /// The school days from the first day to yesterday, as the calendar stood before the
    /// planted snow day.
    pub days: Vec<NaiveDate>,
    pub schools: Vec<School>,
    pub staff: BTreeMap<String, Staff>,
    /// Each township's officer: who acts, and the name.
    pub township_officers: BTreeMap<String, (CommandContext, String)>,
    pub admin: CommandContext,
    pub bureau: CommandContext,
    /// The children on watch, per school.
    pub children: BTreeMap<String, Vec<Child>>,
    /// (id, name, role, node) of every user.
    pub users: Vec<(String, String, UserRole, String)>,
    /// How many children are on watch.
    pub count: usize,
}

impl County {
    /// The `i`-th school, round the list.
    pub fn school(&self, i: usize) -> String {
        self.schools[i % self.schools.len()].id.clone()
    }
}

/// Plans the organisation, the calendar and the openings of the children on watch.
pub(crate) fn county(
    plan: &mut Plan,
    first_day: NaiveDate,
    today: NaiveDate,
) -> Result<County, DemoError> {
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
    Ok(County {
        first_day,
        days,
        schools,
        staff,
        township_officers,
        admin,
        bureau,
        children,
        users,
        count,
    })
}
