//! The `Organisation` aggregate: the county's jurisdiction tree (county → townships →
//! schools), its users and their access tokens, and its school calendar. One stream per
//! county; every change is an event, so who changed the tree, a user or the calendar, and
//! when, is on the record like any fact about a child. A holiday declared after the day it
//! covers is therefore visible: a retroactive calendar change is one way to hide a missed
//! deadline.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cqrs_es::{Aggregate, DomainEvent, event_sink::EventSink};
use notoneless_i18n::{Lang, Message, Msg};
use serde::{Deserialize, Serialize};

use crate::accounts::{PasswordHash, PasswordRecord, check_user_name};
use crate::calendar::{CalendarSpec, SHANGHAI_UTC_OFFSET_MINUTES, SchoolCalendar, Term};
use crate::error::CalendarError;
use crate::values::Role;

/// The stream id of the county's organisation.
pub const ORGANISATION_ID: &str = "county";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    County,
    Township,
    School,
}

impl NodeKind {
    /// The kind's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            NodeKind::County => Msg::NodeKindCounty,
            NodeKind::Township => Msg::NodeKindTownship,
            NodeKind::School => Msg::NodeKindSchool,
        }
    }
}

/// A node of the jurisdiction tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// A stable code, e.g. `kazuo/gongyingzi/gyz-middle`.
    pub id: String,
    pub kind: NodeKind,
    pub name: String,
    /// The county for a township, the township for a school; none for the county.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// What a user may do is decided by their role and their node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    HeadTeacher,
    /// The school's responsible leader (学校分管负责人).
    SchoolLeader,
    Principal,
    TownshipOfficer,
    BureauOfficer,
    Inspector,
    /// Manages the tree, the users and the calendar; reads no child's file.
    Admin,
}

impl UserRole {
    /// The role in which this user takes part in a step, as the ladder names it.
    pub fn case_role(self) -> Option<Role> {
        match self {
            UserRole::HeadTeacher => Some(Role::HeadTeacher),
            UserRole::SchoolLeader => Some(Role::ResponsibleLeader),
            UserRole::Principal => Some(Role::Principal),
            UserRole::TownshipOfficer => Some(Role::TownshipOfficer),
            UserRole::BureauOfficer => Some(Role::BureauOfficer),
            UserRole::Inspector => Some(Role::Inspector),
            UserRole::Admin => None,
        }
    }

    /// The kind of node a user of this role belongs to.
    pub fn node_kind(self) -> NodeKind {
        match self {
            UserRole::HeadTeacher | UserRole::SchoolLeader | UserRole::Principal => {
                NodeKind::School
            }
            UserRole::TownshipOfficer => NodeKind::Township,
            UserRole::BureauOfficer | UserRole::Inspector | UserRole::Admin => NodeKind::County,
        }
    }

    /// The role's name, for a person.
    pub fn label(self) -> Msg {
        match self {
            UserRole::HeadTeacher => Msg::UserRoleHeadTeacher,
            UserRole::SchoolLeader => Msg::UserRoleSchoolLeader,
            UserRole::Principal => Msg::UserRolePrincipal,
            UserRole::TownshipOfficer => Msg::UserRoleTownshipOfficer,
            UserRole::BureauOfficer => Msg::UserRoleBureauOfficer,
            UserRole::Inspector => Msg::UserRoleInspector,
            UserRole::Admin => Msg::UserRoleAdmin,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::HeadTeacher => "head_teacher",
            UserRole::SchoolLeader => "school_leader",
            UserRole::Principal => "principal",
            UserRole::TownshipOfficer => "township_officer",
            UserRole::BureauOfficer => "bureau_officer",
            UserRole::Inspector => "inspector",
            UserRole::Admin => "admin",
        }
    }

