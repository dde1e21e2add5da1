//! The users' import (`/admin/users/import`, the API's `ORG_ADMINS`): the users' list a county
//! keeps (CSV in UTF-8 or GBK, or XLSX: what `notoneless admin import-users` reads, through the
//! same `list_file::read_list`), uploaded, checked, shown, then recorded, all or nothing, by
//! the same store functions as the command line (`users::prepare_user_import`,
//! `commit_user_import`, `handout_workbook`).
//!
//! 1. `POST /admin/users/import` (multipart, CSRF-checked, at most `MAX_IMPORT_BYTES`): a
//!    refused list shows every refused row (row, column, the reason in the reader's language)
//!    and records nothing; a good one shows what it would do ("check your answers": who is
//!    added, updated, left unchanged).
//! 2. `POST /admin/users/import/confirm`: records it. The list travels from the preview to the
//!    confirmation in the page itself (a hidden field, the list's text in URL-safe base64,
//!    size-limited like the upload), not in the server's memory: any server process may answer
//!    the confirmation, nothing is left behind when the admin walks away, and the list is
//!    planned again against the organisation as it is then, so the confirmation records what
//!    it says it recorded. The same confirmation sent twice records once: by then every user
//!    of the list is unchanged, and the import plans nothing (two sent at the same moment: the
//!    second's batch is refused, and planned again it is nothing).
//! 3. The answer shows the new users' one-time passwords, this once, and offers the handout
//!    workbook (the command line's) as a `data:` link inside that same answer: the secrets go
//!    nowhere else, no URL the server serves, no log, no second request.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use notoneless_api::auth::ORG_ADMINS;
use notoneless_api::error::ApiError;
use notoneless_api::{AppState, MAX_IMPORT_BYTES};
use notoneless_domain::{ListRowError, ListedUser, Organisation, UserImport, plan_user_import};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::list_file::{Encoding, read_list};
use notoneless_store::users::{
    PreparedImport, commit_user_import, handout_workbook, prepare_user_import,
};
use serde::Deserialize;

use crate::admin::admitted;
use crate::login::FieldError;
use crate::reads::refused_role;
use crate::shell::{Shell, Viewer, failed_with, render};

/// The body a request to these pages may have: the largest list, and room for the multipart
/// framing (or for the base64 of the confirmation's hidden field).
pub const BODY_LIMIT: usize = MAX_IMPORT_BYTES / 3 * 4 + 64 * 1024;

/// A refused row, as the page lists it.
struct RefusedRow {
    row: usize,
    column: String,
    reason: String,
}

/// A user of the list, as the preview and the answer list them.
struct ListedRow {
    row: usize,
    id: String,
    name: String,
    role: String,
    node: String,
}

/// What the list would do: the "check your answers" step.
struct Preview {
    summary: String,
    groups: Vec<(String, Vec<ListedRow>)>,
    /// The list's text, for the confirmation's hidden field (URL-safe base64).
    list: String,
    changes: bool,
}

/// A new user's one-time password, shown this once.
struct IssuedRow {
    id: String,
    name: String,
    node: String,
    password: String,
}

/// What the confirmation recorded.
struct Recorded {
    summary: String,
    issued: Vec<IssuedRow>,
    /// The handout workbook as a `data:` URL.
    handout: Option<String>,
}

#[derive(Template)]
#[template(path = "users_import.html")]
struct ImportPage {
    shell: Shell,
    max_mb: usize,
    refused: Vec<RefusedRow>,
    preview: Option<Preview>,
    recorded: Option<Recorded>,
    /// The confirmation found the list recorded already.
    already: bool,
    errors: Vec<FieldError>,
}

impl ImportPage {
    fn new(viewer: &Viewer) -> Self {
        Self {
            shell: Shell::of(viewer, Msg::ConsoleImportTitle, "/admin/users/import"),
            max_mb: MAX_IMPORT_BYTES / (1024 * 1024),
            refused: Vec::new(),
            preview: None,
            recorded: None,
            already: false,
            errors: Vec::new(),
        }
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }

    /// What the form takes, and up to what size.
    fn file_hint(&self) -> String {
        Message::new(Msg::ConsoleImportFileHint)
            .with("mb", self.max_mb)
            .text(self.shell.lang)
    }

    /// The refusal's summary: how many rows, and that nothing was imported.
    fn refused_summary(&self) -> String {
        Message::new(Msg::ConsoleImportRefused)
            .with("count", self.refused.len())
            .text(self.shell.lang)
    }
}

fn summary(lang: Lang, msg: Msg, plan: &UserImport) -> String {
    Message::new(msg)
        .with("added", plan.added.len())
        .with("updated", plan.updated.len())
        .with("unchanged", plan.unchanged.len())
        .text(lang)
}

