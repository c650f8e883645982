//! `caseload allocate` over many models: one proposal each, failures named, worst status.

use std::path::Path;
use std::process::Command;

fn caseload(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caseload")).args(args).output().expect("caseload runs")
}

fn generate(path: &Path, cases: &str, seed: &str) {
    let out = caseload(&[
        "generate",
        "--cases",
        cases,
        "--workers",
        "12",
        "--teams",
        "2",
        "--seed",
        seed,
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A model that names a worker it does not have: refused.
const BROKEN: &[u8] = br#"{"version": 1, "workers": [], "cases": [
        {"id": "C1", "type": "looked_after", "team": "N", "current_worker": "W9"}]}"#;

/// `caseload allocate MODEL... -o OUT`.
fn batch(models: &[&Path], out: &Path) -> std::process::Output {
    let mut args: Vec<&str> = vec!["allocate"];
    args.extend(models.iter().map(|m| m.to_str().unwrap()));
    args.extend(["-o", out.to_str().unwrap()]);
    caseload(&args)
}

#[test]
fn batch_writes_a_proposal_per_model_and_names_the_one_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    generate(&models.join("a.json"), "150", "1");
    generate(&models.join("b.json"), "90", "2");
    std::fs::write(models.join("broken.json"), BROKEN).unwrap();
    let extra = dir.path().join("c.json");
    generate(&extra, "60", "3");
    let out_dir = dir.path().join("out");

    let out = batch(&[&models, &extra], &out_dir);
    assert_eq!(out.status.code(), Some(2), "invalid input is the worst status here");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.json") && stderr.contains("cases[0].current_worker"), "{stderr}");
    for name in ["a", "b", "c"] {
        let p = out_dir.join(format!("{name}.proposal.json"));
        let model = if name == "c" { extra.clone() } else { models.join(format!("{name}.json")) };
        let check = caseload(&["check", model.to_str().unwrap(), p.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    }
    assert!(!out_dir.join("broken.proposal.json").exists());
}

/// A model's warnings are named on standard error in a batch, with the model, as a single run
/// names them, and kept in its proposal.
#[test]
fn a_batch_names_each_models_warnings_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    generate(&a, "40", "1");
    std::fs::write(
        &b,
        br#"{"version": 1, "workers": [{"id": "W1", "role": "social_worker", "team": "N"}], "cases": [
        {"id": "C1", "type": "child_in_need", "team": "N"}, {"id": "c1", "type": "child_in_need", "team": "N"}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = batch(&[&a, &b], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let single =
        caseload(&["allocate", b.to_str().unwrap(), "-o", dir.path().join("p.json").to_str().unwrap()]);
    let said = String::from_utf8_lossy(&single.stderr);
    let code = "[id_near_duplicate]";
    assert!(said.contains(code), "{said}");
    let line = err.lines().find(|l| l.contains(code)).unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(line.starts_with(&format!("caseload: warning: {}: ", b.display())), "{line}");
    let of_b = format!("caseload: warning: {}: ", b.display());
    assert_eq!(
        err.lines().filter(|l| l.starts_with(&of_b)).count(),
        said.matches("caseload: warning:").count(),
        "{err}"
    );
}

#[test]
fn batch_proposals_are_the_same_bytes_as_single_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    generate(&a, "200", "5");
    generate(&b, "120", "6");
    let out_dir = dir.path().join("out");
    let out = caseload(&[
        "allocate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let single = dir.path().join("single.json");
    let out = caseload(&["allocate", a.to_str().unwrap(), "-o", single.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(single).unwrap(), std::fs::read(out_dir.join("a.proposal.json")).unwrap());
}

#[test]
fn batch_refuses_two_models_that_would_write_the_same_proposal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("x")).unwrap();
    let (a, b) = (dir.path().join("m.json"), dir.path().join("x/m.json"));
    generate(&a, "20", "1");
    generate(&b, "20", "2");
    let out = batch(&[&a, &b], &dir.path().join("o"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would both write"));
}

#[test]
fn a_batch_in_which_every_model_fails_leaves_no_output_directory_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    std::fs::write(&a, BROKEN).unwrap();
    std::fs::write(&b, BROKEN).unwrap();
    // A directory and its parent made by the batch go again; one that was there stays.
    let fresh = dir.path().join("new/out");
    let kept = dir.path().join("kept");
    std::fs::create_dir(&kept).unwrap();
    for out_dir in [&fresh, &kept] {
        let out = batch(&[&a, &b], out_dir);
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(!dir.path().join("new").exists(), "the directories the batch made are gone");
    assert!(
        kept.is_dir() && std::fs::read_dir(&kept).unwrap().next().is_none(),
        "the one given stays, empty"
    );

    // With one model that solves, the directory stays and holds its proposal.
    generate(&b, "20", "1");
    let out = batch(&[&a, &b], &fresh);
    assert_eq!(out.status.code(), Some(2));
    assert!(fresh.join("b.proposal.json").is_file());
}

/// An output directory that is a link to a directory gone (a share not mounted, say) is named
/// as such, with exit status 4, instead of the system's "File exists"; a link to a directory
/// that is there is written through.
#[cfg(unix)]
#[test]
fn a_batch_output_that_is_a_dangling_link_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    generate(&a, "20", "1");
    generate(&b, "20", "2");
    let link = dir.path().join("out");
    std::os::unix::fs::symlink("gone/proposals", &link).unwrap();
    let out = batch(&[&a, &b], &link);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("symbolic link to gone/proposals, which does not exist"), "{err}");
    assert!(!err.contains("File exists"), "{err}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays");
    assert!(!dir.path().join("gone").exists(), "nothing made where it points");

    std::fs::create_dir_all(dir.path().join("gone/proposals")).unwrap();
    let out = batch(&[&a, &b], &link);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("gone/proposals/a.proposal.json").is_file());
}

/// A named pipe called `x.json` in a batch's directory is a failed model, reported by name,
/// never opened: a read of a pipe nobody writes to would hold the batch (and its cron job) for
/// ever. The test writes into the pipe itself, so a reader that opens it fails here by its
/// message rather than hanging.
#[test]
fn a_named_pipe_in_a_batch_directory_is_a_failed_model_never_opened() {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    generate(&input.join("a.json"), "20", "1");
    let fifo = input.join("z.json");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) {
                let _ = std::io::Write::write_all(&mut f, b"not a model");
            }
        })
    };
    let out = dir.path().join("out");
    let o = caseload(&["allocate", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"]);
    // Let the writer go, had nobody opened the pipe (O_NONBLOCK: a read end that does not wait).
    let _ = std::fs::OpenOptions::new().read(true).custom_flags(0o4000).open(&fifo);
    writer.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("z.json") && err.contains("not a regular file"), "{err}");
    assert!(out.join("a.proposal.json").is_file(), "the other model is solved");
    assert!(!out.join("z.proposal.json").exists());
}
