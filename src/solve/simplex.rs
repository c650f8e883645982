//! A small dense revised simplex for the Dantzig-Wolfe master of [`super::master`]: maximise
//! `c x` subject to `A x = b`, `x >= 0`, with `b >= 0` and a start column `+e_i` for every row
//! (a slack, a shortfall or an artificial, chosen by the caller), so the start basis is the
//! identity and is feasible.
//!
//! Why not microlp: column generation adds columns and needs the row prices (duals) after each
//! solve. microlp gives neither, so the price search had to solve the dual programme (cuts, one
//! re-solve per cut) and then the master again from scratch for its solution, which was most of
//! the integer search's time. The master is small (a row per worker, class, group and
//! supervisor; a column per load pattern), so an explicit inverse of the basis is cheap, and
//! adding a column keeps the basis primal feasible: each round re-optimises from where the last
//! one stopped, in a few pivots.

use super::factor::Factor;

/// Pivots between two refactorisations of the basis inverse from its columns. A dense
/// refactorisation costs `2 m^3` against `m^2` a pivot's update, so on the master of a points
/// scheme (160 cases of their own weights, 10 workers: a row per class and per worker)
/// refactorising every 64 pivots took 17% of the integer search's time (perf), the largest
/// part of the master's; every 256 it takes 6%. The master's prices only steer the search (a
/// Lagrangian bound holds at any prices of the right sign, which `Master` clamps them to, and
/// every allocation is valued and checked again), so the updates' rounding between two
/// refactorisations never makes an answer wrong. Measured (default flags, 109 benchmark models
/// against 64): 9 more proven, one fewer (a 1,500-case district, 5 below its optimum), 20
/// proposals higher (up to 105 on the 5,000-case district) and 5 lower.
const REFACTOR_EVERY: u32 = 256;
/// Consecutive degenerate pivots after which Bland's rule takes over (no cycling).
const DEGENERATE_STREAK: u32 = 32;
/// How many times faster a dense run along a column goes than reading scattered entries (it
/// vectorises): [`Simplex::work`] counts it at this discount, so work tracks time.
const DENSE_SPEEDUP: usize = 2;
/// The pivot update goes over the nonzeros of the entering column alone when fewer than one
/// in this many of its entries are nonzero.
const SPARSE_UPDATE: usize = 3;
/// Pivots (etas appended) between two refactorisations in [`Simplex::large`] mode.
const LARGE_REFACTOR_EVERY: usize = 100;
/// In [`Simplex::large`] mode a refactorisation comes sooner when the etas the pivots appended
/// hold more than this many times the rows in nonzeros.
const LARGE_ETA_PER_ROW: usize = 20;
/// Degenerate pivots in a row after which Bland's rule takes over in [`Simplex::large`] mode:
/// Bland's rule stalls for thousands of pivots on a degenerate master of hundreds of rows.
const LARGE_DEGENERATE_STREAK: u32 = 1024;
/// In [`Simplex::large`] mode, pricing scans the columns in chunks of at least this many times
/// the rows (and an eighth of the columns), from where the last pivot stopped, and takes the best
/// improving column of the first chunk that has one (partial pricing).
const CHUNK_PER_ROW: usize = 4;
/// Devex reference weights above which [`Simplex::large`] mode starts a new reference framework
/// (every weight back to 1): the weights only grow, and past this they say little.
const DEVEX_RESET: f64 = 1e6;
/// Degenerate pivots in a row after which the basic values at zero are raised by a tiny random
/// amount (a perturbation of the right-hand sides), so that the ratio test has a strict winner.
const PERTURB_AFTER: u32 = 8;
/// Size of that perturbation, relative to the largest right-hand side (each row's amount is
/// this times one to two).
const PERTURB: f64 = 1e-7;
/// Perturbations one solve may make: beyond them, only Bland's rule stops a degenerate run.
const MAX_PERTURBATIONS: u32 = 4;
/// Dual simplex pivots one clean-up may make (after the perturbation is taken back).
const CLEANUP_PIVOTS: u32 = 1000;
/// Pivots since the last refactorisation after which a dense-mode clean-up refactorises.
const CLEANUP_REFACTOR: u32 = 4 * REFACTOR_EVERY;
/// Largest residual `|b - B x_B|` a large-mode refactorisation accepts, relative to the largest
/// right-hand side (and at least 1).
const RESIDUAL: f64 = 1e-6;
/// Smallest pivot element accepted.
const PIVOT_TOL: f64 = crate::tolerance::PIVOT;

/// Why a solve stopped short of an optimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failed {
    /// An improving column with no bound: the programme is unbounded.
    Unbounded,
    /// The basis became numerically singular.
    Singular,
    /// The pivot or work allowance ran out, or the caller said stop.
    Effort,
}

/// The programme and its current basis.
pub(super) struct Simplex {
    rows: usize,
    rhs: Vec<f64>,
    /// Column costs.
    cost: Vec<f64>,
    /// Column `j`'s entries are `index[start[j]..start[j + 1]]` (rows) and the same range of
    /// `value` (coefficients): one flat store, so pricing runs through memory in order.
    start: Vec<usize>,
    index: Vec<usize>,
    value: Vec<f64>,
    /// The column basic in each row.
    basis: Vec<usize>,
    /// Row of each column in the basis, if basic.
    position: Vec<Option<usize>>,
    /// The basis inverse, dense, by columns: column `c` of `B^-1` is `inv[c * rows..][..rows]`,
    /// so `B^-1 a`, the prices and the pivot update all run along columns. Empty in
    /// [`Simplex::large`] mode, which keeps `factor` instead.
    inv: Vec<f64>,
    /// In [`Simplex::large`] mode, `B^-1` as a product of sparse etas.
    factor: Option<Factor>,
    /// Values of the basic columns.
    xb: Vec<f64>,
    /// Pivots since the last refactorisation.
    since_refactor: u32,
    /// Refactorisations so far.
    refactors: u32,
    /// The large mode's last refactorisation failed its residual check: its factor must not be
    /// pivoted on, so the next solve refactorises first (and fails again on the same basis).
    rejected: bool,
    /// Arithmetic done so far, roughly (multiply-adds): a deterministic measure of effort.
    work: u64,
    /// Where partial pricing takes up the scan.
    next: usize,
    /// What the perturbation added to the right-hand sides (all zero outside a solve).
    shift: Vec<f64>,
    /// Draws of the perturbation so far (its random amounts are a fixed sequence).
    draws: u64,
    /// In [`Simplex::large`] mode (Devex pricing), every column's reduced cost, kept up to date
    /// pivot by pivot from the pivot row (0 for basic columns).
    dj: Vec<f64>,
    /// In [`Simplex::large`] mode, every column's Devex reference weight (at least 1).
    weight: Vec<f64>,
    /// In [`Simplex::large`] mode, each row's entries (column, coefficient): the pivot row is
    /// read along the rows where row `r` of `B^-1` is nonzero, when those are fewer nonzeros
    /// than the whole programme's.
    by_row: Vec<Vec<(usize, f64)>>,
    /// The rows where the entering column is nonzero, in dense mode's pivot update: kept from
    /// pivot to pivot so that each pivot does not allocate it.
    nonzero: Vec<usize>,
}

/// A column's reduced cost at prices `y`: its cost less the prices of its rows times its
/// entries, summed in the order of its entries.
fn reduced(cost: f64, rows: &[usize], coefs: &[f64], y: &[f64]) -> f64 {
    cost - rows.iter().zip(coefs).map(|(&i, &a)| y[i] * a).sum::<f64>()
}

/// Reduced cost above which a column improves the objective.
pub(super) const OPT_TOL: f64 = crate::tolerance::CONVERGED;

/// Whether reduced cost `d` of a column of cost `cost` improves the objective in a master of
/// this mode: above [`OPT_TOL`], or, in the default (small) mode, above a ten-millionth of a
/// millionth of the cost for a cost above a million. A reduced cost is a difference of numbers
/// the size of the cost, and at a billion (a move penalty of 1e9 in a pattern's value) its
/// rounding alone passes `OPT_TOL`: a 6-case team's master entered columns that improved
/// nothing, round and round, until its pivots ran out, and was left unproven. Costs up to a
/// million are judged as before, and so is every column of a large master (a district's,
/// whose price caps pass a million: judged this way, the 20,000-case district's proposal
/// moved), so the benchmark models' proposals stay as they were.
fn improves(large: bool, d: f64, cost: f64) -> bool {
    let scale = if large { 1.0 } else { (cost.abs() * 1e-6).max(1.0) };
    d > OPT_TOL * scale
}

impl Simplex {
    /// A programme with these right-hand sides (each at least 0) and, for row `i`, the start
    /// column `+e_i` with cost `start_cost[i]`. Columns `0..rows` are the start columns.
    pub fn new(rhs: Vec<f64>, start_cost: &[f64]) -> Self {
        let rows = rhs.len();
        debug_assert!(rhs.iter().all(|&b| b >= 0.0));
        debug_assert_eq!(start_cost.len(), rows);
        let mut inv = vec![0.0; rows * rows];
        for i in 0..rows {
            inv[i * rows + i] = 1.0;
        }
        Simplex {
            rows,
            xb: rhs.clone(),
            rhs,
            cost: start_cost.to_vec(),
            start: (0..=rows).collect(),
            index: (0..rows).collect(),
            value: vec![1.0; rows],
            basis: (0..rows).collect(),
            position: (0..rows).map(Some).collect(),
            inv,
            factor: None,
            since_refactor: 0,
            refactors: 0,
            rejected: false,
            work: 0,
            next: 0,
            shift: Vec::new(),
            draws: 0,
            dj: Vec::new(),
            weight: Vec::new(),
            by_row: Vec::new(),
            nonzero: Vec::new(),
        }
    }

