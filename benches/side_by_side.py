#!/usr/bin/env python3
"""Side by side, in one run: caseload with its DEFAULT flags against HiGHS, on the model families
councils have (issue 23), several seeds each.

    python3 benches/side_by_side.py --python /work/venv/highs/bin/python --out /tmp/side_by_side
    python3 benches/side_by_side.py --quick --python PY                  # a smoke test, seconds
    python3 benches/side_by_side.py --families district --sizes 2000 --seeds 1 --python PY

The families (generated here, through benches/families.py and `caseload generate`; the same seed
gives the same model):

    own             own-team teams, type weights, 20% siblings: 2,000/5,000/10,000/20,000 cases,
                    312 posts and 20 teams per 5,000 cases (the table of issue 9)
    decimals        a 140-case team of 10 posts, 25% siblings, each weight a points score over
                    5.3 hours, to 7 decimals
    decimals-cross  the same weights on a 320-case cross-team model of 20 posts in 2 teams
    points          2,000 cases, 125 posts, 8 teams, 25% siblings, weights on a points scheme in
                    0.05 steps (0.35 to 2.35), 25% part-time posts
    fte             900 cases, 56 posts, 4 teams, type weights, 25% siblings, 30% part-time posts
                    (caps such as 0.6 x 18)
    fte-cross       the same with cross-team work
    district        cross-team districts: 2,000/5,000/10,000/20,000 cases, a post per 16 cases,
                    a team per 250 cases, type weights, 25% siblings

For each model:

- caseload: `caseload allocate MODEL -o P` with the default flags (no --time-limit, no
  --node-limit); whole-process wall time, peak RSS (wait4), exit status (0 proven optimal, 3
  not proven), the proposal's objective and bound.
- HiGHS (highspy), with a time limit per model (--highs-limit, default 60 s): "proven", or
  "unproven at limit" with its best objective and bound. It solves one or both of two
  programmes. `compact`: caseload's own compact programme of each independent part (`caseload
  allocate --export-lp DIR`, not timed); HiGHS is fastest on it (3 to over 100 times faster than
  on the naive MIP on the --quick models and a 1,000-case own-team model), but it is caseload's
  formulation. `naive`: the MIP of benches/compare.py, written from the model JSON alone per
  SPEC sections 3 and 4 (as benches/optima.py does), split into independent parts (own-team: by
  team, teams joined by a sibling group, a current worker or a supervisor across teams;
  cross-team: one part); independent of caseload's code, and it finds solutions where the
  compact programme does not (issue 23, the points family). Default (--reference auto): both
  on the families of at most 2,000 cases (decimals, decimals-cross, points, fte, fte-cross),
  and the table shows HiGHS at its best, the faster proof, else the better objective (the other
  in brackets); `compact` alone on own and district, where the naive MIP is far slower (own)
  or has millions of columns (district). The parts are solved as many at a time as there are
  cores, single-threaded each (one part: all threads). HiGHS's time is the solve time
  (`run()`) of the parts, scheduled in order on that many cores: reading the export or building
  the MIP in Python is not counted, while caseload's time is its whole process (reading,
  solving, explaining, writing). Its peak is that of the largest solving process.

Prints one Markdown table (standard output; progress on standard error): family, cases, seed,
caseload time, peak, exit, objective, bound; HiGHS's programme, time, status, objective, bound;
the ratio of times (where both proved optimality), how far caseload's objective is below HiGHS's
best (negative: above), and issue 23's goal (caseload proves optimality, in at most 0.3x HiGHS's time where
HiGHS proves it). --out PREFIX also writes PREFIX.md and PREFIX.json.

Exit status 0 whether or not the goals are met (it is a measurement); 1 if the two solvers
contradict each other (one's objective beats the other's proven bound) or caseload failed; 2
if the HiGHS interpreter or the caseload binary is missing.

HiGHS runs under the interpreter --python names (default $HIGHS_PYTHON, else this one, else
target/compare-venv/bin/python). To make one:

    python3 -m venv target/compare-venv && target/compare-venv/bin/pip install highspy numpy

The caseload binary is --binary (default $CARGO_TARGET_DIR or target, /release/caseload); build
it first with `cargo build --release`. Time it on a quiet machine: on this project's shared
machine, inside `flock /tmp/cargo.lock`.
"""
import argparse
import datetime
import json
import math
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in benches/
import compare  # noqa: E402
import families  # noqa: E402

