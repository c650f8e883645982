//! Solving: each part's relaxation with microlp (through `good_lp`); when the part is not a
//! network flow, an exact branch-and-bound that branches with microlp's dual simplex from the
//! parent's basis. Parts run in parallel; results are combined in part order, so the answer
//! does not depend on the number of threads.

use crate::formulate::{Part, Problem};
use crate::lp::{self, Col, Lp};
use crate::rules::EPS;
use crate::validate::Model;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// When to stop searching before optimality is proven.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits<'a> {
    /// Stop at this instant.
    pub deadline: Option<Instant>,
    /// Stop when this becomes true (set by Ctrl-C).
    pub stop: Option<&'a AtomicBool>,
}

impl Limits<'_> {
    fn reached(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
            || self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

/// Relative optimality tolerance (SPEC section 4).
pub const GAP: f64 = 1e-6;

/// A whole allocation of one part: counts per (class, worker) and each group's worker.
#[derive(Clone, Debug, PartialEq)]
pub struct PartAlloc {
    /// For class `k`, the count at each of `class.workers` (same order).
    pub counts: Vec<Vec<u32>>,
    /// For group `g`, the index into `group.workers`, if placed.
    pub groups: Vec<Option<usize>>,
}

/// The outcome of one part.
#[derive(Clone, Debug)]
pub struct PartOutcome {
    /// The allocation.
    pub alloc: PartAlloc,
    /// Its value in the part's terms.
    pub value: f64,
    /// Proven upper bound on the part's value.
    pub bound: f64,
    /// Proven optimal.
    pub optimal: bool,
    /// Needed an integer search.
    pub integer: bool,
    /// Nodes explored.
    pub nodes: u64,
}

/// The outcome of the whole problem.
#[derive(Clone, Debug)]
pub struct Solved {
    /// Worker of each case, if allocated.
    pub assignment: Vec<Option<usize>>,
    /// Proven optimal.
    pub optimal: bool,
    /// Upper bound minus the value found (0 when optimal), in objective units.
    pub gap: f64,
    /// Parts.
    pub parts: usize,
    /// Parts that needed an integer search.
    pub integer_parts: usize,
    /// Branch-and-bound nodes.
    pub nodes: u64,
}

/// Solves every part, in parallel, and returns the case-level assignment.
pub fn solve(m: &Model, problem: &Problem, limits: Limits) -> Result<Solved, String> {
    let outcomes: Vec<PartOutcome> =
        problem.parts.par_iter().map(|p| solve_part(m, p, limits)).collect::<Result<_, _>>()?;
    let mut assignment = problem.fixed.clone();
    for (part, out) in problem.parts.iter().zip(&outcomes) {
        write_assignment(m, part, &out.alloc, &mut assignment);
    }
    Ok(Solved {
        assignment,
        optimal: outcomes.iter().all(|o| o.optimal),
        gap: outcomes.iter().map(|o| (o.bound - o.value).max(0.0)).sum(),
        parts: outcomes.len(),
        integer_parts: outcomes.iter().filter(|o| o.integer).count(),
        nodes: outcomes.iter().map(|o| o.nodes).sum(),
    })
}

/// Loads (free part only) of each local worker, and oversight used per overseer row.
fn loads(part: &Part, a: &PartAlloc) -> (Vec<f64>, Vec<f64>) {
    let mut load = vec![0.0; part.rooms.len()];
    for (k, class) in part.classes.iter().enumerate() {
        for (j, &w) in class.workers.iter().enumerate() {
            load[w] += class.weight * a.counts[k][j] as f64;
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g] {
            load[item.workers[j]] += item.weight;
        }
    }
    let mut over = vec![0.0; part.overseers.len()];
    for (w, room) in part.rooms.iter().enumerate() {
        if let Some(s) = room.overseer {
            over[s] += load[w];
        }
    }
    (load, over)
}

fn kept_count(part: &Part, k: usize, w: usize) -> u32 {
    part.classes[k].current.iter().find(|&&(cw, _)| cw == w).map_or(0, |&(_, n)| n as u32)
}

/// The part's value: priorities, keep bonuses, cross-team penalties and overload, exactly.
pub fn value(m: &Model, part: &Part, a: &PartAlloc) -> f64 {
    let mut v = 0.0;
    for (k, class) in part.classes.iter().enumerate() {
        for (j, &w) in class.workers.iter().enumerate() {
            let n = a.counts[k][j];
            if n > 0 {
                let kept = n.min(kept_count(part, k, w));
                v += part.unit_value(m, k, w, false) * n as f64 + m.policy.move_penalty * kept as f64;
            }
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g] {
            v += item.value[j];
        }
    }
    let (load, _) = loads(part, a);
    for (w, room) in part.rooms.iter().enumerate() {
        v -= m.policy.overload_penalty * overload(load[w], room.target);
    }
    v
}

/// Load above target; `target` is what is left of it after fixed cases (possibly negative).
fn overload(load: f64, target: f64) -> f64 {
    (load - target).max(0.0)
}

fn solve_part(m: &Model, part: &Part, limits: Limits) -> Result<PartOutcome, String> {
    let lp = lp::build(m, part);
    let root = lp::solve_relaxation(&lp)?;
    let integer = !part.is_network();
    let mut search = Search { m, part, lp: &lp, vars: root.vars.clone(), best: None, best_value: f64::NEG_INFINITY, nodes: 0 };
    let root_bound = root.objective;
    let mut optimal = true;
    let mut open_bound = f64::NEG_INFINITY;
    if let Some(a) = search.integral(&root.values) {
        search.offer(a);
    } else {
        search.heuristic(&root.values);
        let (done, open) = search.branch_and_bound(root.state, root_bound, limits);
        optimal = done;
        open_bound = open;
    }
    let (mut alloc, mut val) = match search.best.take() {
        Some(a) => (a, search.best_value),
        None => {
            let a = empty_alloc(part);
            let v = value(m, part, &a);
            (a, v)
        }
    };
    level(m, part, &mut alloc);
    let leveled = value(m, part, &alloc);
    debug_assert!(leveled >= val - 1e-6 * val.abs().max(1.0));
    val = leveled;
    let bound = if optimal { val } else { open_bound.max(val) };
    Ok(PartOutcome { alloc, value: val, bound, optimal, integer, nodes: search.nodes })
}

fn empty_alloc(part: &Part) -> PartAlloc {
    PartAlloc {
        counts: part.classes.iter().map(|c| vec![0; c.workers.len()]).collect(),
        groups: vec![None; part.groups.len()],
    }
}

struct Search<'a> {
    m: &'a Model,
    part: &'a Part,
    lp: &'a Lp,
    vars: Vec<microlp::Variable>,
    best: Option<PartAlloc>,
    best_value: f64,
    nodes: u64,
}

