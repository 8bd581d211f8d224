//! Forms: server-rendered, posting to their server function, and made live
//! by one island.
//!
//! A form is plain HTML that posts to its server function's URL, so it
//! works before hydration and without JavaScript (the function answers a
//! plain post with a redirect: onwards, or back with `?error=&form=`). Its
//! island intercepts the submit, calls the function, shows a refusal at the
//! form and, on success, does the form's own work (keeping or dropping the
//! bridge token) before the browser goes on (`crate::browser`).
//!
//! The fields are the island's children: rendered on the server, never
//! shipped as wasm. Islands cannot be generic (the loader finds each by
//! name), so one island serves every form and `Endpoint` names which
//! server function it posts to.

use leptos::{
    ev::SubmitEvent,
    form::FromFormData,
    prelude::*,
    server_fn::{error::IntoAppError, ServerFn},
};
use leptos_router::hooks::use_query_map;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{
    api::{account, admin, auth, central, encoding::Posted, workspaces},
    error::ApiError,
    model::accounts::{MeResponse, SignedIn},
};

/// The server function a form posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Endpoint {
    Login,
    Register,
    Logout,
    CreateWorkspace,
    FindWorkspace,
    SaveSettings,
    SetRole,
    RevokeSession,
    AdminRevokeDevice,
    RevokeMySession,
    RevokeMyDevice,
    SignOutOthers,
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
            Self::RevokeSession => Posted::<admin::RevokeSession>::PATH,
            Self::AdminRevokeDevice => Posted::<admin::AdminRevokeDevice>::PATH,
            Self::RevokeMySession => Posted::<account::RevokeMySession>::PATH,
            Self::RevokeMyDevice => Posted::<account::RevokeMyDevice>::PATH,
            Self::SignOutOthers => Posted::<account::SignOutOthers>::PATH,
            Self::CentralCreate => Posted::<central::CentralCreate>::PATH,
            Self::CentralMigrate => Posted::<central::CentralMigrate>::PATH,
            Self::CentralDelete => Posted::<central::CentralDelete>::PATH,
        }
    }
}

/// A form posting to `endpoint`, its fields as children. A refusal sent
/// back to a plain post is shown here unless `quiet` (one form of many
/// alike, such as a table's rows, whose message `SentBackError` shows once).
#[component]
pub fn PostForm(
    endpoint: Endpoint,
    #[prop(optional)] quiet: bool,
    children: Children,
) -> impl IntoView {
    let sent_back = if quiet { None } else { sent_back(endpoint) };
    view! { <PostFormIsland endpoint sent_back>{children()}</PostFormIsland> }
}

/// The message a plain post to `endpoint` was sent back with, if any.
#[component]
pub fn SentBackError(endpoint: Endpoint) -> impl IntoView {
    sent_back(endpoint).map(|message| view! { <p class="error" role="alert">{message}</p> })
}

/// `?error=` when `?form=` names this endpoint (read on the server: the
/// islands have no router).
pub fn sent_back(endpoint: Endpoint) -> Option<String> {
    let query = use_query_map();
    let query = query.read_untracked();
    (query.get("form").as_deref() == Some(endpoint.path()))
        .then(|| query.get("error"))
        .flatten()
}

