//! The documents cannot rot: `docs/reference.md` is checked against the program itself.
//!
//! - every command of `caseload --help` has a section `### \`caseload COMMAND\`` in the reference,
//!   and every long flag its `--help` lists is named in that section (the global ones, such as
//!   `--threads`, in the section `### \`caseload\``); a section or a flag the program does not have
//!   is stale;
//! - every command line written in a document (`caseload COMMAND --flag ...`, in a code block or
//!   in inline code) names a command and flags that exist;
//! - every reason code (`ReasonCode`), every exit status (`cli::exit`), every field of the model
//!   file and every field of the proposal is in the reference.
//!
//! Work not yet merged is marked in a document with `<!-- pending: NAME ... -->`: command lines of
//! a command NAME that does not exist yet are skipped; once it exists, the marker must go.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The documents whose command lines are checked.
const DOCUMENTS: [&str; 5] =
    ["README.md", "docs/guide.md", "docs/reference.md", "docs/internals.md", "docs/performance.md"];

fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_caseload")).args(args).output().unwrap();
    assert!(o.status.success(), "caseload {}: {}", args.join(" "), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The commands `caseload --help` lists (not `help`).
fn commands(top: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in top.lines() {
        if line.starts_with("Commands:") {
            inside = true;
        } else if inside && line.trim().is_empty() {
            break;
        } else if inside {
            if let Some(name) = line.split_whitespace().next() {
                if name != "help" && line.starts_with("  ") && !line.starts_with("      ") {
                    out.push(name.to_string());
                }
            }
        }
    }
    assert!(out.len() >= 5, "found only {out:?} in caseload --help");
    out
}

/// The long flags a `--help` text lists under `Options:`: the first flags of each option line
/// (not flags named inside a description).
fn long_flags(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("Options:") {
            inside = true;
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with(' ') {
            inside = false;
        }
        let indent = line.len() - line.trim_start().len();
        if !inside || indent > 6 || !line.trim_start().starts_with('-') {
            continue;
        }
        let spec = line.trim_start().split("  ").next().unwrap_or("");
        out.extend(flags_in(spec));
    }
    out
}

/// Every `--flag` token in a text.
fn flags_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        let starts = b[i] == b'-' && b[i + 1] == b'-' && b[i + 2].is_ascii_lowercase();
        let after_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
        if starts && !after_word {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_lowercase() || b[j].is_ascii_digit() || b[j] == b'-') {
                j += 1;
            }
            out.push(text[i..j].trim_end_matches('-').to_string());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// A document without its HTML comments.
fn without_comments(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        rest = match rest[i..].find("-->") {
            Some(j) => &rest[i + j + 3..],
            None => "",
        };
    }
    out + rest
}

/// The names of the `<!-- pending: NAME ... -->` markers of a document.
fn pending(doc: &str) -> BTreeSet<String> {
    doc.match_indices("<!-- pending:")
        .filter_map(|(i, m)| doc[i + m.len()..].split_whitespace().next())
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_').to_string())
        .collect()
}

/// A document's sections: (heading level, heading text, body up to the next heading of that level
/// or above). Headings inside code blocks are not headings.
fn sections(doc: &str) -> Vec<(usize, String, String)> {
    let mut heads: Vec<(usize, usize, String)> = Vec::new(); // (line, level, text)
    let lines: Vec<&str> = doc.lines().collect();
    let mut fenced = false;
    for (n, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            let level = line.chars().take_while(|&c| c == '#').count();
            heads.push((n, level, line[level..].trim().to_string()));
        }
    }
    heads
        .iter()
        .enumerate()
        .map(|(k, (n, level, text))| {
            let end = heads[k + 1..].iter().find(|(_, l, _)| l <= level).map_or(lines.len(), |(m, _, _)| *m);
            (*level, text.clone(), lines[n + 1..end].join("\n"))
        })
        .collect()
}

fn section<'d>(secs: &'d [(usize, String, String)], heading: &str) -> &'d str {
    &secs
        .iter()
        .find(|(_, h, _)| h == heading)
        .unwrap_or_else(|| panic!("docs/reference.md has no section headed `{heading}`"))
        .2
}

