//! The tenant session layer: a tower-sessions `Session` built per request for
//! the resolved tenant, with that tenant's cookie, store and settings (which
//! can differ per tenant and change between requests, so one static
//! `SessionManagerLayer` cannot serve).

use std::{future::Future, sync::Arc};

use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderValue},
    response::Response,
};
use cookie::{Cookie, SameSite as CookieSameSite};
use tessera_app::{error::ApiError, server::context::Visit};
use tessera_backend::{
    keys::{KeyId, KeyRing},
    sessions::{cookie_pairs, seal, stores::idle_expiry, AuthSession, CookieSpec, Unsealed},
    settings::SameSite,
    tenancy::{TenantHandle, TenantId},
    Platform,
};
use tower_sessions::Session;

use super::reply::{self, Audience};

/// Runs `next` with this tenant's session in the request's extensions, then
/// saves it and sets, renews or expires its cookie.
pub async fn around<F>(
    platform: &Platform,
    handle: &TenantHandle,
    mut visit: Visit,
    audience: Audience,
    mut req: Request,
    next: impl FnOnce(Request) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let spec = handle.cookie(visit.client.https);
    let ring = platform.keys.ring().await;
    let presented = Presented::find(&ring, handle, spec, req.headers());
    // After a prefix change the browser still holds the old cookie: carry its
    // session over to the new name instead of signing everyone out.
    let renamed = match presented.verdict {
        Verdict::Nothing => renamed_cookie(&ring, handle, spec, req.headers()),
        _ => None,
    };
    // The session keeps the key its cookie names; a new one takes the primary.
    let (sealed, foreign) = match presented.verdict {
        Verdict::Nothing => (renamed.as_ref().map(|(_, sealed)| *sealed), false),
        Verdict::Ours(sealed) => (Some(sealed), false),
        // Refused wherever this request needs a session (403); a sign-in in
        // the same request still works, and the response expires the cookie.
        Verdict::Foreign(_) if handle.settings.scope_guard => {
            tracing::warn!(tenant = %handle.tenant.slug, "refused a session cookie made for another tenant");
            (None, true)
        }
        // The documented insecure combination (with isolation off): used as is.
        Verdict::Foreign(sealed) => (Some(sealed), false),
    };
    let key = sealed.map_or(ring.primary(), |s| s.key);
    let store = match platform.session_store(handle, &ring, key) {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(tenant = %handle.tenant.slug, error = %e, "session store unavailable");
            let error = ApiError::Unavailable(
                "this workspace is unavailable right now; please try again shortly".into(),
            );
            return reply::error(audience, error);
        }
    };
    let principal = store.principal_slot();
    let session = Session::new(
        sealed.map(|s| s.id),
        Arc::new(store),
        Some(idle_expiry(handle.settings.lifetime)),
    );
    visit.session = Some(AuthSession::new(
        session.clone(),
        handle.tenant.id,
        handle.settings.scope_guard,
        foreign,
        key,
        principal,
        platform.clock.clone(),
    ));
    if is_page(&req) {
        let at = tessera_app::server::context::of_visit(&visit, req.headers());
        visit.visitor = Some(tessera_app::server::auth::visitor_of(at).await);
    }
    req.extensions_mut().insert(visit);
    let mut response = next(req).await;
    if presented.strays {
        expire_strays(platform, spec, presented.verdict.is_ours(), &mut response);
    }
    let sealer = Sealer {
        ring: &ring,
        key,
        tenant: handle.tenant.id,
    };
    if let Some((old_name, _)) = renamed {
        move_cookie(
            &session,
            platform,
            &sealer,
            handle,
            spec,
            &old_name,
            &mut response,
        )
        .await;
    }
    if let Err(error) = persist(
        &session,
        &sealer,
        handle,
        spec,
        presented.any,
        &mut response,
    )
    .await
    {
        tracing::error!(tenant = %handle.tenant.slug, %error, "saving the session failed");
        let error =
            ApiError::Unavailable("your session could not be saved; please try again".into());
        return reply::error(audience, error);
    }
    response
}

/// What the request's cookies of our name amount to.
struct Presented {
    verdict: Verdict,
    /// Any cookie of our name at all.
    any: bool,
    /// Values that are not a live session of ours: another tenant's (tossed
    /// from a sibling subdomain) or garbage. They are expired in the response.
    strays: bool,
}

/// A session id and the key its cookie was sealed with.
#[derive(Debug, Clone, Copy)]
struct Sealed {
    key: KeyId,
    id: tower_sessions::session::Id,
}

enum Verdict {
    Nothing,
    Ours(Sealed),
    /// Sealed for another tenant; the id is only used with the scope guard off.
    Foreign(Sealed),
}

impl Verdict {
    fn is_ours(&self) -> bool {
        matches!(self, Verdict::Ours(_))
    }
}

/// A page (rather than the API or a form post): rendered from the visitor
/// read here, once, before it renders.
fn is_page(req: &Request) -> bool {
    req.method() == axum::http::Method::GET && !req.uri().path().starts_with("/api/")
}

impl Presented {
    /// Browsers may send several cookies of one name (a host-only one and a
    /// parent-domain one planted by a sibling): the first valid one for this
    /// tenant wins; foreign ones are only reported when none is ours.
    fn find(ring: &KeyRing, handle: &TenantHandle, spec: &CookieSpec, headers: &HeaderMap) -> Self {
        let mut presented = Self {
            verdict: Verdict::Nothing,
            any: false,
            strays: false,
        };
        for (_, value) in cookie_pairs(headers).filter(|(name, _)| *name == spec.name) {
            presented.any = true;
            match seal::open(ring, value, handle.tenant.id) {
                Unsealed::Ours { key, id } if !presented.verdict.is_ours() => {
                    presented.verdict = Verdict::Ours(Sealed { key, id })
                }
                Unsealed::Ours { .. } => {}
                Unsealed::Foreign { key, id, .. } => {
                    presented.strays = true;
                    if matches!(presented.verdict, Verdict::Nothing) {
                        presented.verdict = Verdict::Foreign(Sealed { key, id });
                    }
                }
                Unsealed::Invalid => presented.strays = true,
            }
        }
        presented
    }
}

