//! The rooms of the code (docs/internals.md, "The rooms"), checked on the source itself:
//!
//! - the library never names the command layer and never talks to the terminal: no `cli`, no
//!   printing, no `process::exit`, no clap, progress bars or Ctrl-C handling outside `src/cli/`
//!   and `src/main.rs`;
//! - no import circle between the library's files (a file may use the modules it lies in, as
//!   every module may use lib.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, sorted.
fn rust_files() -> Vec<PathBuf> {
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
    files
}

/// Every library file (not the command layer) as (module path, code without comments and
/// without its unit-test module).
fn library_files() -> Vec<(String, String)> {
    let files = rust_files();
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
const TERMINAL: [(&str, &str); 16] = [
    ("crate::cli", "names the command layer"),
    ("cli::", "names the command layer"),
    ("println!", "prints"),
    ("print!", "prints"),
    ("eprintln!", "prints"),
    ("eprint!", "prints"),
    ("dbg!", "prints"),
    ("io::stdout", "writes to standard output"),
    ("io::stderr", "writes to standard error"),
    // `use std::io::{stderr, Write}` names neither `io::stdout` nor `io::stderr`.
    ("stdout()", "writes to standard output"),
    ("stderr()", "writes to standard error"),
    ("process::exit", "exits"),
    ("process::abort", "exits"),
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

#[test]
fn only_the_binary_declares_the_command_layer() {
    // library_files() leaves src/cli/ out because main.rs, not lib.rs, declares it: a `mod cli`
    // in the library would bring those files back into the library unchecked.
    let declares_cli = |file: &str| {
        let text = std::fs::read_to_string(src().join(file)).unwrap();
        text.lines().map(str::trim).filter(|l| !l.starts_with("//")).any(|l| {
            let l = l.strip_prefix("pub ").or_else(|| l.split_once(") ").map(|x| x.1)).unwrap_or(l);
            l.starts_with("mod cli;") || l.starts_with("mod cli {")
        })
    };
    assert!(declares_cli("main.rs"), "main.rs no longer declares `mod cli`; update this test");
    assert!(!declares_cli("lib.rs"), "lib.rs declares the command layer `cli`: it belongs to main.rs only");
}

/// The paths a `use` tree or path names, from just after its prefix: `a::b::C` gives `[a, b, C]`,
/// `{a::{B, C}, d}` gives `[a, B]`, `[a, C]` and `[d]`, `*` and `self` give the empty path.
fn paths_of(text: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let head: String = text.chars().take_while(|&c| ident(c) || c == ':').collect();
    let segments: Vec<String> =
        head.split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string).collect();
    let Some(group) = text[head.len()..].strip_prefix('{') else { return vec![segments] };
    // The group's items, split at its top-level commas.
    let (mut depth, mut items, mut item) = (0usize, Vec::new(), String::new());
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    items.push(item);
    let mut out = Vec::new();
    for item in items {
        for tail in paths_of(item.trim()) {
            out.push(segments.iter().cloned().chain(tail).collect());
        }
    }
    out
}

/// The modules a file refers to: through `crate::`, `super::` (also `super::super::`), `self::`,
/// and, in a file with files of its own (`lib.rs`, a folder's `mod.rs`), by the bare
/// name of one of them (`use fill::Engine`, `tree::search(..)`).
fn references(module: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = |m: &str| match m.rfind("::") {
        Some(i) => m[..i].to_string(),
        None => "crate".to_string(),
    };
    // The longest known module a path names (`whatif::fill::Engine` -> `whatif::fill`).
    let resolve = |path: &[String]| -> String {
        for n in (1..=path.len()).rev() {
            let m = path[..n].join("::");
            if known.contains(&m) {
                return m;
            }
        }
        "crate".to_string()
    };
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let base_of = |m: &str| -> Vec<String> {
        if m == "crate" {
            Vec::new()
        } else {
            m.split("::").map(str::to_string).collect()
        }
    };
    // Each prefix, and the module the paths after it start from.
    let mut starts: Vec<(String, Vec<String>)> = vec![
        ("crate::".into(), Vec::new()),
        ("super::".into(), base_of(&parent(module))),
        ("self::".into(), base_of(module)),
    ];
    for child in known.iter().filter(|k| k.as_str() != "crate" && parent(k) == module) {
        let name = child.rsplit("::").next().unwrap_or(child);
        starts.push((format!("{name}::"), base_of(child)));
    }
    let mut out = BTreeSet::new();
    for (prefix, start) in &starts {
        let mut rest = code;
        while let Some(i) = rest.find(prefix.as_str()) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            // Not the tail of a longer name or path (`std::fmt::` is not the child `fmt::`);
            // `super::super::` is counted once, from its first `super::`.
            if before.is_some_and(|c| ident(c) || c == ':') {
                continue;
            }
            let mut base = start.clone();
            let mut tail = rest;
            if prefix == "super::" {
                while let Some(t) = tail.strip_prefix("super::") {
                    base = base_of(&parent(&if base.is_empty() { "crate".into() } else { base.join("::") }));
                    tail = t;
                }
            }
            for path in paths_of(tail) {
                let full: Vec<String> = base.iter().cloned().chain(path).collect();
                let target = resolve(&full);
                if target != module {
                    out.insert(target);
                }
            }
        }
    }
    out
}

