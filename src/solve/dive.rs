//! A column-fixing dive from a node's Dantzig-Wolfe master: the primal heuristic of
//! branch-and-price that finds whole allocations near the bound (Sadykov, Vanderbeck, Pessoa,
//! Tahiri and Uchoa, "Primal heuristics for branch and price: the assets of diving methods",
//! INFORMS Journal on Computing 31(2), 2019).
//!
//! The master's solution is each worker a convex combination of its patterns. Each step of the
//! dive fixes every free worker whose combination is one pattern, and the column of the
//! largest share below one, to that pattern: its count of every class it may hold, and where
//! its groups go, become the node's restriction. A column is fixed only if it fits beside the
//! fixings before it (no class beyond its cases, no group twice), and never a worker's empty
//! pattern (the share of it the master leaves idle). A few price rounds
//! ([`super::params::Effort::dive_rounds`]) then re-price the workers still free against what
//! the fixed ones hold, and the dive goes on from that master. It stops when every free worker
//! is one whole column (the master is an allocation), when no column fits, when the
//! restriction's bound cannot beat the incumbent, when its master cannot be solved, or at its
//! allowance or the run's stop; it never branches back.
//!
//! After every step the fixings are completed into a whole allocation and offered: each free
//! worker in turn takes its best pattern at the objective's own values from what is left, then
//! the rounding heuristics repair and fill it ([`super::heuristics::round_relaxed`]). The
//! search's [`PartSearch::offer`] keeps an allocation only if it is lawful. The first step
//! that leaves at most [`super::params::Effort::dive_exact_free`] workers free also searches
//! their completion exactly, as a neighbourhood of those workers
//! ([`PartSearch::search_workers`]): where the restricted master still reaches the root's
//! bound, the greedy completion of the last few workers can lose what an exact one finds (on
//! the first part of points seed 1, 13,470 against the optimum 13,540).
//!
//! Measured on the points schemes' parts (16 workers, 250 cases, weights in 0.05 steps): the
//! rounding of the root master left the incumbent about 2% below the root's bound and the
//! neighbourhoods of four workers climbed from there a step at a time; the dive's completions
//! come within 0.1-0.6% of it, and the neighbourhoods that follow start from there.

use super::lagrange::{Decomposition, Kind, NodeBounds, Pattern};
use super::master::{Allowance, Master, Pool};
use super::search::PartSearch;
use super::{Limits, PartAlloc};
use crate::formulate::Part;

/// Whether searches of `part` and of its neighbourhoods dive from their root masters: a part of
/// one or two teams, whose neighbourhoods are its workers' subsets. The districts' roots rarely
/// converge within their budget, and the dives in their team pairs' searches moved the
/// 5,000-case districts' proposals both ways (+30, -20).
pub(super) fn dives(part: &Part) -> bool {
    part.teams().len() < 3
}

/// Where a dive starts: the root's restriction (nothing fixed at any worker and no set bounds:
/// [`fix`] replaces a worker's bounds, and the completion prices no set rows), its master's
/// solution, and the patterns and prices its price rounds ended with.
pub(super) struct From<'n> {
    pub r: &'n NodeBounds,
    pub master: &'n Master,
    pub pool: &'n Pool,
    pub prices: &'n [f64],
}

