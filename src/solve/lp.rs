//! The linear programme of one part, solver-neutral, and its translations: to microlp's own
//! problem for the relaxations ([`to_microlp`]), and to `good_lp` for the `highs` backend
//! ([`to_good_lp`]); the first is the problem good_lp's microlp backend builds from the second,
//! bit for bit, without a model to copy it out of.
//!
//! Columns are arcs of the part's network (see [`crate::formulate`]); every column but the
//! overload columns must be whole in an allocation.

use super::params::{Budget, Effort};
use super::Limits;
use crate::formulate::{floor_to, Part};
use crate::model::Model;
#[cfg(any(feature = "highs", test))]
use good_lp::{variable, Expression, ProblemVariables, Solver, SolverModel, Variable};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a column means. Field letters: `k` a class, `h` a hub, `mk` a market, `w` a worker (local to the
/// part), `g` a group, `j` a position in the group's list of permitted workers.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    /// Cases of class `k` sent to hub `h`.
    ClassHub { k: usize, h: usize },
    /// Cases of class `k` sent to other teams through market `mk`.
    ClassMarket { k: usize, mk: usize },
    /// Cases from market `mk` to hub `h`.
    MarketHub { mk: usize, h: usize },
    /// Cases of class `k` kept with today's worker `w` (local index).
    Keep { k: usize, w: usize },
    /// Cases of class `k` returned to `w` (local), one of their previous workers.
    Return { k: usize, w: usize },
    /// Cases from hub `h` to worker `w` (local).
    HubWorker { h: usize, w: usize },
    /// Group `g` placed with its `j`-th permitted worker.
    Group { g: usize, j: usize },
    /// Group `g` sent to pool `pool`: workers of one team it is worth the same at (see
    /// [`build_pooled`]).
    GroupPool { g: usize, pool: usize },
    /// Group `g` sent to market `mk`: pools of several teams it is worth the same at.
    GroupMarket { g: usize, mk: usize },
    /// Groups from market `mk` to pool `pool`.
    MarketPool { mk: usize, pool: usize },
    /// Groups from pool `pool` placed with worker `w` (local).
    PoolWorker { pool: usize, w: usize },
    /// Overload of worker `w` in the first, partial unit above target.
    Over1 { w: usize },
    /// Overload of worker `w` beyond that.
    Over2 { w: usize },
    /// The `i`-th stretch of worker `w`'s load, priced by the fairness term.
    Fair { w: usize, i: usize },
}

/// A hub: the permitted workers of one team for one profile and weight.
#[derive(Clone, Debug)]
pub struct Hub {
    /// Weight of every case through the hub.
    pub weight: f64,
    /// Local workers.
    pub workers: Vec<usize>,
}

/// A row: sum of coefficient x column, compared with `rhs`.
#[derive(Clone, Debug)]
pub struct Row {
    /// Sparse coefficients.
    pub coefs: Vec<(usize, f64)>,
    /// True for `=`, false for `<=`.
    pub eq: bool,
    /// Right-hand side.
    pub rhs: f64,
}

/// The programme of one part (maximise).
#[derive(Clone, Debug, Default)]
pub struct Lp {
    /// Meaning of each column.
    pub cols: Vec<Col>,
    /// Objective coefficient of each column.
    pub obj: Vec<f64>,
    /// Upper bound of each column (lower bounds are 0).
    pub hi: Vec<f64>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Hubs.
    pub hubs: Vec<Hub>,
    /// Markets: the other teams' hubs a set of classes may reach at the cross-team penalty.
    pub markets: Vec<Vec<usize>>,
    /// The rows that join workers ([`Lp::linking_prices`]).
    pub linking: Linking,
}

/// Where the rows that join workers are, in the order of the Lagrangian's upper rows.
#[derive(Clone, Debug, Default)]
pub struct Linking {
    /// Each class's count.
    pub classes: Vec<usize>,
    /// Each group's one placement.
    pub groups: Vec<usize>,
    /// Each supervisor's oversight; `None` where no supervisee holds anything (no row).
    pub overseers: Vec<Option<usize>>,
}

impl Lp {
    /// A new column. A value no larger than [`crate::tolerance::TIE`] is no value (as the
    /// knapsacks of the integer search hold it): a case of a priority that small is not
    /// allocated for it, whichever optimum the simplex reaches.
    fn col(&mut self, c: Col, obj: f64, hi: f64) -> usize {
        let obj = if obj.abs() <= crate::tolerance::TIE { 0.0 } else { obj };
        self.cols.push(c);
        self.obj.push(obj);
        self.hi.push(hi);
        self.cols.len() - 1
    }

    /// A node of the network: the columns `inflow` enter it, and a new column (no value, no
    /// bound) leaves it for each of `outs`, in order; adds its balance row and returns the new
    /// columns.
    fn node(&mut self, inflow: &[usize], outs: impl IntoIterator<Item = Col>) -> Vec<usize> {
        let mut coefs: Vec<(usize, f64)> = inflow.iter().map(|&j| (j, 1.0)).collect();
        let out: Vec<usize> = outs.into_iter().map(|c| self.col(c, 0.0, f64::INFINITY)).collect();
        coefs.extend(out.iter().map(|&j| (j, -1.0)));
        self.rows.push(Row { coefs, eq: true, rhs: 0.0 });
        out
    }

    /// Whether column `j` must be whole.
    pub fn is_integer(&self, j: usize) -> bool {
        !matches!(self.cols[j], Col::Over1 { .. } | Col::Over2 { .. } | Col::Fair { .. })
    }

