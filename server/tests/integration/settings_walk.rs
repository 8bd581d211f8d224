//! Every setting's declaration walked through every place that reads it:
//! its environment variable gives the default, a tenant override applies
//! on top, the admin panel shows a control of its kind and saves through it
//! (or shows it locked), and the CLI sets and lists it. A declaration that
//! one of them misses fails here.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tessera_backend::{
    settings::{Fenced, Key, Kind, Overrides, Setting, TenantSettings, TextRule},
    tenancy::CentralDomain,
};

use crate::support::{process, session_cookie, TestApp};

const DOMAIN: &str = "tessera.test";

/// A value of the setting's kind other than its default, valid beside
/// every other setting's default and within the operator's default bounds.
fn sample(setting: &Setting) -> String {
    match setting.kind {
        Kind::Flag if setting.default == "true" => "false".into(),
        Kind::Flag => "true".into(),
        Kind::Choice(choices) => choices
            .iter()
            .map(|c| c.value)
            .find(|v| *v != setting.default)
            .unwrap_or_else(|| panic!("{}: a choice of one", setting.name))
            .into(),
        Kind::Number { max, .. } => {
            let default: u64 = setting.default.parse().expect("a numeric default");
            assert!(default < max, "{}: a default at the maximum", setting.name);
            (default + 1).to_string()
        }
        Kind::Text {
            rule: TextRule::Prefix,
            ..
        } => "walk".into(),
        Kind::Text {
            rule: TextRule::Domain,
            ..
        } => DOMAIN.into(),
        Kind::Text {
            rule: TextRule::Rollout,
            ..
        } => "percent:40".into(),
    }
}

#[test]
fn every_setting_is_read_from_its_variable_and_from_an_override() {
    let domain = CentralDomain::parse(DOMAIN).expect("domain");
    for &key in Key::ALL {
        let setting = key.setting();
        let value = sample(setting);
        assert_ne!(value, setting.default, "{key}");
        if let Fenced::Bounded(bound) = setting.fence {
            let n: u64 = value.parse().expect("numeric");
            assert!((bound.min..=bound.max).contains(&n), "{key}: {n}");
        }

        let defaults = TenantSettings::default();
        assert_eq!(
            defaults.get(key),
            match setting.default {
                "" => "null",
                default => default,
            },
            "{key}: the declared default is the built-in one"
        );
        let from_env =
            TenantSettings::from_lookup(|name| (name == key.env()).then(|| value.clone()))
                .unwrap_or_else(|e| panic!("{key} from {}: {e}", key.env()));
        assert_eq!(from_env.get(key), value, "{key} from {}", key.env());
        for other in Key::ALL.iter().filter(|k| **k != key) {
            assert_eq!(
                from_env.get(*other),
                defaults.get(*other),
                "{}={value} changed {other}: two declarations share a field",
                key.env()
            );
        }

        let mut overrides = Overrides::default();
        overrides.set(key, &value);
        let overridden = defaults
            .with_overrides(&overrides, &domain)
            .unwrap_or_else(|e| panic!("{key} overridden: {e}"));
        assert_eq!(overridden.get(key), value, "{key} overridden");
        assert_eq!(Overrides::from_json(&overrides.to_json()), Ok(overrides));
    }
}

fn field(view: &Value, key: Key) -> &Value {
    view["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["key"] == key.name()))
        .unwrap_or_else(|| panic!("{key} is not on the admin panel: {view}"))
}

#[tokio::test]
async fn every_setting_has_a_control_on_the_admin_panel_that_saves_it() {
    let app = TestApp::spawn_with(&[("TESSERA_DOMAIN", DOMAIN)]).await;
    let admin = session_cookie(
        &app.register(&app.raw(), "acme", "admin@acme.test").await,
        "acme",
    )
    .expect("the first user is signed in, as admin");
    let (_, view) = app.call_as(&admin, "/api/admin/settings", None).await;
    assert_eq!(
        view["fields"].as_array().map(Vec::len),
        Some(Key::ALL.len()),
        "{view}"
    );
    for &key in Key::ALL {
        let setting = key.setting();
        let shown = field(&view, key);
        assert_eq!(
            (&shown["label"], &shown["help"], &shown["env"]),
            (
                &json!(setting.label),
                &json!(setting.help),
                &json!(setting.env)
            ),
            "{key}"
        );
        let control = &shown["control"];
        let fits = match setting.kind {
            Kind::Flag => control["type"] == "switch",
            Kind::Choice(choices) => {
                control["type"] == "select"
                    && control["options"].as_array().is_some_and(|options| {
                        options.len() == choices.len()
                            && options
                                .iter()
                                .zip(choices)
                                .all(|(o, c)| o["value"] == c.value && o["label"] == c.label)
                    })
            }
            Kind::Number { min, max, unit } => {
                control["type"] == "number"
                    && control["min"] == min
                    && control["max"] == max
                    && control["unit"] == unit.label()
            }
            Kind::Text { optional, .. } => {
                control["type"] == "text" && control["optional"] == optional
            }
        };
        assert!(fits, "{key}: {control}");

        let value = sample(setting);
        let save = json!({"values": {key.name(): value}});
        let (status, saved) = app
            .call_as(&admin, "/api/admin/settings/save", Some(save))
            .await;
        if setting.fence == Fenced::OperatorOnly {
            assert_eq!(shown["locked"], true, "{key}");
            assert_eq!(status, StatusCode::BAD_REQUEST, "{key}: {saved}");
            assert!(
                saved["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(&format!("{key}: is set by the operator"))),
                "{key}: {saved}"
            );
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{key}: {saved}");
        assert_eq!(field(&saved, key)["value"], value.as_str(), "{key}");
        assert_eq!(field(&saved, key)["overridden"], true, "{key}");
        // Back to the default, so each setting is walked on its own.
        let reset = json!({"values": {}, "reset": {key.name(): ""}});
        let (status, reset) = app
            .call_as(&admin, "/api/admin/settings/save", Some(reset))
            .await;
        assert_eq!(status, StatusCode::OK, "{key}: {reset}");
        assert_eq!(field(&reset, key)["overridden"], false, "{key}");
    }
}

#[tokio::test]
async fn the_cli_sets_and_lists_every_setting() {
    let app = TestApp::spawn_with(&[("TESSERA_DOMAIN", DOMAIN)]).await;
    let dir = app.data_dir.path().display().to_string();
    let env = [
        ("TESSERA_DATA_DIR", dir.as_str()),
        ("TESSERA_DOMAIN", DOMAIN),
    ];
    let assignments: Vec<String> = Key::ALL
        .iter()
        .map(|key| format!("{}={}", key.name(), sample(key.setting())))
        .collect();
    let mut args = vec!["tenant", "settings", "globex"];
    for assignment in &assignments {
        args.extend(["--set", assignment.as_str()]);
    }
    let listed = process::cli(&env, &args);
    for &key in Key::ALL {
        let value = sample(key.setting());
        assert!(
            listed.lines().any(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                words == [key.name(), value.as_str(), "(tenant)"]
            }),
            "{key}={value} is not listed as the tenant's:\n{listed}"
        );
    }
}
