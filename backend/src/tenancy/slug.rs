//! Tenant slugs: the left-most label of a tenant's host name.

use std::fmt;

/// Names that would shadow infrastructure or confuse users if a tenant took them.
pub const RESERVED: &[&str] = &[
    "www",
    "admin",
    "api",
    "app",
    "assets",
    "auth",
    "central",
    "dashboard",
    "docs",
    "help",
    "localhost",
    "login",
    "logout",
    "mail",
    "pkg",
    "root",
    "signup",
    "static",
    "status",
    "support",
    "system",
    "tessera",
    "test",
];

pub const MIN_LEN: usize = 3;
pub const MAX_LEN: usize = 63;

/// A validated tenant slug: 3–63 lowercase ASCII letters, digits or hyphens,
/// not starting or ending with a hyphen, and not reserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a workspace name must be {MIN_LEN} to {MAX_LEN} characters long")]
    Length,
    #[error("a workspace name may only contain lowercase letters a-z, digits and hyphens")]
    Characters,
    #[error("a workspace name cannot start or end with a hyphen")]
    Hyphen,
    #[error("\"{0}\" is reserved; please choose another workspace name")]
    Reserved(String),
    /// `xn--…` and every other `??--` label: IDNA reserves them, and a
    /// browser may show an A-label as Unicode that imitates another name
    /// (`xn--80ak6aa92e` as Cyrillic "аррӏе").
    #[error("a workspace name cannot have \"--\" as its third and fourth characters: such names are internationalised addresses, which browsers may show as look-alikes of other names")]
    Punycode,
}

impl Slug {
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        if !(MIN_LEN..=MAX_LEN).contains(&input.len()) {
            return Err(SlugError::Length);
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SlugError::Characters);
        }
        if input.starts_with('-') || input.ends_with('-') {
            return Err(SlugError::Hyphen);
        }
        if input.get(2..4) == Some("--") {
            return Err(SlugError::Punycode);
        }
        Self::checked(input)
    }

    /// A slug read back from the central database. One stored before
    /// A-labels were refused is still read (so it can be listed and
    /// deleted), though no Host or form can name it any more.
    pub fn stored(input: &str) -> Result<Self, SlugError> {
        match Self::parse(input) {
            Err(SlugError::Punycode) => Self::checked(input),
            other => other,
        }
    }

    fn checked(input: &str) -> Result<Self, SlugError> {
        if RESERVED.contains(&input) {
            return Err(SlugError::Reserved(input.to_owned()));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_slugs() {
        for ok in ["acme", "globex", "a-b", "abc123", "x".repeat(63).as_str()] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_slugs_with_a_reason() {
        assert_eq!(Slug::parse("ab"), Err(SlugError::Length));
        assert_eq!(Slug::parse(&"x".repeat(64)), Err(SlugError::Length));
        assert_eq!(Slug::parse("Acme"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("ac_me"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("../etc"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("acmé"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("-acme"), Err(SlugError::Hyphen));
        assert_eq!(Slug::parse("acme-"), Err(SlugError::Hyphen));
        assert_eq!(Slug::parse("www"), Err(SlugError::Reserved("www".into())));
        assert_eq!(
            Slug::parse("admin"),
            Err(SlugError::Reserved("admin".into()))
        );
        assert_eq!(Slug::parse("api"), Err(SlugError::Reserved("api".into())));
    }

    #[test]
    fn refuses_idna_a_labels_but_still_reads_one_stored_before() {
        for look_alike in ["xn--80ak6aa92e", "xn--acme", "ab--cd", "zz--"] {
            assert!(
                matches!(
                    Slug::parse(look_alike),
                    Err(SlugError::Punycode | SlugError::Hyphen)
                ),
                "{look_alike}"
            );
        }
        assert_eq!(Slug::parse("xn--80ak6aa92e"), Err(SlugError::Punycode));
        assert!(
            Slug::parse("a--b").is_ok(),
            "only the third and fourth characters"
        );
        assert!(Slug::stored("xn--80ak6aa92e").is_ok());
        assert_eq!(Slug::stored("www"), Err(SlugError::Reserved("www".into())));
    }
}