    /// Prices of the rows that join workers ([`Lp::linking`]'s order, nonnegative) from
    /// `row_prices`, a price for every row at an optimum of this programme's relaxation: where
    /// the Lagrangian bound of the integer search may start.
    ///
    /// Relaxing those rows at these prices leaves, for every worker, the relaxation's own
    /// choice of loads, and so a bound equal to the relaxation's optimum, except where a
    /// column that serves several workers sits at its upper bound with a positive reduced
    /// cost: a class sent whole through one hub or market, a group through one pool or market.
    /// Nothing in a worker's knapsack holds that bound, so its value is moved onto the class's
    /// (or group's) own row, whose price rises by the reduced cost: the relaxation's optimum
    /// is unchanged (the row is as tight as the column), and the knapsacks, whose integer loads
    /// can only do worse than the relaxation's, start at or below its bound.
    pub fn linking_prices(&self, row_prices: &[f64]) -> Vec<f64> {
        let mut reduced = self.obj.clone();
        for (row, &y) in self.rows.iter().zip(row_prices) {
            for &(j, a) in &row.coefs {
                reduced[j] -= y * a;
            }
        }
        let l = &self.linking;
        let mut shift = vec![0.0_f64; l.classes.len() + l.groups.len()];
        for (j, c) in self.cols.iter().enumerate() {
            let at = match *c {
                Col::ClassHub { k, .. } | Col::ClassMarket { k, .. } => k,
                Col::GroupPool { g, .. } | Col::GroupMarket { g, .. } => l.classes.len() + g,
                _ => continue,
            };
            shift[at] = shift[at].max(reduced[j]);
        }
        let price = |r: usize| row_prices[r].max(0.0);
        let rows = l.classes.iter().chain(&l.groups).zip(&shift).map(|(&r, s)| price(r) + s);
        rows.chain(l.overseers.iter().map(|r| r.map_or(0.0, price))).collect()
    }
}

/// Builds the programme of a part.
pub fn build(m: &Model, part: &Part) -> Lp {
    build_with(m, part, Groups::Every)
}

/// The programme of a part with only the group columns `keep` marks (for group `g`, one flag
/// per permitted worker): its allocations are lawful; its optimum is no bound on the part's.
pub fn build_only(m: &Model, part: &Part, keep: &[Vec<bool>]) -> Lp {
    build_with(m, part, Groups::Only(keep))
}

/// For each group, the workers it is worth most at: its own team's, where no cross-team
/// penalty applies. What a district's group columns mostly are, and [`build_only`] with them
/// stays small.
pub fn home_columns(m: &Model, part: &Part) -> Vec<Vec<bool>> {
    part.groups
        .iter()
        .map(|item| {
            let top = item.value.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            item.value.iter().map(|&v| v >= top - 0.5 * m.policy.cross_team_penalty).collect()
        })
        .collect()
}

/// The programme of a part with the same relaxation as [`build`]'s, and far fewer columns
/// where groups may go to many workers: the workers of one team a group is worth the same at
/// (every permitted worker of another team, bar its children's current and previous workers)
/// are reached through a pool, shared by every group of the same weight with the same such
/// workers, and the pools of several teams through a market, as classes reach other teams'
/// hubs. A fractional placement of groups at workers is a flow through the pools and back, so
/// the optimum is the same; a whole flow need not be a whole placement, so this programme is
/// for the bound only.
pub fn build_pooled(m: &Model, part: &Part) -> Lp {
    build_with(m, part, Groups::Pooled)
}

/// Adds to `keep` (as [`build_only`] takes it) every group column that `values`, a solution of
/// [`build_pooled`]'s programme `pooled`, may send the group through: a group's pools, and the
/// pools its markets send anything to, with all their workers.
pub fn pooled_use(part: &Part, pooled: &Lp, values: &[f64], keep: &mut [Vec<bool>]) {
    const USED: f64 = crate::tolerance::CONVERGED;
    let mut pool_workers: Vec<Vec<usize>> = Vec::new();
    let mut market_pools: Vec<Vec<usize>> = Vec::new();
    for (j, c) in pooled.cols.iter().enumerate() {
        match *c {
            Col::PoolWorker { pool, w } => {
                pool_workers.resize(pool_workers.len().max(pool + 1), Vec::new());
                pool_workers[pool].push(w);
            }
            Col::MarketPool { mk, pool } if values[j] > USED => {
                market_pools.resize(market_pools.len().max(mk + 1), Vec::new());
                market_pools[mk].push(pool);
            }
            _ => {}
        }
    }
    let mark = |keep: &mut [Vec<bool>], g: usize, pool: usize| {
        for w in pool_workers.get(pool).into_iter().flatten() {
            if let Some(j) = part.groups[g].workers.iter().position(|x| x == w) {
                keep[g][j] = true;
            }
        }
    };
    for (j, c) in pooled.cols.iter().enumerate() {
        if values[j] <= USED {
            continue;
        }
        match *c {
            Col::Group { g, j } => keep[g][j] = true,
            Col::GroupPool { g, pool } => mark(keep, g, pool),
            Col::GroupMarket { g, mk } => {
                for &pool in market_pools.get(mk).into_iter().flatten() {
                    mark(keep, g, pool);
                }
            }
            _ => {}
        }
    }
}

/// Which group columns a programme has.
#[derive(Clone, Copy, PartialEq)]
enum Groups<'a> {
    /// A column for each group at each of its workers.
    Every,
    /// Only the columns marked.
    Only(&'a [Vec<bool>]),
    /// Through pools where a group is worth the same at two or more workers.
    Pooled,
}

