//! The session bridge: long-lived, rotating, per-device tokens that restore
//! a login after the server's sessions are gone (a redeploy).
//!
//! A login (or registration) starts a *family* for that device; the family
//! holds one current token at a time. Every restore and refresh rotates it,
//! in one transaction (`rotation`). A rotated-out token presented again
//! within the grace window (two tabs) yields the same successor; later, it
//! is treated as theft: the whole family is revoked (`devices`), which also
//! ends the sessions it made. Every step is recorded (`events`).

mod devices;
mod events;
mod family;
mod rotation;
pub mod token;

pub use devices::{
    count_devices, devices, family_is_live, newest_devices, revoke, revoke_device,
    revoke_every_family, revoke_presented, DeviceInfo,
};
pub use events::{record, record_failure, usage, DayUsage, Event, EventKind};
pub use family::{BridgeError, Device, FamilyId, Rotated};
pub use rotation::{issue, rotate, vouch, Presentation, Purpose, Vouched};
pub use token::BridgeToken;
