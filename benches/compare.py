#!/usr/bin/env python3
"""Independent check and speed comparison of `caseload allocate` against HiGHS.

Builds the model of a caseload model file as a plain MIP straight from the JSON (SPEC sections 3
and 4, written again here without any of caseload's code), solves it with HiGHS (highspy, from
PyPI), runs `caseload allocate` (release build) on the same file, and prints both optima, HiGHS's
solve time, caseload's whole-process wall time and their ratio. Exits 1 when the objectives differ
by more than 1e-6 relative, and then writes the smallest model it can find that still disagrees to
notes/compare-mismatch-<sha>.json. Exit status: 0 agree; 1 a contradiction (both claim
optimality and differ, or one's solution beats the other's proven bound); 2 not comparable
(a time limit stopped one of them first).

    benches/compare.py --model models/birmingham_2014.json
    benches/compare.py --cases 2000 --workers 130 --teams 8 --seed 1 --weights --groups 0.2

On first use it creates a virtual environment (python3 -m venv) in $CARGO_TARGET_DIR/compare-venv
(default target/compare-venv), installs highspy there and re-runs itself inside it.

The MIP: binary x[c,w] for each permitted pair (rules 1-6); for a sibling group, only the workers
permitted for every member, and x[c,w] = x[first,w] for each member; pinned cases fixed to their
worker; sum_w x[c,w] <= 1; load_w = sum weight x <= cap_w; overload o_w >= load_w - target_w,
o_w >= 0; for each supervisor s, the weight held by supervised-role workers whose supervisor is s
<= oversight_cap_s. Maximise sum priority x - move_penalty (cases with a current worker not kept)
- overload_penalty sum o - cross_team_penalty (cases outside their team); the move term is
written as the constant -move_penalty x (cases with a current worker) plus move_penalty x[c,cw].
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REL_TOL = 1e-6


def ensure_venv():
    """Re-runs this script inside a venv that has highspy, creating it on first use."""
    try:
        import highspy  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("COMPARE_IN_VENV"):
        sys.exit("compare.py: highspy is still missing inside the venv; install it by hand")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    venv = os.path.join(target, "compare-venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        print(f"creating {venv} and installing highspy from PyPI ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "highspy"], check=True)
    os.environ["COMPARE_IN_VENV"] = "1"
    os.execv(py, [py] + sys.argv)


# ---- SPEC section 2: the england policy -------------------------------------------------------
ROLES = ["team_manager", "senior_social_worker", "social_worker", "newly_qualified_social_worker",
         "social_work_assistant", "family_support_worker", "personal_adviser"]
ENGLAND = {
    "may_hold": {
        "looked_after": ["team_manager", "senior_social_worker", "social_worker", "newly_qualified_social_worker"],
        "child_protection": ["team_manager", "senior_social_worker", "social_worker"],
        "child_in_need": [r for r in ROLES if r != "personal_adviser"],
        "care_leaver": ["personal_adviser", "senior_social_worker", "social_worker",
                        "newly_qualified_social_worker", "social_work_assistant"],
    },
    "supervised_roles": ["social_work_assistant", "family_support_worker"],
    "supervisor_roles": ["team_manager", "senior_social_worker", "social_worker"],
    "caps": {"team_manager": 5, "senior_social_worker": 15, "social_worker": 18,
             "newly_qualified_social_worker": 16, "social_work_assistant": 12,
             "family_support_worker": 12, "personal_adviser": 25},
    "weights": {"child_in_need": 1, "child_protection": 1, "looked_after": 1, "care_leaver": 1},
    "priority": {"child_protection": 100, "looked_after": 100, "care_leaver": 50, "child_in_need": 40},
    "oversight_cap": 24, "move_penalty": 10, "overload_penalty": 20,
    "cross_team": False, "cross_team_penalty": 5,
}


def policy_of(model):
    given = model.get("policy") or {}
    p = json.loads(json.dumps(ENGLAND))
    for key in ("may_hold",):
        p[key].update(given.get(key, {}))
    for key in ("supervised_roles", "supervisor_roles"):
        if key in given:
            p[key] = given[key]
    p["caps"].update(given.get("caps", {}))
    p["targets"] = dict(p["caps"])  # targets default to the caps in force
    p["targets"].update(given.get("targets", {}))
    p["weights"].update(given.get("weights", {}))
    p["priority"].update(given.get("priority", {}))
    for key in ("oversight_cap", "move_penalty", "overload_penalty", "cross_team", "cross_team_penalty"):
        if key in given:
            p[key] = given[key]
    return p


def worker_limits(model, p):
    """Each worker's cap, target (at most its cap) and oversight cap, by id (SPEC section 1)."""
    cap, target, over_cap = {}, {}, {}
    for w in model["workers"]:
        fte = w.get("fte", 1.0)
        cap[w["id"]] = w["cap"] if "cap" in w else p["caps"].get(w["role"], 0) * fte
        t = w["target"] if "target" in w else p["targets"].get(w["role"], 0) * fte
        target[w["id"]] = min(t, cap[w["id"]])
        over_cap[w["id"]] = w.get("oversight_cap", p["oversight_cap"])
    return cap, target, over_cap


