//! Users, roles, tenants and sign-in answers, as the API shows them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleView {
    Admin,
    Member,
}

impl RoleView {
    pub fn label(self) -> &'static str {
        match self {
            RoleView::Admin => "admin",
            RoleView::Member => "member",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: RoleView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantView {
    pub slug: String,
    pub name: String,
}

/// A second factor the person must present to finish signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorMethod {
    Totp,
    RecoveryCode,
    Passkey,
}

/// What a sign-in waits for: `{"methods": ["totp", "recovery_code"]}`;
/// or, with `"enrol": true`, a factor to be set up first (the workspace
/// asks this person for one and they have none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorDue {
    pub methods: Vec<FactorMethod>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enrol: bool,
}

impl SecondFactorDue {
    /// What finishes the sign-in of someone with these factors.
    pub fn of(totp: bool, passkeys: bool) -> Self {
        let mut methods = Vec::new();
        if totp {
            methods.extend([FactorMethod::Totp, FactorMethod::RecoveryCode]);
        }
        if passkeys {
            methods.push(FactorMethod::Passkey);
        }
        Self {
            methods,
            enrol: false,
        }
    }

    pub fn offers(&self, method: FactorMethod) -> bool {
        self.methods.contains(&method)
    }

    pub fn enrolment() -> Self {
        Self {
            methods: vec![FactorMethod::Totp],
            enrol: true,
        }
    }
}

/// The page where a sign-in waiting for its second step is finished.
pub const TWO_STEP_PAGE: &str = "/two-step";

/// `GET /api/auth/me`, and the answer to register/login/logout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeResponse {
    pub authenticated: bool,
    pub user: Option<UserView>,
    /// None on the central domain.
    pub tenant: Option<TenantView>,
    /// Present while a sign-in waits for a second factor (then
    /// `authenticated` is false and `user` null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactorDue>,
}

/// The answer to register and login: `me` plus this device's first bridge
/// token (null when the bridge is off), for the client to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    #[serde(flatten)]
    pub me: MeResponse,
    pub bridge_token: Option<String>,
}

/// A workspace and where its people sign in: the answer of
/// `POST /api/workspaces` (created) and `POST /api/workspaces/find`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceLogin {
    pub slug: String,
    pub login_url: String,
}
