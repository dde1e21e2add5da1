//! The lists the county's offices exchange: the grade-6 watch, the registry cross-checks and
//! the schools' daily roll calls.

use super::*;

/// The grade-6 watch: last year's leavers and the middle schools' enrolments.
pub(crate) fn grade6_watch(plan: &mut Plan, county: &County) {
    let day = |i: usize| county.days[i];
    // ---- the grade-6 watch: last year's leavers of the primary county.schools and the middle
    // county.schools' enrolments; three enrolled nowhere ------------------------------------------
    let mut leavers = LEAVERS_HEADER.join(",") + "\n";
    let mut enrolments = "student_number,school\n".to_string();
    for (i, school) in county
        .schools
        .iter()
        .filter(|s| !s.id.ends_with("middle"))
        .enumerate()
    {
        for k in 0..4 {
            let born = NaiveDate::from_ymd_opt(county.first_day.year() - 12, 3 + k, 10 + i as u32)
                .unwrap_or(county.first_day);
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
            // The first leaver of three county.schools is enrolled nowhere.
            if !(i < 3 && k == 0) {
                let middle = format!("{}-middle", school.id.split('-').next().unwrap_or("gyz"));
                enrolments.push_str(&format!("{number},{middle}\n"));
            }
        }
    }
    plan.push(
        day(1),
        11,
        &county.bureau,
        Work::Grade6 {
            leavers,
            enrolments,
            on: county.first_day,
        },
    );
}

/// Two registry cross-checks a week apart, and the schools' follow-up in between.
pub(crate) fn registry(plan: &mut Plan, county: &County) {
    let day = |i: usize| county.days[i];
    let s = |i: usize| county.school(i);
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
    for list in county.children.values() {
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
    // Five children not on watch: made like the others, at five county.schools.
    let mut extra = Vec::new();
    for i in 0..5 {
        let school = &county.schools[i * 2 + 1];
        let born = NaiveDate::from_ymd_opt(county.first_day.year() - 10, 1 + i as u32, 15)
            .unwrap_or(county.first_day);
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
        &county.bureau,
        Work::Registry {
            name: "第一次学籍户籍比对".into(),
            register: register.clone(),
            roll: first_roll,
            on: day(1),
        },
    );
    // The county.schools follow up the nominal entry, the duplicate and the wrong name within days.
    for (child, kind, resolution) in [
        (
            nominal,
            RegistryIssue::NominalRegistration,
            "学生已返校就读，学籍状态已更正",
        ),
        (twice, RegistryIssue::Duplicate, "已注销重复学籍"),
        (misnamed, RegistryIssue::Wrong, "已按户籍更正姓名"),
    ] {
        let st = &county.staff[child.school()];
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
        &county.bureau,
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
}

/// The roll calls of every school, grade and school day, from what the stories planned.
pub(crate) fn roll_calls(plan: &mut Plan, county: &County) {
    // ---- the roll calls: every school, every grade, every school day (the snow day too: it
    // was declared a holiday only afterwards) ---------------------------------------------
    for school in &county.schools {
        let st = &county.staff[&school.id];
        for &d in &county.days {
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
}
