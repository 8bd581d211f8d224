//! The page in the browser once its islands have hydrated. (Compiled on the
//! server too, for the types islands take as props.)

#[cfg(feature = "hydrate")]
pub mod forms;
#[cfg(feature = "hydrate")]
pub mod passkeys;

use serde::{Deserialize, Serialize};

/// A form's own work with a successful answer, in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AfterPost {
    Nothing,
    /// Keep the `bridge_token` a sign-in answers with.
    KeepBridgeToken,
    /// Forget the stored bridge token: this browser signed out.
    DropBridgeToken,
    /// A fresh proof for a privileged action was given: stay on the page
    /// (its other forms keep what was typed), the prompt says so.
    SteppedUp,
}

/// Which ceremony a button runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasskeyCeremony {
    /// Signs in with a passkey alone, or finishes a sign-in waiting for its
    /// second factor; the next page is the server's.
    SignIn,
    /// Confirms it is you for a privileged action: stays on the page.
    StepUp,
}

/// Called once by the wasm entry point, before the islands hydrate.
#[cfg(feature = "hydrate")]
pub fn start() {
    mark_hydrated_after_islands();
}

/// Marks the document once its islands are live, so end-to-end tests (and
/// anyone curious) can tell a hydrated page from a server-rendered one. The
/// loader hydrates the islands right after `start` returns, in microtasks;
/// a zero timeout runs after all of them.
#[cfg(feature = "hydrate")]
fn mark_hydrated_after_islands() {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let mark = wasm_bindgen::closure::Closure::once_into_js(|| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let _ = window.set_timeout_with_callback(mark.unchecked_ref());
}
