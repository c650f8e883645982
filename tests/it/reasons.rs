//! One test per reason code: a small model where a case is unallocated for exactly that reason,
//! and the summary files it under structural or capacity shortfall as SPEC section 5 says.

use crate::common;

use common::*;
use serde_json::{json, Value};

/// Allocates, checks the proposal has no breach, and returns it.
fn propose(model: Value) -> Value {
    let (m, v, bytes) = allocate(&model);
    let found = breaches(&m, &bytes);
    assert!(found.is_empty(), "check finds breaches in the proposal: {found:?}");
    assert_eq!(v["optimal"], true);
    v
}

fn codes(v: &Value, case: &str) -> Vec<String> {
    let u = v["unallocated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["case"] == case)
        .unwrap_or_else(|| panic!("{case} is allocated: {}", v["allocations"]));
    let reasons = u["reasons"].as_array().unwrap();
    assert!(reasons.iter().all(|r| !r["message"].as_str().unwrap().is_empty()));
    reasons.iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

fn worker_of(v: &Value, case: &str) -> Option<String> {
    v["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["case"] == case)
        .map(|a| a["worker"].as_str().unwrap().into())
}

/// Asserts `case` is unallocated with `code`, and the summary counts it as structural or not.
fn assert_unallocated(v: &Value, case: &str, code: &str, structural: bool) {
    let got = codes(v, case);
    assert!(got.iter().any(|c| c == code), "{case} should be unallocated as {code}, got {got:?}");
    let s = &v["summary"];
    assert!(
        s["unallocated_by_reason"][code].as_u64().unwrap_or(0) >= 1,
        "summary misses {code}: {}",
        s["unallocated_by_reason"]
    );
    let n = v["unallocated"].as_array().unwrap().len() as u64;
    let (want_structural, want_capacity) = if structural { (n, 0) } else { (0, n) };
    assert_eq!(s["structural_shortfall"].as_u64(), Some(want_structural), "structural shortfall");
    assert_eq!(s["capacity_shortfall"].as_u64(), Some(want_capacity), "capacity shortfall");
}

// --- Structural ---

#[test]
fn leaves_looked_after_child_unallocated_when_team_has_no_qualified_worker() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "family_support_worker", "team": "North", "supervisor": "W3" },
            { "id": "W2", "role": "personal_adviser", "team": "North" },
            { "id": "W3", "role": "social_worker", "team": "South" },
            { "id": "W4", "role": "social_worker", "team": "North", "status": "vacant" }
        ],
        "cases": [ { "id": "C1", "type": "looked_after", "team": "North" } ]
    }));
    assert_unallocated(&v, "C1", "no_permitted_worker", true);
    assert_eq!(v["summary"]["looked_after_unallocated"], 1);
    assert_eq!(v["summary"]["looked_after_emergency"], true);
}

#[test]
fn leaves_child_unallocated_when_no_worker_speaks_their_language() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "skills": ["bsl"] },
            { "id": "W2", "role": "social_worker", "team": "South", "skills": ["urdu"] }
        ],
        "cases": [
            { "id": "C1", "type": "child_protection", "team": "North", "needs": ["urdu"] },
            { "id": "C2", "type": "child_protection", "team": "North", "needs": ["bsl"] }
        ]
    }));
    assert_unallocated(&v, "C1", "needs_unmet", true);
    assert_eq!(worker_of(&v, "C2").as_deref(), Some("W1"));
}

#[test]
fn leaves_child_unallocated_when_the_only_qualified_worker_is_excluded() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North" },
            { "id": "W2", "role": "social_work_assistant", "team": "North", "supervisor": "W1" }
        ],
        "cases": [ { "id": "C1", "type": "child_protection", "team": "North", "exclude": ["W1"] } ]
    }));
    assert_unallocated(&v, "C1", "excluded", true);
}

#[test]
fn leaves_child_unallocated_when_the_only_qualified_worker_is_agency_staff_and_the_case_says_no_agency() {
    let model = json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "agency": true },
            { "id": "W2", "role": "family_support_worker", "team": "North", "supervisor": "W1" }
        ],
        "cases": [ { "id": "C1", "type": "child_protection", "team": "North", "no_agency": true },
                   { "id": "C2", "type": "child_protection", "team": "North" } ]
    });
    let v = propose(model.clone());
    assert_unallocated(&v, "C1", "agency_only", true);
    // The case without the mark goes to the agency worker; today's allocation of C1 to W1 is a
    // breach of rule 11, in words.
    assert_eq!(worker_of(&v, "C2").as_deref(), Some("W1"));
    let mut today = model;
    today["cases"][0]["current_worker"] = json!("W1");
    let m = caseload::load_model_bytes("m.json", &to_bytes(&today)).unwrap();
    let found = caseload::check::check_today(&m);
    assert!(found.iter().any(|b| b.code == "rule11"), "{found:?}");
    assert!(caseload::words::breach("rule11").contains("extension rule 11"));
}

