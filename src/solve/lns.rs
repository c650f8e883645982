//! Large neighbourhoods of an unproven incumbent, each searched exactly: free the workers of a
//! few teams (every item they hold, and every item not placed), keep everything else where the
//! incumbent has it, and hand the smaller part that is left to the solver's own search, seeded
//! with the incumbent's restriction. Within its node allowance that search finds the best
//! rearrangement of the freed workers, which no chain of a few moves may reach: a cycle of kept
//! cases through many workers, or a repacking of several workers' loads at once.
//!
//! The restricted part is exact: a worker's load, its keep bonuses and its load cost lie wholly
//! inside or wholly outside it, and a supervisor's oversight room is what the fixed workers
//! under it leave. So the value of the restricted part plus the fixed items' value is the whole
//! part's value, and a better restricted allocation is a better whole one (the whole is checked
//! and valued again before it is taken).
//!
//! A part of three teams or more frees the workers of two teams at a time. A part of one or two
//! teams (a team working on its own cases, the points schemes' parts) has no such pair: there a
//! neighbourhood is a few workers ([`Effort::subset_size`]) and every item not placed, the
//! workers taken in windows over one order, by the room the incumbent leaves them (the most
//! first, ties by index), read with each stride prime to the number of workers, so that every
//! worker meets many others. These are also searched after a node of the
//! Lagrangian tree whenever its incumbent is new ([`PartSearch::early_neighbourhoods`]), within
//! the part's budget, so the tree prunes and fixes against a better incumbent.
//!
//! Neighbourhoods come in a fixed order, and the work is counted, never timed, so the answer
//! is the same on every run.
//!
//! [`Effort::subset_size`]: super::Effort::subset_size

use super::allocation::loads;
use super::search::PartSearch;
use super::{Limits, PartAlloc, Root};
use crate::formulate::{Class, GroupItem, Part, PartWorker};
use crate::model::Model;

/// Teams the neighbourhoods' allowance grows with, at most: a district of 5,000 cases (20
/// teams) gets the most.
const PAID_TEAMS: usize = 20;

/// A part restricted to some workers, with the way back to the whole part.
struct Restricted {
    part: Part,
    /// For each class of `part`: its class in the whole part, and for each of its positions the
    /// position in the whole class.
    classes: Vec<(usize, Vec<usize>)>,
    /// The same for groups.
    groups: Vec<(usize, Vec<usize>)>,
}

/// The part left when only the workers marked `free` may change: their items and the items
/// not placed are free, everything else stays as `a` has it. None when nothing is free.
fn restrict(part: &Part, a: &PartAlloc, free: &[bool]) -> Option<Restricted> {
    let mut local = vec![usize::MAX; part.workers.len()];
    let mut workers: Vec<PartWorker> = Vec::new();
    for (w, r) in part.workers.iter().enumerate() {
        if free[w] {
            local[w] = workers.len();
            workers.push(r.clone());
        }
    }
    if workers.is_empty() {
        return None;
    }
    // Oversight: what the fixed workers under each supervisor leave of its room.
    let (load, _) = loads(part, a);
    let mut room: Vec<f64> = part.overseers.iter().map(|o| o.1).collect();
    let mut used = vec![false; part.overseers.len()];
    for (w, r) in part.workers.iter().enumerate() {
        if let Some(s) = r.overseer {
            if free[w] {
                used[s] = true;
            } else {
                room[s] -= load[w];
            }
        }
    }
    let mut row = vec![usize::MAX; part.overseers.len()];
    let mut overseers = Vec::new();
    for (s, o) in part.overseers.iter().enumerate() {
        if used[s] {
            row[s] = overseers.len();
            overseers.push((o.0, room[s].max(0.0)));
        }
    }
    for r in &mut workers {
        r.overseer = r.overseer.map(|s| row[s]);
    }
    let mut classes = Vec::new();
    let mut map_classes = Vec::new();
    for (k, class) in part.classes.iter().enumerate() {
        let placed: u32 = a.counts[k].iter().sum();
        let free_count: u32 =
            class.workers.iter().zip(&a.counts[k]).filter(|&(&w, _)| free[w]).map(|(_, &n)| n).sum::<u32>()
                + (class.cases.len() as u32).saturating_sub(placed);
        let positions: Vec<usize> = (0..class.workers.len()).filter(|&j| free[class.workers[j]]).collect();
        if free_count == 0 || positions.is_empty() {
            continue;
        }
        let remap =
            |ws: &[usize]| -> Vec<usize> { ws.iter().filter(|&&w| free[w]).map(|&w| local[w]).collect() };
        classes.push(Class {
            cases: class.cases.iter().copied().take(free_count as usize).collect(),
            weight: class.weight,
            priority: class.priority,
            team: class.team,
            workers: positions.iter().map(|&j| local[class.workers[j]]).collect(),
            current: class.current.iter().filter(|c| free[c.0]).map(|&(w, n)| (local[w], n)).collect(),
            previous: remap(&class.previous),
        });
        map_classes.push((k, positions));
    }
    let mut groups = Vec::new();
    let mut map_groups = Vec::new();
    for (g, item) in part.groups.iter().enumerate() {
        if a.groups[g].is_some_and(|j| !free[item.workers[j]]) {
            continue;
        }
        let positions: Vec<usize> = (0..item.workers.len()).filter(|&j| free[item.workers[j]]).collect();
        if positions.is_empty() {
            continue;
        }
        groups.push(GroupItem {
            group: item.group,
            cases: item.cases.clone(),
            weight: item.weight,
            workers: positions.iter().map(|&j| local[item.workers[j]]).collect(),
            value: positions.iter().map(|&j| item.value[j]).collect(),
        });
        map_groups.push((g, positions));
    }
    if classes.is_empty() && groups.is_empty() {
        return None;
    }
    let part = Part { workers, overseers, classes, groups, unit: part.unit };
    Some(Restricted { part, classes: map_classes, groups: map_groups })
}

