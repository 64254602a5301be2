# SPDX-License-Identifier: GPL-2.0-or-later
"""Correctness under the strict contpte model, one boot: cow,
gup_longterm and mthp-stress (guest/contpte-workload.sh), then device-dax
gup over a 2M nvdimm-dax, all under -cpu max,contpte=strict.  The model
must report no violation and no TLB conflict abort, and must have seen
contiguous groups at all."""

from dataclasses import replace
from typing import NamedTuple, Optional

from .. import contpte, machine
from ..ui import say
from . import daxgup, records
from .common import GUP_TIMINGS, execute_scratch, scratch_path, short_timings

COMMAND = "contpte-workload.sh all -s 8 -i 120 && daxgup.sh 64"
STEPS = ("cow", "gup_longterm", "mthp-stress")


class Strict(NamedTuple):
    steps: dict         # step name -> (status, its selftest's totals line)
    stress: dict        # mthp-stress's own record ({} if it gave none)
    times: dict         # device-dax gup_test sets
    contpte: Optional[dict]     # the model's counters (QMP)
    status: int         # the guest command's


def parse(text, stats=None, status=0):
    recs = records.parse(text)
    steps = {r["name"]: (r["status"], r["summary"])
             for r in records.of(recs, "step")}
    stress = (records.of(recs, "mthp_stress") or [{}])[-1]
    return Strict(steps, stress, records.gup_sets(recs), stats, status)


def problems(strict):
    found = []
    for name in STEPS:
        if name not in strict.steps:
            found.append(f"strict: {name} did not run")
        elif strict.steps[name][0]:
            found.append(f"strict: {name} exited with status "
                         f"{strict.steps[name][0]}")
    if strict.stress.get("mismatches"):
        found.append(f"strict: mthp-stress found "
                     f"{strict.stress['mismatches']} mismatched words")
    for mode in short_timings(strict.times, daxgup.MODES):
        found.append(f"strict: device-dax gup_test -{mode} did not "
                     f"report {GUP_TIMINGS} timings")
    if strict.contpte is None:
        found.append("strict: no counters from the contpte model")
    else:
        t = strict.contpte["total"]
        if contpte.violations(t) or t["conflict-aborts"]:
            found.append(f"strict: {contpte.violations(t)} violations, "
                         f"{t['conflict-aborts']} conflict aborts")
        if not t["contiguous-walks"]:
            found.append("strict: the model saw no contiguous group")
    if strict.status:
        found.append(f"strict: the workload exited with status "
                     f"{strict.status}")
    return found


def _stress_summary(stress):
    if not stress:
        return ""
    return (f"{stress['forks']} forks, {stress['pins']} pins, "
            f"{stress['collapses']} collapses, mismatches "
            f"{stress['mismatches']}")


def render(strict):
    lines = ["", "  correctness under -cpu max,contpte=strict (cow, "
             "gup_longterm, mthp-stress -s 8 -i 120,",
             "  device-dax gup_test -u/-a/-L on 2M nvdimm-dax)"]
    for name, (status, last) in strict.steps.items():
        if name == "mthp-stress":
            last = _stress_summary(strict.stress)
        lines.append(f"    {name:<16}status {status}   {last}")
    if strict.contpte:
        lines.append("    " + contpte.summary("strict", strict.contpte))
    return "\n".join(lines)


def as_data(strict):
    return {"steps": strict.steps, "mthp_stress": strict.stress,
            "contpte": strict.contpte}


def run(art, opts, sizes):
    say("==> workloads: correctness under --contpte strict")
    path = scratch_path("strict")
    nv = machine.NvdimmOptions(size=sizes.nvdimm, align="2M", memmap="ram",
                               path=path)
    res = execute_scratch(art, art.kernel, COMMAND,
                          replace(opts, nvdimm=nv, contpte="strict"))
    strict = parse(res.stdout.decode(errors="replace"), res.contpte,
                   res.status)
    found = problems(strict)
    if found:
        found[-1] += f"; console log: {res.console}"
    return strict, found
