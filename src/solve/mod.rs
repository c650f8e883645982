//! Solving: a network part's relaxation with microlp, which is whole; an
//! integer search for every other part. Parts run in parallel; results are combined in part order,
//! so the answer does not depend on the number of threads.
//!
//! Files: [`lp`] builds the compact programme of a part, for microlp and for `good_lp`;
//! `tree` is the default integer search, branch-and-bound over the Lagrangian bound of
//! `lagrange` (the bound's data and each worker's knapsack) and `master` (column generation on
//! the Dantzig-Wolfe master, solved by `simplex`, a small dense simplex that takes columns and
//! gives row prices); `search` holds the incumbent and the branch-and-bound over the
//! compact programme's relaxation, for parts the Lagrangian bound cannot take; `queue` orders
//! both searches' open nodes; `decode` turns column values into an allocation; `heuristics`
//! finds and improves allocations; `allocation` values and checks them; `waiting` breaks
//! ties by waiting with objective-neutral exchanges; `highs` (feature) hands a
//! part to HiGHS.

mod allocation;
mod cuts;
mod decode;
mod dive;
mod driver;
mod factor;
mod heuristics;
#[cfg(feature = "highs")]
mod highs;
mod knapsack;
mod lagrange;
mod lns;
mod local;
pub mod lp;
mod master;
pub mod params;
mod queue;
mod search;
mod simplex;
mod tree;
mod waiting;

pub use allocation::{feasible, value};

use crate::formulate::{Part, Problem};
use crate::model::Model;
use allocation::{empty_alloc, write_assignment};
use heuristics::level;
use lp::Col;
pub use params::Effort;
use rayon::prelude::*;
use search::PartSearch;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What the solver reports while it works, to whoever watches (the command layer draws a
/// progress line from it; the library itself never prints).
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The parts' relaxations are done and `parts` parts (all of them, searching or not) go on
    /// to finish.
    Started {
        /// Parts in all.
        parts: usize,
    },
    /// Part `part` is finished; `so_far` adds up the parts finished so far.
    PartDone {
        /// Index of the part.
        part: usize,
        /// Figures over the finished parts.
        so_far: Progress,
    },
    /// A part's integer search is under way: its best value and bound so far.
    Searching {
        /// Index of the part.
        part: usize,
        /// Nodes explored in it.
        nodes: u64,
        /// Best value found in it.
        best: f64,
        /// Proven bound on it.
        bound: f64,
    },
    /// One line of the solver's trace, sent only when [`Limits::trace`] is set.
    Trace(String),
}

/// Figures over the parts finished so far.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Parts finished.
    pub done: usize,
    /// Parts in all.
    pub parts: usize,
    /// Sum of the finished parts' values.
    pub value: f64,
    /// Sum of their proven bounds.
    pub bound: f64,
    /// Nodes explored in them.
    pub nodes: u64,
}

/// Who receives the solver's [`Event`]s.
#[derive(Clone, Copy)]
pub struct Observer<'a>(pub &'a (dyn Fn(&Event) + Sync));

impl std::fmt::Debug for Observer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// When to stop searching before optimality is proven, and who watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits<'a> {
    /// Stop at this instant.
    pub deadline: Option<Instant>,
    /// Stop when this becomes true (set by Ctrl-C).
    pub stop: Option<&'a AtomicBool>,
    /// Branch-and-bound nodes allowed per part. Unlike a deadline, a node limit stops every
    /// run at the same place, so the proposal stays byte-identical.
    pub node_limit: Option<u64>,
    /// With a node limit, also let each root relaxation of a part do up to
    /// [`params::ROOT_PIVOTS_PER_ROW`] simplex iterations per row and
    /// [`params::ROOT_PIVOTS_PER_COLUMN`] per column of its programme beyond the nodes' work,
    /// so that the roots of a part of any size are solved (the command line's `--node-limit
    /// auto`, its default). Off, the node limit is exactly that many nodes.
    pub root_allowance: bool,
    /// Receives progress (and the trace, when `trace` is set).
    pub observer: Option<Observer<'a>>,
    /// Send the solver's trace lines to the observer.
    pub trace: bool,
    /// Sibling-group columns (a group by each worker it may go to) above which a part with a
    /// Lagrangian bound takes the district path: its bound comes from the compact relaxation
    /// with the groups' columns pooled, and its search works on the programme with the group
    /// columns that relaxation uses and each group's own team's. `None` is
    /// [`DISTRICT_COLUMNS`], which only cross-team districts of thousands of cases pass; a
    /// lower figure sends small parts that way too, for tests and experiments.
    pub district_columns: Option<usize>,
    /// Stop after every part's relaxation and its heuristics (no branch-and-bound): each part's
    /// allocation is the heuristics' best and its bound the relaxation's, a proven upper bound
    /// however far the allocation is from it. What-if asks this of a candidate post to rule it
    /// out cheaply (see `whatif::fill`).
    pub relaxation_only: bool,
}

