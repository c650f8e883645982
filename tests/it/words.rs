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
    assert!(out.contains("worker over the council's cap (SPEC rule 7):"), "{out}");
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
    // A number in exponent form (`1e3`, as a script may print one) is seconds too.
    for t in ["10", "10s", "2m", "0.5h", "1500ms", "1e3", "1E2s", "2.5e-1m"] {
        let o = run(dir.path(), &["allocate", &m, "-o", "p.json", "-q", "--time-limit", t]);
        assert_eq!(code(&o), 0, "{t}: {}", stderr(&o));
    }
    for t in ["ten", "inf", "NaN", "-1e3", "1e400", "1e3 fortnights"] {
        let o = run(dir.path(), &["allocate", &m, "-o", "p.json", &format!("--time-limit={t}")]);
        assert_eq!(code(&o), 2, "{t}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("\"{t}\" is not a duration")) && err.contains("10s") && err.contains("2m"),
            "{err}"
        );
        assert!(!err.contains("invalid float literal"), "{err}");
    }
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

#[test]
fn counts_agree_with_their_nouns_and_verbs() {
    use caseload::words::{and_list, count, ids, noun, verb};
    for (n, words) in [(0, "0 cases"), (1, "1 case"), (2, "2 cases"), (1_000, "1000 cases")] {
        assert_eq!(count(n, "case", "cases"), words);
    }
    assert_eq!(count(1, "child", "children"), "1 child");
    assert_eq!(count(3, "child", "children"), "3 children");
    assert_eq!(noun(1, "breach", "breaches"), "breach");
    assert_eq!(noun(0, "breach", "breaches"), "breaches");
    assert_eq!(
        (verb(1, "has", "have"), verb(2, "has", "have"), verb(0, "has", "have")),
        ("has", "have", "have")
    );
    assert_eq!(and_list::<&str>(&[]), "");
    assert_eq!(and_list(&["W01"]), "W01");
    assert_eq!(and_list(&["W01", "W02"]), "W01 and W02");
    assert_eq!(and_list(&["W01", "W02", "W03"]), "W01, W02 and W03");
    assert_eq!(ids(&["A", "B", "C", "D", "E", "F", "G"]), "A, B, C, D, E and 2 more");
}

/// Every text a person reads from one run: standard output and error, and each text file the
/// run wrote under `dir` (workbooks, which are zipped, aside).
fn texts(dir: &std::path::Path, o: &std::process::Output, into: &mut Vec<(String, String)>, what: &str) {
    into.push((format!("{what}: stdout"), stdout(o)));
    into.push((format!("{what}: stderr"), stderr(o)));
    fn walk(d: &std::path::Path, into: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, into);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                into.push((p.display().to_string(), text));
            }
        }
    }
    walk(dir, into);
}

/// Words that no output may hold: a plural left to the reader, the shouting of a council's cap
/// as law, and a count of one with a plural noun or verb.
fn wrong_words(text: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    for bad in ["(s)", "UNLAWFUL", "Unlawful", "unlawful,"] {
        if text.contains(bad) {
            wrong.push(bad.to_string());
        }
    }
    for noun in
        ["cases", "children", "workers", "posts", "scenarios", "rules", "breaches", "skills", "statements"]
    {
        for before in [" ", ">", "\n", "(", "\""] {
            let bad = format!("{before}1 {noun}");
            if text.contains(&bad) {
                wrong.push(bad.trim_start().to_string());
            }
        }
    }
    // "W05 have no room": one id with a plural verb.
    for line in text.lines() {
        if let Some((head, _)) = line.split_once(" have no room") {
            let subject = head.rsplit(": ").next().unwrap_or(head);
            if !subject.contains(',') && !subject.contains(" and ") && !subject.contains("cases") {
                wrong.push(format!("{subject} have no room"));
            }
        }
    }
    wrong
}

