//! The objective of SPEC section 4, evaluated exactly on any case-level allocation.

use crate::model::Model;
use crate::proposal::ObjectiveTerms;
use crate::rules;

/// Loads of every worker, and the weight each supervisor oversees (rules 7 and 8), as
/// [`rules::Usage`] counts them.
pub fn loads(m: &Model, assignment: &[Option<usize>]) -> (Vec<f64>, Vec<f64>) {
    let u = rules::Usage::of(m, assignment);
    (u.load, u.oversight)
}

/// What allocating case `c` to worker `w` adds to the objective, before overload: its priority,
/// less the cross-team penalty outside its team, plus the move penalty it avoids by staying with
/// today's worker. The formulation and the capacity reasons both use it, so they judge alike.
pub fn case_value(m: &Model, c: usize, w: usize) -> f64 {
    let case = &m.cases[c];
    let mut v = case.priority;
    if case.team != m.workers[w].team {
        v -= m.policy.cross_team_penalty;
    }
    if case.current_worker == Some(w) {
        v += m.policy.move_penalty;
    }
    v
}

/// The objective, term by term. Penalties are reported as positive amounts to subtract.
pub fn terms(m: &Model, assignment: &[Option<usize>]) -> ObjectiveTerms {
    let p = &m.policy;
    let mut t = ObjectiveTerms::default();
    for (c, case) in m.cases.iter().enumerate() {
        let a = assignment[c];
        if let Some(w) = a {
            t.priority += case.priority;
            if m.workers[w].team != case.team {
                t.cross_team_penalty += p.cross_team_penalty;
            }
        }
        if case.current_worker.is_some() && a != case.current_worker {
            t.move_penalty += p.move_penalty;
        }
    }
    let (load, _) = loads(m, assignment);
    let over: f64 = m.workers.iter().zip(&load).map(|(w, &l)| (l - w.target).max(0.0)).sum();
    t.overload_penalty = p.overload_penalty * over;
    t
}

/// The objective value.
pub fn value(t: &ObjectiveTerms) -> f64 {
    t.priority - t.move_penalty - t.overload_penalty - t.cross_team_penalty
}
