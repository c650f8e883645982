//! `caseload whatif`: scenarios agree with `allocate`, are lawful, and behave as planners need.

use caseload::check::{check_proposal, parse_proposal};
use caseload::model::{CaseInput, CaseType, ModelFile, Role, Status, WorkerInput};
use caseload::proposal::Proposal;
use caseload::whatif::{self, Plan};
use caseload::write::to_json;
use std::process::Command;

/// A small deterministic pseudo-random generator (no dependency, same numbers everywhere).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn worker(id: &str, role: Role, team: &str) -> WorkerInput {
    WorkerInput {
        id: id.into(),
        role,
        team: team.into(),
        fte: None,
        cap: None,
        target: None,
        skills: vec![],
        supervisor: None,
        oversight_cap: None,
        status: None,
        agency: None,
        reductions: vec![],
        name: None,
        notes: None,
    }
}

/// A case of type `t` in `team`, with nothing else set.
fn case(id: &str, t: CaseType, team: &str) -> CaseInput {
    CaseInput::new(id, t, team)
}

/// Three teams short of staff, with vacancies of several kinds (one a supervisor whose
/// supervisee can only work once the post is filled), sibling groups, pins, needs and
/// part-time posts.
pub fn short_staffed_model() -> ModelFile {
    let mut rng = Lcg(7);
    let teams = ["East", "North", "West"];
    let mut workers = Vec::new();
    for (t, team) in teams.iter().enumerate() {
        let p = |s: &str| format!("{}{}", &team[..1], s);
        let mut ssw = worker(&p("01"), Role::SeniorSocialWorker, team);
        if t == 1 {
            ssw.status = Some(Status::Vacant);
        }
        workers.push(ssw);
        for k in 2..6 {
            let mut w = worker(&p(&format!("{k:02}")), Role::SocialWorker, team);
            if k == 3 {
                w.skills = vec!["urdu".into()];
            }
            if k == 4 {
                w.fte = Some(0.5);
            }
            if k >= 4 && (t + k) % 2 == 0 {
                w.status = Some(Status::Vacant);
            }
            workers.push(w);
        }
        let mut nq = worker(&p("06"), Role::NewlyQualifiedSocialWorker, team);
        nq.status = Some(Status::Vacant);
        workers.push(nq);
        let mut swa = worker(&p("07"), Role::SocialWorkAssistant, team);
        swa.supervisor = Some(p("01"));
        workers.push(swa);
        let mut pa = worker(&p("08"), Role::PersonalAdviser, team);
        if t == 2 {
            pa.status = Some(Status::Vacant);
        }
        workers.push(pa);
    }
    let mut cases = Vec::new();
    let types =
        [CaseType::ChildInNeed, CaseType::ChildProtection, CaseType::LookedAfter, CaseType::CareLeaver];
    let mut n = 0;
    for team in teams {
        let active: Vec<String> = workers
            .iter()
            .filter(|w| w.team == team && w.status.is_none() && w.role == Role::SocialWorker)
            .map(|w| w.id.clone())
            .collect();
        for _ in 0..55 {
            n += 1;
            let t = types[rng.below(4) as usize];
            let mut c = case(&format!("C{n:04}"), t, team);
            if t != CaseType::CareLeaver && rng.below(3) == 0 {
                c.current_worker = Some(active[rng.below(active.len() as u64) as usize].clone());
            }
            if rng.below(25) == 0 {
                c.needs = vec!["urdu".into()];
            }
            if t == CaseType::LookedAfter && n % 9 == 0 {
                c.group = Some(format!("G{n}"));
                let mut sib = c.clone();
                sib.id = format!("C{n:04}b");
                cases.push(sib);
            }
            cases.push(c);
        }
    }
    // One pin, to a worker the tests make absent.
    let pinned = cases
        .iter_mut()
        .find(|c| c.current_worker.as_deref() == Some("E02") && c.group.is_none() && c.needs.is_empty());
    if let Some(c) = pinned {
        c.pinned = Some(true);
    }
    ModelFile { version: 1, policy: None, workers, cases }
}

