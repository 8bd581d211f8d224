//! Passkey buttons: islands, as WebAuthn needs the browser
//! (`navigator.credentials`); what they do is `browser::passkeys`.

use leptos::prelude::*;

use crate::browser::PasskeyCeremony;

/// A button that runs `ceremony`, and the slot its refusals show in.
#[island]
pub fn PasskeyButton(ceremony: PasskeyCeremony, label: String) -> impl IntoView {
    let button = NodeRef::<leptos::html::Button>::new();
    let slot = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    button.on_load(move |button| {
        if let Some(slot) = slot.get_untracked() {
            crate::browser::passkeys::authenticate_on_click(button, slot.into(), ceremony);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = ceremony;
    view! {
        <div class="passkey">
            <button type="button" class="quiet" node_ref=button>{label}</button>
            <p class="error" role="alert" node_ref=slot hidden></p>
        </div>
    }
}

/// Registers a new passkey under the name typed (the Security page).
#[island]
pub fn PasskeyRegister() -> impl IntoView {
    let name = NodeRef::<leptos::html::Input>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    let slot = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    button.on_load(move |button| {
        if let (Some(name), Some(slot)) = (name.get_untracked(), slot.get_untracked()) {
            crate::browser::passkeys::register_on_click(button, name, slot.into());
        }
    });
    view! {
        <div class="passkey">
            <label>"Name for the new passkey"
                <input node_ref=name value="Passkey" maxlength="64" data-testid="passkey-name"/>
            </label>
            <button type="button" node_ref=button>"Add a passkey"</button>
            <p class="error" role="alert" node_ref=slot hidden></p>
        </div>
    }
}
