//! `caseload template`: the starter workbook has dropdowns on role and type, reads back
//! untouched as an empty model, and once another writer fills in two rows it allocates.

use crate::sheets_common as common;

use common::{code, run, stderr};
use std::io::{Read, Write};

/// Every part of an .xlsx (a zip of XML files), in order.
fn parts(xlsx: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_string(), b)
        })
        .collect()
}

/// The part holding the sheet of a name, through the workbook's relationships.
fn sheet_part(parts: &[(String, Vec<u8>)], sheet: &str) -> String {
    let text =
        |name: &str| String::from_utf8(parts.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap();
    let book = text("xl/workbook.xml");
    let at = book.find(&format!("<sheet name=\"{sheet}\"")).unwrap_or_else(|| panic!("no sheet {sheet}"));
    let rest = &book[at..];
    let rid = rest.split("r:id=\"").nth(1).unwrap().split('"').next().unwrap();
    let rels = text("xl/_rels/workbook.xml.rels");
    let at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
    let start = rels[..at].rfind('<').unwrap();
    let rel = &rels[start..start + rels[start..].find('>').unwrap()];
    let target = rel.split("Target=\"").nth(1).unwrap().split('"').next().unwrap();
    format!("xl/{}", target.trim_start_matches("/xl/"))
}

/// An inline-string row, as a writer other than rust_xlsxwriter might write it.
fn row(r: u32, cells: &[&str]) -> String {
    let mut out = format!("<row r=\"{r}\">");
    for (j, v) in cells.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let col = (b'A' + j as u8) as char;
        out.push_str(&format!("<c r=\"{col}{r}\" t=\"inlineStr\"><is><t>{v}</t></is></c>"));
    }
    out.push_str("</row>");
    out
}