    /// Large-master mode: the basis inverse as a product of sparse etas ([`Factor`]: FTRAN and
    /// BTRAN cost the etas' nonzeros, not the square of the rows), refactorised every
    /// [`LARGE_REFACTOR_EVERY`] pivots or sooner when the etas grow; Devex pricing (the
    /// largest `d_j^2 / w_j`, every reduced cost `d_j` and reference weight `w_j` updated from
    /// the pivot row, see [`Self::devex_update`]); the right-hand-side perturbation as in the
    /// default mode; Bland's rule only after [`LARGE_DEGENERATE_STREAK`] degenerate pivots.
    /// Pricing and the pivot row are charged the nonzeros they read, FTRAN and BTRAN the etas'
    /// entries they use. Same optimum, another path: small masters keep the default (dense
    /// inverse, full Dantzig pricing), so their runs stay as they were. Called on a fresh
    /// programme (its basis the start columns).
    pub fn large(mut self) -> Self {
        self.inv = Vec::new();
        self.factor = Some(Factor::identity(self.rows));
        self.since_refactor = 0;
        self.by_row = vec![Vec::new(); self.rows];
        for j in 0..self.cost.len() {
            for k in self.start[j]..self.start[j + 1] {
                self.by_row[self.index[k]].push((j, self.value[k]));
            }
        }
        self
    }

    /// Whether this is a large master's simplex (sparse factor, Devex; [`Simplex::large`]).
    fn is_large(&self) -> bool {
        self.factor.is_some()
    }

    /// Whether the basis is due for a refactorisation.
    fn refactor_due(&self) -> bool {
        match &self.factor {
            Some(f) => {
                self.rejected
                    || f.updates() >= LARGE_REFACTOR_EVERY
                    || f.update_nonzeros() > LARGE_ETA_PER_ROW * self.rows
            }
            None => self.since_refactor >= REFACTOR_EVERY,
        }
    }

    /// The entering column at prices `y`: the largest reduced cost (Dantzig) over all columns, or
    /// over the first chunk with an improving one in large mode; the first improving one under
    /// Bland's rule. Charged to the work.
    fn entering(&mut self, y: &[f64], bland: bool) -> Option<(usize, f64)> {
        let n = self.cost.len();
        let mut enter: Option<(usize, f64)> = None;
        let large = self.is_large();
        if !large || bland {
            // Pricing reads every nonzero.
            self.work += self.index.len() as u64;
            // Each column's reduced cost (`reduced`, as `reduced_cost` computes it), from the
            // column starts in one pass.
            let (index, value) = (&self.index[..], &self.value[..]);
            let columns = self.start.windows(2).zip(&self.cost).zip(&self.position).enumerate();
            for (j, ((ends, &cost), position)) in columns {
                if position.is_some() {
                    continue;
                }
                let d = reduced(cost, &index[ends[0]..ends[1]], &value[ends[0]..ends[1]], y);
                if improves(large, d, cost) {
                    if bland {
                        return Some((j, d));
                    }
                    if enter.is_none_or(|(_, best)| d > best) {
                        enter = Some((j, d));
                    }
                }
            }
            return enter;
        }
        let chunk = (CHUNK_PER_ROW * self.rows).max(n / 8).max(1);
        let mut j = self.next.min(n.saturating_sub(1));
        let mut scanned = 0;
        while scanned < n {
            let end = (scanned + chunk).min(n);
            for _ in scanned..end {
                if self.position[j].is_none() {
                    self.work += (self.start[j + 1] - self.start[j]) as u64 + 1;
                    let d = self.reduced_cost(j, y);
                    if d > OPT_TOL && enter.is_none_or(|(_, best)| d > best) {
                        enter = Some((j, d));
                    }
                }
                j = if j + 1 == n { 0 } else { j + 1 };
            }
            scanned = end;
            if enter.is_some() {
                break;
            }
        }
        self.next = j;
        enter
    }

    /// Devex: every column's reduced cost at prices `y` (afresh, shedding the updates' drift),
    /// charged the nonzeros read; a column added since starts with weight 1.
    fn reprice_all(&mut self, y: &[f64]) {
        let n = self.cost.len();
        self.weight.resize(n, 1.0);
        self.dj.resize(n, 0.0);
        self.work += (self.index.len() + n) as u64;
        for j in 0..n {
            self.dj[j] = if self.position[j].is_some() { 0.0 } else { self.reduced_cost(j, y) };
        }
    }

    /// Devex: among the columns whose kept reduced cost improves, the one of largest
    /// `d_j^2 / w_j` (ties: the lowest index), with its reduced cost at prices `y` (exact, for
    /// the price update). Charged a read of each column's kept values.
    fn devex_entering(&mut self, y: &[f64]) -> Option<(usize, f64)> {
        let n = self.cost.len();
        self.work += n as u64;
        let mut best: Option<(usize, f64)> = None;
        for j in 0..n {
            let d = self.dj[j];
            if d > OPT_TOL && self.position[j].is_none() {
                let score = d * d / self.weight[j];
                if best.is_none_or(|(_, b)| score > b) {
                    best = Some((j, score));
                }
            }
        }
        let (q, _) = best?;
        self.work += (self.start[q + 1] - self.start[q]) as u64;
        Some((q, self.reduced_cost(q, y)))
    }

    /// Devex after column `q` (reduced cost `dq`) entered in row `r` with pivot element `p`,
    /// column `out` leaving, `rho` row `r` of the old `B^-1`: the prices gain `dq / p` times
    /// `rho`; each nonbasic column's reduced cost loses `dq / p` times its pivot-row entry
    /// `a = rho a_j`, and its weight becomes at least `(a / p)^2 w_q` (Forrest and Goldfarb's
    /// Devex); the leaving column's reduced cost is `-dq / p` and its weight
    /// `max(w_q / p^2, 1)`. The pivot row costs a read of every nonzero.
    fn devex_update(&mut self, q: usize, out: usize, p: f64, dq: f64, rho: &[f64], y: &mut [f64]) {
        let theta = dq / p;
        for (v, &z) in y.iter_mut().zip(rho) {
            *v += theta * z;
        }
        let n = self.cost.len();
        let wq = self.weight[q];
        let mut reset = false;
        // The pivot row `rho A`: along the rows where rho is nonzero when they hold fewer
        // entries than the columns (rho is often sparse), else column by column.
        let along: usize = (0..self.rows).filter(|&i| rho[i] != 0.0).map(|i| self.by_row[i].len()).sum();
        let row: Vec<f64> = if along < self.index.len() {
            let mut row = vec![0.0; n];
            for (i, &z) in rho.iter().enumerate() {
                if z != 0.0 {
                    for &(j, a) in &self.by_row[i] {
                        row[j] += z * a;
                    }
                }
            }
            // The rows' entries; rho scanned twice and the prices' update; the row zeroed and
            // the columns' loop below.
            self.work += (along + 3 * self.rows + 2 * n) as u64;
            row
        } else {
            // Every column's entries and its sum; rho scanned once and the prices' update; the
            // columns' loop below.
            self.work += (self.index.len() + 2 * n + 2 * self.rows) as u64;
            (0..n)
                .map(|j| {
                    let range = self.start[j]..self.start[j + 1];
                    self.index[range.clone()].iter().zip(&self.value[range]).map(|(&i, &v)| rho[i] * v).sum()
                })
                .collect()
        };
        for (j, &a) in row.iter().enumerate() {
            if self.position[j].is_some() || j == out {
                continue;
            }
            if a != 0.0 {
                self.dj[j] -= theta * a;
                let ratio = a / p;
                let w = ratio * ratio * wq;
                if w > self.weight[j] {
                    self.weight[j] = w;
                    reset |= w > DEVEX_RESET;
                }
            }
        }
        self.dj[q] = 0.0;
        self.dj[out] = -theta;
        self.weight[out] = (wq / (p * p)).max(1.0);
        if reset || self.weight[out] > DEVEX_RESET {
            self.work += n as u64;
            self.weight.iter_mut().for_each(|w| *w = 1.0);
        }
    }

    /// Adds a column (nonbasic, at 0); returns its index.
    pub fn add_column(&mut self, cost: f64, entries: Vec<(usize, f64)>) -> usize {
        debug_assert!(entries.iter().all(|&(i, _)| i < self.rows));
        let j = self.cost.len();
        for (i, a) in entries {
            if self.is_large() {
                self.by_row[i].push((j, a));
            }
            self.index.push(i);
            self.value.push(a);
        }
        self.start.push(self.index.len());
        self.cost.push(cost);
        self.position.push(None);
        self.cost.len() - 1
    }

    /// Arithmetic done so far (multiply-adds, roughly): pricing, updates and refactorisations.
    pub fn work(&self) -> u64 {
        self.work
    }

    fn entries(&self, j: usize) -> (&[usize], &[f64]) {
        let range = self.start[j]..self.start[j + 1];
        (&self.index[range.clone()], &self.value[range])
    }

    /// The row prices `y = c_B B^-1`.
    pub fn duals(&self) -> Vec<f64> {
        self.duals_charged().0
    }

    /// The row prices and, in large mode, the multiply-adds of their BTRAN.
    fn duals_charged(&self) -> (Vec<f64>, u64) {
        let m = self.rows;
        let mut cb: Vec<f64> = self.basis.iter().map(|&j| self.cost[j]).collect();
        if let Some(f) = &self.factor {
            let work = f.btran(&mut cb);
            return (cb, work);
        }
        let y = self.inv.chunks_exact(m).map(|col| col.iter().zip(&cb).map(|(a, c)| a * c).sum()).collect();
        (y, 0)
    }

    /// The row prices, their BTRAN charged to the work in large mode.
    fn prices(&mut self) -> Vec<f64> {
        let (y, work) = self.duals_charged();
        self.work += work;
        y
    }

    /// Row `r` of `B^-1` (dense mode: uncharged, large mode: charged its BTRAN).
    fn inverse_row(&mut self, r: usize) -> Vec<f64> {
        let m = self.rows;
        if let Some(f) = &self.factor {
            let mut z = vec![0.0; m];
            z[r] = 1.0;
            self.work += m as u64 + f.btran(&mut z);
            return z;
        }
        (0..m).map(|c| self.inv[c * m + r]).collect()
    }

    /// The value of column `j` in the current basic solution.
    pub fn value(&self, j: usize) -> f64 {
        self.position[j].map_or(0.0, |r| self.xb[r].max(0.0))
    }

    /// The objective of the current basic solution.
    pub fn objective(&self) -> f64 {
        self.basis.iter().zip(&self.xb).map(|(&j, &x)| self.cost[j] * x.max(0.0)).sum()
    }

