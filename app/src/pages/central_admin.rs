use leptos::prelude::*;

use super::form::{Endpoint, ErrorCard, PostForm, RowAction, SentBackError};
use crate::api::central::central_tenants;

/// The central admin on the main domain: every tenant, with create, migrate
/// and delete (which asks for the slug to be typed again).
/// Its data is an `AsyncDerived`, not a `Resource` (see `Admin`).
#[component]
pub fn CentralAdmin() -> impl IntoView {
    let tenants = AsyncDerived::new(central_tenants);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Err(error) => view! { <ErrorCard title="Central admin" error/> }.into_any(),
                    Ok(rows) => view! {
                        <section class="card wide">
                            <h1>"Tenants"</h1>
                            <div class="table-wrap">
                            <table class="admin-table" data-testid="tenants">
                                <thead><tr><th scope="col">"Slug"</th><th scope="col">"Name"</th><th scope="col"><span class="visually-hidden">"Migrate"</span></th><th scope="col">"Delete (type the slug)"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|t| {
                                        let confirm_label = format!("confirm deleting {}", t.slug);
                                        let migrate = format!("Migrate {}", t.slug);
                                        let (for_migrate, for_delete, hint) = (t.slug.clone(), t.slug.clone(), t.slug.clone());
                                        view! {
                                        <tr>
                                            <td data-label="Slug">{t.slug}</td>
                                            <td data-label="Name">{t.name}</td>
                                            <td class="actions">
                                                <RowAction endpoint=Endpoint::CentralMigrate label="Migrate"
                                                    name=migrate fields=vec![("slug", for_migrate)]/>
                                            </td>
                                            <td>
                                                <PostForm endpoint=Endpoint::CentralDelete quiet=true>
                                                    <input type="hidden" name="slug" value=for_delete/>
                                                    <input name="confirm" aria-label=confirm_label placeholder=hint/>
                                                    <button type="submit" class="small danger">"Delete"</button>
                                                </PostForm>
                                            </td>
                                        </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            <SentBackError endpoint=Endpoint::CentralMigrate/>
                            <SentBackError endpoint=Endpoint::CentralDelete/>
                        </section>
                        <section class="card wide">
                            <h2>"Create a tenant"</h2>
                            <PostForm endpoint=Endpoint::CentralCreate>
                                <label>"Slug" <input name="slug" required/></label>
                                <label>"Name" <input name="name"/></label>
                                <label>"Admin email" <input name="admin_email" type="email" required/></label>
                                <label>"Admin password" <input name="admin_password" type="password" required minlength="8"/></label>
                                <button type="submit">"Create tenant"</button>
                            </PostForm>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
