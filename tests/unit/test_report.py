# SPDX-License-Identifier: GPL-2.0-or-later
"""The report's parsers, checks, tables and results directory, on
canned guest output."""
import json
import os
import re
import tempfile
import unittest
from dataclasses import replace
from pathlib import Path
from unittest import mock

import contdax_path  # noqa: F401
from contdax import (cache, devmap, linux_lines, machine, report, results,
                     texttable,
                     suites, workload)


def fork_lines(child_ok=1, allocs=64):
    return [f"forkbench size_kb={kb} repeats=5 fork_us={us} min={us - 5} "
            f"max={us + 5} munmap_us=10 mthp_allocs={0 if kb == 4 else allocs}"
            f" child_ok={child_ok}"
            for kb, us in ((4, 1000), (16, 800), (32, 700), (64, 500),
                           (128, 450), (256, 400), (512, 350), (1024, 320),
                           (2048, 300))]


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


class ResultsDirTest(unittest.TestCase):
    def test_results_are_user_data_that_clean_leaves(self):
        with tempfile.TemporaryDirectory() as data, \
                tempfile.TemporaryDirectory() as cached, \
                mock.patch.dict(os.environ, {"XDG_DATA_HOME": data,
                                             "XDG_CACHE_HOME": cached}):
            self.assertEqual(results.root(),
                             Path(data) / "contdax" / "results")
            (cache.root() / "kernel").mkdir(parents=True)
            report_txt = results.new_dir() / "report.txt"
            report_txt.write_text("figures\n")
            cache.clean()
            self.assertFalse(cache.root().exists())
            self.assertEqual(report_txt.read_text(), "figures\n")


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
                           fork=fork_lines(child_ok=0)[:8])
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
        facts, times = workload.parse_daxgup(daxgup_output())
        self.assertEqual(times["a"]["get"], [100] * 10)
        self.assertEqual(report.dax_problems("2M", "ram", facts, times), [])

    def test_wrong_align_and_missing_mode(self):
        facts, times = workload.parse_daxgup(daxgup_output(4096, modes="ua"))
        found = report.dax_problems("2M", "ram", facts, times)
        self.assertEqual(len(found), 2, found)
        self.assertIn("align is 4096, not 2097152", found[0])
        self.assertIn("gup_test -L did not report 10 timings", found[1])

    def test_ratio_rows(self):
        small = workload.parse_daxgup(daxgup_output(
            4096, {m: [900] * 10 for m in "uaL"}))[1]
        big = workload.parse_daxgup(daxgup_output())[1]
        text = report.render_dax({("2M", "ram"): big, ("4K", "ram"): small})
        row = [r for r in text.splitlines() if "4K/2M ram" in r][0]
        self.assertEqual(row.split()[-3:], ["9.0", "9.0", "9.0"])
        self.assertIn("9.7", text)      # published: 59 -> 6.1 ms

    def test_bringup_rows(self):
        out = daxgup_output() + "\n" + "\n".join(
            ["ready_s=3.52", "page_size=4096", f"ns_size={1 << 30}",
             f"dax_size={(1 << 30) - (18 << 20)}",
             "unbind compound=1 memmap_pages=1024",
             "bind compound=1 bind_us=30000 memmap_pages=1024 free_kb=4100",
             "unbind compound=1 memmap_pages=1024",
             "bind compound=1 bind_us=10000 memmap_pages=1024 free_kb=4090"])
        facts, times, events = devmap.parse(out)
        text = report.render_dax({("2M", "ram"): times},
                                 {("2M", "ram"): (facts, events)})
        row = text.splitlines()[-3]
        self.assertEqual(row.split(), ["2M/ram", "3.52", "20.0",
                                       "[10.0..30.0]",
                                       "4.00", "4.00", "18.00"])


# 1G nvdimm, 2M align, memmap=ram, 4K pages: struct pages for all of it
NS_SIZE = 1 << 30
FULL, DEDUP = NS_SIZE // 4096 * 64 // 4096, 2 * (NS_SIZE >> 21)


def daxcompound_output(rounds=2, pages=(FULL, DEDUP), gave=None,
                       warnings=0, us=(900, 100)):
    lines = ["page_size=4096", "dax_align=2097152",
             f"dax_size={NS_SIZE - (2 << 20)}", f"ns_size={NS_SIZE}"]
    last = pages[1]
    for _ in range(rounds):
        for c in (0, 1):
            lines.append(f"unbind compound={1 - c} memmap_pages="
                         f"{last if gave is None else gave}")
            lines.append(f"bind compound={c} bind_us=5000 memmap_pages="
                         f"{pages[c]} free_kb={pages[c] * 4 + 40}")
            last = pages[c]
            for m in "ua":
                lines.append(f"daxgup_begin={m}/{c}")
                lines += [f"# GUP_FAST_BENCHMARK: Time: get:{us[c]} put:1 us"
                          ] * 10
                lines.append(f"daxgup_end={m}/{c}")
    lines.append(f"kernel_warnings={warnings}")
    return "\n".join(lines)


