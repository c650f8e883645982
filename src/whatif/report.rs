//! What `caseload whatif` reports: one row per scenario (table, JSON, CSV), the order posts are
//! filled in, the marginal value of a worker, and each scenario's model and proposal.

use super::build::Context;
use super::fill::{Engine, FillRun};
use super::marginal::Marginal;
use crate::error::Result;
use crate::explain::round9;
use crate::model::{CaseType, ModelFile, Role};
use crate::proposal::{Moves, Proposal};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

/// Everything `whatif` found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The model file as named on the command line.
    pub model: String,
    /// SHA-256 of its bytes.
    pub model_hash: String,
    /// Scenarios, the base model first.
    pub scenarios: Vec<Scenario>,
    /// For each set of settings with a fill sweep, the posts in the order filled.
    pub fill_order: Vec<FillOrder>,
    /// The marginal value of one more worker, ranked (with `--marginal`; left out when the run
    /// was stopped before every team and role was tried).
    pub marginal: Option<Vec<Marginal>>,
    /// Ctrl-C or the time limit stopped the run: scenarios not finished are marked not proven.
    pub stopped: bool,
}

/// One solved scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Its row.
    pub row: ScenarioRow,
    /// Its model file and proposal (shared between scenarios that are the same model).
    pub result: Arc<(ModelFile, Proposal)>,
}

/// The facts of one scenario, as in the JSON output.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct ScenarioRow {
    /// Position, 0 for the base model.
    pub index: usize,
    /// Name, e.g. `base`, `fill=5` or `cap.social_worker=25 fill=5`.
    pub name: String,
    /// Demand factor.
    pub demand: f64,
    /// Caps set by `--cap`.
    pub caps: BTreeMap<Role, f64>,
    /// Targets set by `--target`.
    pub targets: BTreeMap<Role, f64>,
    /// Posts added by `--hire`.
    pub hired: Vec<String>,
    /// Workers made absent.
    pub absent: Vec<String>,
    /// Cases whose pin to an absent worker was dropped, so they can be reallocated.
    pub pins_dropped: Vec<String>,
    /// Vacant posts asked to be filled.
    pub requested_fill: usize,
    /// Vacant posts filled (fewer than asked when the model has fewer vacancies).
    pub filled: usize,
    /// The posts filled, in the order chosen.
    pub filled_posts: Vec<String>,
    /// True when the posts were chosen greedily (any scenario with posts filled).
    pub greedy: bool,
    /// No choice of `filled` posts can reach an objective above this (see `caseload::whatif::fill`).
    pub upper_bound: f64,
    /// `upper_bound - objective`: the most objective a better choice of posts could add.
    pub max_shortfall: f64,
    /// True when the greedy choice is proven as good as any (`max_shortfall` is 0).
    pub choice_proven_best: bool,
    /// Every piece solved to proven optimality, and (when posts are filled) the greedy was not
    /// stopped before filling the posts asked for.
    pub optimal: bool,
    /// Ctrl-C or the time limit stopped the greedy before it filled the posts asked for: fewer
    /// are filled than the model could take, and the scenario is not proven.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    /// The objective (SPEC section 4).
    pub objective: f64,
    /// Cases in the scenario.
    pub cases: usize,
    /// Allocated.
    pub allocated: usize,
    /// Unallocated.
    pub unallocated: usize,
    /// Allocated by case type.
    pub allocated_by_type: BTreeMap<CaseType, usize>,
    /// Unallocated by case type.
    pub unallocated_by_type: BTreeMap<CaseType, usize>,
    /// Unallocated with a structural reason (no capacity would help).
    pub structural_shortfall: usize,
    /// Unallocated for lack of capacity.
    pub capacity_shortfall: usize,
    /// Changes of worker.
    pub moves: Moves,
    /// Workers above target.
    pub workers_over_target: usize,
    /// Total load above target.
    pub overload: f64,
    /// Looked-after children unallocated.
    pub looked_after_unallocated: usize,
    /// Their share of looked-after children.
    pub looked_after_unallocated_share: f64,
    /// Active workers.
    pub active_workers: usize,
    /// The proposal's file, with `--proposals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal_file: Option<String>,
}