/// The default node limit per part for the command line (`--node-limit auto`: this many
/// nodes, with [`Limits::root_allowance`]).
pub const DEFAULT_NODE_LIMIT: u64 = 5_000;

impl Limits<'_> {
    /// Tells the observer, if any.
    pub(crate) fn tell(&self, e: Event) {
        if let Some(o) = self.observer {
            (o.0)(&e);
        }
    }

    /// Sends a trace line, built only when someone asked for the trace.
    pub(crate) fn trace(&self, line: impl FnOnce() -> String) {
        if self.trace {
            self.tell(Event::Trace(line()));
        }
    }

    /// The deadline has passed or Ctrl-C was pressed.
    pub(crate) fn stopped(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
            || self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

/// Relative optimality tolerance (SPEC section 4).
pub const GAP: f64 = crate::tolerance::OBJECTIVE;

/// A whole allocation of one part: counts per (class, worker) and each group's worker.
#[derive(Clone, Debug, PartialEq)]
pub struct PartAlloc {
    /// For class `k`, the count at each of `class.workers` (same order).
    pub counts: Vec<Vec<u32>>,
    /// For group `g`, the index into `group.workers`, if placed.
    pub groups: Vec<Option<usize>>,
}

/// The outcome of one part.
#[derive(Clone, Debug)]
pub struct PartOutcome {
    /// The allocation.
    pub alloc: PartAlloc,
    /// Its value in the part's terms.
    pub value: f64,
    /// Proven upper bound on the part's value.
    pub bound: f64,
    /// Proven optimal.
    pub optimal: bool,
    /// When `optimal`, how far below the part's optimum its value may still be: the
    /// tolerance the search proved it within (0 when exact). Judged against the whole
    /// objective in [`settle`].
    pub slack: f64,
    /// Needed an integer search.
    pub integer: bool,
    /// Nodes explored.
    pub nodes: u64,
}

/// The outcome of the whole problem.
#[derive(Clone, Debug)]
pub struct Solved {
    /// Worker of each case, if allocated.
    pub assignment: Vec<Option<usize>>,
    /// Proven optimal.
    pub optimal: bool,
    /// Upper bound minus the value found (0 when optimal), in objective units.
    pub gap: f64,
    /// Parts.
    pub parts: usize,
    /// Parts that needed an integer search.
    pub integer_parts: usize,
    /// Branch-and-bound nodes.
    pub nodes: u64,
}

/// Solves every part, in parallel, and returns the case-level assignment.
pub fn solve(m: &Model, problem: &Problem, limits: Limits) -> Result<Solved, String> {
    solve_from(m, problem, limits, None)
}

/// [`solve`], starting each part's search from `start` (a case-level assignment of the same
/// model, e.g. a scenario's allocation carried into one with more capacity) wherever it is
/// lawful in that part: the part's answer is then never worse than the start's.
pub fn solve_from(
    m: &Model,
    problem: &Problem,
    limits: Limits,
    start: Option<&[Option<usize>]>,
) -> Result<Solved, String> {
    // Phase 1: every part's relaxation and heuristics. Most parts end here.
    let mut started: Vec<Started> =
        problem.parts.par_iter().map(|p| start_part(m, p, limits, true)).collect::<Result<_, _>>()?;
    if let Some(start) = start {
        for (s, part) in started.iter_mut().zip(&problem.parts) {
            if let Some(a) = start_alloc(part, start) {
                s.search.offer(a); // `offer` checks caps and oversight
            }
        }
    }
    if limits.relaxation_only {
        let outcomes: Vec<PartOutcome> = started.into_par_iter().map(|s| s.relaxed(limits)).collect();
        return Ok(assemble(m, problem, outcomes, limits));
    }
    // Phase 2: branch-and-bound where the root did not prove optimality. A deadline is shared
    // fairly: each searching part gets its slice of the time left.
    limits.tell(Event::Started { parts: started.len() });
    let searching = started.iter().filter(|s| s.root.searching()).count();
    let waiting = std::sync::atomic::AtomicUsize::new(searching);
    let threads = rayon::current_num_threads().max(1);
    let so_far = std::sync::Mutex::new(Progress { parts: started.len(), ..Progress::default() });
    let outcomes: Vec<PartOutcome> = started
        .into_par_iter()
        .enumerate()
        .map(|(i, s)| {
            // A deadline is shared fairly: a part that starts searching gets the time left
            // divided by the waves of searching parts still to start, so time a quick part
            // leaves unused goes to the parts after it.
            let mut own = limits;
            if let (Some(deadline), true) = (limits.deadline, s.root.searching()) {
                let n = waiting.fetch_sub(1, Ordering::Relaxed).max(1);
                let left = deadline.saturating_duration_since(Instant::now());
                own.deadline = Some(Instant::now() + left / n.div_ceil(threads) as u32);
            }
            let out = s.finish(i, own);
            if limits.observer.is_some() {
                let p = {
                    let mut p = so_far.lock().unwrap_or_else(|e| e.into_inner());
                    p.done += 1;
                    p.value += out.value;
                    p.bound += out.bound;
                    p.nodes += out.nodes;
                    *p
                };
                limits.tell(Event::PartDone { part: i, so_far: p });
            }
            out
        })
        .collect();
    let outcomes = settle(m, problem, limits, outcomes)?;
    Ok(assemble(m, problem, outcomes, limits))
}

/// Holds the parts' proofs to SPEC section 4's tolerance, which is relative to the whole
/// objective, where each part proves its own value within a tolerance relative to that value
/// ([`PartOutcome::slack`]). The two agree unless the parts' values largely cancel against
/// what no part carries ([`offset`]: the fixed cases, the move penalty of every child whose
/// worker is absent), as in a team whose objective is a fairness term of -0.06 beside a part
/// worth 560. Then each part that proved within a tolerance is searched again, from its
/// incumbent, within its share of the whole objective's, and the whole judged again by what
/// every part may still be short (a part stopped a hair above its share may be within what the
/// others left); when that is more than the whole's tolerance, the parts short of their
/// optimum are reported unproven, what they may be short counted in the gap.
fn settle(
    m: &Model,
    problem: &Problem,
    limits: Limits,
    mut outcomes: Vec<PartOutcome>,
) -> Result<Vec<PartOutcome>, String> {
    // What each part may still be short of its optimum: its slack when proven, else its gap.
    let short = |o: &PartOutcome| if o.optimal { o.slack } else { (o.bound - o.value).max(0.0) };
    // The proven parts reported unproven, what each may be short counted in its bound.
    let unproven = |outcomes: &mut [PartOutcome]| {
        for out in outcomes.iter_mut().filter(|o| o.optimal && o.slack > 0.0) {
            (out.optimal, out.bound, out.slack) = (false, out.value + out.slack, 0.0);
        }
    };
    if outcomes.iter().map(|o| o.slack).sum::<f64>() <= GAP {
        return Ok(outcomes);
    }
    // The optimum lies between the objective found and that plus what the parts may be short:
    // the tolerance is taken relative to the smallest objective in between.
    let base = offset(m, problem);
    let whole = |outcomes: &[PartOutcome]| {
        let short: f64 = outcomes.iter().map(short).sum();
        let low = base + outcomes.iter().map(|o| o.value).sum::<f64>();
        let size = if low <= 0.0 && low + short >= 0.0 { 0.0 } else { low.abs().min((low + short).abs()) };
        (short, GAP * size.max(1.0))
    };
    let (slack, allowed) = whole(&outcomes);
    if slack <= allowed {
        return Ok(outcomes);
    }
    if !outcomes.iter().all(|o| o.optimal) {
        // Unproven anyway: the bound is the one stated, with the proven parts' slacks, which
        // the whole objective does not absorb, counted in it.
        unproven(&mut outcomes);
        return Ok(outcomes);
    }
    let loose: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].slack > 0.0).collect();
    // A part's slack is at most its pruning tolerance plus its last bound's distance: half
    // the share each.
    let share = allowed / loose.len() as f64 / 2.0;
    limits.trace(|| {
        format!(
            "parts proven within {slack:e}, the whole objective allows {allowed:e}: {} searched again",
            loose.len()
        )
    });
    let again: Vec<(usize, PartOutcome)> = loose
        .par_iter()
        .map(|&i| {
            let mut s = start_part(m, &problem.parts[i], limits, true)?;
            s.search.offer(outcomes[i].alloc.clone());
            s.search.allowance = Some(share);
            Ok((i, s.finish(i, limits)))
        })
        .collect::<Result<_, String>>()?;
    for (i, mut out) in again {
        // The first search's proof still holds: the part is worth at most its value then plus
        // its slack, which a re-search stopped unconverged may not reach again.
        let before = outcomes[i].value + outcomes[i].slack;
        if out.optimal {
            out.slack = out.slack.min((before - out.value).max(0.0));
        } else {
            out.bound = out.bound.min(before).max(out.value);
        }
        outcomes[i] = out;
    }
    // The whole is judged again, each part by what it may still be short: a part that could
    // not keep to its share (its search stopped a hair above it, say) may be within what the
    // others left.
    let (short_of, allowed) = whole(&outcomes);
    if short_of <= allowed {
        for out in outcomes.iter_mut() {
            (out.optimal, out.slack, out.bound) = (true, short(out), out.value);
        }
    } else {
        unproven(&mut outcomes);
    }
    Ok(outcomes)
}

