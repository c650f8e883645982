//! # caseload
//!
//! Lawful, optimal allocation of children's social care cases to social workers.
//!
//! The pipeline, one module a step: [`read`] -> [`validate`] -> [`rules`] (who may hold what)
//! -> [`formulate`] -> [`solve`] -> [`explain`] -> [`write`]. [`check`] judges any
//! allocation with the same rules. [`solve_model`] is the one pipeline call that `allocate`, a
//! batch and every what-if scenario run.
//!
//! The library never prints, exits or parses flags: the `caseload` binary's command layer
//! (`src/cli/`) does, and turns the typed [`error::Error`]s returned here into exit statuses
//! (see docs/ARCHITECTURE.md).
//!
//! ```
//! let json = br#"{"version": 1,
//!   "workers": [{"id": "W1", "role": "social_worker", "team": "North"}],
//!   "cases": [{"id": "C1", "type": "looked_after", "team": "North"},
//!             {"id": "C2", "type": "care_leaver", "team": "South"}]}"#;
//! let model = caseload::load_model_bytes("example.json", json).unwrap();
//! let proposal = caseload::allocate(&model, caseload::solve::Limits::default()).unwrap();
//! assert_eq!(proposal.allocations.len(), 1);
//! assert_eq!(proposal.unallocated[0].reasons[0].code.name(), "no_permitted_worker");
//! assert!(caseload::check::check_proposal(&model, &caseload::check::parse_proposal(
//!     "p", &caseload::write::to_json(&proposal)).unwrap()).is_empty());
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod accept;
pub mod batch;
pub mod check;
pub mod compare;
pub mod date;
pub mod error;
pub mod explain;
pub mod formulate;
pub mod generate;
pub mod limits;
pub mod model;
pub mod moves;
pub mod objective;
pub mod proposal;
pub mod pseudonymise;
pub mod read;
pub mod recommend;
pub mod report;
pub mod rules;
pub mod sheets;
pub mod solve;
pub mod tables;
pub mod tolerance;
pub mod util;
pub mod validate;
pub mod vocabulary;
pub mod warnings;
pub mod whatif;
pub mod words;
pub mod write;

use error::{Error, Result};
use std::path::Path;

/// Reads, parses and validates a model file (`-` for standard input).
pub fn load_model(path: &Path) -> Result<model::Model> {
    let bytes = read::read_bytes(path)?;
    load_model_bytes(&path.display().to_string(), &bytes)
}

/// Parses and validates model bytes; `file` names them in messages. A model with dated
/// reductions needs a day: use [`load_model_bytes_on`].
pub fn load_model_bytes(file: &str, bytes: &[u8]) -> Result<model::Model> {
    load_model_bytes_on(file, bytes, None)
}

/// Reads, parses and validates a model file for a day (the reductions in force on it).
pub fn load_model_on(path: &Path, as_of: Option<model::AsOf>) -> Result<model::Model> {
    let bytes = read::read_bytes(path)?;
    load_model_bytes_on(&path.display().to_string(), &bytes, as_of)
}

/// Parses and validates model bytes for a day (the reductions in force on it).
pub fn load_model_bytes_on(file: &str, bytes: &[u8], as_of: Option<model::AsOf>) -> Result<model::Model> {
    let parsed = read::parse_model(file, bytes)?;
    validate::validate_on(file, &parsed, bytes, as_of)
}

/// The name of the solver this build uses.
pub fn solver_name() -> String {
    if cfg!(feature = "highs") {
        "caseload network LP over microlp 0.6; integer parts by HiGHS (feature highs)".into()
    } else {
        "caseload network LP over microlp 0.6 + branch-and-price (own simplex)".into()
    }
}

/// What solving a model gives, before it is explained: the allocation and the facts of the search.
#[derive(Clone, Debug)]
pub struct Solved {
    /// Worker (index into [`model::Model::workers`]) of each case, if allocated.
    pub assignment: Vec<Option<usize>>,
    /// Who may hold what, as the formulation used it (the reasons are taken from it too).
    pub eligibility: rules::Eligibility,
    /// Whether the search proved optimality, its gap and size.
    pub facts: explain::SolveFacts,
}

/// The one pipeline every command runs: rules -> formulate -> solve, under `limits` (Ctrl-C,
/// a deadline, a node limit). `allocate`, a batch and every what-if piece call it.
pub fn solve_model(m: &model::Model, limits: solve::Limits) -> Result<Solved> {
    solve_model_from(m, limits, None)
}

/// [`solve_model`], each part's search started from `start` where it is lawful
/// ([`solve::solve_from`]): a what-if scenario carried into one with more capacity.
pub fn solve_model_from(
    m: &model::Model,
    limits: solve::Limits,
    start: Option<&[Option<usize>]>,
) -> Result<Solved> {
    let eligibility = rules::eligibility(m);
    let problem = formulate::formulate(m, &eligibility);
    let mut solved = solve::solve_from(m, &problem, limits, start).map_err(Error::Solver)?;
    // What a placement gains closes the gap: the bound stays the search's.
    let gained = explain::place_left_over(m, &eligibility, &mut solved.assignment);
    solved.gap = (solved.gap - gained).max(0.0);
    let facts = explain::SolveFacts {
        optimal: solved.optimal,
        gap: solved.gap,
        solver: solver_name(),
        parts: solved.parts,
        integer_parts: solved.integer_parts,
        nodes: solved.nodes,
    };
    Ok(Solved { assignment: solved.assignment, eligibility, facts })
}

/// Solves a model and builds its proposal ([`solve_model`], then [`explain::proposal`]).
pub fn allocate(m: &model::Model, limits: solve::Limits) -> Result<proposal::Proposal> {
    let s = solve_model(m, limits)?;
    Ok(explain::proposal(m, &s.eligibility, &s.assignment, &s.facts))
}