    /// Column `j`'s cost less what it pays at row prices `y`.
    #[inline]
    pub fn reduced_cost(&self, j: usize, y: &[f64]) -> f64 {
        let (rows, coefs) = self.entries(j);
        reduced(self.cost[j], rows, coefs, y)
    }

    /// `B^-1 a_j`, charged to the work.
    fn ftran(&mut self, j: usize) -> Vec<f64> {
        let m = self.rows;
        let mut alpha = vec![0.0; m];
        let range = self.start[j]..self.start[j + 1];
        let (rows, coefs) = (&self.index[range.clone()], &self.value[range]);
        if let Some(f) = &self.factor {
            for (&i, &a) in rows.iter().zip(coefs) {
                alpha[i] += a;
            }
            self.work += f.ftran(&mut alpha) + m as u64;
            return alpha;
        }
        self.work += ((m * rows.len()) / DENSE_SPEEDUP + m) as u64;
        for (&i, &a) in rows.iter().zip(coefs) {
            for (al, &b) in alpha.iter_mut().zip(&self.inv[i * m..(i + 1) * m]) {
                *al += b * a;
            }
        }
        alpha
    }

    /// Optimises from the current basis with at most `max_pivots` pivots, until [`Self::work`]
    /// reaches `work_limit`, or until `stop` (asked every few pivots) says so.
    ///
    /// Degeneracy: after [`PERTURB_AFTER`] pivots in a row that move nothing, the basic values
    /// at zero are raised by tiny random amounts (as if the right-hand sides were so much
    /// larger), so the next pivots move and the ratio test has one winner. At the optimum of the
    /// perturbed programme the perturbation is taken back, and the few basic values it leaves
    /// below zero are brought back by dual simplex pivots ([`Self::clean_up`]): the answer is
    /// the optimum of the programme as given.
    pub fn solve(&mut self, max_pivots: u32, work_limit: u64, stop: &dyn Fn() -> bool) -> Result<(), Failed> {
        let out = self.solve_perturbed(max_pivots, work_limit, stop);
        if self.shifted() {
            // Stopped early: the basis stands, its values are the programme's own again.
            self.unshift();
        }
        out
    }

    fn solve_perturbed(
        &mut self,
        max_pivots: u32,
        work_limit: u64,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), Failed> {
        let mut degenerate = 0u32;
        let mut perturbations = 0u32;
        let mut y = self.prices();
        // Devex pricing in large mode; the kept reduced costs are refreshed from fresh prices
        // after each refactorisation and whenever they say optimal.
        let devex = self.is_large();
        if devex {
            self.reprice_all(&y);
        }
        let mut pivot = 0;
        while pivot < max_pivots {
            // Out of allowance, the basis is still priced once: an optimal one is reported as
            // such, not as effort run out.
            let over = self.work >= work_limit || (pivot % 64 == 63 && stop());
            if over && self.rejected {
                return Err(Failed::Singular);
            }
            if !over && self.refactor_due() {
                self.refactor()?;
                y = self.prices();
                if devex {
                    self.reprice_all(&y);
                }
            }
            let streak = if self.is_large() { LARGE_DEGENERATE_STREAK } else { DEGENERATE_STREAK };
            let bland = degenerate >= streak;
            // Entering column: the largest reduced cost (Dantzig), or the first improving one
            // (Bland) after a run of degenerate pivots; the update below adds what it touches.
            let mut enter = if devex && !bland { self.devex_entering(&y) } else { self.entering(&y, bland) };
            if devex && !bland && enter.is_none_or(|(_, dq)| dq <= OPT_TOL) {
                // The kept reduced costs drift: optimality (or a column they overrate) is
                // decided at fresh prices.
                y = self.prices();
                self.reprice_all(&y);
                enter = self.devex_entering(&y);
            }
            let Some((q, dq)) = enter else {
                if !self.shifted() {
                    return Ok(());
                }
                // Optimal for the perturbed programme: take the perturbation back, restore
                // feasibility, and price again.
                self.unshift();
                pivot += self.clean_up(max_pivots - pivot, work_limit, stop)?;
                y = self.prices();
                if devex {
                    self.reprice_all(&y);
                }
                degenerate = 0;
                if over {
                    return if self.entering(&y, false).is_some() { Err(Failed::Effort) } else { Ok(()) };
                }
                continue;
            };
            if over {
                return Err(Failed::Effort);
            }
            let perturb = !bland && perturbations < MAX_PERTURBATIONS;
            if perturb && degenerate >= PERTURB_AFTER && self.perturb() {
                perturbations += 1;
                degenerate = 0;
            }
            let (alpha, leave) = self.ratio_test(q, bland);
            let Some((r, t)) = leave else { return Err(Failed::Unbounded) };
            degenerate = if t <= crate::tolerance::TIE { degenerate + 1 } else { 0 };
            if devex && !bland {
                // Row r of B^-1 before the pivot: the pivot row, for the prices, the reduced
                // costs and the weights.
                let rho = self.inverse_row(r);
                let out = self.basis[r];
                self.pivot_on(r, q, t, &alpha, None);
                self.devex_update(q, out, alpha[r], dq, &rho, &mut y);
            } else {
                self.pivot_on(r, q, t, &alpha, Some((&mut y, dq)));
                if devex {
                    self.reprice_all(&y);
                }
            }
            pivot += 1;
        }
        Err(Failed::Effort)
    }

    fn shifted(&self) -> bool {
        !self.shift.is_empty()
    }

    /// Raises every basic value at zero by a random amount of one to two [`PERTURB`] of the
    /// largest right-hand side, recording the change of the right-hand sides it stands for (the
    /// amount times the basic column) so that a refactorisation keeps it. False if no value
    /// was at zero.
    fn perturb(&mut self) -> bool {
        let m = self.rows;
        let scale = PERTURB * self.rhs.iter().fold(1.0f64, |a, &b| a.max(b));
        let mut any = false;
        for r in 0..m {
            if self.xb[r] > crate::tolerance::TIE {
                continue;
            }
            if self.shift.is_empty() {
                self.shift = vec![0.0; m];
            }
            self.draws += 1;
            let mut g = crate::util::SplitMix64::new(self.draws);
            let d = scale * (1.0 + g.unit());
            self.xb[r] += d;
            let range = self.start[self.basis[r]]..self.start[self.basis[r] + 1];
            for (&i, &a) in self.index[range.clone()].iter().zip(&self.value[range]) {
                self.shift[i] += d * a;
            }
            any = true;
        }
        self.work += m as u64;
        any
    }

    /// Takes the perturbation back: the basic values from the right-hand sides as given.
    fn unshift(&mut self) {
        self.shift.clear();
        self.basic_values();
        self.work += match &self.factor {
            Some(f) => (f.nonzeros() + self.rows) as u64,
            None => (self.rows * self.rows / DENSE_SPEEDUP) as u64,
        };
    }

    /// `x_B = B^-1 b` (with the perturbation, if any), zeroing round-off. Uncharged: the
    /// caller's charge covers it.
    fn basic_values(&mut self) {
        let m = self.rows;
        let b: Vec<f64> = if self.shift.is_empty() {
            self.rhs.clone()
        } else {
            self.rhs.iter().zip(&self.shift).map(|(a, d)| a + d).collect()
        };
        if let Some(f) = &self.factor {
            let mut x = b;
            f.ftran(&mut x);
            for (xb, v) in self.xb.iter_mut().zip(x) {
                *xb = if v.abs() < crate::tolerance::ROUND_OFF { 0.0 } else { v };
            }
            return;
        }
        for r in 0..m {
            let x: f64 = (0..m).map(|c| self.inv[c * m + r] * b[c]).sum();
            self.xb[r] = if x.abs() < crate::tolerance::ROUND_OFF { 0.0 } else { x };
        }
    }

    /// Dual simplex pivots from a basis whose prices are optimal but some of whose basic values
    /// are below zero (left by taking a perturbation back): the most negative one leaves, for
    /// the column whose reduced cost reaches zero first. Returns the pivots made; a
    /// stop (`stop`) ends it unfinished.
    fn clean_up(&mut self, max_pivots: u32, work_limit: u64, stop: &dyn Fn() -> bool) -> Result<u32, Failed> {
        let m = self.rows;
        let scale = self.rhs.iter().fold(1.0f64, |a, &b| a.max(b));
        let feasible = -crate::tolerance::EQUAL * scale;
        for pivot in 0..max_pivots.min(CLEANUP_PIVOTS) {
            if stop() {
                return Err(Failed::Effort);
            }
            let worst = (0..m)
                .filter(|&r| self.xb[r] < feasible)
                .min_by(|&a, &b| self.xb[a].total_cmp(&self.xb[b]).then(a.cmp(&b)));
            let Some(r) = worst else { return Ok(pivot) };
            if self.work >= work_limit {
                return Err(Failed::Effort);
            }
            if self.cleanup_refactor_due() {
                // The rows' values after a refactorisation decide again which row leaves.
                self.refactor()?;
                continue;
            }
            let (y, priced) = self.duals_charged();
            // Row r of B^-1, and of B^-1 A over the nonbasic columns.
            let rho = self.inverse_row(r);
            self.work += priced
                + if self.factor.is_some() {
                    self.index.len()
                } else {
                    self.index.len() + m * m / DENSE_SPEEDUP
                } as u64;
            let mut enter: Option<(usize, f64, f64)> = None;
            for j in 0..self.cost.len() {
                if self.position[j].is_some() {
                    continue;
                }
                let (rows, coefs) = self.entries(j);
                let a: f64 = rows.iter().zip(coefs).map(|(&i, &v)| rho[i] * v).sum();
                if a >= -PIVOT_TOL {
                    continue;
                }
                let ratio = (-self.reduced_cost(j, &y)).max(0.0) / -a;
                let better = enter.is_none_or(|(_, br, ba)| {
                    if (ratio - br).abs() <= crate::tolerance::TIE * (1.0 + br) {
                        a < ba
                    } else {
                        ratio < br
                    }
                });
                if better {
                    enter = Some((j, ratio, a));
                }
            }
            // No column can take the row's place: the programme as given has no solution
            // from here, which a start basis of slack columns rules out; only round-off does it.
            let Some((q, _, _)) = enter else { return Err(Failed::Singular) };
            let alpha = self.ftran(q);
            if alpha[r] >= -PIVOT_TOL {
                return Err(Failed::Singular);
            }
            let t = self.xb[r] / alpha[r];
            self.pivot_on(r, q, t, &alpha, None);
        }
        Err(Failed::Effort)
    }

