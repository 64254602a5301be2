# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-dax gup and namespace bring-up, one boot per nvdimm-dax
configuration (guest/daxgup.sh): the gup_test benchmark of "mm,
sparse-vmemmap: Introduce compound devmaps for device-dax" (v4) with
get_user_pages_fast, pin_user_pages_fast and a longterm pin, at 2M align
(compound) and 4K align (the non-compound reference), each memmap; and
the namespace's bring-up time and struct page cost."""

from dataclasses import replace

from .. import machine, published
from ..texttable import table
from ..ui import say
from . import compound, records
from .common import (GUP_TIMINGS, execute_scratch, median, ratio_span,
                     scratch_path, short_timings, span, summary)

BINDS = 5       # namespace bring-ups measured per configuration
# (align, memmap): 4K is the non-compound reference for each memmap
CONFIGS = (("2M", "ram"), ("4K", "ram"), ("2M", "dev"), ("4K", "dev"))
MODES = {"u": "get_user_pages_fast", "a": "pin_user_pages_fast",
         "L": "pin longterm"}


def command(sizes):
    return f"daxgup.sh {sizes.dax_mb} {BINDS}"


def published_ms():
    """compound devmaps v4's gup ms (before, after) with memmap=ram, per
    gup_test mode of the table (none for pin longterm)."""
    return {m: published.DEVMAP_GUP.get((m, "ram")) for m in MODES}


def problems(align, memmap, boot):
    facts, times, events = boot
    found = []
    want = str(machine.parse_size(align, "align"))
    if facts.get("dax_align") != want:
        found.append(f"dax {align}/{memmap}: /dev/dax0.0 align is "
                     f"{facts.get('dax_align')}, not {want}")
    for mode in short_timings(times, MODES):
        found.append(f"dax {align}/{memmap}: gup_test -{mode} did not "
                     f"report {GUP_TIMINGS} timings")
    return found


def render(boots, sizes):
    """boots: {(align, memmap): records.DaxBoot} -> the compound devmaps
    v4 table, then bring-up and struct page cost."""
    lines = ["",
             "  device-dax gup (compound devmaps v4): gup_test -f "
             f"/dev/dax0.0 -m {sizes.dax_mb} -r {GUP_TIMINGS} -S -n 512 "
             "-w, get us per run, median [min..max]"]
    times = {cfg: boot.times for cfg, boot in boots.items()}
    rows = [["align/memmap"] + list(MODES.values())]
    for (align, memmap), t in times.items():
        rows.append([f"{align}/{memmap}"] +
                    [span(records.gets(t, m)) for m in MODES])
    for memmap in ("ram", "dev"):
        small, big = times.get(("4K", memmap)), times.get(("2M", memmap))
        if not small or not big:
            continue
        rows.append([f"4K/2M {memmap}"] +
                    [ratio_span(records.gets(small, m), records.gets(big, m))
                     for m in MODES])
    rows.append(["published hw"] + [f"{v[0] / v[1]:.1f}" if v else "-"
                                    for v in published_ms().values()])
    lines += table(rows)
    lines.append("  published hw: the ratio at 16G, before/after compound "
                 "devmaps.")
    lines.append("  4K align is the non-compound reference; the series' "
                 "'before' (order-0 struct pages")
    lines.append("  at 2M align) is the compound=0 column below.")
    lines += ["",
              "  namespace bring-up: time from boot to /dev/dax0.0 "
              f"ready; unbind + timed bind ({BINDS}x)",
              "  and struct page cost, per GiB of namespace: memmap "
              "(vmstat), free RAM it took, and",
              "  the namespace's reserve (info block; memmap=dev: "
              "the struct pages)"]
    rows = [["align/memmap", "boot s", "bind ms, median [min..max]",
             "memmap MiB", "RAM MiB", "pmem MiB"]]
    for (align, memmap), (facts, _, events) in boots.items():
        ms = compound.per_gib(facts, events, "bind_us")
        mib = median(compound.per_gib(facts, events, "memmap_pages"))
        ram = median(compound.per_gib(facts, events, "free_kb"))
        rows.append([f"{align}/{memmap}", str(facts.get("ready_s", "-")),
                     span(ms, "{:.1f}"), f"{mib:.2f}", f"{ram:.2f}",
                     f"{compound.reserve_per_gib(facts):.2f}"])
    lines += table(rows)
    lines.append("  published hw, per TiB of 2M pmem: struct pages 16 GiB "
                 "(order-0) -> 4 GiB (compound); memmap=dev keeps them")
    lines.append("  in pmem. Bring-up of 128G: ~268-358 ms -> ~80-110 "
                 "ms (about 2.4 -> 0.7 ms per GiB).")
    return "\n".join(lines)


def as_data(boots):
    return {
        "daxgup": {f"{a}/{m}": {mode: dict(t, summary=summary(t["get"]))
                                for mode, t in boot.times.items()}
                   for (a, m), boot in boots.items()},
        "bringup": {f"{a}/{m}": compound.as_data(boot._replace(times={}))
                    for (a, m), boot in boots.items()},
        "daxgup_published_ms": published_ms()}


def run(art, opts, sizes):
    """One boot per configuration: ({(align, memmap): DaxBoot},
    problems)."""
    boots, found = {}, []
    for align, memmap in CONFIGS:
        say(f"==> workloads: device-dax gup, align {align}, memmap {memmap}")
        path = scratch_path(f"{align}-{memmap}")
        nv = machine.NvdimmOptions(size=sizes.nvdimm, align=align,
                                   memmap=memmap, path=path)
        res = execute_scratch(art, art.kernel, command(sizes),
                              replace(opts, nvdimm=nv))
        boot = records.dax_boot(res.stdout.decode(errors="replace"))
        boots[(align, memmap)] = boot
        found += problems(align, memmap, boot)
        took = compound.binds(boot.events)
        if len(took) != BINDS:
            found.append(f"dax {align}/{memmap}: {len(took)} bring-ups "
                         f"measured, not {BINDS}")
        if res.status:
            found.append(f"daxgup.sh {align}/{memmap} exited with status "
                         f"{res.status}; console log: {res.console}")
    return boots, found