/// Builds a scenario's row.
#[allow(clippy::too_many_arguments)]
pub fn row(
    index: usize,
    name: &str,
    ctx: &Context,
    engine: &Engine,
    run: &FillRun,
    requested: usize,
    filled: usize,
    fill_given: bool,
    p: &Proposal,
) -> ScenarioRow {
    let f = &ctx.file;
    let s = &p.summary;
    let upper = if filled == 0 { p.objective } else { run.upper.get(filled).copied().unwrap_or(p.objective) };
    let upper = round9(upper.max(p.objective));
    let shortfall = round9(upper - p.objective);
    let _ = (engine, fill_given);
    // The greedy stopped early, and this scenario asked for more posts than it had filled.
    let cut_short = run.stopped && requested > filled;
    ScenarioRow {
        index,
        name: name.to_string(),
        demand: ctx.demand,
        caps: ctx.caps.clone(),
        targets: ctx.targets.clone(),
        hired: ctx.hired.clone(),
        absent: ctx.absent.clone(),
        pins_dropped: ctx.pins_dropped.clone(),
        requested_fill: requested,
        filled,
        filled_posts: run.steps[..filled].iter().map(|st| f.workers[st.post].id.clone()).collect(),
        greedy: filled > 0,
        upper_bound: upper,
        max_shortfall: shortfall,
        choice_proven_best: shortfall <= 1e-6 * p.objective.abs().max(1.0),
        optimal: p.optimal && !cut_short,
        stopped: cut_short,
        objective: p.objective,
        cases: s.cases.cases,
        allocated: s.cases.allocated,
        unallocated: s.cases.unallocated,
        allocated_by_type: s.by_type.iter().map(|(t, c)| (*t, c.allocated)).collect(),
        unallocated_by_type: s.by_type.iter().map(|(t, c)| (*t, c.unallocated)).collect(),
        structural_shortfall: s.structural_shortfall,
        capacity_shortfall: s.capacity_shortfall,
        moves: s.moves.clone(),
        workers_over_target: s.workers_over_target,
        overload: s.overload,
        looked_after_unallocated: s.looked_after_unallocated,
        looked_after_unallocated_share: s.looked_after_unallocated_share,
        active_workers: p.workers.iter().filter(|w| w.status == crate::model::Status::Active).count(),
        proposal_file: None,
    }
}

/// The posts of one set of settings, in the order the greedy filled them.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct FillOrder {
    /// The settings (empty for the model as given).
    pub settings: String,
    /// Posts, first filled first.
    pub posts: Vec<FilledPost>,
}

/// One post filled.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct FilledPost {
    /// 1 for the first post filled.
    pub step: usize,
    /// Post id.
    pub post: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: String,
    /// Full-time equivalent.
    pub fte: f64,
    /// Objective gained by filling it.
    pub objective_gain: f64,
    /// Cases newly allocated.
    pub cases_gained: i64,
}

/// The fill order of one context.
pub fn fill_order(ctx: &Context, _engine: &Engine, run: &FillRun) -> FillOrder {
    FillOrder {
        settings: ctx.label.clone(),
        posts: run
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let w = &ctx.file.workers[s.post];
                FilledPost {
                    step: i + 1,
                    post: w.id.clone(),
                    role: w.role,
                    team: w.team.clone(),
                    fte: w.fte.unwrap_or(1.0),
                    objective_gain: round9(s.gain),
                    cases_gained: s.cases,
                }
            })
            .collect(),
    }
}

/// The whole JSON output.
#[derive(Serialize, Debug)]
pub struct Json<'a> {
    /// The model file.
    pub model: &'a str,
    /// Its SHA-256.
    pub model_hash: &'a str,
    /// How posts are chosen.
    pub method: &'static str,
    /// Scenarios, base model first.
    pub scenarios: Vec<ScenarioRow>,
    /// Posts in the order filled, per set of settings.
    pub fill_order: &'a [FillOrder],
    /// Marginal value of one more worker, with `--marginal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marginal: Option<&'a [Marginal]>,
    /// Ctrl-C or the time limit stopped the run (only written when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
}

/// How posts are chosen, for the JSON output.
pub const METHOD: &str = "greedy: each step fills the vacant post that raises the objective most (ties: fewer unallocated cases, then lowest id); choices are nested, so the objective never falls and unallocated never rises as posts are filled. A better choice of the same number of posts can add at most max_shortfall to the objective (upper_bound is a proven bound); choice_proven_best marks the scenarios where the greedy choice is optimal.";