#[test]
fn leaves_child_in_need_unallocated_when_the_only_assistant_has_no_active_supervisor() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "status": "absent" },
            { "id": "W2", "role": "social_work_assistant", "team": "North", "supervisor": "W1" },
            { "id": "W3", "role": "family_support_worker", "team": "North" },
            { "id": "W4", "role": "family_support_worker", "team": "North", "supervisor": "W5" },
            { "id": "W5", "role": "newly_qualified_social_worker", "team": "South" }
        ],
        "cases": [ { "id": "C1", "type": "child_in_need", "team": "North" } ]
    }));
    // W2's supervisor is absent, W3 has none, and W5 is not in a supervisor role.
    assert_unallocated(&v, "C1", "unsupervised", true);
}

#[test]
fn leaves_siblings_unallocated_when_no_worker_may_hold_them_all() {
    // A team manager may hold the looked-after child, a personal adviser the care leaver;
    // nobody may hold both.
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "team_manager", "team": "North" },
            { "id": "W2", "role": "personal_adviser", "team": "North" }
        ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North", "group": "smith" },
            { "id": "C2", "type": "care_leaver", "team": "North", "group": "smith" }
        ]
    }));
    assert_unallocated(&v, "C1", "group_unplaceable", true);
    assert_unallocated(&v, "C2", "group_unplaceable", true);
}

#[test]
fn leaves_siblings_unallocated_when_no_worker_has_a_cap_large_enough_for_all_of_them() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 2 },
            { "id": "W2", "role": "social_worker", "team": "North", "cap": 2.5 }
        ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North", "group": "jones" },
            { "id": "C2", "type": "looked_after", "team": "North", "group": "jones" },
            { "id": "C3", "type": "looked_after", "team": "North", "group": "jones" }
        ]
    }));
    for c in ["C1", "C2", "C3"] {
        assert_unallocated(&v, c, "group_unplaceable", true);
    }
}

/// The reason's message and action for `code` of unallocated `case`.
fn reason_text(v: &Value, case: &str, code: &str) -> (String, String) {
    let u = v["unallocated"].as_array().unwrap().iter().find(|u| u["case"] == case).unwrap();
    let r = u["reasons"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap();
    (r["message"].as_str().unwrap().into(), r["action"].as_str().unwrap().into())
}

#[test]
fn siblings_no_worker_may_hold_together_are_not_told_to_raise_a_cap() {
    // W1's cap of 18 holds both siblings; what stops them is C1's need of bsl, which nobody
    // has. Raising a cap would not help, so the reason must not advise it.
    let v = propose(json!({
        "version": 1,
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North", "cap": 18 } ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North", "group": "smith", "needs": ["bsl"] },
            { "id": "C2", "type": "looked_after", "team": "North", "group": "smith" }
        ]
    }));
    for c in ["C1", "C2"] {
        assert_unallocated(&v, c, "group_unplaceable", true);
        let (message, action) = reason_text(&v, c, "group_unplaceable");
        assert!(!message.contains("within a cap"), "{c}: {message}");
        assert!(!action.contains("cap"), "{c}: {action}");
        assert!(
            action.contains("find a worker in team North who may hold every sibling of group smith"),
            "{action}"
        );
    }
    // A group that a cap does stop keeps the advice to raise one.
    let v = propose(json!({
        "version": 1,
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North", "cap": 1.5 } ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North", "group": "smith" },
            { "id": "C2", "type": "looked_after", "team": "North", "group": "smith" }
        ]
    }));
    let (message, action) = reason_text(&v, "C1", "group_unplaceable");
    assert!(message.contains("within a cap"), "{message}");
    assert!(action.starts_with("raise to 2 or more the cap"), "{action}");
}

#[test]
fn leaves_case_unallocated_when_it_weighs_more_than_any_permitted_workers_cap() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 2 },
            { "id": "W2", "role": "team_manager", "team": "North", "cap": 9, "status": "absent" }
        ],
        "cases": [ { "id": "C1", "type": "child_protection", "team": "North", "weight": 2.5 } ]
    }));
    assert_unallocated(&v, "C1", "weight_over_cap", true);
}

// --- Capacity ---

