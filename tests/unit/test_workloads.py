# SPDX-License-Identifier: GPL-2.0-or-later
"""The workloads' parsers, checks and tables, the report's figures and its
results directory, on canned guest records."""
import json
import os
import re
import subprocess
import tempfile
import unittest
from dataclasses import replace
from pathlib import Path
from unittest import mock

import contdax_path  # noqa: F401
from contdax import (cache, linux_lines, machine, report, results, suites,
                     texttable, workloads)
from contdax.workloads import (common, compound, daxgup, dedup, records,
                               selftests, smoke, strict)


def rec(kind, **fields):
    """One line of the guest's result protocol."""
    return json.dumps({"record": kind, **fields}, separators=(",", ":"))


def gup_lines(name, times, put=3, status=0):
    """What guest/record.sh's gup_run prints for one gup_test run."""
    return ([rec("gup", set=name, get_us=t, put_us=put) for t in times]
            + [rec("gup_run", set=name, status=status)])


def fork_lines(child_ok=1, allocs=64):
    return [rec("fork", size_kb=kb, repeats=5, fork_us=us, min=us - 5,
                max=us + 5, munmap_us=10,
                mthp_allocs=0 if kb == 4 else allocs, child_ok=child_ok)
            for kb, us in ((4, 1000), (16, 800), (32, 700), (64, 500),
                           (128, 450), (256, 400), (512, 350), (1024, 320),
                           (2048, 300))]


def smoke_output(times_t, times_T, release="6.12.117-contdax",
                 thp_faults=None, fork=None, contpte="y"):
    thp_faults = thp_faults or {"t": 256, "T": 0}
    lines = [rec("fact", release=release, page_size=4096,
                 mthp_sizes="16kB 32kB 64kB 128kB 2048kB", contpte=contpte)]
    for mode, times in (("t", times_t), ("T", times_T)):
        lines.append("TAP version 13")
        lines += gup_lines(mode, times)
        lines.append(rec("thp_faults", set=mode, faults=thp_faults[mode]))
    lines += fork_lines() if fork is None else fork
    return "\n".join(lines)


class RecordsTest(unittest.TestCase):
    def test_only_records_are_read(self):
        text = "\n".join([
            "[    1.0] a kernel message {\"record\": 1}",
            rec("fact", a=1), '{"record":"fact","b":2',     # cut short
            '{"record":["not", "a kind"]}', "  " + rec("fact", c="x"),
            '{"other":"json"}'])
        recs = records.parse(text)
        self.assertEqual(recs, [{"record": "fact", "a": 1},
                                {"record": "fact", "c": "x"}])
        self.assertEqual(records.facts(recs), {"a": "1", "c": "x"})

    def test_the_guest_shell_writes_records(self):
        # guest/record.sh as the workload scripts use it (the guest's
        # busybox ash and the host's sh agree on what it uses)
        script = (f". {contdax_path.REPO / 'guest/record.sh'}; record fact "
                  "n=42 neg=-3 zero=0 lead=007 dash=- empty= "
                  "text='a \"b\" \\c' tab=\"$(printf 'a\\tb')\"")
        out = subprocess.run(["sh", "-c", script], capture_output=True,
                             text=True, check=True).stdout
        self.assertEqual(records.parse(out), [{
            "record": "fact", "n": 42, "neg": -3, "zero": 0, "lead": "007",
            "dash": "-", "empty": "", "text": 'a "b" \\c', "tab": "ab"}])

    def test_gup_sets(self):
        recs = records.parse("\n".join(
            gup_lines("u/1", [5, 6]) + gup_lines("u/1", [7], status=2)
            + gup_lines("u/1", [8])))
        sets = records.gup_sets(recs)
        self.assertEqual(sets["u/1"]["get"], [5, 6, 7, 8])
        self.assertEqual(sets["u/1"]["status"], 2)


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
        res = smoke.parse(smoke_output([5] * 10, [50] * 10))
        self.assertEqual(res.facts["contpte"], "y")
        self.assertEqual(res.gup["t"]["get"], [5] * 10)
        self.assertEqual(res.gup["T"]["put"], [3] * 10)
        self.assertEqual(smoke.problems(res), [])
        text = smoke.render(res, "10.0.13", common.Sizes())
        self.assertIn("ratio off/on", text)
        self.assertIn("10.0", text)

    def test_gup_skip_is_a_problem(self):
        # gup_test exits 0 when it cannot open debugfs: no timings then.
        res = smoke.parse(smoke_output([], [50] * 10))
        self.assertEqual(smoke.problems(res),
                         ["gup_test -t did not report 10 timings"])

    def test_thp_must_serve_only_the_thp_run(self):
        out = smoke_output([5] * 10, [50] * 10,
                           thp_faults={"t": 0, "T": 3})
        found = smoke.problems(smoke.parse(out))
        self.assertEqual(found, ["no PMD THP faulted in during gup_test -t",
                                 "PMD THPs faulted in during gup_test -T"])

    def test_wrong_kernel_and_config(self):
        out = smoke_output([5] * 10, [50] * 10, release="6.1.0", contpte="")
        found = smoke.problems(smoke.parse(out))
        self.assertEqual(len(found), 2)

    def test_fork_table_and_checks(self):
        res = smoke.parse(smoke_output([5] * 10, [50] * 10))
        self.assertEqual(res.fork[64]["fork_us"], 500)
        self.assertEqual(smoke.as_data(res)["fork_us"][64]["us"], 500)
        text = smoke.render(res, "10.0.13", common.Sizes())
        row = [r for r in text.splitlines() if r.strip().startswith("64kB")]
        self.assertEqual(row[0].split()[-3:], ["0.50", "[0.49..0.51]",
                                               "0.74"])
        out = smoke_output([5] * 10, [50] * 10,
                           fork=fork_lines(child_ok=0)[:8])
        found = smoke.problems(smoke.parse(out))
        self.assertIn("forkbench 16kB: the child saw wrong data", found)
        self.assertIn("forkbench reported nothing for 2048kB", found)
        out = smoke_output([5] * 10, [50] * 10, fork=fork_lines(allocs=0))
        self.assertIn("forkbench 64kB: no mTHP of that size",
                      smoke.problems(smoke.parse(out)))


