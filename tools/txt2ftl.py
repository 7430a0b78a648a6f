#!/usr/bin/env python3
"""Turns catalogue lines of the old plain form (`e.some_id = text {name}`)
into Fluent (`e-some_id = text { $name }`), the form of src/text/*.ftl.

    python3 tools/txt2ftl.py < new-lines.txt >> src/text/en.ftl

An id's dots become dashes (Fluent allows letters, digits, `_` and `-`);
`{}` and `{name:?}` become named arguments; a value's leading or trailing
spaces are kept as a quoted `{ "  " }`; an empty value is `{ "" }`.
Comments and blank lines pass through."""
import re
import sys


def fluent_id(old):
    return old.replace(".", "-").replace("#", "hash")


def fluent_value(v):
    n = [0]

    def arg(m):
        name = m.group(1).split(":")[0]
        if not name:
            n[0] += 1
            name = "arg%d" % n[0]
        return "{ $%s }" % name

    # Braces that are no placeholder are Fluent string literals.
    parts = re.split(r"(\{[A-Za-z0-9_:?]*\})", v)
    v = "".join(
        arg(re.match(r"\{([A-Za-z0-9_:?]*)\}", p)) if i % 2 else
        p.replace("{", '\0{').replace("}", '{ "}" }').replace('\0{', '{ "{" }')
        for i, p in enumerate(parts)
    )
    if v == "":
        return '{ "" }'
    lead = len(v) - len(v.lstrip(" "))
    trail = len(v) - len(v.rstrip(" "))
    core = v.strip(" ")
    if lead:
        core = '{ "%s" }' % (" " * lead) + core
    if trail:
        core = core + '{ "%s" }' % (" " * trail)
    return core


def convert(line):
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"):
        return line
    k, _, v = line.partition("=")
    k = k.strip()
    v = v[1:] if v.startswith(" ") else v
    return "%s = %s" % (fluent_id(k), fluent_value(v))


if __name__ == "__main__":
    for line in sys.stdin:
        print(convert(line))
