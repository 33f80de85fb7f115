#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Conformance against real machines' /proc + /sys trees.

For every tree in $HOSTCTX_SHARED/fixtures/real, `hostctx snapshot
--root=TREE/root` must produce its expected.json (the reference's
fields) and its expected-beyond.json (the fields beyond it), as the
fixtures README says: a value must be equal exactly, null means the key
must be absent, `_alternatives` lists every accepted value (null =
absent), and keys starting with "_" are metadata.  A key of the
snapshot that neither file names is a difference too.  One TAP test per
tree; differing fields are printed as "# " comments.  Skipped when
../shared is absent.

HOSTCTX_CONFORMANCE_KEYS=k1,k2 limits the check of expected-beyond.json
to those keys (while a field group is being written); unset in the
suite.
"""
import json
import os
import shlex
import subprocess
import sys

ABSENT = object()


def tap_plan_skip(reason):
    print("1..1")
    print(f"ok 1 - conformance against real trees # SKIP {reason}")
    sys.exit(0)


def show(v):
    return "(absent)" if v is ABSENT else json.dumps(v, sort_keys=True)


def accepted_values(expected, key):
    """Every accepted value of key: ABSENT stands for null/omitted."""
    alts = expected.get("_alternatives", {})
    values = alts[key] if key in alts else [expected[key]]
    return [ABSENT if v is None else v for v in values]


def exactly_equal(a, b):
    # json.loads gives int for integers and float for others: 1 != 1.0 here,
    # and True is not 1.
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(exactly_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(exactly_equal(x, y) for x, y in zip(a, b))
    return a == b


def compare(expected, got, keys=None):
    """The list of differences, as human lines."""
    problems = []
    if keys is None:
        keys = [k for k in expected if not k.startswith("_")]
    for key in keys:
        value = got.get(key, ABSENT)
        accepted = accepted_values(expected, key)
        if value is ABSENT:
            ok = ABSENT in accepted
        else:
            ok = any(a is not ABSENT and exactly_equal(value, a) for a in accepted)
        if not ok:
            want = " or ".join(show(a) for a in accepted)
            problems.append(f"{key}: got {show(value)}, expected {want}")
    return problems


def snapshot(hostctx, root):
    cmd = shlex.split(os.environ.get("EXEC_PREFIX", "")) + [hostctx, "snapshot", f"--root={root}"]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "timed out after 120 s"
    if p.returncode != 0:
        return None, f"exit status {p.returncode}: {p.stderr.decode(errors='replace').strip()}"
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return None, f"output is not JSON: {e}"
    if not isinstance(doc, dict):
        return None, "output is not a JSON object"
    return doc, None


def main():
    shared = os.environ.get("HOSTCTX_SHARED")
    if not shared:
        tap_plan_skip("HOSTCTX_SHARED is not set (no ../shared)")
    real = os.path.join(shared, "fixtures", "real")
    if not os.path.isdir(real):
        tap_plan_skip(f"{real} does not exist")
    hostctx = os.environ.get("HOSTCTX", "")
    trees = sorted(d for d in os.listdir(real)
                   if os.path.isfile(os.path.join(real, d, "expected.json")))
    print(f"1..{len(trees)}")
    if not hostctx or not os.access(hostctx, os.X_OK):
        for i, name in enumerate(trees, 1):
            print(f"not ok {i} - {name}: no hostctx binary ($HOSTCTX)")
        return
    only = os.environ.get("HOSTCTX_CONFORMANCE_KEYS")
    only = set(only.split(",")) if only else None
    for i, name in enumerate(trees, 1):
        with open(os.path.join(real, name, "expected.json")) as f:
            expected = json.load(f)
        with open(os.path.join(real, name, "expected-beyond.json")) as f:
            beyond = json.load(f)
        got, error = snapshot(hostctx, os.path.join(real, name, "root"))
        problems = [error] if error else compare(expected, got)
        if not error:
            keys = [k for k in beyond if not k.startswith("_")
                    and (only is None or k in only)]
            problems += compare(beyond, got, keys)
            named = set(expected) | set(beyond)
            problems += [f"{key}: got {show(got[key])}, named in neither file"
                         for key in sorted(got) if key not in named]
        print(f"{'not ok' if problems else 'ok'} {i} - {name}")
        for line in problems:
            print(f"# {line}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
