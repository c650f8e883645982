//! A hostile corpus, generated here: workbooks with far cells, zip bombs, bad shared strings,
//! missing parts and formulas without values; duplicate and lookalike sheets; escape sequences
//! in ids; huge and non-finite numbers; trailing JSON and duplicate keys; over-long ids. Each
//! is refused with exit status 2 and a message naming the limit or the place, and no output
//! file changes. Then a bounded fuzz of the workbook, CSV and JSON readers: no panic.

use crate::sheets_common::{code, root, run, stderr};
use std::io::Write;
use std::path::Path;

const RELS_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const SHEET_TYPE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
const SST_TYPE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings";

/// A zip of the given parts, deflated.
fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

/// Inline-string cells for rows of text.
fn rows_xml(rows: &[&[&str]]) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        s += &format!("<row r=\"{}\">", i + 1);
        for (j, v) in r.iter().enumerate() {
            let col = (b'A' + j as u8) as char;
            s += &format!("<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{v}</t></is></c>", i + 1);
        }
        s += "</row>";
    }
    s
}

fn sheet(rows: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData></worksheet>"
    )
    .into_bytes()
}

const WORKERS: &[&[&str]] = &[&["id", "role", "team"], &["W1", "social_worker", "North"]];
const CASES: &[&[&str]] = &[&["id", "type", "team"], &["C1", "looked_after", "North"]];

/// A workbook by hand: named sheets with their XML, and an optional shared-string part.
fn workbook(sheets: &[(&str, Vec<u8>)], shared: Option<&str>) -> Vec<u8> {
    let mut wb = format!("<?xml version=\"1.0\"?><workbook xmlns:r=\"{RELS_NS}\"><sheets>");
    let mut rels = String::from("<?xml version=\"1.0\"?><Relationships>");
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, (name, xml)) in sheets.iter().enumerate() {
        wb += &format!("<sheet name=\"{name}\" sheetId=\"{}\" r:id=\"rId{}\"/>", i + 1, i + 1);
        rels += &format!(
            "<Relationship Id=\"rId{}\" Type=\"{SHEET_TYPE}\" Target=\"worksheets/sheet{}.xml\"/>",
            i + 1,
            i + 1
        );
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone()));
    }
    if let Some(sst) = shared {
        rels += &format!("<Relationship Id=\"rIdS\" Type=\"{SST_TYPE}\" Target=\"sharedStrings.xml\"/>");
        parts.push(("xl/sharedStrings.xml".into(), sst.as_bytes().to_vec()));
    }
    wb += "</sheets></workbook>";
    rels += "</Relationships>";
    parts.push(("xl/workbook.xml".into(), wb.into_bytes()));
    parts.push(("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()));
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    zip_of(&refs)
}

/// The plain workbook: workers and cases with one row each.
fn plain() -> Vec<(&'static str, Vec<u8>)> {
    vec![("workers", sheet(&rows_xml(WORKERS))), ("cases", sheet(&rows_xml(CASES)))]
}

const OLD: &[u8] = b"last week's proposal\n";

/// Runs `allocate` on a workbook with `-o p.json --xlsx m.xlsx` where p.json holds last week's
/// proposal; returns the status and stderr, having checked that nothing changed.
fn allocate_book(bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.xlsx"), bytes).unwrap();
    std::fs::write(dir.path().join("p.json"), OLD).unwrap();
    let o = run(dir.path(), &["allocate", "--workbook", "b.xlsx", "-o", "p.json", "--xlsx", "m.xlsx", "-q"]);
    let status = code(&o);
    if status != 0 {
        unchanged(dir.path());
    }
    (status, stderr(&o))
}

/// p.json still holds last week's proposal and nothing else was written.
fn unchanged(dir: &Path) {
    assert_eq!(std::fs::read(dir.join("p.json")).unwrap(), OLD, "p.json was replaced");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.retain(|n| !matches!(n.as_str(), "p.json" | "b.xlsx" | "m.json" | "r.json" | "pol.json"));
    assert!(names.is_empty(), "left behind: {names:?}");
}

/// Asserts a refusal: exit 2, the message contains every piece, and it is not a panic.
fn refused(got: (i32, String), pieces: &[&str]) {
    let (status, err) = got;
    assert_eq!(status, 2, "{err}");
    assert!(!err.contains("panicked") && !err.contains("internal error"), "{err}");
    for p in pieces {
        assert!(err.contains(p), "expected {p:?} in: {err}");
    }
}

#[test]
fn a_hand_built_workbook_is_accepted_so_the_refusals_below_are_of_their_fault_alone() {
    let (status, err) = allocate_book(&workbook(&plain(), None));
    assert_eq!(status, 0, "{err}");
}

#[test]
fn a_lone_cell_at_xfd1048576_is_refused_by_its_place_without_sizing_a_grid() {
    let far = format!(
        "<dimension ref=\"A1:XFD1048576\"/>{}<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
        rows_xml(CASES)
    );
    let mut s = plain();
    s[1].1 = sheet(&far);
    refused(allocate_book(&workbook(&s, None)), &["sheet cases", "row 1048576"]);
    // Past Excel's grid: a reference that no sheet can hold.
    let past =
        format!("{}<row r=\"3\"><c r=\"XFE3\" t=\"inlineStr\"><is><t>x</t></is></c></row>", rows_xml(CASES));
    s[1].1 = sheet(&past);
    refused(allocate_book(&workbook(&s, None)), &["XFE3", "Excel's grid"]);
}

#[test]
fn a_sheet_that_inflates_past_the_compression_ratio_is_a_zip_bomb_refused() {
    // 64 MiB of empty elements deflate to a few tens of kilobytes.
    let mut rows = String::with_capacity(64 << 20);
    while rows.len() < 64 << 20 {
        rows.push_str("<x/>");
    }
    let mut s = plain();
    s[1].1 = sheet(&format!("{}{rows}", rows_xml(CASES)));
    let book = workbook(&s, None);
    assert!(book.len() < 1 << 20, "the bomb is small: {}", book.len());
    refused(allocate_book(&book), &["xl/worksheets/sheet2.xml", "compression ratio"]);
}

#[test]
fn a_tiny_file_with_a_huge_ratio_is_refused() {
    let sst = format!("<sst><si><t>{}</t></si></sst>", " ".repeat(4 << 20));
    let book = workbook(&plain(), Some(&sst));
    assert!(book.len() < 64 << 10);
    refused(allocate_book(&book), &["sharedStrings", "compression ratio"]);
}

#[test]
fn a_shared_string_past_the_cell_limit_is_refused_whether_text_runs_or_cdata() {
    // Runs of 20,000 characters each: no piece passes the XML limit, the string does.
    let run = "ab".repeat(10_000);
    for (how, si) in [
        ("runs", format!("<si><r><t>{run}</t></r><r><t>{run}</t></r></si>")),
        ("cdata", format!("<si><t><![CDATA[{run}]]><![CDATA[{run}]]></t></si>")),
        ("mixed", format!("<si><r><t>{run}</t></r><r><t><![CDATA[{run}]]></t></r></si>")),
    ] {
        let sst = format!("<sst>{si}</sst>");
        let got = allocate_book(&workbook(&plain(), Some(&sst)));
        assert_eq!(got.0, 2, "{how}: {}", got.1);
        refused(got, &["sharedStrings", "string 0", "32,767"]);
    }
    // At the limit it is read.
    let sst = format!("<sst><si><t><![CDATA[{}]]></t></si></sst>", "x".repeat(32_767));
    assert_eq!(allocate_book(&workbook(&plain(), Some(&sst))).0, 0);
}

#[test]
fn one_text_longer_than_the_xml_piece_limit_is_refused() {
    // Letters that do not compress much, so the ratio is not what stops it.
    let mut r = crate::common::Rng::new(7);
    let long: String = (0..(1 << 21)).map(|_| (b'a' + (r.next_u64() % 26) as u8) as char).collect();
    let sst = format!("<sst><si><t>{long}</t></si></sst>");
    refused(allocate_book(&workbook(&plain(), Some(&sst))), &["sharedStrings", "1 MiB"]);
}

#[test]
fn bad_shared_string_indices_are_refused_with_their_cell() {
    let sst = "<sst><si><t>W1</t></si><si><t>social_worker</t></si><si><t>North</t></si></sst>";
    for bad in ["3", "-1", "abc", "", "99999999999999999999"] {
        let rows = format!(
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>role</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>team</t></is></c></row>\
             <row r=\"2\"><c r=\"A2\" t=\"s\"><v>{bad}</v></c><c r=\"B2\" t=\"s\"><v>1</v></c><c r=\"C2\" t=\"s\"><v>2</v></c></row>"
        );
        let mut s = plain();
        s[0].1 = sheet(&rows);
        let got = allocate_book(&workbook(&s, Some(sst)));
        if bad.is_empty() {
            // An empty index is an empty cell: the id is missing.
            refused(got, &["row 2", "id"]);
        } else {
            refused(got, &["sheet workers", "row 2, column id", "shared string"]);
        }
    }
    // String cells in a workbook with no shared-string part.
    let rows = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>";
    let mut s = plain();
    s[0].1 = sheet(rows);
    refused(allocate_book(&workbook(&s, None)), &["row 1, column A", "no shared-string part"]);
}

#[test]
fn missing_parts_and_non_workbooks_are_refused() {
    let full = workbook(&plain(), None);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(full.clone())).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).unwrap();
        parts.push((f.name().to_string(), b));
    }
    for (missing, named) in [
        ("xl/workbook.xml", "xl/workbook.xml"),
        ("xl/_rels/workbook.xml.rels", "xl/_rels/workbook.xml.rels"),
        ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet2.xml"),
    ] {
        let kept: Vec<(&str, Vec<u8>)> =
            parts.iter().filter(|(n, _)| n != missing).map(|(n, b)| (n.as_str(), b.clone())).collect();
        refused(allocate_book(&zip_of(&kept)), &[named]);
    }
    refused(allocate_book(b"PK\x03\x04 not really a zip"), &["cannot open it as an Excel workbook"]);
    refused(allocate_book(&full[..full.len() / 2]), &["cannot open it as an Excel workbook"]);
}

