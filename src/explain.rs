//! Explanation: why each unallocated case is unallocated, and the proposal's summary.
//!
//! Structural reasons come from [`crate::rules::eligibility`], decided before the solve.
//! Capacity reasons are decided after it, by asking of every permitted worker what stops the
//! case (or its whole sibling group) going there now: the cap, the supervisor's oversight, or an
//! overload penalty that outweighs the case's value.

use crate::model::CaseType;
use crate::model::Model;
use crate::model::Status;
use crate::objective;
use crate::proposal::*;
use crate::rules::{self, Eligibility, Rule, Usage, EPS};
use crate::util::quoted;
use crate::words;
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
    let mut reasons = composed_reasons(m, el, usage, c);
    for r in &mut reasons {
        r.message = crate::limits::fit(std::mem::take(&mut r.message));
        r.action = crate::limits::fit(std::mem::take(&mut r.action));
    }
    reasons
}

/// [`reasons_for`], its texts as composed (a name they quote may make one too long).
fn composed_reasons(m: &Model, el: &Eligibility, usage: &Usage, c: usize) -> Vec<Reason> {
    let case = &m.cases[c];
    if !el.structural[c].is_empty() {
        return el.structural[c].iter().map(|&code| structural_reason(m, el, c, code)).collect();
    }
    let (members, weight, workers) = item_of(m, el, c);
    let mut found: BTreeMap<ReasonCode, Vec<usize>> = BTreeMap::new();
    for &w in &workers {
        found.entry(what_stops(m, usage, &members, weight, w)).or_default().push(w);
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
            let mut r = capacity_reason(m, el, c, code, &ws, weight);
            if scarce && code == ReasonCode::AtCapacity && !ws.is_empty() {
                r.message = needs_full(m, c, &ws);
            }
            r
        })
        .collect()
}

/// What would have to move for unallocated case `c` to be placed: the case, or its whole
/// sibling group (its members, their weight), and the workers who may hold it.
fn item_of(m: &Model, el: &Eligibility, c: usize) -> (Vec<usize>, f64, Vec<usize>) {
    let members: Vec<usize> = match m.cases[c].group {
        Some(g) => m.groups[g].members.clone(),
        None => vec![c],
    };
    let weight: f64 = members.iter().map(|&x| m.cases[x].weight).sum();
    let workers = match m.cases[c].group {
        Some(_) => rules::group_workers(&el.profiles, &el.case_profile, &members),
        None => el.workers(c).to_vec(),
    };
    (members, weight, workers)
}

/// What stops `members` (of `weight` in all) going to worker `w` now, given `usage`: its cap,
/// its supervisor's oversight, a value not above nothing, overload, the fairness term; or
/// nothing ([`ReasonCode::SearchStopped`]: placing them would raise the objective).
fn what_stops(m: &Model, usage: &Usage, members: &[usize], weight: f64, w: usize) -> ReasonCode {
    let worker = &m.workers[w];
    match usage.fits(m, w, weight) {
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
    }
}

/// Places every unallocated case (with its sibling group) that a worker who may hold it has
/// room for and whose objective it would raise, as [`reasons_for`] judges it: the one case it
/// would call `search_stopped`. A search proven optimal leaves such a case out only when the
/// gain is below its tolerance (a priority of a millionth beside a move penalty of a billion),
/// and a proposal that says it is optimal must give every child a true reason; a search a
/// limit stopped may leave one too (the 20,000-case district: one child, +35). Cases are taken
/// in order, each by the first such worker in its workers' order: the same answer on every
/// run. One pass places them all: a placement only adds load, and more load never lets a case
/// fit where it did not (caps, oversight) nor lowers its marginal cost (the load cost is
/// convex). Returns what the objective gained (0 when nothing was placed, as on every proven
/// benchmark model).
pub fn place_left_over(m: &Model, el: &Eligibility, assignment: &mut [Option<usize>]) -> f64 {
    let before = objective::value(&objective::terms(m, assignment));
    let mut usage = Usage::of(m, assignment);
    let mut placed = false;
    for c in 0..m.cases.len() {
        if assignment[c].is_some() || !el.structural[c].is_empty() {
            continue;
        }
        let (members, weight, workers) = item_of(m, el, c);
        let stopped = |&&w: &&usize| what_stops(m, &usage, &members, weight, w) == ReasonCode::SearchStopped;
        let Some(&w) = workers.iter().find(stopped) else { continue };
        for &x in &members {
            assignment[x] = Some(w);
            usage.add(m, w, m.cases[x].weight);
        }
        placed = true;
    }
    if placed {
        objective::value(&objective::terms(m, assignment)) - before
    } else {
        0.0
    }
}

/// An at-capacity reason that names the need that blocks: every worker who has the skills the
/// child needs (and may hold the case) is full.
fn needs_full(m: &Model, c: usize, workers: &[usize]) -> String {
    words::needs_full(m, c, workers, (m.cases[c].weight - 1.0).abs() <= EPS)
}

