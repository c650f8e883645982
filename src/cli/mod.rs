//! The command layer (binary only): flags, exit statuses, everything printed, progress bars and
//! the Ctrl-C flag live here and nowhere else. Each command is a file: it lowers its flags to the
//! library's plain options, calls the library and prints what came back. The library never
//! prints, exits or parses flags; it returns results and typed errors ([`Error`]), and
//! [`status_of`] is the one place an error becomes an exit status.

mod accept;
mod allocate;
mod check;
mod compare;
mod convert;
mod generate;
mod progress;
mod pseudonymise;
mod recommend;
mod template;
mod whatif;

use caseload::error::{Error, Result};
use caseload::model::{AsOf, CaseType, Date};
use caseload::sheets::{SheetInput, SheetOutput};
use caseload::solve::Limits;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Exit statuses, as documented in `--help` and the README.
pub mod exit {
    /// Done.
    pub const OK: i32 = 0;
    /// `check` found breaches.
    pub const BREACHES: i32 = 1;
    /// The input is invalid; nothing was written.
    pub const INVALID: i32 = 2;
    /// Output was written, but a time limit, a node limit or Ctrl-C stopped the search before
    /// optimality was proven (`"optimal": false`).
    pub const NOT_PROVEN: i32 = 3;
    /// An output file could not be written; any existing file is untouched.
    pub const WRITE: i32 = 4;
    /// Internal solver failure (a bug; please report it with the model's hash).
    pub const SOLVER: i32 = 5;
    /// An internal error (a panic: a bug); the same status as a solver failure.
    pub const INTERNAL: i32 = 5;
    /// A proposal was written, but cases of a type named by `--fail-on-unallocated` stay unallocated.
    pub const UNALLOCATED: i32 = 6;
}

const EXIT_HELP: &str = "Exit status:
  0  done
  1  check found breaches; compare found a difference or a breach
  2  the input is invalid (the message names the file, the place and the problem); nothing written
  3  output written, but the time limit, node limit or Ctrl-C stopped the search before optimality was proven
  4  an output file could not be written (an existing file is left untouched)
  5  internal error (a solver failure or another bug; please report it)
  6  proposal written, but cases of a type given to --fail-on-unallocated are unallocated";

const ALLOCATE_EXIT: &str = "Exit status:
  0  proposal written, proven optimal
  2  the input is invalid (the message names the file, the place and the problem), or a warning
     under --strict, or an empty model without --allow-empty; nothing written
  3  proposal written, but the time limit, node limit or Ctrl-C stopped the search before
     optimality was proven
  4  an output file could not be written (an existing file is left untouched)
  5  internal error (a solver failure or another bug; please report it)
  6  proposal written, but cases of a type given to --fail-on-unallocated are unallocated
A batch exits with the worst status of its models.";

const ACCEPT_EXIT: &str = "Exit status:
  0  next week's model written (any file it replaced kept beside it, dated)
  1  the accepted allocation breaks a rule of SPEC section 3 (listed); nothing written
     (give --accept-breaches to accept and record them)
  2  the input is invalid (the message names the file, the place and the problem; for a
     meeting workbook, the sheet, row and column); nothing written
  4  an output file could not be written (an existing file is left untouched)";

const CHECK_EXIT: &str = "Exit status:
  0  no breaches
  1  breaches found (listed on standard output)
  2  the input is invalid (the message names the file, the place and the problem)
  4  standard output refused the findings (a full disk, /dev/full)";

const RECOMMEND_EXIT: &str = "Exit status:
  0  ranking printed (and written), every objective proven optimal
  2  the input is invalid (the message names the file, the place and the problem; a referral's
     errors name its file and field, or its flag), or no such case
  3  ranking printed, but the time limit, node limit or Ctrl-C stopped a search before
     optimality was proven (those workers are marked)
  4  the JSON file could not be written (an existing file is left untouched), or standard
     output refused the ranking
  5  internal error (a solver failure or another bug; please report it)";

const COMPARE_EXIT: &str = "Exit status:
  0  both are lawful and every child has the same worker (or none) in both
  1  some child's worker differs, or either breaks a rule of SPEC section 3 (rules 1-10, every
     case once); stale statements alone (a stated objective, load, change or reason) do not
  2  the input is invalid (the message names the file, the place and the problem)
  4  the JSON file could not be written, or standard output refused the findings";

