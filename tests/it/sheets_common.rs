//! Helpers shared by the integration tests: temporary directories, running the binary, and a
//! small HTML reader (on a spec-compliant tokenizer) for checking reports as a browser sees them.
#![allow(dead_code)]

use html5gum::{Token, Tokenizer};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `caseload` binary with arguments, in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the caseload binary runs")
}

/// The exit status, or -1 when killed by a signal (a panic aborts with 101).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One piece of text in a document, with the ids and classes of the elements around it.
#[derive(Debug, Clone)]
pub struct Text {
    /// Ids of the enclosing elements, outermost first.
    pub ids: Vec<String>,
    /// Classes of the enclosing elements (each element's class attribute), outermost first.
    pub classes: Vec<String>,
    /// Tag names of the enclosing elements, outermost first.
    pub tags: Vec<String>,
    /// The text, with character references decoded.
    pub text: String,
}

/// Elements that never have an end tag.
const VOID: [&str; 8] = ["br", "meta", "img", "hr", "input", "link", "col", "wbr"];

/// A parsed document: its start-tag names and its text pieces in order.
pub struct Doc {
    pub start_tags: Vec<String>,
    /// Every attribute of every start tag, as (tag, name, value).
    pub attributes: Vec<(String, String, String)>,
    pub texts: Vec<Text>,
}

impl Doc {
    pub fn parse(html: &str) -> Doc {
        let mut stack: Vec<(String, String, String)> = Vec::new();
        let mut start_tags = Vec::new();
        let mut attributes = Vec::new();
        let mut texts = Vec::new();
        for token in Tokenizer::new(html) {
            let Ok(token) = token;
            match token {
                Token::StartTag(t) => {
                    let name = String::from_utf8_lossy(&t.name).to_lowercase();
                    start_tags.push(name.clone());
                    for (k, v) in &t.attributes {
                        attributes.push((
                            name.clone(),
                            String::from_utf8_lossy(k).to_lowercase(),
                            String::from_utf8_lossy(&v.value).into_owned(),
                        ));
                    }
                    let attr = |k: &str| {
                        t.attributes
                            .iter()
                            .find(|(n, _)| &n[..] == k.as_bytes())
                            .map(|(_, v)| String::from_utf8_lossy(&v.value).into_owned())
                            .unwrap_or_default()
                    };
                    if !t.self_closing && !VOID.contains(&name.as_str()) {
                        stack.push((name, attr("id"), attr("class")));
                    }
                }
                Token::EndTag(t) => {
                    let name = String::from_utf8_lossy(&t.name).to_lowercase();
                    if let Some(pos) = stack.iter().rposition(|(n, _, _)| *n == name) {
                        stack.truncate(pos);
                    }
                }
                Token::String(s) => texts.push(Text {
                    ids: stack.iter().map(|e| e.1.clone()).filter(|i| !i.is_empty()).collect(),
                    classes: stack.iter().map(|e| e.2.clone()).collect(),
                    tags: stack.iter().map(|e| e.0.clone()).collect(),
                    text: String::from_utf8_lossy(&s.value).into_owned(),
                }),
                _ => {}
            }
        }
        Doc { start_tags, attributes, texts }
    }

    /// All text inside the element with this id.
    pub fn text_of(&self, id: &str) -> String {
        self.texts.iter().filter(|t| t.ids.iter().any(|i| i == id)).map(|t| t.text.as_str()).collect()
    }

    /// Text pieces inside the element with this id whose innermost element has this class.
    pub fn cells(&self, id: &str, class: &str) -> Vec<String> {
        self.texts
            .iter()
            .filter(|t| t.ids.iter().any(|i| i == id))
            .filter(|t| t.classes.last().is_some_and(|c| c.split(' ').any(|x| x == class)))
            .map(|t| t.text.clone())
            .collect()
    }

    /// The page's whole text.
    pub fn all_text(&self) -> String {
        self.texts.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join("")
    }

    /// The number shown by a headline figure (`stat-ID`).
    pub fn stat(&self, id: &str) -> String {
        self.texts
            .iter()
            .filter(|t| t.ids.iter().any(|i| i == &format!("stat-{id}")))
            .filter(|t| t.classes.last().is_some_and(|c| c == "num"))
            .map(|t| t.text.clone())
            .collect()
    }
}

/// Generators of model entries for the round-trip property tests of spreadsheets (CSV and
/// workbooks), which differ only in the cell text and numbers they try ([`Alphabet`]).
pub mod gen {
    use caseload::model::{CaseInput, CaseType, ReductionInput, Role, Status, WorkerInput};
    use proptest::prelude::*;

    /// What cells a sheet is tried with.
    #[derive(Clone, Copy, Debug)]
    pub struct Alphabet {
        /// Characters a cell may also begin with (a workbook: those Excel would read as a
        /// formula, `+ @ -`).
        pub lead: &'static str,
        /// Cells of digits only, which a workbook may hold as numbers.
        pub digits: bool,
        /// Numbers in tenths too (as a workbook's number cells hold them).
        pub tenths: bool,
    }

