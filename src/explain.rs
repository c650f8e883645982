//! Explanation: why each unallocated case is unallocated, and the proposal's summary.
//!
//! Structural reasons come from [`crate::rules::eligibility`], decided before the solve.
//! Capacity reasons are decided after it, by asking of every permitted worker what stops the
//! case (or its whole sibling group) going there now: the cap, the supervisor's oversight, or an
//! overload penalty that outweighs the case's value.

use crate::model::Model;
use crate::model::{CaseType, Role};
use crate::objective;
use crate::proposal::*;
use crate::rules::{self, Eligibility, Rule, Usage, EPS};
use std::collections::{BTreeMap, BTreeSet};

/// What the solver reports beside the assignment.
#[derive(Clone, Debug, Default)]
pub struct SolveFacts {
    /// Proven optimal.
    pub optimal: bool,
    /// Proven bound minus objective (0 when optimal).
    pub gap: f64,
    /// Solver description.
    pub solver: String,
    /// Parts.
    pub parts: usize,
    /// Parts that needed an integer search.
    pub integer_parts: usize,
    /// Nodes.
    pub nodes: u64,
}

/// The reasons that are true of unallocated case `c`, given the whole allocation's usage of caps.
///
/// Each permitted worker of the case (or of its whole sibling group) is asked, in this order,
/// what stops it going there now: its cap (rule 7), its supervisor's oversight cap (rule 8), a
/// value that is not positive even before any overload (zero priority, or a cross-team penalty
/// at least its priority), an overload penalty that outweighs a positive value, or the overload
/// and fairness costs together outweighing it.
pub fn reasons_for(m: &Model, el: &Eligibility, usage: &Usage, c: usize) -> Vec<Reason> {
    let case = &m.cases[c];
    if !el.structural[c].is_empty() {
        return el.structural[c].iter().map(|&code| structural_reason(m, el, c, code)).collect();
    }
    // The item that would have to move: the case, or its whole sibling group.
    let members: Vec<usize> = match case.group {
        Some(g) => m.groups[g].members.clone(),
        None => vec![c],
    };
    let weight: f64 = members.iter().map(|&x| m.cases[x].weight).sum();
    let workers = match case.group {
        Some(_) => rules::group_workers(&el.profiles, &el.case_profile, &members),
        None => el.workers(c).to_vec(),
    };
    let mut found: BTreeMap<ReasonCode, Vec<usize>> = BTreeMap::new();
    for &w in &workers {
        let worker = &m.workers[w];
        let code = match usage.fits(m, w, weight) {
            Err(Rule::Cap) => ReasonCode::AtCapacity,
            Err(_) => ReasonCode::OversightAtCapacity,
            Ok(()) => {
                let value: f64 = members.iter().map(|&x| objective::case_value(m, x, w)).sum();
                let load = usage.load[w];
                let p = &m.policy;
                let cost = objective::overload(p, worker.target, load + weight)
                    - objective::overload(p, worker.target, load);
                let whole = objective::marginal_cost(p, worker, load, weight);
                let tol = crate::tolerance::relative(crate::tolerance::EQUAL, value);
                if value <= tol {
                    ReasonCode::NotWorthAllocating
                } else if value - cost <= tol {
                    ReasonCode::OnlyAboveTarget
                } else if value - whole <= tol {
                    ReasonCode::FairnessCost
                } else {
                    ReasonCode::SearchStopped
                }
            }
        };
        found.entry(code).or_default().push(w);
    }
    if found.is_empty() {
        // Every permitted worker was filtered out by pins on them: their room is taken.
        found.insert(ReasonCode::AtCapacity, Vec::new());
    }
    // Every worker with the skills the child needs is full: say which need blocks.
    let scarce = case.group.is_none() && !case.needs.is_empty() && found.len() == 1;
    found
        .into_iter()
        .map(|(code, ws)| {
            let mut r = capacity_reason(m, c, code, &ws, weight);
            if scarce && code == ReasonCode::AtCapacity && !ws.is_empty() {
                r.message = needs_full(m, c, &ws);
            }
            r
        })
        .collect()
}

