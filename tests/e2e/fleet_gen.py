#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fleet_gen.py RECORD DIR N [SEED]: N variants of RECORD (a record made by
hostctx-run under a 4-CPU synthetic tree) as DIR/<model>/runNNNNN.hostctx.json,
for report.bats and export.bats: three CPU models, three governor settings,
wall times that depend on both, drift (CPU 1's governor changed in post)
and failures (exit 1) at rates that depend on the model.  Prints, as JSON,
what a report of them must say per (model, governors) configuration:
runs, wall times (median, mean, min, max), failures and drift."""
import json
import os
import random
import statistics
import sys

MODELS = ["Xeon Gold 6338", "EPYC 7763", "Neoverse N1"]
GOVERNORS = [("schedutil",) * 4, ("performance",) * 4,
             ("schedutil", "powersave", "schedutil", "schedutil")]


def cpulist(govs):
    """The canonical text of a by-CPU map: 0,2-3:schedutil;1:powersave."""
    groups = {}
    for cpu, g in enumerate(govs):
        groups.setdefault(g, []).append(cpu)

    def ranges(cpus):
        out, start = [], cpus[0]
        for a, b in zip(cpus, cpus[1:] + [None]):
            if b != a + 1:
                out.append(str(start) if start == a else f"{start}-{a}")
                start = b
        return ",".join(out)
    return ";".join(f"{ranges(c)}:{g}"
                    for g, c in sorted(groups.items(), key=lambda x: x[1][0]))


def main(argv):
    base = json.load(open(argv[1]))
    out, n = argv[2], int(argv[3])
    rng = random.Random(int(argv[4]) if len(argv) > 4 else 7)
    base.pop("changes", None)
    text = json.dumps(base)
    runs = {}
    for i in range(n):
        d = json.loads(text)
        m, g = rng.randrange(3), rng.randrange(3)
        model, govs = MODELS[m], GOVERNORS[g]
        wall = round(rng.uniform(1, 2) + 0.1 * m + 0.05 * g, 6)
        drifted = rng.random() < 0.1 * (1 + m)
        failed = rng.random() < 0.05
        for side in ("pre", "post"):
            d[side]["cpu_model"] = model
            d[side]["cpufreq_governor"] = {str(c): x for c, x in enumerate(govs)}
        if drifted:
            d["post"]["cpufreq_governor"]["1"] = "userspace"
        d["run"]["wall_seconds"] = wall
        d["run"]["exit"] = {"code": 1 if failed else 0}
        sub = os.path.join(out, model.split()[0])
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"run{i:05}.hostctx.json"), "w") as f:
            json.dump(d, f)
        r = runs.setdefault(f"{model}|{cpulist(govs)}",
                            {"walls": [], "failures": 0, "drift": 0})
        r["walls"].append(wall)
        r["failures"] += failed
        r["drift"] += drifted
    expected = {k: {"runs": len(v["walls"]), "median": statistics.median(v["walls"]),
                    "mean": statistics.fmean(v["walls"]), "min": min(v["walls"]),
                    "max": max(v["walls"]), "failures": v["failures"], "drift": v["drift"]}
                for k, v in runs.items()}
    json.dump(expected, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