    impl Alphabet {
        /// CSV spreadsheets.
        pub const CSV: Alphabet = Alphabet { lead: "", digits: false, tenths: false };
        /// Excel workbooks.
        pub const WORKBOOK: Alphabet = Alphabet { lead: "+@-", digits: true, tenths: true };
    }

    /// Cell text: no surrounding space (cells are trimmed), but commas, quotes, semicolons,
    /// line breaks, markup and accents inside.
    pub fn text(a: Alphabet) -> impl Strategy<Value = String> {
        let digits = if a.digits { "|[0-9]{1,5}" } else { "" };
        prop::string::string_regex(&format!(
            "[A-Za-z0-9é,;\"'<>=#{}][A-Za-z0-9é ,;\"'\n<>=#]{{0,6}}[A-Za-z0-9é,;\"'<>=#]|[A-Za-z0-9é]{digits}",
            a.lead
        ))
        .unwrap()
    }

    /// An item of a `;`-separated list (no `,`, which a list cell refuses).
    pub fn item() -> impl Strategy<Value = String> {
        prop::string::string_regex("[A-Za-z0-9é\"'<>=][A-Za-z0-9é \"'<>=]{0,5}[A-Za-z0-9é\"'<>=]|[a-z]")
            .unwrap()
    }

    /// Any finite number, with quarters (and tenths) often.
    pub fn number(a: Alphabet) -> BoxedStrategy<f64> {
        let quarters = (0u32..100).prop_map(|x| x as f64 / 4.0);
        let tenths = (0u32..1000).prop_map(|x| x as f64 / 10.0);
        if a.tenths {
            prop_oneof![prop::num::f64::NORMAL, prop::num::f64::SUBNORMAL, Just(0.0), quarters, tenths]
                .boxed()
        } else {
            prop_oneof![prop::num::f64::NORMAL, prop::num::f64::SUBNORMAL, Just(0.0), quarters].boxed()
        }
    }

    /// A value or none.
    pub fn opt<T: std::fmt::Debug + Clone + 'static>(
        s: impl Strategy<Value = T> + 'static,
    ) -> BoxedStrategy<Option<T>> {
        prop_oneof![Just(None), s.prop_map(Some)].boxed()
    }

    /// A day, `YYYY-MM-DD`.
    pub fn date() -> impl Strategy<Value = String> {
        (2000i64..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"))
    }

    /// A reductions sheet names workers by id, so only a worker whose id is its own (as in
    /// every valid model) can carry reductions through one.
    pub fn unique_reductions(mut workers: Vec<WorkerInput>) -> Vec<WorkerInput> {
        for i in 0..workers.len() {
            if workers.iter().filter(|w| w.id == workers[i].id).count() > 1 {
                workers[i].reductions.clear();
            }
        }
        workers
    }

    prop_compose! {
        /// A worker with every field a sheet can hold.
        pub fn worker_in(a: Alphabet)(id in text(a), role in prop::sample::select(Role::ALL.to_vec()), team in text(a),
                       fte in opt(number(a)), cap in opt(number(a)), target in opt(number(a)),
                       skills in prop::collection::vec(item(), 0..3), supervisor in opt(text(a)),
                       oversight_cap in opt(number(a)),
                       status in opt(prop::sample::select(vec![Status::Active, Status::Vacant, Status::Absent])),
                       agency in opt(any::<bool>()), name in opt(item()), notes in opt(item()),
                       reductions in prop::collection::vec(reduction_in(a), 0..3)) -> WorkerInput {
            WorkerInput { id, role, team, fte, cap, target, skills, supervisor, oversight_cap, status, agency, reductions, name, notes }
        }
    }

    prop_compose! {
        /// A dated reduction.
        pub fn reduction_in(a: Alphabet)(amount in number(a), from in date(), to in date(), reason in opt(item())) -> ReductionInput {
            ReductionInput { amount, from, to, reason }
        }
    }

    prop_compose! {
        /// A case with every field a sheet can hold.
        pub fn case_in(a: Alphabet)(id in text(a), case_type in prop::sample::select(CaseType::ALL.to_vec()), team in text(a),
                     weight in opt(number(a)), priority in opt(number(a)), current_worker in opt(text(a)),
                     pinned in opt(any::<bool>()), group in opt(text(a)),
                     needs in prop::collection::vec(item(), 0..3), exclude in prop::collection::vec(item(), 0..3),
                     previous_workers in prop::collection::vec(item(), 0..3),
                     waiting_since in opt(date()),
                     name in opt(item()), notes in opt(item()), no_agency in opt(any::<bool>())) -> CaseInput {
            CaseInput { id, case_type, team, weight, priority, current_worker, pinned, group, needs, exclude, previous_workers, waiting_since, name, notes, no_agency }
        }
    }
}