fn build_with(m: &Model, part: &Part, groups: Groups) -> Lp {
    let mut lp = Lp::default();
    let nw = part.workers.len();
    let pen = m.policy.overload_penalty;
    let unit = part.unit;
    // Load terms of each worker: (column, weight).
    let mut load: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nw];

    let mut hub_index: HashMap<(Vec<usize>, u64), usize> = HashMap::new();
    let mut hub_inflow: Vec<Vec<usize>> = Vec::new();
    let mut market_index: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut market_inflow: Vec<Vec<usize>> = Vec::new();
    for (k, class) in part.classes.iter().enumerate() {
        let n = class.cases.len() as f64;
        let mut class_row = Vec::new();
        // Partition the class's workers by team; one hub per (team's workers, weight).
        let mut by_team: Vec<(usize, Vec<usize>)> = Vec::new();
        for &w in &class.workers {
            bucket(&mut by_team, part.workers[w].team, w);
        }
        let mut all_hubs = Vec::new();
        let mut other_hubs = 0;
        for (t, ws) in by_team {
            let key = (ws.clone(), class.weight.to_bits());
            let h = *hub_index.entry(key).or_insert_with(|| {
                lp.hubs.push(Hub { weight: class.weight, workers: ws.clone() });
                hub_inflow.push(Vec::new());
                lp.hubs.len() - 1
            });
            all_hubs.push(h);
            if t == class.team {
                let j = lp.col(Col::ClassHub { k, h }, class.priority, n);
                class_row.push((j, 1.0));
                hub_inflow[h].push(j);
            } else {
                other_hubs += 1;
            }
        }
        // Other teams' hubs all cost the same cross-team penalty: reach them through one market
        // node per set of hubs, shared by every class with that set, instead of one arc per
        // (class, team). The market also reaches the class's own hub, but never usefully: the
        // direct arc there is worth more.
        if other_hubs > 0 {
            all_hubs.sort_unstable();
            let mk = *market_index.entry(all_hubs.clone()).or_insert_with(|| {
                lp.markets.push(all_hubs.clone());
                market_inflow.push(Vec::new());
                lp.markets.len() - 1
            });
            let j = lp.col(Col::ClassMarket { k, mk }, class.priority - m.policy.cross_team_penalty, n);
            class_row.push((j, 1.0));
            market_inflow[mk].push(j);
        }
        // A return is worth the bonus more than the same worker through the hub.
        for &w in &class.previous {
            let j = lp.col(Col::Return { k, w }, part.unit_value(m, k, w, false), n);
            class_row.push((j, 1.0));
            load[w].push((j, class.weight));
        }
        for &(w, count) in &class.current {
            let j = lp.col(Col::Keep { k, w }, part.unit_value(m, k, w, true), count as f64);
            class_row.push((j, 1.0));
            load[w].push((j, class.weight));
        }
        lp.linking.classes.push(lp.rows.len());
        lp.rows.push(Row { coefs: class_row, eq: false, rhs: n });
    }
    for (mk, inflow) in market_inflow.iter().enumerate() {
        let hubs = lp.markets[mk].clone();
        let out = lp.node(inflow, hubs.iter().map(|&h| Col::MarketHub { mk, h }));
        for (j, h) in out.into_iter().zip(hubs) {
            hub_inflow[h].push(j);
        }
    }
    for (h, inflow) in hub_inflow.iter().enumerate() {
        let (weight, workers) = (lp.hubs[h].weight, lp.hubs[h].workers.clone());
        let out = lp.node(inflow, workers.iter().map(|&w| Col::HubWorker { h, w }));
        for (j, w) in out.into_iter().zip(workers) {
            load[w].push((j, weight));
        }
    }
    // Pools, keyed by (one team's workers, weight): the columns that enter each, the weight,
    // the workers. Markets, keyed by their pools: the columns that enter each.
    let mut pool_index: HashMap<(Vec<usize>, u64), usize> = HashMap::new();
    let mut pools: Vec<(Vec<usize>, f64, Vec<usize>)> = Vec::new();
    let mut group_market_index: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut group_markets: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for (g, item) in part.groups.iter().enumerate() {
        let mut coefs = Vec::new();
        if groups != Groups::Pooled {
            for (j, &w) in item.workers.iter().enumerate() {
                if matches!(groups, Groups::Only(keep) if !keep[g][j]) {
                    continue;
                }
                let c = lp.col(Col::Group { g, j }, item.value[j], 1.0);
                coefs.push((c, 1.0));
                load[w].push((c, item.weight));
            }
            lp.linking.groups.push(lp.rows.len());
            lp.rows.push(Row { coefs, eq: false, rhs: 1.0 });
            continue;
        }
        // The workers the group is worth the same at go through pools, where two or more do.
        let mut by_value: Vec<(u64, Vec<usize>)> = Vec::new();
        for (j, &v) in item.value.iter().enumerate() {
            bucket(&mut by_value, v.to_bits(), j);
        }
        for (bits, js) in by_value {
            let value = f64::from_bits(bits);
            if js.len() == 1 {
                let c = lp.col(Col::Group { g, j: js[0] }, value, 1.0);
                coefs.push((c, 1.0));
                load[item.workers[js[0]]].push((c, item.weight));
                continue;
            }
            let mut by_team: Vec<(usize, Vec<usize>)> = Vec::new();
            for &j in &js {
                let w = item.workers[j];
                bucket(&mut by_team, part.workers[w].team, w);
            }
            let mut in_pools: Vec<usize> = by_team
                .into_iter()
                .map(|(_, ws)| {
                    *pool_index.entry((ws.clone(), item.weight.to_bits())).or_insert_with(|| {
                        pools.push((Vec::new(), item.weight, ws));
                        pools.len() - 1
                    })
                })
                .collect();
            in_pools.sort_unstable();
            if let [pool] = in_pools[..] {
                let c = lp.col(Col::GroupPool { g, pool }, value, 1.0);
                coefs.push((c, 1.0));
                pools[pool].0.push(c);
                continue;
            }
            let mk = *group_market_index.entry(in_pools.clone()).or_insert_with(|| {
                group_markets.push((Vec::new(), in_pools));
                group_markets.len() - 1
            });
            let c = lp.col(Col::GroupMarket { g, mk }, value, 1.0);
            coefs.push((c, 1.0));
            group_markets[mk].0.push(c);
        }
        lp.linking.groups.push(lp.rows.len());
        lp.rows.push(Row { coefs, eq: false, rhs: 1.0 });
    }
    for (mk, (inflow, to)) in group_markets.into_iter().enumerate() {
        let out = lp.node(&inflow, to.iter().map(|&pool| Col::MarketPool { mk, pool }));
        for (j, pool) in out.into_iter().zip(to) {
            pools[pool].0.push(j);
        }
    }
    for (pool, (inflow, weight, workers)) in pools.into_iter().enumerate() {
        let out = lp.node(&inflow, workers.iter().map(|&w| Col::PoolWorker { pool, w }));
        for (j, w) in out.into_iter().zip(workers) {
            load[w].push((j, weight));
        }
    }
    let mut oversight: Vec<Vec<(usize, f64)>> = vec![Vec::new(); part.overseers.len()];
    for (w, room) in part.workers.iter().enumerate() {
        if load[w].is_empty() {
            continue;
        }
        let cap = floor_to(room.cap, unit);
        lp.rows.push(Row { coefs: load[w].clone(), eq: false, rhs: cap });
        if let Some(s) = room.overseer {
            oversight[s].extend_from_slice(&load[w]);
        }
        if pen > 0.0 && room.target < cap {
            let mut coefs = load[w].clone();
            let t0 = match unit {
                Some(u) if room.target > 0.0 => {
                    let t0 = floor_to(room.target, unit);
                    if room.target - t0 > crate::tolerance::FLOOR {
                        // The first unit above t0 costs only its share above the true target.
                        let j = lp.col(Col::Over1 { w }, -pen * (t0 + u - room.target) / u, u);
                        coefs.push((j, -1.0));
                    }
                    t0
                }
                _ => room.target,
            };
            let j = lp.col(Col::Over2 { w }, -pen, f64::INFINITY);
            coefs.push((j, -1.0));
            lp.rows.push(Row { coefs, eq: false, rhs: t0 });
        }
        if m.policy.fairness_penalty > 0.0 && room.goal > 0.0 {
            fairness_stretches(m, part, w, cap, &load[w], &mut lp);
        }
    }
    for (s, coefs) in oversight.into_iter().enumerate() {
        if coefs.is_empty() {
            lp.linking.overseers.push(None);
        } else {
            lp.linking.overseers.push(Some(lp.rows.len()));
            lp.rows.push(Row { coefs, eq: false, rhs: floor_to(part.overseers[s].1, unit) });
        }
    }
    lp
}

