//! Files and setup: outputs follow the umask, directories are created consistently, and each
//! command's help lists its own exit statuses.

use crate::sheets_common as common;

use common::{code, root, run, stderr};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[cfg(unix)]
#[test]
fn outputs_follow_the_umask_so_cron_can_keep_them_private_or_share_them() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    let bin = env!("CARGO_BIN_EXE_caseload");
    for (umask, want) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let out = format!("p{umask}.json");
        let report = format!("r{umask}.html");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" allocate \"$1\" -o {out} --report {report} --csv csv{umask} -q"
            ))
            .arg(bin)
            .arg(&m)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        for f in [out, report, format!("csv{umask}/allocations.csv")] {
            let mode = std::fs::metadata(dir.path().join(&f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, want, "{f} under umask {umask}");
        }
    }
    // A replaced file keeps the mode it had.
    let p = dir.path().join("p022.json");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = run(dir.path(), &["allocate", &m, "-o", "p022.json", "-q"]);
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn whatif_proposals_creates_its_directory_as_csv_does() {
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    let o = run(dir.path(), &["whatif", &m, "--fill-vacancies", "0..=1", "--proposals", "new/dir", "-q"]);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    assert!(dir.path().join("new/dir").is_dir());
    assert!(std::fs::read_dir(dir.path().join("new/dir")).unwrap().count() >= 1);
}

/// `whatif --proposals DIR` is judged before anything is read, as every other output is: a
/// cron run with a bad DIR fails at once (exit 2) saying only that, not after the model's
/// warnings, and not as a model it could not read.
#[test]
fn whatif_proposals_is_judged_before_the_model_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A model that warns when read: an active worker whose id says the post is vacant.
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("models/small_team.json")).unwrap()).unwrap();
    let mut vacant = m["workers"][0].clone();
    vacant["id"] = "VACANT-1".into();
    m["workers"].as_array_mut().unwrap().push(vacant);
    let text = serde_json::to_vec_pretty(&m).unwrap();
    std::fs::write(d.join("m.json"), &text).unwrap();
    let o = run(d, &["whatif", "m.json"]);
    assert!(stderr(&o).contains("[named_vacant]"), "the model warns when read: {}", stderr(&o));
    std::fs::write(d.join("file"), b"not a directory").unwrap();
    std::fs::create_dir(d.join("out")).unwrap();
    std::fs::write(d.join("out/001-fill-1.model.json"), &text).unwrap();
    for (args, said) in [
        (&["whatif", "m.json", "--proposals", "file"][..], "--proposals: file is a file, not a directory"),
        (&["whatif", "m.json", "--proposals", "-"], "--proposals names a directory"),
        (
            &["whatif", "out/001-fill-1.model.json", "--fill-vacancies", "1", "--proposals", "out"],
            "--proposals out: holds the input out/001-fill-1.model.json",
        ),
        // Not read at all: the model's absence is not what is said.
        (&["whatif", "missing.json", "--proposals", "file"], "--proposals: file is a file, not a directory"),
    ] {
        let o = run(d, args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, the usage error: {err}");
        assert!(
            err.contains(said) && !err.contains("warning") && !err.contains("cannot read"),
            "{args:?}: {err}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    assert_eq!(std::fs::read(d.join("file")).unwrap(), b"not a directory");
    assert_eq!(std::fs::read_dir(d.join("out")).unwrap().count(), 1, "nothing written beside the model");
    assert!(!d.join("-").exists());
}

/// `convert --csv-dir F` where F is a file (not an input) is a usage mistake said before the
/// model is read (exit 2), not a write error once it has been (exit 4).
#[test]
fn convert_csv_dir_naming_a_file_is_refused_before_the_model_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("models/small_team.json"), d.join("m.json")).unwrap();
    std::fs::write(d.join("notes.txt"), b"not a directory").unwrap();
    for model in ["m.json", "missing.json"] {
        let o = run(d, &["convert", model, "--csv-dir", "notes.txt"]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{model}: {err}");
        assert_eq!(err.lines().count(), 1, "{model}: one line, the usage error: {err}");
        assert!(err.contains("--csv-dir notes.txt: is a file, not a directory"), "{model}: {err}");
    }
    assert_eq!(std::fs::read(d.join("notes.txt")).unwrap(), b"not a directory");
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 2, "nothing written");
}

