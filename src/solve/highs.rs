//! Optional backend (cargo feature `highs`): parts that need an integer search are handed to
//! HiGHS as a MIP through `good_lp`, instead of the built-in branch-and-bound. The formulation,
//! decoding, tie-breaking and checks are the same; only the search differs. The default build
//! never needs it (HiGHS needs cmake and a C++ compiler).

use super::lp::{to_good_lp, Lp};
use good_lp::solvers::highs::highs;
use good_lp::{ResolutionError, Solution, SolutionStatus, SolverModel};

/// What HiGHS found.
pub struct Mip {
    /// Column values.
    pub values: Vec<f64>,
    /// Proven optimal within the relative gap asked for.
    pub optimal: bool,
}

/// Solves a part's programme as a MIP with HiGHS, single-threaded (parts run in parallel), within
/// the time left and the part's node limit (HiGHS's `mip_max_nodes`: the built-in search's node
/// limit, so `--node-limit` bounds every backend; a stop there is reported unproven), to the
/// relative `gap` (HiGHS's `mip_rel_gap`).
pub fn solve_mip(lp: &Lp, time_limit: Option<f64>, node_limit: Option<u64>, gap: f64) -> Result<Mip, String> {
    // HiGHS reads its options when it solves, so they may be set after the rows are added.
    let (model, vars) = to_good_lp(lp, true, highs);
    let mut model = model.set_threads(1).set_mip_rel_gap(gap as f32).map_err(|e| e.to_string())?;
    if let Some(t) = time_limit {
        model = model.set_time_limit(t.max(0.0));
    }
    if let Some(n) = node_limit {
        model = model.set_option("mip_max_nodes", i32::try_from(n).unwrap_or(i32::MAX));
    }
    let solution = model.solve().map_err(|e: ResolutionError| e.to_string())?;
    // good_lp says GapLimit whenever HiGHS's final gap is above zero; it is within the gap
    // asked for, which the part's outcome counts as its slack (`solve::settle`).
    let optimal = matches!(solution.status(), SolutionStatus::Optimal | SolutionStatus::GapLimit);
    Ok(Mip { values: vars.iter().map(|&v| solution.value(v)).collect(), optimal })
}
