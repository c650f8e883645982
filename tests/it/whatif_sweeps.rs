//! `caseload whatif` sweeps on districts: each scenario that only adds room (one more post
//! filled, a higher cap) starts its search from the allocation of the one before it, so the
//! curve never goes back even when the node limit leaves scenarios unproven; every row says
//! whether it is proven, and how far from the best possible it may be.

use crate::common::proptest_config;
use calamine::{Data, Reader};
use caseload::check::{check_proposal, parse_proposal};
use caseload::generate::{generate, GenerateOptions};
use caseload::model::{ModelFile, Role};
use caseload::solve::Limits;
use caseload::whatif::{self, Plan};
use caseload::write::to_json;
use proptest::prelude::*;
use serde_json::Value;
use std::process::{Command, Output};

/// A generated district, as `caseload generate --weights --groups 0.25 --cross-team` makes:
/// `teams` teams sharing work across teams, weights by case type, sibling groups.
fn model(cases: usize, workers: usize, teams: usize, seed: u64, vacant_share: f64) -> ModelFile {
    generate(&GenerateOptions {
        cases,
        workers,
        teams,
        seed,
        vacant_share,
        weights: true,
        groups: 0.25,
        cross_team: true,
        ..Default::default()
    })
    .expect("the generator makes valid models")
}

/// A small cross-team district whose searches a node limit of 1 leaves unproven.
fn district() -> ModelFile {
    model(160, 12, 2, 3, 0.35)
}

fn evaluate(file: &ModelFile, plan: &Plan, node_limit: Option<u64>) -> whatif::Outcome {
    let limits = Limits { node_limit, ..Limits::default() };
    let options = whatif::Options { limits, ..whatif::Options::default() };
    whatif::evaluate("model.json", &to_json(file), plan, &options, &|_| {}, &|| {}).expect("whatif runs")
}

fn tol(x: f64) -> f64 {
    1e-6 * x.abs().max(1.0)
}

/// The objectives of the rows whose settings are `settings`, by posts filled.
fn fill_curve(out: &whatif::Outcome, settings: &str) -> Vec<(usize, f64, bool)> {
    let mut rows: Vec<(usize, f64, bool)> = out
        .scenarios
        .iter()
        .map(|s| &s.row)
        .filter(|r| r.settings_words == settings)
        .map(|r| (r.filled, r.objective, r.optimal))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    rows
}

