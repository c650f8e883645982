#!/usr/bin/env python3
"""Side by side, in one run: caseload's default build against HiGHS on the same compact
formulation (solved part by part) and on the naive per-case-per-worker MIP (issue 9).

For each size (2,000, 5,000, 10,000 and 20,000 cases) and seed (1-3), a weighted model with 20%
sibling groups is generated (`caseload generate --weights --groups 0.2`, 312 posts and 20 teams
per 5,000 cases). Then:

- caseload: `caseload allocate MODEL -o P` with the default flags (no time limit, the default
  node limit); whole-process wall time, whether proven, peak memory; and its gap at 10 s
  (0 when the default run proved optimality within 10 s, else a run with `--time-limit 10`).
- HiGHS compact: `caseload allocate --export-lp DIR` writes every independent part's compact
  programme (not timed); HiGHS 1-thread solves the parts in two processes at once (the same
  two cores caseload uses); wall time to prove every part, the gap with a shared 10 s deadline,
  peak memory of a solving process. Its optimum (the parts' sum plus the exported constant)
  must equal caseload's.
- HiGHS naive: the MIP of benches/compare.py, built from the JSON alone, with a 10 s limit:
  proven or not, the gap at 10 s, peak memory (of the whole Python process, model building
  included).

    benches/side_by_side.py                 # every size and seed (about 10 minutes)
    benches/side_by_side.py --sizes 2000 --seeds 1
    benches/side_by_side.py --cross-team --sizes 2000 5000 --seeds 1

`--cross-team` generates the models with `--cross-team`: cases may go to other teams at the
cross-team penalty, so the teams join into districts and the parts are large (the 5,000-case
district takes caseload's district path; see the README's Limits).

Prints a Markdown table; exit 1 if any two proven optima disagree. The venv with highspy is
the one benches/compare.py creates.
"""
import argparse
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402

REPO = compare.REPO


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (completed process, wall seconds, peak KiB)."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    lines = r.stderr.strip().splitlines()
    peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return r, wall, peak


def last_json(r):
    """The JSON line a child printed last (HiGHS prints its banner on standard output)."""
    lines = [x for x in r.stdout.splitlines() if x.startswith("{")]
    if not lines:
        raise RuntimeError(f"a solving process printed no result: {r.stderr[-2000:]}")
    return json.loads(lines[-1])


def solve_part(args):
    """HiGHS on one exported part, single-threaded; (objective, bound, proven)."""
    import highspy
    import numpy as np
    path, deadline = args
    d = json.load(open(path))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-7)
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.01, deadline - time.time()))
    inf = highspy.kHighsInf
    n = len(d["cols"])
    for c in d["cols"]:
        h.addVar(0.0, inf if c["hi"] is None else c["hi"])
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
    h.run()
    info = h.getInfo()
    proven = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    obj = info.objective_function_value
    bound = info.mip_dual_bound if ints else obj
    return obj, bound if bound == bound else obj, proven


def compact_mode(a):
    """Child process: solves an exported directory; prints JSON."""
    parts = sorted(f for f in os.listdir(a.compact) if f.startswith("part-"))
    top = json.load(open(os.path.join(a.compact, "parts.json")))
    deadline = time.time() + a.time_limit if a.time_limit else None
    t0 = time.perf_counter()
    with multiprocessing.Pool(2) as pool:
        res = pool.map(solve_part, [(os.path.join(a.compact, p), deadline) for p in parts], chunksize=1)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({
        "objective": sum(r[0] for r in res) + top["constant"],
        "bound": sum(r[1] for r in res) + top["constant"],
        "proven": all(r[2] for r in res),
        "wall_s": wall,
        "peak_kib": peak,
    }))


def naive_mode(a):
    """Child process: the naive MIP of compare.py with a time limit; prints JSON."""
    model = json.load(open(a.naive))
    r = compare.build_and_solve(model, a.time_limit)
    print(json.dumps({"objective": r["objective"], "bound": r["bound"], "proven": r["status"] == "Optimal",
                      "solve_s": r["solve_s"]}))