def active(w):
    """Whether a worker may hold cases (SPEC section 1: status active)."""
    return w.get("status", "active") == "active"


def supervised_rule(p, workers):
    """Whether a worker's supervision lets it hold cases: a supervised role needs an active
    supervisor of a supervisor role (SPEC section 3)."""

    def supervision_ok(w):
        if w["role"] not in p["supervised_roles"]:
            return True
        s = workers.get(w.get("supervisor"))
        return s is not None and active(s) and s["role"] in p["supervisor_roles"]

    return supervision_ok


# ---- SPEC sections 3 and 4 as a MIP -----------------------------------------------------------
def build_and_solve(model, time_limit, threads=None):
    import highspy
    import numpy as np

    p = policy_of(model)
    workers = {w["id"]: w for w in model["workers"]}
    cap, target, over_cap = worker_limits(model, p)
    supervision_ok = supervised_rule(p, workers)

    by_team = {}
    for w in model["workers"]:
        by_team.setdefault(w["team"], []).append(w)

    def permitted(c):
        pool = model["workers"] if p["cross_team"] else by_team.get(c["team"], [])
        needs = set(c.get("needs", []))
        excl = set(c.get("exclude", []))
        return [w["id"] for w in pool
                if active(w) and w["role"] in p["may_hold"].get(c["type"], [])
                and needs <= set(w.get("skills", [])) and w["id"] not in excl and supervision_ok(w)]

    cases = model["cases"]
    allowed = [permitted(c) for c in cases]
    groups = {}
    for i, c in enumerate(cases):
        if "group" in c:
            groups.setdefault(c["group"], []).append(i)
    for members in groups.values():
        common = set(allowed[members[0]])
        for i in members[1:]:
            common &= set(allowed[i])
        for i in members:
            allowed[i] = [w for w in allowed[i] if w in common]

    def weight(c):
        return c.get("weight", p["weights"][c["type"]])

    col_cost, col_lo, col_hi, integrality = [], [], [], []
    xcol = {}
    for i, c in enumerate(cases):
        for w in allowed[i]:
            xcol[(i, w)] = len(col_cost)
            cost = c.get("priority", p["priority"][c["type"]])
            if c.get("current_worker") == w:
                cost += p["move_penalty"]
            if workers[w]["team"] != c["team"]:
                cost -= p["cross_team_penalty"]
            col_cost.append(cost)
            col_lo.append(0.0)
            col_hi.append(1.0)
            integrality.append(1)
        if c.get("pinned"):
            key = (i, c["current_worker"])
            if key not in xcol:
                raise SystemExit(f"case {c['id']} is pinned where it is not permitted (the model is invalid)")
            col_lo[xcol[key]] = 1.0
    ocol = {}
    for w in model["workers"]:
        ocol[w["id"]] = len(col_cost)
        col_cost.append(-p["overload_penalty"])
        col_lo.append(0.0)
        col_hi.append(highspy.kHighsInf)
        integrality.append(0)
    offset = -p["move_penalty"] * sum(1 for c in cases if c.get("current_worker") is not None)

    rows_lo, rows_hi, starts, index, value = [], [], [0], [], []

    def row(entries, lo, hi):
        for j, v in entries:
            index.append(j)
            value.append(v)
        starts.append(len(index))
        rows_lo.append(lo)
        rows_hi.append(hi)

    inf = highspy.kHighsInf
    held = {w: [] for w in workers}
    for i, c in enumerate(cases):
        cols = [(xcol[(i, w)], 1.0) for w in allowed[i]]
        if len(cols) > 1:
            row(cols, -inf, 1.0)
        for w in allowed[i]:
            held[w].append((xcol[(i, w)], weight(c)))
    for members in groups.values():
        first = members[0]
        for i in members[1:]:
            for w in allowed[i]:
                row([(xcol[(i, w)], 1.0), (xcol[(first, w)], -1.0)], 0.0, 0.0)
    oversee = {}
    for w, entries in held.items():
        if not entries:
            continue
        row(entries, -inf, cap[w])
        row(entries + [(ocol[w], -1.0)], -inf, target[w])
        wk = workers[w]
        if wk["role"] in p["supervised_roles"] and wk.get("supervisor"):
            oversee.setdefault(wk["supervisor"], []).extend(entries)
    for s, entries in oversee.items():
        row(entries, -inf, over_cap[s])

    lp = highspy.HighsLp()
    lp.num_col_ = len(col_cost)
    lp.num_row_ = len(rows_lo)
    lp.col_cost_ = np.array(col_cost, dtype=np.double)
    lp.col_lower_ = np.array(col_lo, dtype=np.double)
    lp.col_upper_ = np.array(col_hi, dtype=np.double)
    lp.row_lower_ = np.array(rows_lo, dtype=np.double)
    lp.row_upper_ = np.array(rows_hi, dtype=np.double)
    lp.offset_ = offset
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=np.double)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
                       for k in integrality]

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("mip_abs_gap", 1e-7)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    if threads:
        h.setOptionValue("threads", int(threads))
    h.passModel(lp)
    t0 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    return {
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "status": status,
        "solve_s": solve_s,
        "has_solution": info.primal_solution_status != 0,
        "cols": lp.num_col_,
        "rows": lp.num_row_,
    }


