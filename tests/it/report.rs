//! The manager's HTML report: hostile ids render as text, every unallocated child is listed,
//! headline figures match the proposal, and the page fetches nothing.

use crate::sheets_common as common;

use caseload::report::{render, render_whatif, Series, WhatIfCurve};
use common::{root, Doc};

const HOSTILE: &str = "<script>alert(1)</script>";
const HOSTILE_ATTR: &str = "\"><img src=x onerror=alert(2)>";

fn solve(json: &str) -> (caseload::model::Model, caseload::proposal::Proposal) {
    let m = caseload::load_model_bytes("m.json", json.as_bytes()).unwrap();
    let p = caseload::allocate(&m, Default::default()).unwrap();
    (m, p)
}

fn sample() -> (caseload::model::Model, caseload::proposal::Proposal) {
    let d = root().join("models/sheets");
    let s = caseload::sheets::read::read_sheets(
        &d.join("workers.csv"),
        &d.join("cases.csv"),
        Some(&d.join("policy.json")),
    )
    .unwrap();
    let m = s.validate().unwrap();
    let p = caseload::allocate(&m, Default::default()).unwrap();
    (m, p)
}

fn hostile_model() -> String {
    let h = serde_json::to_string(HOSTILE).unwrap();
    let a = serde_json::to_string(HOSTILE_ATTR).unwrap();
    format!(
        r#"{{"version": 1,
  "workers": [{{"id": {h}, "role": "social_worker", "team": {a}, "skills": [{a}]}},
              {{"id": "W2", "role": "social_worker", "team": {a}, "status": "vacant"}}],
  "cases": [{{"id": {h}, "type": "looked_after", "team": {a}, "needs": [{h}], "group": {h}}},
            {{"id": "C2", "type": "child_in_need", "team": {a}, "current_worker": {h}}},
            {{"id": {a}, "type": "child_protection", "team": {a}, "current_worker": "W2"}}]}}"#
    )
}

/// No element, attribute or URL in the page comes from data: no scripts, no handlers, no fetches.
fn assert_inert(doc: &Doc) {
    for bad in ["script", "img", "iframe", "object", "embed", "link", "base", "form", "a"] {
        assert!(!doc.start_tags.iter().any(|t| t == bad), "a <{bad}> element in the report");
    }
    for (tag, name, value) in &doc.attributes {
        assert!(!name.starts_with("on"), "event handler {name} on <{tag}>");
        assert!(
            !["src", "href", "xlink:href", "action"].contains(&name.as_str()),
            "{name}={value:?} on <{tag}>"
        );
        if name == "xmlns" {
            assert_eq!(value, "http://www.w3.org/2000/svg");
        } else {
            assert!(!value.contains("http"), "{name}={value:?} on <{tag}>");
        }
    }
}

#[test]
fn a_hostile_case_id_worker_id_and_team_render_as_text() {
    let (m, p) = solve(&hostile_model());
    assert!(p.unallocated.iter().any(|u| u.case == HOSTILE), "the hostile case is unallocated (needs unmet)");
    let html = render(&m, &p);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let doc = Doc::parse(&html);
    assert_inert(&doc);
    assert!(doc.cells("unallocated", "id").contains(&HOSTILE.to_string()));
    assert!(doc.all_text().contains(HOSTILE_ATTR));
    let mut ids = doc.cells("unallocated", "id");
    ids.sort();
    let mut want: Vec<String> = p.unallocated.iter().map(|u| u.case.clone()).collect();
    want.sort();
    assert_eq!(ids, want);
}

#[test]
fn the_report_lists_every_unallocated_child_once_under_its_reason() {
    let (m, p) = sample();
    assert!(p.unallocated.len() >= 5, "the sample model leaves children unallocated");
    let doc = Doc::parse(&render(&m, &p));
    let mut shown = doc.cells("unallocated", "id");
    shown.sort();
    let want: Vec<String> = p.unallocated.iter().map(|u| u.case.clone()).collect();
    assert_eq!(shown, want, "proposal lists are sorted by id");
    for u in &p.unallocated {
        let group = doc.cells(&format!("reason-{}", u.reasons[0].code.name()), "id");
        assert!(group.contains(&u.case), "{} under {}", u.case, u.reasons[0].code.name());
        let group_text = doc.text_of(&format!("reason-{}", u.reasons[0].code.name()));
        assert!(group_text.contains(caseload::words::family_message(u.reasons[0].code)));
        for r in &u.reasons {
            assert!(doc.text_of("unallocated").contains(&r.message), "{}", r.message);
        }
    }
}

#[test]
fn the_headline_figures_are_the_proposals() {
    let (m, p) = sample();
    let doc = Doc::parse(&render(&m, &p));
    let s = &p.summary;
    assert_eq!(doc.stat("cases"), s.cases.cases.to_string());
    assert_eq!(doc.stat("allocated"), s.cases.allocated.to_string());
    assert_eq!(doc.stat("unallocated"), s.cases.unallocated.to_string());
    assert_eq!(doc.stat("moved"), s.moves.moved.to_string());
    assert_eq!(doc.stat("over-target"), s.workers_over_target.to_string());
    assert_eq!(doc.text_of("model-hash"), s.model_hash);
    assert_inert(&doc);
}

#[test]
fn every_worker_has_a_bar_or_an_inactive_post_in_the_chart() {
    let (m, p) = sample();
    let doc = Doc::parse(&render(&m, &p));
    let chart = doc.text_of("workers");
    for w in &p.workers {
        assert!(chart.contains(&w.worker), "{}", w.worker);
    }
    let posts = chart.matches("vacant post").count() + chart.matches("absent post").count();
    let inactive = p.workers.iter().filter(|w| w.status != caseload::model::Status::Active).count();
    assert_eq!(posts, inactive);
}

