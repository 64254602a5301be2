# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel's mm selftest suite in the guest: run_vmtests.sh runs its
categories with Debian's bash, on both lines, and its output parses into
the rows `run --only selftests` prints."""
import unittest

import contdax_path  # noqa: F401
from contdax.workloads import selftests
from contdax_run import contdax
from test_contpte import counters

# quick categories whose every test runs to a verdict in this guest
CATEGORIES = "mkdirty madv_populate mdwe gup_test"
# their tests on every line (7.3 runs gup_test with more arguments)
ALWAYS = ["gup_longterm", "madv_populate", "mkdirty", "mdwe_test"]


class MmSelftestsTest(unittest.TestCase):
    def run_categories(self, *options):
        res = contdax("exec", *options, "--kernel-arg",
                      "proc_mem.force_override=always", "--",
                      "run_vmtests.sh", "-t", CATEGORIES)
        suite = selftests.parse(res.stdout)
        # the runner says it leaves on-fault-limit out whatever the -t
        ran = [n for n in suite.tests if n not in selftests.RUNNER_SKIPS]
        for name in ALWAYS:
            self.assertIn(name, ran, res.stdout + res.stderr)
        self.assertTrue([n for n in ran if n.startswith("gup_test -u")],
                        res.stdout)
        for name in ran:
            t = suite.tests[name]
            self.assertEqual(t.status, "pass", f"{name}: {t.failures} "
                             f"{t.last}\n{res.stdout}")
        self.assertEqual(suite.summary, (len(ran), 0, 0), res.stdout)
        self.assertEqual(res.returncode, 0, res.stderr)
        # gup_longterm's io_uring cases ran: liburing is in the build
        self.assertGreater(suite.tests["gup_longterm"].passed, 0)
        self.assertIn("[RUN] io_uring fixed buffer with MAP_SHARED file "
                      "mapping", res.stdout)
        return suite, res

    def test_categories_on_6_12_under_strict(self):
        _, res = self.run_categories("--contpte", "strict")
        mode, c = counters(res.stderr)
        self.assertEqual(mode, "strict")
        self.assertGreater(c["contiguous"], 0)
        self.assertEqual((c["violations"], c["aborts"]), (0, 0), res.stderr)

    def test_categories_on_7_3(self):
        self.run_categories("--linux", "7.3")

    def test_swap_on_zram(self):
        # the swap-out cases run: uffd's rwp-swap-cow pages its page out
        # with MADV_PAGEOUT, which skips without swap
        res = contdax("exec", "--linux", "7.3", "--", "sh", "-c",
                      "zram-swap.sh && cat /proc/swaps && cd "
                      "/usr/lib/kselftest/mm && ./uffd-unit-tests -f "
                      "rwp-swap-cow && grep pswpout /proc/vmstat")
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertRegex(res.stdout, r"(?m)^/dev/zram0\s+partition")
        self.assertRegex(res.stdout, r"(?m)^ok \d+ rwp-swap-cow on anon$")
        self.assertNotIn("SKIP", res.stdout)
        self.assertRegex(res.stdout, r"(?m)^pswpout [1-9]")

    def test_the_suite_is_installed_whole(self):
        res = contdax("exec", "--", "sh", "-c",
                      "cd /usr/lib/kselftest/mm && ls; bash --version; "
                      "grep ' /dev/shm ' /proc/mounts")
        self.assertEqual(res.returncode, 0, res.stderr)
        # shm_open(), which rmap's migrate.shm uses, needs /dev/shm
        self.assertRegex(res.stdout, r"(?m)^tmpfs /dev/shm tmpfs ")
        names = res.stdout.split()
        # the runner, its shell helpers and the programs that need the
        # -dev libraries (libcap, libnuma, liburing)
        for name in ("run_vmtests.sh", "charge_reserved_hugetlb.sh", "cow",
                     "khugepaged", "uffd-unit-tests", "ksm_tests",
                     "migration", "memfd_secret", "mlock-random-test",
                     "split_huge_page_test"):
            self.assertIn(name, names)
        self.assertIn("GNU bash", res.stdout)


if __name__ == "__main__":
    unittest.main()
