//! Every table and column queries name, as sea-query identifiers. Kept in
//! step with `migrations/` (one set per backend; the names are the same).

use sea_query::Iden;

/// Central: the tenant directory.
#[derive(Debug, Clone, Copy, Iden)]
pub enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    CreatedAt,
}

/// Central: a tenant's setting overrides, as JSON text.
#[derive(Debug, Clone, Copy, Iden)]
pub enum TenantSettings {
    Table,
    TenantId,
    Overrides,
    UpdatedAt,
    FormerPrefixes,
}

/// Central: the key ring, when it lives in the database.
#[derive(Debug, Clone, Copy, Iden)]
pub enum Keys {
    Table,
    Id,
    Secret,
    CreatedAt,
}

/// Central (shared store) and tenant: sessions by stored id.
#[derive(Debug, Clone, Copy, Iden)]
pub enum Sessions {
    Table,
    Id,
    Data,
    ExpiryDate,
    /// The signed-in user and bridge family, copied from the record for joins.
    UserId,
    FamilyId,
}

#[derive(Debug, Clone, Copy, Iden)]
pub enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    CreatedAt,
}

#[derive(Debug, Clone, Copy, Iden)]
pub enum BridgeFamilies {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    Ip,
    UserAgent,
    RevokedAt,
    RevokedReason,
}

#[derive(Debug, Clone, Copy, Iden)]
pub enum BridgeTokens {
    Table,
    Selector,
    FamilyId,
    VerifierHash,
    CreatedAt,
    RotatedAt,
    Successor,
    KeyId,
}

#[derive(Debug, Clone, Copy, Iden)]
pub enum BridgeEvents {
    Table,
    Id,
    At,
    Kind,
    FamilyId,
    UserId,
    Ip,
}

#[derive(Debug, Clone, Copy, Iden)]
pub enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorEmail,
    Action,
    Detail,
}

#[derive(Debug, Clone, Copy, Iden)]
pub enum SignInEvents {
    Table,
    Id,
    At,
    Kind,
    Email,
    Ip,
}

/// Tenant: a user's TOTP factor (sealed secret; pending until confirmed).
#[derive(Debug, Clone, Copy, Iden)]
pub enum TotpFactors {
    Table,
    UserId,
    Secret,
    CreatedAt,
    ConfirmedAt,
    LastStep,
}

/// Tenant: hashes of a user's recovery codes.
#[derive(Debug, Clone, Copy, Iden)]
pub enum RecoveryCodes {
    Table,
    UserId,
    CodeHash,
    UsedAt,
}

/// Tenant: a person's WebAuthn user handle, one for all their passkeys.
#[derive(Debug, Clone, Copy, Iden)]
pub enum PasskeyHandles {
    Table,
    UserId,
    Handle,
}

/// Tenant: passkeys, by credential id (base64url).
#[derive(Debug, Clone, Copy, Iden)]
pub enum Passkeys {
    Table,
    Id,
    UserId,
    Name,
    RpId,
    Credential,
    CreatedAt,
    LastUsedAt,
}
