//! The Lagrangian bound of a part, which is its Dantzig-Wolfe bound: the compact programme's
//! relaxation lets a worker hold a third of a case, this one does not.
//!
//! Relax the rows that join workers (each class's count, each group's one placement, each
//! supervisor's oversight) with prices `lambda`, `mu`, `nu` >= 0. What is left falls apart into
//! one knapsack per worker over its whole load levels, solved exactly by dynamic programming:
//!
//! ```text
//! L(lambda, mu, nu) = sum_k n_k lambda_k + sum_g mu_g + sum_s room_s nu_s
//!                   + sum_w max over w's lawful loads of (value - prices - overload)
//! ```
//!
//! Every price vector gives a proven upper bound on the part's value. The best prices are found
//! by Kelley's cutting planes: a small linear programme over the prices (microlp), with one row
//! for every worker's load pattern the knapsacks have produced; its optimum is the
//! Dantzig-Wolfe bound, the convex hull of each worker's lawful loads. The knapsacks' answers
//! are also rounded into whole allocations (a Lagrangian heuristic).
//!
//! Restrictions (a lower and upper count for each class at each worker, and where each group may
//! go) make the same bound serve every node of the search in [`super::tree`].

use super::alloc::kept_count;
use super::PartAlloc;
use crate::formulate::{floor_to, Part};
use crate::model::Model;
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOutcome, Variable};

/// How far above the part's whole value a price may go.
const BIG_PRICE: f64 = 10.0;

/// Largest knapsack (in load units) the bound will build; beyond it the bound is not used.
const MAX_LEVELS: usize = 4096;

/// What a node of the search allows: counts of each class at each of its workers, and the
/// workers each group may go to.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Restrict {
    /// `lo[k][j]`: at least this many of class `k` at its `j`-th worker.
    pub lo: Vec<Vec<u32>>,
    /// `hi[k][j]`: at most this many.
    pub hi: Vec<Vec<u32>>,
    /// `allowed[g][j]`: group `g` may go to its `j`-th worker.
    pub allowed: Vec<Vec<bool>>,
    /// `forced[g]`: group `g` must go to this worker (position).
    pub forced: Vec<Option<usize>>,
    /// `total[k]`: at least `.0` and at most `.1` of class `k` allocated, over all its workers.
    pub total: Vec<(u32, u32)>,
    /// `must[g]`: group `g` must be placed (with one of its allowed workers).
    pub must: Vec<bool>,
}

impl Restrict {
    /// No restriction beyond the part's own rows.
    pub fn none(part: &Part) -> Self {
        Restrict {
            lo: part.classes.iter().map(|c| vec![0; c.workers.len()]).collect(),
            hi: part.classes.iter().map(|c| vec![c.cases.len() as u32; c.workers.len()]).collect(),
            allowed: part.groups.iter().map(|g| vec![true; g.workers.len()]).collect(),
            forced: vec![None; part.groups.len()],
            total: part.classes.iter().map(|c| (0, c.cases.len() as u32)).collect(),
            must: vec![false; part.groups.len()],
        }
    }

    /// False when the counts asked of a class cannot add up.
    fn consistent(&self) -> bool {
        let classes = self.total.iter().enumerate().all(|(k, &(lo, hi))| {
            lo <= hi && self.lo[k].iter().sum::<u32>() <= hi && lo <= self.hi[k].iter().sum::<u32>()
        });
        let groups = (0..self.must.len())
            .all(|g| !self.must[g] || self.forced[g].is_some() || self.allowed[g].iter().any(|&a| a));
        classes && groups
    }
}

/// One kind of item a worker's knapsack may take.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Cases of class `k` at the worker, its `j`-th; `kept` for those it holds today.
    Class { k: usize, j: usize, kept: bool },
    /// Group `g` at the worker, its `j`-th.
    Group { g: usize, j: usize },
}

#[derive(Clone, Copy, Debug)]
struct Item {
    kind: Kind,
    /// Size in load units.
    size: usize,
    /// Objective value of one (before prices).
    value: f64,
}

