//! `caseload compare`: a proposal against itself shows no difference (exit 0); a hand-edited
//! copy names exactly the children whose worker changed (exit 1); a copy that breaks a rule
//! names the breach (exit 1); invalid input names the file and the place (exit 2).

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn compare(model: &Path, a: &Path, b: &Path) -> (Option<i32>, Value, String) {
    let o = run(&[&"compare", &model, &a, &b, &"--json", &"-"], &[]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    let words = String::from_utf8_lossy(&o.stderr).to_string();
    (o.status.code(), v, words)
}

/// Writes a generated model and its proposal into `dir`.
fn model_and_proposal(dir: &Path, seed: u64, shape: Shape) -> Option<(PathBuf, PathBuf, Value, Value)> {
    let model = generate(seed, shape);
    caseload::load_model_bytes("m.json", &to_bytes(&model)).ok()?;
    let (_, p, bytes) = allocate(&model);
    let mp = write_file(dir, "model.json", &to_bytes(&model));
    let pp = write_file(dir, "proposal.json", &bytes);
    Some((mp, pp, model, p))
}

#[test]
fn a_proposal_compared_with_itself_shows_no_difference() {
    let dir = tempfile::tempdir().unwrap();
    let mut done = 0;
    for seed in 0..12u64 {
        let Some((mp, pp, _, _)) = model_and_proposal(dir.path(), seed, Shape::MEDIUM) else { continue };
        let (code, v, words) = compare(&mp, &pp, &pp);
        assert_eq!(code, Some(0), "seed {seed}: {words}");
        assert_eq!(v["same"], true);
        assert_eq!(v["changed"], json!([]));
        assert_eq!(v["loads"], json!([]));
        assert_eq!(v["a"]["lawful"], true);
        assert_eq!(v["a"]["breaches"], json!([]));
        assert_eq!(v["a"]["objective_terms"], v["b"]["objective_terms"]);
        assert!(words.contains("every child has the same worker in both"), "{words}");
        done += 1;
    }
    assert!(done > 5);
}

#[test]
fn a_hand_edited_copy_names_exactly_the_children_whose_worker_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut done = 0;
    for seed in 0..40u64 {
        let Some((mp, pp, model, p)) = model_and_proposal(dir.path(), seed, Shape::MEDIUM) else { continue };
        let tm = TModel::from_json(&model);
        let before = assignment_of(&tm, &p);
        // Edit as a manager would: move some allocated children to another worker, unallocate
        // one, and leave everything else (the stated objective and loads go stale).
        let mut rng = Rng::new(seed);
        let mut edited = p.clone();
        let mut changed = std::collections::BTreeSet::new();
        let allocations = edited["allocations"].as_array_mut().unwrap();
        if allocations.is_empty() || tm.workers.len() < 2 {
            continue;
        }
        for x in allocations.iter_mut() {
            if rng.chance(0.3) {
                let other = rng.pick(&tm.workers).id;
                if x["worker"] != other.as_str() {
                    changed.insert(x["case"].as_str().unwrap().to_string());
                }
                x["worker"] = json!(other);
            }
        }
        let gone = allocations.remove(0);
        changed.insert(gone["case"].as_str().unwrap().to_string());
        edited["unallocated"].as_array_mut().unwrap().push(json!({"case": gone["case"], "reasons": []}));
        let ep = write_file(dir.path(), "edited.json", &to_bytes(&edited));
        let (code, v, words) = compare(&mp, &pp, &ep);
        assert_eq!(code, Some(1), "seed {seed}: {words}");
        assert_eq!(v["same"], false);
        let named: std::collections::BTreeSet<String> = v["changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(named, changed, "seed {seed}");
        for c in v["changed"].as_array().unwrap() {
            let tc = tm.case_index(c["case"].as_str().unwrap());
            assert_eq!(c["a"].as_str(), before[tc].map(|w| tm.workers[w].id.as_str()), "seed {seed}");
            assert!(words.contains(&format!("  {}: ", c["case"].as_str().unwrap())), "{words}");
        }
        // Loads: every worker whose load differs, with both loads, by the oracle's sums.
        let after = assignment_of(&tm, &edited);
        let (la, lb) = (tm.loads(&before).0, tm.loads(&after).0);
        let expect: Vec<String> = (0..tm.workers.len())
            .filter(|&w| (la[w] - lb[w]).abs() > 1e-9)
            .map(|w| tm.workers[w].id.clone())
            .collect();
        let mut got: Vec<String> = v["loads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["worker"].as_str().unwrap().to_string())
            .collect();
        let mut expect = expect;
        expect.sort();
        got.sort();
        assert_eq!(got, expect, "seed {seed}");
        // Each side's objective is what its allocation scores, by the oracle.
        assert!(close(v["a"]["objective"].as_f64().unwrap(), tm.objective(&before)), "seed {seed}");
        assert!(close(v["b"]["objective"].as_f64().unwrap(), tm.objective(&after)), "seed {seed}");
        // Lawful exactly when the oracle finds no breach of section 3.
        assert_eq!(v["b"]["lawful"], tm.breach(&after).is_none(), "seed {seed}: {:?}", tm.breach(&after));
        done += 1;
    }
    assert!(done > 10, "only {done} models edited");
}

#[test]
fn a_copy_that_breaks_a_rule_is_named_and_exits_one_even_with_no_child_changed() {
    let dir = tempfile::tempdir().unwrap();
    let model = json!({"version": 1,
        "workers": [{"id": "W1", "role": "social_worker", "team": "North", "cap": 1},
                    {"id": "W2", "role": "family_support_worker", "team": "North", "supervisor": "W1"}],
        "cases": [{"id": "C1", "type": "looked_after", "team": "North"},
                  {"id": "C2", "type": "child_in_need", "team": "North"}]});
    let mp = write_file(dir.path(), "model.json", &to_bytes(&model));
    let (_, p, bytes) = allocate(&model);
    let pp = write_file(dir.path(), "proposal.json", &bytes);
    // A family support worker may not hold a looked-after child (rule 2).
    let mut bad = p.clone();
    for x in bad["allocations"].as_array_mut().unwrap() {
        if x["case"] == "C1" {
            x["worker"] = json!("W2");
        }
    }
    let bp = write_file(dir.path(), "bad.json", &to_bytes(&bad));
    let (code, v, words) = compare(&mp, &pp, &bp);
    assert_eq!(code, Some(1), "{words}");
    assert_eq!(v["b"]["lawful"], false);
    assert!(v["b"]["breaches"].as_array().unwrap().iter().any(|b| b["code"] == "rule2"), "{v}");
    assert!(words.contains("role may not hold this type of case (SPEC rule 2)"), "{words}");
    // The same unlawful file on both sides: no child differs, but it breaks a rule.
    let (code, v, _) = compare(&mp, &bp, &bp);
    assert_eq!(code, Some(1));
    assert_eq!(v["same"], true);
}

#[test]
fn invalid_input_exits_two_naming_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mp, pp, _, _)) = (0..20).find_map(|s| model_and_proposal(dir.path(), s, Shape::MEDIUM)) else {
        panic!("no model")
    };
    let broken = write_file(dir.path(), "broken.json", b"{\"allocations\": [\n  {\"case\": 3}\n]}");
    let o = run(&[&"compare", &mp, &pp, &broken], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("broken.json") && text(&o).contains("allocations[0]"), "{}", text(&o));
    let missing = dir.path().join("missing.json");
    let o = run(&[&"compare", &mp, &pp, &missing], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("missing.json"), "{}", text(&o));
    let bad_model =
        write_file(dir.path(), "bad_model.json", br#"{"version": 2, "workers": [], "cases": []}"#);
    let o = run(&[&"compare", &bad_model, &pp, &pp], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad_model.json: version"), "{}", text(&o));
    let o = run(&[&"compare", &mp, &pp], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_term_one_side_leaves_out_is_shown_with_the_sign_it_enters_the_objective_with() {
    let dir = tempfile::tempdir().unwrap();
    let model = json!({"version": 1, "policy": {"return_bonus": 7},
        "workers": [{"id": "W1", "role": "social_worker", "team": "North"},
                    {"id": "W2", "role": "social_worker", "team": "North"}],
        "cases": [{"id": "C1", "type": "looked_after", "team": "North", "previous_workers": ["W1"]}]});
    let mp = write_file(dir.path(), "model.json", &to_bytes(&model));
    let (_, p, bytes) = allocate(&model);
    assert_eq!(p["allocations"][0]["worker"], "W1");
    let pp = write_file(dir.path(), "proposal.json", &bytes);
    let mut other = p.clone();
    other["allocations"][0]["worker"] = json!("W2");
    let op = write_file(dir.path(), "other.json", &to_bytes(&other));
    let o = run(&[&"compare", &mp, &pp, &op], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let line = text(&o).lines().find(|l| l.contains("return bonus")).map(str::to_string);
    let line = line.unwrap_or_else(|| panic!("no return bonus line:\n{}", text(&o)));
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells, ["+", "return", "bonus", "7", "0", "-7"], "{line}");
}
