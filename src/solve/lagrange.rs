//! The Lagrangian bound of a part, which is its Dantzig-Wolfe bound: the compact programme's
//! relaxation lets a worker hold a third of a case, this one does not.
//!
//! Relax the rows that join workers (each class's count, each group's one placement, each
//! supervisor's oversight) with prices `lambda`, `mu`, `nu` >= 0. What is left falls apart into
//! one knapsack per worker, solved exactly: by dynamic programming over its whole load levels
//! when the part's weights have a common unit and the levels are few, otherwise over Pareto
//! lists of real loads ([`super::knapsack`]), so weights with many decimals and caps scaled by
//! FTE are exact too:
//!
//! ```text
//! L(lambda, mu, nu) = sum_k n_k lambda_k + sum_g mu_g + sum_s room_s nu_s
//!                   + sum_w max over w's lawful loads of (value - prices - overload)
//! ```
//!
//! Every price vector gives a proven upper bound on the part's value. This file holds the
//! bound's data, the prices' rows and the per-worker knapsack ([`Decomposition::knapsack`]); the best
//! prices and the Dantzig-Wolfe master over the knapsacks' patterns are in [`super::master`].
//!
//! Restrictions (a lower and upper count for each class at each worker, and where each group may
//! go) make the same bound serve every node of the search in [`super::tree`].

use super::allocation::kept_count;
use super::knapsack::{self, Piece};
use super::params::Effort;
use super::PartAlloc;
use crate::formulate::{floor_to, Part};
use crate::model::Model;
use crate::objective;
use crate::rules::EPS;

/// Rows of the master above which a part counts as [`Decomposition::large`].
const LARGE_MASTER: usize = 200;

/// What a node of the search allows: counts of each class at each of its workers, and the
/// workers each group may go to.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct NodeBounds {
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
    /// Bounds on how many of a class a set of its workers hold together, in the order the
    /// search made them: each a row of the master with its own two prices
    /// ([`Decomposition::n_prices_at`]).
    pub sets: Vec<SetBound>,
}

/// At least `lo` and at most `hi` of class `k` at its workers from place `from` up to (not
/// including) `upto` in the order of [`Decomposition::rank`] (by team, then worker).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct SetBound {
    pub k: usize,
    pub from: usize,
    pub upto: usize,
    pub lo: u32,
    pub hi: u32,
}

impl NodeBounds {
    /// No restriction beyond the part's own rows.
    pub fn none(part: &Part) -> Self {
        NodeBounds {
            lo: part.classes.iter().map(|c| vec![0; c.workers.len()]).collect(),
            hi: part.classes.iter().map(|c| vec![c.cases.len() as u32; c.workers.len()]).collect(),
            allowed: part.groups.iter().map(|g| vec![true; g.workers.len()]).collect(),
            forced: vec![None; part.groups.len()],
            total: part.classes.iter().map(|c| (0, c.cases.len() as u32)).collect(),
            must: vec![false; part.groups.len()],
            sets: Vec::new(),
        }
    }

    /// False when the counts asked of a class cannot add up.
    fn consistent(&self) -> bool {
        let classes = self.total.iter().enumerate().all(|(k, &(lo, hi))| {
            lo <= hi && self.lo[k].iter().sum::<u32>() <= hi && lo <= self.hi[k].iter().sum::<u32>()
        });
        let groups = (0..self.must.len())
            .all(|g| !self.must[g] || self.forced[g].is_some() || self.allowed[g].iter().any(|&a| a));
        let forced = self.forced.iter().zip(&self.allowed).all(|(f, a)| f.is_none_or(|j| a[j]));
        let sets = self.sets.iter().all(|s| s.lo <= s.hi && s.lo <= self.total[s.k].1);
        classes && groups && forced && sets
    }
}

/// One kind of item a worker's knapsack may take.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// Cases of class `k` at the worker, its `j`-th; `kept` for those it holds today.
    Class { k: usize, j: usize, kept: bool },
    /// Group `g` at the worker, its `j`-th.
    Group { g: usize, j: usize },
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    pub(super) kind: Kind,
    /// Size in load units (of the grid, when there is one).
    size: usize,
    /// Weight.
    pub(super) weight: f64,
    /// Objective value of one (before prices).
    pub(super) value: f64,
}

/// A worker's answer to its knapsack: how many of each item kind.
#[derive(Clone, Debug, Default)]
pub(super) struct Pattern {
    /// (item index in the worker's list, count)
    pub(super) take: Vec<(usize, u32)>,
    /// Load (weight).
    pub(super) load: f64,
    /// Objective value (before prices), overload included.
    pub(super) value: f64,
}

/// The bound's data for one part.
pub(super) struct Decomposition<'a> {
    pub(super) m: &'a Model,
    pub(super) part: &'a Part,
    /// The unit of the grid of load levels the knapsacks work on; `None`: real loads.
    unit: Option<f64>,
    /// Knapsack size of each worker, in units of the grid (when there is one).
    caps: Vec<usize>,
    /// Item kinds of each worker.
    pub(super) items: Vec<Vec<Item>>,
    /// Oversight room of each supervisor row, in weight.
    pub(super) oversight_room: Vec<f64>,
    /// The most the part could be worth: every item's positive value, and every worker's
    /// largest gain from load alone (the fairness term pays for load below target).
    pub(super) worth: f64,
    /// States a knapsack over real loads may make ([`super::params::Effort::knapsack_states`]).
    max_states: usize,
    /// The knapsacks over real loads already solved ([`knapsack::Memo`]).
    memo: knapsack::Memo,
    /// Column generation for a large master ([`Decomposition::large`]): the master's simplex in
    /// its large mode, every worker's empty pattern in the pool, and at the root a subgradient
    /// heading-in ([`super::master`]). Small masters keep the plain rounds (their runs stay
    /// as they were).
    pub(super) stabilised: bool,
    /// `rank[k][j]`: the place of class `k`'s `j`-th worker among its workers ordered by team,
    /// then worker; a [`SetBound`] holds the first of them.
    pub(super) rank: Vec<Vec<usize>>,
    /// Cuts across workers ([`super::cuts`]): upper rows of the master over the items, kept at
    /// every node. `cut_coef[w][i]`: each cut's coefficient of item `i` of worker `w`; a
    /// worker no cut holds has no list at all (a 20,000-case district's workers have 1.3
    /// million items, and an empty list for each took 39 MB).
    cut_coef: Vec<Vec<Vec<(usize, f64)>>>,
    /// Each cut's right-hand side.
    cut_rhs: Vec<f64>,
    /// The prices of the upper rows (classes, groups, oversight) at the optimum of the part's
    /// compact relaxation (`lp::Lp::linking_prices`), when it was solved: where a large root's
    /// heading-in starts if they bound the part more tightly than zero prices do.
    pub(super) relaxation_prices: Option<Vec<f64>>,
}

/// `n` copies of an item as 0/1 pieces of 1, 2, 4, ... copies and the rest (binary
/// splitting): every count up to `n` is a sum of some of them.
fn binary_split(n: u32) -> impl Iterator<Item = u32> {
    let mut left = n;
    let mut q = 1u32;
    std::iter::from_fn(move || {
        (left > 0).then(|| {
            let take = q.min(left);
            left -= take;
            q = q.saturating_mul(2);
            take
        })
    })
}

/// A cut over the items: `sum over workers w and their items i of coef[w] (i, a) * copies <=
/// rhs`, valid for every lawful allocation of the part.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cut {
    pub coef: Vec<Vec<(usize, f64)>>,
    pub rhs: f64,
}

/// Every worker's knapsack at some prices ([`Decomposition::evaluate`]).
pub(super) struct Evaluated {
    /// The Lagrangian bound L at those prices (a proven upper bound even when not `exact`).
    pub bound: f64,
    /// Each worker's best pattern (the best found, when not `exact`).
    pub patterns: Vec<Pattern>,
    /// The work it took.
    pub work: u64,
    /// Every knapsack was solved to its optimum (none ran out of states).
    pub exact: bool,
}

