//! The planner's report of `caseload whatif --report`: a page of its own, not the allocation
//! report. The planner's questions come first: how many children go without a worker as posts
//! are filled (the curve, with a colour key), which posts to fill first (the fill order), where
//! one more worker helps most (the `--marginal` ranking), then every scenario side by side, with
//! a line explaining each scenario in which a type of case has more children without a worker
//! than in the model as given. The same stylesheet, escaping and Content Security Policy as the
//! allocation report.

use super::rows::Outcome;
use crate::model::{CaseType, Policy};
use crate::report::{esc, num, percent, Meta, STYLE};
use crate::words::count;
use std::fmt::Write;

/// The what-if report as one self-contained HTML page.
pub fn render(o: &Outcome, meta: &Meta) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let base = &o.scenarios[0];
    let file = &base.result.0;
    let mut teams: Vec<&str> = file.workers.iter().map(|w| w.team.as_str()).collect();
    teams.extend(file.cases.iter().map(|c| c.team.as_str()));
    teams.sort_unstable();
    teams.dedup();
    let mut made = Vec::new();
    if !meta.date.is_empty() {
        made.push(format!(r#"made <span id="made">{}</span>"#, esc(&meta.date)));
    }
    if !meta.input.is_empty() {
        made.push(format!(r#"from <code id="input">{}</code>"#, esc(&meta.input)));
    }
    let short: String = o.model_hash.chars().take(12).collect();
    made.push(format!(
        r#"model SHA-256 <code title="{}">{}&hellip;</code>"#,
        esc(&o.model_hash),
        esc(&short)
    ));
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What-if planning report</title>
<style>{STYLE}</style></head><body><main>
<header><h1>What-if planning report</h1><p class="sub">{} &middot; {} &middot; {} &middot; {}{}</p><p class="sub" id="meta">{}</p></header>
"#,
        esc(&if teams.len() == 1 {
            format!("Team {}", teams[0])
        } else {
            format!("Teams {}", teams.join(", "))
        }),
        count(base.row.cases, "child", "children"),
        count(file.workers.len(), "post", "posts"),
        count(o.scenarios.len(), "scenario", "scenarios"),
        if o.stopped { " &middot; stopped early: some scenarios not proven" } else { "" },
        made.join(" &middot; ")
    );
    headline(&mut h, o);
    for curve in super::fill_curves(o) {
        h.push_str(&crate::report::render_whatif(&curve));
    }
    fill_order(&mut h, o);
    marginal(&mut h, o);
    scenarios(&mut h, o);
    explanations(&mut h, o);
    let _ = write!(
        h,
        r#"<footer><p class="audit">Each scenario is a full re-allocation under the same rules (SPEC section 3) and objective (section 4). Posts are filled greedily, the post that allocates most first; the JSON output gives each scenario's bound on a better choice. Model hash <code id="model-hash">{}</code>.</p></footer>"#,
        esc(&o.model_hash)
    );
    h.push_str("</main></body></html>\n");
    h
}

fn headline(h: &mut String, o: &Outcome) {
    let base = &o.scenarios[0].row;
    let best = o.scenarios.iter().min_by_key(|s| (s.row.unallocated, s.row.index)).map(|s| &s.row);
    h.push_str(r#"<section id="headline" class="stats">"#);
    let stat = |h: &mut String, id: &str, value: String, label: &str| {
        let _ = write!(
            h,
            r#"<div class="stat" id="stat-{id}"><span class="num">{}</span> <span class="label">{}</span></div>"#,
            esc(&value),
            esc(label)
        );
    };
    stat(h, "unallocated", base.unallocated.to_string(), "children without a worker today");
    stat(
        h,
        "looked-after",
        format!("{}%", percent(base.looked_after_unallocated_share)),
        "looked-after children unallocated today",
    );
    if let Some(b) = best {
        stat(h, "best", b.unallocated.to_string(), "without a worker in the best scenario");
    }
    stat(h, "scenarios", o.scenarios.len().to_string(), "scenarios");
    h.push_str("</section>\n");
    if let Some(b) = best.filter(|b| b.index != 0) {
        let _ = write!(
            h,
            r#"<p class="lead">The best scenario, <strong>{}</strong>, leaves {} without a worker, against {} in the model as given.</p>"#,
            esc(&b.words),
            count(b.unallocated, "child", "children"),
            base.unallocated
        );
    } else {
        h.push_str(r#"<p class="lead">No scenario leaves fewer children without a worker than the model as given.</p>"#);
    }
}

fn fill_order(h: &mut String, o: &Outcome) {
    if o.fill_order.iter().all(|f| f.posts.is_empty()) {
        return;
    }
    h.push_str(r#"<section id="fill-order"><h2>Which posts to fill first</h2><p class="meaning">Each step fills the vacant post that allocates the most, given the posts filled before it.</p>"#);
    for f in &o.fill_order {
        if f.posts.is_empty() {
            continue;
        }
        if !f.settings_words.is_empty() {
            let _ = write!(h, "<h3>With {}</h3>", esc(&f.settings_words));
        }
        h.push_str(r#"<table><thead><tr><th class="n">Step</th><th>Post</th><th>Role</th><th>Team</th><th class="n">FTE</th><th class="n">Children allocated</th><th class="n">Objective gained</th></tr></thead><tbody>"#);
        for p in &f.posts {
            let _ = write!(
                h,
                r#"<tr><td class="n">{}</td><td class="id">{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                p.step,
                esc(&p.post),
                esc(&p.role.name().replace('_', " ")),
                esc(&p.team),
                num(p.fte),
                p.cases_gained,
                num(p.objective_gain)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>\n");
}

fn marginal(h: &mut String, o: &Outcome) {
    let Some(ranking) = &o.marginal else { return };
    h.push_str(r#"<section id="marginal"><h2>Where one more worker helps most</h2><p class="meaning">One more full-time worker of each role in each team, tried one at a time; ranked by what it adds to the objective.</p><table><thead><tr><th class="n">Rank</th><th>Team</th><th>Role</th><th class="n">Children allocated</th><th class="n">Objective gained</th><th>Supervisor</th></tr></thead><tbody>"#);
    for m in ranking {
        let _ = write!(
            h,
            r#"<tr><td class="n">{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            m.rank,
            esc(&m.team),
            esc(&m.role.name().replace('_', " ")),
            m.cases,
            num(m.objective),
            m.supervisor.as_deref().map_or(String::new(), esc)
        );
    }
    h.push_str("</tbody></table></section>\n");
}

fn scenarios(h: &mut String, o: &Outcome) {
    h.push_str(r#"<section id="scenarios"><h2>Every scenario</h2><p class="key">Key: workers: active workers; placed: children with a worker; <em>without</em>: children without a worker, in all and by type (CIN child in need, CP child protection, LA looked-after child, CL care leaver), and by shortfall (struct. structural, capac. capacity); moves: children who change worker; over target: workers above target.</p><table class="wide"><thead><tr><th class="name">Scenario</th><th class="n">Workers</th><th class="n">Placed</th><th class="n">Without</th>"#);
    for t in ["CIN", "CP", "LA", "CL"] {
        let _ = write!(h, r#"<th class="n">{t}</th>"#);
    }
    h.push_str(r#"<th class="n">Struct.</th><th class="n">Capac.</th><th class="n">Moves</th><th class="n">Over target</th></tr></thead><tbody>"#);
    for s in &o.scenarios {
        let r = &s.row;
        let _ = write!(
            h,
            r#"<tr><td class="name">{}{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>"#,
            esc(&r.words),
            if r.optimal { String::new() } else { format!(" ({})", esc(&r.proof)) },
            r.active_workers,
            r.allocated,
            r.unallocated
        );
        for t in CaseType::ALL {
            let _ =
                write!(h, r#"<td class="n">{}</td>"#, r.unallocated_by_type.get(&t).copied().unwrap_or(0));
        }
        let _ = write!(
            h,
            r#"<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            r.structural_shortfall, r.capacity_shortfall, r.moves.moved, r.workers_over_target
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// Why a type of case has more children without a worker in a scenario than as given.
pub fn explanations_of(o: &Outcome) -> Vec<String> {
    let base = &o.scenarios[0].row;
    let policy = Policy::from_input(&o.scenarios[0].result.0.policy.clone().unwrap_or_default());
    let count =
        |r: &super::rows::ScenarioRow, t: CaseType| r.unallocated_by_type.get(&t).copied().unwrap_or(0);
    let mut out = Vec::new();
    for s in o.scenarios.iter().skip(1) {
        let r = &s.row;
        for t in CaseType::ALL {
            let (before, after) = (count(base, t), count(r, t));
            if after <= before {
                continue;
            }
            let p = policy.priority.get(&t).copied().unwrap_or(0.0);
            let fell: Vec<(CaseType, usize, usize)> = CaseType::ALL
                .into_iter()
                .filter(|&u| count(r, u) < count(base, u))
                .map(|u| (u, count(base, u), count(r, u)))
                .collect();
            let mut line =
                format!("In {}, {} cases without a worker rise from {before} to {after}", r.words, t.words());
            if (r.demand - 1.0).abs() > crate::tolerance::EQUAL {
                let _ = write!(
                    line,
                    ": demand is {} times today's, so there are more children to place",
                    num(r.demand)
                );
            } else if !r.absent.is_empty() {
                let _ =
                    write!(line, ": {} absent, so their children need other workers", r.absent.join(", "));
            } else if fell.is_empty() {
                line.push_str(": the changed caps or targets leave less room that these cases may use");
            } else {
                let others: Vec<String> = fell
                    .iter()
                    .map(|(u, b, a)| format!("{} cases fall from {b} to {a}", u.words()))
                    .collect();
                let equal: Vec<&str> = fell
                    .iter()
                    .filter(|(u, _, _)| {
                        (policy.priority.get(u).copied().unwrap_or(0.0) - p).abs() < crate::tolerance::EQUAL
                    })
                    .map(|(u, _, _)| u.words())
                    .collect();
                let _ = write!(line, " while {}", others.join(" and "));
                if equal.is_empty() {
                    line.push_str(
                        ": the extra room goes to cases of higher priority, since the plan allocates the most priority in total",
                    );
                } else {
                    let _ = write!(
                        line,
                        ": {} and {} cases have equal priority ({}), so the plan may place either; with the new room it places the ones that cost least in moves and overload. Give {} cases a higher priority in the policy to keep them placed",
                        t.words(),
                        equal.join(", "),
                        num(p),
                        t.words()
                    );
                }
            }
            line.push('.');
            out.push(line);
        }
    }
    out
}

fn explanations(h: &mut String, o: &Outcome) {
    let mut lines = explanations_of(o);
    lines.extend(o.notes.iter().cloned());
    if lines.is_empty() {
        return;
    }
    h.push_str(r#"<section id="explanations"><h2>Why some numbers rise</h2><ul>"#);
    for l in lines {
        let _ = write!(h, "<li>{}</li>", esc(&l));
    }
    h.push_str("</ul></section>\n");
}