/// Whether `caseload COMMAND FLAG` is accepted by the parser (a hidden flag is): clap says
/// "unexpected argument" for a flag it does not know.
fn accepts(command: &str, flag: &str, cache: &mut BTreeMap<(String, String), bool>) -> bool {
    *cache.entry((command.to_string(), flag.to_string())).or_insert_with(|| {
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args([command, flag])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        !String::from_utf8_lossy(&o.stderr).contains("unexpected argument")
    })
}

/// The program's commands and, per command, its long flags; `""` holds the global ones.
fn program() -> BTreeMap<String, BTreeSet<String>> {
    let top = help(&["--help"]);
    let mut out = BTreeMap::new();
    out.insert(String::new(), long_flags(&top));
    for c in commands(&top) {
        let flags = long_flags(&help(&[&c, "--help"]));
        out.insert(c, flags);
    }
    out
}

#[test]
fn every_command_and_flag_is_in_the_reference_under_its_command() {
    let program = program();
    let globals = &program[""];
    let reference = without_comments(&read("docs/reference.md"));
    let secs = sections(&reference);
    let mut problems = Vec::new();
    for (command, flags) in &program {
        let heading =
            if command.is_empty() { "`caseload`".to_string() } else { format!("`caseload {command}`") };
        let Some((_, _, body)) = secs.iter().find(|(l, h, _)| *l == 3 && *h == heading) else {
            problems.push(format!(
                "the command `caseload {command}` has no section headed \"### {heading}\"; add one"
            ));
            continue;
        };
        let named: BTreeSet<String> = flags_in(body).into_iter().collect();
        for flag in flags {
            let global_elsewhere = !command.is_empty() && globals.contains(flag);
            if !global_elsewhere && !named.contains(flag) {
                problems.push(format!(
                    "`caseload {command} {flag}` is not documented: name it under the heading \"### {heading}\""
                ));
            }
        }
    }
    assert!(problems.is_empty(), "docs/reference.md is behind the program:\n  {}", problems.join("\n  "));
}

#[test]
fn every_command_and_flag_the_reference_documents_exists() {
    let program = program();
    let reference = without_comments(&read("docs/reference.md"));
    let mut cache = BTreeMap::new();
    let mut problems = Vec::new();
    let mut seen = 0;
    for (level, heading, body) in sections(&reference) {
        let Some(name) = heading.strip_prefix("`caseload").and_then(|h| h.strip_suffix('`')) else {
            continue;
        };
        seen += 1;
        let command = name.trim();
        if level != 3 {
            problems.push(format!("\"{heading}\" should be a level-3 heading (###)"));
        }
        let Some(flags) = program.get(command) else {
            problems
                .push(format!("the section \"### {heading}\" documents a command the program does not have"));
            continue;
        };
        for flag in flags_in(&body).into_iter().collect::<BTreeSet<_>>() {
            let known = flags.contains(&flag) || program[""].contains(&flag);
            if !known && (command.is_empty() || !accepts(command, &flag, &mut cache)) {
                problems.push(format!("the section \"### {heading}\" names `{flag}`, which `caseload {command}` does not accept"));
            }
        }
    }
    assert!(seen >= program.len(), "found only {seen} command sections");
    assert!(
        problems.is_empty(),
        "docs/reference.md documents what is not there:\n  {}",
        problems.join("\n  ")
    );
}

/// Command lines in a document: `caseload COMMAND ...` in code blocks (a line, joined over
/// trailing backslashes) and in inline code (joined over line breaks).
fn command_lines(doc: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut fenced = false;
    let mut block = String::new();
    let mut prose = String::new();
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            block.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                block.push(' ');
            } else {
                spans.push(std::mem::take(&mut block));
            }
        } else {
            prose.push_str(line);
            prose.push(if line.trim().is_empty() { '\n' } else { ' ' });
        }
    }
    // Inline code: between pairs of backticks, paragraph by paragraph.
    for para in prose.split('\n') {
        spans.extend(para.split('`').skip(1).step_by(2).map(str::to_string));
    }
    let mut out = Vec::new();
    for span in spans {
        for (i, _) in span.match_indices("caseload ") {
            let before = span[..i].chars().last();
            if before.is_none_or(|c| c.is_whitespace() || c == '(' || c == '$') {
                out.push(span[i..].to_string());
            }
        }
    }
    out
}

