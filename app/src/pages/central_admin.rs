use leptos::prelude::*;

use super::form::{ApiForm, ErrorCard, FormAction, FormError};
use crate::api::central::{central_tenants, CentralCreate, CentralDelete, CentralMigrate};

/// The central admin on the main domain: every tenant, with create, migrate
/// and delete (which asks for the slug to be typed again).
#[component]
pub fn CentralAdmin() -> impl IntoView {
    let create = FormAction::<CentralCreate>::new();
    let migrate = FormAction::<CentralMigrate>::new();
    let delete = FormAction::<CentralDelete>::new();
    let versions = move || {
        (
            create.version().get(),
            migrate.version().get(),
            delete.version().get(),
        )
    };
    let tenants = Resource::new(versions, |_| central_tenants());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tenants.await {
                    Err(error) => view! { <ErrorCard title="Central admin" error/> }.into_any(),
                    Ok(rows) => view! {
                        <section class="card wide">
                            <h1>"Tenants"</h1>
                            <table class="admin-table" data-testid="tenants">
                                <thead><tr><th>"Slug"</th><th>"Name"</th><th></th><th>"Delete (type the slug)"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|t| {
                                        let confirm_label = format!("confirm deleting {}", t.slug);
                                        let (for_migrate, for_delete, hint) = (t.slug.clone(), t.slug.clone(), t.slug.clone());
                                        view! {
                                        <tr>
                                            <td>{t.slug}</td>
                                            <td>{t.name}</td>
                                            <td>
                                                <ApiForm action=migrate>
                                                    <input type="hidden" name="slug" value=for_migrate/>
                                                    <button type="submit" class="small">"Migrate"</button>
                                                </ApiForm>
                                            </td>
                                            <td>
                                                <ApiForm action=delete>
                                                    <input type="hidden" name="slug" value=for_delete/>
                                                    <input name="confirm" aria-label=confirm_label placeholder=hint/>
                                                    <button type="submit" class="small danger">"Delete"</button>
                                                </ApiForm>
                                            </td>
                                        </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <FormError action=migrate/>
                            <FormError action=delete/>
                        </section>
                        <section class="card wide">
                            <h2>"Create a tenant"</h2>
                            <ApiForm action=create>
                                <label>"Slug" <input name="slug" required/></label>
                                <label>"Name" <input name="name"/></label>
                                <label>"Admin email" <input name="admin_email" type="email" required/></label>
                                <label>"Admin password" <input name="admin_password" type="password" required minlength="8"/></label>
                                <FormError action=create/>
                                <button type="submit">"Create tenant"</button>
                            </ApiForm>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
