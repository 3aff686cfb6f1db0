"""`kizuna import --format misp` and `kizuna export --format misp` (issue 24, item 1): MISP
events into STIX through the one ingest path, and back through the released read, keeping
every attribute's value, type, category, to_ids, tags and comment."""
import glob
import json
import os
import unittest

from kizuna_cli import SHARED_DATA, SOURCE_DIR, KizunaTestCase

FIXTURES = os.path.join(SOURCE_DIR, "tests", "data", "misp")
PYMISP = os.path.join(SHARED_DATA, "misp", "pymisp-tests")
RED_ATTRIBUTE = "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a10"


def events_of(doc):
    """The events of a MISP document: {"response": [...]}, a list, {"Event": ...} or bare."""
    items = doc["response"] if isinstance(doc, dict) and "response" in doc else doc
    items = items if isinstance(items, list) else [items]
    return [e.get("Event", e) for e in items]


def attributes_of(doc):
    """What the round trip must keep of each attribute, as a sorted list."""
    out = []
    for event in events_of(doc):
        found = [("event", a) for a in event.get("Attribute", [])]
        found += [(o.get("uuid", o.get("name")), a) for o in event.get("Object", []) for a in o.get("Attribute", [])]
        for where, a in found:
            tags = sorted(t.get("name", "") for t in a.get("Tag", []))
            out.append(json.dumps([where, a.get("uuid"), a.get("value"), a.get("type"), a.get("category"),
                                   a.get("to_ids"), a.get("comment"), tags]))
    return sorted(out)


class MispRoundTrip(KizunaTestCase):
    def node(self, name):
        """A fresh node with one organisation and the collection `intel`."""
        self.data_dir = os.path.join(self.tmp, name)
        self.init_with_collection()
        self.run_kizuna("admin", "org", "add", "--name", "JPN-CERT", "--nation", "JPN")

    def round_trip(self, path, name):
        self.node(name)
        out = self.run_kizuna("import", "--format", "misp", path, "--collection", "intel", "--json").stdout
        summary = json.loads(out)
        self.assertEqual(summary["rejected"], 0, summary["rejections"])
        exported = self.run_kizuna("export", "--collection", "intel", "--format", "misp")
        with open(path) as f:
            source = json.load(f)
        return source, json.loads(exported.stdout), summary, exported.stderr.decode()

    def check(self, path, name):
        source, back, summary, _ = self.round_trip(path, name)
        self.assertEqual(attributes_of(back), attributes_of(source), path)
        # The event's own fields come back too.
        for before, after in zip(events_of(source), events_of(back)):
            for key in ("info", "uuid", "date", "threat_level_id", "analysis", "distribution", "Tag"):
                self.assertEqual(after.get(key), before.get(key), (path, key))
        return summary

    def test_fixtures_round_trip(self):
        for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
            with self.subTest(path=path):
                self.check(path, os.path.basename(path))

    def test_pymisp_event_files_round_trip(self):
        files = sorted(glob.glob(os.path.join(PYMISP, "*.json")))
        if not files:
            self.skipTest(f"{PYMISP} is absent: the fixtures cut from it run in test_fixtures_round_trip")
        attributes = 0
        for path in files:
            with self.subTest(path=path):
                summary = self.check(path, os.path.basename(path))
                attributes += summary["misp"]["attributes"]
        self.assertGreaterEqual(attributes, 140)

    def test_summary_names_what_has_no_stix_form(self):
        _, _, summary, _ = self.round_trip(os.path.join(FIXTURES, "kizuna-event-list.json"), "notes")
        self.assertEqual(summary["misp"]["events"], 2)
        self.assertEqual(summary["misp"]["attributes"], 13)
        notes = "\n".join(summary["misp"]["notes"])
        self.assertIn("no STIX mapping for type 'text'", notes)
        self.assertIn("sharing group (distribution 4)", notes)
        self.assertIn("x_misp_unresolved_references", notes)
        text = self.run_kizuna("import", "--format", "misp", os.path.join(FIXTURES, "kizuna-event-list.json"),
                               "--collection", "intel").stderr.decode()
        self.assertIn("MISP: 2 event(s), 13 attribute(s)", text)
        self.assertIn("note: tag 'tlp:ex:chr' is no TLP level: kept as a label", text)
        self.assertIn("27 already present", text)

    def test_bad_input_is_named_and_exits_1(self):
        self.node("bad")
        bad = self.write("bad.json", "[1, 2]")
        err = self.run_kizuna("import", "--format", "misp", bad, "--collection", "intel", expect=1).stderr.decode()
        self.assertIn("failed " + bad + ": event list item 0 is not a MISP event object", err)
        err = self.run_kizuna("export", "--collection", "intel", "--format", "nope", expect=2).stderr.decode()
        self.assertIn("--format", err)


class MispReleasedRead(KizunaTestCase):
    """The MISP export reads through the policy: what a reader may not see is not there."""

    def setUp(self):
        super().setUp()
        self.init_with_collection()
        for name, nation in (("JPN-CERT", "JPN"), ("USA-CERT", "USA")):
            self.run_kizuna("admin", "org", "add", "--name", name, "--nation", nation)
        for user, org in (("jp", "JPN-CERT"), ("us", "USA-CERT")):
            self.run_kizuna("admin", "user", "add", user, "--org", org, "--role", "reader")
            self.run_kizuna("admin", "grant", "intel", "--org", org, "--read")
        self.run_kizuna("import", "--format", "misp", os.path.join(FIXTURES, "kizuna-event-list.json"),
                        "--collection", "intel", "--organization", "JPN-CERT")

    def export(self, *who):
        return self.run_kizuna("export", "--collection", "intel", "--format", "misp", *who).stdout.decode()

    def test_tlp_red_attribute_is_withheld_from_another_nation(self):
        own, other = self.export("--as", "jp"), self.export("--as", "us")
        for text in (own, other):
            self.assertIn("cdn-lookup.example", text)  # TLP:AMBER: the collection's readers
        self.assertIn(RED_ATTRIBUTE, own)
        for secret in (RED_ATTRIBUTE, "mail-ministry.example\"", "phishing sender domain",
                       "6d1f1c5e-2b7a-4c3e-9f0a-1e2d3c4b5a20", "Spearphishing Attachment"):
            self.assertNotIn(secret, other)
        self.assertNotIn("987654", other, "the event's attribute count tells of withheld attributes")
        us = json.loads(other)
        self.assertEqual(len(events_of(us)), 2)
        stix = self.run_kizuna("export", "--collection", "intel", "--as", "us").stdout.decode()
        self.assertNotIn(RED_ATTRIBUTE, stix)


if __name__ == "__main__":
    unittest.main()