fn bytes_of(f: &ModelFile) -> Vec<u8> {
    to_json(f)
}

fn plan(fill: &str) -> Plan {
    Plan { fill: whatif::plan::parse_fill(fill).unwrap(), demand: vec![1.0], ..Plan::default() }
}

fn run(bytes: &[u8], plan: &Plan) -> whatif::Outcome {
    whatif::evaluate("model.json", bytes, plan, &whatif::Options::default(), &|_| {}, &|| {}).unwrap()
}

fn allocate(bytes: &[u8]) -> Proposal {
    let m = caseload::load_model_bytes("model.json", bytes).unwrap();
    caseload::allocate(&m, caseload::solve::Limits::default()).unwrap()
}

fn vacancies(f: &ModelFile) -> usize {
    f.workers.iter().filter(|w| w.status == Some(Status::Vacant)).count()
}

#[test]
fn filling_no_posts_gives_exactly_the_allocate_proposal() {
    let bytes = bytes_of(&short_staffed_model());
    let out = run(&bytes, &plan("0..=3"));
    assert_eq!(out.scenarios[0].row.name, "base");
    assert_eq!(out.scenarios[0].row.filled, 0);
    let direct = allocate(&bytes);
    assert_eq!(to_json(&out.scenarios[0].result.1), to_json(&direct));
}

#[test]
fn filling_every_vacancy_gives_the_allocate_proposal_of_the_model_with_all_posts_active() {
    let file = short_staffed_model();
    let v = vacancies(&file);
    assert!(v >= 5, "the test model should have several vacancies, has {v}");
    let out = run(&bytes_of(&file), &plan(&format!("0..={}", v + 2)));
    let mut all = file.clone();
    for w in &mut all.workers {
        if w.status == Some(Status::Vacant) {
            w.status = Some(Status::Active);
        }
    }
    let direct = allocate(&bytes_of(&all));
    let last = out.scenarios.last().unwrap();
    assert_eq!(last.row.filled, v, "cannot fill more posts than are vacant");
    assert_eq!(last.row.requested_fill, v + 2);
    let p = &last.result.1;
    assert_eq!(p.objective, direct.objective);
    assert_eq!(p.allocations, direct.allocations);
    assert_eq!(p.unallocated, direct.unallocated);
    assert_eq!(last.row.filled_posts.len(), v);
    assert!(last.row.choice_proven_best, "filling every post leaves no choice");
}

#[test]
fn unallocated_never_rises_and_objective_never_falls_as_posts_are_filled() {
    let file = short_staffed_model();
    let out = run(&bytes_of(&file), &plan(&format!("0..={}", vacancies(&file))));
    let rows: Vec<_> = out.scenarios.iter().map(|s| &s.row).collect();
    for pair in rows.windows(2) {
        assert!(pair[1].unallocated <= pair[0].unallocated, "{} -> {}", pair[0].name, pair[1].name);
        assert!(pair[1].objective >= pair[0].objective - 1e-6, "{} -> {}", pair[0].name, pair[1].name);
        // Nested choices: each set of posts contains the one before.
        assert_eq!(pair[1].filled_posts[..pair[0].filled], pair[0].filled_posts[..]);
    }
    assert!(rows.last().unwrap().unallocated < rows[0].unallocated, "filling posts should help this model");
    for r in &rows {
        assert!(r.upper_bound + 1e-6 >= r.objective);
    }
}

