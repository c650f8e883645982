//! The search's effort, in one place: every limit and tunable of the integer searches, the
//! pricing, the knapsacks and the polishing passes ([`Effort`]), and the per-part account they
//! are charged to ([`Budget`]).
//!
//! The unit of work is one elementary step, counted the same way on every run: a multiply-add of
//! the master's simplex (pricing reads every nonzero, a pivot updates the inverse), a state of a
//! knapsack examined (a Pareto state, or a load level of the grid times an item), a move a
//! polishing pass screens. [`Effort::work_per_node`] of them count as one node of the node
//! limit (about a millisecond), so `--node-limit N` bounds a part's search and pricing at `N`
//! nodes or `N x work_per_node` units, whichever comes first. microlp's simplex (every compact
//! relaxation, and each warm re-solve of the compact search) is charged what it did, each
//! iteration a pass over its programme ([`Effort::pivot_units`]), and stopped by a pivot limit
//! when the budget is spent.
//!
//! The command line's default node limit (`--node-limit auto`) also grants each root
//! relaxation a few simplex iterations per row and column of its programme
//! ([`Effort::root_pivots_per_row`], [`Effort::root_pivots_per_column`]) beyond the nodes'
//! work, so that a large district's roots are solved whatever its size; what
//! a root draws from that allowance is never left to the search, which keeps the nodes' work
//! less what the roots spent (nothing, once they overran it).
//!
//! A budget belongs to one part and is never shared between threads, so the same limits stop
//! every run at the same place and give byte-identical proposals whatever the number of threads.
//! A large master's root price rounds, run beside the part's compact relaxation on the core it
//! leaves idle, may spend a quarter of the budget more: they are charged only when the root
//! takes them (see `start_part`).

use super::Limits;

/// Set bounds a path may hold when set branching is on ([`Effort::set_bounds`]): 2, 4 and 8
/// all proved the 320-case cross-team plateau it was built for; 4 cost the FTE-cap models least.
pub const SET_BOUNDS: usize = 4;

/// Cuts across workers a root adds when they are on ([`Effort::root_cuts`]): the tested
/// setting.
pub const ROOT_CUTS: usize = 20;

