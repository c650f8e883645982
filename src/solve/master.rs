//! The best prices for the Lagrangian bound of [`super::lagrange`], by column generation on
//! the Dantzig-Wolfe master they are the dual of.
//!
//! The master: each worker a convex combination of its load patterns (the pool the knapsacks
//! have produced), within every class's count, each group once and every supervisor's
//! oversight room. Its optimum over all patterns is the Dantzig-Wolfe bound, the convex hull
//! of each worker's lawful loads. Each round solves the master over the pool (the dense simplex
//! of [`super::simplex`], from the last round's basis), prices every worker's knapsack at its
//! row prices, and adds the patterns worth more than their worker's convexity price. Every
//! round's knapsacks give a proven Lagrangian bound, whatever the prices; the last master's
//! solution is what the search in [`super::tree`] branches on; and the knapsacks' answers are
//! rounded into whole allocations (a Lagrangian heuristic).

use super::lagrange::{Decomposition, Kind, NodeBounds, Pattern, SetBound};
use super::simplex::{Simplex, OPT_TOL};
/// How far above the part's whole value a price may go.
const BIG_PRICE: f64 = 10.0;

/// How much one call of [`Decomposition::bound`] may do.
#[derive(Clone, Copy, Debug)]
pub(super) struct Allowance {
    /// Price rounds.
    pub rounds: u32,
    /// Work, as [`Outcome::work`] counts it.
    pub work: u64,
    /// Pivots in one solve of the master.
    pub pivots: u32,
    /// Patterns per worker handed on to the children ([`Outcome::pool`]).
    pub pool_per_worker: usize,
    /// An absolute closeness of the master to the bound at which the rounds have converged,
    /// where it is tighter than [`crate::tolerance::CONVERGED`] of the bound (a part searched
    /// within an allowance of the whole objective: `PartSearch::allowance`).
    pub close: Option<f64>,
}

/// What [`Decomposition::bound`] found.
pub(super) struct Outcome {
    /// Proven upper bound on the part's value under the restriction (`-inf` if infeasible).
    pub bound: f64,
    /// Prices at that bound, to start a child node from.
    pub prices: Vec<f64>,
    /// The knapsacks' answers to round into whole allocations (each worker's pattern; see
    /// [`Decomposition::as_alloc`]), kept as patterns: a district's allocation holds a count
    /// for every class at every worker it may go to (1.4 MB at 20,000 cases), its patterns a
    /// few items a worker.
    pub candidates: Vec<Vec<Pattern>>,
    /// The patterns handed on, by worker (the master's and the nearest to it): a child node
    /// starts from those its restriction still allows.
    pub pool: Pool,
    /// Price-space iterations used.
    pub iterations: u32,
    /// Effort spent (roughly multiply-adds in the master and the knapsacks): deterministic, so
    /// a limit on it stops every run at the same place.
    pub work: u64,
    /// Column generation reached the bound: `bound` is the Dantzig-Wolfe bound itself.
    pub converged: bool,
    /// The last master's solution over the patterns found (optimal over every pattern when
    /// `converged`): how many of class `k` go to its `j`-th worker (`x[k][j]`), and how much of
    /// group `g` to its `j`-th (`y[g][j]`); None when it meets some row only by falling short,
    /// or when its last solve stopped before the master's optimum (the basis may then lie
    /// outside the master).
    pub master: Option<Master>,
}

/// Patterns a node hands on to its children.
#[derive(Clone, Debug, Default)]
pub(super) struct Pool {
    /// The patterns, by worker.
    pub patterns: Vec<(usize, Pattern)>,
    /// Positions in `patterns` of those the master's last basis used: a child's master starts
    /// from them (a warm start), not from nothing.
    pub warm: Vec<usize>,
}

/// A solution of the Dantzig-Wolfe master: each worker a convex combination of its patterns.
pub(super) struct Master {
    /// `x[k][j]`: cases of class `k` at its `j`-th worker.
    pub x: Vec<Vec<f64>>,
    /// `y[g][j]`: share of group `g` at its `j`-th worker.
    pub y: Vec<Vec<f64>>,
    /// The patterns the solution uses: (worker, pattern, share).
    pub columns: Vec<(usize, Pattern, f64)>,
}