    /// Whether a clean-up is due to refactorise first: in large mode when a solve's pivot would
    /// be; in dense mode only after [`CLEANUP_REFACTOR`] pivots since the last one (a dense
    /// clean-up rarely pivots that often; below it, it runs as it always has).
    fn cleanup_refactor_due(&self) -> bool {
        match self.factor {
            Some(_) => self.refactor_due(),
            None => self.since_refactor >= CLEANUP_REFACTOR,
        }
    }

    /// Recomputes the basis inverse and the basic values from the basis columns (Gauss-Jordan
    /// with partial pivoting, or in large mode a sparse [`Factor`]), shedding the rounding the
    /// updates gathered.
    pub fn refactor(&mut self) -> Result<(), Failed> {
        if self.factor.is_some() {
            return self.refactor_sparse();
        }
        let m = self.rows;
        // [B | I] -> [I | B^-1], by rows.
        let w = 2 * m;
        let mut t = vec![0.0; m * w];
        for (r, &j) in self.basis.iter().enumerate() {
            let (rows, coefs) = self.entries(j);
            for (&i, &a) in rows.iter().zip(coefs) {
                t[i * w + r] = a;
            }
        }
        for i in 0..m {
            t[i * w + m + i] = 1.0;
        }
        let mut pivot = vec![0.0; w];
        for c in 0..m {
            let (pr, pv) =
                (c..m).map(|r| (r, t[r * w + c].abs())).fold((c, -1.0), |a, b| if b.1 > a.1 { b } else { a });
            if pv <= PIVOT_TOL {
                return Err(Failed::Singular);
            }
            if pr != c {
                for k in 0..w {
                    t.swap(pr * w + k, c * w + k);
                }
            }
            let p = t[c * w + c];
            for k in 0..w {
                t[c * w + k] /= p;
            }
            pivot.copy_from_slice(&t[c * w..(c + 1) * w]);
            for r in 0..m {
                if r == c {
                    continue;
                }
                let f = t[r * w + c];
                if f != 0.0 {
                    for k in 0..w {
                        t[r * w + k] -= f * pivot[k];
                    }
                }
            }
        }
        // Row r of the reduced right half is row r of B^-1, which belongs to the basis column
        // in position r (the columns of B were placed in position order); stored by columns.
        for r in 0..m {
            for c in 0..m {
                self.inv[c * m + r] = t[r * w + m + c];
            }
        }
        self.basic_values();
        self.since_refactor = 0;
        self.refactors += 1;
        self.work += (2 * m * m * m / DENSE_SPEEDUP) as u64;
        Ok(())
    }

    /// The large mode's refactorisation: the basis columns factorised afresh ([`Factor::factorise`]
    /// may give them other positions), the basic values from it, and a check that they solve
    /// `B x = b` (with the perturbation, if any): a basis too ill-conditioned for that is
    /// singular, never a wrong answer. On failure the basis is the same set of columns, and its
    /// factor is marked rejected: no pivot is made on it before a refactorisation succeeds.
    fn refactor_sparse(&mut self) -> Result<(), Failed> {
        let m = self.rows;
        let columns: Vec<(&[usize], &[f64])> = self.basis.iter().map(|&j| self.entries(j)).collect();
        let (factor, rows_of, work) = Factor::factorise(m, &columns).map_err(|_| Failed::Singular)?;
        let mut basis = vec![0; m];
        for (k, &r) in rows_of.iter().enumerate() {
            basis[r] = self.basis[k];
        }
        for (r, &j) in basis.iter().enumerate() {
            self.position[j] = Some(r);
        }
        self.basis = basis;
        self.work += work + (factor.nonzeros() + m) as u64;
        self.factor = Some(factor);
        self.since_refactor = 0;
        self.refactors += 1;
        self.basic_values();
        // The residual b - B x_B, charged the basis's nonzeros.
        let mut residual: Vec<f64> = self.rhs.clone();
        if self.shifted() {
            residual.iter_mut().zip(&self.shift).for_each(|(a, d)| *a += d);
        }
        let scale = residual.iter().fold(1.0f64, |a, &b| a.max(b.abs()));
        for (r, &j) in self.basis.iter().enumerate() {
            let range = self.start[j]..self.start[j + 1];
            self.work += range.len() as u64;
            for (&i, &a) in self.index[range.clone()].iter().zip(&self.value[range]) {
                residual[i] -= a * self.xb[r];
            }
        }
        self.rejected = residual.iter().any(|v| v.abs() > RESIDUAL * scale);
        if self.rejected {
            return Err(Failed::Singular);
        }
        Ok(())
    }

    /// Column `q`'s entries in the current basis (`B^-1 a_q`, charged to the work) and the
    /// ratio test on them: the row that leaves and the step, None when no row limits `q`. Among
    /// ties the largest pivot element, or under Bland's rule the lowest basic column.
    fn ratio_test(&mut self, q: usize, bland: bool) -> (Vec<f64>, Option<(usize, f64)>) {
        let alpha = self.ftran(q);
        let mut leave: Option<(usize, f64)> = None;
        for (r, &a) in alpha.iter().enumerate() {
            if a <= PIVOT_TOL {
                continue;
            }
            let t = self.xb[r].max(0.0) / a;
            let better = leave.is_none_or(|(lr, lt)| {
                let tie = (t - lt).abs() <= crate::tolerance::TIE * (1.0 + lt.abs());
                if !tie {
                    t < lt
                } else if bland {
                    self.basis[r] < self.basis[lr]
                } else {
                    a > alpha[lr]
                }
            });
            if better {
                leave = Some((r, t));
            }
        }
        (alpha, leave)
    }

    /// Column `q` enters the basis in row `r` at value `t`: the basic values, the inverse (row `r`
    /// divided by the pivot, then taken out of every other row, column by column) and, when
    /// given, the prices (`y` gains the entering column's reduced cost `dq` times the new row
    /// `r`). A column of B^-1 changes only where `alpha` is nonzero (a zero entry would subtract
    /// a zero): when few are, the update runs over those alone. Work is counted as for the dense
    /// run either way, so budgets stop at the same place.
    /// In large mode the inverse gains the pivot's eta and the prices are `c_B B^-1` afresh
    /// (a BTRAN, charged).
    fn pivot_on(&mut self, r: usize, q: usize, t: f64, alpha: &[f64], mut prices: Option<(&mut [f64], f64)>) {
        let m = self.rows;
        let p = alpha[r];
        for (i, x) in self.xb.iter_mut().enumerate() {
            if i != r {
                *x -= t * alpha[i];
            }
        }
        self.xb[r] = t;
        if let Some(f) = self.factor.as_mut() {
            f.push(r, alpha);
            self.work += 2 * m as u64;
            let out = self.basis[r];
            self.position[out] = None;
            self.position[q] = Some(r);
            self.basis[r] = q;
            self.since_refactor += 1;
            if let Some((y, _)) = prices {
                let (fresh, work) = self.duals_charged();
                y.copy_from_slice(&fresh);
                self.work += work;
            }
            return;
        }
        let mut nonzero = std::mem::take(&mut self.nonzero);
        nonzero.clear();
        nonzero.extend((0..m).filter(|&i| alpha[i] != 0.0));
        let sparse = nonzero.len() * SPARSE_UPDATE < m;
        for (c, col) in self.inv.chunks_exact_mut(m).enumerate() {
            let f = col[r] / p;
            if f != 0.0 {
                self.work += (m / DENSE_SPEEDUP) as u64;
                if sparse {
                    for &i in &nonzero {
                        col[i] -= alpha[i] * f;
                    }
                } else {
                    for (v, &a) in col.iter_mut().zip(alpha) {
                        *v -= a * f;
                    }
                }
            }
            col[r] = f;
            if let Some((y, dq)) = prices.as_mut() {
                y[c] += *dq * f;
            }
        }
        self.nonzero = nonzero;
        let out = self.basis[r];
        self.position[out] = None;
        self.position[q] = Some(r);
        self.basis[r] = q;
        self.since_refactor += 1;
    }

