//! The escalation ladder, as data: steps of (day threshold, action, required roles,
//! recipients). The default is the plan's "123" ladder; a county may configure its own.

use std::collections::BTreeSet;

use notoneless_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::error::LadderError;
use crate::values::{Recipient, Role};

/// What a step requires to be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// Contact the parents or guardian (a [`crate::ParentContact`]).
    ContactParents,
    /// Visit the home (a [`crate::HomeVisit`]).
    HomeVisit,
}

impl StepAction {
    /// The action's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            StepAction::ContactParents => Msg::StepContactParents,
            StepAction::HomeVisit => Msg::StepHomeVisit,
        }
    }
}

/// One rung: when the episode's count of unexcused school days reaches `day`, `action` is due
/// from people in every one of `required_roles`, and a report is due to each recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    pub day: u32,
    pub action: StepAction,
    pub required_roles: BTreeSet<Role>,
    #[serde(default)]
    pub recipients: BTreeSet<Recipient>,
}

/// A validated ladder: at least one step, days strictly increasing from 1, every step with at
/// least one required role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// No schema of its own: the API shows it as what it serializes to.
#[serde(try_from = "Vec<EscalationStep>", into = "Vec<EscalationStep>")]
pub struct EscalationLadder {
    steps: Vec<EscalationStep>,
}

impl TryFrom<Vec<EscalationStep>> for EscalationLadder {
    type Error = LadderError;

    fn try_from(steps: Vec<EscalationStep>) -> Result<Self, LadderError> {
        if steps.is_empty() {
            return Err(LadderError::Empty);
        }
        for (index, step) in steps.iter().enumerate() {
            if step.day == 0 {
                return Err(LadderError::DayZero { index });
            }
            if index > 0 && step.day <= steps[index - 1].day {
                return Err(LadderError::NotIncreasing { index });
            }
            if step.required_roles.is_empty() {
                return Err(LadderError::NoRoles { index });
            }
        }
        Ok(Self { steps })
    }
}

impl From<EscalationLadder> for Vec<EscalationStep> {
    fn from(ladder: EscalationLadder) -> Self {
        ladder.steps
    }
}

impl EscalationLadder {
    pub fn new(steps: Vec<EscalationStep>) -> Result<Self, LadderError> {
        Self::try_from(steps)
    }

    /// 落实"123"责任: day 1 the head teacher contacts the parents; day 2 the head teacher and
    /// the responsible leader visit the home; day 3 the head teacher, the responsible leader
    /// and the principal visit the home and report to the township government and the county
    /// bureau.
    pub fn kazuo_123() -> Self {
        use Role::{HeadTeacher, Principal, ResponsibleLeader};
        Self {
            steps: vec![
                EscalationStep {
                    day: 1,
                    action: StepAction::ContactParents,
                    required_roles: [HeadTeacher].into(),
                    recipients: BTreeSet::new(),
                },
                EscalationStep {
                    day: 2,
                    action: StepAction::HomeVisit,
                    required_roles: [HeadTeacher, ResponsibleLeader].into(),
                    recipients: BTreeSet::new(),
                },
                EscalationStep {
                    day: 3,
                    action: StepAction::HomeVisit,
                    required_roles: [HeadTeacher, ResponsibleLeader, Principal].into(),
                    recipients: [Recipient::TownshipGovernment, Recipient::CountyBureau].into(),
                },
            ],
        }
    }

    pub fn steps(&self) -> &[EscalationStep] {
        &self.steps
    }
}

impl Default for EscalationLadder {
    fn default() -> Self {
        Self::kazuo_123()
    }
}