#[test]
fn leaves_lowest_priority_child_unallocated_when_every_worker_is_full() {
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 1 },
            { "id": "W2", "role": "senior_social_worker", "team": "North", "cap": 1 }
        ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "child_protection", "team": "North" },
            { "id": "C3", "type": "looked_after", "team": "North" }
        ]
    }));
    assert_unallocated(&v, "C1", "at_capacity", false);
    assert!(worker_of(&v, "C2").is_some() && worker_of(&v, "C3").is_some());
}

#[test]
fn leaves_child_unallocated_when_the_assistants_supervisor_oversees_all_they_may() {
    // W2 has room (cap 12), but W1 may oversee only 1 case of supervisees' work.
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "South", "oversight_cap": 1 },
            { "id": "W2", "role": "social_work_assistant", "team": "North", "supervisor": "W1" }
        ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "child_in_need", "team": "North", "priority": 60 }
        ]
    }));
    assert_unallocated(&v, "C1", "oversight_at_capacity", false);
    assert_eq!(worker_of(&v, "C2").as_deref(), Some("W2"));
    assert_eq!(v["workers"][0]["oversight"], 1.0);
}

#[test]
fn leaves_child_unallocated_when_the_only_room_is_above_target_and_overload_costs_more_than_its_priority() {
    // Room up to the cap of 3, but above the target of 1 each unit costs 50 > priority 40.
    let v = propose(json!({
        "version": 1,
        "policy": { "overload_penalty": 50 },
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North", "cap": 3, "target": 1 } ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "child_protection", "team": "North" }
        ]
    }));
    assert_unallocated(&v, "C1", "only_above_target", false);
    assert_eq!(worker_of(&v, "C2").as_deref(), Some("W1"));
}

#[test]
fn allocates_above_target_when_the_priority_outweighs_the_overload_penalty() {
    // The same model with a smaller penalty: 30 < 40, so both children are allocated.
    let v = propose(json!({
        "version": 1,
        "policy": { "overload_penalty": 30 },
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North", "cap": 3, "target": 1 } ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "child_protection", "team": "North" }
        ]
    }));
    assert!(v["unallocated"].as_array().unwrap().is_empty());
    assert_eq!(v["summary"]["objective_terms"]["overload_penalty"], 30.0);
    assert_eq!(v["objective"], 110.0);
}

#[test]
fn leaves_child_unallocated_when_the_cross_team_penalty_outweighs_its_priority() {
    let v = propose(json!({
        "version": 1,
        "policy": { "cross_team": true, "cross_team_penalty": 45 },
        "workers": [ { "id": "W1", "role": "social_worker", "team": "South" } ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "looked_after", "team": "North" }
        ]
    }));
    assert_unallocated(&v, "C1", "not_worth_allocating", false);
    assert_eq!(worker_of(&v, "C2").as_deref(), Some("W1"));
    assert_eq!(v["summary"]["objective_terms"]["cross_team_penalty"], 45.0);
}

#[test]
fn leaves_a_case_of_zero_priority_unallocated_as_not_worth_allocating() {
    let v = propose(json!({
        "version": 1,
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North" } ],
        "cases": [ { "id": "C1", "type": "child_in_need", "team": "North", "priority": 0 } ]
    }));
    assert_unallocated(&v, "C1", "not_worth_allocating", false);
}

#[test]
fn a_case_of_a_priority_too_small_to_count_is_not_blamed_on_another_team() {
    // W1 of its own team has room; a priority of 1e-12 is below what the objective tells from
    // nothing, so the child may wait, but not "because they are in another team".
    let v = propose(json!({
        "version": 1,
        "workers": [ { "id": "W1", "role": "social_worker", "team": "North" } ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North", "priority": 1e-12 },
            { "id": "C2", "type": "child_in_need", "team": "North" }
        ]
    }));
    assert_unallocated(&v, "C1", "not_worth_allocating", false);
    let text = message(&v, "C1", "not_worth_allocating");
    assert!(!text.contains("another team") && !text.contains("cross-team"), "{text}");
    assert!(text.contains("too small"), "{text}");
    let action = v["unallocated"][0]["reasons"][0]["action"].to_string();
    assert!(!action.contains("cross-team") && action.contains("larger priority"), "{action}");
}

#[test]
fn reports_each_reason_of_a_case_with_two_once_in_the_summary() {
    // C1 could go to W1 (full) or W2 (room only above target): both reasons are true.
    let v = propose(json!({
        "version": 1,
        "policy": { "overload_penalty": 100 },
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 1 },
            { "id": "W2", "role": "social_worker", "team": "North", "cap": 2, "target": 0 }
        ],
        "cases": [
            { "id": "C1", "type": "child_in_need", "team": "North" },
            { "id": "C2", "type": "child_protection", "team": "North" }
        ]
    }));
    let got = codes(&v, "C1");
    assert!(got.contains(&"at_capacity".into()) && got.contains(&"only_above_target".into()), "{got:?}");
    assert_eq!(v["summary"]["unallocated_by_reason"]["at_capacity"], 1);
    assert_eq!(v["summary"]["unallocated_by_reason"]["only_above_target"], 1);
    assert_eq!(v["summary"]["capacity_shortfall"], 1);
}