GOAL_RATIO = 0.3
SAFETY_S = 1800  # a process still running after this long is killed and reported, not waited for


def own(n, seed, path, binary):
    subprocess.run([binary, "generate", "--cases", str(n), "--workers", str(max(3, round(n * 312 / 5000))),
                    "--teams", str(max(1, round(n * 20 / 5000))), "--seed", str(seed), "--weights",
                    "--groups", "0.2", "-o", path], check=True, stdout=subprocess.DEVNULL)


def district(n, seed, path, binary):
    subprocess.run([binary, "generate", "--cases", str(n), "--workers", str(max(3, round(n / 16))),
                    "--teams", str(max(2, round(n / 250))), "--seed", str(seed), "--weights",
                    "--groups", "0.25", "--cross-team", "-o", path], check=True, stdout=subprocess.DEVNULL)


def scaled(base, full, cross_team=False):
    """A families.py family at `n` cases, its posts and teams scaled by n / full."""
    _, p0, t0, _ = families.FAMILIES[base]

    def make(n, seed, path, binary):
        teams = max(2 if cross_team else 1, round(t0 * n / full))
        families.write(binary, base, seed, path, cases=n, posts=max(3, round(p0 * n / full)), teams=teams,
                       cross_team=cross_team)
    return make


# name: (full sizes, --quick size, generator(n, seed, path, binary), default HiGHS programme)
FAMILIES = {
    "own": ([2000, 5000, 10000, 20000], 300, own, "compact"),
    "decimals": ([140], 70, scaled("decimals", 140), "both"),
    # a post per 16 cases: 20 posts in 2 teams at 320 cases
    "decimals-cross": ([320], 100, scaled("decimals", 160, cross_team=True), "both"),
    "points": ([2000], 250, scaled("points", 2000), "both"),
    "fte": ([900], 150, scaled("fte", 900), "both"),
    "fte-cross": ([900], 150, scaled("fte", 900, cross_team=True), "both"),
    "district": ([2000, 5000, 10000, 20000], 250, district, "compact"),
}


# ---- measuring a child process ---------------------------------------------------------------
TIME = "/usr/bin/time"  # GNU time: the peak RSS of the command alone


