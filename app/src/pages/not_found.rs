use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let error = crate::error::ApiError::NotFound("There is nothing at this address.".into());
    #[cfg(feature = "ssr")]
    crate::error::navigation::set_status(error.status(), None);
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>{error.message().to_owned()}</p>
            <a href="/">"Go home"</a>
        </section>
    }
}
