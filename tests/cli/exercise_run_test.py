"""`kizuna exercise run` against two real nodes on loopback (issue 23): the after-action
report written at the end, time to share read live from the partner's manifest at the
lockstep tick it arrived at, message injects delivered as notes over TAXII, and auto-blue
matching each record once."""
import json
import os
import socket
import subprocess
import time
import urllib.request

from kizuna_cli import KIZUNA, SOURCE_DIR, KizunaTestCase

ATTACK = os.path.join(SOURCE_DIR, "tests", "data", "exercise", "attack-techniques.json")
EXERCISE = "loop-ex"
NATIONS = {"ja": "JPN", "us": "USA"}

SCENARIO = """meta:
  id: loop-ex
  title: Loopback exercise
  t0: 2026-11-02T00:00:00Z
  duration: 60m
  seed: 7
  tlp: amber
teams:
  - id: ja
    nation: JPN
    role: blue
    node: {url: "http://127.0.0.1:PORT_JA", api_root: kizuna, collections: {injects: exercise-injects, shares: exercise-shared, sightings: exercise-sightings}}
    network: 10.1.0.0/16
    hosts: [{name: ja-ws, address: 10.1.1.5}]
    sensors: [{name: ja-zeek, kind: zeek}]
  - id: us
    nation: USA
    role: blue
    node: {url: "http://127.0.0.1:PORT_US", api_root: kizuna, collections: {injects: exercise-injects, shares: exercise-shared, sightings: exercise-sightings}}
    network: 10.2.0.0/16
    hosts: [{name: us-ws, address: 10.2.1.5}]
    sensors: [{name: us-zeek, kind: zeek}]
actors:
  - {id: red, attack_group: G1001}
procedures:
  - id: p1
    actor: red
    steps:
      - id: ja-c2
        technique: T0869
        team: ja
        source: ja-ws
        window: {start: 2m, end: 3m}
        artefacts:
          dns: [{query: evil.example, answers: [203.0.113.9]}]
          repeat: 2
        detection: {deadline: 10m}
      - id: us-phish
        technique: T0865
        team: us
        source: us-ws
        window: {start: 40m, end: 41m}
        artefacts:
          dns: [{query: lure.example, answers: [203.0.113.20]}]
background:
  - {team: ja, records_per_second: 2, domains: [www.example.jp]}
  - {team: us, records_per_second: 2, domains: [www.example.com]}
injects:
  - id: startex
    at: 0m
    audience: [ja, us]
    channel: {message: "STARTEX. Exercise traffic flows on every network."}
    expected_action: acknowledge
    deadline: 15m
sharing:
  - {id: ja-shares-c2, from: ja, to: [us], step: ja-c2, by: 30m}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ExerciseRunTest(KizunaTestCase):
    """Two nodes (ja, us) set up as scripts/demo-exercise sets up three; one run, several checks."""

    @classmethod
    def setUpClass(cls):
        cls.case = cls("run")
        cls.case.setUp()
        cls.case.start()

    @classmethod
    def tearDownClass(cls):
        for proc in cls.case.servers:
            proc.terminate()
            proc.wait(timeout=30)
        cls.case.tearDown()

    def k(self, team, *args, expect=0):
        proc = subprocess.run([KIZUNA, "--data-dir", os.path.join(self.tmp, team), *args],
                              capture_output=True, timeout=120)
        if expect is not None and proc.returncode != expect:
            raise AssertionError(f"kizuna {' '.join(args)}: {proc.returncode} {proc.stderr[-2000:]!r}")
        return proc.stdout.decode().strip()

    def start(self):
        self.servers, self.port, self.tokens = [], {}, {}
        white = next(o["id"] for o in json.loads(subprocess.run(
            [KIZUNA, "exercise", "indicators", self.write("s0.yaml", SCENARIO), "--attack", ATTACK],
            capture_output=True, check=True).stdout)["objects"] if o["type"] == "identity")
        shared, peer_token = {}, {}
        for team, nation in NATIONS.items():
            self.k(team, "init", "--api-root", "kizuna")
            self.k(team, "admin", "org", "add", "--name", f"{nation}-CERT", "--nation", nation)
            with open(os.path.join(self.tmp, f"{team}-org.json"), "w") as f:
                f.write(self.k(team, "admin", "org", "export", f"{nation}-CERT"))
        with open(os.path.join(self.tmp, "tokens"), "w") as f:
            os.chmod(f.name, 0o600)
            for team, nation in NATIONS.items():
                for c in ("injects", "shared", "sightings"):
                    out = self.k(team, "collection", "create", "--title", c, "--alias", f"exercise-{c}", "--exercise",
                                 "--community", EXERCISE, "--default-release", "readers")
                    if c == "shared":
                        shared[team] = json.loads(out)["id"]
                    self.k(team, "admin", "grant", f"exercise-{c}", "--org", f"{nation}-CERT", "--read", "--write")
                self.k(team, "admin", "org", "add", "--name", "WHITE-CELL", "--nation", "JPN", "--id", white)
                self.k(team, "admin", "user", "add", "white", "--org", "WHITE-CELL", "--role", "publisher")
                self.k(team, "admin", "grant", "exercise-injects", "--org", "WHITE-CELL", "--read", "--write")
                for c in ("sightings", "shared"):
                    self.k(team, "admin", "grant", f"exercise-{c}", "--org", "WHITE-CELL", "--read")
                f.write(f"{team} {self.k(team, 'admin', 'token', 'create', 'white')}\n")
                # The team's analyst, who reads the injects as the team's tools do.
                self.k(team, "admin", "user", "add", "analyst", "--org", f"{nation}-CERT", "--role", "reader")
                self.tokens[team] = self.k(team, "admin", "token", "create", "analyst")
                self.k(team, "admin", "group", "add", EXERCISE)
                for other, other_nation in NATIONS.items():
                    if other == team:
                        continue
                    self.k(team, "admin", "org", "import", os.path.join(self.tmp, f"{other}-org.json"),
                           "--nation", other_nation)
                    self.k(team, "admin", "group", "join", EXERCISE, f"{other_nation}-CERT")
                    # The partner's node shares its sightings into this node's shared collection.
                    self.k(team, "admin", "grant", "exercise-shared", "--org", f"{other_nation}-CERT", "--read",
                           "--write")
                    self.k(team, "admin", "user", "add", f"node-{other}", "--org", f"{other_nation}-CERT",
                           "--role", "peer")
                    peer_token[team, other] = self.k(team, "admin", "token", "create", f"node-{other}")
                self.port[team] = free_port()
        for team, nation in NATIONS.items():
            for other, other_nation in NATIONS.items():
                if other != team:
                    self.k(team, "peer", "add", other, "--url", f"http://127.0.0.1:{self.port[other]}", "--api-root", "kizuna",
                           "--token", peer_token[other, team], "--nation", other_nation, "--community", EXERCISE,
                           "--map", f"exercise-sightings:{shared[other]}:push")
            with open(os.path.join(self.tmp, f"{team}.out"), "w") as out:
                self.servers.append(subprocess.Popen(
                    [KIZUNA, "--data-dir", os.path.join(self.tmp, team), "serve", "--dev", "--listen",
                     f"127.0.0.1:{self.port[team]}", "--access-log", "off"], stdout=out, stderr=subprocess.DEVNULL))
        for team in NATIONS:
            for _ in range(100):
                if os.path.getsize(os.path.join(self.tmp, f"{team}.out")):
                    break
                time.sleep(0.1)
        scenario = SCENARIO.replace("PORT_JA", str(self.port["ja"])).replace("PORT_US", str(self.port["us"]))
        self.scenario = self.write("loop.yaml", scenario)
        self.state = os.path.join(self.tmp, "state")
        args = [KIZUNA, "exercise", "run", self.scenario, "--attack", ATTACK, "--state", self.state,
                "--speed", "600", "--tick", "300", "--tokens", os.path.join(self.tmp, "tokens"), "--auto-blue",
                "--json"]
        for team, nation in NATIONS.items():
            args += ["--team-data", f"{team}={os.path.join(self.tmp, team)}", "--team-org", f"{team}={nation}-CERT"]
        self.run_proc = subprocess.run(args, capture_output=True, timeout=300)
        self.result = json.loads(self.run_proc.stdout) if self.run_proc.returncode == 0 else None

    def test_the_run_succeeds_and_detects_every_covered_step(self):
        self.assertEqual(self.case.run_proc.returncode, 0, self.case.run_proc.stderr.decode()[-3000:])
        for team in self.case.result["teams"]:
            self.assertEqual(team["recall_covered"], 1.0, team)

    def test_the_run_writes_the_after_action_report_and_status_names_it(self):
        state = self.case.state
        with open(os.path.join(state, "aar.json")) as f:
            aar = json.load(f)
        with open(os.path.join(state, "result.json")) as f:
            self.assertEqual(aar["result"], json.load(f))
        with open(os.path.join(state, "aar.html")) as f:
            self.assertIn("Loopback exercise", f.read())
        self.assertIn("after-action report of loop-ex", self.case.run_proc.stderr.decode())
        status = subprocess.run([KIZUNA, "exercise", "status", "--state", state], capture_output=True, check=True)
        self.assertIn(f"after-action report: {state}/aar.html (figures: {state}/aar.json)", status.stdout.decode())
        report = json.loads(subprocess.run([KIZUNA, "exercise", "status", "--state", state, "--json"],
                                           capture_output=True, check=True).stdout)["state"]["report"]
        self.assertEqual(report, {"html": f"{state}/aar.html", "json": f"{state}/aar.json"})

    def test_time_to_share_is_read_live_from_the_partners_manifest(self):
        share = self.case.result["shares"][0]
        self.assertEqual((share["objective"], share["to"]), ("ja-shares-c2", "us"))
        # ja's C2 step is left from 2m to 3m: the tick at 0 released nothing of it, the tick at
        # 5m released it, ja matched and sighted it, its node pushed the sighting to us's
        # node, and the white cell saw it there: shared at 5m, whatever the clocks said.
        self.assertEqual(share["shared_at"], "2026-11-02T00:05:00.000000Z", share)
        step = next(s for s in self.case.result["steps"] if s["step"] == "ja-c2")
        detected = step["detected_at"]
        self.assertTrue(detected.startswith("2026-11-02T00:02:"), step)
        self.assertAlmostEqual(share["time_to_share_s"], 300 - float(detected[17:-1]) - 120, places=3)
        self.assertTrue(share["met"])
        with open(os.path.join(self.case.state, "state.json")) as f:
            self.assertEqual(json.load(f)["tick_s"], 300)
        # Each tick ran one federation pass of each node.
        with open(os.path.join(self.case.state, "sync-ja.log")) as f:
            self.assertIn('"pushed"', f.read())
        with open(os.path.join(self.case.state, "aar.json")) as f:
            aar = json.load(f)
        self.assertEqual(aar["headline"]["shares"], 1)
        received = [s["received"] for t in aar["timelines"] for s in t["steps"] if s["step"] == "ja-c2"][0]
        self.assertEqual(len(received), 1, received)

    def test_message_injects_are_delivered_as_notes_in_the_teams_injects_collection(self):
        for team in NATIONS:
            url = f"http://127.0.0.1:{self.case.port[team]}/kizuna/collections/exercise-injects/objects/?match[type]=note"
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.case.tokens[team]}",
                                                           "Accept": "application/taxii+json;version=2.1"})
            with urllib.request.urlopen(request, timeout=30) as r:
                notes = json.load(r).get("objects", [])
            self.assertEqual(len(notes), 1, notes)
            note = notes[0]
            self.assertEqual(note["content"], "STARTEX. Exercise traffic flows on every network.")
            self.assertEqual(note["x_kizuna_exercise_inject"], "startex")
            self.assertEqual(note["x_kizuna_exercise_audience"], ["ja", "us"])
            self.assertIn("marking-definition--1680a0b1-1d3b-5b4b-b302-3989d7fa2618", note["object_marking_refs"])
        with open(os.path.join(self.case.state, "state.json")) as f:
            startex = json.load(f)["injects"][0]
        self.assertEqual([(r["team"], r.get("failure_count")) for r in startex["results"]], [("ja", 0), ("us", 0)])

    def test_auto_blue_matches_each_released_record_once(self):
        for team in NATIONS:
            with open(os.path.join(self.case.state, f"auto-blue-{team}.log")) as f:
                runs = [json.loads(line) for line in f if line.startswith("{")]
            self.assertGreater(len(runs), 3)
            with open(os.path.join(self.case.state, "truth.tsv")) as f:
                released = sum(1 for line in f if line.startswith(f"{team}/"))
            self.assertEqual(sum(r["match"]["records"] for r in runs), released)