fn node_name(org: &Organisation, node: &str) -> String {
    org.nodes
        .get(node)
        .map_or_else(|| node.to_string(), |found| found.name.clone())
}

/// The users of a list as the page shows them; a user the list changes with what they were
/// before ("张校长 → 张红梅").
fn listed_rows(lang: Lang, org: &Organisation, users: &[ListedUser]) -> Vec<ListedRow> {
    let changed = |was: Option<String>, now: String| match was {
        Some(was) if was != now => format!("{was} → {now}"),
        _ => now,
    };
    users
        .iter()
        .map(|listed| {
            let user = &listed.user;
            let was = org.users.get(&user.id);
            ListedRow {
                row: listed.row,
                id: user.id.clone(),
                name: changed(was.map(|was| was.name.clone()), user.name.clone()),
                role: changed(
                    was.map(|was| was.role.label().text(lang)),
                    user.role.label().text(lang),
                ),
                node: changed(
                    was.map(|was| node_name(org, &was.node)),
                    node_name(org, &user.node),
                ),
            }
        })
        .collect()
}

fn preview(lang: Lang, org: &Organisation, plan: &UserImport, text: &str) -> Preview {
    let groups = [
        (Msg::ConsoleImportAdded, &plan.added),
        (Msg::ConsoleImportUpdated, &plan.updated),
        (Msg::ConsoleImportUnchanged, &plan.unchanged),
    ]
    .into_iter()
    .filter(|(_, users)| !users.is_empty())
    .map(|(heading, users)| (heading.text(lang), listed_rows(lang, org, users)))
    .collect();
    Preview {
        summary: summary(lang, Msg::ConsoleImportSummary, plan),
        groups,
        list: URL_SAFE_NO_PAD.encode(text),
        changes: !plan.added.is_empty() || !plan.updated.is_empty(),
    }
}

fn refused_rows(lang: Lang, refused: &[ListRowError]) -> Vec<RefusedRow> {
    refused
        .iter()
        .map(|refusal| {
            let error = refusal.error.in_lang(lang);
            RefusedRow {
                row: error.row,
                column: error.field.unwrap_or_default(),
                reason: error.reason,
            }
        })
        .collect()
}