/// The JSON document. `dir` is where proposals were written, if they were.
pub fn json<'a>(o: &'a Outcome, dir: Option<&Path>) -> Json<'a> {
    Json {
        model: &o.model,
        model_hash: &o.model_hash,
        method: METHOD,
        scenarios: o
            .scenarios
            .iter()
            .map(|s| {
                let mut r = s.row.clone();
                r.proposal_file =
                    dir.map(|d| d.join(format!("{}.proposal.json", file_stem(&s.row))).display().to_string());
                r
            })
            .collect(),
        fill_order: &o.fill_order,
        marginal: o.marginal.as_deref(),
        stopped: o.stopped,
    }
}

/// `003-fill-2`: index and a file-safe form of the name.
pub fn file_stem(r: &ScenarioRow) -> String {
    let mut slug = String::new();
    for ch in r.name.chars() {
        if ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' {
            slug.push(ch);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').chars().take(80).collect::<String>();
    format!("{:03}-{}", r.index, slug)
}

/// Writes each scenario's model (`NNN-name.model.json`) and proposal
/// (`NNN-name.proposal.json`), atomically. The base scenario's model is the input itself.
pub fn write_proposals(o: &Outcome, dir: &Path) -> Result<()> {
    // Created when missing, as --csv DIR is.
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::Write {
        path: dir.to_path_buf(),
        problem: format!("cannot create the directory: {e}"),
    })?;
    for s in &o.scenarios {
        let stem = file_stem(&s.row);
        let (model, proposal) = &*s.result;
        if s.row.index > 0 {
            crate::write::atomic_write(
                &dir.join(format!("{stem}.model.json")),
                &crate::write::to_json(model),
            )?;
        }
        crate::write::atomic_write(
            &dir.join(format!("{stem}.proposal.json")),
            &crate::write::to_json(proposal),
        )?;
    }
    Ok(())
}

/// One CSV line per scenario, with a header.
pub fn csv(o: &Outcome) -> Vec<u8> {
    let mut head: Vec<String> = [
        "index",
        "name",
        "demand",
        "requested_fill",
        "filled",
        "filled_posts",
        "cases",
        "allocated",
        "unallocated",
    ]
    .map(String::from)
    .to_vec();
    for t in CaseType::ALL {
        head.push(format!("unallocated_{}", t.name()));
    }
    for t in CaseType::ALL {
        head.push(format!("allocated_{}", t.name()));
    }
    head.extend(
        [
            "structural_shortfall",
            "capacity_shortfall",
            "kept",
            "moved",
            "new",
            "lost",
            "workers_over_target",
            "overload",
            "looked_after_unallocated",
            "looked_after_unallocated_share",
            "active_workers",
            "objective",
            "upper_bound",
            "max_shortfall",
            "greedy",
            "optimal",
        ]
        .map(String::from),
    );
    let mut rows = Vec::with_capacity(o.scenarios.len());
    for s in &o.scenarios {
        let r = &s.row;
        let mut f: Vec<String> = vec![
            r.index.to_string(),
            r.name.clone(),
            r.demand.to_string(),
            r.requested_fill.to_string(),
            r.filled.to_string(),
            r.filled_posts.join(";"),
            r.cases.to_string(),
            r.allocated.to_string(),
            r.unallocated.to_string(),
        ];
        for t in CaseType::ALL {
            f.push(r.unallocated_by_type.get(&t).copied().unwrap_or(0).to_string());
        }
        for t in CaseType::ALL {
            f.push(r.allocated_by_type.get(&t).copied().unwrap_or(0).to_string());
        }
        f.extend([
            r.structural_shortfall.to_string(),
            r.capacity_shortfall.to_string(),
            r.moves.kept.to_string(),
            r.moves.moved.to_string(),
            r.moves.new.to_string(),
            r.moves.lost.to_string(),
            r.workers_over_target.to_string(),
            r.overload.to_string(),
            r.looked_after_unallocated.to_string(),
            r.looked_after_unallocated_share.to_string(),
            r.active_workers.to_string(),
            r.objective.to_string(),
            r.upper_bound.to_string(),
            r.max_shortfall.to_string(),
            r.greedy.to_string(),
            r.optimal.to_string(),
        ]);
        rows.push(f);
    }
    crate::util::csv_bytes(&head, &rows, false)
}

