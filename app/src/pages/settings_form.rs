//! The admin's settings form: an island of its own, since a refused save
//! shows its message next to the field it names.

use leptos::{prelude::*, server_fn::ServerFn};

use super::form::{on_submit, post_action};
use crate::{
    api::{admin::SaveSettings, encoding::Posted},
    model::admin::SettingsView,
};

/// One input per setting, named `values[<key>]`.
#[island]
pub fn SettingsForm(view: SettingsView, sent_back: Option<String>) -> impl IntoView {
    let save = post_action::<Posted<SaveSettings>>(|_| ());
    // A refusal that names a field (`<key>: ...`) is shown at that field;
    // any other at the form's foot.
    let refusal = move || {
        save.value()
            .with(|v| match v {
                Some(Err(e)) => Some(e.message().to_owned()),
                _ => None,
            })
            .or_else(|| sent_back.clone())
    };
    let keys: Vec<String> = view.fields.iter().map(|f| f.key.clone()).collect();
    let names_a_field = move |message: &str| {
        keys.iter()
            .any(|key| message.starts_with(&format!("{key}:")))
    };
    let general = Signal::derive({
        let refusal = refusal.clone();
        move || refusal().filter(|m| !names_a_field(m))
    });
    let error_for = move |key: String| {
        let refusal = refusal.clone();
        Signal::derive(move || refusal().filter(|m| m.starts_with(&format!("{key}:"))))
    };
    let url = Posted::<SaveSettings>::url();
    view! {
        {view.warning.map(|warning| view! {
            <p class="warning" role="alert" data-testid="crossing-warning">{warning}</p>
        })}
        <form method="post" action=url on:submit=on_submit(save)>
            {view.fields.into_iter().map(|field| {
                let name = format!("values[{}]", field.key);
                let error = error_for(field.key.clone());
                let locked = field.locked.then_some(" — set by the operator of this installation");
                view! {
                    <label>
                        {field.key.clone()}
                        <small>{format!(" ({}{}){}", field.env, if field.overridden { ", overridden" } else { "" }, locked.unwrap_or_default())}</small>
                        <input name=name value=field.value readonly=field.locked/>
                        <Show when=move || error.get().is_some()>
                            <span class="error field-error" role="alert">{move || error.get()}</span>
                        </Show>
                    </label>
                }
            }).collect_view()}
            <Show when=move || general.get().is_some()>
                <p class="error" role="alert">{move || general.get()}</p>
            </Show>
            <button type="submit">"Save settings"</button>
        </form>
    }
}
