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
//! A part of three teams or more also has guided neighbourhoods (RINS), searched first in each
//! round: a relaxed solution of the part (the root master's, when the tree has one, and the
//! root's compact relaxation) is compared with the incumbent, and a class's count at a worker,
//! or a group's placement there, is freed where they disagree and fixed where they agree. A
//! worker of such a neighbourhood may keep some of its items fixed: the restricted part then
//! counts their load as fixed (its cap, target and room under its supervisor less that load,
//! its keep bonuses less the kept cases fixed there), which keeps it exact. On the 2,000-case
//! districts the root master's neighbourhood gains more in one search than the team pairs in a
//! round: the optimum moves cases along chains through many teams.
//!
//! After the team pairs, such a part searches the workers of the nearest better allocation
//! ([`PartSearch::proximity`]): a linear programme, the part's own with its objective held at
//! least a lattice step above the incumbent's, makes the distance from the incumbent least,
//! and the few workers where its answer differs (a chain of moves through three teams or more)
//! are freed together. When their search gains nothing, the next programme asks one step more
//! and frees its workers with the last ones.
//!
//! Neighbourhoods come in a fixed order, and the work is counted, never timed, so the answer
//! is the same on every run.
//!
//! [`Effort::subset_size`]: super::Effort::subset_size

use super::allocation::{loads, value};
use super::lp::{Col, Lp};
use super::master::Master;
use super::params::Guide;
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
    /// For each class of the whole part and each of its positions: the items there that stay
    /// where the incumbent has them.
    fixed: Vec<Vec<u32>>,
}

/// What a neighbourhood frees: the workers of the restricted part, and which positions of each
/// class and group (a worker it may go to) the search may change. A class's items at a free
/// position, a group placed at one, and every item not placed are free, and go to free
/// positions only; everything else stays where the incumbent has it. A free position is at a
/// worker of the restricted part.
struct Freed {
    workers: Vec<bool>,
    classes: Vec<Vec<bool>>,
    groups: Vec<Vec<bool>>,
}

impl Freed {
    /// Every position of the workers marked `free`.
    fn workers(part: &Part, free: &[bool]) -> Freed {
        let at = |ws: &[usize]| ws.iter().map(|&w| free[w]).collect();
        Freed {
            workers: free.to_vec(),
            classes: part.classes.iter().map(|c| at(&c.workers)).collect(),
            groups: part.groups.iter().map(|g| at(&g.workers)).collect(),
        }
    }
}

/// The relaxed solution of a part's compact programme `lp` at column `values`: what flows
/// through a market or hub is shared among the classes that enter it in proportion.
fn relaxed_guide(lp: &Lp, part: &Part, values: &[f64]) -> Guide {
    let mut x: Vec<Vec<f64>> = part.classes.iter().map(|c| vec![0.0; c.workers.len()]).collect();
    let mut y: Vec<Vec<f64>> = part.groups.iter().map(|g| vec![0.0; g.workers.len()]).collect();
    let (nh, nm) = (lp.hubs.len(), lp.markets.len());
    let mut hub_in: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nh];
    let mut hub_out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nh];
    let mut market_in: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nm];
    let mut market_out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nm];
    let at = |k: usize, w: usize| part.classes[k].workers.iter().position(|&x| x == w);
    for (j, col) in lp.cols.iter().enumerate() {
        let v = values.get(j).copied().unwrap_or(0.0);
        if v <= crate::tolerance::INTEGRAL {
            continue;
        }
        match *col {
            Col::Keep { k, w } | Col::Return { k, w } => {
                if let Some(p) = at(k, w) {
                    x[k][p] += v;
                }
            }
            Col::ClassHub { k, h } if h < nh => hub_in[h].push((k, v)),
            Col::ClassMarket { k, mk } if mk < nm => market_in[mk].push((k, v)),
            Col::MarketHub { mk, h } if mk < nm => market_out[mk].push((h, v)),
            Col::HubWorker { h, w } if h < nh => hub_out[h].push((w, v)),
            Col::Group { g, j: p } if g < y.len() && p < y[g].len() => y[g][p] += v,
            _ => {}
        }
    }
    let share = |ins: &[(usize, f64)], outs: &[(usize, f64)]| -> Vec<(usize, usize, f64)> {
        let total: f64 = ins.iter().map(|i| i.1).sum();
        if total <= 0.0 {
            return Vec::new();
        }
        ins.iter().flat_map(|&(a, u)| outs.iter().map(move |&(b, v)| (a, b, u * v / total))).collect()
    };
    for mk in 0..nm {
        for (k, h, v) in share(&market_in[mk], &market_out[mk]) {
            if h < nh {
                hub_in[h].push((k, v));
            }
        }
    }
    for h in 0..nh {
        for (k, w, v) in share(&hub_in[h], &hub_out[h]) {
            if let Some(p) = at(k, w) {
                x[k][p] += v;
            }
        }
    }
    Guide { x, y }
}

/// The neighbourhood the master's solution `(x, y)` guides to (RINS): a class's count at a
/// worker, or a group's placement there, is free where the master's share differs from what
/// the incumbent `a` holds there, and fixed where they agree. None when they agree everywhere.
fn guided(part: &Part, a: &PartAlloc, guide: &Guide) -> Option<Freed> {
    let (x, y) = (&guide.x, &guide.y);
    let tol = crate::tolerance::INTEGRAL;
    let mut workers = vec![false; part.workers.len()];
    let classes: Vec<Vec<bool>> = part
        .classes
        .iter()
        .enumerate()
        .map(|(k, c)| {
            (0..c.workers.len())
                .map(|j| {
                    let held = f64::from(a.counts[k][j]);
                    let differs = x.get(k).and_then(|xs| xs.get(j)).is_some_and(|&v| (v - held).abs() > tol);
                    workers[c.workers[j]] |= differs;
                    differs
                })
                .collect()
        })
        .collect();
    let groups: Vec<Vec<bool>> = part
        .groups
        .iter()
        .enumerate()
        .map(|(g, item)| {
            (0..item.workers.len())
                .map(|j| {
                    let held = if a.groups[g] == Some(j) { 1.0 } else { 0.0 };
                    let differs = y.get(g).and_then(|ys| ys.get(j)).is_some_and(|&s| (s - held).abs() > tol);
                    workers[item.workers[j]] |= differs;
                    differs
                })
                .collect()
        })
        .collect();
    workers.iter().any(|&w| w).then_some(Freed { workers, classes, groups })
}

