//! Every proposal, report, spreadsheet and what-if output of the shipped models is byte-identical
//! to the one recorded in `tests/golden/` (the commands are listed in
//! `tests/golden/commands.txt`). Refactoring must not change what a manager receives.
//!
//! The program's version and the solver's name are written in proposals and reports; they are
//! replaced by `@VERSION@` and `@SOLVER@` on both sides, so a release or a solver backend does not
//! break the comparison while every other byte still counts.
//!
//! To record the outputs again (after a change that is meant to alter them):
//! `tests/golden/regen.sh` (which runs this test with `CASELOAD_BLESS=1`); then read the diff.
//! `CASELOAD_GOLDEN_BIN=PATH` records (or compares) the outputs of another build of the binary,
//! such as the one before a refactoring, so that the refactored one can be compared with it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// `(name, args)` of every command in commands.txt.
fn commands() -> Vec<(String, Vec<String>)> {
    let path = golden_dir().join("commands.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, args) =
            line.split_once(':').unwrap_or_else(|| panic!("commands.txt line {}: no `NAME:`", i + 1));
        let name = name.trim().to_string();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "commands.txt line {}: bad name {name:?}",
            i + 1
        );
        out.push((name, args.split_whitespace().map(String::from).collect()));
    }
    out
}

/// Replaces what may legitimately differ between builds (the version, the solver's name).
fn normalise(bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else { return bytes.to_vec() };
    let version = env!("CARGO_PKG_VERSION");
    text.replace(&caseload::solver_name(), "@SOLVER@")
        .replace(&format!("\"version\": \"{version}\""), "\"version\": \"@VERSION@\"")
        .replace(&format!("caseload {version}"), "caseload @VERSION@")
        .into_bytes()
}

/// Every file under `dir`, as (path relative to `dir`, bytes), sorted by path.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out);
    }
    out
}

/// Runs one command in a fresh directory and returns what it produced, named as recorded.
fn produce(args: &[String]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&models, dir.path().join("models")).unwrap();
    #[cfg(not(unix))]
    compile_error!("the golden test links models/ into its working directory (unix only)");
    std::fs::create_dir_all(dir.path().join("out/proposals")).unwrap();
    let bin =
        std::env::var_os("CASELOAD_GOLDEN_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_caseload").into());
    let o = Command::new(bin)
        .args(args)
        .current_dir(dir.path())
        // Reports and workbooks carry the day they were made; the recorded ones a fixed day.
        .env("SOURCE_DATE_EPOCH", "1796083200")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let mut out = vec![
        ("status".to_string(), format!("{:?}\n", o.status.code()).into_bytes()),
        ("stdout".to_string(), o.stdout),
    ];
    if !o.stderr.is_empty() {
        out.push(("stderr".to_string(), o.stderr));
    }
    for (rel, bytes) in files_under(&dir.path().join("out")) {
        out.push((format!("out/{rel}"), bytes));
    }
    out.sort();
    out.into_iter().map(|(n, b)| (n, normalise(&b))).collect()
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            // Long lines (the report is HTML) are shown around the first differing character.
            let at = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            let window = |s: &str| -> String { s.chars().skip(at.saturating_sub(60)).take(200).collect() };
            return format!(
                "line {}, character {}:\n    recorded: ...{}\n    now:      ...{}",
                i + 1,
                at + 1,
                window(x),
                window(y)
            );
        }
    }
    format!("lengths differ: recorded {} lines, now {} lines", a.lines().count(), b.lines().count())
}

#[test]
fn every_output_of_the_shipped_models_is_byte_identical_to_the_recorded_one() {
    let bless = std::env::var_os("CASELOAD_BLESS").is_some_and(|v| v == "1");
    let cmds = commands();
    assert!(cmds.len() >= 10, "commands.txt lists too few commands");
    let mut problems = Vec::new();
    for (name, args) in &cmds {
        let now = produce(args);
        let dir = golden_dir().join(name);
        if bless {
            let _ = std::fs::remove_dir_all(&dir);
            for (rel, bytes) in &now {
                let p = dir.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, bytes).unwrap();
            }
            continue;
        }
        let recorded = files_under(&dir);
        assert!(
            !recorded.is_empty(),
            "{name}: nothing recorded in {}; run tests/golden/regen.sh",
            dir.display()
        );
        let names = |v: &[(String, Vec<u8>)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        if names(&recorded) != names(&now) {
            problems.push(format!(
                "{name}: files differ:\n    recorded: {:?}\n    now:      {:?}",
                names(&recorded),
                names(&now)
            ));
            continue;
        }
        for ((rel, old), (_, new)) in recorded.iter().zip(&now) {
            if old != new {
                problems.push(format!("{name}/{rel}: {}", first_difference(old, new)));
            }
        }
    }
    assert!(problems.is_empty(), "{} output(s) changed:\n{}", problems.len(), problems.join("\n"));
}