    pub const ALL: [UserRole; 7] = [
        UserRole::HeadTeacher,
        UserRole::SchoolLeader,
        UserRole::Principal,
        UserRole::TownshipOfficer,
        UserRole::BureauOfficer,
        UserRole::Inspector,
        UserRole::Admin,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub node: String,
}

/// A calendar day declared a holiday or a make-up school day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub name: String,
    /// Why the day is declared: what a change to a day already past is recorded with (the
    /// console asks for it; the API takes it). Absent from days declared before reasons were
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrgCommand {
    AddNode(Node),
    AddUser(User),
    /// Changes a user's name, role or node (an import of the users' list).
    UpdateUser(User),
    DeactivateUser {
        user: String,
    },
    /// Gives a user a one-time password (a new user, or a reset by an admin or the
    /// principal), which they must replace at their first login. Only its hash is recorded.
    SetOneTimePassword {
        user: String,
        password_hash: PasswordHash,
    },
    /// Records the password a user chose. Only its hash is recorded.
    ChangePassword {
        user: String,
        password_hash: PasswordHash,
    },
    /// Several changes recorded together, in order, each decided on what those before it
    /// left: all of them, or none (an import of the users' list).
    Batch(Vec<OrgCommand>),
    /// Records the SHA-256 of a new token; the token itself is never stored. A token stops
    /// working at `expires_at`; without one, [`DEFAULT_TOKEN_LIFETIME`] after it is recorded.
    IssueToken {
        token_id: String,
        user: String,
        token_sha256: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    RevokeToken {
        token_id: String,
    },
    AddTerm(Term),
    DeclareHoliday(CalendarDay),
    DeclareMakeUpDay(CalendarDay),
    /// Takes a holiday or make-up day back, with why (see [`CalendarDay::reason`]).
    ClearCalendarDay {
        day: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrgEvent {
    NodeAdded(Node),
    UserAdded(User),
    UserUpdated(User),
    UserDeactivated {
        user: String,
    },
    OneTimePasswordSet {
        user: String,
        password_hash: PasswordHash,
    },
    PasswordChanged {
        user: String,
        password_hash: PasswordHash,
    },
    TokenIssued {
        token_id: String,
        user: String,
        token_sha256: String,
        /// When the token stops working. Tokens issued before tokens expired have none: they
        /// expire [`DEFAULT_TOKEN_LIFETIME`] after the event was recorded (the store, which
        /// knows when that was, fills it in as it reads the stream).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    TokenRevoked {
        token_id: String,
    },
    TermAdded(Term),
    HolidayDeclared(CalendarDay),
    MakeUpDayDeclared(CalendarDay),
    CalendarDayCleared {
        day: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// How long a token works when its issuer does not say: 90 days from when it was recorded.
pub const DEFAULT_TOKEN_LIFETIME: TimeDelta = TimeDelta::days(90);

/// A token as the organisation knows it: whose it is, its SHA-256, and when it stops working
/// (`None` only for a token issued without an expiry and not yet given its default, see
/// [`OrgEvent::TokenIssued`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRecord {
    pub user: String,
    pub token_sha256: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl OrgEvent {
    pub fn name(&self) -> &'static str {
        match self {
            OrgEvent::NodeAdded(_) => "NodeAdded",
            OrgEvent::UserAdded(_) => "UserAdded",
            OrgEvent::UserUpdated(_) => "UserUpdated",
            OrgEvent::UserDeactivated { .. } => "UserDeactivated",
            OrgEvent::OneTimePasswordSet { .. } => "OneTimePasswordSet",
            OrgEvent::PasswordChanged { .. } => "PasswordChanged",
            OrgEvent::TokenIssued { .. } => "TokenIssued",
            OrgEvent::TokenRevoked { .. } => "TokenRevoked",
            OrgEvent::TermAdded(_) => "TermAdded",
            OrgEvent::HolidayDeclared(_) => "HolidayDeclared",
            OrgEvent::MakeUpDayDeclared(_) => "MakeUpDayDeclared",
            OrgEvent::CalendarDayCleared { .. } => "CalendarDayCleared",
        }
    }

    /// Whether the event changes the school calendar.
    pub fn changes_calendar(&self) -> bool {
        matches!(
            self,
            OrgEvent::TermAdded(_)
                | OrgEvent::HolidayDeclared(_)
                | OrgEvent::MakeUpDayDeclared(_)
                | OrgEvent::CalendarDayCleared { .. }
        )
    }
}

impl DomainEvent for OrgEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgError {
    Blank {
        field: &'static str,
    },
    Exists {
        field: &'static str,
        value: String,
    },
    Unknown {
        field: &'static str,
        value: String,
    },
    Invalid {
        field: &'static str,
        reason: Msg,
    },
    /// A user's node is not of the kind the role belongs to.
    WrongNode {
        role: UserRole,
    },
    /// Not a user name one can type on any phone.
    BadUserName {
        value: notoneless_i18n::Arg,
    },
    /// The calendar the command declares is not one.
    Calendar(CalendarError),
}

impl std::fmt::Display for OrgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field(), self.message().text(Lang::En))
    }
}

impl std::error::Error for OrgError {}

impl OrgError {
    /// The refusal, without its field, in the catalogue's words.
    pub fn message(&self) -> Message {
        match self {
            OrgError::Blank { .. } => Message::new(Msg::Blank),
            OrgError::Exists { value, .. } => {
                Message::new(Msg::OrgExists).with("value", value.as_str())
            }
            OrgError::Unknown { value, .. } => {
                Message::new(Msg::OrgUnknown).with("value", value.as_str())
            }
            OrgError::Invalid { reason, .. } => Message::new(*reason),
            OrgError::BadUserName { value } => {
                Message::new(Msg::FormatUserName).with("value", value.clone())
            }
            OrgError::WrongNode { role } => Message::new(Msg::OrgRoleWrongNode)
                .with("role", role.label())
                .with("kind", role.node_kind().label()),
            OrgError::Calendar(error) => Message::new(Msg::FieldMessage)
                .with("field", error.field())
                .with("text", error.message()),
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            OrgError::Blank { field }
            | OrgError::Exists { field, .. }
            | OrgError::Unknown { field, .. }
            | OrgError::Invalid { field, .. } => field,
            OrgError::WrongNode { .. } => "node",
            OrgError::BadUserName { .. } => "id",
            OrgError::Calendar(_) => "calendar",
        }
    }
}

/// The organisation as its events leave it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub nodes: BTreeMap<String, Node>,
    pub users: BTreeMap<String, User>,
    pub inactive_users: BTreeSet<String>,
    /// token id → whose it is, its SHA-256 and its expiry
    pub tokens: BTreeMap<String, TokenRecord>,
    /// user → their password's hash, whether it is a one-time password, how many they had
    #[serde(default)]
    pub passwords: BTreeMap<String, PasswordRecord>,
    pub terms: Vec<Term>,
    pub holidays: BTreeMap<NaiveDate, String>,
    pub make_up_days: BTreeMap<NaiveDate, String>,
}

impl Aggregate for Organisation {
    const TYPE: &'static str = "organisation";
    type Command = OrgCommand;
    type Event = OrgEvent;
    type Error = OrgError;
    type Services = ();

