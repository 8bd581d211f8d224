//! Tessera's UI, its server functions and the types they share.

pub mod api;
pub mod bridge_client;
pub mod dates;
pub mod error;
pub mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::security::content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/tessera.css"/>
        <Title text="Tessera"/>
        // Pages are rendered whole (Async) rather than streamed: a visitor
        // without JavaScript, or before hydration, sees the real content
        // instead of a Suspense fallback waiting for a script.
        <Router>
            <bridge_client::SessionBridge/>
            <main class="page">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=pages::Signup ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=pages::Login ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=pages::Register ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=pages::Dashboard ssr=SsrMode::Async/>
                    <Route path=path!("/security") view=pages::Security ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=pages::Admin ssr=SsrMode::Async/>
                    <Route path=path!("/central-admin") view=pages::CentralAdmin ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Marks the document once hydration has run, so end-to-end tests (and
/// anyone curious) can tell a live page from a server-rendered one.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
