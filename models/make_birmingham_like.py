#!/usr/bin/env python3
"""Builds models/whatif_birmingham_like.json: a model shaped like Birmingham's children's
social care in 2014 (about 5,000 open cases, 382 frontline posts of which 45 vacant), for the
`caseload whatif` worked example. Deterministic (fixed seed); no real data.

    python3 models/make_birmingham_like.py > models/whatif_birmingham_like.json
"""
import json
import random

rng = random.Random(2014)
TEAMS = ["Edgbaston", "Erdington", "Hall Green", "Hodge Hill", "Ladywood",
         "Northfield", "Perry Barr", "Selly Oak", "Sutton Coldfield", "Yardley"]
# Posts per team (38 or 39 each: 382 in all).
MIX = [("team_manager", 1), ("senior_social_worker", 4), ("social_worker", 18),
       ("newly_qualified_social_worker", 5), ("social_work_assistant", 4),
       ("family_support_worker", 3), ("personal_adviser", 3)]
LANGS = ["urdu", "punjabi", "bengali", "somali", "polish"]

workers = []
n = 0
for ti, team in enumerate(TEAMS):
    extra = 1 if ti < 2 else 0  # 38 x 10 + 2 = 382
    seniors = []
    for role, count in MIX:
        if role == "social_worker":
            count += extra
        for _ in range(count):
            n += 1
            w = {"id": f"W{n:04d}", "role": role, "team": team}
            if role in ("social_worker", "senior_social_worker") and rng.random() < 0.2:
                w["skills"] = [rng.choice(LANGS)]
            if rng.random() < 0.12:
                w["fte"] = 0.5
            if role in ("senior_social_worker", "team_manager"):
                seniors.append(w["id"])
            if role in ("social_work_assistant", "family_support_worker"):
                w["supervisor"] = seniors[(n) % len(seniors)]
            workers.append(w)

# 45 vacant posts, mostly qualified social workers, spread unevenly over teams.
frontline = [w for w in workers if w["role"] in
             ("social_worker", "newly_qualified_social_worker", "senior_social_worker",
              "personal_adviser", "social_work_assistant")]
for w in rng.sample(frontline, 45):
    w["status"] = "vacant"
# A handful of absences (long-term sick).
active = [w for w in workers if "status" not in w and w["role"] != "team_manager"]
for w in rng.sample(active, 8):
    w["status"] = "absent"

by_team = {t: [w for w in workers if w["team"] == t] for t in TEAMS}
MAY = {
    "looked_after": {"team_manager", "senior_social_worker", "social_worker", "newly_qualified_social_worker"},
    "child_protection": {"team_manager", "senior_social_worker", "social_worker"},
    "child_in_need": {"team_manager", "senior_social_worker", "social_worker",
                      "newly_qualified_social_worker", "social_work_assistant", "family_support_worker"},
    "care_leaver": {"personal_adviser", "senior_social_worker", "social_worker",
                    "newly_qualified_social_worker", "social_work_assistant"},
}
TYPES = [("child_in_need", 0.50), ("child_protection", 0.17), ("looked_after", 0.24), ("care_leaver", 0.09)]
# Demand is uneven: some districts are much busier than others.
TEAM_LOAD = [0.8, 1.15, 1.1, 1.25, 1.3, 0.9, 1.05, 0.85, 0.6, 1.0]
cases = []
c = 0
group_no = 0
for ti, team in enumerate(TEAMS):
    count = int(500 * TEAM_LOAD[ti])
    i = 0
    while i < count:
        r = rng.random()
        acc = 0
        for t, p in TYPES:
            acc += p
            if r <= acc:
                break
        size = 1
        if t in ("looked_after", "child_protection", "child_in_need") and rng.random() < 0.08:
            size = rng.choice([2, 2, 3])
            group_no += 1
        holders = [w for w in by_team[team] if w["role"] in MAY[t] and w.get("status") != "vacant"]
        cw = rng.choice(holders)["id"] if holders and rng.random() < 0.7 else None
        for _ in range(size):
            c += 1
            case = {"id": f"C{c:05d}", "type": t, "team": team}
            if size > 1:
                case["group"] = f"G{group_no:04d}"
            if cw:
                case["current_worker"] = cw
            if size == 1 and rng.random() < 0.03:
                case["needs"] = [rng.choice(LANGS)]
            cases.append(case)
            i += 1

# One worker or case a line: small diffs, easy to grep.
def lines(items):
    return ",\n".join("    " + json.dumps(x) for x in items)


print('{\n  "version": 1,\n  "workers": [\n' + lines(workers) + '\n  ],\n  "cases": [\n' + lines(cases) + '\n  ]\n}')
