//! A hydrated form: its submit taken over by `FormIsland`.
//!
//! The same url-encoded body a plain post sends goes to the same server
//! function, asking for JSON (`Accept: application/json`), so the answer is
//! the API's: a success (and, where the function says where to go next, its
//! `Location`), or `{"error": ..., "message": ...}` with its status. A
//! refusal is shown at the field it names (`<key>: ...` next to the element
//! marked `data-error-for="<key>"`), else in the form's own slot. After a
//! success the page is loaded again, as after a plain post: where the
//! server said, or this page re-rendered.

use leptos::{logging, task::spawn_local};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Element, FormData, HtmlButtonElement, HtmlElement, HtmlFormElement, Request, RequestInit,
    Response, SubmitEvent, UrlSearchParams,
};

use super::AfterPost;
use crate::bridge_client::client;

/// Called when the island's message slot hydrates.
pub fn take_over(slot: HtmlElement, after: AfterPost, confirm: Option<String>) {
    let Some(form) = slot
        .closest("form")
        .ok()
        .flatten()
        .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let on_submit = Closure::<dyn FnMut(SubmitEvent)>::new({
        let form = form.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if let Some(question) = &confirm {
                let confirmed = web_sys::window()
                    .and_then(|w| w.confirm_with_message(question).ok())
                    .unwrap_or(false);
                if !confirmed {
                    return;
                }
            }
            let Some(body) = body_of(&form, ev.submitter()) else {
                return;
            };
            spawn_local(post(form.clone(), slot.clone(), body, after));
        }
    });
    if form
        .add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref())
        .is_ok()
    {
        // Lives as long as the page.
        on_submit.forget();
    }
}

/// The form's fields, url-encoded, with the button that submitted it (as
/// a plain post would send it).
fn body_of(form: &HtmlFormElement, submitter: Option<HtmlElement>) -> Option<String> {
    let data = FormData::new_with_form(form).ok()?;
    let params = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    if let Some(button) = submitter.and_then(|b| b.dyn_into::<HtmlButtonElement>().ok()) {
        if !button.name().is_empty() {
            params.append(&button.name(), &button.value());
        }
    }
    Some(params.to_string().into())
}

async fn post(form: HtmlFormElement, slot: HtmlElement, body: String, after: AfterPost) {
    set_busy(&form, true);
    let answer = send(&form.action(), body, FORM_BODY).await;
    set_busy(&form, false);
    match answer {
        Ok(Answer::Done { json, location }) => {
            match after {
                AfterPost::KeepBridgeToken => {
                    client::keep_token(json.get("bridge_token").and_then(|t| t.as_str()));
                }
                AfterPost::DropBridgeToken => client::clear_token(),
                AfterPost::SteppedUp => return stepped_up(&form),
                AfterPost::Nothing => {}
            }
            go_on(location);
        }
        Ok(Answer::Refused { error, message }) => {
            show(&form, &slot, &message);
            if error == STEP_UP_REQUIRED {
                ask_to_step_up();
            }
        }
        Err(_) => show(
            &form,
            &slot,
            "Could not reach the server. Check your connection and try again.",
        ),
    }
}

pub(super) enum Answer {
    Done {
        json: serde_json::Value,
        location: Option<String>,
    },
    Refused {
        /// The API's error code (`step_up_required`, ...).
        error: String,
        message: String,
    },
}

/// The refusal of a privileged action whose proof is not recent.
const STEP_UP_REQUIRED: &str = "step_up_required";

/// A form's body, as a plain post sends it.
const FORM_BODY: &str = "application/x-www-form-urlencoded";
/// A JSON body (the passkey ceremonies').
pub(super) const JSON_BODY: &str = "application/json";

/// POSTs `body` to a server function, asking for JSON.
pub(super) async fn send(url: &str, body: String, content_type: &str) -> Result<Answer, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let request = Request::new_with_str_and_init(url, &init)?;
    let headers = request.headers();
    headers.set("Content-Type", content_type)?;
    headers.set("Accept", "application/json")?;
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let location = response.headers().get("Location")?;
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if response.ok() {
        return Ok(Answer::Done { json, location });
    }
    let message = json
        .get("message")
        .and_then(|m| m.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("The server refused this ({}).", response.status()));
    let error = json
        .get("error")
        .and_then(|e| e.as_str())
        .unwrap_or_default()
        .to_owned();
    Ok(Answer::Refused { error, message })
}

/// Shows the page's step-up prompt (`pages::step_up`) and puts the cursor
/// in it.
fn ask_to_step_up() {
    let Some(prompt) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("step-up"))
    else {
        return;
    };
    let _ = prompt.remove_attribute("hidden");
    if let Some(input) = prompt
        .query_selector("input")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlElement>().ok())
    {
        let _ = input.focus();
    }
}

/// A way of confirming in the step-up prompt (a form, a passkey button)
/// succeeded: it gives way to the prompt's notice.
pub(super) fn stepped_up(way: &Element) {
    let _ = way.set_attribute("hidden", "");
    if let Some(notice) = way
        .closest("#step-up")
        .ok()
        .flatten()
        .and_then(|p| p.query_selector("[data-stepped-up]").ok().flatten())
    {
        let _ = notice.remove_attribute("hidden");
    }
}

/// Shows `message` in a slot.
pub(super) fn reveal(slot: &HtmlElement, message: &str) {
    slot.set_text_content(Some(message));
    let _ = slot.remove_attribute("hidden");
}

/// Shows `message` at the field it names, else in the form's slot (and no
/// longer a message an earlier plain post was sent back with).
fn show(form: &HtmlFormElement, slot: &HtmlElement, message: &str) {
    for earlier in elements(form, "[data-sent-back]") {
        let _ = earlier.set_attribute("hidden", "");
    }
    let fields = elements(form, "[data-error-for]");
    for old in &fields {
        old.set_text_content(None);
        let _ = old.set_attribute("hidden", "");
    }
    let key = message.split_once(':').map(|(key, _)| key);
    let at_field = fields
        .into_iter()
        .find(|e| key.is_some() && e.get_attribute("data-error-for").as_deref() == key);
    let target: Element = at_field.unwrap_or_else(|| slot.clone().into());
    target.set_text_content(Some(message));
    let _ = target.remove_attribute("hidden");
    if target != Element::from(slot.clone()) {
        slot.set_text_content(None);
        let _ = slot.set_attribute("hidden", "");
    }
}

fn elements(form: &HtmlFormElement, selector: &str) -> Vec<Element> {
    let Ok(list) = form.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// Submit buttons are disabled while the post is under way.
fn set_busy(form: &HtmlFormElement, busy: bool) {
    let _ = form.set_attribute("aria-busy", if busy { "true" } else { "false" });
    for button in elements(form, "button") {
        if let Ok(button) = button.dyn_into::<HtmlButtonElement>() {
            button.set_disabled(busy);
        }
    }
}

/// Where the server said to go, or this page again.
pub(super) fn go_on(location: Option<String>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let result = match location {
        Some(next) => window.location().assign(&next),
        None => window.location().reload(),
    };
    if result.is_err() {
        logging::warn!("could not load the next page");
    }
}