#[test]
fn filling_the_vacant_supervisor_first_frees_its_assistant() {
    // N01 is a vacant senior whose assistant N07 cannot hold cases without it: the greedy must
    // see that one post is worth two workers' caseloads.
    let file = short_staffed_model();
    let out = run(&bytes_of(&file), &plan("1"));
    let row = &out.scenarios[1].row;
    // Whatever comes first, its gain must be the largest single-post gain.
    let base = out.scenarios[0].row.objective;
    let vacant: Vec<String> =
        file.workers.iter().filter(|w| w.status == Some(Status::Vacant)).map(|w| w.id.clone()).collect();
    let mut best = f64::MIN;
    for id in &vacant {
        let mut f = file.clone();
        f.workers.iter_mut().filter(|w| w.id == *id).for_each(|w| w.status = Some(Status::Active));
        best = best.max(allocate(&bytes_of(&f)).objective - base);
    }
    assert!(
        (row.objective - base - best).abs() < 1e-6,
        "first post gains {}, best single {best}",
        row.objective - base
    );
}

#[test]
fn every_scenario_proposal_passes_check_against_its_own_model() {
    let file = short_staffed_model();
    let p = Plan {
        fill: vec![0, 2, 4],
        caps: vec![(Role::SocialWorker, vec![12.0, 25.0])],
        targets: vec![(Role::SocialWorker, vec![10.0])],
        hires: vec![(Role::SocialWorkAssistant, "West".into(), 1), (Role::SocialWorker, "North".into(), 2)],
        absent: vec!["E02".into()],
        demand: vec![1.0, 1.5],
    };
    let out = run(&bytes_of(&file), &p);
    // base + 2 demand x 2 caps x 1 target x 3 fills.
    assert_eq!(out.scenarios.len(), 1 + 2 * 2 * 3);
    for s in &out.scenarios {
        let (model_file, proposal) = &*s.result;
        let bytes = if s.row.index == 0 { bytes_of(&file) } else { to_json(model_file) };
        let m = caseload::load_model_bytes("scenario.json", &bytes).unwrap();
        assert_eq!(proposal.summary.model_hash, m.hash, "{}", s.row.name);
        let parsed = parse_proposal("p", &to_json(proposal)).unwrap();
        let breaches = check_proposal(&m, &parsed);
        assert!(breaches.is_empty(), "{}: {breaches:?}", s.row.name);
        // And each scenario is what `allocate` makes of its model.
        assert_eq!(proposal.objective, allocate(&bytes).objective, "{}", s.row.name);
    }
    let absent = &out.scenarios[1].row;
    assert_eq!(absent.absent, vec!["E02".to_string()]);
    assert_eq!(absent.pins_dropped.len(), 1, "the pin to E02 must be dropped and reported");
    assert_eq!(
        absent.hired,
        ["HIRE-social_work_assistant-West-1", "HIRE-social_worker-North-1", "HIRE-social_worker-North-2"]
    );
}

#[test]
fn demand_scales_each_team_and_type_and_removes_highest_ids_first() {
    let file = short_staffed_model();
    let count = |f: &ModelFile, team: &str, t: CaseType| {
        f.cases.iter().filter(|c| c.team == team && c.case_type == t).count()
    };
    let mut up = file.clone();
    whatif::build::scale_demand(&mut up, 2.0).unwrap();
    let mut down = file.clone();
    whatif::build::scale_demand(&mut down, 0.5).unwrap();
    for team in ["East", "North", "West"] {
        for t in CaseType::ALL {
            let n = count(&file, team, t);
            assert_eq!(count(&up, team, t), 2 * n);
            assert_eq!(count(&down, team, t), (n as f64 * 0.5).round() as usize);
        }
    }
    assert!(up.cases.iter().any(|c| c.id == "DEMAND-000001"));
    // Halving keeps the lowest ids of each team and type.
    let kept: std::collections::BTreeSet<&str> = down.cases.iter().map(|c| c.id.as_str()).collect();
    for team in ["East", "North", "West"] {
        for t in CaseType::ALL {
            let mut ids: Vec<&str> = file
                .cases
                .iter()
                .filter(|c| c.team == team && c.case_type == t)
                .map(|c| c.id.as_str())
                .collect();
            ids.sort();
            let keep = (ids.len() as f64 * 0.5).round() as usize;
            assert!(ids[..keep].iter().all(|id| kept.contains(id)));
            assert!(ids[keep..].iter().all(|id| !kept.contains(id)));
        }
    }
}

