//! Local search on a whole allocation: ejection chains over single cases and sibling groups,
//! with exact objective changes and every row kept (caps, oversight, class sizes).
//!
//! A chain starts by lifting one item (a case of a class, or a whole sibling group) from its
//! worker, or by taking one that is not placed. The lifted item is then put at another worker
//! it may go to; when that worker (or its supervisor's oversight) has no room, one item there
//! is lifted in turn (or two, when one is not enough: the first left unplaced or put where
//! there is room), and so on, up to [`DEPTH`] items; the last one may also stay unplaced.
//! Single moves, swaps between two workers and moves of whole groups are the short chains. A
//! chain is kept as soon as its total change is a gain (first improvement), and the search
//! goes on from the new allocation until no chain gains or the work allowance is spent. When
//! no chain gains, the best augmenting path over the workers (up to [`PATH_STEPS`] single
//! items, each worker once) is tried before giving up.
//!
//! A chain goes on only while it can still gain: the gain so far, with the lifted item out,
//! plus the most that item could add anywhere (its best value, and the most the fairness term
//! can give back for its weight). The work is counted in item moves, never in time, so the
//! answer is the same on every run.

use super::allocation::{loads, value};
use super::heuristics::unit_delta;
use super::PartAlloc;
use crate::formulate::Part;
use crate::model::Model;
use crate::rules::EPS;

/// Items a chain may lift, the first included.
const DEPTH: usize = 3;
/// The least change that counts as a gain.
const GAIN: f64 = 1e-6;

/// One item: a case of class `k`, or sibling group `g`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Unit(usize),
    Group(usize),
}

/// The allocation being improved, with its loads kept up to date.
struct State<'a> {
    m: &'a Model,
    part: &'a Part,
    a: PartAlloc,
    load: Vec<f64>,
    over: Vec<f64>,
    /// For each worker, every (item, position in the item's worker list) that may go there.
    at: Vec<Vec<(Item, usize)>>,
    /// For each supervisor row, the workers whose load counts in it.
    under: Vec<Vec<usize>>,
    work: u64,
    allowance: u64,
    /// Stops the moves when set (the run stopped, or a polish beside the search set aside).
    stop: Option<&'a std::sync::atomic::AtomicBool>,
}

