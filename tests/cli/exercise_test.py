"""`kizuna exercise`: scenario errors, generated telemetry read by `kizuna match` unchanged,
and the auto-blue loop (generate, import the implied indicators, match, score)."""
import filecmp
import json
import os
import unittest

from kizuna_cli import KizunaTestCase, SHARED_DATA, SOURCE_DIR

SCENARIO = os.path.join(SOURCE_DIR, "examples", "exercise", "pacific-shield.yaml")
ATTACK = os.path.join(SOURCE_DIR, "tests", "data", "exercise", "attack-techniques.json")
SCHEMA = os.path.join(SOURCE_DIR, "docs", "exercise.schema.json")
LOGS = ("conn", "dns", "http", "ssl", "files", "notice")


def read_truth(path):
    """Returns {(file, line): label} of a truth.tsv."""
    out = {}
    with open(path) as f:
        for row in f:
            if row.startswith("#"):
                continue
            file, line, _, label = row.rstrip("\n").split("\t")
            out[(file, int(line))] = label
    return out


class Scenario(KizunaTestCase):
    def test_shipped_scenario_is_valid(self):
        proc = self.run_kizuna("exercise", "validate", SCENARIO, "--attack", ATTACK, "--json")
        out = json.loads(proc.stdout)
        self.assertTrue(out["valid"])
        self.assertEqual(out["teams"], 4)
        self.assertEqual(out["steps"], 12)

    @unittest.skipUnless(os.path.exists(os.path.join(SHARED_DATA, "attack", "ics-attack-18.1.json")),
                         "the shared ATT&CK data is absent")
    def test_shipped_scenario_resolves_against_the_bundled_attack_data(self):
        self.run_kizuna("exercise", "validate", SCENARIO, "--attack",
                        os.path.join(SHARED_DATA, "attack", "ics-attack-18.1.json"))

    def test_attack_ids_resolve_against_the_store(self):
        self.init_with_collection("attack")
        self.run_kizuna("exercise", "validate", SCENARIO, expect=1)  # the store holds no ATT&CK yet
        self.run_kizuna("import", ATTACK, "--collection", "attack")
        self.run_kizuna("exercise", "validate", SCENARIO)

    def test_shipped_scenario_follows_the_json_schema(self):
        try:
            import jsonschema
            import yaml
        except ImportError:
            self.skipTest("python3-jsonschema or python3-yaml is not installed")
        with open(SCENARIO) as f:
            doc = yaml.safe_load(f)
        doc["meta"]["t0"] = doc["meta"]["t0"].isoformat() if hasattr(doc["meta"]["t0"], "isoformat") else doc["meta"]["t0"]
        with open(SCHEMA) as f:
            jsonschema.validate(doc, json.load(f))

    def test_an_unknown_technique_is_named_with_its_line(self):
        with open(SCENARIO) as f:
            text = f.read()
        bad = self.write("bad.yaml", text.replace("technique: T0867", "technique: T0999"))
        line = text[:text.index("technique: T0867")].count("\n") + 1
        proc = self.run_kizuna("exercise", "validate", bad, "--attack", ATTACK, expect=1)
        self.assertEqual(proc.stderr.decode().strip(),
                         f"kizuna: {bad}:{line}: technique 'T0999' is not in the ATT&CK data")

    def test_a_bad_value_is_named_with_its_line(self):
        with open(SCENARIO) as f:
            text = f.read()
        bad = self.write("bad.yaml", text.replace("records_per_second: 5", "records_per_second: lots", 1))
        line = text[:text.index("records_per_second: 5")].count("\n") + 1
        proc = self.run_kizuna("exercise", "validate", bad, "--attack", ATTACK, "--json", expect=1)
        self.assertEqual(json.loads(proc.stdout)["error"],
                         f"{bad}:{line}: background[0].records_per_second: expected a number, not 'lots'")


class Generate(KizunaTestCase):
    def generate(self, out, *args):
        proc = self.run_kizuna("exercise", "generate", SCENARIO, "--attack", ATTACK, "--out", out,
                               "--background-scale", "0.2", "--json", *args)
        return json.loads(proc.stdout)

    def test_same_scenario_same_bytes(self):
        a, b = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")
        self.generate(a, "--zeek-json")
        self.generate(b, "--zeek-json")
        for team in ("jpn", "usa", "kor"):
            names = [f"{log}.log" for log in LOGS] + ["eve.json"]
            match, mismatch, errors = filecmp.cmpfiles(os.path.join(a, team), os.path.join(b, team), names,
                                                       shallow=False)
            self.assertEqual((mismatch, errors), ([], []))
        self.assertTrue(filecmp.cmp(os.path.join(a, "truth.tsv"), os.path.join(b, "truth.tsv"), shallow=False))

    def test_kizuna_match_reads_the_telemetry_unchanged(self):
        out = os.path.join(self.tmp, "out")
        summary = self.generate(out, "--zeek-json")
        self.init_with_collection("ex")
        inputs = [os.path.join(out, team) for team in ("jpn", "usa", "kor")]
        m = json.loads(self.run_kizuna("match", "--collection", "ex", "--input", *inputs, "--json").stdout)["match"]
        # Every labelled line (Zeek TSV, Zeek JSON, EVE) is one record to kizuna match, none malformed.
        with open(os.path.join(out, "truth.tsv")) as f:
            truth_lines = sum(1 for line in f if not line.startswith("#"))
        self.assertEqual(truth_lines, summary["records"])
        self.assertEqual(m["malformed"], 0)
        self.assertEqual(m["records"], summary["records"])
        self.assertFalse(os.path.exists(os.path.join(out, "white")))  # nothing happens on the white cell's network


