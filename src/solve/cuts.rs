//! Cuts across workers for the Dantzig-Wolfe master of [`super::lagrange`]: **off by default**
//! ([`super::params::Effort::root_cuts`]), a tool for the next step on the cross-team plateaus.
//!
//! The master's bound is the convex hull of each worker's lawful loads, one worker at a time:
//! no cut within one worker can move it. What it lacks are rows that join workers, rounded
//! together. HiGHS's root cut pool on the same part (read back through the named
//! `--export-lp` columns; docs/internals.md) has such cuts, and put into this master they
//! prove `decimals-cross` seeds 2 and 27, which the default search leaves unproven.
//!
//! This separator looks for them at the root master's solution, in the compact programme of
//! [`super::lp`]: the solution's image there (each item's copies along its first path: a kept
//! copy its `Keep` column, a moved one its hub or market and hub, or its return), then the path
//! aggregation and complemented mixed-integer rounding of Marchand and Wolsey (2001) from each
//! inequality row over whole columns (a worker's cap row first tightened to the most load its
//! lawful holdings reach): while no rounding of the aggregated row is violated, the column
//! farthest from its bounds is removed through another row it is in, at most [`MAX_ROWS`]
//! rows. Rows are taken as equalities with slacks; a slack with a positive coefficient is
//! dropped (the row is relaxed), one with a negative coefficient stays continuous in the
//! rounding and is put back as its row afterwards. A cut over the compact columns becomes a
//! cut over the items with each item's coefficient the least over its paths: a lawful
//! allocation routed along those paths is a point of the compact programme, so the cut holds
//! there. The rounding is in floating point; each cut's right-hand side is loosened far
//! beyond that arithmetic's error, and a cut the incumbent breaks is dropped. A unit test
//! checks every cut against every lawful allocation of small random parts.
//!
//! Measured: on 18 one-part cross-team models it finds cuts the root master's solution breaks
//! on one only, where 9 of HiGHS's 22 cuts joining workers on `decimals-cross` seed 2 are
//! broken there: HiGHS finds them otherwise (docs/internals.md, the Lagrangian tree, says what
//! was tried next and what remains).

use super::lagrange::{Cut, Decomposition, Kind};
use super::lp::{Col, Lp};
use super::master::Master;
use super::PartAlloc;
use std::collections::BTreeMap;

/// Rows aggregated into one at most: a worker's cap and the rows that remove its items.
const MAX_ROWS: usize = 10;
/// Least efficacy (violation over the coefficients' Euclidean norm) of a cut worth adding.
const MIN_EFFICACY: f64 = 1e-4;
/// A divided right-hand side whose fractional part is below this (or above one less it)
/// rounds to almost nothing, and divides by almost zero.
const MIN_FRAC: f64 = 0.05;
/// Divisors tried per aggregated row, at most.
const DIVISORS: usize = 8;
/// A value this close to a bound is at it.
const AT_BOUND: f64 = 1e-6;

/// The cuts found, and the work they took (about one unit a coefficient visited).
pub(super) struct Separated {
    pub cuts: Vec<Cut>,
    pub work: u64,
}

/// A column of the compact programme: its upper bound, and its value at the image of the
/// master's solution.
struct Var {
    most: f64,
    at: f64,
}

/// `sum of coefs <= rhs` (`== rhs` when `eq`) over the columns.
struct Row {
    coefs: Vec<(usize, f64)>,
    rhs: f64,
    eq: bool,
}

/// A rounding found over the compact columns: its efficacy, coefficients and right-hand side.
struct Found {
    efficacy: f64,
    coefs: Vec<(usize, f64)>,
    rhs: f64,
}

/// An aggregated row: `sum of coefs + sum of slacks' coefficients times their rows' slacks ==
/// rhs` (its rows taken as equalities).
#[derive(Clone)]
struct Aggregate {
    coefs: BTreeMap<usize, f64>,
    rhs: f64,
    /// (row, coefficient of its slack).
    slacks: Vec<(usize, f64)>,
}