#[test]
fn no_output_of_the_shipped_models_leaves_a_plural_to_the_reader() {
    let mut all: Vec<(String, String)> = Vec::new();
    for name in ["fair_team", "small_team", "reductions_demo", "report_demo"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let m = root().join(format!("models/{name}.json")).display().to_string();
        let o = run(d, &["allocate", &m, "-o", "p.json", "--csv", "csv", "--report", "r.html"]);
        assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
        texts(d, &o, &mut all, &format!("{name} allocate"));
        let o = run(d, &["check", &m, "p.json"]);
        all.push((format!("{name} check"), stdout(&o) + &stderr(&o)));
        let o = run(d, &["check", &m]);
        all.push((format!("{name} check today"), stdout(&o) + &stderr(&o)));
        let o = run(d, &["check", &m, "p.json", "--date", "2027-01-10"]);
        all.push((format!("{name} check later"), stdout(&o) + &stderr(&o)));
        let wdir = tempfile::tempdir().unwrap();
        let o = run(
            wdir.path(),
            &[
                "whatif",
                &m,
                "--fill-vacancies",
                "0..=2",
                "--cap",
                "social_worker=4,18",
                "--json",
                "w.json",
                "--csv",
                "w.csv",
                "--report",
                "w.html",
            ],
        );
        assert!(matches!(code(&o), 0 | 3), "{name}: {}", stderr(&o));
        texts(wdir.path(), &o, &mut all, &format!("{name} whatif"));
    }
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    let edited = root().join("models/proposals/small_team.edited.json").display().to_string();
    let o = run(dir.path(), &["allocate", &m, "-o", "p.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(dir.path(), &["compare", &m, "p.json", &edited]);
    let out = stdout(&o);
    assert!(out.contains("1 rule broken;"), "{out}");
    assert!(out.contains("above the council's cap of 2"), "{out}");
    all.push(("compare".into(), out + &stderr(&o)));
    let problems: Vec<String> = all
        .iter()
        .flat_map(|(what, text)| wrong_words(text).into_iter().map(move |w| format!("{what}: {w:?}")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn one_of_a_thing_is_said_in_the_singular() {
    // One worker over its cap, one child without a worker while one worker is full, one
    // case in a team with no active worker: each said of one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.json"),
        r#"{"version": 1, "policy": {"caps": {"social_worker": 1}},
            "workers": [{"id": "W1", "role": "social_worker", "team": "North"},
                        {"id": "W2", "role": "social_worker", "team": "South"}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "North", "current_worker": "W1"},
                      {"id": "C2", "type": "looked_after", "team": "North", "current_worker": "W1"},
                      {"id": "C3", "type": "child_in_need", "team": "West"}]}"#,
    )
    .unwrap();
    let o = run(dir.path(), &["check", "m.json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("W1 carries 2, above the council's cap of 1 for this social worker"), "{out}");
    assert!(out.contains("worker over the council's cap (SPEC rule 7)"), "{out}");
    assert!(out.ends_with("1 breach\n"), "{out}");
    let o = run(dir.path(), &["allocate", "m.json", "-o", "p.json", "-q", "--report", "r.html"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("team \"West\" has 1 case (\"C3\") but no active worker"), "{err}");
    assert!(err.contains("team \"South\" has active worker \"W2\" but no cases"), "{err}");
    let p = std::fs::read_to_string(dir.path().join("p.json")).unwrap();
    assert!(p.contains("W1 has no room for 1 more."), "{p}");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    for text in [&err, &p, &html] {
        assert!(wrong_words(text).is_empty(), "{:?}", wrong_words(text));
    }
}

#[test]
fn every_kind_of_scenario_is_named_in_words() {
    use caseload::model::Role;
    use caseload::whatif::plan::{fill_words, scenario_words, settings_words};
    use std::collections::BTreeMap;
    let none = BTreeMap::new();
    let sw = BTreeMap::from([(Role::SocialWorker, 18.0)]);
    let one = BTreeMap::from([(Role::SocialWorker, 1.0)]);
    assert_eq!(settings_words(1.0, &sw, &none, &[], &[]), "cap of 18 cases per social worker");
    assert_eq!(settings_words(1.0, &one, &none, &[], &[]), "cap of 1 case per social worker");
    assert_eq!(settings_words(1.0, &none, &sw, &[], &[]), "target of 18 cases per social worker");
    assert_eq!(settings_words(1.5, &none, &none, &[], &[]), "1.5 times the demand");
    let hires =
        [(Role::SocialWorker, "North".to_string(), 2), (Role::PersonalAdviser, "West".to_string(), 1)];
    assert_eq!(
        settings_words(1.0, &none, &none, &hires, &[]),
        "2 social workers hired in North; 1 personal adviser hired in West"
    );
    assert_eq!(settings_words(1.0, &none, &none, &[], &["W07".into(), "W08".into()]), "W07 and W08 absent");
    assert_eq!(settings_words(1.0, &none, &none, &[], &[]), "");
    assert_eq!(fill_words(3, &["North", "South", "West"]), "3 posts filled: North, South, West");
    assert_eq!(fill_words(1, &["North"]), "1 post filled: North");
    assert_eq!(fill_words(3, &["North", "South", "North"]), "3 posts filled: North (2), South");
    assert_eq!(fill_words(5, &["North", "South"]), "2 posts filled (5 asked): North, South");
    assert_eq!(fill_words(0, &[]), "no posts filled");
    assert_eq!(
        fill_words(6, &["A", "B", "C", "D", "E", "F"]),
        "6 posts filled: A, B, C, D, E and 1 more team"
    );
    assert_eq!(scenario_words("", None), "the model as given");
    assert_eq!(
        scenario_words("cap of 18 cases per social worker", Some(fill_words(1, &["North"]))),
        "cap of 18 cases per social worker; 1 post filled: North"
    );

    // And in every output of a run: the table, the JSON and CSV beside their keys, the report.
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/small_team.json").display().to_string();
    let o = run(
        dir.path(),
        &[
            "whatif",
            &m,
            "--fill-vacancies",
            "0,1",
            "--cap",
            "social_worker=18",
            "--demand",
            "1.5",
            "--json",
            "w.json",
            "--csv",
            "w.csv",
            "--report",
            "w.html",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = stdout(&o);
    let w: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("w.json")).unwrap()).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("w.csv")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("w.html")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    // `words` after the columns older readers know; only `gap` and `proof` came after it.
    assert_eq!(header[header.len() - 3..], ["words", "gap", "proof"], "{csv}");
    let scenarios = w["scenarios"].as_array().unwrap();
    assert_eq!(scenarios[0]["words"], "the model as given");
    assert!(table.contains("the model as given"), "{table}");
    for s in scenarios {
        let (name, words) = (s["name"].as_str().unwrap(), s["words"].as_str().unwrap());
        if name.contains("cap.social_worker=18") {
            assert!(words.contains("cap of 18 cases per social worker"), "{name}: {words}");
            assert!(words.contains("1.5 times the demand"), "{name}: {words}");
        }
        if name.contains("fill=0") {
            assert!(words.ends_with("no posts filled"), "{name}: {words}");
        }
        if name.contains("fill=1") {
            let team = s["filled_posts"].as_array().unwrap().len();
            assert_eq!(team, 1);
            assert!(words.contains("1 post filled: "), "{name}: {words}");
        }
        assert!(table.contains(words), "{words} not in\n{table}");
        assert!(html.contains(words), "{words} not in the report");
        assert!(csv.contains(words), "{words} not in\n{csv}");
        assert!(!table.contains(&format!("\n{name} ")), "{name} as the key in\n{table}");
    }
}

#[test]
fn a_number_given_is_shown_compactly_and_reads_back_the_same() {
    use caseload::words::given;
    assert_eq!(given(1e308), "1e308");
    assert_eq!(given(-1.5e300), "-1.5e300");
    assert_eq!(given(1e-320), "1e-320");
    for (x, shown) in [(-3.0, "-3"), (1.5, "1.5"), (0.0, "0"), (1e9, "1000000000"), (0.1, "0.1")] {
        assert_eq!(given(x), shown);
    }
    for x in [1e308, 123456789012345680000.0, 3.3e-7, -0.25, 20.0, f64::MIN_POSITIVE] {
        assert_eq!(given(x).parse::<f64>().unwrap(), x, "{}", given(x));
        assert!(given(x).len() <= 24, "{}", given(x));
    }
}
