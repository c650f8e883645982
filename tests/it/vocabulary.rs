//! Everyday words: every role and case type word of the table is read by the spreadsheets in
//! any case and spacing; a workbook written only in a team's own words gives the same optimum
//! as the model in canonical names; a council's aliases sheet adds its words; near misses are
//! suggested.

use crate::sheets_common as common;

use caseload::model::{CaseType, ModelFile, Role};
use caseload::sheets::read::{parse_sheets, parse_sheets_with};
use caseload::vocabulary::{ROLE_WORDS, TYPE_WORDS};
use common::{code, root, run, stderr};

/// The role a `workers.csv` with one worker of role `word` is read with.
fn role_read(word: &str) -> caseload::error::Result<Role> {
    let w = format!("id,role,team\nW1,\"{word}\",North\n");
    let s = parse_sheets(("workers.csv", w.as_bytes()), ("cases.csv", b"id,type,team\n"), None)?;
    Ok(s.model.workers[0].role)
}

/// The type a `cases.csv` with one case of type `word` is read with.
fn type_read(word: &str) -> caseload::error::Result<CaseType> {
    let c = format!("id,type,team\nC1,\"{word}\",North\n");
    let s = parse_sheets(("workers.csv", b"id,role,team\n"), ("cases.csv", c.as_bytes()), None)?;
    Ok(s.model.cases[0].case_type)
}

/// The spellings a word may come in: as written, upper case, lower case, with hyphens or
/// underscores for spaces, with stray spaces around.
fn spellings(word: &str) -> Vec<String> {
    vec![
        word.to_string(),
        word.to_uppercase(),
        word.to_lowercase(),
        word.replace(' ', "-"),
        word.replace(' ', "_"),
        format!("  {word} "),
    ]
}

/// One test per everyday word named in issue 21, each read from a spreadsheet cell, against
/// the meaning written here (not taken from the table, so a lost entry fails).
macro_rules! word_tests {
    ($($name:ident: $word:literal => $kind:ident $meaning:literal;)*) => {$(
        #[test]
        fn $name() {
            for s in spellings($word) {
                let got = word_tests!(@read $kind &s);
                assert_eq!(got.name(), $meaning, "{s:?}");
            }
        }
    )*};
    (@read role $s:expr) => { role_read($s).unwrap() };
    (@read kind $s:expr) => { type_read($s).unwrap() };
}

word_tests! {
    cp_is_child_protection: "CP" => kind "child_protection";
    child_protection_is_child_protection: "Child Protection" => kind "child_protection";
    child_protection_plan_is_child_protection: "child protection plan" => kind "child_protection";
    cin_is_child_in_need: "CIN" => kind "child_in_need";
    child_in_need_is_child_in_need: "Child in Need" => kind "child_in_need";
    section_17_is_child_in_need: "Section 17" => kind "child_in_need";
    cla_is_looked_after: "CLA" => kind "looked_after";
    lac_is_looked_after: "LAC" => kind "looked_after";
    looked_after_is_looked_after: "Looked after" => kind "looked_after";
    looked_after_child_is_looked_after: "Looked-after child" => kind "looked_after";
    child_in_care_is_looked_after: "child in care" => kind "looked_after";
    care_leaver_is_care_leaver: "Care leaver" => kind "care_leaver";
    leaving_care_is_care_leaver: "Leaving care" => kind "care_leaver";
    nqsw_is_newly_qualified: "NQSW" => role "newly_qualified_social_worker";
    asye_is_newly_qualified: "ASYE" => role "newly_qualified_social_worker";
    newly_qualified_social_worker_is_newly_qualified: "Newly Qualified Social Worker" => role "newly_qualified_social_worker";
    senior_practitioner_is_senior: "Senior Practitioner" => role "senior_social_worker";
    advanced_practitioner_is_senior: "Advanced Practitioner" => role "senior_social_worker";
    consultant_social_worker_is_senior: "Consultant Social Worker" => role "senior_social_worker";
    senior_social_worker_is_senior: "Senior Social Worker" => role "senior_social_worker";
    social_worker_is_social_worker: "Social Worker" => role "social_worker";
    sw_is_social_worker: "SW" => role "social_worker";
    personal_adviser_is_personal_adviser: "Personal Adviser" => role "personal_adviser";
    personal_advisor_is_personal_adviser: "Personal Advisor" => role "personal_adviser";
    pa_is_personal_adviser: "PA" => role "personal_adviser";
    family_support_worker_is_family_support: "Family Support Worker" => role "family_support_worker";
    fsw_is_family_support: "FSW" => role "family_support_worker";
    social_work_assistant_is_assistant: "Social Work Assistant" => role "social_work_assistant";
    swa_is_assistant: "SWA" => role "social_work_assistant";
    team_manager_is_team_manager: "Team Manager" => role "team_manager";
    tm_is_team_manager: "TM" => role "team_manager";
}

