//! Words, not numbers: breaches named in words with the SPEC rule, plain messages for an empty
//! file and for durations, figures as a person writes them, Unicode shown as text.

use crate::sheets_common as common;

use common::{code, root, run, stderr};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_names_breaches_in_words_with_the_rule_in_brackets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.json"),
        r#"{"version": 1, "policy": {"caps": {"social_worker": 1}},
            "workers": [{"id": "W1", "role": "social_worker", "team": "N", "skills": ["bsl"]},
                        {"id": "W2", "role": "social_worker", "team": "N", "status": "absent"}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "N", "current_worker": "W1", "needs": ["urdu"]},
                      {"id": "C2", "type": "looked_after", "team": "N", "current_worker": "W1"},
                      {"id": "C3", "type": "looked_after", "team": "N", "current_worker": "W2"}]}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["check", "m.json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("worker lacks a needed skill (SPEC rule 4):"), "{out}");
    assert!(out.contains("worker over cap (SPEC rule 7):"), "{out}");
    assert!(out.contains("worker not active (vacant or absent) (SPEC rule 1):"), "{out}");
    assert!(!out.contains("rule4:") && !out.contains("rule7:"), "{out}");
    // The JSON keeps the stable codes.
    let o = run(dir.path(), &["check", "m.json", "--json"]);
    assert!(stdout(&o).contains("\"rule4\""), "{}", stdout(&o));
}

#[test]
fn an_empty_model_file_gets_a_plain_message_not_the_parsers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.json"), "\n").unwrap();
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("m.json: line 1: the file is empty"), "{err}");
    assert!(!err.contains("EOF"), "{err}");
    let m = root().join("models/small_team.json").display().to_string();
    std::fs::write(dir.path().join("p.json"), "").unwrap();
    let o = run(dir.path(), &["check", &m, "p.json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("p.json: line 1: the file is empty"), "{}", stderr(&o));
}

#[test]
fn time_limits_take_seconds_and_minutes_and_say_plainly_what_they_want() {
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    for t in ["10", "10s", "2m", "0.5h", "1500ms"] {
        let o = run(dir.path(), &["allocate", &m, "-o", "p.json", "-q", "--time-limit", t]);
        assert_eq!(code(&o), 0, "{t}: {}", stderr(&o));
    }
    let o = run(dir.path(), &["allocate", &m, "-o", "p.json", "--time-limit", "ten"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("\"ten\" is not a duration") && err.contains("10s") && err.contains("2m"), "{err}");
    assert!(!err.contains("invalid float literal"), "{err}");
    // The parser itself is unit-tested in the command layer (src/cli/mod.rs).
}

#[test]
fn the_summary_says_when_children_have_several_reasons_and_rounds_figures() {
    let dir = tempfile::tempdir().unwrap();
    // C1 needs a skill nobody has and is excluded from the one worker: two reasons.
    std::fs::write(
        dir.path().join("m.json"),
        r#"{"version": 1, "policy": {"caps": {"social_worker": 1}, "overload_penalty": 7},
            "workers": [{"id": "W1", "role": "social_worker", "team": "N", "target": 0.3333333333}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "N", "group": "g"},
                      {"id": "C2", "type": "looked_after", "team": "N", "group": "g"},
                      {"id": "C3", "type": "child_in_need", "team": "N", "priority": 3.14159}]}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("p.json")).unwrap()).unwrap();
    let reasons: usize =
        p["unallocated"].as_array().unwrap().iter().map(|u| u["reasons"].as_array().unwrap().len()).sum();
    let children = p["unallocated"].as_array().unwrap().len();
    if reasons > children {
        assert!(out.contains(&format!("add up to {reasons} for {children} children")), "{out}");
    } else {
        assert!(!out.contains("more than one reason"), "{out}");
    }
    // No figure with more than two decimals.
    for word in out.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';' || c == ',') {
        if let Some((_, frac)) = word.split_once('.') {
            if word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                assert!(frac.len() <= 2, "{word} in {out}");
            }
        }
    }
}

#[test]
fn the_reason_counts_explain_themselves_when_a_child_has_two_reasons() {
    // C3 cannot go to W1 (full with the looked-after child) nor to the assistants (their
    // supervisor's oversight is full): two capacity reasons for one child.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.json"),
        r#"{"version": 1, "policy": {"caps": {"social_worker": 1, "social_work_assistant": 1}},
            "workers": [{"id": "W1", "role": "social_worker", "team": "N", "oversight_cap": 1},
                        {"id": "W2", "role": "social_work_assistant", "team": "N", "supervisor": "W1"},
                        {"id": "W3", "role": "social_work_assistant", "team": "N", "supervisor": "W1"}],
            "cases": [{"id": "C1", "type": "child_in_need", "team": "N"},
                      {"id": "C2", "type": "looked_after", "team": "N"},
                      {"id": "C3", "type": "child_in_need", "team": "N"}]}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("at capacity 1, oversight at capacity 1"), "{out}");
    assert!(
        out.contains("some children have more than one reason, so the reasons add up to 2 for 1 child"),
        "{out}"
    );
}

#[test]
fn validation_messages_show_accented_ids_as_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.json"),
        "{\"version\": 1, \"workers\": [{\"id\": \"W1\", \"role\": \"social_worker\", \"team\": \"N\"}],
          \"cases\": [{\"id\": \"C1\", \"type\": \"looked_after\", \"team\": \"N\", \"current_worker\": \"Chloe\u{301}\"}]}",
    )
    .unwrap();
    let o = run(dir.path(), &["check", "m.json"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("no worker \"Chloe\u{301}\""), "{err}");
    assert!(!err.contains("\\u{301}"), "{err}");
}

#[test]
fn room_to_cap_is_left_blank_for_vacant_and_absent_posts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.json"),
        r#"{"version": 1,
            "workers": [{"id": "W1", "role": "social_worker", "team": "N"},
                        {"id": "W2", "role": "social_worker", "team": "N", "status": "vacant"},
                        {"id": "W3", "role": "social_worker", "team": "N", "status": "absent"}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "N"}]}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "--csv", "out", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.path().join("out/workers.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let col = rows[0].iter().position(|h| h.ends_with("room_to_cap")).unwrap();
    assert_eq!(rows[1][col], "17");
    assert_eq!(rows[2][col], "");
    assert_eq!(rows[3][col], "");
}

#[test]
fn spreadsheet_messages_show_accented_values_as_text() {
    let e = caseload::sheets::read::parse_sheets(
        ("workers.csv", "id,role,team,status\nW1,social_worker,N,absente\u{301}\n".as_bytes()),
        ("cases.csv", b"id,type,team\nC1,looked_after,N\n"),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown value \"absente\u{301}\""), "{e}");
    assert!(!e.contains("\\u{301}"), "{e}");
}

#[test]
fn the_summary_lines_up_long_team_names() {
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/report_demo.json").display().to_string();
    let o = run(dir.path(), &["allocate", &m, "-o", "p.json"]);
    let out = stdout(&o);
    let col = |line: &str| line.find(|c: char| c.is_ascii_digit()).unwrap();
    let team = out.lines().find(|l| l.contains("Ladywood and Perry Barr")).unwrap();
    let typ = out.lines().find(|l| l.trim_start().starts_with("looked_after")).unwrap();
    assert!(col(team) > "  Ladywood and Perry Barr".len(), "{out}");
    assert_eq!(team.len(), typ.len(), "{out}");
}
