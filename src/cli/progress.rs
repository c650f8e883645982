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
    match *e {
        Event::PartDone { part, so_far } => {
            st.done = so_far;
            st.searching.remove(&part);
        }
        Event::Searching { part, nodes, best, bound } => {
            st.searching.insert(part, (nodes, best, bound));
        }
        Event::Trace(_) => {}
    }
    let now = Instant::now();
    if now - st.start < AFTER || st.last.is_some_and(|l| now - l < EVERY) {
        return;
    }
    st.last = Some(now);
    st.drawn = true;
    let _ = write!(std::io::stderr(), "\r\x1b[K{}", line(st));
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