#[test]
fn every_entry_of_the_words_table_is_read_by_the_spreadsheets_as_its_meaning() {
    for (word, role) in ROLE_WORDS {
        for s in spellings(word) {
            assert_eq!(role_read(&s).unwrap(), *role, "{s:?}");
            assert!(type_read(&s).is_err(), "{s:?} is a role, not a case type");
        }
    }
    for (word, t) in TYPE_WORDS {
        for s in spellings(word) {
            assert_eq!(type_read(&s).unwrap(), *t, "{s:?}");
            assert!(role_read(&s).is_err(), "{s:?} is a case type, not a role");
        }
    }
    // The canonical names stay words, and model files (JSON) keep only them.
    for r in Role::ALL {
        assert_eq!(role_read(r.name()).unwrap(), r);
    }
    let json =
        br#"{"version": 1, "workers": [{"id": "W1", "role": "Social Worker", "team": "N"}], "cases": []}"#;
    assert!(caseload::read::parse_model("m.json", json).is_err(), "JSON keeps the canonical names");
}

#[test]
fn an_unknown_role_or_type_suggests_the_nearest_words_and_lists_ties() {
    let e = role_read("Senior Practioner").unwrap_err().to_string();
    assert!(e.contains("row 2, column role") && e.contains("did you mean \"senior practitioner\"?"), "{e}");
    let e = type_read("Child Protectoin").unwrap_err().to_string();
    assert!(e.contains("did you mean \"child protection\"?"), "{e}");
    // "CIP" is one slip from CP, CIN, CLA and CIC: every one is listed, none picked.
    let e = type_read("CIP").unwrap_err().to_string();
    for w in ["\"CP\"", "\"CIN\"", "\"CLA\"", "\"CIC\""] {
        assert!(e.contains(w) && e.contains(" or "), "{w}: {e}");
    }
    // Look-alike characters: a zero for an O, a one for an l.
    let e = type_read("C1A").unwrap_err().to_string();
    assert!(e.contains("did you mean \"CLA\"?"), "{e}");
    let e = role_read("S0cial W0rker").unwrap_err().to_string();
    assert!(e.contains("did you mean \"social worker\"?"), "{e}");
    let e = type_read("Adoption").unwrap_err().to_string();
    assert!(!e.contains("did you mean"), "nothing near: {e}");
}

