//! The one branch-and-bound driver both integer searches run on ([`super::tree`] over the
//! Lagrangian bound, [`super::search`] over the compact programme), as HiGHS keeps one
//! `HighsSearch` over one node queue.
//!
//! The driver owns the skeleton: the open nodes ([`Queued`], best bound first), the plunge
//! (the best child of each node is searched next, its siblings parked), pruning against the
//! incumbent, the node limit (nodes and work, granted again while the search makes progress:
//! [`Follow`]), the progress events, the bound of nodes given up unresolved, the open-node
//! memory cap with its depth-first fallback, and the answer: proven optimal, or the bound of
//! what is left after polishing the incumbent.
//! A search plugs in how one node is searched ([`Tree::expand`]); the incumbent is the
//! search's own ([`Incumbent`]: [`super::search::PartSearch`] for both searches).

use super::params::Effort;
use super::queue::{max_bound, Queued};
use super::{Event, Limits};
use std::collections::BinaryHeap;

/// What the driver needs of the incumbent and its account: [`super::search::PartSearch`]
/// for both searches.
pub(super) trait Incumbent {
    /// Can nothing under a node with this bound beat the incumbent?
    fn prunable(&self, bound: f64) -> bool;
    /// The incumbent's value (negative infinity when there is none).
    fn best_value(&self) -> f64;
    /// Counts one node searched; returns the nodes searched so far.
    fn count_node(&mut self) -> u64;
    /// What the node limit is checked against: the nodes searched, or the work spent in
    /// nodes' worth, whichever is more.
    fn spent_nodes(&self) -> u64;
    /// The limits and tunables of the search.
    fn effort(&self) -> &Effort;
    /// Improves the incumbent when the search stops unproven; true when it is then proven
    /// optimal under `bound`.
    fn polish(&mut self, bound: f64, limits: Limits) -> bool;
    /// Grants the search `nodes` more nodes of budget (their work too) for its progress
    /// ([`Effort::progress_slices`]); false when its effort grants none.
    fn extend(&mut self, _nodes: u64) -> bool {
        false
    }
    /// The step of the lattice every value of the part lies on, if there is one.
    fn step(&self) -> Option<f64> {
        None
    }
    /// Runs `rest`, the search after its root (whose open bound is `bound`), and gives its
    /// answer; an incumbent may polish itself as it stands beside it
    /// ([`super::search::PartSearch`] does on a cross-team district), and may run `rest`
    /// again once the search stopped unproven (`true`: the search goes on from the node where
    /// it stopped, granted its budget again when its effort grants any).
    fn beside(
        &mut self,
        _bound: f64,
        _limits: Limits,
        rest: &mut dyn FnMut(&mut Self, bool) -> (bool, f64),
    ) -> (bool, f64) {
        rest(self, false)
    }
}

/// What searching one node gave.
pub(super) enum Expanded<N> {
    /// Nothing under the node is left to search: it was whole (and offered), pruned, or
    /// proven empty.
    Done,
    /// The node could not be resolved (a numerical failure, or its bound did not converge):
    /// given up, with this bound on what it held.
    Unresolved(f64),
    /// Its children with their bounds, the one to search first first.
    Children(Vec<(N, f64)>),
}

/// A search's own part of the branch-and-bound: how a node is searched and branched.
pub(super) trait Tree<I: Incumbent> {
    /// A node of the search.
    type Node;

    /// Searches `node`, whose bound is `bound`: offers what it finds to `s` and gives its
    /// children. `depth_first` is set when the driver is finishing a subtree depth-first
    /// under the open-node cap.
    fn expand(&mut self, s: &mut I, node: Self::Node, bound: f64, depth_first: bool) -> Expanded<Self::Node>;

    /// Open nodes kept best-first before a parked subtree is finished depth-first instead
    /// (a memory bound); None keeps every open node.
    fn open_cap(&self, s: &I) -> Option<usize>;
}

