//! Pages keep rendering while leptos_server suppresses resource loads: the
//! cause of the integration binary's rare hang. `generate_route_list` holds
//! that process-wide suppression while it runs; a page whose data came
//! through a `Resource` polled inside that window waited forever.

use std::time::Duration;

use base64::{engine::general_purpose::STANDARD, Engine};
use reqwest::{header, StatusCode};

use crate::support::TestApp;

const SECRET: &str = "a central admin password";

#[tokio::test]
async fn data_pages_render_while_resource_loads_are_suppressed() {
    let app = TestApp::spawn_with(&[("TESSERA_CENTRAL_ADMIN_PASSWORD", SECRET)]).await;
    let admin = app.browser();
    app.register(&admin, "acme", "ada@acme.test").await;
    // The app exists, so the process's one route list is made: from here on
    // only this guard suppresses, for exactly the requests below.
    let suppressed = leptos::server::SuppressResourceLoad::new();
    let basic = format!("Basic {}", STANDARD.encode(format!("admin:{SECRET}")));
    let pages = [
        (admin.get(app.url(Some("acme"), "/admin")), "Settings"),
        (
            admin.get(app.url(Some("acme"), "/security")),
            "Your sessions",
        ),
        (
            app.raw()
                .get(app.url(None, "/central-admin"))
                .header(header::AUTHORIZATION, basic),
            "Tenants",
        ),
    ];
    for (request, heading) in pages {
        let response = tokio::time::timeout(Duration::from_secs(10), request.send())
            .await
            .expect("the page renders while resource loads are suppressed")
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.expect("html");
        assert!(html.contains(heading), "{heading} missing:\n{html}");
    }
    drop(suppressed);
}
