//! Formulation: from a checked model and its eligibility to independent linear programmes.
//!
//! Three reductions keep the programme small without changing its optimum:
//! - **Classes.** Free single cases with the same profile (type, team, needs, exclude,
//!   no_agency), weight and priority are interchangeable but for their current worker. One integer count per
//!   (class, destination) replaces one binary per (case, worker). Keeping a child with today's
//!   worker is a separate *keep* arc, bounded by how many of the class that worker holds today.
//! - **Hubs.** Classes reach the workers of one team through a hub (the team's permitted
//!   workers for that profile and weight); the class-to-hub arc carries the class's value,
//!   less the cross-team penalty when the hub's team is not the case's. With cross-team
//!   allocation this is `classes x teams + hubs x workers` arcs instead of `classes x workers`.
//! - **Parts.** Workers joined by a shared case or a shared supervisor form a part; parts are
//!   independent programmes, solved in parallel.
//!
//! With one weight in a part and no sibling groups the programme is a network flow: its
//! constraint matrix is totally unimodular, caps are floored to whole cases, and the LP optimum
//! is already integral. Otherwise [`crate::solve`] runs a branch-and-bound over it.

use crate::model::{Model, Policy};
use crate::objective;
use crate::rules::{self, Eligibility, EPS};
use crate::util::UnionFind;
use std::collections::{BTreeMap, HashMap};

/// Interchangeable free cases.
#[derive(Clone, Debug)]
pub struct Class {
    /// Member cases, sorted.
    pub cases: Vec<usize>,
    /// Weight of each.
    pub weight: f64,
    /// Priority of each.
    pub priority: f64,
    /// Owning team.
    pub team: usize,
    /// Workers (local to the part) that may hold them and could ever fit one.
    pub workers: Vec<usize>,
    /// Today's workers among `workers` (local), with how many of the class each holds.
    pub current: Vec<(usize, usize)>,
    /// Workers among `workers` (local) who held every case of the class before, when the
    /// policy's return bonus is set (cases are merged only with the same previous workers).
    pub previous: Vec<usize>,
}

/// A sibling group: all its cases go to one worker or none do.
#[derive(Clone, Debug)]
pub struct GroupItem {
    /// Index into [`Model::groups`].
    pub group: usize,
    /// Member cases.
    pub cases: Vec<usize>,
    /// Total weight.
    pub weight: f64,
    /// Workers (local) permitted for every member and able to hold the whole group.
    pub workers: Vec<usize>,
    /// The group's objective value with each of those workers.
    pub value: Vec<f64>,
}

/// One worker of a part: its capacity left once fixed (pinned) cases are placed.
#[derive(Clone, Debug)]
pub struct PartWorker {
    /// Global worker index.
    pub worker: usize,
    /// Cap minus fixed load.
    pub cap: f64,
    /// Target minus fixed load (may be negative).
    pub target: f64,
    /// Team.
    pub team: usize,
    /// The supervisor row this worker's load counts in (index into [`Part::overseers`]).
    pub overseer: Option<usize>,
    /// Load of the fixed cases.
    pub fixed: f64,
    /// The worker's whole target (the fairness term is relative to it).
    pub goal: f64,
}

impl PartWorker {
    /// What the free load `load` costs this worker ([`objective::load_cost`] of its whole
    /// load), less the fairness cost of its fixed cases alone (the overload of fixed cases above
    /// target stays in, as the compact programme counts it).
    pub fn load_cost(&self, p: &Policy, load: f64) -> f64 {
        objective::load_cost(p, self.goal, self.fixed + load) - objective::fairness(p, self.goal, self.fixed)
    }
}

/// An independent piece of the problem.
#[derive(Clone, Debug)]
pub struct Part {
    /// The part's workers, by local index, each with its capacity left.
    pub workers: Vec<PartWorker>,
    /// Supervisors whose oversight binds in this part: (global worker, oversight room left).
    pub overseers: Vec<(usize, f64)>,
    /// Classes of single cases.
    pub classes: Vec<Class>,
    /// Sibling groups.
    pub groups: Vec<GroupItem>,
    /// The common unit of every weight in the part, when there is one (e.g. 0.5).
    pub unit: Option<f64>,
}

