//! The organisation's accounts: the rules a password must meet, the password as the
//! organisation keeps it (an argon2id hash, never shown), the user name a person logs in
//! with, and the users' list a county imports (who, in which role, at which node), read row
//! by row and planned against the organisation as it stands.
//!
//! Pure: hashing a password, which needs the operating system's randomness, is the store's
//! (`notoneless_store::passwords`); the rules it must pass first are here.

use std::collections::BTreeMap;

use notoneless_i18n::{Lang, Message, Msg};
use serde::{Deserialize, Serialize};

use crate::imports::{RowRefusal, field_count, rows, shown, unreadable};
use crate::org::{OrgCommand, OrgError, Organisation, User, UserRole};

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The most characters a password may have (a passphrase fits; a megabyte does not).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a password someone chose is refused. Each says what to do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordRefusal {
    TooShort,
    TooLong,
    EdgeSpace,
    Common,
    Run,
    HoldsUserName,
    SameAsBefore,
}

impl PasswordRefusal {
    /// The refusal, in the catalogue's words.
    pub fn message(self) -> Message {
        match self {
            PasswordRefusal::TooShort => {
                Message::new(Msg::PasswordTooShort).with("min", MIN_PASSWORD_CHARS)
            }
            PasswordRefusal::TooLong => {
                Message::new(Msg::PasswordTooLong).with("max", MAX_PASSWORD_CHARS)
            }
            PasswordRefusal::EdgeSpace => Msg::PasswordEdgeSpace.into(),
            PasswordRefusal::Common => Msg::PasswordCommon.into(),
            PasswordRefusal::Run => Msg::PasswordRun.into(),
            PasswordRefusal::HoldsUserName => Msg::PasswordHoldsUserName.into(),
            PasswordRefusal::SameAsBefore => Msg::PasswordSameAsBefore.into(),
        }
    }
}

impl std::fmt::Display for PasswordRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().text(Lang::En))
    }
}

impl std::error::Error for PasswordRefusal {}

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|common| common == lower)
}

/// One character repeated, or each character one after the other (12345678, hgfedcba).
fn is_run(password: &str) -> bool {
    let codes: Vec<i64> = password.chars().map(|c| i64::from(u32::from(c))).collect();
    let steps: Vec<i64> = codes.windows(2).map(|w| w[1] - w[0]).collect();
    steps
        .first()
        .is_some_and(|&first| (-1..=1).contains(&first) && steps.iter().all(|&step| step == first))
}

/// Whether `password` may be chosen by the user `user` (their user name). The rules of NIST
/// SP 800-63B: a length, and not a password an attacker tries first; no rule on which kinds
/// of characters (which make passwords harder to remember, not to guess).
pub fn check_new_password(password: &str, user: &str) -> Result<(), PasswordRefusal> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(PasswordRefusal::TooShort);
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(PasswordRefusal::TooLong);
    }
    if password.starts_with(char::is_whitespace) || password.ends_with(char::is_whitespace) {
        return Err(PasswordRefusal::EdgeSpace);
    }
    if is_common(password) {
        return Err(PasswordRefusal::Common);
    }
    if is_run(password) {
        return Err(PasswordRefusal::Run);
    }
    if user.chars().count() >= 3 && password.to_lowercase().contains(&user.to_lowercase()) {
        return Err(PasswordRefusal::HoldsUserName);
    }
    Ok(())
}

/// A password as the organisation keeps it: its argon2id hash in the PHC string format
/// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), which carries its own salt and cost. Its `Debug`
/// shows none of it, so that it cannot reach a log; the organisation's history leaves it out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn new(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is an argon2id hash, the only kind the organisation keeps.
    pub fn is_argon2id(&self) -> bool {
        self.0.starts_with("$argon2id$")
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A user's password as the organisation holds it: its hash, whether it is a one-time
/// password (set by an admin or a principal, to be replaced at the first login), and how many
/// passwords the user has had (a session started under an earlier one is over).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordRecord {
    pub hash: PasswordHash,
    pub one_time: bool,
    pub version: u32,
}

/// A user name (the id a person logs in with): 1 to 64 ASCII letters, digits, `.`, `-` or
/// `_`, so that it can be typed on any phone.
pub fn check_user_name(id: &str) -> Result<(), OrgError> {
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if !id.is_empty() && id.len() <= 64 && id.chars().all(fits) {
        Ok(())
    } else {
        Err(OrgError::BadUserName { value: shown(id) })
    }
}

/// A role's Chinese name, as lists and handouts write it.
pub fn role_name_zh(role: UserRole) -> String {
    role.label().text(Lang::Zh)
}

/// A role by its name in a list: its code (`head_teacher`), its Chinese name (班主任), or
/// another name it goes by (分管领导, 乡镇专干).
pub fn role_named(name: &str) -> Option<UserRole> {
    let name = name.trim();
    UserRole::ALL
        .into_iter()
        .find(|role| role.as_str() == name || role_name_zh(*role) == name)
        .or(match name {
            "分管领导" | "分管负责人" => Some(UserRole::SchoolLeader),
            "乡镇专干" => Some(UserRole::TownshipOfficer),
            "教育局" => Some(UserRole::BureauOfficer),
            _ => None,
        })
}

/// The header of a users' list, in English or in Chinese: the user name, the person's name,
/// the role, and the node (the school's, township's or county's code).
pub const USERS_HEADER: [&str; 4] = ["id", "name", "role", "node"];
pub const USERS_HEADER_ZH: [&str; 4] = ["用户名", "姓名", "角色", "单位"];

