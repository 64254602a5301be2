# SPDX-License-Identifier: GPL-2.0-or-later
"""The commands around exec: path, version, qemu, --kernel, clean."""
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from contdax_path import REPO
from contdax_run import contdax


class CommandsTest(unittest.TestCase):
    def path_of(self, what):
        res = contdax("path", what)
        self.assertEqual(res.returncode, 0, res.stderr)
        path = Path(res.stdout.strip())
        self.assertTrue(path.is_file(), path)
        return path

    def test_path_and_qemu(self):
        qemu = self.path_of("qemu")
        self.assertTrue(os.access(qemu, os.X_OK))
        res = contdax("qemu", "--version")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"QEMU emulator version 10\.0\.\d+")
        # the printed path is the binary `contdax qemu` runs
        direct = subprocess.run([qemu, "--version"], capture_output=True,
                                text=True)
        self.assertEqual(direct.stdout, res.stdout)

    def test_version(self):
        res = contdax("version")
        self.assertEqual(res.returncode, 0, res.stderr)
        lines = dict(line.split(": ", 1) for line in res.stdout.splitlines())
        self.assertRegex(lines["qemu-source"], r"^1:10\.0\.\d+\+ds-")
        self.assertRegex(lines["linux-6.12-source"], r"^6\.12\.\d+-")
        self.assertRegex(lines["linux-7.3-source"], r"^7\.3\.\d+-")
        self.assertTrue(lines["contdax"])

    def test_prebuilt_kernel_image(self):
        image = self.path_of("kernel")
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "Image"
            copy.write_bytes(image.read_bytes())
            res = contdax("exec", "--kernel", copy, "--", "uname", "-r")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"^6\.12\.\d+-contdax\n$")

    def test_kernel_src_must_be_a_linux_tree(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "Makefile").write_text(
                "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\n")
            res = contdax("exec", "--kernel-src", tmp, "--", "true")
        self.assertEqual(res.returncode, 1)
        self.assertIn("is not a Linux source tree", res.stderr)
        self.assertNotIn("Traceback", res.stderr)

    def test_clean_removes_only_the_cache(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "contdax" / "kernel").mkdir(parents=True)
            (Path(tmp) / "other").mkdir()
            res = subprocess.run([str(REPO / "contdax"), "clean"],
                                 capture_output=True, text=True,
                                 env=dict(os.environ, XDG_CACHE_HOME=tmp))
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(os.listdir(tmp), ["other"])


if __name__ == "__main__":
    unittest.main()