#[island]
fn PostFormIsland(
    endpoint: Endpoint,
    sent_back: Option<String>,
    children: Children,
) -> impl IntoView {
    use account::*;
    use admin::*;
    use auth::{Login, Logout, Register};
    use central::*;
    use workspaces::*;
    let (s, c) = (sent_back, children);
    match endpoint {
        Endpoint::Login => posted::<Posted<Login>>(s, keep_bridge_token, c),
        Endpoint::Register => posted::<Posted<Register>>(s, keep_bridge_token, c),
        Endpoint::Logout => posted::<Posted<Logout>>(s, forget_bridge_token, c),
        Endpoint::CreateWorkspace => posted::<Posted<CreateWorkspace>>(s, nothing, c),
        Endpoint::FindWorkspace => posted::<Posted<FindWorkspace>>(s, nothing, c),
        Endpoint::SaveSettings => posted::<Posted<SaveSettings>>(s, nothing, c),
        Endpoint::SetRole => posted::<Posted<SetRole>>(s, nothing, c),
        Endpoint::RevokeSession => posted::<Posted<RevokeSession>>(s, nothing, c),
        Endpoint::AdminRevokeDevice => posted::<Posted<AdminRevokeDevice>>(s, nothing, c),
        Endpoint::RevokeMySession => posted::<Posted<RevokeMySession>>(s, nothing, c),
        Endpoint::RevokeMyDevice => posted::<Posted<RevokeMyDevice>>(s, nothing, c),
        Endpoint::SignOutOthers => posted::<Posted<SignOutOthers>>(s, nothing, c),
        Endpoint::CentralCreate => posted::<Posted<CentralCreate>>(s, nothing, c),
        Endpoint::CentralMigrate => posted::<Posted<CentralMigrate>>(s, nothing, c),
        Endpoint::CentralDelete => posted::<Posted<CentralDelete>>(s, nothing, c),
    }
}

/// The form for server function `S`.
fn posted<S>(sent_back: Option<String>, done: fn(&S::Output), children: Children) -> AnyView
where
    S: DeserializeOwned + ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = post_action::<S>(done);
    let url = S::url();
    view! {
        <form method="post" action=url on:submit=on_submit(action)>
            {children()}
            <FormError action sent_back/>
        </form>
    }
    .into_any()
}

/// The action of a posted form: calls the function and, when it succeeded,
/// does `done` with its answer, then lets the browser go on.
pub fn post_action<S>(done: fn(&S::Output)) -> Action<S, Result<S::Output, ApiError>>
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Action::new(move |input: &S| {
        let input = input.clone();
        async move {
            let result = S::run_on_client(input).await;
            if let Ok(output) = &result {
                done(output);
                #[cfg(feature = "hydrate")]
                crate::browser::go_on();
            }
            result
        }
    })
}

/// Reads the submitted form into the function's arguments and dispatches;
/// arguments the form cannot make are a refusal shown at the form.
pub fn on_submit<S>(action: Action<S, Result<S::Output, ApiError>>) -> impl Fn(SubmitEvent)
where
    S: DeserializeOwned + ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    move |ev: SubmitEvent| {
        ev.prevent_default();
        match S::from_event(&ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(e) => action
                .value()
                .set(Some(Err(server_fn::error::ServerFnErrorErr::Args(
                    e.to_string(),
                )
                .into_app_error()))),
        }
    }
}

/// The message of this form's last refusal: from its action, or the one a
/// plain post was sent back with.
#[component]
fn FormError<S>(
    action: Action<S, Result<S::Output, ApiError>>,
    sent_back: Option<String>,
) -> impl IntoView
where
    S: ServerFn<Error = ApiError> + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let message = move || {
        action
            .value()
            .with(|v| match v {
                Some(Err(e)) => Some(e.message().to_owned()),
                _ => None,
            })
            .or_else(|| sent_back.clone())
    };
    let shown = message.clone();
    view! {
        <Show when=move || shown().is_some()>
            <p class="error" role="alert">{message.clone()}</p>
        </Show>
    }
}

fn nothing<T>(_: &T) {}

/// Keeps the bridge token a sign-in returns (browser only).
fn keep_bridge_token(signed_in: &SignedIn) {
    #[cfg(feature = "hydrate")]
    if let Some(token) = &signed_in.bridge_token {
        crate::bridge_client::client::store_token(token);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = signed_in;
}

/// Drops the stored bridge token once signed out (browser only).
fn forget_bridge_token(_: &MeResponse) {
    #[cfg(feature = "hydrate")]
    crate::bridge_client::client::clear_token();
}

/// The current visitor, read on the server while the page renders.
pub fn use_me() -> Resource<Result<MeResponse, ApiError>> {
    Resource::new(|| (), |_| auth::me())
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
