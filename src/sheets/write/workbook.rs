//! Workbooks written (with [rust_xlsxwriter]): a model, losslessly (sheets `workers`, `cases`,
//! `reductions` and `policy`, read back by [`crate::sheets::workbook`]), and a proposal for the
//! allocation meeting (read back by [`crate::sheets::meeting`]).
//!
//! Text is always written as a text cell, never as a formula, so a name beginning with `=`,
//! `+`, `-` or `@` cannot run in Excel (the formula-injection guard of the CSV outputs).

use crate::error::{Error, Result};
use crate::model::{ModelFile, PolicyInput};
use crate::tables::{headers, Cell, Column, Format as TableFormat};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The rows of a policy sheet for a policy: (setting, value as text, is a number).
fn policy_rows(p: &PolicyInput) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(p) else { return out };
    for (k, v) in map {
        if k == "aliases" {
            // Written as the aliases sheet.
            continue;
        }
        match v {
            serde_json::Value::Object(inner) => {
                for (k2, v2) in inner {
                    out.push((format!("{k}.{k2}"), v2));
                }
            }
            v => out.push((k, v)),
        }
    }
    out
}

fn xlsx_err(path: &str) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| {
        match e {
        // What the input asks a cell to hold, not a failure of the disk: an input error, found
        // while every output is made and before any is written.
        XlsxError::MaxStringLengthExceeded => Error::input(
            path,
            "a cell",
            format!(
                "a text would be longer than {} characters, the most an Excel cell holds; shorten the ids, names or notes of the model",
                crate::limits::count(crate::limits::MAX_FIELD_CHARS)
            ),
        ),
        e => Error::Write { path: path.into(), problem: format!("cannot build the workbook: {e}") },
    }
    }
}

/// A sheet being written: header in bold, frozen, with a filter, and widths to fit.
struct SheetWriter<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
    /// The most characters each column is widened to.
    widest: Vec<usize>,
    rows: u32,
}

/// A cell to write.
enum Value {
    Text(String),
    Number(f64, Option<&'static str>),
    Bool(bool),
    Empty,
}

impl<'a> SheetWriter<'a> {
    fn new(book: &'a mut Workbook, name: &str, header: &[&str]) -> std::result::Result<Self, XlsxError> {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        let bold = Format::new().set_bold();
        for (j, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, *h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(SheetWriter {
            ws,
            widths: header.iter().map(|h| h.chars().count() + 3).collect(),
            widest: vec![crate::tables::WIDEST; header.len()],
            rows: 0,
        })
    }

    fn row(&mut self, cells: Vec<Value>) -> std::result::Result<(), XlsxError> {
        self.rows += 1;
        let r = self.rows;
        for (j, v) in cells.into_iter().enumerate() {
            let c = j as u16;
            let shown = match v {
                Value::Text(s) => {
                    // Always a text cell: never run as a formula. An input's text is within a
                    // cell's limit already; one composed of long names is cut to it.
                    let s = crate::limits::fit(s);
                    self.ws.write_string(r, c, &s)?;
                    s.chars().count()
                }
                Value::Number(x, fmt) => {
                    match fmt {
                        Some(f) => {
                            self.ws.write_number_with_format(r, c, x, &Format::new().set_num_format(f))?
                        }
                        None => self.ws.write_number(r, c, x)?,
                    };
                    format!("{x}").len().min(12)
                }
                Value::Bool(b) => {
                    self.ws.write_boolean(r, c, b)?;
                    5
                }
                Value::Empty => 0,
            };
            if let Some(w) = self.widths.get_mut(j) {
                *w = (*w).max(shown + 2);
            }
        }
        Ok(())
    }

    fn finish(self) -> std::result::Result<(), XlsxError> {
        let cols = self.widths.len();
        for (j, (w, most)) in self.widths.iter().zip(&self.widest).enumerate() {
            self.ws.set_column_width(j as u16, (*w).min(*most) as f64)?;
        }
        if cols > 0 {
            self.ws.autofilter(0, 0, self.rows, (cols - 1) as u16)?;
        }
        Ok(())
    }
}

/// Dates the workbook like the report: now, or `SOURCE_DATE_EPOCH` when set, so that the same
/// inputs on the same day (or with that variable) give the same bytes.
fn stamp(book: &mut Workbook) {
    let secs = crate::date::stamp_secs();
    // Whole days: two runs on one day give the same workbook.
    if let Ok(t) = rust_xlsxwriter::ExcelDateTime::from_timestamp(secs - secs.rem_euclid(86_400)) {
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&t));
    }
}

/// A workbook of tables (`whatif --xlsx`): one sheet per table, each written from its columns
/// ([`crate::tables::Column`]) with the header in words in bold, frozen and filtered.
pub struct TableBook {
    book: Workbook,
    out: String,
}