#[test]
fn each_command_help_lists_only_its_own_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let help = |cmd: &str| stdout(&run(dir.path(), &[cmd, "--help"]));
    let generate = help("generate");
    assert!(generate.contains("Exit status") && !generate.contains("check found breaches"), "{generate}");
    assert!(!generate.contains("--fail-on-unallocated"), "{generate}");
    let allocate = help("allocate");
    assert!(allocate.contains("6  proposal written, but cases of a type"), "{allocate}");
    assert!(!allocate.contains("breaches found"), "{allocate}");
    for flag in ["--workbook", "--xlsx", "--strict", "--allow-empty"] {
        assert!(allocate.contains(flag), "allocate --help lacks {flag}");
    }
    let check = help("check");
    assert!(check.contains("1  breaches found") && !check.contains("fail-on-unallocated"), "{check}");
    assert!(check.contains("--workbook") && check.contains("--strict"), "{check}");
    let convert = help("convert");
    assert!(convert.contains("--xlsx") && !convert.contains("breaches"), "{convert}");
    assert!(help("whatif").contains("--workbook"));
}

#[test]
fn the_release_profile_carries_no_debug_information_and_profiling_does() {
    let toml = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let release = toml.split("[profile.release]").nth(1).map(|r| r.split("\n[").next().unwrap_or(""));
    assert!(release.is_none_or(|r| !r.contains("debug")), "release profile sets debug");
    assert!(toml.contains("[profile.profiling]") && toml.contains("inherits = \"release\""));
}

/// An output named as another kind of file than is written there is refused before anything
/// is read or written (`allocate -o proposal.xlsx` would write JSON Excel refuses to open),
/// naming the flag that writes that kind; a name that says what is written passes.
#[test]
fn an_output_named_as_another_kind_of_file_is_refused_naming_the_flag_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    let refused: [(&[&str], &str, &str); 9] = [
        (&["allocate", &m, "-o", "proposal.xlsx"], "-o proposal.xlsx", "--xlsx proposal.xlsx"),
        (
            &["allocate", &m, "-o", "p.json", "--xlsx", "meeting.json"],
            "--xlsx meeting.json",
            "-o meeting.json",
        ),
        (&["allocate", &m, "-o", "proposal.CSV"], "-o proposal.CSV", "--csv with a directory"),
        (&["allocate", &m, "--report", "report.xlsx"], "--report report.xlsx", "--xlsx report.xlsx"),
        (&["convert", &m, "-o", "model.xlsx"], "-o model.xlsx", "--xlsx model.xlsx"),
        (&["accept", &m, "p.json", "-o", "next.ods"], "-o next.ods", "ending in .xlsx"),
        (&["template", "-o", "starter.json"], "-o starter.json", "ending in .xlsx"),
        (&["generate", "--cases", "5", "--workers", "2", "-o", "g.xlsx"], "-o g.xlsx", "ending in .json"),
        (
            &["whatif", &m, "--fill-vacancies", "1", "--csv", "plan.json"],
            "--csv plan.json",
            "--json plan.json",
        ),
    ];
    for (args, place, advice) in refused {
        let o = run(dir.path(), args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains(place) && err.contains(advice), "{args:?}: {err}");
        let written: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(written.is_empty(), "{args:?} wrote {written:?}");
    }
    // The same commands with names that say what they write, or no extension at all.
    for args in [
        &["allocate", &m, "-o", "p.json", "--xlsx", "meeting.xlsx", "-q"][..],
        &["allocate", &m, "-o", "proposal", "-q"],
        &["convert", &m, "--xlsx", "model.XLSX", "-q"],
        &["accept", &m, "p.json", "-o", "next.xlsx", "-q"],
    ] {
        let o = run(dir.path(), args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
    }
    assert!(caseload::read::is_zip(&std::fs::read(dir.path().join("model.XLSX")).unwrap()));
}