impl Restricted {
    /// The incumbent's own allocation of the restricted part.
    fn seed(&self, a: &PartAlloc) -> PartAlloc {
        PartAlloc {
            counts: self
                .classes
                .iter()
                .map(|(k, pos)| pos.iter().map(|&j| a.counts[*k][j]).collect())
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|(g, pos)| a.groups[*g].and_then(|j| pos.iter().position(|&p| p == j)))
                .collect(),
        }
    }

    /// The whole allocation: `a` with the free workers' items as `sub` has them.
    fn merge(&self, a: &PartAlloc, sub: &PartAlloc) -> PartAlloc {
        let mut out = a.clone();
        for ((k, pos), counts) in self.classes.iter().zip(&sub.counts) {
            for (&j, &n) in pos.iter().zip(counts) {
                out.counts[*k][j] = n;
            }
        }
        for ((g, pos), at) in self.groups.iter().zip(&sub.groups) {
            out.groups[*g] = at.map(|q| pos[q]);
        }
        out
    }
}

/// Searches the restricted part from `seed` within `limits` (its node limit); returns its best
/// allocation and the work spent.
fn search_restricted(m: &Model, part: &Part, seed: PartAlloc, limits: Limits) -> Option<(PartAlloc, u64)> {
    let mut started = super::start_part(m, part, limits).ok()?;
    // No neighbourhoods inside a neighbourhood.
    started.search.effort.hood_work = 0;
    started.search.effort.subset_work = 0;
    started.search.effort.set_bounds = 0;
    started.search.offer(seed);
    let s: &mut PartSearch = &mut started.search;
    match std::mem::replace(&mut started.root, Root::Proven) {
        Root::Proven => {}
        Root::Lagrangian(dual, bound) => {
            super::tree::search(&dual, s, 0, limits, bound);
        }
        Root::Compact(state, bound) => {
            s.branch_and_bound(state, bound, 0, limits);
        }
        // The budget stopped the root's relaxation: the seed is what the neighbourhood has.
        Root::Stopped(_) => {}
    }
    // The root's relaxation is in `spent` (charged by pivots); one node more for building it.
    let work = s.budget.spent().saturating_add(s.effort.work_per_node);
    s.best.take().map(|a| (a, work))
}

/// A neighbourhood: what names it (two teams, or some workers by local index) and the marks of
/// the workers it frees.
type Hood = (Vec<usize>, Vec<bool>);

/// The part's teams, sorted.
fn teams_of(part: &Part) -> Vec<usize> {
    let mut teams: Vec<usize> = part.workers.iter().map(|r| r.team).collect();
    teams.sort_unstable();
    teams.dedup();
    teams
}

