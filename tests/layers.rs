//! The rooms of the code (docs/ARCHITECTURE.md), checked on the source itself:
//!
//! - the library never names the command layer and never talks to the terminal: no `cli`, no
//!   printing, no `process::exit`, no clap, progress bars or Ctrl-C handling outside `src/cli/`
//!   and `src/main.rs`;
//! - no import circle between the library's files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library file (not the command layer) as (module path, code without comments and
/// without its unit-test module).
fn library_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "main.rs" || rel.starts_with("cli/") {
            continue;
        }
        let module = match rel.as_str() {
            "lib.rs" => "crate".to_string(),
            r => r.trim_end_matches(".rs").trim_end_matches("/mod").replace('/', "::"),
        };
        let text = std::fs::read_to_string(&f).unwrap();
        let text = match text.find("#[cfg(test)]\nmod tests") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        let code: String =
            text.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
        out.push((module, code));
    }
    out
}

/// Words that only the command layer may use, and why.
const TERMINAL: [(&str, &str); 12] = [
    ("crate::cli", "names the command layer"),
    ("cli::", "names the command layer"),
    ("println!", "prints"),
    ("print!", "prints"),
    ("eprintln!", "prints"),
    ("eprint!", "prints"),
    ("io::stdout", "writes to standard output"),
    ("io::stderr", "writes to standard error"),
    ("process::exit", "exits"),
    ("clap::", "parses flags"),
    ("indicatif", "draws progress bars"),
    ("ctrlc", "handles Ctrl-C"),
];

/// `word` occurs in `code` not as the tail of a longer name (`println!` is not in `eprintln!`).
fn contains_word(code: &str, word: &str) -> bool {
    code.match_indices(word)
        .any(|(i, _)| !code[..i].chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_'))
}

#[test]
fn no_library_module_names_the_command_layer_or_talks_to_the_terminal() {
    let files = library_files();
    assert!(files.len() > 20, "found only {} library files", files.len());
    let mut problems = Vec::new();
    for (module, code) in &files {
        for (word, what) in TERMINAL {
            if contains_word(code, word) {
                problems.push(format!("{module} {what} (`{word}`)"));
            }
        }
    }
    assert!(problems.is_empty(), "library modules that leak into the terminal:\n{}", problems.join("\n"));
}

/// The modules a file refers to through `crate::`, `super::` or a `use` of its own children.
fn references(module: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = |m: &str| match m.rfind("::") {
        Some(i) => m[..i].to_string(),
        None => "crate".to_string(),
    };
    // The longest known module a path names (`whatif::fill::Engine` -> `whatif::fill`).
    let resolve = |path: &[&str]| -> String {
        for n in (1..=path.len()).rev() {
            let m = path[..n].join("::");
            if known.contains(&m) {
                return m;
            }
        }
        "crate".to_string()
    };
    let mut out = BTreeSet::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (prefix, base) in [("crate::", String::new()), ("super::", parent(module))] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(ident) {
                continue;
            }
            // A path, or a group `{a, b::c}` (one level deep is enough for this code base).
            let group: Vec<String> = if let Some(g) = rest.strip_prefix('{') {
                let end = g.find('}').unwrap_or(g.len());
                g[..end].split(',').map(|s| s.trim().to_string()).collect()
            } else {
                vec![rest.chars().take_while(|&c| ident(c) || c == ':').collect()]
            };
            for item in group {
                let mut path: Vec<&str> = Vec::new();
                if !base.is_empty() && base != "crate" {
                    path.extend(base.split("::"));
                }
                path.extend(item.split("::").filter(|s| !s.is_empty() && s.chars().all(ident)));
                let target = resolve(&path);
                if target != module {
                    out.insert(target);
                }
            }
        }
    }
    out
}

#[test]
fn no_import_circle_between_the_library_files() {
    let files = library_files();
    let known: BTreeSet<String> = files.iter().map(|f| f.0.clone()).collect();
    let graph: BTreeMap<String, BTreeSet<String>> =
        files.iter().map(|(m, code)| (m.clone(), references(m, code, &known))).collect();
    // lib.rs only declares the modules and runs the pipeline; the others may call it.
    assert!(graph["whatif::piece"].contains("crate"), "the reference scan misses `crate::solve_model`");
    assert!(graph["validate"].contains("rules"), "the reference scan misses `use crate::rules`");
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((m, path)) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next == start {
                    let mut c = path.clone();
                    c.push(start.clone());
                    cycles.push(c.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}
