//! Importing the users' lists a county keeps (who, in which role, at which node) in one go:
//! planned row by row against the organisation (`notoneless_domain::plan_user_import`), every
//! new user given a one-time password, and all of it recorded as one batch of organisation
//! events, or none of it. The one-time passwords come out once, in a workbook with a sheet
//! per school (or township, or the county) to print and hand out.

use std::collections::BTreeMap;

use notoneless_domain::{
    ListRowError, OrgCommand, Organisation, PasswordHash, User, UserImport, plan_user_import,
    role_name_zh,
};
use rust_xlsxwriter::{Format, Workbook};

use crate::accounts::AccountError;
use crate::commands::{CommandContext, CommandOutcome};
use crate::passwords::{self, Secret};
use crate::store::Store;
use crate::table::ExportError;

/// A new user and their one-time password (shown once: in the handout).
#[derive(Debug)]
pub struct Issued {
    pub user: User,
    pub password: Secret,
}

/// An import planned and its one-time passwords made and hashed, not yet recorded.
#[derive(Debug)]
pub struct PreparedImport {
    pub plan: UserImport,
    pub issued: Vec<Issued>,
    commands: Vec<OrgCommand>,
}

/// Plans the import of these lists (CSV text, as `list_file` reads any file) and makes a
/// one-time password for every new user. Any refused row refuses all of it: the rows, by
/// list, line and column.
pub async fn prepare_user_import(
    store: &Store,
    lists: &[&str],
) -> Result<Result<PreparedImport, Vec<ListRowError>>, AccountError> {
    let snapshot = store.org.current();
    let plan = match plan_user_import(&snapshot.org, lists) {
        Ok(plan) => plan,
        Err(errors) => return Ok(Err(errors)),
    };
    let passwords: Vec<Secret> = plan
        .added
        .iter()
        .map(|_| passwords::one_time_password())
        .collect();
    let hashes = passwords::hash_all(&passwords).await?;
    let one_time: BTreeMap<String, PasswordHash> = plan
        .added
        .iter()
        .zip(hashes)
        .map(|(listed, hash)| (listed.user.id.clone(), hash))
        .collect();
    let commands = plan
        .commands(&one_time)
        .map_err(|e| AccountError::Command(crate::commands::CommandError::Rejected(e)))?;
    let issued = plan
        .added
        .iter()
        .zip(passwords)
        .map(|(listed, password)| Issued {
            user: listed.user.clone(),
            password,
        })
        .collect();
    Ok(Ok(PreparedImport {
        plan,
        issued,
        commands,
    }))
}

/// Records a prepared import: every change in one batch, or nothing (nothing to record is
/// `None`). Refused if the organisation changed since it was planned in a way that breaks a
/// row.
pub async fn commit_user_import(
    store: &Store,
    prepared: &PreparedImport,
    context: &CommandContext,
) -> Result<Option<CommandOutcome>, AccountError> {
    if prepared.commands.is_empty() {
        return Ok(None);
    }
    let outcome = store
        .org
        .execute(OrgCommand::Batch(prepared.commands.clone()), context)
        .await?;
    Ok(Some(outcome))
}

/// Characters a sheet's name may not hold, and its longest length (Excel's rules).
const NOT_IN_SHEET_NAMES: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];
const MAX_SHEET_NAME: usize = 31;

/// The handout of one-time passwords: a sheet per node (the school's name), each user's
/// user name, name, role and one-time password, and what to do with it.
pub fn handout_workbook(org: &Organisation, issued: &[Issued]) -> Result<Vec<u8>, ExportError> {
    let mut by_node: BTreeMap<&str, Vec<&Issued>> = BTreeMap::new();
    for one in issued {
        by_node.entry(one.user.node.as_str()).or_default().push(one);
    }
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let mut names: Vec<String> = Vec::new();
    for (node, users) in by_node {
        let title = org.nodes.get(node).map_or(node, |n| n.name.as_str());
        let mut name: String = title
            .chars()
            .map(|c| {
                if NOT_IN_SHEET_NAMES.contains(&c) {
                    '_'
                } else {
                    c
                }
            })
            .take(MAX_SHEET_NAME)
            .collect();
        while names.contains(&name) {
            let suffix = format!("~{}", names.len());
            name = name
                .chars()
                .take(MAX_SHEET_NAME - suffix.chars().count())
                .collect::<String>()
                + &suffix;
        }
        names.push(name.clone());
        let sheet = workbook.add_worksheet();
        sheet.set_name(&name)?;
        sheet.write_string_with_format(
            0,
            0,
            format!("{title}：一次性密码（首次登录后须设置自己的密码；请当面交给本人）"),
            &bold,
        )?;
        for (col, header) in (0u16..).zip(["用户名", "姓名", "角色", "一次性密码"]) {
            sheet.write_string_with_format(2, col, header, &bold)?;
        }
        for (row, one) in (3u32..).zip(users) {
            sheet.write_string(row, 0, &one.user.id)?;
            sheet.write_string(row, 1, &one.user.name)?;
            sheet.write_string(row, 2, role_name_zh(one.user.role))?;
            sheet.write_string(row, 3, one.password.expose())?;
        }
        sheet.set_column_width(0, 20)?;
        sheet.set_column_width(1, 14)?;
        sheet.set_column_width(2, 12)?;
        sheet.set_column_width(3, 18)?;
    }
    if names.is_empty() {
        workbook.add_worksheet().set_name("一次性密码")?;
    }
    Ok(workbook.save_to_buffer()?)
}