/// The neighbourhoods of `a`, in order: each pair of teams, and the marks of their workers, the
/// pairs that send each other the most cases first (ties by team index). None in a part of one
/// or two teams: one pair would be the whole part again.
fn hoods(part: &Part, a: &PartAlloc) -> Vec<Hood> {
    let teams = teams_of(part);
    let index = |t: usize| teams.binary_search(&t).ok();
    let n = teams.len();
    if n < 3 {
        return Vec::new();
    }
    let mut traffic = vec![vec![0u64; n]; n];
    for (k, class) in part.classes.iter().enumerate() {
        let Some(from) = index(class.team) else { continue };
        for (&w, &c) in class.workers.iter().zip(&a.counts[k]) {
            if let Some(to) = index(part.workers[w].team) {
                traffic[from][to] += u64::from(c);
            }
        }
    }
    let mut pairs: Vec<(u64, usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .map(|(i, j)| (traffic[i][j] + traffic[j][i], i, j))
        .collect();
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    pairs
        .into_iter()
        .map(|(_, i, j)| {
            let (t1, t2) = (teams[i], teams[j]);
            (vec![t1, t2], part.workers.iter().map(|r| r.team == t1 || r.team == t2).collect())
        })
        .collect()
}

/// The worker subsets of `a` for a part of one or two teams, in order: windows of `size`
/// workers over the workers sorted by the room `a` leaves them under their caps (the most
/// first, ties by index), read with stride 1, then with each larger stride prime to their
/// number; a subset met before is left out. At most `most` of them: one team of thousands of
/// workers has millions, and an allowance searches a few thousand. None when the part has no
/// more than `size` workers: the subset would be the whole part.
fn subsets(part: &Part, a: &PartAlloc, size: usize, most: usize) -> Vec<Hood> {
    let n = part.workers.len();
    if size == 0 || n <= size || most == 0 {
        return Vec::new();
    }
    let (load, _) = loads(part, a);
    let room = |w: usize| part.workers[w].cap - load[w];
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| room(y).total_cmp(&room(x)).then(x.cmp(&y)));
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for stride in (1..n).filter(|&s| gcd(s, n) == 1) {
        for start in (0..n).step_by(size) {
            let mut ws: Vec<usize> = (0..size).map(|j| order[((start + j) * stride) % n]).collect();
            ws.sort_unstable();
            if seen.insert(ws.clone()) {
                let mut free = vec![false; n];
                ws.iter().for_each(|&w| free[w] = true);
                out.push((ws, free));
                if out.len() == most {
                    return out;
                }
            }
        }
    }
    out
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl PartSearch<'_> {
    /// Searches the neighbourhoods of the incumbent in turn, taking each better allocation at
    /// once, until a round over all of them gains nothing or the allowance is spent: on a part
    /// of three teams or more, pairs of teams within [`super::Effort::hood_work`] per team (for
    /// at most [`PAID_TEAMS`] teams); on a part of one or two teams, subsets of its workers
    /// within what is left of [`super::Effort::subset_work`]. Each is searched within
    /// [`super::Effort::hood_nodes`] nodes. The work is charged to the part's budget.
    pub(super) fn neighbourhoods(&mut self, bound: f64, limits: Limits) {
        let effort = self.effort;
        let teams = teams_of(self.part).len();
        if teams < 3 {
            let left = effort.subset_work.saturating_sub(self.hoods.spent);
            let spent = self.search_hoods(limits, left, true, bound);
            self.hoods.spent = self.hoods.spent.saturating_add(spent);
        } else if effort.hood_work > 0 {
            let allowance = effort.hood_work.saturating_mul(teams.min(PAID_TEAMS) as u64);
            self.search_hoods(limits, allowance, false, bound);
        }
    }

    /// The worker-subset neighbourhoods of a part of one or two teams, searched after a node
    /// of the tree when its incumbent is new since they last ran and still at least
    /// [`super::Effort::subset_gap`] below the node's `bound`, within what is left of
    /// [`super::Effort::subset_work`] and only while the part's budget still holds a whole
    /// neighbourhood's search ([`super::Effort::hood_nodes`] nodes), so the node limit bounds
    /// them as it bounds the tree.
    pub(super) fn early_neighbourhoods(&mut self, bound: f64, limits: Limits) {
        let effort = self.effort;
        // One search at most: its nodes, the node its root adds, and its own polish.
        let whole =
            (effort.hood_nodes + 1).saturating_mul(effort.work_per_node).saturating_add(effort.polish_moves);
        if self.best.is_none() || self.best_value <= self.hoods.from || self.budget.left() < whole {
            return;
        }
        // Where the tree's own roundings come close, it closes the gap itself.
        if bound - self.best_value < effort.subset_gap * bound.abs().max(1.0) {
            return;
        }
        if teams_of(self.part).len() >= 3 {
            return;
        }
        let left = effort.subset_work.saturating_sub(self.hoods.spent).min(self.budget.left() - whole);
        let spent = self.search_hoods(limits, left, true, bound);
        self.hoods.spent = self.hoods.spent.saturating_add(spent);
        self.hoods.from = self.best_value;
    }

    /// Searches the neighbourhoods (worker subsets, or team pairs) of the incumbent in rounds
    /// within `allowance`, until the incumbent is proven against `bound`; returns the work
    /// spent.
    fn search_hoods(&mut self, limits: Limits, allowance: u64, by_workers: bool, bound: f64) -> u64 {
        let effort = self.effort;
        if allowance == 0 || self.best.is_none() {
            return 0;
        }
        let sub_limits = Limits {
            node_limit: Some(effort.hood_nodes),
            root_allowance: false, // exactly its nodes, as before the roots' allowance
            observer: None,
            trace: false,
            district_columns: None,
            ..limits
        };
        let (start, mut spent, mut searched) = (self.best_value, 0u64, 0usize);
        // Neighbourhoods searched without a gain since the last gain that touched any of their
        // teams (or workers): the same search again would find nothing new, all but for the
        // unplaced items.
        let mut settled: std::collections::BTreeSet<Vec<usize>> = Default::default();
        'rounds: loop {
            let mut gained = false;
            let Some(a) = self.best.as_ref() else { break };
            // Each search costs at least a node's work, so what is left of the allowance never
            // reaches past this many (the settled ones are skipped without cost).
            let searches = (allowance.saturating_sub(spent) / effort.work_per_node.max(1)).saturating_add(1);
            let most = usize::try_from(searches).unwrap_or(usize::MAX).saturating_add(settled.len());
            let list = if by_workers {
                subsets(self.part, a, effort.subset_size, most)
            } else {
                hoods(self.part, a)
            };
            for (key, free) in &list {
                if spent >= allowance || limits.stopped() || self.prunable(bound) {
                    break 'rounds;
                }
                if settled.contains(key) {
                    continue;
                }
                let Some(a) = self.best.clone() else { break 'rounds };
                let Some(r) = restrict(self.part, &a, free) else { continue };
                let seed = r.seed(&a);
                let Some((sub, work)) = search_restricted(self.m, &r.part, seed, sub_limits) else {
                    continue;
                };
                spent = spent.saturating_add(work);
                searched += 1;
                self.budget.charge(work);
                let before = self.best_value;
                self.offer(r.merge(&a, &sub));
                if self.best_value > before {
                    gained = true;
                    settled.retain(|k| !k.iter().any(|t| key.contains(t)));
                    limits.trace(|| {
                        format!("    neighbourhood: {before:.4} -> {:.4} ({key:?})", self.best_value)
                    });
                } else {
                    settled.insert(key.clone());
                }
            }
            if !gained {
                break;
            }
        }
        if searched > 0 {
            limits.trace(|| {
                format!(
                    "    neighbourhoods: {searched} searched, {start:.4} -> {:.4}, work {spent}",
                    self.best_value
                )
            });
        }
        spent
    }
}

