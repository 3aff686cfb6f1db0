"""Helpers for tests that drive the real `kizuna` binary (Python standard library only)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

KIZUNA = os.environ.get("KIZUNA_BIN", "kizuna")
SOURCE_DIR = os.environ.get("KIZUNA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED_DATA = os.environ.get("KIZUNA_SHARED_DATA", os.path.join(SOURCE_DIR, "..", "shared", "data"))


class KizunaTestCase(unittest.TestCase):
    """Gives each test a fresh data directory and a `run` helper."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kizuna-cli-")
        self.data_dir = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_kizuna(self, *args, stdin=None, expect=0, timeout=300):
        proc = subprocess.run([KIZUNA, "--data-dir", self.data_dir, *args], input=stdin,
                              capture_output=True, timeout=timeout)
        if expect is not None and proc.returncode != expect:
            self.fail(f"kizuna {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
                      f"stdout: {proc.stdout[-2000:]!r}\nstderr: {proc.stderr[-2000:]!r}")
        return proc

    def write(self, name, content):
        path = os.path.join(self.tmp, name)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content)
        return path

    def init_with_collection(self, alias="intel"):
        self.run_kizuna("init")
        out = self.run_kizuna("collection", "create", "--title", "Test", "--alias", alias).stdout
        return json.loads(out)["id"]


def raw_objects(text):
    """Returns the exact text of each object in a bundle's `objects` list, in order."""
    decoder = json.JSONDecoder()
    start = text.index("[", text.index('"objects"'))
    pos, out = start + 1, []
    while True:
        while text[pos] in " \t\r\n,":
            pos += 1
        if text[pos] == "]":
            return out
        _, end = decoder.raw_decode(text, pos)
        out.append(text[pos:end])
        pos = end