def daxgup_output(align=2097152, times=None, modes="uaL"):
    lines = [rec("fact", dax_align=align, dax_size=1054867456)]
    for m in modes:
        lines += gup_lines(m, (times or {}).get(m, [100] * 10), put=1)
    return "\n".join(lines)


class DaxReportTest(unittest.TestCase):
    def test_parse_and_accept(self):
        boot = records.dax_boot(daxgup_output())
        self.assertEqual(boot.times["a"]["get"], [100] * 10)
        self.assertEqual(daxgup.problems("2M", "ram", boot), [])

    def test_wrong_align_and_missing_mode(self):
        boot = records.dax_boot(daxgup_output(4096, modes="ua"))
        found = daxgup.problems("2M", "ram", boot)
        self.assertEqual(len(found), 2, found)
        self.assertIn("align is 4096, not 2097152", found[0])
        self.assertIn("gup_test -L did not report 10 timings", found[1])

    def test_ratio_rows(self):
        small = records.dax_boot(daxgup_output(
            4096, {m: [900] * 10 for m in "uaL"}))
        big = records.dax_boot(daxgup_output())
        text = daxgup.render({("2M", "ram"): big, ("4K", "ram"): small},
                             common.Sizes())
        row = [r for r in text.splitlines() if "4K/2M ram" in r][0]
        # each ratio with its spread: the fake timings do not vary
        self.assertEqual(row.split()[-6:], ["9.0", "[9.0..9.0]"] * 3)
        self.assertIn("9.7", text)      # published: 59 -> 6.1 ms

    def test_bringup_rows(self):
        out = daxgup_output() + "\n" + "\n".join(
            [rec("fact", ready_s="3.52", page_size=4096, ns_size=1 << 30,
                 dax_size=(1 << 30) - (18 << 20)),
             rec("unbind", compound=1, memmap_pages=1024),
             rec("bind", compound=1, bind_us=30000, memmap_pages=1024,
                 free_kb=4100),
             rec("unbind", compound=1, memmap_pages=1024),
             rec("bind", compound=1, bind_us=10000, memmap_pages=1024,
                 free_kb=4090)])
        text = daxgup.render({("2M", "ram"): records.dax_boot(out)},
                             common.Sizes())
        row = text.splitlines()[-3]
        self.assertEqual(row.split(), ["2M/ram", "3.52", "20.0",
                                       "[10.0..30.0]",
                                       "4.00", "4.00", "18.00"])


# 1G nvdimm, 2M align, memmap=ram, 4K pages: struct pages for all of it
NS_SIZE = 1 << 30
FULL, DEDUP = NS_SIZE // 4096 * 64 // 4096, 2 * (NS_SIZE >> 21)


DAX_FACTS = rec("fact", page_size=4096, dax_align=2097152,
               dax_size=NS_SIZE - (2 << 20), ns_size=NS_SIZE)


