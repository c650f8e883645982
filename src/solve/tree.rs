//! Branch-and-bound over the Lagrangian (Dantzig-Wolfe) bound of [`super::lagrange`]: the
//! default integer search.
//!
//! A node is a [`NodeBounds`]: bounds on how many of a class a worker holds, and where a group may
//! go. Its bound is the Dantzig-Wolfe bound under those restrictions, found from the parent's
//! prices. When the master's solution is fractional, the search branches on the most
//! fractional choice: a class's total, a group placed at all, in a cross-team part a class's
//! count over a set of its workers (a run of them ordered by team, then worker), a sibling
//! group at a worker (there or not there), otherwise a class's count at a worker (at most its
//! floor, or at least its ceiling). The two children split the
//! lawful allocations of the node between them, so nothing is lost, and every allocation's value
//! lies on a lattice (see [`super::search::lattice`]), so a bound less than one step above the
//! incumbent proves it optimal.
//!
//! PartSearch order: best bound first, diving into the child that follows the master's solution
//! so that whole allocations come early. Every node's knapsack answers are rounded into
//! allocations too; the root of a part of one or two teams, after its first neighbourhoods,
//! also dives from its master by fixing columns ([`super::dive`]); and a cross-team part that
//! reaches a plateau after
//! [`super::params::Effort::plateau_polish_after`] nodes polishes its incumbent there once, as
//! a search stopped unproven would, and searches on with it.

use super::cuts;
use super::dive;
use super::driver::{self, Expanded, Tree};
use super::heuristics::round_relaxed;
use super::lagrange::{Cut, Decomposition, NodeBounds, Pattern, SetBound};
use super::master::{Allowance, Master, Outcome, Pool};
use super::search::PartSearch;
use super::Limits;

/// A node of the search; its bound, kept by the driver's queue, is the parent's (an upper bound
/// on its own).
struct Node {
    r: NodeBounds,
    /// The parent's patterns, and the positions of those its master's basis used.
    pool: std::rc::Rc<Pool>,
    prices: Vec<f64>,
    /// The incumbent's value when reduced-cost fixing last tightened `r` (on this node's path).
    fixed_at: f64,
    /// The part's root (whose prices may come from the rounds before its cuts).
    root: bool,
}

/// A choice to branch on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Choice {
    /// Group `g` at its `j`-th worker, with the master's share `y`.
    Group { g: usize, j: usize, y: f64 },
    /// Class `k` at its `j`-th worker, with the master's count `x`.
    Class { k: usize, j: usize, x: f64 },
    /// How many of class `k` are allocated in all, `x` in the master.
    Total { k: usize, x: f64 },
    /// Whether group `g` is placed at all, `y` in the master.
    Placed { g: usize, y: f64 },
    /// How many of class `k` the workers at places `from..upto` of its order (by team, then
    /// worker: [`Decomposition::rank`]) hold together, `x` in the master.
    Set { k: usize, from: usize, upto: usize, x: f64 },
}

/// Rounds of cuts at a root, at most: each its price rounds, then the cuts its master breaks.
const CUT_ROUNDS: usize = 8;

/// Searches the part, given a bound on it if one is known (else infinity) and the root's price
/// rounds if they were run already (converged), on the one [`driver`]; returns (proven
/// optimal, bound of what is left unexplored).
pub(super) fn search(
    dual: &Decomposition,
    s: &mut PartSearch,
    part_index: usize,
    limits: Limits,
    known_bound: f64,
    rounds: Option<Box<Outcome>>,
) -> (bool, f64) {
    let part = s.part;
    // Any prices bound the part: at zero, every worker's best load on its own.
    let zero = vec![0.0; dual.n_prices()];
    let at_zero = dual.evaluate(&zero, &NodeBounds::none(part)).map_or(dual.worth, |e| e.bound);
    // And at the compact relaxation's prices, where it gave them: at most its bound, however
    // little of the budget the relaxation left the root (a 20,000-case district's left none).
    let at_relaxed = dual.relaxation_prices.as_ref().and_then(|p| {
        let mut at = p.clone();
        at.resize(dual.n_prices(), 0.0);
        dual.evaluate(&at, &NodeBounds::none(part)).map(|e| e.bound)
    });
    let mut root_bound = at_zero.min(at_relaxed.unwrap_or(f64::INFINITY)).min(known_bound);
    let mut root = Node {
        r: NodeBounds::none(part),
        pool: Default::default(),
        prices: Vec::new(),
        fixed_at: f64::NEG_INFINITY,
        root: true,
    };
    // The root's price rounds, run beside the compact relaxation and converged (`start_part`):
    // the root's own, charged when the root takes them (its rounds from nothing within the
    // budget left would have been the same ones, so the search is the same as without them,
    // only sooner).
    let mut rounds = rounds.map(|out| *out);
    let mut with_cuts: Option<Decomposition> = None;
    if s.effort.root_cuts > 0 && part.teams().len() > 1 && !dual.stabilised {
        // Cuts across workers: the root's price rounds, then the cuts its master's solution
        // violates as rows of every master from here on, again from the rounds' prices (the
        // new cuts' at zero) and patterns while new cuts come; the root goes on from there.
        let mut cuts: Vec<Cut> = Vec::new();
        for _ in 0..CUT_ROUNDS {
            let now = with_cuts.as_ref().unwrap_or(dual);
            let start = (!root.prices.is_empty()).then_some(root.prices.as_slice());
            let out = match rounds.take() {
                Some(out) => ran_beside(s, out),
                None => price_rounds(now, s, &root.r, start, &root.pool, true, limits, None),
            };
            offer_rounded(now, s, out.candidates);
            root_bound = root_bound.min(out.bound);
            root.prices = out.prices;
            root.pool = std::rc::Rc::new(out.pool);
            let Some(master) = out.master.as_ref().filter(|_| out.converged && !s.prunable(root_bound))
            else {
                break;
            };
            let found =
                cuts::separate(now, master, s.best.as_ref(), s.effort.root_cuts.saturating_sub(cuts.len()));
            s.budget.charge(found.work);
            let new: Vec<Cut> = found.cuts.into_iter().filter(|c| !cuts.contains(c)).collect();
            limits.trace(|| {
                format!("    cuts: {} more at bound {:.3}, work {}", new.len(), out.bound, found.work)
            });
            if new.is_empty() {
                break;
            }
            limits.trace(|| "    cut rows added".to_string());
            cuts.extend(new);
            with_cuts = Some(dual.with_cuts(&cuts));
            root.prices.resize(with_cuts.as_ref().unwrap_or(dual).n_prices(), 0.0);
        }
    }
    let dual = with_cuts.as_ref().unwrap_or(dual);
    driver::run(
        &mut Lagrangian { dual, limits, polished: 0, rounds },
        s,
        root,
        root_bound,
        part_index,
        limits,
    )
}

/// The root's bound alone, for [`Limits::relaxation_only`]: its price rounds within the
/// budget (the bound of every round is proven, converged or not, and never above the bound at
/// zero prices, where they start), the allocations they round to offered to the search as the
/// tree's root offers them.
pub(super) fn root_bound(dual: &Decomposition, s: &mut PartSearch, limits: Limits) -> f64 {
    let out = price_rounds(dual, s, &NodeBounds::none(s.part), None, &Pool::default(), false, limits, None);
    offer_rounded(dual, s, out.candidates);
    out.bound
}