const CONVERT_EXIT: &str = "Exit status:
  0  written
  2  the input is invalid (the message names the file, the place and the problem); nothing written
  4  an output file could not be written (an existing file is left untouched)";

const GENERATE_EXIT: &str = "Exit status:
  0  written
  2  the options are invalid; nothing written
  4  the model could not be written";

const WHATIF_EXIT: &str = "Exit status:
  0  every scenario solved and proven optimal
  2  the input or a scenario option is invalid; nothing written
  3  some scenario stopped before optimality was proven
  4  an output file could not be written, or standard output refused the table
  5  internal error (a solver failure or another bug; please report it)";

/// caseload: lawful, optimal allocation of children's social care cases.
#[derive(Parser, Debug)]
#[command(name = "caseload", version, about, after_help = EXIT_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Worker threads (default: all cores). The proposal is the same for any number.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
}

/// Commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Solve a model and write an allocation proposal.
    #[command(after_help = ALLOCATE_EXIT)]
    Allocate(allocate::AllocateArgs),
    /// Carry the allocation the meeting accepted (a proposal, or the edited meeting workbook)
    /// into next week's model: current workers, previous workers, since when children wait.
    #[command(after_help = ACCEPT_EXIT)]
    Accept(accept::AcceptArgs),
    /// Check a proposal against the rules; without PROPOSAL, audit today's allocation.
    #[command(after_help = CHECK_EXIT)]
    Check(check::CheckArgs),
    /// Turn spreadsheets (an Excel workbook or CSV) into a model file, or a model file into
    /// spreadsheets.
    #[command(after_help = CONVERT_EXIT)]
    Convert(convert::ConvertArgs),
    /// Replace every worker id, case id and group name with a keyed hash (HMAC-SHA256), so a
    /// model can leave the case management system without names or system ids.
    #[command(after_help = CONVERT_EXIT)]
    Pseudonymise(pseudonymise::PseudonymiseArgs),
    /// Write a starter Excel workbook to fill in: sheets workers, cases, reductions, policy
    /// (the England defaults, each explained) and aliases, with dropdowns and a "how to" sheet.
    #[command(after_help = GENERATE_EXIT)]
    Template(template::TemplateArgs),
    /// Write a seeded synthetic model (for benchmarks, tests and demonstrations).
    #[command(after_help = GENERATE_EXIT)]
    Generate(generate::GenerateArgs),
    /// Who should take this child? Every worker who may lawfully take one case (of the model,
    /// or a new referral), ranked by the optimum of the whole model with the case placed there,
    /// and for every other worker the rule that stops them.
    #[command(after_help = RECOMMEND_EXIT)]
    Recommend(recommend::RecommendArgs),
    /// Compare two proposals of one model (say, the proposal and an edited copy): lawfulness,
    /// the objective term by term, the children whose worker differs, the loads that change.
    #[command(after_help = COMPARE_EXIT)]
    Compare(compare::CompareArgs),
    /// Plan: fill vacancies, change caps, targets or demand, hire, lose workers; compare.
    #[command(after_help = WHATIF_EXIT)]
    Whatif(whatif::WhatifArgs),
}

/// Set by Ctrl-C: the search stops and the best proposal found so far is written.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Parses the flags, runs the command, prints any error and returns the exit status.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::Relaxed));
    // The last line of defence: a panic (a bug) is a plain message and exit status 5, never a
    // backtrace or an abort in front of a user.
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(
            std::io::stderr(),
            "caseload: internal error: {}\nThis is a bug in caseload, not a mistake in your files; \
             please report it with the command you ran. Outputs not reported as written were not replaced.",
            terminal_safe(&info.to_string())
        );
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli)));
    let code = match outcome {
        Err(_) => exit::INTERNAL,
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            // Never panic, even with stderr closed.
            let _ = writeln!(std::io::stderr(), "caseload: {}", terminal_safe(&e.to_string()));
            status_of(&e)
        }
    };
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}

/// Runs a command; returns the exit status.
fn run(cli: Cli) -> Result<i32> {
    // A harmless way to prove the panic hook from the tests: a deliberate internal error.
    if std::env::var_os("CASELOAD_DEBUG_PANIC").is_some() {
        panic!("CASELOAD_DEBUG_PANIC is set");
    }
    caseload::date::check_source_date_epoch()?;
    start_threads(cli.threads)?;
    match cli.command {
        Command::Allocate(a) => allocate::run(&a),
        Command::Accept(a) => accept::run(&a),
        Command::Check(c) => check::run(&c),
        Command::Convert(c) => convert::run(&c),
        Command::Pseudonymise(p) => pseudonymise::run(&p),
        Command::Generate(g) => generate::run(&g),
        Command::Template(t) => template::run(&t),
        Command::Whatif(w) => whatif::run(&w),
        Command::Recommend(r) => recommend::run(&r),
        Command::Compare(c) => compare::run(&c),
    }
}

