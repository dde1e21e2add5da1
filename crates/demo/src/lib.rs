//! The demo county (示范县): the fictional county of `notoneless-county` at demo size (four
//! townships, a dozen schools, 2,000 children on watch, six weeks of a term up to yesterday,
//! every kind of violation planted), recorded through the same command path as everything
//! else (so every event is hash-chained and attributed) with the clock set to the moment each
//! fact was entered, and the list of what was planted ([`Planted`]), so that a test can check
//! that the review finds each of them and nothing else.
//!
//! Also the one place where tokens are issued to a generated county's users
//! ([`issue_tokens`]), and where its people become the command path's actors ([`actor`],
//! [`context`]); `nol-seed` (crates/bench) uses them too.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use notoneless_county::{County, CountyError, Fact, List, Params, Person, generate, local};
use notoneless_domain::{EscalationLadder, ListScope, RowRefusal, SchoolCalendar, UserRole};
use notoneless_i18n::Lang;
use notoneless_store::imports::{import_grade6_watch, import_registry};
use notoneless_store::{Actor, Clock, CommandContext, Db, Rules, Store, StoreError};
use serde::Serialize;

pub use notoneless_county::Planted;

/// Why the demo could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the database already holds an organisation: the demo county goes only into an empty one"
    )]
    NotEmpty,
    #[error(transparent)]
    County(#[from] CountyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A planned fact was refused: a bug in the generator, named so it can be found.
    #[error("the demo's {what} was refused: {reason}")]
    Refused { what: String, reason: String },
}

/// A user and the token issued to them (shown once).
#[derive(Clone, Debug, Serialize)]
pub struct UserToken {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub node: String,
    pub token: String,
}

/// What was built.
#[derive(Clone, Debug, Serialize)]
pub struct DemoCounty {
    pub first_day: NaiveDate,
    pub today: NaiveDate,
    pub schools: usize,
    pub children: usize,
    pub users: Vec<UserToken>,
    pub planted: Vec<Planted>,
    /// Commands recorded (case facts, roll calls, organisation changes, imports' facts).
    pub commands: usize,
}

/// The demo's clock: set to the moment each fact is entered.
#[derive(Debug)]
pub struct DemoClock(Mutex<DateTime<Utc>>);

impl DemoClock {
    fn set(&self, now: DateTime<Utc>) {
        match self.0.lock() {
            Ok(mut t) => *t = now,
            Err(poisoned) => *poisoned.into_inner() = now,
        }
    }
}