impl Search<'_> {
    fn tolerance(&self) -> f64 {
        GAP * self.best_value.abs().max(1.0) * 0.1
    }

    fn offer(&mut self, a: PartAlloc) {
        if !feasible(self.part, &a) {
            return;
        }
        let v = value(self.m, self.part, &a);
        if v > self.best_value + 1e-9 || self.best.is_none() {
            self.best_value = v;
            self.best = Some(a);
        }
    }

    /// The allocation of integral column values, or None if any must-be-whole column is fractional.
    fn integral(&self, values: &[f64]) -> Option<PartAlloc> {
        let whole = (0..values.len())
            .all(|j| !self.lp.is_integer(j) || (values[j] - values[j].round()).abs() <= 1e-6);
        whole.then(|| self.decode(values))
    }

    /// Turns (rounded-down) column values into an allocation that keeps every row.
    fn decode(&self, values: &[f64]) -> PartAlloc {
        let part = self.part;
        let lp = self.lp;
        let mut a = empty_alloc(part);
        let fl = |x: f64| (x + 1e-6).floor().max(0.0) as u32;
        let nh = lp.hubs.len();
        let mut inflow: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nh];
        let mut outflow: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nh];
        for (j, col) in lp.cols.iter().enumerate() {
            match *col {
                Col::Keep { k, w } => {
                    let pos = part.classes[k].workers.iter().position(|&x| x == w);
                    if let Some(p) = pos {
                        a.counts[k][p] += fl(values[j]);
                    }
                }
                Col::ClassHub { k, h } => inflow[h].push((k, fl(values[j]))),
                Col::HubWorker { h, w } => outflow[h].push((w, fl(values[j]))),
                Col::Group { g, j: jj } => {
                    if values[j] > 0.5 && a.groups[g].is_none() {
                        a.groups[g] = Some(jj);
                    }
                }
                _ => {}
            }
        }
        for h in 0..nh {
            // Match inflow to outflow in order; surplus on either side is dropped (rounding).
            let mut outs = outflow[h].clone();
            let mut oi = 0;
            for &(k, mut n) in &inflow[h] {
                while n > 0 && oi < outs.len() {
                    let take = n.min(outs[oi].1);
                    if take > 0 {
                        let w = outs[oi].0;
                        if let Some(p) = part.classes[k].workers.iter().position(|&x| x == w) {
                            a.counts[k][p] += take;
                        }
                        outs[oi].1 -= take;
                        n -= take;
                    }
                    if outs[oi].1 == 0 {
                        oi += 1;
                    }
                }
            }
        }
        a
    }

    /// Rounds a fractional relaxation down, repairs it, and fills greedily.
    fn heuristic(&mut self, values: &[f64]) {
        let mut a = self.decode(values);
        repair(self.part, &mut a);
        greedy_fill(self.m, self.part, &mut a);
        self.offer(a);
    }

    /// Depth-first branch-and-bound. Returns (proven optimal, best bound of unexplored nodes).
    fn branch_and_bound(&mut self, root: microlp::Solution, root_bound: f64, limits: Limits) -> (bool, f64) {
        let mut stack: Vec<(microlp::Solution, f64, u32)> = vec![(root, root_bound, 0)];
        while let Some((state, bound, depth)) = stack.pop() {
            if bound <= self.best_value + self.tolerance() {
                continue;
            }
            if limits.reached() {
                let open = stack.iter().map(|n| n.1).fold(bound, f64::max);
                return (false, open);
            }
            self.nodes += 1;
            let values = lp::values_of(&state, &self.vars);
            let Some((j, x)) = self.branch_column(&values) else {
                let a = self.decode(&values);
                self.offer(a);
                continue;
            };
            if self.nodes % 64 == 0 {
                self.heuristic(&values);
            }
            let var = self.vars[j];
            let down = x.floor();
            let children = [
                state.clone().add_constraint([(var, 1.0)], microlp::ComparisonOp::Le, down),
                state.add_constraint([(var, 1.0)], microlp::ComparisonOp::Ge, down + 1.0),
            ];
            let mut kids: Vec<(microlp::Solution, f64)> = Vec::new();
            for child in children {
                match child {
                    Ok(microlp::SolveOutcome::Solution(s)) => {
                        let b = s.objective();
                        kids.push((s, b));
                    }
                    Ok(microlp::SolveOutcome::Interrupted(_)) => {}
                    Err(microlp::Error::Infeasible) => {}
                    Err(e) => return self.fail_open(e, &stack, bound),
                }
            }
            // Explore the better child first: push it last.
            kids.sort_by(|a, b| a.1.total_cmp(&b.1));
            for (s, b) in kids {
                stack.push((s, b, depth + 1));
            }
        }
        (true, f64::NEG_INFINITY)
    }

    fn fail_open(&self, _e: microlp::Error, stack: &[(microlp::Solution, f64, u32)], bound: f64) -> (bool, f64) {
        // A numerical failure deep in the tree: keep the incumbent, report the open bound.
        (false, stack.iter().map(|n| n.1).fold(bound, f64::max))
    }

    /// The column to branch on: a fractional group column first, else the most fractional.
    fn branch_column(&self, values: &[f64]) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64, f64)> = None;
        for (j, &x) in values.iter().enumerate() {
            if !self.lp.is_integer(j) {
                continue;
            }
            let f = x - x.floor();
            let frac = f.min(1.0 - f);
            if frac <= 1e-6 {
                continue;
            }
            let score = frac + if matches!(self.lp.cols[j], Col::Group { .. }) { 1.0 } else { 0.0 };
            if best.is_none_or(|b| score > b.2 + 1e-12) {
                best = Some((j, x, score));
            }
        }
        best.map(|(j, x, _)| (j, x))
    }
}