impl Part {
    /// The teams of its workers, each once, in order.
    pub fn teams(&self) -> Vec<usize> {
        let mut teams: Vec<usize> = self.workers.iter().map(|w| w.team).collect();
        teams.sort_unstable();
        teams.dedup();
        teams
    }

    /// True when the LP relaxation is integral (one weight, no sibling groups).
    pub fn is_network(&self) -> bool {
        if !self.groups.is_empty() {
            return false;
        }
        let mut w = self.classes.iter().map(|c| c.weight);
        match w.next() {
            Some(first) => w.all(|x| (x - first).abs() <= EPS),
            None => true,
        }
    }

    /// Objective value of one case of class `k` with local worker `w`, kept or not.
    pub fn unit_value(&self, m: &Model, k: usize, w: usize, kept: bool) -> f64 {
        let class = &self.classes[k];
        let mut v = class.priority;
        if self.workers[w].team != class.team {
            v -= m.policy.cross_team_penalty;
        }
        if kept {
            v += m.policy.move_penalty;
        }
        if class.previous.binary_search(&w).is_ok() {
            v += m.policy.return_bonus;
        }
        v
    }
}

/// The whole problem after pins: cases fixed in place, and independent parts.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Worker each case is fixed to (pinned cases and their siblings).
    pub fixed: Vec<Option<usize>>,
    /// Parts, in a deterministic order.
    pub parts: Vec<Part>,
    /// Each case's place in the waiting order (0 first), when the model records waiting (a
    /// case has `waiting_since`); see [`precedence`].
    pub precedence: Option<Vec<usize>>,
}

/// The order in which ties between equally good allocations are broken when the model records
/// waiting: the child who has waited longer first (an earlier `waiting_since`; a child with none
/// has waited 0 weeks, as one waiting since the model's day), then the child whom fewer workers
/// may hold (rules 1-6), then by id. Returns each case's place in that order, or `None` when no
/// case has `waiting_since` (ties are then broken as they always were, so a model without
/// waiting gives the same proposal as before).
pub fn precedence(m: &Model, el: &Eligibility) -> Option<Vec<usize>> {
    if m.cases.iter().all(|c| c.waiting_since.is_none()) {
        return None;
    }
    // Days since the epoch of the start of each wait, never after the model's day.
    let start = |c: usize| -> i64 {
        let day = m.date.map_or(i64::MAX, |d| d.days());
        m.cases[c].waiting_since.map_or(day, |s| s.days().min(day))
    };
    let mut order: Vec<usize> = (0..m.cases.len()).collect();
    order.sort_by_key(|&c| (start(c), el.workers(c).len(), c));
    let mut place = vec![0; m.cases.len()];
    for (i, &c) in order.iter().enumerate() {
        place[c] = i;
    }
    Some(place)
}

/// Cases fixed by pins: a pinned case, and every sibling of a pinned case, stay with the pinned
/// worker. Validation has already refused pins that break a rule.
pub fn fixed_cases(m: &Model) -> Vec<Option<usize>> {
    let mut fixed: Vec<Option<usize>> =
        m.cases.iter().map(|c| if c.pinned { c.current_worker } else { None }).collect();
    for g in &m.groups {
        if let Some(w) = g.members.iter().find_map(|&c| fixed[c]) {
            for &c in &g.members {
                fixed[c] = Some(w);
            }
        }
    }
    fixed
}