/// What the whole objective adds to the sum of the parts' values: the fixed cases' value, less
/// what each part is worth empty.
fn offset(m: &Model, problem: &Problem) -> f64 {
    let fixed = crate::objective::value(&crate::objective::terms(m, &problem.fixed));
    let empty: f64 = problem.parts.iter().map(|p| value(m, p, &empty_alloc(p))).sum();
    fixed - empty
}

/// The parts' outcomes as one: ties broken by waiting, the case-level assignment, the figures.
fn assemble(m: &Model, problem: &Problem, outcomes: Vec<PartOutcome>, limits: Limits) -> Solved {
    // Ties by waiting (when the model records it): objective-neutral exchanges only.
    let mut outcomes = outcomes;
    let precedence = problem.precedence.as_deref();
    let moves = Effort::of(&limits).waiting_moves;
    if let Some(place) = precedence {
        outcomes
            .par_iter_mut()
            .zip(problem.parts.par_iter())
            .for_each(|(out, part)| waiting::prefer(m, part, place, &mut out.alloc, moves));
    }
    let mut assignment = problem.fixed.clone();
    for (part, out) in problem.parts.iter().zip(&outcomes) {
        write_assignment(m, part, &out.alloc, precedence, &mut assignment);
    }
    Solved {
        assignment,
        optimal: outcomes.iter().all(|o| o.optimal),
        gap: outcomes.iter().map(|o| (o.bound - o.value).max(0.0)).sum(),
        parts: outcomes.len(),
        integer_parts: outcomes.iter().filter(|o| o.integer).count(),
        nodes: outcomes.iter().map(|o| o.nodes).sum(),
    }
}

