"""`kizuna brief`: the HTML page, its figures, escaping, charts drawn in Chromium, and the PDF
(banner and page numbers on every page, Japanese with embedded Noto CJK fonts)."""
import json
import os
import re
import shutil
import subprocess
import unittest

from kizuna_cli import KizunaTestCase

CHROMIUM = "/usr/bin/chromium"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
JPN = "identity--0a000000-0000-4000-8000-00000000000a"
USA = "identity--0b000000-0000-4000-8000-00000000000b"
KOR = "identity--0c000000-0000-4000-8000-00000000000c"
HOSTILE = "<script>alert(1)</script>"


def oid(kind, n):
    return "%s--%s-0000-4000-8000-000000000000" % (kind, str(n) * 8)


def common(kind, n, marking, **extra):
    o = {"type": kind, "spec_version": "2.1", "id": oid(kind, n), "created": "2026-01-01T00:00:00.000Z",
         "modified": "2026-01-01T00:00:00.000Z", "created_by_ref": JPN, "object_marking_refs": [marking]}
    o.update(extra)
    return o


def indicator(n, name, marking):
    return common("indicator", n, marking, name=name, pattern="[ipv4-addr:value = '198.51.100.%d']" % n,
                  pattern_type="stix", valid_from="2026-01-01T00:00:00Z")


BUNDLE = {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
    indicator(1, "Alpha " + HOSTILE, TLP_GREEN),
    indicator(2, "Bravo red", TLP_RED),
    common("attack-pattern", "a", TLP_CLEAR, name="Phishing",
           external_references=[{"source_name": "mitre-attack", "external_id": "T1566"}],
           kill_chain_phases=[{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}]),
    common("relationship", 4, TLP_GREEN, relationship_type="indicates", source_ref=oid("indicator", 1),
           target_ref=oid("attack-pattern", "a")),
    common("sighting", 7, TLP_GREEN, sighting_of_ref=oid("indicator", 1), count=5),
    common("sighting", 8, TLP_RED, sighting_of_ref=oid("indicator", 2), count=7),
]}


def read(path, mode="r"):
    with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
        return f.read()


def pdftotext(path, *args):
    return subprocess.run(["pdftotext", "-layout", *args, path, "-"], capture_output=True, check=True,
                          text=True).stdout


class BriefCase(KizunaTestCase):
    """A node with JPN, USA and KOR, an alliance collection and a few objects imported today."""

    def setUp(self):
        super().setUp()
        self.run_kizuna("init")
        for name, nation, id_ in (("JPN-CERT", "JPN", JPN), ("USA-CERT", "USA", USA), ("KOR-CERT", "KOR", KOR)):
            self.run_kizuna("admin", "org", "add", "--name", name, "--nation", nation, "--id", id_)
        self.run_kizuna("admin", "group", "add", "jpn-usa")
        for org in (JPN, USA):
            self.run_kizuna("admin", "group", "join", "jpn-usa", org)
        out = self.run_kizuna("collection", "create", "--title", "Alliance", "--alias", "alliance",
                              "--community", "jpn-usa").stdout
        collection = json.loads(out)["id"]
        for org in (JPN, USA, KOR):
            self.run_kizuna("admin", "grant", collection, "--org", org, "--read")
        self.run_kizuna("import", "--collection", "alliance", self.write("bundle.json", json.dumps(BUNDLE)))

    def brief(self, *args, expect=0):
        return self.run_kizuna("brief", "--audience", "USA", *args, expect=expect)