/// Dives from `from` within `allowance` work units (charged to the part's budget), offering
/// the completion of every step's fixings; returns the work spent.
pub(super) fn dive(
    dual: &Decomposition,
    s: &mut PartSearch,
    from: From,
    allowance: u64,
    limits: Limits,
) -> u64 {
    debug_assert!(from.r.sets.is_empty() && from.r.lo.iter().flatten().all(|&lo| lo == 0), "a root");
    let mut fixed = vec![false; dual.part.workers.len()];
    let mut r = from.r.clone();
    let (mut pool, mut prices) = (from.pool.clone(), from.prices.to_vec());
    let mut master = None::<Master>;
    let mut spent = 0u64;
    let stop = || limits.stopped();
    // Once a step leaves at most `dive_exact_free` workers free (and at least one fixed), the
    // best completion of its fixings is searched exactly (those workers as a neighbourhood of
    // the completion, when it is lawful), once a dive: the greedy completion can lose what the
    // restricted master still reaches.
    let mut exact = s.effort.dive_exact_free > 0;
    let complete_now =
        |s: &mut PartSearch, r: &NodeBounds, fixed: &[bool], spent: &mut u64, exact: &mut bool| {
            let (work, completed) = complete(dual, s, r, fixed);
            s.budget.charge(work);
            *spent = spent.saturating_add(work);
            if !*exact {
                return;
            }
            let free: Vec<bool> = fixed.iter().map(|f| !f).collect();
            let n_free = free.iter().filter(|f| **f).count();
            let few = (1..=s.effort.dive_exact_free).contains(&n_free) && n_free < fixed.len();
            let Some(a) = completed.filter(|a| few && super::allocation::feasible(s.part, a)) else {
                return;
            };
            *exact = false;
            let work = s.search_workers(&a, &free, limits);
            *spent = spent.saturating_add(work);
            limits.trace(|| {
                format!("      dive: {n_free} free workers searched, work {work}, best {}", s.best_value)
            });
        };
    for step in 0.. {
        let m = master.as_ref().unwrap_or(from.master);
        let Some(picks) = picks(dual, &r, m, &fixed) else {
            // Every free worker is one pattern: the master is an allocation. Its columns are
            // fixed where they fit, and the completion fills the workers it leaves idle.
            s.offer(whole(dual, m));
            for (w, p, _) in &m.columns {
                if !fixed[*w] && !p.take.is_empty() && fits(dual, &r, &held(&r), *w, p) {
                    fix(dual, &mut r, *w, p);
                    fixed[*w] = true;
                }
            }
            complete_now(s, &r, &fixed, &mut spent, &mut exact);
            break;
        };
        for &t in &picks {
            let (w, p, _) = &m.columns[t];
            fix(dual, &mut r, *w, p);
            fixed[*w] = true;
        }
        // After the first step, no new fixing leaves the last completion as it was.
        if step == 0 || !picks.is_empty() {
            complete_now(s, &r, &fixed, &mut spent, &mut exact);
        }
        if picks.is_empty() {
            limits.trace(|| "      dive: nothing fits".to_string());
            break;
        }
        if spent >= allowance || stop() {
            break;
        }
        let allowed = Allowance {
            rounds: s.effort.dive_rounds,
            work: allowance - spent,
            pivots: s.effort.pivots,
            pool_per_worker: s.effort.pool_per_worker,
            close: s.close(),
        };
        let out = dual.bound(&r, Some(&prices), &pool, allowed, &|b| s.prunable(b), &stop);
        spent = spent.saturating_add(out.work);
        s.budget.charge(out.work);
        limits.trace(|| {
            let free = fixed.iter().filter(|f| !**f).count();
            format!(
                "      dive step: fixed {}, free {free}, bound {:.3}, rounds {}, work {}",
                picks.len(),
                out.bound,
                out.iterations,
                out.work
            )
        });
        // Nothing under the fixings beats the incumbent, or the fixings cannot all hold.
        if s.prunable(out.bound) {
            break;
        }
        let Some(next) = out.master else { break };
        (pool, prices, master) = (out.pool, out.prices, Some(next));
    }
    limits.trace(|| format!("      dive: work {spent}, best {}", s.best_value));
    spent
}

/// The columns of `m` to fix next, at most one a worker, in order of their share: every free
/// worker's column of share one, then the first column of a share below one; each only if it
/// holds something and fits beside what `r` and the picks before it fix (no class beyond its
/// cases, no group twice). None when every free worker is one whole column already; empty when
/// no column fits.
fn picks(dual: &Decomposition, r: &NodeBounds, m: &Master, fixed: &[bool]) -> Option<Vec<usize>> {
    const EPS: f64 = crate::tolerance::INTEGRAL;
    // A share within rounding of nothing is no choice.
    let mut order: Vec<usize> =
        (0..m.columns.len()).filter(|&t| !fixed[m.columns[t].0] && m.columns[t].2 > EPS).collect();
    if order.iter().all(|&t| m.columns[t].2 >= 1.0 - EPS) {
        return None;
    }
    order.sort_by(|&a, &b| m.columns[b].2.total_cmp(&m.columns[a].2).then(a.cmp(&b)));
    let mut r = r.clone();
    let mut held = held(&r);
    let mut picks: Vec<usize> = Vec::new();
    for t in order {
        let (w, p, th) = &m.columns[t];
        // An empty pattern is a worker's share left idle in the master, no choice to fix.
        if picks.iter().any(|&u| m.columns[u].0 == *w) || p.take.is_empty() || !fits(dual, &r, &held, *w, p) {
            continue;
        }
        fix_held(dual, &mut r, &mut held, *w, p);
        picks.push(t);
        if *th < 1.0 - EPS {
            break;
        }
    }
    Some(picks)
}

/// Whether worker `w`'s pattern `p` fits beside the counts and groups `r` fixes elsewhere;
/// `held`: what `r` holds of each class in all ([`held`]).
fn fits(dual: &Decomposition, r: &NodeBounds, held: &[u32], w: usize, p: &Pattern) -> bool {
    let (classes, groups) = dual.holds(w, p);
    let classes_fit = classes.iter().all(|&(k, j, n)| held[k] - r.lo[k][j] + n <= r.total[k].1);
    classes_fit && groups.iter().all(|&(g, j)| r.forced[g].is_none_or(|f| f == j))
}

