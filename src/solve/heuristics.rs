//! Primal heuristics and tie-breaking on a part's allocation: repair, greedy filling,
//! ejection chains for sibling groups, and levelling towards even loads.

use super::allocation::{kept_count, loads, value};
use super::PartAlloc;
use crate::formulate::Part;
use crate::model::Model;
use crate::rules::EPS;

/// Removes units until every cap and oversight row holds (rounding can overshoot only by
/// numerical noise, but a repair is cheap and makes the heuristic safe). Returns how many items
/// it took out (each pass reads the whole allocation once).
pub(super) fn repair(part: &Part, a: &mut PartAlloc) -> u64 {
    let mut removals = 0u64;
    loop {
        let (load, over) = loads(part, a);
        let bad_worker = part.workers.iter().enumerate().find(|(w, r)| {
            load[*w] > r.cap + EPS || r.overseer.is_some_and(|s| over[s] > part.overseers[s].1 + EPS)
        });
        let Some((w, _)) = bad_worker else { return removals };
        let mut removed = false;
        for (g, item) in part.groups.iter().enumerate().rev() {
            if a.groups[g].is_some_and(|j| item.workers[j] == w) {
                a.groups[g] = None;
                removed = true;
                break;
            }
        }
        if !removed {
            for (k, class) in part.classes.iter().enumerate().rev() {
                if let Some(p) = class.workers.iter().position(|&x| x == w) {
                    if a.counts[k][p] > 0 {
                        a.counts[k][p] -= 1;
                        removed = true;
                        break;
                    }
                }
            }
        }
        if !removed {
            return removals;
        }
        removals += 1;
    }
}

/// Marginal value of adding `weight` at worker `w`, before the item's own value.
pub(super) fn overload_cost(m: &Model, part: &Part, load: &[f64], w: usize, weight: f64) -> f64 {
    let r = &part.workers[w];
    r.load_cost(&m.policy, load[w] + weight) - r.load_cost(&m.policy, load[w])
}

pub(super) fn room_for(part: &Part, load: &[f64], over: &[f64], w: usize, weight: f64) -> bool {
    let r = &part.workers[w];
    load[w] + weight <= r.cap + EPS
        && r.overseer.is_none_or(|s| over[s] + weight <= part.overseers[s].1 + EPS)
}