/// Up to `max_cuts` cuts the master's solution violates, most effective first; none that the
/// incumbent breaks.
pub(super) fn separate(
    dual: &Decomposition,
    master: &Master,
    incumbent: Option<&PartAlloc>,
    max_cuts: usize,
) -> Separated {
    let part = dual.part;
    let lp = super::lp::build(dual.m, part);
    let paths = Paths::new(dual, &lp);
    // The master's solution on the items, and its image on the compact programme's columns
    // (each copy along its first path).
    let mut at_item: Vec<Vec<f64>> = dual.items.iter().map(|it| vec![0.0; it.len()]).collect();
    for (w, p, share) in &master.columns {
        for &(i, n) in &p.take {
            at_item[*w][i] += share * n as f64;
        }
    }
    let mut vars: Vec<Var> = (0..lp.cols.len()).map(|j| Var { most: lp.hi[j], at: 0.0 }).collect();
    for (w, items) in at_item.iter().enumerate() {
        for (i, &x) in items.iter().enumerate() {
            if x > 0.0 {
                for &j in paths.of[w][i].first().into_iter().flatten() {
                    vars[j].at += x;
                }
            }
        }
    }
    // Rows over whole columns only (no overload, fairness or pooled columns); a worker's cap
    // row (every column its own) at the most load its lawful holdings can reach.
    let max_load: Vec<f64> = (0..part.workers.len()).map(|w| dual.max_load(w)).collect();
    let rows: Vec<Row> = lp
        .rows
        .iter()
        .filter(|r| r.coefs.iter().all(|&(j, _)| lp.is_integer(j) && paths.plain[j]))
        .map(|r| {
            let owner = r.coefs.first().and_then(|&(j, _)| paths.worker[j]);
            let own = !r.eq && owner.is_some() && r.coefs.iter().all(|&(j, _)| paths.worker[j] == owner);
            let rhs = match owner {
                Some(w) if own => r.rhs.min(max_load[w]),
                _ => r.rhs,
            };
            Row { coefs: r.coefs.clone(), rhs, eq: r.eq }
        })
        .collect();
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); lp.cols.len()];
    for (r, row) in rows.iter().enumerate() {
        for &(j, _) in &row.coefs {
            rows_of[j].push(r);
        }
    }
    let mut work: u64 = rows.iter().map(|r| r.coefs.len() as u64).sum();
    let slack_at: Vec<f64> = rows
        .iter()
        .map(|r| (r.rhs - r.coefs.iter().map(|&(v, a)| a * vars[v].at).sum::<f64>()).max(0.0))
        .collect();
    let interior = |v: usize| vars[v].at > AT_BOUND && vars[v].at < vars[v].most - AT_BOUND;
    let mut found: Vec<Found> = Vec::new();
    for (start, row) in rows.iter().enumerate() {
        if row.eq || !row.coefs.iter().any(|&(v, _)| interior(v)) {
            continue;
        }
        let mut agg = Aggregate {
            coefs: row.coefs.iter().copied().collect(),
            rhs: row.rhs,
            slacks: vec![(start, 1.0)],
        };
        let mut used = vec![start];
        loop {
            work += agg.coefs.len() as u64 * (DIVISORS as u64 + 1);
            if let Some(cut) = round(&agg, &vars, &rows, &slack_at) {
                found.push(cut);
            }
            if used.len() >= MAX_ROWS {
                break;
            }
            // The column of the aggregate farthest from its bounds that another row can remove.
            let next = agg
                .coefs
                .keys()
                .copied()
                .filter(|&v| interior(v))
                .filter_map(|v| rows_of[v].iter().find(|r| !used.contains(r)).map(|&r| (v, r)))
                .max_by(|a, b| {
                    let d = |v: usize| vars[v].at.min(vars[v].most - vars[v].at);
                    d(a.0).total_cmp(&d(b.0)).then(b.0.cmp(&a.0))
                });
            let Some((v, r)) = next else { break };
            let a_r = rows[r].coefs.iter().find(|c| c.0 == v).map_or(1.0, |c| c.1);
            let factor = -agg.coefs[&v] / a_r;
            for &(u, a) in &rows[r].coefs {
                *agg.coefs.entry(u).or_insert(0.0) += factor * a;
            }
            agg.coefs.retain(|_, a| a.abs() > 1e-12);
            agg.coefs.remove(&v);
            agg.rhs += factor * rows[r].rhs;
            if !rows[r].eq {
                agg.slacks.push((r, factor));
            }
            used.push(r);
            work += rows[r].coefs.len() as u64;
        }
    }
    // On the items, most effective first, each once, none the incumbent breaks or the master
    // meets.
    found.sort_by(|a, b| b.efficacy.total_cmp(&a.efficacy));
    let mut cuts: Vec<Cut> = Vec::new();
    for Found { coefs, rhs, .. } in found {
        if cuts.len() >= max_cuts {
            break;
        }
        let Some(cut) = paths.on_items(&coefs, rhs) else { continue };
        let at: f64 = cut
            .coef
            .iter()
            .enumerate()
            .flat_map(|(w, c)| c.iter().map(move |&(i, a)| (w, i, a)))
            .map(|(w, i, a)| a * at_item[w][i])
            .sum();
        let tol = 1e-7 * (1.0 + rhs.abs());
        if at <= rhs + tol
            || cuts.contains(&cut)
            || incumbent.is_some_and(|a| lhs(dual, &cut, a) > rhs + 1e-6 * (1.0 + rhs.abs()))
        {
            continue;
        }
        cuts.push(cut);
    }
    Separated { cuts, work }
}