def daxcompound_output(rounds=2, pages=(FULL, DEDUP), gave=None,
                       warnings=0, us=(900, 100)):
    lines = [DAX_FACTS]
    last = pages[1]
    for _ in range(rounds):
        for c in (0, 1):
            lines.append(rec("unbind", compound=1 - c, memmap_pages=last
                             if gave is None else gave))
            lines.append(rec("bind", compound=c, bind_us=5000,
                             memmap_pages=pages[c],
                             free_kb=pages[c] * 4 + 40))
            last = pages[c]
            for m in "ua":
                lines += gup_lines(f"{m}/{c}", [us[c]] * 10, put=1)
    lines.append(rec("fact", kernel_warnings=warnings))
    return "\n".join(lines)


def no_switch_output(rounds=2, pages=DEDUP):
    """daxcompound.sh on a kernel without the compound switch (7.x):
    compound pages only."""
    lines = [DAX_FACTS, rec("fact", compound_switch=0)]
    for _ in range(rounds):
        lines.append(rec("unbind", compound=1, memmap_pages=pages))
        lines.append(rec("bind", compound=1, bind_us=5000,
                         memmap_pages=pages, free_kb=pages * 4 + 40))
        for m in "ua":
            lines += gup_lines(f"{m}/1", [100] * 10, put=1)
    lines.append(rec("fact", kernel_warnings=0))
    return "\n".join(lines)


