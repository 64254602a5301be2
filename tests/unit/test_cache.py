# SPDX-License-Identifier: GPL-2.0-or-later
import os
import tempfile
import unittest
from pathlib import Path

import contdax_path  # noqa: F401
from contdax import cache


class CacheTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        old = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = self.tmp.name
        self.addCleanup(lambda: os.environ.__setitem__("XDG_CACHE_HOME", old)
                        if old is not None
                        else os.environ.pop("XDG_CACHE_HOME"))

    def inputs(self, **kw):
        i = cache.Inputs()
        for k, v in kw.items():
            i.add(k, v)
        return i

    def test_root_follows_xdg(self):
        self.assertEqual(cache.root(), Path(self.tmp.name) / "contdax")

    def test_key_depends_on_every_input(self):
        a = self.inputs(src="1", cc="12").key()
        self.assertEqual(a, self.inputs(src="1", cc="12").key())
        self.assertNotEqual(a, self.inputs(src="1", cc="13").key())
        self.assertNotEqual(a, self.inputs(src="2", cc="12").key())

    def test_file_and_tree_inputs(self):
        d = Path(self.tmp.name) / "tree"
        (d / "hw").mkdir(parents=True)
        f = d / "hw" / "x.c"
        f.write_text("a")
        i1 = cache.Inputs()
        i1.add_tree("overlay", d, ["hw", "absent"])
        f.write_text("b")
        i2 = cache.Inputs()
        i2.add_tree("overlay", d, ["hw"])
        self.assertNotEqual(i1.key(), i2.key())
        self.assertIn("overlay:hw/x.c", i1.manifest())

    def test_success_publishes_marker_and_manifest(self):
        e = cache.Entry("thing", self.inputs(v="1"))
        with e.building() as out:
            (out / "artifact").write_text("ok")
        self.assertTrue(e.complete())
        self.assertEqual(e.manifest(), {"v": "1"})
        with e.building() as out:
            self.assertIsNone(out)

    def test_failure_leaves_nothing(self):
        e = cache.Entry("thing", self.inputs(v="2"))
        with self.assertRaises(RuntimeError):
            with e.building() as out:
                (out / "half").write_text("written")
                raise RuntimeError("build failed")
        self.assertFalse(e.complete())
        self.assertFalse(e.path.exists())

    def test_unmarked_directory_is_rebuilt(self):
        e = cache.Entry("thing", self.inputs(v="3"))
        e.path.mkdir(parents=True)
        (e.path / "stale").write_text("from an interrupted build")
        self.assertFalse(e.complete())
        with e.building() as out:
            self.assertIsNotNone(out)
            self.assertEqual(list(out.iterdir()), [])

    def test_orphans_of_killed_builds_are_pruned(self):
        done = cache.Entry("thing", self.inputs(v="done"))
        with done.building() as out:
            (out / "a").write_text("ok")
        orphan = cache.Entry("thing", self.inputs(v="killed"))
        orphan.path.mkdir(parents=True)
        (orphan.path.parent / f"{orphan.key}.lock").touch()
        e = cache.Entry("thing", self.inputs(v="new"))
        with e.building():
            pass
        self.assertFalse(orphan.path.exists())
        self.assertTrue(done.complete())


if __name__ == "__main__":
    unittest.main()
