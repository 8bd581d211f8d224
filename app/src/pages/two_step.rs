//! The second step of a sign-in (`/two-step`): a code for someone with a
//! second factor, or setting one up for someone the workspace asks to have
//! one. Either can be cancelled, which signs out. Plain forms: it works
//! without JavaScript, and a restore that must step up comes here too.

use leptos::prelude::*;

use super::{
    app_bar::{AppBar, Section},
    code_form::CodeForm,
    form::{Endpoint, ErrorCard, PostForm},
    passkey::PasskeyButton,
    totp_setup::TotpSetup,
};
use crate::{
    api::auth::{this_visitor, two_step},
    browser::PasskeyCeremony,
    model::accounts::{FactorMethod, MeResponse, SecondFactorDue},
};

#[component]
pub fn TwoStep() -> impl IntoView {
    let me = match this_visitor() {
        Ok(me) => me,
        Err(error) => return view! { <ErrorCard title="Two-step sign-in" error/> }.into_any(),
    };
    let bar = view! { <AppBar me=me.clone() here=Section::Account/> };
    let body = match (&me, me.second_factor.as_ref()) {
        (_, Some(due)) if due.enrol => view! { <Enrol/> }.into_any(),
        (_, Some(due)) => view! { <Factor due=due.clone()/> }.into_any(),
        (MeResponse { authenticated: true, .. }, None) => view! {
            <section class="card">
                <h1>"Two-step sign-in"</h1>
                <p>"You are signed in."</p>
                <p><a class="button" href="/dashboard">"Go to your dashboard"</a></p>
            </section>
        }
        .into_any(),
        _ => view! {
            <section class="card">
                <h1>"Two-step sign-in"</h1>
                <p>"Nothing is waiting here: sign in first (a sign-in waits ten minutes for its second step)."</p>
                <p><a class="button" href="/login">"Sign in"</a></p>
            </section>
        }
        .into_any(),
    };
    view! { {bar} {body} }.into_any()
}

/// The person's second factors: a code, a passkey, or either.
#[component]
fn Factor(due: SecondFactorDue) -> impl IntoView {
    let code = due.offers(FactorMethod::Totp).then(|| {
        view! {
            <p>"Enter the code your authenticator app shows for this workspace, or one of your recovery codes."</p>
            <CodeForm label="Code" testid="second-factor-code" submit="Continue"/>
        }
    });
    let passkey = due.offers(FactorMethod::Passkey).then(|| {
        view! { <PasskeyButton ceremony=PasskeyCeremony::SignIn label="Use a passkey"/> }
    });
    view! {
        <section class="card">
            <h1>"Two-step sign-in"</h1>
            {code}
            {passkey}
            <Cancel/>
        </section>
    }
}

/// Setting up TOTP before anything else (`signin.second_factor`).
#[component]
fn Enrol() -> impl IntoView {
    let state = AsyncDerived::new(two_step);
    view! {
        <section class="card">
            <h1>"Set up two-step sign-in"</h1>
            <p>"This workspace asks you to use a second step when you sign in: a code from an authenticator app on your phone. Set it up now to continue."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(two_step) => view! { <TotpSetup two_step/> }.into_any(),
                        Err(error) => view! { <p class="error">{error.message().to_owned()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <Cancel/>
        </section>
    }
}

/// Gives up on this sign-in.
#[component]
fn Cancel() -> impl IntoView {
    view! {
        <PostForm endpoint=Endpoint::Logout>
            <button type="submit" class="quiet">"Cancel and sign out"</button>
        </PostForm>
    }
}