#[test]
fn marginal_value_of_the_top_team_and_role_matches_allocate_with_one_more_worker() {
    let file = short_staffed_model();
    let bytes = bytes_of(&file);
    let out = whatif::evaluate(
        "model.json",
        &bytes,
        &plan("0"),
        &whatif::Options { marginal: true, ..Default::default() },
        &|_| {},
        &|| {},
    )
    .unwrap();
    let m = out.marginal.unwrap();
    assert_eq!(m.len(), 3 * 7);
    for pair in m.windows(2) {
        assert!(pair[0].objective >= pair[1].objective);
    }
    let top = &m[0];
    let mut f = file.clone();
    let mut w = worker("EXTRA", top.role, &top.team);
    w.supervisor = top.supervisor.clone();
    f.workers.push(w);
    let before = allocate(&bytes);
    let after = allocate(&bytes_of(&f));
    assert!((after.objective - before.objective - top.objective).abs() < 1e-6);
    assert_eq!(before.summary.cases.unallocated as i64 - after.summary.cases.unallocated as i64, top.cases);
}

fn cli(args: &[&str], threads: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap()
}

#[test]
fn results_are_identical_with_one_thread_and_two() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, bytes_of(&short_staffed_model())).unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let json = dir.path().join(format!("out{threads}.json"));
        let props = dir.path().join(format!("p{threads}"));
        std::fs::create_dir(&props).unwrap();
        let o = cli(
            &[
                "whatif",
                model.to_str().unwrap(),
                "--fill-vacancies",
                "0..=4",
                "--cap",
                "social_worker=15,20",
                "--marginal",
                "--json",
                json.to_str().unwrap(),
                "--proposals",
                props.to_str().unwrap(),
            ],
            threads,
        );
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&props)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect();
        files.sort();
        let text = String::from_utf8(std::fs::read(&json).unwrap())
            .unwrap()
            .replace(props.to_str().unwrap(), "PROPS");
        outputs.push((o.stdout, text, files));
    }
    assert!(!outputs[0].2.is_empty());
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, bytes_of(&short_staffed_model())).unwrap();
    let m = model.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (&["--cap", "wizard=3"], "unknown role"),
        (&["--target", "social_worker=x"], "not a number"),
        (&["--absent", "E02,NOBODY"], "no worker \"NOBODY\""),
        (&["--absent", "N06"], "vacant post"),
        (&["--fill-vacancies", "5..2"], "empty"),
        (&["--fill-vacancies", "ten"], "not a whole number"),
        (&["--hire", "social_worker:Atlantis:2"], "no team \"Atlantis\""),
        (&["--demand", "-1"], "above 0"),
    ];
    for (flags, message) in cases {
        let mut args = vec!["whatif", m];
        args.extend_from_slice(flags);
        let o = cli(&args, "1");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(message), "{flags:?}: {err}");
        assert!(!err.contains("panicked"), "{flags:?}: {err}");
    }
}

#[test]
fn writes_csv_json_and_a_checkable_model_and_proposal_per_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, bytes_of(&short_staffed_model())).unwrap();
    let (json, csv) = (dir.path().join("w.json"), dir.path().join("w.csv"));
    let props = dir.path().join("props");
    std::fs::create_dir(&props).unwrap();
    let o = cli(
        &[
            "whatif",
            model.to_str().unwrap(),
            "--fill-vacancies",
            "0,2",
            "--absent",
            "E02",
            "--target",
            "social_worker=3.5",
            "--json",
            json.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--proposals",
            props.to_str().unwrap(),
        ],
        "2",
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 3);
    assert_eq!(scenarios[0]["name"], "base");
    assert!(scenarios[2]["unallocated_by_type"]["looked_after"].is_u64());
    assert_eq!(scenarios[2]["filled_posts"].as_array().unwrap().len(), 2);
    let lines = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(lines.lines().count(), 4);
    // Every written scenario checks clean with the `check` command.
    for s in &scenarios[1..] {
        let proposal = s["proposal_file"].as_str().unwrap();
        let model_file = proposal.replace(".proposal.json", ".model.json");
        let c = cli(&["check", &model_file, proposal], "1");
        assert_eq!(c.status.code(), Some(0), "{}", String::from_utf8_lossy(&c.stdout));
    }
}

