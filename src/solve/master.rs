//! The best prices for the Lagrangian bound of [`super::lagrange`], and the Dantzig-Wolfe
//! master they are the dual of.
//!
//! Kelley's cutting planes: a small linear programme over the prices (microlp), with one row
//! for every worker's load pattern the knapsacks have produced (the pool); its optimum is the
//! Dantzig-Wolfe bound, the convex hull of each worker's lawful loads. The master over the pool
//! (each worker a convex combination of its patterns) gives the fractional solution the search
//! in [`super::tree`] branches on. The knapsacks' answers are also rounded into whole
//! allocations (a Lagrangian heuristic).

use super::lagrange::{Dual, Kind, Pattern, Restrict};
use super::PartAlloc;
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOutcome, Variable};

/// How far above the part's whole value a price may go.
const BIG_PRICE: f64 = 10.0;

/// What [`Dual::bound`] found.
pub(super) struct Outcome {
    /// Proven upper bound on the part's value under the restriction (`-inf` if infeasible).
    pub bound: f64,
    /// Prices at that bound, to start a child node from.
    pub prices: Vec<f64>,
    /// Whole allocations rounded from the knapsacks' answers (lawful after repair).
    pub candidates: Vec<PartAlloc>,
    /// Every pattern the price programme used, by worker: a child node starts from those
    /// its restriction still allows.
    pub pool: Vec<(usize, Pattern)>,
    /// Price-space iterations used.
    pub iterations: u32,
    /// The price programme reached the bound: `bound` is the Dantzig-Wolfe bound itself.
    pub converged: bool,
    /// The master's solution over the patterns found, when converged: how many of class `k` go
    /// to its `j`-th worker (`x[k][j]`), and how much of group `g` to its `j`-th (`y[g][j]`).
    pub master: Option<Master>,
}

/// A solution of the Dantzig-Wolfe master: each worker a convex combination of its patterns.
pub(super) struct Master {
    /// `x[k][j]`: cases of class `k` at its `j`-th worker.
    pub x: Vec<Vec<f64>>,
    /// `y[g][j]`: share of group `g` at its `j`-th worker.
    pub y: Vec<Vec<f64>>,
}