/// Best-first branch-and-bound with plunging from `root` (bound `root_bound`) over `tree`,
/// for part `part` (its progress events). Returns (proven optimal, best bound of what is left
/// unexplored; negative infinity when proven). Once the root has children, the search after it
/// runs through [`Incumbent::beside`], which may polish the root's incumbent beside it and
/// have the search go on from where it stopped with what the polish found.
pub(super) fn run<I: Incumbent, T: Tree<I>>(
    tree: &mut T,
    s: &mut I,
    root: T::Node,
    root_bound: f64,
    part: usize,
    limits: Limits,
) -> (bool, f64) {
    let mut walk = Walk {
        open: BinaryHeap::new(),
        seq: 0,
        current: Some(Queued::new(root, root_bound, 0)),
        lost: f64::NEG_INFINITY,
        follow: Follow::new(limits.node_limit, s.effort().progress_slices),
    };
    if let Some(done) = walk.go(tree, s, part, limits, true) {
        return done;
    }
    let open_bound = max_bound(&walk.open, max_bound(&walk.current, walk.lost));
    s.beside(open_bound, limits, &mut |s: &mut I, again: bool| {
        if again {
            walk.follow.grant(s);
        }
        walk.go(tree, s, part, limits, false).unwrap_or((false, f64::INFINITY))
    })
}

/// The state of one search: its open nodes, the node plunged into, and its account.
struct Walk<N> {
    open: BinaryHeap<Queued<N>>,
    seq: u64,
    current: Option<Queued<N>>,
    /// The largest bound of a node given up unresolved.
    lost: f64,
    follow: Follow,
}

impl<N> Walk<N> {
    /// Searches on until the end (Some: proven optimal, and the bound left), or, with
    /// `root_only`, until the first node searched has queued its children (None).
    fn go<I: Incumbent, T: Tree<I, Node = N>>(
        &mut self,
        tree: &mut T,
        s: &mut I,
        part: usize,
        limits: Limits,
        root_only: bool,
    ) -> Option<(bool, f64)> {
        let Walk { open, seq, current, lost, follow } = self;
        while let Some(queued) = current.take().or_else(|| open.pop()) {
            let bound = queued.bound;
            if s.prunable(bound) {
                continue;
            }
            if follow.reached(s, limits, || max_bound(&*open, bound).max(*lost)) {
                // Kept, so that a search that goes on starts from this very node.
                *current = Some(queued);
                return Some(stopped(s, max_bound(&*open, bound).max(*lost), limits));
            }
            let Queued { node, .. } = queued;
            let nodes = s.count_node();
            tell(s, nodes, part, limits, || max_bound(&*open, bound).max(*lost));
            let kids = match tree.expand(s, node, bound, false) {
                Expanded::Done => {
                    follow.searched(true);
                    continue;
                }
                Expanded::Unresolved(b) => {
                    follow.searched(false);
                    *lost = lost.max(b);
                    continue;
                }
                Expanded::Children(kids) => kids,
            };
            let top = kids.iter().map(|k| k.1).fold(f64::NEG_INFINITY, f64::max);
            follow.searched(bound - top >= Follow::moved_by(s, bound));
            let mut kids = kids.into_iter();
            if let Some((n, b)) = kids.next() {
                *seq += 1;
                *current = Some(Queued::new(n, b, *seq));
            }
            let rest: Vec<(N, f64)> = kids.collect();
            let bounds: Vec<f64> = rest.iter().map(|k| k.1).collect();
            for (i, (n, b)) in rest.into_iter().enumerate() {
                *seq += 1;
                if tree.open_cap(s).is_some_and(|cap| open.len() >= cap) {
                    // Memory cap: finish this subtree depth-first instead of parking it. Every
                    // other node left (open, plunged into, siblings still to park) is outside it.
                    let siblings = bounds[i + 1..].iter().copied().fold(*lost, f64::max);
                    let outside = max_bound(&*open, max_bound(&*current, siblings));
                    let mut stack = vec![Queued::new(n, b, *seq)];
                    if !depth_first(tree, s, &mut stack, part, (limits, follow.limit), outside, lost) {
                        // The subtree's nodes left and the siblings not yet parked are given
                        // up: their bound stays with a search that goes on.
                        *lost = max_bound(&stack, siblings).max(*lost);
                        return Some(stopped(s, max_bound(&stack, outside).max(*lost), limits));
                    }
                } else {
                    open.push(Queued::new(n, b, *seq));
                }
            }
            if root_only {
                return None;
            }
        }
        if *lost > f64::NEG_INFINITY && !s.prunable(*lost) {
            return Some(stopped(s, *lost, limits));
        }
        Some((true, f64::NEG_INFINITY))
    }
}