impl Decomposition<'_> {
    /// The best bound column generation reaches under restriction `r`, starting from `start`
    /// prices and the patterns of `seed` that `r` still allows, those at `seed.warm`
    /// brought into the master's first basis. Stops early once `enough` holds
    /// of the bound (it proves what the caller needs), when the [`Allowance`] is used up, or
    /// when `stop` says so.
    pub fn bound(
        &self,
        r: &NodeBounds,
        start: Option<&[f64]>,
        seed: &Pool,
        allowed: Allowance,
        enough: &dyn Fn(f64) -> bool,
        stop: &dyn Fn() -> bool,
    ) -> Outcome {
        let np = self.n_prices_at(r);
        let infeasible = || Outcome {
            bound: f64::NEG_INFINITY,
            prices: vec![0.0; np],
            candidates: Vec::new(),
            pool: Pool::default(),
            iterations: 0,
            work: 0,
            converged: true,
            master: None,
        };
        // A child's start prices are its parent's: a set bound the child adds starts at zero.
        let mut prices: Vec<f64> = start.map_or_else(|| vec![0.0; np], <[f64]>::to_vec);
        prices.resize(np, 0.0);
        let Some(first) = self.evaluate(&prices, r) else {
            return infeasible();
        };
        let (mut best_l, mut best_p, mut knapsacks) = (first.bound, first.patterns, first.work);
        // A knapsack that ran out of states gives a bound but not its best pattern: pricing
        // that finds nothing then proves nothing, and only the bound meeting the master does.
        let mut inexact = !first.exact;
        // `knapsacks`: work of every worker's knapsack so far, for the work count.
        let mut candidates = vec![best_p.clone()];
        let mut rmp = Rmp::new(self, r, 1.0);
        // Times the price caps were raised (see below), and the work of the masters before.
        let mut raised = 0;
        let mut retired = 0u64;
        // Any lawful pattern of each worker (here its best at zero prices, which at the root are
        // the start prices) keeps the master feasible in its convexity rows; then the start
        // prices' answers and what the parent had that this node allows.
        let base = if start.is_none() {
            best_p.clone()
        } else {
            let Some(zero) = self.evaluate(&vec![0.0; np], r) else { return infeasible() };
            knapsacks += zero.work;
            zero.patterns
        };
        let mut best_prices = prices;
        for (w, p) in base.into_iter().enumerate().chain(best_p.iter().cloned().enumerate()) {
            rmp.add(self, w, p);
        }
        // The empty pattern keeps every upper row within reach from the first solve, so the
        // first prices are not the caps'. Without it the master met its upper rows only by
        // falling short of them at the cap prices: a master of hundreds of rows took 40 rounds
        // to leave them, one of 157 rows (a points scheme's part) 90 of its 150 rounds. A large
        // master has them from the start; a small one once it still falls short after
        // [`SHORT_ROUNDS`] rounds (one that does not runs as it always has).
        let add_empty = |rmp: &mut Rmp| {
            for w in 0..self.part.workers.len() {
                let empty = self.empty_pattern(w);
                if self.admits(w, &empty, r) {
                    rmp.add(self, w, empty);
                }
            }
        };
        let mut empties = self.stabilised;
        if empties {
            add_empty(&mut rmp);
        }
        // A large root master heads in by cheap subgradient steps first.
        if self.stabilised && start.is_none() {
            let mut from =
                HeadIn { bound: best_l, prices: best_prices.clone(), patterns: best_p.clone(), work: 0 };
            // The compact relaxation's prices, where it gave them: at most its bound (the
            // knapsacks do no better than its fractional loads), far below zero prices' on a
            // district, whose heading-in from there did not reach it within the budget.
            if let Some(relaxed) = self.relaxation_prices.as_ref().filter(|p| p.len() <= np) {
                let mut at = relaxed.clone();
                at.resize(np, 0.0);
                let Some(e) = self.evaluate(&at, r) else { return infeasible() };
                knapsacks += e.work;
                inexact |= !e.exact;
                for (w, p) in e.patterns.iter().enumerate() {
                    rmp.add(self, w, p.clone());
                }
                if e.bound < from.bound {
                    from = HeadIn { bound: e.bound, prices: at, patterns: e.patterns, work: 0 };
                }
            }
            let allowance = allowed.work.saturating_sub(knapsacks);
            let found = self.head_in(r, from, &mut rmp, allowance, stop);
            let Some(h) = found else { return infeasible() };
            // Its bound is a proven one whatever its knapsacks' exactness, and its patterns
            // are only seeds: whether pricing proves the master optimal is decided at the
            // master's own prices below.
            knapsacks += h.work;
            if h.bound < best_l {
                (best_l, best_prices, best_p) = (h.bound, h.prices, h.patterns);
            }
        }
        let mut start_basis = Vec::new();
        for (t, (w, p)) in seed.patterns.iter().enumerate() {
            if self.admits(*w, p, r) {
                let col = rmp.add(self, *w, p.clone());
                if seed.warm.binary_search(&t).is_ok() {
                    start_basis.push(col);
                }
            }
        }
        // The parent's basis, as far as this node allows it: each column brought in by a
        // pivot that keeps the master's solution feasible, so the simplex starts near the
        // parent's optimum (a child differs from it by one restriction).
        for col in start_basis {
            if rmp.simplex.enter(col).is_err() {
                break;
            }
        }
        let mut iterations = 0;
        let mut converged = false;
        // Whether the master's last solve ended at its optimum: a solve stopped early may
        // leave its basis outside the master (a perturbation taken back, basic values below
        // zero), and such a solution is no point of the node's relaxation to branch on.
        let mut solved;
        loop {
            let left = allowed.work.saturating_sub(knapsacks + retired);
            solved = rmp.simplex.solve(allowed.pivots, left, stop).is_ok();
            if !solved {
                break;
            }
            if !empties && iterations >= SHORT_ROUNDS && rmp.short() {
                empties = true;
                add_empty(&mut rmp);
                continue;
            }
            let objective = rmp.simplex.objective();
            if !objective.is_finite() {
                solved = false;
                break;
            }
            let close = crate::tolerance::CONVERGED * best_l.abs().max(1.0);
            if best_l - objective <= allowed.close.map_or(close, |c| c.min(close)) {
                if rmp.short() && raised < MAX_RAISES {
                    // The master meets a row only by falling short at its price cap: for a
                    // small shortfall the cap is too low to say the row cannot hold. Raise the
                    // caps and go on from the same patterns.
                    raised += 1;
                    retired += rmp.simplex.work();
                    rmp = rmp.raised(self, r, CAP_RAISE.powi(raised));
                    continue;
                }
                converged = true;
                break;
            }
            let spent = rmp.simplex.work() + knapsacks + retired;
            if enough(best_l) || iterations >= allowed.rounds || spent >= allowed.work || stop() {
                break;
            }
            iterations += 1;
            let (duals, pi) = rmp.prices();
            if !duals.iter().chain(&pi).all(|v| v.is_finite()) {
                // Numerical trouble in the master: stop here, unconverged; the bound found so
                // far still holds (it comes from the knapsacks).
                break;
            }
            // Wentges smoothing: price between the best prices so far and the master's, which
            // damps the master's swings; when that finds nothing the master's own prices decide.
            let smoothed = (iterations > 1).then(|| {
                best_prices
                    .iter()
                    .zip(&duals)
                    .map(|(c, y)| SMOOTHING * c + (1.0 - SMOOTHING) * y)
                    .collect::<Vec<f64>>()
            });
            let mut added = false;
            for at in smoothed.iter().chain(std::iter::once(&duals)) {
                let Some(e) = self.evaluate(at, r) else { return infeasible() };
                let (l, pats) = (e.bound, e.patterns);
                knapsacks += e.work;
                inexact |= !e.exact;
                if l < best_l {
                    best_l = l;
                    best_prices.clone_from(at);
                    best_p.clone_from(&pats);
                }
                if iterations % 4 == 0 {
                    candidates.push(pats.clone());
                }
                // Add the patterns worth more at the master's prices than their worker's
                // convexity price (by less, within a closeness asked for: the bound is the
                // master's objective plus what every worker's best pattern is worth more).
                let workers = self.part.workers.len().max(1) as f64;
                for (w, p) in pats.into_iter().enumerate() {
                    let worth = 10.0 * OPT_TOL * (1.0 + pi[w].abs());
                    let worth = allowed.close.map_or(worth, |c| worth.min(c / workers));
                    // Only a new column: below the master simplex's own tolerance a column it
                    // holds already may price out again, and the same master solved again
                    // would spin to the round limit.
                    if self.priced(w, &p, &duals, &r.sets) > pi[w] + worth {
                        let held = rmp.cols.len();
                        rmp.add(self, w, p);
                        added |= rmp.cols.len() > held;
                    }
                }
                if added {
                    break;
                }
            }
            if !added {
                if inexact {
                    break;
                }
                // Nothing prices out at the master's prices: it is optimal over every pattern.
                if rmp.short() && raised < MAX_RAISES {
                    raised += 1;
                    retired += rmp.simplex.work();
                    rmp = rmp.raised(self, r, CAP_RAISE.powi(raised));
                    continue;
                }
                converged = true;
                break;
            }
        }
        candidates.push(best_p.clone());
        let master = if solved { rmp.master(self) } else { None };
        let work = rmp.simplex.work() + knapsacks + retired;
        let pool = rmp.keep(allowed.pool_per_worker);
        Outcome { bound: best_l, prices: best_prices, pool, candidates, iterations, work, converged, master }
    }
    /// Worker `w` holding nothing.
    fn empty_pattern(&self, w: usize) -> Pattern {
        let cost = self.part.workers[w].load_cost(&self.m.policy, 0.0);
        Pattern { take: Vec::new(), load: 0.0, value: -cost }
    }

    /// The heading-in of a large root master: [`HEAD_IN`] deflected subgradient steps on the
    /// prices from `from` (its prices, where L is its bound and the knapsacks gave its
    /// patterns; its work is what the steps add to), each a step
    /// towards a target value below the best L so far that halves when the best stalls
    /// (Polyak's step with a variable target). A knapsack evaluation costs a thousandth of a
    /// master round on a district, and the master's own first prices are far off (its pool is
    /// poor), so these cheap steps bring the prices near the optimum first; the patterns of the
    /// last [`HEAD_IN_KEPT`] steps seed the master, and the best prices become the centre of the
    /// smoothing. Every step's L is a proven bound (it comes from the knapsacks). None when
    /// the restriction cannot hold.
    fn head_in(
        &self,
        r: &NodeBounds,
        from: HeadIn,
        rmp: &mut Rmp,
        allowance: u64,
        stop: &dyn Fn() -> bool,
    ) -> Option<HeadIn> {
        let np = self.n_prices_at(r);
        let caps = self.price_caps(r);
        let rhs = self.rhs(r);
        let (mut p, mut cur, mut cur_l) = (from.prices.clone(), from.patterns.clone(), from.bound);
        let mut gap = HEAD_IN_GAP * from.bound.abs() + 1.0;
        let mut best = from;
        let mut stalled = 0;
        let mut dir = vec![0.0; np];
        for step in 0..HEAD_IN {
            if best.work >= allowance || stop() {
                break;
            }
            // A subgradient of L: each row's right-hand side less what the patterns put in it,
            // zero where a price at its bound cannot move that way.
            let mut g = rhs.clone();
            for (w, pat) in cur.iter().enumerate() {
                for (i, a) in self.coefficients(w, pat, &r.sets) {
                    g[i] -= a;
                }
            }
            for (i, gi) in g.iter_mut().enumerate() {
                if (p[i] <= 0.0 && *gi > 0.0) || (p[i] >= caps[i] && *gi < 0.0) {
                    *gi = 0.0;
                }
            }
            for (d, gi) in dir.iter_mut().zip(&g) {
                *d = *gi + HEAD_IN_DEFLECTION * *d;
            }
            let norm: f64 = dir.iter().map(|x| x * x).sum();
            if norm <= crate::tolerance::ROUND_OFF {
                break;
            }
            let t = (cur_l - (best.bound - gap)) / norm;
            for ((x, d), cap) in p.iter_mut().zip(&dir).zip(&caps) {
                *x = (*x - t * d).clamp(0.0, *cap);
            }
            let e = self.evaluate(&p, r)?;
            best.work += e.work;
            (cur_l, cur) = (e.bound, e.patterns);
            if HEAD_IN - step <= HEAD_IN_KEPT {
                for (w, pat) in cur.iter().enumerate() {
                    rmp.add(self, w, pat.clone());
                }
            }
            if cur_l < best.bound - crate::tolerance::CONVERGED * best.bound.abs().max(1.0) {
                best.bound = cur_l;
                best.prices.clone_from(&p);
                best.patterns.clone_from(&cur);
                stalled = 0;
            } else {
                stalled += 1;
                if stalled >= HEAD_IN_PATIENCE {
                    gap *= 0.5;
                    stalled = 0;
                }
            }
        }
        for (w, pat) in best.patterns.iter().enumerate() {
            rmp.add(self, w, pat.clone());
        }
        Some(best)
    }

    /// What pattern `p` of worker `w` puts in each price's row, in price-vector terms (lower
    /// rows negated): its column in the master, less the convexity row; `sets` are the node's
    /// set bounds (their rows follow the others).
    fn coefficients(&self, w: usize, p: &Pattern, sets: &[SetBound]) -> Vec<(usize, f64)> {
        let part = self.part;
        let mut coef: Vec<(usize, f64)> = Vec::new();
        let mut put = |i: usize, a: f64| match coef.iter_mut().find(|c| c.0 == i) {
            Some(c) => c.1 += a,
            None => coef.push((i, a)),
        };
        for &(i, n) in &p.take {
            for &(t, a) in self.cuts_at(w, i) {
                put(self.first_cut() + t, a * n as f64);
            }
            match self.items[w][i].kind {
                Kind::Class { k, j, .. } => {
                    put(k, n as f64);
                    put(self.lo_class(k), -(n as f64));
                    for (t, s) in sets.iter().enumerate() {
                        if self.in_set(s, k, j) {
                            put(self.n_prices() + 2 * t, n as f64);
                            put(self.n_prices() + 2 * t + 1, -(n as f64));
                        }
                    }
                }
                Kind::Group { g, .. } => {
                    put(self.up_group(g), 1.0);
                    put(self.lo_group(g), -1.0);
                }
            }
        }
        if let Some(s) = part.workers[w].overseer {
            put(self.oversight(s), p.load);
        }
        coef
    }

    /// Pattern `p`'s value less what it pays at these prices.
    fn priced(&self, w: usize, p: &Pattern, prices: &[f64], sets: &[SetBound]) -> f64 {
        p.value - self.coefficients(w, p, sets).iter().map(|&(i, a)| prices[i] * a).sum::<f64>()
    }

    /// Upper bounds on prices that keep the programme bounded and lose nothing: no price above
    /// the most any one of its items is worth.
    fn price_caps(&self, r: &NodeBounds) -> Vec<f64> {
        // A price may have to outweigh whatever a restriction displaces: that is less than all
        // the part could be worth. Far above it, a restriction that cannot hold drives the
        // bound down, and the node is pruned.
        let big = BIG_PRICE * (self.worth + 1.0);
        let mut caps = vec![big; self.n_prices_at(r)];
        for (k, &(lo, _)) in r.total.iter().enumerate() {
            if lo == 0 {
                caps[self.lo_class(k)] = 0.0;
            }
        }
        for (g, &must) in r.must.iter().enumerate() {
            if !must {
                caps[self.lo_group(g)] = 0.0;
            }
        }
        for (t, s) in r.sets.iter().enumerate() {
            if s.lo == 0 {
                caps[self.n_prices() + 2 * t + 1] = 0.0;
            }
        }
        caps
    }
}

