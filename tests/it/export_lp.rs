//! `allocate --export-lp DIR` writes each independent part's compact programme and the constant
//! that joins them, for benches/side_by_side.py.

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
}
