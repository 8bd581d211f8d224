//! The request's path through Tessera, outermost first:
//! site (Host → tenant) → CSRF → form → JSON → tenant session → handler.

pub mod csrf;
pub mod form_json;
pub mod reply;
pub mod session;
pub mod site;
