//! The admin's settings, in sections, each with the control its value
//! takes, what it does, where its default comes from, whether this
//! workspace overrides it, and a way back to the default.
//!
//! Posted as one form (`values[<key>]`). A switch that is off sends
//! nothing, so the form also lists the switches it showed
//! (`switches[<key>]`); `reset[<key>]` drops an override.

use leptos::prelude::*;

use super::form::{sent_back, sent_back_field, Endpoint, PostForm, SentBackError};
use crate::{
    error::sent_back::SentBack,
    model::admin::{Control, SettingField, SettingSection, SettingsView},
};

#[component]
pub fn SettingsForm(view: SettingsView) -> impl IntoView {
    // A refusal may name its field: shown there (as the setting's own
    // refusal), or else under the form (which the island does likewise
    // once hydrated, with the whole message).
    let refusal = sent_back(Endpoint::SaveSettings);
    let named = sent_back_field(Endpoint::SaveSettings)
        .filter(|key| view.fields.iter().any(|f| f.key == *key));
    let refusal = match (&named, refusal) {
        (Some(_), Some(_)) => Some(SentBack::InvalidSetting.text().to_owned()),
        (_, refusal) => refusal,
    };
    let sections = SettingSection::ALL.map(|section| {
        let fields: Vec<SettingField> = view
            .fields
            .iter()
            .filter(|f| f.section == section)
            .cloned()
            .collect();
        let (refusal, named) = (refusal.clone(), named.clone());
        view! {
            <fieldset class="settings-section">
                <legend>{section.title()}</legend>
                {fields.into_iter().map(|field| {
                    let error = refusal.clone().filter(|_| named.as_deref() == Some(field.key.as_str()));
                    view! { <Setting field error/> }
                }).collect_view()}
            </fieldset>
        }
    });
    view! {
        {view.warning.map(|warning| view! {
            <p class="warning" role="alert" data-testid="crossing-warning">{warning}</p>
        })}
        <PostForm endpoint=Endpoint::SaveSettings quiet=true>
            {named.is_none().then(|| view! { <SentBackError endpoint=Endpoint::SaveSettings/> })}
            {sections.into_iter().collect_view()}
            <div class="form-actions">
                <button type="submit">"Save settings"</button>
            </div>
        </PostForm>
    }
}

/// One setting: its label and control, what it does, its default.
#[component]
fn Setting(field: SettingField, error: Option<String>) -> impl IntoView {
    let id = format!("setting-{}", field.key.replace('.', "-"));
    let help_id = format!("{id}-help");
    let name = format!("values[{}]", field.key);
    let locked = field.locked;
    let control = match field.control.clone() {
        Control::Switch => view! {
            <label class="switch">
                <input type="checkbox" role="switch" id=id.clone() name=name value="true"
                    checked={field.value == "true"} disabled=locked aria-describedby=help_id.clone()/>
                <span class="track" aria-hidden="true"></span>
                <span class="label-text">{field.label.clone()}</span>
            </label>
            {(!locked).then(|| view! {
                <input type="hidden" name=format!("switches[{}]", field.key) value="shown"/>
            })}
        }
        .into_any(),
        Control::Select { options } => view! {
            <label for=id.clone()>{field.label.clone()}</label>
            <select id=id.clone() name=name disabled=locked aria-describedby=help_id.clone()>
                {options.into_iter().map(|option| {
                    let selected = option.value == field.value;
                    view! { <option value=option.value selected=selected>{option.label}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        Control::Number { unit, min, max } => view! {
            <label for=id.clone()>{field.label.clone()}</label>
            <span class="with-unit">
                <input type="number" id=id.clone() name=name value=field.value.clone()
                    min=min.to_string() max=max.to_string() step="1" inputmode="numeric" required
                    disabled=locked aria-describedby=help_id.clone()/>
                <span class="unit">{unit}</span>
            </span>
        }
        .into_any(),
        Control::Text { optional } => view! {
            <label for=id.clone()>{field.label.clone()}</label>
            <input type="text" id=id.clone() name=name value=field.value.clone() required={!optional}
                disabled=locked aria-describedby=help_id.clone()/>
        }
        .into_any(),
    };
    let default = if field.default.is_empty() {
        "unset".to_owned()
    } else {
        field.default.clone()
    };
    let no_error = error.is_none();
    view! {
        <div class="setting" data-testid=format!("setting-{}", field.key)>
            {control}
            <p class="help" id=help_id>
                {field.help.clone()}
                <span class="meta">
                    {format!(" Default: {default} ({}).", field.env)}
                    {field.overridden.then_some(" Overridden by this workspace.")}
                </span>
            </p>
            {locked.then(|| view! {
                <p class="locked">"Set by the operator of this installation, so it cannot be changed here."</p>
            })}
            {(field.overridden && !locked).then(|| view! {
                <label class="reset">
                    <input type="checkbox" name=format!("reset[{}]", field.key) value="1"/>
                    {format!("Reset {} to its default", field.label)}
                </label>
            })}
            <p class="error field-error" role="alert" data-error-for=field.key.clone() hidden=no_error>{error}</p>
        </div>
    }
}
