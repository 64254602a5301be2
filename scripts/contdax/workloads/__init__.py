# SPDX-License-Identifier: GPL-2.0-or-later
"""The workloads `contdax run` reports, one module each: its guest
command, a parser from the guest's records (records.py) into a typed
result, its checks (problems), its table (render) and its report.json
part (as_data).  report.py only runs them and gathers what they give.

  smoke     THP gup and fork per mTHP size, one boot
  daxgup    device-dax gup and bring-up, one boot per configuration
  compound  compound devmaps off and on, one boot per memmap
  dedup     the DAX vmemmap deduplication's before and after
  strict    cow, gup_longterm, mthp-stress, device-dax gup, strict model
  selftests the kernel's mm selftest suite under contpte off and strict
            (only when asked for: two runs of the suite are long)
"""

NAMES = ("smoke", "daxgup", "compound", "dedup", "strict", "selftests")
DEFAULT = NAMES[:-1]


def selected(only):
    """run --only NAME ...: those workloads; DEFAULT without --only."""
    return [w for w in NAMES if w in (only or DEFAULT)]
