//! The tenant session layer: a tower-sessions `Session` built per request for
//! the resolved tenant, with that tenant's cookie, store and settings (which
//! can differ per tenant and change between requests, so one static
//! `SessionManagerLayer` cannot serve).

use std::sync::Arc;

use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use cookie::{Cookie, SameSite as CookieSameSite};
use tessera_app::error::ApiError;
use tessera_backend::{
    sessions::{stores::idle_expiry, AuthSession, CookieSpec, SameSite, Unsealed},
    tenancy::{is_https, Site, TenantHandle},
    Platform,
};
use tower_sessions::Session;

use super::reply;

pub async fn tenant_session(mut req: Request, next: Next) -> Response {
    let (Some(Site::Tenant(handle)), Some(platform)) =
        (req.extensions().get::<Site>().cloned(), req.extensions().get::<Arc<Platform>>().cloned())
    else {
        return next.run(req).await;
    };
    let spec = CookieSpec::for_tenant(&handle.settings, &handle.tenant.slug, &platform.config.domain, is_https(req.uri(), req.headers()));
    let presented = find_session_id(&platform, &handle, &spec, req.headers());
    // After a prefix change the browser still holds the old cookie: carry its
    // session over to the new name instead of signing everyone out.
    let renamed = match presented {
        Presented::Nothing => renamed_cookie(&platform, &handle, &spec, req.headers()),
        _ => None,
    };
    let id = match presented {
        Presented::Nothing => renamed.as_ref().map(|(_, id)| *id),
        Presented::Ours(id) => Some(id),
        Presented::Foreign(_) if handle.settings.scope_guard => {
            tracing::warn!(tenant = %handle.tenant.slug, "refused a session cookie made for another tenant");
            let error = ApiError::Forbidden("this session belongs to another workspace".into());
            return reply::error(req.uri().path(), req.headers(), error);
        }
        // The documented insecure combination (with isolation off): used as is.
        Presented::Foreign(id) => Some(id),
    };
    let store = match platform.session_store(&handle).await {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(tenant = %handle.tenant.slug, error = %e, "session store unavailable");
            let error = ApiError::Unavailable("this workspace is unavailable right now; please try again shortly".into());
            return reply::error(req.uri().path(), req.headers(), error);
        }
    };
    let session = Session::new(id, Arc::new(store), Some(idle_expiry(handle.settings.lifetime)));
    req.extensions_mut().insert(AuthSession::new(session.clone(), handle.tenant.id, handle.settings.scope_guard));
    let had_cookie = cookie_values(req.headers(), &spec.name).next().is_some();
    let path = req.uri().path().to_owned();
    let mut accept = HeaderMap::new();
    if let Some(value) = req.headers().get(header::ACCEPT) {
        accept.insert(header::ACCEPT, value.clone());
    }
    let mut response = next.run(req).await;
    if let Some((old_name, _)) = renamed {
        move_cookie(&session, &platform, &handle, &spec, &old_name, &mut response).await;
    }
    if let Err(error) = persist(&session, &platform, &handle, &spec, had_cookie, &mut response).await {
        tracing::error!(tenant = %handle.tenant.slug, %error, "saving the session failed");
        let error = ApiError::Unavailable("your session could not be saved; please try again".into());
        return reply::error(&path, &accept, error);
    }
    response
}

enum Presented {
    Nothing,
    Ours(tower_sessions::session::Id),
    /// Sealed for another tenant; the id is only used with the scope guard off.
    Foreign(tower_sessions::session::Id),
}

/// Every `name=value` pair of the request's Cookie headers.
fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
}

fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    cookie_pairs(headers).filter(move |(k, _)| *k == name).map(|(_, v)| v)
}

/// Browsers may send several cookies of one name (a host-only one and a
/// parent-domain one planted by a sibling): the first valid one for this
/// tenant wins; foreign ones are only reported when none is ours.
fn find_session_id(platform: &Platform, handle: &TenantHandle, spec: &CookieSpec, headers: &HeaderMap) -> Presented {
    let mut verdict = Presented::Nothing;
    for value in cookie_values(headers, &spec.name) {
        match platform.seal.open(value, handle.tenant.id) {
            Unsealed::Ours(id) => return Presented::Ours(id),
            Unsealed::Foreign { id, .. } => {
                if matches!(verdict, Presented::Nothing) {
                    verdict = Presented::Foreign(id);
                }
            }
            Unsealed::Invalid => {}
        }
    }
    verdict
}

/// A valid session cookie of this tenant under another prefix's name
/// (`<old prefix>_<slug>_session`), with its session id.
fn renamed_cookie(
    platform: &Platform,
    handle: &TenantHandle,
    spec: &CookieSpec,
    headers: &HeaderMap,
) -> Option<(String, tower_sessions::session::Id)> {
    let suffix = format!("_{}_session", handle.tenant.slug);
    cookie_pairs(headers)
        .filter(|(name, _)| name.ends_with(&suffix) && *name != spec.name)
        .find_map(|(name, value)| match platform.seal.open(value, handle.tenant.id) {
            Unsealed::Ours(id) => Some((name.to_owned(), id)),
            _ => None,
        })
}

/// Re-issues a live session under the current cookie name and expires the
/// old one (host-only, and for the parent domain in case it was shared).
async fn move_cookie(session: &Session, platform: &Platform, handle: &TenantHandle, spec: &CookieSpec, old_name: &str, response: &mut Response) {
    if session.is_empty().await {
        return;
    }
    if let Some(id) = session.id() {
        issue_cookie(response, platform, handle, spec, id);
    }
    let old = CookieSpec { name: old_name.to_owned(), domain: None, ..spec.clone() };
    expire_cookie(response, &old);
    if platform.config.domain.accepts_domain_cookies() {
        expire_cookie(response, &CookieSpec { domain: Some(platform.config.domain.as_str().to_owned()), ..old });
    }
}

/// After the handler: save a changed session and (re)issue its cookie, or
/// expire the cookie of an emptied one, as tower-sessions' own layer does.
async fn persist(
    session: &Session,
    platform: &Platform,
    handle: &TenantHandle,
    spec: &CookieSpec,
    had_cookie: bool,
    response: &mut Response,
) -> Result<(), tower_sessions::session::Error> {
    let empty = session.is_empty().await;
    if had_cookie && empty {
        expire_cookie(response, spec);
    } else if session.is_modified() && !empty && !response.status().is_server_error() {
        session.save().await?;
        if let Some(id) = session.id() {
            issue_cookie(response, platform, handle, spec, id);
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

/// Sets the sealed session cookie, living as long as an idle session.
fn issue_cookie(response: &mut Response, platform: &Platform, handle: &TenantHandle, spec: &CookieSpec, id: tower_sessions::session::Id) {
    let mut cookie = build_cookie(spec, platform.seal.seal(handle.tenant.id, id));
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
