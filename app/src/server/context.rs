//! What a server function knows about its request: the platform, the site
//! and the session, all put into the request's extensions by the layers.

use std::sync::Arc;

use http::{header, request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::with_context;
use tessera_backend::{
    bridge::Device,
    bus::Announce,
    client::Client,
    sessions::AuthSession,
    tenancy::{Site, TenantHandle},
    Platform,
};

use crate::{error::ApiError, model::accounts::MeResponse};

pub struct RequestContext {
    pub platform: Arc<Platform>,
    pub site: Site,
    pub session: Option<AuthSession>,
    /// The `Host` header as the browser sent it (with port).
    pub host: String,
    pub client: Client,
    user_agent: Option<HeaderValue>,
}

/// A tenant request: the tenant and its session.
pub struct TenantContext {
    pub platform: Arc<Platform>,
    pub tenant: Arc<TenantHandle>,
    pub session: AuthSession,
    pub client: Client,
    /// The `Host` header as the browser sent it (this tenant's, with port).
    pub host: String,
    user_agent: Option<HeaderValue>,
}

/// Reads the request's parts where they lie: cloning them (headers and every
/// extension) on each server function call was a measurable share of a
/// request's CPU.
pub fn request() -> Result<RequestContext, ApiError> {
    with_context::<Parts, _>(from_parts)
        .ok_or_else(ApiError::internal)
        .flatten()
}

/// Everything the front door learnt about a request, put into its
/// extensions as one value: a server function call clones the request's
/// parts, extensions included, so each separate extension cost an
/// allocation and a map entry twice per call.
#[derive(Clone)]
pub struct Visit {
    pub platform: Arc<Platform>,
    pub client: Client,
    pub site: Site,
    /// At a tenant; the central site has no sessions.
    pub session: Option<AuthSession>,
    /// For a page at a tenant: who is visiting, read by the front door
    /// before the page renders, so pages render from it without a resource.
    pub visitor: Option<Result<MeResponse, ApiError>>,
}

fn from_parts(parts: &Parts) -> Result<RequestContext, ApiError> {
    let visit = parts
        .extensions
        .get::<Visit>()
        .ok_or_else(ApiError::internal)?;
    Ok(of_visit(visit, &parts.headers))
}

/// The same from the front door's `Visit` and the request's headers.
pub fn of_visit(visit: &Visit, headers: &HeaderMap) -> RequestContext {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let user_agent = headers.get(header::USER_AGENT).cloned();
    RequestContext {
        platform: Arc::clone(&visit.platform),
        site: visit.site.clone(),
        session: visit.session.clone(),
        host,
        client: visit.client,
        user_agent,
    }
}

/// The device a sign-in or restore is recorded for: made when one is (most
/// requests record nothing).
fn device(client: &Client, user_agent: Option<&HeaderValue>) -> Device {
    Device::new(
        Some(client.ip.to_string()),
        user_agent.and_then(|v| v.to_str().ok()),
    )
}

impl TenantContext {
    pub fn device(&self) -> Device {
        device(&self.client, self.user_agent.as_ref())
    }

    /// Where this tenant's session changes are announced.
    pub fn announce(&self) -> Announce<'_> {
        Announce {
            cache: &*self.platform.sessions,
            tenant: self.tenant.tenant.id,
        }
    }
}

impl RequestContext {
    pub fn device(&self) -> Device {
        device(&self.client, self.user_agent.as_ref())
    }

    pub fn into_tenant(self) -> Result<TenantContext, ApiError> {
        match (self.site, self.session) {
            (Site::Tenant(tenant), Some(session)) => Ok(TenantContext {
                platform: self.platform,
                tenant,
                session,
                client: self.client,
                host: self.host,
                user_agent: self.user_agent,
            }),
            (Site::Tenant(_), None) => Err(ApiError::internal()),
            (Site::Central, _) => Err(ApiError::NotFound(
                "accounts live in workspaces; open your workspace's address to sign in".into(),
            )),
        }
    }
}