// --- Reasons that name what actually stops the case (issue 10) ---

fn message(v: &Value, case: &str, code: &str) -> String {
    let u = v["unallocated"].as_array().unwrap().iter().find(|u| u["case"] == case).unwrap();
    let r = u["reasons"].as_array().unwrap().iter().find(|r| r["code"] == code);
    r.unwrap_or_else(|| panic!("{case} has no {code}: {u}"))["message"].as_str().unwrap().to_string()
}

#[test]
fn a_case_too_heavy_for_the_only_assistants_supervisor_is_blamed_on_the_oversight_cap_not_on_a_cap() {
    // The assistant's own cap (12) is far above the weight; its supervisor, in another team,
    // may oversee only 1. The reason must say so.
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "S1", "role": "social_worker", "team": "South", "oversight_cap": 1 },
            { "id": "A1", "role": "social_work_assistant", "team": "North", "supervisor": "S1" }
        ],
        "cases": [ { "id": "C1", "type": "child_in_need", "team": "North", "weight": 1.5 } ]
    }));
    assert_unallocated(&v, "C1", "weight_over_cap", true);
    let text = message(&v, "C1", "weight_over_cap");
    assert!(text.contains("A1's supervisor S1 may oversee only 1"), "{text}");
    assert!(!text.contains("A1's cap"), "the assistant's cap is not what stops it: {text}");
    assert!(!text.contains("any permitted worker's cap allows"), "{text}");
}

#[test]
fn a_case_too_heavy_for_every_worker_names_each_workers_own_limit_when_one_is_an_assistant_with_room() {
    // B1's cap (1) is below the weight; A1's cap (12) is well above it, but A1's supervisor may
    // oversee only 1. Each is named with the limit that stops it.
    let v = propose(json!({
        "version": 1,
        "workers": [
            { "id": "S1", "role": "social_worker", "team": "South", "oversight_cap": 1 },
            { "id": "A1", "role": "social_work_assistant", "team": "North", "supervisor": "S1" },
            { "id": "B1", "role": "social_worker", "team": "North", "cap": 1 }
        ],
        "cases": [ { "id": "C1", "type": "child_in_need", "team": "North", "weight": 1.5 } ]
    }));
    assert_unallocated(&v, "C1", "weight_over_cap", true);
    let text = message(&v, "C1", "weight_over_cap");
    assert!(text.contains("B1's cap is 1"), "{text}");
    assert!(text.contains("A1's supervisor S1 may oversee only 1"), "{text}");
    assert!(!text.contains("A1's cap"), "{text}");
}

#[test]
fn a_child_in_need_whose_only_room_is_in_another_team_with_a_penalty_above_its_priority_is_not_worth_allocating_not_only_above_target(
) {
    // W1 (own team) is full with a looked-after child; W2 has room in another team, above its
    // target. The cross-team penalty (45) alone exceeds the child's priority (40): the overload
    // is not what stops it.
    let v = propose(json!({
        "version": 1,
        "policy": { "cross_team": true, "cross_team_penalty": 45 },
        "workers": [
            { "id": "W1", "role": "social_worker", "team": "North", "cap": 1 },
            { "id": "W2", "role": "social_worker", "team": "South", "target": 0 }
        ],
        "cases": [
            { "id": "C1", "type": "looked_after", "team": "North", "current_worker": "W1" },
            { "id": "C2", "type": "child_in_need", "team": "North" }
        ]
    }));
    assert_eq!(worker_of(&v, "C1").as_deref(), Some("W1"));
    let got = codes(&v, "C2");
    assert_eq!(got, ["at_capacity", "not_worth_allocating"], "{got:?}");
    let text = message(&v, "C2", "not_worth_allocating");
    assert!(text.contains("cross-team penalty (45) is at least its priority (40)"), "{text}");
}

