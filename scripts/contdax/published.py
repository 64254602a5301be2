# SPDX-License-Identifier: GPL-2.0-or-later
"""The published hardware figures (published.toml), read once: the one
place they are written down, with the work each comes from."""

import tomllib
from pathlib import Path

_DATA = tomllib.loads((Path(__file__).with_name("published.toml"))
                      .read_text())

# "mm/gup: Accelerate thp gup even for "pages != NULL"": us per THP mode
THP_GUP = _DATA["thp_gup"]["us"]
# "mm: Batch-copy PTE ranges during fork()": ratio to 4K per size in kB
FORK = {int(kb): r for kb, r in _DATA["fork"]["ratio_to_4k"].items()}
# compound devmaps v4: (before, after) ms per (gup mode, memmap)
DEVMAP_GUP = {tuple(k.split("/")): tuple(v)
              for k, v in _DATA["devmap"]["gup_ms"].items()}
MEMMAP_PER_TIB = tuple(_DATA["devmap"]["memmap_mib_per_tib"])
BRINGUP_MS_128G = tuple(_DATA["devmap"]["bringup_ms_128g"])


def as_data():
    """Every figure with its source, for report.json."""
    return _DATA
