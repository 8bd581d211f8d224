//! Bridge usage as a server-rendered SVG bar chart, with the numbers beside it.
//! Colours come from the stylesheet by class (`series-*`): the page's CSP
//! allows no inline style.

use leptos::prelude::*;

use crate::model::admin::UsageDay;

/// Each series' name and the class that colours it.
const SERIES: [(&str, &str); 4] = [
    ("restores", "series-restores"),
    ("refreshes", "series-refreshes"),
    ("failures", "series-failures"),
    ("revocations", "series-revocations"),
];

fn values(day: &UsageDay) -> [u64; 4] {
    [day.restores, day.refreshes, day.failures, day.revocations]
}

#[component]
pub fn UsageChart(usage: Vec<UsageDay>) -> impl IntoView {
    let (width, height, bar) = (560.0_f64, 160.0_f64, 8.0_f64);
    let slot = width / usage.len().max(1) as f64;
    let peak = usage.iter().flat_map(values).max().unwrap_or(0).max(1) as f64;
    let totals = usage.iter().fold([0u64; 4], |mut acc, day| {
        for (total, value) in acc.iter_mut().zip(values(day)) {
            *total += value;
        }
        acc
    });
    let bars = usage
        .iter()
        .enumerate()
        .flat_map(|(i, day)| {
            values(day).into_iter().enumerate().map(move |(s, value)| {
                let h = value as f64 / peak * (height - 20.0);
                let x = i as f64 * slot + s as f64 * bar + 2.0;
                view! {
                    <rect x=format!("{x:.1}") y=format!("{:.1}", height - h) width=format!("{:.1}", bar - 1.0)
                        height=format!("{h:.1}") class=SERIES[s].1>
                        <title>{format!("{} {}: {value}", day.date, SERIES[s].0)}</title>
                    </rect>
                }
            })
        })
        .collect_view();
    let first = usage.first().map(|d| d.date.clone()).unwrap_or_default();
    let last = usage.last().map(|d| d.date.clone()).unwrap_or_default();
    view! {
        <div class="chart">
            <svg data-testid="bridge-chart" viewBox=format!("0 0 {width} {}", height + 16.0) role="img"
                aria-label="Bridge restores, refreshes, failures and revocations per day">
                {bars}
                <text x="0" y=format!("{}", height + 14.0) class="axis">{first}</text>
                <text x=format!("{}", width - 70.0) y=format!("{}", height + 14.0) class="axis">{last}</text>
            </svg>
            <table class="admin-table" data-testid="bridge-totals">
                <tbody>
                    {SERIES.iter().zip(totals).map(|((name, class), total)| view! {
                        <tr>
                            <td><span class=format!("swatch {class}")></span>{*name}</td>
                            <td>{total.to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