#[test]
fn a_zip_with_two_parts_of_one_name_and_other_spreadsheet_formats_are_named() {
    // Two workers sheets under one part name: which one a program reads is in doubt.
    let other = sheet(&rows_xml(&[&["id", "role", "team"], &["W9", "social_worker", "North"]]));
    // (A zip writer refuses a name twice: the copy is written as `.xmk` and renamed in place.)
    let mut parts = vec![("xl/worksheets/sheet1.xmk", other)];
    let full = workbook(&plain(), None);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(full)).unwrap();
    let mut held: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).unwrap();
        held.push((f.name().to_string(), b));
    }
    parts.extend(held.iter().map(|(n, b)| (n.as_str(), b.clone())));
    let mut bytes = zip_of(&parts);
    let (from, to) = (b"xl/worksheets/sheet1.xmk", b"xl/worksheets/sheet1.xml");
    let at: Vec<usize> =
        (0..bytes.len() - from.len()).filter(|&i| &bytes[i..i + from.len()] == from).collect();
    assert_eq!(at.len(), 2, "the local header and the directory name it");
    for i in at {
        bytes[i..i + to.len()].copy_from_slice(to);
    }
    refused(allocate_book(&bytes), &["two parts of one name"]);
    // An Excel 97-2003 file and an OpenDocument spreadsheet, named .xlsx, are named for what
    // they are.
    let xls = [vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], vec![0; 504]].concat();
    refused(allocate_book(&xls), &["Excel 97-2003 workbook (.xls)"]);
    // Its first entry, `mimetype`, is stored as it is, as OpenDocument requires.
    let mut ods = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut ods);
        let stored =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        z.start_file("mimetype", stored).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
        z.start_file("content.xml", stored).unwrap();
        z.write_all(b"<office:document-content/>").unwrap();
        z.finish().unwrap();
    }
    let ods = ods.into_inner();
    refused(allocate_book(&ods), &["OpenDocument spreadsheet (.ods)"]);
}

#[test]
fn a_sheet_part_that_is_not_utf8_xml_is_refused_not_read_as_an_empty_sheet() {
    // A policy sheet of the council's caps saved as UTF-16, damaged, blank or of other XML
    // read as no cells at all: the England defaults in place of the council's, without a word.
    let policy = rows_xml(&[&["setting", "value"], &["caps.social_worker", "4"]]);
    let utf16: Vec<u8> = String::from_utf8(sheet(&policy))
        .unwrap()
        .replace("UTF-8", "UTF-16")
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let bom = [vec![0xFF, 0xFE], utf16.clone()].concat();
    for (bytes, words) in [
        (bom, "UTF-16"),
        (utf16, "UTF-16"),
        (b"\x00\x01garbage".to_vec(), "something other than XML"),
        (Vec::new(), "empty"),
        (b"   \n ".to_vec(), "holds no worksheet"),
        (b"<?xml version=\"1.0\"?><html><body>x</body></html>".to_vec(), "holds no worksheet"),
    ] {
        let mut sheets = plain();
        sheets.push(("policy", bytes));
        refused(
            allocate_book(&workbook(&sheets, None)),
            &["sheet policy", "save the workbook again from Excel", words],
        );
    }
    // The same sheet as Excel writes it is read (the refusals are of the encoding alone).
    let mut sheets = plain();
    sheets.push(("policy", sheet(&policy)));
    let (status, err) = allocate_book(&workbook(&sheets, None));
    assert_eq!(status, 0, "{err}");
}

#[test]
fn a_part_cut_short_between_two_tags_is_refused_not_read_as_its_first_rows() {
    // A workbook damaged inside a sound zip: each part ends between two tags, which the XML
    // reader takes for the part's end. Read, the cases sheet kept its first child and lost
    // the second, and the workbook's list of sheets lost the policy sheet, exit status 0.
    let cases = rows_xml(&[
        &["id", "type", "team"],
        &["C1", "looked_after", "North"],
        &["C2", "looked_after", "North"],
    ]);
    let policy = sheet(&rows_xml(&[&["setting", "value"], &["caps.social_worker", "4"]]));
    let whole = String::from_utf8(sheet(&cases)).unwrap();
    let cut = whole.as_bytes()[..whole.find("<row r=\"3\">").unwrap()].to_vec();
    let sheets = [("workers", sheet(&rows_xml(WORKERS))), ("cases", cut), ("policy", policy.clone())];
    refused(
        allocate_book(&workbook(&sheets, None)),
        &["sheet cases: part xl/worksheets/sheet2.xml: the part ends before its XML does", "cut short"],
    );
    // The list of sheets cut just before the policy sheet.
    let sheets = [("workers", sheet(&rows_xml(WORKERS))), ("cases", sheet(&cases)), ("policy", policy)];
    let book = workbook(&sheets, None);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        if f.name() == "xl/workbook.xml" {
            let at = bytes.windows(19).position(|w| w == b"<sheet name=\"policy").unwrap();
            bytes.truncate(at);
        }
        parts.push((f.name().to_string(), bytes));
    }
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    refused(allocate_book(&zip_of(&refs)), &["part xl/workbook.xml: the part ends before its XML does"]);
}

