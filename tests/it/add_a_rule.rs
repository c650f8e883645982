//! The walk-through "How to add a rule" in `docs/internals.md` stays true of the code: every file
//! it names exists, and every row of its table of files names a line that file still holds.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The section "## How to add a rule", up to the next level-2 heading.
fn walk_through() -> String {
    let doc = std::fs::read_to_string(root().join("docs/internals.md")).unwrap();
    let start = doc.find("\n## How to add a rule").expect("docs/internals.md has `## How to add a rule`");
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// Inline code spans that name a file or folder of the repository.
fn paths(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.contains(' ') && !s.contains("::"))
        .filter(|s| {
            ["src/", "tests/", "docs/", "benches/", "models/"].iter().any(|p| s.starts_with(p))
                || (s.ends_with(".md") && !s.contains('/'))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_file_the_walk_through_names_exists() {
    let text = walk_through();
    let named = paths(&text);
    assert!(named.len() >= 20, "the walk-through names only {} files: {named:?}", named.len());
    let missing: Vec<&String> = named.iter().filter(|p| !root().join(p.as_str()).exists()).collect();
    assert!(
        missing.is_empty(),
        "docs/internals.md, How to add a rule, names files that do not exist: {missing:?}"
    );
}

#[test]
fn every_file_of_the_table_holds_the_line_it_is_known_by() {
    let text = walk_through();
    let mut rows = 0;
    let mut problems = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let [file, _, look_for] = cells[..] else {
            problems.push(format!("a row without three cells: {line}"));
            continue;
        };
        let (file, look_for) = (file.trim_matches('`'), look_for.trim_matches('`'));
        rows += 1;
        match std::fs::read_to_string(root().join(file)) {
            Ok(content) if content.contains(look_for) => {}
            Ok(_) => problems.push(format!("{file} no longer holds `{look_for}`: update the walk-through")),
            Err(e) => problems.push(format!("{file}: {e}")),
        }
    }
    assert!(rows >= 20, "the table of files has only {rows} rows");
    assert!(problems.is_empty(), "docs/internals.md, How to add a rule:\n  {}", problems.join("\n  "));
}

/// Every file the table names is among the files the steps name, and the other way round for
/// the source: the steps and the table tell one story.
#[test]
fn the_steps_and_the_table_name_the_same_source_files() {
    let text = walk_through();
    let (steps, table) = text.split_once("### The files").expect("a `### The files` table");
    let in_steps: BTreeSet<String> = paths(steps).into_iter().filter(|p| p.ends_with(".rs")).collect();
    let rows: String = table.lines().filter(|l| l.starts_with("| `")).collect::<Vec<_>>().join("\n");
    let in_table: BTreeSet<String> = paths(&rows).into_iter().filter(|p| p.ends_with(".rs")).collect();
    let only_table: Vec<&String> = in_table.difference(&in_steps).collect();
    assert!(only_table.is_empty(), "files in the table but in no step: {only_table:?}");
    // The capacity and structure notes name solver files that the permission steps need not.
    let only_steps: Vec<&String> = in_steps
        .difference(&in_table)
        .filter(|p| {
            !p.starts_with("src/solve/") && *p != "src/formulate.rs" && !p.starts_with("tests/it/docs")
        })
        .filter(|p| !p.starts_with("tests/it/add_a_rule"))
        .collect();
    assert!(only_steps.is_empty(), "files in the steps but not in the table: {only_steps:?}");
}
