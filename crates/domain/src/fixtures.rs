//! Example facts for tests (behind the `fixtures` feature): a calendar like Kazuo's autumn 2023
//! term, a child, and one-line constructors for every kind of fact. They panic on malformed
//! literals, which is what a test wants; nothing in production may call them.
#![allow(clippy::expect_used, clippy::missing_panics_doc)]

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use cqrs_es::test::{AggregateTestExecutor, TestFramework};

use crate::*;

/// A date from "YYYY-MM-DD".
pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
}

/// An instant from a local Shanghai date and "HH:MM".
pub fn at(date: &str, time: &str) -> DateTime<Utc> {
    let local = d(date).and_time(NaiveTime::parse_from_str(time, "%H:%M").expect("a test time"));
    DateTime::from_naive_utc_and_offset(local - TimeDelta::hours(8), Utc)
}

/// Autumn term 2023: 1 September 2023 to 19 January 2024; the National Day and Mid-Autumn
/// holidays from 29 September to 6 October; Saturday 7 and Sunday 8 October worked instead
/// (调休).
pub fn calendar() -> SchoolCalendar {
    SchoolCalendar::new(
        vec![Term {
            name: "2023 autumn".into(),
            first_day: d("2023-09-01"),
            last_day: d("2024-01-19"),
        }],
        d("2023-09-29").iter_days().take(8),
        [d("2023-10-07"), d("2023-10-08")],
    )
    .expect("a valid calendar")
}

pub fn ladder() -> EscalationLadder {
    EscalationLadder::kazuo_123()
}

pub fn profile() -> StudentProfile {
    StudentProfile {
        student_number: "G211324201101015678".into(),
        name: "王小明".into(),
        gender: Gender::Male,
        birth_date: d("2011-01-01"),
        school: "kazuo-gyz-middle".into(),
        grade: 7,
        class: "7-2".into(),
        head_teacher: "李老师".into(),
        guardians: vec![Guardian {
            name: "王建国".into(),
            relation: "father".into(),
            phone: "138-0000-1234".into(),
        }],
        focus_groups: [FocusGroup::EconomicallyPoor].into(),
        id_number: None,
    }
}

pub fn opened(on: &str) -> CaseEvent {
    CaseEvent::CaseOpened(opening(on))
}

pub fn opening(on: &str) -> CaseOpening {
    CaseOpening {
        on: d(on),
        student: profile(),
        reason: Some("first unexcused absence".into()),
    }
}

pub fn absence(on: &str) -> CaseEvent {
    CaseEvent::AbsenceRecorded(Absence {
        on: d(on),
        note: None,
    })
}

pub fn leave(on: &str, from: &str, until: &str) -> Leave {
    Leave {
        on: d(on),
        from: d(from),
        until: d(until),
        reason: "ill with fever".into(),
        approved_by: Participant::new("李老师", Role::HeadTeacher),
        document: None,
    }
}

pub fn granted(on: &str, from: &str, until: &str) -> CaseEvent {
    CaseEvent::LeaveGranted(leave(on, from, until))
}

pub fn person(role: Role) -> Participant {
    let name = match role {
        Role::HeadTeacher => "李老师",
        Role::ResponsibleLeader => "张主任",
        Role::Principal => "赵校长",
        Role::TownshipOfficer => "刘乡长",
        Role::BureauOfficer => "陈科长",
        Role::Inspector => "周督学",
        Role::VillageCadre => "孙书记",
        Role::Other => "王奶奶",
    };
    Participant::new(name, role)
}

pub fn parent_contact(on: &str, role: Role) -> ParentContact {
    ParentContact {
        on: d(on),
        by: person(role),
        guardian: "王建国".into(),
        channel: ContactChannel::Phone,
        reached: true,
        reason_given: Some("helping on the farm".into()),
        note: None,
    }
}

pub fn contacted(on: &str, role: Role) -> CaseEvent {
    CaseEvent::ParentContacted(parent_contact(on, role))
}

pub fn home_visit(on: &str, roles: &[Role]) -> HomeVisit {
    HomeVisit {
        on: d(on),
        participants: roles.iter().map(|r| person(*r)).collect(),
        outcome: VisitOutcome::AgreedToReturn,
        measures: std::collections::BTreeSet::new(),
        note: None,
    }
}

pub fn visited(on: &str, roles: &[Role]) -> CaseEvent {
    CaseEvent::HomeVisitConducted(home_visit(on, roles))
}

pub fn report(on: &str, recipient: Recipient, reference: &str) -> Report {
    Report {
        on: d(on),
        recipient,
        reference: reference.into(),
        signed_by: person(Role::Principal),
        summary: None,
    }
}

pub fn reported(on: &str, recipient: Recipient, reference: &str) -> CaseEvent {
    CaseEvent::ReportSubmitted(report(on, recipient, reference))
}

pub fn returned(on: &str) -> CaseEvent {
    CaseEvent::ReturnedToSchool(Return {
        on: d(on),
        note: None,
    })
}

pub fn document(kind: &str, on: &str) -> DocumentRef {
    DocumentRef {
        kind: kind.into(),
        number: Some("2023-017".into()),
        issued_by: "喀左县医院".into(),
        issued_on: d(on),
    }
}

pub fn suspension(on: &str, expected_return: &str) -> Suspension {
    Suspension {
        on: d(on),
        expected_return: d(expected_return),
        reason: "long illness".into(),
        document: Some(document("medical certificate", on)),
    }
}

pub fn suspended(on: &str, expected_return: &str) -> CaseEvent {
    CaseEvent::Suspended(suspension(on, expected_return))
}

pub fn transfer(on: &str) -> TransferOut {
    TransferOut {
        on: d(on),
        destination_school: "朝阳市第一中学".into(),
        destination_region: Some("朝阳市".into()),
        documents: vec![document("transfer certificate", on)],
    }
}

pub fn transferred(on: &str) -> CaseEvent {
    CaseEvent::TransferredOut(transfer(on))
}

pub fn closure(on: &str) -> Closure {
    Closure {
        on: d(on),
        reason: ClosureReason::Resolved,
        note: None,
    }
}

pub fn closed(on: &str) -> CaseEvent {
    CaseEvent::CaseClosed(closure(on))
}

pub fn retraction(on: &str, target: u64) -> Correction {
    Correction {
        on: d(on),
        target,
        what_was_wrong: "recorded on the wrong child".into(),
        retract: true,
    }
}

/// A given/when/then test of the aggregate, with these earlier events.
pub fn given(events: Vec<CaseEvent>) -> AggregateTestExecutor<StudentCase> {
    TestFramework::<StudentCase>::with(()).given(events)
}

/// A command made on `today`.
pub fn on(today: &str, action: CaseAction) -> CaseCommand {
    CaseCommand::new(d(today), action)
}

/// Assess a case built from these events at a local instant.
pub fn assess_at(events: Vec<CaseEvent>, date: &str, time: &str) -> Assessment {
    assess(
        &StudentCase::from_events(events),
        &calendar(),
        &ladder(),
        at(date, time),
    )
}