def run_caseload(binary, path, time_limit):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
    out.close()
    cmd = [binary, "allocate", path, "-o", out.name, "-q"]
    if time_limit:
        cmd += ["--time-limit", str(time_limit)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 3):
        os.unlink(out.name)
        raise RuntimeError(f"caseload allocate exited {r.returncode}: {r.stderr.strip()}")
    with open(out.name) as f:
        prop = json.load(f)
    os.unlink(out.name)
    return {"objective": prop["objective"], "optimal": prop["optimal"], "wall_s": wall}


AGREE = "objectives agree within 1e-6 relative"


def judge(mine, ref):
    """The verdict, and whether the two results contradict each other (a bug on one side)."""
    m, h = mine["objective"], ref["objective"]
    h_opt = ref["status"] == "Optimal"
    if mine["optimal"] and h_opt:
        return (AGREE, False) if agree(m, h) else ("OBJECTIVES DISAGREE: both claim optimality", True)
    if mine["optimal"]:
        # HiGHS stopped early: its incumbent may not beat caseload's optimum, nor its bound fall below it.
        bad = h > m + REL_TOL * max(1.0, abs(m)) or ref["bound"] < m - REL_TOL * max(1.0, abs(m))
        return ("CONTRADICTION: HiGHS's incumbent or bound contradicts caseload's optimum", True) if bad else (
            "HiGHS stopped before proving optimality; its incumbent and bound are consistent with caseload's optimum", False)
    if h_opt:
        bad = m > h + REL_TOL * max(1.0, abs(h))
        return ("CONTRADICTION: caseload's objective beats HiGHS's proven optimum", True) if bad else (
            f"caseload stopped before proving optimality, {h - m:g} below HiGHS's optimum", False)
    return ("neither solver proved optimality within the time limit", False)


def agree(a, b):
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


# ---- shrinking a disagreement -----------------------------------------------------------------
def drop_workers(model, ids):
    ids = set(ids)
    m = json.loads(json.dumps(model))
    m["workers"] = [w for w in m["workers"] if w["id"] not in ids]
    for w in m["workers"]:
        if w.get("supervisor") in ids:
            del w["supervisor"]
    for c in m["cases"]:
        if c.get("current_worker") in ids:
            del c["current_worker"]
            c.pop("pinned", None)
        if "exclude" in c:
            c["exclude"] = [x for x in c["exclude"] if x not in ids]
            if not c["exclude"]:
                del c["exclude"]
    return m