def gap_pct(obj, bound):
    return 100.0 * max(0.0, bound - obj) / max(1.0, abs(obj))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000, 20000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--binary")
    ap.add_argument("--cross-team", action="store_true", help="generate cross-team districts")
    ap.add_argument("--compact", help=argparse.SUPPRESS)
    ap.add_argument("--naive", help=argparse.SUPPRESS)
    ap.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.compact:
        return compact_mode(a)
    if a.naive:
        return naive_mode(a)
    binary = a.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
        binary = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release", "caseload")
    me = [sys.executable, os.path.abspath(__file__)]
    rows = []
    bad = False
    tmp = tempfile.mkdtemp(prefix="side-by-side-")
    for n in a.sizes:
        for seed in a.seeds:
            workers, teams = round(n * 312 / 5000), round(n * 20 / 5000)
            path = os.path.join(tmp, f"w{n}_{seed}.json")
            subprocess.run([binary, "generate", "--cases", str(n), "--workers", str(workers), "--teams", str(teams),
                            "--seed", str(seed), "--weights", "--groups", "0.2", "-o", path]
                           + (["--cross-team"] if a.cross_team else []), check=True)
            out = os.path.join(tmp, "p.json")
            r, wall, peak = timed([binary, "allocate", path, "-o", out, "-q"])
            if r.returncode not in (0, 3):
                raise RuntimeError(r.stderr)
            p = json.load(open(out))
            cl = {"objective": p["objective"], "proven": p["optimal"], "wall": wall, "peak": peak}
            if cl["proven"] and wall <= 10:
                cl_gap10 = 0.0
            else:
                r10, _, _ = timed([binary, "allocate", path, "-o", out, "-q", "--time-limit", "10"])
                p10 = json.load(open(out))
                cl_gap10 = gap_pct(p10["objective"], p10["bound"])
            lpdir = os.path.join(tmp, "lp")
            shutil.rmtree(lpdir, ignore_errors=True)
            r = subprocess.run([binary, "allocate", path, "-o", out, "-q", "--export-lp", lpdir])
            if r.returncode not in (0, 3):  # 3: written, not proven optimal
                raise RuntimeError(f"--export-lp failed with status {r.returncode}")
            r, _, _ = timed(me + ["--compact", lpdir, "--time-limit", "300"])
            hc = last_json(r)
            r, _, _ = timed(me + ["--compact", lpdir, "--time-limit", "10"])
            hc10 = last_json(r)
            r, _, npeak = timed(me + ["--naive", path, "--time-limit", "10"])
            hn = last_json(r)
            agree = (not (cl["proven"] and hc["proven"])) or compare.agree(cl["objective"], hc["objective"])
            agree_n = (not (cl["proven"] and hn["proven"])) or compare.agree(cl["objective"], hn["objective"])
            bad |= not (agree and agree_n)
            rows.append((n, seed, cl, cl_gap10, hc, hc10, hn, npeak, agree and agree_n))
            print(f"done {n} seed {seed}", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)

    def t(ok, s):
        return f"{s:.2f} s" if ok else f"not proven ({s:.0f} s)"
    if a.cross_team:
        print("Models generated with `--cross-team`.\n")
    print("| cases | seed | caseload default: wall, proven | peak | gap at 10 s | caseload below HiGHS's best | "
          "HiGHS compact per part: wall | peak | gap at 10 s | ratio caseload / HiGHS compact | "
          "HiGHS naive MIP at 10 s: gap | peak | optima agree |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, seed, cl, g10, hc, hc10, hn, npeak, ok in rows:
        # A ratio of times means something only when both proved the optimum.
        if cl["proven"] and hc["proven"] and hc["wall_s"] > 0:
            ratio = f"{cl['wall'] / hc['wall_s']:.2f}"
        else:
            ratio = "n/a"
        naive = "proven" if hn["proven"] else f"{gap_pct(hn['objective'], hn['bound']):.3f}%"
        below = 100.0 * (hc["objective"] - cl["objective"]) / max(1.0, abs(hc["objective"]))
        print(f"| {n:,} | {seed} | {t(cl['proven'], cl['wall'])} | {cl['peak'] / 1024:.0f} MB | {g10:.3f}% | "
              f"{below:.3f}% | {t(hc['proven'], hc['wall_s'])} | {hc['peak_kib'] / 1024:.0f} MB | "
              f"{gap_pct(hc10['objective'], hc10['bound']):.3f}% | {ratio} | {naive} | {npeak / 1024:.0f} MB | "
              f"{'yes' if ok else 'NO'} |")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    compare.ensure_venv()
    main()
