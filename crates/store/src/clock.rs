//! Where "now" comes from: the one trait every read of the time goes through (the recorded
//! time of events, "today" of a command, the assessments of now), the machine's clock, and a
//! training clock that starts at a chosen instant, for playing a past term through the API as
//! it happened. A training clock runs only on a database marked for training: a database
//! that holds real data can never be given facts recorded at a time of someone's choosing.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

use crate::db::{Db, P, Sql};
use crate::error::StoreError;

/// The source of "now" for the store: the recorded time of events, "today" for commands.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The training clock behind this one, if it is one (it may be moved).
    fn training(&self) -> Option<&TrainingClock> {
        None
    }
}

/// The machine's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for training and demonstrations: it says `start` when it is made and runs on from
/// there at the machine's pace, or stays at `start` (frozen) until it is moved. It only moves
/// forward, so that the facts of a scenario are recorded in the order they are entered.
#[derive(Debug)]
pub struct TrainingClock {
    state: Mutex<TrainingTime>,
}

#[derive(Clone, Copy, Debug)]
enum TrainingTime {
    /// The machine's clock plus this much (negative: in the past).
    Running(TimeDelta),
    Frozen(DateTime<Utc>),
}

/// Why a training clock was not moved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("now: {to} is before the clock's {now}; a training clock only moves forward")]
    Backwards {
        now: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl TrainingClock {
    /// A clock that says `start` now and runs on.
    pub fn running_from(start: DateTime<Utc>) -> Self {
        Self {
            state: Mutex::new(TrainingTime::Running(start - Utc::now())),
        }
    }

    /// A clock that says `at` until it is moved.
    pub fn frozen_at(at: DateTime<Utc>) -> Self {
        Self {
            state: Mutex::new(TrainingTime::Frozen(at)),
        }
    }

    fn time(&self) -> std::sync::MutexGuard<'_, TrainingTime> {
        match self.state.lock() {
            Ok(time) => time,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Whether it stays where it is put.
    pub fn is_frozen(&self) -> bool {
        matches!(*self.time(), TrainingTime::Frozen(_))
    }

    /// Moves the clock to `to` (later than it says now), frozen or running as it was.
    pub fn set(&self, to: DateTime<Utc>) -> Result<(), ClockError> {
        let mut time = self.time();
        let now = match *time {
            TrainingTime::Running(offset) => Utc::now() + offset,
            TrainingTime::Frozen(at) => at,
        };
        if to < now {
            return Err(ClockError::Backwards { now, to });
        }
        *time = match *time {
            TrainingTime::Running(_) => TrainingTime::Running(to - Utc::now()),
            TrainingTime::Frozen(_) => TrainingTime::Frozen(to),
        };
        Ok(())
    }
}

impl Clock for TrainingClock {
    fn now(&self) -> DateTime<Utc> {
        match *self.time() {
            TrainingTime::Running(offset) => Utc::now() + offset,
            TrainingTime::Frozen(at) => at,
        }
    }

    fn training(&self) -> Option<&TrainingClock> {
        Some(self)
    }
}

/// Why a database cannot be used for training.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error(
        "this database holds real data (events recorded on the machine's clock): a training \
         clock runs only on an empty database or one marked for training; use a new data \
         directory or database"
    )]
    HoldsRealData,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// When the database was marked for training (or for the demo), if it was.
pub async fn training_mark(db: &Db) -> Result<Option<DateTime<Utc>>, StoreError> {
    db.fetch_optional(Sql::both("SELECT marked_at FROM training_mark"), &[])
        .await?
        .map(|row| row.ts("marked_at"))
        .transpose()
}

/// Marks the database for training, if it is not yet: only while it holds no event (the
/// database refuses it otherwise too). Once marked, it stays marked.
pub async fn mark_for_training(
    db: &Db,
    at: DateTime<Utc>,
    purpose: &str,
) -> Result<DateTime<Utc>, TrainingError> {
    if let Some(marked) = training_mark(db).await? {
        return Ok(marked);
    }
    let holds_events = db
        .fetch_optional(Sql::both("SELECT 1 AS one FROM events LIMIT 1"), &[])
        .await?
        .is_some();
    if holds_events {
        return Err(TrainingError::HoldsRealData);
    }
    db.execute(
        Sql::both("INSERT INTO training_mark (id, marked_at, purpose) VALUES (1, $1, $2)"),
        &[P::Ts(at), P::text(purpose)],
    )
    .await?;
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_training_clock_says_the_same_until_it_is_moved_forward() {
        let start = Utc::now() - TimeDelta::days(800);
        let clock = TrainingClock::frozen_at(start);
        assert_eq!(clock.now(), start);
        let later = start + TimeDelta::hours(30);
        clock.set(later).unwrap();
        assert_eq!(clock.now(), later);
        assert_eq!(
            clock.set(start),
            Err(ClockError::Backwards {
                now: later,
                to: start
            })
        );
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn a_running_training_clock_starts_in_the_past_and_runs_on() {
        let start = Utc::now() - TimeDelta::days(800);
        let clock = TrainingClock::running_from(start);
        let first = clock.now();
        assert!(
            (first - start).num_seconds().abs() < 5,
            "{first} vs {start}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() > first);
        clock.set(start + TimeDelta::days(1)).unwrap();
        assert!(clock.now() >= start + TimeDelta::days(1));
        assert!(!clock.is_frozen());
    }
}