/// The most worker threads: 256. A thread costs its stack and its share of every parallel
/// step, and no machine caseload runs on gains from more (the results are the same for any
/// number); beyond it a pool of thousands took minutes to start, and one the system could not
/// give was a crash.
pub const MAX_THREADS: usize = 256;

/// How many worker threads to run: `--threads N` (0 is 1), else `RAYON_NUM_THREADS` when it is
/// a number above 0 (as rayon reads it), else one a core; at most [`MAX_THREADS`].
pub fn thread_count(flag: Option<usize>, env: Option<&str>) -> Result<usize> {
    let too_many = |what: String, n: usize| {
        Error::Usage(format!(
            "{what} asks for {n} worker threads; at most {MAX_THREADS} are allowed (the results are the same for any number)"
        ))
    };
    if let Some(n) = flag {
        return if n > MAX_THREADS { Err(too_many(format!("--threads {n}"), n)) } else { Ok(n.max(1)) };
    }
    match env.map(str::trim).and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0) {
        Some(n) if n > MAX_THREADS => Err(too_many(format!("RAYON_NUM_THREADS={n}"), n)),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS)),
    }
}

/// Starts the one pool of worker threads, of [`thread_count`] threads, before any work: a pool
/// the system cannot give (too little memory, a limit on processes) is an error saying so, never
/// a crash at the first parallel step.
fn start_threads(flag: Option<usize>) -> Result<()> {
    let env = std::env::var("RAYON_NUM_THREADS").ok();
    let n = thread_count(flag, env.as_deref())?;
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global().map_err(|e| {
        Error::Usage(format!(
            "cannot start {n} worker threads ({e}); give fewer with --threads (or RAYON_NUM_THREADS)"
        ))
    })
}

/// The exit status of an error: the one place where errors become statuses.
pub fn status_of(e: &Error) -> i32 {
    match e {
        Error::Input { .. } | Error::Inputs { .. } | Error::Read { .. } | Error::Usage(_) => exit::INVALID,
        Error::Write { .. } => exit::WRITE,
        Error::Solver(_) => exit::SOLVER,
    }
}

/// `--node-limit`, the same on every command that solves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeLimit {
    /// `auto`, the default: [`caseload::solve::DEFAULT_NODE_LIMIT`] nodes per part, and each
    /// root relaxation its allowance beyond them ([`Limits::root_allowance`]).
    #[default]
    Auto,
    /// Exactly this many nodes per part; 0 for no limit.
    Nodes(u64),
}

/// A node limit from `auto`, a number of nodes, or `0` (no limit).
pub fn parse_node_limit(s: &str) -> std::result::Result<NodeLimit, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("auto") {
        return Ok(NodeLimit::Auto);
    }
    t.parse::<u64>().map(NodeLimit::Nodes).map_err(|_| {
        format!("{s:?} is not a node limit; write auto (the default), a number of nodes such as 20000, or 0 for none")
    })
}

/// The limits of a solve: `--time-limit` counted from now, `--node-limit`, Ctrl-C.
pub fn limits(time_limit: Option<f64>, node_limit: NodeLimit) -> Result<Limits<'static>> {
    let deadline = match time_limit {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(Error::Usage(format!("--time-limit must be a number of seconds >= 0, got {s}")))
        }
        Some(s) => Some(Instant::now() + Duration::from_secs_f64(s.min(1e9))),
        None => None,
    };
    Ok(Limits {
        deadline,
        stop: Some(&INTERRUPTED),
        node_limit: match node_limit {
            NodeLimit::Auto => Some(caseload::solve::DEFAULT_NODE_LIMIT),
            NodeLimit::Nodes(n) => (n > 0).then_some(n),
        },
        root_allowance: node_limit == NodeLimit::Auto,
        observer: progress::observer(false),
        trace: progress::trace_wanted(),
        district_columns: None,
        relaxation_only: false,
    })
}

