//! A signed-in person's own second factor: set up TOTP (with the password),
//! confirm it (with a code), turn it off or renew the recovery codes (with
//! a code). Each proof given here counts for the session as at sign-in, so
//! a privileged action may follow. Each change is audited and ends the
//! person's other sessions and bridge devices (ASVS 7.4.3): whoever else
//! was signed in as them signed in under the old rules.

use tessera_backend::{
    accounts::{audit, users, User},
    factors::{
        self,
        totp::{Label, Owner},
    },
    sessions::Method,
};

use super::{admin_sessions, context::TenantContext, guard::require_user};
use crate::{
    error::ApiError,
    model::account::{FactorChanged, RecoveryCodesView, TotpEnrolment},
};

fn owner(ctx: &TenantContext, user: &User) -> Owner {
    Owner {
        tenant: ctx.tenant.tenant.id,
        user: user.id,
    }
}

/// Audits a factor change and ends every other session and device.
async fn changed(ctx: &TenantContext, user: &User, action: &str) -> Result<(), ApiError> {
    admin_sessions::end_all_of(ctx, user.id, action).await?;
    let db = ctx.tenant.db.clone();
    audit::record(&db, &ctx.platform.clock, user, action, user.email.as_str()).await?;
    Ok(())
}

pub async fn enrol(password: String) -> Result<TotpEnrolment, ApiError> {
    let (ctx, user) = require_user().await?;
    let db = ctx.tenant.db.clone();
    // Re-authentication before changing how one signs in (ASVS 7.5.1).
    users::authenticate(&db, &ctx.platform.hasher, user.email.as_str(), password).await?;
    ctx.session.prove(Method::Password).await?;
    let ring = ctx.platform.keys.ring().await;
    let label = Label {
        issuer: &ctx.tenant.tenant.name,
        account: user.email.as_str(),
    };
    let enrolment =
        factors::totp::enrol(&db, &ring, &ctx.platform.clock, owner(&ctx, &user), label).await?;
    Ok(TotpEnrolment {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
        qr_svg: enrolment.qr_svg,
    })
}

pub async fn confirm(code: String) -> Result<RecoveryCodesView, ApiError> {
    let (ctx, user) = require_user().await?;
    let db = ctx.tenant.db.clone();
    let ring = ctx.platform.keys.ring().await;
    let codes =
        factors::totp::confirm(&db, &ring, &ctx.platform.clock, owner(&ctx, &user), &code).await?;
    ctx.session.prove(Method::Totp).await?;
    changed(&ctx, &user, "two-step sign-in turned on").await?;
    Ok(RecoveryCodesView {
        recovery_codes: codes.expose(),
    })
}

pub async fn disable(code: String) -> Result<FactorChanged, ApiError> {
    let (ctx, user) = require_user().await?;
    let db = ctx.tenant.db.clone();
    let ring = ctx.platform.keys.ring().await;
    let presented =
        factors::totp::disable(&db, &ring, &ctx.platform.clock, owner(&ctx, &user), &code).await?;
    ctx.session.prove(Method::from(presented)).await?;
    changed(&ctx, &user, "two-step sign-in turned off").await?;
    Ok(FactorChanged { totp: false })
}

pub async fn regenerate_codes(code: String) -> Result<RecoveryCodesView, ApiError> {
    let (ctx, user) = require_user().await?;
    let db = ctx.tenant.db.clone();
    let ring = ctx.platform.keys.ring().await;
    let (presented, codes) =
        factors::totp::regenerate_codes(&db, &ring, &ctx.platform.clock, owner(&ctx, &user), &code)
            .await?;
    ctx.session.prove(Method::from(presented)).await?;
    changed(&ctx, &user, "recovery codes renewed").await?;
    Ok(RecoveryCodesView {
        recovery_codes: codes.expose(),
    })
}
