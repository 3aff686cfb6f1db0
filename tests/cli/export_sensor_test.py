"""`kizuna export --format zeek-intel|suricata|rpz|csv` (issue 24, items 3 and 4): only what the
policy releases to the principal who asks, and files the real tools load: named-checkzone and
unbound on loopback for the RPZ zone, suricata-update's rule parser for the rules, Kizuna's own
Zeek reader for the intel file. A test whose tool is absent is skipped and says which."""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
import unittest

from federation_test import EXTENSIONS, RED, REL, indicator
from kizuna_cli import KizunaTestCase

FORMATS = ("zeek-intel", "suricata", "rpz", "csv")
DEBIAN_PYTHON = "/usr/bin/python3"  # suricata-update's modules are Debian's, under its python3


def pattern_indicator(n, pattern, markings=(), creator=None, **extra):
    o = indicator(n, markings, creator)
    o["pattern"] = pattern
    o.update(extra)
    return o


def dns_rcode(port, name):
    """Sends one A query for `name` to 127.0.0.1:port over UDP; returns (rcode, answers)."""
    query = struct.pack(">HHHHHH", 0x4b5a, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        query += bytes([len(label)]) + label.encode()
    query += b"\0" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(query, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
    return data[3] & 0xF, struct.unpack(">H", data[6:8])[0]


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SensorExport(KizunaTestCase):
    def setUp(self):
        super().setUp()
        self.init_with_collection()
        self.run_kizuna("import", EXTENSIONS, "--collection", "intel")
        self.jpn = json.loads(self.run_kizuna("admin", "org", "add", "--name", "JPN-CERT", "--nation", "JPN",
                                              "--json").stdout)["id"]
        self.run_kizuna("admin", "org", "add", "--name", "USA-CERT", "--nation", "USA")
        self.run_kizuna("admin", "org", "add", "--name", "KOR-CERT", "--nation", "KOR")
        for user, org in (("jp", "JPN-CERT"), ("us", "USA-CERT"), ("kr", "KOR-CERT")):
            self.run_kizuna("admin", "user", "add", user, "--org", org, "--role", "reader")
            self.run_kizuna("admin", "grant", "intel", "--org", org, "--read")
        j = self.jpn
        self.objects = [
            pattern_indicator(1, "[domain-name:value = 'rel.example']", [REL], j),          # JPN, USA
            pattern_indicator(2, "[domain-name:value = 'red.secret.example']", [RED], j),   # JPN-CERT only
            pattern_indicator(3, "[ipv4-addr:value = '203.0.113.9']", [], j),              # creator's nation
            pattern_indicator(4, "[domain-name:value LIKE '%.wild.example']", [REL], j),
            pattern_indicator(5, "[url:value = 'http://rel.example/path']", [REL], j),
            pattern_indicator(6, "[file:hashes.'SHA-256' = '%s']" % ("ab" * 32), [REL], j),
            pattern_indicator(7, "[file:size > 10]", [REL], j),
            pattern_indicator(8, "[domain-name:value = 'gone.example']", [REL], j, revoked=True),
            pattern_indicator(9, "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", [REL], j),
            pattern_indicator(10, "[ipv4-addr:value = '192.0.2.77']", [REL], j),
        ]
        bundle = {"type": "bundle", "id": "bundle--5b0f4a37-9a5e-4a1c-9f0e-3c1f4f9f7a03", "objects": self.objects}
        self.run_kizuna("import", self.write("b.json", json.dumps(bundle)), "--collection", "intel")

    def export(self, fmt, *who, output=None):
        out = output or os.path.join(self.tmp, "out-" + fmt)
        shutil.rmtree(out, ignore_errors=True)
        proc = self.run_kizuna("export", "--collection", "intel", "--format", fmt, "--output", out, "--json", *who)
        if os.path.isdir(out):
            text = ""
            for name in sorted(os.listdir(out)):
                with open(os.path.join(out, name)) as f:
                    text += f.read()
        else:
            with open(out) as f:
                text = f.read()
        return text, proc.stderr.decode(), json.loads(proc.stderr)

    def released(self, *who):
        out = json.loads(self.run_kizuna("export", "--collection", "intel", *who).stdout)["objects"]
        return {o["id"] for o in out if o["type"] == "indicator"}

    def test_each_format_shows_only_what_the_policy_releases(self):
        values = {o["id"]: re.findall("'([^']*)'", o["pattern"])[-1] for o in self.objects if "'" in o["pattern"]}
        for who in (("--as", "us"), ("--as", "kr"), ("--as", "jp"), ()):
            released = self.released(*who)
            for fmt in FORMATS:
                with self.subTest(who=who, fmt=fmt):
                    text, err, summary = self.export(fmt, *who)
                    self.assertEqual(summary["read"], len(released))
                    everything = text + err
                    for o in self.objects:
                        if o["id"] in released:
                            continue
                        self.assertNotIn(o["id"], everything)
                        value = values.get(o["id"], o["id"])
                        self.assertNotIn(value, everything)
                        self.assertNotIn(base64.b64encode(value.encode()).decode(), everything)
        # The markings decide: KOR sees nothing, USA what is releasable to it, JPN-CERT all.
        self.assertEqual(self.released("--as", "kr"), set())
        _, _, us = self.export("csv", "--as", "us")
        self.assertEqual((us["read"], us["exported"], us["skipped"]), (8, 6, {"not-reducible": 1, "revoked": 1}))
        _, _, jp = self.export("csv", "--as", "jp")
        self.assertEqual((jp["read"], jp["exported"]), (10, 8))

    def test_rpz_zone_passes_named_checkzone_and_unbound_answers_nxdomain(self):
        zone = os.path.join(self.tmp, "kizuna.rpz")
        text, _, summary = self.export("rpz", "--as", "us", output=zone)
        self.assertIn("\nrel.example CNAME . ;", text)
        self.assertIn("\n*.wild.example CNAME . ;", text)
        self.assertIn("\n24.0.100.51.198.rpz-ip CNAME . ;", text)
        self.assertIn("\n32.77.2.0.192.rpz-ip CNAME . ;", text)
        self.assertEqual(summary["entries"], 4)
        if not shutil.which("named-checkzone"):
            self.skipTest("named-checkzone absent (Debian bind9-utils)")
        check = subprocess.run(["named-checkzone", "rpz.kizuna", zone], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("OK", check.stdout)
        unbound = shutil.which("unbound") or ("/usr/sbin/unbound" if os.path.exists("/usr/sbin/unbound") else None)
        if not unbound:
            self.skipTest("unbound absent (Debian unbound)")
        self.serve_zone(unbound, zone)

    def serve_zone(self, unbound, zone):
        # The resolver answers from a root zone of its own (no traffic leaves the machine);
        # without the policy zone it would answer every name below.
        root = self.write("root.zone", "$ORIGIN .\n$TTL 300\n. SOA localhost. root.localhost. 1 3600 600 86400 300\n"
                          ". NS localhost.\nrel.example. A 192.0.2.10\ncontrol.example. A 192.0.2.11\n"
                          "a.wild.example. A 192.0.2.12\nin-block.example. A 198.51.100.20\n")
        port = free_udp_port()
        conf = self.write("unbound.conf", f"""server:
  interface: 127.0.0.1
  port: {port}
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{self.tmp}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  access-control: 127.0.0.0/8 allow
  module-config: "respip iterator"
  do-not-query-localhost: yes
remote-control:
  control-enable: no
auth-zone:
  name: "."
  zonefile: "{root}"
  for-downstream: no
  for-upstream: yes
  fallback-enabled: no
rpz:
  name: "rpz.kizuna."
  zonefile: "{zone}"
""")
        proc = subprocess.Popen([unbound, "-d", "-c", conf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            answer = None
            for _ in range(100):  # until it serves
                try:
                    answer = dns_rcode(port, "control.example")
                    break
                except OSError:
                    if proc.poll() is not None:
                        self.fail("unbound exited: %s" % proc.stdout.read().decode())
                    time.sleep(0.1)
            self.assertEqual(answer, (0, 1), "a name the zone does not list is answered")
            self.assertEqual(dns_rcode(port, "rel.example"), (3, 0), "exported name: NXDOMAIN")
            self.assertEqual(dns_rcode(port, "a.wild.example"), (3, 0), "below an exported suffix: NXDOMAIN")
            self.assertEqual(dns_rcode(port, "in-block.example"), (3, 0), "answer in an exported block: NXDOMAIN")
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def test_suricata_rules_parse_with_suricata_update_and_sids_are_stable(self):
        out = os.path.join(self.tmp, "suricata")
        self.export("suricata", "--as", "us", output=out)
        self.assertEqual(sorted(os.listdir(out)), ["kizuna-domains.lst", "kizuna-ip.lst", "kizuna-sha256.txt", "kizuna.rules"])
        with open(os.path.join(out, "kizuna-domains.lst")) as f:
            domains = {base64.b64decode(line).decode() for line in f}
        self.assertEqual(domains, {"rel.example"})
        with open(os.path.join(out, "kizuna.rules")) as f:
            rules = f.read()
        first = {line for line in rules.splitlines() if "kizuna_indicator" in line}
        self.run_kizuna("import", self.write("more.json", json.dumps({
            "type": "bundle", "id": "bundle--5b0f4a37-9a5e-4a1c-9f0e-3c1f4f9f7a04",
            "objects": [pattern_indicator(20, "[ipv4-addr:value ISSUBSET '192.0.2.0/28']", [REL], self.jpn)]})),
            "--collection", "intel")
        self.export("suricata", "--as", "us", output=out)
        with open(os.path.join(out, "kizuna.rules")) as f:
            again = f.read()
        self.assertTrue(first < {line for line in again.splitlines() if "kizuna_indicator" in line})
        if not os.path.exists(DEBIAN_PYTHON) or subprocess.run(
                [DEBIAN_PYTHON, "-c", "import suricata.update.rule"], capture_output=True).returncode != 0:
            self.skipTest("suricata-update's rule parser absent (Debian suricata-update)")
        script = ("import json, sys, suricata.update.rule as r\n"
                  "out = []\n"
                  "for line in open(sys.argv[1]):\n"
                  "    if line.strip() and not line.startswith('#'):\n"
                  "        rule = r.parse(line)\n"
                  "        out.append(None if rule is None else [rule.sid, rule.proto, rule.msg])\n"
                  "print(json.dumps(out))\n")
        parsed = json.loads(subprocess.run([DEBIAN_PYTHON, "-c", script, os.path.join(out, "kizuna.rules")],
                                           capture_output=True, text=True, check=True).stdout)
        self.assertNotIn(None, parsed)
        sids = [p[0] for p in parsed]
        self.assertEqual(len(sids), len(set(sids)))
        self.assertEqual(len(parsed), len([l for l in again.splitlines() if l.startswith("alert ")]))
        self.assertIn([2999999901, "dns", "Kizuna: DNS query for a listed name"], parsed)

    def test_zeek_intel_file_is_read_back_by_kizuna_match(self):
        intel = os.path.join(self.tmp, "kizuna.intel")
        text, _, _ = self.export("zeek-intel", "--as", "us", output=intel)
        lines = text.splitlines()
        self.assertEqual(lines[0], "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url")
        self.assertIn("rel.example\tIntel::DOMAIN\tkizuna\t", text)
        self.assertIn("198.51.100.0/24\tIntel::SUBNET\t", text)
        self.assertIn("rel.example/path\tIntel::URL\t", text)
        self.assertIn("%s\tIntel::FILE_HASH\t" % ("ab" * 32), text)
        for line in lines[1:]:
            self.assertEqual(len(line.split("\t")), 5, line)
        # Kizuna's Zeek reader reads the file as a log whose `indicator` field is a host.
        field_map = self.write("map.txt", "kizuna indicator host\n")
        alerts = [json.loads(l) for l in self.run_kizuna(
            "match", "--collection", "intel", "--input", intel, "--field-map", field_map, "--alerts", "-",
            "--no-stored-allowlists").stdout.splitlines()]
        hit = {m["indicator"] for a in alerts for m in a["matches"]}
        self.assertEqual(hit, {indicator(1)["id"], indicator(10)["id"]})

    def test_bad_input_is_named(self):
        self.run_kizuna("export", "--collection", "intel", "--format", "bogus", expect=2)
        err = self.run_kizuna("export", "--collection", "intel", "--format", "suricata", expect=1).stderr
        self.assertIn(b"--output FOLDER", err)
        err = self.run_kizuna("export", "--collection", "intel", "--format", "rpz", "--type", "indicator",
                              expect=1).stderr
        self.assertIn(b"apply to --format stix and misp only", err)
        err = self.run_kizuna("export", "--collection", "intel", "--format", "rpz", "--rpz-origin", "a b.",
                              expect=1).stderr
        self.assertIn(b"'a b.'", err)
        self.assertIn(b"zeek-intel", self.run_kizuna("export", "--help").stdout)


if __name__ == "__main__":
    unittest.main()
