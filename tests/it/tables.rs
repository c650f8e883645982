//! The tables room (`caseload::tables`): each proposal table's CSV and its meeting-workbook
//! sheet come from one list of columns, so the two line up. Read back with the csv crate and
//! calamine (independent readers), on a model with names, notes, waiting days and text a
//! spreadsheet would run.

use calamine::{Data, Reader};
use caseload::model::{CaseType, Role};
use caseload::tables::{alloc_columns, load_columns, wait_columns, Column};
use serde_json::Value;

fn model() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/report_demo.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for (i, w) in m["workers"].as_array_mut().unwrap().iter_mut().enumerate() {
        if i % 3 == 0 {
            w["name"] = Value::from(format!("Worker {i}"));
        }
        if i % 4 == 0 {
            w["notes"] = Value::from(format!("=note {i}"));
        }
    }
    for (i, c) in m["cases"].as_array_mut().unwrap().iter_mut().enumerate() {
        if i % 5 == 0 {
            c["name"] = Value::from(format!("Child {i}"));
        }
        if i % 7 == 0 {
            c["notes"] = Value::from("+call back");
        }
        if i % 3 == 0 {
            c["waiting_since"] = Value::from(format!("2026-01-0{}", 1 + i % 9));
        }
    }
    m
}

/// A sheet of the workbook as rows of cells.
fn sheet(xlsx: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    book.worksheet_range(name).unwrap().rows().map(|r| r.to_vec()).collect()
}

/// A CSV as its header and rows.
fn csv_of(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

/// A CSV code as the words a workbook shows for it.
fn words_of(code: &str) -> Option<String> {
    CaseType::ALL
        .into_iter()
        .find(|t| t.name() == code)
        .map(|t| t.words().to_string())
        .or_else(|| Role::ALL.into_iter().find(|r| r.name() == code).map(|r| r.name().replace('_', " ")))
}

/// The table's CSV header is its columns' CSV names, its sheet header their words, and every
/// column both show holds the same value in both, row by row.
fn lines_up<R>(table: &str, columns: &[Column<R>], csv: &[u8], rows: &[Vec<Data>]) {
    let (header, csv_rows) = csv_of(csv);
    let in_csv: Vec<&Column<R>> = columns.iter().filter(|c| c.in_csv()).collect();
    let in_sheet: Vec<&Column<R>> = columns.iter().filter(|c| c.in_sheet()).collect();
    assert_eq!(header, in_csv.iter().map(|c| c.csv.clone()).collect::<Vec<_>>(), "{table}: CSV header");
    let sheet_header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(
        sheet_header,
        in_sheet.iter().map(|c| c.header.clone()).collect::<Vec<_>>(),
        "{table}: sheet header"
    );
    assert_eq!(csv_rows.len() + 1, rows.len(), "{table}: rows");
    assert!(!csv_rows.is_empty(), "{table}: no rows to compare");
    let mut shared = 0;
    for col in columns.iter().filter(|c| c.in_csv() && c.in_sheet()) {
        shared += 1;
        let j = header.iter().position(|h| *h == col.csv).unwrap();
        let k = sheet_header.iter().position(|h| *h == col.header).unwrap();
        for (i, row) in csv_rows.iter().enumerate() {
            let (field, cell) = (&row[j], &rows[i + 1][k]);
            match cell {
                Data::Float(x) => {
                    assert_eq!(field.parse::<f64>().unwrap(), *x, "{table} row {i}, {}", col.csv)
                }
                Data::Empty => assert_eq!(field, "", "{table} row {i}, {}", col.csv),
                _ => {
                    let t = cell.to_string();
                    let same = *field == t
                        || field.strip_prefix('\'') == Some(t.as_str())
                        || words_of(field).as_deref() == Some(t.as_str());
                    assert!(same, "{table} row {i}, {}: CSV {field:?}, workbook {t:?}", col.csv);
                }
            }
        }
    }
    assert!(shared >= 5, "{table}: only {shared} columns in both");
}

#[test]
fn each_proposal_tables_csv_and_workbook_sheet_line_up_column_by_column() {
    let (m, _, bytes) = super::common::allocate(&model());
    let p: caseload::proposal::Proposal = serde_json::from_slice(&bytes).unwrap();
    assert!(!p.unallocated.is_empty() && !p.allocations.is_empty());
    let xlsx = caseload::sheets::write::workbook::proposal_workbook("meeting.xlsx", &m, &p).unwrap();
    use caseload::sheets::write::{allocations_csv, unallocated_csv, worker_loads_csv};
    lines_up("allocations", &alloc_columns(&m), &allocations_csv(&m, &p), &sheet(&xlsx, "allocations"));
    lines_up("unallocated", &wait_columns(&m), &unallocated_csv(&m, &p), &sheet(&xlsx, "unallocated"));
    lines_up("workers", &load_columns(&m), &worker_loads_csv(&m, &p), &sheet(&xlsx, "workers"));
}
