//! One module per page.

mod admin;
mod app_bar;
mod central_admin;
mod code_form;
mod dashboard;
mod form;
mod home;
mod login;
mod not_found;
mod passkey;
mod recovery_codes;
mod register;
mod restore_prompt;
mod revocable;
mod security;
mod settings_form;
mod signup;
mod step_up;
mod totp_setup;
mod two_step;
mod usage_chart;
mod user_agent;

pub use admin::Admin;
pub use central_admin::CentralAdmin;
pub use dashboard::Dashboard;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
pub use recovery_codes::RecoveryCodes;
pub use register::Register;
pub use restore_prompt::RestorePrompt;
pub use security::Security;
pub use signup::Signup;
pub use two_step::TwoStep;