    /// Brings column `q` into the basis whatever its reduced cost, by a pivot whose ratio test
    /// keeps the basic solution feasible: a warm start from columns known to be good (a
    /// parent node's basis). False, with nothing changed, when `q` is basic already or no
    /// row limits it.
    pub fn enter(&mut self, q: usize) -> Result<bool, Failed> {
        if self.position[q].is_some() {
            return Ok(false);
        }
        if self.refactor_due() {
            self.refactor()?;
        }
        let (alpha, leave) = self.ratio_test(q, false);
        let Some((r, t)) = leave else { return Ok(false) };
        self.pivot_on(r, q, t, &alpha, None);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microlp::{ComparisonOp, OptimizationDirection, Problem};

    use crate::generate::SplitMix64;

    /// A random packing column on `m` rows: a cost in -4..16 and entries of 0.5 to 2 on about a
    /// third of the rows, at least one, so nothing is unbounded.
    fn random_column(g: &mut SplitMix64, m: usize) -> (f64, Vec<(usize, f64)>) {
        let cost = g.below(20) as f64 - 4.0;
        let mut entries: Vec<(usize, f64)> = Vec::new();
        for i in 0..m {
            if g.below(3) == 0 {
                entries.push((i, (1 + g.below(4)) as f64 * 0.5));
            }
        }
        if entries.is_empty() {
            entries.push((g.below(m), 1.0));
        }
        (cost, entries)
    }

    /// One packing programme `max c x, A x <= b, x >= 0` built twice: in this simplex (slack
    /// start columns) and in microlp.
    struct Twins {
        s: Simplex,
        lp: Problem,
        /// microlp's variable of each column, in the order they were added.
        vars: Vec<microlp::Variable>,
        rows: Vec<Vec<(microlp::Variable, f64)>>,
        rhs: Vec<f64>,
    }

    impl Twins {
        fn new(rhs: Vec<f64>) -> Twins {
            let m = rhs.len();
            let s = Simplex::new(rhs.clone(), &vec![0.0; m]);
            let lp = Problem::new(OptimizationDirection::Maximize);
            Twins { s, lp, vars: Vec::new(), rows: vec![Vec::new(); m], rhs }
        }

        /// Adds a column to both; its index in this simplex.
        fn column(&mut self, cost: f64, entries: Vec<(usize, f64)>) -> usize {
            let v = self.lp.add_var(cost, (0.0, f64::INFINITY));
            self.vars.push(v);
            for &(i, a) in &entries {
                self.rows[i].push((v, a));
            }
            self.s.add_column(cost, entries)
        }

        /// Solves both (this simplex within `pivots`): the optima agree, and the duals give
        /// the same objective (strong duality). microlp's optimum.
        fn solve_both(&mut self, case: usize, pivots: u32) -> f64 {
            self.solve_both_keeping(case, pivots).objective()
        }

        /// [`Twins::solve_both`], giving microlp's solution, to change it further.
        fn solve_both_keeping(&mut self, case: usize, pivots: u32) -> microlp::Solution {
            for (i, row) in self.rows.iter().enumerate() {
                self.lp.add_constraint(row.as_slice(), ComparisonOp::Le, self.rhs[i]);
            }
            let s = &mut self.s;
            s.solve(pivots, u64::MAX, &|| false).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            let sol = match self.lp.solve() {
                Ok(microlp::SolveOutcome::Solution(sol)) => sol,
                other => panic!("case {case}: microlp gave {other:?}"),
            };
            let want = sol.objective();
            assert!((s.objective() - want).abs() < 1e-6, "case {case}: {} vs {want}", s.objective());
            let dual_obj: f64 = s.duals().iter().zip(&self.rhs).map(|(a, b)| a * b).sum();
            assert!((dual_obj - want).abs() < 1e-6, "case {case}: dual {dual_obj} vs {want}");
            sol
        }
    }

    /// Random packing programmes, solved here and by microlp: the optima agree, and the duals
    /// price every column at most its cost (optimality) and give the same objective (strong
    /// duality).
    #[test]
    fn agrees_with_microlp_on_random_packing_programmes() {
        let mut g = SplitMix64::new(7);
        for case in 0..300 {
            let m = 1 + g.below(8);
            let n = 1 + g.below(12);
            let mut twins = Twins::new((0..m).map(|_| g.below(10) as f64).collect());
            let cols: Vec<usize> = (0..n)
                .map(|_| {
                    let (cost, entries) = random_column(&mut g, m);
                    twins.column(cost, entries)
                })
                .collect();
            let want = twins.solve_both(case, 10_000);
            let s = &mut twins.s;
            let y = s.duals();
            assert!(y.iter().all(|&v| v >= -1e-9), "case {case}: negative dual {y:?}");
            for &j in &cols {
                assert!(s.reduced_cost(j, &y) <= 1e-7, "case {case}: column {j} prices above cost");
            }
            // Refactoring keeps the same solution.
            s.refactor().unwrap();
            assert!((s.objective() - want).abs() < 1e-6);
        }
    }

    /// Programmes with boxed columns and rows of every sense, which microlp starts dual
    /// feasible (each column at the bound its cost asks for) and solves by its dual simplex,
    /// passing breakpoints by bound flips (the long-step ratio test of its copy in
    /// vendor/microlp): the optimum, or infeasibility, is this simplex's on the same programme
    /// written with a row per column's upper bound and an artificial per row of `>=` or `=`.
    /// Then a row cutting that optimum off, added to microlp's solution (dual pivots from a
    /// basis), gives this simplex's optimum again.
    #[test]
    fn microlp_s_dual_simplex_with_bound_flips_agrees_on_boxed_programmes() {
        /// A row: its entries (column, coefficient), its sense and its right-hand side.
        type BoxedRow = (Vec<(usize, f64)>, ComparisonOp, f64);
        /// What an artificial costs: far beyond what any column of these programmes earns.
        const BIG: f64 = 1e6;
        let mut g = SplitMix64::new(59);
        let (mut solved, mut infeasible, mut flipped) = (0, 0, 0);
        for case in 0..400 {
            let m = 1 + g.below(7);
            let n = 1 + g.below(14);
            let upper: Vec<f64> = (0..n).map(|_| (1 + g.below(6)) as f64).collect();
            let cost: Vec<f64> = (0..n).map(|_| g.below(21) as f64 - 8.0).collect();
            let mut rows: Vec<BoxedRow> = Vec::new();
            for _ in 0..m {
                let mut entries: Vec<(usize, f64)> = Vec::new();
                for j in 0..n {
                    if g.below(3) > 0 {
                        entries.push((j, (1 + g.below(4)) as f64 * 0.5));
                    }
                }
                let most: f64 = entries.iter().map(|&(j, a)| a * upper[j]).sum();
                let op = match g.below(3) {
                    0 => ComparisonOp::Le,
                    1 => ComparisonOp::Ge,
                    _ => ComparisonOp::Eq,
                };
                // Mostly within reach; sometimes just beyond it, to be infeasible.
                let rhs = (g.below(1 + (most * 0.8) as usize) + g.below(2) * g.below(3)) as f64;
                rows.push((entries, op, rhs));
            }
            // microlp: the columns boxed, the rows as given.
            let mut lp = Problem::new(OptimizationDirection::Maximize);
            let vars: Vec<microlp::Variable> = (0..n).map(|j| lp.add_var(cost[j], (0.0, upper[j]))).collect();
            for (entries, op, rhs) in &rows {
                let row: Vec<(microlp::Variable, f64)> = entries.iter().map(|&(j, a)| (vars[j], a)).collect();
                lp.add_constraint(row.as_slice(), *op, *rhs);
            }
            let meter = microlp::PivotMeter::new();
            lp.set_pivot_meter(meter.clone());
            let got = lp.solve();
            // This simplex: rows, then a row per upper bound; artificials priced at -BIG.
            let want = |rows: &[BoxedRow]| -> Option<f64> {
                let mut rhs: Vec<f64> = rows.iter().map(|r| r.2).collect();
                rhs.extend(&upper);
                let start: Vec<f64> = rows
                    .iter()
                    .map(|r| if matches!(r.1, ComparisonOp::Le) { 0.0 } else { -BIG })
                    .chain(upper.iter().map(|_| 0.0))
                    .collect();
                let mut s = Simplex::new(rhs, &start);
                for (j, &c) in cost.iter().enumerate() {
                    let mut e: Vec<(usize, f64)> = rows
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| r.0.iter().find(|x| x.0 == j).map(|x| (i, x.1)))
                        .collect();
                    e.push((rows.len() + j, 1.0));
                    s.add_column(c, e);
                }
                for (i, r) in rows.iter().enumerate() {
                    if matches!(r.1, ComparisonOp::Ge) {
                        s.add_column(0.0, vec![(i, -1.0)]);
                    }
                }
                s.solve(100_000, u64::MAX, &|| false).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
                let artificial: f64 = (0..rows.len())
                    .filter(|&i| !matches!(rows[i].1, ComparisonOp::Le))
                    .map(|i| s.value(i))
                    .sum();
                (artificial < 1e-7).then(|| s.objective())
            };
            match (got, want(&rows)) {
                (Ok(microlp::SolveOutcome::Solution(sol)), Some(best)) => {
                    assert!(
                        (sol.objective() - best).abs() < 1e-6,
                        "case {case}: {} vs {best}",
                        sol.objective()
                    );
                    for (j, &v) in vars.iter().enumerate() {
                        assert!(
                            sol[v] >= -1e-9 && sol[v] <= upper[j] + 1e-9,
                            "case {case}: column {j} at {}",
                            sol[v]
                        );
                    }
                    solved += 1;
                    // A row that cuts the optimum off: the sum of the columns at most half of
                    // what it is.
                    let total: f64 = vars.iter().map(|&v| sol[v]).sum();
                    let half = (total / 2.0).floor();
                    let cut: Vec<(microlp::Variable, f64)> = vars.iter().map(|&v| (v, 1.0)).collect();
                    let mut cut_rows = rows.clone();
                    cut_rows.push(((0..n).map(|j| (j, 1.0)).collect(), ComparisonOp::Le, half));
                    match (sol.add_constraint(cut.as_slice(), ComparisonOp::Le, half), want(&cut_rows)) {
                        (Ok(microlp::SolveOutcome::Solution(after)), Some(best)) => {
                            assert!(
                                (after.objective() - best).abs() < 1e-6,
                                "case {case}: cut {} vs {best}",
                                after.objective()
                            );
                        }
                        (Err(microlp::Error::Infeasible), None) => {}
                        (other, best) => {
                            panic!("case {case}: after the cut microlp gave {other:?}, this simplex {best:?}")
                        }
                    }
                }
                (Err(microlp::Error::Infeasible), None) => infeasible += 1,
                (other, best) => panic!("case {case}: microlp gave {other:?}, this simplex {best:?}"),
            }
            flipped += usize::from(meter.flips() > 0);
        }
        assert!(solved > 100 && infeasible > 10, "{solved} solved, {infeasible} infeasible");
        assert!(flipped > 50, "bound flips in only {flipped} programmes");
    }

    /// Many rows and columns of one to three entries, as the master's are: the pivot update
    /// then runs over the entering column's few nonzeros, and the optimum and its prices are
    /// microlp's.
    #[test]
    fn sparse_columns_on_many_rows_agree_with_microlp() {
        let mut g = SplitMix64::new(31);
        for case in 0..200 {
            let m = 12 + g.below(30);
            let mut twins = Twins::new((0..m).map(|_| (1 + g.below(9)) as f64).collect());
            for _ in 0..m + g.below(3 * m) {
                let cost = g.below(20) as f64 - 2.0;
                let mut entries: Vec<(usize, f64)> = Vec::new();
                for _ in 0..1 + g.below(3) {
                    let i = g.below(m);
                    if entries.iter().all(|e| e.0 != i) {
                        entries.push((i, (1 + g.below(4)) as f64 * 0.5));
                    }
                }
                twins.column(cost, entries);
            }
            twins.solve_both(case, 100_000);
        }
    }

