//! The report as a browser renders it: headless Chromium loads the file, and the page text it
//! builds is checked against the proposal. Skipped, with a printed message, when no Chromium is
//! installed (set CASELOAD_REQUIRE_CHROMIUM=1 to make that a failure, as CI should); fails when
//! Chromium is there and the check fails.

#[path = "sheets_common/mod.rs"]
mod common;

use common::{root, Doc};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one Chromium run may take before it is killed (a hang, not a timing assertion).
const HANG: Duration = Duration::from_secs(180);

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CASELOAD_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs Chromium headless, offline, on a local file; returns stdout.
fn headless(bin: &Path, profile: &Path, extra: &[String], page: &Path) -> Vec<u8> {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        // Containers often have a small /dev/shm.
        "--disable-dev-shm-usage",
    ]
    .map(String::from)
    .to_vec();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().cloned());
    args.push(format!("file://{}", page.display()));
    let out_path = profile.join("stdout");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(bin)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium {args:?} failed: {status}");
            break;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {HANG:?}: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read(out_path).unwrap()
}

fn report_of(m: &caseload::model::Model) -> (caseload::proposal::Proposal, String) {
    let p = caseload::allocate(m, Default::default()).unwrap();
    let html = caseload::report::render(m, &p);
    (p, html)
}

#[test]
fn chromium_shows_every_unallocated_child_and_the_headline_figures() {
    let Some(bin) = chromium() else {
        let msg =
            "SKIPPED chromium_shows_every_unallocated_child_and_the_headline_figures: no chromium binary \
                   found on PATH (install it with `apt-get install -y chromium`, or set CASELOAD_CHROMIUM)";
        assert!(
            std::env::var_os("CASELOAD_REQUIRE_CHROMIUM").is_none(),
            "{msg}; CASELOAD_REQUIRE_CHROMIUM is set"
        );
        // Written to the real stderr: the test harness captures println! of passing tests.
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{msg}");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();

    // The sample spreadsheets, plus a hostile id.
    let s = root().join("models/sheets");
    let mut sheets = caseload::sheets::read::read_sheets(
        &s.join("workers.csv"),
        &s.join("cases.csv"),
        Some(&s.join("policy.json")),
    )
    .unwrap();
    let hostile = "<script>document.title='pwned'</script>";
    let mut extra = sheets.model.cases[0].clone();
    extra.id = hostile.into();
    extra.needs = vec!["sign-supported english".into()];
    extra.current_worker = None;
    extra.pinned = None;
    extra.group = None;
    extra.exclude = vec![];
    sheets.model.cases.push(extra);
    sheets.case_rows.push(999);
    let m = sheets.validate().unwrap();
    let (p, html) = report_of(&m);
    assert!(p.unallocated.iter().any(|u| u.case == hostile));
    let page = d.join("report.html");
    std::fs::write(&page, &html).unwrap();

    let profile = d.join("profile-dom");
    std::fs::create_dir_all(&profile).unwrap();
    let dom = String::from_utf8(headless(&bin, &profile, &["--dump-dom".into()], &page)).unwrap();
    let doc = Doc::parse(&dom);
    assert!(!doc.start_tags.is_empty(), "chromium printed a DOM");
    assert!(!doc.start_tags.iter().any(|t| t == "script"), "no script element in the rendered page");
    let s = &p.summary;
    assert_eq!(doc.stat("cases"), s.cases.cases.to_string());
    assert_eq!(doc.stat("allocated"), s.cases.allocated.to_string());
    assert_eq!(doc.stat("unallocated"), s.cases.unallocated.to_string());
    assert_eq!(doc.stat("moved"), s.moves.moved.to_string());
    assert_eq!(doc.stat("over-target"), s.workers_over_target.to_string());
    let shown = doc.cells("unallocated", "id");
    for u in &p.unallocated {
        assert!(shown.contains(&u.case), "{} missing from the rendered page", u.case);
    }
    assert_eq!(shown.len(), p.unallocated.len());
    let title: String = doc
        .texts
        .iter()
        .filter(|t| t.tags.last().is_some_and(|x| x == "title") && t.tags.len() == 3)
        .map(|t| t.text.clone())
        .collect();
    assert_eq!(title, "Caseload allocation proposal", "the hostile id ran no script");

    // A screenshot renders: a PNG of the requested width.
    let profile = d.join("profile-shot");
    std::fs::create_dir_all(&profile).unwrap();
    let shot = d.join("report.png");
    headless(
        &bin,
        &profile,
        &[format!("--screenshot={}", shot.display()), "--window-size=1000,1400".into()],
        &page,
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert_eq!(width, 1000);

    // It prints: the print stylesheet gives a PDF.
    let profile = d.join("profile-pdf");
    std::fs::create_dir_all(&profile).unwrap();
    let pdf = d.join("report.pdf");
    headless(
        &bin,
        &profile,
        &[format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer".into()],
        &page,
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
}
