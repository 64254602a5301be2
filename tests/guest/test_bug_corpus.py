# SPDX-License-Identifier: GPL-2.0-or-later
"""The bug corpus caught in the act: `./contdax bugs` builds each buggy
kernel, and each bug's reproducer shows it under the bug's CPU options,
misses it on plain -cpu max where those options are what shows it, and
runs clean on the fixed kernel."""
import unittest

import contdax_path  # noqa: F401
from contdax import bugs
from contdax_path import REPO
from contdax_run import contdax


class BugsTest(unittest.TestCase):
    def test_every_bug_is_detected_and_every_fix_is_clean(self):
        res = contdax("bugs", timeout=3600)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        rows = {line.split()[0]: line for line in res.stdout.splitlines()
                if line and line.split()[0] in
                {b.name for b in bugs.corpus(REPO)}}
        for bug in bugs.corpus(REPO):
            with self.subTest(bug=bug.name):
                row = rows[bug.name]
                self.assertIn(" detected ", row)
                self.assertIn(bug.detect, row)
                plain = "missed" if bug.needs_options else "detected"
                self.assertRegex(row, rf"\d+s  {plain} +clean ")


if __name__ == "__main__":
    unittest.main()
