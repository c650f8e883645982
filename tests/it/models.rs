//! Every model shipped in `models/` allocates and passes `check`, so the documents never lie.

use crate::common;

use common::*;
use serde_json::Value;
use std::path::PathBuf;

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
