//! A signed-in person's own second factor: set up TOTP (with the password),
//! confirm it (with a code), turn it off or renew the recovery codes (with
//! a code). Each proof given here counts for the session as at sign-in, so
//! a privileged action may follow. Each change is audited and ends the
//! person's other sessions and bridge devices (ASVS 7.4.3): whoever else
//! was signed in as them signed in under the old rules.

use tessera_backend::{
    accounts::User,
    factors::{
        self,
        totp::{Label, Owner, Standing},
    },
    sessions::Method,
};

use super::{
    admin_sessions, auth,
    context::TenantContext,
    guard::{self, require_enrolling, require_user},
};
use crate::{
    error::ApiError,
    model::account::{FactorChanged, RecoveryCodesView, TotpEnrolment, TotpStatus, TwoStepView},
};

fn owner(ctx: &TenantContext, user: &User) -> Owner {
    Owner {
        tenant: ctx.tenant.tenant.id,
        user: user.id,
    }
}

/// Where the TOTP of someone setting it up stands.
pub async fn two_step() -> Result<TwoStepView, ApiError> {
    let (ctx, user, _) = require_enrolling().await?;
    two_step_of(&ctx, &user).await
}

pub(super) async fn two_step_of(ctx: &TenantContext, user: &User) -> Result<TwoStepView, ApiError> {
    let ring = ctx.platform.keys.ring().await;
    let standing =
        factors::totp::standing(&ctx.tenant.db, &ring, owner(ctx, user), label(ctx, user)).await?;
    Ok(match standing {
        Standing::Off => TwoStepView {
            totp: TotpStatus::Off,
            enrolment: None,
        },
        Standing::Unconfirmed(enrolment) => TwoStepView {
            totp: TotpStatus::SettingUp,
            enrolment: Some(enrolment.into()),
        },
        Standing::On => TwoStepView {
            totp: TotpStatus::On,
            enrolment: None,
        },
    })
}

fn label<'a>(ctx: &'a TenantContext, user: &'a User) -> Label<'a> {
    Label {
        issuer: &ctx.tenant.tenant.name,
        account: user.email.as_str(),
    }
}

impl From<factors::Enrolment> for TotpEnrolment {
    fn from(enrolment: factors::Enrolment) -> Self {
        TotpEnrolment {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
            qr_svg: enrolment.qr_svg,
        }
    }
}

pub async fn enrol(password: String) -> Result<TotpEnrolment, ApiError> {
    let (ctx, user, waiting) = require_enrolling().await?;
    let db = ctx.tenant.db.clone();
    // Re-authentication before changing how one signs in (ASVS 7.5.1).
    auth::reauthenticate(&ctx, &user, password).await?;
    // Someone signed in who has a passkey must have used it recently too
    // (a sign-in waiting for this set-up has no factor yet).
    if waiting.is_none() {
        if let Some((_, record)) = guard::signed_in_session(&ctx).await? {
            guard::require_recent(&ctx, &user, &record).await?;
        }
    }
    let ring = ctx.platform.keys.ring().await;
    let (clock, label) = (&ctx.platform.clock, label(&ctx, &user));
    let enrolment = factors::totp::enrol(&db, &ring, clock, owner(&ctx, &user), label).await?;
    // A plain form post goes back to the page it came from, which now
    // shows the set-up (the QR code again, and the form for its code).
    crate::error::navigation::after_success_back();
    Ok(enrolment.into())
}

/// Turns TOTP on. For a sign-in that waited for this set-up, it finishes
/// the sign-in (password and TOTP, as at any other).
pub async fn confirm(code: String) -> Result<RecoveryCodesView, ApiError> {
    let (ctx, user, waiting) = require_enrolling().await?;
    let db = ctx.tenant.db.clone();
    let ring = ctx.platform.keys.ring().await;
    let clock = &ctx.platform.clock;
    let codes = factors::totp::confirm(&db, &ring, clock, owner(&ctx, &user), &code).await?;
    admin_sessions::sign_in_changed(
        &ctx,
        &user,
        "two-step sign-in turned on",
        user.email.as_str(),
    )
    .await?;
    let bridge_token = match waiting {
        Some(waiting) => {
            let assurance = waiting.assurance.and(Method::Totp, clock.unix());
            auth::sign_in(&ctx, &user, assurance).await?.bridge_token
        }
        None => {
            ctx.session.prove(Method::Totp).await?;
            None
        }
    };
    shown_once(&ctx, codes.expose(), bridge_token).await
}

/// The codes in the answer, and kept for the one page that shows them
/// after a plain form post (which is redirected, its answer unread).
async fn shown_once(
    ctx: &TenantContext,
    codes: Vec<String>,
    bridge_token: Option<String>,
) -> Result<RecoveryCodesView, ApiError> {
    ctx.session.keep_recovery_codes(&codes).await?;
    crate::error::navigation::after_success(RECOVERY_CODES_PAGE);
    Ok(RecoveryCodesView {
        recovery_codes: codes,
        bridge_token,
    })
}

/// Where new recovery codes are shown, once.
pub const RECOVERY_CODES_PAGE: &str = "/security/recovery-codes";

/// The recovery codes just made, for the page that shows them; gone from
/// the session once read.
pub async fn fresh_recovery_codes() -> Result<Vec<String>, ApiError> {
    let (ctx, _) = require_user().await?;
    Ok(ctx.session.take_recovery_codes().await?)
}

pub async fn disable(code: String) -> Result<FactorChanged, ApiError> {
    let (ctx, user) = require_user().await?;
    let db = ctx.tenant.db.clone();
    let ring = ctx.platform.keys.ring().await;
    let presented =
        factors::totp::disable(&db, &ring, &ctx.platform.clock, owner(&ctx, &user), &code).await?;
    ctx.session.prove(Method::from(presented)).await?;
    admin_sessions::sign_in_changed(
        &ctx,
        &user,
        "two-step sign-in turned off",
        user.email.as_str(),
    )
    .await?;
    crate::error::navigation::after_success("/security");
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
    admin_sessions::sign_in_changed(&ctx, &user, "recovery codes renewed", user.email.as_str())
        .await?;
    shown_once(&ctx, codes.expose(), None).await
}