/// A user as a list gives them: which list, on which line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedUser {
    /// The list's place among those imported together (from 0).
    pub list: usize,
    pub row: usize,
    pub user: User,
}

/// A refused row of one of the lists imported together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRowError {
    pub list: usize,
    pub error: RowRefusal,
}

/// What importing users' lists would do: add the users who are new, update the users whose
/// name, role or node changed, leave the others as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserImport {
    pub added: Vec<ListedUser>,
    pub updated: Vec<ListedUser>,
    pub unchanged: Vec<ListedUser>,
}

impl UserImport {
    /// The organisation's commands that carry it out, each new user's with their one-time
    /// password's hash (`one_time`, by user name), all to be recorded together.
    pub fn commands(
        &self,
        one_time: &BTreeMap<String, PasswordHash>,
    ) -> Result<Vec<OrgCommand>, OrgError> {
        let mut commands = Vec::new();
        for listed in &self.added {
            let password_hash =
                one_time
                    .get(&listed.user.id)
                    .cloned()
                    .ok_or(OrgError::Invalid {
                        field: "password_hash",
                        reason: Msg::OrgNoOneTimePassword,
                    })?;
            commands.push(OrgCommand::AddUser(listed.user.clone()));
            commands.push(OrgCommand::SetOneTimePassword {
                user: listed.user.id.clone(),
                password_hash,
            });
        }
        for listed in &self.updated {
            commands.push(OrgCommand::UpdateUser(listed.user.clone()));
        }
        Ok(commands)
    }
}

/// Reads the users' lists imported together and plans them against the organisation: every
/// row is checked by the organisation's own rules (a user name, a name, a role that belongs
/// at its node's kind); a user listed twice, or deactivated, is refused. Any refused row
/// refuses the import: all of it is imported, or none.
pub fn plan_user_import(
    org: &Organisation,
    lists: &[&str],
) -> Result<UserImport, Vec<ListRowError>> {
    let mut plan = UserImport::default();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut scratch = org.clone();
    for (list, text) in lists.iter().enumerate() {
        let (records, header) = match rows(text, &USERS_HEADER) {
            Ok(records) => (records, USERS_HEADER),
            Err(_) => match rows(text, &USERS_HEADER_ZH) {
                Ok(records) => (records, USERS_HEADER_ZH),
                Err(_) => {
                    errors.push(ListRowError {
                        list,
                        error: RowRefusal::new(
                            1,
                            None,
                            Message::new(Msg::ListHeaderMustBeEither)
                                .with("header", USERS_HEADER.join(","))
                                .with("other", USERS_HEADER_ZH.join(",")),
                        ),
                    });
                    continue;
                }
            },
        };
        // The column of a field, as this list's header names it.
        let column = |field: &str| {
            USERS_HEADER
                .iter()
                .position(|f| *f == field)
                .map_or(field.to_string(), |i| header[i].to_string())
        };
        for (row, record) in records {
            let refuse = |field: Option<&str>, reason: Message| ListRowError {
                list,
                error: RowRefusal::new(row, field.map(column).as_deref(), reason),
            };
            let record = match record {
                Ok(record) if record.len() == USERS_HEADER.len() => record,
                Ok(record) => {
                    errors.push(refuse(None, field_count(record.len(), header.len())));
                    continue;
                }
                Err(reason) => {
                    errors.push(refuse(None, unreadable(reason)));
                    continue;
                }
            };
            let cell = |i: usize| record.get(i).unwrap_or_default().trim().to_string();
            let Some(role) = role_named(&cell(2)) else {
                errors.push(refuse(
                    Some("role"),
                    Message::new(Msg::RowBadChoice)
                        .with("value", shown(&cell(2)))
                        .with(
                            "choices",
                            UserRole::ALL
                                .map(|role| format!("{}/{}", role.as_str(), role_name_zh(role)))
                                .join(", "),
                        ),
                ));
                continue;
            };
            let user = User {
                id: cell(0),
                name: cell(1),
                role,
                node: cell(3),
            };
            if let Some((first_list, first_row)) = seen.get(&user.id) {
                let twice = if *first_list == list {
                    Message::new(Msg::RowListedTwice)
                } else {
                    Message::new(Msg::RowListedTwiceInList).with("list", first_list + 1)
                };
                errors.push(refuse(
                    Some("id"),
                    twice
                        .with("value", shown(&user.id))
                        .with("line", *first_row),
                ));
                continue;
            }
            seen.insert(user.id.clone(), (list, row));
            let listed = ListedUser {
                list,
                row,
                user: user.clone(),
            };
            let command = match org.users.get(&user.id) {
                Some(_) if !org.is_active(&user.id) => {
                    errors.push(refuse(
                        Some("id"),
                        Message::new(Msg::RowUserDeactivated).with("value", shown(&user.id)),
                    ));
                    continue;
                }
                Some(existing) if *existing == user => {
                    plan.unchanged.push(listed);
                    continue;
                }
                Some(_) => OrgCommand::UpdateUser(user),
                None => OrgCommand::AddUser(user),
            };
            let updating = matches!(command, OrgCommand::UpdateUser(_));
            match scratch.decide(command) {
                Ok(event) => {
                    cqrs_es::Aggregate::apply(&mut scratch, event);
                    if updating {
                        plan.updated.push(listed);
                    } else {
                        plan.added.push(listed);
                    }
                }
                Err(error) => errors.push(refuse(Some(error.field()), error.message())),
            }
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| (e.list, e.error.row));
        Err(errors)
    }
}
