//! The example models in `models/` that `caseload generate` produced are reproducible: the
//! documented command, run as a user runs it, gives the same bytes, and each model validates and
//! allocates.

use crate::common;

use common::{assignment_of, TModel};
use std::path::Path;
use std::process::Command;

/// The exact commands of the reference's section on the Birmingham models (`docs/reference.md`;
/// the `-o` path is where the file lives).
const GENERATED: [&str; 2] = [
    "caseload generate --cases 7138 --workers 375 --teams 24 --seed 2010 --vacant-share 0.16 \
     --mix child_in_need=3639 --mix looked_after=1999 --mix child_protection=900 --mix care_leaver=600 \
     --cap social_worker=40 --cap senior_social_worker=40 --cap newly_qualified_social_worker=30 \
     --target social_worker=18 --target senior_social_worker=15 --target newly_qualified_social_worker=16 \
     -o models/birmingham_2010.json",
    "caseload generate --cases 5000 --workers 382 --teams 26 --seed 2014 --vacant-share 0.1178 \
     -o models/birmingham_2014.json",
];

#[test]
fn birmingham_models_are_exactly_what_their_documented_command_generates() {
    let reference =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference.md")).unwrap();
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let reference = squash(&reference.replace('\\', " "));
    let dir = tempfile::tempdir().unwrap();
    for cmd in GENERATED {
        assert!(reference.contains(&squash(cmd)), "docs/reference.md no longer documents `{cmd}`");
        let mut args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
        let o = args.iter().position(|a| *a == "-o").expect("the command names its output");
        let documented = args[o + 1];
        let fresh_path = dir.path().join("fresh.json");
        let fresh_arg = fresh_path.display().to_string();
        args[o + 1] = &fresh_arg;
        let out = Command::new(env!("CARGO_BIN_EXE_caseload")).args(&args).output().unwrap();
        assert!(out.status.success(), "`{cmd}`: {}", String::from_utf8_lossy(&out.stderr));
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(documented);
        let on_disk = std::fs::read(&path).expect("the model file exists");
        let fresh = std::fs::read(&fresh_path).unwrap();
        assert!(fresh == on_disk, "{} differs from what `{cmd}` generates; regenerate it", path.display());
        let model = caseload::load_model_bytes(&path.display().to_string(), &on_disk).expect("validates");
        let proposal = caseload::allocate(&model, caseload::solve::Limits::default()).expect("allocates");
        assert_eq!(proposal.allocations.len() + proposal.unallocated.len(), model.cases.len());
        // Every reason of every unallocated case is exactly what the oracle finds true.
        let tm = TModel::from_json(&serde_json::from_slice(&on_disk).unwrap());
        let p: serde_json::Value = serde_json::from_slice(&caseload::write::to_json(&proposal)).unwrap();
        let a = assignment_of(&tm, &p);
        let (load, over) = tm.loads(&a);
        assert!(!proposal.unallocated.is_empty(), "{}: the oracle has nothing to judge", path.display());
        for u in &proposal.unallocated {
            let given: Vec<String> = u.reasons.iter().map(|r| r.code.name().to_string()).collect();
            let truth = tm.true_reasons(&a, &load, &over, tm.case_index(&u.case));
            assert_eq!(given, truth, "{}: reasons of {}", path.display(), u.case);
        }
    }
}
