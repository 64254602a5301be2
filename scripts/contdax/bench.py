# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax bench contpte`: what the contpte MMU model costs.

The same guest workload (contpte-workload.sh stress: mthp-stress on 64K
mTHP, without worker threads so that every run does the same work) runs
on QEMU built without the model's hooks (the baseline) and under each
mode, interleaved round by round so that load on this shared host hits
them alike.  Times are measured by the guest around the workload only
(not boot), and, less exposed to other tenants of the host, as the CPU
time QEMU used for the whole boot.  Each ratio is the median over rounds
of a variant's figure over the same round's reference (baseline for off,
off for the others), so that a slow round slows both sides of its ratio.
"""

import resource
import statistics
from dataclasses import replace

from . import contpte, machine
from .workloads import records
from .texttable import table
from .ui import ContdaxError, say

WORKLOAD = "contpte-workload.sh stress -s 16 -i 600 -t 0"
BASELINE = "no-model"   # QEMU without the contpte hooks, plain -cpu max
VARIANTS = (BASELINE,) + contpte.MODES
TARGET_RATIO = 1.10     # check and strict against off
TARGET_OFF = 1.01       # off against QEMU without the model


def _cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _one(qemu, art, opts, mode):
    """(guest us, QEMU CPU s, counters or None) of one boot."""
    cpu = _cpu_seconds()
    res = machine.execute(qemu, art.kernel.image, art.initrd, WORKLOAD,
                          replace(opts, contpte=mode), stream=False)
    cpu = _cpu_seconds() - cpu     # QEMU is the only child reaped
    stress = records.of(records.parse(res.stdout.decode(errors="replace")),
                        "mthp_stress")
    if res.status or not stress or stress[-1]["mismatches"]:
        raise ContdaxError(f"bench: the workload failed under "
                           f"{mode or BASELINE} (exit {res.status}); "
                           f"console log: {res.console}")
    return (stress[-1]["elapsed_us"], cpu,
            res.contpte["total"] if res.contpte else None)


def variants(only=()):
    """The variants to run: those named (all by default) and the ones
    their ratios are taken to, in VARIANTS order."""
    want = set(only or VARIANTS)
    for v in list(want):
        while (v := reference(v)):
            want.add(v)
    return tuple(v for v in VARIANTS if v in want)


def run(art, baseline_qemu, opts, repeats, only=()):
    chosen = variants(only)
    times: dict[str, list[int]] = {v: [] for v in chosen}
    cpu: dict[str, list[float]] = {v: [] for v in chosen}
    stats = {}
    for r in range(repeats):
        for v in chosen:
            qemu, mode = ((baseline_qemu, None) if v == BASELINE
                          else (art.qemu.binary, v))
            us, seconds, stats[v] = _one(qemu, art, opts, mode)
            times[v].append(us)
            cpu[v].append(seconds)
            say(f"bench: round {r + 1}/{repeats} {v}: {us / 1e6:.2f} s, "
                f"QEMU CPU {seconds:.2f} s")
    print(render(times, stats, cpu))
    return 0


def reference(variant):
    """What variant's ratio is taken to: off to the model-less QEMU, the
    other modes to off; None for the baseline itself."""
    return {BASELINE: None, "off": BASELINE}.get(variant, "off")


def paired(figures, variant, ref):
    """The median over rounds of variant's figure over ref's in the same
    round, and the lowest and highest of those per-round ratios."""
    ratios = [a / b for a, b in zip(figures[variant], figures[ref])]
    return statistics.median(ratios), min(ratios), max(ratios)


def render(times, stats, cpu=None):
    rows = [["variant", "median s", "min", "max", "ratio", "range", "to",
             "walks", "contig", "hits", "viol"]]
    for v in times:
        t, s, ref = times[v], stats[v], reference(v)
        ratio, lo, hi = paired(times, v, ref) if ref else (1.0, 1.0, 1.0)
        # off never enters the model: its counters stay zero
        walks = ([str(s["walks"]), str(s["contiguous-walks"]),
                  str(s["group-hits"]), str(contpte.violations(s))]
                 if s and v != "off" else ["-"] * 4)
        rows.append([v, f"{statistics.median(t) / 1e6:.2f}",
                     f"{min(t) / 1e6:.2f}", f"{max(t) / 1e6:.2f}",
                     f"{ratio:.3f}", f"{lo:.2f}-{hi:.2f}", ref or ""]
                    + walks)
    lines = [f"contpte bench: `{WORKLOAD}`, {len(times['off'])} rounds, "
             "guest-measured (TCG); ratio: median of per-round ratios "
             "(range)"] + table(rows, indent="")
    if cpu:
        lines.append("QEMU CPU time per boot (boot and workload): "
                     + ", ".join(f"{v} {statistics.median(cpu[v]):.2f} s"
                                 for v in times))
    for v in (v for v in ("off", "check", "strict") if v in times):
        ref = reference(v)
        target = TARGET_OFF if ref == BASELINE else TARGET_RATIO
        ratio = paired(times, v, ref)[0]
        verdict = "within" if ratio <= target else "OVER"
        extra = ""
        if cpu:
            c, lo, hi = paired(cpu, v, ref)
            extra = f" (QEMU CPU time {c:.3f}x, range {lo:.3f}-{hi:.3f})"
        lines.append(f"{v}: {ratio:.3f}x {ref}{extra}, {verdict} the "
                     f"{target:.2f} target")
    return "\n".join(lines)