def no_switch_output(rounds=2, pages=DEDUP):
    """daxcompound.sh on a kernel without the compound switch (7.x):
    compound pages only."""
    lines = ["page_size=4096", "dax_align=2097152",
             f"dax_size={NS_SIZE - (2 << 20)}", f"ns_size={NS_SIZE}",
             "compound_switch=0"]
    for _ in range(rounds):
        lines.append(f"unbind compound=1 memmap_pages={pages}")
        lines.append(f"bind compound=1 bind_us=5000 memmap_pages={pages} "
                     f"free_kb={pages * 4 + 40}")
        for m in "ua":
            lines.append(f"daxgup_begin={m}/1")
            lines += ["# GUP_FAST_BENCHMARK: Time: get:100 put:1 us"] * 10
            lines.append(f"daxgup_end={m}/1")
    lines.append("kernel_warnings=0")
    return "\n".join(lines)


class LinesReportTest(unittest.TestCase):
    def test_no_switch_checks_compound_pages_only(self):
        facts, times, events = devmap.parse(no_switch_output())
        self.assertEqual(devmap.settings(facts), (1,))
        self.assertEqual(devmap.problems("ram", facts, times, events,
                                         rounds=2), [])
        # without the dedup patch there, compound pages cost it all
        found = devmap.problems("ram", *devmap.parse(no_switch_output(
            pages=FULL)), rounds=2)
        self.assertEqual(len(found), 1, found)
        self.assertIn(f"compound=1 took [{FULL}] memmap pages", found[0])

    def test_compound_note_tells_unknown_from_none(self):
        class Art:
            line = linux_lines.get("6.12")
        art = Art()
        art.compound_switch = True
        self.assertIsNone(report.compound_note(art))
        art.compound_switch = None
        self.assertIn("not run", report.compound_note(art))
        self.assertIn("--project-patches", report.compound_note(art))
        art.compound_switch = False
        self.assertIn("none on Linux 6.12", report.compound_note(art))

    def test_release_must_be_the_lines(self):
        facts = {"release": "7.3.4-contdax"}
        self.assertIn("is not 6.12.x",
                      report.problems(facts, {}, "6.12")[0])
        self.assertFalse([p for p in report.problems(facts, {}, "7.3")
                          if "release" in p])

    def test_figures_side_by_side(self):
        def line(with_pages, gup_on):
            with_ = devmap.as_data(devmap.parse(no_switch_output(
                pages=with_pages)))
            without = devmap.as_data(devmap.parse(no_switch_output(
                pages=FULL)))
            return {
                "smoke": {"thp_gup_us": {
                    "T": {"summary": {"median": 1000.0}},
                    "t": {"summary": {"median": gup_on}}},
                    "fork_us": {4: {"us": 100}, 64: {"us": 50}}},
                "dedup": {"with": with_, "without": without},
                "strict": {"contpte": {"total": {"violations": {
                    "invalid": 0, "attr": 0}}}},
            }
        figs = {"6.12": report.line_figures(line(DEDUP, 100.0)),
                "7.3": report.line_figures(line(DEDUP, 50.0))}
        self.assertEqual(figs["6.12"]["THP gup off/on (x)"], 10.0)
        self.assertEqual(figs["7.3"]["THP gup off/on (x)"], 20.0)
        self.assertEqual(figs["7.3"]["fork 64kB vs 4K"], 0.5)
        self.assertEqual(figs["7.3"]["memmap MiB/GiB, no dedup"], 16.0)
        self.assertEqual(figs["7.3"]["memmap MiB/GiB, dedup"], 4.0)
        self.assertEqual(figs["7.3"]["strict violations"], 0)
        # both binds took 5 ms here
        self.assertEqual(figs["7.3"]["dax bind no dedup/dedup (x)"], 1.0)
        self.assertNotEqual(figs["7.3"]["dax pin-fast 4K/2M ram (x)"],
                            figs["7.3"]["dax pin-fast 4K/2M ram (x)"])
        text = report.render_lines(figs)
        head = [r for r in text.splitlines() if "Linux 6.12" in r][0]
        self.assertIn("Linux 7.3", head)
        row = [r for r in text.splitlines() if "THP gup off/on" in r][0]
        self.assertEqual(row.split()[-2:], ["10.00", "20.00"])
        row = [r for r in text.splitlines() if "fork 16kB" in r][0]
        self.assertEqual(row.split()[-2:], ["-", "-"])