/// A case-level assignment as one part's counts and group placements, or `None` when it puts
/// a case of the part where the part does not allow (a worker outside its class or group's
/// list, a sibling group split); caps and oversight are left to [`feasible`].
fn start_alloc(part: &Part, start: &[Option<usize>]) -> Option<PartAlloc> {
    let local = |w: usize, among: &[usize]| among.iter().position(|&j| part.workers[j].worker == w);
    let mut a = empty_alloc(part);
    for (k, class) in part.classes.iter().enumerate() {
        for &c in &class.cases {
            if let Some(w) = *start.get(c)? {
                a.counts[k][local(w, &class.workers)?] += 1;
            }
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        let first = *start.get(*item.cases.first()?)?;
        if item.cases.iter().any(|&c| start.get(c).copied().flatten() != first) {
            return None;
        }
        a.groups[g] = match first {
            Some(w) => Some(local(w, &item.workers)?),
            None => None,
        };
    }
    Some(a)
}

/// Sibling-group columns of a part's compact programme above which it takes the district path
/// (see `start_part`): the 5,000-case cross-team district of the benchmarks has 65,417 of
/// them, its 2,000-case one 10,411.
pub const DISTRICT_COLUMNS: usize = 20_000;

/// The share of a part's budget its root's price rounds beside the compact relaxation may
/// spend (`start_part`): what the relaxation leaves them is not known yet. The 2,000-case
/// districts' converge within a fifth; on a master of a thousand rows and more (the 2,000-case
/// points scheme across teams) not one round ends within the whole budget.
const ROUNDS_BESIDE_SHARE: u64 = 4;

/// A part after phase 1: its search, and what phase 2 starts from.
struct Started<'a> {
    search: PartSearch<'a>,
    root: Root<'a>,
}

