//! The team manager's report: one self-contained HTML file (inline CSS and SVG, no scripts, no
//! network) that opens in any browser and prints on A4.
//!
//! Order: headline counts; children without a worker, grouped by reason, with the message to
//! pass on; looked-after children unallocated against the 10% threshold; each worker's load
//! against target and cap; changes of worker; counts by team and type; every allocation; and
//! a footer with the policy in force, the objective and the model's hash.
//!
//! Every text that comes from the model or proposal goes through [`esc`]. A Content Security
//! Policy in the page forbids scripts and any fetch, as a second line of defence.
//!
//! Other commands can add sections: [`render_whatif`] draws a what-if curve as a section, and
//! [`render_with`] puts such sections into the report, after the workers' loads.
//!
//! ```
//! use caseload::report::{render_with, Series, WhatIfCurve};
//! let json = br#"{"version": 1, "policy": {"caps": {"social_worker": 1}},
//!   "workers": [{"id": "W1", "role": "social_worker", "team": "North"}],
//!   "cases": [{"id": "C1", "type": "looked_after", "team": "North"},
//!             {"id": "C2", "type": "looked_after", "team": "North"}]}"#;
//! let model = caseload::load_model_bytes("m.json", json).unwrap();
//! let proposal = caseload::allocate(&model, Default::default()).unwrap();
//! let curve = WhatIfCurve {
//!     title: "What if we add social workers?".into(),
//!     note: "Each point is a full re-allocation with that many extra posts.".into(),
//!     x_label: "extra social workers".into(),
//!     y_label: "children without a worker".into(),
//!     series: vec![Series { name: "unallocated".into(), points: vec![(0.0, 1.0), (1.0, 0.0)] }],
//!     today: Some(0.0),
//! };
//! let html = render_with(&model, &proposal, &[curve]);
//! assert!(html.contains("What if we add social workers?") && html.contains("<polyline"));
//! ```

pub mod svg;

use crate::model::Model;
use crate::model::{CaseType, Role, Status};
use crate::proposal::{Change, Proposal, ReasonCode};
use crate::words::{count, noun, verb};
use std::collections::BTreeMap;
use std::fmt::Write;

pub use svg::Series;

/// Escapes text for HTML text and attribute values. A Unicode direction override or isolate
/// (U+202A-U+202E, U+2066-U+2069) in a name from a file is shown as its code (`\u{202e}`), as
/// on the terminal: left in, it would reverse the rest of its cell, a name reading as another.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&ch.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

/// A number for people: whole numbers without decimals, others with up to two, and one below
/// a tenth with its first two figures (`-0.00047`, not `-0`; `0.0074` and `0.006` apart).
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if (x - x.round()).abs() < crate::tolerance::EQUAL {
        return format!("{}", x.round() as i64);
    }
    written(x, decimals(x))
}