#[cfg(test)]
mod tests {
    use super::super::allocation::{empty_alloc, feasible, value};
    use super::super::heuristics::greedy_fill;
    use super::super::lp;
    use super::super::params::Effort;
    use super::*;
    use crate::generate::{generate, GenerateOptions};

    /// A small cross-team district: four teams, type weights, sibling groups.
    fn district(seed: u64) -> (Model, crate::formulate::Problem) {
        let options = GenerateOptions {
            cases: 90,
            workers: 10,
            teams: 4,
            seed,
            weights: true,
            groups: 0.3,
            cross_team: true,
            ..Default::default()
        };
        let file = generate(&options).unwrap();
        let m = crate::load_model_bytes("m.json", &crate::write::to_json(&file)).unwrap();
        let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
        (m, problem)
    }

    /// A lawful allocation to start from: some groups placed, then filled greedily.
    fn start(m: &Model, part: &Part, seed: u64) -> PartAlloc {
        let mut a = empty_alloc(part);
        for (g, item) in part.groups.iter().enumerate() {
            if (g as u64 + seed) % 3 == 0 && !item.workers.is_empty() {
                a.groups[g] = Some((g + seed as usize) % item.workers.len());
                if !feasible(part, &a) {
                    a.groups[g] = None;
                }
            }
        }
        greedy_fill(m, part, &mut a);
        a
    }

