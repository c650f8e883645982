//! `caseload whatif`: planning scenarios. What if we fill N vacant posts (and which first),
//! change caps or targets, hire, lose workers, or see demand rise?
//!
//! Scenarios are the cartesian product of the sweeps (demand, each `--cap` role, each
//! `--target` role, then the fill counts), after the base model, which always comes first.
//! See [`fill`] for how posts are chosen and how the pieces of the model are solved.
//!
//! Files: [`plan`] the scenarios asked for, [`build`] each scenario's model, [`fill`] and
//! [`piece`] the greedy fill over the model's pieces, [`marginal`] the value of one more worker;
//! [`rows`] the facts found, shown by [`table`], [`json`], [`csv`] and the workbook of [`xlsx`]
//! (which defines the tables' columns), with each scenario's files from [`proposals`] and the
//! planning page from [`page`].

pub mod build;
pub mod csv;
pub mod fill;
pub mod json;
pub mod marginal;
pub mod page;
pub mod piece;
pub mod plan;
pub mod proposals;
pub mod rows;
pub mod table;
pub mod xlsx;

use crate::error::Result;
use crate::model::ModelFile;
use crate::proposal::Proposal;
use crate::solve::Limits;
use build::Context;
use fill::{Engine, FillRun};
pub use plan::Plan;
use rayon::prelude::*;
pub use rows::{Outcome, Scenario, ScenarioRow};
use std::sync::Arc;

/// How to run the scenarios.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// Also rank, per team and role, what one more full-time worker would allocate.
    pub marginal: bool,
    /// The limits every solve runs under, as `allocate`'s: Ctrl-C and a deadline stop the whole
    /// run (the scenarios not finished are marked not proven); a node limit applies per part.
    pub limits: Limits<'a>,
    /// The day the model and every scenario are read for (the reductions in force on it), as
    /// `allocate --date` gives it.
    pub as_of: Option<crate::model::AsOf>,
}

/// One scenario before it is solved.
struct Spec {
    name: String,
    context: usize,
    requested: usize,
    fill_given: bool,
}

/// Runs every scenario of a plan on a model. `file_name` names the model in messages; `bytes`
/// are its bytes (the base scenario's proposal carries their hash, as `allocate`'s does).
/// `tick` is called as work completes, for a progress bar; `progress_len` receives the total.
pub fn evaluate(
    file_name: &str,
    bytes: &[u8],
    plan: &Plan,
    options: &Options,
    progress_len: &(dyn Fn(u64) + Sync),
    tick: &(dyn Fn() + Sync),
) -> Result<Outcome> {
    let with_marginal = options.marginal;
    let file: ModelFile = crate::read::parse_model(file_name, bytes)?;
    crate::validate::validate_on(file_name, &file, bytes, options.as_of)?;
    plan::check_against(plan, &file)?;
    plan::check_size(plan, &file)?;
    let fill = if plan.fill.is_empty() { vec![0] } else { plan.fill.clone() };
    let fill_given = fill != [0];

    // Contexts: 0 is the model as given; sweep contexts that change nothing reuse it.
    let mut contexts: Vec<Context> = vec![Context { as_of: options.as_of, ..build::identity(&file) }];
    let mut specs = vec![Spec { name: "base".into(), context: 0, requested: 0, fill_given: false }];
    for mut ctx in build::contexts(&file, plan)? {
        ctx.as_of = options.as_of;
        let ci = if ctx.identity {
            0
        } else {
            fill::check_context(&ctx, file_name)?;
            contexts.push(ctx);
            contexts.len() - 1
        };
        for &n in &fill {
            if ci == 0 && n == 0 {
                continue; // the base scenario
            }
            let label = &contexts[ci].label;
            let name = match (label.is_empty(), fill_given) {
                (true, _) => format!("fill={n}"),
                (false, true) => format!("{label} fill={n}"),
                (false, false) => label.clone(),
            };
            specs.push(Spec { name, context: ci, requested: n, fill_given });
        }
    }
    let max_fill: Vec<usize> = (0..contexts.len())
        .map(|c| specs.iter().filter(|s| s.context == c).map(|s| s.requested).max().unwrap_or(0))
        .collect();
    let engines: Vec<Engine> = contexts.iter().map(|c| Engine::new(c, options.limits)).collect();
    let steps: Vec<usize> = engines.iter().zip(&max_fill).map(|(e, &m)| m.min(e.vacant().len())).collect();
    let marginal_jobs: usize =
        if with_marginal { engines[0].pieces.iter().map(|p| p.teams.len() * 7).sum() } else { 0 };
    progress_len((steps.iter().sum::<usize>() + specs.len() + marginal_jobs) as u64);

    seed_chains(&contexts, &engines)?;
    let runs: Vec<FillRun> =
        engines.par_iter().zip(&steps).map(|(e, &n)| e.greedy(n, tick)).collect::<Result<_>>()?;

    // Distinct (context, posts filled) pairs, each composed once.
    let effective = |s: &Spec| (s.context, s.requested.min(runs[s.context].steps.len()));
    let mut distinct: Vec<(usize, usize)> = specs.iter().map(effective).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let composed: Vec<Arc<(ModelFile, Proposal)>> = distinct
        .par_iter()
        .map(|&(c, n)| {
            let own = if c == 0 && n == 0 { Some(bytes) } else { None };
            let name =
                if c == 0 && n == 0 { file_name.to_string() } else { format!("{file_name} (scenario)") };
            engines[c].compose(&runs[c], n, &name, own).map(Arc::new)
        })
        .collect::<Result<_>>()?;

    let mut scenarios = Vec::with_capacity(specs.len());
    for (i, s) in specs.iter().enumerate() {
        let key = effective(s);
        let at = distinct.binary_search(&key).unwrap_or(0);
        let result = Arc::clone(&composed[at]);
        let row = rows::row(
            i,
            &s.name,
            &contexts[s.context],
            &engines[s.context],
            &runs[s.context],
            s.requested,
            key.1,
            s.fill_given,
            &result.1,
        );
        scenarios.push(Scenario { row, result });
        tick();
    }
    let marginal = if with_marginal { marginal::marginal(&engines[0], tick)? } else { None };
    let stopped = runs.iter().any(|r| r.stopped)
        || (with_marginal && marginal.is_none())
        || stop_requested_now(options);
    let fill_order = contexts
        .iter()
        .zip(&engines)
        .zip(&runs)
        .filter(|(_, r)| !r.steps.is_empty())
        .map(|((c, e), r)| rows::fill_order(c, e, r))
        .collect();
    let notes = rows::children_notes(&scenarios);
    Ok(Outcome {
        model: file_name.to_string(),
        model_hash: crate::util::sha256_hex(bytes),
        scenarios,
        fill_order,
        marginal,
        stopped,
        notes,
    })
}

