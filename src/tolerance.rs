//! Every numeric tolerance, named once: first those of the rules and the files, then the solver's
//! own numerics (`solve/`: integrality, pivots, pricing, ties). The solver's tunings (limits,
//! pool sizes) are in `solve/params.rs`, not here.

/// Two loads, weights, caps or values closer than this are equal (absolute, in caseload units;
/// scale it with [`relative`] for values that can be large). Load against cap is judged with it.
pub const EQUAL: f64 = 1e-9;

/// SPEC section 4's optimality tolerance: objectives within this, relative, are the same, and a
/// figure a file states (a load, an objective) matches the one derived again within it.
pub const OBJECTIVE: f64 = 1e-6;

/// `tol` scaled to the size of `x`, for a relative comparison: `tol * max(|x|, 1)`.
pub fn relative(tol: f64, x: f64) -> f64 {
    tol * x.abs().max(1.0)
}

// The solver's own numerics (src/solve/).

/// A relaxation's value within this of a whole number is whole: decoding an LP solution,
/// choosing what to branch on, rounding a master's counts down.
pub const INTEGRAL: f64 = 1e-6;

/// A change of objective value smaller than this is no change (absolute; scaled where a value
/// can be large): a heuristic move's gain, a better incumbent, a tie between branching
/// candidates, a master share counted as none.
pub const GAIN: f64 = 1e-9;

/// Added before a quotient is rounded down (or up), so one whole in exact arithmetic but a hair
/// off in floating point lands on the right whole number: caps in load units, whole loads
/// under a cap, a target above a load.
pub const FLOOR: f64 = 1e-9;

/// Two values of a knapsack or of a simplex ratio test closer than this are equal, and an
/// amount below it is nothing.
pub const TIE: f64 = 1e-12;

/// A basic value of the simplex smaller than this in size is zero (round-off after a
/// refactorisation).
pub const ROUND_OFF: f64 = 1e-11;

/// The smallest pivot element the simplex accepts.
pub const PIVOT: f64 = 1e-9;

/// Relative closeness at which column generation has converged (the bound meets the master), a
/// reduced cost improves, a master or relaxation column is in use; HiGHS's MIP gap.
pub const CONVERGED: f64 = 1e-7;

/// Relative slack when a bound is compared with the incumbent plus one lattice step (a bound
/// less than a step above the incumbent proves it optimal).
pub const LATTICE: f64 = 1e-7;
