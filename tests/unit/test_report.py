# SPDX-License-Identifier: GPL-2.0-or-later
import unittest

import contdax_path  # noqa: F401
from contdax import report, suites


def fork_lines(child_ok=1, allocs=64):
    return [f"forkbench size_kb={kb} repeats=5 fork_us={us} min={us - 5} "
            f"max={us + 5} munmap_us=10 mthp_allocs={0 if kb == 4 else allocs}"
            f" child_ok={child_ok}"
            for kb, us in ((4, 1000), (16, 800), (64, 500), (2048, 300))]


def smoke_output(times_t, times_T, release="6.12.117-contdax",
                 thp_faults=None, fork=None):
    thp_faults = thp_faults or {"t": 256, "T": 0}
    lines = [f"release={release}", "page_size=4096",
             "mthp_sizes=16kB 32kB 64kB 128kB 2048kB", "contpte=y"]
    for mode, times in (("t", times_t), ("T", times_T)):
        lines.append(f"gup_begin={mode}")
        lines.append("TAP version 13")
        for t in times:
            lines.append(f"# PIN_LONGTERM_BENCHMARK: Time: get:{t} put:3 us")
        lines.append(f"gup_thp_faults={thp_faults[mode]}")
        lines.append(f"gup_end={mode}")
    lines += fork_lines() if fork is None else fork
    return "\n".join(lines)


class ReportTest(unittest.TestCase):
    def test_parse_and_accept(self):
        facts, gup = report.parse_smoke(smoke_output([5] * 10, [50] * 10))
        self.assertEqual(facts["contpte"], "y")
        self.assertEqual(gup["t"]["get"], [5] * 10)
        self.assertEqual(gup["T"]["put"], [3] * 10)
        self.assertEqual(report.problems(facts, gup), [])
        text = report.render(facts, gup, {"qemu": "10.0.13"})
        self.assertIn("ratio off/on", text)
        self.assertIn("10.0", text)

    def test_gup_skip_is_a_problem(self):
        # gup_test exits 0 when it cannot open debugfs: no timings then.
        facts, gup = report.parse_smoke(smoke_output([], [50] * 10))
        self.assertEqual(report.problems(facts, gup),
                         ["gup_test -t did not report 10 timings"])

    def test_thp_must_serve_only_the_thp_run(self):
        out = smoke_output([5] * 10, [50] * 10,
                           thp_faults={"t": 0, "T": 3})
        found = report.problems(*report.parse_smoke(out))
        self.assertEqual(found, ["no PMD THP faulted in during gup_test -t",
                                 "PMD THPs faulted in during gup_test -T"])

    def test_wrong_kernel_and_config(self):
        out = smoke_output([5] * 10, [50] * 10, release="6.1.0")
        facts, gup = report.parse_smoke(out.replace("contpte=y", "contpte="))
        found = report.problems(facts, gup)
        self.assertEqual(len(found), 2)


    def test_fork_table_and_checks(self):
        facts, gup = report.parse_smoke(smoke_output([5] * 10, [50] * 10))
        self.assertEqual(facts["fork"][64]["us"], 500)
        text = report.render(facts, gup, {"qemu": "10.0.13"})
        row = [r for r in text.splitlines() if r.strip().startswith("64kB")]
        self.assertEqual(row[0].split()[-2:], ["0.50", "0.74"])
        out = smoke_output([5] * 10, [50] * 10,
                           fork=fork_lines(child_ok=0)[:3])
        found = report.problems(*report.parse_smoke(out))
        self.assertIn("forkbench 16kB: the child saw wrong data", found)
        self.assertIn("forkbench reported nothing for 2048kB", found)
        out = smoke_output([5] * 10, [50] * 10, fork=fork_lines(allocs=0))
        self.assertIn("forkbench 64kB: no mTHP of that size",
                      report.problems(*report.parse_smoke(out)))


def daxgup_output(align=2097152, times=None, modes="uaL"):
    lines = [f"dax_align={align}", "dax_size=1054867456"]
    for m in modes:
        lines.append(f"daxgup_begin={m}")
        name = {"u": "GUP_FAST", "a": "PIN_FAST", "L": "PIN_LONGTERM"}[m]
        for t in (times or {}).get(m, [100] * 10):
            lines.append(f"# {name}_BENCHMARK: Time: get:{t} put:1 us")
        lines.append(f"daxgup_end={m}")
    return "\n".join(lines)


class DaxReportTest(unittest.TestCase):
    def test_parse_and_accept(self):
        facts, times = report.parse_daxgup(daxgup_output())
        self.assertEqual(times["a"]["get"], [100] * 10)
        self.assertEqual(report.dax_problems("2M", "ram", facts, times), [])

    def test_wrong_align_and_missing_mode(self):
        facts, times = report.parse_daxgup(daxgup_output(4096, modes="ua"))
        found = report.dax_problems("2M", "ram", facts, times)
        self.assertEqual(len(found), 2, found)
        self.assertIn("align is 4096, not 2097152", found[0])
        self.assertIn("gup_test -L did not report 10 timings", found[1])

    def test_ratio_rows(self):
        small = report.parse_daxgup(daxgup_output(
            4096, {m: [900] * 10 for m in "uaL"}))[1]
        big = report.parse_daxgup(daxgup_output())[1]
        text = report.render_dax({("2M", "ram"): big, ("4K", "ram"): small})
        row = [r for r in text.splitlines() if "4K/2M ram" in r][0]
        self.assertEqual(row.split()[-3:], ["9.0", "9.0", "9.0"])
        self.assertIn("9.7", text)      # seed: 59 -> 6.1 ms


class TapTest(unittest.TestCase):
    def test_counts(self):
        c = suites.tap_count("TAP version 13\nok 1 /a\nnot ok 2 /b\n"
                             "ok 3 /c # SKIP no kvm\n# ok 4 comment\n1..3\n")
        self.assertEqual((c.passed, c.failed, c.skipped), (1, 1, 1))


if __name__ == "__main__":
    unittest.main()