class DevmapReportTest(unittest.TestCase):
    def test_parse_and_accept(self):
        facts, times, events = devmap.parse(daxcompound_output())
        self.assertEqual(FULL // DEDUP, 4)
        self.assertEqual(devmap.expected_memmap_pages(facts, 0), FULL)
        self.assertEqual(devmap.expected_memmap_pages(facts, 1), DEDUP)
        self.assertEqual(len(times["a/1"]["get"]), 20)
        self.assertEqual([e[:2] for e in events[:4]],
                         [("unbind", 1), ("bind", 0), ("unbind", 0),
                          ("bind", 1)])
        self.assertEqual(devmap.problems("ram", facts, times, events,
                                         rounds=2), [])

    def test_no_dedup_is_a_problem(self):
        # an unpatched kernel: compound=1 costs the full struct page array
        out = daxcompound_output(pages=(FULL, FULL))
        found = devmap.problems("ram", *devmap.parse(out), rounds=2)
        self.assertEqual(found, [f"dax compound A/B (ram): compound=1 took "
                                 f"[{FULL}] memmap pages, not {DEDUP}"])

    def test_hot_remove_must_give_back_what_bind_took(self):
        out = daxcompound_output(gave=7, warnings=1)
        found = devmap.problems("ram", *devmap.parse(out), rounds=2)
        self.assertIn("the kernel logged 1 warnings", found[0])
        self.assertEqual(len(found), 1 + 3, found)   # 3 unbinds after binds
        self.assertIn("unbind gave back 7 memmap pages", found[1])

    def test_missing_rounds(self):
        out = daxcompound_output(rounds=1)
        found = devmap.problems("ram", *devmap.parse(out), rounds=2)
        self.assertIn("1 binds with compound=0, not 2", found[0])

    def test_the_before_is_the_same_kernel_booted_with_dedup_off(self):
        opts = machine.MachineOptions()
        self.assertNotIn(devmap.DEDUP_OFF, machine.kernel_cmdline(opts, "x"))
        line = machine.kernel_cmdline(
            replace(opts, kernel_args=(devmap.DEDUP_OFF,)), "eA==")
        self.assertIn(" dax_vmemmap_optimize=off ", line)
        # guest/init reads the command last
        self.assertTrue(line.endswith(" contdax.cmd=eA=="))
        # the kernel would cut a longer line, and the command with it
        long_args = replace(opts, kernel_args=("x" * 2000,))
        with self.assertRaisesRegex(machine.ContdaxError,
                                    "--kernel-arg words"):
            machine.kernel_cmdline(long_args, "eA==")

    def test_kernel_without_dedup(self):
        # the DAX vmemmap deduplication patch's before: compound=1 must
        # cost the full array there
        out = daxcompound_output(rounds=1, pages=(FULL, FULL))
        self.assertEqual(devmap.problems("ram", *devmap.parse(out), rounds=1,
                                         dedup=False), [])
        found = devmap.problems("ram", *devmap.parse(daxcompound_output(
            rounds=1)), rounds=1, dedup=False)
        self.assertIn(f"compound=1 took [{DEDUP}] memmap pages, not {FULL}",
                      found[0])

    def test_dedup_table(self):
        after = devmap.parse(daxcompound_output())
        before = devmap.parse(daxcompound_output(rounds=1,
                                                 pages=(FULL, FULL)))
        text = devmap.render_dedup(after, before)
        row = [r for r in text.splitlines() if "memmap MiB per GiB" in r][0]
        self.assertEqual(row.split()[-4:], ["16.00", "4.00", "4.0", "4.0"])
        self.assertIn("no before", devmap.render_dedup(after, None))

    def test_full_fits_the_host(self):
        # 24 GiB hosts: the namespace (touched whole by gup_test) and the
        # guest, with room left for QEMU and the host
        full = workload.FULL
        self.assertLessEqual(full.nvdimm + (int(full.mem[:-1]) << 30),
                             22 << 30)
        # gup_test -m fits in the namespace beside its reserve
        self.assertLess(full.dax_mb << 20, full.nvdimm - (512 << 20))
        # "mm: Batch-copy PTE ranges during fork()" forks 1 GiB
        self.assertEqual(full.fork_mb, 1024)

    def test_run_only(self):
        self.assertEqual(report.selected(None), list(report.WORKLOADS))
        self.assertEqual(report.selected(["dedup", "smoke"]),
                         ["smoke", "dedup"])

    def test_table(self):
        parsed = devmap.parse(daxcompound_output())
        text = devmap.render({"ram": parsed})
        row = [r for r in text.splitlines() if "memmap MiB per GiB" in r][0]
        self.assertEqual(row.split()[-2:], ["4.0", "4.0"])
        row = [r for r in text.splitlines() if "pin_user_pages_fast" in r][0]
        self.assertEqual(row.split()[-2:], ["9.0", "14.0"])


def stats(violations=0, contiguous=5):
    return {"total": {"walks": 10, "contiguous-walks": contiguous,
                      "groups-cached": 1, "group-hits": 2,
                      "group-invalidations": 1, "conflict-aborts": 0,
                      "violations": {"oa-contiguity": violations}}}


class StrictReportTest(unittest.TestCase):
    OUT = ("step=cow status=0 # Totals: pass:10 fail:0\n"
           "step=gup_longterm status=0 # Totals: pass:4 fail:0\n"
           "step=mthp-stress status=0 mthp-stress: mismatches 0\n"
           + daxgup_output())

    def test_clean_run(self):
        steps = report.parse_strict(self.OUT)
        self.assertEqual(steps["mthp-stress"],
                         (0, "mthp-stress: mismatches 0"))
        times = workload.parse_daxgup(self.OUT)[1]
        self.assertEqual(report.strict_problems(steps, times, stats(), 0),
                         [])
        self.assertIn("violations 0", report.render_strict(steps, stats()))

    def test_violation_failure_and_silence(self):
        out = self.OUT.replace("step=cow status=0", "step=cow status=1")
        steps = report.parse_strict(out)
        times = workload.parse_daxgup(out)[1]
        found = report.strict_problems(steps, times, stats(3, 0), 0)
        self.assertEqual(found, ["strict: cow exited with status 1",
                                 "strict: 3 violations, 0 conflict aborts",
                                 "strict: the model saw no contiguous "
                                 "group"])
        self.assertIn("strict: no counters from the contpte model",
                      report.strict_problems(steps, times, None, 0))


class ResultsTest(unittest.TestCase):
    def test_json_and_text_without_charts(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            results.write(out, "table", {"versions": {"qemu": "10.0.13"}})
            self.assertEqual((out / "report.txt").read_text(), "table\n")
            data = json.loads((out / "report.json").read_text())
            self.assertEqual(data["versions"]["qemu"], "10.0.13")
            self.assertEqual(list(out.glob("*.svg")), [])

    def test_chart_data(self):
        fork = {4: {"us": 200}, 16: {"us": 150}, 32: {"us": 100}}
        self.assertEqual(results._fork_data(fork, {16: 0.84}).splitlines(),
                         ["4 1.0000 NaN", "16 0.7500 0.84", "32 0.5000 NaN"])
        script = results._plot_script(Path("/r"), "4 1 NaN", '"a" 1 2',
                                      16384)
        self.assertIn("set output '/r/fork.svg'", script)
        self.assertIn("gup_test -m 16384", script)
        self.assertIn("set output '/r/dax-gup.svg'", script)


class TapTest(unittest.TestCase):
    def test_counts(self):
        c = suites.tap_count("TAP version 13\nok 1 /a\nnot ok 2 /b\n"
                             "ok 3 /c # SKIP no kvm\n# ok 4 comment\n1..3\n")
        self.assertEqual((c.passed, c.failed, c.skipped), (1, 1, 1))


class TextTableTest(unittest.TestCase):
    """--full figures are wider than any fixed column: no cell may run
    into the next, in any table report.txt prints."""

    def cells(self, row):
        return re.split(r"\s{2,}", row.strip())

    def test_columns_grow_with_their_widest_cell(self):
        rows = texttable.table([["", "a", "b"], ["x", "1" * 40, "2"],
                                ["long label", "3", "4" * 30]])
        self.assertEqual([len(self.cells(r)) for r in rows[1:]], [3, 3])
        # right-aligned: every row's cells end at the same columns
        self.assertEqual({len(r) for r in rows}, {len(rows[2])})
        self.assertEqual(rows[1].index("1" * 40) + 40,
                         rows[0].index("a") + 1)

    def test_full_sized_figures_never_touch(self):
        big = [123456789 + i for i in range(10)]
        facts, gup = report.parse_smoke(smoke_output(big, big))
        text = report.render(facts, gup, {"qemu": "10.0.13"})
        rows = [r for r in text.splitlines()
                if r.strip().startswith(("THP o", "2048kB"))]
        self.assertEqual([len(self.cells(r)) for r in rows], [4, 4, 4])
        times = workload.parse_daxgup(daxgup_output(
            times={m: big for m in "uaL"}))[1]
        text = report.render_dax({("2M", "ram"): times})
        row = [r for r in text.splitlines() if "2M/ram" in r][0]
        self.assertEqual(len(self.cells(row)), 4)


if __name__ == "__main__":
    unittest.main()