#[test]
fn a_csv_quote_never_closed_is_refused_at_its_line_not_read_as_one_long_cell() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("workers.csv"), "id,role,team\nW1,social_worker,North\n").unwrap();
    let mut cases = String::from("id,type,team,notes\nC1,looked_after,North,\"a note\nover two lines\"\n");
    cases += "C2,looked_after,North,\"called 3 times, no answer\n";
    for i in 3..=9 {
        cases += &format!("C{i},child_in_need,North,ok\n");
    }
    std::fs::write(dir.path().join("cases.csv"), &cases).unwrap();
    std::fs::write(dir.path().join("p.json"), OLD).unwrap();
    let args = ["allocate", "--workers", "workers.csv", "--cases", "cases.csv", "-o", "p.json", "-q"];
    let o = run(dir.path(), &args);
    refused((code(&o), stderr(&o)), &["cases.csv", "line 4, field 4", "never closed"]);
    assert_eq!(std::fs::read(dir.path().join("p.json")).unwrap(), OLD, "p.json was replaced");
    // Closed, the same file is read whole: nine children, the first note over two lines.
    std::fs::write(dir.path().join("cases.csv"), cases.replace("no answer\n", "no answer\"\n")).unwrap();
    let o = run(dir.path(), &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("p.json")).unwrap()).unwrap();
    assert_eq!(p["summary"]["cases"]["cases"], 9, "{p}");
}

#[test]
fn a_csv_line_of_more_fields_than_columns_allowed_is_refused_before_it_is_held() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("workers.csv"), "id,role,team\nW1,social_worker,North\n").unwrap();
    let wide = format!("id,type,team\nC1,looked_after,North{}\n", ",".repeat(20_000));
    std::fs::write(dir.path().join("cases.csv"), wide).unwrap();
    let o = run(
        dir.path(),
        &["allocate", "--workers", "workers.csv", "--cases", "cases.csv", "-o", "p.json", "-q"],
    );
    refused((code(&o), stderr(&o)), &["cases.csv", "line 2", "16,384 fields"]);
}

#[test]
fn a_formula_without_a_saved_value_is_an_error_naming_its_cell() {
    let rows = format!(
        "{}<row r=\"3\"><c r=\"A3\"><f>CONCAT(\"W\",2)</f></c><c r=\"B3\" t=\"inlineStr\"><is><t>social_worker</t></is></c><c r=\"C3\" t=\"inlineStr\"><is><t>North</t></is></c></row>",
        rows_xml(WORKERS)
    );
    let mut s = plain();
    s[0].1 = sheet(&rows);
    refused(
        allocate_book(&workbook(&s, None)),
        &["sheet workers", "row 3, column id", "formula with no saved value"],
    );
    // openpyxl's way: an empty <v /> for a formula it did not calculate.
    let uncalculated = rows.replace("</f></c>", "</f><v /></c>");
    s[0].1 = sheet(&uncalculated);
    refused(allocate_book(&workbook(&s, None)), &["row 3, column id", "formula with no saved value"]);
    // With its saved value, the same formula is read as the value.
    let rows =
        rows.replace("</f></c>", "</f><v>W2</v></c>").replace("<c r=\"A3\">", "<c r=\"A3\" t=\"str\">");
    s[0].1 = sheet(&rows);
    assert_eq!(allocate_book(&workbook(&s, None)).0, 0);
}

/// A workbook whose writer saved each formula with the value 0 and asked Excel to recalculate
/// on opening (XlsxWriter and rust_xlsxwriter do, `<calcPr fullCalcOnLoad="1"/>`) was read as
/// caps of 0, and children left unallocated without a word. Each formula cell is now refused
/// at its place, a column of them said once; the same workbook with the values typed reads.
#[test]
fn a_formula_saved_as_0_for_excel_to_recalculate_is_refused_not_read_as_0() {
    let book = |formulas: bool| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("workers").unwrap();
        for (j, h) in ["id", "role", "team", "cap"].iter().enumerate() {
            ws.write_string(0, j as u16, *h).unwrap();
        }
        for (i, id) in ["W1", "W2", "W3"].iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, *id).unwrap();
            ws.write_string(r, 1, "social_worker").unwrap();
            ws.write_string(r, 2, "North").unwrap();
            if formulas && r > 1 {
                ws.write_formula(r, 3, "=1+2").unwrap();
            } else {
                ws.write_number(r, 3, 3.0).unwrap();
            }
        }
        let ws = wb.add_worksheet().set_name("cases").unwrap();
        for (j, h) in ["id", "type", "team"].iter().enumerate() {
            ws.write_string(0, j as u16, *h).unwrap();
        }
        for i in 1..=9u32 {
            ws.write_string(i, 0, format!("C{i}")).unwrap();
            ws.write_string(i, 1, "child_in_need").unwrap();
            ws.write_string(i, 2, "North").unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let (status, err) = allocate_book(&book(true));
    refused(
        (status, err.clone()),
        &[
            "b.xlsx, sheet workers: rows 3 and 4, column cap: the cell holds a formula, and the workbook asks to be recalculated when it is opened",
            "open the workbook in Excel and save it",
        ],
    );
    assert_eq!(err.matches("the cell holds a formula").count(), 1, "said once: {err}");
    let (status, err) = allocate_book(&book(false));
    assert_eq!(status, 0, "{err}");
}

/// A formula without a saved value in a column a row needs (the case's `team`) is named for
/// what it is, at its row and under its header, with what to do; not also as an empty cell,
/// which would send the manager to type over a formula they can see.
#[test]
fn a_formula_without_a_saved_value_is_named_as_one_not_as_an_empty_cell() {
    let uncalculated = "<c r=\"C2\"><f>workers!C2</f><v /></c>";
    let cases = format!(
        "{}<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>C1</t></is></c><c r=\"B2\" t=\"inlineStr\"><is><t>looked_after</t></is></c>{uncalculated}</row>",
        rows_xml(&CASES[..1])
    );
    // The same in the policy sheet's setting column.
    let policy = format!(
        "{}<row r=\"2\"><c r=\"A2\"><f>Sheet9!A1</f></c><c r=\"B2\"><v>20</v></c></row>",
        rows_xml(&[&["setting", "value"]])
    );
    let mut s = plain();
    s[1].1 = sheet(&cases);
    s.push(("policy", sheet(&policy)));
    let (status, err) = allocate_book(&workbook(&s, None));
    let said = "the cell holds a formula with no saved value (the workbook was written by a program that does not calculate formulas), so it cannot be read; open the workbook in Excel and save it, which saves each formula's value, or type the value";
    refused(
        (status, err.clone()),
        &[
            &format!("b.xlsx, sheet cases: row 2, column team: {said}"),
            &format!("b.xlsx, sheet policy: row 2, column setting: {said}"),
        ],
    );
    assert!(!err.contains("empty"), "{err}");
    assert_eq!(err.matches("row 2").count(), 2, "{err}");
}

#[test]
fn sheets_differing_only_in_case_are_an_error() {
    let mut s = plain();
    s.push(("Cases", sheet(&rows_xml(CASES))));
    refused(allocate_book(&workbook(&s, None)), &["\"cases\" and \"Cases\"", "keep one"]);
}

