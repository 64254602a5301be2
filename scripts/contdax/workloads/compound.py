# SPDX-License-Identifier: GPL-2.0-or-later
"""The before and after of "mm, sparse-vmemmap: Introduce compound devmaps
for device-dax" (v4) in one boot: compound devmaps on and off.

guest/daxcompound.sh rebinds /dev/dax0.0 with device_dax.compound=0 and =1
(the project's kernel patch "device-dax: add a switch to back a device
with order-0 pages"), alternating, and reports per bind the memmap it
cost, the drop in free memory and the bind time, then runs gup_test -u
and -a.  With "arm64: select ARCH_WANT_OPTIMIZE_DAX_VMEMMAP" (the arm64
DAX vmemmap deduplication) compound=1 needs a quarter of the struct page
memory at 2M align; with "mm/gup: take a compound devmap folio's
references once in gup-fast", gup-fast takes one reference per 2M folio
instead of 512.  The struct page arithmetic here is also what the
device-dax gup table's bring-up rows and the deduplication's before and
after are read with.
"""

from dataclasses import replace

from .. import machine, published
from ..texttable import table
from ..ui import say
from . import records
from .common import (GUP_TIMINGS, execute_scratch, ratio_span,
                     scratch_path, series_patch, span)

ROUNDS = 5
SWITCH_PATCH_SUFFIX = "-device-dax-add-a-switch-to-back-a-device-with-order-.patch"
MODES = {"u": "get_user_pages_fast", "a": "pin_user_pages_fast"}


def has_compound_switch(repo, line):
    """Whether line's series carries the compound-devmap switch: 7.x has
    none, since a device-dax PMD leaf must be a PMD-order folio there."""
    return series_patch(repo, line, SWITCH_PATCH_SUFFIX) is not None


def settings(facts):
    """The compound settings a daxcompound.sh boot compared."""
    return (0, 1) if facts.get("compound_switch") != "0" else (1,)


def as_data(parsed):
    """One daxcompound.sh boot (a DaxBoot) for report.json."""
    if not parsed:
        return None
    facts, times, events = parsed
    return {"facts": facts, "gup_us": times, "events": events}


def from_data(data):
    """as_data's inverse: the DaxBoot a report.json part was made of."""
    return records.DaxBoot(data["facts"], data["gup_us"], data["events"])


def binds(events, compound=None):
    """The bind events, with that compound setting if one is given."""
    return [e for e in events
            if e["kind"] == "bind" and compound in (None, e["compound"])]


# per GiB of namespace: what each bind field is worth, in report units
_PER_GIB = {"memmap_pages": lambda f, page: f * page / (1 << 20),   # MiB
            "free_kb": lambda f, page: f / 1024,                    # MiB
            "bind_us": lambda f, page: f / 1000}                    # ms


def _ns_gib(facts):
    """The namespace's size in GiB, NaN if the guest did not say."""
    return int(facts.get("ns_size", 0)) / (1 << 30) or float("nan")


def per_gib(facts, events, field, compound=None):
    """One bind field of every matching bind, per GiB of namespace."""
    page = int(facts.get("page_size", 4096))
    return [_PER_GIB[field](b[field], page) / _ns_gib(facts)
            for b in binds(events, compound)]


def reserve_per_gib(facts):
    """MiB per GiB of namespace that the dax device does not offer: the
    info block and its padding, and with memmap=dev the struct pages."""
    reserve = int(facts.get("ns_size", 0)) - int(facts.get("dax_size", 0))
    return reserve / (1 << 20) / _ns_gib(facts)