/// Whether an output flag names standard output (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Whether an output path names what standard output is: `-`, or a path that opens the same
/// file (`/dev/stdout`, `/proc/self/fd/1`, or the file standard output is redirected to),
/// compared by device and inode, not by the path's text. `/dev/null` is never counted: what is
/// thrown away cannot mix.
pub fn names_stdout(path: &Path) -> bool {
    is_stdout(path) || same_file_as_stdout(path)
}

#[cfg(unix)]
fn same_file_as_stdout(path: &Path) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else { return false };
    let Ok(out) = std::fs::File::from(fd).metadata() else { return false };
    let Ok(meta) = std::fs::metadata(path) else { return false };
    let id = |m: &std::fs::Metadata| (m.dev(), m.ino());
    if std::fs::metadata("/dev/null").is_ok_and(|null| id(&null) == id(&meta)) {
        return false;
    }
    id(&meta) == id(&out)
}

#[cfg(not(unix))]
fn same_file_as_stdout(_: &Path) -> bool {
    false
}

/// Writes an output: to standard output for `-`, else atomically to the file.
pub fn emit(path: &Path, bytes: &[u8]) -> Result<()> {
    if !is_stdout(path) {
        return caseload::write::atomic_write(path, bytes);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::Write { path: PathBuf::from("standard output (-)"), problem: e.to_string() })
}

/// The outputs of one run, gathered and then written together ([`Stage::commit`]): every
/// file is made in full before the first replaces anything, and if any cannot be made none is
/// replaced. Standard output (`-`) is written last, once the files are in place.
#[derive(Default)]
pub struct Stage {
    files: std::cell::RefCell<Vec<(PathBuf, Vec<u8>)>>,
}

impl Stage {
    /// Gathers an output (the library's [`caseload::sheets::Put`]).
    pub fn put(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.files.borrow_mut().push((path.to_path_buf(), bytes.to_vec()));
        Ok(())
    }

    /// Writes every gathered output: all files or none, then standard output.
    pub fn commit(self) -> Result<()> {
        let (out, files): (Vec<_>, Vec<_>) =
            self.files.into_inner().into_iter().partition(|(p, _)| is_stdout(p));
        caseload::write::atomic_write_all(&files)?;
        for (p, b) in out {
            emit(&p, &b)?;
        }
        Ok(())
    }
}

/// Refuses `-` for an option that names a directory: standard output cannot hold its files.
pub fn no_stdout_dir(flag: &str, dir: Option<&Path>) -> Result<()> {
    match dir {
        Some(d) if is_stdout(d) => Err(Error::Usage(format!(
            "{flag} names a directory for several files; standard output (-) cannot hold them"
        ))),
        _ => Ok(()),
    }
}

/// Refuses two outputs on standard output: they would be mixed into one stream, or (standard
/// output redirected to a file) one would replace the other. An output counts as standard
/// output when it is `-` or opens the same file ([`names_stdout`]: `/dev/stdout`,
/// `/proc/self/fd/1`, the file standard output goes to).
pub fn one_stdout<'a>(outputs: impl IntoIterator<Item = (&'a str, Option<&'a Path>)>) -> Result<()> {
    let to_stdout: Vec<String> = outputs
        .into_iter()
        .filter_map(|(flag, p)| p.filter(|p| names_stdout(p)).map(|p| format!("{flag} {}", p.display())))
        .collect();
    if to_stdout.len() > 1 {
        return Err(Error::Usage(format!(
            "{} all name standard output (- or the file it goes to); give files to all but one",
            to_stdout.join(" and ")
        )));
    }
    Ok(())
}

/// The kind of file a name says it is, by its extension (`.xlsx`, `.csv`, ...).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Json,
    Workbook,
    Csv,
    Html,
}

impl Kind {
    /// The kind `path`'s name says; none for a name without a known extension. The name as
    /// given: [`named_as_written`] also asks it of the file a link names.
    pub fn named(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => Kind::Json,
            "xlsx" | "xlsm" | "xls" | "ods" => Kind::Workbook,
            "csv" | "tsv" => Kind::Csv,
            "html" | "htm" => Kind::Html,
            _ => return None,
        })
    }

    fn said(self) -> &'static str {
        match self {
            Kind::Json => "JSON",
            Kind::Workbook => "a spreadsheet workbook",
            Kind::Csv => "CSV",
            Kind::Html => "an HTML page",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Json => ".json",
            Kind::Workbook => ".xlsx",
            Kind::Csv => ".csv",
            Kind::Html => ".html",
        }
    }
}

