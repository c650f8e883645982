//! `caseload whatif --xlsx`: a sheet per table the command shows, read back with calamine (an
//! independent reader), with the numbers of the `--json` output, the columns of the `--csv`
//! output, no formula anywhere, and written with the other outputs or not at all.

use calamine::{Data, Reader};
use caseload::whatif::xlsx::{fill_columns, marginal_columns, scenario_columns};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseload")).args(args).env("RAYON_NUM_THREADS", "1").output().unwrap()
}

type Sheet = (String, Vec<Vec<Data>>);

/// Every sheet of a workbook as rows of cells, and whether any cell holds a formula.
fn read_book(path: &Path) -> (Vec<Sheet>, bool) {
    let bytes = std::fs::read(path).unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let mut formulas = false;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let rows = range.rows().map(|r| r.to_vec()).collect();
        let f = book.worksheet_formula(&name).unwrap();
        formulas |= f.used_cells().any(|(_, _, s)| !s.is_empty());
        out.push((name, rows));
    }
    (out, formulas)
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The column of a header in a sheet's first row.
fn col(rows: &[Vec<Data>], header: &str) -> usize {
    rows[0].iter().position(|c| text(c) == header).unwrap_or_else(|| panic!("no column {header:?}"))
}

/// A model whose vacant post `W06` is named `=W06`: an id that a spreadsheet would run.
fn model(dir: &Path) -> std::path::PathBuf {
    let mut m = super::whatif::short_staffed_model();
    for w in &mut m.workers {
        if w.id == "W06" {
            w.id = "=W06".into();
        }
    }
    let path = dir.join("m.json");
    std::fs::write(&path, caseload::write::to_json(&m)).unwrap();
    path
}

#[test]
fn the_workbook_has_a_sheet_per_table_with_the_numbers_of_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (json, csv, xlsx) = (dir.path().join("w.json"), dir.path().join("w.csv"), dir.path().join("w.xlsx"));
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let o = cli(&[
        "whatif",
        &s(&m),
        "--fill-vacancies",
        "0..=9",
        "--marginal",
        "--json",
        &s(&json),
        "--csv",
        &s(&csv),
        "--xlsx",
        &s(&xlsx),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let (sheets, formulas) = read_book(&xlsx);
    assert!(!formulas, "a cell of the workbook is a formula");
    let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["scenarios", "fill order", "marginal ranking"]);

    // Scenarios: one row each, headers in words, every number as in the JSON.
    let rows = &sheets[0].1;
    let scenarios = v["scenarios"].as_array().unwrap();
    assert_eq!(rows.len(), scenarios.len() + 1);
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert!(header.iter().all(|h| !h.contains('_')), "a header not in plain words: {header:?}");
    for (i, sc) in scenarios.iter().enumerate() {
        let row = &rows[i + 1];
        let at = |h: &str| &row[col(rows, h)];
        assert_eq!(text(at("scenario")), sc["words"].as_str().unwrap());
        assert_eq!(text(at("scenario key")), sc["name"].as_str().unwrap());
        for (h, key) in [
            ("scenario number", "index"),
            ("demand factor", "demand"),
            ("vacant posts filled", "filled"),
            ("cases", "cases"),
            ("allocated", "allocated"),
            ("without a worker", "unallocated"),
            ("workers above target", "workers_over_target"),
            ("load above target", "overload"),
            ("objective", "objective"),
            ("no choice of posts scores above", "upper_bound"),
            ("most a better choice of posts could add", "max_shortfall"),
        ] {
            assert_eq!(num(at(h)), sc[key].as_f64().unwrap(), "scenario {i}, {h}");
        }
        assert_eq!(
            num(at("without a worker: looked-after child")),
            sc["unallocated_by_type"]["looked_after"].as_f64().unwrap()
        );
        assert_eq!(num(at("lose their worker")), sc["moves"]["lost"].as_f64().unwrap());
        assert_eq!(at("proven best"), &Data::Bool(sc["optimal"].as_bool().unwrap()));
        let posts: Vec<&str> =
            sc["filled_posts"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert_eq!(text(at("posts filled, first first")), posts.join(";"));
    }
    // The id that looks like a formula is there, as text.
    assert!(rows.iter().any(|r| text(&r[col(rows, "posts filled, first first")]).contains("=W06")));

    // Fill order: every post of the JSON's fill order, in order.
    let rows = &sheets[1].1;
    let posts: Vec<&Value> =
        v["fill_order"].as_array().unwrap().iter().flat_map(|f| f["posts"].as_array().unwrap()).collect();
    assert!(!posts.is_empty());
    assert_eq!(rows.len(), posts.len() + 1);
    for (row, p) in rows[1..].iter().zip(&posts) {
        assert_eq!(num(&row[col(rows, "step")]), p["step"].as_f64().unwrap());
        assert_eq!(text(&row[col(rows, "post")]), p["post"].as_str().unwrap());
        assert_eq!(num(&row[col(rows, "objective gained")]), p["objective_gain"].as_f64().unwrap());
        assert_eq!(num(&row[col(rows, "children newly allocated")]), p["cases_gained"].as_f64().unwrap());
    }

    // Marginal ranking: as the JSON's.
    let rows = &sheets[2].1;
    let ranked = v["marginal"].as_array().unwrap();
    assert_eq!(rows.len(), ranked.len() + 1);
    for (row, r) in rows[1..].iter().zip(ranked) {
        assert_eq!(num(&row[col(rows, "rank")]), r["rank"].as_f64().unwrap());
        assert_eq!(text(&row[col(rows, "team")]), r["team"].as_str().unwrap());
        assert_eq!(num(&row[col(rows, "children newly allocated")]), r["cases"].as_f64().unwrap());
        assert_eq!(num(&row[col(rows, "objective gained")]), r["objective"].as_f64().unwrap());
    }

    // The CSV is the same scenarios table: its header is the columns' CSV names, and column by
    // column its numbers are the workbook's.
    let text_csv = std::fs::read_to_string(&csv).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(text_csv.as_bytes());
    let csv_header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let columns = scenario_columns();
    let in_csv: Vec<_> = columns.iter().filter(|c| c.in_csv()).collect();
    let in_sheet: Vec<_> = columns.iter().filter(|c| c.in_sheet()).collect();
    assert_eq!(csv_header, in_csv.iter().map(|c| c.csv.clone()).collect::<Vec<_>>());
    assert_eq!(header, in_sheet.iter().map(|c| c.header.clone()).collect::<Vec<_>>());
    // Each CSV column shown in the sheet too, at its place there.
    let place: Vec<Option<usize>> =
        in_csv.iter().map(|c| in_sheet.iter().position(|s| s.csv == c.csv)).collect();
    assert!(place.iter().filter(|p| p.is_none()).count() <= 1, "more than the words column is CSV-only");
    let book_rows = &sheets[0].1;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.unwrap();
        for (j, field) in rec.iter().enumerate() {
            let Some(k) = place[j] else { continue };
            let cell = &book_rows[i + 1][k];
            match cell {
                Data::Float(x) => assert_eq!(field.parse::<f64>().unwrap(), *x, "row {i}, {}", csv_header[j]),
                Data::Bool(b) => assert_eq!(field, b.to_string()),
                // Text a spreadsheet would run gets a leading ' in the CSV only.
                _ => assert_eq!(field.trim_start_matches('\''), text(cell), "row {i}, {}", csv_header[j]),
            }
        }
    }
}

