//! Marginal value of one more worker: for each team and role, how many more cases (and how
//! much objective) one more full-time worker of that role in that team would allocate, from
//! the base model. Only that team's piece is solved again.

use super::build;
use super::fill::{solve_file, Engine};
use crate::error::Result;
use crate::model::{Policy, Role};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;

/// One team and role.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Marginal {
    /// Rank, 1 for the most valuable.
    pub rank: usize,
    /// Team.
    pub team: String,
    /// Role of the added worker.
    pub role: Role,
    /// Cases newly allocated.
    pub cases: i64,
    /// Objective gained.
    pub objective: f64,
    /// The added worker's supervisor (supervised roles), if the team has a qualified one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<String>,
}

/// Ranks every team and role by the objective one more worker adds (then cases, team, role).
/// `None` when Ctrl-C or the deadline stopped it before every team and role was tried.
pub fn marginal(engine: &Engine, tick: &(dyn Fn() + Sync)) -> Result<Option<Vec<Marginal>>> {
    let f = &engine.ctx.file;
    let policy = Policy::from_input(&f.policy.clone().unwrap_or_default());
    let mut jobs: Vec<(usize, String, Role)> = Vec::new();
    for (p, piece) in engine.pieces.iter().enumerate() {
        for team in &piece.teams {
            for role in Role::ALL {
                jobs.push((p, team.clone(), role));
            }
        }
    }
    let out: Vec<Option<Marginal>> = jobs
        .par_iter()
        .map(|(p, team, role)| {
            if engine.stop_requested() {
                return Ok(None);
            }
            let base = engine.get(&(*p, Vec::new()))?;
            let mut file = engine.piece_file(*p, &[]);
            let holds: BTreeSet<_> =
                file.cases.iter().filter(|c| c.team == *team).map(|c| c.case_type).collect();
            let supervisor =
                if policy.is_supervised(*role) { build::pick_supervisor(&file, &policy, team) } else { None };
            let result = if holds.iter().any(|&t| policy.may_hold(*role, t)) {
                let id = unused_id(&file, &format!("MARGINAL-{}-{}", role.name(), team));
                file.workers.push(build::new_post(&id, *role, team, supervisor.clone()));
                let r = solve_file(&file, engine.ctx.as_of, engine.limits)?;
                (base.unallocated as i64 - r.unallocated as i64, r.objective - base.objective)
            } else {
                (0, 0.0)
            };
            tick();
            Ok(Some(Marginal {
                rank: 0,
                team: team.clone(),
                role: *role,
                cases: result.0,
                objective: crate::explain::round9(result.1),
                supervisor,
            }))
        })
        .collect::<Result<_>>()?;
    let Some(mut out) = out.into_iter().collect::<Option<Vec<Marginal>>>() else { return Ok(None) };
    out.sort_by(|a, b| {
        b.objective
            .total_cmp(&a.objective)
            .then(b.cases.cmp(&a.cases))
            .then(a.team.cmp(&b.team))
            .then(a.role.cmp(&b.role))
    });
    for (i, m) in out.iter_mut().enumerate() {
        m.rank = i + 1;
    }
    Ok(Some(out))
}

fn unused_id(f: &crate::model::ModelFile, stem: &str) -> String {
    let taken = |id: &str| f.workers.iter().any(|w| w.id == id);
    if !taken(stem) {
        return stem.to_string();
    }
    (2..).map(|k| format!("{stem}-{k}")).find(|id| !taken(id)).unwrap_or_default()
}
