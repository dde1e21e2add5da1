//! The organisation tree (`/admin/org`, the API's `ORG_ADMINS`): the county, its townships,
//! their schools, as nested lists (one column on a phone), each unit with its code, its kind,
//! its users (name, role, active or not) and its counts; a form to add a township under the
//! county or a school under a township. The form is CSRF-checked and records
//! `OrgCommand::AddNode` as `POST /api/v1/org/nodes` does (the same command, decided by the
//! same organisation, with the same permission), with an idempotency key made with the page:
//! sent twice, it records once. Errors (a code taken, a name missing) are shown next to their
//! field.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use notoneless_api::AppState;
use notoneless_api::auth::ORG_ADMINS;
use notoneless_api::error::ApiError;
use notoneless_domain::{Node, NodeKind, OrgCommand, Organisation};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::commands::CommandError;
use serde::Deserialize;

use crate::admin::admitted;
use crate::login::FieldError;
use crate::reads::refused_role;
use crate::review::ScopeChoice;
use crate::shell::{Shell, Viewer, failed_with, render};
use crate::steps::new_key;

/// The new unit's form, as sent (kept to show again with its errors).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
}

/// A user of a unit, as the tree lists them.
struct UserLine {
    id: String,
    name: String,
    role: String,
    active: bool,
}

/// A unit of the tree, with its own users and the units under it.
struct TreeNode {
    id: String,
    name: String,
    kind: String,
    /// Its counts: the units under it and the users of its part of the tree.
    counts: Vec<String>,
    users: Vec<UserLine>,
    children: Vec<TreeNode>,
    /// A township or a school may be added under it.
    takes_children: bool,
}

#[derive(Template)]
#[template(path = "org_tree.html")]
struct OrgPage {
    shell: Shell,
    tree: Vec<TreeNode>,
    parents: Vec<ScopeChoice>,
    form: NodeForm,
    /// The unit just added.
    added: Option<String>,
    errors: Vec<FieldError>,
}

impl OrgPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }

    /// The form's text fields: name, label, hint (in the page's language), value.
    fn text_fields(&self) -> [(&'static str, Msg, String, &str); 2] {
        let lang = self.shell.lang;
        [
            (
                "id",
                Msg::ConsoleOrgNodeId,
                Msg::ConsoleOrgNodeIdHint.text(lang),
                &self.form.id,
            ),
            (
                "name",
                Msg::ConsoleOrgNodeName,
                String::new(),
                &self.form.name,
            ),
        ]
    }

    fn add_under(&self, name: &str) -> String {
        Message::new(Msg::ConsoleOrgAddUnder)
            .with("name", name)
            .text(self.shell.lang)
    }
}

/// The kind of unit that goes under `parent`: a township under the county, a school under a
/// township; none under a school.
fn kind_under(parent: NodeKind) -> Option<NodeKind> {
    match parent {
        NodeKind::County => Some(NodeKind::Township),
        NodeKind::Township => Some(NodeKind::School),
        NodeKind::School => None,
    }
}

/// How many units of `kind` and users (all, and active) `node`'s part of the tree holds.
#[derive(Default)]
struct Tally {
    townships: usize,
    schools: usize,
    users: usize,
    active: usize,
}

fn tree_node(lang: Lang, org: &Organisation, node: &Node) -> (TreeNode, Tally) {
    let mut tally = Tally::default();
    let users = org
        .users
        .values()
        .filter(|user| user.node == node.id)
        .map(|user| {
            let active = org.is_active(&user.id);
            tally.users += 1;
            tally.active += usize::from(active);
            UserLine {
                id: user.id.clone(),
                name: user.name.clone(),
                role: user.role.label().text(lang),
                active,
            }
        })
        .collect();
    let mut children = Vec::new();
    for child in org
        .nodes
        .values()
        .filter(|child| child.parent.as_deref() == Some(node.id.as_str()))
    {
        let (shown, under) = tree_node(lang, org, child);
        match child.kind {
            NodeKind::Township => tally.townships += 1,
            NodeKind::School => tally.schools += 1,
            NodeKind::County => {}
        }
        tally.townships += under.townships;
        tally.schools += under.schools;
        tally.users += under.users;
        tally.active += under.active;
        children.push(shown);
    }
    let count = |msg: Msg, count: usize| Message::new(msg).with("count", count).text(lang);
    let mut counts = Vec::new();
    if node.kind == NodeKind::County {
        counts.push(count(Msg::ConsoleOrgTownships, tally.townships));
    }
    if node.kind != NodeKind::School {
        counts.push(count(Msg::ConsoleOrgSchools, tally.schools));
    }
    counts.push(
        Message::new(Msg::ConsoleOrgUsers)
            .with("count", tally.users)
            .with("active", tally.active)
            .text(lang),
    );
    let shown = TreeNode {
        id: node.id.clone(),
        name: node.name.clone(),
        kind: node.kind.label().text(lang),
        counts,
        users,
        children,
        takes_children: kind_under(node.kind).is_some(),
    };
    (shown, tally)
}

