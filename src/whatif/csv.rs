//! The CSV output of `caseload whatif --csv`: one line per scenario, through the one CSV writer
//! ([`crate::util::csv_bytes`]).

use super::rows::Outcome;
use crate::model::CaseType;

/// One CSV line per scenario, with a header.
pub fn csv(o: &Outcome) -> Vec<u8> {
    let mut head: Vec<String> = [
        "index",
        "name",
        "demand",
        "requested_fill",
        "filled",
        "filled_posts",
        "cases",
        "allocated",
        "unallocated",
    ]
    .map(String::from)
    .to_vec();
    for t in CaseType::ALL {
        head.push(format!("unallocated_{}", t.name()));
    }
    for t in CaseType::ALL {
        head.push(format!("allocated_{}", t.name()));
    }
    head.extend(
        [
            "structural_shortfall",
            "capacity_shortfall",
            "kept",
            "moved",
            "new",
            "lost",
            "workers_over_target",
            "overload",
            "looked_after_unallocated",
            "looked_after_unallocated_share",
            "active_workers",
            "objective",
            "upper_bound",
            "max_shortfall",
            "greedy",
            "optimal",
            "words",
        ]
        .map(String::from),
    );
    let mut rows = Vec::with_capacity(o.scenarios.len());
    for s in &o.scenarios {
        let r = &s.row;
        let mut f: Vec<String> = vec![
            r.index.to_string(),
            // Names and ids come from the user: never a formula when the CSV is opened.
            crate::sheets::write::safe(&r.name),
            r.demand.to_string(),
            r.requested_fill.to_string(),
            r.filled.to_string(),
            crate::sheets::write::safe(&r.filled_posts.join(";")),
            r.cases.to_string(),
            r.allocated.to_string(),
            r.unallocated.to_string(),
        ];
        for t in CaseType::ALL {
            f.push(r.unallocated_by_type.get(&t).copied().unwrap_or(0).to_string());
        }
        for t in CaseType::ALL {
            f.push(r.allocated_by_type.get(&t).copied().unwrap_or(0).to_string());
        }
        f.extend([
            r.structural_shortfall.to_string(),
            r.capacity_shortfall.to_string(),
            r.moves.kept.to_string(),
            r.moves.moved.to_string(),
            r.moves.new.to_string(),
            r.moves.lost.to_string(),
            r.workers_over_target.to_string(),
            r.overload.to_string(),
            r.looked_after_unallocated.to_string(),
            r.looked_after_unallocated_share.to_string(),
            r.active_workers.to_string(),
            r.objective.to_string(),
            r.upper_bound.to_string(),
            r.max_shortfall.to_string(),
            r.greedy.to_string(),
            r.optimal.to_string(),
            crate::sheets::write::safe(&r.words),
        ]);
        rows.push(f);
    }
    crate::util::csv_bytes(&head, &rows, false)
}
