"""`kizuna exercise report`: the after-action report of the shipped scenario played in
auto-blue with partners' shares: a self-contained page without inline event handlers, whose
figures equal its JSON, and every chart drawn in Debian's Chromium (screenshot kept in the
build folder, aar.png)."""
import json
import os
import re
import shutil
import subprocess
import unittest

from kizuna_cli import KIZUNA, KizunaTestCase, SOURCE_DIR

SCENARIO = os.path.join(SOURCE_DIR, "examples", "exercise", "pacific-shield.yaml")
ATTACK = os.path.join(SOURCE_DIR, "tests", "data", "exercise", "attack-techniques.json")
CHROMIUM = "/usr/bin/chromium"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


class AfterActionReport(KizunaTestCase):
    def setUp(self):
        super().setUp()
        self.run_kizuna("init")
        self.run_kizuna("collection", "create", "--title", "Pacific Shield", "--alias", "exercise", "--exercise")
        implied = self.run_kizuna("exercise", "indicators", SCENARIO, "--attack", ATTACK).stdout
        self.run_kizuna("import", self.write("implied.json", implied), "--collection", "exercise")
        by_step = {}
        for o in json.loads(implied)["objects"]:
            if o["type"] == "indicator":
                by_step.setdefault(o["x_kizuna_exercise_step"], []).append(o["id"])
        out = os.path.join(self.tmp, "tel")
        self.run_kizuna("exercise", "generate", SCENARIO, "--attack", ATTACK, "--out", out,
                        "--background-scale", "0.2", "--time-scale", "4")
        alerts = os.path.join(self.tmp, "alerts.jsonl")
        self.run_kizuna("match", "--exercise", "--collection", "exercise", "--input",
                        *[os.path.join(out, t) for t in ("jpn", "usa", "kor")], "--alerts", alerts)

        def manifest(name, steps, added):
            ids = [i for s in steps for i in by_step[s]]
            return self.write(name, json.dumps({"objects": [{"id": i, "date_added": added} for i in ids]}))
        # JPN's phishing and C2 indicators reach USA at 00:05 (telemetry time); KOR receives
        # the C2 ones as TLP:CLEAR without releasability (two violations of jpn-shares-c2).
        kor = {"objects": [{"type": "indicator", "id": i, "date_added": "2026-11-02T00:05:00Z",
                            "object_marking_refs": [TLP_CLEAR]} for i in by_step["jpn-c2-dns"]]}
        board = self.run_kizuna(
            "exercise", "score", SCENARIO, "--attack", ATTACK, "--truth", os.path.join(out, "truth.tsv"),
            "--alerts", alerts, "--time-scale", "4", "--json", "--lift",
            "--shared", "usa=" + manifest("usa.json", ["jpn-phish", "jpn-c2-dns"], "2026-11-02T00:05:00Z"),
            "--shared", "kor=" + self.write("kor.json", json.dumps(kor)),
            "--shared", "jpn=" + manifest("jpn.json", ["usa-exfil"], "2026-11-02T00:45:00Z")).stdout
        self.result = self.write("result.json", board)
        self.board = json.loads(board)

    def report(self, *args):
        html, figures = os.path.join(self.tmp, "aar.html"), os.path.join(self.tmp, "aar.json")
        self.run_kizuna("exercise", "report", "--result", self.result, "--out", html, "--json", figures, *args)
        with open(html, encoding="utf-8") as f, open(figures) as g:
            return html, f.read(), json.load(g)

    def test_scoreboard_has_share_to_use_and_violations(self):
        usa = next(t for t in self.board["teams"] if t["team"] == "usa")
        self.assertEqual(usa["share_to_use"], 1)  # usa-c2-dns, with jpn-c2-dns's indicator
        step = next(s for s in self.board["steps"] if s["step"] == "usa-c2-dns")
        self.assertEqual((step["shared_from"], step["shared_step"]), ("jpn", "jpn-c2-dns"))
        kinds = sorted((v["to"], v["kind"]) for v in self.board["violations"])
        self.assertEqual(kinds, [("kor", "not-releasability-marked"), ("kor", "not-releasability-marked"),
                                 ("kor", "tlp-below-objective"), ("kor", "tlp-below-objective")])
        jpn = next(t for t in self.board["teams"] if t["team"] == "jpn")
        self.assertEqual(jpn["releasability_violations"], 4)
        self.assertEqual(len(self.board["lift"]), 3)

    def test_page_is_self_contained_without_inline_handlers_and_shows_the_json(self):
        _, html, figures = self.report()
        markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
        self.assertIsNone(re.search(r"<[a-z]+[^>]+(src|href)=", markup), "nothing loaded from elsewhere")
        self.assertIsNone(re.search(r"<[a-z][^>]*\son[a-z]+\s*=", markup, re.I), "no inline event handler")
        self.assertEqual(html.count("<script"), 4, "figures, messages, ECharts and the chart script, inline")
        self.assertIn("script-src 'sha256-", html)
        self.assertEqual(figures["result"], self.board)
        cards = dict(re.findall(r'data-figure="(\w+)"><div class="label">[^<]*</div><div class="value">([\d,]+)<', html))
        self.assertEqual({k: int(v.replace(",", "")) for k, v in cards.items()}, figures["headline"])
        self.assertEqual(figures["headline"]["steps"], len(self.board["steps"]))
        self.assertEqual(figures["headline"]["violations"], 4)
        table = re.search(r'<table id="teams-table">.*?<tbody>(.*?)</tbody>', html).group(1)
        rows = re.findall(r"<tr>(.*?)</tr>", table)
        self.assertEqual(len(rows), len(self.board["teams"]))
        for team, row in zip(self.board["teams"], rows):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
            self.assertEqual(cells[0], team["team"])
            self.assertEqual(cells[4], "%.2f" % team["recall"] if team["recall"] is not None else "—")
            self.assertEqual(cells[12], str(team["releasability_violations"]))
            self.assertEqual(cells[13], "%.3f" % team["score"])
        edges = {(e["from"], e["to"]): e for e in figures["graph"]["links"]}
        self.assertEqual(edges[("JPN", "USA")]["objectives"], 2)
        self.assertEqual(edges[("JPN", "USA")]["used"], 1)

    def test_japanese_page_and_bad_input(self):
        _, html, _ = self.report("--lang", "ja")
        self.assertIn('<html lang="ja">', html)
        self.assertIn("事後検証報告", html)
        bad = self.write("bad.json", '{"teams": []}')
        proc = self.run_kizuna("exercise", "report", "--result", bad, "--out", os.path.join(self.tmp, "x.html"),
                               expect=1)
        self.assertIn(b"bad.json: result: 'exercise' is missing", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.html")))

    @unittest.skipUnless(os.access(CHROMIUM, os.X_OK), "needs Debian's chromium (scripts/install-deps --test)")
    def test_every_chart_is_drawn_in_chromium(self):
        html_path, _, figures = self.report()
        flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + os.path.join(self.tmp, "profile")]
        dom = subprocess.run(flags + ["--dump-dom", "file://" + html_path],
                             capture_output=True, text=True, timeout=120).stdout
        charts = re.findall(r'<div class="chart" data-chart="([\w-]+)"([^>]*)>(.*?)</div>\s*(?:<table|<p|<h3|</div>)',
                            dom, re.S)
        names = [c[0] for c in charts]
        self.assertEqual(names, ["metrics", "timeline-jpn", "timeline-usa", "timeline-kor", "graph"], dom[:2000])
        for name, attrs, inner in charts:
            with self.subTest(chart=name):
                self.assertIn('data-drawn="true"', attrs)
                self.assertRegex(inner, r"<svg[^>]*>.*<path", "an SVG with marks")
        shot = os.path.join(os.path.dirname(os.path.abspath(KIZUNA)), "aar.png")
        subprocess.run(flags + ["--hide-scrollbars", "--window-size=1100,3000", "--screenshot=" + shot,
                                "file://" + html_path], capture_output=True, timeout=120)
        self.assertTrue(os.path.getsize(shot) > 10000)


if __name__ == "__main__":
    unittest.main()
