//! Bounds on what a flag, a variable or a file can ask for: each refused before the memory or
//! time it would take is spent, with a message naming the flag or the place.

use crate::common::{bin, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn small_team() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/small_team.json")
}

fn caseload(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.current_dir(dir).args(args).stdin(Stdio::null()).env_remove("RAYON_NUM_THREADS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn more_threads_than_the_limit_are_refused_by_flag_or_variable_before_any_is_started() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(small_team(), d.join("m.json")).unwrap();
    let o = caseload(d, &["--threads", "257", "allocate", "m.json", "-o", "p.json", "-q"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--threads 257") && text(&o).contains("at most 256"), "{}", text(&o));
    let o = caseload(d, &["allocate", "m.json", "-o", "p.json", "-q"], &[("RAYON_NUM_THREADS", "300")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("RAYON_NUM_THREADS=300"), "{}", text(&o));
    assert!(!d.join("p.json").exists());
    // The flag wins over the variable, as documented; the limit itself is allowed.
    let o = caseload(
        d,
        &["--threads", "2", "allocate", "m.json", "-o", "p.json", "-q"],
        &[("RAYON_NUM_THREADS", "100000")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = caseload(d, &["--threads", "256", "allocate", "m.json", "-o", "p.json", "-q"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
