//! The planner's report of `whatif --report`: its own page, the planner's questions first (the
//! curve with a colour key, the fill order, the marginal ranking), every scenario, and a line
//! for every type of case whose count without a worker rises.

use crate::sheets_common as common;

use caseload::model::{CaseType, Role};
use caseload::report::Meta;
use caseload::whatif::{self, Plan};
use common::{code, root, run, stderr, Doc};

fn demo() -> Vec<u8> {
    std::fs::read(root().join("models/report_demo.json")).unwrap()
}

fn outcome(plan: &Plan, marginal: bool) -> whatif::Outcome {
    let options = whatif::Options { marginal, ..whatif::Options::default() };
    whatif::evaluate("report_demo.json", &demo(), plan, &options, &|_| {}, &|| {}).unwrap()
}

fn plan() -> Plan {
    Plan {
        fill: whatif::plan::parse_fill("0..=3").unwrap(),
        caps: vec![(Role::SocialWorker, vec![16.0, 18.0])],
        demand: vec![1.0],
        ..Plan::default()
    }
}

#[test]
fn the_planning_report_puts_the_curve_fill_order_and_ranking_first() {
    let o = outcome(&plan(), true);
    let html =
        whatif::page::render(&o, &Meta { input: "report_demo.json".into(), date: "1 December 2026".into() });
    let doc = Doc::parse(&html);
    let title: String = doc
        .texts
        .iter()
        .filter(|t| t.tags.last().is_some_and(|x| x == "h1"))
        .map(|t| t.text.clone())
        .collect();
    assert_eq!(title, "What-if planning report");
    assert!(!html.contains("Caseload allocation proposal"));
    // Order: curve, fill order, ranking, scenarios.
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("class=\"whatif\"") < at("id=\"fill-order\""));
    assert!(at("id=\"fill-order\"") < at("id=\"marginal\""));
    assert!(at("id=\"marginal\"") < at("id=\"scenarios\""));
    // A colour swatch per series of the curve.
    let curves = whatif::fill_curves(&o);
    let series = curves[0].series.len();
    assert_eq!(html.matches("class=\"sw line s").count(), series);
    // The fill order and the ranking are those of the outcome.
    let fill = doc.text_of("fill-order");
    for f in &o.fill_order {
        let mut last = 0;
        for p in &f.posts {
            let i = fill[last..]
                .find(&p.post)
                .map(|i| i + last)
                .unwrap_or_else(|| panic!("{} not in order", p.post));
            last = i;
        }
    }
    let ranking = o.marginal.as_ref().unwrap();
    let shown = doc.text_of("marginal");
    for m in ranking {
        assert!(shown.contains(&m.role.name().replace('_', " ")), "{:?}", m.role);
    }
    // One scenario row each.
    let names = doc.cells("scenarios", "name");
    assert_eq!(names[0], "Scenario", "the header");
    assert_eq!(names.len() - 1, o.scenarios.len());
    assert!(doc.text_of("meta").contains("1 December 2026"));
}

#[test]
fn a_scenario_where_a_type_rises_is_explained() {
    // A lower cap for social workers leaves more looked-after children without a worker.
    let o = outcome(&plan(), false);
    let base = o.scenarios[0].row.unallocated_by_type.get(&CaseType::LookedAfter).copied().unwrap_or(0);
    let rises = o
        .scenarios
        .iter()
        .any(|s| s.row.unallocated_by_type.get(&CaseType::LookedAfter).copied().unwrap_or(0) > base);
    assert!(rises, "the example has a scenario where looked-after children rise");
    let lines = whatif::page::explanations_of(&o);
    assert!(
        lines.iter().any(|l| l.contains("looked-after child cases without a worker rise from")),
        "{lines:?}"
    );
    let html = whatif::page::render(&o, &Meta::default());
    assert!(Doc::parse(&html).text_of("explanations").contains("rise from"));

    // Equal priority: looked-after children out, child protection in, as a cap raise can do.
    let mut o = o;
    let base = o.scenarios[0].row.clone();
    let mut r = o.scenarios[1].row.clone();
    r.unallocated_by_type.insert(CaseType::LookedAfter, base.unallocated_by_type[&CaseType::LookedAfter] + 2);
    r.unallocated_by_type.insert(
        CaseType::ChildProtection,
        base.unallocated_by_type[&CaseType::ChildProtection].saturating_sub(1),
    );
    r.name = "cap.social_worker=20".into();
    r.words = "cap of 20 cases per social worker".into();
    o.scenarios[1].row = r;
    let lines = whatif::page::explanations_of(&o);
    let line = lines.iter().find(|l| l.starts_with("In cap of 20 cases per social worker")).unwrap();
    assert!(
        line.contains("equal priority (100)") && line.contains("higher priority in the policy"),
        "{line}"
    );
}

#[test]
fn whatif_report_writes_the_planning_page_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = root().join("models/report_demo.json").display().to_string();
    let o = run(
        dir.path(),
        &["whatif", &m, "--fill-vacancies", "0..=2", "--marginal", "--report", "w.html", "-q"],
    );
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("w.html")).unwrap();
    assert!(html.contains("<title>What-if planning report</title>"));
    assert!(html.contains("Which posts to fill first") && html.contains("Where one more worker helps most"));
    assert!(html.contains("report_demo.json"), "the input is named");
}