/// Puts `v` in the bucket of `key`, a new one at the end if there is none yet: buckets keep
/// the order their keys first came in.
fn bucket<K: PartialEq, V>(buckets: &mut Vec<(K, Vec<V>)>, key: K, v: V) {
    match buckets.iter_mut().find(|(k, _)| *k == key) {
        Some((_, vs)) => vs.push(v),
        None => buckets.push((key, vec![v])),
    }
}

/// The fairness term of worker `w` as stretches of its load, each priced at the slope of the
/// term across it: `load = sum of stretches`, with stretches filled cheapest first because the
/// term is convex. The breakpoints are every load an allocation can give the worker (multiples
/// of the one weight in a network part, so its flow stays whole; of the common unit otherwise),
/// where the stretches price the term exactly; with no common unit, at whole total loads,
/// where the term itself bends, so they price it exactly everywhere.
fn fairness_stretches(m: &Model, part: &Part, w: usize, cap: f64, load: &[(usize, f64)], lp: &mut Lp) {
    let room = &part.workers[w];
    let p = &m.policy;
    let step = if part.is_network() { part.classes.first().map(|c| c.weight) } else { part.unit };
    let mut points = vec![0.0];
    match step {
        Some(s) if s > 0.0 => {
            let n = (cap / s + crate::tolerance::FLOOR).floor() as usize;
            points.extend((1..=n).map(|i| i as f64 * s));
        }
        _ => {
            let mut x = (room.fixed + crate::tolerance::FLOOR).ceil() - room.fixed;
            while x < cap - crate::tolerance::FLOOR {
                if x > crate::tolerance::FLOOR {
                    points.push(x);
                }
                x += 1.0;
            }
            points.push(cap);
        }
    }
    let cost = |x: f64| crate::objective::fairness(p, room.goal, room.fixed + x);
    let mut coefs = load.to_vec();
    for (i, pair) in points.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        let j = lp.col(Col::Fair { w, i }, -(cost(b) - cost(a)) / (b - a), b - a);
        coefs.push((j, -1.0));
    }
    lp.rows.push(Row { coefs, eq: true, rhs: 0.0 });
}

/// A solved relaxation: column values and objective, with microlp's state for warm starts.
pub struct Relaxation {
    /// Column values.
    pub values: Vec<f64>,
    /// Objective.
    pub objective: f64,
    /// microlp's solution, to branch from with its dual simplex.
    pub state: microlp::Solution,
    /// microlp's handle of each column.
    pub vars: Vec<microlp::Variable>,
}

impl Relaxation {
    /// The prices of `lp`'s rows that join workers at this optimum ([`Lp::linking_prices`]);
    /// `None` if the basis gives no finite ones.
    pub fn linking_prices(&mut self, lp: &Lp) -> Option<Vec<f64>> {
        let rows = self.state.constraint_prices()?;
        let prices = lp.linking_prices(&rows);
        prices.iter().all(|p| p.is_finite()).then_some(prices)
    }
}