    async fn handle(
        &mut self,
        command: OrgCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), OrgError> {
        for event in self.decide_all(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: OrgEvent) {
        match event {
            OrgEvent::NodeAdded(node) => {
                self.nodes.insert(node.id.clone(), node);
            }
            OrgEvent::UserAdded(user) | OrgEvent::UserUpdated(user) => {
                self.users.insert(user.id.clone(), user);
            }
            OrgEvent::OneTimePasswordSet {
                user,
                password_hash,
            } => self.set_password(user, password_hash, true),
            OrgEvent::PasswordChanged {
                user,
                password_hash,
            } => self.set_password(user, password_hash, false),
            OrgEvent::UserDeactivated { user } => {
                self.tokens.retain(|_, token| token.user != user);
                self.inactive_users.insert(user);
            }
            OrgEvent::TokenIssued {
                token_id,
                user,
                token_sha256,
                expires_at,
            } => {
                self.tokens.insert(
                    token_id,
                    TokenRecord {
                        user,
                        token_sha256,
                        expires_at,
                    },
                );
            }
            OrgEvent::TokenRevoked { token_id } => {
                self.tokens.remove(&token_id);
            }
            OrgEvent::TermAdded(term) => self.terms.push(term),
            OrgEvent::HolidayDeclared(day) => {
                self.holidays.insert(day.day, day.name);
            }
            OrgEvent::MakeUpDayDeclared(day) => {
                self.make_up_days.insert(day.day, day.name);
            }
            OrgEvent::CalendarDayCleared { day, .. } => {
                self.holidays.remove(&day);
                self.make_up_days.remove(&day);
            }
        }
    }
}

fn required(field: &'static str, value: &str) -> Result<(), OrgError> {
    if value.trim().is_empty() {
        Err(OrgError::Blank { field })
    } else if value.chars().count() > 200 {
        Err(OrgError::Invalid {
            field,
            reason: Msg::RuleShortText,
        })
    } else {
        Ok(())
    }
}

/// A calendar change's reason, when one is given: not blank, and short.
fn reason_given(reason: Option<&str>) -> Result<(), OrgError> {
    reason.map_or(Ok(()), |reason| required("reason", reason))
}

impl Organisation {
    /// The organisation after these events.
    pub fn from_events(events: impl IntoIterator<Item = OrgEvent>) -> Self {
        let mut org = Self::default();
        for event in events {
            org.apply(event);
        }
        org
    }

