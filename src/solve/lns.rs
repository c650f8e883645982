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
//! Neighbourhoods come in a fixed order (each team with each other team, by team index), and the
//! work is counted, never timed, so the answer is the same on every run.

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

/// The neighbourhoods of `a`, in order: each pair of teams, and the marks of their workers, the
/// pairs that send each other the most cases first (ties by team index). None in a part of one
/// or two teams: one pair would be the whole part again.
fn hoods(part: &Part, a: &PartAlloc) -> Vec<((usize, usize), Vec<bool>)> {
    let mut teams: Vec<usize> = part.workers.iter().map(|r| r.team).collect();
    teams.sort_unstable();
    teams.dedup();
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
            ((t1, t2), part.workers.iter().map(|r| r.team == t1 || r.team == t2).collect())
        })
        .collect()
}

impl PartSearch<'_> {
    /// Searches the neighbourhoods of the incumbent in turn, taking each better allocation at
    /// once, until a round over all of them gains nothing or the allowance is spent
    /// ([`super::Effort::hood_work`] per team, for at most [`PAID_TEAMS`] teams); each is
    /// searched within [`super::Effort::hood_nodes`] nodes. The work is charged to the part's
    /// budget.
    pub(super) fn neighbourhoods(&mut self, limits: Limits) {
        let effort = self.effort;
        if effort.hood_work == 0 || self.best.is_none() {
            return;
        }
        let sub_limits = Limits {
            node_limit: Some(effort.hood_nodes),
            root_allowance: false, // exactly its nodes, as before the roots' allowance
            observer: None,
            trace: false,
            district_columns: None,
            ..limits
        };
        let teams = {
            let mut t: Vec<usize> = self.part.workers.iter().map(|r| r.team).collect();
            t.sort_unstable();
            t.dedup();
            t.len()
        };
        let allowance = effort.hood_work.saturating_mul(teams.min(PAID_TEAMS) as u64);
        let (start, mut spent, mut searched) = (self.best_value, 0u64, 0usize);
        // Pairs searched without a gain since the last gain that touched either team: the
        // same search again would find nothing new, all but for the unplaced items.
        let mut settled: std::collections::BTreeSet<(usize, usize)> = Default::default();
        'rounds: loop {
            let mut gained = false;
            let Some(a) = self.best.as_ref() else { return };
            for (pair, free) in &hoods(self.part, a) {
                if spent >= allowance || limits.stopped() {
                    break 'rounds;
                }
                if settled.contains(pair) {
                    continue;
                }
                let Some(a) = self.best.clone() else { return };
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
                    settled.retain(|&(t1, t2)| ![t1, t2].iter().any(|t| *t == pair.0 || *t == pair.1));
                } else {
                    settled.insert(*pair);
                }
                if self.best_value > before {
                    limits.trace(|| format!("    neighbourhood: {:.4} -> {:.4}", before, self.best_value));
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

    #[test]
    fn a_restricted_part_values_its_changes_exactly_and_merges_back_lawfully() {
        let mut checked = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let a = start(&m, part, seed);
                assert!(feasible(part, &a));
                for (_, free) in hoods(part, &a) {
                    let Some(r) = restrict(part, &a, &free) else { continue };
                    let seed_alloc = r.seed(&a);
                    assert!(
                        feasible(&r.part, &seed_alloc),
                        "seed {seed}: the incumbent's restriction breaks a row"
                    );
                    assert_eq!(r.merge(&a, &seed_alloc), a);
                    // Another allocation of the restricted part: its change is the whole part's.
                    let mut other = empty_alloc(&r.part);
                    greedy_fill(&m, &r.part, &mut other);
                    let whole = r.merge(&a, &other);
                    assert!(
                        feasible(part, &whole),
                        "seed {seed}: a lawful restricted allocation merged unlawfully"
                    );
                    let d_sub = value(&m, &r.part, &other) - value(&m, &r.part, &seed_alloc);
                    let d_whole = value(&m, part, &whole) - value(&m, part, &a);
                    assert!((d_sub - d_whole).abs() < 1e-6, "seed {seed}: {d_sub} against {d_whole}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "only {checked} neighbourhoods checked");
    }

    #[test]
    fn neighbourhoods_never_lower_the_value_nor_break_a_row_and_repeat_exactly() {
        let mut gained = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let run = || {
                    let effort = Effort { nodes: Some(50), ..Effort::DEFAULT };
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                    s.offer(start(&m, part, seed));
                    let before = s.best_value;
                    s.neighbourhoods(Limits::default());
                    (before, s.best_value, s.best.clone(), s.budget.spent())
                };
                let (before, after, best, spent) = run();
                let best = best.expect("an incumbent");
                assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
                assert!((value(&m, part, &best) - after).abs() < 1e-9);
                assert!(after >= before, "seed {seed}: {before} fell to {after}");
                assert!(spent > 0, "seed {seed}: the neighbourhoods' work was not charged");
                gained += u32::from(after > before);
                assert_eq!(run().2, Some(best), "seed {seed}: a second run differs");
            }
        }
        assert!(gained > 0, "no neighbourhood ever improved a greedy start");
    }

    #[test]
    fn a_part_of_two_teams_has_no_neighbourhood_and_no_work_allowance_searches_none() {
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
        s.neighbourhoods(Limits::default());
        assert_eq!((s.best, s.budget.spent()), (Some(a), 0));
    }
}
