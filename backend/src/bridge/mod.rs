//! The session bridge: long-lived, rotating, per-device tokens that restore
//! a login after the server's sessions are gone (a redeploy).
//!
//! A login (or registration) starts a *family* for that device; the family
//! holds one current token at a time. Every restore and refresh rotates it,
//! in one transaction (`rotation`). A rotated-out token presented again
//! within the grace window (two tabs) yields the same successor; later, it
//! is treated as theft: the whole family is revoked (`devices`), which also
//! ends the sessions it made. Every step is recorded (`events`).

pub mod cookie;
mod devices;
mod events;
mod family;
pub mod rollout;
mod rotation;
pub mod token;

pub use cookie::BridgeCookie;
pub use devices::{
    count_devices, devices, family_of, family_state, newest_devices, revoke, revoke_device,
    revoke_every_family, revoke_presented, DeviceInfo,
};
pub use events::{record, record_failure, usage, DayUsage, Event, EventKind};
pub use family::{BridgeError, Device, FamilyId, FamilyState, Rotated};
pub use rotation::{issue, rotate, vouch, Presentation, Purpose, Vouched};
pub use token::BridgeToken;
