//! The central admin's server side.

use base64::{engine::general_purpose::STANDARD, Engine};
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::{use_context, with_context};
use subtle::ConstantTimeEq;
use tessera_backend::{
    limits::{AddressCount, SignInRealm},
    platform::NewAdmin,
    tenancy::{Site, Slug},
    Platform,
};

use super::{context, throttle};

/// The account name the central admin's lockout is counted under.
const CENTRAL_ADMIN: &str = "admin";
use crate::{error::ApiError, model::central::TenantRow};

/// The platform, if this request is on the central domain from the central admin.
async fn require_central_admin() -> Result<std::sync::Arc<Platform>, ApiError> {
    let ctx = context::request()?;
    if !matches!(ctx.site, Site::Central) {
        return Err(ApiError::NotFound(
            "the central admin lives on the main domain".into(),
        ));
    }
    let Some(expected) = ctx.platform.config.central_admin_password.clone() else {
        return Err(ApiError::NotFound(
            "the central admin is not configured (TESSERA_CENTRAL_ADMIN_PASSWORD)".into(),
        ));
    };
    let presented = with_context::<Parts, _>(|parts| {
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    })
    .flatten()
    .and_then(|value| {
        value
            .strip_prefix("Basic ")
            .and_then(|b| STANDARD.decode(b.trim()).ok())
    })
    .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(presented) = presented else {
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.insert_header(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Tessera central admin\""),
            );
        }
        return Err(ApiError::Unauthorized(
            "sign in as the central admin".into(),
        ));
    };
    let policy = ctx.platform.directory.defaults().signin;
    let gate = throttle::admit(
        &ctx.platform,
        SignInRealm::CentralAdmin,
        CENTRAL_ADMIN,
        &ctx.client,
        policy,
        AddressCount::FailuresOnly,
    )
    .await?;
    let expected = format!("{CENTRAL_ADMIN}:{}", expected.expose());
    if bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(ctx.platform.clone())
    } else {
        throttle::failed(&gate, &ctx.platform.clock, None, CENTRAL_ADMIN, &ctx.client).await?;
        Err(ApiError::Forbidden(
            "these credentials are not the central admin's".into(),
        ))
    }
}

async fn rows(platform: &Platform) -> Result<Vec<TenantRow>, ApiError> {
    Ok(platform
        .directory
        .list()
        .await?
        .into_iter()
        .map(|t| TenantRow {
            id: t.id.get(),
            slug: t.slug.to_string(),
            name: t.name,
            created_at: t.created_at,
        })
        .collect())
}

pub async fn tenants() -> Result<Vec<TenantRow>, ApiError> {
    let platform = require_central_admin().await?;
    rows(&platform).await
}

pub async fn create(
    slug: String,
    name: String,
    admin_email: String,
    admin_password: String,
) -> Result<Vec<TenantRow>, ApiError> {
    let platform = require_central_admin().await?;
    let slug = Slug::parse(slug.trim())?;
    let name = if name.trim().is_empty() {
        slug.to_string()
    } else {
        name
    };
    let admin = NewAdmin {
        email: admin_email,
        password: admin_password,
        name: "Admin".into(),
    };
    platform.provision(&slug, &name, Some(admin)).await?;
    tracing::info!(tenant = %slug, "tenant created by the central admin");
    rows(&platform).await
}

pub async fn migrate(slug: String) -> Result<Vec<TenantRow>, ApiError> {
    let platform = require_central_admin().await?;
    let tenant = platform.directory.get(&Slug::parse(slug.trim())?).await?;
    platform.directory.migrate(&tenant).await?;
    rows(&platform).await
}

pub async fn delete(slug: String, confirm: String) -> Result<Vec<TenantRow>, ApiError> {
    let platform = require_central_admin().await?;
    let slug = Slug::parse(slug.trim())?;
    if confirm.trim() != slug.as_str() {
        return Err(ApiError::BadRequest(format!(
            "type \"{slug}\" to confirm deleting it and all its data"
        )));
    }
    platform.delete_tenant(&slug).await?;
    tracing::warn!(tenant = %slug, "tenant deleted by the central admin");
    rows(&platform).await
}
