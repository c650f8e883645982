//! The solver's progress line on a terminal, and its trace (`CASELOAD_DEBUG=1`), drawn from
//! the [`Event`]s the library reports. A run that ends within two seconds shows nothing.

use caseload::solve::{Event, Observer, Progress};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Quiet for this long, then a line at most this often.
const AFTER: Duration = Duration::from_secs(2);
const EVERY: Duration = Duration::from_millis(250);

struct State {
    start: Instant,
    last: Option<Instant>,
    done: Progress,
    /// Parts still searching: (nodes, best, bound).
    searching: BTreeMap<usize, (u64, f64, f64)>,
    drawn: bool,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Whether the solver's trace is wanted (`CASELOAD_DEBUG` set).
pub fn trace_wanted() -> bool {
    std::env::var_os("CASELOAD_DEBUG").is_some()
}

/// The observer for one solve: the progress line when standard error is a terminal (and
/// `show` holds), the trace when asked for; None when neither is wanted.
pub fn observer(show: bool) -> Option<Observer<'static>> {
    let line = show && std::io::stderr().is_terminal();
    if !line && !trace_wanted() {
        return None;
    }
    let state = State {
        start: Instant::now(),
        last: None,
        done: Progress::default(),
        searching: BTreeMap::new(),
        drawn: false,
    };
    *STATE.lock().unwrap_or_else(|e| e.into_inner()) = line.then_some(state);
    Some(Observer(&observe))
}

fn observe(e: &Event) {
    if let Event::Trace(t) = e {
        let _ = writeln!(std::io::stderr(), "{t}");
        return;
    }
    let mut guard = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let Some(st) = guard.as_mut() else { return };
    apply(st, e);
    let now = Instant::now();
    if now - st.start < AFTER || st.last.is_some_and(|l| now - l < EVERY) {
        return;
    }
    st.last = Some(now);
    st.drawn = true;
    let _ = write!(std::io::stderr(), "\r\x1b[K{}", line(st));
}

/// What an event changes in the line's state.
fn apply(st: &mut State, e: &Event) {
    match *e {
        Event::Started { parts } => st.done.parts = parts,
        Event::PartDone { part, so_far } => {
            st.done = so_far;
            st.searching.remove(&part);
        }
        Event::Searching { part, nodes, best, bound } => {
            st.searching.insert(part, (nodes, best, bound));
        }
        Event::Trace(_) => {}
    }
}

fn line(st: &State) -> String {
    let d = st.done;
    let mut s = format!(
        "solving: {} of {} parts done ({:.0} s)",
        d.done,
        d.parts,
        (Instant::now() - st.start).as_secs_f64()
    );
    if d.done > 0 {
        let gap = (d.bound - d.value).max(0.0);
        s += &format!("; finished parts best {:.0}, bound {:.0}, gap {:.0}", d.value, d.bound, gap);
    }
    let nodes: u64 = st.searching.values().map(|v| v.0).sum();
    if nodes > 0 {
        let gap: f64 = st.searching.values().map(|v| (v.2 - v.1).max(0.0)).sum();
        s += &format!("; searching {nodes} nodes, gap {gap:.0}");
    }
    s
}

/// Clears the progress line, if one was drawn.
pub fn finish() {
    let mut guard = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if guard.as_ref().is_some_and(|s| s.drawn) {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
    }
    *guard = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            start: Instant::now(),
            last: None,
            done: Progress::default(),
            searching: BTreeMap::new(),
            drawn: false,
        }
    }

    /// A model of one part still searching says "0 of 1 parts" (it said "0 of 0" before any
    /// part had finished), then the search's nodes and gap; a finished part moves its figures
    /// from the searching side to the finished side.
    #[test]
    fn the_line_counts_every_part_from_the_start_and_moves_finished_ones_across() {
        let mut st = state();
        apply(&mut st, &Event::Started { parts: 2 });
        apply(&mut st, &Event::Searching { part: 1, nodes: 64, best: 100.0, bound: 107.0 });
        let l = line(&st);
        assert!(l.starts_with("solving: 0 of 2 parts done"), "{l}");
        assert!(l.ends_with("; searching 64 nodes, gap 7"), "{l}");
        let so_far = Progress { done: 1, parts: 2, value: 100.0, bound: 103.0, nodes: 70 };
        apply(&mut st, &Event::PartDone { part: 1, so_far });
        let l = line(&st);
        assert!(l.starts_with("solving: 1 of 2 parts done"), "{l}");
        assert!(l.ends_with("; finished parts best 100, bound 103, gap 3"), "{l}");
    }
}