/// The page with every refused row, nothing recorded.
fn refused_page(viewer: &Viewer, refused: &[ListRowError]) -> Response {
    let mut page = ImportPage::new(viewer);
    page.refused = refused_rows(viewer.lang, refused);
    (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
}

/// The upload form again, with what is wrong with the file next to it.
fn file_refused(viewer: &Viewer, status: StatusCode, reason: String) -> Response {
    let mut page = ImportPage::new(viewer);
    page.errors = vec![FieldError {
        field: "file".into(),
        text: reason,
    }];
    (status, render(&page)).into_response()
}

fn too_large(viewer: &Viewer) -> Response {
    let reason = Message::new(Msg::ConsoleImportTooLarge)
        .with("mb", MAX_IMPORT_BYTES / (1024 * 1024))
        .text(viewer.lang);
    file_refused(viewer, StatusCode::PAYLOAD_TOO_LARGE, reason)
}

/// `GET /admin/users/import`: the upload form.
pub async fn form(viewer: Viewer) -> Response {
    if let Some(refused) = refused_role(&viewer, ORG_ADMINS) {
        return refused;
    }
    render(&ImportPage::new(&viewer))
}

/// The upload's fields: the CSRF token and the file's bytes (`None`: no file chosen).
struct Upload {
    csrf_token: String,
    file: Option<Vec<u8>>,
}

/// Why an upload could not be read.
enum UploadError {
    TooLarge,
    Unreadable,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, UploadError> {
    let mut upload = Upload {
        csrf_token: String::new(),
        file: None,
    };
    let failed = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Unreadable
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        match field.name() {
            Some("csrf_token") => upload.csrf_token = field.text().await.map_err(failed)?,
            Some("file") => {
                let chosen = field.file_name().is_some_and(|name| !name.is_empty());
                let bytes = field.bytes().await.map_err(failed)?;
                if bytes.len() > MAX_IMPORT_BYTES {
                    return Err(UploadError::TooLarge);
                }
                upload.file = (chosen || !bytes.is_empty()).then(|| bytes.to_vec());
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /admin/users/import`: the list uploaded, read and planned; every refused row, or what
/// it would do. Nothing is recorded here.
pub async fn check(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Response {
    if let Some(refused) = refused_role(&viewer, ORG_ADMINS) {
        return refused;
    }
    let lang = viewer.lang;
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(UploadError::TooLarge) => return too_large(&viewer),
        Err(UploadError::Unreadable) => {
            // Without the fields the CSRF token cannot be checked: nothing is done either way.
            let reason = Msg::ConsoleImportUnreadable.text(lang);
            return file_refused(&viewer, StatusCode::BAD_REQUEST, reason);
        }
    };
    if let Some(refused) = viewer.refuse_without_csrf(&upload.csrf_token) {
        return refused;
    }
    let Some(bytes) = upload.file.filter(|bytes| !bytes.is_empty()) else {
        let reason = Msg::ConsoleImportChooseFile.text(lang);
        return file_refused(&viewer, StatusCode::UNPROCESSABLE_ENTITY, reason);
    };
    let text = match read_list(&bytes, Encoding::Auto) {
        Ok(list) => list.text,
        Err(error) => {
            let reason = error.message().text(lang);
            return file_refused(&viewer, StatusCode::UNPROCESSABLE_ENTITY, reason);
        }
    };
    if text.len() > MAX_IMPORT_BYTES {
        return too_large(&viewer);
    }
    let snapshot = state.store.org.current();
    match plan_user_import(&snapshot.org, &[text.as_str()]) {
        Ok(plan) => {
            let mut page = ImportPage::new(&viewer);
            page.preview = Some(preview(lang, &snapshot.org, &plan, &text));
            render(&page)
        }
        Err(refused) => refused_page(&viewer, &refused),
    }
}

/// The confirmation's form: the CSRF token and the list, as the preview carried it.
#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    list: String,
}

/// `POST /admin/users/import/confirm`: records the list, all or nothing, and shows the new
/// users' one-time passwords and their handout, this once.
pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ConfirmForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, ORG_ADMINS) {
        return refused;
    }
    let lang = viewer.lang;
    if form.list.len() > MAX_IMPORT_BYTES / 3 * 4 + 4 {
        return too_large(&viewer);
    }
    let Some(text) = URL_SAFE_NO_PAD
        .decode(form.list.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        let reason = Msg::ConsoleImportUnreadable.text(lang);
        return file_refused(&viewer, StatusCode::BAD_REQUEST, reason);
    };
    let prepared = match prepare_user_import(&state.store, &[text.as_str()]).await {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(refused)) => return refused_page(&viewer, &refused),
        Err(error) => return failed_with(lang, &ApiError::account(error, state.store.clock.now())),
    };
    let plan = &prepared.plan;
    if plan.added.is_empty() && plan.updated.is_empty() {
        return already(&viewer);
    }
    let handout = if prepared.issued.is_empty() {
        None
    } else {
        // Made before anything is recorded, as the command line writes its file first: a
        // handout that cannot be made leaves the passwords unrecorded rather than unknown.
        match handout_workbook(&state.store.org.current().org, &prepared.issued) {
            Ok(bytes) => Some(bytes),
            Err(error) => return failed_with(lang, &ApiError::from(error)),
        }
    };
    if let Err(error) =
        commit_user_import(&state.store, &prepared, &viewer.caller.context(None)).await
    {
        // A confirmation sent twice at once: the other one recorded it.
        if nothing_left(&state, &text) {
            return already(&viewer);
        }
        return failed_with(lang, &ApiError::account(error, state.store.clock.now()));
    }
    tracing::info!(
        added = plan.added.len(),
        updated = plan.updated.len(),
        unchanged = plan.unchanged.len(),
        "users imported from the console"
    );
    recorded_page(&state, &viewer, &prepared, handout)
}

/// The list, planned against the organisation as it is now, would change nothing.
fn nothing_left(state: &AppState, text: &str) -> bool {
    plan_user_import(&state.store.org.current().org, &[text])
        .is_ok_and(|plan| plan.added.is_empty() && plan.updated.is_empty())
}

/// The answer to a confirmation whose list is recorded already: nothing more recorded.
fn already(viewer: &Viewer) -> Response {
    let mut page = ImportPage::new(viewer);
    page.already = true;
    render(&page)
}

fn recorded_page(
    state: &AppState,
    viewer: &Viewer,
    prepared: &PreparedImport,
    handout: Option<Vec<u8>>,
) -> Response {
    let lang = viewer.lang;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let issued = prepared
        .issued
        .iter()
        .map(|one| IssuedRow {
            id: one.user.id.clone(),
            name: one.user.name.clone(),
            node: node_name(org, &one.user.node),
            password: one.password.expose().to_string(),
        })
        .collect();
    let mut page = ImportPage::new(viewer);
    page.recorded = Some(Recorded {
        summary: summary(lang, Msg::ConsoleImportDone, &prepared.plan),
        issued,
        handout: handout.map(|bytes| {
            format!(
                "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{}",
                STANDARD.encode(bytes)
            )
        }),
    });
    render(&page)
}