/// True when an allocation keeps every row of the part (caps, oversight, item counts).
pub fn feasible(part: &Part, a: &PartAlloc) -> bool {
    for (k, class) in part.classes.iter().enumerate() {
        if a.counts[k].iter().map(|&n| n as usize).sum::<usize>() > class.cases.len() {
            return false;
        }
    }
    let (load, over) = loads(part, a);
    part.rooms.iter().enumerate().all(|(w, r)| load[w] <= r.cap + EPS)
        && part.overseers.iter().enumerate().all(|(s, o)| over[s] <= o.1 + EPS)
}

/// Removes units until every cap and oversight row holds (rounding can overshoot only by
/// numerical noise, but a repair is cheap and makes the heuristic safe).
fn repair(part: &Part, a: &mut PartAlloc) {
    loop {
        let (load, over) = loads(part, a);
        let bad_worker = part.rooms.iter().enumerate().find(|(w, r)| {
            load[*w] > r.cap + EPS || r.overseer.is_some_and(|s| over[s] > part.overseers[s].1 + EPS)
        });
        let Some((w, _)) = bad_worker else { return };
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
            return;
        }
    }
}

/// Marginal value of adding `weight` at worker `w`, before the item's own value.
fn overload_cost(m: &Model, part: &Part, load: &[f64], w: usize, weight: f64) -> f64 {
    let t = part.rooms[w].target;
    m.policy.overload_penalty * (overload(load[w] + weight, t) - overload(load[w], t))
}

