# SPDX-License-Identifier: GPL-2.0-or-later
"""--kernel-src: the tree is synced into a work source and patched there,
the user's tree is only read, and the work source follows the tree from
one build to the next."""
import os
import subprocess
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import contdax_path
from contdax import cache, kernel_build, linux_lines, patches, sources
from contdax.ui import ContdaxError, step


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


class PatchedCopyTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        self.src, self.dst = self.tmp / "linux", self.tmp / "copy"
        write(self.src / "mm/gup.c", "one\ntwo\nthree\n")
        write(self.src / "Makefile", "all:\n")
        write(self.src / ".git/HEAD", "ref: refs/heads/main\n")
        a, b = self.tmp / "a", self.tmp / "b"
        write(a / "mm/gup.c", "one\ntwo\nthree\n")
        write(b / "mm/gup.c", "one\n2\nthree\n")
        diff = subprocess.run(["diff", "-ru", "a", "b"], cwd=self.tmp,
                              capture_output=True, text=True).stdout
        self.patch = self.tmp / "0001-two.patch"
        self.patch.write_text(diff)

    def copy(self):
        with step("patched copy", self.tmp / "logs") as s:
            kernel_build.sync_user_tree(s, self.src, self.dst, [self.patch])

    def test_copy_is_patched_and_tree_is_not(self):
        self.copy()
        self.assertEqual((self.dst / "mm/gup.c").read_text(),
                         "one\n2\nthree\n")
        self.assertEqual((self.src / "mm/gup.c").read_text(),
                         "one\ntwo\nthree\n")
        self.assertFalse((self.dst / ".git").exists())

    def test_copy_follows_the_tree(self):
        self.copy()
        write(self.src / "mm/new.c", "new\n")
        (self.src / "Makefile").unlink()
        self.copy()     # the patch applies again over the fresh copy
        self.assertEqual((self.dst / "mm/gup.c").read_text(),
                         "one\n2\nthree\n")
        self.assertTrue((self.dst / "mm/new.c").exists())
        self.assertFalse((self.dst / "Makefile").exists())

    def test_without_patches_the_tree_comes_back(self):
        self.copy()
        with step("plain copy", self.tmp / "logs") as s:
            kernel_build.sync_user_tree(s, self.src, self.dst, [])
        self.assertEqual((self.dst / "mm/gup.c").read_text(),
                         "one\ntwo\nthree\n")

    def test_patch_already_in_the_tree(self):
        write(self.src / "mm/gup.c", "one\n2\nthree\n")
        with self.assertRaises(ContdaxError) as e:
            self.copy()
        self.assertIn("0001-two.patch does not apply: mm/gup.c",
                      str(e.exception))


class VariantTreeTest(unittest.TestCase):
    """A tree with extra patches is hard links to its line's tree, and
    patching it never writes the line's tree."""

    def test_variant_shares_what_it_does_not_patch(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            line = linux_lines.Line("6.12", "linux-source-6.12")
            write(tmp / "repo/guest-kernel-config/patches/6.12/series", "")
            patch = tmp / "0001-two.patch"
            write(patch, "--- a/mm/gup.c\n+++ b/mm/gup.c\n@@ -1,3 +1,3 @@\n"
                  " one\n-two\n+2\n three\n")

            def unpack(s, line, dest):
                write(Path(dest) / "mm/gup.c", "one\ntwo\nthree\n")
                write(Path(dest) / "mm/memory.c", "memory\n")
            with mock.patch.dict(os.environ,
                                 {"XDG_CACHE_HOME": str(tmp / "cache")}), \
                    mock.patch.object(sources, "unpack_linux", unpack), \
                    mock.patch.object(sources, "linux_version",
                                      return_value="6.12.1-1"):
                base, _ = kernel_build.tree(tmp / "repo", line)
                variant, _ = kernel_build.tree(tmp / "repo", line, [patch])
                manifest = (base / cache.MARKER).read_text()
                self.assertEqual((base / "mm/gup.c").read_text(),
                                 "one\ntwo\nthree\n")
                self.assertEqual((variant / "mm/gup.c").read_text(),
                                 "one\n2\nthree\n")
                self.assertEqual((base / "mm/memory.c").stat().st_ino,
                                 (variant / "mm/memory.c").stat().st_ino)
                self.assertNotEqual(
                    (base / cache.MARKER).stat().st_ino,
                    (variant / cache.MARKER).stat().st_ino)
                self.assertIn("patch:0001-two.patch",
                              (variant / cache.MARKER).read_text())
                self.assertEqual((base / cache.MARKER).read_text(), manifest)


class ObjectDirTest(unittest.TestCase):
    """A user's tree configured as the line's own kernels shares their
    objects; any other configuration gets objects of its own."""

    def objs(self, frags=None, series=True, granule="4k"):
        repo = contdax_path.REPO
        line = linux_lines.get("7.3")
        frags = frags or kernel_build.fragments(repo, line=line,
                                                granule=granule)
        own = patches.read_series(line.patch_dir(repo)) if series else []
        return kernel_build._user_objects(repo, line, frags, own, granule)

    def test_the_line_s_own_configuration_shares_its_granule(self):
        self.assertEqual(self.objs(), "4k")
        self.assertEqual(self.objs(granule="16k"), "16k")
        self.assertEqual(self.objs(granule="64k"), "64k")

    def test_other_configurations_have_their_own(self):
        without = self.objs(series=False)
        self.assertRegex(without, r"^user-[0-9a-f]{12}$")
        extra = kernel_build.fragments(contdax_path.REPO,
                                       line=linux_lines.get("7.3"))
        extra = extra + [extra[0]]
        self.assertNotIn(self.objs(frags=extra), ("4k", without))


if __name__ == "__main__":
    unittest.main()
