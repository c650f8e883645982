//! The JSON output of `caseload whatif --json`.

use super::marginal::Marginal;
use super::proposals::file_stem;
use super::rows::{FillOrder, Outcome, ScenarioRow};
use serde::Serialize;
use std::path::Path;

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
    /// Why a curve's children without a worker rise while its objective does not fall.
    pub notes: &'a [String],
}

/// How posts are chosen, for the JSON output.
pub const METHOD: &str = "greedy: each step fills the vacant post that raises the objective most (ties: fewer unallocated cases, then lowest id); choices are nested, and each scenario's search starts from the allocation of the one before it (lawful there, as filling a post or raising a cap only adds room), so the objective never falls as posts are filled or caps rise (unless a fairness_penalty charges the new post's empty load); children without a worker may still rise, as the objective weighs them by priority (see notes). Each scenario says whether its allocation is proven best (optimal) and, if not, gap: how far below the best possible it may be. A better choice of the same number of posts can add at most max_shortfall to the objective (upper_bound is a proven bound); choice_proven_best marks the scenarios where the greedy choice is optimal.";

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
        notes: &o.notes,
    }
}