impl<'a> Decomposition<'a> {
    /// The bound's data: over a grid of load levels when the part's weights have a common
    /// unit and no cap is more than the effort's `grid_levels` of them, over real loads
    /// otherwise.
    pub fn new(m: &'a Model, part: &'a Part, effort: &Effort) -> Self {
        let mut dual = Self::with_levels(m, part, effort.grid_levels);
        dual.max_states = effort.knapsack_states;
        dual
    }

    /// [`Decomposition::new`] with a grid of at most `max_levels` load levels (with 0, real loads for any
    /// part with a cap of one unit or more).
    pub(super) fn with_levels(m: &'a Model, part: &'a Part, max_levels: usize) -> Self {
        let units = |x: f64, unit: f64| ((x / unit) + crate::tolerance::FLOOR).floor().max(0.0) as usize;
        let unit = part.unit.filter(|&u| part.workers.iter().all(|r| units(r.cap, u) <= max_levels));
        let caps: Vec<usize> =
            unit.map_or_else(Vec::new, |u| part.workers.iter().map(|r| units(r.cap, u)).collect());
        let size = |weight: f64| unit.map_or(0, |u| (weight / u).round() as usize);
        let mut items: Vec<Vec<Item>> = vec![Vec::new(); part.workers.len()];
        for (k, class) in part.classes.iter().enumerate() {
            let (size, weight) = (size(class.weight), class.weight);
            for (j, &w) in class.workers.iter().enumerate() {
                let v = part.unit_value(m, k, w, false);
                items[w].push(Item { kind: Kind::Class { k, j, kept: false }, size, weight, value: v });
                if kept_count(part, k, w) > 0 {
                    let kv = v + m.policy.move_penalty;
                    items[w].push(Item { kind: Kind::Class { k, j, kept: true }, size, weight, value: kv });
                }
            }
        }
        for (g, group) in part.groups.iter().enumerate() {
            let (size, weight) = (size(group.weight), group.weight);
            for (j, &w) in group.workers.iter().enumerate() {
                items[w].push(Item { kind: Kind::Group { g, j }, size, weight, value: group.value[j] });
            }
        }
        // Pushed one at a time, a list may hold up to twice its items' room: 30 MB of a
        // 20,000-case district's 92 MB of items.
        for list in &mut items {
            list.shrink_to_fit();
        }
        // Loads are whole multiples of the part's unit whether or not the knapsacks work on its
        // grid, so a supervisor's room is floored to it as the compact programme floors it.
        let oversight_room = part.overseers.iter().map(|o| floor_to(o.1, part.unit)).collect();
        let mut worth: f64 = items.iter().flatten().map(|it| it.value.max(0.0)).sum();
        for (w, room) in part.workers.iter().enumerate() {
            let cost = |l: f64| room.load_cost(&m.policy, l);
            // The cost is convex and bends only at whole loads and at target: its least value
            // within the cap is at one of those, or at the cap.
            let least = match unit {
                Some(u) => (0..=caps[w]).map(|l| cost(l as f64 * u)).fold(f64::INFINITY, f64::min),
                None => {
                    let whole =
                        (0..=room.cap.max(0.0).ceil() as usize).map(|l| l as f64 - room.fixed.fract());
                    whole
                        .chain([room.target, room.cap])
                        .filter(|&l| (0.0..=room.cap).contains(&l))
                        .map(cost)
                        .fold(cost(0.0), f64::min)
                }
            };
            worth += (cost(0.0) - least).max(0.0);
        }
        let mut dual = Decomposition {
            m,
            part,
            unit,
            caps,
            items,
            oversight_room,
            worth,
            max_states: Effort::DEFAULT.knapsack_states,
            memo: knapsack::Memo::new(),
            stabilised: false,
            cut_coef: vec![Vec::new(); part.workers.len()],
            cut_rhs: Vec::new(),
            relaxation_prices: None,
            rank: part
                .classes
                .iter()
                .map(|c| {
                    let mut order: Vec<usize> = (0..c.workers.len()).collect();
                    order.sort_by_key(|&j| (part.workers[c.workers[j]].team, c.workers[j]));
                    let mut rank = vec![0; order.len()];
                    for (place, &j) in order.iter().enumerate() {
                        rank[j] = place;
                    }
                    rank
                })
                .collect(),
        };
        dual.stabilised = dual.large();
        dual
    }

