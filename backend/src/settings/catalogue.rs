//! Every setting, declared once. Adding one is a declaration here plus its
//! field in `TenantSettings` (and its blank in `TenantSettings::blank`,
//! which the compiler asks for); the integration tests in `settings_walk`
//! walk every declaration through its variable, a tenant override, the
//! admin panel and the CLI, and fail for one that misses a step.

use super::{
    declaration::{at, Bound, Fenced, Section, Setting},
    kind::{Choice, Kind, TextRule, Unit},
};

/// The longest a rotated-out bridge token may keep yielding its successor:
/// long enough for two tabs racing, short enough that a stolen token is
/// caught as theft soon after.
pub const MAX_ROTATION_GRACE_SECS: u64 = 120;

const MINUTES: Kind = Kind::Number {
    unit: Unit::Minutes,
    min: 1,
    max: 5_256_000,
};
const PER_MINUTE: Kind = Kind::Number {
    unit: Unit::PerMinute,
    min: 1,
    max: 10_000,
};

const fn up_to(max: u64) -> Fenced {
    Fenced::Bounded(Bound { min: 0, max })
}

/// Declares `Key`, one variant per setting, and where each one's
/// declaration lives.
macro_rules! catalogue {
    ($( $(#[doc = $doc:literal])* $key:ident = $setting:expr; )*) => {
        /// Every setting, by the declaration it names.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Key { $( $(#[doc = $doc])* $key, )* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            pub fn setting(self) -> &'static Setting {
                match self {
                    $( Key::$key => {
                        static SETTING: Setting = $setting;
                        &SETTING
                    } )*
                }
            }
        }
    };
}

