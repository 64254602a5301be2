# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel lines: each has its package, patch series and selftest helpers;
a user's tree is placed on a line by its Makefile; the work source of the
incremental kernel build rewrites only what changed."""
import os
import tempfile
import time
import unittest
from pathlib import Path

import contdax_path
from contdax import kernel_build, linux_lines, patches
from contdax.workloads import dedup
from contdax.ui import ContdaxError, UsageError, step

REPO = contdax_path.REPO


def makefile(path, version, patchlevel):
    path.mkdir(parents=True, exist_ok=True)
    (path / "Makefile").write_text(
        f"# SPDX-License-Identifier: GPL-2.0\nVERSION = {version}\n"
        f"PATCHLEVEL = {patchlevel}\nSUBLEVEL = 4\nEXTRAVERSION =\n")


class LinesTest(unittest.TestCase):
    def test_every_line_has_a_package_and_a_series(self):
        self.assertIn(linux_lines.DEFAULT, linux_lines.LINES)
        for name, line in linux_lines.LINES.items():
            with self.subTest(line=name):
                self.assertEqual(line.package, f"linux-source-{name}")
                series = patches.read_series(line.patch_dir(REPO))
                self.assertTrue(series, f"no patches for {name}")

    def test_each_line_can_turn_the_dax_vmemmap_patch_off_at_boot(self):
        for line in linux_lines.LINES.values():
            with self.subTest(line=line.name):
                names = [p.name for p in patches.read_series(
                    line.patch_dir(REPO))]
                select = [n for n in names if n.endswith(
                    "-arm64-select-ARCH_WANT_OPTIMIZE_DAX_VMEMMAP.patch")]
                switch = [n for n in names if n.endswith(
                    dedup.SWITCH_PATCH_SUFFIX)]
                self.assertTrue(dedup.has_switch(REPO, line))
                self.assertEqual(len(select), 1)
                self.assertEqual(len(switch), 1)
                # the switch is read where the select makes it exist
                self.assertLess(names.index(select[0]),
                                names.index(switch[0]))

    def test_unknown_line_names_the_known_ones(self):
        with self.assertRaises(UsageError) as cm:
            linux_lines.get("6.6")
        msg = str(cm.exception)
        self.assertEqual(cm.exception.exit_code, 2)
        self.assertIn("--linux 6.6", msg)
        self.assertIn("6.12, 7.3", msg)

    def test_tree_line_from_makefile(self):
        with tempfile.TemporaryDirectory() as tmp:
            makefile(Path(tmp), 7, 3)
            self.assertEqual(linux_lines.of_tree(tmp).name, "7.3")
            makefile(Path(tmp), 6, 12)
            self.assertEqual(linux_lines.of_tree(tmp).name, "6.12")

    def test_tree_of_no_line_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "Makefile").write_text("all:\n")
            with self.assertRaisesRegex(UsageError, "cannot tell its kernel "
                                        "line"):
                linux_lines.of_tree(tmp)
            makefile(Path(tmp), 5, 10)
            with self.assertRaisesRegex(UsageError, "Linux 5.10 is not a "
                                        "line contdax knows"):
                linux_lines.of_tree(tmp)

    def test_line_fragments_only_for_their_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp)
            top = repo / "guest-kernel-config"
            (top / "linux-7.3").mkdir(parents=True)
            (top / "base.config").write_text("CONFIG_SMP=y\n")
            (top / "linux-7.3/x.config").write_text("CONFIG_X=y\n")
            names = [f.name for f in kernel_build.fragments(
                repo, line=linux_lines.get("7.3"))]
            self.assertEqual(names, ["base.config", "x.config"])
            names = [f.name for f in kernel_build.fragments(
                repo, line=linux_lines.get("6.12"))]
            self.assertEqual(names, ["base.config"])


class SyncSourceTest(unittest.TestCase):
    """What make sees after a sync: only changed files are newer."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        self.src = self.tmp / "work/src"
        self.src.parent.mkdir()

    def tree(self, name, files):
        top = self.tmp / name
        for rel, text in files.items():
            (top / rel).parent.mkdir(parents=True, exist_ok=True)
            (top / rel).write_text(text)
        return top

    def sync(self, top, key):
        with step("sync", self.tmp / "logs") as s:
            kernel_build.sync_source(s, top, key, self.src)

    def test_only_changed_files_are_rewritten(self):
        base = self.tree("base", {"mm/a.c": "a\n", "mm/b.c": "b\n",
                                  "old.c": "x\n"})
        variant = self.tree("variant", {"mm/a.c": "a\n", "mm/b.c": "B\n"})
        self.sync(base, "k1")
        past = time.time() - 1000
        for p in self.src.rglob("*.c"):
            os.utime(p, (past, past))
        self.sync(variant, "k2")
        self.assertEqual((self.src / "mm/b.c").read_text(), "B\n")
        self.assertFalse((self.src / "old.c").exists())
        self.assertLess((self.src / "mm/a.c").stat().st_mtime, past + 1)
        self.assertGreater((self.src / "mm/b.c").stat().st_mtime, past + 1)

    def test_going_back_is_newer_too(self):
        """Back to the base after a variant, the file is rewritten with a
        new mtime, never the base's older one: make must see it."""
        base = self.tree("base", {"mm/b.c": "b\n"})
        variant = self.tree("variant", {"mm/b.c": "B\n"})
        self.sync(base, "k1")
        self.sync(variant, "k2")
        after_variant = (self.src / "mm/b.c").stat().st_mtime_ns
        past = time.time() - 1000
        os.utime(base / "mm/b.c", (past, past))
        self.sync(base, "k1")
        self.assertEqual((self.src / "mm/b.c").read_text(), "b\n")
        self.assertGreaterEqual((self.src / "mm/b.c").stat().st_mtime_ns,
                                after_variant)

    def test_same_tree_is_not_read_again(self):
        base = self.tree("base", {"a.c": "a\n"})
        self.sync(base, "k1")
        (self.src / "a.c").write_text("changed by hand\n")
        self.sync(base, "k1")   # the stamp says it is in sync
        self.assertEqual((self.src / "a.c").read_text(), "changed by hand\n")
        self.sync(base, "k2")
        self.assertEqual((self.src / "a.c").read_text(), "a\n")