/// `x` to `decimals` places, without the zeros (or point) that end it.
fn written(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The decimals [`num`] writes a number that is not whole with.
fn decimals(x: f64) -> usize {
    if x.abs() < 0.1 {
        ((-x.abs().log10()).ceil() as usize + 1).min(12)
    } else {
        2
    }
}

/// A bound for people: [`num`], rounded up where it rounds at all, so that "no allocation can
/// score above" it stays true (a bound of 93,790.0004 is `93790.01`, not `93790`).
pub fn num_up(x: f64) -> String {
    if !x.is_finite() || (x - x.round()).abs() < crate::tolerance::EQUAL {
        return num(x);
    }
    let d = decimals(x);
    let scale = 10f64.powi(d as i32);
    written((x * scale - crate::tolerance::FLOOR).ceil() / scale, d)
}

use crate::words::{family_message, reason_label, reason_meaning};

/// A share (0..1) as a person writes a percentage: at most one decimal (`16.1`, `10`).
pub fn percent(share: f64) -> String {
    num((share * 1000.0).round() / 10.0)
}

fn role_words(r: Role) -> String {
    r.name().replace('_', " ")
}

/// A role in at most 22 characters, for chart labels.
fn short_role(r: Role) -> String {
    match r {
        Role::NewlyQualifiedSocialWorker => "newly qualified SW".into(),
        r => role_words(r),
    }
}

/// A what-if curve for the report: how an outcome changes as one setting changes.
#[derive(Clone, Debug, PartialEq)]
pub struct WhatIfCurve {
    /// Section heading, e.g. "What if we fill vacant posts?".
    pub title: String,
    /// A sentence under the heading.
    pub note: String,
    /// The x axis, e.g. "extra social workers".
    pub x_label: String,
    /// The y axis, e.g. "children without a worker".
    pub y_label: String,
    /// One or more series over the same x values.
    pub series: Vec<Series>,
    /// Where today's situation is on the x axis, marked with a line.
    pub today: Option<f64>,
}

/// A what-if curve as an HTML `<section>`: an inline SVG line chart and, for print and screen
/// readers, the same numbers as a table. Every text is escaped. Use it inside the report
/// ([`render_with`]) or any page that includes [`STYLE`].
pub fn render_whatif(curve: &WhatIfCurve) -> String {
    let mut s = String::new();
    let _ = write!(s, r#"<section class="whatif"><h2>{}</h2>"#, esc(&curve.title));
    if !curve.note.is_empty() {
        let _ = write!(s, "<p>{}</p>", esc(&curve.note));
    }
    s.push_str(&svg::line_chart(&curve.series, &curve.x_label, &curve.y_label, &curve.title, curve.today));
    let mut xs: Vec<f64> =
        curve.series.iter().flat_map(|se| se.points.iter().map(|p| p.0)).filter(|x| x.is_finite()).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let _ = write!(s, "<table><thead><tr><th>{}</th>", esc(&curve.x_label));
    for se in &curve.series {
        let _ = write!(s, "<th class=\"n\">{}</th>", esc(&se.name));
    }
    s.push_str("</tr></thead><tbody>");
    for x in xs {
        let _ = write!(s, "<tr><td>{}</td>", num(x));
        for se in &curve.series {
            let y = se.points.iter().find(|p| p.0 == x).map_or("".into(), |p| num(p.1));
            let _ = write!(s, "<td class=\"n\">{y}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></section>");
    s
}

/// What the report says about where it comes from: the input's name and the day it was made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The input as the user named it (`team.xlsx`, `model.json`); empty to leave it out.
    pub input: String,
    /// The day the report was made, in words (`1 December 2026`); empty to leave it out.
    pub date: String,
}

impl Meta {
    /// For an input made today (or on the day `SOURCE_DATE_EPOCH` gives, for reproducible
    /// outputs).
    pub fn today(input: impl Into<String>) -> Meta {
        let secs = crate::date::stamp_secs();
        Meta { input: input.into(), date: date_words(secs) }
    }
}

/// A Unix time as a date in words, `1 December 2026` (UTC; days from the civil calendar).
pub fn date_words(secs: i64) -> String {
    let (year, month, day) = crate::date::Date::from_unix_secs(secs).ymd();
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{day} {} {year}", MONTHS[(month - 1) as usize])
}

/// The report for a proposal of a model (without the input's name or a date; see
/// [`render_meta`]).
pub fn render(m: &Model, p: &Proposal) -> String {
    render_meta(m, p, &Meta::default(), &[])
}

/// The report, with what-if curves added after the worker loads.
pub fn render_with(m: &Model, p: &Proposal, whatifs: &[WhatIfCurve]) -> String {
    render_meta(m, p, &Meta::default(), whatifs)
}

/// The report with its header naming the input, the date and the model's hash.
pub fn render_meta(m: &Model, p: &Proposal, meta: &Meta, whatifs: &[WhatIfCurve]) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let s = &p.summary;
    let teams: Vec<&str> = m.teams.iter().map(String::as_str).collect();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Caseload allocation proposal</title>
<style>{STYLE}</style></head><body><main>
<header><h1>Caseload allocation proposal</h1>{}<p class="sub">{} &middot; {} &middot; {} &middot; {}</p>{}</header>
"#,
        s.date.map_or(String::new(), |d| format!(
            r#"<p class="sub" id="day">The allocation for <strong>{}</strong></p>"#,
            esc(&date_words(d.days() * 86_400))
        )),
        esc(&if teams.len() == 1 {
            format!("Team {}", teams[0])
        } else {
            format!("Teams {}", teams.join(", "))
        }),
        count(s.cases.cases, "case", "cases"),
        count(m.workers.len(), "worker", "workers"),
        if p.optimal {
            "best allocation found and proven".to_string()
        } else {
            "search stopped early: a lawful allocation, not proven best".to_string()
        },
        meta_line(meta, &s.model_hash)
    );
    headline(&mut h, p);
    warnings(&mut h, p);
    unallocated(&mut h, m, p);
    looked_after(&mut h, p);
    worker_loads(&mut h, m, p);
    for w in whatifs {
        h.push_str(&render_whatif(w));
    }
    moves(&mut h, m, p);
    siblings(&mut h, m, p);
    counts(&mut h, p);
    allocations(&mut h, m, p);
    footer(&mut h, m, p);
    h.push_str("</main></body></html>\n");
    h
}

/// The header line naming the input, the date and the model's hash.
fn meta_line(meta: &Meta, hash: &str) -> String {
    let mut parts = Vec::new();
    if !meta.date.is_empty() {
        parts.push(format!(r#"made <span id="made">{}</span>"#, esc(&meta.date)));
    }
    if !meta.input.is_empty() {
        parts.push(format!(r#"from <code id="input">{}</code>"#, esc(&meta.input)));
    }
    let short: String = hash.chars().take(12).collect();
    parts.push(format!(r#"model SHA-256 <code title="{}">{}&hellip;</code>"#, esc(hash), esc(&short)));
    format!(r#"<p class="sub" id="meta">{}</p>"#, parts.join(" &middot; "))
}

fn warnings(h: &mut String, p: &Proposal) {
    if p.warnings.is_empty() {
        return;
    }
    let n = p.warnings.len();
    let _ = write!(
        h,
        r#"<section id="warnings" class="warnings"><h2>Check before you rely on this proposal ({})</h2><p class="meaning">{} found in the input that may change who gets a worker, or what was read: often a typing slip or a filter left on. Each says what to check.</p><ul>"#,
        crate::words::count(n, "warning", "warnings"),
        crate::words::noun(n, "Something", "Things")
    );
    for w in &p.warnings {
        let label = crate::words::warning_label(&w.code)
            .map_or(String::new(), |l| format!("<strong>{}:</strong> ", esc(l)));
        let _ = write!(h, r#"<li class="{}">{label}{}</li>"#, esc(&w.code), esc(&w.message));
    }
    h.push_str("</ul></section>\n");
}

fn siblings(h: &mut String, m: &Model, p: &Proposal) {
    if m.groups.is_empty() {
        return;
    }
    let worker_of: BTreeMap<&str, &str> =
        p.allocations.iter().map(|a| (a.case.as_str(), a.worker.as_str())).collect();
    let _ = write!(
        h,
        r#"<section id="siblings"><h2>Sibling groups ({})</h2><p class="meaning">Brothers and sisters share one worker, or all wait together (SPEC rule 9).</p><table><thead><tr><th>Group</th><th>Children (cases)</th><th>Worker</th></tr></thead><tbody>"#,
        m.groups.len()
    );
    for g in &m.groups {
        let ids: Vec<&str> = g.members.iter().map(|&c| m.cases[c].id.as_str()).collect();
        let worker = ids.first().and_then(|c| worker_of.get(c)).copied();
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="ids">{}</td><td>{}</td></tr>"#,
            esc(&g.name),
            ids.iter().map(|c| esc(c)).collect::<Vec<_>>().join(", "),
            worker.map_or("none yet: all without a worker".to_string(), esc)
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// The sibling group of a case, for a note after its id.
/// A name after an id, `(Amy Smith)`; empty when there is none.
fn name_note(name: Option<&str>) -> String {
    name.map_or(String::new(), |n| format!(r#" <span class="name">({})</span>"#, esc(n)))
}

/// Since when and how long a child has waited: `2026-11-03 (4 weeks)`.
fn waiting_words(since: Option<crate::date::Date>, weeks: Option<i64>) -> String {
    let Some(since) = since else { return String::new() };
    let weeks = match weeks {
        Some(0) => " (new this week)".to_string(),
        Some(1) => " (1 week)".to_string(),
        Some(n) => format!(" ({n} weeks)"),
        None => String::new(),
    };
    format!("{since}{weeks}")
}

fn group_note(m: &Model, case: &str) -> String {
    m.case_index(case).and_then(|c| m.cases[c].group).map_or(String::new(), |g| {
        format!(r#"<span class="sib"> (siblings: {})</span>"#, esc(&m.groups[g].name))
    })
}

fn stat(h: &mut String, id: &str, value: &str, label: &str, class: &str) {
    let _ = write!(
        h,
        r#"<div class="stat {class}" id="stat-{id}"><span class="num">{}</span> <span class="label">{}</span></div>"#,
        esc(value),
        esc(label)
    );
}

fn headline(h: &mut String, p: &Proposal) {
    let s = &p.summary;
    h.push_str(r#"<section id="headline" class="stats">"#);
    stat(h, "cases", &s.cases.cases.to_string(), "cases", "");
    stat(h, "allocated", &s.cases.allocated.to_string(), "allocated", "");
    stat(
        h,
        "unallocated",
        &s.cases.unallocated.to_string(),
        "without a worker",
        if s.cases.unallocated > 0 { "warn" } else { "" },
    );
    stat(
        h,
        "looked-after",
        &format!("{}%", percent(s.looked_after_unallocated_share)),
        "looked-after children unallocated",
        if s.looked_after_emergency { "alarm" } else { "" },
    );
    stat(h, "moved", &s.moves.moved.to_string(), "change worker", "");
    stat(
        h,
        "over-target",
        &s.workers_over_target.to_string(),
        "workers above target",
        if s.workers_over_target > 0 { "warn" } else { "" },
    );
    h.push_str("</section>\n");
    h.push_str(r#"<p class="key">Key: an orange figure needs attention; a red one is above the 10% emergency threshold for looked-after children.</p>"#);
    let shortfall = if s.cases.unallocated == 0 {
        "Every child has a worker in this proposal.".to_string()
    } else {
        format!(
            "{} of the {} without a worker could be allocated with more capacity (capacity shortfall); {} {} a worker with a different role, skills or supervision (structural shortfall).",
            s.capacity_shortfall,
            count(s.cases.unallocated, "child", "children"),
            s.structural_shortfall,
            verb(s.structural_shortfall, "needs", "need")
        )
    };
    let _ = write!(
        h,
        r#"<p class="lead">{shortfall} {} {} their worker, {} {} worker and {} {} one; {} {} their worker.</p>"#,
        s.moves.kept,
        verb(s.moves.kept, "keeps", "keep"),
        s.moves.moved,
        verb(s.moves.moved, "changes", "change"),
        s.moves.new,
        verb(s.moves.new, "gains", "gain"),
        s.moves.lost,
        verb(s.moves.lost, "loses", "lose")
    );
}

fn unallocated(h: &mut String, m: &Model, p: &Proposal) {
    let _ = write!(
        h,
        r#"<section id="unallocated"><h2>Children without a worker ({})</h2>"#,
        p.unallocated.len()
    );
    if p.unallocated.is_empty() {
        h.push_str("<p>Every child has a worker in this proposal.</p></section>\n");
        return;
    }
    h.push_str(r#"<p class="key">Key: case ids in <strong>bold</strong> are looked-after children and children on a child protection plan.</p>"#);
    // Grouped by each case's first reason (structural reasons come first).
    let mut groups: BTreeMap<ReasonCode, Vec<usize>> = BTreeMap::new();
    for (i, u) in p.unallocated.iter().enumerate() {
        let key = u.reasons.first().map_or(ReasonCode::SearchStopped, |r| r.code);
        groups.entry(key).or_default().push(i);
    }
    // Headers shared with unallocated.csv and the meeting workbook come from their columns.
    let columns = crate::tables::wait_columns(m);
    for (code, members) in groups {
        let _ = write!(
            h,
            r#"<div class="group" id="reason-{}"><h3>{} <span class="count">({})</span></h3><p class="meaning">{}</p><p class="family"><strong>What to tell the family:</strong> {}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>Why (for the manager)</th></tr></thead><tbody>"#,
            code.name(),
            esc(reason_label(code)),
            members.len(),
            esc(reason_meaning(code)),
            esc(family_message(code)),
            esc(&crate::tables::report_header(&columns, "case")),
            esc(&crate::tables::report_header(&columns, "type")),
            esc(&crate::tables::report_header(&columns, "team")),
            esc(&crate::tables::report_header(&columns, "previous_worker")),
            esc(&crate::tables::report_header(&columns, "waiting_since_or_today")),
        );
        for i in members {
            let u = &p.unallocated[i];
            let weight = m.case_index(&u.case).map(|c| m.cases[c].weight).unwrap_or(1.0);
            let _ = write!(
                h,
                r#"<tr class="case {}"><td class="id">{}{}{}</td><td>{}{}</td><td>{}</td><td>{}</td><td class="waiting">{}</td><td>"#,
                u.case_type.name(),
                esc(&u.case),
                name_note(u.name.as_deref()),
                group_note(m, &u.case),
                esc(u.case_type.words()),
                if (weight - 1.0).abs() > crate::tolerance::EQUAL {
                    format!(" (weight {})", num(weight))
                } else {
                    String::new()
                },
                esc(&u.team),
                u.current_worker.as_deref().map_or("none".to_string(), esc),
                waiting_words(u.waiting_since, u.weeks_waiting),
            );
            if let Some(notes) = m.case_index(&u.case).and_then(|c| m.cases[c].notes.as_deref()) {
                let _ = write!(h, r#"<span class="notes">Note: {}</span><br>"#, esc(notes));
            }
            for (k, r) in u.reasons.iter().enumerate() {
                if k > 0 {
                    let _ =
                        write!(h, r#"<br><span class="also">Also: {}.</span> "#, esc(reason_label(r.code)));
                }
                h.push_str(&esc(&r.message));
                if !r.action.is_empty() {
                    let _ = write!(
                        h,
                        r#" <span class="action">What would help: {}.</span>"#,
                        esc(&capital(&r.action))
                    );
                }
            }
            h.push_str("</td></tr>");
        }
        h.push_str("</tbody></table></div>");
    }
    h.push_str("</section>\n");
}

fn looked_after(h: &mut String, p: &Proposal) {
    let s = &p.summary;
    let la = s.by_type.get(&CaseType::LookedAfter).cloned().unwrap_or_default();
    let _ = write!(
        h,
        r#"<section id="looked-after-share"><h2>Looked-after children without a worker</h2><p class="{}">{} of {} ({}%) {} no allocated worker{}.</p>{}</section>"#,
        if s.looked_after_emergency { "alarm" } else { "" },
        s.looked_after_unallocated,
        count(la.cases, "looked-after child", "looked-after children"),
        percent(s.looked_after_unallocated_share),
        verb(s.looked_after_unallocated, "has", "have"),
        if s.looked_after_emergency {
            ": above the 10% emergency threshold"
        } else {
            ", within the 10% emergency threshold"
        },
        svg::share_chart(
            s.looked_after_unallocated_share,
            0.10,
            "Share of looked-after children unallocated against the 10% threshold"
        )
    );
    h.push('\n');
}

fn worker_loads(h: &mut String, m: &Model, p: &Proposal) {
    h.push_str(r#"<section id="workers"><h2>Caseloads against target and cap</h2>"#);
    let _ = write!(
        h,
        "<p>{} above {} manageable caseload (target), {} above target in all.</p>",
        count(p.summary.workers_over_target, "worker", "workers"),
        noun(p.summary.workers_over_target, "its", "their"),
        num(p.summary.overload)
    );
    let reduced = p.workers.iter().filter(|w| w.reduction.is_some()).count();
    if let Some(d) = p.summary.date.filter(|_| reduced > 0) {
        let _ = write!(
            h,
            "<p>Caps and targets as on {d}: {reduced} {} reduced by the reductions in force that day.</p>",
            if reduced == 1 { "worker's are" } else { "workers' are" }
        );
    }
    for (t, team) in m.teams.iter().enumerate() {
        let roles: Vec<String> = p
            .workers
            .iter()
            .map(|wl| m.worker_index(&wl.worker).map(|i| short_role(m.workers[i].role)).unwrap_or_default())
            .collect();
        let bars: Vec<svg::LoadBar> = p
            .workers
            .iter()
            .zip(&roles)
            .filter(|(wl, _)| m.worker_index(&wl.worker).is_some_and(|i| m.workers[i].team == t))
            .map(|(wl, role)| svg::LoadBar {
                id: &wl.worker,
                label: role,
                load: wl.load,
                target: wl.target,
                cap: wl.cap,
                active: wl.status == Status::Active,
                status: wl.status.name(),
            })
            .collect();
        if bars.is_empty() {
            continue;
        }
        let _ = write!(h, "<h3>Team {}</h3>", esc(team));
        h.push_str(&svg::load_chart(&bars, &format!("Caseloads in team {team}")));
        h.push_str(&spread_line(m, p, t));
    }
    h.push_str("</section>\n");
}

fn moves(h: &mut String, m: &Model, p: &Proposal) {
    let s = &p.summary.moves;
    let _ = write!(
        h,
        r#"<section id="moves"><h2>Changes of worker</h2><p>{} {} their worker, {} {} worker, {} {} a worker, {} {} their worker.</p>"#,
        s.kept,
        verb(s.kept, "keeps", "keep"),
        s.moved,
        verb(s.moved, "changes", "change"),
        s.new,
        verb(s.new, "gains", "gain"),
        s.lost,
        verb(s.lost, "loses", "lose")
    );
    let changes = crate::moves::moves(m, p);
    if !changes.is_empty() {
        // Headers shared with the meeting workbook's moves sheet come from its columns.
        let columns = crate::tables::move_columns();
        let head = |csv: &str| esc(&crate::tables::report_header(&columns, csv));
        let _ = write!(
            h,
            r#"<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
            head("case"),
            head("type"),
            head("from"),
            head("to"),
            head("why"),
        );
        for c in &changes {
            let _ = write!(
                h,
                r#"<tr class="{}"><td class="id">{}{}</td><td>{}</td><td>{}</td><td>{}</td><td class="why">{}</td></tr>"#,
                if c.to.is_some() { "moved" } else { "lost" },
                esc(&c.case),
                group_note(m, &c.case),
                esc(c.case_type.words()),
                esc(&c.from),
                c.to.as_deref().map_or("nobody (without a worker)".to_string(), esc),
                esc(&c.why)
            );
        }
        h.push_str("</tbody></table>");
    }
    let new: Vec<&str> =
        p.allocations.iter().filter(|a| a.change == Change::New).map(|a| a.case.as_str()).collect();
    if !new.is_empty() {
        let _ = write!(h, r#"<p>Gain a worker ({}): see each worker's children below.</p>"#, new.len());
    }
    let back: Vec<String> = p
        .allocations
        .iter()
        .filter(|a| a.change == Change::New && a.returns)
        .map(|a| format!("{} returns to {}, who held them before", esc(&a.case), esc(&a.worker)))
        .collect();
    if !back.is_empty() {
        let _ = write!(
            h,
            r#"<p class="returns">Of those, back with a worker they know: {}.</p>"#,
            back.join("; ")
        );
    }
    h.push_str("</section>\n");
}

fn counts(h: &mut String, p: &Proposal) {
    let s = &p.summary;
    h.push_str(r#"<section id="counts"><h2>Counts</h2><div class="two"><table><thead><tr><th>Type</th><th class="n">Cases</th><th class="n">Allocated</th><th class="n">Without a worker</th></tr></thead><tbody>"#);
    for (t, c) in &s.by_type {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(t.words()),
            c.cases,
            c.allocated,
            c.unallocated
        );
    }
    h.push_str(r#"</tbody></table><table><thead><tr><th>Team</th><th class="n">Cases</th><th class="n">Allocated</th><th class="n">Without a worker</th></tr></thead><tbody>"#);
    for (t, c) in &s.by_team {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(t),
            c.cases,
            c.allocated,
            c.unallocated
        );
    }
    h.push_str("</tbody></table></div></section>\n");
}

fn allocations(h: &mut String, m: &Model, p: &Proposal) {
    // Headers shared with workers.csv and the meeting workbook come from their columns.
    let columns = crate::tables::load_columns(m);
    let head = |csv: &str| esc(&crate::tables::report_header(&columns, csv));
    let _ = write!(
        h,
        r#"<section id="allocations"><h2>Caseloads, worker by worker</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class="n">Load / target / cap</th><th class="n">{}</th><th>Children (cases)</th></tr></thead><tbody>"#,
        head("worker"),
        head("role"),
        head("team"),
        head("load_of_target"),
    );
    let mut by_worker: BTreeMap<&str, Vec<(&str, Option<&str>)>> = BTreeMap::new();
    for a in &p.allocations {
        by_worker.entry(a.worker.as_str()).or_default().push((a.case.as_str(), a.name.as_deref()));
    }
    for wl in &p.workers {
        let w = m.worker_index(&wl.worker).map(|i| &m.workers[i]);
        let cases = by_worker.get(wl.worker.as_str()).map_or(String::new(), |v| {
            v.iter().map(|(c, n)| format!("{}{}", esc(c), name_note(*n))).collect::<Vec<_>>().join(", ")
        });
        let notes = w
            .and_then(|w| w.notes.as_deref())
            .map_or(String::new(), |n| format!(r#"<br><span class="notes">Note: {}</span>"#, esc(n)));
        let _ = write!(
            h,
            r#"<tr><td class="id">{}{}{}</td><td>{}{}</td><td>{}</td><td class="n">{}</td>{}<td>{}</td></tr>"#,
            esc(&wl.worker),
            name_note(wl.name.as_deref()),
            notes,
            w.map_or(String::new(), |w| esc(&role_words(w.role))),
            if wl.status == Status::Active { String::new() } else { format!(" ({})", wl.status.name()) },
            w.map_or(String::new(), |w| esc(&m.teams[w.team])),
            if wl.status == Status::Active {
                format!(
                    "{} / {} / {}{}",
                    num(wl.load),
                    num(wl.target),
                    num(wl.cap),
                    wl.reduction.map_or(String::new(), |r| format!(" (reduced by {})", num(r)))
                )
            } else {
                format!("{} post", wl.status.name())
            },
            share_cell(wl.load, wl.target, wl.status == Status::Active),
            cases
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// Load as a percentage of target, rounded to a whole number; `None` for a target of 0.
pub fn load_share(load: f64, target: f64) -> Option<f64> {
    (target > 0.0).then(|| (100.0 * load / target).round())
}

/// The "Of target" cell: the load as a percentage of target, marked at or above 100%; "-" for a
/// target of 0 or a post that is not active.
fn share_cell(load: f64, target: f64, active: bool) -> String {
    match load_share(load, target).filter(|_| active) {
        Some(pc) if pc >= 100.0 => format!(r#"<td class="n over">{}%</td>"#, num(pc)),
        Some(pc) => format!(r#"<td class="n">{}%</td>"#, num(pc)),
        None => r#"<td class="n">-</td>"#.to_string(),
    }
}

/// A team's spread: the highest minus the lowest load as a percentage of target, among its
/// active workers with a target above 0.
fn spread_line(m: &Model, p: &Proposal, team: usize) -> String {
    let shares: Vec<(f64, &str)> = p
        .workers
        .iter()
        .filter(|wl| wl.status == Status::Active)
        .filter(|wl| m.worker_index(&wl.worker).is_some_and(|i| m.workers[i].team == team))
        .filter_map(|wl| load_share(wl.load, wl.target).map(|s| (s, wl.worker.as_str())))
        .collect();
    let hi = shares.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)));
    let lo = shares.iter().copied().min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    match (hi, lo) {
        (Some(hi), Some(lo)) if shares.len() > 1 && hi.0 == lo.0 => format!(
            r#"<p class="spread">Spread: 0 percentage points; every active worker with a target is at {}% of it.</p>"#,
            num(hi.0)
        ),
        (Some(hi), Some(lo)) if shares.len() > 1 => format!(
            r#"<p class="spread">Spread: {} percentage points, from {}% of target ({}) to {}% ({}).</p>"#,
            num(hi.0 - lo.0),
            num(lo.0),
            esc(lo.1),
            num(hi.0),
            esc(hi.1)
        ),
        (Some(one), _) => format!(
            r#"<p class="spread">Spread: 0 percentage points; one active worker with a target, at {}% of it ({}).</p>"#,
            num(one.0),
            esc(one.1)
        ),
        _ => r#"<p class="spread">Spread: none; no active worker with a target above 0.</p>"#.to_string(),
    }
}

/// The first letter in capitals.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn footer(h: &mut String, m: &Model, p: &Proposal) {
    let pol = &m.policy;
    let s = &p.summary;
    h.push_str(r#"<footer id="policy"><h2>Policy in force</h2><div class="two"><table><thead><tr><th>Role</th><th class="n">Cap</th><th class="n">Target</th><th>May hold</th></tr></thead><tbody>"#);
    for r in Role::ALL {
        let holds: Vec<&str> =
            CaseType::ALL.into_iter().filter(|t| pol.may_hold(r, *t)).map(|t| t.words()).collect();
        let _ = write!(
            h,
            r#"<tr><td>{}{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&role_words(r)),
            if pol.is_supervised(r) { " (supervised)" } else { "" },
            pol.caps.get(&r).map_or("-".into(), |v| num(*v)),
            pol.targets.get(&r).map_or("-".into(), |v| num(*v)),
            esc(&holds.join(", "))
        );
    }
    h.push_str(r#"</tbody></table><table><thead><tr><th>Case type</th><th class="n">Weight</th><th class="n">Priority</th></tr></thead><tbody>"#);
    for t in CaseType::ALL {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(t.words()),
            pol.weights.get(&t).map_or("-".into(), |v| num(*v)),
            pol.priority.get(&t).map_or("-".into(), |v| num(*v))
        );
    }
    h.push_str("</tbody></table></div>");
    let _ = write!(
        h,
        r#"<p>Oversight cap {}; move penalty {}; overload penalty {} per unit above target; cases {} go to another team{}.</p>"#,
        num(pol.oversight_cap),
        num(pol.move_penalty),
        num(pol.overload_penalty),
        if pol.cross_team { "may" } else { "may not" },
        if pol.cross_team { format!(" (penalty {})", num(pol.cross_team_penalty)) } else { String::new() }
    );
    let t = &s.objective_terms;
    let _ = write!(
        h,
        r#"<p>Objective {} = priority {} &minus; moves {} &minus; overload {} &minus; cross-team {}; {}.</p><p class="audit">Model hash (SHA-256) <code id="model-hash">{}</code><br>{} {} &middot; {}</p></footer>"#,
        num(p.objective),
        num(t.priority),
        num(t.move_penalty),
        num(t.overload_penalty),
        num(t.cross_team_penalty),
        if p.optimal {
            "proven optimal".to_string()
        } else {
            format!("not proven optimal (bound {})", num_up(p.bound))
        },
        esc(&s.model_hash),
        esc(&s.provenance.program),
        esc(&s.provenance.version),
        esc(&s.provenance.solver)
    );
}

/// The report's stylesheet, screen and print. No `<` in it, no fonts or images to fetch.
pub const STYLE: &str = r#"
:root{--ink:#1a202c;--muted:#4a5568;--line:#cbd5e0;--ok:#2b6cb0;--over:#dd6b20;--alarm:#c53030;--room:#e2e8f0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 8px;border-bottom:2px solid var(--ink);padding-bottom:2px}h3{font-size:16px;margin:18px 0 4px}
.sub,.meaning,.audit{color:var(--muted)}.meaning{margin:0 0 6px;font-size:13px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:10px;margin:16px 0}
.stat{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.stat .num{display:block;font-size:26px;font-weight:700}.stat .label{font-size:13px;color:var(--muted)}
.stat.warn{border-color:var(--over)}.stat.warn .num{color:var(--over)}
.stat.alarm{border-color:var(--alarm);background:#fff5f5}.stat.alarm .num{color:var(--alarm)}
p.alarm{color:var(--alarm);font-weight:600}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:14px}
th,td{text-align:left;vertical-align:top;border-bottom:1px solid var(--line);padding:4px 6px}
th{background:#f7fafc}.n{text-align:right}td.id{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
tr.looked_after td.id,tr.child_protection td.id{font-weight:700}
.also{color:var(--muted);font-style:italic}
.action{display:block;margin-top:2px}td.over{color:var(--alarm);font-weight:700}.spread{margin:0 0 10px;font-size:13px}
.family{border-left:4px solid var(--ok);background:#ebf4ff;padding:6px 10px;margin:4px 0 8px;font-size:14px}
.two{display:flex;gap:16px;flex-wrap:wrap}.two table{flex:1 1 300px;width:auto}
svg.chart{display:block;max-width:100%;height:auto;margin:4px 0 8px;font-size:12px}
svg .lbl{fill:var(--ink)}svg .role{fill:var(--muted)}svg .val{fill:var(--ink)}
svg .ok{fill:var(--ok)}svg .over{fill:var(--over)}svg .room{fill:var(--room)}
svg .inactive{fill:#f7fafc;stroke:var(--line);stroke-dasharray:4 3}
svg .target{stroke:var(--ink);stroke-width:2}svg .threshold{stroke:var(--alarm);stroke-width:2;stroke-dasharray:5 3}
svg .legend text{fill:var(--muted)}svg .grid{stroke:var(--room)}svg .axis{stroke:var(--ink)}
svg .series polyline{fill:none;stroke-width:2.5}svg .s0{stroke:var(--ok);fill:var(--ok)}svg .s1{stroke:var(--over);fill:var(--over)}svg .s2{stroke:var(--alarm);fill:var(--alarm)}svg .s3{stroke:#2f855a;fill:#2f855a}
svg .series .key{stroke:none}
.loads{margin:4px 0 10px;font-size:13px}
.lrow{display:grid;grid-template-columns:minmax(7em,28%) minmax(80px,1fr) minmax(7em,22%);gap:4px 10px;align-items:center;padding:3px 0;border-bottom:1px solid #edf2f7}
.who,.val{overflow-wrap:anywhere;min-width:0}.wid{font-family:ui-monospace,Menlo,Consolas,monospace}.who .role,.val .of{color:var(--muted)}
.bar{position:relative;height:16px}.bar span{position:absolute;top:0;bottom:0;left:0}
.bar .room,.sw.room{background:var(--room)}.bar .ok,.sw.ok{background:var(--ok)}.bar .over,.sw.over{background:var(--over)}
.bar .tick{width:2px;top:-3px;bottom:-3px;margin-left:-1px;background:var(--ink)}
.bar.inactive,.sw.inactive{background:#f7fafc;border:1px dashed var(--line)}
.legend{color:var(--muted);font-size:13px;margin:4px 0 10px;line-height:1.9}
.sw{display:inline-block;width:14px;height:10px;vertical-align:baseline;margin-left:10px}.sw:first-child{margin-left:0}
.sw.tick{width:2px;height:14px;background:var(--ink)}.sw.line{height:4px;vertical-align:middle}.sw.today{width:0;height:14px;border-left:2px dashed var(--alarm)}
.sw.s0{background:var(--ok)}.sw.s1{background:var(--over)}.sw.s2{background:var(--alarm)}.sw.s3{background:#2f855a}
.key{color:var(--muted);font-size:13px;margin:2px 0 8px}.sib{color:var(--muted);font-family:system-ui,sans-serif;font-weight:400}
.warnings{border:2px solid var(--over);border-radius:6px;padding:0 12px 8px;background:#fffaf0}.warnings h2{border-bottom-color:var(--over)}
table.wide{table-layout:fixed}table.wide td{overflow-wrap:anywhere}table.wide th{overflow-wrap:break-word}table.wide th.name{width:30%}
td.why{font-size:13px}td.ids{overflow-wrap:anywhere}code{overflow-wrap:anywhere}
footer{margin-top:32px;font-size:13px}code{font-size:12px;word-break:break-all}
@media (max-width:700px){
 main{padding:12px}table{table-layout:fixed}th,td{overflow-wrap:anywhere;padding:3px 4px;font-size:13px}td.id{white-space:normal}
 .lrow{grid-template-columns:1fr 1fr}.lrow .bar{grid-column:1 / -1;grid-row:2}
 .two table{flex-basis:100%}
}
@media print{
 @page{size:A4;margin:14mm}
 body{font-size:10.5pt}main{max-width:none;padding:0}
 h2{break-after:avoid;page-break-after:avoid}h3{break-after:avoid}
 tr,.stat,svg.chart,.group h3,.lrow{break-inside:avoid;page-break-inside:avoid}
 thead{display:table-header-group}
 .stats{grid-template-columns:repeat(6,1fr);gap:6px}.stat{border-color:#999;padding:4px 6px}.stat .num{font-size:20px}th{background:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 section#allocations{break-before:page}
}
"#;

#[cfg(test)]
mod tests {
    use super::{num, num_up};

    #[test]
    fn a_bound_for_people_is_never_written_below_itself() {
        assert_eq!(num_up(93_790.000_4), "93790.01");
        assert_eq!(num_up(93_790.0), "93790");
        assert_eq!(num_up(12.341), "12.35");
        assert_eq!(num_up(12.34), "12.34");
        assert_eq!(num_up(-0.000472222), "-0.00047");
        assert_eq!(num_up(-20.0064), "-20");
        for x in [0.123_456, -3.333_333, 1e-5 / 3.0, 41.005, -0.099_99] {
            assert!(num_up(x).parse::<f64>().unwrap() >= x, "{x} -> {}", num_up(x));
        }
    }

    #[test]
    fn a_number_for_people_keeps_a_small_one_from_reading_as_nothing() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-20.006533), "-20.01");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.000472222), "-0.00047");
        assert_eq!(num(0.001), "0.001");
        assert_eq!(num(0.0049), "0.0049");
        assert_eq!((num(-0.0074), num(-0.006)), ("-0.0074".into(), "-0.006".into()));
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(f64::NAN), "-");
    }
}
