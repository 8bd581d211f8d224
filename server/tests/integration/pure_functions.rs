//! The server crate's pure functions (the CSRF verdict, HTML escaping, the
//! static files' version), tested in this binary rather than as unit tests:
//! a unit test would compile the whole server crate a second time, as its
//! own test harness, on every run.

use axum::http::{HeaderMap, Method};
use tessera_server::{files::version, layers::csrf::verdict, layers::reply::escape_html};

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(*k, axum::http::HeaderValue::from_static(v));
    }
    map
}

#[test]
fn safe_methods_pass() {
    assert!(verdict(
        &Method::GET,
        &headers(&[("sec-fetch-site", "cross-site")]),
        false
    )
    .is_ok());
}

#[test]
fn same_origin_passes_and_anything_else_is_refused() {
    let host = ("host", "acme.localhost:3000");
    let post = |pairs: &[(&'static str, &'static str)], https| {
        verdict(&Method::POST, &headers(pairs), https)
    };
    assert!(post(&[host, ("sec-fetch-site", "same-origin")], false).is_ok());
    assert!(post(&[host, ("sec-fetch-site", "same-site")], false).is_err());
    assert!(post(&[host, ("sec-fetch-site", "cross-site")], false).is_err());
    assert!(post(&[host, ("origin", "http://acme.localhost:3000")], false).is_ok());
    assert!(post(&[host, ("origin", "http://globex.localhost:3000")], false).is_err());
    assert!(post(&[host, ("origin", "null")], false).is_err());
    assert!(
        post(&[host], false).is_ok(),
        "no cookies: nothing to forge with"
    );
}

#[test]
fn the_scheme_and_port_are_part_of_the_origin() {
    let host = ("host", "acme.localhost:3000");
    let post = |pairs: &[(&'static str, &'static str)], https| {
        verdict(&Method::POST, &headers(pairs), https)
    };
    assert!(
        post(&[host, ("origin", "http://acme.localhost:3000")], true).is_err(),
        "http page posting to the https site"
    );
    assert!(post(&[host, ("origin", "https://acme.localhost:3000")], true).is_ok());
    assert!(post(&[host, ("origin", "https://acme.localhost:3000")], false).is_err());
    assert!(post(&[host, ("origin", "http://acme.localhost:3001")], false).is_err());
    assert!(
        post(&[host, ("origin", "http://acme.localhost:3000/")], false).is_err(),
        "an Origin is never a URL"
    );
}

#[test]
fn a_cookie_bearing_post_must_say_where_it_comes_from() {
    let (host, cookie) = (
        ("host", "acme.localhost:3000"),
        ("cookie", "tenant_acme_session=x"),
    );
    assert!(verdict(&Method::POST, &headers(&[host, cookie]), false).is_err());
    assert!(verdict(
        &Method::POST,
        &headers(&[host, cookie, ("sec-fetch-site", "same-origin")]),
        false
    )
    .is_ok());
}

#[test]
fn escapes_markup() {
    assert_eq!(
        escape_html("<a href=\"x\">'&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
}

#[test]
fn the_version_follows_the_files_contents_not_their_compressed_copies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, contents: &str| {
        std::fs::write(dir.path().join(name), contents).expect("written")
    };
    assert_eq!(version(dir.path()), "0", "no files yet");
    write("tessera.js", "one");
    write("tessera.wasm", "two");
    let first = version(dir.path());
    assert_eq!(first.len(), 16);
    assert_eq!(version(dir.path()), first, "stable");
    write("tessera.js.br", "compressed");
    assert_eq!(version(dir.path()), first, "copies do not count");
    write("tessera.wasm", "three");
    assert_ne!(version(dir.path()), first, "a new build, a new address");
    assert_eq!(version(&dir.path().join("missing")), "0");
}