/// The scenarios' files are outputs like the others: when one output cannot be written
/// (`/dev/full` refuses its bytes), none is, and no scenario file is left behind.
#[test]
fn scenario_files_are_written_all_or_nothing_with_the_other_outputs() {
    let full = std::path::Path::new("/dev/full");
    use std::os::unix::fs::FileTypeExt;
    if !std::fs::symlink_metadata(full).map(|m| m.file_type().is_char_device()).unwrap_or(false) {
        eprintln!("SKIPPED: no /dev/full here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, bytes_of(&short_staffed_model())).unwrap();
    let csv = dir.path().join("w.csv");
    for failing in ["--json", "--csv", "--report"] {
        let props = dir.path().join(format!("props{failing}"));
        let mut args = vec!["whatif", model.to_str().unwrap(), "--fill-vacancies", "0..=1"];
        args.extend(["--proposals", props.to_str().unwrap(), failing, "/dev/full"]);
        if failing != "--csv" {
            args.extend(["--csv", csv.to_str().unwrap()]);
        }
        let o = cli(&args, "1");
        assert_eq!(o.status.code(), Some(4), "{failing}: {}", String::from_utf8_lossy(&o.stderr));
        let left: Vec<_> = std::fs::read_dir(&props)
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{failing}: {left:?} written");
        assert!(!csv.exists(), "{failing}: the csv written");
    }
}

#[test]
fn the_bound_used_to_skip_solves_is_never_below_the_optimum() {
    let file = short_staffed_model();
    for ctx in [whatif::build::identity(&file)] {
        let mut all = ctx.clone();
        for w in &mut all.file.workers {
            w.status = Some(Status::Active);
        }
        for c in [&ctx, &all] {
            let engine = whatif::fill::Engine::new(c, Default::default());
            for p in 0..engine.pieces.len() {
                let key = (p, Vec::new());
                let exact = engine.get(&key).unwrap().objective;
                let ideal = engine.ideal(&key).unwrap().value;
                assert!(ideal + 1e-6 >= exact, "ideal {ideal} < optimum {exact}");
            }
        }
    }
}

#[test]
fn a_sibling_group_across_teams_and_cross_team_policy_agree_with_allocate() {
    let mut file = short_staffed_model();
    // A sibling group with one child in East and one in West: never placeable without
    // cross-team allocation, placeable with it.
    let east = file.cases.iter().position(|c| c.team == "East" && c.group.is_none()).unwrap();
    let west = file.cases.iter().position(|c| c.team == "West" && c.group.is_none()).unwrap();
    for i in [east, west] {
        file.cases[i].group = Some("across".into());
        file.cases[i].pinned = None;
        file.cases[i].case_type = CaseType::LookedAfter;
        file.cases[i].needs.clear();
    }
    let mut cross = file.clone();
    cross.policy = Some(caseload::model::PolicyInput { cross_team: Some(true), ..Default::default() });
    for f in [file, cross] {
        let bytes = bytes_of(&f);
        let v = vacancies(&f);
        let out = run(&bytes, &plan(&format!("0..={v}")));
        assert_eq!(to_json(&out.scenarios[0].result.1), to_json(&allocate(&bytes)));
        let mut all = f.clone();
        for w in &mut all.workers {
            if w.status == Some(Status::Vacant) {
                w.status = Some(Status::Active);
            }
        }
        let last = &out.scenarios.last().unwrap().result.1;
        let direct = allocate(&bytes_of(&all));
        assert_eq!((last.objective, &last.allocations), (direct.objective, &direct.allocations));
    }
}

#[test]
fn a_hired_assistant_gets_a_qualified_supervisor_of_its_team() {
    let mut file = short_staffed_model();
    whatif::build::hire(&mut file, &[(Role::SocialWorkAssistant, "East".into(), 2)]).unwrap();
    let hired: Vec<&WorkerInput> = file.workers.iter().filter(|w| w.id.starts_with("HIRE-")).collect();
    assert_eq!(hired.len(), 2);
    for h in hired {
        let s = file.workers.iter().find(|w| Some(&w.id) == h.supervisor.as_ref()).expect("a supervisor");
        assert_eq!(s.team, "East");
        assert!(matches!(s.role, Role::SeniorSocialWorker | Role::SocialWorker | Role::TeamManager));
        assert_eq!(s.status, None);
    }
}

#[test]
fn whatif_reads_spreadsheets_and_gives_the_same_scenarios_as_the_converted_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/sheets");
    let (w, c, p) = (root.join("workers.csv"), root.join("cases.csv"), root.join("policy.json"));
    let model = dir.path().join("model.json");
    let bin = env!("CARGO_BIN_EXE_caseload");
    let s = |p: &std::path::Path| p.to_str().unwrap_or_default().to_string();
    let o = Command::new(bin)
        .args(["convert", "--workers", &s(&w), "--cases", &s(&c), "--policy", &s(&p), "-o", &s(&model), "-q"])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sweep = ["--fill-vacancies", "0..=1", "--cap", "social_worker=6,9", "-q"];
    let (from_csv, from_json) = (dir.path().join("csv.json"), dir.path().join("json.json"));
    let o = Command::new(bin)
        .args(["whatif", "--workers", &s(&w), "--cases", &s(&c), "--policy", &s(&p), "--json", &s(&from_csv)])
        .args(sweep)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(bin)
        .args(["whatif", &s(&model), "--json", &s(&from_json)])
        .args(sweep)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |f: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(f).expect("written")).expect("json")
    };
    let (a, b) = (read(&from_csv), read(&from_json));
    assert_eq!(a["scenarios"].as_array().map(Vec::len), Some(5), "the base, then 2 caps x 2 fills: {a}");
    assert_eq!(a["scenarios"], b["scenarios"]);
    assert_eq!(a["model_hash"], b["model_hash"], "the spreadsheets hash as their canonical model");
    // A spreadsheet mistake names the file and row, as allocate's do.
    let bad = dir.path().join("cases.csv");
    std::fs::write(&bad, "id,type,team,current_worker\nC1,looked_after,North,W99\n").expect("write");
    let o =
        Command::new(bin).args(["whatif", "--workers", &s(&w), "--cases", &s(&bad)]).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cases.csv") && err.contains("row 2"), "{err}");
}

