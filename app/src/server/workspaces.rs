//! Workspaces from the central domain: sign-up, and finding one's sign-in
//! page.

use tessera_backend::{
    limits::{AddressCount, SignInRealm},
    platform::NewAdmin,
    tenancy::{Site, Slug},
};

use super::{context, throttle};
use crate::{error::ApiError, model::accounts::WorkspaceLogin};

pub async fn create(
    slug: String,
    name: String,
    admin_name: String,
    admin_email: String,
    admin_password: String,
) -> Result<WorkspaceLogin, ApiError> {
    let ctx = central("workspaces are created on the main site")?;
    let policy = ctx.platform.directory.defaults().signin;
    let gate = throttle::admit(
        &ctx.platform,
        SignInRealm::SignUp,
        &admin_email,
        &ctx.client,
        policy,
        AddressCount::EveryAttempt,
    )
    .await?;
    let slug = Slug::parse(slug.trim())?;
    let email = admin_email.clone();
    let admin = NewAdmin {
        email: admin_email,
        password: admin_password,
        name: admin_name,
    };
    let (tenant, _) = match ctx.platform.provision(&slug, &name, Some(admin)).await {
        Ok(created) => created,
        Err(e) => {
            throttle::failed(&gate, &ctx.platform.clock, None, &email, &ctx.client).await?;
            return Err(e.into());
        }
    };
    tracing::info!(tenant = %tenant.slug, "workspace created from sign-up");
    Ok(sign_in_at(&ctx, &tenant.slug))
}

pub async fn find(workspace: String) -> Result<WorkspaceLogin, ApiError> {
    let ctx = central("workspaces are found on the main site")?;
    let slug = Slug::parse(&typed_slug(&workspace, ctx.platform.config.domain.as_str()))?;
    match ctx.platform.directory.resolve(&slug).await? {
        Some(_) => Ok(sign_in_at(&ctx, &slug)),
        None => Err(ApiError::no_workspace(&slug)),
    }
}

fn central(elsewhere: &str) -> Result<context::RequestContext, ApiError> {
    let ctx = context::request()?;
    match ctx.site {
        Site::Central => Ok(ctx),
        Site::Tenant(_) => Err(ApiError::NotFound(elsewhere.to_owned())),
    }
}

/// The workspace's sign-in page, on this request's scheme and port; a plain
/// form post is sent there, the hydrated page follows the same hint.
fn sign_in_at(ctx: &context::RequestContext, slug: &Slug) -> WorkspaceLogin {
    let port = ctx
        .host
        .rsplit_once(':')
        .map(|(_, port)| format!(":{port}"))
        .unwrap_or_default();
    let scheme = if ctx.client.https { "https" } else { "http" };
    let login_url = format!(
        "{scheme}://{slug}.{}{port}/login",
        ctx.platform.config.domain.as_str()
    );
    crate::error::navigation::after_success(&login_url);
    WorkspaceLogin {
        slug: slug.to_string(),
        login_url,
    }
}

/// A workspace's slug from what someone typed: case and surrounding space
/// ignored, and a pasted address (`https://acme.example.com:3000/login`)
/// read for its first label when it is under this installation's domain.
fn typed_slug(typed: &str, domain: &str) -> String {
    let typed = typed.trim().to_ascii_lowercase();
    let without_scheme = typed
        .split_once("://")
        .map_or(typed.as_str(), |(_, rest)| rest);
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(host, _)| host);
    let suffix = format!(".{}", domain.to_ascii_lowercase());
    host.strip_suffix(&suffix).unwrap_or(host).to_owned()
}

#[cfg(test)]
mod tests {
    use super::typed_slug;

    #[test]
    fn what_people_type_for_a_workspace_becomes_its_slug() {
        for typed in [
            "acme",
            " Acme ",
            "ACME",
            "acme.tessera.test",
            "http://acme.tessera.test:3000/login",
            "https://Acme.Tessera.Test/dashboard?x=1",
        ] {
            assert_eq!(typed_slug(typed, "tessera.test"), "acme", "{typed:?}");
        }
        // Another domain's address is not read as one of ours.
        assert_eq!(
            typed_slug("acme.evil.example", "tessera.test"),
            "acme.evil.example"
        );
        assert_eq!(typed_slug("", "tessera.test"), "");
    }
}