catalogue! {
    Isolation = Setting {
        name: "isolation",
        env: "TENANCY_SESSION_ISOLATION",
        kind: Kind::Flag,
        default: "true",
        label: "Isolated store",
        help: "Keeps this workspace's sessions apart from every other workspace's.",
        section: Section::Storage,
        fence: Fenced::OperatorOnly,
        field: at!(isolation),
    };
    ScopeGuard = Setting {
        name: "scope_guard",
        env: "TENANCY_SESSION_SCOPE_GUARD",
        kind: Kind::Flag,
        default: "true",
        label: "Scope guard",
        help: "A session remembers its workspace and is refused at any other.",
        section: Section::SessionsAndCookies,
        fence: Fenced::Open,
        field: at!(scope_guard),
    };
    CrossSubdomain = Setting {
        name: "cross_subdomain",
        env: "TENANCY_CROSS_SUBDOMAIN_SESSIONS",
        kind: Kind::Flag,
        default: "false",
        label: "Share the cookie across subdomains",
        help: "The cookie is sent to every workspace's address; the scope guard still refuses it elsewhere.",
        section: Section::SessionsAndCookies,
        fence: Fenced::Open,
        field: at!(cross_subdomain),
    };
    Prefix = Setting {
        name: "prefix",
        env: "TENANCY_SESSION_PREFIX",
        kind: Kind::Text { optional: false, rule: TextRule::Prefix },
        default: "tenant",
        label: "Cookie and key prefix",
        help: "Names the session cookie and prefixes the keys sessions are stored under.",
        section: Section::SessionsAndCookies,
        fence: Fenced::Open,
        field: at!(prefix),
    };
    AutoCreateTable = Setting {
        name: "auto_create_session_table",
        env: "TENANCY_AUTO_CREATE_SESSION_TABLE",
        kind: Kind::Flag,
        default: "true",
        label: "Create the sessions table when missing",
        help: "On first use, rather than refusing to store sessions.",
        section: Section::Storage,
        fence: Fenced::Open,
        field: at!(auto_create_table),
    };
    CookieDomain = Setting {
        name: "cookie.domain",
        env: "TENANCY_SESSION_COOKIE_DOMAIN",
        kind: Kind::Text { optional: true, rule: TextRule::Domain },
        default: "",
        label: "Cookie domain",
        help: "Leave empty for this workspace's own address; a domain shares the cookie with its other hosts.",
        section: Section::SessionsAndCookies,
        fence: Fenced::OperatorOnly,
        field: at!(cookie_domain),
    };
    CookieSecure = Setting {
        name: "cookie.secure",
        env: "TENANCY_SESSION_COOKIE_SECURE",
        kind: Kind::Choice(&[
            Choice { value: "", label: "Automatic: when the request came over https" },
            Choice { value: "true", label: "Always" },
            Choice { value: "false", label: "Never" },
        ]),
        default: "",
        label: "Secure cookie",
        help: "Whether the session cookie is only ever sent over https.",
        section: Section::SessionsAndCookies,
        fence: Fenced::Open,
        field: at!(cookie_secure),
    };
    CookieSameSite = Setting {
        name: "cookie.same_site",
        env: "TENANCY_SESSION_COOKIE_SAME_SITE",
        kind: Kind::Choice(&[
            Choice { value: "strict", label: "Strict: only from this workspace's own pages" },
            Choice { value: "lax", label: "Lax: also when following a link here" },
            Choice { value: "none", label: "None: from any site (needs a secure cookie)" },
        ]),
        default: "lax",
        label: "SameSite",
        help: "When browsers send the session cookie along with requests that start on other sites.",
        section: Section::SessionsAndCookies,
        fence: Fenced::Open,
        field: at!(same_site),
    };
    Driver = Setting {
        name: "driver",
        env: "SESSION_DRIVER",
        kind: Kind::Choice(&[
            Choice { value: "database", label: "Database" },
            Choice { value: "redis", label: "Redis" },
            Choice { value: "file", label: "Files on the server" },
            Choice { value: "memory", label: "Memory (lost on restart)" },
        ]),
        default: "database",
        label: "Session store",
        help: "Where sessions are kept between requests.",
        section: Section::Storage,
        fence: Fenced::OperatorOnly,
        field: at!(driver),
    };
    Lifetime = Setting {
        name: "lifetime",
        env: "SESSION_LIFETIME",
        kind: MINUTES,
        default: "120",
        label: "Session lifetime",
        help: "A session ends after this long without a request.",
        section: Section::SessionsAndCookies,
        fence: up_to(7 * 24 * 60),
        field: at!(lifetime),
    };
    BridgeEnabled = Setting {
        name: "bridge.enabled",
        env: "BRIDGE_ENABLED",
        kind: Kind::Flag,
        default: "true",
        label: "Session bridge",
        help: "Lets a browser restore its sign-in after the service restarts.",
        section: Section::SessionBridge,
        fence: Fenced::Open,
        field: at!(bridge.enabled),
    };
    BridgeTokenLifetime = Setting {
        name: "bridge.token_lifetime",
        env: "BRIDGE_TOKEN_LIFETIME",
        kind: MINUTES,
        default: "43200",
        label: "Device lifetime",
        help: "How long after signing in a browser may restore its sign-in.",
        section: Section::SessionBridge,
        fence: up_to(90 * 24 * 60),
        field: at!(bridge.token_lifetime),
    };
    BridgeIdleLifetime = Setting {
        name: "bridge.idle_lifetime",
        env: "BRIDGE_IDLE_LIFETIME",
        kind: MINUTES,
        default: "10080",
        label: "Idle device lifetime",
        help: "A browser unused for this long can no longer restore; at most the device lifetime.",
        section: Section::SessionBridge,
        fence: up_to(30 * 24 * 60),
        field: at!(bridge.idle_lifetime),
    };
    BridgeRestoreRateLimit = Setting {
        name: "bridge.restore_rate_limit",
        env: "BRIDGE_RESTORE_RATE_LIMIT",
        kind: PER_MINUTE,
        default: "10",
        label: "Restore rate limit",
        help: "Restores one client may attempt per minute.",
        section: Section::SessionBridge,
        fence: up_to(60),
        field: at!(bridge.restore_rate_limit),
    };
    BridgeRotationGrace = Setting {
        name: "bridge.rotation_grace",
        env: "BRIDGE_ROTATION_GRACE",
        kind: Kind::Number { unit: Unit::Seconds, min: 0, max: MAX_ROTATION_GRACE_SECS },
        default: "30",
        label: "Rotation grace",
        help: "How long a replaced token still works, for tabs that refresh at once.",
        section: Section::SessionBridge,
        fence: up_to(MAX_ROTATION_GRACE_SECS),
        field: at!(bridge.rotation_grace),
    };
    BridgeStepUp = Setting {
        name: "bridge.step_up",
        env: "BRIDGE_STEP_UP",
        kind: Kind::Choice(&[
            Choice { value: "never", label: "Never: a token alone restores the sign-in" },
            Choice { value: "enrolled", label: "When the person has a second factor" },
            Choice { value: "always", label: "Always: no second factor, no restore" },
        ]),
        default: "enrolled",
        label: "Second factor on restore",
        help: "Whether a restored sign-in waits for the person's second factor before it counts.",
        section: Section::SessionBridge,
        fence: Fenced::Open,
        field: at!(bridge.step_up),
    };
    BridgeStorage = Setting {
        name: "bridge.storage",
        env: "BRIDGE_STORAGE",
        kind: Kind::Choice(&[
            Choice { value: "local_storage", label: "Local storage (scripts can read it)" },
            Choice { value: "cookie", label: "HttpOnly cookie (recommended)" },
        ]),
        default: "local_storage",
        label: "Where browsers keep the bridge token",
        help: "In a cookie no script on the page can read or steal the token. Switching keeps everyone signed in; each browser moves its token over on its next refresh.",
        section: Section::SessionBridge,
        fence: Fenced::Open,
        field: at!(bridge.storage),
    };
    BridgeRollout = Setting {
        name: "bridge.rollout",
        env: "BRIDGE_ROLLOUT",
        kind: Kind::Text { optional: false, rule: TextRule::Rollout },
        default: "everyone",
        label: "Who gets the session bridge",
        help: "everyone, role:admin, role:member or percent:<0-100> (the same people stay in as it rises). Those who leave lose their devices.",
        section: Section::SessionBridge,
        fence: Fenced::Open,
        field: at!(bridge.rollout),
    };
    SignInMaxFailures = Setting {
        name: "signin.max_failures",
        env: "SIGNIN_MAX_FAILURES",
        kind: Kind::Number { unit: Unit::FailedAttempts, min: 1, max: 1_000 },
        default: "5",
        label: "Failed sign-ins before lockout",
        help: "Wrong passwords in a row that lock an account.",
        section: Section::SignInProtection,
        fence: up_to(20),
        field: at!(signin.max_failures),
    };
    SignInLockout = Setting {
        name: "signin.lockout",
        env: "SIGNIN_LOCKOUT",
        kind: MINUTES,
        default: "15",
        label: "Lockout",
        help: "How long a locked account stays locked.",
        section: Section::SignInProtection,
        fence: Fenced::Bounded(Bound { min: 5, max: 24 * 60 }),
        field: at!(signin.lockout),
    };
    SignInAddressRateLimit = Setting {
        name: "signin.address_rate_limit",
        env: "SIGNIN_ADDRESS_RATE_LIMIT",
        kind: PER_MINUTE,
        default: "30",
        label: "Sign-ins per network address",
        help: "Attempts one address may make per minute, whichever accounts they name.",
        section: Section::SignInProtection,
        fence: up_to(120),
        field: at!(signin.address_rate_limit),
    };
    SignInPrivilegedMinutes = Setting {
        name: "signin.privileged_minutes",
        env: "SIGNIN_PRIVILEGED_MINUTES",
        kind: MINUTES,
        default: "10",
        label: "Recent sign-in for sensitive changes",
        help: "Changing settings, roles, factors or a password needs a second factor (or, without one, the password) this recently.",
        section: Section::SignInProtection,
        fence: up_to(24 * 60),
        field: at!(signin.privileged),
    };
    SignInSecondFactor = Setting {
        name: "signin.second_factor",
        env: "SIGNIN_SECOND_FACTOR",
        kind: Kind::Choice(&[
            Choice { value: "optional", label: "Nobody: each person chooses" },
            Choice { value: "admins", label: "The workspace's admins" },
            Choice { value: "everyone", label: "Everyone" },
        ]),
        default: "optional",
        label: "Who must use a second factor",
        help: "Someone who must and has none sets one up right after their password, before anything else.",
        section: Section::SignInProtection,
        fence: Fenced::Open,
        field: at!(signin.second_factor),
    };
}