    /// A programme of more columns than microlp's copy prices by row (`DENSE_PRICE_COLUMNS`,
    /// 32,768, in vendor/microlp), so its pivot rows are computed column by column wherever
    /// they are dense: the optimum is this simplex's, by microlp's primal simplex from scratch
    /// and by its dual simplex after a row that cuts the first optimum off is added (where the
    /// order of the pivot row's entries breaks ties), and the meter shows both priced by column.
    #[test]
    fn a_programme_microlp_prices_by_column_agrees_with_this_simplex() {
        let mut g = SplitMix64::new(43);
        for case in 0..3 {
            let m = 30 + g.below(20);
            let rhs: Vec<f64> = (0..m).map(|_| (5 + g.below(40)) as f64).collect();
            let cols: Vec<(f64, Vec<(usize, f64)>)> = (0..33_000 + g.below(2_000))
                .map(|_| {
                    let cost = g.below(50) as f64 - 5.0;
                    let mut entries: Vec<(usize, f64)> = Vec::new();
                    for _ in 0..1 + g.below(4) {
                        let i = g.below(m);
                        if entries.iter().all(|e| e.0 != i) {
                            entries.push((i, (1 + g.below(8)) as f64 * 0.25));
                        }
                    }
                    (cost, entries)
                })
                .collect();
            // From scratch, primal.
            let mut twins = Twins::new(rhs.clone());
            let meter = microlp::PivotMeter::new();
            twins.lp.set_pivot_meter(meter.clone());
            for (cost, entries) in &cols {
                twins.column(*cost, entries.clone());
            }
            let sol = twins.solve_both_keeping(case, 1_000_000);
            assert!(meter.priced_by_column() > 0, "case {case}: no pivot row priced by column");
            // A row cutting the optimum off, added to microlp's solution: dual pivots.
            let half = (twins.vars.iter().map(|&v| sol[v]).sum::<f64>() / 2.0).floor();
            let before = meter.priced_by_column();
            let cut: Vec<(microlp::Variable, f64)> = twins.vars.iter().map(|&v| (v, 1.0)).collect();
            let after = match sol.add_constraint(cut.as_slice(), ComparisonOp::Le, half) {
                Ok(microlp::SolveOutcome::Solution(sol)) => sol.objective(),
                other => panic!("case {case}: microlp gave {other:?}"),
            };
            assert!(meter.priced_by_column() > before, "case {case}: no dual pivot row priced by column");
            let mut cut_rhs = rhs.clone();
            cut_rhs.push(half);
            let mut twins = Twins::new(cut_rhs);
            for (cost, entries) in &cols {
                let mut entries = entries.clone();
                entries.push((m, 1.0));
                twins.column(*cost, entries);
            }
            let want = twins.solve_both(case, 1_000_000);
            assert!((after - want).abs() < 1e-6, "case {case}: dual {after} vs {want}");
        }
    }

    /// Columns added after a solve re-optimise from the basis reached, to the same optimum as
    /// a programme built with every column at once.
    #[test]
    fn columns_added_later_reach_the_same_optimum() {
        let mut g = SplitMix64::new(11);
        for case in 0..200 {
            let m = 2 + g.below(6);
            let rhs: Vec<f64> = (0..m).map(|_| (1 + g.below(6)) as f64).collect();
            let columns: Vec<(f64, Vec<(usize, f64)>)> = (0..2 + g.below(14))
                .map(|_| {
                    let mut e: Vec<(usize, f64)> = Vec::new();
                    for i in 0..m {
                        if g.below(2) == 0 {
                            e.push((i, (1 + g.below(3)) as f64));
                        }
                    }
                    if e.is_empty() {
                        e.push((0, 1.0));
                    }
                    (g.below(9) as f64, e)
                })
                .collect();
            let mut all = Simplex::new(rhs.clone(), &vec![0.0; m]);
            for (c, e) in &columns {
                all.add_column(*c, e.clone());
            }
            all.solve(10_000, u64::MAX, &|| false).unwrap();
            let mut step = Simplex::new(rhs, &vec![0.0; m]);
            for (c, e) in &columns {
                step.add_column(*c, e.clone());
                step.solve(10_000, u64::MAX, &|| false).unwrap();
            }
            assert!((all.objective() - step.objective()).abs() < 1e-7, "case {case}");
        }
    }

    /// Equality rows with costly artificial start columns: the artificials leave the basis
    /// when the programme is feasible, and stay when it is not.
    #[test]
    fn artificial_start_columns_leave_when_feasible() {
        // x1 + x2 = 1 (convexity), 2 x1 + x3 <= 1.5: best x1 = 0.75, x2 = 0.25 -> 3.75 + 0.25.
        let mut s = Simplex::new(vec![1.0, 1.5], &[-1000.0, 0.0]);
        let x1 = s.add_column(5.0, vec![(0, 1.0), (1, 2.0)]);
        let x2 = s.add_column(1.0, vec![(0, 1.0)]);
        s.solve(100, u64::MAX, &|| false).unwrap();
        assert!((s.value(x1) - 0.75).abs() < 1e-9 && (s.value(x2) - 0.25).abs() < 1e-9);
        assert!(s.value(0).abs() < 1e-12);
        // Only a column that breaks the second row: the artificial stays (infeasible).
        let mut t = Simplex::new(vec![1.0, 1.5], &[-1000.0, 0.0]);
        t.add_column(5.0, vec![(0, 1.0), (1, 2.0)]);
        t.solve(100, u64::MAX, &|| false).unwrap();
        assert!(t.value(0) > 0.2);
    }

    #[test]
    fn an_optimal_basis_is_reported_optimal_with_no_allowance_left() {
        let mut s = Simplex::new(vec![1.0, 1.5], &[-1000.0, 0.0]);
        s.add_column(5.0, vec![(0, 1.0), (1, 2.0)]);
        s.add_column(1.0, vec![(0, 1.0)]);
        // With the allowance already spent, a basis that can still improve stops for effort.
        assert_eq!(s.solve(100, 0, &|| false), Err(Failed::Effort));
        s.solve(100, u64::MAX, &|| false).unwrap();
        // Once it is optimal, it says so, whatever is left of the allowance.
        assert_eq!(s.solve(100, 0, &|| false), Ok(()));
        assert_eq!(s.solve(100, 0, &|| true), Ok(()));
    }

    /// Beale's example, on which Dantzig's rule cycles through degenerate bases: the simplex
    /// still reaches the optimum 5/4 (x4 = x6 = 1), and its duals prove it.
    #[test]
    fn degenerate_programmes_do_not_cycle() {
        // 0.25 x4 - 8 x5 - x6 + 9 x7 <= 0, 0.5 x4 - 12 x5 - 0.5 x6 + 3 x7 <= 0, x6 <= 1.
        let mut s = Simplex::new(vec![0.0, 0.0, 1.0], &[0.0, 0.0, 0.0]);
        let cols = [
            s.add_column(0.75, vec![(0, 0.25), (1, 0.5)]),
            s.add_column(-20.0, vec![(0, -8.0), (1, -12.0)]),
            s.add_column(0.5, vec![(0, -1.0), (1, -0.5), (2, 1.0)]),
            s.add_column(-6.0, vec![(0, 9.0), (1, 3.0)]),
        ];
        s.solve(1000, u64::MAX, &|| false).unwrap();
        assert!((s.objective() - 1.25).abs() < 1e-9, "{}", s.objective());
        assert!((s.value(cols[0]) - 1.0).abs() < 1e-9 && (s.value(cols[2]) - 1.0).abs() < 1e-9);
        let y = s.duals();
        assert!(cols.iter().all(|&j| s.reduced_cost(j, &y) <= OPT_TOL));
        // Every right-hand side zero, many equal columns: the only point is the origin.
        let mut z = Simplex::new(vec![0.0; 4], &[0.0; 4]);
        for k in 0..12 {
            let entries = (0..4).map(|i| (i, if (i + k) % 3 == 0 { -1.0 } else { 1.0 })).collect();
            z.add_column(1.0 + (k % 2) as f64, entries);
        }
        z.solve(1000, u64::MAX, &|| false).unwrap();
        assert_eq!(z.objective(), 0.0);
    }

    /// Highly degenerate programmes (most right-hand sides zero, columns of mixed signs, as a
    /// master's tight rows are): the default mode perturbs the basic values at zero and takes
    /// the perturbation back at the end, and still reaches microlp's optimum, with every basic
    /// value at least zero and duals that prove it (strong duality on the right-hand sides as
    /// given, not the perturbed ones). Many of the cases do perturb.
    #[test]
    fn perturbation_is_taken_back_and_the_optimum_is_the_programmes_own() {
        let mut g = SplitMix64::new(57);
        let mut perturbed = 0;
        for case in 0..300 {
            let m = 8 + g.below(16);
            let rhs: Vec<f64> =
                (0..m).map(|i| if i == 0 || g.chance(0.2) { (1 + g.below(3)) as f64 } else { 0.0 }).collect();
            let mut twins = Twins::new(rhs);
            // A packing row over every column keeps the programme bounded.
            for _ in 0..4 * m + g.below(8 * m) {
                let (cost, entries) = random_column(&mut g, m);
                let mut e: Vec<(usize, f64)> =
                    entries.into_iter().map(|(i, a)| (i, if g.chance(0.3) { -a } else { a })).collect();
                match e.iter_mut().find(|x| x.0 == 0) {
                    Some(x) => x.1 = x.1.abs(),
                    None => e.insert(0, (0, 1.0)),
                }
                twins.column(cost, e);
            }
            twins.solve_both(case, 100_000);
            let s = &twins.s;
            assert!(s.shift.is_empty(), "case {case}: the perturbation stayed");
            assert!(s.xb.iter().all(|&x| x >= -1e-9), "case {case}: {:?}", s.xb);
            let y = s.duals();
            assert!((0..s.cost.len()).all(|j| s.reduced_cost(j, &y) <= OPT_TOL), "case {case}");
            perturbed += usize::from(s.draws > 0);
        }
        assert!(perturbed > 100, "only {perturbed} cases perturbed");
    }

