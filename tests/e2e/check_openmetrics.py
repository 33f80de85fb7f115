#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check FILE... as OpenMetrics text (docs/metrics.md), as hostctx
metrics writes it: each line a "# TYPE", "# HELP" or "# UNIT" of a
valid name, or a sample "name{labels} value"; a family declared once,
before its samples, which are contiguous and carry its name; label
values escaped; values that parse as floats; "# EOF" the last line and
no sample twice.  Then, when python3-prometheus-client is installed
(Debian's package), its OpenMetrics parser must accept the text too.

Prints "ok N samples, parser: prometheus_client|none" per file; exit 1
with the file, line number and reason at the first problem.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    r"^(%s)(?:\{(%s(?:,%s)*)?\})? (\S+)$" % (NAME, LABEL, LABEL))
META = re.compile(r"^# (TYPE|HELP|UNIT) (%s)(?: (.*))?$" % NAME)
TYPES = {"gauge", "counter", "unknown", "info", "stateset", "histogram",
         "gaugehistogram", "summary"}


class Bad(Exception):
    pass


def check_value(text):
    if text in ("+Inf", "-Inf", "NaN"):
        return
    try:
        float(text)
    except ValueError:
        raise Bad("value %r is no number" % text)


def check_meta(m, state):
    kind, name, rest = m.group(1), m.group(2), m.group(3)
    if kind == "TYPE":
        if name in state["declared"]:
            raise Bad("family %s declared twice" % name)
        if rest not in TYPES:
            raise Bad("unknown type %r" % rest)
        state["declared"].add(name)
        state["family"] = name
    elif name != state["family"]:
        raise Bad("# %s of %s outside its family" % (kind, name))


def check_sample(m, state):
    name, labels, value = m.group(1), m.group(2), m.group(3)
    if name != state["family"]:
        raise Bad("sample %s outside its family %s" % (name, state["family"]))
    names = re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', labels or "")
    if len(names) != len(set(names)):
        raise Bad("a label repeated")
    key = (name, labels or "")
    if key in state["samples"]:
        raise Bad("sample %s{%s} twice" % key)
    state["samples"].add(key)
    check_value(value)


def check_grammar(text):
    if not text.endswith("# EOF\n"):
        raise Bad("the text does not end with '# EOF'")
    state = {"declared": set(), "family": None, "samples": set()}
    lines = text[:-1].split("\n")
    for number, line in enumerate(lines[:-1], 1):
        try:
            m = META.match(line)
            if m:
                check_meta(m, state)
                continue
            m = SAMPLE.match(line)
            if not m:
                raise Bad("not OpenMetrics: %r" % line)
            check_sample(m, state)
        except Bad as e:
            raise Bad("line %d: %s" % (number, e))
    return len(state["samples"])


def check_with_parser(text):
    try:
        from prometheus_client.openmetrics import parser
    except ImportError:
        return "none"
    try:
        list(parser.text_string_to_metric_families(text))
    except ValueError as e:
        raise Bad("prometheus_client: %s" % e)
    return "prometheus_client"


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            n = check_grammar(text)
            how = check_with_parser(text)
        except Bad as e:
            print("%s: %s" % (path, e))
            return 1
        print("%s: ok %d samples, parser: %s" % (path, n, how))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
