//! Solving: each part's relaxation with microlp (through `good_lp`); when the part is not a
//! network flow, an exact branch-and-bound that branches with microlp's dual simplex from the
//! parent's basis. Parts run in parallel; results are combined in part order, so the answer
//! does not depend on the number of threads.

use crate::formulate::{Part, Problem};
use crate::lp::{self, Col, Lp};
use crate::rules::EPS;
use crate::validate::Model;
use rayon::prelude::*;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// When to stop searching before optimality is proven.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits<'a> {
    /// Stop at this instant.
    pub deadline: Option<Instant>,
    /// Stop when this becomes true (set by Ctrl-C).
    pub stop: Option<&'a AtomicBool>,
    /// Branch-and-bound nodes allowed per part. Unlike a deadline, a node limit stops every
    /// run at the same place, so the proposal stays byte-identical.
    pub node_limit: Option<u64>,
}

/// The default node limit per part for the command line.
pub const DEFAULT_NODE_LIMIT: u64 = 50_000;

impl Limits<'_> {
    fn reached(&self, nodes: u64) -> bool {
        self.node_limit.is_some_and(|n| nodes >= n)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
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
    // Phase 1: every part's relaxation and heuristics. Most parts end here.
    let started: Vec<Started> =
        problem.parts.par_iter().map(|p| start_part(m, p)).collect::<Result<_, _>>()?;
    // Phase 2: branch-and-bound where the root did not prove optimality. A deadline is shared
    // fairly: each searching part gets its slice of the time left.
    let searching = started.iter().filter(|s| s.root.is_some()).count();
    let waiting = std::sync::atomic::AtomicUsize::new(searching);
    let threads = rayon::current_num_threads().max(1);
    let outcomes: Vec<PartOutcome> = started
        .into_par_iter()
        .map(|s| {
            // A deadline is shared fairly: a part that starts searching gets the time left
            // divided by the waves of searching parts still to start, so time a quick part
            // leaves unused goes to the parts after it.
            let mut own = limits;
            if let (Some(deadline), true) = (limits.deadline, s.root.is_some()) {
                let n = waiting.fetch_sub(1, Ordering::Relaxed).max(1);
                let left = deadline.saturating_duration_since(Instant::now());
                own.deadline = Some(Instant::now() + left / n.div_ceil(threads) as u32);
            }
            s.finish(own)
        })
        .collect();
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

/// A part after phase 1: its search, and the root still to branch from if not yet proven.
struct Started<'a> {
    search: Search<'a>,
    root: Option<(microlp::Solution, f64)>,
}

fn start_part<'a>(m: &'a Model, part: &'a Part) -> Result<Started<'a>, String> {
    let lp = lp::build(m, part);
    let clock = Instant::now();
    let root = lp::solve_relaxation(&lp)?;
    if debug() {
        let hubs = lp.hubs.len();
        let nnz: usize = lp.rows.iter().map(|r| r.coefs.len()).sum();
        eprintln!(
            "lp: {} workers, {} classes, {} hubs, {} cols, {} rows, {} nonzeros: {:.3}s",
            part.rooms.len(),
            part.classes.len(),
            hubs,
            lp.cols.len(),
            lp.rows.len(),
            nnz,
            clock.elapsed().as_secs_f64()
        );
    }
    let mut search = Search {
        m,
        part,
        vars: root.vars.clone(),
        lp,
        best: None,
        best_value: f64::NEG_INFINITY,
        nodes: 0,
        delta: lattice(m, part),
    };
    if let Some(a) = search.integral(&root.values) {
        search.offer(a);
        return Ok(Started { search, root: None });
    }
    search.heuristic(&root.values);
    search.dive(&root.state);
    if debug() {
        eprintln!(
            "part: {} workers, {} classes, {} groups, {} cols, {} rows; root {:.4} heuristic {:.4}",
            part.rooms.len(),
            part.classes.len(),
            part.groups.len(),
            search.lp.cols.len(),
            search.lp.rows.len(),
            root.objective,
            search.best_value
        );
    }
    Ok(Started { search, root: Some((root.state, root.objective)) })
}