    /// The dual simplex clean-up: an optimal basis whose right-hand sides then fall (so some
    /// basic values go below zero while its prices stay optimal) is brought back to feasibility
    /// by dual pivots alone, at the optimum microlp finds for the new right-hand sides.
    #[test]
    fn dual_pivots_restore_feasibility_at_the_new_optimum() {
        let mut g = SplitMix64::new(61);
        let mut pivoted = 0;
        for case in 0..300 {
            let m = 2 + g.below(10);
            let first: Vec<f64> = (0..m).map(|_| (2 + g.below(8)) as f64).collect();
            let mut s = Simplex::new(first, &vec![0.0; m]);
            let columns: Vec<(f64, Vec<(usize, f64)>)> =
                (0..2 + g.below(20)).map(|_| random_column(&mut g, m)).collect();
            for (c, e) in &columns {
                s.add_column(*c, e.clone());
            }
            s.solve(10_000, u64::MAX, &|| false).unwrap();
            let rhs: Vec<f64> = s
                .rhs
                .iter()
                .map(|&b| if g.chance(0.5) { (b - 1.0 - g.below(4) as f64).max(0.0) } else { b })
                .collect();
            s.rhs.clone_from(&rhs);
            s.basic_values();
            let pivots =
                s.clean_up(10_000, u64::MAX, &|| false).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            pivoted += usize::from(pivots > 0);
            assert!(s.xb.iter().all(|&x| x >= -1e-9), "case {case}: {:?}", s.xb);
            let y = s.duals();
            assert!(
                (0..s.cost.len()).all(|j| s.reduced_cost(j, &y) <= 1e-7),
                "case {case}: prices not optimal"
            );
            let mut twins = Twins::new(rhs);
            for (c, e) in &columns {
                twins.column(*c, e.clone());
            }
            let want = twins.solve_both(case, 10_000);
            assert!((s.objective() - want).abs() < 1e-6, "case {case}: {} against {want}", s.objective());
        }
        assert!(pivoted > 60, "the clean-up pivoted in only {pivoted} cases");
    }

    /// A column that improves the objective and uses no row without bound: unbounded.
    #[test]
    fn an_improving_column_with_no_limit_is_unbounded() {
        let mut s = Simplex::new(vec![1.0, 2.0], &[0.0, 0.0]);
        s.add_column(3.0, vec![(0, 1.0)]);
        s.add_column(1.0, vec![(0, -1.0), (1, -2.0)]);
        assert_eq!(s.solve(100, u64::MAX, &|| false), Err(Failed::Unbounded));
        // The same column at a cost that no longer improves (it frees 1 of row 0, worth 3,
        // for 4): optimal at 3.
        let mut t = Simplex::new(vec![1.0, 2.0], &[0.0, 0.0]);
        t.add_column(3.0, vec![(0, 1.0)]);
        t.add_column(-4.0, vec![(0, -1.0), (1, -2.0)]);
        t.solve(100, u64::MAX, &|| false).unwrap();
        assert!((t.objective() - 3.0).abs() < 1e-12);
    }

