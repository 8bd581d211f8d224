//! The Content-Security-Policy of every page. The bridge may keep its token
//! in localStorage (`bridge.storage`), which any script on the page can
//! read; so no script runs unless it is ours: files from this origin, and
//! inline scripts (Leptos' hydration bootstrap and resource data) carrying
//! this response's nonce.

use http::{header, HeaderValue};
use leptos::{nonce::use_nonce, prelude::use_context};
use leptos_axum::ResponseOptions;

pub fn content_security_policy() {
    let (Some(nonce), Some(options)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