/// How each item reaches its worker in the compact programme: the columns of each path.
struct Paths {
    /// `of[w][i]`: the paths of item `i` of worker `w`, each its columns.
    of: Vec<Vec<Vec<Vec<usize>>>>,
    /// Columns on some item's path.
    plain: Vec<bool>,
    /// The worker a column puts load on, if one.
    worker: Vec<Option<usize>>,
}

impl Paths {
    fn new(dual: &Decomposition, lp: &Lp) -> Self {
        let at: std::collections::HashMap<Col, usize> =
            lp.cols.iter().enumerate().map(|(j, &c)| (c, j)).collect();
        let get = |c: Col| at.get(&c).copied();
        let worker = lp
            .cols
            .iter()
            .map(|c| match *c {
                Col::HubWorker { w, .. } | Col::Keep { w, .. } | Col::Return { w, .. } => Some(w),
                Col::Group { g, j } => Some(dual.part.groups[g].workers[j]),
                _ => None,
            })
            .collect();
        let mut plain = vec![false; lp.cols.len()];
        let mut of = Vec::with_capacity(dual.items.len());
        for (w, items) in dual.items.iter().enumerate() {
            let mut mine = Vec::with_capacity(items.len());
            for it in items {
                let mut ways: Vec<Vec<usize>> = Vec::new();
                match it.kind {
                    Kind::Class { k, kept: true, .. } => {
                        ways.extend(get(Col::Keep { k, w }).map(|j| vec![j]))
                    }
                    Kind::Group { g, j } => ways.extend(get(Col::Group { g, j }).map(|c| vec![c])),
                    Kind::Class { k, kept: false, .. } => {
                        ways.extend(get(Col::Return { k, w }).map(|j| vec![j]));
                        for (h, hub) in lp.hubs.iter().enumerate() {
                            let Some(hw) =
                                hub.workers.contains(&w).then(|| get(Col::HubWorker { h, w })).flatten()
                            else {
                                continue;
                            };
                            ways.extend(get(Col::ClassHub { k, h }).map(|ch| vec![ch, hw]));
                            for (mk, hubs) in lp.markets.iter().enumerate() {
                                if let (true, Some(cm), Some(mh)) = (
                                    hubs.contains(&h),
                                    get(Col::ClassMarket { k, mk }),
                                    get(Col::MarketHub { mk, h }),
                                ) {
                                    ways.push(vec![cm, mh, hw]);
                                }
                            }
                        }
                    }
                }
                for way in &ways {
                    for &j in way {
                        plain[j] = true;
                    }
                }
                mine.push(ways);
            }
            of.push(mine);
        }
        Paths { of, plain, worker }
    }

