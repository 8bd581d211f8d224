//! The site's static files: the wasm, its JavaScript and the stylesheet
//! under `/pkg`, and the favicon.
//!
//! Pages link the files under `/pkg/<version>/`, where the version is a
//! hash of the files' contents taken at startup, so a browser may keep them
//! for a year (`immutable`): a new build is a new address. What
//! `cargo leptos build --release --precompress` leaves beside each file
//! (`.br`, `.gz`) is sent to browsers that accept it. The unversioned
//! `/pkg/` stays for anything that linked it, revalidated on every use.

use std::path::Path;

use axum::{
    http::{header, HeaderValue},
    Router,
};
use sha2::{Digest, Sha256};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

const FOREVER: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// The first 16 hex digits of a hash over the names and contents of the
/// files in `pkg` (not the precompressed copies, which follow from them).
/// An unreadable or missing directory is version `0`: pages still render,
/// and their files are answered 404 as they would be anyway.
pub fn version(pkg: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(pkg)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    path.is_file()
                        && !path
                            .extension()
                            .is_some_and(|ext| ext == "br" || ext == "gz")
                })
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        return "0".to_owned();
    }
    files.sort();
    let mut hash = Sha256::new();
    for path in files {
        hash.update(path.file_name().unwrap_or_default().as_encoded_bytes());
        hash.update([0]);
        hash.update(std::fs::read(&path).unwrap_or_default());
        hash.update([0]);
    }
    hash.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `/pkg/<version>/*` for a year, `/pkg/*` revalidated, `/favicon.svg`.
pub fn router(site_root: &str, pkg_dir: &str, version: &str) -> Router {
    let pkg = format!("{site_root}/{pkg_dir}");
    // The same address answers br, gzip or plain: shared caches must keep
    // them apart (ServeDir does not say so itself).
    let served = |cache_control: HeaderValue| {
        Router::new()
            .fallback_service(ServeDir::new(&pkg).precompressed_br().precompressed_gzip())
            .layer(SetResponseHeaderLayer::appending(
                header::VARY,
                HeaderValue::from_static("accept-encoding"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                cache_control,
            ))
    };
    Router::new()
        .nest_service(&format!("/{pkg_dir}/{version}"), served(FOREVER))
        .nest_service(&format!("/{pkg_dir}"), served(REVALIDATE))
        .route_service(
            "/favicon.svg",
            ServeFile::new(format!("{site_root}/favicon.svg")),
        )
}