/// How many of each class `r` holds at its workers in all.
fn held(r: &NodeBounds) -> Vec<u32> {
    r.lo.iter().map(|los| los.iter().sum()).collect()
}

/// Completes the dive's fixings `r` into a whole allocation and offers it: each worker still
/// free, in turn, takes its best pattern at the objective's own values among what the fixings
/// and the workers before it leave, and the rounding heuristics repair and fill the result.
/// Returns the work spent and the allocation offered (None when a worker's knapsack under the
/// fixings has no lawful pattern).
fn complete(
    dual: &Decomposition,
    s: &mut PartSearch,
    r: &NodeBounds,
    fixed: &[bool],
) -> (u64, Option<PartAlloc>) {
    let mut r = r.clone();
    let mut held = held(&r);
    let zero = vec![0.0; dual.n_prices_at(&r)];
    let mut work = 0u64;
    for w in (0..fixed.len()).filter(|&w| !fixed[w]) {
        // What the others hold of each class leaves this worker the rest of its total.
        for item in &dual.items[w] {
            if let Kind::Class { k, j, .. } = item.kind {
                let elsewhere = held[k] - r.lo[k][j];
                r.hi[k][j] = r.hi[k][j].min(r.total[k].1.saturating_sub(elsewhere)).max(r.lo[k][j]);
            }
        }
        let Some((p, _, spent, _)) = dual.knapsack(w, &zero, &r) else { return (work, None) };
        work += spent;
        if fits(dual, &r, &held, w, &p) {
            fix_held(dual, &mut r, &mut held, w, &p);
        }
    }
    let mut a = super::allocation::empty_alloc(dual.part);
    for (k, los) in r.lo.iter().enumerate() {
        a.counts[k].copy_from_slice(los);
    }
    for (g, f) in r.forced.iter().enumerate() {
        a.groups[g] = *f;
    }
    let allowance = s.effort.eject_work.min(s.budget.left());
    work += super::heuristics::round_relaxed(s.m, s.part, &mut a, allowance);
    s.offer(a.clone());
    (work, Some(a))
}

/// [`fix`], keeping `held` ([`held`]) up to date.
fn fix_held(dual: &Decomposition, r: &mut NodeBounds, held: &mut [u32], w: usize, p: &Pattern) {
    let places = |r: &NodeBounds| {
        let mut at: Vec<(usize, usize, u32)> = dual.items[w]
            .iter()
            .filter_map(|i| match i.kind {
                Kind::Class { k, j, .. } => Some((k, j, r.lo[k][j])),
                Kind::Group { .. } => None,
            })
            .collect();
        // A class may come as two items (kept and not): its count once.
        at.sort_unstable();
        at.dedup_by_key(|c| (c.0, c.1));
        at
    };
    for (k, _, lo) in places(r) {
        held[k] -= lo;
    }
    fix(dual, r, w, p);
    for (k, _, lo) in places(r) {
        held[k] += lo;
    }
}

/// Fixes worker `w` to pattern `p` in `r`: exactly `p`'s count of every class it may hold, and
/// its groups there and nowhere else.
pub(super) fn fix(dual: &Decomposition, r: &mut NodeBounds, w: usize, p: &Pattern) {
    for item in &dual.items[w] {
        match item.kind {
            Kind::Class { k, j, .. } => (r.lo[k][j], r.hi[k][j]) = (0, 0),
            Kind::Group { g, j } => r.allowed[g][j] = false,
        }
    }
    for &(i, count) in &p.take {
        match dual.items[w][i].kind {
            Kind::Class { k, j, .. } => {
                r.lo[k][j] += count;
                r.hi[k][j] += count;
            }
            Kind::Group { g, j } => {
                r.allowed[g][j] = true;
                r.forced[g] = Some(j);
                r.must[g] = true;
            }
        }
    }
}

/// A master whose every worker is one whole column, as an allocation.
pub(super) fn whole(dual: &Decomposition, m: &Master) -> PartAlloc {
    let mut a = super::allocation::empty_alloc(dual.part);
    for (k, xs) in m.x.iter().enumerate() {
        for (j, &x) in xs.iter().enumerate() {
            a.counts[k][j] = x.round().max(0.0) as u32;
        }
    }
    for (g, ys) in m.y.iter().enumerate() {
        a.groups[g] = ys.iter().position(|&y| y > 0.5);
    }
    a
}
