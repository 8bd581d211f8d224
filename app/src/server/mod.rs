//! Server-side bodies of the server functions (compiled with `ssr` only).

pub mod account;
pub mod admin;
pub mod admin_sessions;
pub mod auth;
pub mod bridge;
mod bridge_storage;
pub mod central;
pub mod context;
pub mod errors;
pub mod guard;
pub mod passkeys;
pub mod password;
pub mod second_factor;
pub mod security;
pub mod setting_fields;
pub mod throttle;
pub mod workspaces;
