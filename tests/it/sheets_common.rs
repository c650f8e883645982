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