def run_measured(cmd, stdout_path, kill_after):
    """Runs cmd; returns (exit status, wall seconds, peak RSS in KiB of it and its children).

    The peak comes from GNU time when it is installed: a process forked from this Python inherits
    its RSS as the floor of its own peak (the kernel keeps the high-water mark across exec), so
    without it the figure is at least this script's own RSS (about 20 MB). After `kill_after`
    seconds the command's process group is killed (a safety net, so one hung model cannot stop
    the run; the exit status is then negative)."""
    timed = os.path.exists(TIME)
    with open(stdout_path, "w") as out, open(stdout_path + ".err", "w") as err, \
            tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [TIME, "-q", "-f", "%M", "-o", tf.name] + cmd if timed else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(kill_after, os.killpg, (p.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss
        if timed:
            lines = tf.read().split()
            peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
    return p.returncode, wall, peak


def tail(path, n=2000):
    try:
        with open(path) as f:
            return f.read()[-n:]
    except OSError:
        return ""


# ---- HiGHS, in a child process under the HiGHS interpreter ----------------------------------
PARTS = []  # set in the child before forking the pool: what solve_one solves


def finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def solve_one(args):
    """One part; returns a dict with objective (None: no solution), bound, status, run_s."""
    i, deadline, threads = args
    limit = max(0.01, deadline - time.time())
    kind, what = PARTS[i]
    if kind == "naive":
        r = naive_part(what, limit, threads)
    else:
        r = compact_part(what, limit, threads)
    if not finite(r["bound"]):
        r["bound"] = r["objective"] if r["status"] == "Optimal" else None
    if not r.pop("has_solution", True) or not finite(r["objective"]):
        r["objective"] = None
    return r


def naive_part(model, limit, threads):
    if not model["cases"] or not any(w.get("status", "active") == "active" for w in model["workers"]):
        # Nothing can be allocated: the objective is the constant (cases that lose their worker).
        p = compare.policy_of(model)
        k = -p["move_penalty"] * sum(1 for c in model["cases"] if c.get("current_worker") is not None)
        return {"objective": k, "bound": k, "status": "Optimal", "run_s": 0.0}
    r = compare.build_and_solve(model, limit, threads=threads)
    return {"objective": r["objective"], "bound": r["bound"], "status": r["status"], "run_s": r["solve_s"],
            "has_solution": r["has_solution"]}


def compact_part(path, limit, threads):
    """HiGHS on one part caseload exported (`--export-lp`)."""
    import highspy
    import numpy as np
    with open(path) as f:
        d = json.load(f)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-7)
    h.setOptionValue("time_limit", limit)
    inf = highspy.kHighsInf
    n = len(d["cols"])
    for c in d["cols"]:
        h.addVar(0.0, inf if c["hi"] is None else c["hi"])
    if n:
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array([c["obj"] for c in d["cols"]], dtype=np.double))
    ints = [j for j, c in enumerate(d["cols"]) if c["integer"]]
    if ints:
        h.changeColsIntegrality(len(ints), np.array(ints, dtype=np.int32),
                                np.array([highspy.HighsVarType.kInteger] * len(ints)))
    for r in d["rows"]:
        idx = np.array([a for a, _ in r["coefs"]], dtype=np.int32)
        val = np.array([b for _, b in r["coefs"]], dtype=np.double)
        h.addRow(r["rhs"] if r["eq"] else -inf, r["rhs"], len(idx), idx, val)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    t0 = time.perf_counter()
    h.run()
    run_s = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    bound = info.mip_dual_bound if ints else info.objective_function_value
    return {"objective": info.objective_function_value, "bound": bound, "status": status, "run_s": run_s,
            "has_solution": info.primal_solution_status != 0}


def split_naive(model):
    """The model's independent parts for the naive MIP (a list of models)."""
    p = compare.policy_of(model)
    if p["cross_team"]:
        return [model]
    parent = {}

    def find(t):
        parent.setdefault(t, t)
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    team_of = {w["id"]: w["team"] for w in model["workers"]}
    for w in model["workers"]:
        find(w["team"])
        if w.get("supervisor") in team_of:  # the oversight row joins a supervisor's supervisees
            union(w["team"], team_of[w["supervisor"]])
    first_in_group = {}
    for c in model["cases"]:
        find(c["team"])
        if c.get("current_worker") in team_of:
            union(c["team"], team_of[c["current_worker"]])
        if "group" in c:
            union(c["team"], first_in_group.setdefault(c["group"], c["team"]))
    parts = {}
    for w in model["workers"]:
        parts.setdefault(find(w["team"]), ([], []))[0].append(w)
    for c in model["cases"]:
        parts.setdefault(find(c["team"]), ([], []))[1].append(c)
    return [dict(model, workers=ws, cases=cs) for _, (ws, cs) in sorted(parts.items())]