/// Where a part's phase 2 starts.
enum Root<'a> {
    /// Proven optimal already (the relaxation was whole).
    Proven,
    /// The Lagrangian search, from the root, with a bound known already (the compact
    /// relaxation's, for a large part; infinite when it was not solved), and the root's price
    /// rounds if they were run beside that relaxation and converged.
    Lagrangian(lagrange::Decomposition<'a>, f64, Option<Box<master::Outcome>>),
    /// The compact branch-and-bound (or HiGHS), from the relaxation's state and bound.
    Compact(microlp::Solution, f64),
    /// The budget stopped the relaxation of a part with no Lagrangian bound: nothing more is
    /// searched, and the part's bound is this one, found without the relaxation.
    Stopped(f64),
}

impl Root<'_> {
    /// Phase 2 has a search to do.
    fn searching(&self) -> bool {
        !matches!(self, Root::Proven)
    }
}

/// Phase 1 of a part: its compact relaxation where it needs one, and what phase 2 starts
/// from. With `beside` (a part of the model, not a neighbourhood's restricted part), a large
/// master's root price rounds run beside that relaxation, and its root's own rounds head in
/// from the relaxation's prices.
fn start_part<'a>(m: &'a Model, part: &'a Part, limits: Limits, beside: bool) -> Result<Started<'a>, String> {
    let effort = Effort::of(&limits);
    let dual = if part.is_network() { None } else { Some(lagrange::Decomposition::new(m, part, &effort)) };
    // A large district's group columns (a group by every worker of every team it may go to)
    // make its compact programme too slow to solve (68,000 columns took microlp two minutes).
    let group_columns: usize = part.groups.iter().map(|g| g.workers.len()).sum();
    let district = dual.is_some() && group_columns > limits.district_columns.unwrap_or(DISTRICT_COLUMNS);
    let dual = match dual {
        // A small master needs nothing from the compact relaxation.
        Some(dual) if !dual.large() && !district => {
            let search = PartSearch::new(m, part, lp::build(m, part), effort);
            return Ok(Started { search, root: Root::Lagrangian(dual, f64::INFINITY, None) });
        }
        other => other,
    };
    // A large master (a district joined by cross-team work) takes the compact relaxation's
    // bound and its dive's allocation, which the price rounds may not reach within the node
    // limit. Its root's price rounds need nothing from that relaxation, so they run beside it,
    // from nothing, within a share of the part's budget: the root takes them if they converged
    // (`tree::search`). On a part alone, the other core would wait otherwise.
    let rounds = |dual: &lagrange::Decomposition| {
        let allowed = master::Allowance {
            rounds: effort.price_rounds,
            work: effort.work() / ROUNDS_BESIDE_SHARE,
            pivots: effort.pivots,
            pool_per_worker: effort.pool_per_worker,
            close: None,
        };
        let none = lagrange::NodeBounds::none(part);
        dual.bound(&none, None, &Default::default(), allowed, &|_| false, &|| limits.stopped())
    };
    // Only a large master's root heads in, from the relaxation's prices where they are given;
    // a neighbourhood's restricted part (not `beside`) keeps the path its budget was measured
    // on (from them, one neighbourhood of the 2,000-case district of seed 1 ended a step lower).
    let priced = beside && dual.as_ref().is_some_and(|d| d.stabilised);
    let (relaxed, rounds_beside) = match &dual {
        Some(d) if beside => {
            rayon::join(|| relax(m, part, limits, effort, district, priced), || Some(Box::new(rounds(d))))
        }
        _ => (relax(m, part, limits, effort, district, priced), None),
    };
    let (search, relaxed) = relaxed?;
    if let Some(out) = &rounds_beside {
        limits.trace(|| {
            format!(
                "root rounds beside the relaxation: bound {:.3}, rounds {}, work {}, converged {}",
                out.bound, out.iterations, out.work, out.converged
            )
        });
    }
    // Rounds their allowance stopped are dropped, uncharged: from their prices the root's own
    // rounds stalled (a 1,000-case points scheme across teams: 50 rounds unconverged, where
    // from nothing 45 converge), and charged, they left those rounds too little budget.
    let rounds_beside = rounds_beside.filter(|out| out.converged);
    let root = match (relaxed, dual) {
        (Relaxed::Whole, _) => Root::Proven,
        (Relaxed::Stopped { bound, prices } | Relaxed::Solved { bound, prices, .. }, Some(mut dual)) => {
            dual.relaxation_prices = prices;
            Root::Lagrangian(dual, bound, rounds_beside)
        }
        (Relaxed::Stopped { .. }, None) => Root::Stopped(search.bound_without_lp()),
        (Relaxed::Solved { state, objective, .. }, None) => Root::Compact(state, objective),
    };
    Ok(Started { search, root })
}