/// The node limit of a search whose budget follows its progress ([`Effort::progress_slices`]):
/// at three quarters of its budget, the search is granted the budget it was given again when,
/// since the half, a quarter or more of the nodes it searched (at least [`Follow::SEEN`]) were
/// closed or lowered their bound by an eighth of a lattice step, and the open bound fell or
/// the incumbent rose; at most `slices` times, each slice judged the same way. Why both sides:
/// the small points schemes a larger budget proves find the allocation that proves them late,
/// while their open bound stands; on the cross-team plateaus nodes close as fast as new ones
/// open at the same bound, and neither the bound nor the incumbent moves. Decided on nodes
/// and work alone, so every run stops at the same place whatever the threads.
struct Follow {
    /// The node limit now (`None`: no limit).
    limit: Option<u64>,
    /// The limit the search was given: each grant is that again.
    base: u64,
    /// Grants left.
    slices: u32,
    /// The open bound and the incumbent at the half of the current slice, once passed.
    mark: Option<(f64, f64)>,
    /// This slice has been judged.
    judged: bool,
    /// Nodes searched since the mark, and those of them that were closed or lowered their bound.
    seen: u64,
    moved: u64,
}

impl Follow {
    /// Nodes a slice's last quarter must have searched for its progress to count.
    const SEEN: u64 = 8;

    fn new(limit: Option<u64>, slices: u32) -> Follow {
        Follow { limit, base: limit.unwrap_or(0), slices, mark: None, judged: false, seen: 0, moved: 0 }
    }

    /// How far a node's children's bounds must fall below its bound for it to count as moved:
    /// an eighth of the lattice step, or the tolerance of a gain without a lattice.
    fn moved_by<I: Incumbent>(s: &I, bound: f64) -> f64 {
        s.step().map_or(crate::tolerance::GAIN * bound.abs().max(1.0), |step| step / 8.0)
    }

    /// Counts a node searched since the mark: `moved` when it was closed or its children's
    /// bounds fell below its own.
    fn searched(&mut self, moved: bool) {
        if self.mark.is_some() && !self.judged {
            self.seen += 1;
            self.moved += u64::from(moved);
        }
    }

    /// Whether the search stops here: stopped from outside, or its node limit reached and not
    /// extended. `open_bound` is the bound of every node left.
    fn reached<I: Incumbent>(&mut self, s: &mut I, limits: Limits, open_bound: impl Fn() -> f64) -> bool {
        if limits.stopped() {
            return true;
        }
        let Some(limit) = self.limit else { return false };
        let spent = s.spent_nodes();
        if self.slices > 0 && !self.judged {
            if self.mark.is_none() && spent >= limit.saturating_sub(self.base / 2) {
                self.mark = Some((open_bound(), s.best_value()));
            } else if let Some((then, was)) =
                self.mark.filter(|_| spent >= limit.saturating_sub(self.base / 4))
            {
                self.judged = true;
                let now = open_bound();
                let fell = then - now > crate::tolerance::GAIN * now.abs().max(1.0);
                let rose = s.best_value() > was;
                let busy = self.seen >= Self::SEEN && 4 * self.moved >= self.seen;
                let grant = busy && (fell || rose);
                limits.trace(|| {
                    format!(
                        "    budget at three quarters: open bound {then:.3} -> {now:.3}, incumbent {was} -> {}, \
                         {} of {} nodes moved, granted again {grant}",
                        s.best_value(),
                        self.moved,
                        self.seen
                    )
                });
                if grant && self.grant(s) {
                    self.slices -= 1;
                    (self.mark, self.judged, self.seen, self.moved) = (None, false, 0, 0);
                }
            }
        }
        spent >= self.limit.unwrap_or(u64::MAX)
    }