/// small_team.json written as a workbook by another hand: headers in title case, every role and
/// type in an everyday word (a different one for each row where the table has several), the
/// policy's role names in words too.
fn everyday_workbook(m: &ModelFile) -> Vec<u8> {
    let wc = caseload::sheets::columns::worker_columns(m);
    let cc = caseload::sheets::columns::case_columns(m);
    let wt = caseload::sheets::write::worker_table("m", m).unwrap();
    let ct = caseload::sheets::write::case_table("m", m).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let title = |h: &str| {
        let mut c = h.replace('_', " ");
        c[..1].make_ascii_uppercase();
        c
    };
    let mut sheet = |name: &str, header: &[&str], rows: Vec<Vec<String>>| {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (j, h) in header.iter().enumerate() {
            ws.write_string(0, j as u16, title(h)).unwrap();
        }
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(i as u32 + 1, j as u16, v).unwrap();
                }
            }
        }
    };
    let role_word = |i: usize, r: Role| {
        let words: Vec<&str> = ROLE_WORDS.iter().filter(|(_, x)| *x == r).map(|(w, _)| *w).collect();
        words[i % words.len()].to_string()
    };
    let type_word = |i: usize, t: CaseType| {
        let words: Vec<&str> = TYPE_WORDS.iter().filter(|(_, x)| *x == t).map(|(w, _)| *w).collect();
        words[i % words.len()].to_string()
    };
    let workers: Vec<Vec<String>> = wt
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r[1] = role_word(i, m.workers[i].role);
            r
        })
        .collect();
    let cases: Vec<Vec<String>> = ct
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r[1] = type_word(i, m.cases[i].case_type);
            r
        })
        .collect();
    sheet("Workers", &wc, workers);
    sheet("Cases", &cc, cases);
    let caps = m.policy.as_ref().and_then(|p| p.caps.clone()).unwrap_or_default();
    assert!(!caps.is_empty(), "the model sets caps, so the policy sheet is exercised");
    let policy: Vec<Vec<String>> = caps
        .iter()
        .enumerate()
        .map(|(i, (r, v))| vec![format!("caps.{}", role_word(i + 1, *r)), v.to_string()])
        .collect();
    sheet("Policy", &["setting", "value"], policy);
    book.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_in_everyday_words_gives_the_same_optimum_as_the_model_in_canonical_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = root().join("models/small_team.json");
    let m = caseload::read::parse_model("m", &std::fs::read(&model).unwrap()).unwrap();
    let book = everyday_workbook(&m);
    std::fs::write(d.join("team.xlsx"), &book).unwrap();
    let o = run(d, &["allocate", model.to_str().unwrap(), "-o", "json.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d, &["allocate", "--workbook", "team.xlsx", "-o", "book.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join(f)).unwrap()).unwrap()
    };
    let (a, b) = (read("json.json"), read("book.json"));
    assert_eq!(a["objective"], b["objective"]);
    assert_eq!(a["allocations"], b["allocations"]);
    assert_eq!(a["unallocated"], b["unallocated"]);
    // The model read from the words is the canonical model itself.
    let o = run(d, &["convert", "--workbook", "team.xlsx", "-o", "back.json", "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let back = caseload::read::parse_model("b", &std::fs::read(d.join("back.json")).unwrap()).unwrap();
    assert_eq!(back, m);
}

#[test]
fn an_aliases_sheet_adds_a_councils_own_words_and_names_one_that_means_nothing() {
    let w = b"id,role,team\nW1,Practitioner,North\nW2,Senior Practitioner,North\n";
    let c = b"id,type,team\nC1,Strategy,North\nC2,Early help,North\n";
    let aliases =
        b"word,means\nPractitioner,social worker\nStrategy,CP\nEarly help,child_in_need\nSP,social worker\n";
    let s =
        parse_sheets_with(("w.csv", w), ("c.csv", c), None, None, Some(("aliases.csv", aliases))).unwrap();
    let roles: Vec<Role> = s.model.workers.iter().map(|w| w.role).collect();
    assert_eq!(roles, [Role::SocialWorker, Role::SeniorSocialWorker]);
    let types: Vec<CaseType> = s.model.cases.iter().map(|c| c.case_type).collect();
    assert_eq!(types, [CaseType::ChildProtection, CaseType::ChildInNeed]);
    // A council may give a built-in word its own meaning.
    let w2 = b"id,role,team\nW1,SP,North\n";
    let s =
        parse_sheets_with(("w.csv", w2), ("c.csv", c), None, None, Some(("aliases.csv", aliases))).unwrap();
    assert_eq!(s.model.workers[0].role, Role::SocialWorker);
    // Without the aliases, the council's words are refused with their rows.
    let e = parse_sheets(("w.csv", w), ("c.csv", c), None).unwrap_err().to_string();
    assert!(e.contains("w.csv: row 2, column role") && e.contains("c.csv: row 2, column type"), "{e}");
    // A word that means nothing known, or is given two meanings, is refused at its row.
    let bad = b"word,means\nPractitioner,socal worker\nStrategy,CP\nStrategy,CIN\n";
    let e = parse_sheets_with(("w.csv", w), ("c.csv", c), None, None, Some(("aliases.csv", bad)))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("aliases.csv: row 2, column means") && e.contains("did you mean \"social worker\"?"),
        "{e}"
    );
    assert!(e.contains("aliases.csv: row 4, column means") && e.contains("already given"), "{e}");
    // The words read stand: the case typed `Strategy` (its first meaning) is not blamed, nor
    // the second worker, whose word is built in.
    assert!(!e.contains("c.csv: row 2") && !e.contains("w.csv: row 3"), "{e}");
}

#[test]
fn a_policy_word_that_means_nothing_is_named_beside_good_words_not_dropped() {
    // Beside a good word, a bad one was left out of the words carried on, so no check saw it.
    let w = b"id,role,team\nW1,Duty SW,North\n";
    let c = b"id,type,team\nC1,CIN,North\n";
    let policy = br#"{"aliases": {"Duty SW": "social worker", "S47 Plan": "protection plan"}}"#;
    let e = parse_sheets(("w.csv", w), ("c.csv", c), Some(("policy.json", policy))).unwrap_err().to_string();
    assert!(e.starts_with("policy.json: aliases.\"S47 Plan\": \"protection plan\" means nothing"), "{e}");
    // Also a word the aliases sheet gives another meaning.
    let aliases = b"word,means\nDuty SW,team manager\n";
    let policy = br#"{"aliases": {"Duty SW": "social worker"}}"#;
    let e = parse_sheets_with(
        ("w.csv", w),
        ("c.csv", c),
        Some(("policy.json", policy)),
        None,
        Some(("aliases.csv", aliases)),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("policy.json: aliases.\"Duty SW\": \"Duty SW\" is already given"), "{e}");
    // In a workbook's policy sheet, at its row.
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [
        ("workers", &[["id", "role", "team"], ["W1", "Duty SW", "North"]][..]),
        ("cases", &[["id", "type", "team"], ["C1", "CIN", "North"]][..]),
        (
            "policy",
            &[
                ["setting", "value", ""],
                ["aliases.Duty SW", "social worker", ""],
                ["aliases.S47 Plan", "protection plan", ""],
            ][..],
        ),
    ] {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                ws.write_string(i as u32, j as u16, *v).unwrap();
            }
        }
    }
    let x = book.save_to_buffer().unwrap();
    let e = caseload::sheets::workbook::parse_workbook("b.xlsx", &x, None).unwrap_err().to_string();
    assert!(e.starts_with("b.xlsx, sheet policy: row 3, column value: aliases.\"S47 Plan\": \"protection plan\" means nothing"), "{e}");
}

