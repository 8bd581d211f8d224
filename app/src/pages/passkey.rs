//! Passkey buttons. WebAuthn needs the browser (`navigator.credentials`):
//! each button is server HTML beside a small island, its message slot,
//! which once hydrated wires the button (as `FormIsland` does its form;
//! the islands hold no text, which their hydration does not take);
//! what a click does is `browser::passkeys`.

use leptos::prelude::*;

use crate::browser::PasskeyCeremony;

/// A button that runs `ceremony`.
#[component]
pub fn PasskeyButton(ceremony: PasskeyCeremony, label: &'static str) -> impl IntoView {
    view! {
        <div class="passkey">
            <button type="button" class="quiet" data-passkey>{label}</button>
            <PasskeySlot ceremony=Some(ceremony)/>
        </div>
    }
}

/// Registers a new passkey under the name typed (the Security page).
#[component]
pub fn PasskeyRegister() -> impl IntoView {
    view! {
        <div class="passkey">
            <label>"Name for the new passkey"
                <input data-passkey-name value="Passkey" maxlength="64"/>
            </label>
            <button type="button" data-passkey>"Add a passkey"</button>
            <PasskeySlot ceremony=None/>
        </div>
    }
}

/// The message slot of a passkey button; `None`: registering one.
#[island]
fn PasskeySlot(ceremony: Option<PasskeyCeremony>) -> impl IntoView {
    let slot = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    slot.on_load(move |slot| crate::browser::passkeys::take_over(slot.into(), ceremony));
    #[cfg(not(feature = "hydrate"))]
    let _ = ceremony;
    view! { <p class="error" role="alert" node_ref=slot hidden></p> }
}
