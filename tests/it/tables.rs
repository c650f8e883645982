//! The tables room (`caseload::tables`): each proposal table's CSV and its meeting-workbook
//! sheet come from one list of columns, so the two line up; and each of the model's own tables
//! (`workers`, `cases`, `reductions`), as `convert` writes it to CSV and to the model workbook,
//! is headed by its columns' names, which the readers accept. Read back with the csv crate and
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

/// A model that uses every column of the model's tables: every extension, and reductions.
fn full_model() -> caseload::model::ModelFile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/reductions_demo.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let first = m["workers"][0]["id"].clone();
    for (i, w) in m["workers"].as_array_mut().unwrap().iter_mut().enumerate() {
        if i % 2 == 0 {
            w["name"] = Value::from(format!("Worker {i}"));
        }
        if i % 3 == 0 {
            w["notes"] = Value::from(format!("=note, \"quoted\" {i}"));
        }
    }
    for (i, c) in m["cases"].as_array_mut().unwrap().iter_mut().enumerate() {
        if i % 2 == 0 {
            c["name"] = Value::from(format!("Child {i}"));
        }
        if i % 3 == 0 {
            c["notes"] = Value::from("+call back");
        }
        if i % 4 == 0 {
            c["waiting_since"] = Value::from("2026-01-05");
        }
        if i % 5 == 0 {
            c["no_agency"] = Value::from(true);
        }
        if i % 3 == 1 {
            c["previous_workers"] = Value::from(vec![first.clone()]);
        }
    }
    serde_json::from_value(m).unwrap()
}

/// Names as owned text.
fn owned(names: Vec<&str>) -> Vec<String> {
    names.into_iter().map(String::from).collect()
}

/// A sheet's header row, as text.
fn sheet_header(xlsx: &[u8], name: &str) -> Vec<String> {
    sheet(xlsx, name)[0].iter().map(|d| d.to_string()).collect()
}

#[test]
fn each_model_tables_csv_and_workbook_headers_are_its_columns_names_which_the_readers_accept() {
    use caseload::sheets::columns::{
        ALIAS_COLUMNS, CASE_COLUMNS, CASE_EXTRA_COLUMNS, REDUCTION_COLUMNS, WORKER_COLUMNS,
        WORKER_EXTRA_COLUMNS,
    };
    use caseload::sheets::write::{cases_csv, reductions_csv, workbook::model_workbook, workers_csv};
    use caseload::tables::{model_case_table, model_reduction_table, model_worker_table};
    let m = full_model();
    assert!(m.workers.iter().any(|w| !w.reductions.is_empty()), "the model has no reductions");
    let xlsx = model_workbook("m.json", &m).unwrap();
    // (table, the columns defined once, the readers' names, the CSV written)
    let tables = [
        (
            "workers",
            owned(model_worker_table().names()),
            [&WORKER_COLUMNS[..], &WORKER_EXTRA_COLUMNS[..]].concat(),
            workers_csv("m.json", &m).unwrap(),
        ),
        (
            "cases",
            owned(model_case_table().names()),
            [&CASE_COLUMNS[..], &CASE_EXTRA_COLUMNS[..]].concat(),
            cases_csv("m.json", &m).unwrap(),
        ),
        (
            "reductions",
            owned(model_reduction_table().names()),
            REDUCTION_COLUMNS.to_vec(),
            reductions_csv("m.json", &m).unwrap(),
        ),
    ];
    for (table, defined, accepted, csv) in &tables {
        // Every column the readers know is defined, and no other: the model uses them all.
        let accepted: Vec<String> = accepted.iter().map(|s| s.to_string()).collect();
        assert_eq!(defined, &accepted, "{table}: the columns defined and the readers' names");
        let (header, rows) = csv_of(csv);
        assert_eq!(&header, defined, "{table}: CSV header");
        assert!(!rows.is_empty(), "{table}: no rows");
        assert_eq!(&sheet_header(&xlsx, table), defined, "{table}: workbook header");
    }
    // A model without extensions writes the readers' core columns only, in their order.
    let mut plain = m.clone();
    for w in &mut plain.workers {
        (w.name, w.notes) = (None, None);
    }
    for c in &mut plain.cases {
        (c.name, c.notes, c.waiting_since, c.no_agency) = (None, None, None, None);
        c.previous_workers.clear();
    }
    let (header, _) = csv_of(&workers_csv("p.json", &plain).unwrap());
    assert_eq!(header, WORKER_COLUMNS.to_vec());
    let (header, _) = csv_of(&cases_csv("p.json", &plain).unwrap());
    assert_eq!(header, CASE_COLUMNS.to_vec());
    assert_eq!(sheet_header(&model_workbook("p.json", &plain).unwrap(), "cases"), CASE_COLUMNS.to_vec());
    // The readers take the written tables back as the same model.
    let back = caseload::sheets::read::parse_sheets_with(
        ("workers.csv", &tables[0].3[..]),
        ("cases.csv", &tables[1].3[..]),
        None,
        Some(("reductions.csv", &tables[2].3[..])),
        None,
    )
    .unwrap();
    assert_eq!(back.model.workers, m.workers);
    assert_eq!(back.model.cases, m.cases);
    let back = caseload::sheets::workbook::parse_workbook("m.xlsx", &xlsx, None).unwrap();
    assert_eq!(back.model.workers, m.workers);
    assert_eq!(back.model.cases, m.cases);
    // Aliases are read, never written: their columns stay the readers' own.
    assert_eq!(ALIAS_COLUMNS, ["word", "means"]);
}

#[test]
fn a_model_value_a_cell_cannot_keep_is_refused_with_its_place_by_both_writers() {
    let mut m = full_model();
    m.cases[2].needs = vec!["Urdu;Polish".into()];
    let csv = caseload::sheets::write::cases_csv("m.json", &m).unwrap_err().to_string();
    let xlsx = caseload::sheets::write::workbook::model_workbook("m.json", &m).unwrap_err().to_string();
    for e in [&csv, &xlsx] {
        assert!(e.contains("m.json") && e.contains("cases[2].needs[0]") && e.contains("';'"), "{e}");
    }
    let mut m = full_model();
    let i = m.workers.iter().position(|w| !w.reductions.is_empty()).unwrap();
    m.workers[i].reductions[0].reason = Some(" leave".into());
    let e = caseload::sheets::write::reductions_csv("m.json", &m).unwrap_err().to_string();
    assert!(e.contains(&format!("workers[{i}].reductions[0].reason")), "{e}");
}

#[test]
fn the_reports_tables_are_headed_by_the_columns_words() {
    use caseload::tables::{move_columns, report_header};
    let (m, _, bytes) = super::common::allocate(&model());
    let p: caseload::proposal::Proposal = serde_json::from_slice(&bytes).unwrap();
    assert!(!caseload::moves::moves(&m, &p).is_empty(), "no changes of worker to head");
    let html = caseload::report::render(&m, &p);
    let waits = wait_columns(&m);
    let loads = load_columns(&m);
    let moves = move_columns();
    let heads = [
        (report_header(&waits, "case"), report_header(&waits, "previous_worker")),
        (report_header(&waits, "team"), report_header(&waits, "waiting_since_or_today")),
        (report_header(&loads, "worker"), report_header(&loads, "load_of_target")),
        (report_header(&moves, "from"), report_header(&moves, "why")),
    ];
    for (a, b) in heads {
        for h in [a, b] {
            assert!(
                html.contains(&format!("<th>{h}</th>"))
                    || html.contains(&format!("<th class=\"n\">{h}</th>")),
                "no header {h:?} in the report"
            );
        }
    }
}