impl Clock for DemoClock {
    fn now(&self) -> DateTime<Utc> {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// A person of the county as the command path's actor: who, in which role, for which node.
pub fn actor(person: &Person) -> Actor {
    Actor {
        id: person.id.clone(),
        role: person.role.as_str().into(),
        jurisdiction: person.node.clone(),
    }
}

/// A person of the county acting through the command path.
pub fn context(person: &Person) -> CommandContext {
    CommandContext {
        actor: actor(person),
        request_id: format!("county-{}", uuid::Uuid::new_v4().simple()),
        idempotency_key: None,
    }
}

/// Issues a token to each of `users` through the organisation's command path, as `by`, to
/// expire at `expires_at` (or the default lifetime from the store's now).
pub async fn issue_tokens<'a>(
    store: &Store,
    users: impl IntoIterator<Item = &'a Person>,
    by: &CommandContext,
    expires_at: Option<DateTime<Utc>>,
) -> Result<Vec<UserToken>, DemoError> {
    let mut issued = Vec::new();
    for person in users {
        let token = store
            .org
            .issue_token(&person.id, expires_at, by)
            .await
            .map_err(|e| DemoError::Refused {
                what: format!("token for {}", person.id),
                reason: e.to_string(),
            })?;
        issued.push(UserToken {
            id: person.id.clone(),
            name: person.name.clone(),
            role: person.role,
            node: person.node.clone(),
            token: token.token,
        });
    }
    Ok(issued)
}

/// Builds the demo county into an empty database, as of `today`.
pub async fn build(
    db: Db,
    ladder: EscalationLadder,
    today: NaiveDate,
    key: notoneless_store::signing::LogKey,
) -> Result<DemoCounty, DemoError> {
    let county = generate(&Params::demo(today))?;
    let first_day = county.days[0];
    let clock = Arc::new(DemoClock(Mutex::new(local(
        first_day - TimeDelta::days(7),
        9 * 60,
    ))));
    let rules = Rules {
        calendar: SchoolCalendar::every_weekday(),
        ladder,
    };
    db.migrate().await?;
    let store = Store::new(db, rules, clock.clone(), key);
    store.org.reload().await?;
    if !store.org.current().org.nodes.is_empty() {
        return Err(DemoError::NotEmpty);
    }
    let commands = record(&store, &county, &clock).await?;
    // Tokens are issued now, at the real build: they are the only thing not back-dated.
    clock.set(local(today, 7 * 60));
    let users = issue_tokens(&store, &county.users, &context(county.admin()), None).await?;
    Ok(DemoCounty {
        first_day,
        today,
        schools: county.schools.len(),
        children: county.children.len(),
        users,
        planted: county.planted,
        commands,
    })
}

/// Runs every fact of the county through the command path, in the order entered, with the
/// clock set to when each was entered; the number of commands recorded.
async fn record(store: &Store, county: &County, clock: &DemoClock) -> Result<usize, DemoError> {
    let refused = |what: String, reason: String| DemoError::Refused { what, reason };
    let contexts: Vec<CommandContext> = county.users.iter().map(context).collect();
    let mut commands = 0;
    for (at, by, fact) in county.in_order() {
        clock.set(at);
        let who = &contexts[by];
        commands += match fact {
            Fact::Org(command) => {
                store
                    .org
                    .execute(command.clone(), who)
                    .await
                    .map_err(|e| refused(format!("{command:?}"), e.to_string()))?;
                1
            }
            Fact::Case { case_id, action } => {
                store
                    .commands
                    .execute(case_id, action.clone(), who)
                    .await
                    .map_err(|e| {
                        refused(
                            format!("{} on case {case_id}", action.describe()),
                            e.to_string(),
                        )
                    })?;
                1
            }
            Fact::RollCall { school, roll_call } => {
                store
                    .roll_calls
                    .submit(school, roll_call.clone(), who)
                    .await
                    .map_err(|e| {
                        let what = format!(
                            "roll call of {school} {} on {}",
                            roll_call.class, roll_call.on
                        );
                        refused(what, e.to_string())
                    })?;
                1
            }
            Fact::List(List::Grade6Watch {
                leavers,
                enrolments,
                on,
            }) => {
                let report =
                    import_grade6_watch(store, leavers, enrolments, *on, |_| true, Lang::En, who)
                        .await?
                        .map_err(|rows| refused("grade-6 import".into(), rows_refused(&rows)))?;
                if !report.rejected_leavers.is_empty() {
                    let rejected = format!("{:?}", report.rejected_leavers);
                    return Err(refused("grade-6 import".into(), rejected));
                }
                report.opened.len()
            }
            Fact::List(List::Registry {
                name,
                register,
                roll,
                on,
            }) => {
                // The county's lists cover the whole county.
                let covered = store.org.current().org.schools().into_iter().collect();
                let scope = (&ListScope::County, &covered);
                let report =
                    import_registry(store, name, (register, roll), *on, scope, Lang::En, who)
                        .await?
                        .map_err(|rows| {
                            refused(format!("registry import {name}"), rows_refused(&rows))
                        })?;
                if !report.rejected_register.is_empty() || !report.rejected_roll.is_empty() {
                    let rejected =
                        format!("{:?} {:?}", report.rejected_register, report.rejected_roll);
                    return Err(refused(format!("registry import {name}"), rejected));
                }
                report.cases_opened + report.new.len() + report.resolved.len()
            }
        };
    }
    Ok(commands)
}

/// The rows an import refused, as a demo's error says them (in English, as its other errors).
fn rows_refused(rows: &[RowRefusal]) -> String {
    format!(
        "{:?}",
        rows.iter().map(|r| r.in_lang(Lang::En)).collect::<Vec<_>>()
    )
}
