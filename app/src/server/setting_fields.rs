//! The admin's settings as a person reads them: a name, a line on what each
//! does, its section and the control that edits it (from the key's `Kind`,
//! so the form offers exactly what the settings accept).

use tessera_backend::sessions::{Key, Kind, SessionSettings};

use crate::model::admin::{Choice, Control, SettingField, SettingSection};

struct About {
    label: &'static str,
    help: &'static str,
    section: SettingSection,
}

fn about(key: Key) -> About {
    use SettingSection::*;
    let (label, help, section) = match key {
        Key::Lifetime => (
            "Session lifetime",
            "A session ends after this long without a request.",
            SessionsAndCookies,
        ),
        Key::CookieSameSite => (
            "SameSite",
            "When browsers send the session cookie along with requests that start on other sites.",
            SessionsAndCookies,
        ),
        Key::CookieSecure => (
            "Secure cookie",
            "Whether the session cookie is only ever sent over https.",
            SessionsAndCookies,
        ),
        Key::CookieDomain => (
            "Cookie domain",
            "Leave empty for this workspace's own address; a domain shares the cookie with its other hosts.",
            SessionsAndCookies,
        ),
        Key::CrossSubdomain => (
            "Share the cookie across subdomains",
            "The cookie is sent to every workspace's address; the scope guard still refuses it elsewhere.",
            SessionsAndCookies,
        ),
        Key::ScopeGuard => (
            "Scope guard",
            "A session remembers its workspace and is refused at any other.",
            SessionsAndCookies,
        ),
        Key::Prefix => (
            "Cookie and key prefix",
            "Names the session cookie and prefixes the keys sessions are stored under.",
            SessionsAndCookies,
        ),
        Key::Driver => (
            "Session store",
            "Where sessions are kept between requests.",
            Storage,
        ),
        Key::Isolation => (
            "Isolated store",
            "Keeps this workspace's sessions apart from every other workspace's.",
            Storage,
        ),
        Key::AutoCreateTable => (
            "Create the sessions table when missing",
            "On first use, rather than refusing to store sessions.",
            Storage,
        ),
        Key::BridgeEnabled => (
            "Session bridge",
            "Lets a browser restore its sign-in after the service restarts.",
            SessionBridge,
        ),
        Key::BridgeTokenLifetime => (
            "Device lifetime",
            "How long after signing in a browser may restore its sign-in.",
            SessionBridge,
        ),
        Key::BridgeIdleLifetime => (
            "Idle device lifetime",
            "A browser unused for this long can no longer restore; at most the device lifetime.",
            SessionBridge,
        ),
        Key::BridgeRestoreRateLimit => (
            "Restore rate limit",
            "Restores one client may attempt per minute.",
            SessionBridge,
        ),
        Key::BridgeRotationGrace => (
            "Rotation grace",
            "How long a replaced token still works, for tabs that refresh at once.",
            SessionBridge,
        ),
        Key::SignInMaxFailures => (
            "Failed sign-ins before lockout",
            "Wrong passwords in a row that lock an account.",
            SignInProtection,
        ),
        Key::SignInLockout => (
            "Lockout",
            "How long a locked account stays locked.",
            SignInProtection,
        ),
        Key::SignInAddressRateLimit => (
            "Sign-ins per network address",
            "Attempts one address may make per minute, whichever accounts they name.",
            SignInProtection,
        ),
    };
    About {
        label,
        help,
        section,
    }
}

/// A choice's words: what a value means to someone choosing it.
fn choice_label(key: Key, value: &str) -> &'static str {
    match (key, value) {
        (Key::CookieSameSite, "strict") => "Strict: only from this workspace's own pages",
        (Key::CookieSameSite, "lax") => "Lax: also when following a link here",
        (Key::CookieSameSite, "none") => "None: from any site (needs a secure cookie)",
        (Key::Driver, "database") => "Database",
        (Key::Driver, "redis") => "Redis",
        (Key::Driver, "file") => "Files on the server",
        (Key::Driver, "memory") => "Memory (lost on restart)",
        (Key::CookieSecure, "") => "Automatic: when the request came over https",
        (Key::CookieSecure, "true") => "Always",
        (Key::CookieSecure, "false") => "Never",
        _ => "",
    }
}

fn control(key: Key) -> Control {
    let choices = |values: &[&str]| Control::Select {
        options: values
            .iter()
            .map(|value| Choice {
                value: (*value).to_owned(),
                label: match choice_label(key, value) {
                    "" => (*value).to_owned(),
                    label => label.to_owned(),
                },
            })
            .collect(),
    };
    match key.kind() {
        Kind::Flag => Control::Switch,
        Kind::OptionalFlag => choices(&["", "true", "false"]),
        Kind::Choice(values) => choices(values),
        Kind::Number { unit, min, max } => Control::Number {
            unit: unit.to_owned(),
            min,
            max,
        },
        Kind::Text { optional } => Control::Text { optional },
    }
}

/// A value as its control shows it: unset ("null") is empty.
fn shown(value: String) -> String {
    if value == "null" {
        String::new()
    } else {
        value
    }
}

pub fn field(
    key: Key,
    effective: &SessionSettings,
    defaults: &SessionSettings,
    overridden: bool,
    locked: bool,
) -> SettingField {
    let About {
        label,
        help,
        section,
    } = about(key);
    SettingField {
        key: key.name().into(),
        label: label.into(),
        help: help.into(),
        section,
        control: control(key),
        env: key.env().into(),
        value: shown(effective.get(key)),
        default: shown(defaults.get(key)),
        overridden,
        locked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_has_words_and_every_key_a_label() {
        for key in Key::ALL {
            let About { label, help, .. } = about(key);
            assert!(!label.is_empty() && !help.is_empty(), "{key}");
            if let Control::Select { options } = control(key) {
                for option in options {
                    assert_ne!(option.label, option.value, "{key}: {}", option.value);
                }
            }
        }
    }
}