#[test]
fn without_fills_or_marginal_the_workbook_holds_the_scenarios_only() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let xlsx = dir.path().join("w.xlsx");
    let o = cli(&["whatif", m.to_str().unwrap(), "--demand", "1,1.5", "--xlsx", xlsx.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let (sheets, _) = read_book(&xlsx);
    assert_eq!(sheets.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), ["scenarios"]);
    assert_eq!(sheets[0].1.len(), 3);
}

#[test]
fn the_workbook_is_written_with_the_other_outputs_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let csv = dir.path().join("w.csv");
    let xlsx = dir.path().join("no such folder").join("w.xlsx");
    let o = cli(&[
        "whatif",
        m.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--xlsx",
        xlsx.to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(!csv.exists(), "the CSV was written although the workbook could not be");
}

/// Every table the workbook shows has as many CSV names as headers in words, none empty and
/// none twice, so a CSV and a workbook of one table line up column for column.
#[test]
fn each_tables_csv_names_and_headers_line_up() {
    fn check(table: &str, csv: Vec<String>, words: Vec<String>) {
        assert_eq!(csv.len(), words.len(), "{table}");
        for names in [&csv, &words] {
            let mut seen = std::collections::BTreeSet::new();
            for n in names {
                assert!(!n.is_empty() && seen.insert(n.clone()), "{table}: {n:?} empty or twice");
            }
        }
    }
    let s = scenario_columns();
    check(
        "scenarios",
        s.iter().map(|c| c.csv.clone()).collect(),
        s.iter().map(|c| c.header.clone()).collect(),
    );
    let f = fill_columns();
    check(
        "fill order",
        f.iter().map(|c| c.csv.clone()).collect(),
        f.iter().map(|c| c.header.clone()).collect(),
    );
    let m = marginal_columns();
    check(
        "marginal",
        m.iter().map(|c| c.csv.clone()).collect(),
        m.iter().map(|c| c.header.clone()).collect(),
    );
}
