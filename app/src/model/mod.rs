//! The shapes the API answers with, shared by the server functions, their
//! server-side bodies and the UI. Depends on nothing else in the app but
//! the error type, so every other module can use it without a cycle.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod bridge;
pub mod central;
