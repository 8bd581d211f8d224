//! A table of sessions or bridge devices, each with its revoke form: the
//! admin panel's (every user's) and the Security page's (one's own).

use leptos::prelude::*;

use super::form::{Endpoint, PostForm, SentBackError};
use crate::dates::utc;

/// A session or device row, with what its revoke form posts.
pub struct Revocable {
    who: String,
    when: String,
    ip: String,
    agent: String,
    key: String,
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
            revocable,
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
    rows: Vec<Revocable>,
    endpoint: Endpoint,
) -> impl IntoView {
    view! {
        <table class="admin-table" data-testid=testid>
            <thead><tr><th>{who}</th><th>{when}</th><th>"IP"</th><th>"Browser"</th><th></th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td>{row.who}</td>
                        <td>{row.when}</td>
                        <td>{row.ip}</td>
                        <td class="agent">{row.agent}</td>
                        <td>
                            {row.revocable.then(|| view! {
                                <PostForm endpoint quiet=true>
                                    <input type="hidden" name=field value=row.key/>
                                    <button type="submit" class="small">"Revoke"</button>
                                </PostForm>
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <SentBackError endpoint/>
    }
}