impl TableBook {
    /// A new workbook; `out` names it in messages.
    pub fn new(out: &str) -> Self {
        let mut book = Workbook::new();
        stamp(&mut book);
        TableBook { book, out: out.to_string() }
    }

    /// Adds a sheet `name` with a row per item of `rows`.
    pub fn sheet<'r, R: 'r>(
        &mut self,
        name: &str,
        columns: &[Column<R>],
        rows: impl IntoIterator<Item = &'r R>,
    ) -> Result<()> {
        table_sheet(&mut self.book, name, columns, rows).map_err(xlsx_err(&self.out))
    }

    /// The workbook's bytes.
    pub fn bytes(mut self) -> Result<Vec<u8>> {
        let e = xlsx_err(&self.out);
        self.book.save_to_buffer().map_err(&e)
    }
}

/// A sheet `name` of a table: the columns a workbook shows, a row per item of `rows`.
fn table_sheet<'r, R: 'r>(
    book: &mut Workbook,
    name: &str,
    columns: &[Column<R>],
    rows: impl IntoIterator<Item = &'r R>,
) -> std::result::Result<(), XlsxError> {
    let shown: Vec<&Column<R>> = columns.iter().filter(|c| c.in_sheet()).collect();
    let mut sw = SheetWriter::new(book, name, &headers(columns))?;
    sw.widest = shown.iter().map(|c| c.width).collect();
    for row in rows {
        sw.row(shown.iter().map(|c| value((c.cell)(row), c.format)).collect())?;
    }
    sw.finish()
}

/// A table's cell as a workbook cell in a column's format.
fn value(cell: Cell, format: TableFormat) -> Value {
    match cell {
        Cell::Text(s) => Value::Text(s),
        Cell::Number(x) => Value::Number(x, format.excel()),
        Cell::Bool(b) => Value::Bool(b),
        Cell::Code(_, words) => Value::Text(words),
        Cell::Empty => Value::Empty,
    }
}

/// A model as a workbook (sheets `workers`, `cases`, `reductions` when a worker has dated
/// reductions, and `policy`) that reads back as the same model: its tables' columns as the CSV
/// writer has them ([`crate::tables::ModelTable`], headers the columns' names). Refuses values a
/// cell cannot hold exactly, like the CSV writer; `file` names the model in messages.
pub fn model_workbook(file: &str, m: &ModelFile) -> Result<Vec<u8>> {
    let workers = super::worker_model_table(m);
    let worker_rows = crate::tables::worker_rows(m);
    workers.check_rows(file, &worker_rows)?;
    let cases = super::case_model_table(m);
    let case_rows = crate::tables::case_rows(m);
    cases.check_rows(file, &case_rows)?;
    let e = xlsx_err(file);
    let mut book = Workbook::new();
    stamp(&mut book);
    table_sheet(&mut book, "workers", &workers.columns, &worker_rows).map_err(&e)?;
    table_sheet(&mut book, "cases", &cases.columns, &case_rows).map_err(&e)?;
    if super::has_reductions(m) {
        let reductions = super::reduction_model_table();
        let rows = crate::tables::reduction_rows(m);
        reductions.check_rows(file, &rows)?;
        table_sheet(&mut book, "reductions", &reductions.columns, &rows).map_err(&e)?;
    }
    let mut sw = SheetWriter::new(&mut book, "policy", &["setting", "value"]).map_err(&e)?;
    for (setting, v) in policy_rows(&m.policy.clone().unwrap_or_default()) {
        let value = match v {
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0), None),
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Array(items) if items.is_empty() => Value::Text("none".into()),
            serde_json::Value::Array(items) => {
                Value::Text(items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join(";"))
            }
            serde_json::Value::String(s) => Value::Text(s),
            _ => Value::Empty,
        };
        sw.row(vec![Value::Text(setting), value]).map_err(&e)?;
    }
    sw.finish().map_err(&e)?;
    if let Some(words) = m.policy.as_ref().and_then(|p| p.aliases.as_ref()).filter(|w| !w.is_empty()) {
        let mut sw =
            SheetWriter::new(&mut book, "aliases", &crate::sheets::columns::ALIAS_COLUMNS).map_err(&e)?;
        for (word, means) in words {
            sw.row(vec![Value::Text(word.clone()), Value::Text(means.clone())]).map_err(&e)?;
        }
        sw.finish().map_err(&e)?;
    }
    book.save_to_buffer().map_err(&e)
}