/// The workers who may lawfully hold every sibling of case `c`'s group (its own permitted
/// workers when it has none).
fn group_common(m: &Model, el: &Eligibility, c: usize) -> Vec<usize> {
    match m.cases[c].group {
        Some(g) => rules::group_workers(&el.profiles, &el.case_profile, &m.groups[g].members),
        None => el.workers(c).to_vec(),
    }
}

fn structural_reason(m: &Model, el: &Eligibility, c: usize, code: ReasonCode) -> Reason {
    let case = &m.cases[c];
    // For weight_over_cap, name for each permitted worker the cap that stops it: its own or
    // its supervisor's.
    let stops: Vec<words::WeightStop> = if code == ReasonCode::WeightOverCap {
        el.workers(c)
            .iter()
            .map(|&w| match (rules::never_fits(m, w, case.weight), rules::overseer(m, w)) {
                (Some(Rule::Oversight), Some(s)) => (w, Some(s)),
                _ => (w, None),
            })
            .collect()
    } else if code == ReasonCode::GroupUnplaceable {
        group_common(m, el, c).into_iter().map(|w| (w, None)).collect()
    } else {
        Vec::new()
    };
    let message = words::structural_message(m, c, code, &stops);
    Reason { code, message, action: reason_action(m, el, c, code, &[]) }
}

fn capacity_reason(
    m: &Model,
    el: &Eligibility,
    c: usize,
    code: ReasonCode,
    workers: &[usize],
    weight: f64,
) -> Reason {
    let message = words::capacity_message(m, c, code, workers, weight);
    Reason { code, message, action: reason_action(m, el, c, code, workers) }
}

/// "correct the team ..." when team `t` has no worker at all (of any status) and is a near-miss
/// of a team that has workers; `None` otherwise.
fn typo_team(m: &Model, el: &Eligibility, t: usize) -> Option<String> {
    let near = &el.team_slips.get_or_init(|| team_slips(m))[t];
    if near.is_empty() {
        return None;
    }
    let shown: Vec<String> = near.iter().map(|n| quoted(n)).collect();
    Some(format!(
        "correct the case's team: {} has no worker at all and looks like a typing slip for {}",
        quoted(&m.teams[t]),
        shown.join(" or ")
    ))
}

/// Per team, the teams with workers it is one slip of, when no worker is in it; found with one
/// [`crate::vocabulary::Nearest`] for the model (past its comparisons, a team is not judged a
/// slip, and the warning `suggestions_limited` says so).
fn team_slips(m: &Model) -> Vec<Vec<String>> {
    let mut staffed = vec![false; m.teams.len()];
    for w in &m.workers {
        staffed[w.team] = true;
    }
    let mut near = crate::vocabulary::Nearest::new(
        (0..m.teams.len()).filter(|&t| staffed[t]).map(|t| m.teams[t].clone()),
    );
    (0..m.teams.len())
        .map(|t| if staffed[t] { Vec::new() } else { near.slips(&m.teams[t]).unwrap_or_default() })
        .collect()
}