def highs_child(a):
    """Child process: solves a model (--naive FILE) or an export (--compact DIR); prints JSON."""
    global PARTS
    constant = 0.0
    if a.naive:
        with open(a.naive) as f:
            PARTS = [("naive", m) for m in split_naive(json.load(f))]
    else:
        names = sorted(f for f in os.listdir(a.compact) if f.startswith("part-"))
        PARTS = [("compact", os.path.join(a.compact, f)) for f in names]
        with open(os.path.join(a.compact, "parts.json")) as f:
            constant = json.load(f)["constant"]
    cores = os.cpu_count() or 1
    jobs = max(1, min(cores, len(PARTS)))
    threads = max(1, cores // jobs)
    deadline = time.time() + a.highs_limit
    t0 = time.perf_counter()
    work = [(i, deadline, threads) for i in range(len(PARTS))]
    if jobs == 1:
        res = [solve_one(w) for w in work]
    else:
        pool = multiprocessing.get_context("fork").Pool(jobs)
        res = pool.map(solve_one, work, chunksize=1)
        pool.close()
        pool.join()
    wall = time.perf_counter() - t0
    lanes = [0.0] * jobs  # the parts' run() times, in order, on `jobs` cores
    for r in res:
        k = lanes.index(min(lanes))
        lanes[k] += r["run_s"]
    none = any(r["objective"] is None for r in res)
    nobound = any(r["bound"] is None for r in res)
    print(json.dumps({
        "objective": None if none else constant + sum(r["objective"] for r in res),
        "bound": None if nobound else constant + sum(r["bound"] for r in res),
        "proven": all(r["status"] == "Optimal" for r in res),
        "statuses": sorted({r["status"] for r in res}),
        "parts": len(res),
        "time_s": max(lanes),
        "run_s_sum": sum(r["run_s"] for r in res),
        "wall_s": wall,
    }))


# ---- the driver -------------------------------------------------------------------------------
def die(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def highs_python(given):
    """The interpreter that has highspy, or exit 2 saying how to make one."""
    venv = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "compare-venv", "bin",
                        "python")
    tried = [given] if given else [os.environ.get("HIGHS_PYTHON"), sys.executable, venv]
    for py in [p for p in tried if p]:
        if os.path.exists(py) and subprocess.run([py, "-c", "import highspy, numpy"],
                                                 capture_output=True).returncode == 0:
            return py
    die("side_by_side.py: no Python with highspy and numpy (tried "
             + ", ".join(p for p in tried if p) + "). Make one and name it:\n"
             "    python3 -m venv target/compare-venv && target/compare-venv/bin/pip install highspy numpy\n"
             "    benches/side_by_side.py --python target/compare-venv/bin/python   (or set HIGHS_PYTHON)")


def pct_below(cl, hi):
    """How far caseload's objective is below HiGHS's best, in % of HiGHS's (negative: above)."""
    if cl is None or hi is None:
        return None
    return 100.0 * (hi - cl) / max(1.0, abs(hi))


def contradiction(cl, hi):
    """Whether one side's objective beats the other's proven bound (a bug on one side)."""
    def beats(obj, bound):
        return obj is not None and bound is not None and obj > bound + compare.REL_TOL * max(1.0, abs(bound))
    return beats(hi["objective"], cl["bound"]) or beats(cl["objective"], hi["bound"])


def goal(cl, hi):
    if cl.get("error"):
        return "no: caseload failed"
    if not cl["proven"]:
        return "no: not proven"
    if not hi["proven"]:
        return "yes (HiGHS unproven)"
    if hi["time_s"] <= 0:
        return "yes"
    r = cl["wall_s"] / hi["time_s"]
    return "yes" if r <= GOAL_RATIO else f"no: ratio {r:.2f}"


def secs(x):
    return f"{x:.3f} s" if x < 1 else f"{x:.2f} s"


def num(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"


def markdown(rows):
    head = ("| family | cases | seed | caseload time | peak | exit | objective | bound | HiGHS on | HiGHS time | "
            "HiGHS status | HiGHS objective | HiGHS bound | ratio | caseload below HiGHS | goal |")
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        cl, hi = r["caseload"], r["highs"]
        if cl.get("error"):
            cells = [cl["error"], "", "", "", ""]
        else:
            cells = [secs(cl["wall_s"]), f"{cl['peak_kib'] / 1024:.0f} MB",
                     f"{cl['exit']} ({'proven' if cl['proven'] else 'not proven'})",
                     num(cl["objective"], 2), num(cl["bound"], 2)]
        if hi.get("error"):
            hcells = [hi["error"], "", "", "", ""]
        else:
            on = f"{hi['reference']}, {hi['parts']} part{'s' if hi['parts'] != 1 else ''}"
            for o in hi.get("others", []):
                on += f" ({o['reference']}: " + (o["error"] or (secs(o["time_s"]) + ", " + (
                    "proven" if o["proven"] else f"unproven, {num(o['objective'], 2)}"))) + ")"
            hcells = [on, secs(hi["time_s"]),
                      "proven" if hi["proven"] else f"unproven at limit ({', '.join(hi['statuses'])})",
                      num(hi["objective"], 2), num(hi["bound"], 2)]
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f}"
        below = "-" if r["below_pct"] is None else f"{r['below_pct']:.3f}%"
        if r["contradiction"]:
            below += " CONTRADICTION"
        lines.append("| " + " | ".join([r["family"], f"{r['cases']:,}", str(r["seed"])] + cells + hcells
                                       + [ratio, below, r["goal"]]) + " |")
    met = sum(1 for r in rows if r["goal"].startswith("yes"))
    lines.append("")
    lines.append(f"Goal met on {met} of {len(rows)} models (caseload proves optimality, in at most "
                 f"{GOAL_RATIO}x HiGHS's time where HiGHS proves it).")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module's docstring (the top of this file) for the details.")
    ap.add_argument("--families", nargs="+", choices=list(FAMILIES), default=list(FAMILIES), metavar="FAMILY",
                    help="which families (default: all): " + ", ".join(FAMILIES))
    ap.add_argument("--sizes", type=int, nargs="+",
                    help="case counts instead of 2,000 5,000 10,000 20,000, for own and district")
    ap.add_argument("--seeds", type=int, nargs="+", help="seeds (default 1 2 3; with --quick, 1)")
    ap.add_argument("--quick", action="store_true",
                    help="one small model per family, HiGHS limited to 2 s: a smoke test of seconds")
    ap.add_argument("--highs-limit", type=float, help="HiGHS's time limit per model, seconds (default 60; --quick 2)")
    ap.add_argument("--reference", choices=["auto", "naive", "compact", "both"], default="auto",
                    help="the programme HiGHS solves: auto (per family, see the top of this file), naive, compact, or "
                         "both (the table shows the faster proof, else the better objective)")
    ap.add_argument("--binary", help="the caseload binary (default: target/release/caseload)")
    ap.add_argument("--python", help="a Python with highspy and numpy (default: $HIGHS_PYTHON, this one, "
                                     "or target/compare-venv/bin/python)")
    ap.add_argument("--out", metavar="PREFIX", help="also write the table to PREFIX.md and PREFIX.json")
    ap.add_argument("--naive", help=argparse.SUPPRESS)
    ap.add_argument("--compact", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.highs_limit is None:
        a.highs_limit = 2.0 if a.quick else 60.0
    if a.naive or a.compact:
        return highs_child(a)

    py = highs_python(a.python)
    binary = a.binary or os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")),
                                      "release", "caseload")
    if not os.path.exists(binary):
        die(f"side_by_side.py: {binary} does not exist; build it with `cargo build --release` or name it "
                 "with --binary")
    seeds = a.seeds or ([1] if a.quick else [1, 2, 3])
    me = [py, os.path.abspath(__file__), "--highs-limit", str(a.highs_limit)]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    version = version.removeprefix("caseload ")
    highs_version = subprocess.run([py, "-c", "import highspy; print(highspy.Highs().version())"],
                                   capture_output=True, text=True).stdout.strip().splitlines()[-1:]
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "caseload": version, "commit": commit, "highs": "".join(highs_version), "cores": os.cpu_count(),
        "load_average_before": os.getloadavg()[0], "highs_limit_s": a.highs_limit, "quick": a.quick,
        "peak_from": "GNU time" if os.path.exists(TIME) else "wait4 (includes the forking Python's RSS)",
        "command": " ".join(["benches/side_by_side.py"] + sys.argv[1:]),
    }
    rows = []
    bad = False
    tmp = tempfile.mkdtemp(prefix="side-by-side-")
    try:
        for fam in a.families:
            full, quick, gen, ref = FAMILIES[fam]
            sizes = [quick] if a.quick else (a.sizes if a.sizes and len(full) > 1 else full)
            ref = ref if a.reference == "auto" else a.reference
            for n in sizes:
                for seed in seeds:
                    model = os.path.join(tmp, f"{fam}-{n}-{seed}.json")
                    gen(n, seed, model, binary)
                    row = measure(binary, me, model, ref, tmp)
                    row.update(family=fam, cases=n, seed=seed)
                    bad |= row["contradiction"] or bool(row["caseload"].get("error"))
                    rows.append(row)
                    cl, hi = row["caseload"], row["highs"]
                    print(f"{fam} {n} seed {seed}: caseload {cl.get('error') or '%.2f s' % cl['wall_s']}, "
                          f"HiGHS {hi.get('error') or '%.2f s' % hi['time_s']}; {row['goal']}", file=sys.stderr)
                    os.unlink(model)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    header = (f"{meta['date']}, caseload {meta['caseload']} ({meta['commit']}), HiGHS {meta['highs']}, "
              f"{meta['cores']} cores, load average {meta['load_average_before']:.2f} before the run, "
              f"HiGHS limit {a.highs_limit:g} s per model; `{meta['command']}`")
    table = markdown(rows)
    print(header + "\n\n" + table)
    if a.out:
        with open(a.out + ".md", "w") as f:
            f.write(header + "\n\n" + table + "\n")
        with open(a.out + ".json", "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1)
            f.write("\n")
    if bad:
        print("side_by_side.py: a contradiction between the solvers, or caseload failed (see the table)",
              file=sys.stderr)
        sys.exit(1)


def measure(binary, me, model, ref, tmp):
    """caseload with its default flags, then HiGHS, on one model: a row of the table."""
    prop = os.path.join(tmp, "proposal.json")
    rc, wall, peak = run_measured([binary, "allocate", model, "-o", prop], os.path.join(tmp, "allocate.out"),
                                  SAFETY_S)
    if rc in (0, 3):
        with open(prop) as f:
            p = json.load(f)
        cl = {"wall_s": wall, "peak_kib": peak, "exit": rc, "proven": bool(p["optimal"]),
              "objective": p["objective"], "bound": p.get("bound")}
    else:
        why = f"killed after {SAFETY_S} s" if rc == -signal.SIGKILL else f"exit {rc}"
        cl = {"error": f"{why}: {tail(os.path.join(tmp, 'allocate.out.err'), 300).strip()}", "proven": False,
              "objective": None, "bound": None}
    his = [highs(binary, me, model, r, tmp) for r in (["compact", "naive"] if ref == "both" else [ref])]
    ok = [h for h in his if not h["error"]]
    # The reference is HiGHS at its best: the faster proof, else the better objective.
    def rank(h):
        if h["proven"]:
            return (0, h["time_s"])
        return (1, -h["objective"] if h["objective"] is not None else math.inf)
    hi = min(ok, key=rank, default=his[0])
    hi = dict(hi, others=[h for h in his if h is not hi])
    both = not cl.get("error") and not hi["error"]
    ratio = cl["wall_s"] / hi["time_s"] if both and cl["proven"] and hi["proven"] and hi["time_s"] > 0 else None
    return {
        "caseload": cl, "highs": hi, "ratio": ratio,
        "below_pct": pct_below(cl["objective"], hi["objective"]),
        "contradiction": not cl.get("error") and any(contradiction(cl, h) for h in ok),
        "goal": goal(cl, hi) if not hi["error"] else ("no: not proven" if not cl["proven"] else "HiGHS failed"),
    }


def highs(binary, me, model, ref, tmp):
    """HiGHS on one programme of the model (`naive` or `compact`), in a child process."""
    hi = {"error": None}
    if ref == "compact":
        lpdir = os.path.join(tmp, "lp")
        shutil.rmtree(lpdir, ignore_errors=True)
        # The export is written before the solve starts; the limits only cut the (untimed) rest short.
        r = subprocess.run([binary, "allocate", model, "-o", os.path.join(tmp, "export.json"), "-q",
                            "--export-lp", lpdir, "--time-limit", "1", "--node-limit", "1"],
                           capture_output=True, text=True)
        if r.returncode not in (0, 3):
            hi["error"] = f"--export-lp: exit {r.returncode}"
        cmd = me + ["--compact", lpdir]
    else:
        cmd = me + ["--naive", model]
    if not hi["error"]:
        out = os.path.join(tmp, "highs.out")
        hrc, _, hpeak = run_measured(cmd, out, SAFETY_S)
        lines = [x for x in tail(out, 10**9).splitlines() if x.startswith("{")]
        if hrc != 0 or not lines:
            hi["error"] = f"HiGHS: exit {hrc}: {tail(out + '.err', 300).strip()}"
        else:
            hi = json.loads(lines[-1])
            hi.update(error=None, peak_kib=hpeak)
    hi["reference"] = ref
    if hi["error"]:
        hi.update(proven=False, objective=None, bound=None, time_s=None)
    return hi


if __name__ == "__main__":
    main()
