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
pub fn UsageChart(
    usage: Vec<UsageDay>,
    /// Whose activity, when not everyone's (`admins`, `members`): names the
    /// chart's test ids and label.
    #[prop(optional)]
    cohort: Option<String>,
) -> impl IntoView {
    let (totals_id, chart_id, whose) = match &cohort {
        Some(c) => (
            format!("bridge-totals-{c}"),
            format!("bridge-chart-{c}"),
            format!(" of {c}"),
        ),
        None => ("bridge-totals".into(), "bridge-chart".into(), String::new()),
    };
    let totals = usage.iter().fold([0u64; 4], |mut acc, day| {
        for (total, value) in acc.iter_mut().zip(values(day)) {
            *total += value;
        }
        acc
    });
    let legend = view! {
        <table class="admin-table legend" data-testid=totals_id>
            <caption class="visually-hidden">"Totals over the period"</caption>
            <tbody>
                {SERIES.iter().zip(totals).map(|((name, class), total)| view! {
                    <tr>
                        <th scope="row"><span class=format!("swatch {class}") aria-hidden="true"></span>{*name}</th>
                        <td>{total.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    };
    if totals.iter().all(|t| *t == 0) {
        return view! {
            <div class="chart">
                <p class="empty" data-testid=chart_id>
                    "No session bridge activity in the last 14 days. Restores appear here after the service restarts and a browser brings its sign-in back."
                </p>
                {legend}
            </div>
        }
        .into_any();
    }
    // Plot area inside the axes; labels outside it.
    let (left, top, width, height, bar) = (36.0_f64, 8.0_f64, 540.0_f64, 150.0_f64, 8.0_f64);
    let slot = width / usage.len().max(1) as f64;
    let peak = usage.iter().flat_map(values).max().unwrap_or(0).max(1);
    let bottom = top + height;
    let bars = usage
        .iter()
        .enumerate()
        .flat_map(|(i, day)| {
            values(day).into_iter().enumerate().map(move |(s, value)| {
                let h = value as f64 / peak as f64 * height;
                let x = left + i as f64 * slot + s as f64 * bar + 2.0;
                view! {
                    <rect x=format!("{x:.1}") y=format!("{:.1}", bottom - h) width=format!("{:.1}", bar - 1.0)
                        height=format!("{h:.1}") class=SERIES[s].1>
                        <title>{format!("{} {}: {value}", day.date, SERIES[s].0)}</title>
                    </rect>
                }
            })
        })
        .collect_view();
    // A date under every other day: "11-24" (month-day) fits the slot.
    let dates = usage
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(i, day)| {
            let x = left + i as f64 * slot + slot / 2.0;
            view! {
                <text x=format!("{x:.1}") y=format!("{}", bottom + 14.0) class="axis" text-anchor="middle">
                    {day.date.get(5..).unwrap_or(&day.date).to_owned()}
                </text>
            }
        })
        .collect_view();
    let total_width = left + width + 4.0;
    view! {
        <div class="chart">
            <svg data-testid=chart_id viewBox=format!("0 0 {total_width} {}", bottom + 34.0) role="img"
                aria-label=format!("Bridge restores, refreshes, failures and revocations{whose} per day, last 14 days")>
                <line x1=left y1=top x2=left y2=bottom class="axis-line"/>
                <line x1=left y1=bottom x2=left + width y2=bottom class="axis-line"/>
                <text x=format!("{}", left - 4.0) y=format!("{}", top + 8.0) class="axis" text-anchor="end">{peak.to_string()}</text>
                <text x=format!("{}", left - 4.0) y=format!("{bottom}") class="axis" text-anchor="end">"0"</text>
                {bars}
                {dates}
                <text x=format!("{}", left + width / 2.0) y=format!("{}", bottom + 30.0) class="axis" text-anchor="middle">"Day (UTC, month-day)"</text>
            </svg>
            {legend}
        </div>
    }
    .into_any()
}