/// The workbook with rows added to sheets, rewritten with the zip crate.
fn filled(xlsx: &[u8], rows: &[(&str, String)]) -> Vec<u8> {
    let mut ps = parts(xlsx);
    for (sheet, xml) in rows {
        let name = sheet_part(&ps, sheet);
        let p = ps.iter_mut().find(|(n, _)| *n == name).unwrap();
        let text = String::from_utf8(p.1.clone()).unwrap();
        assert!(text.contains("</sheetData>"), "{text}");
        p.1 = text.replacen("</sheetData>", &format!("{xml}</sheetData>"), 1).into_bytes();
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in ps {
        out.start_file(name, opts).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn the_template_has_dropdowns_reads_back_empty_and_allocates_once_filled_by_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(d, &["template", "-o", "team.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let book = std::fs::read(d.join("team.xlsx")).unwrap();
    let ps = parts(&book);
    let xml = |sheet: &str| {
        let name = sheet_part(&ps, sheet);
        String::from_utf8(ps.iter().find(|(n, _)| *n == name).unwrap().1.clone()).unwrap()
    };
    let workers = xml("workers");
    let cases = xml("cases");
    // The role column (B) and the type column (B) offer their words as a list.
    assert!(
        workers.contains("<dataValidation type=\"list\"")
            && workers
                .contains("sqref=\"B2:B5000\"><formula1>\"team manager,senior social worker,social worker,"),
        "{workers}"
    );
    assert!(
        cases.contains(
            "sqref=\"B2:B5000\"><formula1>\"child in need,child protection,looked after,care leaver\""
        ),
        "{cases}"
    );
    // The case's team comes from the workers sheet's team column; fte is a number to 1.
    assert!(cases.contains("<formula1>workers!$C$2:$C$5000</formula1>"), "{cases}");
    assert!(workers.contains("type=\"decimal\"") && workers.contains("<formula2>1</formula2>"), "{workers}");
    // Every header has an input message.
    assert!(workers.contains("promptTitle=\"role\"") && cases.contains("promptTitle=\"type\""));
    for s in ["how to", "reductions", "policy", "aliases"] {
        sheet_part(&ps, s);
    }

    // Untouched, it is an empty model with the England defaults: refused as empty unless allowed.
    let o = run(d, &["convert", "--workbook", "team.xlsx", "-o", "m.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-empty"), "{}", stderr(&o));
    let o = run(d, &["convert", "--workbook", "team.xlsx", "--allow-empty", "-o", "m.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("m.json")).unwrap()).unwrap();
    let policy: caseload::model::PolicyInput = serde_json::from_value(m["policy"].clone()).unwrap();
    // The same policy as the defaults (who may hold what compared as sets).
    let sorted = |mut p: caseload::model::Policy| {
        p.may_hold.values_mut().for_each(|r| r.sort());
        p
    };
    let england = caseload::model::Policy::england();
    assert_eq!(sorted(caseload::model::Policy::from_input(&policy)), sorted(england));

    // Two rows typed in everyday words by another writer; then it allocates.
    let book = filled(
        &book,
        &[
            ("workers", row(2, &["W1", "Social Worker", "North", "0.5"])),
            ("cases", row(2, &["C1", "CP", "North"])),
        ],
    );
    std::fs::write(d.join("filled.xlsx"), book).unwrap();
    let o = run(d, &["allocate", "--workbook", "filled.xlsx", "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
    assert_eq!(p["allocations"][0]["case"], "C1", "{p}");
    assert_eq!(p["allocations"][0]["worker"], "W1", "{p}");
    assert_eq!(p["workers"][0]["cap"], 9.0, "half of the template's social worker cap of 18: {p}");

    // A filled-in workbook is never overwritten by a new template.
    let o = run(d, &["template", "-o", "filled.xlsx"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
}

#[test]
fn a_reductions_sheet_typed_in_excel_dates_counts_on_its_days() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let ws = book.add_worksheet();
    ws.set_name("workers").unwrap();
    ws.write_row(0, 0, ["id", "role", "team"]).unwrap();
    ws.write_row(1, 0, ["W1", "SW", "North"]).unwrap();
    let ws = book.add_worksheet();
    ws.set_name("cases").unwrap();
    ws.write_row(0, 0, ["id", "type", "team"]).unwrap();
    for i in 0..18 {
        ws.write_row(i + 1, 0, [format!("C{i:02}").as_str(), "LAC", "North"]).unwrap();
    }
    let ws = book.add_worksheet();
    ws.set_name("Reductions").unwrap();
    ws.write_row(0, 0, ["Worker", "Amount", "From", "To", "Reason"]).unwrap();
    ws.write_string(1, 0, "W1").unwrap();
    ws.write_number(1, 1, 3.0).unwrap();
    let from = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 1).unwrap();
    let to = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 30).unwrap();
    ws.write_datetime_with_format(1, 2, &from, &date).unwrap();
    ws.write_datetime_with_format(1, 3, &to, &date).unwrap();
    ws.write_string(1, 4, "court work").unwrap();
    std::fs::write(d.join("b.xlsx"), book.save_to_buffer().unwrap()).unwrap();
    let cap_on = |day: &str| {
        let o = run(d, &["allocate", "--workbook", "b.xlsx", "-o", "p.json", "-q", "--date", day]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
        p["workers"][0]["cap"].as_f64().unwrap()
    };
    assert_eq!(cap_on("2026-11-30"), 15.0);
    assert_eq!(cap_on("2026-12-01"), 18.0);
    assert_eq!(cap_on("2026-10-31"), 18.0);
}

/// `accept -o team.xlsx` writes next week's model anew: the template's `how to`, its empty
/// sheets and a person's own sheet are not carried over, and it says so by name.
#[test]
fn accept_over_the_team_workbook_names_the_sheets_it_does_not_carry_over() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(d, &["template", "-o", "blank.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let book = filled(
        &std::fs::read(d.join("blank.xlsx")).unwrap(),
        &[("workers", row(2, &["W1", "social worker", "North"])), ("cases", row(2, &["C1", "CP", "North"]))],
    );
    std::fs::write(d.join("team.xlsx"), book).unwrap();
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "p.json", "--xlsx", "meeting.xlsx", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Written as JSON, nothing is said: the model file holds the model whole.
    let o = run(d, &["accept", "--workbook", "team.xlsx", "meeting.xlsx", "-o", "next.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("sheets_not_carried"), "{}", stderr(&o));
    let o = run(d, &["accept", "--workbook", "team.xlsx", "meeting.xlsx", "-o", "team.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("[sheets_not_carried]"), "{e}");
    assert!(
        e.contains(r#"the sheets "how to", "reductions", "aliases" of the team workbook team.xlsx"#),
        "{e}"
    );
}
