#!/usr/bin/env python3
"""Cuts tests/data/exercise/attack-techniques.json from MITRE ATT&CK for ICS 18.1.

  python3 tests/data/exercise/make_attack_techniques.py [path/to/ics-attack-18.1.json]

Default input: ../shared/data/attack/ics-attack-18.1.json relative to the repository root.
Keeps, unchanged, the identity and marking definition of ATT&CK, the attack-pattern and
intrusion-set objects whose ATT&CK ids are listed below (those the shipped scenario
examples/exercise/pacific-shield.yaml and the exercise tests use), and one revoked
intrusion set (for the revoked-id test).
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEFAULT = os.path.join(ROOT, "..", "shared", "data", "attack", "ics-attack-18.1.json")
OUT = os.path.join(ROOT, "tests", "data", "exercise", "attack-techniques.json")
IDS = {"T0865", "T0869", "T0859", "T0867", "T0886", "T0882", "T0812", "T0866", "G1001", "G0032"}


def attack_id(o):
    for r in o.get("external_references", []):
        if r.get("source_name") == "mitre-attack":
            return r.get("external_id")
    return None


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    with open(src, encoding="utf-8") as f:
        bundle = json.load(f)
    keep, revoked = [], None
    for o in sorted(bundle["objects"], key=lambda o: o["id"]):
        if o["type"] in ("identity", "marking-definition") and not any(k["type"] == o["type"] for k in keep):
            keep.append(o)
        elif o["type"] in ("attack-pattern", "intrusion-set") and attack_id(o) in IDS and not o.get("revoked"):
            keep.append(o)
        elif o["type"] == "intrusion-set" and o.get("revoked") and revoked is None:
            revoked = o
    if revoked is not None:
        keep.append(revoked)
    out = {"type": "bundle", "id": bundle["id"], "objects": keep}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{OUT}: {len(keep)} objects")


if __name__ == "__main__":
    main()
