"""End-to-end tests of `kizuna match`: indicators from a collection against Zeek and EVE logs."""
import gzip
import json
import os
import selectors
import subprocess
import unittest

from kizuna_cli import KIZUNA, SHARED_DATA, SOURCE_DIR, KizunaTestCase

FIXTURES = os.path.join(SOURCE_DIR, "tests", "data", "detect")


def indicator(n, pattern, extra=None):
    return json.dumps({
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--6c1d0d3e-5b1f-4a57-9d6e-%012d" % n,
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "pattern": pattern, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
        **(extra or {})})


PLANTED = [
    indicator(1, "[domain-name:value = 'ise.wrccdc.org']"),                # dns.log, ssl.log, eve tls
    indicator(2, "[ipv4-addr:value ISSUBSET '52.85.83.0/24']"),           # dns answers, ssl dst
    indicator(3, "[domain-name:value LIKE '%.mozilla.com']"),             # many dns queries
    indicator(4, "[domain-name:value = 'forums.jerry.land']", {"revoked": True}),  # never
    indicator(5, "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"),  # eve fileinfo
    indicator(6, "[domain-name:value MATCHES '^www\\\\.dovecot\\\\.org$']"),  # evaluator, ssl.log
]


class IntelCase(KizunaTestCase):
    """A node with an organisation, collection "intel" holding INDICATORS and "sightings"."""
    INDICATORS = []

    def setUp(self):
        super().setUp()
        self.init_with_collection("intel")
        self.run_kizuna("collection", "create", "--title", "Sightings", "--alias", "sightings")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        path = self.write("indicators.jsonl", "\n".join(self.INDICATORS) + "\n")
        self.run_kizuna("import", path, "--collection", "intel")