#[test]
fn every_command_line_in_the_documents_names_real_commands_and_flags() {
    let program = program();
    let mut cache = BTreeMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in DOCUMENTS {
        let text = read(doc);
        let waiting = pending(&text);
        for name in &waiting {
            if program.contains_key(name.as_str()) {
                problems.push(format!(
                    "{doc}: `caseload {name}` exists now: document it and remove its `<!-- pending: {name} -->` markers"
                ));
            }
        }
        for line in command_lines(&without_comments(&text)) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(&command) = words.get(1) else { continue };
            if !command.chars().all(|c| c.is_ascii_lowercase()) {
                continue; // "caseload [--threads N] COMMAND", "caseload --help"
            }
            let Some(flags) = program.get(command) else {
                if !waiting.contains(command) {
                    problems.push(format!("{doc}: `{line}` names no command of the program"));
                }
                continue;
            };
            checked += 1;
            for flag in flags_in(&line) {
                if !flags.contains(&flag)
                    && !program[""].contains(&flag)
                    && !accepts(command, &flag, &mut cache)
                {
                    problems.push(format!("{doc}: `{line}`: `caseload {command}` has no flag `{flag}`"));
                }
            }
        }
    }
    assert!(checked >= 30, "found only {checked} command lines");
    assert!(problems.is_empty(), "stale command lines:\n  {}", problems.join("\n  "));
}

/// The source file (under `src/`) that contains `needle`.
fn source_with(needle: &str) -> (PathBuf, String) {
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
    walk(&root().join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .find_map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            text.contains(needle).then_some((f, text))
        })
        .unwrap_or_else(|| panic!("no file under src/ has `{needle}`; where did it go?"))
}

/// The body of `opening ... }` in a source file: the lines after the opening line up to the
/// first line that closes it at the same indentation.
fn body_of<'t>(text: &'t str, opening: &str) -> Vec<&'t str> {
    let start = text.find(opening).unwrap_or_else(|| panic!("no `{opening}`"));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..start];
    let close = format!("{indent}}}");
    text[start..].lines().skip(1).take_while(|l| l.trim_end() != close).collect()
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn every_reason_code_is_in_the_reference_and_every_code_there_is_real() {
    let (file, text) = source_with("pub enum ReasonCode {");
    let codes: BTreeSet<String> = body_of(&text, "pub enum ReasonCode {")
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.starts_with("//") && !l.starts_with('#') && !l.is_empty())
        .map(|l| snake(l.trim_end_matches(',')))
        .collect();
    assert!(codes.contains("at_capacity") && codes.len() >= 8, "{}: read {codes:?}", file.display());
    let reference = without_comments(&read("docs/reference.md"));
    let secs = sections(&reference);
    let reasons = section(&secs, "Reason codes");
    let mut problems = Vec::new();
    for code in &codes {
        if !reasons.contains(&format!("| `{code}` |")) {
            problems.push(format!("the reason code `{code}` has no row in the tables of `## Reason codes`"));
        }
    }
    for row in reasons.lines().filter(|l| l.starts_with("| `")) {
        let code = row[3..].split('`').next().unwrap_or("");
        if !codes.contains(code) {
            problems.push(format!("`## Reason codes` has a row for `{code}`, which is no reason code"));
        }
    }
    assert!(problems.is_empty(), "docs/reference.md:\n  {}", problems.join("\n  "));
}

#[test]
fn every_exit_status_is_in_the_reference_and_every_status_there_is_real() {
    let (_, text) = source_with("pub mod exit {");
    let statuses: BTreeSet<String> = body_of(&text, "pub mod exit {")
        .iter()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| l.split('=').nth(1))
        .map(|n| n.trim().trim_end_matches(';').to_string())
        .collect();
    assert!(statuses.len() >= 6, "read {statuses:?}");
    let reference = without_comments(&read("docs/reference.md"));
    let secs = sections(&reference);
    let table = section(&secs, "Exit statuses");
    let rows: BTreeSet<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(rows, statuses, "the rows of `## Exit statuses` against the statuses of cli::exit");
}

