# SPDX-License-Identifier: GPL-2.0-or-later
"""What every workload shares: the run's sizes, the statistics its tables
print, gup_test's repeat count, the project patches a workload needs, and
scratch backing files."""

import os
import statistics
from dataclasses import dataclass

from .. import cache, machine, patches

# gup_test runs each benchmark this many times (the guest scripts' -r)
GUP_TIMINGS = 10


@dataclass(frozen=True)
class Sizes:
    """The inputs of one run: scaled to the guest by default."""
    gup_mb: int = 512           # the THP gup acceleration patch's own -m 512
    fork_mb: int = 64           # the fork batch-copy patch: 1 GiB
    nvdimm: int = 16 << 30      # compound devmaps v4: 16G and 128G namespaces
    dax_mb: int = 256           # compound devmaps v4: -m 16384
    mem: str = "2G"


# --full: the published benchmarks' own sizes as far as 24 GiB of host
# memory allows: a 17G namespace holds compound devmaps v4's 16G
# gup_test -m 16384 next to its info
# block and memmap=dev reserve, beside a 4G guest (and a 1 GiB fork)
FULL = Sizes(fork_mb=1024, nvdimm=17 << 30, dax_mb=16384, mem="4G")


def median(values):
    return statistics.median(values) if values else float("nan")


def span(values, fmt="{:.0f}"):
    """median [min..max] of values, or - for none."""
    if not values:
        return "-"
    return (f"{fmt.format(median(values))} "
            f"[{fmt.format(min(values))}..{fmt.format(max(values))}]")


def ratio_span(a, b, fmt="{:.1f}"):
    """a's median over b's, with its spread: [lowest..highest] that any
    value of a over any value of b gives; - if either has no values."""
    if not a or not b or not min(b) or not median(b):
        return "-"
    return (f"{fmt.format(median(a) / median(b))} "
            f"[{fmt.format(min(a) / max(b))}..{fmt.format(max(a) / min(b))}]")


def summary(values):
    """median, min, max and count of values for report.json, or None."""
    if not values:
        return None
    return {"median": median(values), "min": min(values),
            "max": max(values), "n": len(values)}


def short_timings(times, modes, want=GUP_TIMINGS):
    """The gup_test modes that failed or did not give want timings."""
    return [m for m in modes if not times.get(m) or times[m]["status"]
            or len(times[m]["get"]) != want]


def scratch_path(name):
    """A report backing file of this process's: concurrent runs must not
    format or remove each other's."""
    d = cache.root() / "nvdimm"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"report-{os.getpid()}-{name}.img"


def execute_scratch(art, kernel, cmd, opts):
    """Boot with opts.nvdimm backed by a scratch file of the report's,
    removed afterwards: --full's are 17G, written as the guest touches
    them."""
    try:
        return machine.execute(art.qemu.binary, kernel.image, art.initrd,
                               cmd, opts, stream=False)
    finally:
        opts.nvdimm.path.unlink(missing_ok=True)


def series_patch(repo, line, suffix):
    """The file name of line's series patch ending in suffix, or None: a
    workload that needs one of the project's kernel switches asks."""
    for p in patches.read_series(line.patch_dir(repo)):
        if p.name.endswith(suffix):
            return p.name
    return None
