//! Safe to run from cron: exit statuses, atomic output, limits, interruption, hostile sizes.
//! Every proposal a test here produces is checked with `caseload check`.

use crate::sheets_common::run as run_in;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_caseload"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("caseload runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A seeded model with weights, part-time staff and sibling groups: the kind that needs the
/// integer search. Small splitmix64 so the model never depends on a crate's RNG.
fn weighted_model(seed: u64, cases: usize, teams: usize) -> Value {
    let mut s = seed;
    let mut next = move |n: u64| {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    };
    let roles = [
        "social_worker",
        "social_worker",
        "social_worker",
        "senior_social_worker",
        "newly_qualified_social_worker",
    ];
    let types = ["child_in_need", "child_in_need", "looked_after", "child_protection", "care_leaver"];
    let mut workers = Vec::new();
    for t in 0..teams {
        for i in 0..12 {
            let mut w = json!({"id": format!("W{t}-{i:02}"), "role": roles[next(5) as usize], "team": format!("T{t}")});
            if next(4) == 0 {
                w["fte"] = json!([0.5, 0.6, 0.8][next(3) as usize]);
            }
            workers.push(w);
        }
    }
    let mut list = Vec::new();
    let mut i = 0;
    while i < cases {
        let t = next(teams as u64);
        let ty = types[next(5) as usize];
        let size = if next(3) == 0 { 2 + next(2) as usize } else { 1 };
        let group = format!("G{i}");
        for _ in 0..size {
            let mut c = json!({"id": format!("C{i:05}"), "type": ty, "team": format!("T{t}")});
            if size > 1 {
                c["group"] = json!(group.clone());
            }
            if next(2) == 0 {
                c["current_worker"] = json!(format!("W{t}-{:02}", next(12)));
            }
            list.push(c);
            i += 1;
        }
    }
    json!({"version": 1,
           "policy": {"weights": {"child_protection": 1.5, "looked_after": 1.0, "child_in_need": 0.5, "care_leaver": 0.5}},
           "workers": workers, "cases": list})
}

fn write_model(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).expect("json")).expect("write model");
    p
}

fn proposal(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("proposal written")).expect("proposal is JSON")
}

fn assert_checks(model: &Path, prop: &Path) {
    let o = run(&["check", model.to_str().unwrap_or_default(), prop.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 0, "check found breaches: {}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn time_limit_writes_the_best_lawful_proposal_with_its_bound_and_exit_status_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut stopped = 0;
    for seed in 1..=4 {
        let model = write_model(dir.path(), &format!("m{seed}.json"), &weighted_model(seed, 400, 3));
        let out = dir.path().join(format!("p{seed}.json"));
        let o = run(&[
            "allocate",
            model.to_str().unwrap_or_default(),
            "-o",
            out.to_str().unwrap_or_default(),
            "--time-limit",
            "0",
            "--node-limit",
            "0",
        ]);
        let p = proposal(&out);
        assert_checks(&model, &out);
        let (obj, bound) =
            (p["objective"].as_f64().unwrap_or(f64::NAN), p["bound"].as_f64().unwrap_or(f64::NAN));
        match code(&o) {
            3 => {
                stopped += 1;
                assert_eq!(p["optimal"], json!(false));
                assert!(bound >= obj, "bound {bound} below objective {obj}");
            }
            0 => {
                assert_eq!(p["optimal"], json!(true));
                assert!((bound - obj).abs() <= 1e-6 * obj.abs().max(1.0));
            }
            c => panic!("unexpected exit status {c}: {}", stderr(&o)),
        }
    }
    assert!(stopped > 0, "a zero time limit should stop at least one weighted model before its proof");
}

#[test]
fn node_limit_gives_the_same_bytes_on_every_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = write_model(dir.path(), "m.json", &weighted_model(7, 500, 3));
    let mut outputs = Vec::new();
    for (i, threads) in ["1", "2", "1"].iter().enumerate() {
        let out = dir.path().join(format!("p{i}.json"));
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "allocate",
                model.to_str().unwrap_or_default(),
                "-o",
                out.to_str().unwrap_or_default(),
                "--node-limit",
                "50",
            ])
            .output()
            .expect("runs");
        assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
        assert_checks(&model, &out);
        outputs.push(std::fs::read(&out).expect("written"));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn ctrl_c_stops_the_search_and_still_writes_a_complete_lawful_proposal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = write_model(dir.path(), "m.json", &weighted_model(3, 1500, 4));
    let out = dir.path().join("p.json");
    let mut child = bin()
        .args([
            "allocate",
            model.to_str().unwrap_or_default(),
            "-o",
            out.to_str().unwrap_or_default(),
            "--node-limit",
            "0",
            "-q",
        ])
        .spawn()
        .expect("spawns");
    std::thread::sleep(std::time::Duration::from_millis(700));
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let status = child.wait().expect("waits");
    // Either the search was interrupted (3) or it had already proven optimality (0); never a
    // death by signal, and the proposal is complete and lawful either way.
    eprintln!("ctrl-c run ended with {status:?}");
    assert!(matches!(status.code(), Some(0) | Some(3)), "status {status:?}");
    let p = proposal(&out);
    assert_eq!(p["optimal"], json!(status.code() == Some(0)));
    assert_checks(&model, &out);
}