#[test]
fn the_command_line_reads_aliases_csv_and_recommend_type_takes_everyday_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("w.csv"), "id,role,team\nW1,Practitioner,North\n").unwrap();
    std::fs::write(d.join("c.csv"), "id,type,team\nC1,CP,North\n").unwrap();
    std::fs::write(d.join("a.csv"), "word,means\nPractitioner,social worker\n").unwrap();
    let o = run(
        d,
        &["allocate", "--workers", "w.csv", "--cases", "c.csv", "--aliases", "a.csv", "-o", "p.json", "-q"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("p.json")).unwrap()).unwrap();
    assert_eq!(p["allocations"][0]["worker"], "W1", "{p}");
    let small = root().join("models/small_team.json");
    let ranked = |t: &str| {
        let o = run(
            d,
            &["recommend", small.to_str().unwrap(), "--type", t, "--team", "North", "--json", "-", "-q"],
        );
        assert_eq!(code(&o), 0, "{t}: {}", stderr(&o));
        o.stdout
    };
    assert_eq!(ranked("Looked-after child"), ranked("looked_after"));
    assert_eq!(ranked("LAC"), ranked("looked_after"));
    let o = run(d, &["recommend", small.to_str().unwrap(), "--type", "LAX", "--team", "North"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("did you mean \"LAC\"?"), "{}", stderr(&o));
}

#[test]
fn whatif_caps_take_everyday_role_words_and_suggest_near_ones() {
    let dir = tempfile::tempdir().unwrap();
    let small = root().join("models/small_team.json");
    let out = |role: &str| {
        let o = run(dir.path(), &["whatif", small.to_str().unwrap(), "--cap", &format!("{role}=5")]);
        (code(&o), String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o))
    };
    let (c, words, e) = out("SW");
    assert_eq!(c, 0, "{e}");
    assert_eq!(words, out("social_worker").1);
    let (c, _, e) = out("Sosial worker");
    assert_eq!(c, 2);
    assert!(e.contains("(did you mean \"social worker\"?)"), "{e}");
}

#[test]
fn a_name_caseload_writes_cannot_be_given_another_meaning() {
    // Given one, a workbook written from the model read back changed: with `child protection`
    // meaning looked after, `convert --xlsx` then `convert --workbook` turned every child
    // protection case into a looked-after one, exit 0.
    let w = b"id,role,team\nW1,social worker,North\n";
    let c = b"id,type,team\nC1,child_protection,North\n";
    for (word, means) in [
        ("child protection", "looked after"),
        ("Child_Protection", "CIN"),
        ("looked-after child", "child in need"),
        ("social worker", "team manager"),
        ("senior_social_worker", "SW"),
    ] {
        let aliases = format!("word,means\n{word},{means}\n");
        let e = parse_sheets_with(
            ("w.csv", w),
            ("c.csv", c),
            None,
            None,
            Some(("aliases.csv", aliases.as_bytes())),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("aliases.csv: row 2") && e.contains("is the name caseload writes for"), "{e}");
        // And in a model file's policy, at its place.
        let policy = format!(r#"{{"aliases": {{"{word}": "{means}"}}}}"#);
        let e = parse_sheets(("w.csv", w), ("c.csv", c), Some(("policy.json", policy.as_bytes())))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(&format!("policy.json: aliases.\"{word}\"")), "{e}");
    }
    // The same meaning, or an everyday word redefined, still reads.
    let aliases = b"word,means\nchild protection,CP\nCP,looked after\nSW,team manager\n";
    let s =
        parse_sheets_with(("w.csv", w), ("c.csv", c), None, None, Some(("aliases.csv", aliases))).unwrap();
    assert_eq!(s.model.cases[0].case_type, CaseType::ChildProtection);
    assert_eq!(s.model.workers[0].role, Role::SocialWorker);
}