    /// A warm start ([`Simplex::enter`]): the columns of an optimal basis, brought into a fresh
    /// programme's basis one pivot each, keep its solution feasible (never above the optimum)
    /// and the solve from there ends at the same optimum, in fewer pivots' work.
    #[test]
    fn a_warm_start_from_an_optimal_basis_keeps_feasibility_and_the_optimum() {
        let mut g = SplitMix64::new(23);
        let mut cheaper = 0;
        for case in 0..300 {
            let m = 2 + g.below(10);
            let n = 2 + g.below(30);
            let rhs: Vec<f64> = (0..m).map(|_| g.below(10) as f64).collect();
            let mut columns: Vec<(f64, Vec<(usize, f64)>)> = Vec::new();
            for _ in 0..n {
                let (cost, entries) = random_column(&mut g, m);
                columns.push((cost, entries));
            }
            let build = || {
                let mut s = Simplex::new(rhs.clone(), &vec![0.0; m]);
                let cols: Vec<usize> = columns.iter().map(|(c, e)| s.add_column(*c, e.clone())).collect();
                (s, cols)
            };
            let (mut cold, cols) = build();
            cold.solve(10_000, u64::MAX, &|| false).unwrap();
            let used: Vec<usize> = cols.iter().copied().filter(|&c| cold.value(c) > 1e-9).collect();
            let (mut warm, _) = build();
            for &c in &used {
                warm.enter(c).unwrap();
            }
            assert!(warm.xb.iter().all(|&x| x >= -1e-9), "case {case}: {:?}", warm.xb);
            assert!(warm.objective() <= cold.objective() + 1e-9, "case {case}");
            let entered = warm.work();
            warm.solve(10_000, u64::MAX, &|| false).unwrap();
            let (a, b) = (cold.objective(), warm.objective());
            assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "case {case}: {a} against {b}");
            cheaper += usize::from(warm.work() - entered <= cold.work());
            // A column already basic is not entered again.
            if let Some(&c) = cols.iter().find(|&&c| warm.position[c].is_some()) {
                assert_eq!(warm.enter(c), Ok(false), "case {case}");
            }
        }
        assert!(cheaper > 250, "the solve after a warm start was cheaper only {cheaper} times");
    }

    /// Large mode (partial pricing, sparser refactorisation, late Bland) reaches the default
    /// mode's optimum on random degenerate programmes: many right-hand sides zero, many columns
    /// so that pricing scans a chunk at a time, columns added between solves as column
    /// generation adds them; and it does not cycle on Beale's example.
    #[test]
    fn large_mode_reaches_the_same_optimum_on_degenerate_programmes() {
        let mut g = SplitMix64::new(23);
        for case in 0..300 {
            let m = 2 + g.below(8);
            let rhs: Vec<f64> =
                (0..m).map(|_| if g.chance(0.5) { 0.0 } else { (1 + g.below(4)) as f64 }).collect();
            let mut plain = Simplex::new(rhs.clone(), &vec![0.0; m]);
            let mut large = Simplex::new(rhs, &vec![0.0; m]).large();
            for _ in 0..1 + g.below(4) {
                for _ in 0..5 + g.below(60) {
                    let (c, e) = random_column(&mut g, m);
                    let e: Vec<(usize, f64)> =
                        e.into_iter().map(|(i, a)| (i, if g.chance(0.2) { -a } else { a })).collect();
                    plain.add_column(c, e.clone());
                    large.add_column(c, e);
                }
                let a = plain.solve(100_000, u64::MAX, &|| false);
                let b = large.solve(100_000, u64::MAX, &|| false);
                assert_eq!(a.is_ok(), b.is_ok(), "case {case}: {a:?} against {b:?}");
                if a.is_err() {
                    break;
                }
                let (x, y) = (plain.objective(), large.objective());
                assert!((x - y).abs() <= 1e-7 * x.abs().max(1.0), "case {case}: {x} against {y}");
                let duals = large.duals();
                assert!(
                    (0..large.cost.len()).all(|j| large.reduced_cost(j, &duals) <= OPT_TOL),
                    "case {case}"
                );
            }
        }
        let mut s = Simplex::new(vec![0.0, 0.0, 1.0], &[0.0, 0.0, 0.0]).large();
        s.add_column(0.75, vec![(0, 0.25), (1, 0.5)]);
        s.add_column(-20.0, vec![(0, -8.0), (1, -12.0)]);
        s.add_column(0.5, vec![(0, -1.0), (1, -0.5), (2, 1.0)]);
        s.add_column(-6.0, vec![(0, 9.0), (1, 3.0)]);
        s.solve(5000, u64::MAX, &|| false).unwrap();
        assert!((s.objective() - 1.25).abs() < 1e-9, "{}", s.objective());
    }

    /// A column: its cost and entries.
    type Column = (f64, Vec<(usize, f64)>);

    /// A master-like programme on `m` rows: the first `m / 3` rows convexity rows (right-hand
    /// side 1), the rest class rows (1 to 6); each column one convexity entry and one to four
    /// class entries of 1 to 3, sometimes one of them negative (as a lower row's sign is).
    fn master_like(g: &mut SplitMix64, m: usize, n: usize) -> (Vec<f64>, Vec<Column>) {
        let workers = (m / 3).max(1);
        let rhs: Vec<f64> = (0..m).map(|i| if i < workers { 1.0 } else { (1 + g.below(6)) as f64 }).collect();
        let columns = (0..n)
            .map(|_| {
                let mut e = vec![(g.below(workers), 1.0)];
                for _ in 0..1 + g.below(4) {
                    let i = workers + g.below(m - workers);
                    if e.iter().all(|x| x.0 != i) {
                        let a = (1 + g.below(3)) as f64;
                        e.push((i, if g.chance(0.1) { -a } else { a }));
                    }
                }
                (g.below(30) as f64 - 5.0, e)
            })
            .collect();
        (rhs, columns)
    }

    /// Large mode (the sparse product-form inverse) on master-like programmes of 30 to 150 rows,
    /// long enough that it refactorises: microlp's optimum and prices that prove it, and the
    /// default mode's optimum; then columns added later, re-optimised from the basis reached;
    /// then a warm start of a fresh large programme from the optimal basis's columns.
    #[test]
    fn large_mode_agrees_with_microlp_and_the_dense_mode_on_master_like_programmes() {
        let mut g = SplitMix64::new(41);
        let mut refactored = 0;
        for case in 0..60 {
            let m = 30 + g.below(121);
            let n = 2 * m + g.below(6 * m);
            let (rhs, columns) = master_like(&mut g, m, n);
            let (first, later) = columns.split_at(columns.len() * 2 / 3);
            let mut twins = Twins::new(rhs.clone());
            twins.s = Simplex::new(rhs.clone(), &vec![0.0; m]).large();
            let mut dense = Simplex::new(rhs.clone(), &vec![0.0; m]);
            for (c, e) in first {
                twins.column(*c, e.clone());
                dense.add_column(*c, e.clone());
            }
            twins.s.solve(100_000, u64::MAX, &|| false).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            dense.solve(100_000, u64::MAX, &|| false).unwrap();
            let (a, b) = (twins.s.objective(), dense.objective());
            assert!((a - b).abs() <= 1e-7 * b.abs().max(1.0), "case {case}: {a} against {b}");
            for (c, e) in later {
                twins.column(*c, e.clone());
            }
            let want = twins.solve_both(case, 100_000);
            let s = &twins.s;
            let y = s.duals();
            assert!((0..s.cost.len()).all(|j| s.reduced_cost(j, &y) <= OPT_TOL), "case {case}");
            assert!(s.xb.iter().all(|&x| x >= -1e-9), "case {case}");
            refactored += usize::from(s.refactors > 0);
            // A warm start from the optimal basis's columns reaches the same optimum.
            let mut warm = Simplex::new(rhs, &vec![0.0; m]).large();
            for (c, e) in &columns {
                warm.add_column(*c, e.clone());
            }
            for j in m..s.cost.len() {
                if s.value(j) > 1e-9 {
                    warm.enter(j).unwrap();
                }
            }
            assert!(warm.xb.iter().all(|&x| x >= -1e-9), "case {case}: warm start infeasible");
            warm.solve(100_000, u64::MAX, &|| false).unwrap();
            assert!(
                (warm.objective() - want).abs() < 1e-6,
                "case {case}: warm {} against {want}",
                warm.objective()
            );
        }
        assert!(refactored > 30, "only {refactored} cases refactorised");
    }

    /// A singular or nearly singular basis is refused by a large-mode refactorisation, which
    /// then leaves the basis as it was; a dense one refuses it too.
    #[test]
    fn a_singular_basis_fails_to_refactorise() {
        for near in [0.0, 1e-13] {
            for large in [false, true] {
                let mut s = Simplex::new(vec![1.0, 2.0, 3.0], &[0.0; 3]);
                if large {
                    s = s.large();
                }
                let a = s.add_column(1.0, vec![(0, 1.0), (1, 1.0)]);
                let b = s.add_column(1.0, vec![(0, 2.0), (1, 2.0 + near)]);
                // Columns a and b in the basis in place of the first two start columns.
                s.basis = vec![a, b, 2];
                s.position[0] = None;
                s.position[1] = None;
                s.position[a] = Some(0);
                s.position[b] = Some(1);
                assert_eq!(s.refactor(), Err(Failed::Singular), "near {near}, large {large}");
                assert_eq!(s.basis, vec![a, b, 2]);
            }
        }
    }

    /// The dual clean-up stops for effort when the work limit is reached before a pivot it
    /// needs, and otherwise (in either mode) restores feasibility at prices that stay optimal.
    #[test]
    fn the_clean_up_hears_the_work_limit_in_both_modes() {
        let mut g = SplitMix64::new(67);
        let (mut stopped, mut cleaned) = (0, 0);
        for case in 0..200 {
            let m = 2 + g.below(40);
            let large = g.chance(0.5);
            let first: Vec<f64> = (0..m).map(|_| (2 + g.below(8)) as f64).collect();
            let mut s = Simplex::new(first, &vec![0.0; m]);
            if large {
                s = s.large();
            }
            for _ in 0..2 + g.below(4 * m) {
                let (c, e) = random_column(&mut g, m);
                s.add_column(c, e);
            }
            s.solve(100_000, u64::MAX, &|| false).unwrap();
            s.rhs = s
                .rhs
                .iter()
                .map(|&b| if g.chance(0.5) { (b - 1.0 - g.below(4) as f64).max(0.0) } else { b })
                .collect();
            s.basic_values();
            let needs = s.xb.iter().any(|&x| x < -1e-8);
            if needs {
                assert_eq!(s.clean_up(10_000, s.work(), &|| false), Err(Failed::Effort), "case {case}");
                stopped += 1;
            }
            let pivots =
                s.clean_up(10_000, u64::MAX, &|| false).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            cleaned += usize::from(pivots > 0);
            assert!(s.xb.iter().all(|&x| x >= -1e-9), "case {case}: {:?}", s.xb);
            let y = s.duals();
            assert!(
                (0..s.cost.len()).all(|j| s.reduced_cost(j, &y) <= 1e-7),
                "case {case}: prices not optimal"
            );
        }
        assert!(stopped > 40 && cleaned > 40, "stopped {stopped}, cleaned {cleaned}");
    }

    /// The largest violation of `A x = b` (the right-hand sides as given, not as perturbed)
    /// and of `x >= 0` by the simplex's current solution.
    fn primal_violation(s: &Simplex) -> f64 {
        let mut residual = s.rhs.clone();
        let mut worst = 0.0f64;
        for j in 0..s.cost.len() {
            let x = s.position[j].map_or(0.0, |r| s.xb[r]);
            worst = worst.max(-x);
            let (rows, coefs) = s.entries(j);
            for (&i, &a) in rows.iter().zip(coefs) {
                residual[i] -= a * x;
            }
        }
        residual.iter().fold(worst, |w, r| w.max(r.abs()))
    }

    /// Large mode (Devex pricing, the perturbation) on degenerate master-like programmes: half
    /// the class rows at zero, packing rows, columns added in three batches and re-optimised
    /// from the basis reached each time. Each optimum is the dense mode's, the last microlp's;
    /// the solution satisfies the programme as given (the perturbation is taken back exactly)
    /// and the prices prove it optimal; a warm start from its columns reaches it again. Devex
    /// weights and the perturbation are both exercised.
    #[test]
    fn large_mode_devex_and_perturbation_agree_on_degenerate_programmes() {
        let mut g = SplitMix64::new(97);
        let (mut perturbed, mut weighted) = (0, 0);
        for case in 0..60 {
            let m = 20 + g.below(100);
            let n = 3 * m + g.below(5 * m);
            let (mut rhs, columns) = master_like(&mut g, m, n);
            let workers = (m / 3).max(1);
            for b in rhs.iter_mut().skip(workers) {
                if g.chance(0.5) {
                    *b = 0.0;
                }
            }
            let mut twins = Twins::new(rhs.clone());
            twins.s = Simplex::new(rhs.clone(), &vec![0.0; m]).large();
            let mut dense = Simplex::new(rhs.clone(), &vec![0.0; m]);
            let third = columns.len() / 3;
            for (k, batch) in columns.chunks(third.max(1)).enumerate() {
                for (c, e) in batch {
                    twins.column(*c, e.clone());
                    dense.add_column(*c, e.clone());
                }
                if k + 1 < columns.len().div_ceil(third.max(1)) {
                    twins
                        .s
                        .solve(100_000, u64::MAX, &|| false)
                        .unwrap_or_else(|e| panic!("case {case}: {e:?}"));
                    dense.solve(100_000, u64::MAX, &|| false).unwrap();
                    let (a, b) = (twins.s.objective(), dense.objective());
                    assert!((a - b).abs() <= 1e-7 * b.abs().max(1.0), "case {case}: {a} against {b}");
                }
            }
            let want = twins.solve_both(case, 100_000);
            dense.solve(100_000, u64::MAX, &|| false).unwrap();
            assert!((dense.objective() - want).abs() < 1e-6, "case {case}: dense {}", dense.objective());
            let s = &twins.s;
            assert!(s.shift.is_empty(), "case {case}: the perturbation stayed");
            assert!(primal_violation(s) < 1e-9, "case {case}: violation {}", primal_violation(s));
            let y = s.duals();
            assert!((0..s.cost.len()).all(|j| s.reduced_cost(j, &y) <= OPT_TOL), "case {case}");
            perturbed += usize::from(s.draws > 0);
            weighted += usize::from(s.weight.iter().any(|&w| w > 1.0));
            let mut warm = Simplex::new(rhs, &vec![0.0; m]).large();
            for (c, e) in &columns {
                warm.add_column(*c, e.clone());
            }
            for j in m..s.cost.len() {
                if s.value(j) > 1e-9 {
                    warm.enter(j).unwrap();
                }
            }
            warm.solve(100_000, u64::MAX, &|| false).unwrap();
            assert!((warm.objective() - want).abs() < 1e-6, "case {case}: warm {}", warm.objective());
        }
        assert!(perturbed > 15 && weighted > 40, "perturbed {perturbed}, weighted {weighted}");
    }

    /// The reduced costs Devex keeps pivot by pivot are those of the prices at that basis:
    /// after a solve stopped after a few pivots, each nonbasic column's kept value equals its
    /// reduced cost at fresh prices.
    #[test]
    fn devex_keeps_the_reduced_costs_of_the_current_basis() {
        let mut g = SplitMix64::new(101);
        let mut compared = 0;
        for case in 0..100 {
            let m = 10 + g.below(60);
            let n = 2 * m + g.below(4 * m);
            let (rhs, columns) = master_like(&mut g, m, n);
            let mut s = Simplex::new(rhs, &vec![0.0; m]).large();
            for (c, e) in &columns {
                s.add_column(*c, e.clone());
            }
            let stopped = s.solve(1 + g.below(40) as u32, u64::MAX, &|| false);
            if stopped.is_ok() {
                continue;
            }
            assert_eq!(stopped, Err(Failed::Effort), "case {case}");
            let y = s.duals();
            for j in 0..s.cost.len() {
                if s.position[j].is_none() {
                    let d = s.reduced_cost(j, &y);
                    assert!((s.dj[j] - d).abs() <= 1e-8 * (1.0 + d.abs()), "case {case}: column {j}");
                }
            }
            compared += 1;
        }
        assert!(compared > 40, "only {compared} solves stopped early");
    }

    /// Large mode still reports an unbounded programme, and keeps a costly artificial start
    /// column in the basis when the programme is infeasible without it.
    #[test]
    fn large_mode_reports_unbounded_and_infeasible_programmes() {
        let mut s = Simplex::new(vec![1.0, 2.0], &[0.0, 0.0]).large();
        s.add_column(3.0, vec![(0, 1.0)]);
        s.add_column(1.0, vec![(0, -1.0), (1, -2.0)]);
        assert_eq!(s.solve(100, u64::MAX, &|| false), Err(Failed::Unbounded));
        let mut t = Simplex::new(vec![1.0, 1.5], &[-1000.0, 0.0]).large();
        t.add_column(5.0, vec![(0, 1.0), (1, 2.0)]);
        t.solve(100, u64::MAX, &|| false).unwrap();
        assert!(t.value(0) > 0.2);
        let x2 = t.add_column(1.0, vec![(0, 1.0)]);
        t.solve(100, u64::MAX, &|| false).unwrap();
        assert!(t.value(0).abs() < 1e-12 && (t.value(x2) - 0.25).abs() < 1e-9);
    }
}