/// Improves `a` by ejection chains until none gains, `allowance` item moves are spent, or
/// `stop` is set (the run stopped, or a polish beside the search set aside).
/// Returns the moves made (kept or undone), for the caller's work count. `a` stays lawful
/// and its value never falls.
pub(super) fn improve(
    m: &Model,
    part: &Part,
    a: &mut PartAlloc,
    allowance: u64,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> u64 {
    let mut at = vec![Vec::new(); part.workers.len()];
    for (k, class) in part.classes.iter().enumerate() {
        for (j, &w) in class.workers.iter().enumerate() {
            at[w].push((Item::Unit(k), j));
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        for (j, &w) in item.workers.iter().enumerate() {
            at[w].push((Item::Group(g), j));
        }
    }
    let mut under = vec![Vec::new(); part.overseers.len()];
    for (w, r) in part.workers.iter().enumerate() {
        if let Some(s) = r.overseer {
            under[s].push(w);
        }
    }
    let (load, over) = loads(part, a);
    let mut s = State { m, part, a: a.clone(), load, over, at, under, work: 0, allowance, stop };
    let before = value(m, part, a);
    let depth = DEPTH;
    loop {
        let mut gained = false;
        for w in 0..part.workers.len() {
            for i in 0..s.at[w].len() {
                let (it, p) = s.at[w][i];
                if s.spent() {
                    break;
                }
                if s.count(it, p) > 0 && s.lift(it, p, depth) {
                    gained = true;
                }
            }
        }
        for it in s.unplaced() {
            if s.spent() {
                break;
            }
            if s.place(it, None, 0.0, depth) {
                s.settle();
                gained = true;
            }
        }
        if !gained && !s.spent() && s.augment() {
            s.settle();
            gained = true;
        }
        if !gained || s.spent() {
            break;
        }
    }
    // The exact value decides: a chain's gain is a sum of changes, kept only if it holds.
    if super::allocation::feasible(part, &s.a) && value(m, part, &s.a) > before {
        *a = s.a;
    }
    s.work
}

impl State<'_> {
    fn spent(&self) -> bool {
        self.work >= self.allowance || self.stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The workers (local) item `it` may go to, by position.
    fn workers(&self, it: Item) -> &[usize] {
        match it {
            Item::Unit(k) => &self.part.classes[k].workers,
            Item::Group(g) => &self.part.groups[g].workers,
        }
    }

    fn weight(&self, it: Item) -> f64 {
        match it {
            Item::Unit(k) => self.part.classes[k].weight,
            Item::Group(g) => self.part.groups[g].weight,
        }
    }

    /// How many of item `it` sit at its position `p`.
    fn count(&self, it: Item, p: usize) -> u32 {
        match it {
            Item::Unit(k) => self.a.counts[k][p],
            Item::Group(g) => u32::from(self.a.groups[g] == Some(p)),
        }
    }

    /// Items some of which are not placed, classes first, in index order.
    fn unplaced(&self) -> Vec<Item> {
        let units = self.part.classes.iter().enumerate().filter_map(|(k, c)| {
            let placed: u32 = self.a.counts[k].iter().sum();
            ((placed as usize) < c.cases.len()).then_some(Item::Unit(k))
        });
        let groups = (0..self.part.groups.len()).filter(|&g| self.a.groups[g].is_none()).map(Item::Group);
        units.chain(groups).collect()
    }

    /// The most item `it` could add placed anywhere: its best value there, and the most the
    /// fairness term's slope (never below -2 x the penalty) can give back for its weight.
    fn best_add(&self, it: Item) -> f64 {
        let p = &self.m.policy;
        let best = match it {
            Item::Unit(k) => {
                let class = &self.part.classes[k];
                let keep = if class.current.is_empty() { 0.0 } else { p.move_penalty.max(0.0) };
                (0..class.workers.len())
                    .map(|j| self.part.unit_value(self.m, k, class.workers[j], false))
                    .fold(f64::NEG_INFINITY, f64::max)
                    + keep
            }
            Item::Group(g) => self.part.groups[g].value.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        };
        best + 2.0 * p.fairness_penalty.max(0.0) * self.weight(it)
    }

    /// Changes the load of worker `w` by `d`; returns the objective's change from its load cost.
    fn shift_load(&mut self, w: usize, d: f64) -> f64 {
        let r = &self.part.workers[w];
        let old = self.load[w];
        self.load[w] = old + d;
        if let Some(s) = r.overseer {
            self.over[s] += d;
        }
        r.load_cost(&self.m.policy, old) - r.load_cost(&self.m.policy, self.load[w])
    }

    /// Takes one of item `it` from its position `p`; returns the objective's change.
    fn take(&mut self, it: Item, p: usize) -> f64 {
        self.work += 1;
        let v = match it {
            Item::Unit(k) => {
                let v = unit_delta(self.m, self.part, &self.a, k, p, -1);
                self.a.counts[k][p] -= 1;
                v
            }
            Item::Group(g) => {
                self.a.groups[g] = None;
                -self.part.groups[g].value[p]
            }
        };
        let w = self.workers(it)[p];
        v + self.shift_load(w, -self.weight(it))
    }

    /// Puts one of item `it` at its position `p`; returns the objective's change.
    fn put(&mut self, it: Item, p: usize) -> f64 {
        self.work += 1;
        let v = match it {
            Item::Unit(k) => {
                let v = unit_delta(self.m, self.part, &self.a, k, p, 1);
                self.a.counts[k][p] += 1;
                v
            }
            Item::Group(g) => {
                self.a.groups[g] = Some(p);
                self.part.groups[g].value[p]
            }
        };
        let w = self.workers(it)[p];
        v + self.shift_load(w, self.weight(it))
    }

    /// Worker `w` keeps its cap and its supervisor's oversight.
    fn fits(&self, w: usize) -> bool {
        let r = &self.part.workers[w];
        self.load[w] <= r.cap + EPS
            && r.overseer.is_none_or(|s| self.over[s] <= self.part.overseers[s].1 + EPS)
    }

    /// Worker `w` has room for `v` more, under its cap and its supervisor's oversight.
    fn room(&self, w: usize, v: f64) -> bool {
        let r = &self.part.workers[w];
        self.load[w] + v <= r.cap + EPS
            && r.overseer.is_none_or(|s| self.over[s] + v <= self.part.overseers[s].1 + EPS)
    }

    /// Loads afresh after a kept chain, so sums of changes do not drift.
    fn settle(&mut self) {
        let (load, over) = loads(self.part, &self.a);
        self.load = load;
        self.over = over;
    }

    /// Starts a chain by lifting one of item `it` from position `p`; true (and kept) if one
    /// gains.
    fn lift(&mut self, it: Item, p: usize, depth: usize) -> bool {
        let from = self.workers(it)[p];
        let g = self.take(it, p);
        if g > GAIN {
            self.settle();
            return true;
        }
        if g + self.best_add(it) > GAIN && self.place(it, Some(from), g, depth) {
            self.settle();
            return true;
        }
        self.put(it, p);
        false
    }

    /// Puts the lifted item `it` (from worker `origin`, if any) somewhere, with `gain` so far
    /// and `depth` items still allowed to be lifted (this one counted); lifts one item at a
    /// worker with no room. True (and kept) if the chain gains.
    fn place(&mut self, it: Item, origin: Option<usize>, gain: f64, depth: usize) -> bool {
        let n = self.workers(it).len();
        for p in 0..n {
            let w = self.workers(it)[p];
            if Some(w) == origin || self.spent() {
                continue;
            }
            // The last item of a chain goes only where there is room.
            self.work += 1;
            if depth <= 1 && !self.room(w, self.weight(it)) {
                continue;
            }
            let g = gain + self.put(it, p);
            if self.fits(w) {
                if g > GAIN {
                    return true;
                }
            } else if depth > 1 && self.eject(it, w, g, depth - 1) {
                return true;
            }
            self.take(it, p);
        }
        false
    }

    /// Worker `w` (where `placed` has just gone) lacks room: lifts one item from it (or, when
    /// only the oversight binds, from a worker under the same supervisor) and either leaves it
    /// unplaced or places it on; when one item is not enough, that one is left unplaced or put
    /// where there is room, and another is lifted. True (and kept) if the chain gains.
    fn eject(&mut self, placed: Item, w: usize, gain: f64, depth: usize) -> bool {
        let r = &self.part.workers[w];
        let from: Vec<usize> = if self.load[w] > r.cap + EPS {
            vec![w]
        } else {
            r.overseer.map_or_else(Vec::new, |s| self.under[s].clone())
        };
        let lifts: Vec<(usize, Item, usize)> =
            from.iter().flat_map(|&x| self.at[x].iter().map(move |&(it, p)| (x, it, p))).collect();
        self.eject_from(placed, w, &lifts, 0, gain, depth)
    }

    /// [`Self::eject`] over the items `lifts[first..]`.
    fn eject_from(
        &mut self,
        placed: Item,
        w: usize,
        lifts: &[(usize, Item, usize)],
        first: usize,
        gain: f64,
        depth: usize,
    ) -> bool {
        for i in first..lifts.len() {
            let (x, it, p) = lifts[i];
            if (it == placed && x == w) || self.count(it, p) == 0 || self.spent() {
                continue;
            }
            // The most this item can give: out of x, and back at its best.
            self.work += 1;
            let v = self.weight(it);
            if gain + self.take_value(it, p) + self.load_change(x, 0.0, -v) + self.best_add(it).max(0.0)
                <= GAIN
            {
                continue;
            }
            let g = gain + self.take(it, p);
            if self.fits(w) {
                if g > GAIN {
                    return true;
                }
                if g + self.best_add(it) > GAIN && self.place(it, Some(x), g, depth) {
                    return true;
                }
            } else if depth > 1 {
                // Still no room: this item out (unplaced, or where there is room), another too.
                if self.eject_from(placed, w, lifts, i, g, depth - 1) {
                    return true;
                }
                for q in 0..self.workers(it).len() {
                    let z = self.workers(it)[q];
                    self.work += 1;
                    if z == x || !self.room(z, v) {
                        continue;
                    }
                    let g2 = g + self.put(it, q);
                    if self.eject_from(placed, w, lifts, i, g2, depth - 1) {
                        return true;
                    }
                    self.take(it, q);
                }
            }
            self.put(it, p);
        }
        false
    }
}

/// One step of a path: item `it` taken from position `from` (None: it was not placed) and put
/// at position `to` (None: left unplaced).
#[derive(Clone, Copy, Debug)]
struct Step {
    it: Item,
    from: Option<usize>,
    to: Option<usize>,
}

/// The best path found so far to a worker left over its cap by some amount.
#[derive(Clone, Debug)]
struct Label {
    gain: f64,
    /// The weight the worker received (the last step's item).
    received: f64,
    path: Vec<Step>,
}

/// Steps a path may take.
const PATH_STEPS: usize = 8;

impl State<'_> {
    /// Keeps the key of an excess load on a fine grid (weights with 7 decimals stay apart).
    fn key(e: f64) -> i64 {
        (e * 1e6).round() as i64
    }

    /// The local worker a step puts its item at.
    fn worker_of(&self, st: &Step) -> Option<usize> {
        st.to.map(|p| self.workers(st.it)[p])
    }

    /// The objective's change from worker `w`'s load going from `load[w] + from` to
    /// `load[w] + to`.
    fn load_change(&self, w: usize, from: f64, to: f64) -> f64 {
        let r = &self.part.workers[w];
        let l = self.load[w];
        r.load_cost(&self.m.policy, l + from) - r.load_cost(&self.m.policy, l + to)
    }

    /// The value of putting one more of `it` at position `p` (its load cost apart).
    fn put_value(&self, it: Item, p: usize) -> f64 {
        match it {
            Item::Unit(k) => unit_delta(self.m, self.part, &self.a, k, p, 1),
            Item::Group(g) => self.part.groups[g].value[p],
        }
    }

    /// The value of taking one of `it` from position `p` (its load cost apart).
    fn take_value(&self, it: Item, p: usize) -> f64 {
        match it {
            Item::Unit(k) => unit_delta(self.m, self.part, &self.a, k, p, -1),
            Item::Group(g) => -self.part.groups[g].value[p],
        }
    }

    /// Augmenting paths over the workers: an item not placed goes to a worker, which passes on
    /// an item at least as heavy as its overshoot to another, and so on, until a worker has
    /// room or the last item is left unplaced; each worker at most once. The best path of up
    /// to [`PATH_STEPS`] steps is found layer by layer (the best label per worker and
    /// overshoot), then applied and checked exactly. True (and kept) if it gains.
    fn augment(&mut self) -> bool {
        let mut best: Option<(f64, Vec<Step>)> = None;
        let mut layer: std::collections::BTreeMap<(usize, i64), Label> = Default::default();
        let consider = |best: &mut Option<(f64, Vec<Step>)>, g: f64, path: Vec<Step>| {
            if g > GAIN && best.as_ref().is_none_or(|b| g > b.0 + GAIN) {
                *best = Some((g, path));
            }
        };
        let relax = |layer: &mut std::collections::BTreeMap<(usize, i64), Label>, key, label: Label| {
            let e = layer.entry(key).or_insert_with(|| Label { gain: f64::NEG_INFINITY, ..label.clone() });
            if label.gain > e.gain + GAIN {
                *e = label;
            }
        };
        for it in self.unplaced() {
            let v = self.weight(it);
            for p in 0..self.workers(it).len() {
                let w = self.workers(it)[p];
                self.work += 1;
                let g = self.put_value(it, p) + self.load_change(w, 0.0, v);
                let path = vec![Step { it, from: None, to: Some(p) }];
                let e = self.load[w] + v - self.part.workers[w].cap;
                if e <= EPS {
                    consider(&mut best, g, path);
                } else {
                    relax(&mut layer, (w, Self::key(e)), Label { gain: g, received: v, path });
                }
            }
        }
        for depth in 1..=PATH_STEPS {
            if layer.is_empty() || self.spent() {
                break;
            }
            let mut next: std::collections::BTreeMap<(usize, i64), Label> = Default::default();
            for (&(w, e), label) in &layer {
                let e = e as f64 / 1e6;
                let last = label.path.last().map(|s| s.it);
                for &(it, p) in &self.at[w] {
                    if Some(it) == last || self.count(it, p) == 0 {
                        continue;
                    }
                    let v = self.weight(it);
                    if v + EPS < e {
                        continue;
                    }
                    self.work += 1;
                    let g1 = label.gain
                        + self.take_value(it, p)
                        + self.load_change(w, label.received, label.received - v);
                    let mut path = label.path.clone();
                    path.push(Step { it, from: Some(p), to: None });
                    consider(&mut best, g1, path.clone());
                    for q in 0..self.workers(it).len() {
                        let z = self.workers(it)[q];
                        if z == w || label.path.iter().any(|s| self.worker_of(s) == Some(z)) {
                            continue;
                        }
                        self.work += 1;
                        let g2 = g1 + self.put_value(it, q) + self.load_change(z, 0.0, v);
                        let e2 = self.load[z] + v - self.part.workers[z].cap;
                        let mut path = path.clone();
                        if let Some(st) = path.last_mut() {
                            st.to = Some(q);
                        }
                        if e2 <= EPS {
                            consider(&mut best, g2, path);
                        } else if depth < PATH_STEPS {
                            relax(&mut next, (z, Self::key(e2)), Label { gain: g2, received: v, path });
                        }
                    }
                }
            }
            layer = next;
        }
        let Some((_, path)) = best else { return false };
        // Apply the path, then check every row and the exact change.
        let mut g = 0.0;
        let mut done: Vec<Step> = Vec::new();
        let mut ok = true;
        for st in &path {
            if let Some(p) = st.from {
                if self.count(st.it, p) == 0 {
                    ok = false;
                    break;
                }
                g += self.take(st.it, p);
            }
            if let Some(q) = st.to {
                g += self.put(st.it, q);
            }
            done.push(*st);
        }
        let touched: Vec<usize> = path.iter().filter_map(|s| self.worker_of(s)).collect();
        if ok && g > GAIN && touched.iter().all(|&w| self.fits(w)) {
            return true;
        }
        for st in done.iter().rev() {
            if let Some(q) = st.to {
                self.take(st.it, q);
            }
            if let Some(p) = st.from {
                self.put(st.it, p);
            }
        }
        self.settle();
        false
    }
}

impl super::search::PartSearch<'_> {
    /// Improves the incumbent, if any, by ejection chains and then by exact searches of its
    /// large neighbourhoods (a search stopped unproven calls this); true when the incumbent is
    /// then proven optimal under `bound`.
    pub(super) fn polish(&mut self, bound: f64, limits: super::Limits) -> bool {
        let Some(mut a) = self.best.take() else { return false };
        let spent = improve(self.m, self.part, &mut a, self.effort.polish_moves, limits.stop);
        self.budget.charge(spent);
        let before = self.best_value;
        self.best_value = value(self.m, self.part, &a);
        self.best = Some(a);
        if self.best_value > before + crate::tolerance::GAIN {
            self.hand_back_gain();
        }
        if !self.prunable(bound) && !self.hoods.handed_back {
            self.neighbourhoods(bound, limits);
        }
        self.prunable(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::super::params::Effort;
    use super::*;
    use crate::formulate::{Class, GroupItem, PartWorker};

    fn room(team: usize, cap: f64, target: f64) -> PartWorker {
        PartWorker { worker: 0, cap, target, team, overseer: None, fixed: 0.0, goal: target }
    }

    fn class(cases: usize, weight: f64, priority: f64, team: usize, workers: Vec<usize>) -> Class {
        Class {
            cases: (0..cases).collect(),
            weight,
            priority,
            team,
            workers,
            current: Vec::new(),
            previous: Vec::new(),
        }
    }

    /// A model for its policy only: a cross-team penalty of 3, no overload or fairness term.
    fn model() -> Model {
        let json = r#"{"version": 1, "policy": {"cross_team_penalty": 3, "overload_penalty": 0,
            "fairness_penalty": 0}, "workers": [{"id": "W0", "role": "social_worker", "team": "N"}],
            "cases": [{"id": "C0", "type": "child_in_need", "team": "N"}]}"#;
        crate::load_model_bytes("m.json", json.as_bytes()).unwrap()
    }

    /// Two full workers of teams 0 and 1, each holding the other team's one case.
    fn crossed() -> (Part, PartAlloc) {
        let part = Part {
            workers: vec![room(0, 1.0, 1.0), room(1, 1.0, 1.0)],
            overseers: Vec::new(),
            classes: vec![class(1, 1.0, 10.0, 0, vec![0, 1]), class(1, 1.0, 10.0, 1, vec![0, 1])],
            groups: Vec::new(),
            unit: Some(1.0),
        };
        (part, PartAlloc { counts: vec![vec![0, 1], vec![1, 0]], groups: Vec::new() })
    }

    #[test]
    fn a_swap_between_two_full_workers_is_found() {
        // Worker 0 (team 0) holds the team-1 case and worker 1 (team 1) the team-0 case, each
        // full: only swapping both saves the two cross-team penalties.
        let m = model();
        let (part, mut a) = crossed();
        let before = value(&m, &part, &a);
        improve(&m, &part, &mut a, Effort::DEFAULT.polish_moves, None);
        assert_eq!(a.counts, vec![vec![1, 0], vec![0, 1]]);
        assert!((value(&m, &part, &a) - before - 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_group_displaces_cheaper_cases_which_move_on() {
        // A two-case group worth 30 fits only at worker 0, which holds two single cases worth 10
        // each; worker 1 has room for them at a cross-team penalty.
        let m = model();
        let part = Part {
            workers: vec![room(0, 2.0, 2.0), room(1, 2.0, 2.0)],
            overseers: Vec::new(),
            classes: vec![class(2, 1.0, 10.0, 0, vec![0, 1])],
            groups: vec![GroupItem {
                group: 0,
                cases: vec![5, 6],
                weight: 2.0,
                workers: vec![0],
                value: vec![30.0],
            }],
            unit: Some(1.0),
        };
        let mut a = PartAlloc { counts: vec![vec![2, 0]], groups: vec![None] };
        let before = value(&m, &part, &a);
        let work = improve(&m, &part, &mut a, Effort::DEFAULT.polish_moves, None);
        assert!(work > 0);
        assert_eq!(a.groups, vec![Some(0)]);
        assert_eq!(a.counts, vec![vec![0, 2]]);
        assert!(value(&m, &part, &a) > before);
        assert!(super::super::allocation::feasible(&part, &a));
    }

    #[test]
    fn no_work_allowance_leaves_the_allocation_as_it_was() {
        let m = model();
        let (part, mut a) = crossed();
        improve(&m, &part, &mut a, 0, None);
        assert_eq!(a.counts, vec![vec![0, 1], vec![1, 0]]);
    }
}
