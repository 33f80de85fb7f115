#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""validate_json.py KIND FILE...: each FILE against docs/schema's schema of
KIND (snapshot, sidecar, check, diff, export or report), draft 2020-12, with Debian's
python3-jsonschema.  An export FILE is NDJSON: each line is validated.
Prints one line per invalid file (its path, the failing key path and why)
and exits 1 if any is invalid, 2 on bad usage."""
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "..", "docs", "schema")
FILES = {
    "snapshot": "hostctx-snapshot-1.schema.json",
    "sidecar": "hostctx-sidecar-1.schema.json",
    "check": "hostctx-check-1.schema.json",
    "diff": "hostctx-diff-1.schema.json",
    "export": "hostctx-export-1.schema.json",
    "report": "hostctx-report-1.schema.json",
}
# Kinds whose files hold one document per line.
LINES = {"export"}


def load_schemas():
    return {kind: json.load(open(os.path.join(SCHEMAS, name)))
            for kind, name in FILES.items()}


def validator(schemas, kind):
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schemas[kind])
    try:    # jsonschema >= 4.18
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        return cls(schemas[kind], registry=registry)
    except ImportError:     # Debian 12: 4.10
        store = {s["$id"]: s for s in schemas.values()}
        resolver = jsonschema.RefResolver.from_schema(schemas[kind], store=store)
        return cls(schemas[kind], resolver=resolver)


def main(argv):
    if len(argv) < 3 or argv[1] not in FILES:
        print(__doc__, file=sys.stderr)
        return 2
    v = validator(load_schemas(), argv[1])
    bad = 0
    for path in argv[2:]:
        with open(path) as f:
            if argv[1] in LINES:
                docs = [(f"{path}:{n}", json.loads(line))
                        for n, line in enumerate(f, 1)]
            else:
                docs = [(path, json.load(f))]
        for name, doc in docs:
            errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
            for e in errors[:3]:
                where = "/".join(str(p) for p in e.absolute_path) or "(top)"
                print(f"{name}: {where}: {e.validator}: {e.message[:160]}")
            bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
