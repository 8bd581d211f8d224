//! The bridge token as a browser holds it under each `bridge.storage`: in
//! an answer's body (for the page's script to keep in localStorage), or in
//! the `HttpOnly` cookie the server sets and the browser sends back.

use reqwest::{header, RequestBuilder, StatusCode};
use serde_json::{json, Value};

/// Where a test app's tenants keep bridge tokens (`BRIDGE_STORAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    LocalStorage,
    Cookie,
}

impl Storage {
    pub const BOTH: [Storage; 2] = [Storage::LocalStorage, Storage::Cookie];

    /// The setting's value.
    pub fn value(self) -> &'static str {
        match self {
            Storage::LocalStorage => "local_storage",
            Storage::Cookie => "cookie",
        }
    }

    /// The environment that gives every tenant this mode.
    pub fn env(self) -> (&'static str, &'static str) {
        ("BRIDGE_STORAGE", self.value())
    }

    /// The mode an app started with `env` runs.
    pub fn of_env(env: &[(String, String)]) -> Self {
        match env.iter().rev().find(|(k, _)| k == "BRIDGE_STORAGE") {
            Some((_, v)) if v == "cookie" => Storage::Cookie,
            _ => Storage::LocalStorage,
        }
    }

    /// The token an answer handed over in `field`: in its body, or (cookie
    /// mode) in its `Set-Cookie`, the body's field then being null — no
    /// answer of the cookie mode may carry the token where a script reads it.
    pub fn handed(
        self,
        tenant: &str,
        headers: &header::HeaderMap,
        body: &Value,
        field: &str,
    ) -> Option<String> {
        match self {
            Storage::LocalStorage => body[field].as_str().map(str::to_owned),
            Storage::Cookie => {
                assert_eq!(body[field], Value::Null, "a token in the body: {body}");
                bridge_cookie_in(headers, tenant)
            }
        }
    }

    /// A request presenting `token` as a browser in this mode does: in the
    /// JSON body beside `body`'s fields, or in the bridge cookie beside the
    /// session cookie (`session`, `name=value`) if any.
    pub fn present(
        self,
        request: RequestBuilder,
        tenant: &str,
        token: Option<&str>,
        session: Option<&str>,
        mut body: Value,
    ) -> RequestBuilder {
        let mut cookies: Vec<String> = session.map(str::to_owned).into_iter().collect();
        match (self, token) {
            (Storage::LocalStorage, Some(token)) => body["token"] = json!(token),
            (Storage::Cookie, Some(token)) => {
                cookies.push(format!("{}={token}", cookie_name(tenant)))
            }
            (_, None) => {}
        }
        // As the page's own script sends them: a cookie-bearing request
        // must say where it comes from (the front door's CSRF step).
        let request = if cookies.is_empty() {
            request
        } else {
            request
                .header(header::COOKIE, cookies.join("; "))
                .header("sec-fetch-site", "same-origin")
        };
        request.json(&body)
    }
}

/// The bridge cookie's name at `tenant` over http (the default prefix).
pub fn cookie_name(tenant: &str) -> String {
    format!("tenant_{tenant}_bridge")
}

/// The bridge cookie an answer set (not one it expired), its value.
pub fn bridge_cookie_in(headers: &header::HeaderMap, tenant: &str) -> Option<String> {
    super::cookie_set_in(headers, &cookie_name(tenant))
        .map(|pair| super::value_of(&pair).to_owned())
}

/// A POST to the bridge's `path` at `tenant`, presenting `token` as a
/// browser in `storage` mode does, beside the session cookie `session`
/// (`name=value`) if any.
pub async fn bridge_call(
    app: &super::TestApp,
    storage: Storage,
    tenant: &str,
    path: &str,
    token: Option<&str>,
    session: Option<&str>,
) -> Answer {
    let request = app.raw().post(app.url(Some(tenant), path));
    let request = storage.present(request, tenant, token, session, json!({}));
    answer(request.send().await.expect("sent")).await
}

/// An answer's status, headers and JSON body (null if none).
pub type Answer = (StatusCode, header::HeaderMap, Value);

pub async fn answer(response: reqwest::Response) -> Answer {
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Whether an answer expired the bridge cookie.
pub fn expires_bridge_cookie(headers: &header::HeaderMap, tenant: &str) -> bool {
    let prefix = format!("{}=;", cookie_name(tenant));
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(&prefix) && v.contains("Max-Age=0"))
}
