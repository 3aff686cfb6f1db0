"""`kizuna validate --warnings / --strict` (issue 18, item 8): SHOULD-level findings listed with
the object's place, id, property path and kind; --strict fails on them; --json gives JSON lines;
the shipped examples have none."""
import json
import os
import unittest

from kizuna_cli import SOURCE_DIR, KizunaTestCase

SHIPPED = [os.path.join(SOURCE_DIR, "examples", "alliance-2026.json"),
           os.path.join(SOURCE_DIR, "docs", "extensions", "extension-definitions.json")]
CASES = os.path.join(SOURCE_DIR, "tests", "data", "validate-cases", "warnings.json")
SCO_V4 = "ipv4-addr--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"


class ValidateWarnings(KizunaTestCase):
    def bundle(self):
        """The warning cases as one bundle, and the warnings they must give as (id, path, kind)."""
        with open(CASES) as f:
            cases = json.load(f)
        objects, expected = [], []
        for c in cases:
            objects.append(c["object"])
            expected += [(c["object"]["id"], w["path"], w["kind"]) for w in c["warnings"]]
        path = self.write("cases.json", json.dumps({"type": "bundle", "id": "bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
                                                   "objects": objects}, indent=1))
        return path, len(objects), expected

    def test_the_shipped_examples_are_warning_free(self):
        out = self.run_kizuna("validate", "--strict", "--json", *SHIPPED).stdout.decode().splitlines()
        self.assertEqual(len(out), 1, out)
        summary = json.loads(out[-1])
        self.assertEqual((summary["invalid"], summary["warnings"]), (0, 0))
        self.assertGreater(summary["objects"], 20)

    def test_warnings_name_the_object_path_and_kind(self):
        path, n, expected = self.bundle()
        quiet = self.run_kizuna("validate", path)
        self.assertNotIn(b"warning", quiet.stdout + quiet.stderr, "only when asked")
        proc = self.run_kizuna("validate", "--warnings", path)
        lines = proc.stdout.decode().splitlines()
        self.assertEqual(len(lines), len(expected), lines)
        self.assertRegex(lines[0], r"^.*cases\.json:\d+:\d+: warning: indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: "
                                   r"name: missing; .*\(STIX 2\.1 §4\.7\) \[indicator-name\]$")
        self.assertTrue(any(": warning: %s: id: not a UUIDv5" % SCO_V4 in line and line.endswith("[sco-id-not-uuidv5]")
                            for line in lines), lines)
        self.assertIn("%d objects: %d valid, 0 invalid, %d warnings" % (n, n, len(expected)), proc.stderr.decode())
        self.run_kizuna("validate", "--strict", path, expect=1)

    def test_json_lines(self):
        path, n, expected = self.bundle()
        out = self.run_kizuna("validate", "--warnings", "--json", path).stdout.decode().splitlines()
        findings = [json.loads(line) for line in out[:-1]]
        self.assertEqual(sorted((f["id"], f["path"], f["kind"]) for f in findings), sorted(expected))
        for f in findings:
            self.assertEqual(f["severity"], "warning")
            self.assertGreater(f["line"], 0)
            self.assertIn("§", f["message"])
        summary = json.loads(out[-1])
        self.assertEqual((summary["objects"], summary["invalid"], summary["warnings"]), (n, 0, len(expected)))

    def test_errors_are_json_lines_too(self):
        path = self.write("bad.json", '[{"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-000000000002"}]')
        out = self.run_kizuna("validate", "--json", "--warnings", path, expect=1).stdout.decode().splitlines()
        error = json.loads(out[0])
        self.assertEqual((error["severity"], error["line"], error["column"]), ("error", 1, 2))
        self.assertIn("indicator--8e2e2d2b-17d4-4cbf-938f-000000000002", error["message"])
        self.assertEqual(json.loads(out[-1])["invalid"], 1)

    def test_help_names_the_flags(self):
        out = self.run_kizuna("validate", "--help").stdout.decode()
        for flag in ("--warnings", "--strict", "--json"):
            self.assertIn(flag, out)


if __name__ == "__main__":
    unittest.main()
