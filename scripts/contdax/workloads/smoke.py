# SPDX-License-Identifier: GPL-2.0-or-later
"""The smoke set, one boot (guest/smoke.sh): facts about the guest, the
THP gup benchmark of "mm/gup: Accelerate thp gup even for "pages !=
NULL"" with THP (-t) and without (-T), and the fork() cost per mTHP size
of "mm: Batch-copy PTE ranges during fork()" (guest/forkbench.c)."""

from typing import NamedTuple

from .. import contpte, machine, published
from ..texttable import table
from ..ui import say
from . import records
from .common import (GUP_TIMINGS, ratio_span, short_timings, span,
                     summary)

FORK_SIZES_KB = (4, 16, 32, 64, 128, 256, 512, 1024, 2048)


def command(sizes):
    return f"smoke.sh {sizes.gup_mb} {sizes.fork_mb}"


class Smoke(NamedTuple):
    facts: dict     # fact records, as strings
    gup: dict       # THP mode (t, T) -> records.gup_sets' set
    fork: dict      # size in kB -> forkbench's record


def parse(text):
    recs = records.parse(text)
    fork = {r["size_kb"]: r for r in records.of(recs, "fork")}
    return Smoke(records.facts(recs), records.gup_sets(recs), fork)


def problems(smoke, line="6.12"):
    """What the smoke set must show; each problem is one line."""
    facts, gup, fork = smoke
    found = []
    if not facts.get("release", "").startswith(f"{line}."):
        found.append(f"kernel release {facts.get('release')!r} is not "
                     f"{line}.x")
    if facts.get("contpte") != "y":
        found.append("CONFIG_ARM64_CONTPTE is not y in /proc/config.gz")
    if "64kB" not in facts.get("mthp_sizes", "").split():
        found.append("the guest offers no 64kB mTHP size")
    for mode in short_timings(gup, ("t", "T")):
        found.append(f"gup_test -{mode} did not report {GUP_TIMINGS} timings")
    # -t must be served by PMD THPs and -T must not: otherwise the
    # comparison with the THP gup acceleration patch compares nothing.
    if gup.get("t") and not gup["t"]["thp_faults"]:
        found.append("no PMD THP faulted in during gup_test -t")
    if gup.get("T") and gup["T"]["thp_faults"]:
        found.append("PMD THPs faulted in during gup_test -T")
    for kb in FORK_SIZES_KB:
        f = fork.get(kb)
        if not f:
            found.append(f"forkbench reported nothing for {kb}kB")
        elif not f["child_ok"]:
            found.append(f"forkbench {kb}kB: the child saw wrong data")
        elif kb != 4 and not f["mthp_allocs"]:
            found.append(f"forkbench {kb}kB: no mTHP of that size")
    return found


def render(smoke, qemu_version, sizes):
    facts, gup, fork = smoke
    lines = [
        f"contdax smoke report  (QEMU {qemu_version}, guest "
        f"{facts.get('release', '?')}, TCG, -icount shift=0)",
        "",
        f"  {'kernel release':<28}{facts.get('release', '?')}",
        f"  {'page size':<28}{facts.get('page_size', '?')}",
        f"  {'mTHP sizes':<28}{facts.get('mthp_sizes', '?')}",
        f"  {'CONFIG_ARM64_CONTPTE':<28}{facts.get('contpte', '?')}",
        f"  {'THP enabled':<28}{facts.get('thp_enabled', '?')}",
        "",
        f"  gup_test -m {sizes.gup_mb} -L -n 1024 -r {GUP_TIMINGS} "
        "(mm/gup: Accelerate "
        "thp gup), get time per call, median [min..max]",
    ]
    rows = [["", "guest us", "published hw us", "PMD THP faults"]]
    for mode, label in (("T", "THP off -T"), ("t", "THP on -t")):
        rows.append([label, span(records.gets(gup, mode)),
                     f"{published.THP_GUP[mode]:.1f}",
                     str(gup.get(mode, {}).get("thp_faults"))])
    off, on = records.gets(gup, "T"), records.gets(gup, "t")
    if off and on:
        hw = published.THP_GUP["T"] / published.THP_GUP["t"]
        rows.append(["ratio off/on", ratio_span(off, on), f"{hw:.1f}"])
    lines += table(rows)
    lines += ["",
              f"  forkbench -s {sizes.fork_mb} -r 5 (mm: Batch-copy PTE "
              "ranges during fork()): fork() + child exit, "
              "median [min..max]"]
    rows = [["", "guest us", "vs 4K", "series hw"]]
    for kb in FORK_SIZES_KB:
        f = fork.get(kb)
        if not f:
            continue
        cell = f"{f['fork_us']} [{f['min']}..{f['max']}]"
        base = fork.get(4)
        ratio = (f"{f['fork_us'] / base['fork_us']:.2f} "
                 f"[{f['min'] / base['max']:.2f}..{f['max'] / base['min']:.2f}]"
                 if base else "-")
        hw = f"{published.FORK[kb]:.2f}" if kb in published.FORK else ""
        rows.append([f"{kb}kB", cell, ratio, hw])
    lines += table(rows)
    lines += ["",
              "  Guest times count guest instructions (QEMU -icount shift=0: "
              "1 ns each), so they repeat",
              "  from run to run; absolute times do not carry over to "
              "hardware, ratios of kernel work",
              "  (THP off vs on, mTHP vs 4K) are what to compare."]
    return "\n".join(lines)


def as_data(smoke):
    facts, gup, fork = smoke
    return {"facts": facts,
            "thp_gup_us": {m: dict(g, summary=summary(g["get"]))
                           for m, g in gup.items()},
            "thp_gup_published_us": published.THP_GUP,
            "fork_us": {kb: {"us": f["fork_us"], "min": f["min"],
                             "max": f["max"], "allocs": f["mthp_allocs"],
                             "child_ok": f["child_ok"]}
                        for kb, f in fork.items()},
            "fork_published_ratio": published.FORK}


def run(art, opts, sizes):
    """One boot: (Smoke, problems)."""
    say(f"==> workloads: Linux {art.line.name}: smoke set "
        "(guest/smoke.sh)")
    res = machine.execute(art.qemu.binary, art.kernel.image, art.initrd,
                          command(sizes), opts, stream=False)
    smoke = parse(res.stdout.decode(errors="replace"))
    say(f"    guest ran for {res.elapsed:.1f}s")
    found = problems(smoke, art.line.name)
    if opts.contpte and contpte.show(opts.contpte, res):
        found.append("the contpte model reported violations")
    if res.status:
        found.append(f"smoke.sh exited with status {res.status}; "
                     f"console log: {res.console}")
    return smoke, found
