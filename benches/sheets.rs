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
//!   200,000: linear). The quadratic lookups the same fixes removed were on the policy sheet
//!   and the meeting workbook's sheets, which `tests/it/hostile.rs` builds.
//!
//! Run: `cargo bench --bench sheets` (about a minute).

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

    // Each is refused for the rows added (read to their end), not for anything before them.
    for (book, says) in [(&hidden, "rows 3000, 3001"), (&unreadable, "#N/A")] {
        let e = caseload::sheets::workbook::parse_workbook("b.xlsx", book, None).expect_err("refused");
        assert!(e.to_string().contains(says), "{e}");
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
    g.finish();
}

criterion_group!(benches, sheets);
criterion_main!(benches);
