//! The input encoding of every POST server function: JSON from scripts (and
//! the hydrated app), or a url-encoded form from a browser posting a plain
//! `<form>` (before hydration, or without JavaScript). One endpoint, one
//! typed argument struct, two ways in; the answer is JSON either way.
//!
//! Used as `#[server(input = JsonOrForm, custom = Posted, ...)]`: the
//! codec traits are foreign, so they can only be implemented for a type of
//! ours, and `custom` wraps the generated argument struct in `Posted`.

use http::Method;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use server_fn::{
    codec::{Encoding, FromReq, IntoReq},
    error::{FromServerFnError, IntoAppError, ServerFnErrorErr},
    request::{ClientReq, Req},
    ContentType, Format, FormatType,
};

pub struct JsonOrForm;

impl ContentType for JsonOrForm {
    /// What this app's own client sends.
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonOrForm {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encoding for JsonOrForm {
    const METHOD: Method = Method::POST;
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Nesting as deep as Leptos' own form decoding reads it (`a[b]=c`).
const FORM_DEPTH: usize = 5;

/// A server function's arguments, whichever way they were posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Posted<T>(pub T);

impl<T, Request, E> IntoReq<JsonOrForm, Request, E> for Posted<T>
where
    Request: ClientReq<E>,
    T: Serialize,
    E: FromServerFnError,
{
    fn into_req(self, path: &str, accepts: &str) -> Result<Request, E> {
        let body = serde_json::to_string(&self.0)
            .map_err(|e| ServerFnErrorErr::Serialization(e.to_string()).into_app_error())?;
        Request::try_new_post(path, JsonOrForm::CONTENT_TYPE, accepts, body)
    }
}

impl<T, Request, E> FromReq<JsonOrForm, Request, E> for Posted<T>
where
    Request: Req<E> + Send + 'static,
    T: DeserializeOwned,
    E: FromServerFnError,
{
    async fn from_req(req: Request) -> Result<Self, E> {
        let form = req.to_content_type().is_some_and(|ct| is_form(&ct));
        let body = req.try_into_string().await?;
        decode(form, &body)
            .map(Posted)
            .map_err(|message| ServerFnErrorErr::Args(message).into_app_error())
    }
}

/// A media type's essence, case-insensitively (parameters such as
/// `; charset=UTF-8` ignored).
fn is_form(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(FORM))
}

/// The arguments from a form or JSON body. An empty body is an empty JSON
/// object: a bare `POST` to a function that takes nothing.
fn decode<T: DeserializeOwned>(form: bool, body: &str) -> Result<T, String> {
    if form {
        serde_qs::Config::new(FORM_DEPTH, false)
            .deserialize_str(body)
            .map_err(|e| format!("form: {e}"))
    } else if body.trim().is_empty() {
        serde_json::from_str("{}").map_err(|e| e.to_string())
    } else {
        serde_json::from_str(body).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Role {
        user_id: i64,
        role: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Save {
        values: BTreeMap<String, String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Nothing {}

    #[test]
    fn a_form_and_json_give_the_same_typed_arguments() {
        let expected = Role {
            user_id: 7,
            role: "admin".into(),
        };
        assert_eq!(decode::<Role>(true, "user_id=7&role=admin"), Ok(expected));
        let json = decode::<Role>(false, r#"{"user_id":7,"role":"admin"}"#);
        assert_eq!(
            json,
            Ok(Role {
                user_id: 7,
                role: "admin".into()
            })
        );
    }

    #[test]
    fn bracketed_form_keys_nest_encoded_or_not() {
        let plain = decode::<Save>(true, "values[isolation]=true&values[cookie.domain]=");
        let encoded = decode::<Save>(
            true,
            "values%5Bisolation%5D=true&values%5Bcookie.domain%5D=",
        );
        let expected = Save {
            values: BTreeMap::from([
                ("cookie.domain".to_owned(), String::new()),
                ("isolation".to_owned(), "true".to_owned()),
            ]),
        };
        assert_eq!(plain, Ok(expected));
        assert_eq!(encoded, plain);
    }

    #[test]
    fn an_empty_body_is_no_arguments() {
        assert_eq!(decode::<Nothing>(false, ""), Ok(Nothing {}));
        assert_eq!(decode::<Nothing>(true, ""), Ok(Nothing {}));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(decode::<Role>(true, "user_id=seven&role=admin").is_err());
        assert!(decode::<Role>(false, "{\"user_id\":").is_err());
        assert!(decode::<Role>(false, "\u{0}\u{ffff}").is_err());
    }

    #[test]
    fn only_the_form_media_type_is_read_as_a_form() {
        assert!(is_form("application/x-www-form-urlencoded"));
        assert!(is_form("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
        assert!(!is_form("application/json"));
        assert!(!is_form("text/plain; x=application/x-www-form-urlencoded"));
    }
}