class AutoBlue(KizunaTestCase):
    """Generate, import the implied indicators into an exercise collection, match, score."""

    def run_once(self, name):
        out = os.path.join(self.tmp, name)
        self.run_kizuna("exercise", "generate", SCENARIO, "--attack", ATTACK, "--out", out,
                        "--background-scale", "0.2", "--time-scale", "4")
        alerts = os.path.join(self.tmp, name + "-alerts.jsonl")
        inputs = [os.path.join(out, team) for team in ("jpn", "usa", "kor")]
        self.run_kizuna("match", "--exercise", "--collection", "exercise", "--input", *inputs, "--alerts", alerts)
        proc = self.run_kizuna("exercise", "score", SCENARIO, "--attack", ATTACK, "--truth",
                               os.path.join(out, "truth.tsv"), "--alerts", alerts, "--time-scale", "4", "--json")
        return proc.stdout, alerts, out

    def exercise_collection(self):
        self.run_kizuna("init")
        self.run_kizuna("collection", "create", "--title", "Pacific Shield", "--alias", "exercise", "--exercise")
        bundle = self.write("implied.json", self.run_kizuna("exercise", "indicators", SCENARIO,
                                                            "--attack", ATTACK).stdout)
        self.run_kizuna("import", bundle, "--collection", "exercise")
        return bundle

    def test_auto_blue_detects_every_covered_step_and_no_look_alike(self):
        self.exercise_collection()
        first, alerts, out = self.run_once("run1")
        board = json.loads(first)
        for team in board["teams"]:
            if team["steps"] == 0:
                continue
            self.assertEqual(team["recall_covered"], 1.0, team)
            self.assertEqual(team["lookalike_alerts"], 0, team)
            self.assertEqual(team["background_alerts"], 0, team)
        self.assertEqual(board["unlabelled_alerts"], 0)
        covered = [s for s in board["steps"] if s["covered"]]
        self.assertEqual(len(covered), 10)
        self.assertTrue(all(s["level"] == "technique" for s in covered))
        self.assertFalse(any(s["detected"] for s in board["steps"] if not s["covered"]))
        # Cross-check with the truth file: no alert is on a look-alike record.
        truth = read_truth(os.path.join(out, "truth.tsv"))
        with open(alerts) as f:
            for line in f:
                a = json.loads(line)
                key = (os.path.relpath(a["input"], out), a["line"])
                self.assertTrue(truth[key].startswith("step:"), (key, truth[key]))
        # Scored identically in every run.
        second, _, _ = self.run_once("run2")
        self.assertEqual(first, second)

    def test_exercise_indicators_never_match_production_telemetry(self):
        """docs/security.md rule 6: the implied indicators are refused by a production
        collection, and an exercise collection is matched only with --exercise."""
        bundle = self.exercise_collection()
        self.run_kizuna("collection", "create", "--title", "Production", "--alias", "intel")
        proc = self.run_kizuna("import", bundle, "--collection", "intel", "--json", expect=None)
        self.assertNotEqual(proc.returncode, 0)
        summary = json.loads(proc.stdout)
        self.assertEqual(summary["added"], 0)
        self.assertIn(b"exercise marking", proc.stdout + proc.stderr)
        out = os.path.join(self.tmp, "out")
        self.run_kizuna("exercise", "generate", SCENARIO, "--attack", ATTACK, "--out", out, "--background-scale", "0.2")
        inputs = [os.path.join(out, team) for team in ("jpn", "usa", "kor")]
        refused = self.run_kizuna("match", "--collection", "exercise", "--input", *inputs, expect=None)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn(b"exercise is an exercise collection: match it with --exercise", refused.stderr)
        mixed = self.run_kizuna("match", "--exercise", "--collection", "exercise", "--collection", "intel",
                                "--input", *inputs, expect=None)
        self.assertIn(b"intel is not an exercise collection", mixed.stderr)
        production = json.loads(self.run_kizuna("match", "--collection", "intel", "--input", *inputs,
                                                "--json").stdout)
        self.assertEqual(production["compile"]["active"], 0)
        self.assertEqual(production["match"]["alerts"], 0)
        exercise = json.loads(self.run_kizuna("match", "--exercise", "--collection", "exercise",
                                              "--input", *inputs, "--json").stdout)
        self.assertGreater(exercise["compile"]["active"], 0)
        self.assertGreater(exercise["match"]["alerts"], 0)

    def test_score_without_alerts_detects_nothing(self):
        out = os.path.join(self.tmp, "out")
        self.run_kizuna("exercise", "generate", SCENARIO, "--attack", ATTACK, "--out", out,
                        "--background-scale", "0", "--no-eve")
        board = json.loads(self.run_kizuna("exercise", "score", SCENARIO, "--attack", ATTACK, "--truth",
                                           os.path.join(out, "truth.tsv"), "--json").stdout)
        self.assertEqual(sum(t["detected"] for t in board["teams"]), 0)
        table = self.run_kizuna("exercise", "score", SCENARIO, "--attack", ATTACK, "--truth",
                                os.path.join(out, "truth.tsv")).stdout.decode()
        self.assertIn("jpn-phish", table)


if __name__ == "__main__":
    unittest.main()
