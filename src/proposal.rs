//! The proposal file (SPEC section 5): what `caseload allocate` writes.
//!
//! Every list is sorted by id. An example, from `models/small_team.json`:
//!
//! ```json
//! { "version": 1, "optimal": true, "objective": 1234.0,
//!   "allocations": [ { "case": "C0001", "worker": "W01", "change": "kept" } ],
//!   "unallocated": [ { "case": "C0002", "type": "looked_after", "team": "North",
//!                      "reasons": [ { "code": "at_capacity", "message": "..." } ] } ],
//!   "workers": [ { "worker": "W01", "load": 17.0, "target": 18.0, "cap": 18.0, "cases": 17, "oversight": 0.0 } ],
//!   "summary": { } }
//! ```

use crate::model::{CaseType, Policy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole proposal.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Proposal {
    /// Format version, 1.
    pub version: u32,
    /// True when the allocation is proven optimal (within 1e-6 relative); false when a time
    /// limit or interruption stopped the search first.
    pub optimal: bool,
    /// The objective of SPEC section 4 for this allocation.
    pub objective: f64,
    /// A proven upper bound on the objective of any lawful allocation. Equal to `objective`
    /// (within tolerance) when `optimal` is true.
    pub bound: f64,
    /// Allocated cases, sorted by case id.
    pub allocations: Vec<Allocation>,
    /// Unallocated cases with their reasons, sorted by case id.
    pub unallocated: Vec<Unallocated>,
    /// Every worker's load, sorted by worker id.
    pub workers: Vec<WorkerLoad>,
    /// Counts, audit facts and the policy in force.
    pub summary: Summary,
    /// Near-misses in the model that are almost always typing mistakes (a skill that differs
    /// from a worker's only by case, a team with cases but no active worker, ...); see
    /// [`crate::warnings`]. Left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::warnings::Warning>,
}

/// One allocated case.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Case id.
    pub case: String,
    /// Worker id.
    pub worker: String,
    /// Whether the child keeps, changes or gains a social worker.
    pub change: Change,
    /// Extension: true when the worker held the child's case before (one of the case's
    /// `previous_workers`); left out otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub returns: bool,
    /// Extension: the child's name, when the model gives one; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How an allocation differs from today's.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Same worker as `current_worker`.
    Kept,
    /// Had another current worker.
    Moved,
    /// Had no current worker.
    New,
}

impl Change {
    /// The change of a case held today by `current` (if anyone) and allocated to `w`.
    pub fn of(current: Option<usize>, w: usize) -> Change {
        match current {
            Some(cw) if cw == w => Change::Kept,
            Some(_) => Change::Moved,
            None => Change::New,
        }
    }

    /// The word written in proposals and spreadsheets.
    pub fn name(self) -> &'static str {
        match self {
            Change::Kept => "kept",
            Change::Moved => "moved",
            Change::New => "new",
        }
    }
}

/// One unallocated case.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Unallocated {
    /// Case id.
    pub case: String,
    /// Case type.
    #[serde(rename = "type")]
    pub case_type: CaseType,
    /// Owning team.
    pub team: String,
    /// Who held it before this proposal, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_worker: Option<String>,
    /// Extension: the child's name, when the model gives one; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Extension: the day the child has waited for a worker since: the case's `waiting_since`,
    /// or the proposal's day when it had none (it starts waiting on the day of the allocation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<crate::date::Date>,
    /// Extension: whole weeks waited on the proposal's day, `floor((date - waiting_since) / 7)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks_waiting: Option<i64>,
    /// Why it is not allocated: at least one, each true of this case.
    pub reasons: Vec<Reason>,
}

impl Unallocated {
    /// The reasons' suggested actions, in one line (`; ` between them), as the spreadsheets
    /// write them.
    pub fn actions(&self) -> String {
        let actions: Vec<&str> =
            self.reasons.iter().map(|r| r.action.as_str()).filter(|a| !a.is_empty()).collect();
        actions.join("; ")
    }
}

/// A reason a case is unallocated.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// Plain words a manager can pass on.
    pub message: String,
    /// Extension: what would let the case be allocated (who to find, what to change).
    #[serde(default)]
    pub action: String,
}

/// The reason codes live beside the rules that decide them ([`crate::rules::ReasonCode`]); the
/// proposal names them.
pub use crate::rules::ReasonCode;

