//! The output tables' columns, each defined once: its name in a CSV, its header in plain words
//! (a workbook sheet, the report), how wide a workbook may draw it, how a workbook shows its
//! numbers, and how one row's cell is made. The CSV writers ([`crate::sheets::write`],
//! [`crate::whatif::csv`]) and the workbook writers ([`crate::sheets::write::workbook`],
//! [`crate::whatif::xlsx`]) take the same list, so a column cannot say one thing in one output
//! and another in the next.
//!
//! Text cells are never formulas: [`csv_text`] gives a text that starts with `=`, `+`, `-`, `@`
//! or a control character a leading `'`, and the workbook writer always writes text as text.

/// How a workbook shows a column's numbers (a CSV always writes the shortest exact form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Text, or a number as Excel shows it by default.
    Plain,
    /// A count: `0`.
    Whole,
    /// A quantity with up to two decimals: `0.0#`.
    Decimal,
    /// A share as a percentage: `0%`.
    Percent,
}

impl Format {
    /// The Excel number format, if any.
    pub fn excel(self) -> Option<&'static str> {
        match self {
            Format::Plain => None,
            Format::Whole => Some("0"),
            Format::Decimal => Some("0.0#"),
            Format::Percent => Some("0%"),
        }
    }
}

/// One cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text (written as text, never as a formula).
    Text(String),
    /// A number.
    Number(f64),
    /// Yes or no.
    Bool(bool),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as CSV text: numbers in their shortest exact form, text guarded against
    /// formulas ([`csv_text`]).
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => csv_text(s),
            Cell::Number(x) => format!("{x}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A count as a cell.
pub fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

/// Text as a cell.
pub fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// Text for a spreadsheet cell in a CSV. A value that starts with `=`, `+`, `-`, `@` or a
/// control character would be run as a formula by spreadsheet programs; it gets a leading `'`,
/// which they show as text.
pub fn csv_text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The most characters a workbook column is widened to unless a column says otherwise.
pub const WIDEST: usize = 60;

/// One column of a table of rows `R`.
pub struct Column<R> {
    /// Its name in a CSV (`unallocated_child_protection`).
    pub csv: String,
    /// Its header in plain words, in a workbook and the report (`unallocated: child protection`).
    pub header: String,
    /// The most characters a workbook widens it to (it is fitted to its cells up to this).
    pub width: usize,
    /// How a workbook shows its numbers.
    pub format: Format,
    /// The cell of one row.
    pub cell: Box<dyn Fn(&R) -> Cell + Send + Sync>,
}

impl<R> Column<R> {
    /// A column: CSV name, header in words, number format and cell.
    pub fn new(
        csv: impl Into<String>,
        header: impl Into<String>,
        format: Format,
        cell: impl Fn(&R) -> Cell + Send + Sync + 'static,
    ) -> Self {
        Column { csv: csv.into(), header: header.into(), width: WIDEST, format, cell: Box::new(cell) }
    }
}

/// The CSV names of a table's columns.
pub fn csv_header<R>(columns: &[Column<R>]) -> Vec<&str> {
    columns.iter().map(|c| c.csv.as_str()).collect()
}

/// The headers in words of a table's columns.
pub fn headers<R>(columns: &[Column<R>]) -> Vec<&str> {
    columns.iter().map(|c| c.header.as_str()).collect()
}

/// The rows of a table as CSV text, column by column.
pub fn csv_rows<'r, R: 'r>(columns: &[Column<R>], rows: impl IntoIterator<Item = &'r R>) -> Vec<Vec<String>> {
    rows.into_iter().map(|r| columns.iter().map(|c| (c.cell)(r).csv()).collect()).collect()
}

/// The rows of a table as cells, column by column.
pub fn cells<'r, R: 'r>(columns: &[Column<R>], rows: impl IntoIterator<Item = &'r R>) -> Vec<Vec<Cell>> {
    rows.into_iter().map(|r| columns.iter().map(|c| (c.cell)(r)).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_run_as_a_formula_is_quoted_in_a_csv() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"] {
            assert_eq!(text(s).csv(), format!("'{s}"));
        }
        assert_eq!(text("North").csv(), "North");
        assert_eq!(Cell::Number(3.0).csv(), "3");
        assert_eq!(Cell::Number(0.1).csv(), "0.1");
        assert_eq!(count(7).csv(), "7");
        assert_eq!(Cell::Bool(true).csv(), "true");
        assert_eq!(Cell::Empty.csv(), "");
    }
}