/// The indices of `keys` by key (`total_cmp`), descending or not, equal keys by ascending
/// index. Each key is computed once, not once a comparison (these orders are asked for at
/// every fill).
fn by_key(keys: impl Iterator<Item = f64>, descending: bool) -> Vec<usize> {
    let mut keyed: Vec<(f64, usize)> = keys.zip(0..).collect();
    keyed.sort_unstable_by(|a, b| {
        let by = if descending { b.0.total_cmp(&a.0) } else { a.0.total_cmp(&b.0) };
        by.then(a.1.cmp(&b.1))
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Adds units one at a time wherever they add value, best first.
pub(super) fn greedy_fill(m: &Model, part: &Part, a: &mut PartAlloc) {
    let (load, over) = loads(part, a);
    fill(m, part, a, &Orders::of(part), load, over);
}

/// The orders the fills and [`make_room`] take items in: computed once for the many trials of
/// [`eject_improve_within`].
struct Orders {
    /// Groups by their best value per weight, highest first.
    groups: Vec<usize>,
    /// Classes by priority per weight, highest first.
    classes: Vec<usize>,
    /// Classes by priority per weight, lowest first.
    cheapest: Vec<usize>,
}

impl Orders {
    fn of(part: &Part) -> Self {
        let group_key =
            |g: &crate::formulate::GroupItem| g.value.iter().cloned().fold(f64::MIN, f64::max) / g.weight;
        let class_key = |c: &crate::formulate::Class| c.priority / c.weight;
        Orders {
            groups: by_key(part.groups.iter().map(group_key), true),
            classes: by_key(part.classes.iter().map(class_key), true),
            cheapest: by_key(part.classes.iter().map(class_key), false),
        }
    }
}

/// [`greedy_fill`] from `a`'s loads as [`loads`] gives them.
fn fill(m: &Model, part: &Part, a: &mut PartAlloc, orders: &Orders, mut load: Vec<f64>, mut over: Vec<f64>) {
    let add = |load: &mut Vec<f64>, over: &mut Vec<f64>, w: usize, weight: f64| {
        load[w] += weight;
        if let Some(s) = part.workers[w].overseer {
            over[s] += weight;
        }
    };
    // Groups first (they are the hardest to fit), in order of value per weight.
    for &g in &orders.groups {
        if a.groups[g].is_some() {
            continue;
        }
        let item = &part.groups[g];
        let mut best: Option<(usize, f64)> = None;
        for (j, &w) in item.workers.iter().enumerate() {
            if !room_for(part, &load, &over, w, item.weight) {
                continue;
            }
            let gain = item.value[j] - overload_cost(m, part, &load, w, item.weight);
            if gain > crate::tolerance::GAIN && best.is_none_or(|b| gain > b.1) {
                best = Some((j, gain));
            }
        }
        if let Some((j, _)) = best {
            a.groups[g] = Some(j);
            add(&mut load, &mut over, item.workers[j], item.weight);
        }
    }
    for &k in &orders.classes {
        let class = &part.classes[k];
        loop {
            let placed: u32 = a.counts[k].iter().sum();
            if placed as usize >= class.cases.len() {
                break;
            }
            let mut best: Option<(usize, f64)> = None;
            for (j, &w) in class.workers.iter().enumerate() {
                if !room_for(part, &load, &over, w, class.weight) {
                    continue;
                }
                let kept = a.counts[k][j] < kept_count(part, k, w);
                let gain = part.unit_value(m, k, w, kept) - overload_cost(m, part, &load, w, class.weight);
                if gain > crate::tolerance::GAIN && best.is_none_or(|b| gain > b.1) {
                    best = Some((j, gain));
                }
            }
            let Some((j, _)) = best else { break };
            a.counts[k][j] += 1;
            add(&mut load, &mut over, class.workers[j], class.weight);
        }
    }
}

/// Places unplaced sibling groups by displacing cheaper single cases from a worker, when the
/// group is worth more than what it displaces; displaced cases are then re-placed greedily.
/// Works within `allowance` work units, each trial charged the allocation's size; returns the
/// work spent.
pub(super) fn eject_improve_within(m: &Model, part: &Part, a: &mut PartAlloc, allowance: u64) -> u64 {
    let size = (part.classes.iter().map(|c| c.workers.len()).sum::<usize>() + part.groups.len()) as u64;
    let mut spent = 0u64;
    let (orders, places) = (Orders::of(part), Places::of(part));
    for _round in 0..3 {
        let mut improved = false;
        for (g, item) in part.groups.iter().enumerate() {
            if a.groups[g].is_some() {
                continue;
            }
            let before = value(m, part, a);
            // The loads of `a`, which every trial starts from.
            let (load, over) = loads(part, a);
            let mut best: Option<(PartAlloc, f64)> = None;
            for j in 0..item.workers.len() {
                if spent >= allowance {
                    break;
                }
                spent += size + part.workers.len() as u64;
                let mut trial = a.clone();
                let (mut load, mut over) = (load.clone(), over.clone());
                let w = item.workers[j];
                if !make_room(part, &mut trial, w, item.weight, (&orders, &places), (&mut load, &mut over)) {
                    continue;
                }
                trial.groups[g] = Some(j);
                places.update(part, &trial, w, &mut load, &mut over);
                fill(m, part, &mut trial, &orders, load, over);
                let v = value(m, part, &trial);
                if v > before + crate::tolerance::GAIN
                    && best.as_ref().is_none_or(|b| v > b.1 + crate::tolerance::GAIN)
                {
                    best = Some((trial, v));
                }
            }
            if let Some((trial, _)) = best {
                *a = trial;
                improved = true;
            }
        }
        if !improved {
            return spent;
        }
    }
    spent
}

/// Removes single cases from worker `w`, lowest value per weight first, until `weight` more
/// fits under its cap and its supervisor's oversight. False if it cannot. `load` and `over`
/// are `a`'s loads as [`loads`] gives them, and stay so.
fn make_room(
    part: &Part,
    a: &mut PartAlloc,
    w: usize,
    weight: f64,
    (orders, places): (&Orders, &Places),
    (load, over): (&mut [f64], &mut [f64]),
) -> bool {
    loop {
        if room_for(part, load, over, w, weight) {
            return true;
        }
        let cap_short = load[w] + weight > part.workers[w].cap + EPS;
        // Remove from w itself when its cap binds; otherwise from any supervisee of the same
        // supervisor (the oversight binds).
        let removable = |a: &PartAlloc, k: usize| -> Option<usize> {
            let class = &part.classes[k];
            class.workers.iter().enumerate().find_map(|(p, &x)| {
                let here = if cap_short {
                    x == w
                } else {
                    part.workers[x].overseer.is_some() && part.workers[x].overseer == part.workers[w].overseer
                };
                (here && a.counts[k][p] > 0).then_some(p)
            })
        };
        let Some((k, p)) = orders.cheapest.iter().find_map(|&k| removable(a, k).map(|p| (k, p))) else {
            return false;
        };
        a.counts[k][p] -= 1;
        places.update(part, a, part.classes[k].workers[p], load, over);
    }
}

/// Where each worker of a part appears: (class, position among its workers) by class, and
/// (group, position) by group, in the order [`loads`] visits them.
struct Places {
    classes: Vec<Vec<(usize, usize)>>,
    groups: Vec<Vec<(usize, usize)>>,
}

impl Places {
    fn of(part: &Part) -> Self {
        let n = part.workers.len();
        let (mut classes, mut groups) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (k, class) in part.classes.iter().enumerate() {
            for (j, &w) in class.workers.iter().enumerate() {
                classes[w].push((k, j));
            }
        }
        for (g, item) in part.groups.iter().enumerate() {
            for (j, &w) in item.workers.iter().enumerate() {
                groups[w].push((g, j));
            }
        }
        Places { classes, groups }
    }

    /// Brings worker `x`'s load and its supervisor's oversight up to date after a change of
    /// `a` at `x`: summed again in the order [`loads`] sums them, so they are bit for bit what
    /// `loads` would give, without reading the whole allocation.
    fn update(&self, part: &Part, a: &PartAlloc, x: usize, load: &mut [f64], over: &mut [f64]) {
        let mut sum = 0.0;
        for &(k, j) in &self.classes[x] {
            sum += part.classes[k].weight * a.counts[k][j] as f64;
        }
        for &(g, j) in &self.groups[x] {
            if a.groups[g] == Some(j) {
                sum += part.groups[g].weight;
            }
        }
        load[x] = sum;
        if let Some(s) = part.workers[x].overseer {
            over[s] = 0.0;
            for (y, r) in part.workers.iter().enumerate() {
                if r.overseer == Some(s) {
                    over[s] += load[y];
                }
            }
        }
    }
}

/// The goal a worker with none counts as when loads are evened out (a tuning, not a tolerance):
/// it keeps load^2/goal finite.
const LEAST_GOAL: f64 = 1e-3;

/// Ties toward even loads: moves single cases between permitted workers while the objective
/// stays the same (or improves) and the sum of load^2/target falls.
pub(super) fn level(m: &Model, part: &Part, a: &mut PartAlloc) {
    let (mut load, mut over) = loads(part, a);
    let abs_target: Vec<f64> = part.workers.iter().map(|r| r.goal.max(LEAST_GOAL)).collect();
    let fixed: Vec<f64> = part.workers.iter().map(|r| r.fixed).collect();
    let mut budget = super::params::Effort::DEFAULT.level_moves;
    for (k, class) in part.classes.iter().enumerate() {
        let wt = class.weight;
        loop {
            let mut moved = false;
            for from in 0..class.workers.len() {
                if a.counts[k][from] == 0 {
                    continue;
                }
                let w1 = class.workers[from];
                for to in 0..class.workers.len() {
                    let w2 = class.workers[to];
                    if to == from || budget == 0 {
                        continue;
                    }
                    budget -= 1;
                    let l1 = load[w1] + fixed[w1];
                    let l2 = load[w2] + fixed[w2];
                    // Evenness: sum L^2/t must fall.
                    let d_even = ((l1 - wt).powi(2) - l1 * l1) / abs_target[w1]
                        + ((l2 + wt).powi(2) - l2 * l2) / abs_target[w2];
                    if d_even >= -crate::tolerance::GAIN {
                        continue;
                    }
                    // The move must fit at w2 (its cap, and its supervisor's oversight, which
                    // the case leaves if w1 shares that supervisor).
                    let (r1, r2) = (&part.workers[w1], &part.workers[w2]);
                    let freed = if r2.overseer.is_some() && r2.overseer == r1.overseer { wt } else { 0.0 };
                    let fits = load[w2] + wt <= r2.cap + EPS
                        && r2.overseer.is_none_or(|s| over[s] - freed + wt <= part.overseers[s].1 + EPS);
                    if !fits {
                        continue;
                    }
                    let p = &m.policy;
                    let d_over = r1.load_cost(p, load[w1])
                        - r1.load_cost(p, load[w1] - wt)
                        - (r2.load_cost(p, load[w2] + wt) - r2.load_cost(p, load[w2]));
                    let d = unit_delta(m, part, a, k, from, -1) + unit_delta(m, part, a, k, to, 1) + d_over;
                    if d < -crate::tolerance::GAIN {
                        continue;
                    }
                    a.counts[k][from] -= 1;
                    a.counts[k][to] += 1;
                    load[w1] -= wt;
                    load[w2] += wt;
                    if let Some(s) = r1.overseer {
                        over[s] -= wt;
                    }
                    if let Some(s) = r2.overseer {
                        over[s] += wt;
                    }
                    moved = true;
                    break;
                }
                if moved {
                    break;
                }
            }
            if !moved || budget == 0 {
                break;
            }
        }
    }
}

/// Change in the class's item value when the count at position `j` changes by `d` (+1 or -1).
pub(super) fn unit_delta(m: &Model, part: &Part, a: &PartAlloc, k: usize, j: usize, d: i32) -> f64 {
    let w = part.classes[k].workers[j];
    let n = a.counts[k][j] as i64;
    let n2 = n + d as i64;
    let cap = kept_count(part, k, w) as i64;
    let kept = |x: i64| x.min(cap) as f64;
    part.unit_value(m, k, w, false) * d as f64 + m.policy.move_penalty * (kept(n2) - kept(n))
}

/// Makes a relaxed allocation (a class used more often than it has cases, say, from the
/// Lagrangian knapsacks) whole and lawful, then improves it: a class over-used loses its
/// least valuable placements first; then [`repair`], [`greedy_fill`] and the ejection chains,
/// within `allowance` work units. Returns the work spent, for the part's budget: each removal
/// and each placement reads the allocation once (its size), and the chains count their own.
pub(super) fn round_relaxed(m: &Model, part: &Part, a: &mut PartAlloc, allowance: u64) -> u64 {
    let size = (part.classes.iter().map(|c| c.workers.len()).sum::<usize>()
        + part.groups.iter().map(|g| g.workers.len()).sum::<usize>()) as u64;
    let mut passes = 1u64;
    for (k, class) in part.classes.iter().enumerate() {
        let n = class.cases.len() as u32;
        loop {
            let placed: u32 = a.counts[k].iter().sum();
            if placed <= n {
                break;
            }
            let worst = (0..class.workers.len()).filter(|&j| a.counts[k][j] > 0).min_by(|&x, &y| {
                let v = |j: usize| unit_delta(m, part, a, k, j, -1);
                v(y).total_cmp(&v(x)).then(x.cmp(&y))
            });
            let Some(worst) = worst else { break };
            a.counts[k][worst] -= 1;
            passes += 1;
        }
    }
    passes += repair(part, a);
    let before: u32 = a.counts.iter().flatten().sum::<u32>() + a.groups.iter().flatten().count() as u32;
    greedy_fill(m, part, a);
    let after: u32 = a.counts.iter().flatten().sum::<u32>() + a.groups.iter().flatten().count() as u32;
    passes += u64::from(after.saturating_sub(before)) + 1;
    let chains = eject_improve_within(m, part, a, allowance);
    passes.saturating_mul(size).saturating_add(chains)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SplitMix64;

    /// The orders sorted by precomputed keys are the orders the fills sorted by before (a
    /// comparator computing the key at each compare, equal keys by index), ties, zeros of
    /// either sign and infinities included.
    #[test]
    fn orders_by_precomputed_keys_are_the_comparator_orders() {
        let values = [0.0, -0.0, 1.5, -2.0, 3.0, f64::INFINITY, f64::NEG_INFINITY, 0.75];
        let mut g = SplitMix64::new(11);
        for case in 0..2000 {
            let keys: Vec<f64> = (0..g.below(40)).map(|_| values[g.below(values.len())]).collect();
            let mut down: Vec<usize> = (0..keys.len()).collect();
            down.sort_by(|&x, &y| keys[y].total_cmp(&keys[x]).then(x.cmp(&y)));
            let mut up: Vec<usize> = (0..keys.len()).collect();
            up.sort_by(|&x, &y| keys[x].total_cmp(&keys[y]).then(x.cmp(&y)));
            assert_eq!(by_key(keys.iter().copied(), true), down, "case {case}");
            assert_eq!(by_key(keys.iter().copied(), false), up, "case {case}");
        }
    }

    /// After any change at one worker, [`Places::update`] leaves every load and oversight bit
    /// for bit what [`loads`] computes from the whole allocation, so [`make_room`] and the
    /// fills of the ejection trials decide exactly as they did when they recomputed them.
    #[test]
    fn loads_kept_up_to_date_are_the_loads_recomputed_bit_for_bit() {
        use crate::generate::{generate, GenerateOptions};
        let mut g = SplitMix64::new(5);
        let (mut changes, mut overseen) = (0, 0);
        for seed in 0..12 {
            let options = GenerateOptions {
                cases: 120,
                workers: 14,
                teams: 1 + seed as usize % 3,
                seed,
                weights: true,
                groups: 0.3,
                cross_team: seed % 2 == 0,
                ..Default::default()
            };
            let file = generate(&options).unwrap();
            let mut file = file;
            // Weights of seven decimals, as points over hours give, so sums round.
            for c in &mut file.cases {
                c.weight = Some(((0.3 + 2.2 * g.unit()) * 1e7).round() / 1e7);
            }
            let m = crate::load_model_bytes("m.json", &crate::write::to_json(&file)).unwrap();
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in &problem.parts {
                let places = Places::of(part);
                let mut a = super::super::allocation::empty_alloc(part);
                for (k, class) in part.classes.iter().enumerate() {
                    for j in 0..class.workers.len() {
                        a.counts[k][j] = g.below(3) as u32;
                    }
                }
                for (g_, item) in part.groups.iter().enumerate() {
                    if !item.workers.is_empty() && g.chance(0.5) {
                        a.groups[g_] = Some(g.below(item.workers.len()));
                    }
                }
                let (mut load, mut over) = loads(part, &a);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                let agree = |load: &[f64], over: &[f64], a: &PartAlloc| {
                    let (want_load, want_over) = loads(part, a);
                    bits(load) == bits(&want_load) && bits(over) == bits(&want_over)
                };
                for _ in 0..200 {
                    // One change at one worker: a count up or down, or a group dropped, placed
                    // or moved (dropped at one worker, then placed at another).
                    let x = if part.classes.is_empty() || (!part.groups.is_empty() && g.chance(0.3)) {
                        let Some(g_) = (!part.groups.is_empty()).then(|| g.below(part.groups.len())) else {
                            break;
                        };
                        let item = &part.groups[g_];
                        if item.workers.is_empty() {
                            continue;
                        }
                        if let Some(old) = a.groups[g_] {
                            a.groups[g_] = None;
                            places.update(part, &a, item.workers[old], &mut load, &mut over);
                            if g.chance(0.3) {
                                assert!(agree(&load, &over, &a), "seed {seed}: a group dropped");
                                continue;
                            }
                        }
                        let j = g.below(item.workers.len());
                        a.groups[g_] = Some(j);
                        item.workers[j]
                    } else {
                        let k = g.below(part.classes.len());
                        if part.classes[k].workers.is_empty() {
                            continue;
                        }
                        let j = g.below(part.classes[k].workers.len());
                        let n = &mut a.counts[k][j];
                        *n = if *n > 0 && g.chance(0.5) { *n - 1 } else { *n + 1 };
                        part.classes[k].workers[j]
                    };
                    places.update(part, &a, x, &mut load, &mut over);
                    assert!(agree(&load, &over, &a), "seed {seed}");
                    changes += 1;
                    overseen += usize::from(part.workers[x].overseer.is_some());
                }
            }
        }
        assert!(changes > 1000 && overseen > 50, "{changes} changes, {overseen} under a supervisor");
    }
}
