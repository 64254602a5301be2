# SPDX-License-Identifier: GPL-2.0-or-later
"""The host side of the contpte model: summaries, reports, bench table."""
import unittest
from unittest import mock

import contdax_path  # noqa: F401
from contdax import bench, contpte, machine
from contdax.ui import ContdaxError

KINDS = ("invalid", "no-cont-bit", "type", "oa-align", "oa-contig", "attr",
         "break-before-make", "fault-loop")


def stats(walks, contig=0, hits=0, **violations):
    return {"walks": walks, "contiguous-walks": contig, "groups-cached": 3,
            "group-hits": hits, "group-invalidations": 2,
            "group-evictions": 0, "conflict-aborts": 0,
            "violations": {k: violations.get(k.replace("-", "_"), 0)
                           for k in KINDS}}


class ContpteHostTest(unittest.TestCase):
    def test_violations_sum_every_kind(self):
        self.assertEqual(contpte.violations(stats(1)), 0)
        self.assertEqual(contpte.violations(
            stats(1, attr=2, break_before_make=1)), 3)

    def test_summary_names_mode_counts_and_kinds(self):
        line = contpte.summary("check", {"total": stats(10, 4, 7, attr=1)})
        self.assertEqual(
            line, "contpte check: 10 walks, 4 contiguous, 3 groups cached, "
            "7 hits, 2 invalidated; violations 1 (attr 1), conflict "
            "aborts 0")

    def test_a_fault_loop_is_what_stopped_the_guest(self):
        log = ("contpte: attr: VA 0x1000 ...\n"
               "contpte: fault-loop: VA 0x2000 descriptor 0x0 ...\n")
        self.assertEqual(contpte.stopping_report(log),
                         "contpte: fault-loop: VA 0x2000 descriptor 0x0 ...")
        self.assertIsNone(contpte.stopping_report(
            "contpte: attr: VA 0x1000 ...\n"))
        self.assertIsNone(contpte.stopping_report(""))

    def test_reports_keep_only_the_models_lines(self):
        log = ("virtio_mmio_write: attempt to write guest features\n"
               "contpte: attr: VA 0x1000 ...\n"
               "Invalid read at addr 0x0\n"
               "contpte: invalid: VA 0x2000 ...\n")
        self.assertEqual(contpte.reports(log),
                         ["contpte: attr: VA 0x1000 ...",
                          "contpte: invalid: VA 0x2000 ..."])

    def test_bench_ratios_and_verdicts(self):
        times = {"no-model": [10e6, 10e6, 8e6], "off": [10e6, 11e6, 9e6],
                 "on": [9e6] * 3, "check": [10.5e6] * 3,
                 "strict": [12e6] * 3}
        st = {"no-model": None, "off": stats(0),
              "on": stats(600, 100, 300), "check": stats(610, 100, 290),
              "strict": stats(605, 100, 295)}
        text = bench.render(times, st)
        rows = {line.split()[0]: line.split() for line in text.splitlines()}
        self.assertEqual(rows["no-model"][4], "1.000")
        self.assertEqual(rows["no-model"][6], "-")      # no walks counted
        # per round: 10/10, 11/10, 9/8 -> median 1.1, range 1.00-1.12
        self.assertEqual(rows["off"][4:7], ["1.100", "1.00-1.12",
                                            "no-model"])
        # on against off per round: 0.9, 0.818, 1.0 -> 0.9
        self.assertEqual(rows["on"][4], "0.900")
        self.assertEqual(rows["off"][7], "-")      # off counts nothing
        self.assertEqual(rows["on"][7:10], ["600", "100", "300"])
        self.assertIn("off: 1.100x no-model, OVER the 1.01 target", text)
        self.assertIn("check: 1.050x off, within the 1.10 target", text)
        self.assertIn("strict: 1.200x off, OVER the 1.10 target", text)
        cpu = {v: [20.0, 20.0, 20.0] for v in times}
        cpu["off"] = [20.2, 20.0, 20.4]
        text = bench.render(times, st, cpu)
        self.assertIn("off: 1.100x no-model (QEMU CPU time 1.010x, range "
                      "1.000-1.020), OVER the 1.01 target", text)

    def test_bench_only_some_variants(self):
        """--only off runs off and the QEMU it is measured against, and
        the table and verdicts speak of those alone."""
        self.assertEqual(bench.variants(["off"]), ("no-model", "off"))
        self.assertEqual(bench.variants(["strict"]),
                         ("no-model", "off", "strict"))
        self.assertEqual(bench.variants(), bench.VARIANTS)
        times = {"no-model": [10e6, 10e6], "off": [10e6, 10.2e6]}
        text = bench.render(times, {"no-model": None, "off": stats(0)})
        self.assertIn("off: 1.010x no-model", text)
        self.assertNotIn("strict", text)

    def test_bench_reads_mthp_stress_record(self):
        def guest(mismatches):
            out = ('{"record":"step","name":"mthp-stress","status":0,'
                   '"summary":""}\n{"record":"mthp_stress","mib":16,'
                   '"forks":50,"pins":50,"collapses":3,"mismatches":'
                   f'{mismatches},"elapsed_us":12343574}}\n')
            return mock.Mock(return_value=machine.Result(
                0, out.encode(), b"", "console.log", 1.0))
        art = mock.Mock()
        opts = machine.MachineOptions()
        with mock.patch.object(bench.machine, "execute", guest(0)):
            self.assertEqual(bench._one("qemu", art, opts, "off")[0],
                             12343574)
        with mock.patch.object(bench.machine, "execute", guest(2)), \
                self.assertRaisesRegex(ContdaxError, "failed under off"):
            bench._one("qemu", art, opts, "off")

if __name__ == "__main__":
    unittest.main()