/// The one translation of a part's programme into `good_lp`: a model for `solver` (maximise),
/// and the variable of each column. With `integer`, the columns that must be whole
/// ([`Lp::is_integer`]) are integer variables; otherwise every column is continuous (the
/// relaxation). Columns, objective and rows go in the programme's order, whatever the solver.
#[cfg(any(feature = "highs", test))]
pub(super) fn to_good_lp<S: Solver>(lp: &Lp, integer: bool, solver: S) -> (S::Model, Vec<Variable>) {
    let mut pv = ProblemVariables::new();
    let vars: Vec<Variable> = (0..lp.cols.len())
        .map(|j| {
            let v = variable().min(0.0).max(lp.hi[j]);
            pv.add(if integer && lp.is_integer(j) { v.integer() } else { v })
        })
        .collect();
    let mut objective = Expression::with_capacity(vars.len());
    for (j, &c) in lp.obj.iter().enumerate() {
        if c != 0.0 {
            objective.add_mul(c, vars[j]);
        }
    }
    let mut model = pv.maximise(objective).using(solver);
    for row in &lp.rows {
        let mut e = Expression::with_capacity(row.coefs.len());
        for &(j, c) in &row.coefs {
            e.add_mul(c, vars[j]);
        }
        model.add_constraint(if row.eq { e.eq(row.rhs) } else { e.leq(row.rhs) });
    }
    (model, vars)
}

/// Solves the relaxation of a part with `good_lp` and microlp, with no limit.
pub fn solve_relaxation(lp: &Lp) -> Result<Relaxation, String> {
    let effort = Effort { nodes: None, ..Effort::DEFAULT };
    solve_within(lp, &effort, &mut Budget::new(&effort), &microlp::PivotMeter::new(), &Limits::default())?
        .ok_or_else(|| "the relaxation stopped with no limit".to_string())
}

/// The relaxation of `lp` as microlp's problem (maximise; every column continuous, from 0 to
/// its upper bound), built as good_lp's microlp backend builds it from [`to_good_lp`]'s model,
/// so that the simplex takes the same path: the same columns and rows in the same order, each
/// coefficient as good_lp's expressions add it up (from `0.0`, a column that appears twice in a
/// row summed in the row's order), each right-hand side as good_lp moves it across (`rhs - 0`
/// and back). Built directly, the problem is held once: good_lp's model only lends it, so
/// solving it through good_lp meant a copy of the largest programme of the run.
pub(crate) fn to_microlp(lp: &Lp) -> microlp::Problem {
    let mut problem = microlp::Problem::new(microlp::OptimizationDirection::Maximize);
    let vars: Vec<microlp::Variable> = (0..lp.cols.len())
        .map(|j| {
            let c = lp.obj[j];
            problem.add_var(if c != 0.0 { added(0.0, c) } else { 0.0 }, (0.0, lp.hi[j]))
        })
        .collect();
    // Where a column already is in the row being built (usize::MAX: not yet).
    let mut slot = vec![usize::MAX; lp.cols.len()];
    let mut terms: Vec<(usize, f64)> = Vec::new();
    for row in &lp.rows {
        terms.clear();
        for &(j, c) in &row.coefs {
            match slot[j] {
                usize::MAX => {
                    slot[j] = terms.len();
                    terms.push((j, added(0.0, c)));
                }
                at => terms[at].1 = added(terms[at].1, c),
            }
        }
        let mut expr = microlp::LinearExpr::empty();
        for &(j, c) in &terms {
            slot[j] = usize::MAX;
            expr.add(vars[j], c);
        }
        let op = if row.eq { microlp::ComparisonOp::Eq } else { microlp::ComparisonOp::Le };
        // good_lp keeps `expression - rhs <= 0` and hands microlp the constant negated.
        problem.add_constraint(expr, op, -added(0.0, -row.rhs));
    }
    problem
}

/// `sum + c`, as good_lp's `add_mul` adds a term (`c` times a variable's coefficient, 1,
/// which changes no bit); kept apart so that `0.0 + c` reads as the deliberate step it is (it
/// turns `-0.0` into `0.0`, as good_lp does).
fn added(sum: f64, c: f64) -> f64 {
    sum + c
}

/// Solves the relaxation of a part within what `budget` has left, and charges it what the
/// solve did ([`pivot_work`] per simplex iteration, and one more for setting up: microlp's
/// iterations counted under `effort`'s rates). Every relaxation solved here is a root, so it
/// may also spend its allowance ([`root_allowance`]) once the budget is spent. `None` when
/// the budget (and the allowance) stopped the simplex before the optimum: the budget is then
/// spent. `meter` counts the solve's simplex iterations, and those of every re-solve from its
/// state. `limits`' deadline (`--time-limit`) and stop (Ctrl-C) stop the simplex too, as the
/// budget does: a root of a large district takes minutes, and both must be heard within them
/// ([`watched`]).
///
/// The programme goes to microlp through [`to_microlp`], the problem good_lp's microlp backend
/// would build, with the pivot limit good_lp cannot pass on.
pub(crate) fn solve_within(
    lp: &Lp,
    effort: &Effort,
    budget: &mut Budget,
    meter: &microlp::PivotMeter,
    limits: &Limits,
) -> Result<Option<Relaxation>, String> {
    let mut problem = to_microlp(lp);
    if let Some(deadline) = limits.deadline {
        problem.set_time_limit(deadline.saturating_duration_since(std::time::Instant::now()));
    }
    let per = pivot_work(lp, effort);
    problem.set_pivot_meter(meter.clone());
    if let Some(pivots) = budget.pivots_left_beyond(per, root_allowance(lp, effort)) {
        problem.set_pivot_limit(pivots);
    }
    let before = meter.pivots();
    let stop = limits.stop.filter(|_| lp_size(lp) >= WATCHED_SIZE);
    let outcome = watched(meter, stop, || problem.solve());
    drop(problem);
    let pivots = meter.pivots().saturating_sub(before);
    budget.charge(pivots.saturating_add(1).saturating_mul(per));
    let state = match outcome.map_err(|e| good_lp::ResolutionError::from(e).to_string())? {
        microlp::SolveOutcome::Solution(state) => state,
        microlp::SolveOutcome::Interrupted(_) => {
            budget.exhaust();
            return Ok(None);
        }
    };
    let vars: Vec<microlp::Variable> = state.iter().map(|(v, _)| v).collect();
    let values = values_of(&state, &vars);
    let objective = state.objective();
    Ok(Some(Relaxation { values, objective, state, vars }))
}

