"""bench/run: one JSON line per figure with its baseline and ratio, on a tiny run of two
benchmarks (skipped when the build has no benchmark programs), and the table's arithmetic."""
import importlib.machinery
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN = ROOT / "bench" / "run"
BUILD = pathlib.Path(os.environ.get("KIZUNA_BUILD_DIR", ROOT / "build" / "test"))
KEYS = {"bench", "figure", "value", "unit", "baseline", "baseline_value", "ratio", "commit", "time"}


def load_run():
    loader = importlib.machinery.SourceFileLoader("bench_run", str(RUN))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("bench_run", loader))
    loader.exec_module(module)
    return module


class BenchRunTest(unittest.TestCase):
    def test_figures_of_a_line(self):
        run = load_run()
        lines = [{"bench": "export", "stix_s": 2.0, "rpz_s": 3.0, "csv_s": 1.0}]
        out = {f["figure"]: f for f in run.figures("export_bench", lines, "abc")}
        self.assertEqual(out["export rpz"]["ratio"], 1.5)
        self.assertEqual(out["export csv"]["baseline_value"], 2.0)
        self.assertEqual(out["export csv"]["commit"], "abc")
        self.assertNotIn("export zeek-intel", out)  # a field the line lacks gives no figure
        lines = [{"measure": "allows", "keys_per_second": 100}, {"measure": "reference", "keys_per_second": 4}]
        (allow,) = run.figures("allowlist_bench", lines, None)
        self.assertEqual((allow["value"], allow["baseline_value"], allow["ratio"]), (100, 4, 25))
        (score,) = run.figures("exercise_bench", [{"bench": "score", "cpu_seconds": 2, "line_scan_cpu_seconds": 0,
                                                   "vs_line_scan": 7}], None)
        self.assertEqual(score["ratio"], 7)  # the bench's own ratio

    def test_every_figure_names_a_benchmark(self):
        run = load_run()
        self.assertEqual({f[0] for f in run.FIGURES} - set(run.BENCHES), set())

    def test_unknown_benchmark_is_refused(self):
        p = subprocess.run([sys.executable, str(RUN), "--only", "no_such_bench"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown benchmark no_such_bench", p.stderr)

    def test_tiny_run_prints_figure_lines(self):
        names = ["export_bench", "allowlist_bench"]
        for name in names:
            if not (BUILD / "bench" / name).exists():
                self.skipTest("%s is not built in %s" % (name, BUILD))
        p = subprocess.run([sys.executable, str(RUN), "--build", str(BUILD), "--only", ",".join(names)],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        self.assertEqual({x["bench"] for x in lines}, set(names))
        for line in lines:
            self.assertEqual(set(line), KEYS)
            self.assertIsInstance(line["value"], (int, float))
            self.assertIsInstance(line["baseline"], str)
            if line["baseline_value"]:  # times rounded to milliseconds may be 0 on a fast machine
                self.assertAlmostEqual(line["ratio"], line["value"] / line["baseline_value"], places=3)
            self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
            self.assertRegex(line["commit"], r"^[0-9a-f]{40}$")


if __name__ == "__main__":
    unittest.main()
