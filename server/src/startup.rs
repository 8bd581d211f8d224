//! Building the web application: the router, its layers, the listener.

use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
};

use axum::{extract::FromRef, Router};
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tessera_app::{shell, App};
use tessera_backend::{
    clock::Clock, platform::StartError, settings::CROSSING_WARNING, Config, Platform,
};
use tokio::net::TcpListener;

use crate::{files, layers::FrontDoorLayer};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Platform(#[from] StartError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    platform: Arc<Platform>,
}

impl Application {
    /// Opens storage and binds the listener; port 0 picks a free port.
    /// `clock` is the system's in production, a manual one in tests.
    pub async fn build(
        config: Config,
        leptos_options: LeptosOptions,
        clock: Clock,
    ) -> Result<Self, StartupError> {
        let addr = config.site_addr;
        let platform = Arc::new(Platform::open(config, clock).await?);
        platform.listen();
        if platform
            .config
            .session_defaults
            .lets_sessions_cross_tenants()
        {
            tracing::warn!("{CROSSING_WARNING} (environment defaults)");
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let router = router(Arc::clone(&platform), leptos_options);
        Ok(Self {
            listener,
            router,
            platform,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn platform(&self) -> Arc<Platform> {
        Arc::clone(&self.platform)
    }

    /// Serves until SIGINT/SIGTERM, lets requests in flight finish, then
    /// closes the databases.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        self.platform.close().await;
        served
    }
}

/// The router's state. axum and leptos_axum clone it on every request (the
/// handler, then the context a server function runs in), so it is one
/// pointer rather than the options' dozen fields.
#[derive(Clone)]
struct SiteState(Arc<LeptosOptions>);

impl FromRef<SiteState> for LeptosOptions {
    fn from_ref(state: &SiteState) -> Self {
        LeptosOptions::clone(&state.0)
    }
}

/// The app's routes, generated once per process. Generating them holds
/// leptos_server's process-wide resource suppression, under which any
/// resource polled on another thread waits forever; once, before any
/// `Application` serves, nothing can be rendering then.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn router(platform: Arc<Platform>, mut leptos_options: LeptosOptions) -> Router {
    let routes = routes();
    let site_root = leptos_options.site_root.to_string();
    let pkg_dir = leptos_options.site_pkg_dir.to_string();
    let version = files::version(std::path::Path::new(&format!("{site_root}/{pkg_dir}")));
    // Files need no tenant and no session: the front door serves them
    // without looking at either, so a bad cookie can never block a
    // stylesheet and a /pkg fetch never opens a tenant's database.
    let files = files::router(&site_root, &pkg_dir, &version);
    // Pages link this build's files by their versioned address.
    leptos_options.site_pkg_dir = format!("{pkg_dir}/{version}").into();
    let state = SiteState(Arc::new(leptos_options.clone()));
    let app = Router::new()
        .leptos_routes(&state, routes, {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<SiteState, _>(shell))
        .with_state(state);
    files.merge(app).layer(FrontDoorLayer::new(platform))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
