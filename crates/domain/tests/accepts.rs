//! Which kinds of fact a case takes as it stands (`StudentCase::accepts`): what the console's
//! child's page offers. Each agrees with what recording the fact would decide.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use notoneless_domain::fixtures::{opened, suspended, transferred};
use notoneless_domain::{
    CaseActionKind as K, CaseEvent, FocusGroup, FocusGroupChange, StudentCase,
};

fn case(events: Vec<CaseEvent>) -> StudentCase {
    StudentCase::from_events(events)
}

#[test]
fn an_enrolled_child_may_be_suspended_or_transferred_but_not_resumed_or_confirmed() {
    let enrolled = case(vec![opened("2023-11-01")]);
    assert!(enrolled.accepts(K::Suspend) && enrolled.accepts(K::TransferOut));
    assert!(enrolled.accepts(K::GiveSupport));
    assert!(!enrolled.accepts(K::Resume) && !enrolled.accepts(K::ConfirmTransfer));
    assert_eq!(enrolled.pending_transfer(), None);
}

#[test]
fn a_suspended_child_may_be_resumed_and_supported_but_not_suspended_again() {
    let suspended = case(vec![
        opened("2023-11-01"),
        suspended("2023-11-02", "2024-01-02"),
    ]);
    assert!(suspended.accepts(K::Resume) && suspended.accepts(K::GiveSupport));
    assert!(!suspended.accepts(K::Suspend) && !suspended.accepts(K::TransferOut));
}

#[test]
fn a_transfer_waits_for_its_confirmation_and_names_where_the_child_went() {
    let pending = case(vec![opened("2023-11-01"), transferred("2023-11-03")]);
    assert!(pending.accepts(K::ConfirmTransfer));
    assert!(!pending.accepts(K::TransferOut) && !pending.accepts(K::GiveSupport));
    assert_eq!(
        pending
            .pending_transfer()
            .map(|t| t.destination_school.as_str()),
        Some("朝阳市第一中学")
    );
}

#[test]
fn home_teaching_is_offered_only_for_a_child_in_the_disabled_focus_group() {
    let enrolled = case(vec![opened("2023-11-01")]);
    assert!(!enrolled.accepts(K::RecordHomeTeaching));
    let disabled = case(vec![
        opened("2023-11-01"),
        CaseEvent::FocusGroupsChanged(FocusGroupChange {
            on: "2023-11-02".parse().unwrap(),
            add: BTreeSet::from([FocusGroup::Disabled]),
            remove: BTreeSet::new(),
            reason: "残疾证".into(),
        }),
    ]);
    assert!(disabled.accepts(K::RecordHomeTeaching));
}

#[test]
fn a_case_never_opened_takes_nothing() {
    assert!(!case(Vec::new()).accepts(K::Suspend));
}