/// What [`Decomposition::head_in`] found: its best bound, prices and patterns, and its work.
struct HeadIn {
    bound: f64,
    prices: Vec<f64>,
    patterns: Vec<Pattern>,
    work: u64,
}

/// Subgradient steps of the heading-in, and how many of the last ones seed the master.
const HEAD_IN: u32 = 100;
const HEAD_IN_KEPT: u32 = 30;
/// The heading-in's first target: this share of the bound below it.
const HEAD_IN_GAP: f64 = 0.05;
/// Steps without a better bound after which the target gap halves.
const HEAD_IN_PATIENCE: u32 = 5;
/// Share of the last direction in the next (a deflected subgradient: less zigzag).
const HEAD_IN_DEFLECTION: f64 = 0.3;

/// Rounds after which a small master that still falls short of a row takes every worker's
/// empty pattern.
const SHORT_ROUNDS: u32 = 4;

/// Weight of the best prices so far in the prices each round evaluates (Wentges smoothing).
const SMOOTHING: f64 = 0.5;

/// How much the price caps rise when a converged master still falls short of a row, and how
/// many times they may.
const CAP_RAISE: f64 = 100.0;
const MAX_RAISES: i32 = 2;

/// What a row of the master stands for.
#[derive(Clone, Copy)]
enum Row {
    /// Worker `w`'s convexity row: its patterns' shares add up to one.
    Convex,
    /// The row of price `i`; `sign` is -1 for a lower row (at least), whose price is minus its
    /// dual.
    Price { i: usize, sign: f64 },
}

