# SPDX-License-Identifier: GPL-2.0-or-later
import errno
import fcntl
import os
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

import contdax_path  # noqa: F401
from contdax import cache


class CacheCase(unittest.TestCase):
    """A cache of its own under a temporary XDG_CACHE_HOME."""

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


class CacheTest(CacheCase):
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

    def test_changed_names_edited_added_and_removed_files(self):
        d = Path(self.tmp.name) / "tree"
        (d / "hw").mkdir(parents=True)
        (d / "hw" / "x.c").write_text("a")
        (d / "hw" / "gone.c").write_text("a")
        patch = d / "0001.patch"
        patch.write_text("p")
        i = cache.Inputs()
        i.add("version", "1")
        i.add_file("patch:0001.patch", patch)
        i.add_tree("overlay", d, ["hw"])
        self.assertEqual(i.changed(), [])
        (d / "hw" / "x.c").write_text("b")
        (d / "hw" / "new.c").write_text("c")
        (d / "hw" / "gone.c").unlink()
        patch.unlink()
        self.assertEqual(i.changed(), ["overlay:hw/gone.c", "overlay:hw/new.c",
                                       "overlay:hw/x.c", "patch:0001.patch"])

    def test_inputs_edited_during_the_build_are_not_cached(self):
        f = Path(self.tmp.name) / "input.c"
        f.write_text("before")
        i = cache.Inputs()
        i.add_file("overlay:input.c", f)
        e = cache.Entry("thing", i)
        with self.assertRaisesRegex(cache.ContdaxError,
                                    "thing: overlay:input.c changed during"):
            with e.building() as out:
                (out / "artifact").write_text(f.read_text())
                f.write_text("after")
        self.assertFalse(e.complete())
        self.assertFalse(e.path.exists())

    def test_a_full_file_system_is_one_line_naming_the_entry(self):
        e = cache.Entry("thing", self.inputs(v="full"))
        with self.assertRaisesRegex(cache.ContdaxError,
                                    f"thing: the file system of {e.path} "
                                    r"is full \(No space left on device\)"):
            with e.building() as out:
                (out / "half").write_text("written")
                raise OSError(errno.ENOSPC, "No space left on device")
        self.assertFalse(e.path.exists())

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


class PruneTest(CacheCase):
    """Old entries go, by last use, unless some process uses them."""

    def setUp(self):
        super().setUp()
        patcher = mock.patch.dict(cache.KEEP, {"thing": 2})
        patcher.start()
        self.addCleanup(patcher.stop)

    def old_entry(self, v, age):
        """A complete entry no process of ours holds, last used age s ago."""
        e = cache.Entry("thing", self.inputs(v=v))
        e.path.mkdir(parents=True)
        (e.path / cache.MARKER).write_text("{}")
        when = time.time() - age
        os.utime(e.path / cache.MARKER, (when, when))
        return e

    def test_keeps_the_most_recently_used(self):
        a, b, c = (self.old_entry(v, age) for v, age in
                   (("a", 300), ("b", 100), ("c", 200)))
        self.assertEqual(cache.prune("thing"), [a.path])
        self.assertTrue(b.complete() and c.complete())
        self.assertEqual(cache.prune("thing"), [])

    def test_use_refreshes_last_use(self):
        a, b, c = (self.old_entry(v, age) for v, age in
                   (("a", 300), ("b", 200), ("c", 100)))
        with a.building() as out:
            self.assertIsNone(out)
        # a is held by this process now, so take its lock back to see the
        # order the prune goes by
        cache._in_use.pop().close()
        self.assertEqual(cache.prune("thing"), [b.path])

    def test_entries_in_use_or_being_built_stay(self):
        a, b, c = (self.old_entry(v, age) for v, age in
                   (("a", 400), ("b", 300), ("c", 100)))
        d = self.old_entry("d", 50)
        # another process: a shared use lock on a, a build lock on b
        with open(a.path.parent / f"{a.key}.use", "w") as use, \
                open(b.path.parent / f"{b.key}.lock", "w") as build:
            fcntl.flock(use, fcntl.LOCK_SH)
            fcntl.flock(build, fcntl.LOCK_EX)
            self.assertEqual(cache.prune("thing"), [])
        self.assertTrue(all(e.complete() for e in (a, b, c, d)))
        self.assertEqual(cache.prune("thing"), [a.path, b.path])

    def test_a_new_build_prunes_its_kind(self):
        old = [self.old_entry(v, age) for v, age in (("a", 300), ("b", 200))]
        new = cache.Entry("thing", self.inputs(v="new"))
        with new.building() as out:
            (out / "artifact").write_text("ok")
        self.assertFalse(old[0].path.exists())
        self.assertTrue(old[1].complete() and new.complete())
        other = cache.Entry("other", self.inputs(v="x"))
        other.path.mkdir(parents=True)
        (other.path / cache.MARKER).write_text("{}")
        self.assertEqual(cache.prune("other"), [])


if __name__ == "__main__":
    unittest.main()
