# SPDX-License-Identifier: GPL-2.0-or-later
"""The contpte MMU model under a real Linux 6.12 guest.

Linux folds anonymous 64K mTHP into contiguous groups and unfolds them
around fork, mprotect, madvise and munmap.  Under `--contpte strict` it
must do all of that with no violation; under `--contpte check` the model
must have seen and cached its groups.  The bare-metal qtests prove that
the same checks do catch each kind of misprogramming.
"""
import re
import unittest

import contdax_path  # noqa: F401
from contdax.workloads import common, daxgup, records, strict
from contdax_run import contdax

SUMMARY = re.compile(
    r"^contpte (\w+): (\d+) walks, (\d+) contiguous, (\d+) groups cached, "
    r"(\d+) hits, (\d+) invalidated; violations (\d+).*, conflict aborts "
    r"(\d+)$", re.M)


def counters(stderr):
    m = SUMMARY.search(stderr)
    if not m:
        raise AssertionError(f"no contpte summary in:\n{stderr}")
    keys = ("walks", "contiguous", "cached", "hits", "invalidated",
            "violations", "aborts")
    return m.group(1), dict(zip(keys, map(int, m.groups()[1:])))


def guest_facts(stdout):
    return records.facts(records.parse(stdout))


def assert_steps_pass(test, stdout, steps=strict.STEPS):
    """contpte-workload.sh's steps all ran and exited 0, and mthp-stress
    found every word it wrote."""
    run = strict.parse(stdout)
    test.assertEqual({n: run.steps.get(n, (None,))[0] for n in steps},
                     dict.fromkeys(steps, 0), stdout)
    test.assertEqual(run.stress.get("mismatches"), 0, stdout)


class ContpteGuestTest(unittest.TestCase):
    def test_strict_selftests_and_stress_have_no_violation(self):
        res = contdax("exec", "--contpte", "strict", "--",
                      "contpte-workload.sh", "all", "-s", "8", "-i", "120",
                      timeout=900)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        assert_steps_pass(self, res.stdout)
        faults = int(guest_facts(res.stdout)["mthp_faults"])
        self.assertGreater(faults, 0, "no 64K mTHP was allocated")
        mode, c = counters(res.stderr)
        self.assertEqual(mode, "strict")
        self.assertEqual(c["violations"], 0, res.stderr)
        self.assertEqual(c["aborts"], 0, res.stderr)
        self.assertGreater(c["contiguous"], 0)

    def test_adversarial_hardware_finds_nothing_in_6_12(self):
        """Linux 6.12 under each legal-but-unusual hardware behaviour, with
        the strict model: hardware AF/dirty updates on the member a group
        was cached from; vCPU 1 without FEAT_HAFDBS; TLBI level hints
        taken at their word without FEAT_TLBIRANGE (on one vCPU, where
        the model decides them), which also runs the hugetlb mremap()
        reproducer of the corpus on the line's own kernel.  cow,
        gup_longterm, mthp-stress (every page checked), fork over each
        mTHP size (the child checks every page) and device-dax gup: no
        violation, no fault loop, no lost data."""
        for cpu, smp, extra in (
                ("max,hwupdate=cached", "2", ""),
                ("max,hafdbs-off=0x2", "2", ""),
                ("max,ttl-exact=on,tlbirange=off", "1",
                 " && bug-hugetlb-flush-level")):
            with self.subTest(cpu=cpu):
                res = contdax("exec", "--cpu", cpu, "--smp", smp,
                              "--contpte", "strict",
                              "--nvdimm", "1G", "--", "sh", "-c",
                              "contpte-workload.sh all -s 8 -i 60 && "
                              "forkbench -s 16 -r 2 4 64 2048 && "
                              "daxgup.sh 64" + extra, timeout=1200)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                assert_steps_pass(self, res.stdout)
                recs = records.parse(res.stdout)
                self.assertEqual([f["child_ok"] for f in
                                  records.of(recs, "fork")], [1, 1, 1],
                                 res.stdout)
                self.assertEqual(common.short_timings(
                    records.gup_sets(recs), daxgup.MODES), [], res.stdout)
                _, c = counters(res.stderr)
                self.assertGreater(c["contiguous"], 0)
                self.assertEqual(c["violations"], 0, res.stderr)
                self.assertEqual(c["aborts"], 0, res.stderr)

    def test_check_caches_linux_groups(self):
        res = contdax("exec", "--contpte", "check", "--",
                      "contpte-workload.sh", "stress", "-s", "4", "-i", "60",
                      timeout=600)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        _, c = counters(res.stderr)
        self.assertGreater(c["contiguous"], 0)
        self.assertGreater(c["cached"], 0)
        self.assertGreater(c["hits"], 0)
        self.assertGreater(c["invalidated"], 0)
        self.assertEqual(c["violations"], 0, res.stderr)

    def test_off_sees_no_groups(self):
        res = contdax("exec", "--contpte", "off", "--",
                      "contpte-workload.sh", "stress", "-s", "4", "-i", "30",
                      timeout=600)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        _, c = counters(res.stderr)
        # off: the MMU's hooks never enter the model, which counts nothing
        self.assertEqual(c["walks"], 0)
        self.assertEqual(c["contiguous"], 0)
        self.assertEqual(c["cached"], 0)

    def test_the_cpu_property_reaches_qemu(self):
        res = contdax("exec", "--contpte", "on", "--", "true")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(counters(res.stderr)[0], "on")