/// The restricted master of one node: the simplex over the pool, and where each row's dual
/// goes in the price vector.
struct Rmp {
    simplex: Simplex,
    rows: Vec<Row>,
    /// Row of each price, if it has one (a lower row with nothing to hold has none).
    row_of: Vec<Option<usize>>,
    /// The start column of each row, and its shortfall column for price rows: used above zero
    /// they mean the node's rows cannot all hold with the pool as it is.
    shortfalls: Vec<usize>,
    /// The patterns, by worker, and their columns.
    pool: Vec<(usize, Pattern)>,
    cols: Vec<usize>,
    /// The patterns already in, and their columns, so none goes in twice.
    seen: std::collections::HashMap<(usize, Vec<(usize, u32)>), usize>,
    /// Price caps.
    caps: Vec<f64>,
    /// The node's set bounds (their rows follow the others).
    sets: Vec<SetBound>,
}

impl Rmp {
    /// The master with no patterns yet: a convexity row per worker (an artificial start column
    /// priced at the cap), each class's and group's upper row, each supervisor's row, and the
    /// lower rows the restriction asks for. A price row may fall short at its price cap, so the
    /// master is exactly the dual of the capped price programme and always has a solution.
    fn new(dual: &Decomposition, r: &NodeBounds, scale: f64) -> Self {
        let caps: Vec<f64> = dual.price_caps(r).into_iter().map(|c| c * scale).collect();
        let rhs_of = dual.rhs(r);
        let nw = dual.part.workers.len();
        let big = caps.iter().fold(0.0f64, |a, &c| a.max(c));
        let mut rows: Vec<Row> = vec![Row::Convex; nw];
        let mut rhs = vec![1.0; nw];
        let mut start = vec![-big; nw];
        let mut row_of = vec![None; rhs_of.len()];
        for (i, &b) in rhs_of.iter().enumerate() {
            // Lower rows carry minus their right-hand side; one with cap 0 asks for nothing.
            let sign = if dual.is_lower(i) { -1.0 } else { 1.0 };
            if sign < 0.0 && caps[i] == 0.0 {
                continue;
            }
            row_of[i] = Some(rows.len());
            rows.push(Row::Price { i, sign });
            rhs.push((sign * b).max(0.0));
            // Upper rows start from their slack (free), lower rows from their shortfall.
            start.push(if sign > 0.0 { 0.0 } else { -caps[i] });
        }
        let mut simplex = Simplex::new(rhs, &start);
        if dual.stabilised {
            simplex = simplex.large();
        }
        let mut shortfalls: Vec<usize> = (0..nw).collect();
        for (row, kind) in rows.iter().enumerate() {
            if let Row::Price { i, sign } = *kind {
                if sign > 0.0 {
                    shortfalls.push(simplex.add_column(-caps[i], vec![(row, -1.0)]));
                } else {
                    shortfalls.push(row);
                    simplex.add_column(0.0, vec![(row, -1.0)]); // surplus
                }
            }
        }
        Rmp {
            simplex,
            rows,
            row_of,
            shortfalls,
            pool: Vec::new(),
            cols: Vec::new(),
            seen: Default::default(),
            caps,
            sets: r.sets.clone(),
        }
    }

