# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax export-patches`: the series applies with `git am` to a
pristine Debian QEMU source and gives, file for file, the tree contdax
built and ran the qtests on; its MAINTAINERS names every new file; each
patch passes QEMU's checkpatch.pl."""
import filecmp
import fnmatch
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import contdax_path
from contdax import cache, export_patches, qemu_build, sources
from contdax.ui import step

REPO = contdax_path.REPO
GIT_ENV = dict(os.environ, **export_patches.GIT_ENV,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@invalid")


def git(tree, *args):
    return subprocess.run(["git", "-C", str(tree), *args], env=GIT_ENV,
                          capture_output=True, text=True)


class ExportPatchesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.built = qemu_build.build(REPO).path / "src"
        cls.tmp = tempfile.TemporaryDirectory()
        top = Path(cls.tmp.name)
        cls.series = export_patches.export(REPO, top / "series")
        cls.tree = top / "qemu"
        with step("pristine QEMU source for git am", cache.log_dir()) as s:
            sources.unpack_qemu(s, cls.tree)
        for args in (["init", "-q"], ["add", "-A", "-f"],
                     ["commit", "-q", "-m", "pristine"]):
            res = git(cls.tree, *args)
            assert res.returncode == 0, res.stderr
        cls.am = git(cls.tree, "am", *[str(p) for p in cls.series[1:]])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_a_cover_letter_and_one_patch_per_plan_entry(self):
        _, plan = export_patches.load(REPO)
        self.assertEqual(self.series[0].name, "0000-cover-letter.patch")
        self.assertEqual(len(self.series), len(plan) + 1)
        cover = self.series[0].read_text()
        self.assertNotIn("***", cover)
        self.assertIn(sources.qemu_version(), cover)

    def test_applies_with_git_am_and_is_the_tree_that_was_built(self):
        self.assertEqual(self.am.returncode, 0, self.am.stdout +
                         self.am.stderr)
        log = git(self.tree, "log", "--format=%s", "HEAD")
        self.assertEqual(len(log.stdout.splitlines()), len(self.series))
        differ = []
        for path in self.tree.rglob("*"):
            rel = path.relative_to(self.tree)
            if rel.parts[0] == ".git" or rel.name == "MAINTAINERS" or \
                    not path.is_file() or path.is_symlink():
                continue
            if not filecmp.cmp(path, self.built / rel, shallow=False):
                differ.append(str(rel))
        self.assertEqual(differ, [])
        for rel in export_patches.overlay_files(REPO):
            self.assertTrue((self.tree / rel).is_file(), rel)

    def test_maintainers_names_every_new_file(self):
        _, plan = export_patches.load(REPO)
        ours = {m["section"] for p in plan for m in p.maintainers}
        blocks = (self.tree / "MAINTAINERS").read_text().split("\n\n")
        patterns = [ln[3:] for b in blocks if b.split("\n", 1)[0] in ours
                    for ln in b.splitlines() if ln.startswith("F: ")]
        for rel in export_patches.overlay_files(REPO):
            self.assertTrue(any(fnmatch.fnmatch(rel, p) for p in patterns),
                            rel)

    def test_each_patch_passes_checkpatch(self):
        script = self.built / "scripts/checkpatch.pl"
        for patch in self.series[1:]:
            res = subprocess.run(["perl", str(script), "--no-tree",
                                  str(patch)], capture_output=True,
                                 text=True)
            self.assertEqual(res.returncode, 0,
                             f"{patch.name}\n{res.stdout}{res.stderr}")
            self.assertIn("total: 0 errors, 0 warnings", res.stdout,
                          patch.name)


if __name__ == "__main__":
    unittest.main()
