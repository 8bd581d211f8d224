//! Pieces every form page shares.

use leptos::{
    ev::SubmitEvent,
    form::FromFormData,
    prelude::*,
    server_fn::{error::IntoAppError, ServerFn},
};
use leptos_router::hooks::use_query_map;
use serde::de::DeserializeOwned;

use crate::{
    api::{auth::me, encoding::Posted},
    error::ApiError,
    model::accounts::{MeResponse, SignedIn},
};

/// The message of this form's last failed submission: from the action once
/// hydrated, or from `?error=` after a plain form post was sent back —
/// only when `?form=` names this form's function, so a page of several
/// forms shows the message at the one that failed.
#[component]
pub fn FormError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let query = use_query_map();
    let sent_back = move || {
        let query = query.read();
        (query.get("form").as_deref() == Some(S::url()))
            .then(|| query.get("error"))
            .flatten()
    };
    let message = move || {
        action
            .value()
            .with(|v| match v {
                Some(Err(e)) => Some(e.message().to_owned()),
                _ => None,
            })
            .or_else(sent_back)
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="error" role="alert">{message}</p>
        </Show>
    }
}

/// The action of a server function posted as a form or JSON (its
/// arguments arrive wrapped in `Posted`, see `api::encoding`).
pub type FormAction<S> = ServerAction<Posted<S>>;

/// The current visitor, loaded on the server and sent along for hydration.
pub fn use_me() -> Resource<Result<MeResponse, ApiError>> {
    Resource::new(|| (), |_| me())
}

/// A form posting to a JSON server function. Before hydration the browser
/// posts it url-encoded to the function's URL (the server translates it);
/// once hydrated the submit is intercepted and the action dispatched.
/// (Leptos' `ActionForm` only serves url-encoded functions.)
#[component]
pub fn ApiForm<ServFn>(action: ServerAction<ServFn>, children: Children) -> impl IntoView
where
    ServFn: DeserializeOwned + ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    ServFn::Output: Send + Sync + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match ServFn::from_event(&ev) {
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
    };
    view! {
        <form method="post" action=ServFn::url() on:submit=on_submit>
            {children()}
        </form>
    }
}

/// Stores the bridge token a successful sign-in returns (browser only).
pub fn keep_bridge_token<S>(action: ServerAction<S>)
where
    S: ServerFn<Output = SignedIn, Error = ApiError> + Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        let token = action.value().with(|v| match v {
            Some(Ok(signed_in)) => signed_in.bridge_token.clone(),
            _ => None,
        });
        #[cfg(feature = "hydrate")]
        if let Some(token) = token {
            crate::bridge_client::client::store_token(&token);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = token;
    });
}

/// Drops the stored bridge token once a logout succeeded (browser only).
pub fn forget_bridge_token_on_success<S>(action: ServerAction<S>)
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::new(move |_| {
        let done = action.value().with(|v| matches!(v, Some(Ok(_))));
        #[cfg(feature = "hydrate")]
        if done {
            crate::bridge_client::client::clear_token();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = done;
    });
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
