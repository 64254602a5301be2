# SPDX-License-Identifier: GPL-2.0-or-later
"""nvdimm-dax seen from a Linux 6.12 guest: the dax device has the asked
alignment, 2M alignment gives PMD mappings, data survives a restart,
Debian's ndctl and daxctl list what nvdimm-dax formatted, daxctl onlines
it as system RAM (device tree and ACPI boot), and the info
block nvdimm-dax writes is, field by field and byte for byte, the one
ndctl create-namespace has the guest kernel write for the same
namespace."""
import json
import os
import subprocess
import tempfile
import unittest
import uuid
from pathlib import Path

import contdax_path
from contdax import suites
from contdax.workloads import compound, daxgup, records
from contdax_run import contdax

SIZE = "1G"
ALIGNS = {"4K": 4096, "2M": 2 << 20}
INFO_OFFSET, INFO_SIZE = 4096, 4096


def facts(text):
    return dict(line.split("=", 1) for line in text.splitlines()
                if "=" in line)


class NvdimmDaxGuestTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.file = Path(self.tmp.name) / "pmem.img"

    def run_guest(self, *cmd, align="2M", memmap="dev", boot="dt",
                  nvdimm_format=None, linux=None):
        args = ["exec", "--nvdimm", SIZE, "--align", align, "--memmap",
                memmap, "--boot", boot, "--nvdimm-file", self.file]
        if linux:
            args += ["--linux", linux]
        if nvdimm_format:
            args += ["--nvdimm-format", nvdimm_format]
        res = contdax(*args, "--", *cmd)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        return res.stdout

    def block(self):
        with open(self.file, "rb") as f:
            f.seek(INFO_OFFSET)
            return f.read(INFO_SIZE)

    def decoded(self, block=None):
        """The info block's fields, as nvdimm-dax-info show reads them:
        of the backing file, or of block."""
        path = self.file
        if block is not None:
            path = Path(self.tmp.name) / "block.img"
            path.write_bytes(bytes(INFO_OFFSET) + block)
            os.truncate(path, 1 << 30)      # sparse, the namespace's size
        tool = suites.unit_build(contdax_path.REPO) / "nvdimm-dax-info"
        out = subprocess.run([tool, "show", path], capture_output=True,
                             text=True).stdout
        return facts(out)

    def ndctl_lists_what_qemu_formatted(self, memmap):
        out = self.run_guest("sh", "-c", "ndctl list -N; echo --; "
                             "daxctl list", memmap=memmap)
        ns, dax = (json.loads(part) for part in out.split("--\n"))
        block = self.decoded()
        self.assertEqual(len(ns), 1, out)
        self.assertEqual(ns[0]["mode"], block["mode"])
        self.assertEqual(ns[0]["map"], {"dev": "dev", "ram": "mem"}[memmap])
        self.assertEqual(block["memmap"], memmap)
        self.assertEqual(ns[0]["align"], int(block["align"]))
        self.assertEqual(ns[0]["size"], (1 << 30) - int(block["dataoff"]))
        # target_node: the pmem-region's numa-node-id (the DIMM's node)
        self.assertEqual(dax, [{"chardev": ns[0]["chardev"],
                                "size": ns[0]["size"],
                                "target_node": 0,
                                "align": ns[0]["align"],
                                "mode": "devdax"}])

    def daxctl_onlines_system_ram(self, boot, linux=None):
        # daxctl reconfigure-device --mode system-ram: kmem hot-adds the
        # device's range as RAM in whole memory blocks, on the region's
        # NUMA node (the pmem-region's numa-node-id, or the NFIT's
        # proximity domain), and the guest's MemTotal grows by as much
        out = self.run_guest(
            "sh", "-c", "grep MemTotal /proc/meminfo; "
            "daxctl reconfigure-device --mode system-ram dax0.0 "
            ">/dev/null && daxctl list; echo --; "
            "grep MemTotal /proc/meminfo; "
            "cat /sys/devices/system/memory/block_size_bytes; "
            "cat /sys/devices/system/memory/memory*/state | sort | uniq -c",
            memmap="ram", boot=boot, linux=linux)
        before, rest = out.split("\n", 1)
        listed, after = rest.split("--\n")
        dax = json.loads(listed)
        self.assertEqual(dax[0]["mode"], "system-ram", out)
        kib = [int(line.split()[1]) for line in (before, after.split("\n")[0])]
        block = int(after.splitlines()[1], 16)
        states = {line.split()[1]: int(line.split()[0])
                  for line in after.splitlines()[2:]}
        added = kib[1] - kib[0]
        self.assertGreater(added, 0, out)
        self.assertEqual(states.get("offline", 0), 0, out)
        self.assertLessEqual(added * 1024, dax[0]["size"], out)
        self.assertGreater(added * 1024, dax[0]["size"] - 2 * block, out)

    def check_mapping(self, align, memmap, boot):
        out = self.run_guest("sh", "-c", "cat /sys/bus/dax/devices/dax0.0/"
                             "align; daxmap -m 64", align=align,
                             memmap=memmap, boot=boot)
        self.assertEqual(out.splitlines()[0], str(ALIGNS[align]))
        f = facts(out)
        # one fault per 2M PMD, or per 4K page
        self.assertEqual(int(f["pages_per_fault"]),
                         ALIGNS[align] // 4096, out)

    def test_gup_covers_the_whole_device_range(self):
        # the workload of "mm, sparse-vmemmap: Introduce compound devmaps
        # for device-dax", short: every gup mode over all of 256M of
        # /dev/dax0.0, 10 repeats, under the strict contpte model
        res = contdax("exec", "--nvdimm", SIZE, "--align", "2M", "--memmap",
                      "ram", "--nvdimm-file", self.file, "--contpte",
                      "strict", "--", "daxgup.sh", "256", timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(daxgup.problems("2M", "ram",
                                         records.dax_boot(res.stdout)), [])
        self.assertIn("violations 0", res.stderr)

    def test_compound_off_and_on_in_one_boot(self):
        # the project's kernel patches (the compound switch, the DAX
        # vmemmap deduplication and the gup-fast batching): dax0.0
        # rebound with device_dax.compound=0 and =1; the memmap each
        # bind takes is exactly the kernel's expected count (4x less
        # with compound pages and memmap=ram),
        # each unbind gives it back, gup runs on both, under the strict
        # model, with no kernel warning
        for memmap in ("ram", "dev"):
            with self.subTest(memmap=memmap):
                self.file.unlink(missing_ok=True)
                res = contdax("exec", "--nvdimm", SIZE, "--align", "2M",
                              "--memmap", memmap, "--nvdimm-file", self.file,
                              "--contpte", "strict", "--",
                              "daxcompound.sh", "64", "2", timeout=900)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                facts, times, events = records.dax_boot(res.stdout)
                self.assertEqual(compound.problems(
                    memmap, facts, times, events, rounds=2), [])
                self.assertIn("violations 0", res.stderr)
                if memmap == "ram":
                    full = compound.binds(events, 0)[0]
                    dedup = compound.binds(events, 1)[0]
                    self.assertEqual(full["memmap_pages"],
                                     4 * dedup["memmap_pages"])
                    # and it is memory the guest really kept
                    self.assertGreater(full["free_kb"],
                                       3 * dedup["free_kb"])

    def test_data_survives_restart(self):
        self.run_guest("daxmap", "-m", "32", "-w", "7")
        block = self.block()
        out = self.run_guest("daxmap", "-m", "32", "-c", "7")
        self.assertEqual(facts(out)["mismatched_words"], "0")
        self.assertEqual(self.block(), block)
        # and the check can fail: another seed mismatches
        res = contdax("exec", "--nvdimm", SIZE, "--nvdimm-file", self.file,
                      "--", "daxmap", "-m", "32", "-c", "8")
        self.assertEqual(res.returncode, 1)

    def test_fsdax_gives_pmem_with_pfn_map(self):
        args = ["exec", "--nvdimm", SIZE, "--dax-mode", "fsdax",
                "--nvdimm-file", self.file, "--"]
        # the pfn device that claimed the namespace (pfn0.0 stays the
        # idle seed), and the block device, smaller by the 18M memmap
        res = contdax(*args, "sh", "-c",
                      "ls /dev | grep -E '^(pmem|dax)'; "
                      "for d in /sys/bus/nd/devices/pfn*; do "
                      "[ \"$(cat $d/namespace)\" = namespace0.0 ] && "
                      "echo mode=$(cat $d/mode) align=$(cat $d/align); "
                      "done; echo bytes=$(($(cat /sys/block/pmem0/size) "
                      "* 512))")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.splitlines(),
                         ["pmem0", "mode=pmem align=2097152",
                          f"bytes={(1 << 30) - 18874368}"])

    def kernel_writes_same_block(self, align, memmap, mode):
        self.run_guest("ndctl", "create-namespace", "--reconfig",
                       "namespace0.0", "--force", "--mode", mode, "--map",
                       {"dev": "dev", "ram": "mem"}[memmap], "--align",
                       str(ALIGNS[align]), nvdimm_format="never")
        kernel = self.block()
        # ndctl picks the info block's uuid (bytes 16-31) itself
        u = str(uuid.UUID(bytes=kernel[16:32]))
        tool = suites.unit_build(contdax_path.REPO) / "nvdimm-dax-info"
        ours = subprocess.run([tool, "build", str(1 << 30),
                               str(ALIGNS[align]), "4096", memmap, mode, u],
                              capture_output=True, check=True).stdout
        self.assertEqual(len(kernel), INFO_SIZE)
        self.assertEqual(self.decoded(ours), self.decoded(kernel))
        self.assertIn("dataoff", self.decoded(kernel))
        self.assertEqual(ours, kernel)


def _add(name, fn, *args):
    setattr(NvdimmDaxGuestTest, name, lambda self: fn(self, *args))


for _boot in ("dt", "acpi"):
    for _align in ALIGNS:
        for _memmap in ("dev", "ram"):
            _add(f"test_{_boot}_align_{_align}_memmap_{_memmap}",
                 NvdimmDaxGuestTest.check_mapping, _align, _memmap, _boot)
    _add(f"test_{_boot}_daxctl_onlines_system_ram",
         NvdimmDaxGuestTest.daxctl_onlines_system_ram, _boot)
# 7.3's kmem and memory hotplug, by device tree
_add("test_dt_daxctl_onlines_system_ram_on_7_3",
     NvdimmDaxGuestTest.daxctl_onlines_system_ram, "dt", "7.3")
for _align in ALIGNS:
    for _memmap in ("dev", "ram"):
        _add(f"test_kernel_block_{_align}_{_memmap}_devdax",
             NvdimmDaxGuestTest.kernel_writes_same_block, _align, _memmap,
             "devdax")
for _memmap in ("dev", "ram"):
    _add(f"test_ndctl_lists_what_qemu_formatted_{_memmap}",
         NvdimmDaxGuestTest.ndctl_lists_what_qemu_formatted, _memmap)
_add("test_kernel_block_2M_dev_fsdax",
     NvdimmDaxGuestTest.kernel_writes_same_block, "2M", "dev", "fsdax")


if __name__ == "__main__":
    unittest.main()
