# SPDX-License-Identifier: GPL-2.0-or-later
"""16K and 64K page guests (`--granule`), and the contpte model on each.

4K is every other guest test's default.  With 16K pages Linux's contpte
blocks are 128 x 16K and with 64K pages 32 x 64K (both 2M), so the model's
other group geometries are exercised by a real kernel here.
"""
import re
import unittest

from contdax_run import contdax
from test_contpte import counters

PAGE_SIZES = {"16k": 16384, "64k": 65536}


class GranuleTest(unittest.TestCase):
    def test_page_size(self):
        for granule, size in PAGE_SIZES.items():
            with self.subTest(granule=granule):
                res = contdax("exec", "--granule", granule, "--",
                              "getconf", "PAGESIZE", timeout=1800)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stdout, f"{size}\n")

    def test_contpte_strict_under_mthp_stress(self):
        for granule in PAGE_SIZES:
            with self.subTest(granule=granule):
                res = contdax("exec", "--granule", granule, "--contpte",
                              "strict", "--", "contpte-workload.sh",
                              "stress", "-s", "8", "-i", "60",
                              timeout=1800)
                self.assertEqual(res.returncode, 0,
                                 res.stdout + res.stderr)
                self.assertIn("mismatches 0", res.stdout)
                self.assertIn("mthp_kb=2048", res.stdout)
                faults = int(re.search(r"mthp_faults=(\d+)", res.stdout)[1])
                self.assertGreater(faults, 0, "no 2M mTHP was allocated")
                _, c = counters(res.stderr)
                self.assertGreater(c["contiguous"], 0)
                self.assertGreater(c["hits"], 0)
                self.assertEqual(c["violations"], 0, res.stderr)
                self.assertEqual(c["aborts"], 0, res.stderr)
