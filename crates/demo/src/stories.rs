//! The stories of the term: what most of the county does right, and the violations planted
//! in it, each told as the facts a school would enter, on the days it would enter them.

use super::*;

/// What most of the county does: the stories done right.
pub(crate) fn done_right(plan: &mut Plan, county: &County) {
    let day = |i: usize| county.days[i];
    let s = |i: usize| county.school(i);
    // ---- done right -------------------------------------------------------------------
    // Back at school the day after the teacher's call: one per school.
    for (i, start) in [1usize, 2, 5, 8, 1, 2, 5, 8, 26, 27, 1, 2]
        .into_iter()
        .enumerate()
    {
        let child = plan.take(county, &s(i));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(i * 3));
        let st = &county.staff[child.school()];
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
        let (officer, officer_name) = &county.township_officers[&child.township];
        for (recipient, n, ack, ack_name) in [
            (
                Recipient::TownshipGovernment,
                1,
                officer,
                officer_name.as_str(),
            ),
            (Recipient::CountyBureau, 2, &county.bureau, "陈科长"),
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
        let child = plan.take(county, &s(i * 2 + 1));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(i * 5 + 2));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(i * 4 + 3));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(i));
        let st = &county.staff[child.school()];
        plan.fact(
            &child,
            day(4),
            &st.leader,
            CaseAction::GiveSupport(Support {
                on: day(4),
                kind: SupportKind::Subsidy,
                amount_fen: 62_500,
                from: county.first_day,
                until: county.first_day + TimeDelta::weeks(20),
                note: Some("家庭经济困难学生生活补助".into()),
            }),
        );
    }
    // Home teaching (送教上门) for the disabled children of the primary county.schools.
    for school in county
        .schools
        .iter()
        .filter(|s| !s.id.ends_with("middle"))
        .take(3)
    {
        let Some(child) = county.children[&school.id]
            .iter()
            .find(|c| c.profile.focus_groups.contains(&FocusGroup::Disabled))
            .cloned()
        else {
            continue;
        };
        let st = &county.staff[&school.id];
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
}

/// One or more violations of every kind the review finds, each added to `plan.planted`.
pub(crate) fn planted(plan: &mut Plan, county: &County) {
    let day = |i: usize| county.days[i];
    let s = |i: usize| county.school(i);
    // ---- planted violations ------------------------------------------------------------
    // Unreported dropout: the visits done, the report never made; back on day 8.
    {
        let child = plan.take(county, &s(0));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(4));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(5));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(6));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(7));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(8));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(9));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(10));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(11));
        let st = &county.staff[child.school()];
        plan.fact(
            &child,
            day(4),
            &st.leader,
            CaseAction::Suspend(Suspension {
                on: day(4),
                expected_return: county.first_day + TimeDelta::weeks(19),
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
        let child = plan.take(county, &s(1));
        let st = &county.staff[child.school()];
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
        let child = plan.take(county, &s(2));
        let st = &county.staff[child.school()];
        for k in 13..county.days.len() {
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
        let child = plan.take(county, &s(3));
        let st = &county.staff[child.school()];
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
            &county.bureau,
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
        let grade = county.schools[6].grades[0];
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
        let child = plan.take(county, &s(7));
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
}