class Match(IntelCase):
    INDICATORS = PLANTED

    def match(self, *args, expect=0):
        proc = self.run_kizuna("match", "--collection", "intel", "--json", *args, expect=expect)
        return json.loads(proc.stdout)

    def test_planted_indicators_give_the_expected_alerts(self):
        alerts_path = os.path.join(self.tmp, "alerts.jsonl")
        out = self.match("--input", os.path.join(FIXTURES, "dns.log"),
                         os.path.join(FIXTURES, "ssl.log"), os.path.join(FIXTURES, "eve.json"),
                         "--alerts", alerts_path)
        self.assertEqual(out["compile"]["active"], 5)
        self.assertEqual(out["compile"]["revoked"], 1)
        self.assertEqual(out["compile"]["simple"], 4)
        self.assertEqual(out["compile"]["evaluated"], 1)
        m = out["match"]
        self.assertEqual(m["inputs"], 3)
        self.assertEqual(m["records"], 24 + 12 + 8)
        self.assertEqual(m["malformed"], 0)
        with open(alerts_path) as f:
            alerts = [json.loads(line) for line in f]
        self.assertEqual(len(alerts), m["alerts"])
        hits = {}
        for a in alerts:
            for x in a["matches"]:
                hits.setdefault(x["indicator"][-2:], []).append(
                    (os.path.basename(a["input"]), a["line"], x.get("value")))
        # ise.wrccdc.org: dns.log line 9, ssl.log first record, EVE tls event (line 4).
        self.assertEqual(sorted(hits["01"]), [("dns.log", 9, "ise.wrccdc.org"),
                                              ("eve.json", 4, "ise.wrccdc.org"),
                                              ("ssl.log", 9, "ise.wrccdc.org")])
        self.assertTrue(all(v[2].startswith("52.85.83.") for v in hits["02"]))
        self.assertTrue(all(v[2].endswith(".mozilla.com") for v in hits["03"]))
        self.assertNotIn("04", hits)
        self.assertEqual(hits["05"], [("eve.json", 5, "d41d8cd98f00b204e9800998ecf8427e")])
        self.assertEqual([(v[0], v[2]) for v in hits["06"]], [("ssl.log", None)])
        dns_alert = next(a for a in alerts if a["input"].endswith("dns.log") and a["line"] == 9)
        self.assertEqual(dns_alert["time"], "2018-03-24T17:15:20.865716Z")
        self.assertEqual(dns_alert["log_type"], "dns")
        self.assertEqual(dns_alert["matches"][0]["field"], "query")
        self.assertTrue(dns_alert["record"].startswith("1521911720.865716\t"))
        eve_alert = next(a for a in alerts if a["input"].endswith("eve.json"))
        self.assertIsInstance(eve_alert["record"], dict)
        self.assertEqual(m["indicators_hit"], 5)

    def test_sightings_are_aggregated_and_written_to_the_collection(self):
        out = self.match("--input", FIXTURES, "--sightings-to", "sightings")
        self.assertGreater(out["sightings"]["added"], 0)
        self.assertEqual(out["sightings"]["rejected"], 0)
        exported = self.run_kizuna("export", "--collection", "sightings").stdout
        objects = json.loads(exported)["objects"]
        sightings = [o for o in objects if o["type"] == "sighting"]
        self.assertEqual(len(sightings), out["sightings"]["added"])
        by_indicator = {}
        for s in sightings:
            by_indicator.setdefault(s["sighting_of_ref"][-2:], []).append(s)
            self.assertEqual(len(s["where_sighted_refs"]), 1)
            self.assertTrue(s["where_sighted_refs"][0].startswith("identity--"))
            self.assertLessEqual(s["first_seen"], s["last_seen"])
        # ise.wrccdc.org: 3 records (dns.json and dns.log have the same record), one hour window.
        ise = by_indicator["01"]
        self.assertEqual(len(ise), 1)
        self.assertEqual(ise[0]["count"], 4)
        # Running again over the same telemetry adds nothing new.
        again = self.match("--input", FIXTURES, "--sightings-to", "sightings")
        self.assertEqual(again["sightings"]["added"], 0)
        self.assertEqual(again["sightings"]["already_present"], out["sightings"]["added"])

    def test_resume_matches_only_new_lines_and_sightings_count_every_run(self):
        with open(os.path.join(FIXTURES, "dns.log")) as f:
            lines = f.read().splitlines(keepends=True)
        data = [i for i, line in enumerate(lines) if not line.startswith("#")]
        half = data[len(data) // 2]
        whole = self.match("--input", os.path.join(FIXTURES, "dns.log"), "--alerts", os.path.join(self.tmp, "all.jsonl"))
        grown, resume, alerts = (os.path.join(self.tmp, n) for n in ("dns.log", "resume.json", "alerts.jsonl"))
        with open(grown, "w") as f:
            f.writelines(lines[:half])
        first = self.match("--input", grown, "--alerts", alerts, "--resume", resume, "--sightings-to", "sightings")
        with open(grown, "a") as f:
            f.writelines(lines[half:])
        second = self.match("--input", grown, "--alerts", alerts, "--resume", resume, "--sightings-to", "sightings")
        # Each record matched once; the alerts appended are those of one run over the whole.
        self.assertEqual(first["match"]["records"] + second["match"]["records"], whole["match"]["records"])
        self.assertGreater(first["match"]["alerts"], 0)
        self.assertGreater(second["match"]["alerts"], 0)
        with open(os.path.join(self.tmp, "all.jsonl")) as a, open(alerts) as b:
            self.assertEqual(sorted(json.loads(x)["line"] for x in a), sorted(json.loads(x)["line"] for x in b))
        # The second run's sightings count the first run's records too: those of one run over
        # the whole.
        self.run_kizuna("collection", "create", "--title", "Whole", "--alias", "whole")
        self.match("--input", os.path.join(FIXTURES, "dns.log"), "--sightings-to", "whole")

        def counts(collection):
            objects = json.loads(self.run_kizuna("export", "--collection", collection).stdout)["objects"]
            return {(o["id"], o["first_seen"], o["last_seen"], o["count"]) for o in objects if o["type"] == "sighting"}
        self.assertTrue(counts("whole"))
        self.assertLessEqual(counts("whole"), counts("sightings"))
        # Another --window than the resume file's is refused, naming the file.
        bad = self.run_kizuna("match", "--collection", "intel", "--input", grown, "--resume", resume,
                              "--window", "60", expect=1)
        self.assertIn(f"--resume {resume}: written with --window 3600, not 60", bad.stderr.decode())

    def test_a_resume_file_that_is_not_one_is_refused_naming_it(self):
        log = os.path.join(FIXTURES, "dns.log")
        resume = os.path.join(self.tmp, "resume.json")
        self.match("--input", log, "--resume", resume)
        with open(resume) as f:
            state = json.load(f)
        self.assertEqual(state["kizuna_match_resume"], 2)
        cases = [
            ('{"kizuna_match_resume": 2, "window_s": 36', "not a resume file ("),  # cut short
            ('{"hello": "world"}', "not a resume file (no kizuna_match_resume)"),  # another file
            (json.dumps(dict(state, kizuna_match_resume=9)), "a resume file of version 9, not 2"),
            (json.dumps(dict(state, correlations={log: {"events": [{"time_us": 1}], "patterns": []}})),
             f'correlations["{log}"].events[0].line: missing'),
        ]
        for text, message in cases:
            with open(resume, "w") as f:
                f.write(text)
            bad = self.run_kizuna("match", "--collection", "intel", "--input", log, "--resume", resume, expect=1)
            self.assertIn(f"--resume {resume}: {message}", bad.stderr.decode())
        with open(resume, "w") as f:
            json.dump(state, f)
        bad = self.run_kizuna("match", "--collection", "intel", "--input", log, "--resume", resume,
                              "--correlation-window", "60", expect=1)
        self.assertIn(f"--resume {resume}: written with --correlation-window 3600, not 60", bad.stderr.decode())

    def test_bad_input_is_reported_not_fatal(self):
        garbage = self.write("garbage.log", b"#fields\tts\tquery\n" + bytes(range(256)) * 40 + b"\n1\tx\ty\n")
        with open(os.path.join(FIXTURES, "dns.json"), "rb") as f:
            packed = gzip.compress(f.read() * 50)
        truncated = self.write("cut.json.gz", packed[:len(packed) // 2])
        out = self.match("--input", garbage, truncated, os.path.join(FIXTURES, "dns.log"))
        m = out["match"]
        self.assertGreater(m["records"], 24)
        self.assertLess(m["records"], 24 * 51)
        self.assertGreaterEqual(m["malformed"], 2)
        self.assertEqual(m["input_errors"], 1)
        self.assertIn(f"{garbage}:43: 3 fields where #fields names 2", m["problems"])
        self.assertIn(f"{truncated}: unexpected end of file", m["problems"])

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_alerts_that_cannot_be_written_are_an_error_naming_the_file(self):
        # The alerts file is written unbuffered, one write per block: a failed write must
        # still fail the run (its error flag, not the last fflush, says it).
        proc = self.run_kizuna("match", "--collection", "intel", "--input",
                               os.path.join(FIXTURES, "dns.log"), "--alerts", "/dev/full",
                               expect=None)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(b"writing /dev/full failed", proc.stderr)
        # The same run with a file it can write succeeds and writes its alerts.
        alerts = os.path.join(self.tmp, "alerts.jsonl")
        self.match("--input", os.path.join(FIXTURES, "dns.log"), "--alerts", alerts)
        with open(alerts) as f:
            self.assertGreater(len(f.readlines()), 0)

    def test_records_without_an_event_time_make_no_sighting(self):
        # Issue 18, item 7: a hit whose ts is unset, masked or absent gets its alert but no
        # sighting at the time of matching; it is counted as malformed, with why.
        with open(os.path.join(FIXTURES, "dns.log")) as f:
            lines = f.read().splitlines()
        hit = next(i for i, line in enumerate(lines) if "\tise.wrccdc.org\t" in line)
        untimed = list(lines)
        untimed[hit] = "-" + untimed[hit][untimed[hit].index("\t"):]
        masked = list(lines)
        masked[hit] = "XXXXXXXXXX.XXXXXX" + masked[hit][masked[hit].index("\t"):]
        paths = [self.write(name, "\n".join(text) + "\n")
                 for name, text in (("untimed.log", untimed), ("masked.log", masked))]
        alerts_path = os.path.join(self.tmp, "alerts.jsonl")
        out = self.match("--input", *paths, "--alerts", alerts_path, "--sightings-to", "sightings")
        m = out["match"]
        self.assertEqual(m["malformed"], 2)
        self.assertIn(f"{paths[0]}:{hit + 1}: event time \"-\" is not a time: no sighting made",
                      m["problems"])
        self.assertIn(f"{paths[1]}:{hit + 1}: event time \"XXXXXXXXXX.XXXXXX\" is not a time: "
                      "no sighting made", m["problems"])
        with open(alerts_path) as f:
            alerts = [json.loads(line) for line in f]
        ise = [a for a in alerts if a["line"] == hit + 1]
        self.assertEqual(len(ise), 2)
        self.assertTrue(all("time" not in a for a in ise))
        exported = json.loads(self.run_kizuna("export", "--collection", "sightings").stdout)
        sightings = [o for o in exported["objects"] if o["type"] == "sighting"]
        self.assertNotIn("01", [s["sighting_of_ref"][-2:] for s in sightings])
        self.assertTrue(all(s["first_seen"].startswith("2018-") for s in sightings), sightings)

    def test_no_hits_writes_no_sightings(self):
        empty = self.write("empty.log", "")
        out = self.match("--input", empty, "--sightings-to", "sightings")
        self.assertEqual(out["match"]["records"], 0)
        self.assertEqual(out["sightings"]["added"], 0)

    def test_missing_input_is_an_error_before_matching(self):
        self.run_kizuna("match", "--collection", "intel", "--input", "/nonexistent", expect=1)

    def test_allowlists_suppress_and_report(self):
        lists = os.path.join(SHARED_DATA, "warninglists", "lists")
        if not os.path.isdir(lists):
            self.skipTest(f"{lists} is absent")
        path = self.write("more.jsonl", indicator(7, "[ipv4-addr:value = '10.0.0.100']") + "\n")
        self.run_kizuna("import", path, "--collection", "intel")
        own = self.write("ours.txt", "# our own\nise.wrccdc.org\n")
        out = self.match("--input", os.path.join(FIXTURES, "dns.log"),
                         "--allowlist", os.path.join(lists, "rfc1918"), "--allowlist", own)
        c = out["compile"]
        self.assertEqual(c["suppressed"], 2)
        self.assertEqual(c["suppressed_by_list"], {"List of RFC 1918 CIDR blocks": 1, "ours.txt": 1})
        self.assertEqual({(s["value"], s["list"]) for s in c["suppressions"]},
                         {("10.0.0.100", "List of RFC 1918 CIDR blocks"), ("ise.wrccdc.org", "ours.txt")})

    def test_real_zeek_logs_when_present(self):
        zeek = os.path.join(SHARED_DATA, "zeek", "tsv")
        if not os.path.isdir(zeek):
            self.skipTest(f"{zeek} is absent")
        out = self.match("--input", os.path.join(zeek, "dns.log.gz"), os.path.join(zeek, "ssl.log.gz"))
        m = out["match"]
        self.assertEqual(m["records"], 53615 + 49474)
        self.assertEqual(m["malformed"], 0)
        self.assertGreater(m["alerts"], 0)

def eve_dns(seconds, name):
    """A Suricata DNS query event at 2024-03-01T10:00:00Z + seconds."""
    return json.dumps({
        "timestamp": "2024-03-01T10:%02d:%02d.000000+0000" % (seconds // 60, seconds % 60),
        "event_type": "dns", "src_ip": "10.0.0.1", "dest_ip": "10.0.0.53",
        "dns": {"type": "query", "rrname": name}})


def dns(name):
    return "[domain-name:value = '%s']" % name


CORRELATED = [
    indicator(11, f"{dns('and-a.example')} AND {dns('and-b.example')}"),
    indicator(12, f"({dns('fb-a.example')} FOLLOWEDBY {dns('fb-b.example')}) WITHIN 60 SECONDS"),
    indicator(13, f"{dns('rep.example')} REPEATS 3 TIMES"),
    indicator(14, f"{dns('two.example')} REPEATS 3 TIMES"),             # only two events
    indicator(15, f"({dns('rev-a.example')} FOLLOWEDBY {dns('rev-b.example')}) WITHIN 60 SECONDS"),
    indicator(16, f"({dns('far-a.example')} FOLLOWEDBY {dns('far-b.example')}) WITHIN 60 SECONDS"),
    # WITHIN qualifies [win-b] only: the correlation window bounds the pattern.
    indicator(17, f"{dns('win-a.example')} FOLLOWEDBY {dns('win-b.example')} WITHIN 60 SECONDS"),
]

# (seconds, domain), in time order; line n of the file is the n-th entry.
TIMELINE = [(0, "and-a.example"), (1, "win-a.example"), (5, "fb-a.example"),
            (10, "rev-b.example"), (15, "far-a.example"), (20, "rep.example"),
            (25, "two.example"), (30, "and-b.example"), (35, "fb-b.example"),
            (40, "rev-a.example"), (45, "rep.example"), (50, "two.example"),
            (60, "rep.example"), (135, "far-b.example"), (140, "rep.example"),
            (201, "win-b.example")]


class Correlate(IntelCase):
    INDICATORS = CORRELATED

    def setUp(self):
        super().setUp()
        self.eve = self.write("eve.json", "".join(eve_dns(t, d) + "\n" for t, d in TIMELINE))

    def correlations(self, *args):
        alerts_path = os.path.join(self.tmp, "alerts.jsonl")
        proc = self.run_kizuna("match", "--collection", "intel", "--json", "--input", self.eve,
                               "--alerts", alerts_path, *args)
        with open(alerts_path) as f:
            alerts = [json.loads(line) for line in f]
        return json.loads(proc.stdout), alerts

    def test_multi_observation_patterns_match_exactly_when_they_should(self):
        for threads in ("1", "2"):
            out, alerts = self.correlations("--threads", threads)
            self.assertEqual(out["compile"]["multi_observation"], 7)
            m = out["match"]
            got = {a["matches"][0]["indicator"][-2:]: (a["line"], [c["line"] for c in a["correlated"]])
                   for a in alerts}
            self.assertEqual(got, {"11": (8, [1, 8]), "12": (9, [3, 9]), "13": (13, [6, 11, 13]),
                                   "17": (16, [2, 16])})
            self.assertEqual(m["correlations"], 4)
            self.assertEqual(m["alerts"], 4)
            self.assertEqual(m["indicators_hit"], 4)
            a = next(a for a in alerts if a["matches"][0]["indicator"].endswith("12"))
            self.assertEqual(a["matches"][0], {"indicator": a["matches"][0]["indicator"],
                                               "evaluated": True, "correlated": 2,
                                               "collection": "intel"})
            self.assertEqual(a["time"], "2024-03-01T10:00:35.000000Z")
            self.assertEqual(a["record"]["dns"]["rrname"], "fb-b.example")
            self.assertEqual([c["record"]["dns"]["rrname"] for c in a["correlated"]],
                             ["fb-a.example", "fb-b.example"])
            self.assertEqual(a["correlated"][0]["time"], "2024-03-01T10:00:05.000000Z")

    def test_correlation_window_bounds_patterns_without_their_own(self):
        out, alerts = self.correlations("--correlation-window", "120")
        self.assertEqual(sorted(a["matches"][0]["indicator"][-2:] for a in alerts),
                         ["11", "12", "13"])

    def test_correlations_give_sightings(self):
        proc = self.run_kizuna("match", "--collection", "intel", "--json", "--input", self.eve,
                               "--sightings-to", "sightings")
        self.assertEqual(json.loads(proc.stdout)["sightings"]["added"], 4)
        objects = json.loads(self.run_kizuna("export", "--collection", "sightings").stdout)["objects"]
        counts = {o["sighting_of_ref"][-2:]: o["count"] for o in objects if o["type"] == "sighting"}
        self.assertEqual(counts, {"11": 1, "12": 1, "13": 1, "17": 1})




def read_until(case, stream, done, what, limit_seconds=120, size=4096):
    """Reads `stream` until done(what was read); fails `case` after the limit or at its end."""
    got = b""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        while not done(got):
            if not sel.select(timeout=limit_seconds):
                case.fail(f"no {what}; got {got!r}")
            chunk = os.read(stream.fileno(), size)
            if not chunk:
                case.fail(f"stream closed before {what}; got {got!r}")
            got += chunk
    return got


TLP_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"


class Details(IntelCase):
    """Alerts name the indicator, its labels, TLP, creator and collection; the summary lists
    the indicators that hit most (issue 19, item 11)."""
    INDICATORS = [indicator(42, "[domain-name:value = 'ise.wrccdc.org']")]

    def setUp(self):
        super().setUp()
        org = json.loads(self.run_kizuna("admin", "org", "add", "--name", "CERT-B", "--nation", "KOR",
                                         "--json").stdout)
        mozilla = indicator(41, "[domain-name:value LIKE '%.mozilla.com']", {
            "name": "Mozilla update hosts", "labels": ["benign", "test"],
            "object_marking_refs": [TLP_AMBER], "created_by_ref": org["id"]})
        path = self.write("named.jsonl", mozilla + "\n")
        self.run_kizuna("import", path, "--collection", "intel")

    def test_alerts_carry_the_details_and_the_summary_the_top_indicators(self):
        proc = self.run_kizuna("match", "--collection", "intel", "--json", "--alerts", "-",
                               "--input", os.path.join(FIXTURES, "dns.log"))
        lines = proc.stdout.decode().splitlines()
        alerts, summary = [json.loads(line) for line in lines[:-1]], json.loads(lines[-1])
        matches = {m["indicator"][-2:]: m for a in alerts for m in a["matches"]}
        self.assertEqual({k: v for k, v in matches["41"].items() if k not in ("value", "field")}, {
            "indicator": "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000041",
            "name": "Mozilla update hosts", "labels": ["benign", "test"], "tlp": "AMBER",
            "created_by": matches["41"]["created_by"], "organization": "CERT-B", "nation": "KOR",
            "collection": "intel", "path": "domain-name:value"})
        self.assertTrue(matches["41"]["created_by"].startswith("identity--"))
        # No name, labels, marking or creator: only the collection.
        self.assertEqual(matches["42"]["collection"], "intel")
        self.assertNotIn("name", matches["42"])
        mozilla_hits = sum(1 for a in alerts for m in a["matches"] if m["indicator"].endswith("41"))
        top = summary["match"]["top_indicators"]
        self.assertEqual(top[0], {"id": "indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000041",
                                  "name": "Mozilla update hosts", "hits": mozilla_hits})
        self.assertGreater(mozilla_hits, 1)
        self.assertEqual([t["id"][-2:] for t in top], ["41", "42"])
        self.assertEqual(top[1]["name"], "")
        human = self.run_kizuna("match", "--collection", "intel", "--input",
                                os.path.join(FIXTURES, "dns.log")).stderr.decode()
        self.assertIn(f"  {mozilla_hits}  Mozilla update hosts  indicator--6c1d0d3e-5b1f-4a57-9d6e-000000000041\n",
                      human)


MISP_LIST = {"name": "Test resolvers", "type": "cidr", "category": "known",
             "matching_attributes": ["ip-dst"], "list": ["52.85.83.0/24"], "version": 1}


class StoredAllowlists(IntelCase):
    """`kizuna allowlist add|list|remove`, used by `kizuna match` by default (item 11)."""
    INDICATORS = PLANTED

    def setUp(self):
        super().setUp()
        self.lists = os.path.join(self.tmp, "lists")
        os.makedirs(os.path.join(self.lists, "resolvers"))
        with open(os.path.join(self.lists, "resolvers", "list.json"), "w") as f:
            json.dump(MISP_LIST, f)
        with open(os.path.join(self.lists, "ours.txt"), "w") as f:
            f.write("# our own\nise.wrccdc.org\n")

    def suppressed(self, *args):
        out = json.loads(self.run_kizuna("match", "--collection", "intel", "--json", "--input",
                                         os.path.join(FIXTURES, "dns.log"), *args).stdout)
        return out["compile"]["suppressed_by_list"]

    def test_stored_lists_are_listed_used_by_default_and_removed(self):
        self.assertEqual(self.suppressed(), {})
        added = json.loads(self.run_kizuna("allowlist", "add", self.lists, "--json").stdout)
        self.assertEqual(sorted(a["name"] for a in added), ["ours", "resolvers"])
        listed = json.loads(self.run_kizuna("allowlist", "list", "--json").stdout)
        self.assertEqual(listed, [
            {"name": "ours", "title": "ours", "type": "plain", "category": "", "entries": 1},
            {"name": "resolvers", "title": "Test resolvers", "type": "cidr", "category": "known",
             "entries": 1}])
        self.assertEqual(self.suppressed(), {"Test resolvers": 1, "ours": 1})
        self.assertEqual(self.suppressed("--allowlist-category", "known"), {"Test resolvers": 1})
        self.assertEqual(self.suppressed("--allowlist-category", "plain"), {"ours": 1})
        self.assertEqual(self.suppressed("--no-stored-allowlists"), {})
        self.run_kizuna("allowlist", "remove", "ours")
        self.assertEqual(self.suppressed(), {"Test resolvers": 1})
        err = self.run_kizuna("allowlist", "remove", "ours", expect=1).stderr
        self.assertIn(b"no stored allowlist named 'ours'", err)

    def test_add_keeps_only_the_categories_asked_for(self):
        added = json.loads(self.run_kizuna("allowlist", "add", self.lists, "--category", "cidr",
                                           "--json").stdout)
        self.assertEqual([a["name"] for a in added], ["resolvers"])

    def test_a_malformed_list_stores_nothing(self):
        with open(os.path.join(self.lists, "resolvers", "list.json"), "w") as f:
            f.write('{"name": "broken"}')
        err = self.run_kizuna("allowlist", "add", self.lists, expect=1).stderr.decode()
        self.assertIn("list.json: a warninglist needs string `name`, `type` and array `list`", err)
        self.assertEqual(json.loads(self.run_kizuna("allowlist", "list", "--json").stdout), [])


class Follow(IntelCase):
    """Alerts come out while the input is still being written (issue 19, item 9)."""
    INDICATORS = [indicator(31, dns("followed.example"))]

    def start(self, *args):
        return subprocess.Popen([KIZUNA, "--data-dir", self.data_dir, "match", "--collection", "intel",
                                 "--alerts", "-", "--json", *args],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def next_alert(self, proc):
        """Reads the next line of stdout (an alert) as JSON; fails if none comes in time."""
        return json.loads(read_until(self, proc.stdout, lambda got: got.endswith(b"\n"),
                                     "an alert on stdout", size=1))

    def stop(self, proc):
        """Sends SIGTERM and returns the summary (the last line of stdout)."""
        proc.terminate()
        out, err = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, 0, err)
        return json.loads(out.splitlines()[-1])

    def append(self, path, *names, seconds=0):
        with open(path, "a") as f:
            f.write("".join(eve_dns(seconds + i, n) + "\n" for i, n in enumerate(names)))

    def test_alerts_of_a_pipe_come_before_it_closes(self):
        proc = self.start("--input", "-")
        try:
            proc.stdin.write((eve_dns(0, "other.example") + "\n" + eve_dns(1, "followed.example") + "\n").encode())
            proc.stdin.flush()
            alert = self.next_alert(proc)
            self.assertEqual((alert["line"], alert["record"]["dns"]["rrname"]), (2, "followed.example"))
            proc.stdin.close()
            out = proc.stdout.read()
            proc.wait(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(json.loads(out.splitlines()[-1])["match"]["records"], 2)

    def test_follow_reads_appended_rotated_and_truncated_files_until_stopped(self):
        path = os.path.join(self.tmp, "eve.json")
        self.append(path, "other.example")
        proc = self.start("--input", path, "--follow", "--sightings-to", "sightings")
        try:
            self.append(path, "followed.example", seconds=1)
            alert = self.next_alert(proc)
            self.assertEqual(alert["line"], 2)
            self.assertEqual(alert["matches"][0]["indicator"][-2:], "31")
            # Rotated: the old file moved away, a new one at the path.
            os.rename(path, path + ".1")
            self.append(path, "followed.example", "long-" * 40 + "other.example", seconds=2)
            self.assertEqual(self.next_alert(proc)["time"], "2024-03-01T10:00:02.000000Z")
            # Truncated and written again, shorter than what was read (how truncation shows).
            with open(path, "w") as f:
                f.write(eve_dns(3, "followed.example") + "\n")
            self.assertEqual(self.next_alert(proc)["time"], "2024-03-01T10:00:03.000000Z")
            summary = self.stop(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(summary["match"]["alerts"], 3)
        self.assertEqual(summary["match"]["records"], 5)
        # Events of one hour: one sighting, counting the three.
        self.assertEqual(summary["sightings"]["added"], 1)
        objects = json.loads(self.run_kizuna("export", "--collection", "sightings").stdout)["objects"]
        self.assertEqual([o["count"] for o in objects if o["type"] == "sighting"], [3])


class Reload(IntelCase):
    INDICATORS = [indicator(21, dns("old.example"))]

    def read_stderr_until(self, proc, text, limit_seconds=120):
        """Returns stderr up to and including the line holding `text` (fails after the limit)."""
        return read_until(self, proc.stderr, lambda got: text in got, f"{text!r} on stderr",
                          limit_seconds)

    def test_indicator_imported_mid_run_matches_the_lines_after(self):
        alerts_path = os.path.join(self.tmp, "alerts.jsonl")
        proc = subprocess.Popen([KIZUNA, "--data-dir", self.data_dir, "match", "--collection", "intel",
                                 "--input", "-", "--reload", "1", "--alerts", alerts_path, "--json"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            proc.stdin.write((eve_dns(0, "old.example") + "\n" + eve_dns(1, "new.example") + "\n").encode())
            proc.stdin.flush()
            # The import must come after the first compilation, or that compilation sees it.
            self.read_stderr_until(proc, b"compiled 1 active indicators; checking for changes every 1 s")
            path = self.write("new.jsonl", indicator(22, dns("new.example")) + "\n")
            self.run_kizuna("import", path, "--collection", "intel")
            note = self.read_stderr_until(proc, b"reloaded: 2 active indicators")
            proc.stdin.write((eve_dns(2, "new.example") + "\n").encode())
            proc.stdin.close()
            out = proc.stdout.read()
            err = proc.stderr.read()
            proc.wait(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, note + err)
        with open(alerts_path) as f:
            alerts = [json.loads(line) for line in f]
        hits = sorted((a["record"]["dns"]["rrname"], a["matches"][0]["indicator"][-2:]) for a in alerts)
        # The line fed after the reload matches the new indicator (the one before it may too,
        # if it was still waiting to be read when the reload happened).
        self.assertIn(("new.example", "22"), hits)
        self.assertIn(("old.example", "21"), hits)
        self.assertEqual(json.loads(out)["match"]["records"], 3)

    def test_reload_is_off_by_default_and_checked_when_on(self):
        proc = self.run_kizuna("match", "--collection", "intel", "--input", "-", "--reload", "1",
                               "--json", stdin=(eve_dns(0, "old.example") + "\n").encode())
        self.assertEqual(json.loads(proc.stdout)["match"]["alerts"], 1)
        self.assertIn(b"compiled 1 active indicators; checking for changes every 1 s", proc.stderr)
        self.run_kizuna("match", "--collection", "intel", "--input", "-", "--reload", "-1",
                        stdin=b"", expect=2)


class ImportLines(KizunaTestCase):
    def test_every_file_is_tried_and_each_failure_is_listed(self):
        """Issue 19, items 1-2: a comments-only list is an empty feed, a broken file does not end
        the import, folders are read (with --include), lists are recognised by extension, and the
        files are counted."""
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        folder = os.path.join(self.tmp, "trails")
        os.makedirs(os.path.join(folder, "malware"))
        for name, text in (("malware/a.txt", "# only comments\n"), ("malware/b.txt", "evil.example\n"),
                           ("malware/c.txt", "worse.example\n"), ("README.md", "not a list\n")):
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
        broken = self.write("broken.json", '{"type": "bundle", "objects": [')
        plain = self.write("values.dat", "bad.example\n")
        proc = self.run_kizuna("import", broken, folder, plain, "--include", "*.txt", "--collection", "feeds",
                               "--json", expect=1)
        out = json.loads(proc.stdout)
        self.assertEqual(out["added"], 2)
        self.assertEqual(out["files"], 5, "every file read is counted, the empty list too")
        failed = {f["file"]: f["reason"] for f in out["failed_files"]}
        self.assertEqual(set(failed), {broken, plain})
        self.assertIn("truncated", failed[broken])
        self.assertIn("--format lines", failed[plain])
        human = self.run_kizuna("import", broken, "--collection", "feeds", expect=1).stderr.decode()
        self.assertIn("failed %s: " % broken, human)
        self.assertIn("1 file(s) failed", human)

    def test_a_list_from_standard_input_is_dated_now(self):
        """Issue 19, item 15: values read from stdin were dated 1970-01-01."""
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        self.run_kizuna("import", "-", "--format", "lines", "--collection", "feeds", stdin=b"evil.example\n")
        o = json.loads(self.run_kizuna("export", "--collection", "feeds").stdout)["objects"][0]
        self.assertGreaterEqual(o["created"][:4], "2026")
        self.assertEqual(o["created"], o["valid_from"])

    def test_lists_need_their_organisation_when_the_node_has_several(self):
        """Issue 19, item 3: indicators nobody owns are read by nobody; refuse, naming the choices."""
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-B", "--nation", "USA")
        path = self.write("list.txt", "evil.example\n")
        other = self.write("other.txt", "evil.test\n")
        proc = self.run_kizuna("import", path, other, "--collection", "feeds", "--json", expect=1)
        self.assertEqual(json.loads(proc.stdout)["added"], 0)
        # Asked once, before any list is read, not once a file.
        self.assertEqual(proc.stderr.count(b"2 organisations (CERT-A, CERT-B): name the feed's with --organization"), 1)
        out = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--organization", "CERT-B",
                                         "--json").stdout)
        self.assertEqual(out["added"], 1)

    def test_plain_lists_become_indicators_and_reimport_adds_nothing(self):
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        path = self.write("emotet.txt", "# trails\nise.wrccdc.org\n52.85.83.0/24 # cdn\n/x.php\nbad value\n")
        # The value no pattern fits is rejected with its line (exit 1: not everything went in).
        out = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--format", "lines",
                                         "--json", expect=1).stdout)
        self.assertEqual(out["added"], 3)
        self.assertEqual(out["skipped_values"], 1)
        self.assertEqual(out["rejected"], 1)
        self.assertEqual(out["rejections"][0]["where"], path + ":5")
        self.assertEqual(out["rejections"][0]["reason"], "no pattern fits 'bad value'")
        again = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--format", "lines",
                                           "--json", expect=1).stdout)
        self.assertEqual(again["added"], 0)
        self.assertEqual(again["already_present"], 3)
        objects = json.loads(self.run_kizuna("export", "--collection", "feeds").stdout)["objects"]
        self.assertEqual({o["labels"][0] for o in objects}, {"emotet"})
        self.assertTrue(all(o["created_by_ref"].startswith("identity--") for o in objects))
        csv = self.write("list.csv", "value,family\nforums.jerry.land,jerry\n")
        out = json.loads(self.run_kizuna("import", csv, "--collection", "feeds", "--format", "csv",
                                         "--json").stdout)
        self.assertEqual(out["added"], 1)
        m = json.loads(self.run_kizuna("match", "--collection", "feeds", "--json", "--input",
                                       os.path.join(FIXTURES, "dns.log")).stdout)["match"]
        self.assertGreater(m["alerts"], 0)
        self.assertEqual(m["indicators_hit"], 3)

    def export(self, *args):
        return json.loads(self.run_kizuna("export", "--collection", "feeds", *args).stdout)["objects"]

    def test_feed_settings_appear_in_the_indicators(self):
        """Issue 19, item 4: TLP, types, confidence, validity, labels, description and source."""
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        path = self.write("mass_scanner.txt", "198.51.100.7 # scanner\n")
        for bad, message in ((("--tlp", "white"), "--tlp 'white': not a TLP 2.0 level"),
                             (("--confidence", "101"), "--confidence 101: must be 0..100"),
                             (("--indicator-type", "Benign Scanner"), "--indicator-type 'Benign Scanner'"),
                             (("--valid-until", "2001-01-01T00:00:00Z"), "--valid-until: must be later than now"),
                             (("--valid-until", "soon"), "--valid-until 'soon'")):
            proc = self.run_kizuna("import", path, "--collection", "feeds", *bad, expect=2)
            self.assertIn(message, proc.stderr.decode())
        self.assertEqual(self.export(), [], "nothing is written before the options are checked")
        self.run_kizuna("import", path, "--collection", "feeds", "--tlp", "green", "--indicator-type", "benign",
                        "--indicator-type", "anomalous-activity", "--confidence", "30", "--valid-for", "7",
                        "--label", "scanner", "--description", "Mass scanners", "--source", "maltrail",
                        "--source-url", "https://github.com/stamparm/maltrail")
        [o] = self.export()
        self.assertEqual(o["object_marking_refs"], ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"])
        self.assertEqual(o["indicator_types"], ["benign", "anomalous-activity"])
        self.assertEqual(o["confidence"], 30)
        self.assertEqual(o["labels"], ["mass_scanner", "scanner"])
        self.assertEqual(o["description"], "Mass scanners")
        self.assertEqual(o["external_references"],
                         [{"source_name": "maltrail", "external_id": "mass_scanner",
                           "url": "https://github.com/stamparm/maltrail"}])
        self.assertGreater(o["valid_until"], o["valid_from"])
        help_text = self.run_kizuna("import", "--help").stdout.decode()
        for option in ("--tlp", "--indicator-type", "--confidence", "--valid-for", "--valid-until", "--label",
                       "--description", "--source", "--exact-domains", "--replace"):
            self.assertIn(option, help_text)

    def test_reimport_adds_nothing_and_replace_revokes(self):
        """Issue 19, item 5: an unchanged value adds nothing whatever the file's time; --replace
        revokes what the list no longer names; a value that comes back gets a new indicator."""
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        path = self.write("emotet.txt", "evil.example\n198.51.100.7\ngone.example\n")
        os.utime(path, (1700000000, 1700000000))
        first = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--json").stdout)
        self.assertEqual(first["added"], 3)
        os.utime(path, (1700090000, 1700090000))  # touched
        again = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--json").stdout)
        self.assertEqual((again["added"], again["already_present"], again["revoked"]), (0, 3, 0))
        with open(path, "w") as f:
            f.write("evil.example\n198.51.100.7\n")
        replaced = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--replace", "--json").stdout)
        self.assertEqual((replaced["added"], replaced["already_present"], replaced["revoked"]), (1, 2, 1))
        human = self.run_kizuna("import", path, "--collection", "feeds", "--replace").stderr.decode()
        self.assertIn("revoked 0 indicator(s) the lists no longer name", human)
        versions = self.export("--all-versions")
        gone = [o for o in versions if o["name"] == "emotet: gone.example"]
        self.assertEqual([o.get("revoked", False) for o in gone], [False, True])
        self.assertEqual(len(versions), 4)
        with open(path, "a") as f:
            f.write("gone.example\n")
        back = json.loads(self.run_kizuna("import", path, "--collection", "feeds", "--json").stdout)
        self.assertEqual(back["added"], 1)
        current = [o for o in self.export() if o["name"] == "emotet: gone.example" and not o.get("revoked")]
        self.assertEqual(len(current), 1)
        self.assertNotEqual(current[0]["id"], gone[0]["id"])

    def test_two_organisations_import_the_same_list(self):
        """Issue 19, item 5: ids include the creator: no conflict between organisations."""
        self.init_with_collection("feeds")
        self.run_kizuna("collection", "create", "--title", "Other", "--alias", "other")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-B", "--nation", "USA")
        path = self.write("emotet.txt", "evil.example\n198.51.100.7\n")
        for org, collection in (("CERT-A", "feeds"), ("CERT-B", "feeds"), ("CERT-B", "other")):
            out = json.loads(self.run_kizuna("import", path, "--collection", collection, "--organization", org,
                                             "--json").stdout)
            self.assertEqual((out["added"], out["rejected"]), (2, 0), (org, collection))
        self.assertEqual(len({o["created_by_ref"] for o in self.export()}), 2)
        self.assertEqual(len({o["id"] for o in self.export()}), 4)

    def test_feed_lines_mean_what_the_feed_means(self):
        """Issue 19, item 6: maltrail lines against WRCCDC Zeek records (tests/data/feeds)."""
        feeds = os.path.join(SOURCE_DIR, "tests", "data", "feeds")
        self.init_with_collection("feeds")
        self.run_kizuna("admin", "org", "add", "--name", "CERT-A", "--nation", "JPN")
        out = json.loads(self.run_kizuna("import", os.path.join(feeds, "trails.txt"), os.path.join(feeds, "ipsum.txt"),
                                         "--collection", "feeds", "--json").stdout)
        self.assertEqual((out["added"], out["rejected"]), (16, 0))
        scores = {o["name"]: o.get("x_kizuna_feed_score") for o in self.export()}
        self.assertEqual(scores["ipsum: 77.90.185.20"], 10)
        self.assertIsNone(scores["trails: .tk"])
        alerts_path = os.path.join(self.tmp, "alerts.jsonl")
        self.run_kizuna("match", "--collection", "feeds", "--alerts", alerts_path, "--input",
                        *(os.path.join(feeds, log) for log in ("dns.log", "x509.log", "ssl.log")))
        names = {}
        with open(alerts_path) as f:
            for line in f:
                alert = json.loads(line)
                for m in alert["matches"]:
                    names.setdefault(m["value"], set()).add(m.get("name") or m["indicator"])
        self.assertIn("cdn.whatismyipaddress.com", names, "a subdomain record hits")
        self.assertIn("*.allfreebook.tk", names, "a .tk certificate name hits")
        self.assertIn("ise.wrccdc.org", names, "http://host matches the host's traffic")


if __name__ == "__main__":
    unittest.main()


def eve_dns_series(n):
    """EVE dns events a second apart: stage1/stage2, and-a/and-b and rep.example now and then."""
    lines = []
    for i in range(n):
        name = f"n{i % 300}.example"
        for every, special in ((5, "rep.example"), (37, "stage1.example"), (53, "stage2.example"),
                               (61, "and-a.example"), (89, "and-b.example")):
            if i % every == 0:
                name = special
        lines.append(json.dumps({"timestamp": "2023-11-14T%02d:%02d:%02d.000000+0000" % (20 + i // 3600, i // 60 % 60, i % 60),
                                 "event_type": "dns", "src_ip": f"10.1.0.{i % 200}", "dest_ip": "10.0.0.53",
                                 "dns": {"type": "query", "rrname": name}}) + "\n")
    return lines


class ResumeCorrelation(IntelCase):
    """Issue 23: `kizuna match --resume` over a growing file in k runs gives the alerts and
    sightings of one run over the whole, for patterns needing several observations."""
    INDICATORS = [
        indicator(11, "([domain-name:value = 'stage1.example'] FOLLOWEDBY "
                      "[domain-name:value = 'stage2.example']) WITHIN 600 SECONDS"),
        indicator(12, "([domain-name:value = 'and-a.example'] AND [domain-name:value = 'and-b.example']) "
                      "WITHIN 300 SECONDS"),
        indicator(13, "[domain-name:value = 'rep.example'] REPEATS 4 TIMES"),
    ]

    def match(self, *args):
        return json.loads(self.run_kizuna("match", "--collection", "intel", "--json", *args).stdout)

    def sightings(self, collection):
        """The latest count of each sighting in `collection`: id -> (first_seen, last_seen, count)."""
        objects = json.loads(self.run_kizuna("export", "--collection", collection).stdout)["objects"]
        latest = {}
        for o in sorted((o for o in objects if o["type"] == "sighting"), key=lambda o: o["count"]):
            latest[o["id"]] = (o["first_seen"], o["last_seen"], o["count"])
        return latest

    @staticmethod
    def alerts(path):
        with open(path) as f:
            return sorted((a["line"], [m["indicator"] for m in a["matches"]], [c["line"] for c in a.get("correlated", [])])
                          for a in map(json.loads, f))

    def test_k_resumed_runs_match_as_one_run(self):
        lines = eve_dns_series(9000)
        whole_file = self.write("whole.json", "".join(lines))
        self.run_kizuna("collection", "create", "--title", "Whole", "--alias", "whole")
        whole = self.match("--input", whole_file, "--alerts", os.path.join(self.tmp, "whole.jsonl"),
                           "--sightings-to", "whole")
        self.assertGreater(whole["match"]["correlations"], 100)
        expected_alerts, expected_sightings = self.alerts(os.path.join(self.tmp, "whole.jsonl")), self.sightings("whole")
        self.assertEqual(len(expected_sightings), 9)  # three indicators, three hours
        for k in (3, 7):
            with self.subTest(runs=k):
                collection, grown = f"polled{k}", os.path.join(self.tmp, f"eve{k}.json")
                resume, alerts = os.path.join(self.tmp, f"resume{k}.json"), os.path.join(self.tmp, f"alerts{k}.jsonl")
                self.run_kizuna("collection", "create", "--title", collection, "--alias", collection)
                correlations = 0
                for run in range(k):
                    with open(grown, "a") as f:
                        f.writelines(lines[len(lines) * run // k:len(lines) * (run + 1) // k])
                    out = self.match("--input", grown, "--alerts", alerts, "--resume", resume,
                                     "--sightings-to", collection)
                    correlations += out["match"]["correlations"]
                self.assertEqual(correlations, whole["match"]["correlations"])
                # The alert file names the grown file; the lines and what took part are the same.
                self.assertEqual(self.alerts(alerts), expected_alerts)
                self.assertEqual(self.sightings(collection), expected_sightings)