    /// A cut over the compact columns as a cut over the items: each item's coefficient the
    /// least over its paths of their columns' (a lawful allocation routed along those paths is
    /// a point of the compact programme, so the cut holds there); None when some item has no
    /// path (the cut would then say nothing of the allocations that hold it).
    fn on_items(&self, coefs: &[(usize, f64)], rhs: f64) -> Option<Cut> {
        let mut a = std::collections::HashMap::new();
        for &(j, c) in coefs {
            a.insert(j, c);
        }
        let mut coef = Vec::with_capacity(self.of.len());
        for items in &self.of {
            let mut mine = Vec::new();
            for (i, ways) in items.iter().enumerate() {
                let sum =
                    |way: &Vec<usize>| way.iter().map(|j| a.get(j).copied().unwrap_or(0.0)).sum::<f64>();
                let least = ways.iter().map(sum).fold(f64::INFINITY, f64::min);
                if !least.is_finite() {
                    return None;
                }
                if least.abs() > 1e-12 {
                    mine.push((i, least));
                }
            }
            coef.push(mine);
        }
        Some(Cut { coef, rhs })
    }
}

/// The best complemented mixed-integer rounding of `agg` the master's solution (its image,
/// `vars`) violates.
fn round(agg: &Aggregate, vars: &[Var], rows: &[Row], slack_at: &[f64]) -> Option<Found> {
    // Complement the variables nearer their upper bound, x = most - x': (column, coefficient
    // of x, or of x' when complemented, complemented).
    let ints: Vec<(usize, f64, bool)> = agg
        .coefs
        .iter()
        .map(|(&v, &a)| {
            let comp = vars[v].most.is_finite() && vars[v].at > vars[v].most / 2.0;
            (v, if comp { -a } else { a }, comp)
        })
        .collect();
    let rhs = agg.rhs + ints.iter().filter(|c| c.2).map(|&(v, a, _)| a * vars[v].most).sum::<f64>();
    let value = |v: usize, comp: bool| if comp { vars[v].most - vars[v].at } else { vars[v].at };
    // Slacks with a negative coefficient stay, as one continuous variable's terms.
    let cont: Vec<(usize, f64)> = agg.slacks.iter().filter(|s| s.1 < 0.0).map(|&(r, c)| (r, -c)).collect();
    let cont_at: f64 = cont.iter().map(|&(r, c)| c * slack_at[r]).sum();
    let mut divisors: Vec<f64> = Vec::new();
    for &(v, a, comp) in &ints {
        let x = value(v, comp);
        if x > AT_BOUND && a.abs() > 1e-9 && !divisors.iter().any(|d| (d - a.abs()).abs() <= 1e-9 * d) {
            divisors.push(a.abs());
        }
    }
    divisors.sort_by(|a, b| b.total_cmp(a));
    divisors.truncate(DIVISORS);
    let mut best: Option<(f64, f64)> = None; // (efficacy, divisor)
    let mut tried: Vec<f64> = Vec::new();
    let mut try_divisor = |d: f64, best: &mut Option<(f64, f64)>| {
        if tried.iter().any(|t| (t - d).abs() <= 1e-12 * d) {
            return;
        }
        tried.push(d);
        if let Some(e) = efficacy(&ints, rhs, cont_at, &cont, d, &value) {
            if e >= MIN_EFFICACY && best.is_none_or(|b| e > b.0 + 1e-12) {
                *best = Some((e, d));
            }
        }
    };
    for &d in &divisors {
        try_divisor(d, &mut best);
    }
    if let Some((_, d)) = best {
        for s in [2.0, 4.0, 8.0] {
            try_divisor(d / s, &mut best);
        }
    }
    let (eff, d) = best?;
    // The rounding, back in the variables: x' = most - x for the complemented, and each
    // kept slack replaced by its row (slack = rhs - row).
    let beta = rhs / d;
    let f = beta - beta.floor();
    let mut coefs: BTreeMap<usize, f64> = BTreeMap::new();
    let mut cut_rhs = beta.floor();
    for &(v, a, comp) in &ints {
        let g = mir(a / d, f);
        if comp {
            *coefs.entry(v).or_insert(0.0) -= g;
            cut_rhs -= g * vars[v].most;
        } else {
            *coefs.entry(v).or_insert(0.0) += g;
        }
    }
    for &(r, c) in &cont {
        let g = c / (d * (1.0 - f));
        for &(v, a) in &rows[r].coefs {
            *coefs.entry(v).or_insert(0.0) += g * a;
        }
        cut_rhs += g * rows[r].rhs;
    }
    let coefs: Vec<(usize, f64)> = coefs.into_iter().filter(|c| c.1.abs() > 1e-12).collect();
    if coefs.is_empty() {
        return None;
    }
    // Loosened far beyond the arithmetic's error: a valid cut stays valid.
    let scale: f64 =
        1.0 + cut_rhs.abs() + coefs.iter().map(|&(v, a)| (a * vars[v].at.max(1.0)).abs()).sum::<f64>();
    let cut_rhs = cut_rhs + 1e-9 * scale;
    let at: f64 = coefs.iter().map(|&(v, a)| a * vars[v].at).sum();
    (at > cut_rhs + 1e-7 * scale).then_some(Found { efficacy: eff, coefs, rhs: cut_rhs })
}

