//! The table `caseload whatif` shows people: one line per scenario, the posts filled in order,
//! what is not proven, and the --marginal ranking. The command layer prints it.

use super::rows::{Outcome, ScenarioRow};
use crate::model::CaseType;
use crate::words::{count, noun};
use std::fmt::Write as _;

/// The table for people, as `caseload whatif` shows it.
pub fn table(o: &Outcome) -> String {
    let mut out = String::new();
    let width = o.scenarios.iter().map(|s| s.row.words.chars().count()).max().unwrap_or(8).clamp(8, 120);
    let _ = writeln!(
        out,
        "{:<width$} {:>6} {:>6} {:>6} {:>7} | unallocated by type: {:>4} {:>4} {:>4} {:>4} | {:>6} {:>8} {:>6} {:>5} {:>6} | {:>12} proof",
        "scenario", "filled", "cases", "alloc", "unalloc", "CIN", "CP", "LA", "CL", "struct", "capacity", "moved", "over", "LA%", "objective"
    );
    for s in &o.scenarios {
        let r = &s.row;
        let by = |t| r.unallocated_by_type.get(&t).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<width$} {:>6} {:>6} {:>6} {:>7} |                      {:>4} {:>4} {:>4} {:>4} | {:>6} {:>8} {:>6} {:>5} {:>5.1}% | {:>12} {}",
            r.words,
            r.filled,
            r.cases,
            r.allocated,
            r.unallocated,
            by(CaseType::ChildInNeed),
            by(CaseType::ChildProtection),
            by(CaseType::LookedAfter),
            by(CaseType::CareLeaver),
            r.structural_shortfall,
            r.capacity_shortfall,
            r.moves.moved,
            r.workers_over_target,
            100.0 * r.looked_after_unallocated_share,
            crate::words::short(r.objective),
            r.proof,
        );
    }
    let _ = writeln!(
        out,
        "(CIN child in need, CP child protection, LA looked after, CL care leaver; struct: no capacity would help; \
         capacity: more staff would; moved: children who change worker; over: workers above target)"
    );
    if let Some(r) = o.scenarios.iter().map(|s| &s.row).find(|r| !r.pins_dropped.is_empty()) {
        let shown: Vec<&str> = r.pins_dropped.iter().take(10).map(String::as_str).collect();
        let more = r.pins_dropped.len().saturating_sub(shown.len());
        let _ = writeln!(
            out,
            "pins dropped, because the worker is absent ({}, to be reallocated): {}{}",
            count(r.pins_dropped.len(), "case", "cases"),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        );
    }
    for fo in &o.fill_order {
        let settings =
            if fo.settings_words.is_empty() { String::new() } else { format!(" ({})", fo.settings_words) };
        let _ = writeln!(out, "\nposts filled, in order{settings} (greedy by objective gained):");
        for p in &fo.posts {
            let _ = writeln!(
                out,
                "  {:>3}. {} ({}, {}{}): {:+} cases, {:+} objective",
                p.step,
                p.post,
                p.role.name(),
                p.team,
                if p.fte < 1.0 { format!(", fte {}", p.fte) } else { String::new() },
                p.cases_gained,
                p.objective_gain
            );
        }
    }
    let unproven: Vec<&ScenarioRow> =
        o.scenarios.iter().map(|s| &s.row).filter(|r| r.greedy && !r.choice_proven_best).collect();
    if !unproven.is_empty() {
        let worst = unproven.iter().map(|r| r.max_shortfall).fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "greedy choice not proven best in {}; a better choice could add at most {} to the objective (see max_shortfall in --json)",
            count(unproven.len(), "scenario", "scenarios"),
            worst
        );
    }
    let not_proven = o.scenarios.iter().filter(|s| !s.row.optimal).count();
    if o.stopped {
        let _ = writeln!(
            out,
            "stopped early by Ctrl-C or the time limit: {} not proven optimal \
             (an unfinished --marginal ranking is left out)",
            count(not_proven, "scenario", "scenarios")
        );
    } else if not_proven > 0 {
        let _ = writeln!(
            out,
            "{} not proven optimal: the node limit stopped {} search",
            count(not_proven, "scenario", "scenarios"),
            noun(not_proven, "its", "their")
        );
    }
    for note in &o.notes {
        let _ = writeln!(out, "{note}");
    }
    if let Some(m) = &o.marginal {
        let _ = writeln!(out, "\none more full-time worker (base model), most valuable first:");
        let _ =
            writeln!(out, "  {:>4} {:<24} {:<30} {:>6} {:>10}", "rank", "team", "role", "cases", "objective");
        for x in m.iter().filter(|x| x.objective > 0.0 || x.cases > 0).take(20) {
            let _ = writeln!(
                out,
                "  {:>4} {:<24} {:<30} {:>6} {:>10}",
                x.rank,
                x.team,
                x.role.name(),
                x.cases,
                x.objective
            );
        }
        if m.iter().all(|x| x.objective <= 0.0 && x.cases <= 0) {
            let _ = writeln!(out, "  (no team and role would allocate more)");
        }
    }
    out
}
