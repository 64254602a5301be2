# SPDX-License-Identifier: GPL-2.0-or-later
import tempfile
import unittest
from pathlib import Path

import contdax_path
from contdax import patches, qemu_build
from contdax.ui import ContdaxError, Step

GOOD = """--- a/f.txt
+++ b/f.txt
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
"""
BAD = """--- a/g.txt
+++ b/g.txt
@@ -1,3 +1,3 @@
 alpha
-beta
+BETA
 gamma
"""


class PatchesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.tree = self.tmp / "tree"
        self.tree.mkdir()
        (self.tree / "f.txt").write_text("one\ntwo\nthree\n")
        (self.tree / "g.txt").write_text("alpha\nnot beta\ngamma\n")
        self.step = Step("patch test", self.tmp / "logs")
        self.addCleanup(self.step.log.close)

    def write(self, name, text):
        p = self.tmp / name
        p.write_text(text)
        return p

    def test_series_order_and_comments(self):
        d = self.tmp / "p"
        d.mkdir()
        for n in ("b.patch", "a.patch"):
            (d / n).write_text(GOOD)
        (d / "series").write_text("# order\nb.patch\n\na.patch  # second\n")
        self.assertEqual([p.name for p in patches.read_series(d)],
                         ["b.patch", "a.patch"])

    def test_series_missing_patch(self):
        d = self.tmp / "p"
        d.mkdir()
        (d / "series").write_text("nope.patch\n")
        with self.assertRaisesRegex(ContdaxError, "series:1: .*nope.patch"):
            patches.read_series(d)

    def test_no_series_is_empty(self):
        self.assertEqual(patches.read_series(self.tmp), [])

    def test_apply_good(self):
        patches.apply(self.step, [self.write("good.patch", GOOD)], self.tree)
        self.assertEqual((self.tree / "f.txt").read_text(),
                         "one\nTWO\nthree\n")

    def test_bad_patch_names_patch_and_file_and_leaves_tree(self):
        good = self.write("good.patch", GOOD)
        bad = self.write("bad.patch", BAD)
        with self.assertRaises(ContdaxError) as cm:
            patches.apply(self.step, [good, bad], self.tree)
        msg = str(cm.exception)
        self.assertIn("bad.patch", msg)
        self.assertIn("g.txt", msg)
        self.assertNotIn("\n", msg)
        self.assertEqual((self.tree / "g.txt").read_text(),
                         "alpha\nnot beta\ngamma\n")
        self.assertEqual(sorted(p.name for p in self.tree.iterdir()),
                         ["f.txt", "g.txt"])

    def test_patch_for_missing_file(self):
        p = self.write("m.patch", GOOD.replace("f.txt", "missing.txt"))
        with self.assertRaisesRegex(ContdaxError, "m.patch does not apply"):
            patches.apply(self.step, [p], self.tree)


class BaselineHooksTest(unittest.TestCase):
    """`bench contpte` measures the model's off mode against QEMU built
    with the device hooks alone: they must leave the MMU, cputlb and the
    monitor as upstream has them, and the model's hooks must all be out."""

    def touched(self, patch):
        return [ln[6:] for ln in patch.read_text().splitlines()
                if ln.startswith("+++ b/")]

    def test_the_baseline_has_no_hook_of_the_model(self):
        every = qemu_build.series(contdax_path.REPO)
        base = qemu_build.series(contdax_path.REPO, model=False)
        self.assertEqual(len(base), len(qemu_build.DEVICE_HOOKS))
        for p in base:
            for f in self.touched(p):
                # qapi/machine.json: the device's property enums;
                # include/hw/: the virt machine's compat flag
                self.assertTrue(f.startswith(("hw/", "include/hw/",
                                              "tests/qtest/")) or
                                f == "qapi/machine.json", f"{p.name}: {f}")
        for p in every:
            if p not in base:
                self.assertTrue(any(f.startswith(("target/", "accel/",
                                                  "qapi/", "include/"))
                                    for f in self.touched(p)), p.name)


if __name__ == "__main__":
    unittest.main()