/// One worker's load in the proposal.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct WorkerLoad {
    /// Worker id.
    pub worker: String,
    /// Sum of the weights of its cases.
    pub load: f64,
    /// Manageable load.
    pub target: f64,
    /// Hard cap.
    pub cap: f64,
    /// Number of cases.
    pub cases: usize,
    /// Weight of cases held by the workers it supervises (supervised roles only).
    pub oversight: f64,
    /// Post status.
    pub status: crate::model::Status,
    /// Load as a percentage of target, to one decimal (with the fairness setting only; absent
    /// when the target is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Extension: the reductions in force on the proposal's date, already taken off `cap` and
    /// `target`; left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduction: Option<f64>,
    /// Extension: the worker's name, when the model gives one; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Allocated and unallocated counts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Counts {
    /// Cases.
    pub cases: usize,
    /// Allocated.
    pub allocated: usize,
    /// Unallocated.
    pub unallocated: usize,
}

/// How children's social workers change.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Moves {
    /// Allocated to the current worker.
    pub kept: usize,
    /// Allocated to a different worker than today's.
    pub moved: usize,
    /// Allocated, with no worker today.
    pub new: usize,
    /// Had a worker today and are now unallocated.
    pub lost: usize,
}

/// The objective, term by term (score analysis).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ObjectiveTerms {
    /// Sum of priorities of allocated cases.
    pub priority: f64,
    /// move_penalty x cases with a current worker that do not end with that worker.
    pub move_penalty: f64,
    /// overload_penalty x total load above target.
    pub overload_penalty: f64,
    /// cross_team_penalty x cases allocated outside their team.
    pub cross_team_penalty: f64,
    /// fairness_penalty x sum over workers of q(load) / target (left out when 0).
    #[serde(default, skip_serializing_if = "crate::model::is_zero")]
    pub fairness_penalty: f64,
    /// return_bonus x cases allocated to one of their previous workers (left out when 0); the
    /// one term that adds.
    #[serde(default, skip_serializing_if = "crate::model::is_zero")]
    pub return_bonus: f64,
}

/// The program and solver that made the proposal.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Program name.
    pub program: String,
    /// Program version.
    pub version: String,
    /// Solver used.
    pub solver: String,
    /// Independent parts solved.
    pub parts: usize,
    /// Parts that needed an integer search (weights or sibling groups).
    pub integer_parts: usize,
    /// Branch-and-bound nodes explored in all.
    pub nodes: u64,
}

/// Summary of a proposal.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Summary {
    /// Extension: the day the allocation is for (`--date`, default today): the day the model
    /// was read for (the reductions in force on it, the weeks each child has waited). Left out
    /// only by a library caller that gave no day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<crate::date::Date>,
    /// All cases.
    pub cases: Counts,
    /// Counts by case type.
    pub by_type: BTreeMap<CaseType, Counts>,
    /// Counts by team.
    pub by_team: BTreeMap<String, Counts>,
    /// Changes of worker.
    pub moves: Moves,
    /// Unallocated cases by reason code (a case with two reasons counts under both).
    pub unallocated_by_reason: BTreeMap<ReasonCode, usize>,
    /// Unallocated cases with a structural reason: no extra capacity would allocate them.
    pub structural_shortfall: usize,
    /// Unallocated cases with only capacity reasons: filling posts can cure them.
    pub capacity_shortfall: usize,
    /// Looked-after children unallocated.
    pub looked_after_unallocated: usize,
    /// Their share of all looked-after children (0 when there are none).
    pub looked_after_unallocated_share: f64,
    /// True when that share is over 10%, a recognised emergency threshold.
    pub looked_after_emergency: bool,
    /// Active workers with load above target.
    pub workers_over_target: usize,
    /// Total load above target.
    pub overload: f64,
    /// The objective term by term.
    pub objective_terms: ObjectiveTerms,
    /// With the fairness setting: per team, the highest less the lowest load percentage among
    /// its active workers with a target.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spread: BTreeMap<String, f64>,
    /// SHA-256 of the model's bytes.
    pub model_hash: String,
    /// The policy in force, defaults filled in.
    pub policy: Policy,
    /// Program, version and solver.
    pub provenance: Provenance,
}