/// Every limit and tunable of the search. [`Effort::DEFAULT`] holds the values the solver has
/// always used; [`Effort::of`] sets the node limit from the command line's `--node-limit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effort {
    /// Nodes allowed per part (`None`: no limit). The one knob a user turns (`--node-limit`).
    pub nodes: Option<u64>,
    /// Simplex iterations per row of its programme that each root relaxation of a part may do
    /// once the nodes' work is spent (0: none): [`ROOT_PIVOTS_PER_ROW`] when the node limit is
    /// the command line's default (`--node-limit auto`, [`Limits::root_allowance`]), so that
    /// the roots are solved on any size of part; an explicit node limit is exactly that.
    pub root_pivots_per_row: u64,
    /// And per column ([`ROOT_PIVOTS_PER_COLUMN`] with the allowance, 0 without).
    pub root_pivots_per_column: u64,
    /// Work units that count as one node: about a millisecond's work.
    pub work_per_node: u64,
    /// Price rounds (column generation) at one node before it is given up as unresolved.
    pub price_rounds: u32,
    /// Pivots in one solve of the Dantzig-Wolfe master.
    pub pivots: u32,
    /// Work units one simplex iteration of microlp (the compact relaxations and their warm
    /// re-solves) is charged per row, column and nonzero of its programme. Measured: an
    /// iteration takes 3 to 5 ns per row, column and nonzero on the benchmarks' districts,
    /// so at 1 the node limit lets microlp run about 4 times as long as its nominal
    /// millisecond a node; 1 keeps the default limit above the 10,000-case district's roots.
    pub pivot_units: u64,
    /// Patterns per worker a node hands on to its children.
    pub pool_per_worker: usize,
    /// Open nodes the compact search keeps best-first before it finishes a subtree depth-first
    /// (a memory bound).
    pub open_nodes: usize,
    /// Depth above which the compact search uses strong branching.
    pub strong_depth: u32,
    /// Candidates strong branching tries.
    pub strong_candidates: usize,
    /// Nodes between two progress reports.
    pub progress_every: u64,
    /// Largest knapsack (in load units) solved over a grid of load levels; beyond it the
    /// knapsack works on real loads.
    pub grid_levels: usize,
    /// States a knapsack over real loads may hold; beyond it the knapsack stops with a proven
    /// upper bound instead of its optimum, and the node is left unresolved (memory bound).
    pub knapsack_states: usize,
    /// Work one call of the ejection heuristic may spend (each trial placement of a sibling
    /// group is charged the allocation's size: its counts, groups and workers).
    pub eject_work: u64,
    /// Item moves one call of the local search may make on an unproven incumbent (each move
    /// tried counts, kept or undone, and each place looked at): about a second on a 2,000-case
    /// district. Charged to the part's budget.
    pub polish_moves: u64,
    /// Moves the levelling pass (ties toward even loads) screens per part.
    pub level_moves: usize,
    /// Moves the waiting pass (ties by waiting) screens per part.
    pub waiting_moves: usize,
    /// Nodes the search of one neighbourhood (two teams' workers, see `lns`) may explore.
    pub hood_nodes: u64,
    /// Nodes the root's guided neighbourhood may explore in a part of three teams or more:
    /// searched once, right after the root's master, before the tree branches (0 searches
    /// none); see `lns`. Charged to the part's budget.
    pub root_guide_nodes: u64,
    /// Work the neighbourhoods of one incumbent may spend per team of the part (their searches'
    /// work, each at least a node's; 0 searches none): about 0.4 s per team on two cores, whose
    /// team pairs are searched two at a time (`lns`; on one core, twice that). Charged to the
    /// part's budget. Twice the 750 million of one pair at a time: measured on 109 models, 11
    /// of them higher by 5 to 135 and one lower by 30, with the same proofs.
    pub hood_work: u64,
    /// The most times [`Effort::hood_nodes`] a team pair may be searched within: once a round
    /// of team pairs gains nothing, the pairs whose node limit stopped their search are searched
    /// again within four times the nodes, while within this (below 4: never); see `lns`.
    pub hood_deepest: u64,
    /// Workers freed together in a neighbourhood of a part of one or two teams (see `lns`).
    pub subset_size: usize,
    /// Work a part of one or two teams may spend on the neighbourhoods of its workers' subsets,
    /// in all (after the tree's nodes and in its polish; 0 searches none): about 1.5 s on a
    /// part of 15 workers and 250 cases. Charged to the part's budget.
    pub subset_work: u64,
    /// The least gap between a node's bound and the incumbent, as a share of the bound, at
    /// which a part of one or two teams searches its workers' subsets after that node (in
    /// polish they are searched whatever the gap). The roots of the weighted own-team models
    /// leave at most 0.9%, which the tree closes in a few nodes; points schemes 2-4%.
    pub subset_gap: f64,
    /// Set bounds (a class's count over a set of its workers, see `tree`) the path to a node of
    /// a cross-team part may hold before the search branches on it by other choices only
    /// (0: no set branching; the neighbourhoods' own searches use none). Off by default
    /// ([`SET_BOUNDS`] turns it on): measured on 25 cross-team models (decimal weights, FTE
    /// caps; 2 and 3 teams), it proved 3 models the default left unproven and lost the proof
    /// of 4 others, so it is a tool for a plateau, not yet a default.
    pub set_bounds: usize,
    /// Cuts across workers (`solve/cuts.rs`) a part of two teams or more, with a master small
    /// enough to price plainly, adds at its root, at most. **Off by default** (0;
    /// [`ROOT_CUTS`] turns it on): on 18 one-part cross-team models (`decimals-cross` seeds
    /// 1-3 and 21-32, `fte-cross` seeds 1-3) it finds cuts the root master's solution breaks on
    /// one only, where HiGHS's own root cuts, put into the same master, prove two of them (see
    /// docs/internals.md); its rounds before the root only move the search elsewhere.
    pub root_cuts: usize,
    /// Work a part of three teams or more may spend on its chain neighbourhoods, after the
    /// team pairs (0 searches none).
    pub chain_work: u64,
    /// Times the tree of a cross-team part polishes its incumbent (ejection chains and the
    /// neighbourhoods, as a search stopped unproven does) at a plateau node, one whose price
    /// rounds left its parent's bound where it was, once it has searched
    /// [`Effort::plateau_polish_after`] nodes and while the part's budget still holds a whole
    /// polish (0: only when the search stops). Measured on 33 small cross-team districts: the
    /// tree had spent its budget on a plateau under an incumbent steps below the optimum that
    /// only the last polish found.
    pub plateau_polishes: u32,
    /// Nodes the tree of a cross-team part searches before it polishes on a plateau: a tree
    /// that proves its part sooner keeps its proposal. At 2 nodes the same answers as at 100
    /// on the 33 districts, bounds of two unproven ones a little lower, but 26 of the 33
    /// proposals another optimum of equal value and the two largest unproven 35-75% slower.
    pub plateau_polish_after: u64,
    /// Work the column-fixing dive from a part's root master may spend (0: no dive; see
    /// `dive`). Charged to the part's budget, and kept from the root's first neighbourhoods.
    pub dive_work: u64,
    /// Price rounds of each step of that dive: a step's master need not be optimal, only a
    /// lawful point of the relaxation to fix from. Measured on the points schemes' parts:
    /// 5, 10 and 20 rounds gave incumbents alike, the full rounds spent the allowance in
    /// the first steps.
    pub dive_rounds: u32,
    /// Work of a part's worker-subset neighbourhoods (of [`Effort::subset_work`]) at the root
    /// before the dive: a part its first neighbourhoods prove keeps its search as it was.
    pub hoods_before_dive: u64,
    /// Workers the dive's fixings leave free, at most, for their completion to be searched
    /// exactly, once a dive (a neighbourhood of those workers within
    /// [`Effort::hood_nodes`] nodes; 0: never). The greedy completion lost up to 0.5% where
    /// the restricted master still reached the bound: on points seed 1, two of the eight parts
    /// are now proven at their root (none before). Measured at 4 and 6: the 200 nodes of a
    /// search of that many workers found less.
    pub dive_exact_free: usize,
    /// Times a part's search may be granted its budget again while it makes progress (see
    /// `driver::Follow`: at three quarters of its budget, a quarter of the nodes searched since
    /// the half closed or lowered their bound, and the open bound fell or the incumbent rose
    /// over that quarter); 0: the node limit is exact. [`PROGRESS_SLICES`] under the command
    /// line's default (`--node-limit auto`); an explicit `--node-limit N` is exact.
    pub progress_slices: u32,
}

