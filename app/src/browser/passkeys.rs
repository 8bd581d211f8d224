//! WebAuthn ceremonies in the browser: the server's options (WebAuthn's
//! JSON form) go through `PublicKeyCredential.parse…OptionsFromJSON` to
//! `navigator.credentials`, and the credential's `toJSON()` goes back. Read
//! with `Reflect` rather than typed bindings: a handful of calls, and no
//! web-sys features (or wasm) for each WebAuthn type.

use leptos::task::spawn_local;
use serde_json::{json, Value};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    js_sys::{Function, Object, Promise, Reflect, JSON},
    HtmlButtonElement, HtmlElement, HtmlInputElement,
};

use super::forms::{go_on, reveal, send, stepped_up, Answer, JSON_BODY};
use super::PasskeyCeremony;
use crate::bridge_client::client;

const REGISTER: (&str, &str) = (
    "/api/account/passkeys/register/start",
    "/api/account/passkeys/register/finish",
);
const AUTHENTICATE: (&str, &str) = ("/api/auth/passkey/start", "/api/auth/passkey/finish");

fn on_click(button: &HtmlButtonElement, run: impl Fn() + 'static) {
    let handler = Closure::<dyn Fn()>::new(run);
    if button
        .add_event_listener_with_callback("click", handler.as_ref().unchecked_ref())
        .is_ok()
    {
        // Lives as long as the page.
        handler.forget();
    }
}

/// Wires the button beside a passkey slot (`pages::passkey`): with no
/// ceremony, it registers a passkey under the name typed beside it.
pub fn take_over(slot: HtmlElement, ceremony: Option<PasskeyCeremony>) {
    let Some(container) = slot.closest(".passkey").ok().flatten() else {
        return;
    };
    let Some(button) = container
        .query_selector("button[data-passkey]")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<HtmlButtonElement>().ok())
    else {
        return;
    };
    let name = container
        .query_selector("input[data-passkey-name]")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok());
    let target = button.clone();
    on_click(&target, move || {
        let (button, slot, name) = (button.clone(), slot.clone(), name.clone());
        let container = container.clone();
        spawn_local(async move {
            button.set_disabled(true);
            let outcome = match (&ceremony, &name) {
                (None, Some(name)) => {
                    ceremony_run(REGISTER, json!({ "name": name.value() }), "Creation").await
                }
                _ => ceremony_run(AUTHENTICATE, json!({}), "Request").await,
            };
            button.set_disabled(false);
            match (outcome, ceremony) {
                (Err(message), _) => reveal(&slot, &message),
                (Ok(_), None) => go_on(None),
                (Ok((json, location)), Some(PasskeyCeremony::SignIn)) => {
                    client::keep_token(json.get("bridge_token").and_then(|t| t.as_str()));
                    go_on(location);
                }
                (Ok(_), Some(PasskeyCeremony::StepUp)) => stepped_up(&container),
            }
        });
    });
}

/// Start, the browser's ceremony, finish: the finish answer and where the
/// server says to go, or what to tell the person.
async fn ceremony_run(
    (start, finish): (&str, &str),
    start_body: Value,
    options_kind: &str,
) -> Result<(Value, Option<String>), String> {
    let options = match send(start, start_body.to_string(), JSON_BODY).await {
        Ok(Answer::Done { json, .. }) => json,
        Ok(Answer::Refused { message, .. }) => return Err(message),
        Err(_) => return Err(UNREACHABLE.into()),
    };
    let credential = browser_ceremony(&options, options_kind)
        .await
        .map_err(|_| {
            "The passkey was not used (cancelled, or this browser has none for this workspace)."
                .to_owned()
        })?;
    match send(
        finish,
        json!({ "credential": credential }).to_string(),
        JSON_BODY,
    )
    .await
    {
        Ok(Answer::Done { json, location }) => Ok((json, location)),
        Ok(Answer::Refused { message, .. }) => Err(message),
        Err(_) => Err(UNREACHABLE.into()),
    }
}

const UNREACHABLE: &str = "Could not reach the server. Check your connection and try again.";

/// `navigator.credentials.create` (`options_kind` "Creation") or `.get`
/// ("Request") with the server's options; the credential's JSON.
async fn browser_ceremony(options: &Value, options_kind: &str) -> Result<Value, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let class = Reflect::get(&window, &"PublicKeyCredential".into())?;
    let parse: Function = Reflect::get(
        &class,
        &format!("parse{options_kind}OptionsFromJSON").into(),
    )?
    .dyn_into()?;
    let public_key = JSON::parse(&options["publicKey"].to_string())?;
    let argument = Object::new();
    Reflect::set(
        &argument,
        &"publicKey".into(),
        &parse.call1(&class, &public_key)?,
    )?;
    let navigator = Reflect::get(&window, &"navigator".into())?;
    let container = Reflect::get(&navigator, &"credentials".into())?;
    let method = if options_kind == "Creation" {
        "create"
    } else {
        "get"
    };
    let call: Function = Reflect::get(&container, &method.into())?.dyn_into()?;
    let promise: Promise = call.call1(&container, &argument)?.dyn_into()?;
    let credential = JsFuture::from(promise).await?;
    let to_json: Function = Reflect::get(&credential, &"toJSON".into())?.dyn_into()?;
    let text = JSON::stringify(&to_json.call0(&credential)?)?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).map_err(|_| JsValue::from_str("not JSON"))
}
