#!/usr/bin/env python3
"""Cuts tests/data/attack-slice.json from MITRE ATT&CK for ICS 18.1 (see tests/data/README.md).

  python3 tests/data/make_attack_slice.py [path/to/ics-attack-18.1.json]

Default input: ../shared/data/attack/ics-attack-18.1.json relative to the repository root.
Objects are copied unchanged; the selection is deterministic (sorted by id within each rule).
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "..", "shared", "data", "attack", "ics-attack-18.1.json")
OUT = os.path.join(ROOT, "tests", "data", "attack-slice.json")

# (type, how many, predicate) - revoked and deprecated objects are asked for explicitly.
RULES = [
    ("identity", 1, lambda o: True),
    ("marking-definition", 1, lambda o: True),
    ("x-mitre-matrix", 1, lambda o: True),
    ("x-mitre-tactic", 3, lambda o: True),
    ("attack-pattern", 3, lambda o: not o.get("revoked") and not o.get("x_mitre_deprecated")),
    ("attack-pattern", 2, lambda o: o.get("x_mitre_deprecated")),
    ("malware", 2, lambda o: not o.get("x_mitre_deprecated")),
    ("malware", 1, lambda o: o.get("x_mitre_deprecated")),
    ("intrusion-set", 1, lambda o: not o.get("revoked")),
    ("intrusion-set", 1, lambda o: o.get("revoked")),
    ("campaign", 2, lambda o: True),
    ("course-of-action", 2, lambda o: "labels" in o),
    ("x-mitre-data-source", 2, lambda o: o.get("x_mitre_deprecated")),
    ("x-mitre-data-component", 2, lambda o: "x_mitre_data_source_ref" in o),
    ("x-mitre-asset", 2, lambda o: "x_mitre_related_assets" in o),
    ("x-mitre-detection-strategy", 2, lambda o: True),
    ("x-mitre-analytic", 2, lambda o: "x_mitre_log_source_references" in o),
    ("relationship", 2, lambda o: o["relationship_type"] == "revoked-by"),
    ("relationship", 2, lambda o: o["relationship_type"] == "targets"),
    ("relationship", 2, lambda o: o["relationship_type"] == "mitigates"),
    ("relationship", 2, lambda o: o["relationship_type"] == "detects"),
    ("relationship", 2, lambda o: o["relationship_type"] == "uses"),
    ("relationship", 2, lambda o: o["relationship_type"] == "attributed-to"),
]


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    with open(source, encoding="utf-8") as f:
        bundle = json.load(f)
    objects = sorted(bundle["objects"], key=lambda o: o["id"])
    chosen, seen = [], set()
    for type_, count, predicate in RULES:
        picked = [o for o in objects if o["type"] == type_ and o["id"] not in seen and predicate(o)]
        if len(picked) < count:
            sys.exit("make_attack_slice: only %d %s objects match" % (len(picked), type_))
        for o in picked[:count]:
            seen.add(o["id"])
            chosen.append(o)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"type": "bundle", "id": bundle["id"], "objects": chosen}, f, indent=1,
                  ensure_ascii=False)
        f.write("\n")
    print("make_attack_slice: wrote %d objects to %s" % (len(chosen), OUT))


if __name__ == "__main__":
    main()
