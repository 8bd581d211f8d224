//! A table of sessions or bridge devices, each with its revoke form: the
//! admin panel's (every user's) and the Security page's (one's own).

use leptos::prelude::*;

use super::{
    form::{Endpoint, RowAction, SentBackError},
    user_agent,
};
use crate::dates::utc;

/// A session or device row, with what its revoke form posts.
pub struct Revocable {
    who: String,
    when: String,
    ip: String,
    agent: String,
    key: String,
    /// How a session was signed in (sessions only).
    how: Option<String>,
    /// False for the row of this very browser where it is not to be
    /// revoked from here (signing out does that).
    revocable: bool,
}

impl Revocable {
    pub fn new(
        who: String,
        when: Option<i64>,
        ip: Option<String>,
        agent: Option<String>,
        key: String,
        revocable: bool,
    ) -> Self {
        Self {
            who,
            when: when.map(utc).unwrap_or_default(),
            ip: ip.unwrap_or_default(),
            agent: agent.unwrap_or_default(),
            key,
            how: None,
            revocable,
        }
    }

    /// A session's row says how it was signed in.
    #[must_use]
    pub fn signed_in_with(self, how: String) -> Self {
        Self {
            how: Some(how),
            ..self
        }
    }
}

#[component]
pub fn RevocableTable(
    testid: &'static str,
    /// The first column's heading.
    who: &'static str,
    when: &'static str,
    /// The revoke endpoint's argument name.
    field: &'static str,
    /// What a row is ("session", "device"), for its button's name.
    thing: &'static str,
    /// What revoking one does, asked before it is done.
    confirm: &'static str,
    rows: Vec<Revocable>,
    endpoint: Endpoint,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty" data-testid=testid>{format!("No {thing}s.")}</p> }
            .into_any();
    }
    let how = rows.iter().any(|row| row.how.is_some());
    view! {
        <div class="table-wrap">
            <table class="admin-table" data-testid=testid>
                <thead><tr>
                    <th scope="col">{who}</th><th scope="col">{when}</th>
                    {how.then(|| view! { <th scope="col">"Signed in with"</th> })}
                    <th scope="col">"IP"</th><th scope="col">"Browser"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let browser = user_agent::describe(&row.agent);
                        let name = format!("Revoke {thing}: {}, {}", row.who, if browser.is_empty() { "unknown browser" } else { &browser });
                        view! {
                            <tr>
                                <td data-label=who>{row.who}</td>
                                <td data-label=when>{row.when}</td>
                                {row.how.map(|how| view! { <td data-label="Signed in with" data-testid="assurance">{how}</td> })}
                                <td data-label="IP">{row.ip}</td>
                                <td data-label="Browser" class="agent" title=row.agent>{browser}</td>
                                <td class="actions">
                                    {row.revocable.then(|| view! {
                                        <RowAction endpoint fields=vec![(field, row.key)] label="Revoke"
                                            name confirm danger=true/>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <SentBackError endpoint/>
    }
    .into_any()
}
