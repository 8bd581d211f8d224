//! `ApiError` as server functions carry it: how a transport failure
//! becomes one, and where encoding it puts its status (or a form's
//! redirect) on the response.

use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

use super::ApiError;

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                ApiError::BadRequest(format!("malformed request: {m}"))
            }
            // On the server a Request error is a body that could not be read;
            // in the browser it is a network failure.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(m) => {
                ApiError::BadRequest(format!("could not read the request: {m}"))
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(m) => {
                ApiError::Unavailable(format!("could not reach the server: {m}"))
            }
            ServerFnErrorErr::Response(m) => {
                ApiError::Unavailable(format!("could not reach the server: {m}"))
            }
            ServerFnErrorErr::MissingArg(m) => ApiError::BadRequest(format!("missing field: {m}")),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                ApiError::internal()
            }
        }
    }

    /// Encoding happens inside the server function's response scope, so this
    /// is where the error's status (or a form's redirect) reaches the response.
    fn ser(&self) -> bytes::Bytes {
        #[cfg(feature = "ssr")]
        super::navigation::on_error(self);
        bytes::Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}
