# SPDX-License-Identifier: GPL-2.0-or-later
"""contdax compare: every ratio of two runs side by side."""

import json
import os
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import contdax_path  # noqa: F401
from contdax import compare, results
from contdax.ui import ContdaxError


def line(thp_off, fork16):
    return {"smoke": {
        "thp_gup_us": {"T": {"summary": {"median": thp_off}},
                       "t": {"summary": {"median": 10}}},
        "fork_us": {"4": {"us": 100}, "16": {"us": fork16},
                    "32": {"us": 50}}}}


def report(**lines):
    return {"lines": lines}


class CompareTest(unittest.TestCase):
    def test_ratios_side_by_side_with_the_largest_difference(self):
        text = compare.render(report(**{"6.12": line(100, 80)}),
                              report(**{"6.12": line(120, 80),
                                        "7.3": line(1, 1)}))
        rows = {r.split("  ")[0]: r.split() for r in text.splitlines()}
        self.assertEqual(rows["Linux 6.12 THP gup off/on (x)"][-3:],
                         ["10", "12", "20.0%"])
        self.assertEqual(rows["Linux 6.12 fork 16kB vs 4K"][-3:],
                         ["0.8", "0.8", "0.0%"])
        self.assertEqual(rows["Linux 6.12 fork 32kB vs 4K"][-1], "0.0%")
        # a line only one run has is left out; so is what neither measured
        self.assertNotIn("7.3", text)
        self.assertNotIn("dax gup-fast", text)
        self.assertTrue(text.splitlines()[-1].endswith(
            "the largest difference: 20.0% (Linux 6.12 THP gup off/on (x))"),
            text)

    def test_no_common_line(self):
        with self.assertRaisesRegex(ContdaxError, "share no kernel line"):
            compare.render(report(**{"6.12": line(1, 1)}),
                           report(**{"7.3": line(1, 1)}))

    def test_loads_a_results_name_and_refuses_what_is_no_report(self):
        with tempfile.TemporaryDirectory() as tmp, \
                mock.patch.dict(os.environ, {"XDG_DATA_HOME": tmp}):
            run = results.root() / "20261201-000000"
            run.mkdir(parents=True)
            (run / "report.json").write_text(json.dumps(report(**{
                "6.12": line(1, 1)})))
            self.assertIn("6.12", compare.load(run.name)["lines"])
            self.assertIn("6.12", compare.load(str(run))["lines"])
            bad = Path(tmp) / "bad.json"
            bad.write_text("[1, 2]")
            with self.assertRaisesRegex(ContdaxError,
                                        "not a contdax run's report.json"):
                compare.load(bad)
            bad.write_text("{")
            with self.assertRaisesRegex(ContdaxError, "cannot read"):
                compare.load(bad)
            with self.assertRaisesRegex(ContdaxError, "cannot read"):
                compare.load(Path(tmp) / "missing")


if __name__ == "__main__":
    unittest.main()
