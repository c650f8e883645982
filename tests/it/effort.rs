//! The node limit bounds every phase of a part's solve, the compact relaxations that microlp
//! solves included (src/solve/lp.rs, vendor/microlp/PATCH.md): a tiny `--node-limit` stops a
//! root relaxation, and the part still gets a lawful allocation and a true bound, reported
//! unproven, the same on any number of threads.

use crate::common;

use caseload::solve::{Event, Limits, Observer};
use common::*;
use serde_json::Value;
use std::sync::Mutex;

/// A model written by `caseload generate` with these options.
fn generated(dir: &std::path::Path, name: &str, options: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"generate"];
    args.extend(options.iter().map(|o| o as &dyn AsRef<std::ffi::OsStr>));
    args.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &path]);
    let o = run(&args, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    path
}

/// The proposals of one stopped run on one and two threads (JSON bytes): the same bytes,
/// unproven, scoring no more than the optimum `best` and stating a bound at least `best`.
fn assert_stopped_truthfully(outputs: &[Vec<u8>], best: f64) -> f64 {
    assert!(outputs[0] == outputs[1], "one and two threads give different proposals");
    let v: Value = serde_json::from_slice(&outputs[0]).unwrap();
    let (objective, bound) = (v["objective"].as_f64().unwrap(), v["bound"].as_f64().unwrap());
    let tol = 1e-6 * best.abs().max(1.0);
    assert_eq!(v["optimal"], false);
    assert!(objective <= best + tol, "stopped at {objective}, above the optimum {best}");
    assert!(bound >= best - tol, "bound {bound} below the optimum {best}");
    objective
}

/// One network part of unit weights (3,000 cases, cross-team work) whose relaxation needs
/// more than one node's work: with `--node-limit 1` the relaxation is stopped, and the
/// proposal is lawful (`check`), unproven (exit 3), scores no more than the optimum the
/// default run proves, states a bound at least that optimum, and is the same bytes on one
/// and two threads.
#[test]
fn a_node_limit_stops_a_network_parts_relaxation_with_a_lawful_proposal_and_a_true_bound() {
    let dir = tempfile::tempdir().unwrap();
    let options = ["--cases", "3000", "--workers", "190", "--teams", "12", "--seed", "2", "--cross-team"];
    let model = generated(dir.path(), "network.json", &options);
    let full = dir.path().join("full.json");
    let o = run(&[&"allocate", &model, &"-o", &full, &"--quiet"], &[]);
    assert_eq!(o.status.code(), Some(0), "the default run proves the optimum: {}", text(&o));
    let best = read_json(&full)["objective"].as_f64().unwrap();

    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("stopped{threads}.json"));
        let args: [&dyn AsRef<std::ffi::OsStr>; 6] =
            [&"allocate", &model, &"-o", &out, &"--quiet", &"--node-limit"];
        let mut args = args.to_vec();
        args.push(&"1");
        let o = run(&args, &[("RAYON_NUM_THREADS", threads), ("CASELOAD_DEBUG", "1")]);
        assert_eq!(o.status.code(), Some(3), "{threads} threads: {}", text(&o));
        let trace = String::from_utf8_lossy(&o.stderr);
        assert!(trace.contains("(stopped by the budget)"), "the relaxation was not stopped: {trace}");
        outputs.push(std::fs::read(&out).unwrap());
        let o = run(&[&"check", &model, &out], &[]);
        assert_eq!(o.status.code(), Some(0), "check: {}", text(&o));
    }
    let objective = assert_stopped_truthfully(&outputs, best);
    assert!(objective > 0.0, "the greedy allocation allocated nothing");
}

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A cross-team district with sibling groups, forced onto the district path (the bound from
/// the relaxation with the groups' columns pooled): with one node the pooled relaxation is
/// stopped, and the proposal is lawful, unproven, at most the optimum an unlimited run
/// proves, with a bound at least that optimum, and the same bytes on one and two threads.
#[test]
fn a_node_limit_stops_the_district_paths_relaxation_with_a_lawful_proposal_and_a_true_bound() {
    let dir = tempfile::tempdir().unwrap();
    let options = [
        "--cases",
        "700",
        "--workers",
        "44",
        "--teams",
        "2",
        "--seed",
        "3",
        "--weights",
        "--groups",
        "0.25",
        "--cross-team",
    ];
    let path = generated(dir.path(), "district.json", &options);
    let m = caseload::load_model_bytes("district.json", &std::fs::read(&path).unwrap()).unwrap();
    let unlimited = caseload::allocate(&m, Limits::default()).unwrap();
    let v: Value = serde_json::from_slice(&caseload::write::to_json(&unlimited)).unwrap();
    assert_eq!(v["optimal"], true, "the unlimited run proves the optimum");
    let best = v["objective"].as_f64().unwrap();

    let mut outputs = Vec::new();
    for threads in [1, 2] {
        let lines = Mutex::new(Vec::new());
        let keep = |e: &Event| {
            if let Event::Trace(t) = e {
                lines.lock().unwrap().push(t.clone());
            }
        };
        let limits = Limits {
            node_limit: Some(1),
            district_columns: Some(0),
            observer: Some(Observer(&keep)),
            trace: true,
            ..Limits::default()
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let p = pool.install(|| caseload::allocate(&m, limits)).unwrap();
        let lines = lines.into_inner().unwrap();
        let pooled: Vec<&String> = lines.iter().filter(|l| l.starts_with("pooled lp:")).collect();
        assert!(!pooled.is_empty(), "the district path was not taken: {lines:?}");
        assert!(
            pooled.iter().all(|l| l.contains("bound None")),
            "the pooled relaxation finished: {pooled:?}"
        );
        outputs.push(caseload::write::to_json(&p));
    }
    assert!(breaches(&m, &outputs[0]).is_empty(), "check finds breaches");
    assert_stopped_truthfully(&outputs, best);
}
