#!/usr/bin/env python3
"""Writes docs/api.md: every public type (and top-level function) of every library module, one line each, from
the source's declarations and the first line of their doc comments. Run it after changing the public API:
`python3 scripts/api-list.py > docs/api.md`."""
import os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = [
    ("KVCore", "Sources/KVCore"), ("KV", "Sources/KV"), ("KVMemory", "Backends/Memory"), ("KVRedisConfiguration", "Sources/KVRedisConfiguration"), ("KVRedis", "Backends/Redis"),
    ("KVRing", "Backends/Ring"), ("KVCluster", "Backends/Cluster"), ("KVSentinel", "Backends/Sentinel"),
    ("KVHealthMonitor", "Sources/KVHealthMonitor"), ("KVFileConfiguration", "Sources/KVFileConfiguration"),
    ("KVConformance", "Sources/KVConformance"), ("KVSoak", "Sources/KVSoak"),
    ("KVHummingbird", "Sources/Adapters/KVHummingbird"), ("KVVapor", "Sources/Adapters/KVVapor"),
    ("KVSwiftConfiguration", "Sources/Adapters/KVSwiftConfiguration"),
]
DECL = re.compile(r"^(\s*)(?:@\w+(?:\([^)]*\))?\s+)*public (?:final )?(class|struct|enum|protocol|actor|typealias|func) (\w+)")

def summary(doc):
    text = " ".join(line.strip()[3:].strip() for line in doc)
    first = re.split(r"(?<=[.])\s", text, maxsplit=1)[0] if text else ""
    return first.replace("``", "`")

out = ["# Public API", "", "Every public type of every library module, one line each (`scripts/api-list.py` writes this page from",
       "the sources). Members are in each type's documentation (`make docs`).", ""]
for module, path in MODULES:
    rows = []
    for directory, _, files in os.walk(os.path.join(ROOT, path)):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            lines = open(os.path.join(directory, name)).read().split("\n")
            outer = []
            doc = []
            for line in lines:
                stripped = line.strip()
                if stripped.startswith("///"):
                    doc.append(stripped)
                    continue
                match = DECL.match(line)
                if match:
                    indent, kind, ident = len(match.group(1)), match.group(2), match.group(3)
                    outer = [o for o in outer if o[0] < indent]
                    if kind == "func" and indent > 0:
                        doc = []
                        continue
                    qualified = ".".join([o[1] for o in outer] + [ident])
                    if kind != "func" or indent == 0:
                        rows.append((qualified, kind, summary(doc)))
                    if kind in ("class", "struct", "enum", "protocol", "actor"):
                        outer.append((indent, ident))
                elif stripped.startswith("extension ") and not line.startswith(" "):
                    outer = []
                if not stripped.startswith("@"):
                    doc = []
    if rows:
        out += [f"## {module}", ""]
        for qualified, kind, text in sorted(set(rows)):
            out.append(f"- `{qualified}` ({kind}){': ' + text if text else ''}")
        out.append("")
sys.stdout.write("\n".join(out))
