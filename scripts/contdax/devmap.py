# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed 003 before and after in one boot: compound devmaps on and off.

guest/daxcompound.sh rebinds /dev/dax0.0 with device_dax.compound=0 and =1
(the project's kernel patch 1), alternating, and reports per bind the
memmap it cost, the drop in free memory and the bind time, then runs gup_test
-u and -a.  With patch 2 (arm64 DAX vmemmap deduplication) compound=1 needs
a quarter of the struct page memory at 2M align; with patch 3, gup-fast
takes one reference per 2M folio instead of 512.
"""

import re
import statistics
from dataclasses import replace

from . import cache, machine, report
from .ui import say

SIZE_MB = 256
ROUNDS = 5
NVDIMM = 1 << 30
MODES = {"u": "get_user_pages_fast", "a": "pin_user_pages_fast"}
# seed 003, cover letter: 16G gup_test ms before -> after; per 1 TiB of
# 2M-aligned pmem, struct pages 16G -> 4G; namespace bring-up of 128G,
# ~268-358 ms -> ~80-110 ms
SEED_GUP = {("u", "ram"): (59.0, 6.1), ("a", "ram"): (87.0, 6.2),
            ("u", "dev"): (494.0, 9.0), ("a", "dev"): (494.0, 10.0)}
SEED_MEMMAP_PER_TIB = (16 << 10, 4 << 10)   # MiB
SEED_BRINGUP_MS_128G = ((268 + 358) / 2, (80 + 110) / 2)
_REBIND = re.compile(r"^(bind|unbind) compound=([01])((?: \w+=-?\d+)+)$",
                     re.M)


def parse(text):
    """(facts, times, events): times as report.parse_daxgup gives them,
    keyed MODE/C; events are the bind and unbind lines in order, as
    (kind, C, {field: int})."""
    facts, times = report.parse_daxgup(text)
    events = [(m.group(1), int(m.group(2)),
               {k: int(v) for k, v in
                (kv.split("=") for kv in m.group(3).split())})
              for m in _REBIND.finditer(text)]
    return facts, times, events


def binds(events, compound):
    return [f for kind, c, f in events if kind == "bind" and c == compound]


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


def problems(memmap, facts, times, events, rounds=ROUNDS):
    found = []
    label = f"dax compound A/B ({memmap})"
    if facts.get("kernel_warnings") != "0":
        found.append(f"{label}: the kernel logged "
                     f"{facts.get('kernel_warnings')} warnings")
    for c in (0, 1):
        took = binds(events, c)
        if len(took) != rounds:
            found.append(f"{label}: {len(took)} binds with compound={c}, "
                         f"not {rounds}")
            continue
        pages = sorted({b["memmap_pages"] for b in took})
        want = expected_memmap_pages(facts, c)
        if memmap == "ram" and pages != [want]:
            found.append(f"{label}: compound={c} took {pages} memmap "
                         f"pages, not {want}")
        for m in MODES:
            t = times.get(f"{m}/{c}")
            got = 0 if not t or t["status"] else len(t["get"])
            if got != 10 * rounds:
                found.append(f"{label}: gup_test -{m} with compound={c} "
                             f"gave {got} timings, not {10 * rounds}")
    # hot-remove: each unbind gives back what the bind before it took
    for prev, cur in zip(events, events[1:]):
        if prev[0] == "bind" and cur[0] == "unbind" and \
                cur[2]["memmap_pages"] != prev[2]["memmap_pages"]:
            found.append(f"{label}: unbind gave back "
                         f"{cur[2]['memmap_pages']} memmap pages, the bind "
                         f"took {prev[2]['memmap_pages']}")
    return found


def _median(values):
    return statistics.median(values) if values else float("nan")


def _span(values, fmt="{:.0f}"):
    if not values:
        return "-"
    return (f"{fmt.format(_median(values))} "
            f"[{fmt.format(min(values))}..{fmt.format(max(values))}]")


def render(results):
    """results: {memmap: (facts, times, events)} -> the A/B table."""
    lines = ["", "  compound devmaps off/on in one boot (seed 003; kernel "
             "patches 1-3), 1G nvdimm-dax, 2M align,",
             f"  {ROUNDS} rebinds each, alternating; median [min..max]",
             f"  {'':<34}{'compound=0':>20}{'compound=1':>20}{'0/1':>7}"
             f"{'seed hw':>9}"]
    for memmap, (facts, times, events) in results.items():
        gib = int(facts.get("ns_size", 0)) / (1 << 30) or float("nan")
        page_kib = int(facts.get("page_size", 4096)) / 1024
        per_gib = {c: [b["memmap_pages"] * page_kib / 1024 / gib
                       for b in binds(events, c)] for c in (0, 1)}
        free = {c: [b["free_kb"] / 1024 / gib
                    for b in binds(events, c)] for c in (0, 1)}
        bind = {c: [b["bind_us"] / 1000 / gib
                    for b in binds(events, c)] for c in (0, 1)}
        rows = []
        if memmap == "ram":
            seed = SEED_MEMMAP_PER_TIB[0] / SEED_MEMMAP_PER_TIB[1]
            rows += [("memmap MiB per GiB (vmstat)", per_gib, "{:.2f}", seed),
                     ("free memory drop MiB per GiB", free, "{:.2f}", None)]
        seed = SEED_BRINGUP_MS_128G[0] / SEED_BRINGUP_MS_128G[1]
        rows.append(("bind ms per GiB", bind, "{:.1f}",
                     seed if memmap == "ram" else None))
        for m, name in MODES.items():
            us = {c: times.get(f"{m}/{c}", {"get": []})["get"]
                  for c in (0, 1)}
            before, after = SEED_GUP[(m, memmap)]
            rows.append((f"{name} us", us, "{:.0f}", before / after))
        lines.append(f"  memmap={memmap}")
        for name, vals, fmt, seed in rows:
            a, b = _median(vals[0]), _median(vals[1])
            ratio = f"{a / b:.1f}" if b else "-"
            seed_s = f"{seed:.1f}" if seed else ""
            lines.append(f"    {name:<32}{_span(vals[0], fmt):>20}"
                         f"{_span(vals[1], fmt):>20}{ratio:>7}{seed_s:>9}")
    lines.append("  seed hw: memmap 16G -> 4G per TiB; bring-up of 128G "
                 "~268-358 -> ~80-110 ms; gup 16G ms (x86, DRAM/altmap)")
    return "\n".join(lines)


def run(art, opts, memmaps=("ram", "dev")):
    results, found = {}, []
    for memmap in memmaps:
        say(f"==> workloads: compound devmaps off/on, memmap {memmap}")
        path = cache.root() / "nvdimm" / f"report-compound-{memmap}.img"
        path.parent.mkdir(parents=True, exist_ok=True)
        nv = machine.NvdimmOptions(size=NVDIMM, align="2M", memmap=memmap,
                                   path=path)
        res = machine.execute(art.qemu.binary, art.kernel.image, art.initrd,
                              f"daxcompound.sh {SIZE_MB} {ROUNDS}",
                              replace(opts, nvdimm=nv), stream=False)
        parsed = parse(res.stdout.decode(errors="replace"))
        results[memmap] = parsed
        found += problems(memmap, *parsed)
        if res.status:
            found.append(f"daxcompound.sh ({memmap}) exited with status "
                         f"{res.status}; console log: {res.console}")
    return results, found
