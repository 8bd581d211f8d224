//! Forms: server-rendered HTML posting to their server function, made live
//! in the browser by a small island.
//!
//! A form posts url-encoded to its server function's URL, so it works
//! before hydration and without JavaScript: the function answers a plain
//! post with a redirect, onwards or back with `?error=&form=`, and the page
//! shows that message at the form that failed. Hydrated, `FormIsland` takes
//! the submit over: it asks for a confirmation where the form wants one,
//! posts the same body for a JSON answer, shows a refusal in place (at the
//! field it names, if any), and on success does the form's own work before
//! the browser goes on (`crate::browser::forms`).
//!
//! The island knows no server function's types: the fields stay server
//! HTML and every form shares one small piece of wasm. (Typed actions per
//! function cost ~4 KB of gzipped wasm each, and ~50 KB for the first,
//! measured in the benchmark's build: more than the whole budget allows.)

use crate::{
    api::{account, admin, auth, central, encoding::Posted, workspaces},
    browser::AfterPost,
    error::{sent_back::SentBack, ApiError},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

/// The server function a form posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Login,
    Register,
    Logout,
    CreateWorkspace,
    FindWorkspace,
    SaveSettings,
    SetRole,
    SignOutUser,
    RevokeSession,
    AdminRevokeDevice,
    RevokeMySession,
    RevokeMyDevice,
    SignOutOthers,
    SecondFactor,
    ConfirmPassword,
    TotpEnrol,
    TotpConfirm,
    TotpDisable,
    RecoveryCodes,
    ChangePassword,
    PasskeyRemove,
    CentralCreate,
    CentralMigrate,
    CentralDelete,
}

impl Endpoint {
    /// The function's URL, which is also how a sent-back error names it.
    pub fn path(self) -> &'static str {
        match self {
            Self::Login => Posted::<auth::Login>::PATH,
            Self::Register => Posted::<auth::Register>::PATH,
            Self::Logout => Posted::<auth::Logout>::PATH,
            Self::CreateWorkspace => Posted::<workspaces::CreateWorkspace>::PATH,
            Self::FindWorkspace => Posted::<workspaces::FindWorkspace>::PATH,
            Self::SaveSettings => Posted::<admin::SaveSettings>::PATH,
            Self::SetRole => Posted::<admin::SetRole>::PATH,
            Self::SignOutUser => Posted::<admin::SignOutUser>::PATH,
            Self::RevokeSession => Posted::<admin::RevokeSession>::PATH,
            Self::AdminRevokeDevice => Posted::<admin::AdminRevokeDevice>::PATH,
            Self::RevokeMySession => Posted::<account::RevokeMySession>::PATH,
            Self::RevokeMyDevice => Posted::<account::RevokeMyDevice>::PATH,
            Self::SignOutOthers => Posted::<account::SignOutOthers>::PATH,
            Self::SecondFactor => Posted::<auth::SecondFactor>::PATH,
            Self::ConfirmPassword => Posted::<auth::ConfirmPassword>::PATH,
            Self::TotpEnrol => Posted::<account::TotpEnrol>::PATH,
            Self::TotpConfirm => Posted::<account::TotpConfirm>::PATH,
            Self::TotpDisable => Posted::<account::TotpDisable>::PATH,
            Self::RecoveryCodes => Posted::<account::RecoveryCodes>::PATH,
            Self::ChangePassword => Posted::<account::ChangePassword>::PATH,
            Self::PasskeyRemove => Posted::<account::PasskeyRemove>::PATH,
            Self::CentralCreate => Posted::<central::CentralCreate>::PATH,
            Self::CentralMigrate => Posted::<central::CentralMigrate>::PATH,
            Self::CentralDelete => Posted::<central::CentralDelete>::PATH,
        }
    }

    /// What the browser does with a success besides going on.
    pub(super) fn after(self) -> AfterPost {
        match self {
            // Each may finish a sign-in, whose answer carries the device's
            // first bridge token.
            Self::Login | Self::Register | Self::SecondFactor | Self::TotpConfirm => {
                AfterPost::KeepBridgeToken
            }
            Self::Logout => AfterPost::DropBridgeToken,
            _ => AfterPost::Nothing,
        }
    }
}

