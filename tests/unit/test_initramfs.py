# SPDX-License-Identifier: GPL-2.0-or-later
import gzip
import subprocess
import tempfile
import unittest
from pathlib import Path

import contdax_path  # noqa: F401
from contdax import initramfs


class CpioTest(unittest.TestCase):
    def test_cpio_tool_reads_our_archive(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "a.cpio.gz"
            c = initramfs.Cpio(path)
            c.dir("bin")
            c.chardev("dev/console", 5, 1)
            c.file("bin/odd", b"x" * 5)
            c.file("init", b"#!/bin/sh\n", mode=0o755)
            c.close()
            raw = gzip.decompress(path.read_bytes())
            listing = subprocess.run(["cpio", "-itv", "--quiet"], input=raw,
                                     capture_output=True, check=True)
            lines = listing.stdout.decode().splitlines()
            names = [line.split()[-1] for line in lines]
            self.assertEqual(names, ["bin", "dev/console", "bin/odd", "init"])
            self.assertTrue(lines[1].startswith("crw-------"))
            self.assertIn("5,", lines[1])
            self.assertTrue(lines[3].startswith("-rwxr-xr-x"))
            out = Path(tmp) / "x"
            out.mkdir()
            subprocess.run(["cpio", "-id", "--quiet", "bin/odd", "init"],
                           input=raw, cwd=out, check=True)
            self.assertEqual((out / "bin/odd").read_bytes(), b"xxxxx")
            self.assertEqual((out / "init").read_bytes(), b"#!/bin/sh\n")


if __name__ == "__main__":
    unittest.main()