/// Runs `solve` (a microlp operation metered by `meter`) while a watcher thread looks at
/// `stop` every [`WATCH_EVERY`] and, once it is set, asks the meter to stop: microlp hears no
/// flag of ours, only its meter, and a district's relaxation runs for minutes between the
/// checks the search makes. The watcher ends with `solve`. Without a stop, or when no thread
/// can be started (the solve then runs unwatched, as the deadline still stops it), `solve`
/// simply runs.
fn watched<T>(meter: &microlp::PivotMeter, stop: Option<&AtomicBool>, solve: impl FnOnce() -> T) -> T {
    let Some(stop) = stop else { return solve() };
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let watcher = std::thread::Builder::new().spawn_scoped(scope, || {
            while !done.load(Ordering::Relaxed) {
                if stop.load(Ordering::Relaxed) {
                    meter.stop();
                    return;
                }
                std::thread::park_timeout(WATCH_EVERY);
            }
        });
        let out = solve();
        done.store(true, Ordering::Relaxed);
        if let Ok(watcher) = watcher {
            watcher.thread().unpark();
        }
        out
    })
}

/// How often [`watched`] looks at the stop.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// The programmes of at least this many rows, columns and nonzeros ([`lp_size`]) are solved
/// [`watched`]: below it a relaxation takes milliseconds, fewer than a thread costs to start
/// on each of a what-if sweep's hundreds of team parts.
const WATCHED_SIZE: usize = 20_000;

/// The rows, columns and nonzeros of `lp`: what one simplex iteration reads at least once.
fn lp_size(lp: &Lp) -> usize {
    let nnz: usize = lp.rows.iter().map(|r| r.coefs.len()).sum();
    lp.rows.len() + lp.cols.len() + nnz
}

/// The work a root relaxation of `lp` may do beyond its part's node limit:
/// [`Effort::root_pivots_per_row`] simplex iterations per row and
/// [`Effort::root_pivots_per_column`] per column, each charged [`pivot_work`], and never more
/// than [`ROOT_WORK_TIMES`] times the part's whole budget ([`Effort::work`]). An iteration
/// reads every column, so without that cap the allowance grows with the square of a
/// programme's columns: one team of 3,000 posts and 8,000 cases (1.2 million columns) was
/// allowed 1.2 million iterations of 3.6 million units each, minutes of a default run.
pub(crate) fn root_allowance(lp: &Lp, effort: &Effort) -> u64 {
    let rows = effort.root_pivots_per_row.saturating_mul(lp.rows.len() as u64);
    let cols = effort.root_pivots_per_column.saturating_mul(lp.cols.len() as u64);
    let asked = rows.saturating_add(cols).saturating_mul(pivot_work(lp, effort));
    asked.min(effort.work().saturating_mul(ROOT_WORK_TIMES))
}

/// A root's allowance is at most this many times its part's budget ([`root_allowance`]): far
/// above what the districts' roots spend (10,000 cases: 2.2 of the budget's 5 billion units),
/// so it binds only where a programme's columns run to the hundreds of thousands.
pub(crate) const ROOT_WORK_TIMES: u64 = 10;

/// What one simplex iteration of microlp on programme `lp` is charged, in the budget's units:
/// [`Effort::pivot_units`] for each row, column and nonzero of the programme, the elements an
/// iteration reads at least once (pricing every column, the ratio test every row, the pivot
/// row every nonzero).
pub(crate) fn pivot_work(lp: &Lp, effort: &Effort) -> u64 {
    (lp_size(lp) as u64).saturating_mul(effort.pivot_units).max(1)
}