impl Effort {
    /// The solver's values, with no node limit.
    pub const DEFAULT: Effort = Effort {
        nodes: None,
        root_pivots_per_row: 0,
        root_pivots_per_column: 0,
        work_per_node: 1_000_000,
        price_rounds: 400,
        pivots: 20_000,
        pivot_units: 1,
        pool_per_worker: 16,
        open_nodes: 512,
        strong_depth: 1000,
        strong_candidates: 4,
        progress_every: 32,
        grid_levels: 4096,
        knapsack_states: 1 << 20,
        eject_work: 100_000_000,
        polish_moves: 40_000_000,
        level_moves: 200_000,
        waiting_moves: 200_000,
        hood_nodes: 200,
        root_guide_nodes: 200,
        hood_work: 1_500_000_000,
        hood_deepest: 4,
        subset_size: 4,
        subset_work: 3_000_000_000,
        subset_gap: 0.01,
        set_bounds: 0,
        root_cuts: 0,
        chain_work: 500_000_000,
        plateau_polishes: 1,
        plateau_polish_after: 100,
        dive_work: 1_000_000_000,
        dive_rounds: 10,
        hoods_before_dive: 300_000_000,
        dive_exact_free: 3,
        progress_slices: 0,
    };

    /// The default effort with the node limit of `limits`, and the roots' allowance when
    /// `limits` asks for it and has a node limit.
    pub fn of(limits: &Limits) -> Effort {
        let allowance = limits.root_allowance && limits.node_limit.is_some();
        Effort {
            nodes: limits.node_limit,
            root_pivots_per_row: if allowance { ROOT_PIVOTS_PER_ROW } else { 0 },
            root_pivots_per_column: if allowance { ROOT_PIVOTS_PER_COLUMN } else { 0 },
            progress_slices: if allowance { PROGRESS_SLICES } else { 0 },
            ..Effort::DEFAULT
        }
    }

    /// Work units a part may spend on search and pricing (`u64::MAX`: no limit).
    pub fn work(&self) -> u64 {
        self.nodes.map_or(u64::MAX, |n| n.saturating_mul(self.work_per_node))
    }
}