/// A node's price rounds under restriction `r`, from `start` prices and `pool` (stopping early
/// once the bound is prunable, if `prune`), within what the budget leaves, charged to it: one
/// node's rounds cannot overrun it either. Converged only as close to the bound as the search
/// asks ([`PartSearch::close`]), or as `closer` (absolute) where given, when that is closer
/// than the master's own relative closeness, pricing in every pattern worth more than that
/// over the workers ([`Allowance::close`]).
#[allow(clippy::too_many_arguments)]
fn price_rounds(
    dual: &Decomposition,
    s: &mut PartSearch,
    r: &NodeBounds,
    start: Option<&[f64]>,
    pool: &Pool,
    prune: bool,
    limits: Limits,
    closer: Option<f64>,
) -> Outcome {
    let effort = s.effort;
    let allowed = Allowance {
        rounds: effort.price_rounds,
        work: s.budget.left(),
        pivots: effort.pivots,
        pool_per_worker: effort.pool_per_worker,
        close: closer.or_else(|| s.close()),
    };
    let stop = || limits.stopped();
    let out = {
        let s = &*s;
        dual.bound(r, start, pool, allowed, &|b| prune && s.prunable(b), &stop)
    };
    s.budget.charge(out.work);
    out
}

/// Offers the allocations the knapsacks' answers give, each rounded (repaired and filled)
/// within what the budget leaves of the ejection work, charged to it.
fn offer_rounded(dual: &Decomposition, s: &mut PartSearch, candidates: Vec<Vec<Pattern>>) {
    for patterns in candidates {
        let mut a = dual.as_alloc(&patterns);
        let allowance = s.effort.eject_work.min(s.budget.left());
        let spent = round_relaxed(s.m, s.part, &mut a, allowance);
        s.budget.charge(spent);
        s.offer(a);
    }
}

/// The Lagrangian search's part of the [`driver`]: a node is searched by price rounds on its
/// Dantzig-Wolfe master, the knapsacks' answers rounded into allocations, reduced-cost fixing
/// and a choice to branch on.
struct Lagrangian<'d, 'a, 'l> {
    dual: &'d Decomposition<'a>,
    limits: Limits<'l>,
    /// Times the incumbent was polished at a plateau node
    /// ([`super::params::Effort::plateau_polishes`]).
    polished: u32,
    /// The root's price rounds, run beside the compact relaxation (`start_part`), until the
    /// root takes them.
    rounds: Option<Outcome>,
}

/// Price rounds run beside the search (the root's, see `start_part`), charged to it as
/// [`price_rounds`] charges its own.
fn ran_beside(s: &mut PartSearch, out: Outcome) -> Outcome {
    s.budget.charge(out.work);
    out
}

impl Tree<PartSearch<'_>> for Lagrangian<'_, '_, '_> {
    type Node = Node;

    fn expand(&mut self, s: &mut PartSearch<'_>, node: Node, node_bound: f64, _: bool) -> Expanded<Node> {
        let (dual, limits, part) = (self.dual, self.limits, s.part);
        let effort = s.effort;
        let start = (!node.prices.is_empty()).then_some(node.prices.as_slice());
        let out = match self.rounds.take().filter(|_| node.root) {
            Some(out) => ran_beside(s, out),
            None => price_rounds(dual, s, &node.r, start, &node.pool, true, limits, None),
        };
        limits.trace(|| {
            format!(
                "    node {}: bound {node_bound:.3} -> {:.3}, rounds {}, work {}, converged {}, best {:.1}",
                s.nodes, out.bound, out.iterations, out.work, out.converged, s.best_value
            )
        });
        let mut out = out;
        offer_rounded(dual, s, std::mem::take(&mut out.candidates));
        let mut bound = out.bound.min(node_bound);
        if s.prunable(bound) {
            return Expanded::Done;
        }
        // A converged master whose solution is whole is worth its objective, yet its bound
        // may stand above that by more than the search prunes within: the rounds stop when no
        // pattern is worth more than a millionth of its worker's price, and on a part of
        // prices in the thousands (oversight rows), where a fairness term of a ten-thousandth
        // decides, that left a 10-case model's node open, the part unproven. Priced again from
        // its prices, as close as the pruning needs: the bound meets the master, or the master
        // turns fractional and the node branches.
        if out.converged && s.budget.left() > 0 {
            if let Some(master) = out.master.as_ref().filter(|m| choose(m, &[]).is_none()) {
                s.offer(dive::whole(dual, master));
                if s.prunable(bound) {
                    return Expanded::Done;
                }
                let closer = Some(s.tolerance() / 4.0);
                let mut again =
                    price_rounds(dual, s, &node.r, Some(&out.prices), &out.pool, true, limits, closer);
                limits.trace(|| {
                    format!("    whole master short of its bound {bound}: priced again to {:.6}", again.bound)
                });
                offer_rounded(dual, s, std::mem::take(&mut again.candidates));
                bound = again.bound.min(bound);
                if s.prunable(bound) {
                    return Expanded::Done;
                }
                if again.master.is_some() {
                    out = again;
                }
            }
        }
        if !out.converged || out.master.is_none() {
            limits.trace(|| format!("    unresolved node: bound {bound}, price rounds {}", out.iterations));
        }
        let Some(master) = out.master else {
            return Expanded::Unresolved(bound);
        };
        // Set choices only in a cross-team part, and only while the path holds few set bounds:
        // measured, they closed a cross-team plateau of decimal weights (1,302 nodes unproven
        // to 61 proven) but doubled the nodes of one-team parts, and deeper paths of them
        // left a cross-team part of FTE caps where it was at ten times the work a node (each
        // adds a row to the master); in the neighbourhoods' small searches they lost the
        // incumbent the root's neighbourhoods found.
        let one_team = part.workers.iter().all(|w| w.team == part.workers[0].team);
        let sets = !one_team && node.r.sets.len() < s.effort.set_bounds;
        let rank: &[Vec<usize>] = if sets { &dual.rank } else { &[] };
        s.keep_guide(&master);
        if node.root {
            // A district's first incumbent near the bound, before the tree branches.
            s.root_guided(bound, limits);
        }
        let Some(first) = choose(&master, rank) else {
            // A whole master solution is an allocation worth at least the bound: optimal here.
            s.offer(dive::whole(dual, &master));
            // The allocation is worth the master's objective, which the bound meets: that proves
            // the node, unless the master's arithmetic drifted or it did not converge (then the
            // node stays open).
            if out.converged && s.prunable(bound) {
                return Expanded::Done;
            }
            limits.trace(|| format!("    whole master short of its bound {bound}: unresolved"));
            return Expanded::Unresolved(bound);
        };
        if !out.converged && s.budget.left() / UNRESOLVED_SHARE < out.work {
            // Too little budget left to search under the node as it was searched: give it up
            // (its bound kept), leaving the rest to polish the incumbent.
            return Expanded::Unresolved(bound);
        }
        if !out.converged {
            // The last restricted master, solved to its optimum over the patterns found so
            // far, is still a lawful point of the node's relaxation: its fractions split the
            // node as well as an optimal one's, and the children keep the node's bound, so the
            // search goes on instead of giving the node up.
            limits.trace(|| "      branching on the last master anyway".to_string());
        }
        s.offer_rounded(&master);
        if node.root && effort.dive_work > 0 && dive::dives(part) && s.budget.left() > 0 {
            // The root: its first neighbourhoods, within a share of their work that leaves the
            // dive its own, then a dive from its master; the neighbourhoods go on below from
            // the incumbent the dive leaves, if it is new.
            s.early_neighbourhoods(bound, effort.hoods_before_dive, effort.dive_work, limits);
            if s.prunable(bound) {
                return Expanded::Done;
            }
            let from = dive::From { r: &node.r, master: &master, pool: &out.pool, prices: &out.prices };
            dive::dive(dual, s, from, effort.dive_work.min(s.budget.left()), limits);
            if s.prunable(bound) {
                return Expanded::Done;
            }
        }
        s.early_neighbourhoods(bound, u64::MAX, 0, limits);
        // A plateau: the node's price rounds did not bring its bound below its parent's.
        let plateau = bound >= node_bound - crate::tolerance::GAIN * bound.abs().max(1.0);
        let polish = plateau && s.nodes >= effort.plateau_polish_after;
        if polish && self.polished < effort.plateau_polishes && polish_fits(s) {
            // The search of a cross-team plateau moves the bound little, node after node; what
            // it needs most is the incumbent the last polish would find.
            self.polished += 1;
            let (before, spent) = (s.best_value, s.budget.spent());
            s.polish(bound, limits);
            limits.trace(|| {
                let work = s.budget.spent() - spent;
                format!("      plateau polish: {before} -> {}, work {work}", s.best_value)
            });
        }
        if s.prunable(bound) {
            // The neighbourhoods brought the incumbent up to the node's bound.
            return Expanded::Done;
        }
        let pool = std::rc::Rc::new(out.pool);
        // Fixing by reduced cost once per incumbent on a path: a node whose ancestors were
        // fixed against the same incumbent gains little from doing it again.
        let fixed_at = s.best_value;
        let r = if fixed_at > node.fixed_at {
            let Some(r) = fix_by_reduced_cost(dual, s, &node.r, &out.prices, limits) else {
                return Expanded::Done;
            };
            r
        } else {
            node.r
        };
        let parent = Start { pool, prices: out.prices };
        let strong = if plateau {
            self.strong(s, &r, &ranked(&master, rank), bound, &parent, out.work)
        } else {
            Strong::Skipped
        };
        match strong {
            Strong::Skipped => {}
            Strong::Done => {
                limits.trace(|| "      strong branching: every child pruned".to_string());
                return Expanded::Done;
            }
            Strong::Branch(choice, kids) => {
                limits.trace(|| format!("      branch {choice:?} (strong)"));
                let node = |(r, bound, at): (NodeBounds, f64, Start)| {
                    (Node { r, pool: at.pool, prices: at.prices, fixed_at, root: false }, bound)
                };
                return Expanded::Children(kids.into_iter().map(node).collect());
            }
        }
        limits.trace(|| format!("      branch {first:?}"));
        // Both children start from the node's bound, pool and prices.
        let (a, b) = children(&r, first);
        let node =
            |r| Node { r, pool: parent.pool.clone(), prices: parent.prices.clone(), fixed_at, root: false };
        Expanded::Children([a, b].into_iter().flatten().map(|r| (node(r), bound)).collect())
    }

