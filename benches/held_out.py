#!/usr/bin/env python3
"""Held-out sweep of `caseload allocate` against HiGHS (naive MIP of benches/compare.py).

For each model (generated here from a seeded config; seeds 500-700, never used in development):
  1. caseload allocate MODEL -o p1.json          (default flags)
  2. caseload allocate MODEL -o p2.json          (again: determinism)
  3. caseload --threads 1 allocate MODEL -o p3.json (determinism across thread counts)
  4. caseload check MODEL p1.json --json
  5. independent Python evaluation of p1's allocation (feasibility + objective, from the model JSON)
  6. HiGHS on the naive MIP (split into independent parts as side_by_side.py does), 60 s per model

Appends one JSON line per model to OUT/results.jsonl (resumable: models already there are
skipped); OUT/models and OUT/props keep every model and proposal. Any contradiction (a proof
HiGHS beats, a bound below HiGHS's optimum, a proposal `check` or the evaluation refuses, a
crash, two runs that differ) is listed in that model's "flags". From the repository root:

    cargo build --release
    nice -n 10 PY benches/held_out.py --binary target/release/caseload --out /tmp/held-out --wave 1
    (waves 2 and 3: harder and edge-shaped models; --deadline-min N stops after N minutes)

PY is a Python with highspy and numpy (see docs/performance.md). First run 2026-12-06 (fifteenth
session): 633 models of waves 1-3, no violation (docs/performance.md, Agreement with HiGHS).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
import families  # noqa: E402
import side_by_side  # noqa: E402

B = "target/release/caseload"  # --binary
MODELS = PROPS = RESULTS = None  # under --out
HIGHS_LIMIT = 60.0
TOL = 1e-6


def family_config(prefix, f, n, seed, cross, cross_posts=True):
    """One model of a `families.py` family at `n` cases: its posts and teams scaled from the
    family's full size (a `decimals` model by its own team of 10 posts to 140 cases, or, across
    teams with `cross_posts`, by `decimals-cross`'s 20 posts to 320; wave 1 scaled both the
    first way), as (name, "fam", its settings)."""
    _, p0, t0, _ = families.FAMILIES[f]
    full = {"decimals": 140, "points": 2000, "fte": 900}[f]
    posts = max(3, round(p0 * n / full))
    if f == "decimals":
        posts = max(3, round((20 * n / 320) if cross and cross_posts else (10 * n / 140)))
    teams = max(2 if cross else 1, round(t0 * n / full))
    return ("%s-%s%s-%d-%d" % (prefix, f, "-cross" if cross else "", n, seed), "fam",
            {"family": f, "seed": seed, "cases": n, "posts": posts, "teams": teams, "cross": cross})


def configs():
    """(name, kind, spec) for every model of the sweep, in a shuffled (seeded) order."""
    out = []
    for seed in range(500, 701):
        r = random.Random(seed * 31 + 7)
        teams = r.choice([1, 1, 2, 2, 3])
        cases = int(round(20 * (20 ** r.random())))  # log-uniform 20..400
        weights = r.random() < 0.6
        groups = r.choice([0, 0, 0.1, 0.25, 0.5])
        cross = teams > 1 and r.random() < 0.5
        if cross and weights and groups:
            cases = min(cases, 250)
        ratio = r.choice([10, 14, 16, 20, 25])
        workers = max(2, round(cases / ratio))
        workers = max(workers, teams)
        flags = ["--cases", str(cases), "--workers", str(workers), "--teams", str(teams), "--seed", str(seed)]
        if weights:
            flags.append("--weights")
        if groups:
            flags += ["--groups", str(groups)]
        if cross:
            flags.append("--cross-team")
        x = r.random()
        if x < 0.12:
            flags += ["--vacant-share", str(r.choice([0.0, 0.3]))]
        elif x < 0.22:
            flags += ["--cap", "social_worker=%d" % r.choice([8, 12, 25]), "--target",
                      "social_worker=%d" % r.choice([6, 10, 15])]
        elif x < 0.30:
            flags += ["--mix", "child_protection=3", "--mix", "looked_after=2", "--mix", "child_in_need=1"]
        out.append(("gen-%d" % seed, "gen", flags))
    # families.py families at small sizes, new seeds
    fam = []
    for seed in range(600, 701, 3):
        r = random.Random(seed * 17 + 3)
        f = r.choice(["decimals", "points", "fte"])
        cross = r.random() < 0.4
        n = {"decimals": r.choice([40, 70, 100, 140]), "points": r.choice([60, 120, 200, 300]),
             "fte": r.choice([60, 120, 200, 300])}[f]
        if cross:
            n = min(n, 200)
        fam.append(family_config("fam", f, n, seed, cross, cross_posts=False))
    allc = out + fam
    random.Random(12345).shuffle(allc)
    return allc


def configs2():
    """Wave 2: harder models (weights and groups always, tighter capacity, more cross-team),
    seeds 500-700 again with other configs, and the families at the seeds wave 1 left out."""
    out = []
    for seed in range(500, 701):
        r = random.Random(seed * 101 + 11)
        teams = r.choice([1, 2, 2, 3, 3])
        cross = teams > 1 and r.random() < 0.6
        cases = r.choice([60, 90, 120, 160, 200, 250] + ([] if cross else [300, 400]))
        ratio = r.choice([14, 18, 22, 28])
        workers = max(teams, 2, round(cases / ratio))
        flags = ["--cases", str(cases), "--workers", str(workers), "--teams", str(teams), "--seed", str(seed),
                 "--weights", "--groups", str(r.choice([0.1, 0.25, 0.4, 0.6]))]
        if cross:
            flags.append("--cross-team")
        x = r.random()
        if x < 0.25:
            flags += ["--cap", "social_worker=%d" % r.choice([10, 13, 17]),
                      "--cap", "senior_social_worker=%d" % r.choice([9, 11]),
                      "--target", "social_worker=%d" % r.choice([7, 9, 12])]
        elif x < 0.4:
            flags += ["--vacant-share", str(r.choice([0.0, 0.25]))]
        elif x < 0.5:
            flags += ["--mix", "child_protection=4", "--mix", "looked_after=3", "--mix", "care_leaver=2",
                      "--mix", "child_in_need=1"]
        out.append(("h-%d" % seed, "gen", flags))
    fam = []
    for seed in range(601, 701):
        if seed % 3 == 0:
            continue
        r = random.Random(seed * 23 + 5)
        f = r.choice(["decimals", "points", "fte"])
        cross = r.random() < 0.5
        n = {"decimals": r.choice([50, 80, 110]), "points": r.choice([60, 100, 150]),
             "fte": r.choice([80, 150, 250])}[f]
        fam.append(family_config("fam2", f, n, seed, cross))
    allc = out + fam
    random.Random(54321).shuffle(allc)
    return allc


def configs3():
    """Wave 3: the families at seeds 500-599 (unused by waves 1-2 for families), weighted to the
    points and decimals-cross shapes where caseload stops unproven; and edge-shaped generate
    models (few posts, many teams, high vacancy, tight caps) at seeds 500-599."""
    out = []
    for seed in range(500, 600):
        r = random.Random(seed * 7 + 1)
        f = r.choice(["points", "points", "decimals", "fte"])
        cross = r.random() < 0.5
        n = {"decimals": r.choice([60, 100, 140]), "points": r.choice([80, 120, 160]),
             "fte": r.choice([100, 200, 300])}[f]
        out.append(family_config("fam3", f, n, seed, cross))
        r2 = random.Random(seed * 13 + 2)
        teams = r2.choice([1, 2, 3])
        cases = r2.choice([20, 25, 30, 40, 60])
        workers = max(teams, r2.choice([1, 2, 3, 4]))
        flags = ["--cases", str(cases), "--workers", str(workers), "--teams", str(teams), "--seed", str(seed)]
        if r2.random() < 0.7:
            flags.append("--weights")
        flags += ["--groups", str(r2.choice([0, 0.3, 0.8, 1.0]))]
        if teams > 1 and r2.random() < 0.5:
            flags.append("--cross-team")
        flags += ["--vacant-share", str(r2.choice([0.0, 0.1, 0.5]))]
        if r2.random() < 0.4:
            flags += ["--cap", "social_worker=%d" % r2.choice([2, 5, 7]), "--cap",
                      "team_manager=%d" % r2.choice([1, 3]), "--target", "social_worker=%d" % r2.choice([1, 4])]
        out.append(("e-%d" % seed, "gen", flags))
    random.Random(999).shuffle(out)
    return out


def make(name, kind, spec):
    path = os.path.join(MODELS, name + ".json")
    if not os.path.exists(path):
        if kind == "gen":
            subprocess.run([B, "generate"] + spec + ["-o", path], check=True, capture_output=True)
        else:
            families.write(B, spec["family"], spec["seed"], path, cases=spec["cases"], posts=spec["posts"],
                           teams=spec["teams"], cross_team=spec["cross"])
    return path


def run(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, time.perf_counter() - t0, r.stdout, r.stderr


def evaluate(model, prop):
    """Independent evaluation of a proposal's allocation: (objective, [problems])."""
    p = compare.policy_of(model)
    workers = {w["id"]: w for w in model["workers"]}
    cases = {c["id"]: c for c in model["cases"]}
    problems = []
    alloc = {}
    for a in prop["allocations"]:
        if a["case"] in alloc:
            problems.append("duplicate %s" % a["case"])
        alloc[a["case"]] = a["worker"]
    unal = {u["case"] for u in prop["unallocated"]}
    for cid in cases:
        if (cid in alloc) == (cid in unal):
            problems.append("case %s in allocations %s and unallocated %s" % (cid, cid in alloc, cid in unal))

    active, supervision_ok = compare.active, compare.supervised_rule(p, workers)
    cap, target, over_cap = compare.worker_limits(model, p)
    load = {w: 0.0 for w in workers}
    obj = 0.0
    for cid, c in cases.items():
        if c.get("current_worker") is not None and alloc.get(cid) != c["current_worker"]:
            obj -= p["move_penalty"]
        if c.get("pinned") and alloc.get(cid) != c.get("current_worker"):
            problems.append("pinned %s moved" % cid)
        wid = alloc.get(cid)
        if wid is None:
            continue
        w = workers.get(wid)
        if w is None:
            problems.append("unknown worker %s" % wid)
            continue
        if not active(w):
            problems.append("%s to inactive %s" % (cid, wid))
        if not p["cross_team"] and w["team"] != c["team"]:
            problems.append("%s cross team to %s" % (cid, wid))
        if w["role"] not in p["may_hold"].get(c["type"], []):
            problems.append("%s role %s may not hold %s" % (wid, w["role"], c["type"]))
        if not set(c.get("needs", [])) <= set(w.get("skills", [])):
            problems.append("%s lacks skills for %s" % (wid, cid))
        if wid in c.get("exclude", []):
            problems.append("%s excluded from %s" % (wid, cid))
        if not supervision_ok(w):
            problems.append("%s unsupervised" % wid)
        obj += c.get("priority", p["priority"][c["type"]])
        if w["team"] != c["team"]:
            obj -= p["cross_team_penalty"]
        load[wid] += c.get("weight", p["weights"][c["type"]])
    groups = {}
    for cid, c in cases.items():
        if "group" in c:
            groups.setdefault(c["group"], set()).add(alloc.get(cid))
    for g, ws in groups.items():
        if len(ws) > 1:
            problems.append("group %s split %s" % (g, sorted(map(str, ws))))
    oversight = {}
    for wid, w in workers.items():
        if load[wid] > cap[wid] + 1e-9:
            problems.append("%s over cap %g > %g" % (wid, load[wid], cap[wid]))
        obj -= p["overload_penalty"] * max(0.0, load[wid] - target[wid])
        if w["role"] in p["supervised_roles"] and w.get("supervisor"):
            oversight[w["supervisor"]] = oversight.get(w["supervisor"], 0.0) + load[wid]
    for s, v in oversight.items():
        if v > over_cap.get(s, p["oversight_cap"]) + 1e-9:
            problems.append("oversight of %s %g > %g" % (s, v, over_cap.get(s, p["oversight_cap"])))
    return obj, problems


