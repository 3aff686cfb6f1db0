"""End-to-end tests of the `kizuna` command line: init, collection, validate, import, export."""
import json
import os
import stat
import unittest

from kizuna_cli import SHARED_DATA, SOURCE_DIR, KizunaTestCase, raw_objects

EXAMPLE = os.path.join(SOURCE_DIR, "examples", "alliance-2026.json")
INDICATOR = ('{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-%012d",'
             '"created":"2016-01-01T00:00:00.000Z","modified":"2016-01-01T00:00:00.000Z",'
             '"pattern":"[file:name = \'x\']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}')


class HelpAndUsage(KizunaTestCase):
    def test_every_command_has_help(self):
        for cmd in (["init"], ["collection", "create"], ["collection", "list"], ["validate"],
                    ["import"], ["export"], ["check"]):
            out = self.run_kizuna(*cmd, "--help").stdout.decode()
            self.assertIn("Usage", out, cmd)

    def test_bad_arguments_exit_2(self):
        self.run_kizuna("no-such-command", expect=2)
        self.run_kizuna("import", expect=2)  # no file, no collection
        self.run_kizuna("export", "--collection", "x", "--bogus", expect=2)
        self.run_kizuna("import", "f.json", "--collection", "x", "--batch", "0", expect=2)
        self.run_kizuna("check", "--max-problems", "0", expect=2)
        self.run_kizuna("check", "--time-budget", "-1", expect=2)

    def test_version_and_unknown_commands(self):
        """Issue 19, item 15: --version, and an unknown command named with the list of commands."""
        self.assertRegex(self.run_kizuna("--version").stdout.decode(), r"^kizuna \d+\.\d+\.\d+\n$")
        err = self.run_kizuna("--data-dir", self.tmp, "imprt", "x.json", expect=2).stderr.decode()
        self.assertIn("unknown command 'imprt'; the commands are ", err)
        self.assertIn("import", err)

    def test_commands_need_an_initialised_data_dir(self):
        proc = self.run_kizuna("collection", "list", expect=1)
        self.assertIn(b"kizuna init", proc.stderr)


class ImportExport(KizunaTestCase):
    def test_init_is_idempotent(self):
        self.run_kizuna("init")
        self.run_kizuna("init")

    def test_init_closes_the_data_directory_to_other_accounts(self):
        """Issue 16, finding 8: the directory 0700, the database 0600, and said when tightened."""
        old = os.umask(0o022)
        try:
            self.run_kizuna("init")
            self.assertEqual(stat.S_IMODE(os.stat(self.data_dir).st_mode), 0o700)
            db = os.path.join(self.data_dir, "kizuna.db")
            self.assertEqual(stat.S_IMODE(os.stat(db).st_mode), 0o600)
            os.chmod(db, 0o644)
            err = self.run_kizuna("init").stderr.decode()
            self.assertIn("kizuna.db was 0644, open to other local accounts; it is now 0600", err)
            self.assertEqual(stat.S_IMODE(os.stat(db).st_mode), 0o600)
        finally:
            os.umask(old)


class Collections(KizunaTestCase):
    def test_a_create_with_a_bad_option_creates_nothing(self):
        """Issue 19, item 7: a wrong default release or community left the collection behind."""
        self.run_kizuna("init")
        proc = self.run_kizuna("collection", "create", "--title", "T", "--alias", "t", "--default-release",
                               "Everyone!", expect=1)
        self.assertIn(b"Everyone!", proc.stderr)
        self.run_kizuna("collection", "create", "--title", "T", "--alias", "t", "--community", "Not A Name", expect=1)
        self.assertEqual(json.loads(self.run_kizuna("collection", "list", "--json").stdout), [])
        self.run_kizuna("collection", "create", "--title", "T", "--alias", "t")


