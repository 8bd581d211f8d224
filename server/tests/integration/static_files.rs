//! The site's files: linked by a versioned address and kept by browsers for
//! a year, sent precompressed to browsers that accept it.

use reqwest::header;

use crate::support::TestApp;

/// The address the sign-in page links its stylesheet at.
async fn versioned_pkg(app: &TestApp) -> String {
    let page = app.html(&app.raw(), Some("acme"), "/login").await;
    let start = page.find("/pkg/").expect("the page links /pkg/");
    let rest = &page[start..];
    let css = rest.find("/tessera.css").expect("a stylesheet under /pkg/");
    rest[..css].to_owned()
}

#[tokio::test]
async fn files_are_versioned_long_cached_and_precompressed() {
    let app = TestApp::spawn().await;
    let pkg = versioned_pkg(&app).await;
    let version = pkg.trim_start_matches("/pkg/");
    assert_eq!(version.len(), 16, "a content hash: {pkg}");

    let client = app.raw();
    let get = |path: String, accept: &'static str| {
        let request = client.get(app.url(None, &path));
        async move {
            let request = if accept.is_empty() {
                request
            } else {
                request.header(header::ACCEPT_ENCODING, accept)
            };
            request.send().await.expect("file")
        }
    };
    let header_of = |r: &reqwest::Response, name: header::HeaderName| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };

    for (accept, encoding, body) in [
        ("br, gzip", "br", "brotli"),
        ("gzip", "gzip", "gzip"),
        ("", "", "export function hydrate() {}\n"),
    ] {
        let answer = get(format!("{pkg}/tessera.js"), accept).await;
        assert_eq!(answer.status(), 200, "Accept-Encoding: {accept}");
        assert_eq!(
            header_of(&answer, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header_of(&answer, header::CONTENT_ENCODING), encoding);
        assert!(
            header_of(&answer, header::VARY).contains("accept-encoding"),
            "caches must keep the encodings apart"
        );
        assert_eq!(answer.text().await.expect("body"), body);
    }

    // The stylesheet has no compressed copy here: sent as it is.
    let css = get(format!("{pkg}/tessera.css"), "br, gzip").await;
    assert_eq!(css.status(), 200);
    assert_eq!(header_of(&css, header::CONTENT_ENCODING), "");

    // Unversioned, a file may change under the same address: revalidated.
    let plain = get("/pkg/tessera.js".to_owned(), "").await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header_of(&plain, header::CACHE_CONTROL), "no-cache");

    // Another build's version is not this one's files.
    let stale = get("/pkg/0123456789abcdef/tessera.js".to_owned(), "").await;
    assert_eq!(stale.status(), 404);
}