#[test]
fn whatif_report_draws_unallocated_children_against_posts_filled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/birmingham_2014.json");
    let (html, json) = (dir.path().join("r.html"), dir.path().join("w.json"));
    let o = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["whatif", model.to_str().unwrap_or_default(), "--fill-vacancies", "0..=3", "-q"])
        .args(["--report", html.to_str().unwrap_or_default(), "--json", json.to_str().unwrap_or_default()])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&html).expect("report written");
    let w: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("json");
    assert!(page.contains("What if we fill vacant posts?"));
    assert!(page.contains("<svg"), "the curve is an inline chart");
    // The curve's table carries every scenario's count of children without a worker.
    let curve = &page[page.find("What if we fill vacant posts?").unwrap_or(0)..];
    for sc in w["scenarios"].as_array().into_iter().flatten().skip(1) {
        let n = sc["unallocated"].as_u64().expect("count").to_string();
        assert!(curve.contains(&n), "{} missing from the curve", n);
    }
    // And the rest is the base model's report: its unallocated count in the headline.
    let base = w["scenarios"][0]["unallocated"].as_u64().expect("count").to_string();
    assert!(page.contains(&base));
}

/// With a fairness penalty a filled post that stays empty is charged for being below its
/// target, so filling a post can lower the optimum. The greedy assumed it never did: it took
/// a post nobody could give work to (charged less than nothing, it thought) over one that
/// raised the objective, and its "proven" upper bound fell below the best choice. On small
/// random models with a fairness penalty, every choice of posts is tried: the first post
/// filled is the best single post, and each scenario's upper bound is at least the best choice
/// of as many posts.
#[test]
fn with_a_fairness_penalty_the_fill_bound_holds_against_every_choice_of_posts() {
    let mut rng = Lcg(29);
    let roles =
        [Role::SocialWorker, Role::SeniorSocialWorker, Role::PersonalAdviser, Role::SocialWorkAssistant];
    let types =
        [CaseType::ChildInNeed, CaseType::ChildProtection, CaseType::LookedAfter, CaseType::CareLeaver];
    let mut checked = 0;
    for model in 0..40 {
        let teams = ["North", "South"];
        let mut workers = Vec::new();
        for i in 0..(2 + rng.below(2) as usize) {
            let mut w = worker(&format!("A{i}"), Role::SocialWorker, teams[i % 2]);
            w.cap = Some((2 + rng.below(4)) as f64);
            workers.push(w);
        }
        let vacant = 2 + rng.below(2) as usize;
        for i in 0..vacant {
            let mut w = worker(&format!("V{i}"), roles[rng.below(3) as usize], teams[rng.below(2) as usize]);
            w.status = Some(Status::Vacant);
            match rng.below(3) {
                0 => w.cap = Some(1.0),
                1 => w.target = Some((1 + rng.below(8)) as f64),
                _ => {}
            }
            workers.push(w);
        }
        let cases: Vec<CaseInput> = (0..(2 + rng.below(6)))
            .map(|n| {
                let mut c =
                    case(&format!("C{n}"), types[rng.below(4) as usize], teams[rng.below(2) as usize]);
                c.weight = Some([0.5, 1.0, 1.5, 2.0][rng.below(4) as usize]);
                c
            })
            .collect();
        let policy = caseload::model::PolicyInput {
            fairness_penalty: Some([2.0, 10.0, 30.0][rng.below(3) as usize]),
            cross_team: Some(rng.below(2) == 0),
            ..Default::default()
        };
        let file = ModelFile { version: 1, policy: Some(policy), workers, cases };
        let out = run(&bytes_of(&file), &plan(&format!("0..={vacant}")));
        // The best objective of every choice of `n` posts, each allocated on its own.
        let posts: Vec<usize> =
            (0..file.workers.len()).filter(|&w| file.workers[w].status.is_some()).collect();
        let mut best = vec![f64::NEG_INFINITY; vacant + 1];
        for set in 0..(1u32 << vacant) {
            let mut filled = file.clone();
            for (b, &w) in posts.iter().enumerate() {
                if set & (1 << b) != 0 {
                    filled.workers[w].status = Some(Status::Active);
                }
            }
            let p = allocate(&bytes_of(&filled));
            assert!(p.optimal, "model {model}");
            let n = set.count_ones() as usize;
            best[n] = best[n].max(p.objective);
        }
        for s in &out.scenarios {
            let r = &s.row;
            let n = r.filled;
            assert!(
                r.upper_bound + 1e-6 >= best[n],
                "model {model}, {}: bound {} < {}",
                r.name,
                r.upper_bound,
                best[n]
            );
            assert!(r.objective <= best[n] + 1e-6, "model {model}, {}", r.name);
            if n == 1 {
                assert!(
                    (r.objective - best[1]).abs() <= 1e-6,
                    "model {model}: {} is not the best post ({})",
                    r.objective,
                    best[1]
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 100, "{checked}");
}