fn debug() -> bool {
    std::env::var_os("CASELOAD_DEBUG").is_some()
}

impl Started<'_> {
    fn finish(mut self, limits: Limits) -> PartOutcome {
        let (m, part) = (self.search.m, self.search.part);
        let integer = !part.is_network();
        let (optimal, open_bound) = match self.root.take() {
            None => (true, f64::NEG_INFINITY),
            Some((state, bound)) => {
                let clock = Instant::now();
                #[cfg(feature = "highs")]
                let highs = self.search.with_highs(bound, limits);
                #[cfg(not(feature = "highs"))]
                let highs: Option<(bool, f64)> = None;
                // Without the feature, or if HiGHS fails, the built-in search.
                let (done, open) = match highs {
                    Some(result) => result,
                    None => self.search.branch_and_bound(state, bound, limits),
                };
                if debug() {
                    eprintln!(
                        "  -> best {:.4} open bound {:.4} nodes {} in {:.2}s optimal {} delta {:?}",
                        self.search.best_value,
                        open,
                        self.search.nodes,
                        clock.elapsed().as_secs_f64(),
                        done,
                        self.search.delta
                    );
                }
                (done, open)
            }
        };
        let mut alloc = self.search.best.take().unwrap_or_else(|| empty_alloc(part));
        level(m, part, &mut alloc);
        let val = value(m, part, &alloc);
        let bound = if optimal { val } else { open_bound.max(val) };
        PartOutcome { alloc, value: val, bound, optimal, integer, nodes: self.search.nodes }
    }
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
    lp: Lp,
    vars: Vec<microlp::Variable>,
    best: Option<PartAlloc>,
    best_value: f64,
    nodes: u64,
    delta: Option<f64>,
}

/// The step of the lattice every allocation's value lies on: the rational gcd of every amount
/// the objective can add or take away in this part (item values, keep bonuses, one unit of
/// overload, each worker's remaining target times the penalty). None when there is no such step.
fn lattice(m: &Model, part: &Part) -> Option<f64> {
    let pen = m.policy.overload_penalty;
    let mut atoms: Vec<f64> = Vec::new();
    for (k, class) in part.classes.iter().enumerate() {
        for &w in &class.workers {
            atoms.push(part.unit_value(m, k, w, false));
        }
        if !class.current.is_empty() {
            atoms.push(m.policy.move_penalty);
        }
    }
    for g in &part.groups {
        atoms.extend_from_slice(&g.value);
    }
    // Overload adds amounts only for workers who can go above target within their cap.
    let unit = part.unit;
    let can_overload: Vec<f64> = part
        .rooms
        .iter()
        .filter(|r| r.target < crate::formulate::floor_to(r.cap, unit) - EPS)
        .map(|r| r.target)
        .collect();
    if pen > 0.0 && !can_overload.is_empty() {
        atoms.push(pen * unit?);
        atoms.extend(can_overload.iter().map(|t| pen * t));
    }
    crate::formulate::common_unit(atoms.into_iter().map(f64::abs).filter(|&a| a > 1e-12))
}

