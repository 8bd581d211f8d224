//! The HTTP API: shared types and the server functions that serve them.

pub mod account;
pub mod admin;
pub mod auth;
pub mod bridge;
pub mod central;
pub mod encoding;
pub mod workspaces;
