# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax bench contpte`: what the contpte MMU model costs.

The same guest workload (contpte-workload.sh stress: mthp-stress on 64K
mTHP, without worker threads so that every run does the same work) runs
under each mode, the modes interleaved round by round so that load on this
shared host hits them alike.  Times are measured by the
guest around the workload only (not boot), and reported as ratios to off.
"""

import re
import statistics
from dataclasses import replace

from . import contpte, machine
from .ui import ContdaxError, say

WORKLOAD = "contpte-workload.sh stress -s 16 -i 600 -t 0"
ELAPSED = re.compile(r"mthp-stress: .*mismatches (\d+), elapsed_us (\d+)$",
                     re.M)
TARGET_RATIO = 1.10     # check and strict against off


def _one(art, opts, mode):
    res = machine.execute(art.qemu.binary, art.kernel.image, art.initrd,
                          WORKLOAD, replace(opts, contpte=mode),
                          stream=False)
    m = ELAPSED.search(res.stdout.decode(errors="replace"))
    if res.status or not m or int(m[1]):
        raise ContdaxError(f"bench: the workload failed under contpte={mode} "
                           f"(exit {res.status}); console log: "
                           f"{res.console}")
    return int(m[2]), res.contpte["total"]


def run(art, opts, repeats):
    times = {m: [] for m in contpte.MODES}
    stats = {}
    for r in range(repeats):
        for mode in contpte.MODES:
            us, stats[mode] = _one(art, opts, mode)
            times[mode].append(us)
            say(f"bench: round {r + 1}/{repeats} {mode}: {us / 1e6:.2f} s")
    print(render(times, stats))
    return 0


def render(times, stats):
    base = statistics.median(times["off"])
    lines = [f"contpte bench: `{WORKLOAD}`, median of {len(times['off'])} "
             "rounds, guest-measured (TCG)",
             f"{'mode':<7} {'median s':>9} {'min':>7} {'max':>7} "
             f"{'ratio':>6} {'walks':>10} {'vs off':>7} {'contig':>9} "
             f"{'hits':>9} {'viol':>5}"]
    for mode in contpte.MODES:
        t, s = times[mode], stats[mode]
        med = statistics.median(t)
        lines.append(
            f"{mode:<7} {med / 1e6:>9.2f} {min(t) / 1e6:>7.2f} "
            f"{max(t) / 1e6:>7.2f} {med / base:>6.2f} {s['walks']:>10} "
            f"{s['walks'] / max(stats['off']['walks'], 1):>7.2f} "
            f"{s['contiguous-walks']:>9} {s['group-hits']:>9} "
            f"{contpte.violations(s):>5}")
    for mode in ("check", "strict"):
        ratio = statistics.median(times[mode]) / base
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        lines.append(f"{mode}: {ratio:.2f}x off, {verdict} the "
                     f"{TARGET_RATIO:.2f} target")
    return "\n".join(lines)
