//! `caseload compare`: two allocations of one model side by side (the proposal and the
//! manager's edited copy, say): whether each is lawful, the objective term by term, the
//! children whose worker differs and the workers whose load changes.
//!
//! Both are judged by [`check`], the same rules `allocate` obeys; the objective is
//! [`objective::terms`] of each stated allocation (what the allocation scores, not what the file
//! says it scores).

use crate::check::{self, Breach, ProposalIn};
use crate::explain::round9;
use crate::model::Model;
use crate::objective;
use crate::proposal::ObjectiveTerms;
use crate::rules::{Rule, Usage};
use serde::Serialize;

/// One of the two allocations, judged.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Side {
    /// The file, as named on the command line.
    pub file: String,
    /// True when no rule of SPEC section 3 is broken: rules 1 to 10, and every case of the
    /// model listed exactly once (no `rule*`, `missing`, `duplicate` or `unknown` breach).
    pub lawful: bool,
    /// Every breach `check` finds, including stale statements (`objective`, `load`, `change`,
    /// `reason`, `order`) that do not make the allocation unlawful.
    pub breaches: Vec<Breach>,
    /// Cases allocated.
    pub allocated: usize,
    /// Cases not allocated.
    pub unallocated: usize,
    /// The objective of the allocation (SPEC section 4), computed.
    pub objective: f64,
    /// The same, term by term.
    pub objective_terms: ObjectiveTerms,
    /// The objective the file states, if it states one.
    pub stated_objective: Option<f64>,
}

/// A child whose worker differs.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    /// Case id.
    pub case: String,
    /// Its worker in the first allocation (`null`: unallocated).
    pub a: Option<String>,
    /// Its worker in the second.
    pub b: Option<String>,
}

/// A worker whose load differs.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LoadChange {
    /// Worker id.
    pub worker: String,
    /// Load in the first allocation.
    pub a: f64,
    /// Load in the second.
    pub b: f64,
    /// The worker's target.
    pub target: f64,
    /// The worker's cap.
    pub cap: f64,
}

/// The comparison of two allocations of one model.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Comparison {
    /// True when every child has the same worker (or none) in both.
    pub same: bool,
    /// The first allocation.
    pub a: Side,
    /// The second.
    pub b: Side,
    /// The second's objective less the first's.
    pub objective_difference: f64,
    /// Every child whose worker differs, by case id.
    pub changed: Vec<Changed>,
    /// Every worker whose load differs, by worker id.
    pub loads: Vec<LoadChange>,
}

impl Comparison {
    /// True when both are lawful and allocate every child alike: `compare`'s exit status 0.
    pub fn agree(&self) -> bool {
        self.same && self.a.lawful && self.b.lawful
    }
}

/// Whether a breach code is a broken rule of SPEC section 3, rather than a stale statement.
pub fn breaks_a_rule(code: &str) -> bool {
    Rule::from_code(code).is_some() || matches!(code, "missing" | "duplicate" | "unknown")
}

fn side(m: &Model, file: &str, p: &ProposalIn, assignment: &[Option<usize>]) -> Side {
    let breaches = check::check_proposal(m, p);
    let terms = objective::terms(m, assignment);
    let allocated = assignment.iter().filter(|a| a.is_some()).count();
    Side {
        file: file.to_string(),
        lawful: !breaches.iter().any(|b| breaks_a_rule(&b.code)),
        breaches,
        allocated,
        unallocated: m.cases.len() - allocated,
        objective: round9(objective::value(&terms)),
        objective_terms: terms,
        stated_objective: p.objective,
    }
}

/// Compares two proposals of model `m`; each comes with the name of its file.
pub fn compare(m: &Model, a: (&str, &ProposalIn), b: (&str, &ProposalIn)) -> Comparison {
    let (xa, xb) = (check::assignment(m, a.1), check::assignment(m, b.1));
    let id = |w: Option<usize>| w.map(|w| m.workers[w].id.clone());
    let changed: Vec<Changed> = m
        .cases
        .iter()
        .enumerate()
        .filter(|&(c, _)| xa[c] != xb[c])
        .map(|(c, case)| Changed { case: case.id.clone(), a: id(xa[c]), b: id(xb[c]) })
        .collect();
    let (ua, ub) = (Usage::of(m, &xa), Usage::of(m, &xb));
    let loads = m
        .workers
        .iter()
        .enumerate()
        .filter(|&(w, _)| (ua.load[w] - ub.load[w]).abs() > 1e-9)
        .map(|(w, worker)| LoadChange {
            worker: worker.id.clone(),
            a: round9(ua.load[w]),
            b: round9(ub.load[w]),
            target: worker.target,
            cap: worker.cap,
        })
        .collect();
    let (sa, sb) = (side(m, a.0, a.1, &xa), side(m, b.0, b.1, &xb));
    Comparison {
        same: changed.is_empty(),
        objective_difference: round9(sb.objective - sa.objective),
        a: sa,
        b: sb,
        changed,
        loads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_statements_are_not_broken_rules() {
        assert!(breaks_a_rule("rule7"));
        assert!(breaks_a_rule("missing"));
        assert!(!breaks_a_rule("objective"));
        assert!(!breaks_a_rule("load"));
    }
}
