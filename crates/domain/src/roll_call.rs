//! The daily roll call (零报告): each school, each school day, each class: how many are
//! enrolled, how many present, and who is absent (or "no unexcused absence"). One stream per
//! school. Not submitting is itself a finding: concealment usually looks like not recording at
//! all.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use cqrs_es::{Aggregate, DomainEvent, event_sink::EventSink};
use notoneless_i18n::Msg;
use serde::{Deserialize, Serialize};

use crate::error::CaseError;
use crate::values;

/// A child named absent in a roll call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NamedAbsence {
    /// 学籍号
    pub student_number: String,
    pub name: String,
    /// On approved leave (excused), or not.
    pub excused: bool,
}

/// One class's roll call for one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RollCall {
    pub on: NaiveDate,
    pub class: String,
    #[cfg_attr(feature = "openapi", schema(maximum = 4_294_967_295_u64))]
    pub enrolled: u32,
    #[cfg_attr(feature = "openapi", schema(maximum = 4_294_967_295_u64))]
    pub present: u32,
    /// Every child absent that day; an empty list is the zero report.
    #[serde(default)]
    pub absent: Vec<NamedAbsence>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RollCallEvent {
    RollCallSubmitted(RollCall),
}

impl DomainEvent for RollCallEvent {
    fn event_type(&self) -> String {
        "RollCallSubmitted".into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

/// A roll call to record, as of `today`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollCallCommand {
    pub today: NaiveDate,
    pub roll_call: RollCall,
}

/// One school's roll calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SchoolRollCalls {
    pub roll_calls: Vec<RollCall>,
}

impl Aggregate for SchoolRollCalls {
    const TYPE: &'static str = "school_roll_calls";
    type Command = RollCallCommand;
    type Event = RollCallEvent;
    type Error = CaseError;
    type Services = ();

    async fn handle(
        &mut self,
        command: RollCallCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), CaseError> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: RollCallEvent) {
        let RollCallEvent::RollCallSubmitted(roll_call) = event;
        self.roll_calls.push(roll_call);
    }
}

impl SchoolRollCalls {
    pub fn decide(&self, command: RollCallCommand) -> Result<RollCallEvent, CaseError> {
        let RollCallCommand { today, roll_call } = command;
        if roll_call.on > today {
            return Err(CaseError::InFuture {
                field: "on",
                date: roll_call.on,
                today,
            });
        }
        values::required("class", &roll_call.class)?;
        if roll_call.present > roll_call.enrolled {
            return Err(CaseError::OutOfRange {
                field: "present",
                reason: Msg::RuleRollCallPresentOverEnrolled,
            });
        }
        if roll_call.absent.len() as u64 != u64::from(roll_call.enrolled - roll_call.present) {
            return Err(CaseError::Inconsistent {
                field: "absent",
                reason: Msg::RuleRollCallAbsentCount,
            });
        }
        let mut seen = BTreeSet::new();
        for child in &roll_call.absent {
            values::student_number("absent.student_number", &child.student_number)?;
            values::required("absent.name", &child.name)?;
            if !seen.insert(child.student_number.as_str()) {
                return Err(CaseError::Duplicate {
                    field: "absent.student_number",
                    value: child.student_number.clone(),
                });
            }
        }
        if self
            .roll_calls
            .iter()
            .any(|r| r.on == roll_call.on && r.class.trim() == roll_call.class.trim())
        {
            return Err(CaseError::Duplicate {
                field: "class",
                value: format!("{} on {}", roll_call.class, roll_call.on),
            });
        }
        Ok(RollCallEvent::RollCallSubmitted(roll_call))
    }
}