class Check(KizunaTestCase):
    def test_a_fresh_store_is_clean(self):
        """Issue 16, finding 14: `kizuna check` reports every step, as text or JSON, exit 0."""
        self.init_with_collection()
        self.run_kizuna("import", EXAMPLE, "--collection", "intel")
        text = self.run_kizuna("check").stdout.decode()
        for step in ("sqlite", "entries", "ids", "marking-definitions", "peer-tokens", "modes"):
            self.assertRegex(text, r"\n  %s +ok " % step)
        report = json.loads(self.run_kizuna("check", "--json").stdout)
        self.assertTrue(report["clean"] and report["complete"])
        self.assertEqual([s["name"] for s in json.loads(self.run_kizuna("check", "--quick", "--json").stdout)["steps"]],
                         ["sqlite", "modes"])

    def test_a_file_that_is_not_a_database(self):
        """Issue 16, finding 14: a store overwritten with garbage is a problem, exit 1."""
        self.run_kizuna("init")
        with open(os.path.join(self.data_dir, "kizuna.db"), "wb") as f:
            f.write(b"x" * 65536)
        proc = self.run_kizuna("check", expect=1)
        self.assertIn(b"the database cannot be read", proc.stdout)
        self.assertIn(b"problem(s) found", proc.stderr)
        self.assertIn(b"is damaged, so it is not served", self.run_kizuna("serve", "--dev", "--listen", "127.0.0.1:0",
                                                                         expect=1).stderr)

    def test_import_then_export_is_byte_for_byte(self):
        self.init_with_collection()
        summary = json.loads(self.run_kizuna("import", EXAMPLE, "--collection", "intel", "--json").stdout)
        with open(EXAMPLE) as f:
            original = raw_objects(f.read())
        self.assertEqual(summary["read"], len(original))
        self.assertEqual(summary["added"], len(original))
        self.assertEqual(summary["rejected"], 0)
        exported = self.run_kizuna("export", "--collection", "intel", "--all-versions").stdout.decode()
        self.assertEqual(json.loads(exported)["type"], "bundle")
        self.assertEqual(sorted(raw_objects(exported)), sorted(original))
        # Custom properties are kept: the example identities carry x_kizuna_nation.
        self.assertIn('"x_kizuna_nation": "JPN"', exported)

    def test_export_defaults_to_latest_versions_and_filters(self):
        self.init_with_collection()
        self.run_kizuna("import", EXAMPLE, "--collection", "intel")
        latest = json.loads(self.run_kizuna("export", "--collection", "intel").stdout)["objects"]
        reports = [o for o in latest if o["type"] == "report"]
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0]["modified"], "2026-11-10T08:00:00.000Z")
        only = json.loads(self.run_kizuna("export", "--collection", "intel", "--type", "indicator",
                                          "--type", "malware").stdout)["objects"]
        self.assertEqual({o["type"] for o in only}, {"indicator", "malware"})
        future = json.loads(self.run_kizuna("export", "--collection", "intel", "--added-after",
                                            "2100-01-01T00:00:00Z").stdout)["objects"]
        self.assertEqual(future, [])
        self.run_kizuna("export", "--collection", "intel", "--added-after", "soon", expect=1)
        self.run_kizuna("export", "--collection", "nope", expect=1)

    def test_reimport_adds_nothing(self):
        self.init_with_collection()
        self.run_kizuna("import", EXAMPLE, "--collection", "intel")
        again = json.loads(self.run_kizuna("import", EXAMPLE, "--collection", "intel", "--json").stdout)
        self.assertEqual(again["added"], 0)
        self.assertEqual(again["already_present"], again["read"])

    def test_json_lines_envelopes_lists_and_stdin(self):
        self.init_with_collection()
        lines = self.write("a.jsonl", "\n".join(INDICATOR % i for i in range(3)) + "\n")
        envelope = self.write("b.json", json.dumps({"more": False, "objects": [json.loads(INDICATOR % 10)]}))
        listing = self.write("c.json", "[" + INDICATOR % 20 + "]")
        s = json.loads(self.run_kizuna("import", lines, envelope, listing, "--collection", "intel", "--json").stdout)
        self.assertEqual((s["files"], s["added"]), (3, 5))
        s = json.loads(self.run_kizuna("import", "-", "--collection", "intel", "--json",
                                       stdin=(INDICATOR % 30).encode()).stdout)
        self.assertEqual(s["added"], 1)

    @unittest.skipUnless(os.path.isdir(os.path.join(SHARED_DATA, "attack")), "needs ../shared/data/attack")
    def test_attack_18_0_then_18_1_keeps_both_versions(self):
        self.init_with_collection()
        a, b = (os.path.join(SHARED_DATA, "attack", f) for f in ("ics-attack-18.0.json", "ics-attack-18.1.json"))
        s0 = json.loads(self.run_kizuna("import", a, "--collection", "intel", "--json").stdout)
        s1 = json.loads(self.run_kizuna("import", b, "--collection", "intel", "--json").stdout)
        self.assertEqual((s0["added"], s0["rejected"]), (1826, 0))
        self.assertEqual((s1["added"], s1["already_present"], s1["rejected"]), (28, 1798, 0))
        latest = json.loads(self.run_kizuna("export", "--collection", "intel").stdout)["objects"]
        everything = json.loads(self.run_kizuna("export", "--collection", "intel", "--all-versions").stdout)["objects"]
        self.assertEqual(len(latest), 1826)
        self.assertEqual(len(everything), 1826 + 28)
        with open(b) as f:
            newest = {o["id"]: o.get("modified", o.get("created")) for o in json.load(f)["objects"]}
        self.assertEqual({o["id"]: o.get("modified", o.get("created")) for o in latest}, newest)


