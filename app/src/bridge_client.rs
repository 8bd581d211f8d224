//! The session bridge's browser side. On every page load it asks the server
//! whether this session is signed in; if not and a bridge token is stored, it
//! restores the session and reloads once (a flag in sessionStorage prevents
//! loops); a restore that must step up opens the page's step-up dialog
//! instead (`pages::restore_prompt`; `/two-step` where a page has none),
//! as does any page loaded while a sign-in waits for its second step, and
//! no restore is tried then. When signed in on a bridge device it refreshes (rotates) the
//! token, on load and whenever the tab becomes visible again.
//!
//! Where the token lives is the workspace's choice (`bridge.storage`): in
//! localStorage under one key per app, or in an HttpOnly cookie this code
//! never sees (the check's `has_token` says one is there; restore and
//! refresh then send no token and get none back). An answer without a
//! token means the cookie holds it now, so a stored copy is dropped; it is
//! dropped on a 401 and on logout too.

use leptos::prelude::*;

/// Mounted once in the app; an island with nothing to show, so that it
/// runs in the browser on every page.
#[island]
pub fn SessionBridge() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| client::start());
}

#[cfg(feature = "hydrate")]
pub mod client {
    use leptos::{logging, task::spawn_local};
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{
        js_sys::{Function, Reflect},
        Storage, VisibilityState,
    };

    use crate::{
        api::bridge::{check, refresh, restore},
        model::{
            accounts::{FactorMethod, TWO_STEP_PAGE},
            bridge::FailureReason,
        },
    };

    const TOKEN_KEY: &str = "tessera_bridge_token";
    const RELOADED_KEY: &str = "tessera_bridge_reloaded";

    fn local() -> Option<Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    fn session() -> Option<Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    pub fn stored_token() -> Option<String> {
        local()?.get_item(TOKEN_KEY).ok().flatten()
    }

    fn store_token(token: &str) {
        if let Some(storage) = local() {
            if storage.set_item(TOKEN_KEY, token).is_err() {
                logging::warn!(
                    "[SessionBridge] could not store the bridge token (storage full or disabled)"
                );
            }
        }
    }

    pub fn clear_token() {
        if let Some(storage) = local() {
            let _ = storage.remove_item(TOKEN_KEY);
        }
    }

    /// Keeps the token a sign-in's answer gave, if any.
    pub fn keep_token(token: Option<&str>) {
        if let Some(token) = token {
            store_token(token);
        }
    }

    /// Keeps the successor a restore or refresh gave, or (none given: the
    /// workspace keeps it in the cookie now) drops the stored copy.
    fn keep_successor(token: Option<&str>) {
        match token {
            Some(token) => store_token(token),
            None => clear_token(),
        }
    }

    pub fn start() {
        spawn_local(on_load());
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let on_visible = Closure::<dyn FnMut()>::new(|| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == VisibilityState::Visible);
            if visible {
                spawn_local(refresh_if_signed_in());
            }
        });
        if document
            .add_event_listener_with_callback(
                "visibilitychange",
                on_visible.as_ref().unchecked_ref(),
            )
            .is_ok()
        {
            // Lives as long as the page.
            on_visible.forget();
        }
    }

    async fn on_load() {
        let status = match check().await {
            Ok(status) => status,
            Err(f) if f.reason == FailureReason::Disabled => {
                logging::log!("[SessionBridge] disabled for this workspace");
                return;
            }
            Err(f) => {
                logging::warn!("[SessionBridge] session check failed: {}", f.message);
                return;
            }
        };
        let reloaded = session()
            .and_then(|s| s.get_item(RELOADED_KEY).ok().flatten())
            .is_some();
        if let Some(s) = session() {
            let _ = s.remove_item(RELOADED_KEY);
        }
        if status.authenticated {
            if status.has_token {
                rotate().await;
            }
            return;
        }
        // A sign-in waits here for its second step: ask for it (restoring
        // would replace it, and then ask again).
        if status.step_up {
            ask_in_place(None);
            return;
        }
        let token = stored_token();
        if token.is_none() && !status.has_token {
            return;
        }
        if reloaded {
            logging::warn!("[SessionBridge] restored, but the session did not stick (cookies blocked?); not reloading again");
            return;
        }
        logging::log!("[SessionBridge] session lost; restoring it with the bridge token");
        match restore(token).await {
            Ok(restored) => {
                if let Some(due) = restored.step_up {
                    // The token stays as it was until the factor is given.
                    logging::log!("[SessionBridge] restored; this workspace asks for your second factor first");
                    if !ask_in_place(Some(&due.methods)) {
                        if let Some(window) = web_sys::window() {
                            let _ = window.location().assign(TWO_STEP_PAGE);
                        }
                    }
                    return;
                }
                keep_successor(restored.new_token.as_deref());
                logging::log!("[SessionBridge] Session bridge token used to restore session");
                if let Some(s) = session() {
                    let _ = s.set_item(RELOADED_KEY, "1");
                }
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
            Err(f) if forgets(f.reason) => {
                clear_token();
                logging::warn!("[SessionBridge] the bridge token was refused; it has been removed");
            }
            Err(f) => logging::warn!(
                "[SessionBridge] restore failed, will retry on a later visit: {}",
                f.message
            ),
        }
    }

    /// A refused token (or one of someone the workspace's rollout left
    /// out: the bridge is off for them) is dropped; anything else may pass.
    fn forgets(reason: FailureReason) -> bool {
        matches!(reason, FailureReason::Invalid | FailureReason::Disabled)
    }

    /// Opens the page's step-up dialog (`pages::restore_prompt`), showing
    /// only the ways `methods` names; false if this page has none.
    fn ask_in_place(methods: Option<&[FactorMethod]>) -> bool {
        let Some(dialog) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("restore-step-up"))
        else {
            return false;
        };
        if let Some(methods) = methods {
            for (selector, method) in [
                ("[data-method=totp]", FactorMethod::Totp),
                ("[data-method=passkey]", FactorMethod::Passkey),
            ] {
                if let Ok(Some(way)) = dialog.query_selector(selector) {
                    let _ = if methods.contains(&method) {
                        way.remove_attribute("hidden")
                    } else {
                        way.set_attribute("hidden", "")
                    };
                }
            }
        }
        let opened = Reflect::get(&dialog, &"showModal".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .is_some_and(|show| show.call0(&dialog).is_ok());
        if !opened {
            logging::warn!("[SessionBridge] could not open the step-up dialog");
        }
        opened
    }

    async fn refresh_if_signed_in() {
        if matches!(check().await, Ok(status) if status.authenticated && status.has_token) {
            rotate().await;
        }
    }

    /// Swaps the stored token for its successor.
    async fn rotate() {
        match refresh(stored_token()).await {
            Ok(refreshed) => {
                keep_successor(refreshed.token.as_deref());
                logging::log!("[SessionBridge] bridge token refreshed");
            }
            Err(f) if forgets(f.reason) => {
                clear_token();
                logging::warn!("[SessionBridge] the bridge token was refused; it has been removed");
            }
            // The session went between the check and the refresh (cookies
            // cleared, or the server restarted): the token still stands,
            // and the next visit restores with it.
            Err(f) if f.reason == FailureReason::Unauthenticated => {
                logging::log!(
                    "[SessionBridge] the session ended during a refresh; keeping the token"
                );
            }
            Err(f) => logging::warn!("[SessionBridge] refresh failed: {}", f.message),
        }
    }
}
