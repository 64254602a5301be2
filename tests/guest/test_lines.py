# SPDX-License-Identifier: GPL-2.0-or-later
"""Both kernel lines, every flavour: `--linux 6.12|7.3` on each granule and
on ACPI boot, the contpte model under 7.3's own contpte code, and a user's
7.3 tree with and without the project's patches.

The default line (6.12) is every other guest test's; what this file adds is
7.3 beside it, booted the same way.
"""
import json
import re
import tempfile
import unittest
from pathlib import Path

import contdax_path  # noqa: F401
from contdax import linux_lines, sources
from contdax.workloads import compound, dedup, records
from contdax.ui import step
from contdax_run import contdax
from test_contpte import assert_steps_pass, counters, guest_facts

PAGE_SIZES = {"4k": 4096, "16k": 16384, "64k": 65536}


class LinesTest(unittest.TestCase):
    def test_uname_on_every_line_and_granule(self):
        for name in linux_lines.LINES:
            for granule, size in PAGE_SIZES.items():
                with self.subTest(line=name, granule=granule):
                    res = contdax("exec", "--linux", name, "--granule",
                                  granule, "--", "sh", "-c",
                                  "uname -r; getconf PAGESIZE")
                    self.assertEqual(res.returncode, 0, res.stderr)
                    release, page = res.stdout.splitlines()
                    self.assertRegex(release, rf"^{re.escape(name)}\.\d+"
                                     r"-contdax$")
                    self.assertEqual(int(page), size)

    def test_ndctl_lists_the_namespace_on_7_3(self):
        # Debian's ndctl reads 7.3's sysfs as it reads 6.12's
        res = contdax("exec", "--linux", "7.3", "--nvdimm", "1G", "--",
                      "ndctl", "list", "-N", timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        ns = json.loads(res.stdout)
        self.assertEqual([(n["dev"], n["mode"], n["map"], n["align"])
                          for n in ns],
                         [("namespace0.0", "devdax", "dev", 2 << 20)])

    def test_acpi_boot_finds_the_nvdimm_on_7_3(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = contdax("exec", "--linux", "7.3", "--boot", "acpi",
                          "--nvdimm", "1G", "--memmap", "ram",
                          "--nvdimm-file", Path(tmp) / "pmem.img", "--",
                          "sh", "-c", "uname -r; ls /sys/firmware/acpi/"
                          "tables | grep -c NFIT; cat /sys/bus/dax/devices/"
                          "dax0.0/align; daxmap -m 64 -w 1 && daxmap -m 64 "
                          "-c 1", timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        lines = res.stdout.splitlines()
        self.assertRegex(lines[0], r"^7\.3\.\d+-contdax$")
        self.assertEqual(lines[1], "1")
        self.assertEqual(lines[2], str(2 << 20))
        facts = dict(x.split("=", 1) for x in lines if "=" in x)
        self.assertEqual(int(facts["pages_per_fault"]), 512, res.stdout)
        self.assertEqual(facts["mismatched_words"], "0")

    def test_acpi_boot_on_16k_and_64k(self):
        """Every kernel boots by UEFI and ACPI too (4K: the test above and
        test_nvdimm_dax): the NFIT describes the nvdimm and the namespace
        has the granule's PMD alignment."""
        pmd = {"16k": 32 << 20, "64k": 512 << 20}
        for name in linux_lines.LINES:
            for granule in pmd:
                with self.subTest(line=name, granule=granule), \
                        tempfile.TemporaryDirectory() as tmp:
                    res = contdax(
                        "exec", "--linux", name, "--granule", granule,
                        "--boot", "acpi", "--nvdimm", "1G", "--nvdimm-file",
                        Path(tmp) / "pmem.img", "--", "sh", "-c",
                        "getconf PAGESIZE; ls /sys/firmware/acpi/tables | "
                        "grep -c NFIT; cat /sys/bus/dax/devices/dax0.0/"
                        "align", timeout=900)
                    self.assertEqual(res.returncode, 0,
                                     res.stdout + res.stderr)
                    self.assertEqual(res.stdout.split(),
                                     [str(PAGE_SIZES[granule]), "1",
                                      str(pmd[granule])])

    def test_7_3_dax_vmemmap_is_deduplicated(self):
        """The 7.3 series' arm64 DAX vmemmap patch: a 2M-aligned namespace
        with memmap=ram costs a quarter of the struct pages, read from the
        kernel's own vmstat around a rebind."""
        with tempfile.TemporaryDirectory() as tmp:
            res = contdax("exec", "--linux", "7.3", "--nvdimm", "1G",
                          "--memmap", "ram", "--nvdimm-file",
                          Path(tmp) / "pmem.img", "--", "sh", "-c",
                          "zcat /proc/config.gz | grep "
                          "ARCH_WANT_OPTIMIZE_DAX_VMEMMAP=; "
                          "dax-facts.sh && dax-rebind.sh", timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("CONFIG_ARCH_WANT_OPTIMIZE_DAX_VMEMMAP=y", res.stdout)
        facts, _, events = records.dax_boot(res.stdout)
        took = compound.binds(events, 1)
        self.assertEqual(len(took), 1, res.stdout)
        # 2 vmemmap pages per 2M folio: a quarter of the full array
        self.assertEqual(took[0]["memmap_pages"],
                         compound.expected_memmap_pages(facts, 1))
        self.assertEqual(4 * took[0]["memmap_pages"],
                         compound.expected_memmap_pages(facts, 0))

    def test_dax_vmemmap_off_at_boot_costs_the_full_array(self):
        """dax_vmemmap_optimize=off, `run`'s before for the DAX vmemmap
        patch, takes the path of a kernel without it: the full struct
        page array for a 2M-aligned memmap=ram namespace, on both
        lines."""
        for line in linux_lines.LINES:
            with self.subTest(line=line), \
                    tempfile.TemporaryDirectory() as tmp:
                res = contdax("exec", "--linux", line, "--nvdimm", "1G",
                              "--memmap", "ram", "--kernel-arg",
                              dedup.OFF, "--nvdimm-file",
                              Path(tmp) / "pmem.img", "--", "sh", "-c",
                              "cat /proc/cmdline; "
                              "dax-facts.sh && dax-rebind.sh", timeout=900)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                self.assertIn(f" {dedup.OFF} ", res.stdout)
                facts, _, events = records.dax_boot(res.stdout)
                took = compound.binds(events, 1)
                self.assertEqual(len(took), 1, res.stdout)
                self.assertEqual(took[0]["memmap_pages"],
                                 compound.expected_memmap_pages(facts, 0))

    def test_strict_model_under_7_3_contpte_code(self):
        """At BBM level 2 (-cpu max) and at FEAT_BBML3, where 7.3 leaves
        out contpte_convert()'s TLBI: no violation either way."""
        for bbm in (2, 3):
            with self.subTest(bbm=bbm):
                self.strict_workload(bbm)

    def strict_workload(self, bbm):
        res = contdax("exec", "--linux", "7.3", "--cpu", f"max,bbm={bbm}",
                      "--contpte", "strict", "--", "sh", "-c",
                      "dmesg | grep -c 'detected: BBM Level 3'; "
                      "contpte-workload.sh all -s 8 -i 120", timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stdout.splitlines()[0],
                         "1" if bbm == 3 else "0")
        assert_steps_pass(self, res.stdout)
        self.assertGreater(int(guest_facts(res.stdout)["mthp_faults"]), 0)
        _, c = counters(res.stderr)
        self.assertGreater(c["contiguous"], 0)
        self.assertEqual(c["violations"], 0, res.stderr)
        self.assertEqual(c["aborts"], 0, res.stderr)


class UserTreeTest(unittest.TestCase):
    """A real 7.3 tree as a kernel developer has it: Debian's unpacked
    source, built by --kernel-src and booted, with and without the
    project's patches.  The tree itself is never written."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.tree = Path(cls.tmp.name) / "linux-7.3"
        with step("unpack a 7.3 tree for --kernel-src", Path(cls.tmp.name)) \
                as s:
            sources.unpack_linux(s, linux_lines.get("7.3"), cls.tree)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def boot(self, *extra):
        return contdax("exec", "--kernel-src", self.tree, *extra, "--",
                       "sh", "-c", "uname -r; zcat /proc/config.gz | grep "
                       "-c ARCH_WANT_OPTIMIZE_DAX_VMEMMAP=y || true",
                       timeout=1800)

    def test_with_and_without_project_patches(self):
        # each patch set keeps objects of its own, so after the first
        # run neither build recompiles more than the files that differ
        kconfig = (self.tree / "arch/arm64/Kconfig").read_text()
        for flags, selected in ((["--project-patches"], "1"), ([], "0")):
            with self.subTest(flags=flags):
                res = self.boot(*flags)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                lines = res.stdout.splitlines()
                self.assertRegex(lines[0], r"^7\.3\.\d+-contdax$")
                self.assertEqual(lines[1], selected)
        self.assertEqual((self.tree / "arch/arm64/Kconfig").read_text(),
                         kconfig)


if __name__ == "__main__":
    unittest.main()