/// What the compact relaxation of a part gave ([`relax`]). A bound is the one the Lagrangian
/// search starts from (infinite: none): the relaxation's own, or a district's pooled one.
enum Relaxed {
    /// Whole: the part is proven.
    Whole,
    /// Stopped by the budget, with the pooled relaxation's bound and prices if it was solved.
    Stopped { bound: f64, prices: Option<Vec<f64>> },
    /// Solved: its state and objective (the compact search's start), the bound, and the prices
    /// of the rows that join workers where they were asked for (`lp::Relaxation::linking_prices`).
    Solved { state: microlp::Solution, objective: f64, bound: f64, prices: Option<Vec<f64>> },
}

/// The compact relaxation of a part (for a large district, pooled first; see `start_part`),
/// charged to the part's budget and stopped by it (`--node-limit`), past the roots' allowance
/// when the limit is the default (`Effort::root_pivots_per_row`): the search over it, with the
/// heuristics' and the dive's allocations offered, and what phase 2 starts from; with
/// `priced`, the prices of the rows that join workers at the relaxation that gives the bound,
/// where the Lagrangian root's price rounds head in from.
fn relax<'a>(
    m: &'a Model,
    part: &'a Part,
    limits: Limits,
    effort: Effort,
    district: bool,
    priced: bool,
) -> Result<(PartSearch<'a>, Relaxed), String> {
    let mut budget = params::Budget::new(&effort);
    let (lp, pooled_bound, pooled_prices) = if district {
        let clock = Instant::now();
        let pooled = lp::build_pooled(m, part);
        let meter = microlp::PivotMeter::new();
        let mut relaxed = lp::solve_within(&pooled, &effort, &mut budget, &meter, &limits)?;
        let mut keep = lp::home_columns(m, part);
        if let Some(relaxed) = &relaxed {
            lp::pooled_use(part, &pooled, &relaxed.values, &mut keep);
        }
        limits.trace(|| {
            format!(
                "pooled lp: {} cols, {} rows, {} pivots, work {}, bound {:?}, {} group columns used: {:.3}s",
                pooled.cols.len(),
                pooled.rows.len(),
                meter.pivots(),
                budget.spent(),
                relaxed.as_ref().map(|r| r.objective),
                keep.iter().flatten().filter(|&&k| k).count(),
                clock.elapsed().as_secs_f64()
            )
        });
        let prices = relaxed.as_mut().filter(|_| priced).and_then(|r| r.linking_prices(&pooled));
        (lp::build_only(m, part, &keep), relaxed.map(|r| r.objective), prices)
    } else {
        (lp::build(m, part), None, None)
    };
    let mut search = PartSearch::new(m, part, lp, effort);
    search.budget = budget;
    let clock = Instant::now();
    let spent = search.budget.spent();
    let root = lp::solve_within(&search.lp, &effort, &mut search.budget, &search.meter, &limits)?;
    limits.trace(|| {
        let lp = &search.lp;
        let hubs = lp.hubs.len();
        let nnz: usize = lp.rows.iter().map(|r| r.coefs.len()).sum();
        format!(
            "lp: {} workers, {} classes, {} hubs, {} cols, {} rows, {} nonzeros, {} pivots, work {}{}: {:.3}s",
            part.workers.len(),
            part.classes.len(),
            hubs,
            lp.cols.len(),
            lp.rows.len(),
            nnz,
            search.meter.pivots(),
            search.budget.spent() - spent,
            if root.is_none() { " (stopped by the budget)" } else { "" },
            clock.elapsed().as_secs_f64()
        )
    });
    let Some(mut root) = root else {
        // The budget stopped the relaxation: a greedy allocation, and a bound found without it.
        search.heuristic(&vec![0.0; search.lp.cols.len()]);
        let bound = pooled_bound.unwrap_or(f64::INFINITY);
        return Ok((search, Relaxed::Stopped { bound, prices: pooled_prices }));
    };
    search.vars = root.vars.clone();
    if let Some(a) = decode::integral(&search.lp, part, &root.values) {
        search.offer(a);
        if !district {
            return Ok((search, Relaxed::Whole));
        }
    }
    search.heuristic(&root.values);
    search.keep_relaxed(&root.values);
    search.dive(&root.state);
    limits.trace(|| {
        let group_columns: usize = part.groups.iter().map(|g| g.workers.len()).sum();
        format!(
            "part: {} workers, {} classes, {} groups ({} columns), {} cols, {} rows; root {:.4} heuristic {:.4}",
            part.workers.len(),
            part.classes.len(),
            part.groups.len(),
            group_columns,
            search.lp.cols.len(),
            search.lp.rows.len(),
            root.objective,
            search.best_value
        )
    });
    // The restricted programme of a district keeps only some group columns: its optimum is no
    // bound on the part (see `lp::build_only`), so a district whose pooled relaxation was
    // stopped has no bound from the relaxations, whatever the restricted one gave.
    // The restricted programme's prices are no optimum of the part's relaxation either.
    let (bound, prices) = if district {
        (pooled_bound.unwrap_or(f64::INFINITY), pooled_prices)
    } else {
        (root.objective, if priced { root.linking_prices(&search.lp) } else { None })
    };
    Ok((search, Relaxed::Solved { state: root.state, objective: root.objective, bound, prices }))
}