/// The human table for stdout.
pub fn table(o: &Outcome) -> String {
    let mut out = String::new();
    let width = o.scenarios.iter().map(|s| s.row.name.chars().count()).max().unwrap_or(8).clamp(8, 120);
    let _ = writeln!(
        out,
        "{:<width$} {:>6} {:>6} {:>6} {:>7} | unallocated by type: {:>4} {:>4} {:>4} {:>4} | {:>6} {:>8} {:>6} {:>5} {:>6}",
        "scenario", "filled", "cases", "alloc", "unalloc", "CIN", "CP", "LA", "CL", "struct", "capacity", "moved", "over", "LA%"
    );
    for s in &o.scenarios {
        let r = &s.row;
        let by = |t| r.unallocated_by_type.get(&t).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<width$} {:>6} {:>6} {:>6} {:>7} |                      {:>4} {:>4} {:>4} {:>4} | {:>6} {:>8} {:>6} {:>5} {:>5.1}%",
            r.name,
            r.filled,
            r.cases,
            r.allocated,
            r.unallocated,
            by(CaseType::ChildInNeed),
            by(CaseType::ChildProtection),
            by(CaseType::LookedAfter),
            by(CaseType::CareLeaver),
            r.structural_shortfall,
            r.capacity_shortfall,
            r.moves.moved,
            r.workers_over_target,
            100.0 * r.looked_after_unallocated_share,
        );
    }
    let _ = writeln!(
        out,
        "(CIN child in need, CP child protection, LA looked after, CL care leaver; struct: no capacity would help; \
         capacity: more staff would; moved: children who change worker; over: workers above target)"
    );
    if let Some(r) = o.scenarios.iter().map(|s| &s.row).find(|r| !r.pins_dropped.is_empty()) {
        let shown: Vec<&str> = r.pins_dropped.iter().take(10).map(String::as_str).collect();
        let more = r.pins_dropped.len().saturating_sub(shown.len());
        let _ = writeln!(
            out,
            "pins dropped, because the worker is absent ({} case(s), to be reallocated): {}{}",
            r.pins_dropped.len(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        );
    }
    for fo in &o.fill_order {
        let settings = if fo.settings.is_empty() { String::new() } else { format!(" ({})", fo.settings) };
        let _ = writeln!(out, "\nposts filled, in order{settings} (greedy by objective gained):");
        for p in &fo.posts {
            let _ = writeln!(
                out,
                "  {:>3}. {} ({}, {}{}): {:+} cases, {:+} objective",
                p.step,
                p.post,
                p.role.name(),
                p.team,
                if p.fte < 1.0 { format!(", fte {}", p.fte) } else { String::new() },
                p.cases_gained,
                p.objective_gain
            );
        }
    }
    let unproven: Vec<&ScenarioRow> =
        o.scenarios.iter().map(|s| &s.row).filter(|r| r.greedy && !r.choice_proven_best).collect();
    if !unproven.is_empty() {
        let worst = unproven.iter().map(|r| r.max_shortfall).fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "greedy choice not proven best in {} scenario(s); a better choice could add at most {} to the objective (see max_shortfall in --json)",
            unproven.len(),
            worst
        );
    }
    let not_proven = o.scenarios.iter().filter(|s| !s.row.optimal).count();
    if o.stopped {
        let _ = writeln!(
            out,
            "stopped early by Ctrl-C or the time limit: {not_proven} scenario(s) not proven optimal \
             (an unfinished --marginal ranking is left out)"
        );
    } else if not_proven > 0 {
        let _ =
            writeln!(out, "{not_proven} scenario(s) not proven optimal: the node limit stopped their search");
    }
    if let Some(m) = &o.marginal {
        let _ = writeln!(out, "\none more full-time worker (base model), most valuable first:");
        let _ =
            writeln!(out, "  {:>4} {:<24} {:<30} {:>6} {:>10}", "rank", "team", "role", "cases", "objective");
        for x in m.iter().filter(|x| x.objective > 0.0 || x.cases > 0).take(20) {
            let _ = writeln!(
                out,
                "  {:>4} {:<24} {:<30} {:>6} {:>10}",
                x.rank,
                x.team,
                x.role.name(),
                x.cases,
                x.objective
            );
        }
        if m.iter().all(|x| x.objective <= 0.0 && x.cases <= 0) {
            let _ = writeln!(out, "  (no team and role would allocate more)");
        }
    }
    out
}
