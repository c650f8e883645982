//! Criterion benchmarks of reading hand-edited and hostile workbooks at size: the input-speed
//! fixes of the twenty-third session, which the tests do not time (tests here time nothing).
//!
//! Each builds the model workbook of a generated 2,000-case model with caseload's own writer,
//! then adds rows to its cases sheet as a hostile or badly edited file would have them, and
//! reads it back with `caseload::sheets::workbook::parse_workbook` to its refusal:
//! - `hidden_then_empty`: 300,000 hidden rows, then as many empty ones (43 s through the
//!   command line before the fix, each empty row looking through every hidden row; 0.63 s
//!   here after it, 2026-12-06);
//! - `unreadable`: 100,000 rows each with an `#N/A` id, every one named (1.26 s; 2.61 s with
//!   200,000: linear).
//!
//! The same fixes removed quadratic lookups on the policy sheet and the meeting workbook's
//! sheets (`tests/it/hostile.rs` builds them, untimed); each is timed here at the same size:
//! - `policy_unreadable`: a model workbook whose policy sheet has 100,000 settings with an
//!   `#N/A` name, to its refusal (0.27 s, 2026-12-07);
//! - `meeting_workers_unreadable`: the meeting workbook `allocate --xlsx` writes, with 100,000
//!   rows on its `workers` sheet each with an `#N/A` cap (38 s through `check` before the fix),
//!   read and judged against the model (`check::resolve`) to its refusal (0.66 s);
//! - `meeting_allocations_unreadable`: 100,000 rows on its `allocations` sheet whose case is
//!   `#N/A`, read to its refusal (0.29 s).
//!
//! Run: `cargo bench --bench sheets` (about two minutes).

use caseload::generate::{generate, GenerateOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::io::{Read, Write};
use std::time::Duration;

/// The model workbook of a generated 2,000-case model.
fn workbook() -> Vec<u8> {
    let args =
        GenerateOptions { cases: 2_000, workers: 125, teams: 8, seed: 1, ..GenerateOptions::default() };
    let bytes = caseload::write::to_json(&generate(&args).expect("generated"));
    let file = caseload::read::parse_model("m.json", &bytes).expect("a model");
    caseload::sheets::write::workbook::model_workbook("m.xlsx", &file).expect("written")
}

/// `book` with `rows` added at the end of the sheet data of its part `part`.
fn with_rows(book: &[u8], part: &str, rows: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(book)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("a part");
        let name = f.name().to_string();
        let mut xml = Vec::new();
        f.read_to_end(&mut xml).expect("read");
        if name == part {
            let text = String::from_utf8_lossy(&xml).into_owned();
            let at = text.find("</sheetData>").expect("sheet data");
            xml = format!("{}{rows}{}", &text[..at], &text[at..]).into_bytes();
        }
        out.start_file(name, options).expect("start");
        out.write_all(&xml).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// The meeting workbook `allocate --xlsx` writes for a one-case team, and its model (read for
/// a day, as `allocate` reads it): sheets summary, allocations, unallocated, workers, moves.
fn meeting() -> (caseload::model::Model, Vec<u8>) {
    let json = br#"{"version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"},
                    {"id": "A1", "role": "social_work_assistant", "team": "North"}],
        "cases": [{"id": "C1", "type": "child_in_need", "team": "North"}]}"#;
    let day = caseload::date::Date::parse("2026-12-07").expect("a day");
    let as_of = caseload::model::AsOf { date: day, stated: true };
    let m = caseload::load_model_bytes_on("m.json", json, Some(as_of)).expect("a model");
    let p = caseload::allocate(&m, caseload::solve::Limits::default()).expect("a proposal");
    let book = caseload::sheets::write::workbook::proposal_workbook("m.xlsx", &m, &p).expect("written");
    (m, book)
}

/// A meeting workbook read back and judged against its model, as `check` does.
fn read_meeting(m: &caseload::model::Model, book: &[u8]) -> caseload::error::Result<()> {
    let p = caseload::sheets::meeting::parse_proposal("m.xlsx", book)?;
    caseload::check::resolve(m, &p, false)
}

