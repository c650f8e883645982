//! Every numeric tolerance outside the solver's own numerics, named once. The solver's pivot,
//! integrality and pricing tolerances are named in the files that use them (`solve/`).

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