/// The part left when only the positions `f` frees may change (see [`Freed`]): each worker of
/// it keeps the load of its fixed items (its cap, target and room under its supervisor less
/// that load, its keep bonuses less the kept cases fixed there). None when nothing is free.
fn restrict_freed(part: &Part, a: &PartAlloc, f: &Freed) -> Option<Restricted> {
    let free = &f.workers;
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
    // The fixed items, and the load they leave at each worker of the restricted part.
    let fixed: Vec<Vec<u32>> = part
        .classes
        .iter()
        .enumerate()
        .map(|(k, c)| {
            (0..c.workers.len()).map(|j| if f.classes[k][j] { 0 } else { a.counts[k][j] }).collect()
        })
        .collect();
    let group_fixed = |g: usize| a.groups[g].is_some_and(|j| !f.groups[g][j]);
    let mut kept_load = vec![0.0; part.workers.len()];
    for (k, c) in part.classes.iter().enumerate() {
        for (j, &w) in c.workers.iter().enumerate() {
            kept_load[w] += c.weight * f64::from(fixed[k][j]);
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g].filter(|_| group_fixed(g)) {
            kept_load[item.workers[j]] += item.weight;
        }
    }
    for (w, r) in part.workers.iter().enumerate() {
        if free[w] && kept_load[w] != 0.0 {
            let x = &mut workers[local[w]];
            x.cap = (r.cap - kept_load[w]).max(0.0);
            x.target = r.target - kept_load[w];
            x.fixed = r.fixed + kept_load[w];
        }
    }
    // Oversight: what the fixed workers under each supervisor leave of its room.
    let (load, _) = loads(part, a);
    let mut room: Vec<f64> = part.overseers.iter().map(|o| o.1).collect();
    let mut used = vec![false; part.overseers.len()];
    for (w, r) in part.workers.iter().enumerate() {
        if let Some(s) = r.overseer {
            if free[w] {
                used[s] = true;
                room[s] -= kept_load[w];
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
        let held: u32 = fixed[k].iter().sum();
        let free_count = (class.cases.len() as u32).saturating_sub(held);
        let positions: Vec<usize> = (0..class.workers.len()).filter(|&j| f.classes[k][j]).collect();
        if free_count == 0 || positions.is_empty() {
            continue;
        }
        let remap =
            |ws: &[usize]| -> Vec<usize> { ws.iter().filter(|&&w| free[w]).map(|&w| local[w]).collect() };
        let fixed_at = |w: usize| class.workers.iter().position(|&x| x == w).map_or(0, |j| fixed[k][j]);
        classes.push(Class {
            cases: class.cases.iter().copied().take(free_count as usize).collect(),
            weight: class.weight,
            priority: class.priority,
            team: class.team,
            workers: positions.iter().map(|&j| local[class.workers[j]]).collect(),
            current: class
                .current
                .iter()
                .filter(|c| free[c.0])
                .map(|&(w, n)| (local[w], n.saturating_sub(fixed_at(w) as usize)))
                .filter(|c| c.1 > 0)
                .collect(),
            previous: remap(&class.previous),
        });
        map_classes.push((k, positions));
    }
    let mut groups = Vec::new();
    let mut map_groups = Vec::new();
    for (g, item) in part.groups.iter().enumerate() {
        if group_fixed(g) {
            continue;
        }
        let positions: Vec<usize> = (0..item.workers.len()).filter(|&j| f.groups[g][j]).collect();
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
    Some(Restricted { part, classes: map_classes, groups: map_groups, fixed })
}

impl Restricted {
    /// The incumbent's own allocation of the restricted part.
    fn seed(&self, a: &PartAlloc) -> PartAlloc {
        PartAlloc {
            counts: self
                .classes
                .iter()
                .map(|(k, pos)| pos.iter().map(|&j| a.counts[*k][j] - self.fixed[*k][j]).collect())
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|(g, pos)| a.groups[*g].and_then(|j| pos.iter().position(|&p| p == j)))
                .collect(),
        }
    }

    /// The whole allocation: `a` with the free items as `sub` has them.
    fn merge(&self, a: &PartAlloc, sub: &PartAlloc) -> PartAlloc {
        let mut out = a.clone();
        for ((k, pos), counts) in self.classes.iter().zip(&sub.counts) {
            for (&j, &n) in pos.iter().zip(counts) {
                out.counts[*k][j] = self.fixed[*k][j] + n;
            }
        }
        for ((g, pos), at) in self.groups.iter().zip(&sub.groups) {
            out.groups[*g] = at.map(|q| pos[q]);
        }
        out
    }
}

/// The limits of a neighbourhood's own search: exactly `nodes` nodes (no roots' allowance), no
/// progress events and no trace.
fn within(limits: Limits, nodes: u64) -> Limits {
    Limits {
        node_limit: Some(nodes),
        root_allowance: false,
        observer: None,
        trace: false,
        district_columns: None,
        relaxation_only: false,
        ..limits
    }
}

/// What the search of one neighbourhood found: its best allocation, the work spent, and
/// whether it proved that allocation best in the neighbourhood (a search its node limit stopped
/// did not, and more nodes may find more there).
struct Found {
    best: PartAlloc,
    work: u64,
    proven: bool,
}

/// Searches the restricted part from `seed` within `limits` (its node limit).
fn search_restricted(m: &Model, part: &Part, seed: PartAlloc, dive: bool, limits: Limits) -> Option<Found> {
    // Its root's rounds run after its relaxation: the neighbourhoods are searched two at a
    // time already, and their searches' paths stay those the budget was measured on.
    let mut started = super::start_part(m, part, limits, false).ok()?;
    if !dive {
        started.search.effort.dive_work = 0;
    }
    // Its dive completes greedily: the search is of a few workers already.
    started.search.effort.dive_exact_free = 0;
    // No neighbourhoods inside a neighbourhood.
    started.search.effort.hood_work = 0;
    started.search.effort.subset_work = 0;
    started.search.effort.chain_work = 0;
    started.search.effort.set_bounds = 0;
    started.search.effort.root_cuts = 0;
    started.search.effort.progress_slices = 0;
    started.search.offer(seed);
    let s: &mut PartSearch = &mut started.search;
    let proven = match std::mem::replace(&mut started.root, Root::Proven) {
        Root::Proven => true,
        Root::Lagrangian(dual, bound, rounds) => super::tree::search(&dual, s, 0, limits, bound, rounds).0,
        Root::Compact(state, bound) => s.branch_and_bound(state, bound, 0, limits).0,
        // The budget stopped the root's relaxation: the seed is what the neighbourhood has.
        Root::Stopped(_) => false,
    };
    // The root's relaxation is in `spent` (charged by pivots); one node more for building it.
    let work = s.budget.spent().saturating_add(s.effort.work_per_node);
    s.best.take().map(|best| Found { best, work, proven })
}

/// Marks neighbourhood `key` searched without a gain (`settled`: the same search again would
/// find nothing new), or, after a gain, unmarks every one that shares a team (or worker) with it.
fn settle(settled: &mut std::collections::BTreeSet<Vec<usize>>, key: &[usize], gained: bool) {
    if gained {
        settled.retain(|k| !k.iter().any(|t| key.contains(t)));
    } else {
        settled.insert(key.to_vec());
    }
}

/// Marks team pair `key` searched without a gain and stopped by its node limit (`capped`: more
/// nodes may find more there), or unmarks it once its search gained or was complete.
fn mark_capped(capped: &mut std::collections::BTreeSet<Vec<usize>>, key: &[usize], o: Outcome) {
    if o.better || o.proven {
        capped.remove(key);
    } else {
        capped.insert(key.to_vec());
    }
}

/// The part restricted to what `freed` frees of `a`, searched from `a` within `limits`
/// ([`search_restricted`]): the restriction and what its search found. None when nothing is
/// freed or the search could not start.
fn search_from(
    m: &Model,
    part: &Part,
    a: &PartAlloc,
    freed: &Freed,
    dive: bool,
    limits: Limits,
) -> Option<(Restricted, Found)> {
    let r = restrict_freed(part, a, freed)?;
    let found = search_restricted(m, &r.part, r.seed(a), dive, limits)?;
    Some((r, found))
}

/// What searching one neighbourhood came to: the work it spent, whether it found a better
/// allocation, and whether its search was complete ([`Found::proven`]).
#[derive(Clone, Copy, Debug)]
struct Outcome {
    work: u64,
    better: bool,
    proven: bool,
}

/// How a neighbourhood frees: some workers, or where a guide disagrees with the incumbent.
enum Spec {
    Workers(Vec<bool>),
    /// Where the root master (`true`) or the root relaxation disagrees with the incumbent.
    Guided(bool),
}

/// How far down the list of team pairs the one searched beside another may be.
const BESIDE_AHEAD: usize = 8;

/// A round of team pairs that gains nothing searches again, within this many times the nodes,
/// the pairs whose search their node limit stopped since they were last searched
/// ([`PartSearch::search_hoods`]), up to [`super::Effort::hood_deepest`] times
/// [`super::Effort::hood_nodes`] and never past what is left of the allowance; a gain brings
/// the usual nodes back.
const DEEPER: u64 = 4;

/// The least gain a neighbourhood must bring where the part has no lattice step.
const GAIN: f64 = 1e-6;

/// Which neighbourhoods a search of them goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Subsets of this many workers of a part of one or two teams.
    Subsets(usize),
    /// The guided ones, then pairs of teams.
    Pairs,
    /// Chains of workers across teams.
    Chains,
}

/// How many nodes the search of each neighbourhood may explore.
#[derive(Clone, Copy, Debug)]
enum Nodes {
    /// This many.
    Each(u64),
    /// This many, and no more than what is left of the allowance buys (at least one).
    Within(u64),
}

/// A neighbourhood: what names it (two teams, or some workers by local index) and the marks of
/// the workers it frees.
type Hood = (Vec<usize>, Vec<bool>);

/// Nodes a search of a nearest-better neighbourhood may explore in a cross-team part of one
/// or two teams, in multiples of [`Effort::hood_nodes`]: such a part is small (16-20 workers
/// in the 300-case and 320-case districts) and its proximity programme frees up to half of
/// it, more than 200 nodes search (measured: the 300-case district seed 3's optimum lies 7
/// workers away, found in 1,000 nodes and not in 200).
///
/// [`Effort::hood_nodes`]: super::Effort::hood_nodes
const NEAR_NODES: u64 = 5;

/// Workers more than [`Effort::subset_size`] in the wider subsets a cross-team part of one or
/// two teams searches in polish after the usual ones, within an allowance of
/// [`Effort::subset_work`] of their own.
///
/// [`Effort::subset_size`]: super::Effort::subset_size
/// [`Effort::subset_work`]: super::Effort::subset_work
const WIDER: usize = 2;

/// Whether some class of the part may go to a worker of another team: a cross-team part.
fn crosses(part: &Part) -> bool {
    part.classes
        .iter()
        .any(|c| c.workers.iter().any(|&w| part.workers.get(w).is_some_and(|r| r.team != c.team)))
}

/// The neighbourhoods of `a`, in order: each pair of teams, and the marks of their workers, the
/// pairs that send each other the most cases first (ties by team index). None in a part of one
/// or two teams: one pair would be the whole part again.
fn hoods(part: &Part, a: &PartAlloc) -> Vec<Hood> {
    let teams = part.teams();
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
    /// Searches the workers marked `free` of the lawful allocation `a` exactly, as one
    /// neighbourhood: every item they hold and every item not placed is free, the rest stays as
    /// `a` has it, within [`super::Effort::hood_nodes`] nodes and never more than the part's
    /// budget has left (nothing when it has not a node's work left); offers what it finds and
    /// returns the work (charged to the part's budget).
    pub(super) fn search_workers(&mut self, a: &PartAlloc, free: &[bool], limits: Limits) -> u64 {
        let nodes = self.effort.hood_nodes.min(self.budget.left() / self.effort.work_per_node.max(1));
        if nodes == 0 {
            return 0;
        }
        let freed = Freed::workers(self.part, free);
        self.search_freed(a, &freed, false, within(limits, nodes)).map_or(0, |o| o.work)
    }

    /// One neighbourhood: the part restricted to what `freed` frees of `a` is searched from
    /// `a` within `limits` (diving at its root if `dive`), and what it finds, merged into `a`,
    /// is offered. Returns its [`Outcome`] (the work is charged to the part's budget); None when
    /// nothing is freed or the search could not start.
    fn search_freed(&mut self, a: &PartAlloc, freed: &Freed, dive: bool, limits: Limits) -> Option<Outcome> {
        let (r, found) = search_from(self.m, self.part, a, freed, dive, limits)?;
        self.budget.charge(found.work);
        let before = self.best_value;
        self.offer(r.merge(a, &found.best));
        Some(Outcome { work: found.work, better: self.best_value > before, proven: found.proven })
    }

    /// Two neighbourhoods of `a` with no worker in common, searched side by side (each as
    /// [`PartSearch::search_freed`] searches it, from `a`), then offered in turn: the first
    /// merged into `a`, the second into whatever the first left, so that two gains made apart
    /// add up when together they are lawful (the offer refuses them otherwise: two searches
    /// that placed the same unplaced case). Returns the [`Outcome`] of each (None when nothing
    /// is freed or its search could not start), `better` when it found a better allocation
    /// than `a`. The same answers whatever the threads: both are searched from `a`, and offered
    /// in order.
    fn search_freed_apart(
        &mut self,
        a: &PartAlloc,
        freed: [&Freed; 2],
        dive: bool,
        limits: Limits,
    ) -> [Option<Outcome>; 2] {
        let (m, part) = (self.m, self.part);
        let run = |f: &Freed| search_from(m, part, a, f, dive, limits);
        let found = rayon::join(|| run(freed[0]), || run(freed[1]));
        let before = value(m, part, a);
        let mut out = [None; 2];
        for (i, found) in [found.0, found.1].into_iter().enumerate() {
            let Some((r, sub)) = found else { continue };
            self.budget.charge(sub.work);
            let alone = r.merge(a, &sub.best);
            let better = value(m, part, &alone) > before + GAIN;
            let merged = match (&self.best, i) {
                (Some(now), 1) => r.merge(now, &sub.best),
                _ => alone,
            };
            self.offer(merged);
            out[i] = Some(Outcome { work: sub.work, better, proven: sub.proven });
        }
        out
    }

    /// The root master's guided neighbourhood ([`guided`]), searched once at the root of a part
    /// of three teams or more, before the tree branches, within
    /// [`super::Effort::root_guide_nodes`] nodes and only while the budget holds them: the
    /// tree's own roundings leave a district's incumbent 1-2% below the root's bound, and an
    /// incumbent near the bound is what lets the tree fix and prune. Not inside a
    /// neighbourhood (which has no neighbourhoods of its own).
    pub(super) fn root_guided(&mut self, bound: f64, limits: Limits) {
        let (effort, teams) = (self.effort, self.part.teams().len());
        let nodes = effort.root_guide_nodes;
        if teams < 3 || nodes == 0 || effort.hood_work == 0 || self.prunable(bound) {
            return;
        }
        if self.budget.left() < nodes.saturating_mul(effort.work_per_node) {
            return;
        }
        let (Some(a), Some(g)) = (self.best.clone(), self.hoods.master.as_ref()) else { return };
        let Some(freed) = guided(self.part, &a, g) else { return };
        let before = self.best_value;
        let work = self.search_freed(&a, &freed, false, within(limits, nodes)).map(|o| o.work);
        limits.trace(|| format!("    root guided: {before:.4} -> {:.4}, work {work:?}", self.best_value));
    }

    /// Searches the neighbourhoods of the incumbent in turn, taking each better allocation at
    /// once, until a round over all of them gains nothing or the allowance is spent: on a part
    /// of three teams or more, pairs of teams within [`super::Effort::hood_work`] per team (for
    /// at most [`PAID_TEAMS`] teams), then the nearest better allocations within
    /// [`super::Effort::chain_work`]; on a part of one or two teams, subsets of its workers
    /// within what is left of [`super::Effort::subset_work`]. Each is searched within
    /// [`super::Effort::hood_nodes`] nodes. The work is charged to the part's budget.
    pub(super) fn neighbourhoods(&mut self, bound: f64, limits: Limits) {
        let effort = self.effort;
        let teams = self.part.teams().len();
        let nodes = effort.hood_nodes;
        if teams < 3 {
            // A cross-team part of one or two teams: first its nearest better allocations,
            // each searched within more nodes, then the usual subsets, then wider ones.
            let cross = crosses(self.part);
            if cross && effort.chain_work > 0 {
                let near = Nodes::Within(nodes.saturating_mul(NEAR_NODES));
                self.search_hoods(limits, effort.chain_work, Kind::Chains, bound, near);
            }
            let left = effort.subset_work.saturating_sub(self.hoods.spent);
            let usual = Kind::Subsets(effort.subset_size);
            let spent = self.search_hoods(limits, left, usual, bound, Nodes::Each(nodes));
            self.hoods.spent = self.hoods.spent.saturating_add(spent);
            if cross && effort.subset_work > 0 {
                let wide = Kind::Subsets(effort.subset_size.saturating_add(WIDER));
                let spent = self.search_hoods(limits, effort.subset_work, wide, bound, Nodes::Within(nodes));
                self.hoods.spent = self.hoods.spent.saturating_add(spent);
            }
        } else {
            if effort.hood_work > 0 {
                let allowance = effort.hood_work.saturating_mul(teams.min(PAID_TEAMS) as u64);
                self.search_hoods(limits, allowance, Kind::Pairs, bound, Nodes::Each(nodes));
            }
            if effort.chain_work > 0 {
                self.search_hoods(limits, effort.chain_work, Kind::Chains, bound, Nodes::Each(nodes));
            }
        }
    }

    /// The most [`PartSearch::neighbourhoods`] may spend from here: what each of its searches
    /// is allowed, as it allows them (the tree's plateau polish reserves it).
    pub(super) fn neighbourhoods_reserve(&self) -> u64 {
        let e = &self.effort;
        let teams = self.part.teams().len();
        if teams < 3 {
            let cross = crosses(self.part);
            let mut r = e.subset_work.saturating_sub(self.hoods.spent);
            if cross && e.chain_work > 0 {
                r = r.saturating_add(e.chain_work);
            }
            if cross && e.subset_work > 0 {
                r = r.saturating_add(e.subset_work);
            }
            r
        } else {
            let pairs =
                if e.hood_work > 0 { e.hood_work.saturating_mul(teams.min(PAID_TEAMS) as u64) } else { 0 };
            pairs.saturating_add(e.chain_work)
        }
    }

    /// Keeps the first master solution of the part's tree (its root's) to guide the
    /// neighbourhoods ([`guided`]).
    pub(super) fn keep_guide(&mut self, master: &Master) {
        if self.hoods.master.is_none() {
            self.hoods.master = Some(Guide { x: master.x.clone(), y: master.y.clone() });
        }
    }

    /// Keeps the root's compact relaxation (column `values` of the part's programme) to guide
    /// the neighbourhoods ([`guided`]): each hub's and market's flow shared among the classes
    /// that enter it in proportion.
    pub(super) fn keep_relaxed(&mut self, values: &[f64]) {
        if self.effort.hood_work > 0 && self.part.teams().len() >= 3 {
            self.hoods.relaxed = Some(relaxed_guide(&self.lp, self.part, values));
        }
    }

    /// The worker-subset neighbourhoods of a part of one or two teams, searched after a node
    /// of the tree when its incumbent is new since they last ran and still at least
    /// [`super::Effort::subset_gap`] below the node's `bound`, within what is left of
    /// [`super::Effort::subset_work`] and only while the part's budget still holds a whole
    /// neighbourhood's search ([`super::Effort::hood_nodes`] nodes), so the node limit bounds
    /// them as it bounds the tree. This call spends at most `cap` and leaves `reserve` of the
    /// budget beside that search (the root's dive, [`super::dive`]); one that may spend nothing
    /// leaves the incumbent new, so the next call searches from it.
    pub(super) fn early_neighbourhoods(&mut self, bound: f64, cap: u64, reserve: u64, limits: Limits) {
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
        if self.part.teams().len() >= 3 {
            return;
        }
        let left = effort.subset_work.saturating_sub(self.hoods.spent).min(self.budget.left() - whole);
        let left = left.min((self.budget.left() - whole).saturating_sub(reserve)).min(cap);
        if left == 0 {
            return;
        }
        let spent = self.search_hoods(
            limits,
            left,
            Kind::Subsets(effort.subset_size),
            bound,
            Nodes::Each(effort.hood_nodes),
        );
        self.hoods.spent = self.hoods.spent.saturating_add(spent);
        self.hoods.from = self.best_value;
    }

    /// The workers of the nearest better allocation, as a linear programme sees it
    /// (proximity search): the relaxation of the part's programme with its objective at least
    /// one lattice step (or [`GAIN`]) above the incumbent `a`'s value, and, in place of the
    /// objective, the distance from `a` made least: for each worker and weight, how far the
    /// cases of that weight it holds are from `a`'s count there, and for each group, its weight
    /// if it leaves its place or goes to another. The workers where that solution differs from
    /// `a` are freed together ([`Freed::workers`]): the few workers of a chain of moves across
    /// teams, whose gain no pair of teams holds, and which an exact search of so few workers
    /// finds. None when no better allocation exists in the relaxation, or the simplex runs out
    /// of `allowance`; also the work spent.
    fn proximity(
        &self,
        a: &PartAlloc,
        allowance: u64,
        grown: &[bool],
        steps: f64,
        limits: &Limits,
    ) -> (Option<Hood>, u64) {
        let (m, part) = (self.m, self.part);
        let n = part.workers.len();
        let step = self.delta.unwrap_or(GAIN).max(GAIN);
        let target = super::allocation::value(m, part, a) + step * steps;
        let key = |w: usize, weight: f64| (w, (weight * 1e6).round() as i64);
        // What `a` holds: cases by worker and weight; and each class's cases held with its own
        // team's workers (side 0) and other teams' (side 1): what the network's flows into hubs
        // and markets say of a class.
        let side = |k: usize, w: usize| usize::from(part.workers[w].team != part.classes[k].team);
        let mut held: std::collections::BTreeMap<(usize, i64), f64> = Default::default();
        let mut sides: std::collections::BTreeMap<(usize, usize), f64> = Default::default();
        for (k, class) in part.classes.iter().enumerate() {
            for (j, &c) in a.counts[k].iter().enumerate() {
                let w = class.workers[j];
                *held.entry(key(w, class.weight)).or_default() += f64::from(c);
                *sides.entry((k, side(k, w))).or_default() += f64::from(c);
            }
        }
        let mut prox = self.lp.clone();
        let objective: Vec<(usize, f64)> =
            prox.obj.iter().enumerate().filter(|&(_, &c)| c != 0.0).map(|(j, &c)| (j, -c)).collect();
        prox.rows.push(super::lp::Row { coefs: objective, eq: false, rhs: -target });
        let mut cols: std::collections::BTreeMap<(usize, i64), Vec<usize>> = Default::default();
        let mut class_cols: std::collections::BTreeMap<(usize, usize), Vec<usize>> = Default::default();
        let hub_team = |h: usize| prox.hubs[h].workers.first().map(|&w| part.workers[w].team);
        for j in 0..prox.cols.len() {
            prox.obj[j] = 0.0;
            match prox.cols[j] {
                Col::Keep { k, w } | Col::Return { k, w } if k < part.classes.len() => {
                    cols.entry(key(w, part.classes[k].weight)).or_default().push(j);
                    class_cols.entry((k, side(k, w))).or_default().push(j);
                }
                Col::ClassHub { k, h } if k < part.classes.len() && h < prox.hubs.len() => {
                    let s = usize::from(hub_team(h) != Some(part.classes[k].team));
                    class_cols.entry((k, s)).or_default().push(j);
                }
                Col::ClassMarket { k, .. } if k < part.classes.len() => {
                    class_cols.entry((k, 1)).or_default().push(j);
                }
                Col::HubWorker { h, w } if h < prox.hubs.len() => {
                    cols.entry(key(w, prox.hubs[h].weight)).or_default().push(j);
                }
                Col::Group { g, j: p } if g < part.groups.len() => {
                    let weight = part.groups[g].weight;
                    prox.obj[j] = if a.groups[g] == Some(p) { weight } else { -weight };
                }
                _ => {}
            }
        }
        let mut distances: Vec<(f64, f64, &Vec<usize>)> = Vec::new();
        for (k, js) in &cols {
            let weight = if grown.get(k.0).copied().unwrap_or(false) { 0.0 } else { k.1 as f64 / 1e6 };
            distances.push((held.get(k).copied().unwrap_or(0.0), weight, js));
        }
        for (k, js) in &class_cols {
            distances.push((sides.get(k).copied().unwrap_or(0.0), part.classes[k.0].weight, js));
        }
        for (c, weight, js) in distances {
            // t >= |sum - c|, its weight per case: the load moved.
            let t = prox.cols.len();
            prox.cols.push(Col::Over1 { w: 0 });
            prox.obj.push(-weight);
            prox.hi.push(f64::INFINITY);
            let mut up: Vec<(usize, f64)> = js.iter().map(|&j| (j, 1.0)).collect();
            let mut down: Vec<(usize, f64)> = js.iter().map(|&j| (j, -1.0)).collect();
            up.push((t, -1.0));
            down.push((t, -1.0));
            prox.rows.push(super::lp::Row { coefs: up, eq: false, rhs: c });
            prox.rows.push(super::lp::Row { coefs: down, eq: false, rhs: -c });
        }
        let per = self.effort.work_per_node.max(1);
        let effort = super::Effort {
            nodes: Some(allowance / per),
            root_pivots_per_row: 0,
            root_pivots_per_column: 0,
            ..self.effort
        };
        let mut budget = super::params::Budget::new(&effort);
        let meter = microlp::PivotMeter::new();
        // Its allowance bounds it; the deadline and Ctrl-C stop it too.
        let solved = super::lp::solve_within(&prox, &effort, &mut budget, &meter, limits);
        let work = budget.spent();
        let Ok(Some(relaxed)) = solved else { return (None, work) };
        let values = &relaxed.values;
        let tol = crate::tolerance::INTEGRAL;
        let mut free = vec![false; n];
        for (&(w, wt), js) in &cols {
            let sum: f64 = js.iter().map(|&j| values.get(j).copied().unwrap_or(0.0)).sum();
            let c = held.get(&(w, wt)).copied().unwrap_or(0.0);
            if (sum - c).abs() > tol {
                free[w] = true;
            }
        }
        for (&(k, sd), js) in &class_cols {
            let sum: f64 = js.iter().map(|&j| values.get(j).copied().unwrap_or(0.0)).sum();
            if (sum - sides.get(&(k, sd)).copied().unwrap_or(0.0)).abs() > tol {
                // The class's cases held on that side go free too; and where more of it is
                // held by its own team, the workers of its team holding other teams' cases of
                // its weight, which it would take the place of.
                let class = &part.classes[k];
                for (j, &c) in a.counts[k].iter().enumerate() {
                    if c > 0 && side(k, class.workers[j]) == sd {
                        free[class.workers[j]] = true;
                    }
                }
                if sd == 0 {
                    for (k2, other) in part.classes.iter().enumerate() {
                        if other.team == class.team || (other.weight - class.weight).abs() > crate::rules::EPS
                        {
                            continue;
                        }
                        for (j, &c) in a.counts[k2].iter().enumerate() {
                            let w = other.workers[j];
                            if c > 0 && part.workers[w].team == class.team {
                                free[w] = true;
                            }
                        }
                    }
                }
            }
        }
        for (j, col) in self.lp.cols.iter().enumerate() {
            if let Col::Group { g, j: p } = *col {
                let y = values.get(j).copied().unwrap_or(0.0);
                let at = if a.groups.get(g).copied().flatten() == Some(p) { 1.0 } else { 0.0 };
                if (y - at).abs() > tol {
                    if let Some(&w) = part.groups.get(g).and_then(|item| item.workers.get(p)) {
                        free[w] = true;
                    }
                }
            }
        }
        for (w, f) in free.iter_mut().enumerate() {
            *f |= grown.get(w).copied().unwrap_or(false);
        }
        let ws: Vec<usize> = (0..n).filter(|&w| free[w]).collect();
        (if ws.is_empty() { None } else { Some((ws, free)) }, work)
    }

    /// Searches the neighbourhoods (worker subsets, or team pairs) of the incumbent in rounds
    /// within `allowance`, each within `nodes` nodes (team pairs deeper once a round gains
    /// nothing, [`DEEPER`]), until the incumbent is proven against `bound`; returns the work
    /// spent.
    fn search_hoods(&mut self, limits: Limits, allowance: u64, kind: Kind, bound: f64, nodes: Nodes) -> u64 {
        let effort = self.effort;
        if allowance == 0 || self.best.is_none() {
            return 0;
        }
        let per = effort.work_per_node.max(1);
        // Pairs of teams are searched again within more nodes once a round gains nothing:
        // those whose search its node limit stopped, this many times the nodes each time.
        let mut deeper = 1u64;
        // The pairs searched without a gain whose node limit stopped their search, since last
        // searched.
        let mut capped: std::collections::BTreeSet<Vec<usize>> = Default::default();
        let sub_limits = |spent: u64, deeper: u64| {
            let n = match nodes {
                // A deeper search never reaches past the allowance by more than a usual one.
                Nodes::Each(n) => n.saturating_mul(deeper).min(allowance.saturating_sub(spent) / per).max(n),
                Nodes::Within(n) => n.min(allowance.saturating_sub(spent) / per).max(1),
            };
            within(limits, n)
        };
        let (start, mut spent, mut searched) = (self.best_value, 0u64, 0usize);
        // Whether the neighbourhoods' own searches dive at their roots: a property of the part.
        let dive = super::dive::dives(self.part);
        // Neighbourhoods searched without a gain since the last gain that touched any of their
        // teams (or workers): the same search again would find nothing new, all but for the
        // unplaced items.
        let mut settled: std::collections::BTreeSet<Vec<usize>> = Default::default();
        // The workers a proximity neighbourhood searched without a gain: the next one frees
        // them again, at no distance, with the workers its own solution moves.
        let mut grown = vec![false; self.part.workers.len()];
        let mut steps = 1.0;
        'rounds: loop {
            let mut gained = false;
            // The nearest better allocation's workers, found afresh for each incumbent (not
            // once the run, or this polish, is stopped: its programme is not).
            let near = match (kind, self.best.clone()) {
                (Kind::Chains, Some(a)) if !limits.stopped() => {
                    let (hood, work) =
                        self.proximity(&a, allowance.saturating_sub(spent), &grown, steps, &limits);
                    limits.trace(|| {
                        let freed = hood.as_ref().map_or(0, |h| h.0.len());
                        format!("    proximity: {freed} workers freed, work {work}")
                    });
                    spent = spent.saturating_add(work);
                    self.budget.charge(work);
                    hood
                }
                _ => None,
            };
            let Some(a) = self.best.as_ref() else { break };
            // Each search costs at least a node's work, so what is left of the allowance never
            // reaches past this many (the settled ones are skipped without cost).
            let searches = (allowance.saturating_sub(spent) / effort.work_per_node.max(1)).saturating_add(1);
            let most = usize::try_from(searches).unwrap_or(usize::MAX).saturating_add(settled.len());
            let mut list: Vec<(Vec<usize>, Spec)> = match kind {
                Kind::Subsets(size) => subsets(self.part, a, size, most),
                Kind::Pairs => hoods(self.part, a),
                Kind::Chains => near.into_iter().collect(),
            }
            .into_iter()
            .map(|(k, f)| (k, Spec::Workers(f)))
            .collect();
            // The guided ones first, named by every team (and their own mark past the teams):
            // any gain may change them.
            if kind == Kind::Pairs {
                let guides = [self.hoods.master.is_some(), self.hoods.relaxed.is_some()];
                for (i, master) in [true, false].into_iter().enumerate().filter(|&(i, _)| guides[i]).rev() {
                    let mut key = self.part.teams();
                    key.push(usize::MAX - i);
                    list.insert(0, (key, Spec::Guided(master)));
                }
            }
            let mut taken = vec![false; list.len()];
            for (i, (key, free)) in list.iter().enumerate() {
                if spent >= allowance || limits.stopped() || self.prunable(bound) {
                    break 'rounds;
                }
                if taken[i] || settled.contains(key) {
                    continue;
                }
                let Some(a) = self.best.clone() else { break 'rounds };
                // Pairs of teams are searched two at a time, side by side: this one and the
                // next one after it, not yet searched, with neither of its teams.
                let beside = match free {
                    Spec::Workers(_) if kind == Kind::Pairs => {
                        (i + 1..list.len()).take(BESIDE_AHEAD).find(|&j| {
                            !taken[j]
                                && matches!(list[j].1, Spec::Workers(_))
                                && !settled.contains(&list[j].0)
                                && !list[j].0.iter().any(|t| key.contains(t))
                        })
                    }
                    _ => None,
                };
                if let (Some(j), Spec::Workers(f1)) = (beside, free) {
                    let Spec::Workers(f2) = &list[j].1 else { continue };
                    taken[j] = true;
                    let freed = [Freed::workers(self.part, f1), Freed::workers(self.part, f2)];
                    let before = self.best_value;
                    let results =
                        self.search_freed_apart(&a, [&freed[0], &freed[1]], dive, sub_limits(spent, deeper));
                    for (outcome, k) in results.into_iter().zip([key, &list[j].0]) {
                        let Some(o) = outcome else { continue };
                        spent = spent.saturating_add(o.work);
                        searched += 1;
                        settle(&mut settled, k, o.better);
                        mark_capped(&mut capped, k, o);
                    }
                    if self.best_value > before {
                        gained = true;
                        limits.trace(|| {
                            format!(
                                "    neighbourhood: {before:.4} -> {:.4} ({key:?}, {:?})",
                                self.best_value, list[j].0
                            )
                        });
                    }
                    continue;
                }
                let freed = match free {
                    Spec::Workers(free) => Freed::workers(self.part, free),
                    Spec::Guided(master) => {
                        let guide =
                            if *master { self.hoods.master.as_ref() } else { self.hoods.relaxed.as_ref() };
                        let Some(f) = guide.and_then(|g| guided(self.part, &a, g)) else { continue };
                        f
                    }
                };
                let before = self.best_value;
                let Some(o) = self.search_freed(&a, &freed, dive, sub_limits(spent, deeper)) else {
                    continue;
                };
                spent = spent.saturating_add(o.work);
                searched += 1;
                settle(&mut settled, key, o.better);
                if kind == Kind::Pairs && matches!(free, Spec::Workers(_)) {
                    mark_capped(&mut capped, key, o);
                }
                if o.better {
                    gained = true;
                    limits.trace(|| {
                        let name = match free {
                            Spec::Workers(_) => format!("{key:?}"),
                            Spec::Guided(true) => "guided by the master".to_string(),
                            Spec::Guided(false) => "guided by the relaxation".to_string(),
                        };
                        format!("    neighbourhood: {before:.4} -> {:.4} ({name})", self.best_value)
                    });
                }
            }
            if kind == Kind::Chains {
                // A search without a gain grows the next one, while it frees at most half the
                // part: beyond that the team pairs' searches are the smaller ones.
                if gained {
                    grown.iter_mut().for_each(|g| *g = false);
                    steps = 1.0;
                    continue;
                }
                steps += 1.0;
                let Some((ws, free)) = list.first().and_then(|(k, f)| match f {
                    Spec::Workers(f) => Some((k, f)),
                    Spec::Guided(_) => None,
                }) else {
                    break;
                };
                if 2 * ws.len() > self.part.workers.len() {
                    break;
                }
                grown.clone_from(free);
                continue;
            }
            if gained {
                // The pairs a gain unsettled are searched within the usual nodes first.
                deeper = 1;
                continue;
            }
            // A round without a gain: the pairs whose node limit stopped them, again within
            // more nodes, while within `hood_deepest` times the usual.
            let next = deeper.checked_mul(DEEPER).filter(|&d| d <= effort.hood_deepest);
            let Some(next) = next.filter(|_| kind == Kind::Pairs && !capped.is_empty()) else { break };
            deeper = next;
            for k in &capped {
                settled.remove(k);
            }
            limits.trace(|| format!("    {} team pairs again within {deeper} times the nodes", capped.len()));
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
        small_district(seed, 4)
    }

    /// A small cross-team district of `teams` teams (90 cases, 10 workers), type weights,
    /// sibling groups.
    fn small_district(seed: u64, teams: usize) -> (Model, crate::formulate::Problem) {
        district_of(seed, teams, 90, 10)
    }

    /// A cross-team district of `teams` teams, `cases` cases and `workers` workers, type
    /// weights, sibling groups.
    fn district_of(
        seed: u64,
        teams: usize,
        cases: usize,
        workers: usize,
    ) -> (Model, crate::formulate::Problem) {
        let options = GenerateOptions {
            cases,
            workers,
            teams,
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
        freed_restriction_is_exact(m, part, a, &Freed::workers(part, free), seed)
    }

    /// [`restriction_is_exact`] for any [`Freed`].
    fn freed_restriction_is_exact(m: &Model, part: &Part, a: &PartAlloc, f: &Freed, seed: u64) -> bool {
        let Some(r) = restrict_freed(part, a, f) else { return false };
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
        let effort = Effort { hood_work: 0, chain_work: 0, ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
        s.offer(a.clone());
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!((s.best, s.budget.spent()), (Some(a), 0));
    }

    /// An exact search of a few workers (the dive's completion) never spends past what the
    /// part's budget has left by more than the node that builds its root, nothing when not a
    /// node's work is left, and keeps the incumbent at least as good.
    #[test]
    fn a_search_of_a_few_workers_stays_within_the_budget_left() {
        let effort = Effort { nodes: Some(5_000), ..Effort::DEFAULT };
        let per = effort.work_per_node;
        let (mut searched, mut capped) = (0, 0);
        for seed in 1..6 {
            let (m, problem) = team(seed);
            let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
            let a = start(&m, part, seed);
            let free: Vec<bool> = (0..part.workers.len()).map(|w| w < 3).collect();
            for left_nodes in [0, 1, 5, 1_000_000] {
                let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                s.offer(a.clone());
                let before = s.best_value;
                let all = s.budget.left();
                s.budget.charge(all.saturating_sub(left_nodes * per));
                let left = s.budget.left();
                let work = s.search_workers(&a, &free, Limits::default());
                assert!(work <= left + per, "seed {seed}: {work} spent of {left} left");
                assert!(left_nodes > 0 || work == 0, "seed {seed}: spent {work} with nothing left");
                assert!(s.best_value >= before, "seed {seed}");
                searched += usize::from(work > 0);
                capped += usize::from(work > 0 && left_nodes <= 5);
            }
        }
        assert!(searched > 5 && capped > 2, "{searched} searched, {capped} under a small budget");
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
        s.early_neighbourhoods(f64::INFINITY, u64::MAX, 0, Limits::default());
        assert_eq!((s.best.as_ref(), s.budget.spent()), (Some(&a), 0));
        // With room: they search, charge the budget, and not again for the same incumbent.
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
        s.offer(a.clone());
        s.early_neighbourhoods(f64::INFINITY, u64::MAX, 0, Limits::default());
        let spent = s.budget.spent();
        assert!(spent > 0 && s.hoods.spent == spent);
        s.early_neighbourhoods(f64::INFINITY, u64::MAX, 0, Limits::default());
        assert_eq!(s.budget.spent(), spent, "searched again for the same incumbent");
        // An incumbent at the bound, or within the gap the tree closes itself: none.
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
        s.offer(a.clone());
        let at = s.best_value;
        s.early_neighbourhoods(at, u64::MAX, 0, Limits::default());
        let near = at + 0.5 * Effort::DEFAULT.subset_gap * at.abs();
        s.early_neighbourhoods(near, u64::MAX, 0, Limits::default());
        assert_eq!(s.budget.spent(), 0);
        let far = at + 2.0 * Effort::DEFAULT.subset_gap * at.abs();
        s.early_neighbourhoods(far, u64::MAX, 0, Limits::default());
        assert!(s.budget.spent() > 0, "a gap of twice the share searched nothing");
        // A call whose reserve (the root's dive) leaves it nothing spends nothing and leaves
        // the incumbent new: the next call searches from it.
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
        s.offer(a.clone());
        s.early_neighbourhoods(f64::INFINITY, u64::MAX, u64::MAX, Limits::default());
        assert_eq!(s.budget.spent(), 0);
        s.early_neighbourhoods(f64::INFINITY, u64::MAX, 0, Limits::default());
        assert!(s.budget.spent() > 0, "the incumbent was marked searched by a call that searched nothing");
        // No allowance: none.
        let none = Effort { subset_work: 0, ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), none);
        s.offer(a);
        s.early_neighbourhoods(f64::INFINITY, u64::MAX, 0, Limits::default());
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!(s.budget.spent(), 0);
    }

    /// Some positions of `a`'s part freed at random (about one in `one_in`), and the workers
    /// they are at.
    fn random_freed(part: &Part, seed: u64, one_in: usize) -> Freed {
        let mut rng = crate::util::SplitMix64::new(seed);
        let mut workers = vec![false; part.workers.len()];
        let mut pick = |ws: &[usize]| -> Vec<bool> {
            ws.iter()
                .map(|&w| {
                    let free = rng.below(one_in) == 0;
                    workers[w] |= free;
                    free
                })
                .collect()
        };
        let classes = part.classes.iter().map(|c| pick(&c.workers)).collect();
        let groups = part.groups.iter().map(|g| pick(&g.workers)).collect();
        Freed { workers, classes, groups }
    }

    #[test]
    fn a_restriction_that_fixes_some_items_at_a_free_worker_is_exact_and_merges_back_lawfully() {
        let mut checked = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let a = start(&m, part, seed);
                for one_in in [2, 3, 5] {
                    let f = random_freed(part, seed * 7 + one_in as u64, one_in);
                    checked += usize::from(freed_restriction_is_exact(&m, part, &a, &f, seed));
                }
            }
        }
        assert!(checked > 10, "only {checked} restrictions checked");
    }

    /// The incumbent itself as a guide.
    fn guide_of(part: &Part, a: &PartAlloc) -> Guide {
        Guide {
            x: a.counts.iter().map(|c| c.iter().map(|&n| f64::from(n)).collect()).collect(),
            y: part
                .groups
                .iter()
                .enumerate()
                .map(|(g, item)| {
                    (0..item.workers.len()).map(|j| f64::from(u8::from(a.groups[g] == Some(j)))).collect()
                })
                .collect(),
        }
    }

    #[test]
    fn a_guide_frees_exactly_the_positions_where_it_disagrees_with_the_incumbent() {
        let (m, problem) = district(2);
        let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
        let a = start(&m, part, 2);
        let mut guide = guide_of(part, &a);
        assert!(guided(part, &a, &guide).is_none(), "an agreeing guide freed something");
        let (k, j) = (0, part.classes[0].workers.len() - 1);
        guide.x[k][j] += 0.5;
        let g = part.groups.iter().position(|item| item.workers.len() > 1).expect("a group with a choice");
        let q = (a.groups[g].map_or(0, |p| p + 1)) % part.groups[g].workers.len();
        guide.y[g][q] = 0.5;
        let f = guided(part, &a, &guide).expect("a disagreeing guide frees");
        let freed: Vec<(usize, usize)> = (0..part.classes.len())
            .flat_map(|k| (0..part.classes[k].workers.len()).map(move |j| (k, j)))
            .filter(|&(k, j)| f.classes[k][j])
            .collect();
        assert_eq!(freed, vec![(k, j)]);
        let gfreed: Vec<(usize, usize)> = (0..part.groups.len())
            .flat_map(|g| (0..part.groups[g].workers.len()).map(move |j| (g, j)))
            .filter(|&(g, j)| f.groups[g][j])
            .collect();
        assert_eq!(gfreed, vec![(g, q)]);
        let mut workers = vec![part.classes[k].workers[j], part.groups[g].workers[q]];
        workers.sort_unstable();
        workers.dedup();
        let marked: Vec<usize> = (0..part.workers.len()).filter(|&w| f.workers[w]).collect();
        assert_eq!(marked, workers);
    }

    /// The part's compact relaxation, solved.
    fn relaxed(m: &Model, part: &Part) -> (lp::Lp, Vec<f64>) {
        let program = lp::build(m, part);
        let effort = Effort::DEFAULT;
        let mut budget = super::super::params::Budget::new(&effort);
        let meter = microlp::PivotMeter::new();
        let r = lp::solve_within(&program, &effort, &mut budget, &meter, &Default::default())
            .unwrap()
            .expect("solved");
        (program, r.values)
    }

    #[test]
    fn the_relaxed_guide_gives_each_class_and_group_what_the_relaxation_gives_it() {
        for seed in 0..4 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let (program, values) = relaxed(&m, part);
                let guide = relaxed_guide(&program, part, &values);
                let mut sent = vec![0.0; part.classes.len()];
                let mut shares: Vec<Vec<f64>> =
                    part.groups.iter().map(|g| vec![0.0; g.workers.len()]).collect();
                for (col, &v) in program.cols.iter().zip(&values) {
                    match *col {
                        Col::Keep { k, .. }
                        | Col::Return { k, .. }
                        | Col::ClassHub { k, .. }
                        | Col::ClassMarket { k, .. } => sent[k] += v,
                        Col::Group { g, j } => shares[g][j] += v,
                        _ => {}
                    }
                }
                for (k, xs) in guide.x.iter().enumerate() {
                    assert!(xs.iter().all(|&x| x >= 0.0));
                    let got: f64 = xs.iter().sum();
                    assert!((got - sent[k]).abs() < 1e-6, "seed {seed} class {k}: {got} against {}", sent[k]);
                }
                for (g, ys) in guide.y.iter().enumerate() {
                    for (j, &y) in ys.iter().enumerate() {
                        let want = if shares[g][j] > crate::tolerance::INTEGRAL { shares[g][j] } else { 0.0 };
                        assert!((y - want).abs() < 1e-9, "seed {seed} group {g}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_guided_neighbourhood_never_lowers_the_value_nor_breaks_a_row_and_repeats_exactly() {
        let mut gained = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let (program, values) = relaxed(&m, part);
                let guide = relaxed_guide(&program, part, &values);
                let a = start(&m, part, seed);
                let before = value(&m, part, &a);
                let run = || {
                    let f = guided(part, &a, &guide)?;
                    let limits = Limits { node_limit: Some(Effort::DEFAULT.hood_nodes), ..Limits::default() };
                    let (r, sub) = search_from(&m, part, &a, &f, true, limits)?;
                    assert!(sub.work > 0);
                    Some(r.merge(&a, &sub.best))
                };
                let Some(b) = run() else { continue };
                assert!(feasible(part, &b), "seed {seed}: an unlawful answer");
                let after = value(&m, part, &b);
                assert!(after >= before - 1e-9, "seed {seed}: {before} fell to {after}");
                assert_eq!(run(), Some(b), "seed {seed}: a second run differs");
                gained += u32::from(after > before + 1e-9);
            }
        }
        assert!(gained > 0, "no guided neighbourhood ever improved a greedy start");
    }

    /// The root's guided neighbourhood: searched once from the guide the root kept, within its
    /// nodes and the part's budget; it never lowers the value nor breaks a row, repeats
    /// exactly, gains on some districts, and searches nothing in a part of one or two teams,
    /// inside a neighbourhood (no neighbourhood work), with no nodes, no guide or too little
    /// budget.
    #[test]
    fn the_root_s_guided_neighbourhood_keeps_to_its_nodes_never_lowers_and_repeats() {
        let run = |m: &Model, part: &Part, a: &PartAlloc, effort: Effort, guide: bool| {
            let mut s = PartSearch::new(m, part, lp::build(m, part), effort);
            s.offer(a.clone());
            if guide {
                let (program, values) = relaxed(m, part);
                s.hoods.master = Some(relaxed_guide(&program, part, &values));
            }
            s.root_guided(f64::INFINITY, Limits::default());
            (s.best.clone(), s.best_value, s.budget.spent())
        };
        let mut gained = 0;
        for seed in 0..6 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network() && p.teams().len() >= 3) {
                let a = start(&m, part, seed);
                let before = value(&m, part, &a);
                let (best, after, spent) = run(&m, part, &a, Effort::DEFAULT, true);
                let best = best.expect("an incumbent");
                assert!(feasible(part, &best), "seed {seed}: an unlawful answer");
                assert!(after >= before - 1e-9, "seed {seed}: {before} fell to {after}");
                assert!((value(&m, part, &best) - after).abs() < 1e-6, "seed {seed}: valued otherwise");
                // Its nodes, its root's relaxation (charged by pivots) and the node building it.
                let most = (Effort::DEFAULT.root_guide_nodes + 1) * Effort::DEFAULT.work_per_node;
                assert!(spent > 0 && spent <= most, "seed {seed}: spent {spent} of at most {most}");
                assert_eq!(
                    run(&m, part, &a, Effort::DEFAULT, true),
                    (Some(best), after, spent),
                    "seed {seed}"
                );
                gained += u32::from(after > before + 1e-9);
                // None without a guide, nodes, neighbourhood work or the budget for its nodes.
                let short = Effort::DEFAULT.root_guide_nodes * Effort::DEFAULT.work_per_node - 1;
                for (effort, guide) in [
                    (Effort::DEFAULT, false),
                    (Effort { root_guide_nodes: 0, ..Effort::DEFAULT }, true),
                    (Effort { hood_work: 0, ..Effort::DEFAULT }, true),
                    (Effort { nodes: Some(short / Effort::DEFAULT.work_per_node), ..Effort::DEFAULT }, true),
                ] {
                    assert_eq!(run(&m, part, &a, effort, guide), (Some(a.clone()), before, 0), "seed {seed}");
                }
            }
        }
        assert!(gained > 0, "the root's guided neighbourhood never improved a greedy start");
        // A part of two teams: none.
        let (m, problem) = small_district(1, 2);
        for part in problem.parts.iter().filter(|p| !p.is_network()) {
            let a = start(&m, part, 1);
            let (_, _, spent) = run(&m, part, &a, Effort::DEFAULT, true);
            assert_eq!(spent, 0, "a part of two teams searched");
        }
    }

    #[test]
    fn team_pairs_searched_side_by_side_give_the_same_allocation_on_one_thread_as_on_two() {
        // Pairs of teams are searched two at a time from the same incumbent, and what they
        // find is offered in order: the thread that finishes first must change nothing.
        for seed in [1, 3] {
            let (m, problem) = district(seed);
            let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
                pool.install(|| {
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
                    s.offer(start(&m, part, seed));
                    let before = s.best_value;
                    s.neighbourhoods(f64::INFINITY, Limits::default());
                    let best = s.best.clone().expect("an incumbent");
                    assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
                    assert!(s.best_value >= before, "seed {seed}: {before} fell to {}", s.best_value);
                    (best, s.budget.spent())
                })
            };
            assert_eq!(run(1), run(2), "seed {seed}: one thread and two differ");
        }
    }

    #[test]
    fn team_pairs_their_node_limit_stopped_are_searched_deeper_once_a_round_gains_nothing() {
        // Without chains after them, the pairs' phase that may search deeper is the one that may
        // not until the latter's first round without a gain, where the latter stops: it ends at
        // least as high, and higher where a pair's node limit hid a gain. However deep, it stays
        // within its allowance but for the last two searches of usual size and their polish.
        // A short polish after each search, so that the allowance is mostly nodes.
        const POLISH: u64 = 100_000;
        let (mut higher, mut deepened, mut bound) = (0, 0, 0);
        for seed in 0..40 {
            let (m, problem) = district_of(seed, 4, 240, 26);
            for part in problem.parts.iter().filter(|p| !p.is_network() && p.teams().len() >= 3) {
                let run = |hood_deepest: u64, hood_work: u64| {
                    let effort = Effort {
                        hood_nodes: 1,
                        chain_work: 0,
                        polish_moves: POLISH,
                        hood_deepest,
                        hood_work,
                        ..Effort::DEFAULT
                    };
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                    s.offer(start(&m, part, seed));
                    s.neighbourhoods(f64::INFINITY, Limits::default());
                    let best = s.best.clone().expect("an incumbent");
                    assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
                    let allowance = hood_work * part.teams().len() as u64;
                    let over = 2 * (2 * effort.work_per_node + effort.polish_moves);
                    assert!(s.budget.spent() <= allowance + over, "seed {seed}: {} spent", s.budget.spent());
                    (s.best_value, best, s.budget.spent())
                };
                let wide = Effort::DEFAULT.hood_work;
                let (shallow, deep) = (run(1, wide), run(16, wide));
                assert!(deep.0 >= shallow.0, "seed {seed}: {} fell to {}", shallow.0, deep.0);
                assert_eq!(run(16, wide), deep, "seed {seed}: a second run differs");
                deepened += u32::from(deep.2 > shallow.2);
                higher += u32::from(deep.0 > shallow.0 + 1e-9);
                // An allowance the deeper searches would pass (what the usual ones spent and six
                // nodes more): the run asserts they keep within it.
                let teams = part.teams().len() as u64;
                let narrow = (shallow.2 + 6 * Effort::DEFAULT.work_per_node).div_ceil(teams);
                let over = 2 * (2 * Effort::DEFAULT.work_per_node + POLISH);
                run(16, narrow);
                bound += u32::from(deep.2 > narrow * teams + over);
            }
        }
        assert!(deepened > 0, "no team pair was ever searched deeper");
        assert!(higher > 0, "searching deeper never found more");
        assert!(bound > 0, "the allowance never bound the deeper searches");
    }

    #[test]
    fn team_pairs_with_a_guide_keep_to_the_allowance_and_repeat_exactly() {
        let (m, problem) = district(3);
        let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
        let run = |guided: bool| {
            let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
            if guided {
                let (_, values) = relaxed(&m, part);
                s.keep_relaxed(&values);
                assert!(s.hoods.relaxed.is_some(), "a part of {} teams keeps no guide", part.teams().len());
            }
            s.offer(start(&m, part, 3));
            let before = s.best_value;
            s.neighbourhoods(f64::INFINITY, Limits::default());
            let best = s.best.clone().expect("an incumbent");
            assert!(feasible(part, &best) && s.best_value >= before);
            (s.best_value, best, s.budget.spent())
        };
        let (v, best, spent) = run(true);
        assert!(
            spent > 0
                && spent
                    <= Effort::DEFAULT.hood_work * part.teams().len() as u64
                        + Effort::DEFAULT.chain_work
                        + 400 * Effort::DEFAULT.work_per_node
        );
        assert_eq!(run(true).1, best, "a second run differs");
        // With no allowance, nothing is searched, guided or not.
        let none = Effort { hood_work: 0, chain_work: 0, ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, part, lp::build(&m, part), none);
        let (_, values) = relaxed(&m, part);
        s.keep_relaxed(&values);
        s.offer(start(&m, part, 3));
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!(s.budget.spent(), 0);
        // Unguided, the team pairs alone: lawful too.
        assert!(run(false).0.is_finite() && v.is_finite());
    }

    /// Three full workers of teams 0, 1 and 2, each holding one case of the next team: the
    /// cycle that sends all three home gains three cross-team penalties; a pair of teams
    /// sends only one home.
    fn cycle() -> (Model, Part, PartAlloc) {
        let json = r#"{"version": 1, "policy": {"cross_team_penalty": 3, "overload_penalty": 0,
            "fairness_penalty": 0}, "workers": [{"id": "W0", "role": "social_worker", "team": "N"}],
            "cases": [{"id": "C0", "type": "child_in_need", "team": "N"}]}"#;
        let m = crate::load_model_bytes("m.json", json.as_bytes()).unwrap();
        let room = |team| PartWorker {
            worker: 0,
            cap: 1.0,
            target: 1.0,
            team,
            overseer: None,
            fixed: 0.0,
            goal: 1.0,
        };
        let class = |team| Class {
            cases: vec![team],
            weight: 1.0,
            priority: 10.0,
            team,
            workers: vec![0, 1, 2],
            current: Vec::new(),
            previous: Vec::new(),
        };
        let part = Part {
            workers: vec![room(0), room(1), room(2)],
            overseers: Vec::new(),
            classes: vec![class(0), class(1), class(2)],
            groups: Vec::new(),
            unit: Some(1.0),
        };
        // Class 0 at worker 2, class 1 at worker 0, class 2 at worker 1.
        let a = PartAlloc { counts: vec![vec![0, 0, 1], vec![1, 0, 0], vec![0, 1, 0]], groups: Vec::new() };
        (m, part, a)
    }

    #[test]
    fn the_nearest_better_allocation_closes_a_planted_cycle_across_three_teams() {
        let (m, part, a) = cycle();
        let run = || {
            let effort = Effort { hood_work: 0, ..Effort::DEFAULT };
            let mut s = PartSearch::new(&m, &part, lp::build(&m, &part), effort);
            s.offer(a.clone());
            let before = s.best_value;
            s.neighbourhoods(f64::INFINITY, Limits::default());
            (before, s.best_value, s.best.clone(), s.budget.spent())
        };
        let (before, after, best, spent) = run();
        let best = best.expect("an incumbent");
        assert!((before - 21.0).abs() < 1e-9, "the planted start is worth {before}");
        assert_eq!(best.counts, vec![vec![1, 0, 0], vec![0, 1, 0], vec![0, 0, 1]]);
        assert!(feasible(&part, &best) && (value(&m, &part, &best) - after).abs() < 1e-9);
        assert!((after - 30.0).abs() < 1e-9 && spent > 0);
        assert_eq!(run().2, Some(best), "a second run differs");
        // With no allowance for them, the chains search nothing.
        let none = Effort { hood_work: 0, chain_work: 0, ..Effort::DEFAULT };
        let mut s = PartSearch::new(&m, &part, lp::build(&m, &part), none);
        s.offer(a.clone());
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!((s.best, s.budget.spent()), (Some(a), 0));
    }

    #[test]
    fn the_nearest_better_allocations_never_lower_the_value_nor_break_a_row_and_repeat() {
        let mut gained = 0;
        for seed in 0..4 {
            let (m, problem) = district(seed);
            for part in problem.parts.iter().filter(|p| !p.is_network() && p.teams().len() >= 3) {
                let run = || {
                    let effort = Effort { hood_work: 0, ..Effort::DEFAULT };
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                    s.offer(start(&m, part, seed));
                    let before = s.best_value;
                    s.neighbourhoods(f64::INFINITY, Limits::default());
                    (before, s.best_value, s.best.clone())
                };
                let (before, after, best) = run();
                let best = best.expect("an incumbent");
                assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
                assert!((value(&m, part, &best) - after).abs() < 1e-9);
                assert!(after >= before, "seed {seed}: {before} fell to {after}");
                assert_eq!(run().2, Some(best), "seed {seed}: a second run differs");
                gained += u32::from(after > before);
            }
        }
        assert!(gained > 0, "no nearest better allocation ever improved a greedy start");
    }

    /// A small cross-team district of two teams: type weights, sibling groups.
    fn two_teams(seed: u64) -> (Model, crate::formulate::Problem) {
        small_district(seed, 2)
    }

    /// The parts of a two-team district that search as cross-team parts of two teams.
    fn crossing(problem: &crate::formulate::Problem) -> Vec<&Part> {
        problem.parts.iter().filter(|p| !p.is_network() && crosses(p) && p.teams().len() == 2).collect()
    }

    #[test]
    fn only_a_part_whose_classes_may_go_to_another_team_crosses() {
        for seed in 0..3 {
            let (_, problem) = two_teams(seed);
            assert!(!crossing(&problem).is_empty(), "seed {seed}: no cross-team part of two teams");
            let (_, problem) = team(seed);
            assert!(problem.parts.iter().all(|p| !crosses(p)), "seed {seed}: a one-team part crosses");
        }
        // The same part with every worker in its class's team crosses no more.
        let (_, problem) = two_teams(1);
        let mut part = crossing(&problem)[0].clone();
        for r in &mut part.workers {
            r.team = 0;
        }
        for c in &mut part.classes {
            c.team = 0;
        }
        assert!(!crosses(&part));
    }

    #[test]
    fn a_two_team_part_s_wider_subsets_and_nearest_better_workers_restrict_exactly() {
        let (mut wide, mut near) = (0, 0);
        for seed in 0..4 {
            let (m, problem) = two_teams(seed);
            for part in crossing(&problem) {
                let a = start(&m, part, seed);
                for (_, free) in subsets(part, &a, Effort::DEFAULT.subset_size + WIDER, 40) {
                    wide += usize::from(restriction_is_exact(&m, part, &a, &free, seed));
                }
                let mut s = PartSearch::new(&m, part, lp::build(&m, part), Effort::DEFAULT);
                s.offer(a.clone());
                let (hood, work) = s.proximity(
                    &a,
                    Effort::DEFAULT.chain_work,
                    &vec![false; part.workers.len()],
                    1.0,
                    &Limits::default(),
                );
                assert!(work > 0, "seed {seed}: the programme was not charged");
                if let Some((ws, free)) = hood {
                    assert!(ws.iter().all(|&w| free[w]) && free.iter().filter(|&&f| f).count() == ws.len());
                    near += usize::from(restriction_is_exact(&m, part, &a, &free, seed));
                }
            }
        }
        assert!(wide > 10 && near > 0, "{wide} wider subsets and {near} nearest better sets checked");
    }

    #[test]
    fn a_two_team_cross_part_s_polish_never_lowers_the_value_keeps_to_its_allowance_and_repeats() {
        let mut gained = 0;
        for seed in 0..6 {
            let (m, problem) = two_teams(seed);
            for part in crossing(&problem) {
                let run = |effort: Effort| {
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                    s.offer(start(&m, part, seed));
                    let before = s.best_value;
                    s.neighbourhoods(f64::INFINITY, Limits::default());
                    (before, s.best_value, s.best.clone(), s.budget.spent())
                };
                // The nearest better allocations alone: no allowance for the subsets.
                let effort = Effort { subset_work: 0, ..Effort::DEFAULT };
                let (before, after, best, spent) = run(effort);
                let best = best.expect("an incumbent");
                assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
                assert!((value(&m, part, &best) - after).abs() < 1e-9);
                assert!(after >= before, "seed {seed}: {before} fell to {after}");
                // Each search within what is left of the allowance: past it by one search's
                // root and polish at most, never by a whole search of NEAR_NODES x hood_nodes.
                let most = Effort::DEFAULT.chain_work
                    + 2 * Effort::DEFAULT.work_per_node
                    + Effort::DEFAULT.polish_moves;
                assert!(spent > 0 && spent <= most, "seed {seed}: {spent} spent");
                assert_eq!(run(effort).2, Some(best), "seed {seed}: a second run differs");
                gained += u32::from(after > before);
                // Everything, twice over.
                let (before, after, best, _) = run(Effort::DEFAULT);
                let best = best.expect("an incumbent");
                assert!(feasible(part, &best) && after >= before, "seed {seed}");
                assert_eq!(run(Effort::DEFAULT).2, Some(best), "seed {seed}: a second run differs");
            }
        }
        assert!(gained > 0, "no nearest better allocation ever improved a greedy start of two teams");
        // A one-team part with no allowance for its subsets searches nothing.
        let (m, problem) = team(1);
        let part = problem.parts.iter().find(|p| !p.is_network()).expect("an integer part");
        let mut s =
            PartSearch::new(&m, part, lp::build(&m, part), Effort { subset_work: 0, ..Effort::DEFAULT });
        s.offer(start(&m, part, 1));
        s.neighbourhoods(f64::INFINITY, Limits::default());
        assert_eq!(s.budget.spent(), 0);
    }

    /// The tree of `part` within `nodes` nodes as the command runs it (its budget follows its
    /// progress), on a pool of `threads`: (proven, bound left, incumbent, its value, the
    /// trace's lines).
    fn tree_on(
        m: &Model,
        part: &Part,
        nodes: u64,
        threads: usize,
    ) -> (bool, f64, PartAlloc, f64, Vec<String>) {
        use super::super::params::PROGRESS_SLICES;
        let lines = std::sync::Mutex::new(Vec::new());
        let see = |e: &super::super::Event| {
            if let super::super::Event::Trace(line) = e {
                lines.lock().unwrap().push(line.clone());
            }
        };
        let effort = Effort { nodes: Some(nodes), progress_slices: PROGRESS_SLICES, ..Effort::DEFAULT };
        let observer = Some(super::super::Observer(&see));
        let limits = Limits { node_limit: Some(nodes), trace: true, observer, ..Limits::default() };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
        let (done, bound, best, value) = pool.install(|| {
            let dual = super::super::lagrange::Decomposition::new(m, part, &effort);
            let mut s = PartSearch::new(m, part, lp::build(m, part), effort);
            let (done, bound) = super::super::tree::search(&dual, &mut s, 0, limits, f64::INFINITY, None);
            (done, bound, s.best.clone().expect("an incumbent"), s.best_value)
        });
        (done, bound, best, value, lines.into_inner().unwrap())
    }

    /// A large master's root price rounds run beside the part's compact relaxation
    /// (`start_part`), and the root takes them when they converged: the same rounds as the
    /// root's own from nothing, so the part's answer is the same as without them (on two
    /// threads against one, where the rounds run after the relaxation, and without them), and
    /// the root's node says the rounds it took.
    #[test]
    fn a_large_master_s_root_takes_the_rounds_run_beside_its_relaxation() {
        let mut taken = 0;
        // Districts of 1,000 cases and 80 posts in 5 teams have a large master whose rounds
        // converge within a quarter of a budget of 1,000 nodes.
        for seed in 1..=3 {
            let (m, problem) = district_of(seed, 5, 1000, 80);
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let run = |threads: usize, beside: bool| {
                    let lines = std::sync::Mutex::new(Vec::new());
                    let see = |e: &super::super::Event| {
                        if let super::super::Event::Trace(line) = e {
                            lines.lock().unwrap().push(line.clone());
                        }
                    };
                    let observer = Some(super::super::Observer(&see));
                    let limits =
                        Limits { node_limit: Some(1000), trace: true, observer, ..Limits::default() };
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
                    let out = pool.install(|| {
                        super::super::start_part(&m, part, limits, beside).map(|s| s.finish(0, limits))
                    });
                    let out = out.expect("a search");
                    (out.value, out.bound, out.alloc, lines.into_inner().unwrap())
                };
                let (value, bound, alloc, lines) = run(2, true);
                for (threads, beside) in [(1, true), (2, false)] {
                    let other = run(threads, beside);
                    let said = format!("seed {seed}, {threads} threads, beside {beside}");
                    assert_eq!((value, bound, &alloc), (other.0, other.1, &other.2), "{said}");
                }
                assert!(feasible(part, &alloc), "seed {seed}: an unlawful allocation");
                let Some(at) = lines.iter().position(|l| l.starts_with("root rounds beside")) else {
                    continue;
                };
                if !lines[at].contains("converged true") {
                    continue;
                }
                // "bound B, rounds R, work W" of the rounds beside, again at the root's node.
                let said = lines[at].split("bound ").nth(1).and_then(|t| t.split(", converged").next());
                let node = lines[at..].iter().find(|l| l.trim_start().starts_with("node 1:"));
                let took = node
                    .is_some_and(|l| said.is_some_and(|t| l.contains(&t[t.find(", rounds").unwrap_or(0)..])));
                assert!(took, "seed {seed}: the root did not take the rounds: {:?} then {node:?}", lines[at]);
                taken += 1;
            }
        }
        assert!(taken >= 1, "no large master's rounds beside its relaxation converged");
    }

    /// A district's tree stopped unproven goes on from where it stopped when the polish of its
    /// root's incumbent beside it found better: the same answer on one thread as on two,
    /// lawful, and consistent with a search of many more nodes (never above its proven
    /// optimum, a bound never below it); and some that went on end proven. Without going on
    /// none would say "the tree again", so the test fails on the search before it. The polish
    /// beside it stops at its first gain within reach of the tree's bound (the tree goes on
    /// with it at once): some runs must show it, still the same on one thread as on two.
    #[test]
    fn a_district_s_tree_goes_on_with_what_the_polish_beside_it_found() {
        let (mut again, mut proven_again, mut first_gain) = (0, 0, 0);
        for seed in 1..=60 {
            let (m, problem) = district_of(seed, 5, 240, 18);
            for part in problem.parts.iter().filter(|p| !p.is_network() && p.teams().len() >= 3) {
                let (done, bound, best, value, lines) = tree_on(&m, part, 12, 1);
                let two = tree_on(&m, part, 12, 2);
                assert_eq!((done, bound, &best, value), (two.0, two.1, &two.2, two.3), "seed {seed}");
                assert!(feasible(part, &best), "seed {seed}: an unlawful incumbent");
                let (exact, _, _, optimum, _) = tree_on(&m, part, 400, 2);
                let tol = 1e-6 * optimum.abs().max(1.0);
                if exact {
                    assert!(value <= optimum + tol, "seed {seed}: {value} above the optimum {optimum}");
                    assert!(done || bound >= optimum - tol, "seed {seed}: bound {bound} below {optimum}");
                    assert!(
                        !done || (value - optimum).abs() <= tol,
                        "seed {seed}: {value} proven, not {optimum}"
                    );
                }
                if lines.iter().any(|l| l.contains("the tree again")) {
                    again += 1;
                    proven_again += usize::from(done);
                }
                first_gain += usize::from(lines.iter().any(|l| l.contains("(its first gain)")));
            }
        }
        assert!(again >= 2 && proven_again >= 1, "went on in {again}, of them proven {proven_again}");
        assert!(first_gain >= 1, "no polish beside the tree stopped at its first gain");
    }
}