impl Dual<'_> {
    /// A pattern as a cut on the price programme: (price index, coefficient) and the value.
    fn cut(&self, w: usize, p: &Pattern, vars: &[Variable], pi: Variable) -> (Vec<(Variable, f64)>, f64) {
        let nk = self.part.classes.len();
        let ng = self.part.groups.len();
        let mut coef = vec![0.0; self.n_prices()];
        for &(i, n) in &p.take {
            match self.items[w][i].kind {
                Kind::Class { k, .. } => {
                    coef[k] += n as f64;
                    coef[self.lo_class(k)] -= n as f64;
                }
                Kind::Group { g, .. } => {
                    coef[nk + g] += 1.0;
                    coef[self.lo_group(g)] -= 1.0;
                }
            }
        }
        if let Some(s) = self.part.rooms[w].overseer {
            coef[nk + ng + s] += p.load as f64 * self.unit;
        }
        let mut e: Vec<(Variable, f64)> =
            coef.iter().enumerate().filter(|(_, &c)| c != 0.0).map(|(i, &c)| (vars[i], c)).collect();
        e.push((pi, 1.0));
        (e, p.value)
    }

    /// The best bound Kelley's cutting planes reach under restriction `r`, starting from
    /// `start` prices. Stops early once `enough` holds of the bound (it proves what the caller
    /// needs), after `max_iter` rounds, or when `stop` says so.
    pub fn bound(
        &self,
        r: &Restrict,
        start: Option<&[f64]>,
        seed: &[(usize, Pattern)],
        max_iter: u32,
        enough: &dyn Fn(f64) -> bool,
        stop: &dyn Fn() -> bool,
    ) -> Outcome {
        let np = self.n_prices();
        let nw = self.part.rooms.len();
        let mut prices: Vec<f64> = start.map_or_else(|| vec![0.0; np], <[f64]>::to_vec);
        let infeasible = || Outcome {
            bound: f64::NEG_INFINITY,
            prices: vec![0.0; np],
            candidates: Vec::new(),
            pool: Vec::new(),
            iterations: 0,
            converged: true,
            master: None,
        };
        let Some((mut best_l, mut best_p)) = self.evaluate(&prices, r) else { return infeasible() };
        let mut best_prices = prices.clone();
        let mut candidates = vec![self.as_alloc(&best_p)];
        // The price programme: minimise sum rhs*price + sum pi_w, subject to the cuts.
        let mut lp = Problem::new(OptimizationDirection::Minimize);
        let upper = self.price_caps(r);
        let vars: Vec<Variable> =
            self.rhs(r).iter().zip(&upper).map(|(&c, &u)| lp.add_var(c, (0.0, u))).collect();
        let pis: Vec<Variable> =
            (0..nw).map(|_| lp.add_var(1.0, (f64::NEG_INFINITY, f64::INFINITY))).collect();
        let mut cuts: Vec<(Vec<(Variable, f64)>, f64)> = Vec::new();
        let mut pending = best_p.clone();
        let mut iterations = 0;
        // Any lawful pattern of each worker (here its best at zero prices) bounds its pi below.
        let zero = vec![0.0; np];
        let Some((_, base)) = self.evaluate(&zero, r) else { return infeasible() };
        let mut pool: Vec<(usize, Pattern)> = Vec::new();
        let inherited = seed.iter().filter(|(w, p)| self.admits(*w, p, r)).cloned();
        for (w, p) in base.into_iter().enumerate().chain(pending.drain(..).enumerate()).chain(inherited) {
            cuts.push(self.cut(w, &p, &vars, pis[w]));
            pool.push((w, p));
        }
        for (e, v) in &cuts {
            lp.add_constraint(e.as_slice(), ComparisonOp::Ge, *v);
        }
        let mut state = match lp.solve() {
            Ok(SolveOutcome::Solution(s)) => Some(s),
            _ => None,
        };
        let mut converged = false;
        while let Some(s) = state.take() {
            if best_l - s.objective() <= 1e-7 * best_l.abs().max(1.0) {
                converged = true;
                break;
            }
            if enough(best_l) || iterations >= max_iter || stop() {
                break;
            }
            iterations += 1;
            prices = vars.iter().map(|&v| s.var_value(v).max(0.0)).collect();
            let Some((l, pats)) = self.evaluate(&prices, r) else { return infeasible() };
            if l < best_l {
                best_l = l;
                best_prices = prices.clone();
                best_p = pats.clone();
            }
            if iterations % 4 == 0 {
                candidates.push(self.as_alloc(&pats));
            }
            // Add the rows the current prices break.
            let mut next = Some(s);
            for (w, p) in pats.iter().enumerate() {
                let (e, v) = self.cut(w, p, &vars, pis[w]);
                let Some(cur) = next.take() else { break };
                let lhs: f64 = e.iter().map(|&(var, c)| c * cur.var_value(var)).sum();
                if lhs >= v - 1e-9 {
                    next = Some(cur);
                    continue;
                }
                next = match cur.add_constraint(e.as_slice(), ComparisonOp::Ge, v) {
                    Ok(SolveOutcome::Solution(s2)) => Some(s2),
                    _ => None,
                };
                pool.push((w, p.clone()));
            }
            state = next;
        }
        candidates.push(self.as_alloc(&best_p));
        let master = if converged { self.master(&pool, r) } else { None };
        Outcome { bound: best_l, prices: best_prices, pool, candidates, iterations, converged, master }
    }

    /// The Dantzig-Wolfe master over a pool of patterns: each worker a convex combination of
    /// its patterns, within every class's count, each group once, and every oversight room.
    fn master(&self, pool: &[(usize, Pattern)], r: &Restrict) -> Option<Master> {
        let part = self.part;
        let (nk, ng, nw) = (part.classes.len(), part.groups.len(), part.rooms.len());
        let mut lp = Problem::new(OptimizationDirection::Maximize);
        let theta: Vec<Variable> = pool.iter().map(|(_, p)| lp.add_var(p.value, (0.0, 1.0))).collect();
        let mut convex: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); nw];
        let mut class_rows: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); nk];
        let mut group_rows: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); ng];
        let mut over_rows: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); part.overseers.len()];
        // Lower rows may fall short at the price cap of the price programme (its dual), so
        // the master always has a solution; a shortfall left at the optimum is reported.
        let caps = self.price_caps(r);
        let mut shortfalls = Vec::new();
        for (t, (w, p)) in pool.iter().enumerate() {
            convex[*w].push((theta[t], 1.0));
            let mut per_class = vec![0.0; nk];
            for &(i, n) in &p.take {
                match self.items[*w][i].kind {
                    Kind::Class { k, .. } => per_class[k] += n as f64,
                    Kind::Group { g, .. } => group_rows[g].push((theta[t], 1.0)),
                }
            }
            for (k, &c) in per_class.iter().enumerate() {
                if c > 0.0 {
                    class_rows[k].push((theta[t], c));
                }
            }
            if let Some(s) = part.rooms[*w].overseer {
                if p.load > 0 {
                    over_rows[s].push((theta[t], p.load as f64 * self.unit));
                }
            }
        }
        for row in &convex {
            lp.add_constraint(row.as_slice(), ComparisonOp::Eq, 1.0);
        }
        // Each row may be broken at its price cap: the master is then exactly the dual of the
        // price programme, and always has a solution.
        let mut soft = |lp: &mut Problem, row: &[(Variable, f64)], op: ComparisonOp, rhs: f64, cap: f64| {
            let slack = lp.add_var(-cap, (0.0, f64::INFINITY));
            shortfalls.push(slack);
            let mut row = row.to_vec();
            row.push((slack, if matches!(op, ComparisonOp::Ge) { 1.0 } else { -1.0 }));
            lp.add_constraint(row.as_slice(), op, rhs);
        };
        for (k, row) in class_rows.iter().enumerate() {
            let (lo, hi) = r.total[k];
            if lo > 0 {
                soft(&mut lp, row, ComparisonOp::Ge, lo as f64, caps[self.lo_class(k)]);
            }
            if !row.is_empty() {
                soft(&mut lp, row, ComparisonOp::Le, hi as f64, caps[k]);
            }
        }
        for (g, row) in group_rows.iter().enumerate() {
            if r.must[g] {
                soft(&mut lp, row, ComparisonOp::Ge, 1.0, caps[self.lo_group(g)]);
            }
            if !row.is_empty() {
                soft(&mut lp, row, ComparisonOp::Le, 1.0, caps[nk + g]);
            }
        }
        for (s, row) in over_rows.iter().enumerate() {
            if !row.is_empty() {
                soft(&mut lp, row, ComparisonOp::Le, self.rooms[s], caps[nk + ng + s]);
            }
        }
        let Ok(SolveOutcome::Solution(sol)) = lp.solve() else { return None };
        if shortfalls.iter().any(|&v| sol.var_value(v) > 1e-7) {
            return None;
        }
        let mut x: Vec<Vec<f64>> = part.classes.iter().map(|c| vec![0.0; c.workers.len()]).collect();
        let mut y: Vec<Vec<f64>> = part.groups.iter().map(|g| vec![0.0; g.workers.len()]).collect();
        for (t, (w, p)) in pool.iter().enumerate() {
            let th = sol.var_value(theta[t]);
            if th <= 1e-9 {
                continue;
            }
            for &(i, n) in &p.take {
                match self.items[*w][i].kind {
                    Kind::Class { k, j, .. } => x[k][j] += th * n as f64,
                    Kind::Group { g, j } => y[g][j] += th,
                }
            }
        }
        Some(Master { x, y })
    }

    /// Upper bounds on prices that keep the programme bounded and lose nothing: no price above
    /// the most any one of its items is worth.
    fn price_caps(&self, r: &Restrict) -> Vec<f64> {
        let nk = self.part.classes.len();
        let ng = self.part.groups.len();
        let ns = self.part.overseers.len();
        // A price may have to outweigh whatever a restriction displaces: that is less than all
        // the part could be worth. Far above it, a restriction that cannot hold drives the
        // bound down, and the node is pruned.
        let big = BIG_PRICE * (self.worth + 1.0);
        let mut caps = vec![big; self.n_prices()];
        for (k, &(lo, _)) in r.total.iter().enumerate() {
            if lo == 0 {
                caps[nk + ng + ns + k] = 0.0;
            }
        }
        for (g, &must) in r.must.iter().enumerate() {
            if !must {
                caps[2 * nk + ng + ns + g] = 0.0;
            }
        }
        caps
    }
}
