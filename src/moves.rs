//! Changes of worker, each with the reason a manager can give: the child's worker today is
//! absent, lacks a skill the child needs, is over cap, and so on; or, when none of those holds,
//! that the move balances caseloads (the plan as a whole scores higher than keeping it).
//!
//! Used by the report and the `moves` sheet of `--xlsx`. Every reason is checked against the
//! model and the proposal, never guessed.

use crate::model::Model;
use crate::model::{CaseType, Status};
use crate::proposal::{Change, Proposal};
use crate::rules;
use crate::words::{self, short as n};

/// One child whose worker changes or who loses a worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// Case id.
    pub case: String,
    /// Case type.
    pub case_type: CaseType,
    /// Owning team.
    pub team: String,
    /// The worker today.
    pub from: String,
    /// The worker in the proposal; `None` when the case loses its worker.
    pub to: Option<String>,
    /// Why, in plain words.
    pub why: String,
}

/// Every moved case and every case that loses its worker, sorted by case id.
pub fn moves(m: &Model, p: &Proposal) -> Vec<Move> {
    let today_load = today_loads(m);
    let mut out = Vec::new();
    for a in p.allocations.iter().filter(|a| a.change == Change::Moved) {
        let Some(ci) = m.case_index(&a.case) else { continue };
        let Some(from) = m.cases[ci].current_worker else { continue };
        out.push(Move {
            case: a.case.clone(),
            case_type: m.cases[ci].case_type,
            team: m.teams[m.cases[ci].team].clone(),
            from: m.workers[from].id.clone(),
            to: Some(a.worker.clone()),
            why: match m.worker_index(&a.worker).filter(|&w| m.returns(ci, w)) {
                Some(_) => format!(
                    "{}; returns to {}, who held them before",
                    change_reason(m, ci, from, &today_load),
                    a.worker
                ),
                None => change_reason(m, ci, from, &today_load),
            },
        });
    }
    for u in &p.unallocated {
        let Some(ci) = m.case_index(&u.case) else { continue };
        let Some(from) = m.cases[ci].current_worker else { continue };
        let first = change_reason(m, ci, from, &today_load);
        let rest: Vec<String> = u.reasons.iter().map(|r| r.code.name().replace('_', " ")).collect();
        out.push(Move {
            case: u.case.clone(),
            case_type: u.case_type,
            team: u.team.clone(),
            from: m.workers[from].id.clone(),
            to: None,
            why: format!("{first}; no other worker could take it ({})", rest.join("; ")),
        });
    }
    out.sort_by(|a, b| a.case.cmp(&b.case));
    out
}

/// Each worker's load today (the weights of the cases whose current_worker it is).
pub fn today_loads(m: &Model) -> Vec<f64> {
    rules::Usage::of(m, &crate::check::today(m)).load
}

/// Why case `c` leaves worker `from`: the first rule that forbids keeping it, else a load
/// reason.
pub fn change_reason(m: &Model, c: usize, from: usize, today_load: &[f64]) -> String {
    let w = &m.workers[from];
    match rules::check_permitted(m, c, from) {
        Err(rules::Block::Inactive(Status::Absent)) => return format!("{} is absent", w.id),
        Err(rules::Block::Inactive(Status::Vacant)) => return format!("{}'s post is vacant", w.id),
        Err(rules::Block::Needs(missing)) => {
            let skills = words::noun(missing.len(), "skill", "skills");
            return format!("{} lacks the needed {skills} {}", w.id, missing.join(", "));
        }
        Err(b) => return format!("{} may not hold it: {}", w.id, words::block(&b, m, c, from)),
        Ok(()) => {}
    }
    if let Some(g) = m.cases[c].group {
        let split = m.groups[g].members.iter().any(|&o| m.cases[o].current_worker != Some(from));
        if split {
            return format!(
                "its sibling group {} goes to one worker, and not every sibling is with {} today",
                m.groups[g].name, w.id
            );
        }
    }
    let load = today_load.get(from).copied().unwrap_or(0.0);
    if !rules::within(load, w.cap) {
        return format!("{} holds {} today, above the council's cap of {}", w.id, n(load), n(w.cap));
    }
    if let Some(s) = rules::overseer(m, from) {
        let over = rules::Usage::of(m, &crate::check::today(m)).oversight[s];
        if !rules::within(over, m.workers[s].oversight_cap) {
            return format!(
                "{}'s supervisor {} oversees more today than the council's oversight cap",
                w.id, m.workers[s].id
            );
        }
    }
    if !rules::within(load, w.target) {
        return format!(
            "balances caseloads: {} holds {} today, above the target of {}",
            w.id,
            n(load),
            n(w.target)
        );
    }
    if m.policy.fairness_penalty > 0.0 && w.target > 0.0 {
        return format!(
            "evens out caseloads under the fairness setting: {} holds {} today, {}% of the target of {}",
            w.id,
            n(load),
            crate::explain::percent(load, w.target).map_or_else(String::new, n),
            n(w.target)
        );
    }
    format!(
        "balances caseloads: the move makes room with {} for a child who needs that worker more (the plan scores higher than keeping it)",
        w.id
    )
}