#[test]
fn looked_after_children_over_the_threshold_raise_the_alarm() {
    let (m, p) = solve(
        r#"{"version": 1, "policy": {"caps": {"social_worker": 1}},
            "workers": [{"id": "W1", "role": "social_worker", "team": "N"}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "N"},
                      {"id": "C2", "type": "looked_after", "team": "N"},
                      {"id": "C3", "type": "looked_after", "team": "N"}]}"#,
    );
    assert!(p.summary.looked_after_emergency);
    let doc = Doc::parse(&render(&m, &p));
    assert!(doc.text_of("looked-after-share").contains("2 of 3 looked-after children (66.7%)"));
    assert!(doc.text_of("looked-after-share").contains("above the 10% emergency threshold"));
    assert_eq!(doc.stat("looked-after"), "66.7%");

    let (m, p) = sample();
    let doc = Doc::parse(&render(&m, &p));
    assert_eq!(p.summary.looked_after_emergency, doc.text_of("looked-after-share").contains("above the 10%"));
}

#[test]
fn the_report_is_one_file_with_a_print_stylesheet_and_no_fetches() {
    let (m, p) = sample();
    let html = render(&m, &p);
    assert!(html.contains("@media print"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(!html.contains("url("), "no stylesheet fetches");
    assert_inert(&Doc::parse(&html));
}

#[test]
fn a_what_if_curve_renders_as_a_chart_and_a_table_with_its_text_escaped() {
    let curve = WhatIfCurve {
        title: HOSTILE.into(),
        note: "fill posts".into(),
        x_label: "extra workers".into(),
        y_label: HOSTILE_ATTR.into(),
        series: vec![
            Series {
                name: "unallocated".into(),
                points: vec![(0.0, 11.0), (1.0, 6.0), (2.0, 5.0), (3.0, f64::NAN)],
            },
            Series { name: "looked-after".into(), points: vec![(0.0, 2.0), (2.0, 0.0)] },
        ],
        today: Some(0.0),
    };
    let html = render_whatif(&curve);
    let doc = Doc::parse(&html);
    assert_inert(&doc);
    assert!(doc.all_text().contains(HOSTILE) && doc.all_text().contains(HOSTILE_ATTR));
    assert_eq!(doc.start_tags.iter().filter(|t| *t == "polyline").count(), 2);
    assert_eq!(doc.start_tags.iter().filter(|t| *t == "circle").count(), 5, "the NaN point is left out");
    // One table row per x value (0, 1, 2, 3) plus the header.
    assert_eq!(doc.start_tags.iter().filter(|t| *t == "tr").count(), 5);

    let (m, p) = sample();
    let with = caseload::report::render_with(&m, &p, std::slice::from_ref(&curve));
    assert!(with.contains(&html));
}

#[test]
fn when_every_child_has_a_worker_the_report_says_so_plainly() {
    let (m, p) = solve(
        r#"{"version": 1, "workers": [{"id": "W1", "role": "social_worker", "team": "N"}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "N"}]}"#,
    );
    let doc = Doc::parse(&render(&m, &p));
    let text = doc.all_text();
    assert!(text.contains("Every child has a worker in this proposal."), "{text}");
    assert!(!text.contains("0 of 0"), "{text}");
}

#[test]
fn warnings_sibling_groups_and_reasons_for_each_change_are_shown() {
    let (m, p) = solve(
        r#"{"version": 1,
            "workers": [{"id": "W1", "role": "social_worker", "team": "N", "status": "absent"},
                        {"id": "W2", "role": "social_worker", "team": "N", "skills": ["urdu"]}],
            "cases": [{"id": "C1", "type": "looked_after", "team": "N", "current_worker": "W1", "group": "Okafor"},
                      {"id": "C2", "type": "looked_after", "team": "N", "group": "Okafor"},
                      {"id": "C3", "type": "child_in_need", "team": "N", "needs": ["Urdu"]}]}"#,
    );
    assert!(!p.warnings.is_empty());
    let doc = Doc::parse(&render(&m, &p));
    assert!(doc.text_of("warnings").contains("\"Urdu\""), "{}", doc.text_of("warnings"));
    let sib = doc.text_of("siblings");
    assert!(sib.contains("Okafor") && sib.contains("C1, C2") && sib.contains("W2"), "{sib}");
    let moves = doc.text_of("moves");
    assert!(moves.contains("W1 is absent"), "{moves}");
}

#[test]
fn the_header_names_the_input_the_date_and_the_hash() {
    let (m, p) = sample();
    let meta = caseload::report::Meta {
        input: "team.xlsx".into(),
        date: caseload::report::date_words(1_796_083_200),
    };
    assert_eq!(meta.date, "1 December 2026");
    assert_eq!(caseload::report::date_words(951_782_400), "29 February 2000");
    let doc = Doc::parse(&caseload::report::render_meta(&m, &p, &meta, &[]));
    let head = doc.text_of("meta");
    assert!(head.contains("1 December 2026") && head.contains("team.xlsx"), "{head}");
    assert!(head.contains(&p.summary.model_hash[..12]), "{head}");
}

/// A direction override in a name (U+202E) would reverse the rest of its cell in a browser, a
/// name reading as another: it is shown as its code, and every other character as typed.
#[test]
fn a_direction_override_in_a_name_is_shown_as_its_code() {
    let shown = caseload::report::esc("C1\u{202e}9W\u{2066} Zoë <b>");
    assert_eq!(shown, "C1\\u{202e}9W\\u{2066} Zoë &lt;b&gt;");
}