    /// The county's calendar, if any term has been added.
    pub fn calendar(&self) -> Option<SchoolCalendar> {
        if self.terms.is_empty() {
            return None;
        }
        SchoolCalendar::try_from(self.calendar_spec()).ok()
    }

    /// The calendar in force over `base` (the configured calendar, or every weekday): the
    /// county's own once it has declared a term; until then `base` with every holiday and
    /// make-up day declared through the organisation on top, so that a declaration always
    /// takes effect (a day declared one way no longer counts the other way). A declaration
    /// that `base` cannot take (a make-up day outside its terms) leaves `base` as it is.
    pub fn calendar_over(&self, base: &SchoolCalendar) -> SchoolCalendar {
        if let Some(own) = self.calendar() {
            return own;
        }
        if self.holidays.is_empty() && self.make_up_days.is_empty() {
            return base.clone();
        }
        let mut spec = base.spec().clone();
        for day in self.holidays.keys() {
            spec.make_up_days.remove(day);
            spec.holidays.insert(*day);
        }
        for day in self.make_up_days.keys() {
            spec.holidays.remove(day);
            spec.make_up_days.insert(*day);
        }
        SchoolCalendar::try_from(spec).unwrap_or_else(|_| base.clone())
    }

    pub(crate) fn calendar_spec(&self) -> CalendarSpec {
        CalendarSpec {
            utc_offset_minutes: SHANGHAI_UTC_OFFSET_MINUTES,
            terms: self.terms.clone(),
            holidays: self.holidays.keys().copied().collect(),
            make_up_days: self.make_up_days.keys().copied().collect(),
        }
    }

    fn set_password(&mut self, user: String, hash: PasswordHash, one_time: bool) {
        let version = self.passwords.get(&user).map_or(0, |p| p.version) + 1;
        self.passwords.insert(
            user,
            PasswordRecord {
                hash,
                one_time,
                version,
            },
        );
    }

    pub fn is_active(&self, user: &str) -> bool {
        self.users.contains_key(user) && !self.inactive_users.contains(user)
    }

    /// Whether `node` is `ancestor` or lies below it.
    pub fn is_within(&self, node: &str, ancestor: &str) -> bool {
        let mut current = Some(node);
        let mut steps = 0;
        while let Some(id) = current {
            if id == ancestor {
                return true;
            }
            current = self.nodes.get(id).and_then(|n| n.parent.as_deref());
            steps += 1;
            if steps > 8 {
                return false;
            }
        }
        false
    }

    /// The school a person names by its id in the tree or by its name (公营子中学).
    pub fn school_named(&self, named: &str) -> Option<&Node> {
        let schools = || self.nodes.values().filter(|n| n.kind == NodeKind::School);
        schools()
            .find(|n| n.id == named)
            .or_else(|| schools().find(|n| n.name == named))
    }

