//! A school calendar given as a file (`--calendar`), recorded once as the organisation's
//! calendar (ADR 0014): what recording it declares, and how a file differs from the calendar
//! recorded. Pure: the store records the declarations and keeps the file's fingerprint.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use notoneless_i18n::{Message, Msg};
use serde::Serialize;

use crate::calendar::{CalendarSpec, SchoolCalendar, Term};
use crate::org::{CalendarDay, OrgCommand, Organisation};

/// What a calendar says of one day, among those a calendar declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    MakeUpDay,
    /// Neither: a weekday in term is a school day, a weekend day is not.
    Ordinary,
}

impl DayKind {
    fn of(spec: &CalendarSpec, day: NaiveDate) -> Self {
        if spec.holidays.contains(&day) {
            DayKind::Holiday
        } else if spec.make_up_days.contains(&day) {
            DayKind::MakeUpDay
        } else {
            DayKind::Ordinary
        }
    }

    pub fn label(self) -> Msg {
        match self {
            DayKind::Holiday => Msg::CalendarDayKindHoliday,
            DayKind::MakeUpDay => Msg::CalendarDayKindMakeUpDay,
            DayKind::Ordinary => Msg::CalendarDayKindOrdinary,
        }
    }
}

/// One way a calendar file differs from the calendar recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CalendarDifference {
    /// The file and the record say different things of a day.
    Day {
        day: NaiveDate,
        file: DayKind,
        recorded: DayKind,
    },
    TermInFileOnly {
        term: Term,
    },
    TermRecordedOnly {
        term: Term,
    },
    /// The recorded calendar is in Asia/Shanghai time; the file says another offset.
    UtcOffset {
        file: i32,
        recorded: i32,
    },
    /// The file declares no term: no day of it would be a school day.
    NoTerm,
}

impl CalendarDifference {
    pub fn message(&self) -> Message {
        let term_message = |msg: Msg, term: &Term| {
            Message::new(msg)
                .with("name", term.name.as_str())
                .with("first", term.first_day.to_string())
                .with("last", term.last_day.to_string())
        };
        match self {
            CalendarDifference::Day {
                day,
                file,
                recorded,
            } => Message::new(Msg::CalendarDiffDay)
                .with("day", day.to_string())
                .with("file", file.label())
                .with("recorded", recorded.label()),
            CalendarDifference::TermInFileOnly { term } => {
                term_message(Msg::CalendarDiffTermFileOnly, term)
            }
            CalendarDifference::TermRecordedOnly { term } => {
                term_message(Msg::CalendarDiffTermRecordedOnly, term)
            }
            CalendarDifference::UtcOffset { file, recorded } => {
                Message::new(Msg::CalendarDiffUtcOffset)
                    .with("file", *file)
                    .with("recorded", *recorded)
            }
            CalendarDifference::NoTerm => Message::new(Msg::CalendarFileNoTerm),
        }
    }
}

impl Organisation {
    /// How the calendar `file` differs from the calendar recorded (its terms, holidays and
    /// make-up days, in Asia/Shanghai time), in order: the time zone, the terms, the days.
    /// Empty when the file says what the record says.
    pub fn calendar_file_differences(&self, file: &SchoolCalendar) -> Vec<CalendarDifference> {
        let recorded = self.calendar_spec();
        let file = file.spec();
        let mut out = Vec::new();
        if file.terms.is_empty() {
            out.push(CalendarDifference::NoTerm);
        }
        if file.utc_offset_minutes != recorded.utc_offset_minutes {
            out.push(CalendarDifference::UtcOffset {
                file: file.utc_offset_minutes,
                recorded: recorded.utc_offset_minutes,
            });
        }
        out.extend(
            file.terms
                .iter()
                .filter(|t| !recorded.terms.contains(t))
                .map(|term| CalendarDifference::TermInFileOnly { term: term.clone() }),
        );
        out.extend(
            recorded
                .terms
                .iter()
                .filter(|t| !file.terms.contains(t))
                .map(|term| CalendarDifference::TermRecordedOnly { term: term.clone() }),
        );
        let days: BTreeSet<NaiveDate> = [
            &file.holidays,
            &file.make_up_days,
            &recorded.holidays,
            &recorded.make_up_days,
        ]
        .into_iter()
        .flatten()
        .copied()
        .collect();
        for day in days {
            let (in_file, in_record) = (DayKind::of(file, day), DayKind::of(&recorded, day));
            if in_file != in_record {
                out.push(CalendarDifference::Day {
                    day,
                    file: in_file,
                    recorded: in_record,
                });
            }
        }
        out
    }

    /// The declarations that record the calendar `file` (named `name`) as the county's, while
    /// no term is recorded: each of its terms, and each of its holidays and make-up days not
    /// already declared so. A day declared through the API before stays as declared. Refused
    /// with the differences that stand in the way (a day the record declares the other way,
    /// another time zone, a file without a term, a term already recorded): nothing recorded.
    pub fn calendar_file_declarations(
        &self,
        file: &SchoolCalendar,
        name: &str,
    ) -> Result<Vec<OrgCommand>, Vec<CalendarDifference>> {
        let blocking: Vec<CalendarDifference> = self
            .calendar_file_differences(file)
            .into_iter()
            .filter(|d| match d {
                CalendarDifference::Day { file, recorded, .. } => {
                    *file != DayKind::Ordinary && *recorded != DayKind::Ordinary
                }
                CalendarDifference::TermInFileOnly { .. } => false,
                CalendarDifference::TermRecordedOnly { .. }
                | CalendarDifference::UtcOffset { .. }
                | CalendarDifference::NoTerm => true,
            })
            .collect();
        if !blocking.is_empty() {
            return Err(blocking);
        }
        let spec = file.spec();
        let day = |day: &NaiveDate| CalendarDay {
            day: *day,
            name: name.to_string(),
            reason: None,
        };
        let mut commands: Vec<OrgCommand> = spec
            .terms
            .iter()
            .cloned()
            .map(OrgCommand::AddTerm)
            .collect();
        commands.extend(
            spec.holidays
                .iter()
                .filter(|d| !self.holidays.contains_key(d))
                .map(|d| OrgCommand::DeclareHoliday(day(d))),
        );
        commands.extend(
            spec.make_up_days
                .iter()
                .filter(|d| !self.make_up_days.contains_key(d))
                .map(|d| OrgCommand::DeclareMakeUpDay(day(d))),
        );
        Ok(commands)
    }
}