/// A worker's answer to its knapsack: how many of each item kind.
#[derive(Clone, Debug, Default)]
pub(super) struct Pattern {
    /// (item index in the worker's list, count)
    take: Vec<(usize, u32)>,
    /// Load in units.
    load: usize,
    /// Objective value (before prices), overload included.
    value: f64,
}

/// The bound's data for one part.
pub(super) struct Dual<'a> {
    m: &'a Model,
    part: &'a Part,
    unit: f64,
    /// Knapsack size of each worker, in units.
    caps: Vec<usize>,
    /// Item kinds of each worker.
    items: Vec<Vec<Item>>,
    /// Oversight room of each supervisor row, in weight.
    rooms: Vec<f64>,
    /// The most the part could be worth: every item's positive value, and every worker's
    /// largest gain from load alone (the fairness term pays for load below target).
    worth: f64,
}

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

impl<'a> Dual<'a> {
    /// The bound's data, or None when the part's weights have no common unit or the knapsacks
    /// would be too large.
    pub fn new(m: &'a Model, part: &'a Part) -> Option<Self> {
        let unit = part.unit?;
        let units = |x: f64| ((x / unit) + 1e-9).floor().max(0.0) as usize;
        let caps: Vec<usize> = part.rooms.iter().map(|r| units(r.cap)).collect();
        if caps.iter().any(|&c| c > MAX_LEVELS) {
            return None;
        }
        let mut items: Vec<Vec<Item>> = vec![Vec::new(); part.rooms.len()];
        for (k, class) in part.classes.iter().enumerate() {
            let size = (class.weight / unit).round() as usize;
            for (j, &w) in class.workers.iter().enumerate() {
                let v = part.unit_value(m, k, w, false);
                items[w].push(Item { kind: Kind::Class { k, j, kept: false }, size, value: v });
                if kept_count(part, k, w) > 0 {
                    let kv = v + m.policy.move_penalty;
                    items[w].push(Item { kind: Kind::Class { k, j, kept: true }, size, value: kv });
                }
            }
        }
        for (g, group) in part.groups.iter().enumerate() {
            let size = (group.weight / unit).round() as usize;
            for (j, &w) in group.workers.iter().enumerate() {
                items[w].push(Item { kind: Kind::Group { g, j }, size, value: group.value[j] });
            }
        }
        let rooms = part.overseers.iter().map(|o| floor_to(o.1, Some(unit))).collect();
        let mut worth: f64 = items.iter().flatten().map(|it| it.value.max(0.0)).sum();
        for (room, &cap) in part.rooms.iter().zip(&caps) {
            let cost = |l: usize| room.load_cost(&m.policy, l as f64 * unit);
            let least = (0..=cap).map(cost).fold(f64::INFINITY, f64::min);
            worth += (cost(0) - least).max(0.0);
        }
        Some(Dual { m, part, unit, caps, items, rooms, worth })
    }

    /// Prices, in order: each class's upper row, each group's row, each supervisor's
    /// oversight row, then the lower rows (subtracted): each class's, each group's.
    fn n_prices(&self) -> usize {
        2 * self.part.classes.len() + 2 * self.part.groups.len() + self.part.overseers.len()
    }

    /// Index of class `k`'s lower-row price.
    fn lo_class(&self, k: usize) -> usize {
        self.part.classes.len() + self.part.groups.len() + self.part.overseers.len() + k
    }

    /// Index of group `g`'s lower-row price.
    fn lo_group(&self, g: usize) -> usize {
        2 * self.part.classes.len() + self.part.groups.len() + self.part.overseers.len() + g
    }

    /// Price of the row item `it` uses (class or group), and the oversight price of worker `w`.
    fn item_price(&self, prices: &[f64], it: &Item, w: usize) -> f64 {
        let nk = self.part.classes.len();
        let ng = self.part.groups.len();
        let row = match it.kind {
            Kind::Class { k, .. } => prices[k] - prices[self.lo_class(k)],
            Kind::Group { g, .. } => prices[nk + g] - prices[self.lo_group(g)],
        };
        let over = self.part.rooms[w].overseer.map_or(0.0, |s| prices[nk + ng + s]);
        row + over * it.size as f64 * self.unit
    }

