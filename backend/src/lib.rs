//! Tessera's server-side core: tenancy, storage, accounts and sessions,
//! independent of the web framework.

pub mod accounts;
pub mod bridge;
pub mod bus;
pub mod client;
pub mod clock;
pub mod config;
pub mod db;
mod evict;
pub mod factors;
pub mod files;
pub mod keys;
pub mod limits;
pub mod platform;
pub mod redis_link;
pub mod sessions;
pub mod settings;
pub mod tenancy;

pub use config::{Config, ConfigError};
pub use platform::Platform;

/// Compile-time checks: request handlers need `Send` futures, and sqlx's
/// executors behind higher-ranked bounds easily lose it. These fail to
/// build if that regresses.
#[cfg(test)]
mod send_checks {
    fn assert_send<T: Send>(_: T) {}

    #[allow(dead_code)]
    fn futures_are_send(
        p: &crate::Platform,
        s: &crate::tenancy::Slug,
        t: &crate::tenancy::Tenant,
        st: &crate::db::TenantStorage,
    ) {
        assert_send(p.directory.create(s, "x"));
        assert_send(st.create(t));
        assert_send(st.exists(s));
        assert_send(st.remove(s));
        assert_send(st.scope(t));
        assert_send(p.provision(s, "x", None));
        assert_send(p.delete_tenant(s));
    }

    #[allow(dead_code)]
    fn queries_are_send(
        db: &crate::db::Scope,
        id: crate::accounts::UserId,
        announce: crate::bus::Announce<'_>,
    ) {
        assert_send(crate::accounts::users::find(db, id));
        assert_send(crate::accounts::users::set_role(
            db,
            announce,
            id,
            crate::accounts::Role::Admin,
        ));
    }
}