    /// The same master over the same patterns with every price cap `scale` times
    /// [`Decomposition::price_caps`].
    fn raised(&self, dual: &Decomposition, r: &NodeBounds, scale: f64) -> Rmp {
        let mut next = Rmp::new(dual, r, scale);
        for (w, p) in &self.pool {
            next.add(dual, *w, p.clone());
        }
        next
    }

    /// Some row is met only by falling short of it (or a convexity row by its start column).
    fn short(&self) -> bool {
        self.shortfalls.iter().any(|&c| self.simplex.value(c) > crate::tolerance::CONVERGED)
    }

    /// Adds worker `w`'s pattern `p` (once); returns its column.
    fn add(&mut self, dual: &Decomposition, w: usize, p: Pattern) -> usize {
        let mut key = p.take.clone();
        key.sort_unstable();
        if let Some(&col) = self.seen.get(&(w, key.clone())) {
            return col;
        }
        let mut col = vec![(w, 1.0)];
        for (i, a) in dual.coefficients(w, &p, &self.sets) {
            if let Some(row) = self.row_of[i] {
                let Row::Price { sign, .. } = self.rows[row] else { continue };
                if a != 0.0 {
                    col.push((row, sign * a));
                }
            }
        }
        let c = self.simplex.add_column(p.value, col);
        self.seen.insert((w, key), c);
        self.cols.push(c);
        self.pool.push((w, p));
        c
    }

