//! `allocate --export-lp DIR` writes each independent part's compact programme and the constant
//! that joins them, for benches/side_by_side.py, each column named so that a reference solver's
//! cuts and answers can be read back (benches/dw_cuts.py).

use std::process::Command;

#[test]
fn export_lp_writes_every_part_and_the_constant_that_joins_them() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("lp");
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json");
    let out = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["allocate", model.to_str().unwrap(), "-q", "-o"])
        .arg(dir.path().join("p.json"))
        .arg("--export-lp")
        .arg(&lp)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let top: serde_json::Value =
        serde_json::from_slice(&std::fs::read(lp.join("parts.json")).unwrap()).unwrap();
    let n = top["parts"].as_u64().unwrap() as usize;
    assert!(n >= 1);
    assert!(top["constant"].is_number());
    let files = std::fs::read_dir(&lp)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("part-"));
    assert_eq!(files.count(), n);
    let part: serde_json::Value =
        serde_json::from_slice(&std::fs::read(lp.join("part-0000.json")).unwrap()).unwrap();
    assert!(!part["cols"].as_array().unwrap().is_empty());
    assert!(!part["rows"].as_array().unwrap().is_empty());

    // Every column is named once, and every worker a name gives is one of the part's.
    let workers = part["workers"].as_array().unwrap();
    assert!(!workers.is_empty());
    let names: Vec<&str> =
        part["cols"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "two columns share a name");
    let mut groups = 0;
    for name in &names {
        groups += usize::from(name.starts_with("Group {"));
        if let Some(at) = name.find(" w: ") {
            let w: usize = name[at + 4..].trim_end_matches(" }").parse().unwrap();
            assert!(w < workers.len(), "{name} names worker {w} of {}", workers.len());
        }
    }
    assert!(groups > 0, "the model's sibling groups have no named columns");
}