/// An `#N/A` cell at column `col` of row `r`.
fn unreadable_cell(r: usize, col: &str) -> String {
    format!("<c r=\"{col}{r}\" t=\"e\"><v>#N/A</v></c>")
}

fn sheets(c: &mut Criterion) {
    let book = workbook();
    // The cases sheet, the second caseload writes (workers, cases, policy); rows numbered past
    // the model's own.
    let marker = "xl/worksheets/sheet2.xml";
    let first = 3_000;
    let n = 300_000;
    let mut rows = String::new();
    for r in first..first + n {
        rows += &format!("<row r=\"{r}\" hidden=\"1\"><c r=\"A{r}\"><v>{r}</v></c></row>");
    }
    for r in first + n..first + 2 * n {
        rows += &format!("<row r=\"{r}\"></row>");
    }
    let hidden = with_rows(&book, marker, &rows);
    let m = 100_000;
    let na: String = (first..first + m)
        .map(|r| {
            format!("<row r=\"{r}\"><c r=\"A{r}\" t=\"e\"><v>#N/A</v></c><c r=\"B{r}\"><v>1</v></c></row>")
        })
        .collect();
    let unreadable = with_rows(&book, marker, &na);
    // The policy sheet, the third: settings whose names cannot be read.
    let settings: String = (first..first + m)
        .map(|r| format!("<row r=\"{r}\">{}<c r=\"B{r}\"><v>1</v></c></row>", unreadable_cell(r, "A")))
        .collect();
    let policy = with_rows(&book, "xl/worksheets/sheet3.xml", &settings);

    // Each is refused for the rows added (read to their end), not for anything before them.
    for (book, says) in
        [(&hidden, "rows 3000, 3001"), (&unreadable, "#N/A"), (&policy, "sheet policy: rows 3000, 3001")]
    {
        let e = caseload::sheets::workbook::parse_workbook("b.xlsx", book, None).expect_err("refused");
        assert!(e.to_string().contains(says), "{e}");
    }

    // The meeting workbook's workers sheet (the fourth) and allocations sheet (the second).
    let (model, meeting) = meeting();
    let w: String = (10..10 + m)
        .map(|r| {
            format!(
                "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>W1</t></is></c>{}</row>",
                unreadable_cell(r, "I")
            )
        })
        .collect();
    let meeting_workers = with_rows(&meeting, "xl/worksheets/sheet4.xml", &w);
    let a: String = (10..10 + m)
        .map(|r| format!("<row r=\"{r}\">{}<c r=\"K{r}\"><v>1</v></c></row>", unreadable_cell(r, "A")))
        .collect();
    let meeting_allocations = with_rows(&meeting, "xl/worksheets/sheet2.xml", &a);
    read_meeting(&model, &meeting).expect("the meeting workbook as written reads");
    for (book, says) in [
        (&meeting_workers, "sheet workers: row 10, column cap (I)"),
        (&meeting_allocations, "sheet allocations: row 10, column case"),
    ] {
        let e = read_meeting(&model, book).expect_err("refused");
        assert!(e.to_string().contains(says) && e.to_string().contains("#N/A"), "{e}");
    }
    let mut g = c.benchmark_group("sheets");
    g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(5));
    // Both are refused (hidden rows, unreadable cells); what is timed is reaching the refusal.
    g.bench_function("hidden_then_empty", |b| {
        b.iter(|| caseload::sheets::workbook::parse_workbook("h.xlsx", black_box(&hidden), None).is_err())
    });
    g.bench_function("unreadable", |b| {
        b.iter(|| caseload::sheets::workbook::parse_workbook("u.xlsx", black_box(&unreadable), None).is_err())
    });
    g.bench_function("policy_unreadable", |b| {
        b.iter(|| caseload::sheets::workbook::parse_workbook("p.xlsx", black_box(&policy), None).is_err())
    });
    g.bench_function("meeting_workers_unreadable", |b| {
        b.iter(|| read_meeting(&model, black_box(&meeting_workers)).is_err())
    });
    g.bench_function("meeting_allocations_unreadable", |b| {
        b.iter(|| read_meeting(&model, black_box(&meeting_allocations)).is_err())
    });
    g.finish();
}

criterion_group!(benches, sheets);
criterion_main!(benches);