    /// The township a school belongs to.
    pub fn township_of(&self, school: &str) -> Option<&str> {
        self.nodes.get(school).and_then(|n| n.parent.as_deref())
    }

    /// The schools at or below a node.
    /// Every school of the county, in id order.
    pub fn schools(&self) -> Vec<String> {
        self.nodes
            .values()
            .filter(|n| n.kind == NodeKind::School)
            .map(|n| n.id.clone())
            .collect()
    }

    pub fn schools_within(&self, node: &str) -> Vec<String> {
        self.nodes
            .values()
            .filter(|n| n.kind == NodeKind::School && self.is_within(&n.id, node))
            .map(|n| n.id.clone())
            .collect()
    }

    /// Decides what a command records, a batch's events in order, or why it is refused (a
    /// batch by the first of its commands that is).
    pub fn decide_all(&self, command: OrgCommand) -> Result<Vec<OrgEvent>, OrgError> {
        let OrgCommand::Batch(commands) = command else {
            return Ok(vec![self.decide(command)?]);
        };
        if commands.is_empty() {
            return Err(OrgError::Blank { field: "batch" });
        }
        let mut after = self.clone();
        let mut events = Vec::with_capacity(commands.len());
        for command in commands {
            let event = after.decide(command)?;
            after.apply(event.clone());
            events.push(event);
        }
        Ok(events)
    }

