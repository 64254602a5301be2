# SPDX-License-Identifier: GPL-2.0-or-later
"""The arm64 DAX vmemmap deduplication ("arm64: select
ARCH_WANT_OPTIMIZE_DAX_VMEMMAP"), before and after, on one kernel: the
after is the compound A/B boot with memmap=ram (compound.py), the before
the same kernel booted with dax_vmemmap_optimize=off (the project's patch
"mm: dax_vmemmap_optimize= to measure the DAX vmemmap optimisation on one
kernel"), both read at compound=1."""

from dataclasses import replace
from typing import NamedTuple, Optional

from .. import published
from ..texttable import table
from ..ui import say
from . import compound, records
from .common import median, series_patch

SWITCH_PATCH_SUFFIX = \
    "-mm-dax_vmemmap_optimize-to-measure-the-DAX-vmemmap-o.patch"
OFF = "dax_vmemmap_optimize=off"


def has_switch(repo, line):
    """Whether line's series can turn the DAX vmemmap deduplication off
    at boot."""
    return series_patch(repo, line, SWITCH_PATCH_SUFFIX) is not None


class Dedup(NamedTuple):
    after: records.DaxBoot
    before: Optional[records.DaxBoot]   # None: the kernel has no switch


def run(art, opts, sizes, after=None):
    """(Dedup, problems); after: the compound A/B boot with memmap=ram if
    `run` made one already."""
    found = []
    if after is None:
        say("==> workloads: compound devmaps, memmap ram")
        after, f = compound.boot(art, opts, "ram", compound.ROUNDS, sizes)
        found += f + compound.problems("ram", *after)
    before = None
    if art.dedup_switch:
        say("==> workloads: compound devmaps, DAX vmemmap deduplication "
            f"off ({OFF})")
        before, f = compound.boot(art, replace(opts, kernel_args=(OFF,)),
                                  "ram", 1, sizes, 64)
        found += f + compound.problems("ram", before.facts, before.times,
                                       before.events, rounds=1, dedup=False)
    return Dedup(after, before), found


def render(dedup):
    """compound=1 binds of the same namespace with the deduplication off
    and on."""
    after, before = dedup
    if not before:
        return ("\n  arm64 DAX vmemmap deduplication (\"arm64: select "
                "ARCH_WANT_OPTIMIZE_DAX_VMEMMAP\"): no before (run with the "
                "project's own kernel to get one)")
    rows = [["", "without", "with", "ratio", "published hw"]]
    for name, key in (("memmap MiB per GiB (vmstat)", "memmap_pages"),
                      ("free memory drop MiB per GiB", "free_kb")):
        vals = [median(compound.per_gib(facts, events, key, 1))
                for facts, _, events in (before, after)]
        hw = published.MEMMAP_PER_TIB[0] / published.MEMMAP_PER_TIB[1] \
            if key == "memmap_pages" else None
        rows.append([f"  {name}", f"{vals[0]:.2f}", f"{vals[1]:.2f}",
                     f"{vals[0] / vals[1]:.1f}", f"{hw:.1f}" if hw else ""])
    return "\n".join(
        ["", "  arm64 DAX vmemmap deduplication (\"arm64: select "
         "ARCH_WANT_OPTIMIZE_DAX_VMEMMAP\"):",
         f"  compound=1, memmap=ram, 2M align, "
         f"{compound.namespace_gib({'ram': after})} "
         f"nvdimm-dax; without: the same kernel booted with {OFF}"]
        + table(rows))


def as_data(dedup):
    return {"with": compound.as_data(dedup.after),
            "without": compound.as_data(dedup.before)}