def expected_memmap_pages(facts, compound):
    """What the kernel's own accounting must show for one bind of a
    memmap=ram namespace: the full struct page array, or with vmemmap
    deduplication two vmemmap pages per compound page.  The pgmap spans
    the whole namespace, info block included."""
    page, size = int(facts["page_size"]), int(facts["ns_size"])
    align = int(facts["dax_align"])
    full = size // page * 64 // page
    if compound and align // page * 64 // page > 2:
        return 2 * (size // align)
    return full


def problems(memmap, facts, times, events, rounds=ROUNDS, dedup=True):
    """What a daxcompound.sh run must show; dedup=False for a boot with
    the DAX vmemmap deduplication off, where compound=1 costs the full
    struct page array."""
    found = []
    label = f"dax compound A/B ({memmap}{'' if dedup else ', no dedup'})"
    if facts.get("kernel_warnings") != "0":
        found.append(f"{label}: the kernel logged "
                     f"{facts.get('kernel_warnings')} warnings")
    for c in settings(facts):
        took = binds(events, c)
        if len(took) != rounds:
            found.append(f"{label}: {len(took)} binds with compound={c}, "
                         f"not {rounds}")
            continue
        pages = sorted({b["memmap_pages"] for b in took})
        want = expected_memmap_pages(facts, c if dedup else 0)
        if memmap == "ram" and pages != [want]:
            found.append(f"{label}: compound={c} took {pages} memmap "
                         f"pages, not {want}")
        for m in MODES:
            t = times.get(f"{m}/{c}")
            got = 0 if not t or t["status"] else len(t["get"])
            if got != GUP_TIMINGS * rounds:
                found.append(f"{label}: gup_test -{m} with compound={c} "
                             f"gave {got} timings, not {GUP_TIMINGS * rounds}")
    # hot-remove: each unbind gives back what the bind before it took
    for prev, cur in zip(events, events[1:]):
        if prev["kind"] == "bind" and cur["kind"] == "unbind" and \
                cur["memmap_pages"] != prev["memmap_pages"]:
            found.append(f"{label}: unbind gave back "
                         f"{cur['memmap_pages']} memmap pages, the bind "
                         f"took {prev['memmap_pages']}")
    return found


def namespace_gib(results):
    """The namespace size of the boots in results, as 16G or 17G."""
    sizes = {int(r[0].get("ns_size", 0)) >> 30 for r in results.values()
             if r}
    return "/".join(f"{g}G" for g in sorted(sizes)) or "?"


def render(results):
    """results: {memmap: DaxBoot} -> the A/B table."""
    lines = ["", "  compound devmaps off/on in one boot (compound devmaps "
             "v4; the project's kernel patches: compound switch,",
             "  DAX vmemmap deduplication, gup-fast batching), "
             f"{namespace_gib(results)} nvdimm-dax, 2M align,",
             f"  {ROUNDS} rebinds each, alternating; median [min..max]"]
    cells = [["", "compound=0", "compound=1", "0/1", "published hw"]]
    for memmap, (facts, times, events) in results.items():
        memmap_mib, free, bind = (
            {c: per_gib(facts, events, field, c) for c in (0, 1)}
            for field in ("memmap_pages", "free_kb", "bind_us"))
        rows = []
        if memmap == "ram":
            hw = published.MEMMAP_PER_TIB[0] / published.MEMMAP_PER_TIB[1]
            rows += [("memmap MiB per GiB (vmstat)", memmap_mib, "{:.2f}",
                      hw),
                     ("free memory drop MiB per GiB", free, "{:.2f}", None)]
        hw = published.BRINGUP_MS_128G[0] / published.BRINGUP_MS_128G[1]
        rows.append(("bind ms per GiB", bind, "{:.1f}",
                     hw if memmap == "ram" else None))
        for m, name in MODES.items():
            us = {c: records.gets(times, f"{m}/{c}")
                  for c in (0, 1)}
            before, after = published.DEVMAP_GUP[(m, memmap)]
            rows.append((f"{name} us", us, "{:.0f}", before / after))
        cells.append([f"memmap={memmap}"])
        for name, vals, fmt, hw in rows:
            cells.append([f"  {name}", span(vals[0], fmt),
                          span(vals[1], fmt), ratio_span(vals[0], vals[1]),
                          f"{hw:.1f}" if hw else ""])
    lines += table(cells)
    lines.append("  published hw: memmap 16G -> 4G per TiB; bring-up of 128G "
                 "~268-358 -> ~80-110 ms; gup 16G ms (x86, DRAM/altmap)")
    return "\n".join(lines)


def command(size_mb, rounds):
    return f"daxcompound.sh {size_mb} {rounds}"


def boot(art, opts, memmap, rounds, sizes, size_mb=None):
    """One daxcompound.sh boot on a 2M-aligned nvdimm-dax: (DaxBoot, its
    exit problems)."""
    path = scratch_path(f"compound-{memmap}")
    nv = machine.NvdimmOptions(size=sizes.nvdimm, align="2M", memmap=memmap,
                               path=path)
    res = execute_scratch(art, art.kernel,
                          command(size_mb or sizes.dax_mb, rounds),
                          replace(opts, nvdimm=nv))
    found = []
    if res.status:
        found.append(f"daxcompound.sh ({memmap}) exited with status "
                     f"{res.status}; console log: {res.console}")
    return records.dax_boot(res.stdout.decode(errors="replace")), found


def run(art, opts, sizes, memmaps=("ram", "dev")):
    """The A/B boots: ({memmap: DaxBoot}, problems)."""
    boots, found = {}, []
    for memmap in memmaps:
        say(f"==> workloads: compound devmaps off/on, memmap {memmap}")
        parsed, f = boot(art, opts, memmap, ROUNDS, sizes)
        boots[memmap] = parsed
        found += f + problems(memmap, *parsed)
    return boots, found