/// The rounding's coefficient of a variable with coefficient `a` (divided) when the divided
/// right-hand side has fractional part `f`.
fn mir(a: f64, f: f64) -> f64 {
    let fa = a - a.floor();
    a.floor() + (fa - f).max(0.0) / (1.0 - f)
}

/// The efficacy of dividing by `d`: the rounding's violation at the master's solution over
/// its coefficients' norm; None when the divided right-hand side is too near a whole number.
fn efficacy(
    ints: &[(usize, f64, bool)],
    rhs: f64,
    cont_at: f64,
    cont: &[(usize, f64)],
    d: f64,
    value: &dyn Fn(usize, bool) -> f64,
) -> Option<f64> {
    let beta = rhs / d;
    let f = beta - beta.floor();
    if !(MIN_FRAC..=1.0 - MIN_FRAC).contains(&f) {
        return None;
    }
    let (mut lhs, mut norm) = (0.0, 0.0);
    for &(v, a, comp) in ints {
        let g = mir(a / d, f);
        lhs += g * value(v, comp);
        norm += g * g;
    }
    let h = 1.0 / (d * (1.0 - f));
    lhs -= h * cont_at;
    norm += cont.iter().map(|&(_, c)| (h * c).powi(2)).sum::<f64>();
    (norm > 0.0).then(|| (lhs - beta.floor()) / norm.sqrt())
}

/// The cut's left-hand side at a whole allocation: a class's copies at a worker kept first
/// (up to what it holds today), the rest moved.
pub(super) fn lhs(dual: &Decomposition, cut: &Cut, a: &PartAlloc) -> f64 {
    let part = dual.part;
    let mut total = 0.0;
    for (w, items) in cut.coef.iter().enumerate() {
        for &(i, c) in items {
            let copies = match dual.items[w][i].kind {
                Kind::Class { k, j, kept } => {
                    let n = a.counts[k][j];
                    let held = super::allocation::kept_count(part, k, w);
                    if kept {
                        n.min(held)
                    } else {
                        n - n.min(held)
                    }
                }
                Kind::Group { g, j } => u32::from(a.groups[g] == Some(j)),
            };
            total += c * copies as f64;
        }
    }
    total
}
