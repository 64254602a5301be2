# SPDX-License-Identifier: GPL-2.0-or-later
"""16K and 64K page guests (`--granule`), and the contpte model on each.

4K is every other guest test's default.  With 16K pages Linux's contpte
blocks are 128 x 16K and with 64K pages 32 x 64K (both 2M), so the model's
other group geometries are exercised by a real kernel here.

nvdimm-dax is shown on both as on 4K: the dax device has the asked
alignment and a PMD-sized one is mapped one PMD per fault, under the
strict model.
"""
import tempfile
import unittest
from pathlib import Path

import contdax_path  # noqa: F401
from contdax.workloads import compound, records
from contdax_run import contdax
from test_contpte import assert_steps_pass, counters, guest_facts

PAGE_SIZES = {"16k": 16384, "64k": 65536}
# each granule's dax alignments: a page, and a PMD (Linux's 32M and 512M)
DAX_ALIGNS = {"16k": {"16K": 16 << 10, "32M": 32 << 20},
              "64k": {"64K": 64 << 10, "512M": 512 << 20}}


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
                assert_steps_pass(self, res.stdout, ("mthp-stress",))
                facts = guest_facts(res.stdout)
                self.assertEqual(facts["mthp_kb"], "2048")
                faults = int(facts["mthp_faults"])
                self.assertGreater(faults, 0, "no 2M mTHP was allocated")
                _, c = counters(res.stderr)
                self.assertGreater(c["contiguous"], 0)
                self.assertGreater(c["hits"], 0)
                self.assertEqual(c["violations"], 0, res.stderr)
                self.assertEqual(c["aborts"], 0, res.stderr)

    def test_nvdimm_dax(self):
        for granule, aligns in DAX_ALIGNS.items():
            for align, size in aligns.items():
                with self.subTest(granule=granule, align=align), \
                        tempfile.TemporaryDirectory() as tmp:
                    mib = max(size >> 20, 64)
                    res = contdax(
                        "exec", "--granule", granule, "--nvdimm", "1G",
                        "--align", align, "--memmap", "ram",
                        "--nvdimm-file", Path(tmp) / "pmem.img",
                        "--contpte", "strict", "--", "sh", "-c",
                        "cat /sys/bus/dax/devices/dax0.0/align; "
                        f"daxmap -m {mib} -w 1 && daxmap -m {mib} -c 1",
                        timeout=900)
                    self.assertEqual(res.returncode, 0,
                                     res.stdout + res.stderr)
                    lines = res.stdout.splitlines()
                    self.assertEqual(lines[0], str(size))
                    facts = dict(x.split("=", 1) for x in lines if "=" in x)
                    # one fault per leaf: a page, or a whole PMD
                    self.assertEqual(int(facts["pages_per_fault"]),
                                     size // 4096, res.stdout)
                    self.assertEqual(facts["mismatched_words"], "0")
                    self.assertIn("violations 0", res.stderr)

    def test_compound_devmap_vmemmap_dedup(self):
        # with a PMD align, compound pages need 8 vmemmap pages per folio
        # on 16K and 64K too: deduplicated to 2
        for granule, aligns in DAX_ALIGNS.items():
            align, size = list(aligns.items())[1]
            with self.subTest(granule=granule), \
                    tempfile.TemporaryDirectory() as tmp:
                res = contdax(
                    "exec", "--granule", granule, "--nvdimm", "1G",
                    "--align", align, "--memmap", "ram",
                    "--nvdimm-file", Path(tmp) / "pmem.img", "--",
                    "daxcompound.sh", str(max(size >> 20, 64)), "1",
                    timeout=900)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                facts, times, events = records.dax_boot(res.stdout)
                self.assertEqual(compound.problems(
                    "ram", facts, times, events, rounds=1), [])
                self.assertEqual(compound.binds(events, 0)[0]
                                 ["memmap_pages"],
                                 4 * compound.binds(events, 1)[0]
                                 ["memmap_pages"])
