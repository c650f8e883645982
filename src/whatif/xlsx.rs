//! The tables `caseload whatif` shows, each defined once through [`crate::tables`]: the
//! scenarios (also `whatif --csv`), the order posts were filled in and the marginal ranking;
//! and the workbook of `whatif --xlsx`, a sheet per table.

use super::marginal::Marginal;
use super::rows::{FilledPost, Outcome, ScenarioRow};
use crate::error::Result;
use crate::model::CaseType;
use crate::tables::{count, text, Cell, Column, Format};

/// The scenarios table: one row per scenario, the base model first. Its CSV names are the
/// columns of `whatif --csv`.
pub fn scenario_columns() -> Vec<Column<ScenarioRow>> {
    use Format::{Decimal, Percent, Plain, Whole};
    let mut c: Vec<Column<ScenarioRow>> = vec![
        Column::new("index", "scenario number", Whole, |r: &ScenarioRow| count(r.index)),
        // The scenario in words for people; its key (the CSV's `name`) beside it.
        Column::new("scenario_words", "scenario", Plain, |r: &ScenarioRow| text(&r.words)).sheet_only(),
        Column::new("name", "scenario key", Plain, |r: &ScenarioRow| text(&r.name)),
        Column::new("demand", "demand factor", Decimal, |r: &ScenarioRow| Cell::Number(r.demand)),
        Column::new("requested_fill", "vacant posts asked to fill", Whole, |r: &ScenarioRow| {
            count(r.requested_fill)
        }),
        Column::new("filled", "vacant posts filled", Whole, |r: &ScenarioRow| count(r.filled)),
        Column::new("filled_posts", "posts filled, first first", Plain, |r: &ScenarioRow| {
            text(&r.filled_posts.join(";"))
        }),
        Column::new("cases", "cases", Whole, |r: &ScenarioRow| count(r.cases)),
        Column::new("allocated", "allocated", Whole, |r: &ScenarioRow| count(r.allocated)),
        Column::new("unallocated", "without a worker", Whole, |r: &ScenarioRow| count(r.unallocated)),
    ];
    for t in CaseType::ALL {
        c.push(Column::new(
            format!("unallocated_{}", t.name()),
            format!("without a worker: {}", t.words()),
            Whole,
            move |r: &ScenarioRow| count(r.unallocated_by_type.get(&t).copied().unwrap_or(0)),
        ));
    }
    for t in CaseType::ALL {
        c.push(Column::new(
            format!("allocated_{}", t.name()),
            format!("allocated: {}", t.words()),
            Whole,
            move |r: &ScenarioRow| count(r.allocated_by_type.get(&t).copied().unwrap_or(0)),
        ));
    }
    c.extend([
        Column::new(
            "structural_shortfall",
            "without a worker whom no post would help",
            Whole,
            |r: &ScenarioRow| count(r.structural_shortfall),
        ),
        Column::new("capacity_shortfall", "without a worker for want of room", Whole, |r: &ScenarioRow| {
            count(r.capacity_shortfall)
        }),
        Column::new("kept", "keep their worker", Whole, |r: &ScenarioRow| count(r.moves.kept)),
        Column::new("moved", "change worker", Whole, |r: &ScenarioRow| count(r.moves.moved)),
        Column::new("new", "get a first worker", Whole, |r: &ScenarioRow| count(r.moves.new)),
        Column::new("lost", "lose their worker", Whole, |r: &ScenarioRow| count(r.moves.lost)),
        Column::new("workers_over_target", "workers above target", Whole, |r: &ScenarioRow| {
            count(r.workers_over_target)
        }),
        Column::new("overload", "load above target", Decimal, |r: &ScenarioRow| Cell::Number(r.overload)),
        Column::new(
            "looked_after_unallocated",
            "looked-after children without a worker",
            Whole,
            |r: &ScenarioRow| count(r.looked_after_unallocated),
        ),
        Column::new(
            "looked_after_unallocated_share",
            "share of looked-after children without a worker",
            Percent,
            |r: &ScenarioRow| Cell::Number(r.looked_after_unallocated_share),
        ),
        Column::new("active_workers", "active workers", Whole, |r: &ScenarioRow| count(r.active_workers)),
        Column::new("objective", "objective", Plain, |r: &ScenarioRow| Cell::Number(r.objective)),
        Column::new("upper_bound", "no choice of posts scores above", Plain, |r: &ScenarioRow| {
            Cell::Number(r.upper_bound)
        }),
        Column::new("max_shortfall", "most a better choice of posts could add", Plain, |r: &ScenarioRow| {
            Cell::Number(r.max_shortfall)
        }),
        Column::new("greedy", "posts chosen one at a time", Plain, |r: &ScenarioRow| Cell::Bool(r.greedy)),
        Column::new("optimal", "proven best", Plain, |r: &ScenarioRow| Cell::Bool(r.optimal)),
        // Last in the CSV, after the columns older readers know.
        Column::new("words", "scenario in words", Plain, |r: &ScenarioRow| text(&r.words)).csv_only(),
        // Added later still: how far from proven each scenario is.
        Column::new("gap", "the best possible is at most this much higher", Plain, |r: &ScenarioRow| {
            Cell::Number(r.gap)
        }),
        Column::new("proof", "proven or not", Plain, |r: &ScenarioRow| text(&r.proof)),
    ]);
    c
}