    /// The same bound with `cuts` as rows of every master (after the others' prices: see
    /// [`Decomposition::first_cut`]), and a memo of its own (the cuts' prices change the
    /// knapsacks' items).
    pub(super) fn with_cuts(&self, cuts: &[Cut]) -> Decomposition<'a> {
        let mut cut_coef = self.cut_coef.clone();
        let mut cut_rhs = self.cut_rhs.clone();
        for cut in cuts {
            let t = cut_rhs.len();
            for (w, items) in cut.coef.iter().enumerate() {
                for &(i, a) in items {
                    if cut_coef[w].is_empty() {
                        cut_coef[w] = vec![Vec::new(); self.items[w].len()];
                    }
                    cut_coef[w][i].push((t, a));
                }
            }
            cut_rhs.push(cut.rhs);
        }
        Decomposition {
            m: self.m,
            part: self.part,
            unit: self.unit,
            caps: self.caps.clone(),
            items: self.items.clone(),
            oversight_room: self.oversight_room.clone(),
            worth: self.worth,
            max_states: self.max_states,
            memo: knapsack::Memo::new(),
            stabilised: self.stabilised,
            rank: self.rank.clone(),
            cut_coef,
            cut_rhs,
            relaxation_prices: self.relaxation_prices.clone(),
        }
    }

    /// The most copies of each of worker `w`'s items a lawful allocation gives it (a class's
    /// kept copies: what the worker holds today; its moved copies: the rest of the class).
    pub(super) fn most_copies(&self, w: usize) -> Vec<u32> {
        let mut most = vec![0u32; self.items[w].len()];
        if let Some((forced, free)) = self.choices(w, &NodeBounds::none(self.part)) {
            for (i, n) in forced.into_iter().chain(free) {
                most[i] = most[i].saturating_add(n);
            }
        }
        most
    }

    /// A proven upper bound on the load any lawful holding gives worker `w` (at most its cap):
    /// with weights of many decimals, the cap itself is rarely reached.
    pub(super) fn max_load(&self, w: usize) -> f64 {
        let cap = self.part.workers[w].cap;
        let mut pieces = Vec::new();
        for (i, n) in self.most_copies(w).into_iter().enumerate() {
            let weight = self.items[w][i].weight;
            for take in binary_split(n.min(((cap + EPS) / weight.max(EPS)).floor() as u32)) {
                pieces.push(Piece { weight: weight * take as f64, value: weight * take as f64 });
            }
        }
        let best = knapsack::best(&pieces, cap, &|_| 0.0, &|_| 0.0, self.max_states);
        best.bound.min(cap)
    }

    /// Each cut's coefficient of item `i` of worker `w`: (cut, coefficient).
    pub(super) fn cuts_at(&self, w: usize, i: usize) -> &[(usize, f64)] {
        self.cut_coef[w].get(i).map_or(&[], Vec::as_slice)
    }

    /// A master too large to price cheaply (a row per worker, class, group and supervisor):
    /// a whole district joined by cross-team work.
    pub(super) fn large(&self) -> bool {
        let p = self.part;
        p.workers.len() + p.classes.len() + p.groups.len() + p.overseers.len() > LARGE_MASTER
    }

    /// Prices, in order: each class's upper row, each group's row, each supervisor's
    /// oversight row, then the lower rows (subtracted): each class's, each group's; then each
    /// cut's (an upper row).
    pub(super) fn n_prices(&self) -> usize {
        self.first_cut() + self.cut_rhs.len()
    }

    /// Index of the first cut's price: every price from it on, below [`Self::n_prices`], is a
    /// cut's.
    pub(super) fn first_cut(&self) -> usize {
        2 * self.part.classes.len() + 2 * self.part.groups.len() + self.part.overseers.len()
    }

    /// Prices under restriction `r`: [`Decomposition::n_prices`], then two for each of its
    /// [`SetBound`]s (upper, lower).
    pub(super) fn n_prices_at(&self, r: &NodeBounds) -> usize {
        self.n_prices() + 2 * r.sets.len()
    }

    /// Whether price `i` is a lower row's (subtracted).
    pub(super) fn is_lower(&self, i: usize) -> bool {
        let base = self.n_prices();
        if i < base {
            i >= self.first_lower() && i < self.first_cut()
        } else {
            (i - base) % 2 == 1
        }
    }

    /// Whether class `k`'s `j`-th worker is in set bound `s`.
    pub(super) fn in_set(&self, s: &SetBound, k: usize, j: usize) -> bool {
        s.k == k && (s.from..s.upto).contains(&self.rank[k][j])
    }

    /// Index of class `k`'s lower-row price.
    pub(super) fn lo_class(&self, k: usize) -> usize {
        self.first_lower() + k
    }

    /// Index of group `g`'s lower-row price.
    pub(super) fn lo_group(&self, g: usize) -> usize {
        self.first_lower() + self.part.classes.len() + g
    }

    /// Index of group `g`'s upper-row price (class `k`'s is `k`).
    pub(super) fn up_group(&self, g: usize) -> usize {
        self.part.classes.len() + g
    }

    /// Index of supervisor `s`'s oversight-row price.
    pub(super) fn oversight(&self, s: usize) -> usize {
        self.part.classes.len() + self.part.groups.len() + s
    }

    /// Index of the first lower-row price: every price before it is an upper row's.
    pub(super) fn first_lower(&self) -> usize {
        self.part.classes.len() + self.part.groups.len() + self.part.overseers.len()
    }

    /// Price of the rows item `i` of worker `w` is in: its class's or group's, the cuts', and
    /// the oversight price of worker `w`.
    fn item_price(&self, prices: &[f64], w: usize, i: usize) -> f64 {
        let it = &self.items[w][i];
        let base = self.first_cut();
        let cuts: f64 = self.cuts_at(w, i).iter().map(|&(t, a)| prices[base + t] * a).sum();
        let row = cuts
            + match it.kind {
                Kind::Class { k, .. } => prices[k] - prices[self.lo_class(k)],
                Kind::Group { g, .. } => prices[self.up_group(g)] - prices[self.lo_group(g)],
            };
        let over = self.part.workers[w].overseer.map_or(0.0, |s| prices[self.oversight(s)]);
        match self.unit {
            Some(unit) => row + over * it.size as f64 * unit,
            None => row + over * it.weight,
        }
    }

    /// The price-independent part of L: each row's right-hand side times its price.
    fn rhs_term(&self, prices: &[f64], r: &NodeBounds) -> f64 {
        self.rhs(r).iter().zip(prices).map(|(a, b)| a * b).sum()
    }

    /// Each price's coefficient in L: its row's right-hand side (negated for lower rows).
    pub(super) fn rhs(&self, r: &NodeBounds) -> Vec<f64> {
        let mut rhs: Vec<f64> = r.total.iter().map(|t| t.1 as f64).collect();
        rhs.extend(std::iter::repeat_n(1.0, self.part.groups.len()));
        rhs.extend_from_slice(&self.oversight_room);
        rhs.extend(r.total.iter().map(|t| -(t.0 as f64)));
        rhs.extend(r.must.iter().map(|&m| if m { -1.0 } else { 0.0 }));
        rhs.extend_from_slice(&self.cut_rhs);
        for s in &r.sets {
            rhs.extend([s.hi as f64, -(s.lo as f64)]);
        }
        rhs
    }

    /// The prices as worker `w`'s knapsack sees them: each set bound's prices added to its
    /// class's (the worker holds the class at one position, so the class's own price carries
    /// them); the prices as given when the worker is in no set.
    fn at_worker<'p>(&self, w: usize, prices: &'p [f64], r: &NodeBounds) -> std::borrow::Cow<'p, [f64]> {
        let mut out = std::borrow::Cow::Borrowed(prices);
        let base = self.n_prices();
        for (t, s) in r.sets.iter().enumerate() {
            let Some(j) = self.part.classes[s.k].workers.iter().position(|&x| x == w) else { continue };
            if self.in_set(s, s.k, j) {
                let d = prices[base + 2 * t] - prices[base + 2 * t + 1];
                out.to_mut()[s.k] += d;
            }
        }
        out
    }

    /// Worker `w`'s best pattern at these prices under the restriction, with its priced value
    /// (a proven upper bound on it when the last is false), the work it took, and whether the
    /// pattern is the optimum; None when the restriction cannot be met at this worker.
    pub(super) fn knapsack(
        &self,
        w: usize,
        prices: &[f64],
        r: &NodeBounds,
    ) -> Option<(Pattern, f64, u64, bool)> {
        let (forced, free) = self.choices(w, r)?;
        let prices = &*self.at_worker(w, prices, r);
        match self.unit {
            Some(unit) => {
                let work = (self.items[w].len() * 4 * (self.caps[w] + 1)) as u64;
                self.grid(w, prices, forced, free, unit).map(|(p, v)| (p, v, work, true))
            }
            None => self.exact(w, prices, forced, free),
        }
    }

    /// Worker `w`'s copies of each item the restriction forces, and the most of each it may
    /// take beyond them: (item, copies) each. None when the restriction cannot hold.
    #[allow(clippy::type_complexity)]
    fn choices(&self, w: usize, r: &NodeBounds) -> Option<(Vec<(usize, u32)>, Vec<(usize, u32)>)> {
        let part = self.part;
        let items = &self.items[w];
        let mut forced: Vec<(usize, u32)> = Vec::new();
        let mut free: Vec<(usize, u32)> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let (f, n) = match it.kind {
                Kind::Class { k, j, kept } => {
                    let c = kept_count(part, k, part.classes[k].workers[j]);
                    let n = part.classes[k].cases.len() as u32;
                    let (lo, hi) = (r.lo[k][j], self.most(r, k, j).min(n));
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
        Some((forced, free))
    }

    /// False when a set bound of `r` cannot meet its workers' own bounds: the least they must
    /// hold is above its upper bound, or the most they may hold below its lower one.
    fn sets_hold(&self, r: &NodeBounds) -> bool {
        r.sets.iter().all(|s| {
            let members = (0..self.rank[s.k].len()).filter(|&j| self.in_set(s, s.k, j));
            let (least, most) = members.fold((0u32, 0u32), |(a, b), j| {
                (a.saturating_add(r.lo[s.k][j]), b.saturating_add(r.hi[s.k][j]))
            });
            least <= s.hi && s.lo <= most
        })
    }

    /// The most of class `k` its `j`-th worker may hold under `r`: its own bound, and that of
    /// every set bound it is in.
    pub(super) fn most(&self, r: &NodeBounds, k: usize, j: usize) -> u32 {
        r.sets.iter().filter(|s| self.in_set(s, k, j)).fold(r.hi[k][j], |hi, s| hi.min(s.hi))
    }

    /// The knapsack over whole load levels of `unit`: forced copies first, then the free
    /// copies as 0/1 pieces (binary splitting).
    fn grid(
        &self,
        w: usize,
        prices: &[f64],
        forced: Vec<(usize, u32)>,
        free: Vec<(usize, u32)>,
        unit: f64,
    ) -> Option<(Pattern, f64)> {
        let part = self.part;
        let items = &self.items[w];
        let mut pieces: Vec<(usize, u32)> = Vec::new(); // (item, copies)
        let forced_load: usize = forced.iter().map(|&(i, n)| items[i].size * n as usize).sum();
        let cap = self.caps[w].checked_sub(forced_load)?;
        let forced_value: f64 =
            forced.iter().map(|&(i, n)| (items[i].value - self.item_price(prices, w, i)) * n as f64).sum();
        // The most a unit of load can be worth by itself: the fairness term pays for load below
        // target, most for the first unit (it is convex). An item worth no more than that
        // bound per unit, or nothing, is never in a best pattern.
        let room = &part.workers[w];
        let cost_at = |l: usize| room.load_cost(&self.m.policy, l as f64 * unit);
        let bonus = (cost_at(forced_load) - cost_at(forced_load + 1)).max(0.0);
        for (i, n) in free {
            let it = &items[i];
            if it.value - self.item_price(prices, w, i) + bonus * it.size as f64 <= crate::tolerance::TIE
                || it.size > cap
            {
                continue;
            }
            pieces.extend(binary_split(n.min((cap / it.size.max(1)) as u32)).map(|take| (i, take)));
        }
        // 0/1 knapsack over exact loads, remembering each piece's choices.
        let levels = cap + 1;
        let mut best = vec![f64::NEG_INFINITY; levels];
        best[0] = 0.0;
        let mut took = vec![false; pieces.len() * levels];
        for (p, &(i, q)) in pieces.iter().enumerate() {
            let it = &items[i];
            let s = it.size * q as usize;
            let v = (it.value - self.item_price(prices, w, i)) * q as f64;
            for l in (s..levels).rev() {
                let cand = best[l - s] + v;
                if cand > best[l] + crate::tolerance::TIE {
                    best[l] = cand;
                    took[p * levels + l] = true;
                }
            }
        }
        let over = |l: usize| room.load_cost(&self.m.policy, (l + forced_load) as f64 * unit);
        let (l_best, v_best) = (0..levels)
            .filter(|&l| best[l] > f64::NEG_INFINITY)
            .map(|l| (l, best[l] - over(l)))
            .fold((0, f64::NEG_INFINITY), |acc, x| if x.1 > acc.1 + crate::tolerance::TIE { x } else { acc });
        let mut take = forced;
        let mut l = l_best;
        for p in (0..pieces.len()).rev() {
            if took[p * levels + l] {
                let (i, q) = pieces[p];
                take.push((i, q));
                l -= items[i].size * q as usize;
            }
        }
        let load = (l_best + forced_load) as f64 * unit;
        let value = take.iter().map(|&(i, n)| items[i].value * n as f64).sum::<f64>()
            - room.load_cost(&self.m.policy, load);
        Some((Pattern { take, load, value }, v_best + forced_value))
    }

    /// The knapsack over real loads ([`knapsack::best`]): forced copies first, then the free
    /// copies as 0/1 pieces (binary splitting).
    fn exact(
        &self,
        w: usize,
        prices: &[f64],
        forced: Vec<(usize, u32)>,
        free: Vec<(usize, u32)>,
    ) -> Option<(Pattern, f64, u64, bool)> {
        let items = &self.items[w];
        let room = &self.part.workers[w];
        let p = &self.m.policy;
        let forced_load: f64 = forced.iter().map(|&(i, n)| items[i].weight * n as f64).sum();
        if forced_load > room.cap + EPS {
            return None;
        }
        let cap = room.cap - forced_load;
        let priced = |i: usize| items[i].value - self.item_price(prices, w, i);
        let forced_value: f64 = forced.iter().map(|&(i, n)| priced(i) * n as f64).sum();
        let cost = |l: f64| room.load_cost(p, forced_load + l);
        let slope = |l: f64| objective::load_slope(p, room.goal, room.fixed + forced_load + l);
        // As in the grid: an item worth no more than the most a unit of load earns by itself
        // is never in a best pattern.
        let bonus = (-slope(0.0)).max(0.0);
        let mut pieces: Vec<Piece> = Vec::new();
        let mut owner: Vec<(usize, u32)> = Vec::new();
        for (i, n) in free {
            let (weight, v) = (items[i].weight, priced(i));
            if v + bonus * weight <= crate::tolerance::TIE || weight > cap + EPS {
                continue;
            }
            for take in binary_split(n.min(((cap + EPS) / weight).floor() as u32)) {
                pieces.push(Piece { weight: weight * take as f64, value: v * take as f64 });
                owner.push((i, take));
            }
        }
        let best = self.memo.best(&[w as f64, forced_load], &pieces, cap, &cost, &slope, self.max_states);
        let mut take = forced;
        take.extend(best.take.iter().map(|&x| owner[x]));
        let load = forced_load + best.load;
        let value =
            take.iter().map(|&(i, n)| items[i].value * n as f64).sum::<f64>() - room.load_cost(p, load);
        Some((Pattern { take, load, value }, best.bound + forced_value, best.work, best.exact))
    }

    /// Every worker's knapsack at these prices: L, the patterns, and the work it took (for
    /// [`super::master::Outcome::work`]). None if infeasible.
    pub(super) fn evaluate(&self, prices: &[f64], r: &NodeBounds) -> Option<Evaluated> {
        if !r.consistent() || !self.sets_hold(r) {
            return None;
        }
        // Prices of a node with fewer set bounds: the new rows start at zero.
        let mut padded = std::borrow::Cow::Borrowed(prices);
        if prices.len() != self.n_prices_at(r) {
            padded.to_mut().resize(self.n_prices_at(r), 0.0);
        }
        let prices = &*padded;
        let mut total = self.rhs_term(prices, r);
        let mut patterns = Vec::with_capacity(self.part.workers.len());
        let (mut work, mut exact) = (0, true);
        for w in 0..self.part.workers.len() {
            let (p, v, spent, optimum) = self.knapsack(w, prices, r)?;
            total += v;
            work += spent;
            exact &= optimum;
            patterns.push(p);
        }
        Some(Evaluated { bound: total, patterns, work, exact })
    }

    /// Reduced-cost fixing: the restriction `r` tightened wherever one worker's choice, taken
    /// the other way, would cost more than the bound at `prices` has to spare. Changing worker
    /// `w`'s restriction changes only its knapsack, so the Lagrangian bound of `r` with the
    /// change is `L - v_w + v_w'`, a proven upper bound on every allocation under `r` that makes
    /// the change; when `beaten` holds of it no such allocation beats the incumbent, and the
    /// opposite choice holds in the whole subtree. Each test is against `r` itself, so the
    /// fixings hold together (if together they cannot hold, nothing under `r` beats the
    /// incumbent). Tested per worker: one more, and one fewer, of each class than its best
    /// pattern holds; each group it could hold, there or not. Returns the tightened
    /// restriction (None: nothing to fix), how many choices were fixed, and the work.
    pub(super) fn fix(
        &self,
        r: &NodeBounds,
        prices: &[f64],
        beaten: &dyn Fn(f64) -> bool,
    ) -> (Option<NodeBounds>, usize, u64) {
        self.fix_screened(r, prices, beaten, true)
    }

    /// [`Decomposition::fix`], with the screen by the best patterns' neighbours (`screen`) or
    /// without it (every test a knapsack): the same fixings either way.
    fn fix_screened(
        &self,
        r: &NodeBounds,
        prices: &[f64],
        beaten: &dyn Fn(f64) -> bool,
        screen: bool,
    ) -> (Option<NodeBounds>, usize, u64) {
        if !r.consistent() || !self.sets_hold(r) {
            return (None, 0, 0);
        }
        let mut padded = std::borrow::Cow::Borrowed(prices);
        if prices.len() != self.n_prices_at(r) {
            padded.to_mut().resize(self.n_prices_at(r), 0.0);
        }
        let prices = &*padded;
        let mut best = Vec::with_capacity(self.part.workers.len());
        let mut l = self.rhs_term(prices, r);
        let mut work = 0;
        for w in 0..self.part.workers.len() {
            let Some((p, v, spent, _)) = self.knapsack(w, prices, r) else { return (None, 0, work) };
            l += v;
            work += spent;
            best.push((p, v));
        }
        let mut out = r.clone();
        // `r` with one change at a time, undone after its test.
        let mut t = r.clone();
        let mut fixed = 0;
        for (w, (p, v)) in best.iter().enumerate() {
            // Whether the bound of `r` with worker `w`'s restriction `t` is beaten (so when `t`
            // leaves the worker no lawful load: then no allocation makes the change).
            // The best pattern's copies of each item: a change's test first values the
            // patterns one copy away from it (`near`: item, +1 or -1) that `t` admits, a lower
            // bound on the changed knapsack, and skips the knapsack when even that bound is
            // not beaten: the knapsack would be at least as much, so not beaten either. The
            // fixings are those of the knapsacks alone; only their work is saved.
            let mut counts = vec![0u32; self.items[w].len()];
            for &(i, n) in &p.take {
                counts[i] += n;
            }
            let slack = crate::tolerance::CONVERGED * l.abs().max(1.0);
            let mut beaten_with = |t: &NodeBounds, near: &[(usize, bool)]| {
                let mut lower = None;
                if screen {
                    let (v2, spent) = self.near_value(w, prices, &counts, t, near);
                    work += spent;
                    lower = v2;
                }
                let lower = lower.unwrap_or(f64::NEG_INFINITY);
                let at_least = l - v + lower - slack;
                if lower > f64::NEG_INFINITY
                    && !beaten(at_least + crate::tolerance::GAIN * at_least.abs().max(1.0))
                {
                    return false;
                }
                match self.knapsack(w, prices, t) {
                    Some((_, v2, spent, _)) => {
                        work += spent;
                        let with = l - v + v2;
                        beaten(with + crate::tolerance::GAIN * with.abs().max(1.0))
                    }
                    None => true,
                }
            };
            // The items of class `k` at this worker (kept and not).
            let of_class = |k: usize| -> Vec<usize> {
                (0..self.items[w].len())
                    .filter(|&i| matches!(self.items[w][i].kind, Kind::Class { k: k2, .. } if k2 == k))
                    .collect()
            };
            for (i, it) in self.items[w].iter().enumerate() {
                match it.kind {
                    Kind::Class { k, j, kept: false } => {
                        let c: u32 = p
                            .take
                            .iter()
                            .filter(|&&(i, _)| matches!(self.items[w][i].kind, Kind::Class { k: k2, .. } if k2 == k))
                            .map(|&(_, n)| n)
                            .sum();
                        let n = self.part.classes[k].cases.len() as u32;
                        let (lo, hi) = (r.lo[k][j], self.most(r, k, j).min(n));
                        let class_items = of_class(k);
                        if c < hi {
                            t.lo[k][j] = c + 1;
                            let near: Vec<(usize, bool)> = class_items.iter().map(|&i| (i, true)).collect();
                            if beaten_with(&t, &near) {
                                out.hi[k][j] = out.hi[k][j].min(c);
                                fixed += 1;
                            }
                            t.lo[k][j] = r.lo[k][j];
                        }
                        if c > lo {
                            t.hi[k][j] = c - 1;
                            let near: Vec<(usize, bool)> = class_items.iter().map(|&i| (i, false)).collect();
                            if beaten_with(&t, &near) {
                                out.lo[k][j] = out.lo[k][j].max(c);
                                fixed += 1;
                            }
                            t.hi[k][j] = r.hi[k][j];
                        }
                    }
                    Kind::Group { g, j } if r.forced[g].is_none() && r.allowed[g][j] => {
                        let there = p.take.iter().any(
                            |&(i, _)| matches!(self.items[w][i].kind, Kind::Group { g: g2, .. } if g2 == g),
                        );
                        if there {
                            t.allowed[g][j] = false;
                        } else {
                            t.forced[g] = Some(j);
                        }
                        let beaten = beaten_with(&t, &[(i, !there)]);
                        t.allowed[g][j] = r.allowed[g][j];
                        t.forced[g] = r.forced[g];
                        if beaten {
                            if there {
                                out.forced[g] = Some(j);
                            } else {
                                out.allowed[g][j] = false;
                            }
                            fixed += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        ((fixed > 0).then_some(out), fixed, work)
    }

    /// A lower bound on worker `w`'s knapsack under restriction `t`, from its pattern
    /// `counts` (copies of each of its items, lawful under the node's restriction, which `t`
    /// changes only at the items of `moves`): the best priced value of the patterns one move
    /// away that `t` admits, a move being one copy more (`true`) or fewer of an item of
    /// `moves`, and a copy more also with a copy fewer of any other item held. None when no
    /// such pattern is lawful. Lawful points of the knapsack, so at most its optimum; with the
    /// work it took. Used by [`Decomposition::fix`] to skip tests that cannot succeed.
    fn near_value(
        &self,
        w: usize,
        prices: &[f64],
        counts: &[u32],
        t: &NodeBounds,
        moves: &[(usize, bool)],
    ) -> (Option<f64>, u64) {
        let items = &self.items[w];
        let work = (items.len() + moves.len() * counts.len()) as u64;
        let Some((forced, free)) = self.choices(w, t) else { return (None, work) };
        let mut least = vec![0u32; counts.len()];
        let mut most = vec![0u32; counts.len()];
        for &(i, f) in &forced {
            least[i] = f;
            most[i] = f;
        }
        for &(i, n) in &free {
            most[i] = most[i].saturating_add(n);
        }
        let moved = |i: usize| moves.iter().any(|m| m.0 == i);
        // Every item the moves leave alone must already keep to `t`.
        if (0..counts.len()).any(|i| !moved(i) && (counts[i] < least[i] || counts[i] > most[i])) {
            return (None, work);
        }
        let prices = &*self.at_worker(w, prices, t);
        let priced = |i: usize| items[i].value - self.item_price(prices, w, i);
        let room = &self.part.workers[w];
        // Loads in grid units, or in weight (`unit` None).
        let size = |i: usize| match self.unit {
            Some(_) => items[i].size as f64,
            None => items[i].weight,
        };
        let (cap, unit) = match self.unit {
            Some(u) => (self.caps[w] as f64, u),
            None => (room.cap + EPS, 1.0),
        };
        // The value is short of the exact sum by the rounding of its terms, which scales with
        // their size (a price near its cap), not with the value: it is given less a margin of
        // that size, so it stays a lower bound.
        let (mut sum, mut load, mut size_of_terms) = (0.0, 0.0, 0.0f64);
        let mut held = Vec::new();
        for (i, &n) in counts.iter().enumerate() {
            if n > 0 {
                sum += priced(i) * n as f64;
                size_of_terms += priced(i).abs() * n as f64;
                load += size(i) * n as f64;
                held.push(i);
            }
        }
        for &(i, _) in moves {
            size_of_terms += priced(i).abs();
        }
        const ROUNDING: f64 = 1e-12;
        let value = |gain: f64, l: f64| {
            let cost = room.load_cost(&self.m.policy, l * unit);
            (l <= cap).then(|| sum + gain - cost - ROUNDING * (size_of_terms + cost.abs()))
        };
        // The moved items' counts after moving item `i` by `d`, kept to `t`.
        let lawful = |i: usize, d: i64| {
            moves.iter().all(|&(x, _)| {
                let n = counts[x] as i64 + if x == i { d } else { 0 };
                n >= least[x] as i64 && n <= most[x] as i64
            })
        };
        let mut best: Option<f64> = None;
        let mut keep = |v: Option<f64>| {
            if let Some(v) = v {
                best = Some(best.map_or(v, |b: f64| b.max(v)));
            }
        };
        for &(i, more) in moves {
            if more {
                if !lawful(i, 1) {
                    continue;
                }
                keep(value(priced(i), load + size(i)));
                for &j in held.iter().filter(|&&j| !moved(j) && counts[j] > least[j]) {
                    keep(value(priced(i) - priced(j), load + size(i) - size(j)));
                }
            } else if counts[i] > 0 && lawful(i, -1) {
                keep(value(-priced(i), load - size(i)));
            }
        }
        (best, work)
    }

    /// What worker `w`'s pattern `p` holds: (class, the worker's place among its workers, count)
    /// of each class, a class's two items (the cases the worker keeps and the others) added up,
    /// and (group, place) of each group, in the pattern's order.
    #[allow(clippy::type_complexity)]
    pub(super) fn holds(&self, w: usize, p: &Pattern) -> (Vec<(usize, usize, u32)>, Vec<(usize, usize)>) {
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
        (count, groups)
    }

    /// Whether worker `w` may hold pattern `p` under restriction `r`.
    pub(super) fn admits(&self, w: usize, p: &Pattern, r: &NodeBounds) -> bool {
        let part = self.part;
        let (count, groups) = self.holds(w, p);
        // Every class this worker may hold, present in the pattern or not, within its bounds.
        for it in &self.items[w] {
            if let Kind::Class { k, j, kept: false } = it.kind {
                let n = count.iter().find(|c| c.0 == k).map_or(0, |c| c.2);
                if n < r.lo[k][j] || n > self.most(r, k, j) {
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
    pub(super) fn as_alloc(&self, patterns: &[Pattern]) -> PartAlloc {
        let part = self.part;
        let mut a = super::allocation::empty_alloc(part);
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SplitMix64;

    /// A small random team: weights on a grid of halves, siblings, today's workers, caps
    /// scaled by FTE, overload and fairness.
    fn model(g: &mut SplitMix64) -> Model {
        let nw = 2 + g.below(3);
        let workers: Vec<String> = (0..nw)
            .map(|w| {
                let fte = [1.0, 0.5, 0.6][g.below(3)];
                format!(r#"{{"id": "W{w}", "role": "social_worker", "team": "N", "fte": {fte}}}"#)
            })
            .collect();
        let cases: Vec<String> = (0..6 + g.below(9))
            .map(|c| {
                let weight = [0.5, 1.0, 1.5, 2.5, 3.0][g.below(5)];
                let kind = ["looked_after", "child_in_need", "child_protection"][g.below(3)];
                let group =
                    if g.chance(0.3) { format!(r#", "group": "G{}""#, g.below(3)) } else { String::new() };
                let current = if g.chance(0.4) {
                    format!(r#", "current_worker": "W{}""#, g.below(nw))
                } else {
                    String::new()
                };
                format!(
                    r#"{{"id": "C{c}", "type": "{kind}", "team": "N", "weight": {weight}{group}{current}}}"#
                )
            })
            .collect();
        let json = format!(
            r#"{{"version": 1, "policy": {{"caps": {{"social_worker": {}}}, "targets": {{"social_worker": {}}},
                "overload_penalty": {}, "fairness_penalty": {}, "move_penalty": 10}},
                "workers": [{}], "cases": [{}]}}"#,
            [6.0, 9.0, 5.5][g.below(3)],
            [4.0, 7.0][g.below(2)],
            [0.0, 20.0][g.below(2)],
            [0.0, 3.0, 40.0][g.below(3)],
            workers.join(","),
            cases.join(",")
        );
        crate::load_model_bytes("m.json", json.as_bytes()).unwrap()
    }

    /// A random restriction of the kind the search makes: counts bounded at some workers,
    /// groups kept from or sent to some.
    fn restrict(part: &Part, g: &mut SplitMix64) -> NodeBounds {
        let mut r = NodeBounds::none(part);
        for (k, class) in part.classes.iter().enumerate() {
            for j in 0..class.workers.len() {
                let n = class.cases.len() as u32;
                if g.chance(0.2) {
                    r.hi[k][j] = g.below(n as usize + 1) as u32;
                }
                if g.chance(0.2) {
                    r.lo[k][j] = (g.below(n as usize + 1) as u32).min(r.hi[k][j]);
                }
            }
        }
        for (gi, group) in part.groups.iter().enumerate() {
            for j in 0..group.workers.len() {
                if g.chance(0.2) {
                    r.allowed[gi][j] = false;
                }
            }
            if g.chance(0.15) {
                r.forced[gi] = (0..group.workers.len()).find(|&j| r.allowed[gi][j]);
            }
        }
        // Set bounds: a class's count over a run of its workers (by rank), at most or at least.
        for (k, class) in part.classes.iter().enumerate() {
            let nw = class.workers.len();
            if nw >= 2 && g.chance(0.3) {
                let from = g.below(nw - 1);
                let upto = from + 1 + g.below(nw - from);
                let n = class.cases.len() as u32;
                let v = g.below(n as usize + 1) as u32;
                let (lo, hi) = if g.chance(0.5) { (0, v) } else { (v, n) };
                r.sets.push(SetBound { k, from, upto, lo, hi });
            }
        }
        r
    }

    /// Every worker's knapsack over real loads gives what the grid of load levels gives, at
    /// random prices under random restrictions, and each pattern is worth what it says.
    #[test]
    fn real_loads_and_the_grid_find_the_same_knapsack_optimum() {
        let mut g = SplitMix64::new(11);
        let mut compared = 0;
        for case in 0..300 {
            let m = model(&mut g);
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let grid = Decomposition::new(&m, part, &Effort::DEFAULT);
                let real = Decomposition::with_levels(&m, part, 0);
                assert!(grid.unit.is_some() && real.unit.is_none(), "case {case}");
                for _ in 0..5 {
                    let r = restrict(part, &mut g);
                    let prices: Vec<f64> = (0..grid.n_prices_at(&r))
                        .map(|_| if g.chance(0.5) { 0.0 } else { g.unit() * 120.0 })
                        .collect();
                    let (a, b) = (grid.evaluate(&prices, &r), real.evaluate(&prices, &r));
                    assert_eq!(a.is_some(), b.is_some(), "case {case}");
                    let (Some(a), Some(b)) = (a, b) else { continue };
                    let (la, pa, lb, pb) = (a.bound, a.patterns, b.bound, b.patterns);
                    assert!((la - lb).abs() <= 1e-7 * la.abs().max(1.0), "case {case}: {la} against {lb}");
                    for (w, p) in pb.iter().enumerate() {
                        assert!(real.admits(w, p, &r), "case {case}");
                        assert!(p.load <= part.workers[w].cap + EPS, "case {case}");
                        let v: f64 = p.take.iter().map(|&(i, n)| real.items[w][i].value * n as f64).sum();
                        let want = v - part.workers[w].load_cost(&m.policy, p.load);
                        assert!((p.value - want).abs() <= 1e-9 * want.abs().max(1.0), "case {case}");
                    }
                    assert_eq!(pa.len(), pb.len());
                    compared += 1;
                }
            }
        }
        assert!(compared > 300, "only {compared} comparisons");
    }

    /// A small random district of two teams working across teams: weights of two decimals,
    /// caps scaled by FTE, siblings, today's workers, a cross-team penalty and overload.
    /// The part's decomposition over a grid of load levels where it can have one, or over real
    /// loads, by a coin.
    fn grid_or_real<'a>(m: &'a Model, part: &'a Part, g: &mut SplitMix64) -> Decomposition<'a> {
        if g.chance(0.5) {
            Decomposition::new(m, part, &Effort::DEFAULT)
        } else {
            Decomposition::with_levels(m, part, 0)
        }
    }

    /// Prices for a test of the restriction `r`: mostly those column generation reaches, else
    /// random ones (some zero).
    fn some_prices(dual: &Decomposition, r: &NodeBounds, g: &mut SplitMix64) -> Vec<f64> {
        use super::super::master::Allowance;
        if g.chance(0.7) {
            let allowed =
                Allowance { rounds: 100, work: u64::MAX, pivots: 20_000, pool_per_worker: 4, close: None };
            dual.bound(r, None, &Default::default(), allowed, &|_| false, &|| false).prices
        } else {
            (0..dual.n_prices_at(r)).map(|_| if g.chance(0.5) { 0.0 } else { g.unit() * 60.0 }).collect()
        }
    }

    /// Case `c` of a random cross-team model, as JSON: its weight and type drawn from these,
    /// in one of two sibling groups 30% of the time, held by one of `holders` 40% of the time,
    /// of team N or S.
    fn cross_case(
        g: &mut SplitMix64,
        c: usize,
        weights: &[f64],
        kinds: &[&str],
        holders: &[String],
    ) -> String {
        let weight = weights[g.below(weights.len())];
        let kind = kinds[g.below(kinds.len())];
        let group = if g.chance(0.3) { format!(r#", "group": "G{}""#, g.below(2)) } else { String::new() };
        let current = if g.chance(0.4) {
            format!(r#", "current_worker": "{}""#, holders[g.below(holders.len())])
        } else {
            String::new()
        };
        let t = ["N", "S"][g.below(2)];
        format!(r#"{{"id": "C{c}", "type": "{kind}", "team": "{t}", "weight": {weight}{group}{current}}}"#)
    }

    fn cross_model(g: &mut SplitMix64) -> Model {
        let nw = 2 + g.below(2);
        let team = |i: usize| ["N", "S"][i % 2];
        let workers: Vec<String> = (0..nw)
            .map(|w| {
                let fte = [1.0, 0.5, 0.6][g.below(3)];
                let t = team(w);
                format!(r#"{{"id": "W{w}", "role": "social_worker", "team": "{t}", "fte": {fte}}}"#)
            })
            .collect();
        let holders: Vec<String> = (0..nw).map(|w| format!("W{w}")).collect();
        let cases: Vec<String> = (0..4 + g.below(4))
            .map(|c| {
                let kinds = ["looked_after", "child_in_need", "child_protection"];
                cross_case(g, c, &[0.35, 0.8, 1.25, 2.15], &kinds, &holders)
            })
            .collect();
        let json = format!(
            r#"{{"version": 1, "policy": {{"caps": {{"social_worker": {}}}, "targets": {{"social_worker": {}}},
                "overload_penalty": {}, "move_penalty": 10, "cross_team": true, "cross_team_penalty": {}}},
                "workers": [{}], "cases": [{}]}}"#,
            [3.0, 4.5][g.below(2)],
            [2.0, 3.5][g.below(2)],
            [0.0, 20.0][g.below(2)],
            [5.0, 7.5][g.below(2)],
            workers.join(","),
            cases.join(",")
        );
        crate::load_model_bytes("m.json", json.as_bytes()).unwrap()
    }

    /// A small cross-team model where assistants need their supervisors' oversight (the
    /// rows that join workers are classes, groups and oversight), with decimal weights, a
    /// previous worker for some children and a fairness term for some.
    fn supervised_model(g: &mut SplitMix64) -> Model {
        let team = |i: usize| ["N", "S"][i % 2];
        let mut workers: Vec<String> = (0..2)
            .map(|w| format!(r#"{{"id": "W{w}", "role": "social_worker", "team": "{}"}}"#, team(w)))
            .collect();
        for a in 0..1 + g.below(2) {
            let (t, s) = (team(a), g.below(2));
            workers.push(format!(
                r#"{{"id": "A{a}", "role": "social_work_assistant", "team": "{t}", "supervisor": "W{s}"}}"#
            ));
        }
        let holders: Vec<String> =
            (0..2).map(|w| format!("W{w}")).chain((0..workers.len() - 2).map(|a| format!("A{a}"))).collect();
        let cases: Vec<String> = (0..4 + g.below(5))
            .map(|c| {
                let kinds = ["child_in_need", "care_leaver", "child_in_need", "looked_after"];
                cross_case(g, c, &[0.5, 0.75, 1.25, 2.0], &kinds, &holders)
            })
            .collect();
        let json = format!(
            r#"{{"version": 1, "policy": {{"caps": {{"social_worker": {}, "social_work_assistant": {}}},
                "oversight_cap": {}, "overload_penalty": {}, "fairness_penalty": {}, "move_penalty": 10,
                "cross_team": true, "cross_team_penalty": {}}},
                "workers": [{}], "cases": [{}]}}"#,
            [2.5, 4.0][g.below(2)],
            [1.5, 3.0][g.below(2)],
            [1.0, 2.25, 24.0][g.below(3)],
            [0.0, 20.0][g.below(2)],
            [0.0, 3.0][g.below(2)],
            [5.0, 7.5][g.below(2)],
            workers.join(","),
            cases.join(",")
        );
        crate::load_model_bytes("m.json", json.as_bytes()).unwrap()
    }

    /// The compact relaxation's prices of the rows that join workers
    /// (`lp::Lp::linking_prices`), where a large root heads in from, bound the part at or
    /// below the relaxation's optimum, so that the search starts there and never above it: on
    /// random team, cross-team and supervised models, grid and real loads, the programme with
    /// every group column and the pooled one. The knapsacks' integer loads often do better
    /// (strictly below), which is what the heading-in gains.
    #[test]
    fn the_relaxation_s_prices_bound_the_part_at_or_below_the_relaxation() {
        use super::super::lp;
        let mut g = SplitMix64::new(41);
        let (mut checked, mut below, mut oversight) = (0, 0, 0);
        for case in 0..300 {
            let m = match case % 3 {
                0 => model(&mut g),
                1 => cross_model(&mut g),
                _ => supervised_model(&mut g),
            };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let dual = grid_or_real(&m, part, &mut g);
                for programme in [lp::build(&m, part), lp::build_pooled(&m, part)] {
                    let mut relaxed = lp::solve_relaxation(&programme).unwrap();
                    let prices = relaxed.linking_prices(&programme).expect("finite prices");
                    assert_eq!(prices.len(), dual.first_lower(), "case {case}");
                    assert!(prices.iter().all(|&p| p >= 0.0), "case {case}: {prices:?}");
                    let mut at = prices.clone();
                    at.resize(dual.n_prices(), 0.0);
                    let l = dual.evaluate(&at, &NodeBounds::none(part)).unwrap().bound;
                    let tol = 1e-7 * relaxed.objective.abs().max(1.0);
                    assert!(
                        l <= relaxed.objective + tol,
                        "case {case}: L {l} above the relaxation's {} at {prices:?}",
                        relaxed.objective
                    );
                    checked += 1;
                    below += usize::from(l < relaxed.objective - tol);
                    if !part.overseers.is_empty() {
                        let held = &prices[dual.oversight(0)..dual.first_lower()];
                        oversight += usize::from(held.iter().any(|&p| p > 0.0));
                    }
                }
            }
        }
        assert!(
            checked > 300 && below > 30 && oversight > 5,
            "checked {checked}, below {below}, oversight {oversight}"
        );
    }

    /// Every lawful allocation of a small part with its value; None when there are too many
    /// to try.
    fn every_allocation(m: &Model, part: &Part) -> Option<Vec<(PartAlloc, f64)>> {
        use super::super::allocation::{empty_alloc, feasible, value};
        // Each class's ways of sharing at most its cases among its workers.
        fn shares(n: u32, workers: usize) -> Vec<Vec<u32>> {
            if workers == 0 {
                return vec![Vec::new()];
            }
            let mut out = Vec::new();
            for first in 0..=n {
                for mut rest in shares(n - first, workers - 1) {
                    rest.insert(0, first);
                    out.push(rest);
                }
            }
            out
        }
        let ways: Vec<Vec<Vec<u32>>> =
            part.classes.iter().map(|c| shares(c.cases.len() as u32, c.workers.len())).collect();
        let size = ways.iter().map(Vec::len).chain(part.groups.iter().map(|g| g.workers.len() + 1));
        if size.fold(1usize, |a, b| a.saturating_mul(b)) > 200_000 {
            return None;
        }
        let mut all = vec![empty_alloc(part)];
        for (k, w) in ways.iter().enumerate() {
            all = all
                .into_iter()
                .flat_map(|a| {
                    w.iter().map(move |c| {
                        let mut b = a.clone();
                        b.counts[k].clone_from(c);
                        b
                    })
                })
                .collect();
        }
        for (gi, group) in part.groups.iter().enumerate() {
            all = all
                .into_iter()
                .flat_map(|a| {
                    (0..=group.workers.len()).map(move |j| {
                        let mut b = a.clone();
                        b.groups[gi] = j.checked_sub(1);
                        b
                    })
                })
                .collect();
        }
        Some(all.into_iter().filter(|a| feasible(part, a)).map(|a| (a.clone(), value(m, part, &a))).collect())
    }

    /// Whether allocation `a` keeps to restriction `r` (its set bounds by `rank`).
    fn keeps_to(r: &NodeBounds, rank: &[Vec<usize>], a: &PartAlloc) -> bool {
        let sets = r.sets.iter().all(|s| {
            let n: u32 = (0..a.counts[s.k].len())
                .filter(|&j| (s.from..s.upto).contains(&rank[s.k][j]))
                .map(|j| a.counts[s.k][j])
                .sum();
            s.lo <= n && n <= s.hi
        });
        let counts = a.counts.iter().enumerate().all(|(k, cs)| {
            let total: u32 = cs.iter().sum();
            cs.iter().enumerate().all(|(j, &c)| r.lo[k][j] <= c && c <= r.hi[k][j])
                && r.total[k].0 <= total
                && total <= r.total[k].1
        });
        let groups = a.groups.iter().enumerate().all(|(g, &at)| match (r.forced[g], at) {
            (Some(f), at) => at == Some(f),
            (None, Some(j)) => r.allowed[g][j],
            (None, None) => !r.must[g],
        });
        counts && groups && sets
    }

    /// Cuts across workers hold for every lawful allocation: on small random cross-team and
    /// team models, grid and real loads, every cut separated from the root master's solution
    /// is met by every allocation tried one by one, and the master's solution breaks it. And
    /// the separator finds some.
    #[test]
    fn every_cut_across_workers_holds_for_every_lawful_allocation() {
        use super::super::master::Allowance;
        let mut g = SplitMix64::new(37);
        let (mut cuts, mut checked) = (0, 0);
        for case in 0..400 {
            let m = if case % 4 == 0 { model(&mut g) } else { cross_model(&mut g) };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let Some(all) = every_allocation(&m, part) else { continue };
                let dual = grid_or_real(&m, part, &mut g);
                let allowed = Allowance {
                    rounds: 100,
                    work: u64::MAX,
                    pivots: 20_000,
                    pool_per_worker: 4,
                    close: None,
                };
                let out = dual.bound(
                    &NodeBounds::none(part),
                    None,
                    &Default::default(),
                    allowed,
                    &|_| false,
                    &|| false,
                );
                let Some(master) = out.master.filter(|_| out.converged) else { continue };
                let found = super::super::cuts::separate(&dual, &master, None, 100);
                for cut in &found.cuts {
                    for (a, _) in &all {
                        let lhs = super::super::cuts::lhs(&dual, cut, a);
                        assert!(
                            lhs <= cut.rhs + 1e-6,
                            "case {case}: {lhs} > {} for {a:?}, cut {cut:?}",
                            cut.rhs
                        );
                    }
                    checked += all.len();
                }
                cuts += found.cuts.len();
            }
        }
        assert!(cuts > 10 && checked > 1000, "cuts {cuts}, checked {checked}");
    }

    /// The screen of reduced-cost fixing (a lawful neighbour of the best pattern bounds the
    /// changed knapsack from below) skips only tests that would fail: on random team and
    /// cross-team models, grid and real loads, random restrictions, prices and thresholds,
    /// the screened fixing tightens the restriction exactly as testing every change by its
    /// knapsack does, and it is cheaper in all.
    #[test]
    fn the_screened_reduced_cost_fixing_fixes_exactly_what_the_knapsacks_alone_fix() {
        let mut g = SplitMix64::new(31);
        let (mut fixed, mut saved, mut compared) = (0, 0u64, 0);
        for case in 0..300 {
            let m = if case % 3 == 0 { model(&mut g) } else { cross_model(&mut g) };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let dual = grid_or_real(&m, part, &mut g);
                let r = if g.chance(0.3) { NodeBounds::none(part) } else { restrict(part, &mut g) };
                let prices = some_prices(&dual, &r, &mut g);
                let Some(at) = dual.evaluate(&prices, &r) else { continue };
                // Thresholds from a little to far below the bound at these prices.
                let threshold = at.bound - 40.0 * g.unit();
                let beaten = |b: f64| b < threshold;
                let (a, na, wa) = dual.fix_screened(&r, &prices, &beaten, true);
                let (b, nb, wb) = dual.fix_screened(&r, &prices, &beaten, false);
                assert_eq!(na, nb, "case {case}: fixings counted");
                assert_eq!(a, b, "case {case}: the tightened restriction");
                fixed += na;
                saved += wb.saturating_sub(wa);
                compared += 1;
            }
        }
        assert!(
            compared > 100 && fixed > 50 && saved > 0,
            "compared {compared}, fixed {fixed}, saved {saved}"
        );
    }

    /// Reduced-cost fixing never cuts off an allocation that beats the incumbent: on small
    /// random cross-team models with decimal weights (and the team models above), under
    /// random restrictions, at the prices column generation reaches and at random ones, every
    /// lawful allocation worth at least the threshold keeps to the tightened restriction, found
    /// by trying every allocation. And the rule bites: it fixes many choices.
    #[test]
    fn reduced_cost_fixing_keeps_every_allocation_that_beats_the_incumbent() {
        let mut g = SplitMix64::new(29);
        let (mut fixed, mut checked) = (0, 0);
        for case in 0..400 {
            let m = if case % 3 == 0 { model(&mut g) } else { cross_model(&mut g) };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let Some(all) = every_allocation(&m, part) else { continue };
                let dual = grid_or_real(&m, part, &mut g);
                let r = if g.chance(0.3) { NodeBounds::none(part) } else { restrict(part, &mut g) };
                let lawful: Vec<&(PartAlloc, f64)> =
                    all.iter().filter(|(a, _)| keeps_to(&r, &dual.rank, a)).collect();
                let Some(top) = lawful.iter().map(|x| x.1).reduce(f64::max) else { continue };
                let prices = some_prices(&dual, &r, &mut g);
                // The incumbent's threshold: at or a little below the best, sometimes above.
                let threshold = top - 12.0 * g.unit() + if g.chance(0.1) { 5.0 } else { 0.0 };
                let (out, n, _) = dual.fix(&r, &prices, &|b| b < threshold);
                fixed += n;
                let Some(out) = out else { continue };
                for (a, v) in &lawful {
                    if *v >= threshold {
                        assert!(
                            keeps_to(&out, &dual.rank, a),
                            "case {case}: an allocation worth {v} >= {threshold} cut off"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(fixed > 500 && checked > 200, "fixed {fixed}, checked {checked}");
    }

    /// The stabilised column generation of large masters (the simplex's large mode, empty
    /// patterns, the subgradient heading-in at the root) reaches the same Dantzig-Wolfe bound
    /// as the plain rounds, on small random team and cross-team parts, at the root and under
    /// random restrictions; and every bound it reports, converged or stopped after a few
    /// rounds, is at least the best lawful allocation, found by trying every one.
    #[test]
    fn stabilised_pricing_reaches_the_plain_bound_and_never_cuts_the_optimum() {
        use super::super::master::Allowance;
        let mut g = SplitMix64::new(41);
        let (mut compared, mut checked) = (0, 0);
        for case in 0..300 {
            let m = if case % 2 == 0 { model(&mut g) } else { cross_model(&mut g) };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let plain = if g.chance(0.5) {
                    Decomposition::new(&m, part, &Effort::DEFAULT)
                } else {
                    Decomposition::with_levels(&m, part, 0)
                };
                let mut stable =
                    Decomposition::with_levels(&m, part, if plain.unit.is_some() { 4096 } else { 0 });
                stable.stabilised = true;
                let r = if g.chance(0.5) { NodeBounds::none(part) } else { restrict(part, &mut g) };
                let all = |rounds| Allowance {
                    rounds,
                    work: u64::MAX,
                    pivots: 20_000,
                    pool_per_worker: 4,
                    close: None,
                };
                let none = &|_: f64| false;
                let a = plain.bound(&r, None, &Default::default(), all(400), none, &|| false);
                let b = stable.bound(&r, None, &Default::default(), all(400), none, &|| false);
                let few =
                    stable.bound(&r, None, &Default::default(), all(1 + g.below(3) as u32), none, &|| false);
                if a.converged && b.converged && a.bound.is_finite() {
                    let tol = 1e-6 * a.bound.abs().max(1.0);
                    assert!((a.bound - b.bound).abs() <= tol, "case {case}: {} against {}", a.bound, b.bound);
                    compared += 1;
                }
                let Some(every) = every_allocation(&m, part) else { continue };
                let top =
                    every.iter().filter(|(x, _)| keeps_to(&r, &plain.rank, x)).map(|x| x.1).reduce(f64::max);
                let Some(top) = top else { continue };
                for bound in [a.bound, b.bound, few.bound] {
                    assert!(bound >= top - 1e-6 * top.abs().max(1.0), "case {case}: bound {bound} < {top}");
                }
                checked += 1;
            }
        }
        assert!(compared > 200 && checked > 100, "compared {compared}, checked {checked}");
    }
}