def highs(model):
    """Naive MIP split into independent parts, a shared 60 s deadline."""
    parts = side_by_side.split_naive(model)
    deadline = time.time() + HIGHS_LIMIT
    obj, bound, proven, statuses, t = 0.0, 0.0, True, set(), 0.0
    for part in parts:
        limit = max(0.5, deadline - time.time())
        r = side_by_side.naive_part(part, limit, None)
        t += r["run_s"]
        statuses.add(r["status"])
        if r["status"] != "Optimal":
            proven = False
        if not r.get("has_solution", True):
            obj = None
        elif obj is not None:
            obj += r["objective"]
        b = r["bound"]
        if b is None or b != b or abs(b) == float("inf"):
            b = r["objective"] if r["status"] == "Optimal" else None
        bound = None if (bound is None or b is None) else bound + b
        if time.time() > deadline and not proven:
            if part is not parts[-1]:
                obj, bound = None, None  # parts left unsolved: no total
            break
    return {"objective": obj if proven or obj is not None else None, "bound": bound if proven else bound,
            "proven": proven, "statuses": sorted(statuses), "parts": len(parts), "time_s": t}


def close(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b))


def one(name, kind, spec):
    path = make(name, kind, spec)
    with open(path) as f:
        model = json.load(f)
    row = {"name": name, "kind": kind, "spec": spec, "model": path, "cases": len(model["cases"]),
           "workers": len(model["workers"]), "flags": []}
    pp = [os.path.join(PROPS, "%s.p%d.json" % (name, i)) for i in (1, 2, 3)]
    cmds = [[B, "allocate", path, "-o", pp[0]], [B, "allocate", path, "-o", pp[1]],
            [B, "--threads", "1", "allocate", path, "-o", pp[2]]]
    runs = []
    for cmd in cmds:
        rc, wall, out, err = run(["nice", "-n", "10"] + cmd)
        runs.append({"rc": rc, "wall": wall})
        if rc not in (0, 3) or "panick" in (out + err).lower():
            row["flags"].append("d: %s exit %d: %s" % (" ".join(cmd), rc, (err or out)[-400:]))
    row["runs"] = runs
    if runs[0]["rc"] not in (0, 3):
        return row
    with open(pp[0]) as f:
        prop = json.load(f)
    row.update(optimal=prop["optimal"], objective=prop["objective"], bound=prop.get("bound"),
               cl_wall=runs[0]["wall"])
    if prop["optimal"] != (runs[0]["rc"] == 0):
        row["flags"].append("d: exit %d but optimal=%s" % (runs[0]["rc"], prop["optimal"]))
    # determinism
    blobs = []
    for q in pp:
        try:
            with open(q) as f:
                d = json.load(f)
            blobs.append(json.dumps([d["allocations"], d["objective"], d["optimal"], d.get("bound")]))
        except (OSError, ValueError, KeyError):
            blobs.append(None)
    if blobs[1] is not None and blobs[0] != blobs[1]:
        row["flags"].append("e: two default runs differ")
    if blobs[2] is not None and blobs[0] != blobs[2]:
        row["flags"].append("e: --threads 1 differs from default")
    row["bytes_same"] = [open(pp[0], "rb").read() == open(q, "rb").read() if os.path.exists(q) else None
                         for q in pp[1:]]
    # check
    rc, _, out, err = run(["nice", "-n", "10", B, "check", path, pp[0], "--json"])
    row["check_rc"] = rc
    if rc != 0:
        row["flags"].append("c: check exit %d: %s" % (rc, (out + err)[-600:]))
    # independent evaluation
    ev, problems = evaluate(model, prop)
    row["eval_objective"] = ev
    if problems:
        row["flags"].append("c: independent evaluation finds breaches: %s" % problems[:5])
    if not close(ev, prop["objective"]):
        row["flags"].append("c: stated objective %r != independently evaluated %r" % (prop["objective"], ev))
    if prop.get("bound") is not None and prop["bound"] < prop["objective"] - TOL * max(1, abs(prop["objective"])):
        row["flags"].append("b: bound %r below own objective %r" % (prop["bound"], prop["objective"]))
    # HiGHS
    h = highs(model)
    row["highs"] = h
    if h["proven"]:
        opt = h["objective"]
        if prop["optimal"] and not close(opt, prop["objective"]):
            if opt > prop["objective"]:
                row["flags"].append("a: caseload optimal %r but HiGHS proves %r" % (prop["objective"], opt))
            else:
                row["flags"].append("x: caseload optimal %r ABOVE HiGHS optimum %r" % (prop["objective"], opt))
        if prop.get("bound") is not None and prop["bound"] < opt - TOL * max(1, abs(opt)):
            row["flags"].append("b: caseload bound %r below HiGHS optimum %r" % (prop["bound"], opt))
        if prop["objective"] > opt + TOL * max(1, abs(opt)):
            row["flags"].append("x: caseload objective %r beats HiGHS optimum %r" % (prop["objective"], opt))
        row["gap_to_highs"] = opt - prop["objective"]
    else:
        # even unproven, HiGHS's incumbent must not beat caseload's bound
        if h["objective"] is not None and prop.get("bound") is not None and \
                h["objective"] > prop["bound"] + TOL * max(1, abs(prop["bound"])):
            row["flags"].append("b: HiGHS incumbent %r beats caseload bound %r" % (h["objective"], prop["bound"]))
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deadline-min", type=float, default=60)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--wave", type=int, default=1)
    ap.add_argument("--binary", default="target/release/caseload")
    ap.add_argument("--out", default="/tmp/held-out")
    a = ap.parse_args()
    global B, MODELS, PROPS, RESULTS
    B = os.path.abspath(a.binary)
    MODELS, PROPS = os.path.join(a.out, "models"), os.path.join(a.out, "props")
    RESULTS = os.path.join(a.out, "results.jsonl")
    os.makedirs(MODELS, exist_ok=True)
    os.makedirs(PROPS, exist_ok=True)
    done = set()
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            done = {json.loads(x)["name"] for x in f if x.strip()}
    stop = time.time() + 60 * a.deadline_min
    for name, kind, spec in ({1: configs, 2: configs2, 3: configs3}[a.wave]()):
        if a.only and name not in a.only:
            continue
        if name in done:
            continue
        if time.time() > stop:
            print("deadline reached", file=sys.stderr)
            break
        try:
            row = one(name, kind, spec)
        except Exception as e:  # noqa: BLE001
            row = {"name": name, "kind": kind, "spec": spec, "flags": ["harness error: %r" % e]}
        with open(RESULTS, "a") as f:
            f.write(json.dumps(row) + "\n")
        h = row.get("highs") or {}
        print("%s: cl %s %s (bound %s) %.2fs | HiGHS %s %s %.1fs | %s" % (
            name, "opt" if row.get("optimal") else "UNPROVEN", row.get("objective"), row.get("bound"),
            row.get("cl_wall", 0), "proven" if h.get("proven") else "unproven", h.get("objective"),
            h.get("time_s", 0), "; ".join(row["flags"]) or "ok"), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