/// An output through a symbolic link replaces the file the link names (the link stays), so
/// `allocate -o latest` with `latest -> week.xlsx` put JSON in a file Excel refuses to open,
/// though the name typed passed (`latest.json` too). The file a link leads to is judged by its
/// name as a name typed is, before anything is read or written, a link to a file not made yet
/// included; a link to a file of the kind written passes and is written through. An output
/// that is an input, or the accepted allocation, through a link is refused as such.
#[cfg(unix)]
#[test]
fn an_output_through_a_link_is_judged_by_the_name_of_the_file_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("models/small_team.json"), d.join("model.json")).unwrap();
    std::fs::write(d.join("week.xlsx"), b"last week's workbook").unwrap();
    let link = |name: &str, to: &str| std::os::unix::fs::symlink(to, d.join(name)).unwrap();
    link("latest", "week.xlsx");
    link("latest.json", "week.xlsx");
    link("fresh", "fresh.csv");
    link("starter", "starter.json");
    let refused: [(&[&str], &str, &str); 5] = [
        (
            &["allocate", "model.json", "-o", "latest"],
            "-o latest: -o writes JSON, but latest is a symbolic link to ",
            "--xlsx latest",
        ),
        (
            &["allocate", "model.json", "-o", "latest.json"],
            "but latest.json is a symbolic link to ",
            "--xlsx latest.json",
        ),
        (
            &["allocate", "model.json", "-o", "fresh"],
            "but fresh is a symbolic link to fresh.csv, whose name ends in .csv",
            "--csv with a directory",
        ),
        (
            &["convert", "model.json", "-o", "latest"],
            "week.xlsx, whose name ends in .xlsx, which says a spreadsheet workbook",
            "--xlsx latest",
        ),
        (
            &["template", "-o", "starter"],
            "-o starter: -o writes a spreadsheet workbook, but starter is a symbolic link to starter.json",
            "ending in .xlsx, or point the link at one",
        ),
    ];
    for (args, place, advice) in refused {
        let o = run(d, args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.contains(place) && err.contains(advice), "{args:?}: {err}");
        assert_eq!(std::fs::read(d.join("week.xlsx")).unwrap(), b"last week's workbook", "{args:?}");
        assert!(!d.join("fresh.csv").exists() && !d.join("starter.json").exists(), "{args:?}");
    }
    // A link to a file of the kind written: written through, the link kept.
    let o = run(d, &["allocate", "model.json", "-o", "p.json", "--xlsx", "latest", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(caseload::read::is_zip(&std::fs::read(d.join("week.xlsx")).unwrap()));
    assert!(std::fs::symlink_metadata(d.join("latest")).unwrap().file_type().is_symlink());
    // An input, or the accepted allocation, through a link.
    link("mine", "model.json");
    link("accepted", "p.json");
    let model = std::fs::read(d.join("model.json")).unwrap();
    for (args, said) in [
        (
            &["allocate", "model.json", "-o", "mine"][..],
            "-o mine: is an input; writing it would overwrite it (it is the same file as model.json)",
        ),
        (
            &["whatif", "model.json", "--fill-vacancies", "1", "--json", "mine"],
            "--json mine: is an input; writing it would overwrite it (it is the same file as model.json)",
        ),
        (&["accept", "model.json", "p.json", "-o", "accepted"], "-o accepted: is the accepted allocation"),
    ] {
        let o = run(d, args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(said), "{args:?}: {}", stderr(&o));
        assert_eq!(std::fs::read(d.join("model.json")).unwrap(), model, "{args:?}");
    }
}

/// `convert`, `compare` and `recommend` judged their outputs' names before their inputs, so
/// `convert --xlsx mine` with `mine -> model.json` was refused as a workbook written into a
/// `.json` file, not as the model it would overwrite (and `compare ... edited.xlsx --json out`,
/// `out -> edited.xlsx`, as JSON written into a workbook); `allocate --csv model.json` was
/// refused as a file where a directory belongs (and `whatif --proposals` too; `convert
/// --csv-dir` failed to write, exit 4, once it had read). Like every other command, each now
/// refuses an output that is an input as such, by a link or by the input's own name, before
/// anything is read or written.
#[cfg(unix)]
#[test]
fn an_output_that_is_an_input_is_refused_as_one_before_its_name_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("models/small_team.json"), d.join("model.json")).unwrap();
    std::fs::copy(root().join("models/proposals/small_team.edited.json"), d.join("p.json")).unwrap();
    std::fs::write(d.join("week.xlsx"), b"the team's workbook").unwrap();
    let link = |name: &str, to: &str| std::os::unix::fs::symlink(to, d.join(name)).unwrap();
    link("mine", "model.json");
    link("mine.xlsx", "model.json");
    link("book", "week.xlsx");
    let model = std::fs::read(d.join("model.json")).unwrap();
    let proposal = std::fs::read(d.join("p.json")).unwrap();
    let names = || {
        let mut n: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
        n.sort();
        n
    };
    let before = names();
    // Each run, what it says, and the input a link's name is told to be.
    for (args, said, input) in [
        (&["convert", "model.json", "--xlsx", "mine"][..], "--xlsx mine: is an input", Some("model.json")),
        (
            &["convert", "model.json", "--xlsx", "mine.xlsx"],
            "--xlsx mine.xlsx: is an input",
            Some("model.json"),
        ),
        (&["convert", "model.json", "--xlsx", "model.json"], "--xlsx model.json: is an input", None),
        (&["convert", "--workbook", "week.xlsx", "-o", "book"], "-o book: is an input", Some("week.xlsx")),
        (
            &["compare", "model.json", "p.json", "week.xlsx", "--json", "book"],
            "--json book: is an input",
            Some("week.xlsx"),
        ),
        (
            &["compare", "model.json", "p.json", "week.xlsx", "--json", "week.xlsx"],
            "--json week.xlsx: is an input",
            None,
        ),
        (
            &["compare", "model.json", "p.json", "week.xlsx", "--json", "mine.xlsx"],
            "--json mine.xlsx: is an input",
            Some("model.json"),
        ),
        (
            &["recommend", "model.json", "--case", "C01", "--json", "mine.xlsx"],
            "--json mine.xlsx: is an input",
            Some("model.json"),
        ),
        (
            &["recommend", "--workbook", "week.xlsx", "--case", "C01", "--json", "book"],
            "--json book: is an input",
            Some("week.xlsx"),
        ),
        (
            &["recommend", "--workbook", "week.xlsx", "--case", "C01", "--json", "week.xlsx"],
            "--json week.xlsx: is an input",
            None,
        ),
        // allocate --csv names a directory: an input there was called a file, not an input.
        (&["allocate", "model.json", "--csv", "model.json"], "--csv model.json: is an input", None),
        (&["allocate", "model.json", "--csv", "mine"], "--csv mine: is an input", Some("model.json")),
        (
            &["allocate", "--workbook", "week.xlsx", "--csv", "book", "-o", "p2.json"],
            "--csv book: is an input",
            Some("week.xlsx"),
        ),
        // So did whatif --proposals; convert --csv-dir failed to write (exit 4) after reading.
        (
            &["whatif", "model.json", "--proposals", "mine"],
            "--proposals mine: is an input",
            Some("model.json"),
        ),
        (&["whatif", "model.json", "--proposals", "model.json"], "--proposals model.json: is an input", None),
        (&["convert", "model.json", "--csv-dir", "mine"], "--csv-dir mine: is an input", Some("model.json")),
        (
            &["convert", "--workbook", "week.xlsx", "--csv-dir", "week.xlsx"],
            "--csv-dir week.xlsx: is an input",
            None,
        ),
    ] {
        let o = run(d, args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(
            err.contains(said) && !err.contains("whose name ends in") && !err.contains("not a directory"),
            "{args:?}: {err}"
        );
        match input {
            Some(i) => assert!(err.contains(&format!("(it is the same file as {i})")), "{args:?}: {err}"),
            None => assert!(!err.contains("same file as"), "{args:?}: {err}"),
        }
        assert_eq!(std::fs::read(d.join("model.json")).unwrap(), model, "{args:?}");
        assert_eq!(std::fs::read(d.join("week.xlsx")).unwrap(), b"the team's workbook", "{args:?}");
        assert_eq!(std::fs::read(d.join("p.json")).unwrap(), proposal, "{args:?}");
        assert_eq!(names(), before, "{args:?} left a file");
    }
    for l in ["mine", "mine.xlsx", "book"] {
        assert!(std::fs::symlink_metadata(d.join(l)).unwrap().file_type().is_symlink(), "{l}");
    }
}

/// A proposal, a policy alone or `whatif`'s JSON given where the model file belongs is named
/// as what it is, with what to give instead, not as a model with an unknown field.
#[test]
fn another_of_caseload_s_files_given_as_the_model_is_named_as_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    let o = run(dir.path(), &["allocate", &m, "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(dir.path(), &["whatif", &m, "--fill-vacancies", "0..=1", "--json", "w.json", "-q"]);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    let policy = root().join("models/sheets/policy.json").display().to_string();
    for (file, said) in [
        ("p.json", "this is a proposal"),
        ("w.json", "whatif`'s JSON"),
        (policy.as_str(), "this is a policy"),
    ] {
        for cmd in [
            &["allocate", file, "-o", "out.json"][..],
            &["check", file],
            &["recommend", file, "--type", "child_in_need", "--team", "North"],
        ] {
            let o = run(dir.path(), cmd);
            let err = stderr(&o);
            assert_eq!(code(&o), 2, "{cmd:?}: {err}");
            assert!(err.contains(said) && !err.contains("unknown field"), "{cmd:?}: {err}");
        }
    }
    assert!(!dir.path().join("out.json").exists());
}
