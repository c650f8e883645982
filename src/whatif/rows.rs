//! The facts `caseload whatif` found: the outcome of a run, one row per scenario, and the order
//! posts were filled in. [`super::json`], [`super::csv`] and [`super::table`] show them;
//! [`super::proposals`] writes each scenario's files.

use super::build::Context;
use super::fill::{Engine, FillRun};
use super::marginal::Marginal;
use crate::explain::round9;
use crate::model::{CaseType, ModelFile, Role};
use crate::proposal::{Moves, Proposal};
use serde::Serialize;
use std::collections::BTreeMap;
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
    /// Why a curve's children without a worker rise while its objective does not fall
    /// ([`children_notes`]).
    pub notes: Vec<String>,
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
    /// Name, e.g. `base`, `fill=5` or `cap.social_worker=25 fill=5`: the machine key.
    pub name: String,
    /// The same in words, for people: "the model as given", "cap of 25 cases per social
    /// worker; 5 posts filled: North (3), South, West".
    pub words: String,
    /// The settings alone in words (no posts filled), to group scenarios into curves.
    #[serde(skip)]
    pub settings_words: String,
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
    /// How far below the best possible allocation of this scenario's model the proposal may
    /// be: the search's proven bound less the objective (0 when `optimal`).
    pub gap: f64,
    /// `optimal` and `gap` in words: "proven best", or "not proven: within 12.5 of the best
    /// possible".
    pub proof: String,
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
    let _ = engine;
    let filled_teams: Vec<&str> =
        run.steps[..filled].iter().map(|st| f.workers[st.post].team.as_str()).collect();
    let words = super::plan::scenario_words(
        &ctx.words,
        fill_given.then(|| super::plan::fill_words(requested, &filled_teams)),
    );
    // The greedy stopped early, and this scenario asked for more posts than it had filled.
    let cut_short = run.stopped && requested > filled;
    ScenarioRow {
        index,
        name: name.to_string(),
        words,
        settings_words: ctx.words.clone(),
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
        choice_proven_best: shortfall <= crate::tolerance::relative(crate::tolerance::OBJECTIVE, p.objective),
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
        gap: if p.optimal { 0.0 } else { round9((p.bound - p.objective).max(0.0)) },
        proof: crate::words::proof(p.optimal, round9((p.bound - p.objective).max(0.0)), cut_short),
    }
}

/// Why children without a worker rise along a fill curve while the objective does not fall,
/// in words ([`crate::words::children_rise`]): one sentence per curve, at its first rise.
pub fn children_notes(scenarios: &[Scenario]) -> Vec<String> {
    let mut curves: BTreeMap<&str, Vec<&ScenarioRow>> = BTreeMap::new();
    for s in scenarios {
        curves.entry(s.row.settings_words.as_str()).or_default().push(&s.row);
    }
    let mut notes = Vec::new();
    for (settings, mut rows) in curves {
        rows.sort_by_key(|r| (r.filled, r.index));
        rows.dedup_by_key(|r| r.filled);
        let tol = |x: f64| crate::tolerance::relative(crate::tolerance::OBJECTIVE, x);
        let rise = rows.windows(2).find(|w| {
            w[1].unallocated > w[0].unallocated && w[1].objective >= w[0].objective - tol(w[0].objective)
        });
        if let Some(w) = rise {
            notes.push(crate::words::children_rise(
                settings,
                w[0].filled,
                w[1].filled,
                w[0].unallocated,
                w[1].unallocated,
            ));
        }
    }
    notes
}

/// The posts of one set of settings, in the order the greedy filled them.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct FillOrder {
    /// The settings (empty for the model as given).
    pub settings: String,
    /// The settings in words (empty for the model as given).
    pub settings_words: String,
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
        settings_words: ctx.words.clone(),
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
