//! The request's path through Tessera, in one service (`FrontDoor`):
//! client (address, scheme) → files, or: body limit → site (Host → tenant)
//! → CSRF → chunked body buffered → tenant session → handler; security
//! headers on every answer on the way out.
//!
//! One service rather than a layer per step: each `from_fn` layer boxed its
//! future and cloned the service below it on every request, and a step
//! that refuses a request answers here, with the security headers, without
//! passing through the others.

pub mod body;
pub mod client;
pub mod csrf;
pub mod headers;
pub mod reply;
pub mod session;
pub mod site;

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use axum::{extract::Request, response::Response};
use tessera_app::{error::ApiError, server::context::Visit};
use tessera_backend::{client::Client, tenancy::Site, Platform};
use tower::{Layer, Service, ServiceExt};

use reply::Audience;

/// Puts `FrontDoor` in front of a router's routes.
#[derive(Clone)]
pub struct FrontDoorLayer {
    platform: Arc<Platform>,
}

impl FrontDoorLayer {
    pub fn new(platform: Arc<Platform>) -> Self {
        Self { platform }
    }
}

impl<S> Layer<S> for FrontDoorLayer {
    type Service = FrontDoor<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FrontDoor {
            platform: Arc::clone(&self.platform),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct FrontDoor<S> {
    platform: Arc<Platform>,
    inner: S,
}

impl<S> Service<Request> for FrontDoor<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The clone that was polled ready serves this request (tower's rule).
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let platform = Arc::clone(&self.platform);
        Box::pin(async move { Ok(enter(&platform, inner, req).await) })
    }
}

async fn enter<S>(platform: &Arc<Platform>, inner: S, req: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let client = client::identify(platform, &req);
    // For the log line of a failed request (both clones share, not copy).
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let file = headers::is_file(uri.path());
    let mut response = if file {
        call(inner, req).await
    } else {
        let audience = Audience::of(req.uri().path(), req.headers());
        visit(platform, inner, client, audience, req)
            .await
            .unwrap_or_else(|error| reply::error(audience, error))
    };
    headers::secure(&mut response, client.https, file);
    // What a request-tracing layer would log at this filter level, without
    // its per-request span and clock reads.
    if response.status().is_server_error() {
        tracing::error!(status = %response.status(), %method, path = uri.path(), "request failed");
    }
    response
}

/// A page or an API call: the site it addresses, then (at a tenant) the
/// tenant's session around the handler.
async fn visit<S>(
    platform: &Arc<Platform>,
    inner: S,
    client: Client,
    audience: Audience,
    req: Request,
) -> Result<Response, ApiError>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let req = body::limit(req)?;
    let site = site::resolve(platform, req.headers(), req.uri()).await?;
    csrf::check(&req, client.https)?;
    let mut req = body::buffer_chunked(req).await?;
    let visit = Visit {
        platform: Arc::clone(platform),
        client,
        site,
        session: None,
        visitor: None,
    };
    Ok(match &visit.site {
        Site::Tenant(handle) => {
            let handle = Arc::clone(handle);
            session::around(platform, &handle, visit, audience, req, |req| {
                call(inner, req)
            })
            .await
        }
        Site::Central => {
            req.extensions_mut().insert(visit);
            call(inner, req).await
        }
    })
}

async fn call<S>(inner: S, req: Request) -> Response
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    match inner.oneshot(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