/// Times `--node-limit auto` grants a part's search its budget again while it makes progress
/// ([`Effort::progress_slices`]): four times the default budget at most. Measured on the 104
/// unproven or slow models of the benchmarks and the held-out sweep: 4 more proven (small
/// points schemes, 1.7-2.8 s), their total time 8% more; the cross-team plateaus, whose open
/// bound and incumbent stand still, stop where they did (one whose incumbent rose once, `dcx30`,
/// ran 7.1 -> 13.8 s for the same answer).
pub const PROGRESS_SLICES: u32 = 3;

/// Simplex iterations per row of its programme that `--node-limit auto` allows each root
/// relaxation beyond the nodes' work: the textbook count (a simplex method typically needs
/// between one and three times as many iterations as its programme has rows).
pub const ROOT_PIVOTS_PER_ROW: u64 = 3;

/// And per column: a bounded simplex (microlp's) also spends an iteration on each column it
/// only moves from one bound to the other, which the count per row leaves out; a part's
/// columns mostly have upper bounds (a class's cases, a group's one placement).
pub const ROOT_PIVOTS_PER_COLUMN: u64 = 1;

impl Default for Effort {
    fn default() -> Self {
        Effort::DEFAULT
    }
}

/// One part's account of work spent against its [`Effort`]; owned by the part's search, never
/// shared between threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    /// Work units allowed (`u64::MAX`: none).
    limit: u64,
    /// Work units spent so far.
    spent: u64,
    /// Units per node.
    per_node: u64,
}

impl Budget {
    /// A fresh account for one part.
    pub(crate) fn new(effort: &Effort) -> Budget {
        Budget { limit: effort.work(), spent: 0, per_node: effort.work_per_node.max(1) }
    }

    /// Charges `units` of work.
    pub(crate) fn charge(&mut self, units: u64) {
        self.spent = self.spent.saturating_add(units);
    }

    /// Work units left.
    pub(crate) fn left(&self) -> u64 {
        self.limit.saturating_sub(self.spent)
    }

    /// The work spent, in nodes (rounded down).
    pub(crate) fn nodes(&self) -> u64 {
        self.spent / self.per_node
    }

    /// Work units spent.
    pub(crate) fn spent(&self) -> u64 {
        self.spent
    }

    /// Raises the limit by `units`: a search granted more for its progress (`driver::Follow`).
    pub(crate) fn extend(&mut self, units: u64) {
        self.limit = self.limit.saturating_add(units);
    }

    /// Spends what is left: what a phase the budget stopped leaves behind.
    pub(crate) fn exhaust(&mut self) {
        self.spent = self.spent.max(self.limit);
    }

    /// How many simplex iterations of `per_pivot` units each the budget leaves for one more
    /// operation, after one for setting it up (`None`: no limit).
    pub(crate) fn pivots_left(&self, per_pivot: u64) -> Option<u64> {
        self.pivots_left_beyond(per_pivot, 0)
    }

    /// [`Budget::pivots_left`] for a root relaxation that may also spend `allowance` units
    /// once the budget is spent (see [`Effort::root_pivots_per_row`]). What it spends is charged as
    /// usual: beyond the limit it leaves nothing to the rest of the search.
    pub(crate) fn pivots_left_beyond(&self, per_pivot: u64, allowance: u64) -> Option<u64> {
        (self.limit != u64::MAX)
            .then(|| (self.left().saturating_add(allowance) / per_pivot.max(1)).saturating_sub(1))
    }
}

/// What a part's worker-subset neighbourhoods (see `lns`) have spent against
/// [`Effort::subset_work`], and the incumbent's value they last started from after a node;
/// and the relaxed solutions (cases of each class at each worker, each group's share there)
/// that guide the neighbourhoods of a part of three teams or more: the root relaxation's and
/// the root master's.
#[derive(Clone, Debug)]
pub(crate) struct HoodLog {
    pub(crate) spent: u64,
    pub(crate) from: f64,
    pub(crate) relaxed: Option<Guide>,
    pub(crate) master: Option<Guide>,
    /// The incumbent's value when its polish began beside the search (`search::beside`), and
    /// the flag that stops that polish: a polish of the same incumbent would do again what it
    /// does, and once the incumbent rises what it finds is set aside, so it is stopped.
    pub(crate) beside: Option<(f64, std::sync::Arc<std::sync::atomic::AtomicBool>)>,
    /// In the polish beside the search: the search's open bound when the polish began, and the
    /// polish's stop. A gain a step below that bound stops the polish, so that the tree
    /// goes on with it at once (`search::beside`); `handed_back` records that it did.
    pub(crate) hand_back: Option<(f64, std::sync::Arc<std::sync::atomic::AtomicBool>)>,
    pub(crate) handed_back: bool,
}

