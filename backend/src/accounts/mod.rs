//! Accounts of a tenant: emails, passwords, users.

pub mod audit;
pub mod email;
pub mod password;
pub mod sign_in_events;
mod user_id;
pub mod users;

pub use email::Email;
pub use user_id::UserId;
pub use users::{AccountError, NewRole, Role, User};