/// Reads the values of a microlp solution.
pub fn values_of(state: &microlp::Solution, vars: &[microlp::Variable]) -> Vec<f64> {
    vars.iter().map(|&v| state.var_value(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// microlp's constraint prices (caseload's patch of it) are an optimal dual solution of
    /// the relaxation: nonnegative on its `<=` rows (it maximises), zero on a row with room
    /// left or no column at all, no column held below its upper bound while it would gain,
    /// none above zero while it would lose, and worth the objective (strong duality). On
    /// random programmes whose rows are scaled far from one, as microlp scales them back inside.
    #[test]
    fn constraint_prices_are_an_optimal_dual_solution() {
        let mut g = crate::generate::SplitMix64::new(5);
        let mut positive = 0;
        for case in 0..300 {
            let (nr, nc) = (1 + g.below(6), 1 + g.below(8));
            let mut lp = Lp::default();
            for j in 0..nc {
                lp.col(Col::Over2 { w: j }, g.unit() * 10.0 - 2.0, 1.0 + g.below(6) as f64);
            }
            for _ in 0..nr {
                let scale = [1.0, 1e-3, 1e4][g.below(3)];
                let mut coefs = Vec::new();
                for j in 0..nc {
                    if g.chance(0.5) {
                        coefs.push((j, scale * (0.5 + 3.0 * g.unit())));
                    }
                }
                lp.rows.push(Row { coefs, eq: false, rhs: scale * g.below(10) as f64 });
            }
            let mut relaxed = solve_relaxation(&lp).unwrap();
            let y = relaxed.state.constraint_prices().unwrap();
            assert_eq!(y.len(), nr);
            let tol = 1e-7;
            let mut reduced = lp.obj.clone();
            let mut dual_value = 0.0;
            for (r, row) in lp.rows.iter().enumerate() {
                let scale = row.coefs.iter().map(|c| c.1).fold(row.rhs, f64::max).max(1.0);
                let used: f64 = row.coefs.iter().map(|&(j, a)| a * relaxed.values[j]).sum();
                assert!(y[r] * scale >= -tol, "case {case}, row {r}: price {}", y[r]);
                if row.coefs.is_empty() || used < row.rhs - tol * scale {
                    assert!(y[r].abs() * scale <= tol, "case {case}, row {r} has room, price {}", y[r]);
                }
                for &(j, a) in &row.coefs {
                    reduced[j] -= y[r] * a;
                }
                dual_value += y[r] * row.rhs;
                positive += usize::from(y[r] > tol);
            }
            for (j, &d) in reduced.iter().enumerate() {
                let x = relaxed.values[j];
                assert!(d <= tol || x >= lp.hi[j] - tol, "case {case}, column {j} gains {d} at {x}");
                assert!(d >= -tol || x <= tol, "case {case}, column {j} loses {d} at {x}");
                dual_value += lp.hi[j] * d.max(0.0);
            }
            let gap = (dual_value - relaxed.objective).abs();
            assert!(
                gap <= 1e-6 * relaxed.objective.abs().max(1.0),
                "case {case}: dual {dual_value}, primal {}",
                relaxed.objective
            );
        }
        assert!(positive > 100, "{positive} binding rows priced");
    }

    /// A transportation programme (3 sources, 4 sinks, maximise), which takes microlp several
    /// simplex iterations.
    fn transport() -> Lp {
        let (supply, demand) = ([4.0, 3.0, 5.0], [2.0, 3.0, 4.0, 3.0]);
        let mut lp = Lp::default();
        let mut by_sink: Vec<Vec<(usize, f64)>> = vec![Vec::new(); demand.len()];
        for (i, &s) in supply.iter().enumerate() {
            let mut coefs = Vec::new();
            for (j, sink) in by_sink.iter_mut().enumerate() {
                let c = lp.col(Col::Over2 { w: i * 10 + j }, ((i * 7 + j * 3) % 5 + 1) as f64, f64::INFINITY);
                coefs.push((c, 1.0));
                sink.push((c, 1.0));
            }
            lp.rows.push(Row { coefs, eq: false, rhs: s });
        }
        for (coefs, &d) in by_sink.into_iter().zip(&demand) {
            lp.rows.push(Row { coefs, eq: false, rhs: d });
        }
        lp
    }

    /// The problem [`to_microlp`] builds and the one good_lp's microlp backend builds from
    /// [`to_good_lp`] take microlp down the same path: the same iterations, the same optimum
    /// and the same values, bit for bit; on a district's programme with every group column, on
    /// its pooled programme, and on a programme whose rows name a column twice.
    #[test]
    fn microlps_problem_built_directly_is_the_one_good_lp_builds() {
        use crate::generate::{generate, GenerateOptions};
        let options = GenerateOptions {
            cases: 160,
            workers: 12,
            teams: 3,
            seed: 4,
            weights: true,
            groups: 0.3,
            cross_team: true,
            ..Default::default()
        };
        let m =
            crate::load_model_bytes("m.json", &crate::write::to_json(&generate(&options).unwrap())).unwrap();
        let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
        let part = problem.parts.iter().max_by_key(|p| p.groups.len()).expect("a part");
        let mut twice = transport();
        twice.rows[0].coefs.push((1, -0.5));
        twice.rows[2].coefs.insert(0, (5, 2.0));
        twice.rows[3].rhs = 0.0;
        for lp in [build(&m, part), build_pooled(&m, part), transport(), twice] {
            let solve = |mut p: microlp::Problem| {
                let meter = microlp::PivotMeter::new();
                p.set_pivot_meter(meter.clone());
                let state = p.solve().unwrap().into_solution().expect("solved");
                let vars: Vec<microlp::Variable> = state.iter().map(|(v, _)| v).collect();
                let bits: Vec<u64> = values_of(&state, &vars).iter().map(|v| v.to_bits()).collect();
                (meter.pivots(), state.objective().to_bits(), bits)
            };
            let (model, _) = to_good_lp(&lp, false, good_lp::microlp);
            let ours = solve(to_microlp(&lp));
            assert!(ours.0 > 0, "the simplex did nothing");
            assert_eq!(ours, solve(model.as_inner().clone()), "{} rows", lp.rows.len());
        }
    }

    /// A root's allowance is the iterations its rows and columns ask for, and never more
    /// than [`ROOT_WORK_TIMES`] times its part's budget: a programme of very many columns
    /// cannot make the default limit last minutes. Without a node limit nothing caps it.
    #[test]
    fn a_roots_allowance_is_what_its_programme_asks_within_ten_budgets() {
        let lp = transport();
        let asked = |e: &Effort| {
            let pivots = e.root_pivots_per_row * lp.rows.len() as u64
                + e.root_pivots_per_column * lp.cols.len() as u64;
            pivots * pivot_work(&lp, e)
        };
        let roomy = Effort {
            nodes: Some(1_000),
            work_per_node: 1_000_000,
            root_pivots_per_row: 3,
            root_pivots_per_column: 1,
            ..Effort::DEFAULT
        };
        assert!(asked(&roomy) > 0);
        assert_eq!(root_allowance(&lp, &roomy), asked(&roomy));
        let tight = Effort { nodes: Some(1), work_per_node: 1, ..roomy };
        assert!(asked(&tight) > ROOT_WORK_TIMES * tight.work());
        assert_eq!(root_allowance(&lp, &tight), ROOT_WORK_TIMES * tight.work());
        let unlimited = Effort { nodes: None, ..tight };
        assert_eq!(root_allowance(&lp, &unlimited), asked(&unlimited));
    }

    /// microlp's pivot limit (our patch, vendor/microlp/PATCH.md) interrupts a solve that
    /// needs more iterations, and a limit of exactly as many finishes at the unlimited
    /// optimum; the budget is charged each iteration and spent when it stops the solve.
    #[test]
    fn a_pivot_limit_interrupts_and_a_larger_one_finishes_at_the_same_optimum() {
        let lp = transport();
        let unlimited = solve_relaxation(&lp).unwrap();
        let effort = Effort { nodes: Some(1_000), work_per_node: 1_000, ..Effort::DEFAULT };
        let (per, meter) = (pivot_work(&lp, &effort), microlp::PivotMeter::new());
        let mut budget = Budget::new(&effort);
        let full = solve_within(&lp, &effort, &mut budget, &meter, &Limits::default())
            .unwrap()
            .expect("within the budget");
        let pivots = meter.pivots();
        assert!(pivots >= 3, "{pivots} iterations");
        assert_eq!(full.objective, unlimited.objective);
        assert_eq!(full.values, unlimited.values);
        assert_eq!(budget.spent(), (pivots + 1) * per);

        // The same limits straight on microlp: one iteration fewer stops it, as many finish.
        let (model, _) = to_good_lp(&lp, false, good_lp::microlp);
        let mut short = model.as_inner().clone();
        short.set_pivot_limit(pivots - 1);
        let stopped = short.solve().unwrap();
        assert_eq!(stopped.termination_reason(), microlp::TerminationReason::PivotLimit);
        assert!(stopped.solution().is_none());
        let mut enough = model.as_inner().clone();
        enough.set_pivot_limit(pivots);
        let done = enough.solve().unwrap().into_solution().expect("finished");
        assert_eq!(done.objective(), unlimited.objective);

        // A budget of fewer iterations than the solve needs: no relaxation, the budget spent.
        let tight = Effort { nodes: Some(1), work_per_node: per * pivots, ..Effort::DEFAULT };
        let mut budget = Budget::new(&tight);
        let none =
            solve_within(&lp, &tight, &mut budget, &microlp::PivotMeter::new(), &Limits::default()).unwrap();
        assert!(none.is_none());
        assert_eq!(budget.left(), 0);

        // A root's allowance (a pivot per row, more than the few the budget lacks) finishes
        // what the budget alone stops, and is charged: the budget is left with nothing.
        let allowed = Effort { root_pivots_per_row: 1, ..tight };
        assert_eq!(root_allowance(&lp, &allowed), lp.rows.len() as u64 * per);
        let mut budget = Budget::new(&allowed);
        let meter = microlp::PivotMeter::new();
        let done = solve_within(&lp, &allowed, &mut budget, &meter, &Limits::default())
            .unwrap()
            .expect("within the allowance");
        assert_eq!(done.values, unlimited.values);
        assert_eq!((meter.pivots(), budget.spent(), budget.left()), (pivots, (pivots + 1) * per, 0));
    }

    /// A transport programme of `n` sources and `n` sinks, every source to every sink.
    fn wide_transport(n: usize) -> Lp {
        let mut lp = Lp::default();
        let mut by_sink: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for i in 0..n {
            let mut coefs = Vec::new();
            for (j, sink) in by_sink.iter_mut().enumerate() {
                let c = lp.col(Col::Over2 { w: i * n + j }, ((i * 7 + j * 3) % 11 + 1) as f64, f64::INFINITY);
                coefs.push((c, 1.0));
                sink.push((c, 1.0));
            }
            lp.rows.push(Row { coefs, eq: false, rhs: (i % 5 + 1) as f64 });
        }
        for (j, coefs) in by_sink.into_iter().enumerate() {
            lp.rows.push(Row { coefs, eq: false, rhs: (j % 4 + 1) as f64 });
        }
        lp
    }

    /// Ctrl-C reaches microlp through its meter (our patch): a meter asked to stop ends the
    /// solve before its first iteration, and every later one on it; and a relaxation large
    /// enough to be watched stops, with no answer, when the caller's stop is set, where the
    /// same programme unstopped is solved to its optimum.
    #[test]
    fn a_stop_ends_microlps_simplex_through_its_meter() {
        let lp = transport();
        let (model, _) = to_good_lp(&lp, false, good_lp::microlp);
        let mut problem = model.as_inner().clone();
        let meter = microlp::PivotMeter::new();
        problem.set_pivot_meter(meter.clone());
        meter.stop();
        let stopped = problem.solve().unwrap();
        assert_eq!(stopped.termination_reason(), microlp::TerminationReason::Stopped);
        assert!(stopped.solution().is_none());
        assert_eq!(meter.pivots(), 0);

        let lp = wide_transport(200);
        assert!(lp_size(&lp) >= WATCHED_SIZE, "{} rows, columns and nonzeros", lp_size(&lp));
        let effort = Effort { nodes: None, ..Effort::DEFAULT };
        let unstopped = AtomicBool::new(false);
        let limits = Limits { stop: Some(&unstopped), ..Limits::default() };
        let meter = microlp::PivotMeter::new();
        let solved = solve_within(&lp, &effort, &mut Budget::new(&effort), &meter, &limits).unwrap();
        let solved = solved.expect("no stop was asked");
        assert_eq!(solved.objective, solve_relaxation(&lp).unwrap().objective);
        assert!(!meter.stopped());
        let pivots = meter.pivots();

        let stop = AtomicBool::new(true);
        let limits = Limits { stop: Some(&stop), ..Limits::default() };
        let meter = microlp::PivotMeter::new();
        let none = solve_within(&lp, &effort, &mut Budget::new(&effort), &meter, &limits).unwrap();
        assert!(none.is_none(), "solved in {} iterations despite the stop", meter.pivots());
        assert!(meter.stopped());
        assert!(meter.pivots() < pivots, "{} iterations of {pivots}", meter.pivots());
    }
}
