//! The browser entry point. Pages are rendered on the server; the loader
//! script hydrates each island on the page after this runs (the islands are
//! exported to it by name from `tessera_app`, linked through `browser`).

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    tessera_app::browser::start();
}