/// A relaxed solution of a part, which guides its neighbourhoods (see `lns`): `x[k][j]` cases
/// of class `k` at its `j`-th worker, `y[g][j]` the share of group `g` there.
#[derive(Clone, Debug)]
pub(crate) struct Guide {
    pub(crate) x: Vec<Vec<f64>>,
    pub(crate) y: Vec<Vec<f64>>,
}

impl Default for HoodLog {
    fn default() -> Self {
        HoodLog {
            spent: 0,
            from: f64::NEG_INFINITY,
            relaxed: None,
            master: None,
            beside: None,
            hand_back: None,
            handed_back: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_limit_is_the_one_knob_and_the_work_follows_it() {
        let limits = Limits { node_limit: Some(7), ..Limits::default() };
        let e = Effort::of(&limits);
        assert_eq!(e, Effort { nodes: Some(7), ..Effort::DEFAULT });
        assert_eq!(e.work(), 7 * e.work_per_node);
        assert_eq!(Effort::of(&Limits::default()).work(), u64::MAX);
        let huge = Effort { nodes: Some(u64::MAX), ..Effort::DEFAULT };
        assert_eq!(huge.work(), u64::MAX);
    }

    #[test]
    fn the_roots_allowance_and_the_grants_come_only_with_a_node_limit_that_asks_for_them() {
        let auto = Limits { node_limit: Some(7), root_allowance: true, ..Limits::default() };
        let with = Effort {
            nodes: Some(7),
            root_pivots_per_row: ROOT_PIVOTS_PER_ROW,
            root_pivots_per_column: ROOT_PIVOTS_PER_COLUMN,
            progress_slices: PROGRESS_SLICES,
            ..Effort::DEFAULT
        };
        assert_eq!(Effort::of(&auto), with);
        let none = Limits { root_allowance: true, ..Limits::default() };
        assert_eq!(Effort::of(&none), Effort::DEFAULT);
        let exact = Limits { node_limit: Some(7), ..Limits::default() };
        assert_eq!(Effort::of(&exact), Effort { nodes: Some(7), ..Effort::DEFAULT });
    }

    #[test]
    fn a_grant_raises_the_budget_by_its_work() {
        let mut b = Budget::new(&Effort { nodes: Some(2), work_per_node: 10, ..Effort::DEFAULT });
        b.charge(20);
        assert_eq!(b.left(), 0);
        b.extend(30);
        assert_eq!(b.left(), 30);
        b.extend(u64::MAX);
        assert_eq!(b.left(), u64::MAX - 20);
    }

    #[test]
    fn a_roots_allowance_counts_only_once_the_budget_is_spent_and_leaves_nothing_behind() {
        let mut b = Budget::new(&Effort { nodes: Some(2), work_per_node: 10, ..Effort::DEFAULT });
        assert_eq!(b.pivots_left(4), Some(4));
        assert_eq!(b.pivots_left_beyond(4, 12), Some(7));
        b.charge(28); // a root that drew 8 units from its allowance
        assert_eq!((b.left(), b.pivots_left(4), b.pivots_left_beyond(4, 12)), (0, Some(0), Some(2)));
        let unlimited = Budget::new(&Effort::DEFAULT);
        assert_eq!(unlimited.pivots_left_beyond(4, 12), None);
    }

    #[test]
    fn a_budget_counts_what_is_charged_and_never_goes_below_nothing() {
        let mut b = Budget::new(&Effort { nodes: Some(2), work_per_node: 10, ..Effort::DEFAULT });
        assert_eq!((b.left(), b.nodes()), (20, 0));
        b.charge(15);
        assert_eq!((b.left(), b.nodes(), b.spent()), (5, 1, 15));
        b.charge(u64::MAX);
        assert_eq!((b.left(), b.spent()), (0, u64::MAX));
    }
}
