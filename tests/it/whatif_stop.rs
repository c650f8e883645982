//! `caseload whatif` runs under the same limits as `allocate`: Ctrl-C and `--time-limit` stop it
//! within a second on a hard model, the scenarios it did not finish are marked not proven, and
//! the exit status says so (3).

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A cross-team district of 2,000 cases (125 posts, 8 teams, type weights, a quarter of the
/// children in sibling groups), written into `dir`: each scenario of filling its posts one by
/// one takes seconds, so twenty take far longer than these tests wait. (The Birmingham-like
/// model these tests used once sweeps twenty posts in about 1.3 s now.)
fn hard(dir: &Path) -> std::path::PathBuf {
    let model = dir.join("district.json");
    let status = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["generate", "--cases", "2000", "--workers", "125", "--teams", "8", "--weights"])
        .args(["--groups", "0.25", "--cross-team", "--seed", "2", "-o"])
        .arg(&model)
        .status()
        .expect("generate runs");
    assert!(status.success(), "the district is generated");
    model
}

fn start(args: &[&str], json: &Path) -> Child {
    let model = hard(json.parent().expect("a directory"));
    Command::new(env!("CARGO_BIN_EXE_caseload"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("whatif")
        .arg(&model)
        .args(["--fill-vacancies", "0..=20", "--json"])
        .arg(json)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns")
}

/// Waits for the child, at most `limit`; returns its exit code and when it ended.
fn wait_at_most(child: &mut Child, limit: Duration) -> (Option<i32>, Instant) {
    let began = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            return (status.code(), Instant::now());
        }
        if began.elapsed() > limit {
            let _ = child.kill();
            panic!("whatif still running {limit:?} after it was asked to stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_stopped_and_marked_not_proven(json: &Path) {
    let out: Value = serde_json::from_slice(&std::fs::read(json).expect("the JSON is written")).unwrap();
    assert_eq!(out["stopped"], true, "the output says the run was stopped");
    let scenarios = out["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 21, "every scenario asked for is reported");
    let unproven: Vec<&Value> = scenarios.iter().filter(|s| s["optimal"] == false).collect();
    assert!(!unproven.is_empty(), "the scenarios not finished are marked not proven");
    for s in &unproven {
        if s["stopped"] == true {
            assert!(s["filled"].as_u64() < s["requested_fill"].as_u64(), "{s}");
        }
    }
}

#[test]
fn whatif_on_a_hard_model_stops_promptly_on_ctrl_c_and_marks_the_rest_not_proven() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("w.json");
    let mut child = start(&[], &json);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the run ended before Ctrl-C; the model is not hard enough");
    let sent = Instant::now();
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let (code, ended) = wait_at_most(&mut child, Duration::from_secs(30));
    let took = ended - sent;
    // The proof is the stopped, not-proven output and status 3; the bound on the time only
    // catches a stop flag that is read rarely, and is loose so a loaded machine does not fail
    // it (the full sweep takes minutes).
    assert!(took < Duration::from_secs(6), "whatif took {took:?} to stop after Ctrl-C");
    assert_eq!(code, Some(3), "a stopped run exits with status 3 (not proven)");
    assert_stopped_and_marked_not_proven(&json);
}

#[test]
fn whatif_on_a_hard_model_stops_promptly_at_its_time_limit_and_marks_the_rest_not_proven() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("w.json");
    let began = Instant::now();
    let mut child = start(&["--time-limit", "1.5"], &json);
    let (code, ended) = wait_at_most(&mut child, Duration::from_secs(30));
    let took = ended - began;
    assert!(took < Duration::from_secs(8), "whatif --time-limit 1.5 took {took:?}");
    assert_eq!(code, Some(3), "a stopped run exits with status 3 (not proven)");
    assert_stopped_and_marked_not_proven(&json);
}
