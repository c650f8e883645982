//! Outputs that would meet: an export over an input or another output, two outputs that are
//! standard output under different names, and the escaping of CSV cells every command writes.

use crate::common::{bin, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn small_team() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json")
}

fn caseload(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin()).current_dir(dir).args(args).stdin(Stdio::null()).output().unwrap()
}

#[test]
fn export_lp_never_writes_over_an_input_or_another_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("lp")).unwrap();
    let model = std::fs::read(small_team()).unwrap();
    // The model read is where the export would put its first part.
    std::fs::write(d.join("lp/part-0000.json"), &model).unwrap();
    let o = caseload(d, &["allocate", "lp/part-0000.json", "-o", "p.json", "--export-lp", "lp", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--export-lp lp") && text(&o).contains("an input"), "{}", text(&o));
    assert_eq!(std::fs::read(d.join("lp/part-0000.json")).unwrap(), model);
    assert!(!d.join("p.json").exists() && !d.join("lp/parts.json").exists());
    // Through a link too: the model is lp/part-0000.json's target.
    std::fs::write(d.join("m.json"), &model).unwrap();
    std::fs::remove_file(d.join("lp/part-0000.json")).unwrap();
    std::os::unix::fs::symlink("../m.json", d.join("lp/part-0000.json")).unwrap();
    let o = caseload(d, &["allocate", "m.json", "-o", "p.json", "--export-lp", "lp", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is an input"), "{}", text(&o));
    assert_eq!(std::fs::read(d.join("m.json")).unwrap(), model);
    assert!(!d.join("p.json").exists());
    std::fs::remove_file(d.join("lp/part-0000.json")).unwrap();
    // The proposal where the export writes the constant that joins the parts.
    let o = caseload(d, &["allocate", "m.json", "-o", "lp/parts.json", "--export-lp", "lp", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("lp/parts.json (-o)"), "{}", text(&o));
    assert_eq!(std::fs::read_dir(d.join("lp")).unwrap().count(), 0, "nothing written");
    // Elsewhere, all are written, together.
    let o = caseload(d, &["allocate", "m.json", "-o", "p.json", "--export-lp", "lp", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        d.join("p.json").is_file()
            && d.join("lp/parts.json").is_file()
            && d.join("lp/part-0000.json").is_file()
    );
}

/// Runs allocate with standard output sent to `out`.
fn to_file(d: &Path, out: &Path, args: &[&str]) -> Output {
    let file = std::fs::File::create(out).unwrap();
    Command::new(bin()).current_dir(d).args(args).stdin(Stdio::null()).stdout(file).output().unwrap()
}

#[test]
fn two_outputs_that_are_standard_output_under_other_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(small_team(), d.join("m.json")).unwrap();
    let runs: &[&[&str]] = &[
        &["allocate", "m.json", "-o", "/dev/stdout", "--report", "-", "-q"],
        &["allocate", "m.json", "-o", "/proc/self/fd/1", "--xlsx", "-", "-q"],
        &["allocate", "m.json", "-o", "-", "--report", "/dev/stdout", "-q"],
        &["convert", "m.json", "-o", "/dev/stdout", "--xlsx", "-"],
        &["whatif", "m.json", "--json", "/dev/stdout", "--csv", "-", "-q"],
    ];
    for args in runs {
        // Piped, and redirected to a file.
        let o = caseload(d, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("standard output"), "{args:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{args:?} wrote to standard output");
        let out = d.join("out.txt");
        let o = to_file(d, &out, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(std::fs::read(&out).unwrap(), b"", "{args:?}");
    }
    // The file standard output is redirected to, by its own name: the report would land in a
    // file the proposal then replaces.
    let out = d.join("out.txt");
    let o = to_file(d, &out, &["allocate", "m.json", "-o", "out.txt", "--report", "-", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), b"");
    // One output there, and the rest elsewhere, is fine; /dev/null takes anything.
    let o = caseload(d, &["allocate", "m.json", "-o", "/dev/stdout", "--report", "r.html", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"optimal\""));
    let null = Command::new(bin())
        .current_dir(d)
        .args(["allocate", "m.json", "-o", "/dev/null", "--report", "-", "-q"])
        .stdout(std::fs::File::create("/dev/null").unwrap())
        .output()
        .unwrap();
    assert_eq!(null.status.code(), Some(0), "{}", String::from_utf8_lossy(&null.stderr));
}

#[test]
fn pseudonymise_map_quotes_an_original_id_a_spreadsheet_would_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(small_team()).unwrap()).unwrap();
    let old = m["cases"][0]["id"].as_str().unwrap().to_string();
    let new = "=HYPERLINK(\"http://evil.example/\",\"click\")";
    let text_of = m.to_string().replace(&format!("\"{old}\""), &serde_json::to_string(new).unwrap());
    std::fs::write(d.join("m.json"), text_of).unwrap();
    std::fs::write(d.join("key"), "a secret key of more than 16 bytes").unwrap();
    let o = caseload(d, &["pseudonymise", "m.json", "--key", "key", "-o", "p.json", "--map", "map.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let map = std::fs::read_to_string(d.join("map.csv")).unwrap();
    assert!(map.contains("case,\"'=HYPERLINK("), "{map}");
    assert!(
        !map.lines().any(|l| l.split(',').nth(1).is_some_and(|c| c.trim_start_matches('"').starts_with('='))),
        "{map}"
    );
}

/// Every command refuses, before it reads anything, an output it could not write at the end:
/// a file in a directory that does not exist is exit status 4 (as the writer would find it),
/// a directory named where a file belongs exit status 2; nothing is written either way. The
/// model given is not even JSON, so a command that read it first would say that instead.
#[test]
fn every_output_that_cannot_be_written_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.json"), "{ not json").unwrap();
    std::fs::create_dir(d.join("adir")).unwrap();
    let runs: &[(&[&str], &str, &str)] = &[
        (&["allocate", "m.json"], "-o", "json"),
        (&["allocate", "m.json", "-o", "p.json"], "--xlsx", "xlsx"),
        (&["allocate", "m.json", "-o", "p.json"], "--report", "html"),
        (&["whatif", "m.json", "--fill-vacancies", "0..=1"], "--json", "json"),
        (&["whatif", "m.json", "--fill-vacancies", "0..=1"], "--csv", "csv"),
        (&["whatif", "m.json", "--fill-vacancies", "0..=1"], "--xlsx", "xlsx"),
        (&["whatif", "m.json", "--fill-vacancies", "0..=1"], "--report", "html"),
        (&["recommend", "m.json", "--case", "C1"], "--json", "json"),
        (&["compare", "m.json", "a.json", "b.json"], "--json", "json"),
        (&["convert", "m.json"], "--xlsx", "xlsx"),
        (&["convert", "m.json", "--xlsx", "w.xlsx"], "-o", "json"),
        (&["pseudonymise", "m.json", "--key", "m.json"], "-o", "json"),
        (&["pseudonymise", "m.json", "--key", "m.json", "-o", "p.json"], "--map", "csv"),
        (&["accept", "m.json", "a.json"], "-o", "json"),
        (&["generate", "--cases", "10", "--workers", "3"], "-o", "json"),
        (&["template"], "-o", "xlsx"),
    ];
    for (args, flag, ext) in runs {
        let gone = format!("gone/out.{ext}");
        for (out, status, says) in
            [(gone.as_str(), 4, "does not exist; create it first"), ("adir", 2, "is a directory")]
        {
            let mut all = args.to_vec();
            all.extend([*flag, out]);
            let o = caseload(d, &all);
            assert_eq!(o.status.code(), Some(status), "{all:?}: {}", text(&o));
            assert!(text(&o).contains(says), "{all:?}: {}", text(&o));
            let mut left: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
            left.sort();
            assert_eq!(left, ["adir", "m.json"], "{all:?} wrote something");
            assert_eq!(std::fs::read_dir(d.join("adir")).unwrap().count(), 0, "{all:?}");
        }
    }
}
