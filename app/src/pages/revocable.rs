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
    /// The table's extra column, if it has one: how a session was signed
    /// in, or which sessions a device brought back.
    detail: Option<String>,
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
            detail: None,
            revocable,
        }
    }

    /// The row's value in the table's extra column (`detail`).
    #[must_use]
    pub fn with_detail(self, detail: String) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }
}

/// A `RevocableTable`'s extra column.
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    pub heading: &'static str,
    pub testid: &'static str,
}

impl Detail {
    /// How each session was signed in.
    pub const SIGNED_IN_WITH: Detail = Detail {
        heading: "Signed in with",
        testid: "assurance",
    };
    /// The sessions each bridge device brought back.
    pub const BROUGHT_BACK: Detail = Detail {
        heading: "Sessions it brought back",
        testid: "brought-back",
    };
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
    /// An extra column: its heading and each cell's test id.
    #[prop(optional)]
    detail: Option<Detail>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty" data-testid=testid>{format!("No {thing}s.")}</p> }
            .into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="admin-table" data-testid=testid>
                <thead><tr>
                    <th scope="col">{who}</th><th scope="col">{when}</th>
                    {detail.map(|d| view! { <th scope="col">{d.heading}</th> })}
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
                                {detail.map(|d| view! { <td data-label=d.heading data-testid=d.testid>{row.detail.clone().unwrap_or_default()}</td> })}
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
