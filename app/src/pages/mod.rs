//! One module per page.

mod admin;
mod app_bar;
mod central_admin;
mod dashboard;
mod form;
mod home;
mod login;
mod not_found;
mod register;
mod revocable;
mod security;
mod settings_form;
mod signup;
mod usage_chart;
mod user_agent;

pub use admin::Admin;
pub use central_admin::CentralAdmin;
pub use dashboard::Dashboard;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
pub use register::Register;
pub use security::Security;
pub use signup::Signup;