fn never_falls(curve: &[(usize, f64, bool)]) -> Result<(), String> {
    for w in curve.windows(2) {
        if w[1].1 < w[0].1 - tol(w[0].1) {
            return Err(format!(
                "objective falls from {} to {} at {} posts filled: {curve:?}",
                w[0].1, w[1].1, w[1].0
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(16))]

    /// Filling one more post admits every allocation of the scenario before it, so the
    /// objective never falls along a fill sweep, proven or not: on small districts (cases
    /// shared across teams, sibling groups, weights) whose searches a node limit stops.
    #[test]
    fn objective_never_falls_as_posts_are_filled(
        seed in 0u64..10_000,
        cases in 200usize..360,
        teams in 2usize..4,
        node_limit in prop::sample::select(vec![Some(1u64), Some(30)]),
    ) {
        let file = model(cases, cases / 15, teams, seed, 0.3);
        let plan = Plan { fill: (0..=4).collect(), demand: vec![1.0], ..Plan::default() };
        let out = evaluate(&file, &plan, node_limit);
        never_falls(&fill_curve(&out, "")).map_err(TestCaseError::fail)?;
    }

    /// A higher cap (and the target that follows it) admits every allocation of a lower one,
    /// so the objective never falls along a cap sweep with no post filled, nor along each
    /// cap's fill sweep. (Without the seeding, a third of these districts go backwards.)
    #[test]
    fn objective_never_falls_as_caps_rise(
        seed in 0u64..10_000,
        cases in 200usize..360,
        teams in 2usize..4,
        caps in prop::collection::btree_set(12u32..22, 3..6),
        node_limit in prop::sample::select(vec![Some(1u64), Some(30)]),
    ) {
        let file = model(cases, cases / 15, teams, seed, 0.3);
        let caps: Vec<f64> = caps.into_iter().map(f64::from).collect();
        let plan = Plan {
            fill: vec![0, 1, 2],
            caps: vec![(Role::SocialWorker, caps.clone())],
            demand: vec![1.0],
            ..Plan::default()
        };
        let out = evaluate(&file, &plan, node_limit);
        let mut by_cap = Vec::new();
        for s in out.scenarios.iter().skip(1) {
            never_falls(&fill_curve(&out, &s.row.settings_words)).map_err(TestCaseError::fail)?;
            if s.row.filled == 0 && s.row.requested_fill == 0 {
                by_cap.push((s.row.caps[&Role::SocialWorker] as usize, s.row.objective, s.row.optimal));
            }
        }
        prop_assert_eq!(by_cap.len(), caps.len());
        never_falls(&by_cap).map_err(TestCaseError::fail)?;
    }
}

/// Two districts where a search stopped by a node limit of 1 finds less with the higher cap
/// than with the lower one when each is solved on its own; seeded, it never does.
#[test]
fn a_higher_cap_never_scores_less_on_districts_that_went_backwards() {
    for (seed, caps) in [(3, [17.0, 18.0]), (9, [18.0, 19.0])] {
        let file = model(300, 20, 2, seed, 0.1);
        let plan =
            Plan { caps: vec![(Role::SocialWorker, caps.to_vec())], demand: vec![1.0], ..Plan::default() };
        let out = evaluate(&file, &plan, Some(1));
        let (low, high) = (&out.scenarios[1].row, &out.scenarios[2].row);
        assert!(
            high.objective >= low.objective - tol(low.objective),
            "seed {seed}: {} then {}",
            low.objective,
            high.objective
        );
    }
}

/// The solver's entry point: a search started from a lawful allocation never ends below it,
/// whatever the node limit; a start that breaks the rules is ignored.
#[test]
fn a_search_started_from_a_lawful_allocation_never_ends_below_it() {
    use caseload::solve::{solve, solve_from};
    let limits = |n: u64| Limits { node_limit: Some(n), ..Limits::default() };
    // The first of these districts where a node limit of 1 alone finds less than 300 nodes
    // do: a start from the better allocation then has something to keep.
    let found = (1..=24).find_map(|seed| {
        let m = caseload::load_model_bytes("d.json", &to_json(&model(300, 20, 2, seed, 0.1))).unwrap();
        let problem = caseload::formulate::formulate(&m, &caseload::rules::eligibility(&m));
        let value = |a: &[Option<usize>]| caseload::objective::value(&caseload::objective::terms(&m, a));
        let good = solve(&m, &problem, limits(300)).unwrap();
        let quick = solve(&m, &problem, limits(1)).unwrap();
        let (v_good, v_quick) = (value(&good.assignment), value(&quick.assignment));
        (v_quick < v_good - tol(v_good)).then_some((m, problem, good, quick))
    });
    let (m, problem, good, quick) = found.expect("some district where a node limit of 1 alone finds less");
    let value = |a: &[Option<usize>]| caseload::objective::value(&caseload::objective::terms(&m, a));
    let from = solve_from(&m, &problem, limits(1), Some(&good.assignment)).unwrap();
    let (v_good, v_from) = (value(&good.assignment), value(&from.assignment));
    assert!(v_from >= v_good - tol(v_good), "started from {v_good}, ended at {v_from}");
    assert!(from.gap.is_finite() && from.gap >= 0.0);
    // Every case with the first worker breaks caps or rules: the start is not taken.
    let unlawful = vec![Some(0); m.cases.len()];
    let ignored = solve_from(&m, &problem, limits(1), Some(&unlawful)).unwrap();
    assert_eq!(ignored.assignment, quick.assignment);
    let short = solve_from(&m, &problem, limits(1), Some(&[])).unwrap();
    assert_eq!(short.assignment, quick.assignment, "a start too short for the model is ignored");
}

#[test]
fn every_seeded_scenario_of_a_district_passes_check() {
    let file = district();
    let plan = Plan {
        fill: (0..=3).collect(),
        caps: vec![(Role::SocialWorker, vec![10.0, 14.0, 18.0])],
        demand: vec![1.0],
        ..Plan::default()
    };
    let out = evaluate(&file, &plan, Some(1));
    assert!(
        out.scenarios.iter().any(|s| !s.row.optimal),
        "the node limit should leave some scenario unproven"
    );
    for s in &out.scenarios {
        let (model_file, proposal) = &*s.result;
        let bytes = if s.row.index == 0 { to_json(&file) } else { to_json(model_file) };
        let m = caseload::load_model_bytes("scenario.json", &bytes).unwrap();
        let parsed = parse_proposal("p", &to_json(proposal)).unwrap();
        let breaches = check_proposal(&m, &parsed);
        assert!(breaches.is_empty(), "{}: {breaches:?}", s.row.name);
        // The row tells the proposal's truth.
        assert!((s.row.objective - proposal.objective).abs() <= tol(proposal.objective), "{}", s.row.name);
        assert_eq!(s.row.optimal, proposal.optimal, "{}", s.row.name);
    }
}

fn cli(args: &[&str], threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap()
}

/// Runs a seeded district sweep through the command line; returns its standard output, JSON,
/// CSV and the path of its workbook.
fn sweep(dir: &std::path::Path, threads: &str) -> (String, Value, String, std::path::PathBuf) {
    let model = dir.join("district.json");
    std::fs::write(&model, to_json(&district())).unwrap();
    let json = dir.join(format!("out{threads}.json"));
    let csv = dir.join(format!("out{threads}.csv"));
    let xlsx = dir.join(format!("out{threads}.xlsx"));
    let o = cli(
        &[
            "whatif",
            model.to_str().unwrap(),
            "--fill-vacancies",
            "0..=3",
            "--cap",
            "social_worker=10,14,18",
            "--node-limit",
            "1",
            "--json",
            json.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
        threads,
    );
    assert_eq!(o.status.code(), Some(3), "unproven scenarios exit 3: {}", String::from_utf8_lossy(&o.stderr));
    let json: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let csv = String::from_utf8(std::fs::read(&csv).unwrap()).unwrap();
    (String::from_utf8(o.stdout).unwrap(), json, csv, xlsx)
}

#[test]
fn a_seeded_sweep_is_the_same_on_one_thread_and_two() {
    let dir = tempfile::tempdir().unwrap();
    let (table1, json1, csv1, xlsx1) = sweep(dir.path(), "1");
    let (table2, json2, csv2, xlsx2) = sweep(dir.path(), "2");
    assert_eq!(table1, table2);
    assert_eq!(json1, json2);
    assert_eq!(csv1, csv2);
    assert_eq!(std::fs::read(xlsx1).unwrap(), std::fs::read(xlsx2).unwrap());
}

#[test]
fn unproven_rows_say_so_in_the_table_json_csv_and_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let (table, json, csv, xlsx) = sweep(dir.path(), "2");
    let rows = json["scenarios"].as_array().unwrap();
    let unproven: Vec<&Value> = rows.iter().filter(|r| r["optimal"] == false).collect();
    assert!(!unproven.is_empty(), "a node limit of 1 leaves the district unproven");
    for r in rows {
        let (gap, proof) = (r["gap"].as_f64().unwrap(), r["proof"].as_str().unwrap());
        if r["optimal"] == true {
            assert_eq!((gap, proof), (0.0, "proven best"));
        } else {
            assert!(gap >= 0.0, "{r}");
            assert!(proof.starts_with("not proven"), "{proof}");
            if gap.is_finite() {
                assert!(proof.contains("of the best possible"), "{proof}");
            }
        }
    }
    // The table: every line of a scenario ends with its proof.
    for r in rows {
        let line = table.lines().find(|l| l.starts_with(r["words"].as_str().unwrap())).unwrap();
        assert!(line.ends_with(r["proof"].as_str().unwrap()), "{line}");
    }
    // The CSV: gap and proof last, after the columns older readers know.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[header.len() - 3..], ["words", "gap", "proof"]);
    for (line, r) in reader.records().zip(rows) {
        let line = line.unwrap();
        assert_eq!(&line[header.len() - 1], r["proof"].as_str().unwrap());
    }
    // The workbook's scenarios sheet: the same words under "proven or not".
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(std::fs::read(xlsx).unwrap())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let sheet: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let at =
        sheet[0].iter().position(|c| *c == Data::String("proven or not".into())).expect("a proof column");
    for (cells, r) in sheet[1..].iter().zip(rows) {
        assert_eq!(cells[at], Data::String(r["proof"].as_str().unwrap().into()));
    }
}

/// The words for the counter-example: more children without a worker after more
/// posts, while the objective does not fall, is told to the planner as a trade.
#[test]
fn a_rise_in_children_with_a_rising_objective_is_explained() {
    let row = |filled: usize, objective: f64, unallocated: usize| -> whatif::Scenario {
        let mut out = evaluate(&model(20, 4, 1, 1, 0.1), &Plan::default(), None);
        let mut s = out.scenarios.remove(0);
        s.row.filled = filled;
        s.row.index = filled;
        s.row.objective = objective;
        s.row.unallocated = unallocated;
        s
    };
    let rising = [row(0, 100.0, 5), row(1, 120.0, 4), row(2, 130.0, 6)];
    let notes = whatif::rows::children_notes(&rising);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("rise from 4 to 6 between 1 post and 2 posts filled"), "{}", notes[0]);
    let falling = [row(0, 100.0, 5), row(1, 120.0, 4), row(2, 130.0, 3)];
    assert!(whatif::rows::children_notes(&falling).is_empty());
}

/// What lets a district sweep skip a candidate post without solving it: the bound of the
/// piece's relaxation alone (no search) with the post filled. It must never fall below what a
/// full solve of the same piece finds (the optimum, where that solve proves it), on the compact
/// relaxation of a small district and on the pooled one of the large-district path; and the
/// relaxation's own allocation is lawful.
#[test]
fn the_relaxation_bound_that_rules_out_candidate_posts_is_never_below_a_solve() {
    let mut proven = 0;
    for seed in 0..5 {
        let file = model(120 + 20 * seed as usize, 10, 2, seed, 0.35);
        let ctx = whatif::build::identity(&file);
        for district_columns in [None, Some(0)] {
            let limits = Limits { district_columns, ..Limits::default() };
            let engine = whatif::fill::Engine::new(&ctx, limits);
            let mut keys = Vec::new();
            for (p, piece) in engine.pieces.iter().enumerate() {
                keys.push((p, Vec::new()));
                keys.extend(piece.vacant.iter().map(|&w| (p, vec![w])));
            }
            let bounds = engine.relaxed_bounds(&keys).unwrap();
            assert_eq!(bounds, engine.relaxed_bounds(&keys).unwrap(), "asked again, the same");
            for (key, b) in keys.iter().zip(bounds) {
                let solved = engine.get(key).unwrap();
                assert!(
                    b + tol(b) >= solved.objective,
                    "seed {seed}, {district_columns:?}, {key:?}: relaxation {b} below a solve's {}",
                    solved.objective
                );
                proven += usize::from(solved.optimal);
            }
        }
        let m = caseload::load_model_bytes("model.json", &to_json(&file)).unwrap();
        let relaxed = caseload::allocate(&m, Limits { relaxation_only: true, ..Limits::default() }).unwrap();
        let parsed = parse_proposal("p", &to_json(&relaxed)).unwrap();
        assert!(check_proposal(&m, &parsed).is_empty(), "seed {seed}: the relaxation's allocation is lawful");
        let full = caseload::allocate(&m, Limits::default()).unwrap();
        assert!(relaxed.bound + tol(relaxed.bound) >= full.objective, "seed {seed}: the relaxation's bound");
        assert!(!full.optimal || relaxed.objective <= full.objective + tol(full.objective));
    }
    assert!(proven > 0, "some solves prove their optimum, so the bound is tested against it");
}

/// Ruling candidate posts out by their relaxations changes which posts are solved, never
/// which are chosen: on small districts whose solves the node limit leaves unproven (where the
/// relaxations are asked), the greedy fills the same posts with the same gains with the
/// pruning on and off, and it does rule some candidates out.
#[test]
fn ruling_posts_out_by_their_relaxations_leaves_the_greedy_choices_as_they_were() {
    let mut ruled_out = 0;
    for seed in 2..4 {
        let file = model(300 + 40 * seed as usize, 24, 4, seed, 0.4);
        let ctx = whatif::build::identity(&file);
        let limits = Limits { node_limit: Some(1), ..Limits::default() };
        let run = |pruning: bool| {
            let mut engine = whatif::fill::Engine::new(&ctx, limits);
            engine.relaxed_pruning = pruning;
            let run = engine.greedy(3, &|| {}).unwrap();
            (run.steps.iter().map(|s| (s.post, s.gain, s.cases)).collect::<Vec<_>>(), engine.solves())
        };
        let (with, fewer) = run(true);
        let (without, all) = run(false);
        assert_eq!(with, without, "seed {seed}: the same posts, gains and cases");
        eprintln!(
            "seed {seed}: {fewer} {all} {with:?} vacant {}",
            whatif::fill::Engine::new(&ctx, limits).vacant().len()
        );
        assert!(fewer <= all, "seed {seed}: {fewer} solves with the pruning, {all} without");
        ruled_out += all - fewer;
    }
    assert!(ruled_out > 0, "the relaxations rule some candidate out");
}