    /// The price-independent part of L: each row's right-hand side times its price.
    fn rhs_term(&self, prices: &[f64], r: &Restrict) -> f64 {
        self.rhs(r).iter().zip(prices).map(|(a, b)| a * b).sum()
    }

    /// Each price's coefficient in L: its row's right-hand side (negated for lower rows).
    fn rhs(&self, r: &Restrict) -> Vec<f64> {
        let mut rhs: Vec<f64> = r.total.iter().map(|t| t.1 as f64).collect();
        rhs.extend(std::iter::repeat_n(1.0, self.part.groups.len()));
        rhs.extend_from_slice(&self.rooms);
        rhs.extend(r.total.iter().map(|t| -(t.0 as f64)));
        rhs.extend(r.must.iter().map(|&m| if m { -1.0 } else { 0.0 }));
        rhs
    }

    /// Worker `w`'s best pattern at these prices under the restriction, with its priced value;
    /// None when the restriction cannot be met at this worker.
    fn knapsack(&self, w: usize, prices: &[f64], r: &Restrict) -> Option<(Pattern, f64)> {
        let part = self.part;
        let items = &self.items[w];
        // Forced copies first, then the free copies as 0/1 pieces (binary splitting).
        let mut forced: Vec<(usize, u32)> = Vec::new();
        let mut pieces: Vec<(usize, u32)> = Vec::new(); // (item, copies)
        let mut free: Vec<(usize, u32)> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let (f, n) = match it.kind {
                Kind::Class { k, j, kept } => {
                    let c = kept_count(part, k, part.classes[k].workers[j]);
                    let n = part.classes[k].cases.len() as u32;
                    let (lo, hi) = (r.lo[k][j], r.hi[k][j].min(n));
                    if lo > hi {
                        return None;
                    }
                    // Kept copies are worth more: a best pattern takes them first.
                    let fk = lo.min(c);
                    if kept {
                        (fk, (c - fk).min(hi - lo))
                    } else {
                        let fu = lo - fk;
                        let room = (hi - lo).saturating_sub(c - fk);
                        (fu, room.min(n - c - fu.min(n - c)))
                    }
                }
                Kind::Group { g, j } => match r.forced[g] {
                    Some(f) if f == j => (1, 0),
                    Some(_) => (0, 0),
                    None => (0, u32::from(r.allowed[g][j])),
                },
            };
            if f > 0 {
                forced.push((i, f));
            }
            if n > 0 {
                free.push((i, n));
            }
        }
        let forced_load: usize = forced.iter().map(|&(i, n)| items[i].size * n as usize).sum();
        let cap = self.caps[w].checked_sub(forced_load)?;
        let forced_value: f64 = forced
            .iter()
            .map(|&(i, n)| (items[i].value - self.item_price(prices, &items[i], w)) * n as f64)
            .sum();
        // The most a unit of load can be worth by itself: the fairness term pays for load below
        // target, most for the first unit (it is convex). An item worth no more than that
        // bound per unit, or nothing, is never in a best pattern.
        let room = &part.rooms[w];
        let cost_at = |l: usize| room.load_cost(&self.m.policy, l as f64 * self.unit);
        let bonus = (cost_at(forced_load) - cost_at(forced_load + 1)).max(0.0);
        for (i, n) in free {
            let it = &items[i];
            if it.value - self.item_price(prices, it, w) + bonus * it.size as f64 <= 1e-12 || it.size > cap {
                continue;
            }
            let mut left = n.min((cap / it.size.max(1)) as u32);
            let mut q = 1u32;
            while left > 0 {
                let take = q.min(left);
                pieces.push((i, take));
                left -= take;
                q *= 2;
            }
        }
        // 0/1 knapsack over exact loads, remembering each piece's choices.
        let levels = cap + 1;
        let mut best = vec![f64::NEG_INFINITY; levels];
        best[0] = 0.0;
        let mut took = vec![false; pieces.len() * levels];
        for (p, &(i, q)) in pieces.iter().enumerate() {
            let it = &items[i];
            let s = it.size * q as usize;
            let v = (it.value - self.item_price(prices, it, w)) * q as f64;
            for l in (s..levels).rev() {
                let cand = best[l - s] + v;
                if cand > best[l] + 1e-12 {
                    best[l] = cand;
                    took[p * levels + l] = true;
                }
            }
        }
        let over = |l: usize| room.load_cost(&self.m.policy, (l + forced_load) as f64 * self.unit);
        let (l_best, v_best) = (0..levels)
            .filter(|&l| best[l] > f64::NEG_INFINITY)
            .map(|l| (l, best[l] - over(l)))
            .fold((0, f64::NEG_INFINITY), |acc, x| if x.1 > acc.1 + 1e-12 { x } else { acc });
        let mut take = forced;
        let mut l = l_best;
        for p in (0..pieces.len()).rev() {
            if took[p * levels + l] {
                let (i, q) = pieces[p];
                take.push((i, q));
                l -= items[i].size * q as usize;
            }
        }
        let load = l_best + forced_load;
        let value = take.iter().map(|&(i, n)| items[i].value * n as f64).sum::<f64>()
            - room.load_cost(&self.m.policy, load as f64 * self.unit);
        Some((Pattern { take, load, value }, v_best + forced_value))
    }

    /// Every worker's knapsack at these prices: L, and the patterns. None if infeasible.
    fn evaluate(&self, prices: &[f64], r: &Restrict) -> Option<(f64, Vec<Pattern>)> {
        if !r.consistent() {
            return None;
        }
        let mut total = self.rhs_term(prices, r);
        let mut patterns = Vec::with_capacity(self.part.rooms.len());
        for w in 0..self.part.rooms.len() {
            let (p, v) = self.knapsack(w, prices, r)?;
            total += v;
            patterns.push(p);
        }
        Some((total, patterns))
    }

    /// Whether worker `w` may hold pattern `p` under restriction `r`.
    fn admits(&self, w: usize, p: &Pattern, r: &Restrict) -> bool {
        let part = self.part;
        let mut count: Vec<(usize, usize, u32)> = Vec::new();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for &(i, n) in &p.take {
            match self.items[w][i].kind {
                Kind::Class { k, j, .. } => match count.iter_mut().find(|c| c.0 == k) {
                    Some(c) => c.2 += n,
                    None => count.push((k, j, n)),
                },
                Kind::Group { g, j } => groups.push((g, j)),
            }
        }
        // Every class this worker may hold, present in the pattern or not, within its bounds.
        for it in &self.items[w] {
            if let Kind::Class { k, j, kept: false } = it.kind {
                let n = count.iter().find(|c| c.0 == k).map_or(0, |c| c.2);
                if n < r.lo[k][j] || n > r.hi[k][j] {
                    return false;
                }
            }
        }
        let groups_ok = groups.iter().all(|&(g, j)| r.forced[g].map_or(r.allowed[g][j], |f| f == j));
        let forced_ok = r.forced.iter().enumerate().all(|(g, f)| {
            f.is_none_or(|j| part.groups[g].workers[j] != w || groups.iter().any(|x| x.0 == g))
        });
        groups_ok && forced_ok
    }

    /// The patterns as an allocation (may over-use a class or place a group twice).
    fn as_alloc(&self, patterns: &[Pattern]) -> PartAlloc {
        let part = self.part;
        let mut a = super::alloc::empty_alloc(part);
        for (w, p) in patterns.iter().enumerate() {
            for &(i, n) in &p.take {
                match self.items[w][i].kind {
                    Kind::Class { k, j, .. } => a.counts[k][j] += n,
                    Kind::Group { g, j } => {
                        if a.groups[g].is_none() {
                            a.groups[g] = Some(j);
                        }
                    }
                }
            }
        }
        a
    }

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
