//! Where the browser keeps its bridge token (`bridge.storage`): in the
//! answer, for the page's script to put in `localStorage`, or in an
//! `HttpOnly` cookie that no script ever sees (`bridge::cookie`). Every
//! endpoint that takes or gives a token goes through here, so the answer
//! bodies of the cookie mode never carry one.
//!
//! Either mode reads a token from both places: a tenant switching modes
//! keeps everyone signed in, and each browser's token moves to the new
//! place on its next restore or refresh (the answer gives it there, and
//! drops the old place: the client forgets its stored copy, a `Set-Cookie`
//! expires the cookie).

use http::{header, request::Parts, HeaderValue};
use leptos::prelude::{use_context, with_context};
use leptos_axum::ResponseOptions;
use tessera_backend::{
    bridge::{cookie::Carried, BridgeCookie, Rotated},
    settings::BridgeStorage,
};

use super::context::TenantContext;

/// A token as the browser presented it.
pub(super) enum Presented {
    Nothing,
    Token(String),
    /// Two cookies of the bridge's name: one was planted beside ours.
    Ambiguous,
}

fn cookie(ctx: &TenantContext) -> &BridgeCookie {
    ctx.tenant.bridge_cookie(ctx.client.https)
}

fn in_cookie(ctx: &TenantContext) -> bool {
    ctx.tenant.settings.bridge.storage == BridgeStorage::Cookie
}

/// The token this request presents: where the tenant keeps tokens now
/// first, else where it kept them before (a browser not moved over yet) —
/// so a stale copy a script still holds never shadows the cookie.
pub(super) fn presented(ctx: &TenantContext, body: Option<String>) -> Presented {
    let body = body.filter(|t| !t.is_empty());
    if in_cookie(ctx) {
        match in_cookie_header(ctx) {
            Presented::Nothing => body.map_or(Presented::Nothing, Presented::Token),
            found => found,
        }
    } else {
        body.map_or_else(|| in_cookie_header(ctx), Presented::Token)
    }
}

fn in_cookie_header(ctx: &TenantContext) -> Presented {
    with_context::<Parts, _>(|parts| match cookie(ctx).pick(&parts.headers) {
        Carried::Nothing => Presented::Nothing,
        Carried::One(token) => Presented::Token(token.to_owned()),
        Carried::Ambiguous => Presented::Ambiguous,
    })
    .unwrap_or(Presented::Nothing)
}

/// Whether the request carries a bridge cookie at all (for `check`).
pub(super) fn carries_cookie(ctx: &TenantContext) -> bool {
    !matches!(in_cookie_header(ctx), Presented::Nothing)
}

/// Gives the browser its new token: in a `Set-Cookie` living as long as
/// the device (the answer then carries none: `None`), or in the answer,
/// dropping a cookie left from the cookie mode.
pub(super) fn hand_over(ctx: &TenantContext, rotated: &Rotated) -> Option<String> {
    let spec = cookie(ctx);
    if in_cookie(ctx) {
        let lifetime = rotated.expires_at - ctx.platform.clock.unix();
        let headers = std::iter::once(spec.set(&rotated.token.expose(), lifetime))
            .chain(spec.expire_former());
        set_cookies(headers);
        None
    } else {
        if carries_cookie(ctx) {
            set_cookies(spec.expire());
        }
        Some(rotated.token.expose())
    }
}

/// Drops the bridge cookie (sign-out, a token refused): what the server
/// revoked, the browser need not keep presenting.
pub(super) fn forget(ctx: &TenantContext) {
    if in_cookie(ctx) || carries_cookie(ctx) {
        set_cookies(cookie(ctx).expire());
    }
}

fn set_cookies(values: impl IntoIterator<Item = String>) {
    let Some(options) = use_context::<ResponseOptions>() else {
        return;
    };
    for value in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            options.append_header(header::SET_COOKIE, value);
        }
    }
}
