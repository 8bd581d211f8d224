//! The page in the browser once its islands have hydrated: where a
//! successful form post goes next, and the mark end-to-end tests wait for.
//!
//! Pages are rendered on the server, so after a post that changed something
//! the browser loads a page again, like a plain form post would: to where
//! the server function said (`leptos_axum::redirect`, which reaches the
//! client as a redirect hint), or the same page, re-rendered. The hint is
//! only recorded when it arrives and followed once the form has done its own
//! work with the answer (keeping or dropping the bridge token), so the
//! browser never leaves before that.

use std::cell::RefCell;

use wasm_bindgen::JsCast;

thread_local! {
    static NEXT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Called once by the wasm entry point, before the islands hydrate.
pub fn start() {
    // Only the first call installs a hook; there is no second caller.
    let _ = server_fn::redirect::set_redirect_hook(|location| {
        NEXT.with(|next| *next.borrow_mut() = Some(location.to_owned()));
    });
    mark_hydrated_after_islands();
}

/// After a successful post: where the server said to go, or this page again.
pub fn go_on() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let _ = match NEXT.with(|next| next.borrow_mut().take()) {
        Some(next) => location.assign(&next),
        None => location.reload(),
    };
}

/// Marks the document once its islands are live, so end-to-end tests (and
/// anyone curious) can tell a hydrated page from a server-rendered one. The
/// loader hydrates the islands right after `start` returns, in microtasks;
/// a zero timeout runs after all of them.
fn mark_hydrated_after_islands() {
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
