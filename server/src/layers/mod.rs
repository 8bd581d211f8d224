//! The request's path through Tessera, outermost first: security headers →
//! client (address, scheme) → files, or site (Host → tenant) → CSRF → API
//! body → JSON → tenant session → handler.

pub mod api_body;
pub mod client;
pub mod csrf;
pub mod headers;
pub mod reply;
pub mod session;
pub mod site;
