//! The school calendar: which local dates are school days, and where a local day ends.
//!
//! A day is a school day when it lies in a term and is either a weekday that is not a declared
//! holiday, or a declared make-up day (调休: a Saturday or Sunday worked in exchange for a
//! holiday). Days are local dates in the county's time zone, Asia/Shanghai (UTC+08:00, no
//! daylight saving since 1991) unless the calendar says otherwise.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Offset, TimeDelta, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use crate::error::CalendarError;

/// Asia/Shanghai: UTC+08:00.
pub const SHANGHAI_UTC_OFFSET_MINUTES: i32 = 8 * 60;

/// A term (学期): the first and last day on which school may be held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// A validated school calendar. Build it with [`SchoolCalendar::new`] or deserialize it (the
/// same checks run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct SchoolCalendar {
    spec: CalendarSpec,
}

/// The calendar as written down: terms, holidays, make-up days and the time zone offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    #[serde(default = "shanghai")]
    pub utc_offset_minutes: i32,
    pub terms: Vec<Term>,
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    #[serde(default)]
    pub make_up_days: BTreeSet<NaiveDate>,
}

fn shanghai() -> i32 {
    SHANGHAI_UTC_OFFSET_MINUTES
}

impl TryFrom<CalendarSpec> for SchoolCalendar {
    type Error = CalendarError;

    fn try_from(spec: CalendarSpec) -> Result<Self, CalendarError> {
        if !(-720..=840).contains(&spec.utc_offset_minutes) {
            return Err(CalendarError::BadUtcOffset {
                minutes: spec.utc_offset_minutes,
            });
        }
        for (index, term) in spec.terms.iter().enumerate() {
            if term.name.trim().is_empty() {
                return Err(CalendarError::BlankTermName { index });
            }
            if term.last_day < term.first_day {
                return Err(CalendarError::TermEndsBeforeStart {
                    index,
                    first_day: term.first_day,
                    last_day: term.last_day,
                });
            }
            for (other, earlier) in spec.terms[..index].iter().enumerate() {
                if term.first_day <= earlier.last_day && earlier.first_day <= term.last_day {
                    return Err(CalendarError::TermsOverlap { index, other });
                }
            }
        }
        for &date in &spec.make_up_days {
            if spec.holidays.contains(&date) {
                return Err(CalendarError::HolidayAndMakeUpDay { date });
            }
            if !is_weekend(date) {
                return Err(CalendarError::MakeUpDayNotWeekend { date });
            }
            if !spec
                .terms
                .iter()
                .any(|t| t.first_day <= date && date <= t.last_day)
            {
                return Err(CalendarError::MakeUpDayOutsideTerms { date });
            }
        }
        let mut spec = spec;
        spec.terms.sort_by_key(|t| t.first_day);
        Ok(Self { spec })
    }
}

impl From<SchoolCalendar> for CalendarSpec {
    fn from(calendar: SchoolCalendar) -> Self {
        calendar.spec
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl SchoolCalendar {
    /// A calendar in Asia/Shanghai time.
    pub fn new(
        terms: Vec<Term>,
        holidays: impl IntoIterator<Item = NaiveDate>,
        make_up_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        Self::try_from(CalendarSpec {
            utc_offset_minutes: SHANGHAI_UTC_OFFSET_MINUTES,
            terms,
            holidays: holidays.into_iter().collect(),
            make_up_days: make_up_days.into_iter().collect(),
        })
    }

    /// Every weekday a school day, with no holidays, in Asia/Shanghai time: the calendar in
    /// force until a county loads its own.
    pub fn every_weekday() -> Self {
        Self {
            spec: CalendarSpec {
                utc_offset_minutes: SHANGHAI_UTC_OFFSET_MINUTES,
                terms: vec![Term {
                    name: "every weekday".into(),
                    first_day: NaiveDate::MIN,
                    last_day: NaiveDate::MAX,
                }],
                holidays: BTreeSet::new(),
                make_up_days: BTreeSet::new(),
            },
        }
    }

    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    fn in_term(&self, date: NaiveDate) -> bool {
        self.spec
            .terms
            .iter()
            .any(|t| t.first_day <= date && date <= t.last_day)
    }

    /// Whether school is held on this local date.
    pub fn is_school_day(&self, date: NaiveDate) -> bool {
        if self.spec.make_up_days.contains(&date) {
            return true; // validated to lie in a term
        }
        !is_weekend(date) && !self.spec.holidays.contains(&date) && self.in_term(date)
    }

    /// The county's offset from UTC (a page writes local times with it).
    pub fn offset(&self) -> FixedOffset {
        // Validated to lie in -12h..=+14h, which FixedOffset accepts.
        FixedOffset::east_opt(self.spec.utc_offset_minutes * 60).unwrap_or_else(|| Utc.fix())
    }

    /// The local date at an instant.
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.offset()).date_naive()
    }

    /// The instant a local day ends (midnight at its close): a step due "by the end of that
    /// school day" is overdue from this instant on.
    pub fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let next_midnight = date
            .succ_opt()
            .unwrap_or(NaiveDate::MAX)
            .and_time(NaiveTime::MIN);
        let utc = next_midnight - TimeDelta::minutes(i64::from(self.spec.utc_offset_minutes));
        DateTime::from_naive_utc_and_offset(utc, Utc)
    }

    /// The school days in `from..=until`, in order.
    pub fn school_days(
        &self,
        from: NaiveDate,
        until: NaiveDate,
    ) -> impl Iterator<Item = NaiveDate> + '_ {
        from.iter_days()
            .take_while(move |d| *d <= until)
            .filter(|d| self.is_school_day(*d))
    }
}