/// Refuses an output whose name says it is another kind of file than is written there:
/// `allocate -o proposal.xlsx` would write JSON that Excel refuses to open, while the person
/// looks for the meeting workbook. Each output is its flag, its path and the kind written
/// there; `elsewhere` says, for a kind the command writes another way, how (`{name}` stands
/// for the path given: `--xlsx {name}`). A name without a known extension and standard output
/// pass. A symbolic link is judged by its own name and by the name of the file
/// it leads to, which the writer replaces ([`caseload::write::replaced_file`]): `-o latest`,
/// with `latest -> week.xlsx`, would put JSON in `week.xlsx`. First, every output must be
/// one the end of the run can write ([`caseload::write::ready`]): no directory, and no file in
/// a directory that does not exist.
pub fn named_as_written<'a>(
    outputs: impl IntoIterator<Item = (&'a str, Option<&'a Path>, Kind)>,
    elsewhere: &[(Kind, &str)],
) -> Result<()> {
    let wrong = |p: &Path, writes: Kind| Kind::named(p).filter(|k| *k != writes);
    let ext = |p: &Path| p.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    for (flag, path, writes) in outputs {
        let Some(path) = path.filter(|p| !is_stdout(p)) else { continue };
        caseload::write::ready(flag, path)?;
        let name = path.display().to_string();
        // The name as given, then the file a link leads to (whose name is the same without one).
        let (named, which, link) = match wrong(path, writes) {
            Some(named) => (named, format!("the name ends in .{}", ext(path)), ""),
            None => {
                let Some(file) = caseload::write::replaced_file(path) else { continue };
                let Some(named) = wrong(&file, writes) else { continue };
                let which = format!(
                    "{name} is a symbolic link to {}, whose name ends in .{}",
                    file.display(),
                    ext(&file)
                );
                (named, which, ", or point the link at one")
            }
        };
        let instead = match elsewhere.iter().find(|(k, _)| *k == named) {
            Some((_, how)) => format!("; for {} give {}", named.said(), how.replace("{name}", &name)),
            None => String::new(),
        };
        return Err(Error::Usage(format!(
            "{flag} {name}: {flag} writes {}, but {which}, which says {}: a program opening it by its name would refuse it{instead}; give {flag} a name ending in {}{link}",
            writes.said(),
            named.said(),
            writes.extension()
        )));
    }
    Ok(())
}

/// Refuses two inputs from standard input (`--workers - --cases -`, `compare - - B.json`,
/// `recommend - --referral -`): the first would read it all and the second find it empty. The
/// one check for every command's inputs, as [`one_stdout`] is for its outputs; each input is
/// named as the person gave it (a flag, or `MODEL`, `A`, `PROPOSAL`).
pub fn one_stdin<'a>(inputs: impl IntoIterator<Item = (&'a str, Option<&'a Path>)>) -> Result<()> {
    let from_stdin: Vec<String> = inputs
        .into_iter()
        .filter(|(_, p)| p.is_some_and(is_stdout))
        .map(|(name, _)| name.to_string())
        .collect();
    if from_stdin.len() > 1 {
        return Err(Error::Usage(format!(
            "{} all name standard input (-); only one input can come from it, give files for the others",
            caseload::words::and_list(&from_stdin)
        )));
    }
    Ok(())
}

/// Text made safe for a terminal: every control character but the line end and the tab, and
/// every Unicode direction override, is shown escaped (`\u{1b}`), so an id holding an escape
/// sequence cannot retitle the window, clear the screen or reorder a line. So is every invisible
/// character that can sit in an id unseen (a zero-width space, a word joiner, a byte-order mark,
/// a soft hyphen, a direction mark): `no worker "W02\u{200b}"` says why `W02` was not found. The
/// one helper for every line caseload prints ([`say`], warnings, errors).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(
                c,
                '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200b}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{2060}'
                    | '\u{feff}'
                    | '\u{00ad}'
            )
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes a message for people: to stdout, or to stderr when `stdout_taken` (an output went to
/// standard output and must not be mixed with words). A closed pipe (`caseload ... | head`) is not
/// an error: the files are already written, and a batch job must not crash on it.
pub fn say(text: &str, stdout_taken: bool) {
    let text = &*terminal_safe(text);
    if stdout_taken {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    } else {
        let _ = to_stdout(text);
    }
}

/// Writes `text` to standard output and flushes it: what [`say`] and [`tell`] both print.
fn to_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush())
}