class WorkdirTest(unittest.TestCase):
    def test_interrupted_build_wipes_the_objects(self):
        with tempfile.TemporaryDirectory() as tmp:
            old = os.environ.get("XDG_CACHE_HOME")
            os.environ["XDG_CACHE_HOME"] = tmp
            try:
                line = linux_lines.get("7.3")
                with self.assertRaises(RuntimeError):
                    with kernel_build.workdir(line.name, "4k") as (_, obj):
                        (obj / "mm.o").write_text("half")
                        raise RuntimeError("killed")
                with kernel_build.workdir(line.name, "4k") as (_, obj):
                    self.assertFalse((obj / "mm.o").exists())
                    (obj / "mm.o").write_text("whole")
                with kernel_build.workdir(line.name, "4k") as (_, obj):
                    self.assertTrue((obj / "mm.o").exists())
                # a build that failed cleanly (a bad fragment, a compile
                # error) keeps the objects make finished
                with self.assertRaises(ContdaxError):
                    with kernel_build.workdir(line.name, "4k") as (_, obj):
                        raise ContdaxError("make exited with status 2")
                with kernel_build.workdir(line.name, "4k") as (_, obj):
                    self.assertTrue((obj / "mm.o").exists())
                # what no kernel builds any more goes; a user tree's stays
                top = obj.parent
                for name in ("obj-4k-acpi", "obj-user-0123456789ab"):
                    (top / name).mkdir()
                with kernel_build.workdir(line.name, "16k"):
                    pass
                self.assertEqual(sorted(p.name for p in top.glob("obj-*")),
                                 ["obj-16k", "obj-4k",
                                  "obj-user-0123456789ab"])
            finally:
                if old is None:
                    del os.environ["XDG_CACHE_HOME"]
                else:
                    os.environ["XDG_CACHE_HOME"] = old


if __name__ == "__main__":
    unittest.main()
