# SPDX-License-Identifier: GPL-2.0-or-later
"""guest/forkbench (the workload of "mm: Batch-copy PTE ranges during
fork()"): what must hold, not how fast.  For every mTHP size the memory
really came as that size and the child of fork() sees the parent's
data."""
import unittest

import contdax_path  # noqa: F401
from contdax.workloads import records
from contdax_run import contdax

SIZES_KB = (4, 16, 32, 64, 128, 256, 512, 1024, 2048)


class ForkbenchTest(unittest.TestCase):
    def test_every_size_is_allocated_and_forks_correctly(self):
        res = contdax("exec", "--", "forkbench", "-s", "16", "-r", "2",
                      *map(str, SIZES_KB), timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        rows = {r["size_kb"]: r for r in
                records.of(records.parse(res.stdout), "fork")}
        self.assertEqual(sorted(rows), list(SIZES_KB), res.stdout)
        for kb, r in rows.items():
            with self.subTest(size_kb=kb):
                self.assertEqual(r["child_ok"], 1)
                self.assertEqual(r["repeats"], 2)
                folios = (16 << 10) // kb
                if kb == 4:
                    self.assertEqual(r["mthp_allocs"], 0)
                else:
                    # the 16 MiB came as this size (a fallback or two to
                    # smaller folios is allowed, not more)
                    self.assertGreaterEqual(r["mthp_allocs"],
                                            folios * 9 // 10)
                    self.assertLessEqual(r["mthp_allocs"], folios)
                self.assertLessEqual(r["min"], r["fork_us"])
                self.assertLessEqual(r["fork_us"], r["max"])

    def test_bad_size_is_refused(self):
        res = contdax("exec", "--", "forkbench", "24")
        self.assertEqual(res.returncode, 2, res.stdout + res.stderr)
        self.assertIn("no mTHP size 24kB", res.stderr)