    /// Grants the search the budget it was given once more, when its effort grants any: for its
    /// progress ([`Follow::reached`]), or to go on with a better incumbent
    /// ([`Incumbent::beside`]). False when not granted (no node limit, or an exact one).
    fn grant<I: Incumbent>(&mut self, s: &mut I) -> bool {
        let Some(limit) = self.limit else { return false };
        if !s.extend(self.base) {
            return false;
        }
        self.limit = Some(limit.saturating_add(self.base));
        true
    }
}

/// Plain depth-first search of a stack of nodes, the best child on top; false if the limits
/// (those of the command, and the node limit now) stopped it (the node it stopped at back on
/// the stack). `outside` bounds every node not on the stack, for the progress events.
fn depth_first<I: Incumbent, T: Tree<I>>(
    tree: &mut T,
    s: &mut I,
    stack: &mut Vec<Queued<T::Node>>,
    part: usize,
    (limits, node_limit): (Limits, Option<u64>),
    outside: f64,
    lost: &mut f64,
) -> bool {
    while let Some(top) = stack.pop() {
        if s.prunable(top.bound) {
            continue;
        }
        if limits.stopped() || node_limit.is_some_and(|n| s.spent_nodes() >= n) {
            stack.push(top);
            return false;
        }
        let Queued { bound, node, .. } = top;
        let nodes = s.count_node();
        tell(s, nodes, part, limits, || max_bound(stack.iter(), bound.max(outside)).max(*lost));
        match tree.expand(s, node, bound, true) {
            Expanded::Done => {}
            Expanded::Unresolved(b) => *lost = lost.max(b),
            Expanded::Children(kids) => {
                for (n, b) in kids.into_iter().rev() {
                    // A stack needs no tie key: its order is its own.
                    stack.push(Queued::new(n, b, 0));
                }
            }
        }
    }
    true
}

/// The answer of a search that stops unproven with `bound` left: the incumbent polished
/// (unless the run was stopped from outside), proven when polishing brought it within the
/// bound.
fn stopped<I: Incumbent>(s: &mut I, bound: f64, limits: Limits) -> (bool, f64) {
    (!limits.stopped() && s.polish(bound, limits), bound)
}