    /// Whether `free` restricts `a`'s part (false: nothing to check); asserts that the
    /// restriction holds `a` lawfully, merges it back unchanged, and values another lawful
    /// allocation of it by exactly its change to the whole part.
    fn restriction_is_exact(m: &Model, part: &Part, a: &PartAlloc, free: &[bool], seed: u64) -> bool {
        let Some(r) = restrict(part, a, free) else { return false };
        let seed_alloc = r.seed(a);
        assert!(feasible(&r.part, &seed_alloc), "seed {seed}: the incumbent's restriction breaks a row");
        assert_eq!(&r.merge(a, &seed_alloc), a);
        // Another allocation of the restricted part: its change is the whole part's.
        let mut other = empty_alloc(&r.part);
        greedy_fill(m, &r.part, &mut other);
        let whole = r.merge(a, &other);
        assert!(feasible(part, &whole), "seed {seed}: a lawful restricted allocation merged unlawfully");
        let d_sub = value(m, &r.part, &other) - value(m, &r.part, &seed_alloc);
        let d_whole = value(m, part, &whole) - value(m, part, a);
        assert!((d_sub - d_whole).abs() < 1e-6, "seed {seed}: {d_sub} against {d_whole}");
        true
    }

    #[test]
    fn a_restricted_part_values_its_changes_exactly_and_merges_back_lawfully() {
        let mut checked = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let a = start(&m, part, seed);
                assert!(feasible(part, &a));
                for (_, free) in hoods(part, &a) {
                    checked += usize::from(restriction_is_exact(&m, part, &a, &free, seed));
                }
            }
        }
        assert!(checked > 20, "only {checked} neighbourhoods checked");
    }

    /// Searches the neighbourhoods of `start`'s allocation of `part` twice over, asserting that
    /// the incumbent stays lawful, is valued exactly, never falls, is charged for and is the
    /// same on the second run; returns whether it rose, the work charged to the part's budget
    /// and the work the worker subsets logged.
    fn search_twice(m: &Model, part: &Part, seed: u64) -> (bool, u64, u64) {
        let run = || {
            let effort = Effort { nodes: Some(50), ..Effort::DEFAULT };
            let mut s = PartSearch::new(m, part, lp::build(m, part), effort);
            s.offer(start(m, part, seed));
            let before = s.best_value;
            s.neighbourhoods(f64::INFINITY, Limits::default());
            (before, s.best_value, s.best.clone(), s.budget.spent(), s.hoods.spent)
        };
        let (before, after, best, spent, logged) = run();
        let best = best.expect("an incumbent");
        assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
        assert!((value(m, part, &best) - after).abs() < 1e-9);
        assert!(after >= before, "seed {seed}: {before} fell to {after}");
        assert!(spent > 0, "seed {seed}: the neighbourhoods' work was not charged");
        assert_eq!(run().2, Some(best), "seed {seed}: a second run differs");
        (after > before, spent, logged)
    }

    #[test]
    fn neighbourhoods_never_lower_the_value_nor_break_a_row_and_repeat_exactly() {
        let mut gained = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                gained += u32::from(search_twice(&m, part, seed).0);
            }
        }
        assert!(gained > 0, "no neighbourhood ever improved a greedy start");
    }

    #[test]
    fn a_part_of_two_teams_has_no_team_pair_and_no_work_allowance_searches_none() {
        let (m, problem) = district(1);
        let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
        let a = start(&m, part, 1);
        assert!(!hoods(part, &a).is_empty());
        let mut two = part.clone();
        for r in &mut two.workers {
            r.team %= 2;
        }
        assert!(hoods(&two, &a).is_empty());
        let effort = Effort { hood_work: 0, ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
        s.offer(a.clone());
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!((s.best, s.budget.spent()), (Some(a), 0));
    }

    /// A one-team part: weights on a 0.05 lattice, sibling groups, more cases than room.
    fn team(seed: u64) -> (Model, crate::formulate::Problem) {
        let options = GenerateOptions {
            cases: 150,
            workers: 9,
            teams: 1,
            seed,
            weights: true,
            groups: 0.25,
            ..Default::default()
        };
        let file = generate(&options).unwrap();
        let m = crate::load_model_bytes("m.json", &crate::write::to_json(&file)).unwrap();
        let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
        (m, problem)
    }

    #[test]
    fn a_one_team_part_has_worker_subsets_that_cover_it_in_a_fixed_order() {
        let (m, problem) = team(1);
        let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
        let n = part.workers.len();
        assert!(n > 4 && hoods(part, &start(&m, part, 1)).is_empty(), "{n} workers");
        let a = start(&m, part, 1);
        let list = subsets(part, &a, 4, usize::MAX);
        assert!(list.len() > n / 4, "{} subsets of {n} workers", list.len());
        let mut met = vec![false; n];
        let mut keys = std::collections::BTreeSet::new();
        for (key, free) in &list {
            assert_eq!(key.len(), 4);
            assert!(key.windows(2).all(|w| w[0] < w[1]), "{key:?}");
            assert_eq!(free.iter().filter(|&&f| f).count(), 4);
            assert!(key.iter().all(|&w| free[w]));
            key.iter().for_each(|&w| met[w] = true);
            assert!(keys.insert(key.clone()), "{key:?} twice");
        }
        assert!(met.iter().all(|&x| x), "a worker in no subset");
        assert_eq!(subsets(part, &a, 4, usize::MAX), list);
        // The first window: the workers with the most room under their caps.
        let (load, _) = loads(part, &a);
        let room = |w: usize| part.workers[w].cap - load[w];
        let least_in_first = list[0].0.iter().map(|&w| room(w)).fold(f64::INFINITY, f64::min);
        let outside = (0..n).filter(|w| !list[0].0.contains(w)).map(room).fold(f64::NEG_INFINITY, f64::max);
        assert!(least_in_first >= outside - 1e-9, "{least_in_first} < {outside}");
        assert!(subsets(part, &a, n, usize::MAX).is_empty() && subsets(part, &a, 0, usize::MAX).is_empty());
    }

    #[test]
    fn a_worker_subset_values_its_changes_exactly_and_merges_back_lawfully() {
        let mut checked = 0;
        for seed in 0..4 {
            let (m, problem) = team(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let a = start(&m, part, seed);
                for (_, free) in subsets(part, &a, 3, usize::MAX) {
                    checked += usize::from(restriction_is_exact(&m, part, &a, &free, seed));
                }
            }
        }
        assert!(checked > 10, "only {checked} subsets checked");
    }

    #[test]
    fn worker_subsets_never_lower_the_value_nor_break_a_row_and_repeat_exactly() {
        let mut gained = 0;
        for seed in 0..4 {
            let (m, problem) = team(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let (gain, spent, logged) = search_twice(&m, part, seed);
                assert!(spent == logged, "seed {seed}: {spent} charged, {logged} logged");
                assert!(
                    logged
                        <= Effort::DEFAULT.subset_work
                            + (Effort::DEFAULT.hood_nodes + 1) * Effort::DEFAULT.work_per_node
                            + Effort::DEFAULT.polish_moves
                );
                gained += u32::from(gain);
            }
        }
        assert!(gained > 0, "no worker subset ever improved a greedy start");
    }

    #[test]
    fn worker_subsets_after_a_node_keep_to_the_budget_and_run_once_per_incumbent() {
        let (m, problem) = team(2);
        let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
        let a = start(&m, part, 2);
        // A budget smaller than one neighbourhood's search: none is searched.
        let small = Effort { nodes: Some(Effort::DEFAULT.hood_nodes - 1), ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), small);
        s.offer(a.clone());
        s.early_neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!((s.best.as_ref(), s.budget.spent()), (Some(&a), 0));
        // With room: they search, charge the budget, and not again for the same incumbent.
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
        s.offer(a.clone());
        s.early_neighbourhoods(f64::INFINITY, Limits::default());
        let spent = s.budget.spent();
        assert!(spent > 0 && s.hoods.spent == spent);
        s.early_neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!(s.budget.spent(), spent, "searched again for the same incumbent");
        // An incumbent at the bound, or within the gap the tree closes itself: none.
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
        s.offer(a.clone());
        let at = s.best_value;
        s.early_neighbourhoods(at, Limits::default());
        let near = at + 0.5 * Effort::DEFAULT.subset_gap * at.abs();
        s.early_neighbourhoods(near, Limits::default());
        assert_eq!(s.budget.spent(), 0);
        let far = at + 2.0 * Effort::DEFAULT.subset_gap * at.abs();
        s.early_neighbourhoods(far, Limits::default());
        assert!(s.budget.spent() > 0, "a gap of twice the share searched nothing");
        // No allowance: none.
        let none = Effort { subset_work: 0, ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), none);
        s.offer(a);
        s.early_neighbourhoods(f64::INFINITY, Limits::default());
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!(s.budget.spent(), 0);
    }
}