/// A proposal as a workbook for the allocation meeting: sheets `summary` (the day the
/// allocation is for, the counts, and how to bring the meeting's decision back), `allocations`,
/// `unallocated` (with since when each child has waited, reasons, the sentence for the family,
/// and an empty `worker` column to type a worker into), `workers` (load as a share of target)
/// and `moves` (every child who changes or loses a worker, with why). Names and notes of the
/// model get their columns when it has any. It reads back as a proposal
/// (`meeting::read_meeting`), edits and all.
pub fn proposal_workbook(
    out: &str,
    m: &crate::model::Model,
    p: &crate::proposal::Proposal,
) -> Result<Vec<u8>> {
    let e = xlsx_err(out);
    let mut book = Workbook::new();
    stamp(&mut book);
    let text = |s: &str| Value::Text(s.to_string());
    let day = m.date.or(p.summary.date);

    // Warnings first, so the meeting sees them before it trusts the allocation.
    if !p.warnings.is_empty() {
        let mut sw = SheetWriter::new(&mut book, "warnings", &["code", "message"]).map_err(&e)?;
        for w in &p.warnings {
            sw.row(vec![text(&w.code), text(&w.message)]).map_err(&e)?;
        }
        sw.finish().map_err(&e)?;
    }
    let mut sw = SheetWriter::new(&mut book, "summary", &["item", "value"]).map_err(&e)?;
    let s = &p.summary;
    let mut lines: Vec<(&str, Value)> = Vec::new();
    if let Some(d) = day {
        lines.push((crate::sheets::DAY_LABEL, text(&d.to_string())));
    }
    lines.extend([
        ("cases", Value::Number(s.cases.cases as f64, Some("0"))),
        ("allocated", Value::Number(s.cases.allocated as f64, Some("0"))),
        ("unallocated", Value::Number(s.cases.unallocated as f64, Some("0"))),
        ("kept", Value::Number(s.moves.kept as f64, Some("0"))),
        ("moved", Value::Number(s.moves.moved as f64, Some("0"))),
        ("new", Value::Number(s.moves.new as f64, Some("0"))),
        ("lose their worker", Value::Number(s.moves.lost as f64, Some("0"))),
        (
            "after the meeting",
            text(
                "Change a worker on the allocations sheet, type one on the unallocated sheet, or delete a row \
                 (that child is then unallocated); save, then run: caseload accept MODEL THIS-WORKBOOK -o NEXT",
            ),
        ),
    ]);
    // The model it was made from, so that `accept` can tell another week's workbook.
    lines.push((crate::sheets::MODEL_HASH_LABEL, text(&s.model_hash)));
    let below = lines.len() as u32 + 1;
    for (item, value) in lines {
        sw.row(vec![text(item), value]).map_err(&e)?;
    }
    sw.finish().map_err(&e)?;
    // The day as written, in a hidden row below the summary (outside its filter and widths):
    // the row `allocation for` may be retyped (the meeting moved), and a wait that starts with
    // the workbook shows this day on the unallocated sheet, which the reader compares with it.
    if let Some(d) = day {
        let ws = book.worksheet_from_name("summary").map_err(&e)?;
        ws.write_string(below, 0, crate::sheets::DAY_AS_WRITTEN_LABEL).map_err(&e)?;
        ws.write_string(below, 1, d.to_string()).map_err(&e)?;
        ws.set_row_hidden(below).map_err(&e)?;
    }

    let allocs = crate::tables::alloc_rows(m, p);
    table_sheet(&mut book, "allocations", &crate::tables::alloc_columns(m), &allocs).map_err(&e)?;
    let waits = crate::tables::wait_rows(m, p);
    table_sheet(&mut book, "unallocated", &crate::tables::wait_columns(m), &waits).map_err(&e)?;
    let loads = crate::tables::load_rows(m, p);
    table_sheet(&mut book, "workers", &crate::tables::load_columns(m), &loads).map_err(&e)?;

    // The moves sheet is not read back; a hidden copy of each move's `to`, as written, lets
    // the reader tell a worker typed over `to` (which would be lost) from a move the meeting
    // changed on the allocations sheet.
    let moves = crate::moves::moves(m, p);
    let mut columns = crate::tables::move_columns();
    let written = crate::tables::move_columns().into_iter().find(|c| c.csv == "to");
    columns.extend(written.map(|c| Column {
        csv: "to_as_written".into(),
        header: crate::sheets::MOVED_TO_AS_WRITTEN.into(),
        ..c.sheet_only()
    }));
    table_sheet(&mut book, "moves", &columns, &moves).map_err(&e)?;
    let last = columns.iter().filter(|c| c.in_sheet()).count().saturating_sub(1);
    book.worksheet_from_name("moves").and_then(|ws| ws.set_column_hidden(last as u16)).map_err(&e)?;
    book.save_to_buffer().map_err(&e)
}