/// Reports progress every [`Effort::progress_every`] nodes.
fn tell<I: Incumbent>(s: &I, nodes: u64, part: usize, limits: Limits, bound: impl FnOnce() -> f64) {
    if nodes % s.effort().progress_every.max(1) == 0 {
        limits.tell(Event::Searching { part, nodes, best: s.best_value(), bound: bound() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::rc::Rc;

    /// The bounds of the nodes alive (made and not yet dropped), by when they were made.
    type Alive = Rc<RefCell<BTreeMap<u64, f64>>>;

    /// A tiny 0/1 knapsack: (value, weight) of each item and the capacity.
    struct Knapsack {
        items: Vec<(f64, f64)>,
        capacity: f64,
        /// Nodes at this depth whose first item was taken are given up unresolved.
        fail_at: Option<usize>,
        /// Nodes alive, nodes made, and the most alive at an expansion.
        live: Alive,
        made: u64,
        most_live: usize,
        depth_first_seen: bool,
        lost_given: f64,
    }

    /// A node: the items decided so far, their value and weight. Dropping it takes it out of
    /// the nodes alive.
    struct Pick {
        next: usize,
        value: f64,
        weight: f64,
        took_first: bool,
        id: u64,
        live: Alive,
    }

    impl Drop for Pick {
        fn drop(&mut self) {
            self.live.borrow_mut().remove(&self.id);
        }
    }

    /// The toy's incumbent: its best value and its count.
    struct Best {
        value: f64,
        nodes: u64,
        effort: Effort,
        polished: u32,
        /// Set when a stop's bound was below a node still to search that could beat the
        /// incumbent.
        uncovered: bool,
        live: Alive,
    }

    impl Incumbent for Best {
        fn prunable(&self, bound: f64) -> bool {
            bound <= self.value + 1e-9
        }
        fn best_value(&self) -> f64 {
            self.value
        }
        fn count_node(&mut self) -> u64 {
            self.nodes += 1;
            self.nodes
        }
        fn spent_nodes(&self) -> u64 {
            self.nodes
        }
        fn effort(&self) -> &Effort {
            &self.effort
        }
        fn extend(&mut self, _: u64) -> bool {
            self.effort.progress_slices > 0
        }
        fn step(&self) -> Option<f64> {
            Some(10.0)
        }
        fn polish(&mut self, bound: f64, _: Limits) -> bool {
            // Polishing comes before the driver drops what it left open: those nodes are alive.
            let left = self.live.borrow().values().copied().fold(f64::NEG_INFINITY, f64::max);
            self.uncovered |= left > bound && !self.prunable(left);
            self.polished += 1;
            self.prunable(bound)
        }
    }

    impl Knapsack {
        fn new(n: usize, fail_at: Option<usize>) -> Knapsack {
            // Values and weights from a fixed little generator.
            let items = (0..n).map(|i| ((7 + 13 * i % 23) as f64, (3 + 11 * i % 17) as f64)).collect();
            let capacity = (0..n).map(|i| (3 + 11 * i % 17) as f64).sum::<f64>() / 2.0;
            Knapsack {
                items,
                capacity,
                fail_at,
                live: Alive::default(),
                made: 0,
                most_live: 0,
                depth_first_seen: false,
                lost_given: f64::NEG_INFINITY,
            }
        }

        fn pick(&mut self, next: usize, value: f64, weight: f64, took_first: bool) -> (Pick, f64) {
            self.made += 1;
            let p = Pick { next, value, weight, took_first, id: self.made, live: self.live.clone() };
            // A weak bound (every item left, whatever it weighs), so the tree is large.
            let b = value + self.items[next..].iter().map(|i| i.0).sum::<f64>();
            self.live.borrow_mut().insert(p.id, b);
            (p, b)
        }

        /// The optimum by trying every subset.
        fn brute(&self) -> f64 {
            let n = self.items.len();
            (0u32..1 << n)
                .filter_map(|set| {
                    let (v, w) = (0..n)
                        .filter(|i| set >> i & 1 == 1)
                        .fold((0.0, 0.0), |(v, w), i| (v + self.items[i].0, w + self.items[i].1));
                    (w <= self.capacity).then_some(v)
                })
                .fold(0.0, f64::max)
        }
    }

    impl Tree<Best> for Knapsack {
        type Node = Pick;

        fn expand(&mut self, s: &mut Best, p: Pick, bound: f64, depth_first: bool) -> Expanded<Pick> {
            self.most_live = self.most_live.max(self.live.borrow().len());
            self.depth_first_seen |= depth_first;
            if self.fail_at == Some(p.next) && p.took_first {
                self.lost_given = self.lost_given.max(bound);
                return Expanded::Unresolved(bound);
            }
            if p.next == self.items.len() {
                s.value = s.value.max(p.value);
                return Expanded::Done;
            }
            let (v, w) = self.items[p.next];
            let took_first = p.took_first || p.next == 0;
            let mut kids = Vec::new();
            if p.weight + w <= self.capacity {
                kids.push(self.pick(p.next + 1, p.value + v, p.weight + w, took_first));
            }
            kids.push(self.pick(p.next + 1, p.value, p.weight, p.took_first));
            kids.sort_by(|a, b| b.1.total_cmp(&a.1));
            Expanded::Children(kids)
        }

        fn open_cap(&self, s: &Best) -> Option<usize> {
            Some(s.effort.open_nodes)
        }
    }

    /// Searches the knapsack of `n` items with at most `open_nodes` open.
    fn solve(
        n: usize,
        fail_at: Option<usize>,
        open_nodes: usize,
        limits: Limits,
    ) -> (Knapsack, Best, (bool, f64)) {
        let mut t = Knapsack::new(n, fail_at);
        let mut s = Best {
            value: f64::NEG_INFINITY,
            nodes: 0,
            effort: Effort { open_nodes, ..Effort::DEFAULT },
            polished: 0,
            uncovered: false,
            live: t.live.clone(),
        };
        let (root, bound) = t.pick(0, 0.0, 0.0, false);
        let answer = run(&mut t, &mut s, root, bound, 0, limits);
        (t, s, answer)
    }

    fn stop_at(nodes: u64) -> Limits<'static> {
        Limits { node_limit: Some(nodes), ..Limits::default() }
    }

    #[test]
    fn an_exhausted_tree_is_proven_optimal_without_polishing() {
        let (t, s, (proven, left)) = solve(12, None, usize::MAX, Limits::default());
        assert!(proven);
        assert_eq!(left, f64::NEG_INFINITY);
        assert_eq!(s.value, t.brute());
        assert_eq!(s.polished, 0);
        assert!(t.live.borrow().is_empty(), "every node made was dropped");
    }

    #[test]
    fn the_node_limit_stops_with_the_best_bound_left_and_polishes() {
        // One node: the root, whose children are all that is left.
        let (t, s, (proven, left)) = solve(12, None, usize::MAX, stop_at(1));
        assert!(!proven);
        assert_eq!(s.nodes, 1);
        // Taking the first item or not: the better child keeps every item's worth.
        assert_eq!(left, t.items.iter().map(|i| i.0).sum::<f64>());
        assert_eq!(s.polished, 1);
        // Further on: a bound above the optimum and every node left, the incumbent below it.
        let optimum = t.brute();
        for limit in [5, 20, 60, 200] {
            let (_, s, (proven, left)) = solve(12, None, usize::MAX, stop_at(limit));
            assert_eq!(s.nodes, limit);
            assert!(!proven && left >= optimum && !s.uncovered, "limit {limit}: {left}");
            assert!(s.value <= optimum);
        }
    }

    #[test]
    fn the_open_node_cap_keeps_memory_bounded_and_gives_the_same_answer() {
        let (free, s_free, answer) = solve(14, None, usize::MAX, Limits::default());
        assert!(!free.depth_first_seen);
        let cap = 4;
        let (capped, s_capped, capped_answer) = solve(14, None, cap, Limits::default());
        assert_eq!(capped_answer, answer);
        assert_eq!(s_capped.value, s_free.value);
        assert!(capped.depth_first_seen);
        // Open nodes at most the cap, the one plunged into, and a depth-first stack of at most
        // one sibling a level: far fewer than the uncapped search keeps.
        let most = cap + 2 + capped.items.len();
        assert!(capped.most_live <= most, "{} > {most}", capped.most_live);
        assert!(free.most_live > most, "the uncapped search keeps more: {}", free.most_live);
        // Stopped anywhere, inside a depth-first subtree too, the bound covers every node left
        // (the open ones, the plunge, the stack).
        let mut inside = 0;
        for limit in 1..120 {
            let (t, s, (proven, left)) = solve(14, None, cap, stop_at(limit));
            assert!(!proven && left >= s_free.value && !s.uncovered, "limit {limit}: {left}");
            inside += usize::from(t.depth_first_seen);
        }
        assert!(inside > 50, "{inside} stops in a depth-first subtree");
    }

    #[test]
    fn an_unresolved_node_leaves_its_bound_unproven() {
        // Nodes with the first item taken are given up at the fourth item; the optimum takes
        // it, so the search can prove nothing better than what it found elsewhere.
        let (t, s, (proven, left)) = solve(12, Some(3), usize::MAX, Limits::default());
        assert!(t.lost_given > s.value, "{} {}", t.lost_given, s.value);
        assert!(!proven);
        assert_eq!(left, t.lost_given);
        assert_eq!(s.polished, 1);
        assert!(s.value < t.brute());
        // With nothing given up, the same tree is proven.
        assert!(solve(12, None, usize::MAX, Limits::default()).2 .0);
    }

    /// Runs [`Follow`] over a made-up search of at most 10,000 nodes under a node limit of
    /// 100, with `slices` grants: after `n` nodes the open bound is `open(n)` and the
    /// incumbent `best(n)`, and node `n` moved when `moved(n)`. Returns the nodes searched.
    fn follow(
        slices: u32,
        open: impl Fn(u64) -> f64,
        best: impl Fn(u64) -> f64,
        moved: impl Fn(u64) -> bool,
    ) -> u64 {
        let mut s = Best {
            value: best(0),
            nodes: 0,
            effort: Effort { progress_slices: slices, ..Effort::DEFAULT },
            polished: 0,
            uncovered: false,
            live: Alive::default(),
        };
        let mut f = Follow::new(Some(100), slices);
        loop {
            let at = open(s.nodes);
            if s.nodes >= 10_000 || f.reached(&mut s, stop_at(100), || at) {
                break;
            }
            s.nodes += 1;
            s.value = best(s.nodes);
            f.searched(moved(s.nodes));
        }
        s.nodes
    }

    #[test]
    fn a_search_that_makes_progress_is_granted_its_budget_again_a_few_times_at_most() {
        // The open bound falls a little every node, and every node moved.
        let falls = |n: u64| 10_000.0 - n as f64 * 0.01;
        assert_eq!(follow(3, falls, |_| 0.0, |_| true), 400);
        assert_eq!(follow(1, falls, |_| 0.0, |_| true), 200);
        // The incumbent rises instead, and a third of the nodes moved.
        let rises = |n: u64| (n / 10) as f64 * 10.0;
        assert_eq!(follow(3, |_| 10_000.0, rises, |n| n % 3 == 0), 400);
    }

    #[test]
    fn a_plateau_an_idle_search_and_an_explicit_limit_stop_where_they_were_told() {
        let falls = |n: u64| 10_000.0 - n as f64 * 0.01;
        // A plateau: nodes close as fast as others open, nothing else moves.
        assert_eq!(follow(3, |_| 10_000.0, |_| 0.0, |_| true), 100);
        // The bound falls, but under a tenth of the nodes moved.
        assert_eq!(follow(3, falls, |_| 0.0, |n| n % 10 == 0), 100);
        // Progress, but no grants: an explicit node limit is exact.
        assert_eq!(follow(0, falls, |_| 0.0, |_| true), 100);
        // Progress only in the first slice: one grant, then the second slice stops.
        let early = |n: u64| 10_000.0 - n.min(150) as f64 * 0.01;
        assert_eq!(follow(3, early, |_| 0.0, |_| true), 200);
    }

    #[test]
    fn a_search_that_moves_too_few_nodes_to_judge_is_not_granted_more() {
        // The last quarter's progress is judged on at least `Follow::SEEN` nodes: a search of
        // large nodes (a node limit of 100 spent in 20 nodes of work) is not.
        let mut s = Best {
            value: 0.0,
            nodes: 0,
            effort: Effort { progress_slices: 3, ..Effort::DEFAULT },
            polished: 0,
            uncovered: false,
            live: Alive::default(),
        };
        let mut f = Follow::new(Some(100), 3);
        let mut searched = 0;
        loop {
            let at = 10_000.0 - s.nodes as f64;
            if f.reached(&mut s, stop_at(100), || at) {
                break;
            }
            s.nodes += 5;
            searched += 1;
            f.searched(true);
        }
        assert_eq!((s.nodes, searched), (100, 20));
    }
}
