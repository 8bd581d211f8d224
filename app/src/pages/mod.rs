//! One module per page.

mod admin;
mod dashboard;
mod form;
mod home;
mod login;
mod not_found;
mod register;
mod signup;
mod usage_chart;

pub use admin::Admin;
pub use dashboard::Dashboard;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
pub use register::Register;
pub use signup::Signup;