    /// Decides what a command records, or why it is refused.
    pub fn decide(&self, command: OrgCommand) -> Result<OrgEvent, OrgError> {
        Ok(match command {
            OrgCommand::AddNode(node) => {
                required("id", &node.id)?;
                required("name", &node.name)?;
                if self.nodes.contains_key(&node.id) {
                    return Err(OrgError::Exists {
                        field: "id",
                        value: node.id,
                    });
                }
                let expected_parent = match node.kind {
                    NodeKind::County => None,
                    NodeKind::Township => Some(NodeKind::County),
                    NodeKind::School => Some(NodeKind::Township),
                };
                match (expected_parent, &node.parent) {
                    (None, None) => {
                        if self.nodes.values().any(|n| n.kind == NodeKind::County) {
                            return Err(OrgError::Invalid {
                                field: "kind",
                                reason: Msg::RuleOneCounty,
                            });
                        }
                    }
                    (None, Some(_)) => {
                        return Err(OrgError::Invalid {
                            field: "parent",
                            reason: Msg::RuleCountyNoParent,
                        });
                    }
                    (Some(_), None) => return Err(OrgError::Blank { field: "parent" }),
                    (Some(kind), Some(parent)) => match self.nodes.get(parent) {
                        Some(p) if p.kind == kind => {}
                        Some(_) => {
                            return Err(OrgError::Invalid {
                                field: "parent",
                                reason: Msg::RuleNodeParent,
                            });
                        }
                        None => {
                            return Err(OrgError::Unknown {
                                field: "parent",
                                value: parent.clone(),
                            });
                        }
                    },
                }
                OrgEvent::NodeAdded(node)
            }
            OrgCommand::AddUser(user) => {
                required("id", &user.id)?;
                check_user_name(&user.id)?;
                if self.users.contains_key(&user.id) {
                    return Err(OrgError::Exists {
                        field: "id",
                        value: user.id,
                    });
                }
                self.check_user(&user)?;
                OrgEvent::UserAdded(user)
            }
            OrgCommand::UpdateUser(user) => {
                if !self.is_active(&user.id) {
                    return Err(OrgError::Unknown {
                        field: "id",
                        value: user.id,
                    });
                }
                self.check_user(&user)?;
                OrgEvent::UserUpdated(user)
            }
            OrgCommand::SetOneTimePassword {
                user,
                password_hash,
            } => {
                self.check_password(&user, &password_hash)?;
                OrgEvent::OneTimePasswordSet {
                    user,
                    password_hash,
                }
            }
            OrgCommand::ChangePassword {
                user,
                password_hash,
            } => {
                self.check_password(&user, &password_hash)?;
                OrgEvent::PasswordChanged {
                    user,
                    password_hash,
                }
            }
            OrgCommand::Batch(_) => {
                return Err(OrgError::Invalid {
                    field: "batch",
                    reason: Msg::OrgBatchNested,
                });
            }
            OrgCommand::DeactivateUser { user } => {
                if !self.is_active(&user) {
                    return Err(OrgError::Unknown {
                        field: "user",
                        value: user,
                    });
                }
                OrgEvent::UserDeactivated { user }
            }
            OrgCommand::IssueToken {
                token_id,
                user,
                token_sha256,
                expires_at,
            } => {
                if !self.is_active(&user) {
                    return Err(OrgError::Unknown {
                        field: "user",
                        value: user,
                    });
                }
                if self.tokens.contains_key(&token_id) {
                    return Err(OrgError::Exists {
                        field: "token_id",
                        value: token_id,
                    });
                }
                if token_sha256.len() != 64 || !token_sha256.chars().all(|c| c.is_ascii_hexdigit())
                {
                    return Err(OrgError::Invalid {
                        field: "token_sha256",
                        reason: Msg::FormatTokenHash,
                    });
                }
                OrgEvent::TokenIssued {
                    token_id,
                    user,
                    token_sha256,
                    expires_at,
                }
            }
            OrgCommand::RevokeToken { token_id } => {
                if !self.tokens.contains_key(&token_id) {
                    return Err(OrgError::Unknown {
                        field: "token_id",
                        value: token_id,
                    });
                }
                OrgEvent::TokenRevoked { token_id }
            }
            OrgCommand::AddTerm(term) => {
                let mut spec = self.calendar_spec();
                spec.terms.push(term.clone());
                self.check_calendar(spec)?;
                OrgEvent::TermAdded(term)
            }
            OrgCommand::DeclareHoliday(day) => {
                required("name", &day.name)?;
                reason_given(day.reason.as_deref())?;
                let mut spec = self.calendar_spec();
                spec.holidays.insert(day.day);
                self.check_calendar(spec)?;
                OrgEvent::HolidayDeclared(day)
            }
            OrgCommand::DeclareMakeUpDay(day) => {
                required("name", &day.name)?;
                reason_given(day.reason.as_deref())?;
                let mut spec = self.calendar_spec();
                spec.make_up_days.insert(day.day);
                self.check_calendar(spec)?;
                OrgEvent::MakeUpDayDeclared(day)
            }
            OrgCommand::ClearCalendarDay { day, reason } => {
                reason_given(reason.as_deref())?;
                if !self.holidays.contains_key(&day) && !self.make_up_days.contains_key(&day) {
                    return Err(OrgError::Unknown {
                        field: "day",
                        value: day.to_string(),
                    });
                }
                OrgEvent::CalendarDayCleared { day, reason }
            }
        })
    }

    /// A user's name, and their node: one that exists, of the kind their role belongs to.
    fn check_user(&self, user: &User) -> Result<(), OrgError> {
        required("name", &user.name)?;
        let Some(node) = self.nodes.get(&user.node) else {
            return Err(OrgError::Unknown {
                field: "node",
                value: user.node.clone(),
            });
        };
        if node.kind != user.role.node_kind() {
            return Err(OrgError::WrongNode { role: user.role });
        }
        Ok(())
    }

    /// A password for an active user, as an argon2id hash.
    fn check_password(&self, user: &str, hash: &PasswordHash) -> Result<(), OrgError> {
        if !self.is_active(user) {
            return Err(OrgError::Unknown {
                field: "user",
                value: user.to_string(),
            });
        }
        if !hash.is_argon2id() {
            return Err(OrgError::Invalid {
                field: "password_hash",
                reason: Msg::FormatPasswordHash,
            });
        }
        Ok(())
    }

    fn check_calendar(&self, spec: CalendarSpec) -> Result<(), OrgError> {
        for term in &spec.terms {
            required("name", &term.name)?;
        }
        SchoolCalendar::try_from(spec)
            .map(|_| ())
            .map_err(OrgError::Calendar)
    }
}