impl Started<'_> {
    /// The part as phase 1 left it ([`Limits::relaxation_only`]): the heuristics' allocation,
    /// and the relaxation's bound; a part the Lagrangian tree searches from no bound yet (a
    /// small master, which phase 1 leaves to the tree's root) takes its root's price rounds.
    fn relaxed(mut self, limits: Limits) -> PartOutcome {
        let bound = match std::mem::replace(&mut self.root, Root::Proven) {
            Root::Proven => None,
            Root::Lagrangian(dual, b, _) if !b.is_finite() => {
                Some(tree::root_bound(&dual, &mut self.search, limits))
            }
            Root::Stopped(b) | Root::Lagrangian(_, b, _) | Root::Compact(_, b) => Some(b),
        };
        let bound = match bound {
            None => f64::NEG_INFINITY,
            Some(b) if b.is_finite() => b,
            Some(_) => self.search.bound_without_lp(),
        };
        // A bound within the part's tolerance is still the bound (what-if's relaxed bounds are
        // upper bounds): only one the value meets is a proof here.
        let mut out = self.outcome(false, bound, 0.0);
        if out.optimal {
            out.bound = out.value + out.slack;
        }
        out.optimal = out.bound <= out.value;
        out.slack = 0.0;
        out
    }

    /// The part's outcome: its incumbent (or nothing allocated), levelled, with its value and
    /// `bound` (never below the value), or the value itself when `optimal`: proven so (within
    /// `slack`, the search's own tolerance), or within [`GAP`] of the bound (or the part's
    /// allowance), which SPEC section 4 counts as the same objective (a search prunes only
    /// within a tenth of it, so a gain of a ten-millionth, such as a waiting priority of 1e-7,
    /// may stay unresolved in a search that cannot tell it apart). The slack adds up what
    /// either left unproven; [`settle`] holds the parts' slacks to the whole objective.
    fn outcome(&mut self, optimal: bool, bound: f64, slack: f64) -> PartOutcome {
        let (m, part) = (self.search.m, self.search.part);
        let mut alloc = self.search.best.take().unwrap_or_else(|| empty_alloc(part));
        level(m, part, &mut alloc);
        let val = value(m, part, &alloc);
        let within = self.search.allowance.unwrap_or(GAP * val.abs().max(1.0));
        let near = !optimal && bound - val <= within;
        let slack = if near { slack + (bound - val).max(0.0) } else { slack };
        let optimal = optimal || near;
        let bound = if optimal { val } else { search::on_lattice(bound.max(val), val, self.search.delta) };
        PartOutcome {
            alloc,
            value: val,
            bound,
            optimal,
            slack: if optimal { slack } else { 0.0 },
            integer: !part.is_network(),
            nodes: self.search.nodes,
        }
    }

    fn finish(mut self, index: usize, limits: Limits) -> PartOutcome {
        let clock = Instant::now();
        // The Lagrangian tree wherever the weights have a common unit; otherwise HiGHS
        // (feature `highs`), and failing that the compact branch-and-bound.
        // What the search proved, with the tolerance it pruned within (HiGHS gives its own
        // gap as the bound, and a whole relaxation proves the part exactly).
        let mut pruned = true;
        let searched = match std::mem::replace(&mut self.root, Root::Proven) {
            Root::Proven => None,
            Root::Stopped(bound) => Some((false, bound)),
            Root::Lagrangian(dual, bound, rounds) => {
                Some(tree::search(&dual, &mut self.search, index, limits, bound, rounds))
            }
            Root::Compact(state, bound) => {
                #[cfg(feature = "highs")]
                let highs = self.search.with_highs(bound, limits);
                #[cfg(not(feature = "highs"))]
                let highs: Option<(bool, f64)> = None;
                pruned = highs.is_none();
                Some(match highs {
                    Some(result) => result,
                    None => self.search.branch_and_bound(state, bound, index, limits),
                })
            }
        };
        let slack = if searched.is_some() && pruned { self.search.slack() } else { 0.0 };
        let (optimal, open_bound) = searched.unwrap_or((true, f64::NEG_INFINITY));
        if searched.is_some() {
            limits.trace(|| {
                format!(
                    "  -> best {:.4} open bound {:.4} nodes {} work {} in {:.2}s optimal {} delta {:?}",
                    self.search.best_value,
                    open_bound,
                    self.search.nodes,
                    self.search.budget.spent(),
                    clock.elapsed().as_secs_f64(),
                    optimal,
                    self.search.delta
                )
            });
        }
        self.outcome(optimal, open_bound, slack)
    }
}

