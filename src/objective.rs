//! The objective of SPEC section 4, evaluated exactly on any case-level allocation.

use crate::model::{Model, Policy, Status, Worker};
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
/// today's worker, plus the return bonus with a previous worker. The formulation and the capacity reasons both use it, so they judge alike.
pub fn case_value(m: &Model, c: usize, w: usize) -> f64 {
    let case = &m.cases[c];
    let mut v = case.priority;
    if case.team != m.workers[w].team {
        v -= m.policy.cross_team_penalty;
    }
    if case.current_worker == Some(w) {
        v += m.policy.move_penalty;
    }
    if m.policy.return_bonus != 0.0 && m.returns(c, w) {
        v += m.policy.return_bonus;
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
            if p.return_bonus != 0.0 && m.returns(c, w) {
                t.return_bonus += p.return_bonus;
            }
        }
        if case.current_worker.is_some() && a != case.current_worker {
            t.move_penalty += p.move_penalty;
        }
    }
    let (load, _) = loads(m, assignment);
    let over: f64 = m.workers.iter().zip(&load).map(|(w, &l)| (l - w.target).max(0.0)).sum();
    t.overload_penalty = p.overload_penalty * over;
    t.fairness_penalty = m
        .workers
        .iter()
        .zip(&load)
        .filter(|(w, _)| w.status == Status::Active)
        .map(|(w, &l)| fairness(p, w.target, l))
        .sum();
    t
}

/// The fairness cost of an active worker's load:
/// `fairness_penalty x (q(load) / target - 2 x load + target)`, where q is the square of the
/// load at whole loads and linear between them (so q(2.5) = 6.5). At whole loads it is
/// `target x (load / target - 1)^2`: how far the workload percentage is from 100%, squared and
/// weighted by the post's size. It is convex, never negative, and falls as load rises to
/// target: below target it adds to a case's value (most where the worker is emptiest), above
/// target it adds to the overload penalty (most where the worker is fullest). For a given total
/// load it is least when every worker carries the same share of target. Workers with no target
/// (0) carry none.
pub fn fairness(p: &Policy, target: f64, load: f64) -> f64 {
    if p.fairness_penalty == 0.0 || target <= 0.0 {
        return 0.0;
    }
    p.fairness_penalty * (q(load) / target - 2.0 * load + target)
}

/// What an active worker's load costs in SPEC section 4's terms: the overload penalty on load
/// above `target`, and the fairness term. The one place the load terms are written: what one
/// more case costs a worker is [`marginal_cost`], and the solver's per-worker costs
/// ([`crate::formulate::PartWorker::load_cost`]) and its knapsack's slopes ([`load_slope`]) are this.
pub fn load_cost(p: &Policy, target: f64, load: f64) -> f64 {
    overload(p, target, load) + fairness(p, target, load)
}

/// The overload penalty alone on a worker's load: `overload_penalty x max(0, load - target)`.
pub fn overload(p: &Policy, target: f64, load: f64) -> f64 {
    p.overload_penalty * (load - target).max(0.0)
}

/// What taking a load from `from` to `to` costs against `target` (negative when it gains),
/// overload and fairness together, for any worker active or not; [`marginal_cost`] asks the
/// worker.
pub fn load_change(p: &Policy, target: f64, from: f64, to: f64) -> f64 {
    load_cost(p, target, to) - load_cost(p, target, from)
}

/// What a worker's load costs as [`terms`] counts it: the overload penalty above target, and
/// the fairness term when the worker is active (SPEC section 4).
pub fn worker_cost(p: &Policy, worker: &Worker, load: f64) -> f64 {
    let fair = if worker.status == Status::Active { fairness(p, worker.target, load) } else { 0.0 };
    overload(p, worker.target, load) + fair
}

/// The marginal cost of load: what `weight` more load costs `worker`, who carries `load`
/// before it (negative when it gains, as the fairness term does below target). Exact over the
/// piecewise terms, whatever the weight: the overload penalty on the part above target, and
/// the change in the fairness term. The one place it is computed: the capacity reasons
/// (`explain`) and `recommend`'s local moves ask it, and the formulation's per-worker costs
/// ([`crate::formulate::PartWorker::load_cost`]) are the same [`load_cost`].
pub fn marginal_cost(p: &Policy, worker: &Worker, load: f64, weight: f64) -> f64 {
    worker_cost(p, worker, load + weight) - worker_cost(p, worker, load)
}

/// The slope of [`load_cost`] just above `load` (its right derivative): the cost of each
/// further unit of load, until the next whole load or the target. [`load_cost`] is convex, so
/// `load_cost(load + e) >= load_cost(load) + e x load_slope(load)` for every `e >= 0`.
pub fn load_slope(p: &Policy, target: f64, load: f64) -> f64 {
    let over = if load >= target { p.overload_penalty } else { 0.0 };
    if p.fairness_penalty == 0.0 || target <= 0.0 {
        return over;
    }
    let k = load.max(0.0).floor();
    over + p.fairness_penalty * ((2.0 * k + 1.0) / target - 2.0)
}

/// Load squared at whole loads, linear between: `k^2 + (2k + 1)(x - k)` with `k = floor(x)`.
fn q(x: f64) -> f64 {
    let x = x.max(0.0);
    let k = x.floor();
    k * k + (2.0 * k + 1.0) * (x - k)
}

/// The objective value.
pub fn value(t: &ObjectiveTerms) -> f64 {
    t.priority - t.move_penalty - t.overload_penalty - t.cross_team_penalty - t.fairness_penalty
        + t.return_bonus
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker's load costs as `terms` counts them, taken one case at a time by
    /// `marginal_cost`, add up to what `terms` says of the whole allocation, active or not.
    #[test]
    fn marginal_costs_add_up_to_the_load_terms_of_the_allocation() {
        for status in ["active", "absent"] {
            let json = format!(
                r#"{{"version": 1, "policy": {{"overload_penalty": 5, "fairness_penalty": 2.5}},
                    "workers": [{{"id": "A", "role": "social_worker", "team": "N", "target": 3, "cap": 9, "status": "{status}"}}],
                    "cases": [{{"id": "C1", "type": "looked_after", "team": "N", "weight": 0.7}},
                              {{"id": "C2", "type": "looked_after", "team": "N", "weight": 1.3}},
                              {{"id": "C3", "type": "looked_after", "team": "N", "weight": 2.35}},
                              {{"id": "C4", "type": "looked_after", "team": "N", "weight": 0.5}}]}}"#
            );
            let m = crate::load_model_bytes("m.json", json.as_bytes()).unwrap();
            let worker = &m.workers[0];
            let mut a = vec![None; m.cases.len()];
            let (mut load, mut sum) = (0.0, worker_cost(&m.policy, worker, 0.0));
            for c in 0..m.cases.len() {
                sum += marginal_cost(&m.policy, worker, load, m.cases[c].weight);
                load += m.cases[c].weight;
                a[c] = Some(0);
                let t = terms(&m, &a);
                let whole = t.overload_penalty + t.fairness_penalty;
                assert!((sum - whole).abs() < 1e-9, "{status}, {} cases: {sum} against {whole}", c + 1);
            }
        }
    }
}
