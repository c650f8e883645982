//! # caseload
//!
//! Lawful, optimal allocation of children's social care cases to social workers.
//!
//! The pipeline, one module a step: [`read`] -> [`validate`] -> [`rules`] (who may hold what)
//! -> [`formulate`] -> [`solve`] -> [`explain`] -> [`write`]. [`check`] judges any
//! allocation with the same rules.
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

pub mod batch;
pub mod check;
pub mod cli;
pub mod error;
pub mod explain;
pub mod formulate;
pub mod generate;
pub mod model;
pub mod moves;
pub mod objective;
pub mod proposal;
pub mod pseudonymise;
pub mod read;
pub mod report;
pub mod rules;
pub mod sheets;
pub mod solve;
pub mod validate;
pub mod warnings;
pub mod whatif;
pub mod write;

use error::{Error, Result};
use std::path::Path;

/// Reads, parses and validates a model file (`-` for standard input).
pub fn load_model(path: &Path) -> Result<validate::Model> {
    let bytes = read::read_bytes(path)?;
    load_model_bytes(&path.display().to_string(), &bytes)
}

/// Parses and validates model bytes; `file` names them in messages.
pub fn load_model_bytes(file: &str, bytes: &[u8]) -> Result<validate::Model> {
    let parsed = read::parse_model(file, bytes)?;
    validate::validate(file, &parsed, bytes)
}

/// The name of the solver this build uses.
pub fn solver_name() -> String {
    if cfg!(feature = "highs") {
        "caseload network LP over microlp 0.6; integer parts by HiGHS (feature highs)".into()
    } else {
        "caseload network LP + branch-and-bound over microlp 0.6".into()
    }
}

/// Solves a model and builds its proposal.
pub fn allocate(m: &validate::Model, limits: solve::Limits) -> Result<proposal::Proposal> {
    let el = rules::eligibility(m);
    let problem = formulate::formulate(m, &el);
    let solved = solve::solve(m, &problem, limits).map_err(Error::Solver)?;
    let facts = explain::SolveFacts {
        optimal: solved.optimal,
        gap: solved.gap,
        solver: solver_name(),
        parts: solved.parts,
        integer_parts: solved.integer_parts,
        nodes: solved.nodes,
    };
    Ok(explain::proposal(m, &el, &solved.assignment, &facts))
}