#[test]
fn a_failed_run_never_truncates_the_existing_proposal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("p.json");
    std::fs::write(&out, b"last week's proposal").expect("write");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, br#"{"version": 1, "workers": [], "cases": [{"id": "C1", "type": "looked_after", "team": "N", "current_worker": "W9"}]}"#).expect("write");
    let o = run(&["allocate", bad.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cases[0].current_worker"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).expect("still there"), b"last week's proposal");
    // No temporary file is left behind either.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_missing_output_directory_is_a_clear_error_with_exit_status_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let out = dir.path().join("no/such/dir/p.json");
    let o = run(&["allocate", model.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn an_output_through_a_symbolic_link_replaces_the_file_it_names_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    let real = shared.join("proposal.json");
    std::fs::write(&real, b"last week's proposal").expect("write");
    let link = dir.path().join("proposal.json");
    std::os::unix::fs::symlink("shared/proposal.json", &link).expect("symlink");
    // And a link to a file not made yet: the file is made where the link points.
    let dangling = dir.path().join("report.html");
    std::os::unix::fs::symlink("shared/report.html", &dangling).expect("symlink");
    let o = run(&[
        "allocate",
        model.to_str().unwrap_or_default(),
        "-o",
        link.to_str().unwrap_or_default(),
        "--report",
        dangling.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for l in [&link, &dangling] {
        assert!(
            std::fs::symlink_metadata(l).expect("meta").file_type().is_symlink(),
            "{l:?} is no longer a link"
        );
    }
    assert_eq!(proposal(&real)["version"], 1);
    assert!(std::fs::read_to_string(shared.join("report.html")).expect("report").contains("<html"));
    assert_checks(&model, &link);
    let names: Vec<String> = std::fs::read_dir(&shared)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

/// A named pipe stands for every output that is no regular file (`/dev/null`, `/dev/stdout`,
/// a terminal): run as root, renaming a file over `/dev/null` replaced the device for every
/// program on the machine. Such an output is written into and stays what it was.
#[cfg(unix)]
#[test]
fn an_output_that_is_a_pipe_or_device_is_written_into_never_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let fifo = dir.path().join("pipe");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("SKIPPED: no mkfifo here");
            return;
        }
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut got = String::new();
            std::fs::File::open(&fifo).and_then(|mut f| f.read_to_string(&mut got)).map(|_| got)
        })
    };
    let o = run(&["allocate", model.to_str().unwrap_or_default(), "-o", fifo.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = reader.join().expect("reader").expect("read the pipe");
    let p: Value = serde_json::from_str(&got).expect("a whole proposal came through the pipe");
    assert_eq!(p["version"], 1);
    assert!(std::fs::symlink_metadata(&fifo).expect("meta").file_type().is_fifo(), "the pipe was replaced");

    // A device that refuses its bytes is a write error, and no other output is replaced.
    let full = Path::new("/dev/full");
    if std::fs::symlink_metadata(full).map(|m| m.file_type().is_char_device()).unwrap_or(false) {
        let out = dir.path().join("p.json");
        std::fs::write(&out, b"last week's proposal").expect("write");
        let o = run(&[
            "allocate",
            model.to_str().unwrap_or_default(),
            "-o",
            out.to_str().unwrap_or_default(),
            "--report",
            "/dev/full",
        ]);
        assert_eq!(code(&o), 4, "{}", stderr(&o));
        assert!(stderr(&o).contains("/dev/full"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&out).expect("still there"), b"last week's proposal");
        assert!(
            std::fs::symlink_metadata(full).expect("meta").file_type().is_char_device(),
            "/dev/full replaced"
        );
    }
}

#[test]
fn a_read_only_output_directory_is_a_clear_error_with_exit_status_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).expect("mkdir");
    let mut perms = std::fs::metadata(&ro).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).expect("chmod");
    // root ignores permissions; then there is nothing to test.
    if std::fs::write(ro.join("probe"), b"x").is_ok() {
        eprintln!("SKIPPED: running as root, a read-only directory is writable");
        return;
    }
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let out = ro.join("p.json");
    let o = run(&["allocate", model.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn fail_on_unallocated_exits_6_only_when_those_types_stay_unallocated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = write_model(
        dir.path(),
        "m.json",
        &json!({"version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "N", "cap": 1}],
        "cases": [{"id": "C1", "type": "looked_after", "team": "N"},
                  {"id": "C2", "type": "child_in_need", "team": "N"}]}),
    );
    let out = dir.path().join("p.json");
    let m = model.to_str().unwrap_or_default();
    let o = run(&[
        "allocate",
        m,
        "-o",
        out.to_str().unwrap_or_default(),
        "--fail-on-unallocated",
        "child_in_need",
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert_checks(&model, &out);
    let o = run(&[
        "allocate",
        m,
        "-o",
        out.to_str().unwrap_or_default(),
        "--fail-on-unallocated",
        "looked_after,child_protection",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&["allocate", m, "-o", out.to_str().unwrap_or_default(), "--fail-on-unallocated", "orphans"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn deep_nesting_is_refused_as_invalid_input_not_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("deep.json");
    let depth = 100_000;
    let mut s = String::from(r#"{"version": 1, "workers": [], "cases": [], "policy": "#);
    s.push_str(&"[".repeat(depth));
    s.push_str(&"]".repeat(depth));
    s.push('}');
    std::fs::write(&p, s).expect("write");
    let out = dir.path().join("p.json");
    let o = run(&["allocate", p.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("deep.json"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).expect("create");
    // A sparse file: larger than the limit, but costs no disk.
    f.set_len(caseload::read::MAX_MODEL_BYTES + 10).expect("set_len");
    let out = dir.path().join("p.json");
    let o = run(&["allocate", p.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("limit"), "{}", stderr(&o));
    // Refused by its stated size, before a byte is read: in 150 MB of address space, where
    // reading the first 128 MiB of it ran out of memory ("cannot read: out of memory").
    #[cfg(target_os = "linux")]
    {
        let bin = env!("CARGO_BIN_EXE_caseload");
        let o = Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -v 150000 && exec "$0" --threads 1 check "$1""#)
            .arg(bin)
            .arg(&p)
            .output()
            .expect("sh runs");
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains("larger than the 128 MiB limit on an input file"), "{}", stderr(&o));
    }
}

#[test]
fn non_utf8_input_names_the_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("latin1.json");
    std::fs::write(&p, b"{\"version\": 1,\n \"workers\": [], \"cases\": [{\"id\": \"Ren\xe9e\"}]}")
        .expect("write");
    let out = dir.path().join("p.json");
    let o = run(&["allocate", p.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
    assert!(stderr(&o).contains("UTF-8"), "{}", stderr(&o));
}

/// A model file saved as UTF-16 ("Unicode" in Notepad), with or without its byte-order mark,
/// is named as such, not read as "key must be a string" at line 1, column 2.
#[test]
fn a_utf16_model_file_is_named_utf16_with_or_without_its_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"{"version": 1, "workers": [], "cases": []}"#;
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let out = dir.path().join("p.json");
    for (name, bytes) in [
        ("le.json", le.clone()),
        ("be.json", be.clone()),
        ("le-bom.json", [vec![0xFF, 0xFE], le].concat()),
        ("be-bom.json", [vec![0xFE, 0xFF], be].concat()),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        let o = run(&["allocate", p.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()]);
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("is UTF-16 text, not UTF-8; save it as UTF-8"), "{name}: {}", stderr(&o));
    }
    assert!(!out.exists());
}

#[test]
fn a_closed_stdout_does_not_crash_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let out = dir.path().join("p.json");
    let mut child = bin()
        .args(["allocate", model.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take()); // the reader goes away, as `| head -0` would
    let status = child.wait().expect("waits");
    assert_eq!(status.code(), Some(0));
    assert_checks(&model, &out);
}

/// `check`, `recommend`, `whatif` and `compare` print their findings: a standard output that
/// refuses them (`> /dev/full`, a full disk) is a write error, exit status 4, not a run that
/// exited 0 (or 1) with nothing written. A reader that stops reading (`| head -c1`) is not: the
/// run ends as it would have, without a crash.
#[cfg(unix)]
#[test]
fn the_words_a_command_prints_are_a_write_error_when_standard_output_refuses_them() {
    use std::os::unix::fs::FileTypeExt;
    let full = Path::new("/dev/full");
    if !std::fs::symlink_metadata(full).map(|m| m.file_type().is_char_device()).unwrap_or(false) {
        eprintln!("SKIPPED: no /dev/full here");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let (m, p) = (model.to_str().unwrap_or_default(), dir.path().join("p.json"));
    let p = p.to_str().unwrap_or_default();
    assert_eq!(code(&run(&["allocate", m, "-o", p, "--date", "2026-12-01"])), 0);
    let commands: [&[&str]; 5] = [
        &["check", m, p],
        &["check", m, "--date", "2026-12-01"],
        &["recommend", m, "--type", "looked_after", "--team", "North", "--date", "2026-12-01"],
        &["whatif", m, "--fill-vacancies", "1", "--date", "2026-12-01"],
        &["compare", m, p, p],
    ];
    for args in commands {
        let plain = run(args);
        assert!(!plain.stdout.is_empty(), "{args:?}");
        let o = bin()
            .args(args)
            .stdout(std::fs::File::create(full).expect("open /dev/full"))
            .output()
            .expect("runs");
        assert_eq!(code(&o), 4, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("standard output: cannot write"), "{args:?}: {}", stderr(&o));
        let mut child = bin().args(args).stdout(std::process::Stdio::piped()).spawn().expect("spawns");
        drop(child.stdout.take()); // the reader goes away, as `| head -c1` would
        let o = child.wait_with_output().expect("waits");
        assert_eq!(code(&o), code(&plain), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("panic") && !stderr(&o).contains("internal"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn every_proposal_records_what_an_inspector_needs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let out = dir.path().join("p.json");
    assert_eq!(
        code(&run(&["allocate", model.to_str().unwrap_or_default(), "-o", out.to_str().unwrap_or_default()])),
        0
    );
    let p = proposal(&out);
    let s = &p["summary"];
    let bytes = std::fs::read(&model).expect("model");
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(s["model_hash"], json!(hash));
    assert_eq!(s["provenance"]["version"], json!(env!("CARGO_PKG_VERSION")));
    assert!(s["provenance"]["solver"].as_str().is_some_and(|x| x.contains("microlp")));
    // The policy in force, defaults filled in, including the model's own override.
    assert_eq!(s["policy"]["caps"]["social_worker"], json!(4.0));
    assert_eq!(s["policy"]["caps"]["team_manager"], json!(5.0));
    assert_eq!(s["policy"]["move_penalty"], json!(10.0));
}

#[test]
fn pseudonymise_writes_a_mapping_that_reverses_every_id_and_the_model_still_allocates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let key = dir.path().join("key");
    std::fs::write(&key, b"a test key of thirty-two bytes!!").expect("key");
    let (out, map) = (dir.path().join("pseudo.json"), dir.path().join("ids.csv"));
    let o = run(&[
        "pseudonymise",
        model.to_str().unwrap_or_default(),
        "--key",
        key.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
        "--map",
        map.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let original: Value = serde_json::from_slice(&std::fs::read(&model).expect("model")).expect("json");
    let pseudo: Value = serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("json");
    let text = std::fs::read_to_string(&map).expect("map written");
    let pairs: std::collections::BTreeMap<String, String> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0] == "worker" || f[0] == "case").then(|| (f[1].to_string(), f[2].to_string()))
        })
        .collect();
    let ids = |v: &Value, list: &str| -> Vec<String> {
        v[list].as_array().into_iter().flatten().filter_map(|x| x["id"].as_str().map(String::from)).collect()
    };
    for list in ["workers", "cases"] {
        let (before, after) = (ids(&original, list), ids(&pseudo, list));
        assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(pairs.get(b), Some(a), "{list}: {b}");
            assert_ne!(a, b);
        }
    }
    let prop = dir.path().join("p.json");
    assert_eq!(
        code(&run(&["allocate", out.to_str().unwrap_or_default(), "-o", prop.to_str().unwrap_or_default()])),
        0
    );
    assert_checks(&out, &prop);
    let short = dir.path().join("short");
    std::fs::write(&short, b"tiny").expect("key");
    let o = run(&[
        "pseudonymise",
        model.to_str().unwrap_or_default(),
        "--key",
        short.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code(&o), 2, "a short key is refused");
}

/// Outputs that are one file through a symbolic link, or an output that is a model through
/// one, are refused before anything is written: the second would replace the first, or a
/// team's model would become a proposal.
#[cfg(unix)]
#[test]
fn outputs_that_are_one_file_or_an_input_through_a_link_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    std::fs::copy(&model, d.join("model.json")).expect("copy");
    // A report through a link to the proposal not written yet.
    std::os::unix::fs::symlink("proposal.json", d.join("rep.html")).expect("symlink");
    let o = run_in(d, &["allocate", "model.json", "-o", "proposal.json", "--report", "rep.html"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("written twice"), "{}", stderr(&o));
    assert!(!d.join("proposal.json").exists());
    // The same through the writer itself, whatever the command's own checks see (a link to
    // `conv.json` would be refused first, as a workbook's name for JSON's file).
    std::os::unix::fs::symlink("conv", d.join("c.xlsx")).expect("symlink");
    let o = run_in(d, &["convert", "model.json", "-o", "conv", "--xlsx", "c.xlsx"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("same file"), "{}", stderr(&o));
    assert!(!d.join("conv").exists());

    // A batch whose proposal name is a link to one of its models.
    let inp = d.join("in");
    std::fs::create_dir(&inp).expect("mkdir");
    std::fs::copy(&model, inp.join("a.json")).expect("copy");
    std::fs::copy(&model, inp.join("b.json")).expect("copy");
    std::os::unix::fs::symlink("b.json", inp.join("a.proposal.json")).expect("symlink");
    let o = run_in(d, &["allocate", "in", "-o", "in", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is an input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(inp.join("b.json")).expect("b"), std::fs::read(&model).expect("model"));

    // A batch with a broken link among its models reports it by name, and solves the rest.
    std::fs::remove_file(inp.join("a.proposal.json")).expect("rm");
    std::os::unix::fs::symlink("gone.json", inp.join("c.json")).expect("symlink");
    let o = run_in(d, &["allocate", "in", "-o", "out", "-q"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("c.json"), "{}", stderr(&o));
    assert!(d.join("out/a.proposal.json").exists() && d.join("out/b.proposal.json").exists());
}

/// The copy `accept` keeps of the file it replaces goes under a name nothing stands on: not
/// through a link someone left at that name.
#[cfg(unix)]
#[test]
fn accept_keeps_the_replaced_file_beside_it_never_through_a_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    std::fs::copy(&model, d.join("model.json")).expect("copy");
    assert_eq!(code(&run_in(d, &["allocate", "model.json", "-o", "p.json", "-q"])), 0);
    for _ in 0..2 {
        let o = run_in(d, &["accept", "model.json", "p.json", "-o", "next.json", "-q"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let kept: Vec<PathBuf> = std::fs::read_dir(d)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("next.2")))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    // Put a link to nothing at the kept copy's name: the next copy goes beside it.
    std::fs::remove_file(&kept[0]).expect("rm");
    std::os::unix::fs::symlink("victim.json", &kept[0]).expect("symlink");
    let o = run_in(d, &["accept", "model.json", "p.json", "-o", "next.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!d.join("victim.json").exists(), "the kept copy went through the link");
    assert!(std::fs::symlink_metadata(&kept[0]).expect("meta").file_type().is_symlink());
}

/// `accept` never writes next week's model over the allocation it reads, whatever name either
/// is given by (itself, `./p.json`, a link either way); an accepted allocation that is not
/// there is named as one that cannot be read, not as an output over it.
#[cfg(unix)]
#[test]
fn accept_refuses_an_output_that_is_the_accepted_allocation_by_any_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    std::fs::copy(&model, d.join("model.json")).expect("copy");
    assert_eq!(code(&run_in(d, &["allocate", "model.json", "-o", "p.json", "-q"])), 0);
    std::os::unix::fs::symlink("p.json", d.join("acc")).expect("symlink");
    let proposal = std::fs::read(d.join("p.json")).expect("p");
    for (accepted, out) in
        [("p.json", "p.json"), ("p.json", "./p.json"), ("acc", "p.json"), ("p.json", "acc")]
    {
        let o = run_in(d, &["accept", "model.json", accepted, "-o", out]);
        assert_eq!(code(&o), 2, "{accepted} -o {out}: {}", stderr(&o));
        let said = format!("-o {out}: is the accepted allocation");
        assert!(stderr(&o).contains(&said), "{accepted} -o {out}: {}", stderr(&o));
        assert_eq!(std::fs::read(d.join("p.json")).expect("p"), proposal, "{accepted} -o {out}");
    }
    // Not there (a typing mistake), under its own name or a link to nothing.
    std::os::unix::fs::symlink("gone.json", d.join("dangling")).expect("symlink");
    for (accepted, out) in [("gone.json", "gone.json"), ("dangling", "gone.json"), ("gone.json", "dangling")]
    {
        let o = run_in(d, &["accept", "model.json", accepted, "-o", out]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{accepted} -o {out}: {err}");
        assert!(
            err.contains("cannot read") && !err.contains("accepted allocation"),
            "{accepted} -o {out}: {err}"
        );
        assert!(!d.join("gone.json").exists(), "{accepted} -o {out}");
    }
}

/// `accept -o LINK` writes the format of the file the link names: a link to a workbook gets a
/// workbook, never JSON inside a `.xlsx`.
#[cfg(unix)]
#[test]
fn accept_through_a_link_writes_the_format_of_the_file_it_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    std::fs::copy(&model, d.join("model.json")).expect("copy");
    assert_eq!(code(&run_in(d, &["allocate", "model.json", "-o", "p.json", "-q"])), 0);
    std::os::unix::fs::symlink("team.xlsx", d.join("this-week")).expect("symlink");
    let o = run_in(d, &["accept", "model.json", "p.json", "-o", "this-week", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let bytes = std::fs::read(d.join("team.xlsx")).expect("written through the link");
    assert!(bytes.starts_with(b"PK"), "a workbook, not JSON");
    let o = run_in(d, &["check", "--workbook", "team.xlsx"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Once more: the workbook it replaces is kept beside it, named after it (a workbook by its
    // name), not after the link; the link stays a link.
    let o = run_in(d, &["accept", "model.json", "p.json", "-o", "this-week"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let names: Vec<String> = std::fs::read_dir(d)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let kept: Vec<&String> =
        names.iter().filter(|n| n.starts_with("team.2") && n.ends_with(".xlsx")).collect();
    assert_eq!(kept.len(), 1, "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("this-week.")), "{names:?}");
    assert_eq!(std::fs::read(d.join(kept[0])).expect("kept"), bytes, "the kept copy is last week's workbook");
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(said.contains("kept as") && said.contains(kept[0].as_str()), "{said}");
    assert!(std::fs::symlink_metadata(d.join("this-week")).expect("meta").file_type().is_symlink());
}

/// A cron line writes `accept ... -o /dev/stdout > next.xlsx`. `/dev/stdout` is a link to the
/// file standard output is redirected to, so, as through any link, that file's name decides
/// the format: a workbook in `next.xlsx`, JSON in `next.json` or down a pipe. The summary used
/// to go to standard output too, written over the start of the model (a broken file, exit 0),
/// and the file the shell had already emptied was "kept" beside `/dev/stdout` (exit 4, or as
/// root an empty file in /dev). Now the model is all standard output holds, and nothing is kept.
#[cfg(unix)]
#[test]
fn accept_to_dev_stdout_writes_the_redirected_file_s_format_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    std::fs::copy(&model, d.join("model.json")).expect("copy");
    assert_eq!(code(&run_in(d, &["allocate", "model.json", "-o", "p.json", "-q"])), 0);
    // The same model written to a file by its name, to compare with.
    let o = run_in(d, &["accept", "model.json", "p.json", "-o", "ref.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let reference = std::fs::read(d.join("ref.json")).expect("ref");
    let accept = |stdout: std::process::Stdio| {
        bin()
            .current_dir(d)
            .args(["accept", "model.json", "p.json", "-o", "/dev/stdout"])
            .stdout(stdout)
            .output()
            .expect("caseload runs")
    };
    let names = || {
        let mut n: Vec<_> =
            std::fs::read_dir(d).expect("dir").map(|e| e.expect("entry").file_name()).collect();
        n.sort();
        n
    };
    for next in ["next.xlsx", "next.json"] {
        std::fs::write(d.join(next), b"last week's model").expect("write");
        let before = names();
        // As the shell's `>` opens it: emptied, written from the start.
        let o = accept(std::fs::File::create(d.join(next)).expect("create").into());
        let err = stderr(&o);
        assert_eq!(code(&o), 0, "{next}: {err}");
        assert!(
            err.contains("next week's model written to /dev/stdout") && !err.contains("kept as"),
            "{next}: {err}"
        );
        assert_eq!(names(), before, "{next}: a copy was kept beside it");
        let bytes = std::fs::read(d.join(next)).expect("next");
        if next.ends_with(".xlsx") {
            assert!(caseload::read::is_zip(&bytes), "{next}: not a workbook");
            let o = run_in(d, &["check", "--workbook", next]);
            assert_eq!(code(&o), 0, "{next}: {}", stderr(&o));
        } else {
            assert!(bytes == reference, "{next}: {}", String::from_utf8_lossy(&bytes));
        }
    }
    // Down a pipe: JSON, and nothing but.
    let o = accept(std::process::Stdio::piped());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout == reference, "{}", String::from_utf8_lossy(&o.stdout));
    assert!(stderr(&o).contains("next week's model written to /dev/stdout"), "{}", stderr(&o));
}