/// A compact column's name: its kind and indices as [`Col`] spells them (`HubWorker { h: 3, w:
/// 10 }`: class, hub, market, pool and local worker indices of the part), a group's place
/// with the local worker it stands for (`Group { g: 4, j: 1, w: 7 }`), so that every column
/// held by a worker names it.
fn col_name(part: &Part, col: Col) -> String {
    match col {
        Col::Group { g, j } => format!("Group {{ g: {g}, j: {j}, w: {} }}", part.groups[g].workers[j]),
        other => format!("{other:?}"),
    }
}

/// Every part's compact programme as JSON, for solving it elsewhere (`allocate --export-lp`):
/// `{"part", "sense": "max", "cols": [{"obj", "hi", "integer", "name"}], "rows": [{"coefs":
/// [[col, coef]], "eq", "rhs"}], "unit", "network", "workers"}`. A reference solver that
/// proves each part's optimum proves the model's: the parts are independent, and the model's
/// objective is the returned constant (the fixed cases' value, less what each part is worth
/// empty) plus the sum of the parts' values. A column's `name` says what it counts in the
/// part's own indices (see [`col_name`]), and `workers` gives each local worker's position in
/// the model's workers, so that a reference solver's cuts and answers can be read back.
pub fn export(m: &Model, problem: &Problem) -> (f64, Vec<serde_json::Value>) {
    let parts = problem
        .parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let lp = lp::build(m, part);
            let cols: Vec<serde_json::Value> = (0..lp.cols.len())
                .map(|j| {
                    let hi = if lp.hi[j].is_finite() {
                        serde_json::json!(lp.hi[j])
                    } else {
                        serde_json::Value::Null
                    };
                    serde_json::json!({"obj": lp.obj[j], "hi": hi, "integer": lp.is_integer(j),
                        "name": col_name(part, lp.cols[j])})
                })
                .collect();
            let rows: Vec<serde_json::Value> = lp
                .rows
                .iter()
                .map(|r| serde_json::json!({"coefs": r.coefs, "eq": r.eq, "rhs": r.rhs}))
                .collect();
            let workers: Vec<usize> = part.workers.iter().map(|w| w.worker).collect();
            serde_json::json!({"part": i, "sense": "max", "cols": cols, "rows": rows,
                "unit": part.unit, "network": part.is_network(), "workers": workers})
        })
        .collect();
    (offset(m, problem), parts)
}