impl Search<'_> {
    fn tolerance(&self) -> f64 {
        GAP * self.best_value.abs().max(1.0) * 0.1
    }

    /// Can no allocation under a node with this bound beat the incumbent? Every allocation's
    /// value is a whole multiple of `delta` when there is one, so a bound less than one step
    /// above the incumbent proves it optimal there.
    fn prunable(&self, bound: f64) -> bool {
        if self.best.is_none() {
            return false;
        }
        if bound <= self.best_value + self.tolerance() {
            return true;
        }
        self.delta.is_some_and(|d| bound < self.best_value + d - 1e-7 * bound.abs().max(1.0))
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
        let lp = &self.lp;
        let mut a = empty_alloc(part);
        let fl = |x: f64| (x + 1e-6).floor().max(0.0) as u32;
        let nh = lp.hubs.len();
        let mut inflow: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nh];
        let mut outflow: Vec<Vec<(usize, u32)>> = vec![Vec::new(); nh];
        let mut market_in: Vec<Vec<(usize, u32)>> = vec![Vec::new(); lp.markets.len()];
        let mut market_out: Vec<Vec<(usize, u32)>> = vec![Vec::new(); lp.markets.len()];
        for (j, col) in lp.cols.iter().enumerate() {
            match *col {
                Col::Keep { k, w } => {
                    let pos = part.classes[k].workers.iter().position(|&x| x == w);
                    if let Some(p) = pos {
                        a.counts[k][p] += fl(values[j]);
                    }
                }
                Col::ClassHub { k, h } => inflow[h].push((k, fl(values[j]))),
                Col::ClassMarket { k, mk } => market_in[mk].push((k, fl(values[j]))),
                Col::MarketHub { mk, h } => market_out[mk].push((h, fl(values[j]))),
                Col::HubWorker { h, w } => outflow[h].push((w, fl(values[j]))),
                Col::Group { g, j: jj } => {
                    if values[j] > 0.5 && a.groups[g].is_none() {
                        a.groups[g] = Some(jj);
                    }
                }
                _ => {}
            }
        }
        // A market passes its classes on to hubs: attribute them in order.
        for mk in 0..lp.markets.len() {
            for (k, h, n) in match_flows(&market_in[mk], &market_out[mk]) {
                inflow[h].push((k, n));
            }
        }
        for h in 0..nh {
            for (k, w, n) in match_flows(&inflow[h], &outflow[h]) {
                if let Some(p) = part.classes[k].workers.iter().position(|&x| x == w) {
                    a.counts[k][p] += n;
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
        eject_improve(self.m, self.part, &mut a);
        self.offer(a);
    }

    /// Dives from the root: fixes the most-decided fractional group to its worker, re-solves
    /// from the parent's basis, and rounds what is left.
    fn dive(&mut self, root: &microlp::Solution) {
        let mut state = root.clone();
        for _ in 0..=self.part.groups.len() {
            let values = lp::values_of(&state, &self.vars);
            let pick = (0..values.len())
                .filter(|&j| matches!(self.lp.cols[j], Col::Group { .. }))
                .filter(|&j| values[j] > 1e-6 && values[j] < 1.0 - 1e-6)
                .max_by(|&x, &y| values[x].total_cmp(&values[y]).then(y.cmp(&x)));
            let Some(j) = pick else {
                self.heuristic(&values);
                return;
            };
            let var = self.vars[j];
            state = match state.clone().add_constraint([(var, 1.0)], microlp::ComparisonOp::Ge, 1.0) {
                Ok(microlp::SolveOutcome::Solution(s)) => s,
                _ => match state.add_constraint([(var, 1.0)], microlp::ComparisonOp::Le, 0.0) {
                    Ok(microlp::SolveOutcome::Solution(s)) => s,
                    _ => return,
                },
            };
        }
    }

    /// Best-first branch-and-bound with plunging: from the best open node, dive into the
    /// better child while parking its sibling, so incumbents come early and the bound falls
    /// steadily. Returns (proven optimal, best bound of what is left unexplored).
    fn branch_and_bound(&mut self, root: microlp::Solution, root_bound: f64, limits: Limits) -> (bool, f64) {
        let mut open: BinaryHeap<Node> = BinaryHeap::new();
        let mut seq = 0u64;
        open.push(Node { state: root, bound: root_bound, depth: 0, seq });
        // Bound of subtrees given up after a numerical failure in microlp.
        let mut lost = f64::NEG_INFINITY;
        while let Some(top) = open.pop() {
            if self.prunable(top.bound) {
                break; // best-first: every other open node is worse
            }
            let mut current = Some(top);
            while let Some(node) = current.take() {
                if self.prunable(node.bound) {
                    break;
                }
                if limits.reached(self.nodes) {
                    let rest = open.iter().map(|n| n.bound).fold(node.bound, f64::max);
                    return (false, rest.max(lost));
                }
                self.nodes += 1;
                let values = lp::values_of(&node.state, &self.vars);
                if self.nodes % 16 == 0 {
                    self.heuristic(&values);
                }
                let kids = match self.branch(node.state, &values, node.depth) {
                    Branched::Integral => {
                        let a = self.decode(&values);
                        self.offer(a);
                        continue;
                    }
                    Branched::Failed => {
                        lost = lost.max(node.bound);
                        continue;
                    }
                    Branched::Children(kids) => kids,
                };
                // kids are sorted best first; plunge into the best, park the rest.
                let mut kids = kids.into_iter();
                if let Some((s, b)) = kids.next() {
                    seq += 1;
                    current = Some(Node { state: s, bound: b, depth: node.depth + 1, seq });
                }
                for (s, b) in kids {
                    seq += 1;
                    if open.len() >= MAX_OPEN {
                        // Memory cap: finish this subtree depth-first instead of parking it.
                        let mut stack = vec![Node { state: s, bound: b, depth: node.depth + 1, seq }];
                        if !self.depth_first(&mut stack, limits, &mut lost) {
                            let rest = open.iter().map(|n| n.bound).fold(b, f64::max);
                            let rest = stack.iter().map(|n| n.bound).fold(rest, f64::max);
                            return (false, rest.max(lost));
                        }
                    } else {
                        open.push(Node { state: s, bound: b, depth: node.depth + 1, seq });
                    }
                }
            }
        }
        if lost > self.best_value + self.tolerance() && !self.prunable(lost) {
            return (false, lost);
        }
        (true, f64::NEG_INFINITY)
    }

    /// The `highs` feature's search: the whole part as a MIP for HiGHS.
    #[cfg(feature = "highs")]
    fn with_highs(&mut self, root_bound: f64, limits: Limits) -> Option<(bool, f64)> {
        let left = limits.deadline.map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64());
        let mip = crate::highs::solve_mip(&self.lp, left).ok()?;
        let a = self.decode(&mip.values);
        self.offer(a);
        Some(if mip.optimal { (true, f64::NEG_INFINITY) } else { (false, root_bound) })
    }

    /// Plain depth-first search of a stack of nodes; false if the limits stopped it.
    fn depth_first(&mut self, stack: &mut Vec<Node>, limits: Limits, lost: &mut f64) -> bool {
        while let Some(node) = stack.pop() {
            if self.prunable(node.bound) {
                continue;
            }
            if limits.reached(self.nodes) {
                stack.push(node);
                return false;
            }
            self.nodes += 1;
            let values = lp::values_of(&node.state, &self.vars);
            match self.branch(node.state, &values, node.depth) {
                Branched::Integral => {
                    let a = self.decode(&values);
                    self.offer(a);
                }
                Branched::Failed => *lost = lost.max(node.bound),
                Branched::Children(kids) => {
                    for (s, b) in kids.into_iter().rev() {
                        stack.push(Node { state: s, bound: b, depth: node.depth + 1, seq: 0 });
                    }
                }
            }
        }
        true
    }

    /// Chooses a column and solves both children from this node's basis. Near the root it
    /// tries several candidates (strong branching) and keeps the one whose weaker child falls
    /// furthest, which is what proves optimality sooner.
    fn branch(&mut self, state: microlp::Solution, values: &[f64], depth: u32) -> Branched {
        let candidates = self.branch_candidates(values);
        if candidates.is_empty() {
            return Branched::Integral;
        }
        let tries = if depth < STRONG_DEPTH { candidates.len().min(STRONG_CANDIDATES) } else { 1 };
        let parent_bound = state.objective();
        let mut best: Option<(f64, Vec<(microlp::Solution, f64)>)> = None;
        for &(j, x) in candidates.iter().take(tries) {
            let var = self.vars[j];
            let down = x.floor();
            let mut kids = Vec::new();
            let mut failed = false;
            for (op, rhs) in [(microlp::ComparisonOp::Le, down), (microlp::ComparisonOp::Ge, down + 1.0)] {
                match state.clone().add_constraint([(var, 1.0)], op, rhs) {
                    Ok(microlp::SolveOutcome::Solution(s)) => {
                        let b = s.objective();
                        kids.push((s, b));
                    }
                    Ok(microlp::SolveOutcome::Interrupted(_)) => failed = true,
                    Err(microlp::Error::Infeasible) => {}
                    Err(_) => failed = true,
                }
            }
            if failed {
                continue;
            }
            // Score: the smaller of the two bound drops (an infeasible child drops all the way).
            let drop = |i: usize| kids.get(i).map_or(f64::INFINITY, |k| parent_bound - k.1);
            let score = if kids.len() == 2 { drop(0).min(drop(1)) } else { f64::INFINITY };
            if best.as_ref().is_none_or(|b| score > b.0 + 1e-9) {
                best = Some((score, kids));
            }
        }
        match best {
            Some((_, mut kids)) => {
                kids.sort_by(|a, b| b.1.total_cmp(&a.1));
                kids.retain(|k| !self.prunable(k.1));
                Branched::Children(kids)
            }
            None => Branched::Failed,
        }
    }

    /// Fractional must-be-whole columns, best branching candidates first: sibling groups, then
    /// the most fractional.
    fn branch_candidates(&self, values: &[f64]) -> Vec<(usize, f64)> {
        let mut c: Vec<(usize, f64, f64)> = Vec::new();
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
            c.push((j, x, score));
        }
        c.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        c.into_iter().map(|(j, x, _)| (j, x)).collect()
    }
}

