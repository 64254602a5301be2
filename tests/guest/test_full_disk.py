# SPDX-License-Identifier: GPL-2.0-or-later
"""A file system that fills up during a build: one line of error naming
where, exit 1, no traceback, and nothing cached that a later run would
trust.  The initramfs entries get a 4 MiB tmpfs of their own (mount
needs root, which contdax's set-up needs anyway)."""
import os
import subprocess
import unittest

from contdax_path import REPO
from contdax import cache


@unittest.skipUnless(os.geteuid() == 0, "mounting a small tmpfs needs root")
class FullDiskTest(unittest.TestCase):
    def test_initramfs_build_on_a_full_file_system(self):
        top = cache.root() / "initramfs"
        top.mkdir(parents=True, exist_ok=True)
        mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m",
                                "tmpfs", top], capture_output=True, text=True)
        if mount.returncode:
            self.skipTest(f"cannot mount a tmpfs here: {mount.stderr}")
        try:
            res = subprocess.run([str(REPO / "contdax"), "path",
                                  "initramfs"], capture_output=True,
                                 text=True, stdin=subprocess.DEVNULL,
                                 timeout=600)
            leftovers = [p for p in top.iterdir() if p.is_dir()]
        finally:
            subprocess.run(["umount", top], check=True)
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertNotIn("Traceback", res.stderr)
        errors = [line for line in res.stderr.splitlines()
                  if line.startswith("contdax: error:")]
        self.assertEqual(len(errors), 1, res.stderr)
        self.assertIn(f"initramfs: the file system of {top}/", errors[0])
        self.assertIn("is full", errors[0])
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    unittest.main()
