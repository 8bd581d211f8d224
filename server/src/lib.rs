//! The Tessera server: command line, web application, request layers.

pub mod cli;
pub mod files;
pub mod layers;
pub mod startup;

pub use startup::Application;
