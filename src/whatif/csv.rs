//! The CSV output of `caseload whatif --csv`: one line per scenario, with the columns of
//! [`super::xlsx::scenario_columns`] (the same table as the workbook's scenarios sheet), through
//! the one CSV writer ([`crate::util::csv_bytes`]).

use super::rows::Outcome;
use crate::tables;

/// One CSV line per scenario, with a header.
pub fn csv(o: &Outcome) -> Vec<u8> {
    let columns = super::xlsx::scenario_columns();
    let rows = tables::csv_rows(&columns, o.scenarios.iter().map(|s| &s.row));
    crate::util::csv_bytes(&tables::csv_header(&columns), &rows, false)
}