    /// Up to `per_worker` patterns of each worker: those the master's basis uses first, then
    /// those with the best reduced cost at its prices; and the positions of the used ones.
    fn keep(&self, per_worker: usize) -> Pool {
        let y = self.simplex.duals();
        let used = |c: usize| self.simplex.value(c) > crate::tolerance::GAIN;
        let mut ranked: Vec<(usize, bool, f64, usize)> = self
            .pool
            .iter()
            .zip(&self.cols)
            .enumerate()
            .map(|(t, ((w, _), &c))| (*w, used(c), self.simplex.reduced_cost(c, &y), t))
            .collect();
        ranked
            .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.total_cmp(&a.2)).then(a.3.cmp(&b.3)));
        let (mut out, mut warm) = (Vec::new(), Vec::new());
        let mut run = (usize::MAX, 0);
        for (w, basic, _, t) in ranked {
            run = if run.0 == w { (w, run.1 + 1) } else { (w, 1) };
            if run.1 <= per_worker {
                if basic {
                    warm.push(out.len());
                }
                out.push(self.pool[t].clone());
            }
        }
        Pool { patterns: out, warm }
    }

    /// The prices (each within its cap) and each worker's convexity price at the master's
    /// optimum.
    fn prices(&self) -> (Vec<f64>, Vec<f64>) {
        let y = self.simplex.duals();
        let mut prices = vec![0.0; self.caps.len()];
        let mut pi = Vec::new();
        for (row, kind) in self.rows.iter().enumerate() {
            match *kind {
                Row::Convex => pi.push(y[row]),
                Row::Price { i, sign } => prices[i] = (sign * y[row]).clamp(0.0, self.caps[i]),
            }
        }
        (prices, pi)
    }

    /// The master's solution as counts and shares, or None when some row is met only by
    /// falling short (the pool cannot meet the node's rows).
    fn master(&self, dual: &Decomposition) -> Option<Master> {
        if self.short() {
            return None;
        }
        let part = dual.part;
        let mut x: Vec<Vec<f64>> = part.classes.iter().map(|c| vec![0.0; c.workers.len()]).collect();
        let mut y: Vec<Vec<f64>> = part.groups.iter().map(|g| vec![0.0; g.workers.len()]).collect();
        let mut columns = Vec::new();
        for ((w, p), &c) in self.pool.iter().zip(&self.cols) {
            let th = self.simplex.value(c);
            if th <= crate::tolerance::GAIN {
                continue;
            }
            columns.push((*w, p.clone(), th));
            for &(i, n) in &p.take {
                match dual.items[*w][i].kind {
                    Kind::Class { k, j, .. } => x[k][j] += th * n as f64,
                    Kind::Group { g, j } => y[g][j] += th,
                }
            }
        }
        Some(Master { x, y, columns })
    }
}