class BriefTest(BriefCase):

    def test_page_and_figures_show_only_what_the_audience_may_read(self):
        html_path, json_path = os.path.join(self.tmp, "b.html"), os.path.join(self.tmp, "f.json")
        proc = self.brief("--out", html_path, "--json", json_path)
        self.assertIn(b"brief for USA: 4 objects, 5 sightings, TLP:GREEN", proc.stderr)
        figures = json.loads(read(json_path))
        self.assertEqual(figures["headline"]["objects"], {"current": 4, "previous": 0})
        self.assertEqual([r["sightings"] for r in figures["top_indicators"]], [5])
        html = read(html_path)
        for hidden in (oid("indicator", 2), "Bravo", "TLP:RED", oid("sighting", 8)):
            self.assertNotIn(hidden, html)
        self.assertIn("Phishing", html)
        self.assertIn("T1566", html)
        self.assertIn("No exercises recorded", html)

    def test_page_is_self_contained_and_escapes_text(self):
        html_path = os.path.join(self.tmp, "b.html")
        self.brief("--out", html_path)
        html = read(html_path)
        markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
        self.assertIsNone(re.search(r"<[a-z]+[^>]+(src|href)=", markup), "nothing loaded from elsewhere")
        self.assertEqual(html.count("<script"), 4, "figures, messages, ECharts and the chart script, inline")
        self.assertIn("echarts", html)
        self.assertNotIn(HOSTILE, html)
        self.assertIn("Alpha &lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn("\\u003cscript>", html, "the figures' JSON cannot close its script element")

    def test_japanese_from_the_same_template(self):
        html_path = os.path.join(self.tmp, "b.html")
        self.brief("--out", html_path, "--lang", "ja", "--from", "2026-01-01", "--to", "2026-06-30")
        html = read(html_path)
        self.assertIn('<html lang="ja">', html)
        self.assertIn("サイバー脅威情報共有 定期報告", html)
        self.assertIn("2026年1月1日 – 2026年6月30日", html)

    def test_bad_input_is_named(self):
        out = os.path.join(self.tmp, "b.html")
        proc = self.brief("--out", out, "--lang", "fr", expect=1)
        self.assertIn(b"--lang: 'fr'", proc.stderr)
        proc = self.brief("--out", out, "--from", "2026-13-01", expect=1)
        self.assertIn(b"--from: '2026-13-01'", proc.stderr)
        proc = self.run_kizuna("brief", "--audience", "nobody", "--out", out, expect=1)
        self.assertIn(b"'nobody'", proc.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertIn(b"--audience", self.run_kizuna("brief", "--help").stdout)


@unittest.skipUnless(os.access(CHROMIUM, os.X_OK) and shutil.which("pdftotext"),
                     "needs Debian's chromium and poppler-utils (scripts/install-deps --test)")
class BriefBrowserTest(BriefCase):
    def test_every_chart_is_drawn(self):
        html_path = os.path.join(self.tmp, "b.html")
        self.brief("--out", html_path)
        profile = os.path.join(self.tmp, "profile")
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              "--disable-background-networking", "--disable-component-update", "--disable-sync",
                              "--user-data-dir=" + profile, "--dump-dom", "file://" + html_path],
                             capture_output=True, text=True, timeout=120).stdout
        charts = re.findall(r'<div class="chart" data-chart="(\w+)"([^>]*)>(.*?)</div>\s*(?:<table|<p|</section)',
                            dom, re.S)
        self.assertEqual(len(charts), 5, dom[:2000])
        for name, attrs, inner in charts:
            with self.subTest(chart=name):
                if name == "direction":  # no peers: nothing crossed a border
                    self.assertIn("display: none", attrs)
                    continue
                self.assertIn('data-drawn="true"', attrs)
                self.assertRegex(inner, r"<svg[^>]*>.*<path", "an SVG with marks")

    def test_pdf_has_the_headline_and_the_banner_and_a_page_number_on_every_page(self):
        html_path, pdf_path = os.path.join(self.tmp, "b.html"), os.path.join(self.tmp, "b.pdf")
        self.brief("--out", html_path, "--pdf", pdf_path)
        text = pdftotext(pdf_path)
        pages = [p for p in text.split("\f") if p.strip()]
        self.assertGreaterEqual(len(pages), 2)
        for i, page in enumerate(pages, 1):
            with self.subTest(page=i):
                self.assertGreaterEqual(page.count("TLP:GREEN"), 2, "banner at the top and the bottom")
                self.assertIn("Page %d / %d" % (i, len(pages)), page)
        self.assertRegex(pages[0], r"Objects shared\s+Indicators\s+Reports")
        self.assertNotIn("Bravo", text)

    def test_japanese_pdf_embeds_noto_cjk_and_misses_no_glyph(self):
        html_path, pdf_path = os.path.join(self.tmp, "b.html"), os.path.join(self.tmp, "b.pdf")
        self.brief("--out", html_path, "--pdf", pdf_path, "--lang", "ja")
        fonts = subprocess.run(["pdffonts", pdf_path], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        self.assertTrue(rows)
        for row in rows:
            self.assertIn(" yes ", row, "every font embedded: " + row)
        raw = read(pdf_path, "rb")
        self.assertRegex(raw, rb"/FontName\s*/[A-Z]{6}\+NotoSansCJKjp", "the Japanese text is set in Noto Sans CJK")
        text = pdftotext(pdf_path)
        for words in ("サイバー脅威情報共有 定期報告", "共有オブジェクト数", "この期間に記録された演習はありません。"):
            self.assertIn(words, text, "every glyph maps back to its character")
        self.assertNotIn("\ufffd", text)


if __name__ == "__main__":
    unittest.main()
