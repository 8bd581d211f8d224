//! Tessera's UI, its server functions and the types they share.

// Views are nested types; a page with the app bar outgrows the default.
#![recursion_limit = "256"]

pub mod api;
pub mod bridge_client;
pub mod browser;
pub mod dates;
pub mod error;
pub mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server. Only the
/// islands (`#[island]`: the session bridge, the forms) hydrate.
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
                // `/pkg/<version>/tessera.css`: see the server's `files`.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options islands=true/>
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
                    <Route path=path!("/security/recovery-codes") view=pages::RecoveryCodes ssr=SsrMode::Async/>
                    <Route path=path!("/two-step") view=pages::TwoStep ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=pages::Admin ssr=SsrMode::Async/>
                    <Route path=path!("/central-admin") view=pages::CentralAdmin ssr=SsrMode::Async/>
                </Routes>
            </main>
            <pages::RestorePrompt/>
        </Router>
    }
}