/// Builds the problem: fixed cases, classes, groups and parts.
pub fn formulate(m: &Model, el: &Eligibility) -> Problem {
    let fixed = fixed_cases(m);
    let nw = m.workers.len();
    let mut fixed_load = vec![0.0; nw];
    let mut fixed_oversight = vec![0.0; nw];
    for (c, f) in fixed.iter().enumerate() {
        if let Some(w) = *f {
            fixed_load[w] += m.cases[c].weight;
            if let Some(s) = rules::overseer(m, w) {
                fixed_oversight[s] += m.cases[c].weight;
            }
        }
    }
    let cap_left = |w: usize| m.workers[w].cap - fixed_load[w];
    let fits = |w: usize, weight: f64| {
        cap_left(w) + EPS >= weight
            && rules::overseer(m, w)
                .is_none_or(|s| m.workers[s].oversight_cap - fixed_oversight[s] + EPS >= weight)
    };

    // Free single cases -> classes keyed by (profile, weight, priority), and by previous
    // workers when they are worth something.
    let mut class_of: BTreeMap<(usize, u64, u64, Vec<usize>), Vec<usize>> = BTreeMap::new();
    let bonus = m.policy.return_bonus != 0.0;
    for (c, case) in m.cases.iter().enumerate() {
        if fixed[c].is_some() || case.group.is_some() || !el.structural[c].is_empty() {
            continue;
        }
        class_of
            .entry((
                el.case_profile[c],
                case.weight.to_bits(),
                case.priority.to_bits(),
                if bonus { case.previous_workers.clone() } else { Vec::new() },
            ))
            .or_default()
            .push(c);
    }
    // Items with global worker lists; localised once parts are known.
    struct RawClass {
        cases: Vec<usize>,
        workers: Vec<usize>,
    }
    let mut raw_classes = Vec::new();
    for ((profile, wbits, _, _), cases) in class_of {
        let weight = f64::from_bits(wbits);
        let workers: Vec<usize> = el.profiles[profile].iter().copied().filter(|&w| fits(w, weight)).collect();
        if !workers.is_empty() {
            raw_classes.push(RawClass { cases, workers });
        }
    }
    let mut raw_groups = Vec::new();
    for (g, group) in m.groups.iter().enumerate() {
        let free = group.members.iter().all(|&c| fixed[c].is_none() && el.structural[c].is_empty());
        if !free {
            continue;
        }
        let weight: f64 = group.members.iter().map(|&c| m.cases[c].weight).sum();
        let workers: Vec<usize> = rules::group_workers(&el.profiles, &el.case_profile, &group.members)
            .into_iter()
            .filter(|&w| fits(w, weight))
            .collect();
        if !workers.is_empty() {
            raw_groups.push((g, weight, workers));
        }
    }

    // Parts: union workers sharing an item, and supervisees sharing a supervisor.
    let mut uf = UnionFind::new(nw);
    for rc in &raw_classes {
        for &w in &rc.workers[1..] {
            uf.union(rc.workers[0], w);
        }
    }
    for (_, _, ws) in &raw_groups {
        for &w in &ws[1..] {
            uf.union(ws[0], w);
        }
    }
    let mut first_supervisee: HashMap<usize, usize> = HashMap::new();
    for w in 0..nw {
        if let Some(s) = rules::overseer(m, w) {
            let f = *first_supervisee.entry(s).or_insert(w);
            uf.union(f, w);
        }
    }
    // Part index per root, numbered by smallest worker index (deterministic).
    let mut part_of_root: HashMap<usize, usize> = HashMap::new();
    let mut part_workers: Vec<Vec<usize>> = Vec::new();
    let mut used = vec![false; nw];
    for rc in &raw_classes {
        rc.workers.iter().for_each(|&w| used[w] = true);
    }
    for (_, _, ws) in &raw_groups {
        ws.iter().for_each(|&w| used[w] = true);
    }
    for w in (0..nw).filter(|&w| used[w]) {
        let r = uf.find(w);
        let p = *part_of_root.entry(r).or_insert_with(|| {
            part_workers.push(Vec::new());
            part_workers.len() - 1
        });
        part_workers[p].push(w);
    }
    let mut local = vec![usize::MAX; nw];
    let mut parts: Vec<Part> = part_workers
        .iter()
        .map(|ws| {
            let mut overseers: Vec<(usize, f64)> = Vec::new();
            let mut overseer_row: HashMap<usize, usize> = HashMap::new();
            let workers = ws
                .iter()
                .enumerate()
                .map(|(i, &w)| {
                    local[w] = i;
                    let overseer = rules::overseer(m, w).map(|s| {
                        *overseer_row.entry(s).or_insert_with(|| {
                            overseers.push((s, m.workers[s].oversight_cap - fixed_oversight[s]));
                            overseers.len() - 1
                        })
                    });
                    PartWorker {
                        worker: w,
                        cap: cap_left(w),
                        target: m.workers[w].target - fixed_load[w],
                        team: m.workers[w].team,
                        overseer,
                        fixed: fixed_load[w],
                        goal: m.workers[w].target,
                    }
                })
                .collect();
            Part { workers, overseers, classes: Vec::new(), groups: Vec::new(), unit: None }
        })
        .collect();
    let part_of = |w: usize| part_of_root[&uf.find_const(w)];
    for rc in raw_classes {
        let p = part_of(rc.workers[0]);
        let first = &m.cases[rc.cases[0]];
        let workers: Vec<usize> = rc.workers.iter().map(|&w| local[w]).collect();
        let mut current: BTreeMap<usize, usize> = BTreeMap::new();
        for &c in &rc.cases {
            if let Some(cw) = m.cases[c].current_worker {
                if rc.workers.binary_search(&cw).is_ok() {
                    *current.entry(local[cw]).or_default() += 1;
                }
            }
        }
        let mut previous: Vec<usize> = if bonus {
            first.previous_workers.iter().filter(|w| rc.workers.contains(w)).map(|&w| local[w]).collect()
        } else {
            Vec::new()
        };
        previous.sort_unstable();
        parts[p].classes.push(Class {
            previous,
            weight: first.weight,
            priority: first.priority,
            team: first.team,
            workers,
            current: current.into_iter().collect(),
            cases: rc.cases,
        });
    }
    for (g, weight, ws) in raw_groups {
        let p = part_of(ws[0]);
        let members = m.groups[g].members.clone();
        let value = ws
            .iter()
            .map(|&w| members.iter().map(|&c| crate::objective::case_value(m, c, w)).sum())
            .collect();
        parts[p].groups.push(GroupItem {
            group: g,
            cases: members,
            weight,
            workers: ws.iter().map(|&w| local[w]).collect(),
            value,
        });
    }
    for part in &mut parts {
        let weights = part.classes.iter().map(|c| c.weight).chain(part.groups.iter().map(|g| g.weight));
        part.unit = common_unit(weights);
    }
    Problem { fixed, parts, precedence: precedence(m, el) }
}

/// The largest `u` such that every weight is a whole multiple of `u`, if the weights are
/// rationals with small denominators (as 0.5, 1, 1.5 are); `None` otherwise.
pub fn common_unit(weights: impl Iterator<Item = f64>) -> Option<f64> {
    let mut den: u64 = 1;
    let ws: Vec<f64> = weights.collect();
    for &w in &ws {
        let q = (1..=1000u64).find(|&q| {
            let x = w * q as f64;
            (x - x.round()).abs() <= crate::tolerance::relative(crate::tolerance::EQUAL, x)
        })?;
        den = lcm(den, q);
        if den > 1_000_000 {
            return None;
        }
    }
    let mut g: u64 = 0;
    for &w in &ws {
        let n = (w * den as f64).round();
        if n <= 0.0 || n > 1e12 {
            return None;
        }
        g = gcd(g, n as u64);
    }
    (g > 0).then(|| g as f64 / den as f64)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

/// Rounds a capacity down to a whole number of units (with tolerance).
pub fn floor_to(x: f64, unit: Option<f64>) -> f64 {
    match unit {
        Some(u) => ((x / u) + crate::tolerance::EQUAL).floor() * u,
        None => x,
    }
}