/// Writes a command's words when they are its output (`check`'s breaches, `recommend`'s,
/// `whatif`'s and `compare`'s tables), as [`say`] does, except that a standard output that
/// refuses them (`> /dev/full`, a full disk) is a write error (exit status 4), as `-o -` is: a
/// cron job must not take a report nobody could read for done. A closed pipe (`caseload check
/// ... | head -c1`) is still no error: its reader has stopped reading, not lost the words.
pub fn tell(text: &str, stdout_taken: bool) -> Result<()> {
    if stdout_taken {
        say(text, true);
        return Ok(());
    }
    match to_stdout(&terminal_safe(text)) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Write { path: PathBuf::from("standard output"), problem: e.to_string() })
        }
        _ => Ok(()),
    }
}

/// Where a written output went, for the summary.
pub fn shown(path: &Path) -> String {
    if is_stdout(path) {
        "standard output".into()
    } else {
        path.display().to_string()
    }
}

/// A case type in the canonical name or an everyday word (the words table of
/// `caseload::vocabulary`), as a spreadsheet reads it.
fn parse_case_type(s: &str) -> std::result::Result<CaseType, String> {
    caseload::vocabulary::case_type(s).ok_or_else(|| {
        format!(
            "unknown case type {s:?}{}; use one of {}, or an everyday word such as CP, CIN, LAC or care leaver",
            caseload::vocabulary::Vocabulary::default().suggest_type(s),
            CaseType::ALL.map(|t| t.name()).join(", ")
        )
    })
}

/// A model given as spreadsheets instead of a model file.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct SheetInputArgs {
    /// Workers as a CSV spreadsheet, instead of MODEL (needs --cases).
    #[arg(long, value_name = "CSV")]
    pub workers: Option<PathBuf>,
    /// Cases as a CSV spreadsheet, instead of MODEL (needs --workers).
    #[arg(long, value_name = "CSV")]
    pub cases: Option<PathBuf>,
    /// Policy as a JSON object (the model file's "policy"), with --workers and --cases, or
    /// with a --workbook that has no policy sheet.
    #[arg(long, value_name = "JSON")]
    pub policy: Option<PathBuf>,
    /// The model as an Excel workbook with sheets "workers", "cases" and optionally "policy",
    /// instead of MODEL.
    #[arg(long, value_name = "XLSX", conflicts_with_all = ["workers", "cases"])]
    pub workbook: Option<PathBuf>,
    /// Dated reductions of workers' caps as a CSV spreadsheet (worker, amount, from, to,
    /// reason), with --workers and --cases. A workbook has a sheet "reductions" instead.
    #[arg(long, value_name = "CSV")]
    pub reductions: Option<PathBuf>,
    /// A council's own words for roles and case types as a CSV spreadsheet (word, means),
    /// with --workers and --cases. A workbook has a sheet "aliases" instead.
    #[arg(long, value_name = "CSV")]
    pub aliases: Option<PathBuf>,
}

impl SheetInputArgs {
    /// The spreadsheet inputs by flag, for [`one_stdin`].
    pub fn inputs(&self) -> [(&'static str, Option<&Path>); 6] {
        [
            ("--workers", self.workers.as_deref()),
            ("--cases", self.cases.as_deref()),
            ("--policy", self.policy.as_deref()),
            ("--workbook", self.workbook.as_deref()),
            ("--reductions", self.reductions.as_deref()),
            ("--aliases", self.aliases.as_deref()),
        ]
    }

    /// The library's options.
    pub fn lower(&self) -> SheetInput {
        SheetInput {
            workers: self.workers.clone(),
            cases: self.cases.clone(),
            policy: self.policy.clone(),
            workbook: self.workbook.clone(),
            reductions: self.reductions.clone(),
            aliases: self.aliases.clone(),
            near_misses: false,
        }
    }
}

/// Checks on a loaded model beyond the rules: `--strict`, `--allow-empty` and
/// `--allow-near-misses`.
#[derive(clap::Args, Debug, Default, Clone, Copy)]
pub struct InputChecksArgs {
    /// Treat warnings (a needed skill that differs from a worker's only by case or spacing, a
    /// team with cases but no active worker or workers but no cases, ids that differ only by
    /// case or accents) as input errors: exit status 2 and nothing written. For cron.
    #[arg(long)]
    pub strict: bool,
    /// Accept a model with no cases or no workers. Without it an empty caseload or workforce is
    /// an input error (exit status 2), so an empty export cannot replace last week's proposal.
    #[arg(long)]
    pub allow_empty: bool,
    /// Go on when a case's team or a needed skill matches nothing but is a near-miss of one that
    /// exists (`T0l` for `T01`, `urdu ` for `Urdu`): the near-miss stays a warning. Without it,
    /// such a near-miss is an input error (exit status 2, nothing written), since it leaves a
    /// child without a worker.
    #[arg(long)]
    pub allow_near_misses: bool,
    /// The day to read the model for, YYYY-MM-DD: workers' reductions in force on it are taken
    /// off their caps and targets, and the proposal records it. Default: today (UTC, or the day
    /// SOURCE_DATE_EPOCH gives); `check` with a PROPOSAL defaults to the date it records.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
}

impl InputChecksArgs {
    /// The library's options: the day is `--date`, or today.
    pub fn checks(&self) -> caseload::warnings::Checks {
        self.checks_on(None)
    }