fn room_for(part: &Part, load: &[f64], over: &[f64], w: usize, weight: f64) -> bool {
    let r = &part.rooms[w];
    load[w] + weight <= r.cap + EPS && r.overseer.is_none_or(|s| over[s] + weight <= part.overseers[s].1 + EPS)
}

/// Adds units one at a time wherever they add value, best first.
fn greedy_fill(m: &Model, part: &Part, a: &mut PartAlloc) {
    let (mut load, mut over) = loads(part, a);
    let add = |load: &mut Vec<f64>, over: &mut Vec<f64>, w: usize, weight: f64| {
        load[w] += weight;
        if let Some(s) = part.rooms[w].overseer {
            over[s] += weight;
        }
    };
    // Groups first (they are the hardest to fit), in order of value per weight.
    let mut order: Vec<usize> = (0..part.groups.len()).collect();
    order.sort_by(|&x, &y| {
        let vx = part.groups[x].value.iter().cloned().fold(f64::MIN, f64::max) / part.groups[x].weight;
        let vy = part.groups[y].value.iter().cloned().fold(f64::MIN, f64::max) / part.groups[y].weight;
        vy.total_cmp(&vx).then(x.cmp(&y))
    });
    for g in order {
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
            if gain > 1e-9 && best.is_none_or(|b| gain > b.1) {
                best = Some((j, gain));
            }
        }
        if let Some((j, _)) = best {
            a.groups[g] = Some(j);
            add(&mut load, &mut over, item.workers[j], item.weight);
        }
    }
    let mut order: Vec<usize> = (0..part.classes.len()).collect();
    order.sort_by(|&x, &y| {
        let (cx, cy) = (&part.classes[x], &part.classes[y]);
        (cy.priority / cy.weight).total_cmp(&(cx.priority / cx.weight)).then(x.cmp(&y))
    });
    for k in order {
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
                if gain > 1e-9 && best.is_none_or(|b| gain > b.1) {
                    best = Some((j, gain));
                }
            }
            let Some((j, _)) = best else { break };
            a.counts[k][j] += 1;
            add(&mut load, &mut over, class.workers[j], class.weight);
        }
    }
}

