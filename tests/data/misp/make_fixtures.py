#!/usr/bin/env python3
"""Cuts tests/data/misp/pymisp-existing-event-cut.json from PyMISP's test event
(../shared/data/misp/pymisp-tests/existing_event.json, BSD licence; see README.md).

Keeps the event's own fields and tags, its first four attributes, the file objects 19 and 34
and the objects 39 and 40 that object 34 references (object 19 references attribute 2), and two
galaxies (threat-actor, and the first two clusters of mitre-malware, whose clusters all carry
the galaxy's uuid). Everything kept is copied unchanged."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "misp", "pymisp-tests", "existing_event.json")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    with open(source) as f:
        event = json.load(f)
    objects = [event["Object"][i] for i in (19, 34, 39, 40)]
    attributes = event["Attribute"][:4]
    galaxies = [g for g in event["Galaxy"] if g["type"] == "threat-actor"]
    malware = dict(next(g for g in event["Galaxy"] if g["type"] == "mitre-malware"))
    malware["GalaxyCluster"] = malware["GalaxyCluster"][:2]
    galaxies.append(malware)
    cut = dict(event)
    cut.update({"Attribute": attributes, "Object": objects, "Galaxy": galaxies})
    with open(os.path.join(HERE, "pymisp-existing-event-cut.json"), "w") as f:
        json.dump({"Event": cut}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
