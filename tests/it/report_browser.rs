//! The report as a browser renders it: headless Chromium loads the file, and the page text it
//! builds is checked against the proposal. Skipped, with a printed message, when no Chromium is
//! installed (set CASELOAD_REQUIRE_CHROMIUM=1 to make that a failure, as CI should); fails when
//! Chromium is there and the check fails.

use crate::sheets_common as common;

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

/// Chromium, or a skip (a failure when CASELOAD_REQUIRE_CHROMIUM is set).
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let bin = chromium();
    if bin.is_none() {
        let msg = format!("SKIPPED {test}: no chromium binary found on PATH (apt-get install -y chromium)");
        assert!(
            std::env::var_os("CASELOAD_REQUIRE_CHROMIUM").is_none(),
            "{msg}; CASELOAD_REQUIRE_CHROMIUM is set"
        );
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{msg}");
    }
    bin
}

/// The report's example with long names, part-time workers, sibling groups, moves and
/// children without a worker.
fn demo() -> (caseload::model::Model, caseload::proposal::Proposal, String) {
    let m = caseload::load_model(&root().join("models/report_demo.json")).unwrap();
    let p = caseload::allocate(&m, Default::default()).unwrap();
    let html = caseload::report::render_meta(
        &m,
        &p,
        &caseload::report::Meta { input: "models/report_demo.json".into(), date: "1 December 2026".into() },
        &[],
    );
    (m, p, html)
}

/// A script, run in a copy of the page (the report itself forbids scripts), that lists every
/// piece of text the layout cuts: an element whose content is wider than its box, SVG text
/// outside its drawing, or a page wider than the window.
const PROBE: &str = r#"<script>
window.addEventListener('load', function () {
  var bad = [];
  document.querySelectorAll('main *').forEach(function (el) {
    if (el.closest('svg')) return;
    var cs = getComputedStyle(el);
    if (cs.display === 'none' || el.clientWidth === 0) return;
    if (el.scrollWidth > el.clientWidth + 1 && cs.overflowX !== 'visible') bad.push('overflow: ' + el.className + ': ' + el.textContent.slice(0, 60));
    if (el.scrollWidth > el.clientWidth + 1 && el.children.length === 0) bad.push('wider than its box: ' + el.textContent.slice(0, 60));
  });
  document.querySelectorAll('svg').forEach(function (svg) {
    var r = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBoundingClientRect();
      if (b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1) bad.push('svg text cut: ' + t.textContent);
    });
  });
  if (document.documentElement.scrollWidth > window.innerWidth + 1) bad.push('page wider than the window: ' + document.documentElement.scrollWidth);
  var pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = bad.length ? bad.join('\n') : 'none';
  document.body.appendChild(pre);
});
</script>"#;

