//! Email addresses as account identifiers.

use std::fmt;

/// A normalised (trimmed, lowercased) address with one `@`, a local part and
/// a dotted domain. Deliverability is not our business; identity is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("please enter a valid email address")]
pub struct EmailError;

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = input.trim().to_lowercase();
        // ASCII only: a Cyrillic "а" in "аcme.test" would otherwise make a
        // second account that looks exactly like someone else's.
        if email.len() > 254
            || !email.is_ascii()
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(EmailError);
        }
        let (local, domain) = email.split_once('@').ok_or(EmailError)?;
        let domain_ok = !domain.contains('@')
            && domain.split('.').count() >= 2
            && domain.split('.').all(|label| !label.is_empty());
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(EmailError);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_validates() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").map(|e| e.0),
            Ok("ada@example.com".into())
        );
        for bad in [
            "ada@\u{430}cme.test",
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad:?}");
        }
    }
}
