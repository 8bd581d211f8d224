//! Tessera's integration tests, in one binary (linked once): each test
//! starts real servers — in this process on a random port with its own data
//! directory, or as `tessera` child processes — and drives them over HTTP,
//! against real SQLite files, PostgreSQL and Redis.

// Tests wait for real servers (deadlines, polling) by the system's clock;
// the servers they start read theirs from the Clock they were built with.
#![allow(clippy::disallowed_methods)]

mod support;

mod account;
mod accounts;
mod admin;
mod bridge;
mod bridge_rollout;
mod bridge_storage;
mod central_admin;
mod cli;
mod cookie_prefixes;
mod deletion;
mod faults;
mod hashing_bounds;
mod hostile_input;
mod key_rotation;
mod load;
mod passkeys;
mod postgres;
mod principal;
mod pure_functions;
mod rendering;
mod revocation;
mod scale_out;
mod second_factor_policy;
mod second_factors;
mod security_headers;
mod session_isolation;
mod session_matrix;
mod session_pages;
mod session_settings;
mod session_store;
mod settings_walk;
mod sign_in_throttling;
mod static_files;
mod tenancy;
mod tossed_cookies;