/// An at-capacity reason that names the need that blocks: every worker who has the skills the
/// child needs (and may hold the case) is full.
fn needs_full(m: &Model, c: usize, workers: &[usize]) -> String {
    let case = &m.cases[c];
    let ids: Vec<&str> = workers.iter().map(|&w| m.workers[w].id.as_str()).collect();
    let needs = match case.needs.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    let room = if (case.weight - 1.0).abs() <= EPS {
        String::new()
    } else {
        format!(" (no room for {} more)", case.weight)
    };
    if let [one] = ids.as_slice() {
        format!("This child needs a worker with {needs}; {one}, the only one who may hold the case, is full{room}.")
    } else {
        format!(
            "This child needs a worker with {needs}; {}, the only ones who may hold the case, are full{room}.",
            list(&ids)
        )
    }
}

fn list(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut s = ids.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if ids.len() > SHOWN {
        s.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    s
}

fn role_list(roles: &[Role]) -> String {
    roles.iter().map(|r| r.name().replace('_', " ")).collect::<Vec<_>>().join(", ")
}

fn structural_reason(m: &Model, el: &Eligibility, c: usize, code: ReasonCode) -> Reason {
    let case = &m.cases[c];
    let team = &m.teams[case.team];
    let reach = if m.policy.cross_team { "in any team".to_string() } else { format!("in team {team}") };
    let message = match code {
        ReasonCode::NoPermittedWorker => format!(
            "No active worker {reach} is in a role that may hold a {} case ({}).",
            case.case_type.words(),
            role_list(m.policy.may_hold.get(&case.case_type).map_or(&[][..], |v| v))
        ),
        ReasonCode::NeedsUnmet => format!(
            "Workers who may hold this case exist {reach}, but none has every skill the child needs ({}).",
            case.needs.join(", ")
        ),
        ReasonCode::Excluded => {
            "The only workers who could otherwise hold this case are excluded from it (conflict of interest).".into()
        }
        ReasonCode::Unsupervised => {
            "The only workers who could otherwise hold this case work under supervision and have no active, qualified supervisor.".into()
        }
        ReasonCode::AgencyOnly => {
            "The only workers who could otherwise hold this case are agency staff, and the case is marked no_agency.".into()
        }
        ReasonCode::GroupUnplaceable => {
            let g = case.group.map(|g| &m.groups[g]);
            let n = g.map_or(1, |g| g.members.len());
            let name = g.map_or("", |g| g.name.as_str());
            format!(
                "Siblings in group {name} must share one worker, and no single worker may hold all {n} of them within a cap."
            )
        }
        ReasonCode::WeightOverCap => {
            // Name, for each permitted worker, the cap that stops it: its own or its supervisor's.
            let stops: Vec<String> = el
                .workers(c)
                .iter()
                .map(|&w| {
                    let worker = &m.workers[w];
                    match (rules::never_fits(m, w, case.weight), rules::overseer(m, w)) {
                        (Some(Rule::Oversight), Some(s)) => format!(
                            "{}'s supervisor {} may oversee only {} (oversight cap)",
                            worker.id, m.workers[s].id, m.workers[s].oversight_cap
                        ),
                        _ => format!("{}'s cap is {}", worker.id, worker.cap),
                    }
                })
                .collect();
            let shown: Vec<&str> = stops.iter().map(String::as_str).collect();
            format!(
                "This case weighs {}, more than any worker who may hold it can take on: {}.",
                case.weight,
                list(&shown)
            )
        }
        _ => String::new(),
    };
    Reason { code, message, action: rules::reason_action(m, c, code, &[]) }
}

fn capacity_reason(m: &Model, c: usize, code: ReasonCode, workers: &[usize], weight: f64) -> Reason {
    let case = &m.cases[c];
    let ids: Vec<&str> = workers.iter().map(|&w| m.workers[w].id.as_str()).collect();
    let ws = &ids[..];
    let what = if case.group.is_some() { "these siblings" } else { "this case" };
    let message = match code {
        ReasonCode::AtCapacity => format!(
            "Workers who may hold {what} are full: {} have no room for {weight} more.",
            if ws.is_empty() { "their pinned cases".to_string() } else { list(ws) }
        ),
        ReasonCode::OversightAtCapacity => format!(
            "Workers with room ({}) work under supervision, and their supervisors already oversee as many cases as they may.",
            list(ws)
        ),
        ReasonCode::OnlyAboveTarget => format!(
            "Workers with room ({}) are at their manageable caseload; taking {what} would overload them by more than its priority justifies.",
            list(ws)
        ),
        ReasonCode::NotWorthAllocating => format!(
            "Workers with room ({}) may hold it, but it is worth nothing there: {}.",
            list(ws),
            if case.priority <= 0.0 {
                "its priority is zero".to_string()
            } else {
                format!(
                    "they are in another team, and the cross-team penalty ({}) is at least its priority ({})",
                    m.policy.cross_team_penalty, case.priority
                )
            }
        ),
        ReasonCode::FairnessCost => format!(
            "Workers with room ({}) already carry enough that, under the fairness setting (fairness_penalty {}), the extra load of {what} would cost more than its priority ({}) justifies; a worker with a lighter caseload would take it.",
            list(ws),
            m.policy.fairness_penalty,
            case.priority
        ),
        ReasonCode::SearchStopped => format!(
            "The search stopped before placing {what}; workers with room: {}. Run again with a longer time limit.",
            list(ws)
        ),
        _ => String::new(),
    };
    Reason { code, message, action: rules::reason_action(m, c, code, workers) }
}

/// A load as a percentage of target, to one decimal; None when the target is 0.
pub fn percent(load: f64, target: f64) -> Option<f64> {
    (target > 0.0).then(|| (1000.0 * load / target).round() / 10.0)
}

/// Builds the whole proposal from an allocation.
pub fn proposal(m: &Model, el: &Eligibility, assignment: &[Option<usize>], facts: &SolveFacts) -> Proposal {
    let usage = Usage::of(m, assignment);
    let (load, oversight) = (&usage.load, &usage.oversight);
    let terms = objective::terms(m, assignment);
    let objective_value = round9(objective::value(&terms));

    let mut allocations = Vec::new();
    let mut unallocated = Vec::new();
    let mut by_type: BTreeMap<CaseType, Counts> =
        CaseType::ALL.iter().map(|&t| (t, Counts::default())).collect();
    let mut by_team: BTreeMap<String, Counts> = BTreeMap::new();
    let mut moves = Moves::default();
    let mut by_reason: BTreeMap<ReasonCode, usize> = BTreeMap::new();
    let (mut structural, mut capacity) = (0, 0);
    let mut totals = Counts::default();
    for (c, case) in m.cases.iter().enumerate() {
        let tc = by_type.entry(case.case_type).or_default();
        let team = by_team.entry(m.teams[case.team].clone()).or_default();
        tc.cases += 1;
        team.cases += 1;
        totals.cases += 1;
        match assignment[c] {
            Some(w) => {
                tc.allocated += 1;
                team.allocated += 1;
                totals.allocated += 1;
                let change = Change::of(case.current_worker, w);
                match change {
                    Change::Kept => moves.kept += 1,
                    Change::Moved => moves.moved += 1,
                    Change::New => moves.new += 1,
                }
                allocations.push(Allocation {
                    case: case.id.clone(),
                    worker: m.workers[w].id.clone(),
                    change,
                    returns: m.returns(c, w),
                    name: case.name.clone(),
                });
            }
            None => {
                tc.unallocated += 1;
                team.unallocated += 1;
                totals.unallocated += 1;
                if case.current_worker.is_some() {
                    moves.lost += 1;
                }
                let reasons = reasons_for(m, el, &usage, c);
                let codes: BTreeSet<ReasonCode> = reasons.iter().map(|r| r.code).collect();
                for &code in &codes {
                    *by_reason.entry(code).or_default() += 1;
                }
                if codes.iter().any(|c| c.is_structural()) {
                    structural += 1;
                } else {
                    capacity += 1;
                }
                unallocated.push(Unallocated {
                    case: case.id.clone(),
                    case_type: case.case_type,
                    team: m.teams[case.team].clone(),
                    current_worker: case.current_worker.map(|w| m.workers[w].id.clone()),
                    name: case.name.clone(),
                    waiting_since: m.waiting_since(c),
                    weeks_waiting: m.weeks_waiting(c),
                    reasons,
                });
            }
        }
    }
    // Cases per worker in one pass (counting per worker would cost workers x cases).
    let mut held = vec![0usize; m.workers.len()];
    for &w in assignment.iter().flatten() {
        if let Some(n) = held.get_mut(w) {
            *n += 1;
        }
    }
    let workers: Vec<WorkerLoad> = m
        .workers
        .iter()
        .enumerate()
        .map(|(w, worker)| WorkerLoad {
            worker: worker.id.clone(),
            load: round9(load[w]),
            target: worker.target,
            cap: worker.cap,
            cases: held[w],
            oversight: round9(oversight[w]),
            status: worker.status,
            percent: (m.policy.fairness_penalty > 0.0).then(|| percent(load[w], worker.target)).flatten(),
            reduction: (worker.reduction > 0.0).then_some(worker.reduction),
            name: worker.name.clone(),
        })
        .collect();
    let mut spread: BTreeMap<String, f64> = BTreeMap::new();
    if m.policy.fairness_penalty > 0.0 {
        let mut range: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
        for (w, worker) in m.workers.iter().enumerate() {
            if worker.status != crate::model::Status::Active {
                continue;
            }
            if let Some(p) = percent(load[w], worker.target) {
                let r = range.entry(worker.team).or_insert((p, p));
                *r = (r.0.min(p), r.1.max(p));
            }
        }
        spread = range.into_iter().map(|(t, (lo, hi))| (m.teams[t].clone(), round9(hi - lo))).collect();
    }
    let over: Vec<f64> = m.workers.iter().zip(load).map(|(w, &l)| (l - w.target).max(0.0)).collect();
    let la = by_type.get(&CaseType::LookedAfter).cloned().unwrap_or_default();
    let la_share = if la.cases == 0 { 0.0 } else { la.unallocated as f64 / la.cases as f64 };
    Proposal {
        version: 1,
        optimal: facts.optimal,
        objective: objective_value,
        bound: round9(objective_value + facts.gap),
        allocations,
        unallocated,
        workers,
        summary: Summary {
            date: m.date,
            cases: totals,
            by_type,
            by_team,
            moves,
            unallocated_by_reason: by_reason,
            structural_shortfall: structural,
            capacity_shortfall: capacity,
            looked_after_unallocated: la.unallocated,
            looked_after_unallocated_share: round9(la_share),
            looked_after_emergency: la_share > 0.10,
            workers_over_target: over.iter().filter(|&&o| o > EPS).count(),
            overload: round9(over.iter().sum()),
            objective_terms: ObjectiveTerms {
                priority: round9(terms.priority),
                move_penalty: round9(terms.move_penalty),
                overload_penalty: round9(terms.overload_penalty),
                cross_team_penalty: round9(terms.cross_team_penalty),
                fairness_penalty: round9(terms.fairness_penalty),
                return_bonus: round9(terms.return_bonus),
            },
            spread,
            model_hash: m.hash.clone(),
            policy: m.policy.clone(),
            provenance: Provenance {
                program: env!("CARGO_PKG_NAME").into(),
                version: env!("CARGO_PKG_VERSION").into(),
                solver: facts.solver.clone(),
                parts: facts.parts,
                integer_parts: facts.integer_parts,
                nodes: facts.nodes,
            },
        },
        warnings: crate::warnings::warnings(m),
    }
}

/// Rounds to 9 decimal places, so sums taken in different orders print the same.
pub fn round9(x: f64) -> f64 {
    let r = (x * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}