/// One post of the fill order, with the settings it was filled under.
pub type FillRow = (String, FilledPost);

/// The fill-order table: for each set of settings, the posts in the order filled.
pub fn fill_columns() -> Vec<Column<FillRow>> {
    use Format::{Decimal, Plain, Whole};
    vec![
        Column::new("settings", "settings", Plain, |r: &FillRow| {
            if r.0.is_empty() {
                text("as given")
            } else {
                text(&r.0)
            }
        }),
        Column::new("step", "step", Whole, |r: &FillRow| count(r.1.step)),
        Column::new("post", "post", Plain, |r: &FillRow| text(&r.1.post)),
        Column::new("role", "role", Plain, |r: &FillRow| text(&r.1.role.name().replace('_', " "))),
        Column::new("team", "team", Plain, |r: &FillRow| text(&r.1.team)),
        Column::new("fte", "full-time equivalent", Decimal, |r: &FillRow| Cell::Number(r.1.fte)),
        Column::new("objective_gain", "objective gained", Plain, |r: &FillRow| {
            Cell::Number(r.1.objective_gain)
        }),
        Column::new("cases_gained", "children newly allocated", Whole, |r: &FillRow| {
            Cell::Number(r.1.cases_gained as f64)
        }),
    ]
}

/// The marginal ranking: what one more full-time worker of a role in a team would allocate.
pub fn marginal_columns() -> Vec<Column<Marginal>> {
    use Format::{Plain, Whole};
    vec![
        Column::new("rank", "rank", Whole, |r: &Marginal| count(r.rank)),
        Column::new("team", "team", Plain, |r: &Marginal| text(&r.team)),
        Column::new("role", "role", Plain, |r: &Marginal| text(&r.role.name().replace('_', " "))),
        Column::new("cases", "children newly allocated", Whole, |r: &Marginal| Cell::Number(r.cases as f64)),
        Column::new("objective", "objective gained", Plain, |r: &Marginal| Cell::Number(r.objective)),
        Column::new("supervisor", "supervisor", Plain, |r: &Marginal| {
            r.supervisor.as_deref().map_or(Cell::Empty, text)
        }),
    ]
}

/// The names of the workbook's sheets.
pub const SCENARIOS_SHEET: &str = "scenarios";
/// The fill-order sheet, when posts were filled.
pub const FILL_SHEET: &str = "fill order";
/// The marginal-ranking sheet, with `--marginal`.
pub const MARGINAL_SHEET: &str = "marginal ranking";

/// The workbook of `whatif --xlsx`: sheets `scenarios`, `fill order` (when posts were filled)
/// and `marginal ranking` (when it was computed). `out` names the file in messages.
pub fn workbook(out: &str, o: &Outcome) -> Result<Vec<u8>> {
    let mut book = crate::sheets::write::workbook::TableBook::new(out);
    book.sheet(SCENARIOS_SHEET, &scenario_columns(), o.scenarios.iter().map(|s| &s.row))?;
    let fills: Vec<FillRow> =
        o.fill_order.iter().flat_map(|f| f.posts.iter().map(|p| (f.settings.clone(), p.clone()))).collect();
    if !fills.is_empty() {
        book.sheet(FILL_SHEET, &fill_columns(), &fills)?;
    }
    if let Some(m) = &o.marginal {
        book.sheet(MARGINAL_SHEET, &marginal_columns(), m)?;
    }
    book.bytes()
}