/// Is `ancestor` the crate, or a module that `module` lies in?
fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor == "crate" || module.starts_with(&format!("{ancestor}::"))
}

#[test]
fn no_import_circle_between_the_library_files() {
    let files = library_files();
    let known: BTreeSet<String> = files.iter().map(|f| f.0.clone()).collect();
    let graph: BTreeMap<String, BTreeSet<String>> =
        files.iter().map(|(m, code)| (m.clone(), references(m, code, &known))).collect();
    assert!(graph["whatif::piece"].contains("crate"), "the reference scan misses `crate::solve_model`");
    assert!(graph["validate"].contains("rules"), "the reference scan misses `use crate::rules`");
    assert!(
        graph["whatif"].contains("whatif::fill"),
        "the reference scan misses `use fill::Engine` in a mod.rs"
    );
    assert!(
        graph["solve"].contains("solve::tree"),
        "the reference scan misses `tree::search(..)` in a mod.rs"
    );
    assert!(graph["crate"].contains("solve"), "the reference scan misses lib.rs calling its modules");
    // lib.rs declares the modules and runs the pipeline, and a folder's mod.rs declares its
    // files and holds what they share (solve's `Limits`, the model types): a file may use the
    // modules it lies in. Every other circle is refused, including
    // one that passes through a mod.rs from outside its folder.
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((m, path)) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten().filter(|n| !is_ancestor(n, &m)) {
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

/// The rooms table of `docs/internals.md` ("The rooms and what each may import") stays true: every
/// source file is named in it, itself or by its folder, and every file or folder it names exists.
#[test]
fn the_rooms_table_of_the_internals_names_every_source_file_and_no_other() {
    let doc =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/internals.md")).unwrap();
    let start =
        doc.find("### The rooms and what each may import").expect("the rooms table in docs/internals.md");
    let table: Vec<&str> = doc[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    // The `files` column: inline code naming a file (`x.rs`) or a folder (`x/`), relative to src/.
    let mut named = BTreeSet::new();
    for row in table.iter().skip(2) {
        let files = row.split(" | ").nth(1).unwrap_or("");
        for code in files.split('`').skip(1).step_by(2) {
            if code.ends_with(".rs") || code.ends_with('/') {
                named.insert(code.trim_start_matches("src/").to_string());
            }
        }
    }
    assert!(named.len() >= 20, "read only {named:?} from the rooms table");
    let mut problems = Vec::new();
    for n in &named {
        if !src().join(n).exists() {
            problems.push(format!("the rooms table names `{n}`, which is not under src/"));
        }
    }
    let files = rust_files();
    for f in files {
        let rel = f.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/");
        let covered =
            named.contains(&rel) || named.iter().any(|n| n.ends_with('/') && rel.starts_with(n.as_str()));
        if !covered {
            problems.push(format!(
                "src/{rel} is in no room of the table: name it (or its folder) in docs/internals.md"
            ));
        }
    }
    assert!(problems.is_empty(), "docs/internals.md, The rooms:\n  {}", problems.join("\n  "));
}

/// Spreadsheets are read and written in separate rooms: no reading file of `sheets/` names a
/// writer (`sheets/write/`), and no writer names a reading file; both share `sheets::columns`.
#[test]
fn spreadsheet_readers_and_writers_never_import_each_other() {
    let files = library_files();
    let known: BTreeSet<String> = files.iter().map(|f| f.0.clone()).collect();
    let readers = ["sheets::read", "sheets::workbook", "sheets::xlsx", "sheets::meeting", "sheets::columns"];
    for r in readers {
        assert!(known.contains(r), "no module {r}: update this test");
    }
    let is_writer = |m: &str| m == "sheets::write" || m.starts_with("sheets::write::");
    assert!(known.iter().filter(|m| is_writer(m)).count() >= 3, "the writers are not under sheets/write/");
    let mut problems = Vec::new();
    for (module, code) in &files {
        let refs = references(module, code, &known);
        if readers.contains(&module.as_str()) {
            problems.extend(refs.iter().filter(|r| is_writer(r)).map(|r| format!("{module} names {r}")));
        }
        if is_writer(module) {
            problems.extend(
                refs.iter()
                    .filter(|r| readers.contains(&r.as_str()) && *r != "sheets::columns")
                    .map(|r| format!("{module} names {r}")),
            );
        }
    }
    assert!(problems.is_empty(), "a reader and a writer of spreadsheets meet:\n  {}", problems.join("\n  "));
}