    /// The library's options, with `fallback` as the day when `--date` is not given (a checked
    /// proposal's recorded date); today when neither is.
    pub fn checks_on(&self, fallback: Option<Date>) -> caseload::warnings::Checks {
        // The day a proposal records is the day the model is read for, but not a day named to
        // this command: `allocate` judges no wait after its day unless it was named (`--date`),
        // and its proposal does not say whether it was, so neither is it judged here. Every
        // proposal `allocate` writes for the model then checks; `--date` is still judged.
        let day = self.date.or(fallback).unwrap_or_else(today);
        let as_of = AsOf { date: day, stated: self.date.is_some() };
        caseload::warnings::Checks {
            strict: self.strict,
            allow_empty: self.allow_empty,
            allow_near_misses: self.allow_near_misses,
            as_of: Some(as_of),
        }
    }

    /// The model read again (by `load`, given these options for that day) for the day the
    /// meeting workbook `p` was written for, when `model` is read for another (a day retyped on
    /// its summary, or `--date`): what its workers sheet shows the workers as of. `None` when
    /// the days agree, or the model cannot be read again (standard input).
    pub fn model_as_written(
        &self,
        p: &caseload::check::ProposalIn,
        model: &caseload::model::Model,
        load: impl FnOnce(caseload::warnings::Checks) -> Result<caseload::model::Model>,
    ) -> Option<caseload::model::Model> {
        let day = p.written_for().filter(|d| Some(*d) != model.date)?;
        load(caseload::warnings::Checks {
            as_of: Some(AsOf { date: day, stated: true }),
            ..self.checks_on(None)
        })
        .ok()
    }
}

/// Today (UTC), or the day `SOURCE_DATE_EPOCH` gives when it is set, as the report dates itself:
/// the one place the command layer reads the clock for the model's day.
pub fn today() -> Date {
    Date::from_unix_secs(caseload::date::stamp_secs())
}

pub fn parse_date(s: &str) -> std::result::Result<Date, String> {
    Date::parse(s.trim())
}

/// Prints warnings on standard error, one a line, as `caseload: warning: ... [code]`.
pub fn print_warnings(warnings: &[caseload::warnings::Warning]) {
    let text: String = warnings
        .iter()
        .map(|w| format!("caseload: warning: {} [{}]\n", caseload::util::one_line(&w.message), w.code))
        .collect();
    say(&text, true);
}

/// A duration in seconds from `10`, `10s`, `1.5m`, `2h`, `500ms` or a number in exponent form
/// (`1e3`, `2.5E-1s`): finite and not negative (`inf`, `NaN` and `-1` are refused).
pub fn parse_duration(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim();
    // The unit is the letters at the end, so that the `e` of `1e3` stays in the number.
    let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    let (num, unit) = (t[..split].trim(), t[split..].trim().to_ascii_lowercase());
    let scale = match unit.as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "ms" => 0.001,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        _ => f64::NAN,
    };
    // `-0` is 0 seconds, not a negative duration.
    match num.parse::<f64>().map(|x| x * scale + 0.0) {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "{s:?} is not a duration; write seconds such as 10 or 10s, minutes such as 2m, or hours such as 1h"
        )),
    }
}

/// Extra outputs of `allocate`.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct SheetOutputArgs {
    /// Also write allocations.csv, unallocated.csv and workers.csv into this directory
    /// (created if missing).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Also write a self-contained HTML report for the team manager (opens offline, prints;
    /// `-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Also write one Excel workbook for the allocation meeting: allocations, unallocated
    /// (with reasons and what to tell the family), workers (with load as a share of target)
    /// and moves (each change of worker with why); `-` for standard output.
    #[arg(long, value_name = "XLSX")]
    pub xlsx: Option<PathBuf>,
}