#[test]
fn a_policy_sheet_under_another_name_is_an_error_and_an_unread_sheet_a_warning() {
    let policy = sheet(&rows_xml(&[&["setting", "value"], &["caps.social_worker", "0"]]));
    let mut s = plain();
    s.push(("Policy settings", policy));
    refused(allocate_book(&workbook(&s, None)), &["Policy settings", "did you mean policy"]);
    let mut s = plain();
    s.push(("Notes", sheet(&rows_xml(&[&["anything"]]))));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.xlsx"), workbook(&s, None)).unwrap();
    let o = run(dir.path(), &["allocate", "--workbook", "b.xlsx", "-o", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("\"Notes\" is not read"), "{}", stderr(&o));
    let o = run(dir.path(), &["allocate", "--workbook", "b.xlsx", "-o", "q.json", "--strict"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn non_finite_and_huge_policy_values_in_a_sheet_are_errors_naming_their_cell() {
    for bad in ["inf", "NaN", "1e400", "-infinity"] {
        let policy = sheet(&rows_xml(&[&["setting", "value"], &["caps.social_worker", bad]]));
        let mut s = plain();
        s.push(("policy", policy));
        refused(allocate_book(&workbook(&s, None)), &["sheet policy", "row 2, column value", "finite"]);
    }
    let policy = sheet(&rows_xml(&[&["setting", "value"], &["move_penalty", "1e300"]]));
    let mut s = plain();
    s.push(("policy", policy));
    refused(allocate_book(&workbook(&s, None)), &["move_penalty", "1e9"]);
}

fn model(cases: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"},
                    {"id": "A1", "role": "social_work_assistant", "team": "North"}],
        "cases": cases})
}

/// Runs a command in a directory holding m.json (and p.json with last week's proposal).
fn with_model(m: &[u8], args: &[&str], env: &[(&str, &str)]) -> (i32, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.json"), m).unwrap();
    std::fs::write(dir.path().join("p.json"), OLD).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"));
    cmd.args(args).current_dir(dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    (code(&o), String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o), dir)
}

#[test]
fn an_object_of_more_keys_than_a_sheet_has_rows_is_refused_at_the_limit() {
    // Every key of an object is held until it ends, to refuse one given twice: nine million
    // keys of a field nobody reads (a model's unknown field, a later version's in a proposal)
    // took 960 MB before the unknown field was named at its first byte.
    let keys = caseload::limits::MAX_OBJECT_KEYS + 1;
    let mut x = String::from("{");
    for i in 0..keys {
        if i > 0 {
            x.push(',');
        }
        x += &format!("\"k{i}\":1");
    }
    x.push('}');
    let m = format!("{{\"version\":1,\"x\":{x},\"workers\":[],\"cases\":[]}}");
    let (status, _, err, dir) = with_model(m.as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    refused((status, err), &["m.json: x (line 1", "an object of more than 1,048,576 keys, above the limit"]);
    unchanged(dir.path());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.json"), serde_json::to_vec(&model(serde_json::json!([]))).unwrap())
        .unwrap();
    let p = format!("{{\"version\":1,\"later\":{x},\"allocations\":[],\"unallocated\":[]}}");
    std::fs::write(dir.path().join("p.json"), p).unwrap();
    let o = run(dir.path(), &["check", "m.json", "p.json", "--allow-empty"]);
    refused((code(&o), stderr(&o)), &["p.json: later (line 1", "an object of more than 1,048,576 keys"]);
}

#[test]
fn a_proposal_refused_costs_no_more_memory_than_its_file() {
    // Asking whether a proposal that failed to read was a model file read the whole file as a
    // JSON value, ten times its size: 1.4 GB for 120 MB of empty lists in a later version's
    // field. This one (30 MB) ran out of 200 MB of address space.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.json"), serde_json::to_vec(&model(serde_json::json!([]))).unwrap())
        .unwrap();
    let mut p = String::from("{\"version\":1,\"later\":[[]");
    p += &",[]".repeat(10_000_000 - 1);
    p += "],\"allocations\":5}";
    std::fs::write(dir.path().join("p.json"), p).unwrap();
    #[cfg(target_os = "linux")]
    {
        let o = in_200_mb(dir.path(), "check m.json p.json --allow-empty");
        refused((code(&o), stderr(&o)), &["p.json: allocations: invalid type: integer `5`, expected a list"]);
    }
}

/// `caseload --threads 1 ARGS` run in `dir` within 200 MB of address space (`ulimit -v`).
#[cfg(target_os = "linux")]
fn in_200_mb(dir: &Path, args: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(r#"ulimit -v 200000 && exec "$0" --threads 1 {args}"#))
        .arg(env!("CARGO_BIN_EXE_caseload"))
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn recommend_reads_its_proposal_once_however_large_a_later_field() {
    // `recommend --proposal` read the file a second time, whole, as a JSON value, for its
    // model hash: 1.4 GB for a proposal with 120 MB of a later version's field (SPEC section
    // 5 lets it hold anything). This one (30 MB) ran out of 200 MB of address space.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("models/small_team.json"), dir.path().join("m.json")).unwrap();
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p = std::fs::read_to_string(dir.path().join("p.json")).unwrap();
    let later = format!("{{\"later\": [[]{}],", ",[]".repeat(10_000_000 - 1));
    std::fs::write(dir.path().join("p.json"), p.replacen('{', &later, 1)).unwrap();
    #[cfg(target_os = "linux")]
    {
        let o = in_200_mb(dir.path(), "recommend m.json --case C09 --proposal p.json");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
}

#[test]
fn huge_numbers_are_refused_so_no_objective_is_null() {
    let m =
        model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North", "priority": 1e308}]));
    let (status, _, err, dir) =
        with_model(m.to_string().as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    // Shown as given, compactly: not as a number of 309 digits.
    assert!(!err.contains("0000000000"), "{err}");
    refused((status, err), &["cases[0].priority", "priority is 1e308, above the limit of 1e9"]);
    unchanged(dir.path());
    let mut m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North"}]));
    m["workers"][0]["fte"] = serde_json::json!(1e300);
    m["policy"] = serde_json::json!({"move_penalty": -1.5e300});
    let (status, _, err, _dir) =
        with_model(m.to_string().as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    refused(
        (status, err.clone()),
        &["at most 1, got 1e300", "move_penalty must be a number >= 0, got -1.5e300"],
    );
    assert!(!err.contains("0000000000"), "{err}");
    let text = r#"{"version": 1, "workers": [], "cases": [{"id": "C1", "type": "looked_after", "team": "N", "weight": 1e400}]}"#;
    let (status, _, err, dir) = with_model(text.as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    refused((status, err), &["m.json"]);
    unchanged(dir.path());
}

#[test]
fn trailing_json_and_duplicate_keys_are_refused_in_every_json_input() {
    let m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North"}])).to_string();
    let two = format!("{m}\n{m}");
    let (status, _, err, dir) = with_model(two.as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    refused((status, err), &["m.json", "more after the JSON value"]);
    unchanged(dir.path());
    let dup = m.replacen("\"version\":1", "\"version\":1,\"version\":1", 1);
    assert_ne!(dup, m);
    let (status, _, err, _) = with_model(dup.as_bytes(), &["check", "m.json"], &[]);
    refused((status, err), &["version", "given twice"]);
    // In a policy map, where serde itself would keep the last silently.
    let caps = m.replacen(
        "\"version\":1",
        "\"version\":1,\"policy\":{\"caps\":{\"social_worker\":5,\"social_worker\":50}}",
        1,
    );
    let (status, _, err, _) = with_model(caps.as_bytes(), &["check", "m.json"], &[]);
    refused((status, err), &["policy.caps.social_worker", "given twice"]);
    // A referral with two teams.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.json"), &m).unwrap();
    std::fs::write(
        dir.path().join("r.json"),
        br#"{"type": "looked_after", "team": "North", "team": "South"}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["recommend", "m.json", "--referral", "r.json"]);
    refused((code(&o), stderr(&o)), &["r.json", "team", "given twice"]);
    // A proposal with content after it.
    let p = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q"]);
    assert_eq!(code(&p), 0, "{}", stderr(&p));
    let mut bytes = std::fs::read(dir.path().join("p.json")).unwrap();
    bytes.extend_from_slice(b"]");
    std::fs::write(dir.path().join("p2.json"), bytes).unwrap();
    let o = run(dir.path(), &["check", "m.json", "p2.json"]);
    refused((code(&o), stderr(&o)), &["p2.json", "more after the JSON value"]);
    // A policy file, too.
    std::fs::write(dir.path().join("pol.json"), br#"{"move_penalty": 1, "move_penalty": 2}"#).unwrap();
    let w = root().join("models/sheets/workers.csv");
    let c = root().join("models/sheets/cases.csv");
    if w.exists() && c.exists() {
        let o = run(
            dir.path(),
            &[
                "check",
                "--workers",
                w.to_str().unwrap(),
                "--cases",
                c.to_str().unwrap(),
                "--policy",
                "pol.json",
            ],
        );
        refused((code(&o), stderr(&o)), &["pol.json", "given twice"]);
    }
}

#[test]
fn escape_sequences_in_ids_are_shown_escaped_on_every_terminal_line() {
    let id = "C1\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}";
    // An assistant without a supervisor holds it today: a breach that names the case.
    let m = model(
        serde_json::json!([{"id": id, "type": "child_in_need", "team": "North", "current_worker": "A1"}]),
    );
    let (status, out, err, _) = with_model(m.to_string().as_bytes(), &["check", "m.json"], &[]);
    assert_eq!(status, 1, "{out}{err}");
    for text in [&out, &err] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
    }
    assert!(out.contains("\\u{1b}]0;pwned"), "{out}");
    let (_, out, err, _) = with_model(m.to_string().as_bytes(), &["recommend", "m.json", "--case", id], &[]);
    assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}'), "{out}{err}");
    assert!(out.contains("\\u{1b}"), "{out}{err}");
    // In an error message, too.
    let m = model(
        serde_json::json!([{"id": "C1", "type": "child_in_need", "team": "North", "current_worker": id}]),
    );
    let (status, out, err, _) =
        with_model(m.to_string().as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    assert_eq!(status, 2);
    assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}'), "{err}");
}

#[test]
fn an_over_long_id_is_refused_before_anything_is_written() {
    let long = "C".repeat(40_000);
    let m = model(serde_json::json!([{"id": long, "type": "looked_after", "team": "North"}]));
    let (status, _, err, dir) = with_model(
        m.to_string().as_bytes(),
        &["allocate", "m.json", "-o", "p.json", "--xlsx", "m.xlsx"],
        &[],
    );
    refused((status, err), &["cases[0].id", "32,767"]);
    unchanged(dir.path());
}

#[test]
fn a_run_whose_last_output_fails_replaces_nothing() {
    let m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North"}]));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.json"), m.to_string()).unwrap();
    std::fs::write(dir.path().join("p.json"), OLD).unwrap();
    // A directory where the CSV tables' last file should go: it cannot be replaced.
    std::fs::create_dir_all(dir.path().join("out/workers.csv")).unwrap();
    let o = run(
        dir.path(),
        &["allocate", "m.json", "-o", "p.json", "--report", "r.html", "--xlsx", "x.xlsx", "--csv", "out"],
    );
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.path().join("p.json")).unwrap(), OLD);
    for f in ["r.html", "x.xlsx", "out/allocations.csv", "out/unallocated.csv"] {
        assert!(!dir.path().join(f).exists(), "{f} was written");
    }
}

#[test]
fn a_panic_is_a_plain_internal_error_with_status_5() {
    let m = model(serde_json::json!([]));
    let (status, _, err, dir) = with_model(
        m.to_string().as_bytes(),
        &["allocate", "m.json", "-o", "p.json"],
        &[("CASELOAD_DEBUG_PANIC", "1")],
    );
    assert_eq!(status, 5, "{err}");
    assert!(err.contains("internal error") && err.contains("please report"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
    unchanged(dir.path());
}

#[test]
fn source_date_epoch_out_of_range_is_an_error() {
    let m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North"}]));
    for bad in ["253402300800", "-5", "tomorrow"] {
        let (status, _, err, dir) = with_model(
            m.to_string().as_bytes(),
            &["allocate", "m.json", "-o", "p.json"],
            &[("SOURCE_DATE_EPOCH", bad)],
        );
        refused((status, err), &["SOURCE_DATE_EPOCH"]);
        unchanged(dir.path());
    }
}

/// A mutation of bytes: flips, cuts, duplicated or deleted runs, and hostile snippets.
fn mutate(r: &mut crate::common::Rng, bytes: &mut Vec<u8>) {
    const SNIPPETS: [&str; 12] = [
        " t=\"s\"",
        "r=\"XFD1048576\"",
        "<f>1+1</f>",
        "<v>-1</v>",
        "<v>abc</v>",
        "<v>1e400</v>",
        " t=\"e\"",
        "<row r=\"0\">",
        "\"",
        ",",
        "\u{1b}[2J",
        "<![CDATA[x]]>",
    ];
    let n = bytes.len().max(1);
    match r.next_u64() % 5 {
        0 => {
            let i = (r.next_u64() as usize) % n;
            if let Some(b) = bytes.get_mut(i) {
                *b ^= 1 << (r.next_u64() % 8);
            }
        }
        1 => bytes.truncate((r.next_u64() as usize) % n),
        2 => {
            let i = (r.next_u64() as usize) % n;
            let len = ((r.next_u64() as usize) % 64).min(bytes.len() - i.min(bytes.len()));
            let run: Vec<u8> = bytes[i.min(bytes.len())..i.min(bytes.len()) + len].to_vec();
            let at = (r.next_u64() as usize) % n;
            bytes.splice(at.min(bytes.len())..at.min(bytes.len()), run);
        }
        3 => {
            let i = (r.next_u64() as usize) % n;
            let end = (i + (r.next_u64() as usize) % 32).min(bytes.len());
            if i < end {
                bytes.drain(i..end);
            }
        }
        _ => {
            let s = SNIPPETS[(r.next_u64() as usize) % SNIPPETS.len()];
            let at = ((r.next_u64() as usize) % n).min(bytes.len());
            bytes.splice(at..at, s.bytes());
        }
    }
}

fn fuzz_iters() -> usize {
    std::env::var("FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

#[test]
fn fuzzed_workbooks_csvs_and_json_never_panic() {
    let small = std::fs::read(root().join("models/small_team.json")).unwrap();
    let m = caseload::read::parse_model("m", &small).unwrap();
    let book = caseload::sheets::write::workbook::model_workbook("m", &m).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(book.clone())).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).unwrap();
        parts.push((f.name().to_string(), b));
    }
    let workers = caseload::sheets::write::workers_csv("m", &m).unwrap();
    let cases = caseload::sheets::write::cases_csv("m", &m).unwrap();
    let mut r = crate::common::Rng::new(0x5eed_2026);
    for i in 0..fuzz_iters() {
        // A workbook with one of its XML parts mutated (or, now and then, the zip itself).
        let mut p = parts.clone();
        let k = (r.next_u64() as usize) % p.len();
        for _ in 0..1 + r.next_u64() % 4 {
            mutate(&mut r, &mut p[k].1);
        }
        let refs: Vec<(&str, Vec<u8>)> = p.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let mut bytes = zip_of(&refs);
        if i % 7 == 0 {
            bytes = book.clone();
            mutate(&mut r, &mut bytes);
        }
        let got = std::panic::catch_unwind(|| {
            if let Ok(s) = caseload::sheets::workbook::parse_workbook("b.xlsx", &bytes, None) {
                let _ = s.validate();
            }
        });
        assert!(got.is_ok(), "workbook {i} panicked (part {})", p[k].0);
        // CSVs.
        let (mut w, mut c) = (workers.clone(), cases.clone());
        mutate(&mut r, if i % 2 == 0 { &mut w } else { &mut c });
        let got = std::panic::catch_unwind(|| {
            if let Ok(s) = caseload::sheets::read::parse_sheets(("w.csv", &w), ("c.csv", &c), None) {
                let _ = s.validate();
            }
        });
        assert!(got.is_ok(), "CSV {i} panicked");
        // JSON: a model, a policy, a proposal.
        let mut j = small.clone();
        for _ in 0..1 + r.next_u64() % 3 {
            mutate(&mut r, &mut j);
        }
        let got = std::panic::catch_unwind(|| {
            let _ = caseload::load_model_bytes("m.json", &j);
            let _ = caseload::sheets::read::parse_policy("p.json", &j);
            let _ = caseload::check::parse_proposal("p.json", &j);
        });
        assert!(got.is_ok(), "JSON {i} panicked: {}", String::from_utf8_lossy(&j));
    }
}

#[test]
fn check_reports_a_false_at_capacity_while_a_permitted_worker_has_room() {
    let m = model(serde_json::json!([
        {"id": "C1", "type": "looked_after", "team": "North"},
        {"id": "C2", "type": "looked_after", "team": "North"}
    ]));
    let (status, _, err, dir) =
        with_model(m.to_string().as_bytes(), &["allocate", "m.json", "-o", "p.json", "-q"], &[]);
    assert_eq!(status, 0, "{err}");
    let mut p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("p.json")).unwrap()).unwrap();
    // Take C2 off its worker and say everyone is full, keeping every other statement true.
    let allocs = p["allocations"].as_array_mut().unwrap();
    let at = allocs.iter().position(|a| a["case"] == "C2").unwrap();
    let worker = allocs.remove(at)["worker"].as_str().unwrap().to_string();
    p["unallocated"] = serde_json::json!([{"case": "C2", "type": "looked_after", "team": "North",
        "reasons": [{"code": "at_capacity", "message": "everyone is full"}]}]);
    std::fs::write(dir.path().join("q.json"), p.to_string()).unwrap();
    let o = run(dir.path(), &["check", "m.json", "q.json"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(code(&o), 1, "{out}{}", stderr(&o));
    assert!(out.contains("reason at_capacity is not true of case C2"), "{out}");
    assert!(out.contains("has room for it"), "{out}");
    assert!(!worker.is_empty());
}

#[test]
fn a_zip_of_too_many_parts_is_refused_before_its_directory_is_read() {
    let names: Vec<String> = (0..10_001).map(|i| format!("x/{i}")).collect();
    let mut parts: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), Vec::new())).collect();
    let book = workbook(&plain(), None);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut real: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut b).unwrap();
        real.push((f.name().to_string(), b));
    }
    parts.extend(real.iter().map(|(n, b)| (n.as_str(), b.clone())));
    refused(allocate_book(&zip_of(&parts)), &["10,000 parts"]);
}

#[test]
fn a_reason_longer_than_a_cell_holds_is_cut_and_every_output_stays_readable() {
    // Each need is within the field limit, but the reason's message names both: 40,000
    // characters, more than an Excel cell (or a field `check` reads) holds. It is cut to the
    // limit with an ellipsis, in the proposal and the workbook alike, and both read back.
    let needs = ["a".repeat(20_000), "b".repeat(20_000)];
    let m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North", "needs": needs}]));
    let (status, _, err, dir) = with_model(
        m.to_string().as_bytes(),
        &["allocate", "m.json", "-o", "p.json", "--xlsx", "x.xlsx"],
        &[],
    );
    assert_eq!(status, 0, "{err}");
    let p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("p.json")).unwrap()).unwrap();
    let message = p["unallocated"][0]["reasons"][0]["message"].as_str().unwrap();
    assert_eq!(message.chars().count(), 32_767);
    assert!(message.ends_with('…'));
    for args in [&["check", "m.json", "p.json"][..], &["accept", "m.json", "x.xlsx", "-o", "next.json", "-q"]]
    {
        let o = run(dir.path(), args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_formula_whose_saved_value_is_empty_text_is_an_empty_cell() {
    let rows = format!(
        "{}<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>W2</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>social_worker</t></is></c><c r=\"C3\" t=\"inlineStr\"><is><t>North</t></is></c><c r=\"D3\" t=\"str\"><f>IF(1,\"\",1)</f><v></v></c></row>",
        rows_xml(&[&["id", "role", "team", "skills"], &["W1", "social_worker", "North"]])
    );
    let mut s = plain();
    s[0].1 = sheet(&rows);
    let (status, err) = allocate_book(&workbook(&s, None));
    assert_eq!(status, 0, "{err}");
}

#[test]
fn a_key_file_that_is_a_directory_or_endless_is_refused_as_a_file_not_as_a_model() {
    let m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North"}]));
    let dir = tempfile::tempdir().unwrap();
    let keydir = dir.path().join("keys");
    std::fs::create_dir(&keydir).unwrap();
    let keydir = keydir.display().to_string();
    let mut cases = vec![(keydir.as_str(), "is a directory, not a file")];
    if Path::new("/dev/zero").exists() {
        cases.push(("/dev/zero", "128 MiB limit on an input file"));
    }
    for (key, says) in cases {
        let (status, _, err, d) = with_model(
            m.to_string().as_bytes(),
            &["pseudonymise", "m.json", "--key", key, "-o", "out.json"],
            &[],
        );
        refused((status, err.clone()), &[key, says]);
        assert!(!err.contains("model file") && !err.contains("split the model"), "{err}");
        assert!(!d.path().join("out.json").exists());
    }
}

#[test]
fn no_command_writes_an_output_over_one_of_its_inputs() {
    let m = model(serde_json::json!([{"id": "C1", "type": "looked_after", "team": "North"}])).to_string();
    let referral = r#"{"type": "child_in_need", "team": "North"}"#;
    // Each command with an output named as one of its own inputs (m.json the model, p.json a
    // proposal, r.json a referral, key the pseudonymisation key).
    let runs: &[&[&str]] = &[
        &["whatif", "m.json", "--json", "m.json"],
        &["whatif", "m.json", "--csv", "./m.json"],
        &["whatif", "m.json", "--xlsx", "m.json"],
        &["whatif", "m.json", "--report", "m.json"],
        &["recommend", "m.json", "--case", "C1", "--json", "m.json"],
        &["recommend", "m.json", "--referral", "r.json", "--json", "r.json"],
        &["recommend", "m.json", "--case", "C1", "--proposal", "p.json", "--json", "p.json"],
        &["compare", "m.json", "p.json", "q.json", "--json", "q.json"],
        &["compare", "m.json", "p.json", "q.json", "--json", "m.json"],
        &["pseudonymise", "m.json", "--key", "key", "-o", "m.json"],
        &["pseudonymise", "m.json", "--key", "key", "-o", "out.json", "--map", "key"],
    ];
    for args in runs {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("m.json"), &m).unwrap();
        std::fs::write(d.join("r.json"), referral).unwrap();
        std::fs::write(d.join("key"), "a secret key of more than 16 bytes").unwrap();
        let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        std::fs::copy(d.join("p.json"), d.join("q.json")).unwrap();
        let before: Vec<Vec<u8>> = ["m.json", "p.json", "q.json", "r.json", "key"]
            .iter()
            .map(|f| std::fs::read(d.join(f)).unwrap())
            .collect();
        let o = run(d, args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains("is an input; writing it would overwrite it"), "{args:?}: {err}");
        let after: Vec<Vec<u8>> = ["m.json", "p.json", "q.json", "r.json", "key"]
            .iter()
            .map(|f| std::fs::read(d.join(f)).unwrap())
            .collect();
        assert!(before == after, "{args:?} changed an input");
        assert!(!d.join("out.json").exists(), "{args:?}");
    }
    // accept may replace the model it reads, never its other inputs: the spreadsheets and
    // the policy file of a model given as CSV.
    for target in ["workers.csv", "cases.csv", "policy.json"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("m.json"), &m).unwrap();
        let o = run(d, &["convert", "m.json", "--csv-dir", "."]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = run(d, &["allocate", "m.json", "-o", "p.json", "-q"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let before = std::fs::read(d.join(target)).unwrap();
        let args = [
            "accept",
            "--workers",
            "workers.csv",
            "--cases",
            "cases.csv",
            "--policy",
            "policy.json",
            "p.json",
            "-o",
            target,
        ];
        let o = run(d, &args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains("is an input; writing it would overwrite it"), "{args:?}: {err}");
        assert_eq!(std::fs::read(d.join(target)).unwrap(), before, "{args:?} changed an input");
    }
    // whatif --proposals into the directory of a scenario model of an earlier sweep, read as
    // the model: a scenario file of the same name would replace it.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("out")).unwrap();
    std::fs::write(d.join("out/001-fill-1.model.json"), &m).unwrap();
    let o = run(d, &["whatif", "out/001-fill-1.model.json", "--fill-vacancies", "1", "--proposals", "out"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("which a scenario could overwrite"), "{}", stderr(&o));
    assert_eq!(std::fs::read(d.join("out/001-fill-1.model.json")).unwrap(), m.as_bytes());
    assert_eq!(std::fs::read_dir(d.join("out")).unwrap().count(), 1, "nothing written beside it");
    // Two outputs of pseudonymise in one file: refused too.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.json"), &m).unwrap();
    std::fs::write(d.join("key"), "a secret key of more than 16 bytes").unwrap();
    let o = run(d, &["pseudonymise", "m.json", "--key", "key", "-o", "x.json", "--map", "x.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("written twice"), "{}", stderr(&o));
    assert!(!d.join("x.json").exists());
}

/// A line break inside a name from a file (a team `"North\ncaseload: ..."`) is shown escaped:
/// every message of one problem stays one line, so no file can forge a line of a cron log.
#[test]
fn a_line_break_in_a_name_cannot_start_a_line_of_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("m.json");
    let forged = "North\ncaseload: all children allocated";
    let m = serde_json::json!({
        "version": 1,
        "workers": [{ "id": "W1", "role": "social_worker", "team": forged }],
        "cases": [{ "id": "C1", "type": "child_in_need", "team": "North", "current_worker": "W1", "pinned": true }]
    });
    std::fs::write(&model, m.to_string()).expect("write");
    let o = run(dir.path(), &["allocate", model.to_str().unwrap_or_default(), "-o", "p.json"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("North\\ncaseload: all children allocated"), "{err}");
    assert!(!err.lines().any(|l| l.starts_with("caseload: all children")), "{err}");
}

#[test]
fn excel_escapes_in_a_text_are_read_as_the_characters_they_stand_for() {
    // Excel writes a carriage return (a line break pasted from another program) as `_x000D_`,
    // and a `_` that begins such a sequence in the text itself as `_x005F_`; read as written,
    // a note came back with `_x000D_` in it and grew by `_x005F_` each week it went round.
    let sst = "<sst><si><t>id</t></si><si><t>name</t></si><si><t>notes</t></si><si><t>W1</t></si><si><t xml:space=\"preserve\">Ann_x000D_\nLee</t></si><si><r><t>a _x005F_x0041_ b</t></r></si></sst>";
    let s = |r: &str, i: u32| format!("<c r=\"{r}\" t=\"s\"><v>{i}</v></c>");
    let rows = format!(
        "<row r=\"1\">{}{}{}<c r=\"D1\" t=\"inlineStr\"><is><t>role</t></is></c><c r=\"E1\" t=\"inlineStr\"><is><t>team</t></is></c></row><row r=\"2\">{}{}{}<c r=\"D2\" t=\"inlineStr\"><is><t>social_worker</t></is></c><c r=\"E2\" t=\"str\"><f>\"North\"</f><v>No_x0072_th</v></c></row>",
        s("A1", 0), s("B1", 1), s("C1", 2), s("A2", 3), s("B2", 4), s("C2", 5)
    );
    let mut sheets = plain();
    sheets[0].1 = sheet(&rows);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.xlsx"), workbook(&sheets, Some(sst))).unwrap();
    let o = run(dir.path(), &["convert", "--workbook", "b.xlsx", "-o", "m.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("m.json")).unwrap()).unwrap();
    let w = &m["workers"][0];
    assert_eq!(w["name"], "Ann\r\nLee");
    assert_eq!(w["notes"], "a _x0041_ b");
    assert_eq!(w["team"], "North");
    // And the round trip through a workbook caseload writes (which escapes them) is exact.
    let o = run(dir.path(), &["convert", "m.json", "--xlsx", "again.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(dir.path(), &["convert", "--workbook", "again.xlsx", "-o", "again.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("again.json")).unwrap()).unwrap();
    assert_eq!(again["workers"], m["workers"]);
}

#[test]
fn a_meeting_workbook_whose_worker_name_holds_a_line_break_reads_back_unchanged() {
    // The writer saves the carriage return as `_x000D_`; read as written, the workers sheet's
    // name differed from the model's, and the unedited meeting workbook was refused (exit 2).
    let mut m = model(serde_json::json!([{"id": "C1", "type": "child_in_need", "team": "North"}]));
    m["workers"][0]["name"] = "Ann\r\nLee".into();
    let (status, _, err, dir) =
        with_model(m.to_string().as_bytes(), &["allocate", "m.json", "--xlsx", "m.xlsx", "-q"], &[]);
    assert_eq!(status, 0, "{err}");
    let o = run(dir.path(), &["check", "m.json", "m.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn merged_ranges_laid_over_one_another_are_refused_at_the_limit_on_cells() {
    // 16,384 ranges (the limit on ranges) each over the same 200 x 200 filled cells: every
    // cell of every range was visited, 655 million in all (minutes for a larger sheet), though
    // none grew the sheet.
    let mut rows = rows_xml(CASES);
    let cells: String = (0..200).map(|j| format!("<c><v>{j}</v></c>")).collect();
    for r in 3..203 {
        rows += &format!("<row r=\"{r}\">{cells}</row>");
    }
    let merges = "<mergeCell ref=\"A3:GR202\"/>".repeat(16_384);
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData><mergeCells>{merges}</mergeCells></worksheet>"
    );
    let mut s = plain();
    s[1].1 = xml.into_bytes();
    refused(
        allocate_book(&workbook(&s, None)),
        &["sheet cases", "merged cells \"A3:GR202\"", "merged ranges counted cell by cell"],
    );
}

#[test]
fn hidden_rows_followed_by_as_many_empty_rows_are_named_each_by_its_row() {
    // Each empty row looked through the whole list of hidden rows: 300,000 hidden rows and as
    // many empty ones after them took 43 s (a 2.3 MB workbook; 1 s now, measured once: the
    // tests time nothing). What the reader must still do at that size: name the hidden rows.
    let n = 300_000;
    let mut rows = rows_xml(&[&["id", "type", "team"]]);
    for r in 2..n + 2 {
        rows += &format!("<row r=\"{r}\" hidden=\"1\"><c><v>{r}</v></c></row>");
    }
    for r in n + 2..2 * n + 2 {
        rows += &format!("<row r=\"{r}\"></row>");
    }
    let mut s = plain();
    s[1].1 = sheet(&rows);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.xlsx"), workbook(&s, None)).unwrap();
    let o = run(dir.path(), &["convert", "--workbook", "b.xlsx", "-o", "m.json"]);
    refused((code(&o), stderr(&o)), &["b.xlsx, sheet cases: rows 2, 3, 4"]);
}

/// The parts of a zip, in order.
fn parts_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut out).unwrap();
            (f.name().to_string(), out)
        })
        .collect()
}

/// `rows` added to the end of the sheet data of the zip's part `part`.
fn with_rows(bytes: &[u8], part: &str, rows: &str) -> Vec<u8> {
    let mut parts = parts_of(bytes);
    let (_, xml) = parts.iter_mut().find(|(n, _)| n == part).unwrap();
    let s = String::from_utf8(xml.clone()).unwrap();
    let at = s.find("</sheetData>").unwrap();
    *xml = format!("{}{rows}{}", &s[..at], &s[at..]).into_bytes();
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    zip_of(&refs)
}

#[test]
fn many_unreadable_cells_are_named_at_their_place_on_every_sheet() {
    // Each row looked through the list of every cell that could not be read: 100,000 rows of
    // the meeting workbook's workers sheet, each with an #N/A, took 38 s; as many rows of a
    // policy sheet, or of the allocations sheet without their case, seconds, and minutes for
    // the million rows a sheet may hold (now a second each, measured once: the tests time
    // nothing). What they must still do at that size: name each cell at its place.
    let n = 100_000;
    let m = model(serde_json::json!([{"id": "C1", "type": "child_in_need", "team": "North"}]));
    let (status, _, err, dir) =
        with_model(m.to_string().as_bytes(), &["allocate", "m.json", "--xlsx", "m.xlsx", "-q"], &[]);
    assert_eq!(status, 0, "{err}");
    let d = dir.path();
    let meeting = std::fs::read(d.join("m.xlsx")).unwrap();
    let names: Vec<String> = parts_of(&meeting).into_iter().map(|(n, _)| n).collect();
    let (allocations, workers) = ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet4.xml");
    assert!(names.iter().any(|n| n == workers), "{names:?}");
    let na = |r: usize, col: &str| format!("<c r=\"{col}{r}\" t=\"e\"><v>#N/A</v></c>");
    let w: String = (10..10 + n)
        .map(|r| {
            format!("<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>W1</t></is></c>{}</row>", na(r, "I"))
        })
        .collect();
    let a: String = (10..10 + n)
        .map(|r| format!("<row r=\"{r}\">{}<c r=\"K{r}\"><v>1</v></c></row>", na(r, "A")))
        .collect();
    for (name, part, rows, says) in [
        ("w.xlsx", workers, &w, "sheet workers: row 10, column cap (I)"),
        ("a.xlsx", allocations, &a, "sheet allocations: row 10, column case"),
    ] {
        std::fs::write(d.join(name), with_rows(&meeting, part, rows)).unwrap();
        let o = run(d, &["check", "m.json", name]);
        refused((code(&o), stderr(&o)), &[says, "#N/A"]);
    }
    // A policy sheet of as many settings that cannot be read.
    let p: String = (2..2 + n)
        .map(|r| format!("<row r=\"{r}\">{}<c r=\"B{r}\"><v>1</v></c></row>", na(r, "A")))
        .collect();
    let mut s = plain();
    s.push(("policy", sheet(&(rows_xml(&[&["setting", "value"]]) + &p))));
    std::fs::write(d.join("b.xlsx"), workbook(&s, None)).unwrap();
    let o = run(d, &["convert", "--workbook", "b.xlsx", "-o", "out.json"]);
    refused((code(&o), stderr(&o)), &["sheet policy: rows 2, 3, 4"]);
}

#[test]
fn a_key_past_the_limit_on_a_text_is_named_by_its_start_not_whole() {
    // The place named the key whole: a key of five million characters made a message of five
    // megabytes, twice for a proposal's (in the place and in the problem).
    let key = "k".repeat(5_000_000);
    let m = format!(r#"{{"version": 1, "workers": [], "cases": [], "{key}": 1}}"#);
    let (status, _, err, _d) = with_model(m.as_bytes(), &["allocate", "m.json", "-o", "p.json"], &[]);
    refused(
        (status, err.clone()),
        &["m.json: kkkkk", "...", "a text of 5000000 characters, above the limit of 32,767"],
    );
    assert!(err.len() < 1_000, "{} bytes", err.len());
}

#[test]
fn a_csv_file_given_where_json_belongs_is_named_for_what_it_is() {
    // It was "line 1, column 1: expected value", serde's words, with nothing about CSV.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("workers.csv"), "\u{feff}id;role;team\nW1;social_worker;North\n").unwrap();
    let m = model(serde_json::json!([{"id": "C1", "type": "child_in_need", "team": "North"}]));
    std::fs::write(d.join("m.json"), m.to_string()).unwrap();
    let o = run(d, &["allocate", "workers.csv", "-o", "p.json"]);
    refused(
        (code(&o), stderr(&o)),
        &["workers.csv: line 1, column 1", "this is CSV text", "--workers W.csv --cases C.csv"],
    );
    let o = run(d, &["check", "m.json", "workers.csv"]);
    refused((code(&o), stderr(&o)), &["workers.csv: line 1, column 1", "this is CSV text", "not a proposal"]);
    assert!(!d.join("p.json").exists());
}

/// A sheet's name can be any length in a hand-made workbook (Excel stops at 31 characters):
/// one of 20,000 was printed whole in every message naming it, in a list of the sheets, a
/// warning, a sheet's place. It is named by its first 40 characters, as a long JSON key is.
#[test]
fn a_long_sheet_name_is_named_by_its_start_in_every_message() {
    let long = "S".repeat(20_000);
    let shown = format!("{}...", &long[..40]);
    let short_lines = |err: &str| {
        assert!(!err.contains("panicked") && !err.contains("internal error"), "{err}");
        assert!(err.lines().all(|l| l.len() < 1_000), "a line of {} characters", err.len());
    };
    // The cases sheet under a long name: the list of the sheets the workbook has.
    let s = vec![("workers", sheet(&rows_xml(WORKERS))), (long.as_str(), sheet(&rows_xml(CASES)))];
    let (status, err) = allocate_book(&workbook(&s, None));
    short_lines(&err);
    refused((status, err), &["no sheet named \"cases\"", &format!("\"{shown}\"")]);
    // A sheet that is not read, under a name that looks like a known one: a warning.
    let lookalike = format!("cases {long}");
    let mut s = plain();
    s.push((lookalike.as_str(), sheet(&rows_xml(&[&["anything"]]))));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.xlsx"), workbook(&s, None)).unwrap();
    let o = run(dir.path(), &["allocate", "--workbook", "b.xlsx", "-o", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    short_lines(&stderr(&o));
    assert!(stderr(&o).contains(&format!("\"cases {}...\" is not read", &long[..34])), "{}", stderr(&o));
    // The workers sheet itself, its name padded: a mistake on it is placed in the sheet.
    let padded = format!("workers{}", " ".repeat(20_000));
    let bad: &[&[&str]] = &[&["id", "role", "team"], &["W1", "nurse", "North"]];
    let s = vec![(padded.as_str(), sheet(&rows_xml(bad))), ("cases", sheet(&rows_xml(CASES)))];
    let (status, err) = allocate_book(&workbook(&s, None));
    short_lines(&err);
    refused((status, err), &[&format!("b.xlsx, sheet workers{}...: row 2", " ".repeat(33))]);
    // A meeting workbook without its allocations sheet.
    let dir = tempfile::tempdir().unwrap();
    let model = root().join("models/small_team.json");
    std::fs::write(
        dir.path().join("meeting.xlsx"),
        workbook(&[(long.as_str(), sheet(&rows_xml(CASES)))], None),
    )
    .unwrap();
    let o = run(dir.path(), &["check", model.to_str().unwrap(), "meeting.xlsx"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    short_lines(&stderr(&o));
    assert!(
        stderr(&o).contains(&format!("no sheet named \"allocations\"; the workbook has {shown}")),
        "{}",
        stderr(&o)
    );
}

/// Names as long as a field may be (32,767 characters: a team, the ids) are quoted in the
/// reasons the program writes; every output of `allocate` is still one its own readers take:
/// `check` finds no breach, and `accept` reads the proposal and the meeting workbook back.
#[test]
fn names_of_the_longest_allowed_length_leave_every_output_readable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let team = "N".repeat(32_767);
    let worker = "W".repeat(32_767);
    let model = serde_json::json!({
        "version": 1,
        "policy": { "caps": { "social_worker": 1 } },
        "workers": [ { "id": worker, "role": "social_worker", "team": team } ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": team },
            { "id": "C2", "type": "child_in_need", "team": team }
        ]
    });
    std::fs::write(d.join("m.json"), serde_json::to_vec(&model).unwrap()).unwrap();
    let o = run(d, &["allocate", "m.json", "-o", "p.json", "--xlsx", "w.xlsx", "--csv", "csv", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
    let reasons = p["unallocated"][0]["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["action"].as_str().unwrap().ends_with('…')), "{reasons:?}");
    let o = run(d, &["check", "m.json", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for accepted in ["p.json", "w.xlsx"] {
        let o = run(d, &["accept", "m.json", accepted, "-o", "next.json", "-q"]);
        assert_eq!(code(&o), 0, "{accepted}: {}", stderr(&o));
    }
}
