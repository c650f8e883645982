//! Bounds on what a flag, a variable or a file can ask for: each refused before the memory or
//! time it would take is spent, with a message naming the flag or the place.

use crate::common::{bin, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn small_team() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json")
}

fn caseload(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.current_dir(dir).args(args).stdin(Stdio::null()).env_remove("RAYON_NUM_THREADS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn more_threads_than_the_limit_are_refused_by_flag_or_variable_before_any_is_started() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(small_team(), d.join("m.json")).unwrap();
    let o = caseload(d, &["--threads", "257", "allocate", "m.json", "-o", "p.json", "-q"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--threads 257") && text(&o).contains("at most 256"), "{}", text(&o));
    let o = caseload(d, &["allocate", "m.json", "-o", "p.json", "-q"], &[("RAYON_NUM_THREADS", "300")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("RAYON_NUM_THREADS=300"), "{}", text(&o));
    assert!(!d.join("p.json").exists());
    // The flag wins over the variable, as documented; the limit itself is allowed.
    let o = caseload(
        d,
        &["--threads", "2", "allocate", "m.json", "-o", "p.json", "-q"],
        &[("RAYON_NUM_THREADS", "100000")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = caseload(d, &["--threads", "256", "allocate", "m.json", "-o", "p.json", "-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// A model of `n` cases of one team and type, and a worker.
fn one_kind(n: usize) -> String {
    let cases: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"id": format!("C{i:07}"), "type": "child_in_need", "team": "North"}))
        .collect();
    serde_json::json!({
        "version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"}],
        "cases": cases,
    })
    .to_string()
}

#[test]
fn a_demand_factor_past_the_case_limit_is_refused_before_the_model_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.json"), one_kind(1_100)).unwrap();
    // 1,100 x 1000 = 1.1 million cases: past the 1,048,576 of one model.
    let o = caseload(d, &["whatif", "m.json", "--demand", "1,1000", "-q", "--json", "w.json"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("--demand 1000") && t.contains("1,100,000 cases") && t.contains("1,048,576"), "{t}");
    assert!(!d.join("w.json").exists());
}

#[test]
fn sweeps_that_multiply_past_the_scenario_limit_are_refused_naming_each_flag_and_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(small_team(), d.join("m.json")).unwrap();
    let list = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let (sw, ssw) = (format!("social_worker={}", list(100)), format!("senior_social_worker={}", list(100)));
    let o = caseload(d, &["whatif", "m.json", "-q", "--cap", &sw, "--cap", &ssw, "--demand", "1,2"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("--demand (2) x --cap social_worker (100) x --cap senior_social_worker (100)"), "{t}");
    assert!(t.contains("20,001 scenarios") && t.contains("5,000"), "{t}");
    // A fill sweep counts too, and a huge one is refused before its scenarios are listed.
    let o = caseload(d, &["whatif", "m.json", "-q", "--fill-vacancies", "0..=100000", "--cap", &sw], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--fill-vacancies (100001)"), "{}", text(&o));
    // Hires past the worker limit of one model: eleven flags of 100,000 posts.
    let mut args = vec!["whatif", "m.json", "-q"];
    for _ in 0..11 {
        args.extend(["--hire", "social_worker:North:100000"]);
    }
    let o = caseload(d, &args, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--hire: 1,100,000 new posts"), "{}", text(&o));
}

#[test]
fn scenarios_of_a_large_model_are_bounded_by_what_they_hold_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.json"), one_kind(20_000)).unwrap();
    // 121 scenario models of about 20,000 rows: 2.4 million, past 2,097,152.
    let caps = format!("social_worker={}", (1..=120).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
    let o = caseload(d, &["whatif", "m.json", "-q", "--cap", &caps], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("--cap social_worker (120)") && t.contains("2,097,152"), "{t}");
}

/// small_team.json changed by `f`, written to `d/name`.
fn changed(d: &Path, name: &str, f: impl FnOnce(&mut serde_json::Value)) {
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(small_team()).unwrap()).unwrap();
    f(&mut m);
    std::fs::write(d.join(name), m.to_string()).unwrap();
}

#[test]
fn lists_of_a_model_past_their_limits_are_refused_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let many = |n: usize| serde_json::Value::from(vec!["a"; n]);
    changed(d, "skills.json", |m| m["workers"][0]["skills"] = many(1_001));
    changed(d, "needs.json", |m| m["cases"][2]["needs"] = many(1_001));
    changed(d, "previous.json", |m| m["cases"][1]["previous_workers"] = many(5_000));
    changed(d, "aliases.json", |m| {
        m["policy"]["aliases"] =
            (0..10_001).map(|i| (format!("w{i}"), serde_json::Value::from("CP"))).collect();
    });
    // Lists each within their limit, past the limit of all together: 4,200 workers of 1,000.
    changed(d, "total.json", |m| {
        let w = m["workers"][0].clone();
        m["workers"] = (0..4_200)
            .map(|i| {
                let mut w = w.clone();
                w["id"] = format!("X{i}").into();
                w["skills"] = many(1_000);
                w
            })
            .collect();
    });
    for (file, place, what) in [
        ("skills.json", "workers[0].skills", "more than 1,000 entries"),
        ("needs.json", "cases[2].needs", "more than 1,000 entries"),
        ("previous.json", "cases[1].previous_workers", "more than 1,000 entries"),
        ("aliases.json", "policy.aliases", "more than 10,000 words"),
        ("total.json", "workers[4194].skills", "more than 4,194,304 entries together"),
    ] {
        let o = caseload(d, &["check", file], &[]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", text(&o));
        let t = text(&o);
        assert!(t.contains(&format!("{file}: {place}")) && t.contains(what), "{file}: {t}");
    }
    // The same limits for a policy file and a spreadsheet of aliases.
    std::fs::write(d.join("m.json"), std::fs::read(small_team()).unwrap()).unwrap();
    let o = caseload(d, &["convert", "m.json", "--csv-dir", "csv"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let words: serde_json::Map<String, serde_json::Value> =
        (0..10_001).map(|i| (format!("w{i}"), "CP".into())).collect();
    std::fs::write(d.join("policy.json"), serde_json::json!({ "aliases": words }).to_string()).unwrap();
    let csv: String = std::iter::once("word,means\n".to_string())
        .chain((0..20_000).map(|i| format!("w{i},CP\n")))
        .collect();
    std::fs::write(d.join("aliases.csv"), csv).unwrap();
    let sheets = ["check", "--workers", "csv/workers.csv", "--cases", "csv/cases.csv"];
    let o = caseload(d, &[&sheets[..], &["--policy", "policy.json"]].concat(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("policy.json: aliases") && text(&o).contains("more than 10,000 words"),
        "{}",
        text(&o)
    );
    let o = caseload(d, &[&sheets[..], &["--aliases", "aliases.csv"]].concat(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("aliases.csv: row 10002") && t.contains("more than 10,000 words"), "{t}");
    assert_eq!(t.matches("more than 10,000 words").count(), 1, "said once: {t}");
}