#[test]
fn a_case_worth_a_millionth_beside_a_move_penalty_of_a_billion_is_placed() {
    // The search's tolerance is relative to values of a billion (the keep bonus), so it cannot
    // tell a gain of a millionth from none; the worker has room, so the child is placed rather
    // than told the search stopped (which a proposal proven optimal may not say).
    let v = propose(json!({
        "version": 1,
        "policy": { "move_penalty": 1e9 },
        "workers": [ { "id": "W0", "role": "senior_social_worker", "team": "T0" } ],
        "cases": [
            { "id": "C1", "type": "child_protection", "team": "T0", "priority": 0 },
            { "id": "C7", "type": "child_in_need", "team": "T0", "waiting_since": "2026-01-01" },
            { "id": "C9", "type": "child_protection", "team": "T0", "current_worker": "W0" },
            { "id": "C10", "type": "child_in_need", "team": "T0", "priority": 1e-6 }
        ]
    }));
    assert_eq!(worker_of(&v, "C10").as_deref(), Some("W0"));
}

/// Values that span many orders of magnitude (priorities of a millionth, move penalties of a
/// billion, waiting priorities) on small random models: every proposal passes `check`, so
/// every unallocated child's reason is true of it, and is proven optimal (the master's simplex
/// tells a reduced cost from the rounding of a cost of a billion).
#[test]
fn every_reason_is_true_when_values_span_fifteen_orders_of_magnitude() {
    for seed in 0..1000u64 {
        let mut model = generate(seed, Shape::BRUTE);
        let mut rng = Rng::new(seed);
        if model.get("policy").is_none() {
            model["policy"] = json!({});
        }
        let policy = model["policy"].as_object_mut().unwrap();
        policy.insert("move_penalty".into(), json!(rng.pick(&[0.0, 10.0, 1e6, 1e9])));
        if rng.chance(0.5) {
            policy.insert("waiting_priority".into(), json!(rng.pick(&[1e-7, 1.0])));
        }
        for case in model["cases"].as_array_mut().unwrap() {
            if rng.chance(0.4) {
                case["priority"] = json!(rng.pick(&[0.0, 1e-6, 1e-4, 0.5, 1e6]));
            }
            if rng.chance(0.3) {
                case["waiting_since"] = json!("2000-01-01");
            }
        }
        if load_dated(&to_bytes(&model)).is_err() {
            continue; // pins the generator made unlawful
        }
        let (m, v, bytes) = allocate(&model);
        let found = breaches(&m, &bytes);
        assert!(found.is_empty(), "seed {seed}: {found:?}");
        assert_eq!(v["optimal"], true, "seed {seed}: a model of at most 8 cases is proven");
    }
}

/// A waiting priority of a ten-millionth moves the objective by less than SPEC section 4's
/// tolerance (1e-6 relative) counts: a proposal that close to its bound is optimal, not
/// "stopped" (exit status 3), and says so.
#[test]
fn a_proposal_within_the_spec_s_tolerance_of_its_bound_is_optimal() {
    let mut model: Value = serde_json::from_slice(
        &std::fs::read(format!("{}/models/small_team.json", env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap();
    model["policy"]["waiting_priority"] = json!(1e-7);
    for case in model["cases"].as_array_mut().unwrap().iter_mut().skip(7) {
        case["waiting_since"] = json!("2000-01-01");
    }
    let v = propose(model);
    assert_eq!(v["bound"], v["objective"]);
}

/// A move penalty of a billion beside priorities of tens and a waiting priority: the master's
/// reduced costs are differences of numbers of a billion, whose rounding alone once passed
/// the simplex's tolerance, so it cycled until its pivots ran out and this 6-case team was
/// left unproven (exit status 3) with a bound 3,200 above the optimum. Found by fuzzing.
#[test]
fn a_team_with_a_move_penalty_of_a_billion_is_proven() {
    let v = propose(json!({
        "version": 1,
        "policy": { "move_penalty": 1e9, "waiting_priority": 1 },
        "workers": [
            { "id": "W0", "role": "newly_qualified_social_worker", "team": "T0" },
            { "id": "W2", "role": "senior_social_worker", "team": "T0" },
            { "id": "W3", "role": "team_manager", "team": "T0", "fte": 0.1 }
        ],
        "cases": [
            { "id": "C0", "type": "care_leaver", "team": "T0", "priority": 40.0000001 },
            { "id": "C1", "type": "looked_after", "team": "T0" },
            { "id": "C2", "type": "care_leaver", "team": "T0", "priority": 100 },
            { "id": "C3", "type": "child_protection", "team": "T0", "weight": 0.3333333, "exclude": ["W2"] },
            { "id": "C4", "type": "care_leaver", "team": "T0", "current_worker": "W2" },
            { "id": "C5", "type": "looked_after", "team": "T0", "weight": 0.3333333, "waiting_since": "2000-01-01" }
        ]
    }));
    assert_eq!(v["bound"], v["objective"]);
}