/// Solves, with no posts filled, the contexts of a cap or target sweep that only add capacity
/// to another (the same settings but caps and targets no lower); then, in that order, solves
/// again from the best allocation of the contexts below it any context that allocation beats:
/// it is lawful with the higher caps, so the sweep's answer never falls as caps rise, proven or
/// not. The second pass goes in order, so the answer is the same on any number of threads.
fn seed_chains(contexts: &[Context], engines: &[Engine]) -> Result<()> {
    let below = |q: &Context, c: &Context| {
        let le = |a: &std::collections::BTreeMap<crate::model::Role, f64>,
                  b: &std::collections::BTreeMap<crate::model::Role, f64>| {
            a.len() == b.len() && a.iter().zip(b).all(|((ra, va), (rb, vb))| ra == rb && va <= vb)
        };
        q.demand == c.demand
            && q.hired == c.hired
            && q.absent == c.absent
            && le(&q.caps, &c.caps)
            && le(&q.targets, &c.targets)
            && (q.caps != c.caps || q.targets != c.targets)
    };
    let values = |c: &Context| -> Vec<f64> { c.caps.values().chain(c.targets.values()).copied().collect() };
    let chained: Vec<usize> = (0..contexts.len())
        .filter(|&c| {
            (0..contexts.len())
                .any(|q| below(&contexts[q], &contexts[c]) || below(&contexts[c], &contexts[q]))
        })
        .collect();
    let mut order = chained;
    // A context below another is lexicographically smaller in its caps, then targets.
    order.sort_by(|&a, &b| {
        let (va, vb) = (values(&contexts[a]), values(&contexts[b]));
        va.iter().zip(&vb).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(a.cmp(&b))
    });
    // All at once first; then, in order, only a context that a context below it beats is
    // solved again, from that context's allocation.
    order
        .par_iter()
        .map(|&c| {
            engines[c].ensure(&(0..engines[c].pieces.len()).map(|p| (p, Vec::new())).collect::<Vec<_>>())
        })
        .collect::<Result<()>>()?;
    for &c in &order {
        let e = &engines[c];
        let mut seeded: Vec<piece::Seeded> = Vec::with_capacity(e.pieces.len());
        for (p, piece) in e.pieces.iter().enumerate() {
            let key: piece::Key = (p, Vec::new());
            let mut seed: Option<Arc<piece::PieceResult>> = None;
            for q in (0..contexts.len()).filter(|&q| below(&contexts[q], &contexts[c])) {
                // Pieces match when the teams do (they do unless the settings split them).
                if engines[q].pieces.get(p).is_none_or(|x| x.teams != piece.teams) {
                    continue;
                }
                if let Some(r) = engines[q].cached(&key)? {
                    if seed.as_ref().is_none_or(|s| r.objective > s.objective) {
                        seed = Some(r);
                    }
                }
            }
            seeded.push((key, seed));
        }
        e.ensure_from(&seeded)?;
    }
    Ok(())
}

/// A run the limits stopped must say so even when every scenario happened to finish first.
fn stop_requested_now(options: &Options) -> bool {
    piece::stop_requested(&options.limits)
}

/// The curves of children without a worker against posts filled, one series per combination
/// of the other settings; none without a fill sweep.
pub fn fill_curves(o: &Outcome) -> Vec<crate::report::WhatIfCurve> {
    let mut series: Vec<crate::report::Series> = Vec::new();
    // The base scenario is the "as given" curve's first point (no posts filled).
    for sc in &o.scenarios {
        let settings = &sc.row.settings_words;
        let name = if settings.is_empty() { "as given".to_string() } else { settings.clone() };
        let point = (sc.row.filled as f64, sc.row.unallocated as f64);
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) if s.points.iter().any(|p| p.0 == point.0) => {}
            Some(s) => s.points.push(point),
            None => series.push(crate::report::Series { name, points: vec![point] }),
        }
    }
    series.retain(|s| s.points.len() > 1);
    if series.is_empty() {
        return Vec::new();
    }
    vec![crate::report::WhatIfCurve {
        title: "What if we fill vacant posts?".into(),
        note: "Children without a worker as vacant posts are filled, best posts first (see the JSON \
               output for which posts)."
            .into(),
        x_label: "vacant posts filled".into(),
        y_label: "children without a worker".into(),
        series,
        today: None,
    }]
}