/// Ties toward even loads: moves single cases between permitted workers while the objective
/// stays the same (or improves) and the sum of load^2/target falls.
fn level(m: &Model, part: &Part, a: &mut PartAlloc) {
    let (mut load, mut over) = loads(part, a);
    let abs_target: Vec<f64> = part
        .rooms
        .iter()
        .map(|r| m.workers[r.worker].target.max(1e-3))
        .collect();
    let fixed: Vec<f64> = part.rooms.iter().map(|r| m.workers[r.worker].target - r.target).collect();
    let mut budget = 200_000usize;
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
                    if d_even >= -1e-9 {
                        continue;
                    }
                    let mut over2 = over.clone();
                    if let Some(s) = part.rooms[w1].overseer {
                        over2[s] -= wt;
                    }
                    let mut load2 = load.clone();
                    load2[w1] -= wt;
                    if !room_for(part, &load2, &over2, w2, wt) {
                        continue;
                    }
                    let gain_from = unit_delta(m, part, a, k, from, -1);
                    let gain_to = unit_delta(m, part, a, k, to, 1);
                    let d_over = -overload_cost(m, part, &load2, w2, wt)
                        + m.policy.overload_penalty
                            * (overload(load[w1], part.rooms[w1].target) - overload(load2[w1], part.rooms[w1].target));
                    let d = gain_from + gain_to + d_over;
                    if d < -1e-9 {
                        continue;
                    }
                    a.counts[k][from] -= 1;
                    a.counts[k][to] += 1;
                    load = load2;
                    load[w2] += wt;
                    over = over2;
                    if let Some(s) = part.rooms[w2].overseer {
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
fn unit_delta(m: &Model, part: &Part, a: &PartAlloc, k: usize, j: usize, d: i32) -> f64 {
    let w = part.classes[k].workers[j];
    let n = a.counts[k][j] as i64;
    let n2 = n + d as i64;
    let cap = kept_count(part, k, w) as i64;
    let kept = |x: i64| x.min(cap) as f64;
    part.unit_value(m, k, w, false) * d as f64 + m.policy.move_penalty * (kept(n2) - kept(n))
}

/// Turns a part's counts into case-level assignments: today's worker first, then by id.
fn write_assignment(m: &Model, part: &Part, a: &PartAlloc, out: &mut [Option<usize>]) {
    for (k, class) in part.classes.iter().enumerate() {
        let mut left: Vec<u32> = a.counts[k].clone();
        let mut rest = Vec::new();
        for &c in &class.cases {
            let cw = m.cases[c].current_worker;
            let slot = cw.and_then(|cw| class.workers.iter().position(|&w| part.rooms[w].worker == cw));
            match slot {
                Some(j) if left[j] > 0 => {
                    left[j] -= 1;
                    out[c] = Some(part.rooms[class.workers[j]].worker);
                }
                _ => rest.push(c),
            }
        }
        let mut it = rest.into_iter();
        for (j, n) in left.iter().enumerate() {
            for _ in 0..*n {
                if let Some(c) = it.next() {
                    out[c] = Some(part.rooms[class.workers[j]].worker);
                }
            }
        }
    }
    for (g, item) in part.groups.iter().enumerate() {
        if let Some(j) = a.groups[g] {
            for &c in &item.cases {
                out[c] = Some(part.rooms[item.workers[j]].worker);
            }
        }
    }
}