fn org_page(state: &AppState, viewer: &Viewer, form: NodeForm) -> OrgPage {
    let lang = viewer.lang;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let tree = org
        .nodes
        .values()
        .filter(|node| node.parent.is_none())
        .map(|root| tree_node(lang, org, root).0)
        .collect();
    let parents = org
        .nodes
        .values()
        .filter(|node| kind_under(node.kind).is_some())
        .map(|node| ScopeChoice {
            id: node.id.clone(),
            name: Message::new(Msg::ConsoleOrgParentChoice)
                .with("name", node.name.as_str())
                .with("kind", node.kind.label())
                .text(lang),
            selected: form.parent == node.id,
        })
        .collect();
    let form = NodeForm {
        idempotency_key: if form.idempotency_key.trim().is_empty() {
            new_key()
        } else {
            form.idempotency_key
        },
        ..form
    };
    OrgPage {
        shell: Shell::of(viewer, Msg::ConsoleOrgTitle, "/admin/org"),
        tree,
        parents,
        form,
        added: None,
        errors: Vec::new(),
    }
}

/// The unit to add under, when a node's "add under" link is followed.
#[derive(Debug, Default, Deserialize)]
pub struct Under {
    #[serde(default)]
    parent: String,
}

/// `GET /admin/org[?parent=]`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(under): Query<Under>,
) -> Response {
    if let Some(refused) = refused_role(&viewer, ORG_ADMINS) {
        return refused;
    }
    let form = NodeForm {
        parent: under.parent,
        ..NodeForm::default()
    };
    render(&org_page(&state, &viewer, form))
}

/// `POST /admin/org`: adds the township or school, or shows the form again with each error
/// next to its field.
pub async fn add_node(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NodeForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, ORG_ADMINS) {
        return refused;
    }
    let lang = viewer.lang;
    let parent = state
        .store
        .org
        .current()
        .org
        .nodes
        .get(form.parent.trim())
        .cloned();
    let mut errors = Vec::new();
    let mut error = |field: &str, msg: Msg| {
        errors.push(FieldError {
            field: field.to_string(),
            text: msg.text(lang),
        });
    };
    if form.id.trim().is_empty() {
        error("id", Msg::ConsoleOrgEnterId);
    }
    if form.name.trim().is_empty() {
        error("name", Msg::ConsoleOrgEnterName);
    }
    let kind = parent.as_ref().and_then(|parent| kind_under(parent.kind));
    if kind.is_none() {
        error("parent", Msg::ConsoleOrgChooseParent);
    }
    let (Some(kind), Some(parent), true) = (kind, parent, errors.is_empty()) else {
        let mut shown = org_page(&state, &viewer, form);
        shown.errors = errors;
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
    };
    let node = Node {
        id: form.id.trim().to_string(),
        kind,
        name: form.name.trim().to_string(),
        parent: Some(parent.id),
    };
    let key = (!form.idempotency_key.trim().is_empty()).then(|| form.idempotency_key.clone());
    let written = state
        .store
        .org
        .execute(OrgCommand::AddNode(node), &viewer.caller.context(key))
        .await;
    match written {
        Ok(_) => {
            let mut shown = org_page(&state, &viewer, NodeForm::default());
            shown.added = Some(form.id.trim().to_string());
            render(&shown)
        }
        // The organisation's refusal, next to the field it names (the form's names are the
        // command's; the kind follows from the parent).
        Err(CommandError::Rejected(refused)) => {
            let field = match refused.field() {
                "kind" => "parent",
                field => field,
            };
            let mut shown = org_page(&state, &viewer, form);
            shown.errors = vec![FieldError {
                field: field.to_string(),
                text: refused.message().text(lang),
            }];
            (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response()
        }
        Err(failed) => failed_with(lang, &ApiError::from(failed)),
    }
}