/// Expires cookies of our name that are not our session. The variant our
/// own cookie never uses (the parent-domain one when ours is host-only, and
/// the other way round) always goes; ours too when it held no live session.
/// Nothing of a live session of ours is touched.
fn expire_strays(platform: &Platform, spec: &CookieSpec, have_ours: bool, response: &mut Response) {
    let host_only = CookieSpec {
        domain: None,
        ..spec.clone()
    };
    let parent = platform
        .config
        .domain
        .accepts_domain_cookies()
        .then(|| CookieSpec {
            domain: Some(platform.config.domain.as_str().to_owned()),
            ..spec.clone()
        });
    let (ours, other) = match spec.domain {
        None => (Some(host_only), parent),
        Some(_) => (parent, Some(host_only)),
    };
    for variant in other.into_iter().chain(ours.filter(|_| !have_ours)) {
        expire_cookie(response, &variant);
    }
}

/// A valid session cookie of this tenant under a name it issued before its
/// current prefix (`CookieSpec::former_names`), with its session id. No
/// other name is ever adopted: not a made-up prefix, and on https not the
/// plain twin of a `__Host-` name, which anyone on a sibling subdomain or
/// on the network could have planted.
fn renamed_cookie(
    ring: &KeyRing,
    handle: &TenantHandle,
    spec: &CookieSpec,
    headers: &HeaderMap,
) -> Option<(String, Sealed)> {
    if spec.former_names.is_empty() {
        return None;
    }
    cookie_pairs(headers)
        .filter(|(name, _)| spec.former_names.iter().any(|former| former == name))
        .find_map(
            |(name, value)| match seal::open(ring, value, handle.tenant.id) {
                Unsealed::Ours { key, id } => Some((name.to_owned(), Sealed { key, id })),
                _ => None,
            },
        )
}

/// Re-issues a live session under the current cookie name and expires the
/// old one (host-only, and for the parent domain in case it was shared).
async fn move_cookie(
    session: &Session,
    platform: &Platform,
    sealer: &Sealer<'_>,
    handle: &TenantHandle,
    spec: &CookieSpec,
    old_name: &str,
    response: &mut Response,
) {
    if session.is_empty().await {
        return;
    }
    if let Some(id) = session.id() {
        issue_cookie(response, sealer, handle, spec, id);
    }
    let old = CookieSpec {
        name: old_name.to_owned(),
        domain: None,
        ..spec.clone()
    };
    expire_cookie(response, &old);
    if platform.config.domain.accepts_domain_cookies() {
        expire_cookie(
            response,
            &CookieSpec {
                domain: Some(platform.config.domain.as_str().to_owned()),
                ..old
            },
        );
    }
}

/// After the handler: save a changed session and (re)issue its cookie, or
/// expire the cookie of an emptied one, as tower-sessions' own layer does.
async fn persist(
    session: &Session,
    sealer: &Sealer<'_>,
    handle: &TenantHandle,
    spec: &CookieSpec,
    had_cookie: bool,
    response: &mut Response,
) -> Result<(), tower_sessions::session::Error> {
    // A failed request leaves the session as it was: no cookie is expired
    // because the store could not be read (an outage is not a sign-out), and
    // the store is not asked again.
    if response.status().is_server_error() {
        return Ok(());
    }
    let empty = session.is_empty().await;
    if had_cookie && empty {
        expire_cookie(response, spec);
    } else if session.is_modified() && !empty {
        session.save().await?;
        if let Some(id) = session.id() {
            issue_cookie(response, sealer, handle, spec, id);
        }
    }
    Ok(())
}

fn build_cookie(spec: &CookieSpec, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::build((spec.name.clone(), value))
        .path("/")
        .http_only(true)
        .secure(spec.secure)
        .same_site(match spec.same_site {
            SameSite::Strict => CookieSameSite::Strict,
            SameSite::Lax => CookieSameSite::Lax,
            SameSite::None => CookieSameSite::None,
        })
        .build();
    if let Some(domain) = &spec.domain {
        cookie.set_domain(domain.clone());
    }
    cookie
}

/// Seals this request's session cookies: with the key the presented cookie
/// named (its id is hashed in the store with that key), else the primary.
struct Sealer<'a> {
    ring: &'a KeyRing,
    key: KeyId,
    tenant: TenantId,
}

/// Sets the sealed session cookie, living as long as an idle session.
fn issue_cookie(
    response: &mut Response,
    sealer: &Sealer<'_>,
    handle: &TenantHandle,
    spec: &CookieSpec,
    id: tower_sessions::session::Id,
) {
    // The key is in the ring: the store for this request was made with it.
    let Some(value) = seal::seal(sealer.ring, sealer.key, sealer.tenant, id) else {
        return;
    };
    let mut cookie = build_cookie(spec, value);
    cookie.set_max_age(time::Duration::try_from(handle.settings.lifetime).ok());
    set_cookie(response, &cookie);
}

/// Tells the browser to drop the cookie `spec` names (same Path and Domain).
fn expire_cookie(response: &mut Response, spec: &CookieSpec) {
    let mut cookie = build_cookie(spec, String::new());
    cookie.make_removal();
    set_cookie(response, &cookie);
}

fn set_cookie(response: &mut Response, cookie: &Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