def shrink(model, binary, time_limit):
    """Greedy delta debugging: drop chunks of cases, then workers, while the disagreement stays."""
    def disagrees(m):
        if not m["workers"]:
            return False
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(m, f)
        try:
            mine = run_caseload(binary, f.name, time_limit)
            ref = build_and_solve(m, time_limit)
            return mine["optimal"] and not agree(mine["objective"], ref["objective"])
        except (RuntimeError, SystemExit):
            return False
        finally:
            os.unlink(f.name)

    for key in ("cases", "workers"):
        chunk = max(1, len(model[key]) // 2)
        while chunk >= 1:
            i, changed = 0, False
            while i < len(model[key]):
                if key == "cases":
                    trial = dict(model, cases=model["cases"][:i] + model["cases"][i + chunk:])
                else:
                    trial = drop_workers(model, [w["id"] for w in model["workers"][i:i + chunk]])
                if disagrees(trial):
                    model, changed = trial, True
                else:
                    i += chunk
            if not changed:
                chunk //= 2
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="a model file (otherwise one is generated)")
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--workers", type=int)
    ap.add_argument("--teams", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--weights", action="store_true")
    ap.add_argument("--groups", type=float, default=0.0)
    ap.add_argument("--cross-team", action="store_true")
    ap.add_argument("--binary", help="caseload binary (default: cargo build --release)")
    ap.add_argument("--time-limit", type=float, help="seconds, for both solvers")
    ap.add_argument("--no-shrink", action="store_true", help="on disagreement, do not shrink the model")
    a = ap.parse_args()

    binary = a.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
        binary = os.path.join(target, "release", "caseload")

    tmpdir = tempfile.mkdtemp(prefix="compare-")
    path = a.model
    if not path:
        workers = a.workers or max(3, round(a.cases / 16))
        teams = a.teams or max(1, round(workers / 15))
        path = os.path.join(tmpdir, "model.json")
        cmd = [binary, "generate", "--cases", str(a.cases), "--workers", str(workers), "--teams", str(teams),
               "--seed", str(a.seed), "--groups", str(a.groups)]
        cmd += ["--weights"] if a.weights else []
        cmd += ["--cross-team"] if a.cross_team else []
        print("generated: caseload", " ".join(cmd[1:]))
        subprocess.run(cmd + ["-o", path], check=True)
    with open(path, "rb") as f:
        raw = f.read()
    model = json.loads(raw)

    mine = run_caseload(binary, path, a.time_limit)
    ref = build_and_solve(model, a.time_limit)
    shutil.rmtree(tmpdir, ignore_errors=True)
    ratio = mine["wall_s"] / ref["solve_s"] if ref["solve_s"] > 0 else float("inf")
    verdict, contradiction = judge(mine, ref)
    print(f"model: {path} ({len(model['cases'])} cases, {len(model['workers'])} workers; "
          f"MIP {ref['cols']} columns, {ref['rows']} rows)")
    print(f"HiGHS {ref['status']}: objective {ref['objective']:.6f} (bound {ref['bound']:.6f}), "
          f"solve {ref['solve_s']:.3f} s")
    print(f"caseload {'optimal' if mine['optimal'] else 'NOT proven optimal'}: objective "
          f"{mine['objective']:.6f}, whole process {mine['wall_s']:.3f} s")
    print(f"ratio caseload whole process / HiGHS solve: {ratio:.3f}")
    print(verdict)
    if contradiction and not a.no_shrink:
        small = shrink(model, binary, a.time_limit)
        data = json.dumps(small, indent=1).encode()
        out = os.path.join(REPO, "notes", f"compare-mismatch-{hashlib.sha256(data).hexdigest()[:12]}.json")
        with open(out, "wb") as f:
            f.write(data)
        print(f"smallest disagreeing model ({len(small['cases'])} cases, {len(small['workers'])} workers): {out}")
    if contradiction:
        sys.exit(1)
    if verdict != AGREE:
        sys.exit(2)

if __name__ == "__main__":
    ensure_venv()
    main()
