# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax run`: boot the default machine, run the workloads, report.

Workloads: the smoke set (guest/smoke.sh: kernel facts, the THP gup
benchmark of "mm/gup: Accelerate thp gup even for "pages != NULL"" with
THP and without, the fork() cost per mTHP size of "mm: Batch-copy PTE
ranges during fork()"), in one boot; then the device-dax gup benchmark of
"mm, sparse-vmemmap: Introduce compound devmaps for device-dax"
(guest/daxgup.sh), one boot per nvdimm-dax configuration; then compound
devmaps off and on in one boot per memmap (devmap.py).  Each beside the
published hardware figures.
"""

import re
from dataclasses import replace

from . import contpte, devmap, machine, published, results, sources
from .texttable import table
from .workload import (GUP_TIMINGS, Sizes, execute_scratch, median,
                       parse_daxgup, scratch_path, short_timings, span)
from .ui import say

# what `run --only` takes: the smoke set (THP gup and fork, one boot), the
# device-dax gup table (one boot per configuration), compound devmaps off
# and on, the DAX vmemmap deduplication's before (the same kernel booted
# with it off), and the correctness set under the strict contpte model
WORKLOADS = ("smoke", "daxgup", "compound", "dedup", "strict")
# the strict workload: cow, gup_longterm, mthp-stress, then device-dax gup
# over an nvdimm-dax, all under -cpu max,contpte=strict
STRICT_CMD = ("contpte-workload.sh all -s 8 -i 120 && daxgup.sh 64")
# a line without the compound-devmap switch has no honest "before" at 2M
NO_COMPOUND_SWITCH = (
    "\n  compound devmaps off/on: none on Linux {line}. Since 6.17 a "
    "device-dax PMD leaf is a folio of PMD order (vmf_insert_folio_pmd), so "
    "order-0\n  struct pages at 2M align cannot be mapped at all; the 4K "
    "align rows of the device-dax gup table are the non-compound reference.")
UNKNOWN_COMPOUND_SWITCH = (
    "\n  compound devmaps off/on: not run. The switch comes with the "
    "project's Linux {line} series, and this kernel was\n  not built from "
    "it (--kernel, or --kernel-src without --project-patches).")


def compound_note(art):
    """Why `run` compares no compound devmaps on art's kernel, or None."""
    if art.compound_switch is None:
        return UNKNOWN_COMPOUND_SWITCH.format(line=art.line.name)
    if not art.compound_switch:
        return NO_COMPOUND_SWITCH.format(line=art.line.name)
    return None


_STEP = re.compile(r"^step=(\S+) status=(\d+)(.*)$", re.M)
_TIME = re.compile(r"PIN_LONGTERM_BENCHMARK: Time: get:(\d+) put:(\d+) us")
FORK_SIZES_KB = (4, 16, 32, 64, 128, 256, 512, 1024, 2048)
DAX_BINDS = 5       # namespace bring-ups measured per configuration
# (align, memmap): 4K is the non-compound reference for each memmap
DAX_CONFIGS = (("2M", "ram"), ("4K", "ram"), ("2M", "dev"), ("4K", "dev"))
DAX_MODES = {"u": "get_user_pages_fast", "a": "pin_user_pages_fast",
             "L": "pin longterm"}
_FORK = re.compile(r"^forkbench size_kb=(\d+) repeats=\d+ fork_us=(\d+) "
                   r"min=(\d+) max=(\d+) munmap_us=\d+ mthp_allocs=(\d+) "
                   r"child_ok=(\d)$")


def _published_daxgup():
    """compound devmaps v4's gup ms (before, after) with memmap=ram, per
    gup_test mode of the device-dax table (none for pin longterm)."""
    return {m: published.DEVMAP_GUP.get((m, "ram")) for m in DAX_MODES}


def parse_smoke(text):
    """key=value facts, and per THP mode the gup get/put times in us."""
    facts, gup, mode = {"fork": {}}, {}, None
    for line in text.splitlines():
        m = _FORK.match(line)
        if m:
            kb, med, lo, hi, allocs, ok = map(int, m.groups())
            facts["fork"][kb] = {"us": med, "min": lo, "max": hi,
                                 "allocs": allocs, "child_ok": ok}
        elif line.startswith("gup_begin="):
            mode = line.split("=", 1)[1]
            gup[mode] = {"get": [], "put": [], "status": 0,
                         "thp_faults": None}
        elif line.startswith("gup_end="):
            mode = None
        elif mode and line.startswith("gup_status="):
            gup[mode]["status"] = int(line.split("=", 1)[1])
        elif mode and line.startswith("gup_thp_faults="):
            gup[mode]["thp_faults"] = int(line.split("=", 1)[1])
        elif mode:
            m = _TIME.search(line)
            if m:
                gup[mode]["get"].append(int(m.group(1)))
                gup[mode]["put"].append(int(m.group(2)))
        elif "=" in line:
            k, v = line.split("=", 1)
            facts[k] = v
    return facts, gup


def dax_problems(align, memmap, facts, times):
    found = []
    want = str(machine.parse_size(align, "align"))
    if facts.get("dax_align") != want:
        found.append(f"dax {align}/{memmap}: /dev/dax0.0 align is "
                     f"{facts.get('dax_align')}, not {want}")
    for mode in short_timings(times, DAX_MODES):
        found.append(f"dax {align}/{memmap}: gup_test -{mode} did not "
                     f"report {GUP_TIMINGS} timings")
    return found


def problems(facts, gup, line="6.12"):
    """What the smoke set must show; each problem is one line."""
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
    fork = facts.get("fork", {})
    for kb in FORK_SIZES_KB:
        f = fork.get(kb)
        if not f:
            found.append(f"forkbench reported nothing for {kb}kB")
        elif not f["child_ok"]:
            found.append(f"forkbench {kb}kB: the child saw wrong data")
        elif kb != 4 and not f["allocs"]:
            found.append(f"forkbench {kb}kB: no mTHP of that size")
    return found


def render(facts, gup, versions, sizes=Sizes()):
    lines = [
        f"contdax smoke report  (QEMU {versions['qemu']}, guest "
        f"{facts.get('release', '?')}, TCG emulation)",
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
        rows.append([label, span(gup.get(mode, {"get": []})["get"]),
                     f"{published.THP_GUP[mode]:.1f}",
                     str(gup.get(mode, {}).get("thp_faults"))])
    off = median(gup.get("T", {"get": []})["get"])
    on = median(gup.get("t", {"get": []})["get"])
    if on and on == on and off == off:
        hw = published.THP_GUP["T"] / published.THP_GUP["t"]
        rows.append(["ratio off/on", f"{off / on:.1f}", f"{hw:.1f}"])
    lines += table(rows)
    fork = facts.get("fork", {})
    lines += ["",
              f"  forkbench -s {sizes.fork_mb} -r 5 (mm: Batch-copy PTE "
              "ranges during fork()): fork() + "
              "child exit, "
              "median [min..max]"]
    rows = [["", "guest us", "vs 4K", "series hw"]]
    for kb in FORK_SIZES_KB:
        f = fork.get(kb)
        if not f:
            continue
        cell = f"{f['us']} [{f['min']}..{f['max']}]"
        ratio = f"{f['us'] / fork[4]['us']:.2f}" if fork.get(4) else "-"
        hw = f"{published.FORK[kb]:.2f}" if kb in published.FORK else ""
        rows.append([f"{kb}kB", cell, ratio, hw])
    lines += table(rows)
    lines += ["",
              "  Guest times are TCG-emulated: absolute times do not carry "
              "over to hardware;",
              "  ratios of kernel work (THP off vs on, mTHP vs 4K) are what "
              "to compare."]
    return "\n".join(lines)


def render_dax(results, bringup=None, sizes=Sizes()):
    """results: {(align, memmap): times} -> the compound devmaps v4
    table; bringup: {(align, memmap): (facts, events)} -> bring-up and
    struct page cost."""
    lines = ["",
             "  device-dax gup (compound devmaps v4): gup_test -f "
             f"/dev/dax0.0 -m {sizes.dax_mb} -r {GUP_TIMINGS} -S -n 512 "
             "-w, get us per run, median [min..max]"]
    rows = [["align/memmap"] + list(DAX_MODES.values())]
    for (align, memmap), times in results.items():
        rows.append([f"{align}/{memmap}"] +
                    [span(times.get(m, {"get": []})["get"])
                     for m in DAX_MODES])
    for memmap in ("ram", "dev"):
        small, big = results.get(("4K", memmap)), results.get(("2M", memmap))
        if not small or not big:
            continue
        cells = []
        for m in DAX_MODES:
            a = median(small.get(m, {"get": []})["get"])
            b = median(big.get(m, {"get": []})["get"])
            cells.append(f"{a / b:.1f}" if b else "-")
        rows.append([f"4K/2M {memmap}"] + cells)
    rows.append(["published hw"] + [f"{v[0] / v[1]:.1f}" if v else "-"
                                    for v in _published_daxgup().values()])
    lines += table(rows)
    lines.append("  published hw: the ratio at 16G, before/after compound "
                 "devmaps.")
    lines.append("  4K align is the non-compound reference; the series' "
                 "'before' (order-0 struct pages")
    lines.append("  at 2M align) is the compound=0 column below.")
    if bringup:
        lines += ["",
                  "  namespace bring-up: time from boot to /dev/dax0.0 "
                  f"ready; unbind + timed bind ({DAX_BINDS}x)",
                  "  and struct page cost, per GiB of namespace: memmap "
                  "(vmstat), free RAM it took, and",
                  "  the namespace's reserve (info block; memmap=dev: "
                  "the struct pages)"]
        rows = [["align/memmap", "boot s", "bind ms, median [min..max]",
                 "memmap MiB", "RAM MiB", "pmem MiB"]]
        for (align, memmap), (facts, events) in bringup.items():
            ms = devmap.per_gib(facts, events, "bind_us")
            mib = median(devmap.per_gib(facts, events, "memmap_pages"))
            ram = median(devmap.per_gib(facts, events, "free_kb"))
            rows.append([f"{align}/{memmap}", str(facts.get("ready_s", "-")),
                         span(ms, "{:.1f}"), f"{mib:.2f}", f"{ram:.2f}",
                         f"{devmap.reserve_per_gib(facts):.2f}"])
        lines += table(rows)
        lines.append("  published hw, per TiB of 2M pmem: struct pages 16 GiB "
                     "(order-0) -> 4 GiB (compound); memmap=dev keeps them")
        lines.append("  in pmem. Bring-up of 128G: ~268-358 ms -> ~80-110 "
                     "ms (about 2.4 -> 0.7 ms per GiB).")
    return "\n".join(lines)


def run_dax(art, opts, sizes=Sizes()):
    results, bringup, found = {}, {}, []
    for align, memmap in DAX_CONFIGS:
        say(f"==> workloads: device-dax gup, align {align}, memmap {memmap}")
        path = scratch_path(f"{align}-{memmap}")
        nv = machine.NvdimmOptions(size=sizes.nvdimm, align=align,
                                   memmap=memmap, path=path)
        res = execute_scratch(art, art.kernel,
                              f"daxgup.sh {sizes.dax_mb} {DAX_BINDS}",
                              replace(opts, nvdimm=nv))
        facts, times, events = devmap.parse(
            res.stdout.decode(errors="replace"))
        results[(align, memmap)] = times
        bringup[(align, memmap)] = (facts, events)
        found += dax_problems(align, memmap, facts, times)
        binds = [e for e in events if e[0] == "bind"]
        if len(binds) != DAX_BINDS:
            found.append(f"dax {align}/{memmap}: {len(binds)} bring-ups "
                         f"measured, not {DAX_BINDS}")
        if res.status:
            found.append(f"daxgup.sh {align}/{memmap} exited with status "
                         f"{res.status}; console log: {res.console}")
    return results, bringup, found


def parse_strict(text):
    """{step: (status, last summary line)} from contpte-workload.sh."""
    return {m.group(1): (int(m.group(2)), m.group(3).strip())
            for m in _STEP.finditer(text)}


def strict_problems(steps, times, stats, status):
    found = []
    for name in ("cow", "gup_longterm", "mthp-stress"):
        if name not in steps:
            found.append(f"strict: {name} did not run")
        elif steps[name][0]:
            found.append(f"strict: {name} exited with status "
                         f"{steps[name][0]}")
    for mode in short_timings(times, DAX_MODES):
        found.append(f"strict: device-dax gup_test -{mode} did not "
                     f"report {GUP_TIMINGS} timings")
    if stats is None:
        found.append("strict: no counters from the contpte model")
    else:
        t = stats["total"]
        if contpte.violations(t) or t["conflict-aborts"]:
            found.append(f"strict: {contpte.violations(t)} violations, "
                         f"{t['conflict-aborts']} conflict aborts")
        if not t["contiguous-walks"]:
            found.append("strict: the model saw no contiguous group")
    if status:
        found.append(f"strict: the workload exited with status {status}")
    return found


def render_strict(steps, stats):
    lines = ["", "  correctness under -cpu max,contpte=strict (cow, "
             "gup_longterm, mthp-stress -s 8 -i 120,",
             "  device-dax gup_test -u/-a/-L on 2M nvdimm-dax)"]
    for name, (status, last) in steps.items():
        lines.append(f"    {name:<16}status {status}   {last}")
    if stats:
        lines.append("    " + contpte.summary("strict", stats))
    return "\n".join(lines)


def run_strict(art, opts, sizes=Sizes()):
    say("==> workloads: correctness under --contpte strict")
    path = scratch_path("strict")
    nv = machine.NvdimmOptions(size=sizes.nvdimm, align="2M", memmap="ram",
                               path=path)
    res = execute_scratch(art, art.kernel, STRICT_CMD,
                          replace(opts, nvdimm=nv, contpte="strict"))
    text = res.stdout.decode(errors="replace")
    steps = parse_strict(text)
    _, times = parse_daxgup(text)
    found = strict_problems(steps, times, res.contpte, res.status)
    if found:
        found[-1] += f"; console log: {res.console}"
    return steps, res.contpte, found


def selected(only):
    """run --only NAME ...: those workloads; all of them by default."""
    return [w for w in WORKLOADS if not only or w in only]


def _summary(values):
    if not values:
        return None
    return {"median": median(values), "min": min(values),
            "max": max(values), "n": len(values)}


def _gup_bars(dax, ab):
    """(label, get us, pin us) medians for the device-dax chart."""
    bars = []
    for (align, memmap), times in dax.items():
        bars.append((f"{align} {memmap}",
                     median(times.get("u", {"get": []})["get"]),
                     median(times.get("a", {"get": []})["get"])))
    for memmap, (facts, times, _) in ab.items():
        for c in devmap.settings(facts):
            bars.append((f"2M {memmap} compound={c}",
                         median(times.get(f"u/{c}", {"get": []})["get"]),
                         median(times.get(f"a/{c}", {"get": []})["get"])))
    return bars


def run_line(art, opts, workloads, sizes, emit):
    """Every selected workload on one kernel line; emit(section) as each
    ends.  Returns (data for report.json, problems, fork, gup bars)."""
    found = []
    data = {"workloads": list(workloads)}
    fork, dax, ab = None, {}, {}
    if "smoke" in workloads:
        say(f"==> workloads: Linux {art.line.name}: smoke set "
            "(guest/smoke.sh)")
        smoke = machine.execute(art.qemu.binary, art.kernel.image,
                                art.initrd,
                                f"smoke.sh {sizes.gup_mb} {sizes.fork_mb}",
                                opts, stream=False)
        facts, gup = parse_smoke(smoke.stdout.decode(errors="replace"))
        say(f"    guest ran for {smoke.elapsed:.1f}s")
        found += problems(facts, gup, art.line.name)
        emit(render(facts, gup, {"qemu": sources.qemu_version()}, sizes))
        fork = facts.get("fork", {})
        data["smoke"] = {
            "facts": {k: v for k, v in facts.items() if k != "fork"},
            "thp_gup_us": {m: dict(g, summary=_summary(g["get"]))
                           for m, g in gup.items()},
            "thp_gup_published_us": published.THP_GUP,
            "fork_us": fork, "fork_published_ratio": published.FORK}
        if opts.contpte and contpte.show(opts.contpte, smoke):
            found.append("the contpte model reported violations")
        if smoke.status:
            found.append(f"smoke.sh exited with status {smoke.status}; "
                         f"console log: {smoke.console}")
    if "daxgup" in workloads:
        dax, bringup, dax_found = run_dax(art, opts, sizes)
        found += dax_found
        emit(render_dax(dax, bringup, sizes))
        data["daxgup"] = {
            f"{a}/{m}": {mode: dict(t, summary=_summary(t["get"]))
                         for mode, t in times.items()}
            for (a, m), times in dax.items()}
        data["bringup"] = {
            f"{a}/{m}": devmap.as_data((facts, {}, events))
            for (a, m), (facts, events) in bringup.items()}
        data["daxgup_published_ms"] = _published_daxgup()
    compound = "compound" in workloads and bool(art.compound_switch)
    if "compound" in workloads and not compound:
        emit(compound_note(art))
    if compound or "dedup" in workloads:
        # dedup's "after" is the compound A/B boot with memmap=ram
        ab, before, ab_found = devmap.run(
            art, opts, ("ram", "dev") if compound else ("ram",),
            with_before="dedup" in workloads, sizes=sizes)
        found += ab_found
        if compound:
            emit(devmap.render(ab))
            data["compound"] = {m: devmap.as_data(p) for m, p in ab.items()}
        if "dedup" in workloads:
            emit(devmap.render_dedup(ab.get("ram"), before))
            data["dedup"] = {"with": devmap.as_data(ab.get("ram")),
                             "without": devmap.as_data(before)}
        data["devmap_published"] = published.as_data()["devmap"]
    if "strict" in workloads:
        steps, stats, strict_found = run_strict(art, opts, sizes)
        found += strict_found
        emit(render_strict(steps, stats))
        data["strict"] = {"steps": steps, "contpte": stats}
    data["problems"] = found
    return data, found, fork, _gup_bars(dax, ab)


def _ratio(a, b):
    return a / b if a and b and a == a and b == b else float("nan")


def line_figures(data):
    """The headline figures of one line's run, for the side-by-side table:
    name -> value (NaN where the line did not measure it)."""
    nan = float("nan")
    smoke = data.get("smoke", {})
    gup = smoke.get("thp_gup_us", {})
    fork = smoke.get("fork_us", {})
    med = lambda d, k: (d.get(k) or {}).get("summary", {}) or {}  # noqa
    figs = {
        "THP gup off/on (x)": _ratio(med(gup, "T").get("median"),
                                     med(gup, "t").get("median")),
    }
    for kb in (16, 64, 2048):
        figs[f"fork {kb}kB vs 4K"] = _ratio(
            (fork.get(kb) or fork.get(str(kb)) or {}).get("us"),
            (fork.get(4) or fork.get("4") or {}).get("us"))
    dax = data.get("daxgup", {})
    for mode, name in (("u", "gup"), ("a", "pin")):
        for memmap in ("ram", "dev"):
            figs[f"dax {name}-fast 4K/2M {memmap} (x)"] = _ratio(
                med(dax.get(f"4K/{memmap}", {}), mode).get("median"),
                med(dax.get(f"2M/{memmap}", {}), mode).get("median"))
    dedup = data.get("dedup", {})
    bind = {}
    for key, label in (("without", "memmap MiB/GiB, no dedup"),
                       ("with", "memmap MiB/GiB, dedup")):
        d = dedup.get(key)
        figs[label] = bind[key] = nan
        if d:
            facts, events = d["facts"], [(e["kind"], e["compound"],
                                          {k: v for k, v in e.items()
                                           if k not in ("kind", "compound")})
                                         for e in d["events"]]
            vals = devmap.per_gib(facts, events, "memmap_pages", 1)
            figs[label] = median(vals)
            bind[key] = median(devmap.per_gib(facts, events, "bind_us", 1))
    # namespace bring-up: a 2M compound bind, deduplicated or not
    figs["dax bind no dedup/dedup (x)"] = _ratio(bind["without"],
                                                  bind["with"])
    strict = (data.get("strict") or {}).get("contpte")
    figs["strict violations"] = (contpte.violations(strict["total"])
                                 if strict else nan)
    return figs


def render_lines(figures):
    """{line: line_figures} side by side."""
    names = list(figures)
    rows = list(next(iter(figures.values())))
    cells = [[""] + [f"Linux {n}" for n in names]]
    for row in rows:
        cells.append([row] + ["-" if figures[n][row] != figures[n][row]
                              else f"{figures[n][row]:.2f}" for n in names])
    return "\n".join(["", "  Both kernel lines side by side (guest-measured, "
                      "TCG; ratios carry over, times do not)"]
                     + table(cells))


def run(arts, opts, workloads=WORKLOADS, versions=None, sizes=Sizes()):
    """arts: {line name: Artifacts}, run one line after the other."""
    out = []
    where = results.new_dir()
    say(f"contdax: results in {where} (report.txt grows as workloads end)")

    def emit(section):
        out.append(section)
        results.write_text(where, "\n".join(out))
    data = {"versions": versions or {}, "workloads": list(workloads),
            "tcg": True, "sizes": sizes.__dict__, "mem": opts.mem,
            "lines": {}}
    found, figures, charts = [], {}, None
    for name, art in arts.items():
        emit(f"\n===== Linux {name} =====")
        line_data, line_found, fork, bars = run_line(art, opts, workloads,
                                                     sizes, emit)
        data["lines"][name] = line_data
        figures[name] = line_figures(line_data)
        found += [f"Linux {name}: {p}" for p in line_found]
        charts = charts or (fork, bars)
    if len(arts) > 1:
        emit(render_lines(figures))
    data["figures"] = figures
    data["problems"] = found
    text = "\n".join(out)
    print(text)
    fork, bars = charts or (None, ())
    results.write(where, text, data, fork, published.FORK, bars,
                  sizes.dax_mb)
    say(f"contdax: results in {where}")
    for p in found:
        say(f"contdax: error: {p}")
    return 1 if found else 0
