//! Setting up TOTP, as the Security page and the two-step page show it:
//! the password first; then the QR code (drawn on the server) and the key
//! in text, and the code that turns it on.

use leptos::prelude::*;

use super::form::{Endpoint, PostForm};
use crate::model::account::{TotpStatus, TwoStepView};

#[component]
pub fn TotpSetup(two_step: TwoStepView) -> impl IntoView {
    match (two_step.totp, two_step.enrolment) {
        (TotpStatus::SettingUp, Some(enrolment)) => view! {
            <ol class="steps">
                <li>
                    <p>"Scan this code with your authenticator app:"</p>
                    // Our own SVG, drawn on the server from the otpauth URI.
                    <div class="qr" role="img" aria-label="QR code of the two-step sign-in key"
                        inner_html=enrolment.qr_svg></div>
                    <p>"Or type this key into it: " <code data-testid="totp-secret">{enrolment.secret}</code></p>
                </li>
                <li>
                    <PostForm endpoint=Endpoint::TotpConfirm>
                        <label>"The six-digit code it shows"
                            <input name="code" required autocomplete="one-time-code" inputmode="numeric"
                                data-testid="totp-confirm-code"/>
                        </label>
                        <button type="submit">"Turn on two-step sign-in"</button>
                    </PostForm>
                </li>
            </ol>
        }
        .into_any(),
        _ => view! {
            <PostForm endpoint=Endpoint::TotpEnrol>
                <label>"Your password"
                    <input name="password" type="password" required autocomplete="current-password"/>
                </label>
                <button type="submit">"Set up two-step sign-in"</button>
            </PostForm>
        }
        .into_any(),
    }
}