class LinesReportTest(unittest.TestCase):
    def test_no_switch_checks_compound_pages_only(self):
        facts, times, events = records.dax_boot(no_switch_output())
        self.assertEqual(compound.settings(facts), (1,))
        self.assertEqual(compound.problems("ram", facts, times, events,
                                         rounds=2), [])
        # without the dedup patch there, compound pages cost it all
        found = compound.problems("ram", *records.dax_boot(no_switch_output(
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
        res = smoke.Smoke({"release": "7.3.4-contdax"}, {}, {})
        self.assertIn("is not 6.12.x", smoke.problems(res, "6.12")[0])
        self.assertFalse([p for p in smoke.problems(res, "7.3")
                          if "release" in p])

    def test_figures_side_by_side(self):
        def line(with_pages, gup_on):
            with_ = compound.as_data(records.dax_boot(no_switch_output(
                pages=with_pages)))
            without = compound.as_data(records.dax_boot(no_switch_output(
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
        facts, times, events = records.dax_boot(daxcompound_output())
        self.assertEqual(FULL // DEDUP, 4)
        self.assertEqual(compound.expected_memmap_pages(facts, 0), FULL)
        self.assertEqual(compound.expected_memmap_pages(facts, 1), DEDUP)
        self.assertEqual(len(times["a/1"]["get"]), 20)
        self.assertEqual([(e["kind"], e["compound"]) for e in events[:4]],
                         [("unbind", 1), ("bind", 0), ("unbind", 0),
                          ("bind", 1)])
        self.assertEqual(compound.problems("ram", facts, times, events,
                                         rounds=2), [])

    def test_no_dedup_is_a_problem(self):
        # an unpatched kernel: compound=1 costs the full struct page array
        out = daxcompound_output(pages=(FULL, FULL))
        found = compound.problems("ram", *records.dax_boot(out), rounds=2)
        self.assertEqual(found, [f"dax compound A/B (ram): compound=1 took "
                                 f"[{FULL}] memmap pages, not {DEDUP}"])

    def test_hot_remove_must_give_back_what_bind_took(self):
        out = daxcompound_output(gave=7, warnings=1)
        found = compound.problems("ram", *records.dax_boot(out), rounds=2)
        self.assertIn("the kernel logged 1 warnings", found[0])
        self.assertEqual(len(found), 1 + 3, found)   # 3 unbinds after binds
        self.assertIn("unbind gave back 7 memmap pages", found[1])

    def test_missing_rounds(self):
        out = daxcompound_output(rounds=1)
        found = compound.problems("ram", *records.dax_boot(out), rounds=2)
        self.assertIn("1 binds with compound=0, not 2", found[0])

    def test_the_before_is_the_same_kernel_booted_with_dedup_off(self):
        opts = machine.MachineOptions()
        self.assertNotIn(dedup.OFF, machine.kernel_cmdline(opts, "x"))
        line = machine.kernel_cmdline(
            replace(opts, kernel_args=(dedup.OFF,)), "eA==")
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
        self.assertEqual(compound.problems("ram", *records.dax_boot(out), rounds=1,
                                         dedup=False), [])
        found = compound.problems("ram", *records.dax_boot(daxcompound_output(
            rounds=1)), rounds=1, dedup=False)
        self.assertIn(f"compound=1 took [{DEDUP}] memmap pages, not {FULL}",
                      found[0])

    def test_dedup_table(self):
        after = records.dax_boot(daxcompound_output())
        before = records.dax_boot(daxcompound_output(rounds=1,
                                                 pages=(FULL, FULL)))
        text = dedup.render(dedup.Dedup(after, before))
        row = [r for r in text.splitlines() if "memmap MiB per GiB" in r][0]
        self.assertEqual(row.split()[-4:], ["16.00", "4.00", "4.0", "4.0"])
        self.assertIn("no before", dedup.render(dedup.Dedup(after, None)))

    def test_full_fits_the_host(self):
        # 24 GiB hosts: the namespace (touched whole by gup_test) and the
        # guest, with room left for QEMU and the host
        full = common.FULL
        self.assertLessEqual(full.nvdimm + (int(full.mem[:-1]) << 30),
                             22 << 30)
        # gup_test -m fits in the namespace beside its reserve
        self.assertLess(full.dax_mb << 20, full.nvdimm - (512 << 20))
        # "mm: Batch-copy PTE ranges during fork()" forks 1 GiB
        self.assertEqual(full.fork_mb, 1024)

    def test_run_only(self):
        # the mm selftest suite only when asked for
        self.assertEqual(workloads.selected(None),
                         [n for n in workloads.NAMES if n != "selftests"])
        self.assertEqual(workloads.selected(["dedup", "smoke"]),
                         ["smoke", "dedup"])
        self.assertEqual(workloads.selected(["selftests"]), ["selftests"])

    def test_table(self):
        parsed = records.dax_boot(daxcompound_output())
        text = compound.render({"ram": parsed})
        row = [r for r in text.splitlines() if "memmap MiB per GiB" in r][0]
        self.assertEqual(row.split()[-3:], ["4.0", "[4.0..4.0]", "4.0"])
        row = [r for r in text.splitlines() if "pin_user_pages_fast" in r][0]
        self.assertEqual(row.split()[-3:], ["9.0", "[9.0..9.0]", "14.0"])


def stats(violations=0, contiguous=5):
    return {"total": {"walks": 10, "contiguous-walks": contiguous,
                      "groups-cached": 1, "group-hits": 2,
                      "group-invalidations": 1, "conflict-aborts": 0,
                      "violations": {"oa-contiguity": violations}}}


class StrictReportTest(unittest.TestCase):
    OUT = "\n".join([
        rec("step", name="cow", status=0, summary="# Totals: pass:10 fail:0"),
        rec("step", name="gup_longterm", status=0,
            summary="# Totals: pass:4 fail:0"),
        rec("mthp_stress", mib=8, iterations=120, threads=2, forks=3,
            pins=4, gup_test=1, collapses=1, mismatches=0, elapsed_us=9),
        rec("step", name="mthp-stress", status=0, summary=""),
        daxgup_output()])

    def test_clean_run(self):
        res = strict.parse(self.OUT, stats())
        self.assertEqual(res.steps["cow"], (0, "# Totals: pass:10 fail:0"))
        self.assertEqual(res.stress["forks"], 3)
        self.assertEqual(strict.problems(res), [])
        text = strict.render(res)
        self.assertIn("violations 0", text)
        self.assertIn("3 forks, 4 pins, 1 collapses, mismatches 0", text)

    def test_violation_failure_and_silence(self):
        out = self.OUT.replace('"name":"cow","status":0',
                               '"name":"cow","status":1')
        found = strict.problems(strict.parse(out, stats(3, 0)))
        self.assertEqual(found, ["strict: cow exited with status 1",
                                 "strict: 3 violations, 0 conflict aborts",
                                 "strict: the model saw no contiguous "
                                 "group"])
        self.assertIn("strict: no counters from the contpte model",
                      strict.problems(strict.parse(out, None)))
        out = out.replace('"mismatches":0', '"mismatches":5')
        self.assertIn("strict: mthp-stress found 5 mismatched words",
                      strict.problems(strict.parse(out, stats())))


def vmtest(cmd, body, verdict, n):
    """One run_test of run_vmtests.sh, TAP prefix on, as it prints it."""
    title = f"running {cmd}"
    out = [f"# {'-' * len(title)}", f"# {title}", f"# {'-' * len(title)}"]
    out += [f"# {line}" for line in body]
    out.append(f"# [{verdict}]")
    name = cmd.replace("bash ./", "").replace("./", "")
    out.append({"PASS": f"ok {n} {name}", "SKIP": f"ok {n} {name} # SKIP",
                "FAIL": f"not ok {n} {name} # exit=1"}[verdict])
    return out


def vmtests_output(cow_fails=False):
    """run_vmtests.sh's output: a plain pass, kselftest cases with skips
    (one failing if cow_fails), a whole-program skip with and without a
    plan line, a test the runner skips itself, the summary."""
    cow = ["TAP version 13", "# [INFO] detected THP size: 2048 KiB",
           "1..5", "# [RUN] Basic COW after fork() ... with base page",
           "ok 1 No leak from parent into child",
           "ok 2 No leak from child into parent",
           f"{'not ok' if cow_fails else 'ok'} 3 R/O-mapping a page "
           "registered as iouring fixed buffer",
           "ok 4 # SKIP need more free huge pages",
           "ok 5 # SKIP need more free huge pages",
           "# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:2 error:0"]
    lines = ["TAP version 13"]
    lines += vmtest("./hugepage-mmap", ["Returned address is 0xffff"],
                    "PASS", 1)
    lines += vmtest("./cow", cow, "FAIL" if cow_fails else "PASS", 2)
    lines += vmtest("bash ./test_vmalloc.sh smoke",
                    ["./test_vmalloc.sh: You must have the following "
                     "enabled in your kernel:", "CONFIG_TEST_VMALLOC=m"],
                    "SKIP", 3)
    lines += vmtest("./memfd_secret", ["TAP version 13", "1..0 # SKIP "
                    "memfd_secret is not supported"], "SKIP", 4)
    lines += ["# SKIP ./on-fault-limit"]
    lines += vmtest("bash ./va_high_addr_switch.sh", [], "SKIP", 5)
    lines += vmtest("./khugepaged", ["Run test: ...ok"], "PASS", 6)
    lines += vmtest("./khugepaged -s 2", ["Run test: ...ok"], "PASS", 7)
    fails = 1 if cow_fails else 0
    lines += [f"# SUMMARY: PASS={4 - fails} SKIP=3 FAIL={fails}", "1..7"]
    return "\n".join(lines)


class SelftestsReportTest(unittest.TestCase):
    def test_parse(self):
        suite = selftests.parse(vmtests_output(), stats())
        self.assertEqual(list(suite.tests), [
            "hugepage-mmap", "cow", "test_vmalloc.sh smoke", "memfd_secret",
            "on-fault-limit", "va_high_addr_switch.sh", "khugepaged",
            "khugepaged -s 2"])
        cow = suite.tests["cow"]
        self.assertEqual((cow.status, cow.passed, cow.failed, cow.skipped),
                         ("pass", 3, 0, 2))
        self.assertEqual(cow.reasons(), [("need more free huge pages", 2)])
        self.assertEqual(suite.tests["memfd_secret"].reasons(),
                         [("memfd_secret is not supported", 1)])
        # no plan line: the test's last words are its reason
        self.assertEqual(suite.tests["test_vmalloc.sh smoke"].reasons(),
                         [("CONFIG_TEST_VMALLOC=m", 1)])
        self.assertIn("sudo", suite.tests["on-fault-limit"].reasons()[0][0])
        # silent, but known
        self.assertIn("52-bit VA", suite.tests[
            "va_high_addr_switch.sh"].reasons()[0][0])
        self.assertEqual(suite.summary, (4, 3, 0))

    def test_skip_reasons_said_before_the_case(self):
        # 7.3's cow skips with the case's title (log_test_result()) after
        # printing why; uffd-unit-tests puts the reason in parentheses
        swap = "MADV_PAGEOUT did not work, is swap enabled?"
        cow = ["TAP version 13", "1..4",
               "# [RUN] Basic COW ... with swapped out base page",
               f"# {swap}",
               "ok 1 # SKIP Basic COW ... with swapped out base page",
               "# [RUN] Basic COW ... with swapped-out THP (2048 kB)",
               f"# {swap}",
               "ok 2 # SKIP Basic COW ... with swapped-out THP (2048 kB)",
               "# [RUN] Basic COW ... with base page",
               "ok 3 # SKIP Basic COW ... with base page",
               "# [RUN] Basic COW ... with hugetlb (1048576 kB)",
               "ok 4 # SKIP need more free huge pages"]
        uffd = ["ok 1 # SKIP wp-fork on anon (feature missing)",
                "ok 2 # SKIP wp-fork on shmem (feature missing)",
                "ok 3 # SKIP rwp-swap-cow on anon (MADV_PAGEOUT did not "
                "swap the page; is swap enabled?)"]
        suite = selftests.parse("\n".join(
            vmtest("./cow", cow, "PASS", 1)
            + vmtest("./uffd-unit-tests", uffd, "PASS", 2)
            + vmtest("./thuge-gen", ["ok 1 # SKIP mmap (2048 kB)"],
                     "PASS", 3)))
        self.assertEqual(suite.tests["cow"].reasons(), [
            (swap, 2), ("no reason printed", 1),
            ("need more free huge pages", 1)])
        self.assertEqual(suite.tests["uffd-unit-tests"].reasons(), [
            ("feature missing", 2),
            ("MADV_PAGEOUT did not swap the page; is swap enabled?", 1)])
        # only uffd-unit-tests' parentheses are a reason
        self.assertEqual(suite.tests["thuge-gen"].reasons(),
                         [("mmap (2048 kB)", 1)])

    def test_side_by_side_and_findings(self):
        both = {"off": selftests.parse(vmtests_output(), stats()),
                "strict": selftests.parse(vmtests_output(), stats())}
        self.assertEqual(selftests.problems(both), [])
        text = selftests.render(both)
        row = [r for r in text.splitlines() if r.strip().startswith("cow")]
        self.assertEqual(row[0].split(), ["cow", "pass", "pass", "3/0/2"])
        self.assertIn("cow: skip x2: need more free huge pages", text)
        # a pass that means nothing here says so; its skip needs no word
        self.assertNotIn("a pass of nothing", text)
        hollow = selftests.parse("\n".join(vmtest(
            "bash ./test_vmalloc.sh smoke", ["Done."], "PASS", 1)))
        self.assertIn("test_vmalloc.sh smoke: a pass of nothing",
                      selftests.render({"off": hollow, "strict": hollow}))
        self.assertNotIn("(strict)", text)
        self.assertIn("passes under off, fails under strict: none", text)

        both["strict"] = selftests.parse(vmtests_output(cow_fails=True),
                                         stats(2))
        found = selftests.problems(both)
        self.assertEqual(found, [
            "selftests: cow passes under --contpte off and fails under "
            "strict", "selftests under strict: 2 violations, 0 conflict "
            "aborts"])
        text = selftests.render(both)
        self.assertIn("cow (strict): FAIL: R/O-mapping a page registered "
                      "as iouring fixed buffer", text)
        self.assertIn("passes under off, fails under strict: cow", text)

    def test_two_numa_nodes_share_ram_and_vcpus(self):
        args = selftests.two_nodes(machine.MachineOptions(smp=4, mem="2G"))
        self.assertEqual(args[1::2], [
            "memory-backend-ram,id=numa0,size=1073741824",
            "node,nodeid=0,memdev=numa0,cpus=0-1",
            "memory-backend-ram,id=numa1,size=1073741824",
            "node,nodeid=1,memdev=numa1,cpus=2-3"])
        # one vCPU: the second node has memory only
        args = selftests.two_nodes(machine.MachineOptions(smp=1, mem="512"))
        self.assertEqual(args[3], "node,nodeid=0,memdev=numa0,cpus=0-0")
        self.assertEqual(args[7], "node,nodeid=1,memdev=numa1")
        self.assertIn("size=268435456", args[5])

    def test_an_unfinished_run_is_a_problem(self):
        cut = vmtests_output().split("# running ./khugepaged -s 2")[0]
        both = {"off": selftests.parse(vmtests_output(), stats()),
                "strict": selftests.parse(cut, stats())}
        self.assertEqual(selftests.problems(both), [
            "selftests under strict: run_vmtests.sh did not finish (no "
            "SUMMARY line)"])
        both["strict"] = selftests.parse(cut + "# running ./khugepaged -s 2"
                                         "\n# Run test:", stats())
        self.assertIn("selftests under strict: no verdict for khugepaged "
                      "-s 2", selftests.problems(both))


def dax_output(align):
    """daxgup.sh on a 1G namespace of this align: facts, the bring-ups,
    the gup modes."""
    per = 4096 if align == "4K" else 2 << 20
    events = []
    for _ in range(daxgup.BINDS):
        events += [rec("unbind", compound=1, memmap_pages=DEDUP),
                   rec("bind", compound=1, bind_us=5000, memmap_pages=DEDUP,
                       free_kb=DEDUP * 4)]
    return "\n".join([rec("fact", ready_s="2.5", page_size=4096,
                           ns_size=NS_SIZE, dax_size=NS_SIZE - (2 << 20))]
                      + events + [daxgup_output(per, {
                          m: [100 if per > 4096 else 900] * 10
                          for m in "uaL"})])


class FakeGuest:
    """machine.execute for report.run: each workload's command answers
    with canned records."""

    def __init__(self):
        self.commands = []

    def __call__(self, qemu, kernel, initrd, command, opts, stream=True):
        self.commands.append((command, opts))
        if command.startswith("smoke.sh"):
            # the fake kernels' images are their lines' names
            out = smoke_output([5] * 10, [50] * 10,
                               release=f"{kernel}.1-contdax")
        elif command.startswith("daxgup.sh"):
            out = dax_output(opts.nvdimm.align)
        elif command.startswith("daxcompound.sh") and opts.kernel_args:
            out = daxcompound_output(rounds=1, pages=(FULL, FULL))
        elif command.startswith("daxcompound.sh"):
            out = daxcompound_output(rounds=compound.ROUNDS)
        elif command == selftests.COMMAND:
            out = vmtests_output()
        else:
            out = StrictReportTest.OUT
        res = machine.Result(0, out.encode(), b"", "console.log", 1.0)
        res.contpte = stats() if opts.contpte else None
        return res


class RunTest(unittest.TestCase):
    """report.run only orchestrates: every workload's result reaches
    report.txt, report.json, the side-by-side table and the charts."""

    def test_every_workload_on_two_lines(self):
        class Art:
            def __init__(self, name):
                self.line = linux_lines.get(name)
                self.qemu = mock.Mock()
                self.kernel = mock.Mock(image=name)
                self.initrd = None
                self.dedup_switch = True
                self.compound_switch = name == "6.12"
        guest = FakeGuest()
        arts = {n: Art(n) for n in ("6.12", "7.3")}
        with tempfile.TemporaryDirectory() as tmp, \
                mock.patch.dict(os.environ, {"XDG_DATA_HOME": tmp,
                                             "XDG_CACHE_HOME": tmp}), \
                mock.patch.object(machine, "execute", guest), \
                mock.patch.object(report.sources, "qemu_version",
                                  return_value="10.0.13"), \
                mock.patch.object(results, "write") as write, \
                mock.patch("sys.stdout"):
            rc = report.run(arts, machine.MachineOptions(), workloads.NAMES,
                            {"qemu": "10.0.13"}, common.Sizes())
        self.assertEqual(rc, 0, write.call_args)
        where, text, data, fork, published_fork, bars, dax_mb = \
            write.call_args.args
        # 6.12: smoke, 4 daxgup, 2 compound, 1 dedup before, strict,
        # selftests off and strict; 7.3 has no compound switch: its dedup
        # boots its own after
        self.assertEqual(len(guest.commands), 11 + 10)
        # the timed workloads count instructions; strict and the
        # selftests, which time nothing, run in parallel
        for command, opts in guest.commands:
            self.assertEqual(opts.icount, opts.contpte != "strict" and
                             command != selftests.COMMAND, command)
        # the suite's machine: 6G on two NUMA nodes, the linear map in
        # pages for memfd_secret, four vCPUs for migration's threads,
        # an hour and a half for the suite
        suite = [o for c, o in guest.commands if c == selftests.COMMAND]
        self.assertEqual([o.contpte for o in suite], ["off", "strict"] * 2)
        for o in suite:
            self.assertEqual((o.mem, o.smp, o.kernel_args, o.timeout),
                             ("6G", 4, ("rodata=full",
                                        "proc_mem.force_override=always"),
                              5400))
            self.assertEqual(o.qemu_args.count("-numa"), 2)
            self.assertIn("node,nodeid=1,memdev=numa1,cpus=2-3",
                          o.qemu_args)
            self.assertEqual("-icount" in machine.base_args(
                "qemu", "Image", "initrd", opts), opts.icount)
        self.assertIn("Both kernel lines side by side", text)
        self.assertIn("compound devmaps off/on: none on Linux 7.3", text)
        line = data["lines"]["6.12"]
        self.assertEqual(set(line), {
            "workloads", "clock", "smoke", "daxgup", "bringup", "daxgup_published_ms",
            "compound", "dedup", "devmap_published", "strict", "selftests",
            "problems"})
        self.assertEqual(line["selftests"]["strict"]["tests"]["cow"][
            "skips"], {"need more free huge pages": 2})
        # the whole output of each run is kept in a log, and named
        kept = Path(line["selftests"]["strict"]["output"])
        self.assertEqual((kept.parent.name, kept.name[:22]),
                         ("logs", "selftests-6.12-strict-"))
        self.assertIn(f"strict: {kept}", text)
        self.assertNotIn("compound", data["lines"]["7.3"])
        self.assertEqual(data["figures"]["6.12"]["THP gup off/on (x)"], 10.0)
        self.assertEqual(
            data["figures"]["7.3"]["dax gup-fast 4K/2M ram (x)"], 9.0)
        self.assertEqual(data["figures"]["6.12"]["memmap MiB/GiB, dedup"],
                         4.0)
        self.assertEqual(fork, line["smoke"]["fork_us"])
        self.assertEqual(bars, report.gup_bars(line))
        self.assertEqual(len(bars), 4 + 2 * 2)


class ResultsTest(unittest.TestCase):
    def test_json_and_text_without_charts(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            results.write(out, "table", {"versions": {"qemu": "10.0.13"}})
            self.assertEqual((out / "report.txt").read_text(), "table\n")
            data = json.loads((out / "report.json").read_text())
            self.assertEqual(data["versions"]["qemu"], "10.0.13")
            self.assertEqual(list(out.glob("*.svg")), [])

    def test_charts_are_drawn_from_report_json(self):
        boots = {("2M", "ram"): records.dax_boot(daxgup_output()),
                 ("4K", "ram"): records.dax_boot(daxgup_output(
                     4096, {m: [900] * 10 for m in "uaL"}))}
        data = dict(daxgup.as_data(boots), compound={
            "ram": compound.as_data(records.dax_boot(daxcompound_output()))})
        data = json.loads(json.dumps(data))     # as report.json holds it
        self.assertEqual(report.gup_bars(data), [
            ("2M ram", 100, 100), ("4K ram", 900, 900),
            ("2M ram compound=0", 900, 900),
            ("2M ram compound=1", 100, 100)])

    def test_chart_data(self):
        fork = {4: {"us": 200}, 16: {"us": 150}, 32: {"us": 100}}
        self.assertEqual(results._fork_data(fork, {16: 0.84}).splitlines(),
                         ["4 1.0000 NaN", "16 0.7500 0.84", "32 0.5000 NaN"])
        script = results._plot_script(Path("/r"), "4 1 NaN", '"a" 1 2',
                                      16384)
        self.assertIn("set output '/r/fork.svg'", script)
        self.assertIn("gup_test -m 16384", script)
        self.assertIn("set output '/r/dax-gup.svg'", script)


class RatioSpanTest(unittest.TestCase):
    def test_bounds_are_the_extreme_pairs(self):
        self.assertEqual(common.ratio_span([10, 12, 20], [2, 4, 5]),
                         "3.0 [2.0..10.0]")
        self.assertEqual(common.ratio_span([], [1]), "-")
        self.assertEqual(common.ratio_span([1], [0]), "-")


class TapTest(unittest.TestCase):
    def test_counts(self):
        c = suites.tap_count("TAP version 13\nok 1 /a\nnot ok 2 /b\n"
                             "ok 3 /c # SKIP no kvm\n# ok 4 comment\n1..3\n")
        self.assertEqual((c.passed, c.failed, c.skipped), (1, 1, 1))

    def test_meson_testlog(self):
        """QEMU's meson test: TAP counted per program; a timeout without a
        failed case, and a program that never ran, are failures."""
        names = ["qtest-aarch64/a-test", "qtest-aarch64/b-test",
                 "qtest-aarch64/c-test"]
        records = [
            {"name": "qemu:qtest+qtest-aarch64 / qtest-aarch64/a-test",
             "result": "OK", "stdout": "ok 1 /a\nok 2 /b # SKIP x\n"},
            {"name": "qemu:qtest+qtest-aarch64 / qtest-aarch64/b-test",
             "result": "TIMEOUT", "stdout": "ok 1 /a\n"},
        ]
        with mock.patch("sys.stdout"):
            c = suites.meson_test_count(records, names, 1)
        self.assertEqual((c.passed, c.failed, c.skipped), (2, 2, 1))
        with mock.patch("sys.stdout"):
            c = suites.meson_test_count(records[:1], names[:1], 0)
        self.assertEqual((c.passed, c.failed, c.skipped), (1, 0, 1))
        with mock.patch("sys.stdout"):
            c = suites.meson_test_count([], names[:1], 2)
        self.assertEqual(c.failed, 1)


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
        text = smoke.render(smoke.parse(smoke_output(big, big)), "10.0.13",
                            common.Sizes())
        rows = [r for r in text.splitlines()
                if r.strip().startswith(("THP o", "2048kB"))]
        self.assertEqual([len(self.cells(r)) for r in rows], [4, 4, 4])
        boot = records.dax_boot(daxgup_output(times={m: big for m in "uaL"}))
        text = daxgup.render({("2M", "ram"): boot}, common.Sizes())
        row = [r for r in text.splitlines() if "2M/ram" in r][0]
        self.assertEqual(len(self.cells(row)), 4)


if __name__ == "__main__":
    unittest.main()