class Validate(KizunaTestCase):
    def test_valid_file(self):
        out = self.run_kizuna("validate", EXAMPLE, "--json").stdout.decode().splitlines()
        summary = json.loads(out[-1])
        self.assertEqual(summary["invalid"], 0)
        self.assertGreater(summary["valid"], 20)

    def test_invalid_objects_are_named_with_place(self):
        path = self.write("bad.json", "[\n" + INDICATOR % 1 + ",\n" +
                          '{"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-000000000002", "created": "yesterday"}\n]')
        proc = self.run_kizuna("validate", path, expect=1)
        self.assertIn(b"bad.json:3:1: indicator--8e2e2d2b-17d4-4cbf-938f-000000000002: created: invalid timestamp",
                      proc.stdout)
        self.assertIn(b"1 invalid", proc.stderr)

    def test_invalid_stix_patterns_are_named_with_offset_and_reason(self):
        # STIX 2.1 §9: the pattern of a "stix" indicator MUST be valid; validate checks what
        # import and TAXII check (issue 18, item 1).
        def with_pattern(n, pattern):
            return (INDICATOR % n).replace("[file:name = 'x']", pattern)
        path = self.write("patterns.json", "[\n" + ",\n".join([
            with_pattern(1, "[file:name = 'x']"),
            with_pattern(2, "[artifact:payload_bin = h'abc']"),
            with_pattern(3, "[file:name = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS"),
            with_pattern(4, "[file:name = ]")]) + "\n]")
        proc = self.run_kizuna("validate", path, expect=1)
        out = proc.stdout.decode()
        self.assertIn("patterns.json:3:1: indicator--8e2e2d2b-17d4-4cbf-938f-000000000002: pattern: "
                      "offset 24: bad-hex: h'' needs an even number of hex digits", out)
        self.assertIn("patterns.json:4:1: indicator--8e2e2d2b-17d4-4cbf-938f-000000000003: pattern: "
                      "offset 35: duplicate-qualifier: WITHIN is applied twice", out)
        self.assertIn("patterns.json:5:1: indicator--8e2e2d2b-17d4-4cbf-938f-000000000004: pattern: "
                      "offset 13: syntax: ", out)
        self.assertNotIn("000000000001", out)
        self.assertIn(b"4 objects: 1 valid, 3 invalid", proc.stderr)

    def test_missing_file(self):
        proc = self.run_kizuna("validate", os.path.join(self.tmp, "nope.json"), expect=1)
        self.assertIn(b"nope.json", proc.stdout)


class BadInput(KizunaTestCase):
    """Bad input: a clear error, a non-zero exit, no crash, nothing already stored lost."""

    def setUp(self):
        super().setUp()
        self.init_with_collection()
        self.run_kizuna("import", EXAMPLE, "--collection", "intel")
        self.before = self.count()

    def count(self):
        return len(json.loads(self.run_kizuna("export", "--collection", "intel", "--all-versions").stdout)["objects"])

    def check_rejected(self, content, message):
        path = self.write("input.json", content)
        proc = self.run_kizuna("import", path, "--collection", "intel", expect=1)
        self.assertIn(message.encode(), proc.stderr)
        self.assertEqual(self.count(), self.before)

    def test_malformed_json(self):
        self.check_rejected('{"type": "bundle", "objects": [{"type": "indicator",, "id": 1}]}', "malformed JSON")

    def test_truncated_file(self):
        with open(EXAMPLE) as f:
            text = f.read()
        self.check_rejected(text[: len(text) // 2], "truncated")

    def test_wrong_types(self):
        self.check_rejected('[{"type": "indicator", "id": ["not", "a", "string"]}]', "id: expected an identifier string")

    def test_100_mb_string(self):
        self.check_rejected('[{"type": "x-big", "id": "x-big--8e2e2d2b-17d4-4cbf-938f-000000000001", "v": "' +
                            "a" * (100 * 1024 * 1024) + '"}]', "more than the limit")

    def test_10000_deep_nesting(self):
        self.check_rejected('[{"type": "x-deep", "id": "x-deep--8e2e2d2b-17d4-4cbf-938f-000000000001", "v": ' +
                            "[" * 10000 + "]" * 10000 + "}]", "levels deep")

    def test_non_utf8_bytes(self):
        self.check_rejected(b'[{"type": "x-bytes", "id": "x-bytes--8e2e2d2b-17d4-4cbf-938f-000000000001", "v": "\xff\xfe\xc0"}]',
                            "UTF")

    def test_not_json_at_all(self):
        self.check_rejected(b"\x00\x01\x02 binary garbage \x89PNG", "expected a JSON object or list")

    def test_empty_file(self):
        self.check_rejected("", "empty")


if __name__ == "__main__":
    unittest.main()