/// Open nodes kept for best-first search before falling back to depth-first (memory bound).
const MAX_OPEN: usize = 512;
/// Depth above which strong branching is used.
const STRONG_DEPTH: u32 = 1000;
/// Candidates tried by strong branching.
const STRONG_CANDIDATES: usize = 4;

/// A node of the search tree: microlp's solved state and its bound.
struct Node {
    state: microlp::Solution,
    bound: f64,
    depth: u32,
    seq: u64,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// Higher bound first; among equals, the older node (deterministic).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bound.total_cmp(&other.bound).then(other.seq.cmp(&self.seq))
    }
}

/// What branching at a node gave.
enum Branched {
    /// Every must-be-whole column is whole.
    Integral,
    /// microlp failed on every candidate.
    Failed,
    /// Children worth exploring, best bound first.
    Children(Vec<(microlp::Solution, f64)>),
}

/// Matches what flows into a node with what flows out, in order: (source, destination, count).
/// Surplus on either side (from rounding) is dropped.
fn match_flows(ins: &[(usize, u32)], outs: &[(usize, u32)]) -> Vec<(usize, usize, u32)> {
    let mut outs = outs.to_vec();
    let mut matched = Vec::new();
    let mut oi = 0;
    for &(src, mut n) in ins {
        while n > 0 && oi < outs.len() {
            let take = n.min(outs[oi].1);
            if take > 0 {
                matched.push((src, outs[oi].0, take));
                outs[oi].1 -= take;
                n -= take;
            }
            if outs[oi].1 == 0 {
                oi += 1;
            }
        }
    }
    matched
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
    load[w] + weight <= r.cap + EPS
        && r.overseer.is_none_or(|s| over[s] + weight <= part.overseers[s].1 + EPS)
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

/// Places unplaced sibling groups by displacing cheaper single cases from a worker, when the
/// group is worth more than what it displaces; displaced cases are then re-placed greedily.
fn eject_improve(m: &Model, part: &Part, a: &mut PartAlloc) {
    for _round in 0..3 {
        let mut improved = false;
        for (g, item) in part.groups.iter().enumerate() {
            if a.groups[g].is_some() {
                continue;
            }
            let before = value(m, part, a);
            let mut best: Option<(PartAlloc, f64)> = None;
            for j in 0..item.workers.len() {
                let mut trial = a.clone();
                if !make_room(part, &mut trial, item.workers[j], item.weight) {
                    continue;
                }
                trial.groups[g] = Some(j);
                greedy_fill(m, part, &mut trial);
                let v = value(m, part, &trial);
                if v > before + 1e-9 && best.as_ref().is_none_or(|b| v > b.1 + 1e-9) {
                    best = Some((trial, v));
                }
            }
            if let Some((trial, _)) = best {
                *a = trial;
                improved = true;
            }
        }
        if !improved {
            return;
        }
    }
}

/// Removes single cases from worker `w`, lowest value per weight first, until `weight` more
/// fits under its cap and its supervisor's oversight. False if it cannot.
fn make_room(part: &Part, a: &mut PartAlloc, w: usize, weight: f64) -> bool {
    let mut order: Vec<usize> = (0..part.classes.len()).collect();
    order.sort_by(|&x, &y| {
        let (cx, cy) = (&part.classes[x], &part.classes[y]);
        (cx.priority / cx.weight).total_cmp(&(cy.priority / cy.weight)).then(x.cmp(&y))
    });
    loop {
        let (load, over) = loads(part, a);
        if room_for(part, &load, &over, w, weight) {
            return true;
        }
        let cap_short = load[w] + weight > part.rooms[w].cap + EPS;
        // Remove from w itself when its cap binds; otherwise from any supervisee of the same
        // supervisor (the oversight binds).
        let removable = |a: &PartAlloc, k: usize| -> Option<usize> {
            let class = &part.classes[k];
            class.workers.iter().enumerate().find_map(|(p, &x)| {
                let here = if cap_short {
                    x == w
                } else {
                    part.rooms[x].overseer.is_some() && part.rooms[x].overseer == part.rooms[w].overseer
                };
                (here && a.counts[k][p] > 0).then_some(p)
            })
        };
        let Some((k, p)) = order.iter().find_map(|&k| removable(a, k).map(|p| (k, p))) else {
            return false;
        };
        a.counts[k][p] -= 1;
    }
}

/// Ties toward even loads: moves single cases between permitted workers while the objective
/// stays the same (or improves) and the sum of load^2/target falls.
fn level(m: &Model, part: &Part, a: &mut PartAlloc) {
    let (mut load, mut over) = loads(part, a);
    let abs_target: Vec<f64> = part.rooms.iter().map(|r| m.workers[r.worker].target.max(1e-3)).collect();
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
                    // The move must fit at w2 (its cap, and its supervisor's oversight, which
                    // the case leaves if w1 shares that supervisor).
                    let (r1, r2) = (&part.rooms[w1], &part.rooms[w2]);
                    let freed = if r2.overseer.is_some() && r2.overseer == r1.overseer { wt } else { 0.0 };
                    let fits = load[w2] + wt <= r2.cap + EPS
                        && r2.overseer.is_none_or(|s| over[s] - freed + wt <= part.overseers[s].1 + EPS);
                    if !fits {
                        continue;
                    }
                    let pen = m.policy.overload_penalty;
                    let d_over = pen * (overload(load[w1], r1.target) - overload(load[w1] - wt, r1.target))
                        - pen * (overload(load[w2] + wt, r2.target) - overload(load[w2], r2.target));
                    let d = unit_delta(m, part, a, k, from, -1) + unit_delta(m, part, a, k, to, 1) + d_over;
                    if d < -1e-9 {
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
