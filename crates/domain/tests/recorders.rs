//! Who may record which fact: the plan's division of work, one behaviour each. The API and
//! the console both ask `CaseActionKind::recorders`, so these hold wherever a fact is entered.

use notoneless_domain::{CaseActionKind, UserRole};
use strum::IntoEnumIterator;

use CaseActionKind as K;
use UserRole::{Admin, BureauOfficer, HeadTeacher, Inspector, Principal, TownshipOfficer};

#[test]
fn only_the_principal_may_report_a_child_upward() {
    // Given the plan's 一把手负责制, when anyone asks to report upward, then only the principal may.
    assert_eq!(K::ReportUpward.recorders(), &[Principal]);
}

#[test]
fn an_inspector_may_record_nothing_but_a_supervision_note() {
    let recorded: Vec<K> = K::iter()
        .filter(|k| k.may_be_recorded_by(Inspector))
        .collect();
    assert_eq!(recorded, vec![K::AddSupervisionNote]);
}

#[test]
fn an_admin_may_record_no_fact_on_a_childs_case() {
    assert_eq!(K::iter().filter(|k| k.may_be_recorded_by(Admin)).count(), 0);
}

#[test]
fn the_registrys_own_findings_and_clearances_are_recorded_by_no_person() {
    for kind in [K::RecordRegistryFinding, K::ClearRegistryFinding] {
        assert!(kind.recorders().is_empty(), "{kind:?}");
    }
}

#[test]
fn a_head_teacher_records_the_daily_facts_but_no_transfer_suspension_or_closure() {
    for kind in [
        K::RecordAbsence,
        K::GrantLeave,
        K::RecordParentContact,
        K::RecordReturn,
    ] {
        assert!(kind.may_be_recorded_by(HeadTeacher), "{kind:?}");
    }
    for kind in [K::TransferOut, K::Suspend, K::CloseCase, K::ReportUpward] {
        assert!(!kind.may_be_recorded_by(HeadTeacher), "{kind:?}");
    }
}

#[test]
fn each_recipient_acknowledges_reports_and_the_township_may_join_a_home_visit() {
    assert_eq!(
        K::AcknowledgeReport.recorders(),
        &[TownshipOfficer, BureauOfficer]
    );
    assert!(K::RecordHomeVisit.may_be_recorded_by(TownshipOfficer));
    assert!(!K::RecordHomeVisit.may_be_recorded_by(BureauOfficer));
}