    /// None: a node holds only its restriction and shares its parent's pool, and the node
    /// limit bounds how many are open.
    fn open_cap(&self, _: &PartSearch<'_>) -> Option<usize> {
        None
    }
}

/// Whether the tree of this part polishes its incumbent at a plateau node now: the part works
/// across teams (a part of one team is searched as before), it has an incumbent and
/// neighbourhoods of its own (a neighbourhood's search has none), and its budget still holds
/// everything a polish may spend (its ejection chains and its neighbourhoods' allowances), so
/// the search goes on after it with the better incumbent; where it does not (a large
/// district's roots took most of the budget), the search's last polish is all there is.
fn polish_fits(s: &PartSearch) -> bool {
    let part = s.part;
    let teams = part.workers.iter().any(|w| w.team != part.workers[0].team);
    let hoods = s.neighbourhoods_reserve();
    teams && s.best.is_some() && hoods > 0 && s.budget.left() >= hoods.saturating_add(s.effort.polish_moves)
}

/// A node whose price rounds did not converge is branched on only while the budget left is
/// at least this many times what its rounds spent; otherwise it is given up as before, so the
/// budget that is left polishes the incumbent (measured: an 8-part points model with the
/// default node limit lost 50 from its proposal when those nodes were branched on).
const UNRESOLVED_SHARE: u64 = 4;

/// Where a child's price rounds start: the patterns and prices of the node (or of its own
/// strong-branching rounds).
struct Start {
    pool: std::rc::Rc<Pool>,
    prices: Vec<f64>,
}

/// What strong branching decided.
enum Strong {
    /// Not tried, or no candidate's children dropped their bounds: branch as usual.
    Skipped,
    /// One candidate's children are both pruned: nothing under the node beats the incumbent.
    Done,
    /// Branch on this choice: its children (those not pruned), each with its bound and start.
    Branch(Choice, Kids),
}

/// Children with their bounds and where their price rounds start.
type Kids = Vec<(NodeBounds, f64, Start)>;

/// Strong branching runs at a node whose bound is fewer than this many lattice steps above
/// the incumbent: there a child pruned at once is what the search needs.
const STRONG_STEPS: f64 = 4.0;
/// Candidates it tries at a node, the first of [`ranked`]. Measured on a 140-case team with
/// 7-decimal weights: 2 candidates took the proof from 308 nodes to 106; 8 took 250 nodes and
/// three times the time (each trial is a child's price rounds).
const STRONG_CANDIDATES: usize = 2;
/// Its work at a node: at most this many times the node's own price rounds' work (counted,
/// never timed), that work counted as at least [`STRONG_MIN_WORK`].
const STRONG_SHARE: u64 = 2;
const STRONG_MIN_WORK: u64 = 20_000_000;
/// Price rounds of one child's trial.
const STRONG_ROUNDS: u32 = 20;

impl Lagrangian<'_, '_, '_> {
    /// Strong branching on a plateau (a node within [`STRONG_STEPS`] lattice steps of the
    /// incumbent whose price rounds left its parent's bound where it was), in a part of one
    /// team (on cross-team parts it was measured to spend the budget without closing the
    /// plateau, at the cost of the incumbent's polish): each of a few candidates' two children
    /// gets a few price rounds from the node's prices and pool, within a counted allowance;
    /// the choice with the largest product of its children's bound drops is taken (a child that
    /// drops below one step above the incumbent is pruned at once; both, and the node is done),
    /// the children carrying the bounds and prices found. Every bound is the Lagrangian bound
    /// of the child's own restriction, so it is valid whatever the rounds.
    fn strong(
        &self,
        s: &mut PartSearch,
        r: &NodeBounds,
        ranked: &[Choice],
        bound: f64,
        parent: &Start,
        node_work: u64,
    ) -> Strong {
        let (dual, limits) = (self.dual, self.limits);
        let Some(delta) = s.delta else { return Strong::Skipped };
        let part = dual.part;
        if part.workers.iter().any(|w| w.team != part.workers[0].team) {
            return Strong::Skipped;
        }
        if s.best.is_none() || bound >= s.best_value + STRONG_STEPS * delta {
            return Strong::Skipped;
        }
        let mut left = node_work.max(STRONG_MIN_WORK).saturating_mul(STRONG_SHARE).min(s.budget.left());
        let stop = || limits.stopped();
        // (score, choice, children) of the best candidate so far.
        let mut best: Option<(f64, Choice, Kids)> = None;
        for &c in ranked.iter().take(STRONG_CANDIDATES) {
            if stop() {
                break;
            }
            // A choice with a side that cannot hold does not split the node: its other child
            // would be the node again.
            let (Some(a), Some(b)) = children(r, c) else { continue };
            let mut kids = Vec::new();
            let mut pruned = 0;
            for child in [a, b] {
                if left == 0 {
                    break;
                }
                let allowed = Allowance {
                    rounds: STRONG_ROUNDS,
                    work: left,
                    pivots: s.effort.pivots,
                    pool_per_worker: s.effort.pool_per_worker,
                    close: s.close(),
                };
                let out = dual.bound(
                    &child,
                    Some(&parent.prices),
                    &parent.pool,
                    allowed,
                    &|b| s.prunable(b),
                    &stop,
                );
                s.budget.charge(out.work);
                left = left.saturating_sub(out.work);
                let child_bound = out.bound.min(bound);
                if s.prunable(child_bound) {
                    pruned += 1;
                } else {
                    let start = Start { pool: std::rc::Rc::new(out.pool), prices: out.prices };
                    kids.push((child, child_bound, start));
                }
            }
            if pruned == 2 {
                return Strong::Done;
            }
            if kids.len() + pruned < 2 {
                // The allowance ran out inside this candidate.
                break;
            }
            if pruned == 1 {
                return Strong::Branch(c, kids);
            }
            // The product of the drops, each at least a little, so one drop without the other
            // still counts (as in SCIP's product score).
            let floor = 1e-3 * delta;
            let score = kids.iter().map(|k| (bound - k.1).max(floor)).product::<f64>();
            if score > floor * floor * (1.0 + crate::tolerance::GAIN)
                && best.as_ref().is_none_or(|b| score > b.0)
            {
                best = Some((score, c, kids));
            }
            if left == 0 {
                break;
            }
        }
        match best {
            Some((_, c, kids)) => Strong::Branch(c, kids),
            None => Strong::Skipped,
        }
    }
}

