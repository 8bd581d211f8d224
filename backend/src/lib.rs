//! Tessera's server-side core: tenancy, storage, accounts and sessions,
//! independent of the web framework.

pub mod accounts;
pub mod config;
pub mod db;
pub mod platform;
pub mod sessions;
pub mod tenancy;

pub use config::{Config, ConfigError};
pub use platform::Platform;