/// A form posting to `endpoint`, its fields as children. A refusal sent
/// back to a plain post is shown here unless `quiet` (one form of many
/// alike, such as a table's rows, whose message `SentBackError` shows once).
/// `confirm` is asked before posting, once hydrated; `after`, when given,
/// replaces what the endpoint's forms do with a success.
#[component]
pub fn PostForm(
    endpoint: Endpoint,
    #[prop(optional)] quiet: bool,
    #[prop(optional_no_strip)] confirm: Option<String>,
    #[prop(optional)] after: Option<AfterPost>,
    children: Children,
) -> impl IntoView {
    let sent_back = if quiet { None } else { sent_back(endpoint) };
    let after = after.unwrap_or(endpoint.after());
    view! {
        <form method="post" action=endpoint.path()>
            {children()}
            // Server HTML, outside the island: the island's own slot starts
            // empty (a message rendered inside it did not hydrate).
            {sent_back.map(|message| view! {
                <p class="error" role="alert" data-sent-back>{message}</p>
            })}
            <FormIsland after confirm/>
        </form>
    }
}

/// A table row's action: hidden fields naming what it acts on, and one
/// button whose accessible `name` says so. Its refusals are shown once
/// under the table (`SentBackError`).
#[component]
pub fn RowAction(
    endpoint: Endpoint,
    fields: Vec<(&'static str, String)>,
    label: &'static str,
    #[prop(into)] name: String,
    #[prop(optional, into)] confirm: Option<String>,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let class = if danger { "small danger" } else { "small" };
    view! {
        <PostForm endpoint quiet=true confirm>
            {fields.into_iter().map(|(field, value)| view! {
                <input type="hidden" name=field value=value/>
            }).collect_view()}
            <button type="submit" class=class aria-label=name>{label}</button>
        </PostForm>
    }
}

/// The message a plain post to `endpoint` was sent back with, if any.
#[component]
pub fn SentBackError(endpoint: Endpoint) -> impl IntoView {
    sent_back(endpoint).map(|message| view! { <p class="error" role="alert">{message}</p> })
}

/// The text of the message `?error=` names by its code, when `?form=`
/// names this endpoint (read on the server: the islands have no router).
/// A code not in the catalogue shows nothing: no text from a URL is ever
/// shown as the page's own.
pub fn sent_back(endpoint: Endpoint) -> Option<String> {
    sent_back_query(endpoint, "error")
        .as_deref()
        .and_then(SentBack::from_code)
        .map(|entry| entry.text().to_owned())
}

/// `?field=`, the setting a refused post named, for this endpoint.
pub fn sent_back_field(endpoint: Endpoint) -> Option<String> {
    sent_back_query(endpoint, "field")
}

fn sent_back_query(endpoint: Endpoint, key: &str) -> Option<String> {
    let query = use_query_map();
    let query = query.read_untracked();
    (query.get("form").as_deref() == Some(endpoint.path()))
        .then(|| query.get(key))
        .flatten()
}

/// The form's message slot, empty until a refusal; once hydrated, it takes
/// its form's submit over.
#[island]
fn FormIsland(after: AfterPost, confirm: Option<String>) -> impl IntoView {
    let slot = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    slot.on_load(move |slot| crate::browser::forms::take_over(slot.into(), after, confirm));
    #[cfg(not(feature = "hydrate"))]
    let _ = (after, confirm);
    view! { <p class="error" role="alert" node_ref=slot hidden></p> }
}

/// A page-sized error: the card, and (rendered on the server) the error's status.
#[component]
pub fn ErrorCard(title: &'static str, error: ApiError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::error::navigation::set_status(error.status(), error.retry_after());
    view! {
        <section class="card">
            <h1>{title}</h1>
            <p class="error" data-testid="error-message">{error.message().to_owned()}</p>
        </section>
    }
}