impl SheetOutputArgs {
    /// The library's options.
    pub fn lower(&self) -> SheetOutput {
        SheetOutput { csv: self.csv.clone(), report: self.report.clone(), xlsx: self.xlsx.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_its_documented_exit_status() {
        assert_eq!(status_of(&Error::input("m.json", "version", "bad")), exit::INVALID);
        assert_eq!(status_of(&Error::Usage("x".into())), exit::INVALID);
        assert_eq!(status_of(&Error::Write { path: "p".into(), problem: "full".into() }), exit::WRITE);
        assert_eq!(status_of(&Error::Solver("bug".into())), exit::SOLVER);
    }

    #[test]
    fn durations_take_units_and_refuse_nonsense() {
        assert_eq!(parse_duration("2m"), Ok(120.0));
        assert_eq!(parse_duration(" 1.5 s "), Ok(1.5));
        assert_eq!(parse_duration("500ms"), Ok(0.5));
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("3 fortnights").is_err());
    }

    /// `--time-limit 1e3` was refused as "not a duration": the unit was taken from the first
    /// letter on, so the `e` of the exponent made `e3` a unit. A number in exponent form reads,
    /// with a unit or none; what is not a finite duration of at least 0 is still refused.
    #[test]
    fn durations_read_numbers_in_exponent_form_and_refuse_the_rest() {
        assert_eq!(parse_duration("1e3"), Ok(1000.0));
        assert_eq!(parse_duration("1E3"), Ok(1000.0));
        assert_eq!(parse_duration("2.5e-1s"), Ok(0.25));
        assert_eq!(parse_duration(" 1e+2 ms "), Ok(0.1));
        assert_eq!(parse_duration("1e1m"), Ok(600.0));
        assert_eq!(parse_duration("0e0"), Ok(0.0));
        assert_eq!(parse_duration("-0").map(f64::to_bits), Ok(0.0f64.to_bits()));
        for bad in [
            "1e",
            "e3",
            "1e3e",
            "1 e3",
            "-1e3",
            "1e400",
            "1e308h",
            "inf",
            "infs",
            "inf s",
            "Infinity",
            "-inf",
            "NaN",
            "nan s",
            "1e3 fortnights",
            "",
            "s",
            "1.5.2",
            "0x10",
        ] {
            let e = parse_duration(bad);
            assert!(e.as_ref().is_err_and(|e| e.contains("is not a duration")), "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn two_outputs_on_standard_output_are_refused() {
        let dash = PathBuf::from("-");
        let file = PathBuf::from("x.json");
        assert!(one_stdout([("--json", Some(dash.as_path())), ("--csv", Some(file.as_path()))]).is_ok());
        assert!(one_stdout([("--json", Some(dash.as_path())), ("--csv", Some(dash.as_path()))]).is_err());
        assert!(one_stdin([
            ("MODEL", Some(dash.as_path())),
            ("--policy", None),
            ("A", Some(file.as_path()))
        ])
        .is_ok());
        let two =
            one_stdin([("MODEL", Some(dash.as_path())), ("--policy", None), ("A", Some(dash.as_path()))]);
        assert!(two.unwrap_err().to_string().contains("MODEL and A all name standard input (-)"));
    }

    #[test]
    fn invisible_characters_are_shown_escaped_and_visible_text_is_kept() {
        assert_eq!(terminal_safe("no worker \"W02\u{200b}\""), "no worker \"W02\\u{200b}\"");
        assert_eq!(terminal_safe("\u{feff}W1\u{00ad}"), "\\u{feff}W1\\u{ad}");
        assert_eq!(terminal_safe("Zoë Ng, Ｗ０２, نام\tx\n"), "Zoë Ng, Ｗ０２, نام\tx\n");
    }

    #[test]
    fn a_directory_option_refuses_standard_output() {
        let dash = PathBuf::from("-");
        let dir = PathBuf::from("out");
        assert!(no_stdout_dir("--csv", Some(dir.as_path())).is_ok());
        assert!(no_stdout_dir("--csv", None).is_ok());
        let e = no_stdout_dir("--csv", Some(dash.as_path())).unwrap_err().to_string();
        assert!(e.contains("--csv") && e.contains("directory"), "{e}");
    }
}
