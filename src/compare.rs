//! `caseload compare`: two allocations of one model side by side (the proposal and the
//! manager's edited copy, say): whether each is lawful, the objective term by term, the
//! children whose worker differs and the workers whose load changes.
//!
//! Two weeks compare too (last week's proposal or meeting workbook, then this week's, with
//! this week's model): when their cases differ, the cases only the second lists are new
//! referrals and the cases only the first lists, gone from the model, are closed. Both are
//! listed apart from the changes of worker, and neither counts against the first's lawfulness.
//! Two proposals of one model list the same cases, and compare as they always did.
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
use std::collections::{BTreeMap, BTreeSet};

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
    /// True when both list the same cases and every child has the same worker (or none) in both.
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
    /// Cases of the model that the second lists and the first does not (new referrals, when
    /// the first is last week's; in a meeting workbook, a deleted row too), with their worker
    /// in the second (`b`; `a` is always `null`), by case id. Not among `changed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_referrals: Vec<Changed>,
    /// Cases the first lists that are neither in the model nor in the second (closed since),
    /// with their worker in the first (`a`; `b` is always `null`), by case id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<Changed>,
    /// Workers the first names who are not in the model, when the first was made from another
    /// model (last week's): they have left since. Their children are listed among `changed`
    /// with them as `a`, and count as allocated in the first; by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<String>,
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

/// The case ids a proposal lists, each with its worker as stated (first listing kept).
fn listed(p: &ProposalIn) -> BTreeMap<&str, Option<&str>> {
    let mut out = BTreeMap::new();
    let allocated = p.allocations.iter().map(|a| (a.case.as_str(), Some(a.worker.as_str())));
    for (case, worker) in allocated.chain(p.unallocated.iter().map(|u| (u.case.as_str(), None))) {
        out.entry(case).or_insert(worker);
    }
    out
}

/// `excused`: the first's breaches that only say it is another week's (a closed case it lists,
/// a new referral it does not); `left`, the workers it names who have left since, whose
/// children it allocated (`held` of them in the model).
fn side(
    m: &Model,
    file: &str,
    p: &ProposalIn,
    assignment: &[Option<usize>],
    excused: &BTreeSet<&str>,
    (left, held): (&BTreeSet<&str>, usize),
) -> Side {
    let mut breaches = check::check_proposal(m, p);
    breaches.retain(|b| {
        let closed = b.worker.is_none() && b.case.as_deref().is_some_and(|c| excused.contains(c));
        let gone = b.worker.as_deref().is_some_and(|w| left.contains(w));
        !(matches!(b.code.as_str(), "unknown" | "missing") && (closed || gone))
    });
    let terms = objective::terms(m, assignment);
    let allocated = assignment.iter().filter(|a| a.is_some()).count() + held;
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
    let (la, lb) = (listed(a.1), listed(b.1));
    // Last week's may name workers who have left since: their children had a worker then.
    let left: BTreeSet<&str> = if a.1.of_another_model(m) {
        la.values().flatten().filter(|w| m.worker_index(w).is_none()).copied().collect()
    } else {
        BTreeSet::new()
    };
    // The first's worker of each case: one of the model, or one who has left.
    let stated: Vec<Option<String>> = (0..m.cases.len())
        .map(|c| match xa[c] {
            Some(w) => Some(m.workers[w].id.clone()),
            None => la
                .get(m.cases[c].id.as_str())
                .copied()
                .flatten()
                .filter(|w| left.contains(w))
                .map(String::from),
        })
        .collect();
    let held = (0..m.cases.len()).filter(|&c| xa[c].is_none() && stated[c].is_some()).count();
    let new: BTreeSet<&str> =
        lb.keys().filter(|c| !la.contains_key(*c) && m.case_index(c).is_some()).copied().collect();
    let closed: Vec<Changed> = la
        .iter()
        .filter(|(c, _)| !lb.contains_key(*c) && m.case_index(c).is_none())
        .map(|(c, w)| Changed { case: c.to_string(), a: w.map(String::from), b: None })
        .collect();
    let changed: Vec<Changed> = m
        .cases
        .iter()
        .enumerate()
        .filter(|&(c, case)| stated[c] != id(xb[c]) && !new.contains(case.id.as_str()))
        .map(|(c, case)| Changed { case: case.id.clone(), a: stated[c].clone(), b: id(xb[c]) })
        .collect();
    let new_referrals: Vec<Changed> = m
        .cases
        .iter()
        .enumerate()
        .filter(|(_, case)| new.contains(case.id.as_str()))
        .map(|(c, case)| Changed { case: case.id.clone(), a: None, b: id(xb[c]) })
        .collect();
    let mut excused = new.clone();
    excused.extend(closed.iter().map(|c| c.case.as_str()));
    let (ua, ub) = (Usage::of(m, &xa), Usage::of(m, &xb));
    let loads = m
        .workers
        .iter()
        .enumerate()
        .filter(|&(w, _)| (ua.load[w] - ub.load[w]).abs() > crate::tolerance::EQUAL)
        .map(|(w, worker)| LoadChange {
            worker: worker.id.clone(),
            a: round9(ua.load[w]),
            b: round9(ub.load[w]),
            target: worker.target,
            cap: worker.cap,
        })
        .collect();
    let none = BTreeSet::new();
    let (sa, sb) =
        (side(m, a.0, a.1, &xa, &excused, (&left, held)), side(m, b.0, b.1, &xb, &none, (&none, 0)));
    Comparison {
        same: changed.is_empty() && new_referrals.is_empty() && closed.is_empty(),
        objective_difference: round9(sb.objective - sa.objective),
        a: sa,
        b: sb,
        changed,
        loads,
        new_referrals,
        closed,
        left: left.into_iter().map(String::from).collect(),
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
