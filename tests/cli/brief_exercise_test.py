"""`kizuna exercise record` and the brief's exercise section: a result is shown to an audience
only when the policy releases it, as an object of its collection, creator and markings; one it
may not read shows nowhere, not as a name, a count or the banner's TLP (leak test)."""
import datetime
import json
import os

from brief_test import BriefCase, JPN, read


def scoreboard(exercise, title, tlp, days_ago):
    t0 = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago))
    return {"exercise": exercise, "title": title, "tlp": tlp, "t0": t0.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
            "duration_s": 3600, "steps": [], "shares": [],
            "teams": [{"team": "jpn", "nation": "JPN", "steps": 4, "detected": 3, "recall": 0.75,
                       "precision": 1.0, "mean_ttd_s": 12.5, "score": 0.8125}]}


class BriefExercises(BriefCase):
    def setUp(self):
        super().setUp()
        out = self.run_kizuna("collection", "create", "--title", "Korea", "--alias", "korea").stdout
        self.run_kizuna("admin", "grant", json.loads(out)["id"], "--org", "KOR-CERT", "--read")
        for name, board, collection in (
                ("shared.json", scoreboard("shared-drill", "Shared Drill", "green", 3), "alliance"),
                ("red.json", scoreboard("crimson-drill", "Crimson Drill", "red", 2), "alliance"),
                ("korea.json", scoreboard("korea-drill", "Korea Drill", "clear", 1), "korea"),
                ("old.json", scoreboard("old-drill", "Old Drill", "clear", 400), "alliance")):
            proc = self.run_kizuna("exercise", "record", "--result", self.write(name, json.dumps(board)),
                                   "--collection", collection, "--as", "JPN-CERT")
            self.assertIn(b"recorded exercise", proc.stderr)

    def brief_for(self, audience):
        html, figures = os.path.join(self.tmp, audience + ".html"), os.path.join(self.tmp, audience + ".json")
        self.run_kizuna("brief", "--audience", audience, "--out", html, "--json", figures)
        return read(html), json.loads(read(figures))

    def test_usa_sees_only_the_exercise_released_to_it(self):
        html, figures = self.brief_for("USA")
        items = figures["exercises"]["items"]
        self.assertEqual([i["exercise"] for i in items], ["shared-drill"])
        self.assertTrue(figures["exercises"]["recorded"])
        self.assertEqual(items[0]["tlp"], "TLP:GREEN")
        self.assertEqual(items[0]["teams"][0]["score"], 0.8125)
        self.assertIn("Shared Drill", html)
        self.assertIn("<td class=\"n\">0.812</td>", html)
        for hidden in ("Crimson Drill", "crimson-drill", "Korea Drill", "korea-drill", "Old Drill", "TLP:RED"):
            self.assertFalse(hidden in html, hidden)
            self.assertFalse(hidden in json.dumps(figures), hidden)

    def test_kor_sees_its_own_collection_but_not_the_jpn_usa_community(self):
        html, figures = self.brief_for("KOR")
        self.assertEqual([i["exercise"] for i in figures["exercises"]["items"]], ["korea-drill"])
        self.assertNotIn("Shared Drill", html)

    def test_a_nation_has_no_organisation_so_not_even_jpn_reads_the_red_result(self):
        _, figures = self.brief_for("JPN")
        self.assertNotIn("crimson-drill", [i["exercise"] for i in figures["exercises"]["items"]])  # a nation: no org

    def test_bad_records_are_named(self):
        bad = self.write("bad.json", json.dumps({"title": "x"}))
        proc = self.run_kizuna("exercise", "record", "--result", bad, "--collection", "alliance", expect=1)
        self.assertIn(b"bad.json: no 'exercise'", proc.stderr)
        good = self.write("good.json", json.dumps(scoreboard("g", "G", "amber", 1)))
        proc = self.run_kizuna("exercise", "record", "--result", good, "--collection", "nowhere", expect=1)
        self.assertIn(b"nowhere", proc.stderr)
        proc = self.run_kizuna("exercise", "record", "--result", good, "--collection", "alliance",
                               "--marking", "marking-definition--00000000-0000-4000-8000-000000000009", expect=1)
        self.assertIn(b"--marking 'marking-definition--00000000-0000-4000-8000-000000000009'", proc.stderr)
