# SPDX-License-Identifier: GPL-2.0-or-later
"""guest/forkbench (the workload of "mm: Batch-copy PTE ranges during
fork()"): what must hold, not how fast.  For every mTHP size the memory
really came as that size and the child of fork() sees the parent's
data."""
import re
import unittest

from contdax_run import contdax

SIZES_KB = (4, 16, 32, 64, 128, 256, 512, 1024, 2048)
LINE = re.compile(r"^forkbench size_kb=(\d+) repeats=(\d+) fork_us=(\d+) "
                  r"min=(\d+) max=(\d+) munmap_us=(\d+) mthp_allocs=(\d+) "
                  r"child_ok=(\d)$", re.M)


class ForkbenchTest(unittest.TestCase):
    def test_every_size_is_allocated_and_forks_correctly(self):
        res = contdax("exec", "--", "forkbench", "-s", "16", "-r", "2",
                      *map(str, SIZES_KB), timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        rows = {int(m[1]): m for m in LINE.finditer(res.stdout)}
        self.assertEqual(sorted(rows), list(SIZES_KB), res.stdout)
        for kb, m in rows.items():
            with self.subTest(size_kb=kb):
                self.assertEqual(m[8], "1")
                folios = (16 << 10) // kb
                if kb == 4:
                    self.assertEqual(int(m[7]), 0)
                else:
                    # the 16 MiB came as this size (a fallback or two to
                    # smaller folios is allowed, not more)
                    self.assertGreaterEqual(int(m[7]), folios * 9 // 10)
                    self.assertLessEqual(int(m[7]), folios)
                self.assertLessEqual(int(m[4]), int(m[3]))
                self.assertLessEqual(int(m[3]), int(m[5]))

    def test_bad_size_is_refused(self):
        res = contdax("exec", "--", "forkbench", "24")
        self.assertEqual(res.returncode, 2, res.stdout + res.stderr)
        self.assertIn("no mTHP size 24kB", res.stderr)