/// The node's restriction with every choice fixed whose other side the prices prove cannot
/// beat the incumbent ([`Decomposition::fix`]); None when those fixings cannot all hold (nothing
/// under the node beats the incumbent).
fn fix_by_reduced_cost(
    dual: &Decomposition,
    s: &mut PartSearch,
    r: &NodeBounds,
    prices: &[f64],
    limits: Limits,
) -> Option<NodeBounds> {
    if s.best.is_none() || prices.is_empty() {
        return Some(r.clone());
    }
    let (fixed, count, work) = dual.fix(r, prices, &|b| s.prunable(b));
    s.budget.charge(work);
    limits.trace(|| format!("      fixed {count} choices, work {work}"));
    match fixed {
        Some(f) if dual.evaluate(prices, &f).is_none() => None,
        Some(f) => Some(f),
        None => Some(r.clone()),
    }
}

/// Every fractional choice of the master's solution, in the order the search prefers them:
/// a class's total, then a group placed at all, then (with `rank`, set branching on) a class's
/// count over a set of its workers, then a group at a worker, then a class's count at a worker;
/// within each kind the most fractional first (ties by index). Empty when the master's solution
/// is whole.
fn ranked(master: &Master, rank: &[Vec<usize>]) -> Vec<Choice> {
    const EPS: f64 = crate::tolerance::INTEGRAL;
    let frac = |x: f64| {
        let fr = x - x.floor();
        fr.min(1.0 - fr)
    };
    // (kind, fractionality, order found, choice)
    let mut all: Vec<(u8, f64, usize, Choice)> = Vec::new();
    let mut push = |kind: u8, f: f64, c: Choice| {
        if f > EPS {
            let n = all.len();
            all.push((kind, f, n, c));
        }
    };
    for (k, xs) in master.x.iter().enumerate() {
        let x: f64 = xs.iter().sum();
        push(0, frac(x), Choice::Total { k, x });
    }
    for (g, ys) in master.y.iter().enumerate() {
        let y: f64 = ys.iter().sum();
        push(10, y.min(1.0 - y), Choice::Placed { g, y });
    }
    for (f, c) in set_choices(master, rank) {
        push(15, f, c);
    }
    for (g, ys) in master.y.iter().enumerate() {
        for (j, &y) in ys.iter().enumerate() {
            push(20, y.min(1.0 - y), Choice::Group { g, j, y });
        }
    }
    for (k, xs) in master.x.iter().enumerate() {
        for (j, &x) in xs.iter().enumerate() {
            push(30, frac(x), Choice::Class { k, j, x });
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    all.into_iter().map(|a| a.3).collect()
}

/// The choice the search branches on without strong branching: the first kind of [`ranked`]
/// that has one, its most fractional (the first found among those within
/// [`crate::tolerance::GAIN`] of each other); None when the master's solution is whole.
fn choose(master: &Master, rank: &[Vec<usize>]) -> Option<Choice> {
    const EPS: f64 = crate::tolerance::INTEGRAL;
    let mut best: Option<(f64, Choice)> = None;
    // A class allocated a fractional number of times in all: the bound's own slack.
    for (k, xs) in master.x.iter().enumerate() {
        let x: f64 = xs.iter().sum();
        let fr = x - x.floor();
        let f = fr.min(1.0 - fr);
        if f > EPS && best.is_none_or(|b| f > b.0 + crate::tolerance::GAIN) {
            best = Some((f, Choice::Total { k, x }));
        }
    }
    if best.is_some() {
        return best.map(|b| b.1);
    }
    for (g, ys) in master.y.iter().enumerate() {
        let y: f64 = ys.iter().sum();
        let f = y.min(1.0 - y);
        if f > EPS && best.is_none_or(|b| f > b.0 + crate::tolerance::GAIN) {
            best = Some((f, Choice::Placed { g, y }));
        }
    }
    if best.is_some() {
        return best.map(|b| b.1);
    }
    // A class's count over a set of its workers: before a group at one worker, which on
    // a cross-team plateau moved a group's share to the next worker at equal value.
    for (f, c) in set_choices(master, rank) {
        if best.is_none_or(|b| f > b.0 + crate::tolerance::GAIN) {
            best = Some((f, c));
        }
    }
    if best.is_some() {
        return best.map(|b| b.1);
    }
    for (g, ys) in master.y.iter().enumerate() {
        for (j, &y) in ys.iter().enumerate() {
            let f = y.min(1.0 - y);
            if f > EPS && best.is_none_or(|b| f > b.0 + crate::tolerance::GAIN) {
                best = Some((f, Choice::Group { g, j, y }));
            }
        }
    }
    if best.is_some() {
        return best.map(|b| b.1);
    }
    for (k, xs) in master.x.iter().enumerate() {
        for (j, &x) in xs.iter().enumerate() {
            let fr = x - x.floor();
            let f = fr.min(1.0 - fr);
            if f > EPS && best.is_none_or(|b| f > b.0 + crate::tolerance::GAIN) {
                best = Some((f, Choice::Class { k, j, x }));
            }
        }
    }
    best.map(|b| b.1)
}

/// For each class whose master counts are fractional at some worker, its most fractional
/// count over a split of its workers ordered by team, then worker (`rank`): the first of them
/// or the rest, whichever is the smaller set; with its fractionality, the first split among
/// equals. Empty when `rank` is (set branching off).
fn set_choices(master: &Master, rank: &[Vec<usize>]) -> Vec<(f64, Choice)> {
    const EPS: f64 = crate::tolerance::INTEGRAL;
    let mut out = Vec::new();
    for (k, xs) in master.x.iter().enumerate() {
        if xs.len() < 2 || k >= rank.len() {
            continue;
        }
        let mut by_place = vec![0.0; xs.len()];
        for (j, &x) in xs.iter().enumerate() {
            by_place[rank[k][j]] = x;
        }
        let n = xs.len();
        let total: f64 = xs.iter().sum();
        let mut sum = 0.0;
        let mut best: Option<(f64, Choice)> = None;
        for (upto, x) in by_place.iter().enumerate().take(n - 1).map(|(p, x)| (p + 1, x)) {
            sum += x;
            let fr = sum - sum.floor();
            let f = fr.min(1.0 - fr);
            // The smaller side: the first `upto` places, or the rest.
            let c = if 2 * upto <= n {
                Choice::Set { k, from: 0, upto, x: sum }
            } else {
                Choice::Set { k, from: upto, upto: n, x: total - sum }
            };
            if f > EPS && best.is_none_or(|b| f > b.0 + crate::tolerance::GAIN) {
                best = Some((f, c));
            }
        }
        out.extend(best);
    }
    out
}

/// The two children of a choice, the one the master leans to first; a child whose
/// restriction cannot hold is left out.
fn children(r: &NodeBounds, c: Choice) -> (Option<NodeBounds>, Option<NodeBounds>) {
    match c {
        Choice::Group { g, j, y } => {
            let mut there = r.clone();
            there.forced[g] = Some(j);
            let mut not = r.clone();
            not.allowed[g][j] = false;
            // A group sent elsewhere already, or kept from this worker, cannot be here.
            let there = Some(there).filter(|_| r.forced[g].is_none_or(|f| f == j) && r.allowed[g][j]);
            if y >= 0.5 {
                (there, Some(not))
            } else {
                (Some(not), there)
            }
        }
        Choice::Placed { g, y } => {
            let mut placed = r.clone();
            placed.must[g] = true;
            let mut not = r.clone();
            not.allowed[g].iter_mut().for_each(|a| *a = false);
            if y >= 0.5 {
                (Some(placed), Some(not))
            } else {
                (Some(not), Some(placed))
            }
        }
        Choice::Total { k, x } => {
            let down = x.floor() as u32;
            let mut le = r.clone();
            le.total[k].1 = le.total[k].1.min(down);
            let mut ge = r.clone();
            ge.total[k].0 = ge.total[k].0.max(down + 1);
            let ok = |r: &NodeBounds| r.total[k].0 <= r.total[k].1;
            let (le, ge) = (Some(le).filter(ok), Some(ge).filter(ok));
            if x - x.floor() >= 0.5 {
                (ge, le)
            } else {
                (le, ge)
            }
        }
        Choice::Set { k, from, upto, x } => {
            let down = x.floor() as u32;
            let (mut le, mut ge) = (r.clone(), r.clone());
            let at = r.sets.iter().position(|s| s.k == k && s.from == from && s.upto == upto);
            let t = at.unwrap_or(r.sets.len());
            if at.is_none() {
                let open = SetBound { k, from, upto, lo: 0, hi: r.total[k].1 };
                le.sets.push(open);
                ge.sets.push(open);
            }
            le.sets[t].hi = le.sets[t].hi.min(down);
            ge.sets[t].lo = ge.sets[t].lo.max(down + 1);
            let ok = |r: &NodeBounds| r.sets[t].lo <= r.sets[t].hi;
            let (le, ge) = (Some(le).filter(ok), Some(ge).filter(ok));
            if x - x.floor() >= 0.5 {
                (ge, le)
            } else {
                (le, ge)
            }
        }
        Choice::Class { k, j, x } => {
            let down = x.floor() as u32;
            let mut le = r.clone();
            le.hi[k][j] = le.hi[k][j].min(down);
            let mut ge = r.clone();
            ge.lo[k][j] = ge.lo[k][j].max(down + 1);
            let ok = |r: &NodeBounds| r.lo[k][j] <= r.hi[k][j];
            let (le, ge) = (Some(le).filter(ok), Some(ge).filter(ok));
            if x - x.floor() >= 0.5 {
                (ge, le)
            } else {
                (le, ge)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A master solution of these counts and shares, with no columns (choosing reads only those).
    fn master(x: Vec<Vec<f64>>, y: Vec<Vec<f64>>) -> Master {
        Master { x, y, columns: Vec::new() }
    }

    /// One class of 5 cases at two workers, one group at two workers, nothing restricted.
    /// The tree's search of `part` within 300 nodes of `effort`: (proven, bound of what is
    /// left, best value, trace lines that contain `needle`).
    fn search_counting(
        m: &crate::model::Model,
        part: &crate::formulate::Part,
        effort: super::super::params::Effort,
        needle: &str,
    ) -> (bool, f64, f64, usize) {
        use super::super::lp;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let seen = AtomicUsize::new(0);
        let see = |e: &super::super::Event| {
            if let super::super::Event::Trace(line) = e {
                if line.contains(needle) {
                    seen.fetch_add(1, Ordering::Relaxed);
                }
            }
        };
        let dual = Decomposition::new(m, part, &effort);
        let mut s = PartSearch::new(m, part, lp::build(m, part), effort);
        let limits = Limits {
            node_limit: Some(300),
            trace: true,
            observer: Some(super::super::Observer(&see)),
            ..Limits::default()
        };
        let (done, bound) = search(&dual, &mut s, 0, limits, f64::INFINITY, None);
        (done, bound, s.best_value, seen.load(Ordering::Relaxed))
    }

    /// Two searches of one part, each (proven, bound of what is left, best value): a proven
    /// optimum is never beaten by the other's answer nor cut off by its bound, and two proofs
    /// agree. Returns whether both proved.
    fn consistent(case: u32, a: (bool, f64, f64), b: (bool, f64, f64)) -> bool {
        let ((done_a, bound_a, best_a), (done_b, bound_b, best_b)) = (a, b);
        let tol = 1e-6 * best_a.abs().max(1.0);
        if done_a && done_b {
            assert!((best_a - best_b).abs() <= tol, "case {case}: {best_a} against {best_b}");
        }
        if done_b {
            assert!(best_a <= best_b + tol, "case {case}: {best_a} above the optimum {best_b}");
            assert!(done_a || bound_a.max(best_a) >= best_b - tol, "case {case}: bound {bound_a} < {best_b}");
        }
        if done_a {
            assert!(best_b <= best_a + tol, "case {case}: {best_b} above the optimum {best_a}");
            assert!(done_b || bound_b.max(best_b) >= best_a - tol, "case {case}: bound {bound_b} < {best_a}");
        }
        done_a && done_b
    }

    fn open() -> NodeBounds {
        NodeBounds {
            lo: vec![vec![0, 0]],
            hi: vec![vec![5, 5]],
            allowed: vec![vec![true, true]],
            forced: vec![None],
            total: vec![(0, 5)],
            must: vec![false],
            sets: Vec::new(),
        }
    }

    #[test]
    fn a_whole_master_solution_gives_nothing_to_branch_on() {
        let m = master(vec![vec![2.0, 3.0]], vec![vec![0.0, 1.0]]);
        assert_eq!(choose(&m, &[]), None);
    }

    #[test]
    fn branching_asks_totals_first_then_placement_then_groups_then_counts() {
        // A class's total fractional: that first, whatever else is.
        let m = master(vec![vec![1.5, 1.2]], vec![vec![0.5, 0.0]]);
        assert_eq!(choose(&m, &[]), Some(Choice::Total { k: 0, x: 2.7 }));
        // Totals whole, a group placed in part: whether it is placed at all.
        let m = master(vec![vec![1.5, 1.5]], vec![vec![0.3, 0.3]]);
        assert_eq!(choose(&m, &[]), Some(Choice::Placed { g: 0, y: 0.6 }));
        // Placed whole but split between workers: the most fractional share.
        let m = master(vec![vec![1.5, 1.5]], vec![vec![0.4, 0.6]]);
        assert!(matches!(choose(&m, &[]), Some(Choice::Group { g: 0, j: 0, .. })));
        // Only counts left: the most fractional count.
        let m = master(vec![vec![1.9, 2.1]], vec![vec![1.0, 0.0]]);
        assert!(matches!(choose(&m, &[]), Some(Choice::Class { k: 0, j: 0, .. })));
    }

    #[test]
    fn a_cross_team_part_branches_on_a_class_over_a_set_of_workers_before_a_group_at_one() {
        // Ranks: class 0's workers in the order 2, 0, 1, 3 (by team, then worker).
        let rank = vec![vec![1, 2, 0, 3]];
        // Whole total; places 0-3 hold 0.5, 1.0, 1.5, 1.0: the first place alone is most
        // fractional, and it is the smaller side.
        let m = master(vec![vec![1.0, 1.5, 0.5, 1.0]], vec![vec![0.4, 0.6]]);
        assert_eq!(choose(&m, &rank), Some(Choice::Set { k: 0, from: 0, upto: 1, x: 0.5 }));
        // The last place's fraction: the set is the rest, the smaller side.
        let m = master(vec![vec![1.0, 0.5, 1.0, 1.5]], vec![vec![0.0, 0.0]]);
        let ranked = ranked(&master(m.x.clone(), vec![vec![0.5, 0.0]]), &rank);
        // Placed first (kind 10), then the set (15), then the group (20), then counts (30).
        assert!(matches!(ranked[0], Choice::Placed { .. }));
        assert_eq!(ranked[1], Choice::Set { k: 0, from: 3, upto: 4, x: 1.5 });
        assert!(matches!(ranked[2], Choice::Group { .. }));
        assert!(matches!(ranked[3], Choice::Class { .. }));
        // The total fractional still comes first; without ranks no set is offered.
        let m = master(vec![vec![1.0, 1.5, 0.7, 1.0]], vec![vec![0.0, 0.0]]);
        assert!(matches!(choose(&m, &rank), Some(Choice::Total { .. })));
        let m = master(vec![vec![1.0, 1.5, 0.5, 1.0]], vec![vec![1.0, 0.0]]);
        assert!(matches!(choose(&m, &[]), Some(Choice::Class { .. })));
    }

    #[test]
    fn a_set_choice_adds_one_set_bound_and_tightens_it_when_asked_again() {
        let r = open();
        let (first, second) = children(&r, Choice::Set { k: 0, from: 0, upto: 1, x: 1.7 });
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first.sets, vec![SetBound { k: 0, from: 0, upto: 1, lo: 2, hi: 5 }]);
        assert_eq!(second.sets, vec![SetBound { k: 0, from: 0, upto: 1, lo: 0, hi: 1 }]);
        // The same set again: its bound tightens, no second row.
        let (a, b) = children(&first, Choice::Set { k: 0, from: 0, upto: 1, x: 3.2 });
        assert_eq!(a.unwrap().sets, vec![SetBound { k: 0, from: 0, upto: 1, lo: 2, hi: 3 }]);
        assert_eq!(b.unwrap().sets, vec![SetBound { k: 0, from: 0, upto: 1, lo: 4, hi: 5 }]);
        // Another set: a second row.
        let (a, _) = children(&first, Choice::Set { k: 0, from: 1, upto: 2, x: 0.5 });
        assert_eq!(a.unwrap().sets.len(), 2);
    }

    #[test]
    fn the_children_split_the_node_and_the_side_the_master_leans_to_comes_first() {
        let r = open();
        let (first, second) = children(&r, Choice::Class { k: 0, j: 1, x: 2.3 });
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!((first.hi[0][1], second.lo[0][1]), (2, 3));
        assert_eq!((first.lo[0][1], second.hi[0][1]), (0, 5));
        let (first, second) = children(&r, Choice::Total { k: 0, x: 3.8 });
        assert_eq!((first.unwrap().total[0], second.unwrap().total[0]), ((4, 5), (0, 3)));
        let (first, second) = children(&r, Choice::Group { g: 0, j: 1, y: 0.7 });
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!((first.forced[0], second.allowed[0].clone()), (Some(1), vec![true, false]));
        let (first, second) = children(&r, Choice::Placed { g: 0, y: 0.2 });
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!((first.allowed[0].clone(), second.must[0]), (vec![false, false], true));
    }

    #[test]
    fn a_child_whose_bounds_cross_is_left_out() {
        let mut r = open();
        r.lo[0][0] = 3;
        // At most 2 at worker 0 contradicts at least 3: only the other child is left.
        let (first, second) = children(&r, Choice::Class { k: 0, j: 0, x: 2.6 });
        assert_eq!(first.map(|c| c.lo[0][0]), Some(3));
        assert!(second.is_none());
    }

    /// Every (counts, group placement) of one class of 3 cases at two workers and one group
    /// at two workers (or none) that keeps to `r`.
    fn lawful(r: &NodeBounds) -> Vec<(Vec<u32>, Option<usize>)> {
        let mut out = Vec::new();
        for a in 0..=3u32 {
            for b in 0..=3 - a {
                for g in [None, Some(0), Some(1)] {
                    let counts = [a, b];
                    // Set bounds over the workers in their own order.
                    let sets = r.sets.iter().all(|s| {
                        let n: u32 = (s.from..s.upto).map(|j| counts[j]).sum();
                        s.lo <= n && n <= s.hi
                    });
                    let fits = (0..2).all(|j| r.lo[0][j] <= counts[j] && counts[j] <= r.hi[0][j])
                        && (r.total[0].0..=r.total[0].1).contains(&(a + b))
                        && sets;
                    let placed = match (r.forced[0], g) {
                        (Some(f), g) => g == Some(f) && r.allowed[0][f],
                        (None, Some(j)) => r.allowed[0][j],
                        (None, None) => !r.must[0],
                    };
                    if fits && placed {
                        out.push((counts.to_vec(), g));
                    }
                }
            }
        }
        out
    }

    /// Every branching rule's children split the node's lawful allocations: each lies in
    /// exactly one child, and no child holds one the node does not; found by trying every
    /// allocation of a tiny part, from the open node and from restricted ones.
    #[test]
    fn every_lawful_allocation_of_a_node_lies_in_exactly_one_child() {
        let mut nodes = vec![open()];
        let mut r = open();
        r.hi[0][0] = 2;
        r.total[0] = (1, 3);
        nodes.push(r.clone());
        r.allowed[0][1] = false;
        r.must[0] = true;
        nodes.push(r);
        let mut r = open();
        r.forced[0] = Some(1);
        r.lo[0][1] = 1;
        nodes.push(r);
        let mut r = open();
        r.sets.push(SetBound { k: 0, from: 0, upto: 1, lo: 1, hi: 2 });
        nodes.push(r.clone());
        r.sets.push(SetBound { k: 0, from: 1, upto: 2, lo: 0, hi: 1 });
        nodes.push(r);
        let choices = [
            Choice::Class { k: 0, j: 0, x: 1.5 },
            Choice::Class { k: 0, j: 1, x: 0.25 },
            Choice::Total { k: 0, x: 2.5 },
            Choice::Total { k: 0, x: 0.7 },
            Choice::Group { g: 0, j: 0, y: 0.5 },
            Choice::Group { g: 0, j: 1, y: 0.2 },
            Choice::Placed { g: 0, y: 0.6 },
            Choice::Set { k: 0, from: 0, upto: 1, x: 1.5 },
            Choice::Set { k: 0, from: 0, upto: 1, x: 0.4 },
            Choice::Set { k: 0, from: 1, upto: 2, x: 2.5 },
            Choice::Set { k: 0, from: 1, upto: 2, x: 0.5 },
        ];
        let mut checked = 0;
        for r in &nodes {
            let parent = lawful(r);
            for &c in &choices {
                let (a, b) = children(r, c);
                let kids: Vec<Vec<(Vec<u32>, Option<usize>)>> =
                    [a, b].into_iter().flatten().map(|k| lawful(&k)).collect();
                for x in &parent {
                    let n = kids.iter().filter(|k| k.contains(x)).count();
                    assert_eq!(n, 1, "{c:?} at {r:?}: {x:?} in {n} children");
                    checked += 1;
                }
                for k in &kids {
                    assert!(k.iter().all(|x| parent.contains(x)), "{c:?}: a child holds more than its node");
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn strong_branching_ranks_every_fractional_choice_by_kind_then_fraction() {
        let m = master(vec![vec![1.5, 1.2], vec![2.0, 0.1]], vec![vec![0.4, 0.0]]);
        let r = ranked(&m, &[]);
        assert_eq!(r[0], Choice::Total { k: 0, x: 2.7 });
        assert!(matches!(r[1], Choice::Total { k: 1, .. }));
        assert_eq!(r[2], Choice::Placed { g: 0, y: 0.4 });
        assert_eq!(r[3], Choice::Group { g: 0, j: 0, y: 0.4 });
        // Counts: 1.5 (half) first, then 1.2, then 0.1.
        let counts: Vec<Choice> = r[4..].to_vec();
        assert_eq!(
            counts,
            vec![
                Choice::Class { k: 0, j: 0, x: 1.5 },
                Choice::Class { k: 0, j: 1, x: 1.2 },
                Choice::Class { k: 1, j: 1, x: 0.1 }
            ]
        );
        // The plain choice is the first ranked.
        assert_eq!(choose(&m, &[]), Some(r[0]));
        assert!(ranked(&master(vec![vec![2.0]], vec![vec![1.0]]), &[vec![0]]).is_empty());
    }

    /// A small team with weights of several decimals and sibling groups.
    fn team(g: &mut crate::generate::SplitMix64) -> crate::model::Model {
        let nw = 2 + g.below(3);
        let workers: Vec<String> = (0..nw)
            .map(|w| {
                let fte = [1.0, 0.6, 0.8][g.below(3)];
                format!(r#"{{"id": "W{w}", "role": "social_worker", "team": "N", "fte": {fte}}}"#)
            })
            .collect();
        let cases: Vec<String> = (0..8 + g.below(6))
            .map(|c| {
                let weight = [0.35, 0.8, 1.25, 2.15, 1.1375][g.below(5)];
                let kind = ["looked_after", "child_in_need", "child_protection"][g.below(3)];
                let group =
                    if g.chance(0.3) { format!(r#", "group": "G{}""#, g.below(3)) } else { String::new() };
                format!(r#"{{"id": "C{c}", "type": "{kind}", "team": "N", "weight": {weight}{group}}}"#)
            })
            .collect();
        let json = format!(
            r#"{{"version": 1, "policy": {{"caps": {{"social_worker": 5.5}}, "targets": {{"social_worker": 4}},
                "overload_penalty": 20, "move_penalty": 10}}, "workers": [{}], "cases": [{}]}}"#,
            workers.join(","),
            cases.join(",")
        );
        crate::load_model_bytes("m.json", json.as_bytes()).expect("a lawful model")
    }

    /// A node whose price rounds stop short (2 to 6 rounds a node) is branched on, not given up,
    /// while the budget lasts: the search goes past the root, its bound stays above the
    /// optimum (found with the full rounds) and its proposal below it, and where it proves
    /// optimality the proposal is the optimum.
    #[test]
    fn an_unconverged_node_is_branched_on_and_its_bound_stays_valid() {
        use super::super::{lp, params::Effort};
        let mut g = crate::generate::SplitMix64::new(7);
        let (mut branched, mut proven) = (0, 0);
        for case in 0..60u32 {
            let m = team(&mut g);
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let run = |effort: Effort| {
                    let dual = Decomposition::new(&m, part, &effort);
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                    let limits = Limits { node_limit: Some(400), ..Limits::default() };
                    let (done, bound) = search(&dual, &mut s, 0, limits, f64::INFINITY, None);
                    (done, bound, s.best_value, s.nodes)
                };
                let (done, _, optimum, _) = run(Effort { nodes: Some(400), ..Effort::DEFAULT });
                if !done {
                    continue;
                }
                let (done, bound, best, nodes) =
                    run(Effort { nodes: Some(400), price_rounds: 2 + case % 5, ..Effort::DEFAULT });
                let tol = 1e-6 * optimum.abs().max(1.0);
                assert!(best <= optimum + tol, "case {case}: {best} above the optimum {optimum}");
                if done {
                    assert!((best - optimum).abs() <= tol, "case {case}: proven {best}, optimum {optimum}");
                    proven += 1;
                } else {
                    assert!(bound >= optimum - tol, "case {case}: bound {bound} below the optimum {optimum}");
                }
                branched += usize::from(nodes > 1);
            }
        }
        assert!(branched > 10 && proven > 5, "branched {branched}, proven {proven}");
    }

    /// A small district of two teams working across teams: weights of several decimals, caps
    /// scaled by FTE, siblings, a cross-team penalty.
    fn district(g: &mut crate::generate::SplitMix64) -> crate::model::Model {
        let nw = 3 + g.below(3);
        let workers: Vec<String> = (0..nw)
            .map(|w| {
                let fte = [1.0, 0.6, 0.8][g.below(3)];
                let team = ["N", "S"][w % 2];
                format!(r#"{{"id": "W{w}", "role": "social_worker", "team": "{team}", "fte": {fte}}}"#)
            })
            .collect();
        let cases: Vec<String> = (0..10 + g.below(8))
            .map(|c| {
                let weight = [0.35, 0.8, 1.25, 2.15, 1.1375][g.below(5)];
                let kind = ["looked_after", "child_in_need", "child_protection"][g.below(3)];
                let team = ["N", "S"][g.below(2)];
                let group =
                    if g.chance(0.2) { format!(r#", "group": "G{}""#, g.below(3)) } else { String::new() };
                format!(r#"{{"id": "C{c}", "type": "{kind}", "team": "{team}", "weight": {weight}{group}}}"#)
            })
            .collect();
        let json = format!(
            r#"{{"version": 1, "policy": {{"caps": {{"social_worker": 4.5}}, "targets": {{"social_worker": 4}},
                "overload_penalty": 20, "move_penalty": 10, "cross_team": true, "cross_team_penalty": 5}},
                "workers": [{}], "cases": [{}]}}"#,
            workers.join(","),
            cases.join(",")
        );
        crate::load_model_bytes("m.json", json.as_bytes()).expect("a lawful model")
    }

    /// The search with `on` against the default (both within 300 nodes) on 150 small
    /// cross-team districts drawn from `seed`: where both prove their answers, the answers
    /// agree; where only one does, the other's proposal is no better and the bound it leaves
    /// (of what it left unexplored) no lower ([`consistent`]). Returns how many parts agreed
    /// and on how many `on`'s trace shows `needle`, which the default's never does.
    fn against_the_default(seed: u64, on: super::super::params::Effort, needle: &str) -> (usize, usize) {
        use super::super::params::Effort;
        let mut g = crate::generate::SplitMix64::new(seed);
        let (mut agreed, mut seen) = (0, 0);
        for case in 0..150u32 {
            let m = district(&mut g);
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let (done_a, bound_a, best_a, seen_a) = search_counting(&m, part, on, needle);
                let default = Effort { nodes: on.nodes, ..Effort::DEFAULT };
                let (done_b, bound_b, best_b, seen_b) = search_counting(&m, part, default, needle);
                assert_eq!(seen_b, 0, "case {case}: {needle:?} by default");
                seen += usize::from(seen_a > 0);
                agreed += usize::from(consistent(case, (done_a, bound_a, best_a), (done_b, bound_b, best_b)));
            }
        }
        (agreed, seen)
    }

    /// Set branching (`Effort::set_bounds`) on small cross-team districts reaches the
    /// default's optimum, and branches on sets.
    #[test]
    fn set_branching_on_cross_team_districts_reaches_the_same_optimum() {
        use super::super::params::{Effort, SET_BOUNDS};
        let on = Effort { nodes: Some(300), set_bounds: SET_BOUNDS, ..Effort::DEFAULT };
        let (agreed, with_sets) = against_the_default(23, on, "branch Set");
        assert!(agreed > 100 && with_sets > 20, "agreed {agreed}, branched on sets in {with_sets}");
    }

    /// Cuts across workers at the root (`Effort::root_cuts`) of small cross-team districts
    /// reach the default's optimum, and the roots add cuts.
    #[test]
    fn cuts_at_the_root_of_cross_team_districts_reach_the_same_optimum() {
        use super::super::params::{Effort, ROOT_CUTS};
        let on = Effort { nodes: Some(300), root_cuts: ROOT_CUTS, ..Effort::DEFAULT };
        let (agreed, with_cuts) = against_the_default(41, on, "cut rows added");
        assert!(agreed > 100 && with_cuts > 0, "agreed {agreed}, added cuts in {with_cuts}");
    }

    /// A plateau polish needs a part of two teams or more, an incumbent, neighbourhoods of its
    /// own and a budget that holds everything a polish may spend.
    #[test]
    fn a_plateau_polish_needs_a_cross_team_part_an_incumbent_and_the_budget_for_it() {
        use super::super::{allocation::empty_alloc, lp, params::Effort};
        let mut g = crate::generate::SplitMix64::new(5);
        let effort =
            Effort { nodes: Some(300), subset_work: 50_000_000, chain_work: 50_000_000, ..Effort::DEFAULT };
        let (mut cross, mut alone) = (0, 0);
        for _ in 0..40 {
            let (m, one_team) = if g.chance(0.5) { (district(&mut g), false) } else { (team(&mut g), true) };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let teams = part.workers.iter().any(|w| w.team != part.workers[0].team);
                let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                assert!(!polish_fits(&s), "no incumbent yet");
                s.offer(empty_alloc(part));
                if s.best.is_none() {
                    continue;
                }
                assert_eq!(polish_fits(&s), teams, "one team: {one_team}");
                if !teams {
                    alone += 1;
                    continue;
                }
                cross += 1;
                // Without neighbourhoods of its own (a neighbourhood's search) there is none.
                let quiet = Effort { subset_work: 0, chain_work: 0, hood_work: 0, ..effort };
                let mut none = PartSearch::new(&m, part, lp::build(&m, part), quiet);
                none.offer(empty_alloc(part));
                assert!(!polish_fits(&none));
                // A budget that no longer holds the allowances and the chains: none either.
                let whole = s.neighbourhoods_reserve() + effort.polish_moves;
                assert!(whole >= effort.subset_work + effort.polish_moves);
                s.budget.charge(s.budget.left() - whole);
                assert!(polish_fits(&s));
                s.budget.charge(1);
                assert!(!polish_fits(&s));
            }
        }
        assert!(cross > 5 && alone > 5, "cross-team parts {cross}, one-team parts {alone}");
    }

    /// Polishing the incumbent on a plateau of small cross-team districts: it happens, and
    /// where the search with it and the search without it (`Effort::plateau_polishes` 0) both
    /// prove their answers, the answers agree; where only one proves its answer, the other's
    /// proposal is no better and the bound it leaves no lower.
    #[test]
    fn polishing_on_a_plateau_keeps_every_proven_answer_and_every_bound_valid() {
        use super::super::params::Effort;
        let mut g = crate::generate::SplitMix64::new(29);
        let (mut agreed, mut polished) = (0, 0);
        for case in 0..120u32 {
            let m = district(&mut g);
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let run = |plateau_polishes: u32| {
                    let effort = Effort {
                        nodes: Some(300),
                        subset_work: 50_000_000,
                        chain_work: 50_000_000,
                        plateau_polishes,
                        // From the first plateau node, so that small searches polish too.
                        plateau_polish_after: 1,
                        ..Effort::DEFAULT
                    };
                    search_counting(&m, part, effort, "plateau polish")
                };
                let (done_a, bound_a, best_a, seen_a) = run(1);
                let (done_b, bound_b, best_b, seen_b) = run(0);
                assert_eq!(seen_b, 0, "case {case}: a plateau polish with plateau_polishes 0");
                assert!(seen_a <= 1, "case {case}: {seen_a} plateau polishes");
                polished += seen_a;
                agreed += usize::from(consistent(case, (done_a, bound_a, best_a), (done_b, bound_b, best_b)));
            }
        }
        assert!(agreed > 80 && polished > 5, "agreed {agreed}, polished on a plateau {polished}");
    }

    /// The root dive ([`dive::dive`]) on small teams and districts: what it keeps is worth no
    /// more than the optimum the full search proves, and it finds that optimum on more than
    /// half of them; its work is charged to the part's budget once, and a second dive from the
    /// same root keeps the same allocation. Its exact completion of the last few free workers
    /// keeps more than the greedy completion alone on more parts than it keeps less (the two
    /// dives part ways once the incumbents differ). Fixing a worker to a pattern leaves its
    /// knapsack exactly that pattern's counts.
    #[test]
    fn a_dive_offers_lawful_allocations_up_to_the_optimum() {
        use super::super::{allocation, lp, params::Effort};
        let mut g = crate::generate::SplitMix64::new(41);
        let (mut dived, mut reached, mut gained, mut lost) = (0, 0, 0, 0);
        for case in 0..80u32 {
            let m = if case % 2 == 0 { team(&mut g) } else { district(&mut g) };
            let problem = crate::formulate::formulate(&m, &crate::rules::eligibility(&m));
            for part in problem.parts.iter().filter(|p| !p.is_network()) {
                let effort = Effort { nodes: Some(400), dive_work: 0, ..Effort::DEFAULT };
                let limits = Limits { node_limit: Some(400), ..Limits::default() };
                let dual = Decomposition::new(&m, part, &effort);
                let mut full = PartSearch::new(&m, part, lp::build(&m, part), effort);
                let (done, _) = search(&dual, &mut full, 0, limits, f64::INFINITY, None);
                if !done || full.best.is_none() {
                    continue;
                }
                let optimum = full.best_value;
                // The root's master, then the dive from it alone.
                let root = NodeBounds::none(part);
                let allowed = Allowance {
                    rounds: 400,
                    work: u64::MAX,
                    pivots: 20_000,
                    pool_per_worker: 16,
                    close: None,
                };
                let out = dual.bound(&root, None, &Pool::default(), allowed, &|_| false, &|| false);
                let Some(master) = out.master else { continue };
                let run_with = |effort: Effort| {
                    let mut s = PartSearch::new(&m, part, lp::build(&m, part), effort);
                    let from = dive::From { r: &root, master: &master, pool: &out.pool, prices: &out.prices };
                    let work = dive::dive(&dual, &mut s, from, 1_000_000_000, limits);
                    assert_eq!(work, s.budget.spent(), "case {case}: the dive's work charged once");
                    s.best
                };
                let run = || run_with(effort);
                let Some(a) = run() else { continue };
                assert_eq!(Some(&a), run().as_ref(), "case {case}: a second dive differs");
                let a = &a;
                dived += 1;
                let v = allocation::value(&m, part, a);
                let tol = 1e-6 * optimum.abs().max(1.0);
                assert!(v <= optimum + tol, "case {case}: the dive's {v} above the optimum {optimum}");
                reached += usize::from(v >= optimum - tol);
                if let Some(greedy) = run_with(Effort { dive_exact_free: 0, ..effort }) {
                    let w = allocation::value(&m, part, &greedy);
                    gained += usize::from(v > w + tol);
                    lost += usize::from(v < w - tol);
                }
                // Each worker fixed to the master's first column of it: its knapsack at zero
                // prices takes exactly that column's counts.
                for (w, p, _) in &master.columns {
                    let mut r = NodeBounds::none(part);
                    dive::fix(&dual, &mut r, *w, p);
                    let zero = vec![0.0; dual.n_prices()];
                    let (q, ..) = dual.knapsack(*w, &zero, &r).expect("a pattern fixed is lawful");
                    let held = |p| {
                        let (mut classes, mut groups) = dual.holds(*w, p);
                        classes.retain(|c| c.2 > 0);
                        classes.sort_unstable();
                        groups.sort_unstable();
                        (classes, groups)
                    };
                    assert_eq!(held(p), held(&q), "case {case}");
                }
            }
        }
        assert!(dived > 40 && 2 * reached > dived, "dived {dived}, reached the optimum {reached}");
        assert!(gained > lost, "the exact completion gained on {gained} of {dived}, lost on {lost}");
    }
}
