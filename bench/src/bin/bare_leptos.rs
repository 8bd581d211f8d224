//! The framework's floor: a bare leptos_axum app (the same Leptos, axum,
//! runtime, release profile and allocator as Tessera) with one server-rendered
//! page, the same page in islands mode with one island (`/islands`, as
//! Tessera's pages are), and one server function. Nothing Tessera adds can
//! be faster than this.

use std::net::SocketAddr;

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use leptos_router::{
    components::{Route, Router as Routes, Routes as RouteList},
    path,
};
use mimalloc::MiMalloc;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

#[server(prefix = "/api", endpoint = "hello")]
pub async fn hello() -> Result<String, ServerFnError> {
    Ok("Hello, World!".to_owned())
}

/// The smallest interactive part a page can have.
#[island]
fn Toggle() -> impl IntoView {
    let (on, set_on) = signal(false);
    view! { <button on:click=move |_| set_on.update(|on| *on = !*on)>{move || if on.get() { "on" } else { "off" }}</button> }
}

#[component]
fn App() -> impl IntoView {
    view! {
        <Routes>
            <RouteList fallback=|| "not found">
                <Route path=path!("/") view=|| view! { <p>"Hello, World!"</p> }/>
                <Route path=path!("/islands") view=|| view! { <p>"Hello, World!"</p><Toggle/> }/>
            </RouteList>
        </Routes>
    }
}

fn shell(options: LeptosOptions) -> impl IntoView {
    let islands = use_context::<http::request::Parts>().is_some_and(|r| r.uri.path() == "/islands");
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <HydrationScripts options islands/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3998)));
    let options = LeptosOptions::builder()
        .output_name("bare")
        .site_addr(addr)
        .build();
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options);
    axum::serve(tokio::net::TcpListener::bind(addr).await?, app).await
}
