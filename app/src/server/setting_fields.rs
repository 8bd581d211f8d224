//! The admin's settings as a person reads them: each declaration's label,
//! help and section, and the control its `Kind` calls for, so the form
//! offers exactly what the settings accept.

use tessera_backend::settings::{Key, Kind, Section, TenantSettings};

use crate::model::admin::{Choice, Control, SettingField, SettingSection};

fn section(section: Section) -> SettingSection {
    match section {
        Section::SessionsAndCookies => SettingSection::SessionsAndCookies,
        Section::Storage => SettingSection::Storage,
        Section::SessionBridge => SettingSection::SessionBridge,
        Section::SignInProtection => SettingSection::SignInProtection,
    }
}

fn control(kind: Kind) -> Control {
    match kind {
        Kind::Flag => Control::Switch,
        Kind::Choice(choices) => Control::Select {
            options: choices
                .iter()
                .map(|choice| Choice {
                    value: choice.value.to_owned(),
                    label: choice.label.to_owned(),
                })
                .collect(),
        },
        Kind::Number { unit, min, max } => Control::Number {
            unit: unit.label().to_owned(),
            min,
            max,
        },
        Kind::Text { optional, .. } => Control::Text { optional },
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
    effective: &TenantSettings,
    defaults: &TenantSettings,
    overridden: bool,
    locked: bool,
) -> SettingField {
    let setting = key.setting();
    SettingField {
        key: setting.name.into(),
        label: setting.label.into(),
        help: setting.help.into(),
        section: section(setting.section),
        control: control(setting.kind),
        env: setting.env.into(),
        value: shown(effective.get(key)),
        default: shown(defaults.get(key)),
        overridden,
        locked,
    }
}
