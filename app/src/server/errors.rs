//! Domain errors to `ApiError`. Together with `ApiError::status` this is the
//! one place where failures become HTTP answers.

use tessera_backend::{
    accounts::{password::HashError, AccountError},
    bridge::BridgeError,
    db::{is_outage, DbError},
    factors::{passkeys::PasskeyError, FactorError},
    platform::ProvisionError,
    sessions::SessionError,
    tenancy::{DirectoryError, HostError, SlugError},
};

use crate::error::{ApiError, RetryLater};

fn internal(error: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(%error, "internal error");
    ApiError::internal()
}

/// A storage failure: 503 when the database is down, busy or damaged (the
/// client may retry; other tenants are unaffected), 500 otherwise.
fn storage(error: &DbError) -> ApiError {
    if is_outage(error) {
        tracing::error!(%error, "storage unavailable");
        return ApiError::Unavailable(
            "this workspace's data is unavailable right now; please try again shortly".into(),
        );
    }
    internal(error)
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Email(_) | AccountError::Password(_) | AccountError::Name => {
                ApiError::BadRequest(e.to_string())
            }
            AccountError::EmailTaken | AccountError::LastAdmin => ApiError::Conflict(e.to_string()),
            AccountError::NoSuchUser => ApiError::NotFound(e.to_string()),
            AccountError::WrongCredentials => ApiError::Unauthorized(e.to_string()),
            AccountError::Database(db) => storage(&db),
            AccountError::Hash(HashError::Busy) => {
                tracing::warn!("password hashing is at capacity; turning a sign-in away");
                ApiError::Busy(RetryLater::new(
                    "the server is busy; please try again in a moment",
                    1,
                ))
            }
            AccountError::Hash(_) => internal(&e),
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::ForeignTenant => ApiError::Forbidden(e.to_string()),
            SessionError::Store(_) => {
                tracing::error!(error = %e, "session store failed");
                ApiError::Unavailable(
                    "sessions are unavailable right now; please try again shortly".into(),
                )
            }
        }
    }
}

impl From<DirectoryError> for ApiError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::Exists(_) | DirectoryError::OrphanStorage(_) => {
                ApiError::Conflict(e.to_string())
            }
            DirectoryError::NotFound(_) => ApiError::NotFound(e.to_string()),
            DirectoryError::Name(_) | DirectoryError::Setting(_) => {
                ApiError::BadRequest(e.to_string())
            }
            DirectoryError::Database(db) => storage(&db),
            DirectoryError::Sessions(_) => ApiError::Unavailable(e.to_string()),
        }
    }
}

impl From<ProvisionError> for ApiError {
    fn from(e: ProvisionError) -> Self {
        match e {
            ProvisionError::Directory(e) => e.into(),
            ProvisionError::Admin(e) => e.into(),
        }
    }
}

impl From<SlugError> for ApiError {
    fn from(e: SlugError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl From<HostError> for ApiError {
    fn from(e: HostError) -> Self {
        match e {
            HostError::Missing | HostError::Malformed => ApiError::BadRequest(e.to_string()),
            HostError::ForeignDomain(_) | HostError::BadSlug(_) => {
                ApiError::NotFound("there is no workspace at this address".into())
            }
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        storage(&e)
    }
}

impl From<BridgeError> for ApiError {
    fn from(e: BridgeError) -> Self {
        match e {
            BridgeError::Invalid => ApiError::Unauthorized(e.to_string()),
            BridgeError::Database(db) => db.into(),
        }
    }
}

impl From<FactorError> for ApiError {
    fn from(e: FactorError) -> Self {
        match e {
            FactorError::WrongCode => ApiError::Unauthorized(e.to_string()),
            FactorError::AlreadyEnrolled | FactorError::NotEnrolled | FactorError::NoEnrolment => {
                ApiError::Conflict(e.to_string())
            }
            FactorError::Unreadable => internal(&e),
            FactorError::Database(db) => storage(&db),
        }
    }
}

impl From<PasskeyError> for ApiError {
    fn from(e: PasskeyError) -> Self {
        match e {
            PasskeyError::NotVerified | PasskeyError::NoCeremony => {
                ApiError::Unauthorized(e.to_string())
            }
            PasskeyError::AlreadyRegistered => ApiError::Conflict(e.to_string()),
            PasskeyError::NoSuchPasskey => ApiError::NotFound(e.to_string()),
            PasskeyError::Name | PasskeyError::Configuration => ApiError::BadRequest(e.to_string()),
            PasskeyError::Database(db) => storage(&db),
        }
    }
}

#[cfg(test)]
mod tests {
    use tessera_backend::{
        accounts::{email::EmailError, password::PasswordError},
        tenancy::SlugError,
    };

    use super::*;
    use crate::error::sent_back::SentBack;

    /// A sent-back form names each of these refusals by its own entry: the
    /// catalogue's text is the domain error's message, word for word.
    #[test]
    fn refusals_forms_meet_have_their_own_sent_back_entry() {
        let cases: Vec<(ApiError, SentBack)> = vec![
            (
                AccountError::WrongCredentials.into(),
                SentBack::WrongCredentials,
            ),
            (AccountError::EmailTaken.into(), SentBack::EmailTaken),
            (AccountError::Name.into(), SentBack::InvalidName),
            (AccountError::LastAdmin.into(), SentBack::LastAdmin),
            (
                AccountError::Email(EmailError).into(),
                SentBack::InvalidEmail,
            ),
            (
                AccountError::Password(PasswordError::TooShort).into(),
                SentBack::ShortPassword,
            ),
            (
                AccountError::Password(PasswordError::TooLong).into(),
                SentBack::LongPassword,
            ),
            (SlugError::Length.into(), SentBack::SlugLength),
            (SlugError::Characters.into(), SentBack::SlugCharacters),
            (SlugError::Hyphen.into(), SentBack::SlugHyphen),
            (SlugError::Punycode.into(), SentBack::SlugPunycode),
            (
                SlugError::Reserved("www".into()).into(),
                SentBack::SlugReserved,
            ),
            (ApiError::no_workspace("initech"), SentBack::NoWorkspace),
            (FactorError::WrongCode.into(), SentBack::WrongCode),
            (
                FactorError::AlreadyEnrolled.into(),
                SentBack::AlreadyEnrolled,
            ),
            (FactorError::NotEnrolled.into(), SentBack::NotEnrolled),
            (FactorError::NoEnrolment.into(), SentBack::NoEnrolment),
        ];
        for (error, entry) in cases {
            assert_eq!(SentBack::of(&error), entry, "{error:?}");
        }
    }
}
