"""scripts/check_layers.py passes on this tree and fails on each kind of violation planted
in a copy of src/kizuna: an upward include, an include of another folder's internal/, a
cycle in the declarations, and a folder with no declaration."""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_layers.py"


class CheckLayersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)
        shutil.copytree(ROOT / "src" / "kizuna", self.root / "src" / "kizuna")

    def tearDown(self):
        self.tmp.cleanup()

    def check(self):
        run = subprocess.run([sys.executable, str(SCRIPT), "--root", str(self.root)],
                             capture_output=True, text=True)
        return run.returncode, run.stdout

    def plant(self, relative, text):
        path = self.root / "src" / "kizuna" / relative
        path.write_text(path.read_text() + text)

    def test_the_tree_passes(self):
        self.assertEqual(self.check(), (0, ""))

    def test_an_upward_include_fails(self):
        self.plant("store/store.cc", '#include "kizuna/policy/policy.h"\n')
        code, out = self.check()
        self.assertEqual(code, 1)
        self.assertIn("src/kizuna/store/store.cc:", out)
        self.assertIn("store/ does not build on policy/", out)

    def test_a_sideways_include_fails(self):
        self.plant("detect/matcher.h", '#include "kizuna/http/handler.h"\n')
        code, out = self.check()
        self.assertEqual(code, 1)
        self.assertIn("detect/ does not build on http/", out)

    def test_another_folders_internal_fails_even_below(self):
        self.plant("detect/matcher.h", '#include "kizuna/pattern/internal/utf8.h"\n')
        code, out = self.check()
        self.assertEqual(code, 1)
        self.assertIn("detect/ may not include another folder's internal/", out)

    def test_the_binary_may_not_include_internal_either(self):
        self.plant("cli/main.cc", '#include "kizuna/store/sqlite/internal/x.h"\n')
        code, out = self.check()
        self.assertEqual(code, 1)
        self.assertIn("cli/ may not include another folder's internal/", out)

    def test_a_cycle_in_the_declarations_fails(self):
        cmake = self.root / "src" / "kizuna" / "base" / "CMakeLists.txt"
        cmake.write_text(cmake.read_text().replace("kizuna_layer(base)", "kizuna_layer(base DEPENDS store)"))
        code, out = self.check()
        self.assertEqual(code, 1)
        self.assertIn("layer cycle: ", out)

    def test_a_folder_without_a_declaration_fails(self):
        (self.root / "src" / "kizuna" / "console").mkdir()
        (self.root / "src" / "kizuna" / "console" / "assets.cc").write_text("// nothing\n")
        code, out = self.check()
        self.assertEqual(code, 1)
        self.assertIn("folder console declares no layer", out)


if __name__ == "__main__":
    unittest.main()
