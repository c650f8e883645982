//! A mutation fuzzer over the model reader and the whole allocate path.
//!
//! Seeds are the example models plus a generated weighted model with sibling groups; each
//! iteration corrupts one (bytes flipped, cut short, fields deleted, duplicated or replaced by
//! hostile values) and runs read -> validate -> allocate -> check inside `catch_unwind`.
//! Every input must give a proposal that `check` accepts, or an input error; never a panic.
//!
//! Quick run in the test suite (a few hundred inputs); a long run:
//! `FUZZ_ITERS=200000 cargo test --release --test it -- fuzz:: --nocapture`.
//! Any input that panics is written to `tests/fuzz-regressions/` and replayed on every run.

use caseload::solve::Limits;
use serde_json::Value;
use std::path::Path;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn hostile_value(r: &mut Rng) -> Value {
    let vals = [
        Value::Null,
        Value::Bool(true),
        serde_json::json!(-1),
        serde_json::json!(0),
        serde_json::json!(1e308),
        serde_json::json!(-1e308),
        serde_json::json!(0.6),
        serde_json::json!(4294967296u64),
        serde_json::json!(""),
        serde_json::json!("<script>alert(1)</script>"),
        serde_json::json!("W01"),
        serde_json::json!("C01"),
        serde_json::json!("social_worker"),
        serde_json::json!("looked_after"),
        serde_json::json!("vacant"),
        serde_json::json!([]),
        serde_json::json!(["urdu"]),
        serde_json::json!({}),
        serde_json::json!({"social_worker": 0}),
        serde_json::json!("\u{0}\u{ffff}"),
    ];
    vals[r.below(vals.len())].clone()
}

/// Picks a random object or array somewhere inside `v`.
fn pick_mut<'a>(v: &'a mut Value, r: &mut Rng, depth: usize) -> &'a mut Value {
    let descend = depth < 4 && r.below(3) != 0;
    let has_children = match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    if !descend || !has_children {
        return v;
    }
    match v {
        Value::Object(m) => {
            let n = m.len();
            let key = m.keys().nth(r.below(n)).cloned().unwrap_or_default();
            let child = m.get_mut(&key).expect("key exists");
            pick_mut(child, r, depth + 1)
        }
        Value::Array(a) => {
            let n = a.len();
            let i = r.below(n);
            pick_mut(&mut a[i], r, depth + 1)
        }
        _ => unreachable!(),
    }
}

fn mutate_json(seed: &Value, r: &mut Rng) -> Vec<u8> {
    let mut v = seed.clone();
    for _ in 0..=r.below(3) {
        let keys = [
            "id",
            "role",
            "team",
            "fte",
            "cap",
            "target",
            "skills",
            "supervisor",
            "oversight_cap",
            "status",
            "agency",
            "type",
            "weight",
            "priority",
            "current_worker",
            "pinned",
            "group",
            "needs",
            "exclude",
            "version",
            "policy",
            "caps",
            "cross_team",
            "bogus",
        ];
        let node = pick_mut(&mut v, r, 0);
        match node {
            Value::Object(m) => match r.below(4) {
                0 if !m.is_empty() => {
                    let k = m.keys().nth(r.below(m.len())).cloned().unwrap_or_default();
                    m.remove(&k);
                }
                1 => {
                    m.insert(keys[r.below(keys.len())].to_string(), hostile_value(r));
                }
                _ if !m.is_empty() => {
                    let k = m.keys().nth(r.below(m.len())).cloned().unwrap_or_default();
                    m.insert(k, hostile_value(r));
                }
                _ => {}
            },
            Value::Array(a) => match r.below(3) {
                0 if !a.is_empty() => {
                    let i = r.below(a.len());
                    let dup = a[i].clone();
                    a.push(dup); // duplicate ids, duplicate sibling entries
                }
                1 if !a.is_empty() => {
                    let i = r.below(a.len());
                    a.remove(i);
                }
                _ => a.push(hostile_value(r)),
            },
            other => *other = hostile_value(r),
        }
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

fn mutate_bytes(seed: &[u8], r: &mut Rng) -> Vec<u8> {
    let mut b = seed.to_vec();
    match r.below(4) {
        0 => b.truncate(r.below(b.len() + 1)),
        1 => {
            for _ in 0..=r.below(8) {
                let i = r.below(b.len());
                if let Some(x) = b.get_mut(i) {
                    *x = (r.next() & 0xFF) as u8;
                }
            }
        }
        2 => {
            let i = r.below(b.len());
            let n = r.below(64);
            b.splice(i..i, std::iter::repeat_n(b'[', n));
        }
        _ => {
            let i = r.below(b.len());
            b.insert(i.min(b.len()), 0xFF);
        }
    }
    b
}

/// Runs one input through the whole path; Err(message) on a panic or an unlawful proposal.
fn run_one(bytes: &[u8]) -> Result<(), String> {
    let outcome = std::panic::catch_unwind(|| -> Result<(), String> {
        let Ok(model) = caseload::load_model_bytes("fuzz.json", bytes) else { return Ok(()) };
        let limits = Limits { node_limit: Some(200), ..Limits::default() };
        let proposal = caseload::allocate(&model, limits).map_err(|e| format!("allocate failed: {e}"))?;
        let json = caseload::write::to_json(&proposal);
        let parsed = caseload::check::parse_proposal("p.json", &json).map_err(|e| e.to_string())?;
        let breaches = caseload::check::check_proposal(&model, &parsed);
        if breaches.is_empty() {
            Ok(())
        } else {
            Err(format!("check found breaches: {breaches:?}"))
        }
    });
    match outcome {
        Ok(r) => r,
        Err(_) => Err("panicked".into()),
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("models/ exists")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter(|e| e.metadata().is_ok_and(|m| m.len() < 200_000))
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).expect("readable")))
        .collect();
    out.sort();
    out.into_iter().map(|(_, b)| b).collect()
}

#[test]
fn replays_every_recorded_fuzz_regression() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for e in entries.flatten() {
        let bytes = std::fs::read(e.path()).expect("readable");
        if let Err(msg) = run_one(&bytes) {
            panic!("{}: {msg}", e.path().display());
        }
    }
}

#[test]
fn corrupted_models_give_a_lawful_proposal_or_an_input_error_never_a_panic() {
    let iters: usize = std::env::var("FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(400);
    let seeds = seeds();
    assert!(!seeds.is_empty(), "no seed models in models/");
    let parsed: Vec<Value> =
        seeds.iter().map(|b| serde_json::from_slice(b).expect("seed models are JSON")).collect();
    let mut r = Rng(0xC0FFEE);
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0usize, 0usize);
    // Keep panics quiet while fuzzing; they are reported below.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for i in 0..iters {
        let s = r.below(seeds.len());
        let input =
            if r.below(2) == 0 { mutate_json(&parsed[s], &mut r) } else { mutate_bytes(&seeds[s], &mut r) };
        match run_one(&input) {
            Ok(()) => {
                if caseload::load_model_bytes("x", &input).is_ok() {
                    accepted += 1
                } else {
                    refused += 1
                }
            }
            Err(msg) => failures.push((i, msg, input)),
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz: {iters} inputs, {accepted} allocated and checked, {refused} refused as invalid, {} failures",
        failures.len()
    );
    if let Some((i, msg, input)) = failures.first() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("crash-{i}.json"));
        let _ = std::fs::write(&path, input);
        panic!("input {i} failed: {msg}; saved to {}", path.display());
    }
    assert!(accepted > 0 && refused > 0, "the fuzzer should exercise both paths");
}