/// What would let unallocated case `c` be allocated, for a reason `code` true of it: who to
/// find or what to change, as specific as the model allows. `workers` are the workers a
/// capacity reason names (those full, or with room only above target); structural reasons
/// find their own in the model. Written beside each reason's message (`action`).
pub fn reason_action(m: &Model, el: &Eligibility, c: usize, code: ReasonCode, workers: &[usize]) -> String {
    let case = &m.cases[c];
    let team = &m.teams[case.team];
    let reach = if m.policy.cross_team { "in any team".to_string() } else { format!("in team {team}") };
    let ids = |ws: &[usize]| words::ids(&ws.iter().map(|&w| m.workers[w].id.as_str()).collect::<Vec<_>>());
    let reachable = |w: usize| m.policy.cross_team || m.workers[w].team == case.team;
    let vacant: Vec<usize> = (0..m.workers.len())
        .filter(|&w| {
            let worker = &m.workers[w];
            worker.status == Status::Vacant && reachable(w) && m.policy.may_hold(worker.role, case.case_type)
        })
        .collect();
    // "fill the vacant post W05{or} in team North", or "add a post{or} ..." when none is vacant.
    let fill = |or: &str| {
        if vacant.is_empty() {
            format!("add a post{or} {reach}")
        } else if vacant.len() == 1 {
            format!("fill the vacant post {}{or} {reach}", ids(&vacant))
        } else {
            format!("fill a vacant post ({}){or} {reach}", ids(&vacant))
        }
    };
    // A team with no worker at all that is a near-miss of a real one ("T0l" for "T01") exists
    // only as a typo: advise correcting it, never a post in it.
    if let Some(fix) = typo_team(m, el, case.team).filter(|_| !m.policy.cross_team) {
        return fix;
    }
    match code {
        ReasonCode::NoPermittedWorker => {
            let roles: Vec<String> = m
                .policy
                .may_hold
                .get(&case.case_type)
                .map_or(&[][..], |v| v)
                .iter()
                .map(|r| words::role(*r))
                .collect();
            let roles = if roles.is_empty() { "none in the policy".to_string() } else { roles.join(", ") };
            if vacant.is_empty() {
                format!("add an active worker in a role that may hold a {} case ({roles}) {reach}", case.case_type.words())
            } else {
                format!("{}, or add an active worker in a role that may hold it ({roles})", fill(""))
            }
        }
        ReasonCode::NeedsUnmet => format!(
            "find a worker with {} {reach} (train, recruit or borrow one), or review the child's needs",
            words::and_list(&case.needs)
        ),
        ReasonCode::Excluded => {
            if m.policy.cross_team {
                "review the exclusions, or add a worker who may hold the case".into()
            } else {
                "review the exclusions, or ask for a worker from another team".into()
            }
        }
        ReasonCode::Unsupervised => {
            let ws: Vec<usize> = (0..m.workers.len())
                .filter(|&w| reachable(w) && rules::check_permitted(m, c, w) == Err(rules::Block::Unsupervised))
                .collect();
            if ws.is_empty() {
                "name an active, qualified supervisor for the supervised workers who may hold it".into()
            } else {
                format!("name an active, qualified supervisor for {}", ids(&ws))
            }
        }
        ReasonCode::GroupUnplaceable => {
            let g = case.group.map(|g| &m.groups[g]);
            let weight: f64 = g.map_or(case.weight, |g| g.members.iter().map(|&x| m.cases[x].weight).sum());
            let name = g.map_or("", |g| g.name.as_str());
            if group_common(m, el, c).is_empty() {
                // No cap stops the group: no worker may hold every sibling at all.
                format!(
                    "find a worker {reach} who may hold every sibling of group {name} (the siblings' other reasons say what each needs), or review the group"
                )
            } else {
                format!(
                    "raise to {} or more the cap of a worker who may hold every sibling of group {name}, or review the group",
                    words::number(weight)
                )
            }
        }
        ReasonCode::AgencyOnly => {
            format!("{} with a permanent worker, or review whether the case must avoid agency staff", fill(""))
        }
        ReasonCode::WeightOverCap => format!(
            "raise to {} or more the cap (or the supervisor's oversight cap) of a worker who may hold it, or review the case's weight",
            words::number(case.weight)
        ),
        ReasonCode::AtCapacity => fill(" or raise a cap"),
        ReasonCode::OversightAtCapacity => {
            let mut sups: Vec<usize> = workers.iter().filter_map(|&w| rules::overseer(m, w)).collect();
            sups.sort_unstable();
            sups.dedup();
            if sups.is_empty() {
                "raise a supervisor's oversight cap".into()
            } else {
                format!("raise the oversight cap of {}, or give {} another supervisor with room", ids(&sups), ids(workers))
            }
        }
        ReasonCode::OnlyAboveTarget => {
            let who = if workers.is_empty() { "a worker with room".to_string() } else { ids(workers) };
            format!("{}, or raise the target of {who} (or lower overload_penalty) to accept the overload", fill(""))
        }
        ReasonCode::NotWorthAllocating => {
            if case.priority <= 0.0 {
                "give the case a priority above 0".into()
            } else if !words::crossed_out(m, case, workers) {
                "give the case a larger priority".into()
            } else {
                format!(
                    "give the case a priority above the cross-team penalty ({}), or find a worker in team {team}",
                    words::number(m.policy.cross_team_penalty)
                )
            }
        }
        ReasonCode::FairnessCost => format!(
            "{}, or lower fairness_penalty ({}) to let fuller workers take it",
            fill(""),
            words::number(m.policy.fairness_penalty)
        ),
        ReasonCode::SearchStopped => "run again with a longer --time-limit or a larger --node-limit".into(),
    }
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
    let workers: Vec<WorkerLoad> =
        (0..m.workers.len()).map(|w| worker_load(m, w, load[w], held[w], oversight[w])).collect();
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

/// Worker `w`'s line of a proposal: its `load` (the weights of the `cases` it holds) and
/// `oversight`, and what the model says of it for the day it was read for (its cap and target
/// after fte and the reductions in force, its status and name). Also what a meeting
/// workbook's `workers` sheet is compared with when read back (`check::resolve`).
pub fn worker_load(m: &Model, w: usize, load: f64, cases: usize, oversight: f64) -> WorkerLoad {
    let worker = &m.workers[w];
    WorkerLoad {
        worker: worker.id.clone(),
        load: round9(load),
        target: worker.target,
        cap: worker.cap,
        cases,
        oversight: round9(oversight),
        status: worker.status,
        percent: (m.policy.fairness_penalty > 0.0).then(|| percent(load, worker.target)).flatten(),
        reduction: (worker.reduction > 0.0).then_some(worker.reduction),
        name: worker.name.clone(),
    }
}