#[test]
fn chromium_cuts_no_label_or_name_at_any_width_and_shows_the_proposal() {
    let Some(bin) = chromium_or_skip("chromium_cuts_no_label_or_name_at_any_width_and_shows_the_proposal")
    else {
        return;
    };
    let (m, p, html) = demo();
    assert!(
        !p.unallocated.is_empty() && !m.groups.is_empty() && p.summary.moves.moved > 0,
        "a demanding example"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    let probe = html
        .replace(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">"#, "")
        .replace("</body>", &format!("{PROBE}</body>"));
    assert_ne!(probe, html, "the probe is in the copy");
    let page = d.join("probe.html");
    std::fs::write(&page, &probe).unwrap();
    for width in [360, 768, 1280] {
        let profile = d.join(format!("profile-{width}"));
        std::fs::create_dir_all(&profile).unwrap();
        let dom = String::from_utf8(headless(
            &bin,
            &profile,
            &["--dump-dom".into(), format!("--window-size={width},900"), "--virtual-time-budget=5000".into()],
            &page,
        ))
        .unwrap();
        let doc = Doc::parse(&dom);
        let found: String =
            doc.texts.iter().filter(|t| t.ids.iter().any(|i| i == "probe")).map(|t| t.text.clone()).collect();
        assert_eq!(found, "none", "at {width} px wide, cut text:\n{found}");

        // The page says what the proposal says: every worker's name in full, each load with its
        // target and cap, every child without a worker, every change of worker with a reason,
        // every sibling group.
        let all: Vec<&str> = doc.texts.iter().map(|t| t.text.as_str()).collect();
        let text = all.join(" ");
        for wl in &p.workers {
            assert!(
                doc.texts.iter().any(|t| t.text == wl.worker && t.classes.iter().any(|c| c == "wid")),
                "{} not shown whole",
                wl.worker
            );
        }
        for wl in p.workers.iter().filter(|w| w.status == caseload::model::Status::Active) {
            let want = format!(
                "(target {}, cap {})",
                caseload::report::num(wl.target),
                caseload::report::num(wl.cap)
            );
            assert!(text.contains(&want), "{want} missing");
        }
        let shown = doc.cells("unallocated", "id");
        assert_eq!(shown.len(), p.unallocated.len());
        let moves = caseload::moves::moves(&m, &p);
        let why: Vec<&str> = doc
            .texts
            .iter()
            .filter(|t| t.classes.iter().any(|c| c == "why"))
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(why.len(), moves.len(), "one reason per change of worker");
        assert!(why.iter().all(|w| !w.is_empty()));
        for g in &m.groups {
            assert!(text.contains(&g.name), "group {} not shown", g.name);
        }
        assert!(
            text.contains("1 December 2026") && text.contains("models/report_demo.json"),
            "date and input in the header"
        );
        assert!(text.contains(&p.summary.model_hash[..12]), "hash in the header");
        assert!(doc.all_text().contains("Key: case ids in bold"), "a key for the bold ids");
    }
}

/// Writes the screenshots of README.md and docs/guide.md: `cargo test --release --test it -- report_browser:: --ignored`.
#[test]
#[ignore]
fn take_the_readme_screenshots() {
    let bin = chromium().expect("chromium");
    let (_, _, html) = demo();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    let page = d.join("report.html");
    std::fs::write(&page, html).unwrap();
    let profile = d.join("p1");
    std::fs::create_dir_all(&profile).unwrap();
    let shot = root().join("docs/report.png");
    headless(
        &bin,
        &profile,
        &[format!("--screenshot={}", shot.display()), "--window-size=1000,2600".into()],
        &page,
    );

    let out = d.join("whatif.html");
    let o = common::run(
        &root(),
        &[
            "whatif",
            "models/report_demo.json",
            "--fill-vacancies",
            "0..=3",
            "--cap",
            "social_worker=16,18",
            "--marginal",
            "--report",
            &out.display().to_string(),
            "-q",
        ],
    );
    assert!(matches!(o.status.code(), Some(0 | 3)), "{}", String::from_utf8_lossy(&o.stderr));
    let profile = d.join("p2");
    std::fs::create_dir_all(&profile).unwrap();
    let shot = root().join("docs/whatif.png");
    headless(
        &bin,
        &profile,
        &[format!("--screenshot={}", shot.display()), "--window-size=1000,1800".into()],
        &out,
    );
}

#[test]
fn chromium_cuts_no_label_of_the_planning_report_at_any_width() {
    let Some(bin) = chromium_or_skip("chromium_cuts_no_label_of_the_planning_report_at_any_width") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    let m = root().join("models/report_demo.json").display().to_string();
    let o = common::run(
        &d,
        &[
            "whatif",
            &m,
            "--fill-vacancies",
            "0..=3",
            "--cap",
            "social_worker=16,18",
            "--marginal",
            "--report",
            "w.html",
            "-q",
        ],
    );
    assert!(matches!(o.status.code(), Some(0 | 3)), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(d.join("w.html")).unwrap();
    let probe = html
        .replace(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">"#, "")
        .replace("</body>", &format!("{PROBE}</body>"));
    assert_ne!(probe, html);
    let page = d.join("probe.html");
    std::fs::write(&page, &probe).unwrap();
    for width in [360, 768, 1280] {
        let profile = d.join(format!("profile-{width}"));
        std::fs::create_dir_all(&profile).unwrap();
        let dom = String::from_utf8(headless(
            &bin,
            &profile,
            &["--dump-dom".into(), format!("--window-size={width},900"), "--virtual-time-budget=5000".into()],
            &page,
        ))
        .unwrap();
        let doc = Doc::parse(&dom);
        let found: String =
            doc.texts.iter().filter(|t| t.ids.iter().any(|i| i == "probe")).map(|t| t.text.clone()).collect();
        assert_eq!(found, "none", "at {width} px wide, cut text:\n{found}");
        assert!(doc.all_text().contains("Which posts to fill first"));
        assert!(doc.all_text().contains("Where one more worker helps most"));
    }
}