/// The serialised field names of a struct: each `pub` field, under its serde `rename` if any.
fn fields(name: &str) -> Vec<String> {
    let opening = format!("pub struct {name} {{");
    let (_, text) = source_with(&opening);
    let mut out = Vec::new();
    let mut rename = None;
    for line in body_of(&text, &opening) {
        let l = line.trim();
        if l.starts_with("#[serde(") {
            if let Some(i) = l.find("rename = \"") {
                rename = l[i + 10..].split('"').next().map(str::to_string);
            }
        } else if let Some(field) = l.strip_prefix("pub ").and_then(|f| f.split(':').next()) {
            out.push(rename.take().unwrap_or_else(|| field.trim().to_string()));
        }
    }
    assert!(!out.is_empty(), "read no field of {name}");
    out
}

#[test]
fn every_field_of_the_model_file_has_a_row_in_the_reference() {
    let reference = without_comments(&read("docs/reference.md"));
    let secs = sections(&reference);
    let mut problems = Vec::new();
    for (strukt, heading) in [
        ("WorkerInput", "Workers"),
        ("CaseInput", "Cases"),
        ("ReductionInput", "Reductions"),
        ("PolicyInput", "Policy"),
    ] {
        let table = section(&secs, heading);
        for f in fields(strukt) {
            if !table.contains(&format!("| `{f}` |")) {
                problems.push(format!("the model field `{f}` ({strukt}) has no row under `### {heading}`"));
            }
        }
    }
    let model = section(&secs, "The model file");
    for f in fields("ModelFile") {
        if !model.contains(&format!("`{f}`")) {
            problems.push(format!("the model file's `{f}` is not named under `## The model file`"));
        }
    }
    assert!(problems.is_empty(), "docs/reference.md:\n  {}", problems.join("\n  "));
}

#[test]
fn every_field_of_the_proposal_is_in_the_reference() {
    let reference = without_comments(&read("docs/reference.md"));
    let secs = sections(&reference);
    let proposal = section(&secs, "The proposal");
    let mut problems = Vec::new();
    for strukt in
        ["Proposal", "Allocation", "Unallocated", "Reason", "WorkerLoad", "Summary", "Moves", "Provenance"]
    {
        for f in fields(strukt) {
            if !proposal.contains(&format!("`{f}`")) && !proposal.contains(&format!("\"{f}\"")) {
                problems
                    .push(format!("the proposal's `{f}` ({strukt}) is not named under `## The proposal`"));
            }
        }
    }
    assert!(problems.is_empty(), "docs/reference.md:\n  {}", problems.join("\n  "));
}

/// The tests themselves: a flag the reference lacks is found and named.
#[test]
fn the_flag_parser_reads_option_lines_only() {
    let text = "Usage: x\n\nOptions:\n      --workers <CSV>  Workers (needs --cases)\n  -o, --output <OUTPUT>\n          Where; see --time-limit\n  -h, --help  Print help\n\nExit status:\n  0  --not-a-flag\n";
    let flags: Vec<String> = long_flags(text).into_iter().collect();
    assert_eq!(flags, ["--help", "--output", "--workers"]);
    assert_eq!(flags_in("`a --b-c` and --d, x--e"), ["--b-c", "--d"]);
    let doc = "# A\n## B\ntext --x\n```\n# not a heading\n```\n### `caseload y`\n--z\n## C\n";
    let secs = sections(doc);
    assert_eq!(secs.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), ["A", "B", "`caseload y`", "C"]);
    assert!(secs[1].2.contains("--z") && !secs[3].2.contains("--z"));
    assert_eq!(without_comments("a <!-- pending: accept (soon) --> b"), "a  b");
    assert_eq!(pending("<!-- pending: accept (soon) -->\n<!-- pending: waiting_priority -->").len(), 2);
    assert_eq!(
        command_lines("run `caseload\ncheck --json` now\n```\n$ caseload allocate m \\\n  -o p\n```\n"),
        ["caseload allocate m    -o p", "caseload check --json"]
    );
}
