//! Every model shipped in `models/` allocates and passes `check`, so the documents never lie.
//!
//! The large examples (Birmingham-size) have no byte goldens: their outputs would pin every
//! tie-break of the solver. They are held to invariants instead: lawful by `check` and by the
//! test's oracle, every reason true, and the objective equal to the optimum HiGHS proves for the
//! model from its JSON alone (`tests/data/shipped_optima.json`, written by
//! `benches/optima.py --shipped`).

use crate::common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;

/// The optimum HiGHS proved for each large example model, by file name.
fn stored_optima() -> serde_json::Map<String, Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/shipped_optima.json");
    let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json.as_object().unwrap().clone()
}

fn shipped_models() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_model_allocates_lawfully_and_passes_check() {
    let models = shipped_models();
    assert!(!models.is_empty(), "models/ holds no example model");
    let optima = stored_optima();
    for name in optima.keys() {
        assert!(models.iter().any(|m| m.ends_with(name)), "shipped_optima.json names {name}, not in models/");
    }
    let dir = tempfile::tempdir().unwrap();
    for model in &models {
        let name = model.file_name().unwrap().to_string_lossy().into_owned();
        let out = dir.path().join(format!("{name}.proposal.json"));
        // A fixed day, so that the models with dated reductions give the same proposal every day.
        let o = run(&[&"allocate", model, &"-o", &out, &"--date", &GEN_DATE], &[]);
        assert_eq!(o.status.code(), Some(0), "allocate {name}: {}", text(&o));

        let o = run(&[&"check", model, &out], &[]);
        assert_eq!(o.status.code(), Some(0), "check {name}: {}", text(&o));

        // And by the test's own reading of the rules and the objective.
        let json: Value = serde_json::from_slice(&std::fs::read(model).unwrap()).unwrap();
        let tm = TModel::from_json_at(&json, Some(GEN_DATE));
        assert_eq!(tm.invalid, None, "{name}");
        let p: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let a = assignment_of(&tm, &p);
        assert_eq!(tm.breach(&a), None, "{name}: the proposal breaks a rule");
        assert_eq!(tm.wrong_return(&p), None, "{name}");
        // --date was given: the proposal records it, and `check` reads the model for it.
        assert_eq!(p["summary"]["date"], GEN_DATE, "{name}");
        let stated = p["objective"].as_f64().unwrap();
        assert!(close(tm.objective(&a), stated), "{name}: objective {stated} vs {}", tm.objective(&a));
        assert_eq!(p["optimal"], true, "{name}");
        if let Some(best) = optima.get(&name).and_then(Value::as_f64) {
            assert!(
                (stated - best).abs() <= 1e-6 * best.abs().max(1.0),
                "{name}: objective {stated}, but HiGHS proves the optimum is {best}"
            );
        }
        let listed = p["allocations"].as_array().unwrap().len() + p["unallocated"].as_array().unwrap().len();
        assert_eq!(listed, tm.cases.len(), "{name}: every case appears once");
        // Every reason is exactly what the reason oracle finds true of the case.
        let (load, over) = tm.loads(&a);
        for u in p["unallocated"].as_array().unwrap() {
            let given: Vec<String> = u["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_string())
                .collect();
            let c = tm.case_index(u["case"].as_str().unwrap());
            assert_eq!(given, tm.true_reasons(&a, &load, &over, c), "{name}: reasons of {}", u["case"]);
        }

        // Today's audit runs (it may find breaches: that is what it is for).
        let o = run(&[&"check", model], &[]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "audit {name}: {}", text(&o));
    }
}

/// Filling vacancies only adds capacity, so the best objective never falls as more posts are
/// filled, and every scenario of the sweep is proven (the large what-if goldens' invariant).
#[test]
fn filling_more_vacancies_never_lowers_the_proven_optimum_of_a_large_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/birmingham_2014.json");
    let out = dir.path().join("whatif.json");
    let o = run(&[&"whatif", &model, &"--fill-vacancies", &"0,5,20,45", &"--json", &out], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let w: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let scenarios = w["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 4);
    let base = stored_optima()["birmingham_2014.json"].as_f64().unwrap();
    assert!((scenarios[0]["objective"].as_f64().unwrap() - base).abs() <= 1e-6 * base);
    for pair in scenarios.windows(2) {
        let (a, b) = (pair[0]["objective"].as_f64().unwrap(), pair[1]["objective"].as_f64().unwrap());
        assert!(
            b >= a - 1e-6 * a.abs(),
            "filling {} posts scores {b}, below {a} for fewer",
            pair[1]["filled"]
        );
    }
    for s in scenarios {
        assert_eq!(s["optimal"], true, "{}", s["name"]);
        let cases = s["cases"].as_u64().unwrap();
        assert_eq!(s["allocated"].as_u64().unwrap() + s["unallocated"].as_u64().unwrap(), cases);
    }
}
