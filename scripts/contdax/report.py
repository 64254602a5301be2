# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax run`: every selected workload (workloads/) on each kernel line,
one line after the other, and their results set side by side.

Each workload gives a typed result and its problems; the result renders
as a section of report.txt and as the line's part of report.json, and the
side-by-side table and the charts are drawn from report.json: the text,
the JSON and the charts are renderings of the same records.
"""

from dataclasses import replace

from . import contpte, published, results, sources
from .texttable import table
from .ui import say
from .workloads import (compound, daxgup, dedup, records, selftests, smoke,
                        strict)
from .workloads.common import Sizes, median

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


def run_line(art, opts, workloads, sizes, emit):
    """Every selected workload on one kernel line; emit(section) as each
    ends.  Returns (the line's part of report.json, problems)."""
    found = []
    data = {"workloads": list(workloads), "clock": "icount"}
    # timed workloads count guest instructions (MachineOptions.icount);
    # strict runs its threads in parallel, as hardware would
    timed = replace(opts, icount=True)

    def take(result_found, text, part):
        found.extend(result_found)
        emit(text)
        data.update(part)
    if "smoke" in workloads:
        res, f = smoke.run(art, timed, sizes)
        take(f, smoke.render(res, sources.qemu_version(), sizes),
             {"smoke": smoke.as_data(res)})
    if "daxgup" in workloads:
        boots, f = daxgup.run(art, timed, sizes)
        take(f, daxgup.render(boots, sizes), daxgup.as_data(boots))
    after = None
    if "compound" in workloads:
        if art.compound_switch:
            boots, f = compound.run(art, timed, sizes)
            take(f, compound.render(boots),
                 {"compound": {m: compound.as_data(b)
                               for m, b in boots.items()}})
            after = boots["ram"]
        else:
            emit(compound_note(art))
    if "dedup" in workloads:
        res, f = dedup.run(art, timed, sizes, after)
        take(f, dedup.render(res), {"dedup": dedup.as_data(res)})
    if {"compound", "dedup"} & set(workloads):
        data["devmap_published"] = published.as_data()["devmap"]
    if "strict" in workloads:
        res, f = strict.run(art, opts, sizes)
        take(f, strict.render(res), {"strict": strict.as_data(res)})
    if "selftests" in workloads:
        res, f = selftests.run(art, opts, sizes)
        take(f, selftests.render(res),
             {"selftests": selftests.as_data(res)})
    data["problems"] = found
    return data, found


def _summary_median(sets, name):
    """A gup set's median as report.json summarises it, NaN if absent."""
    return ((sets.get(name) or {}).get("summary") or {}).get(
        "median", float("nan"))


def gup_bars(data):
    """(label, get us, pin us) medians for the device-dax chart, from one
    line's part of report.json."""
    bars = [(label.replace("/", " "), _summary_median(sets, "u"),
             _summary_median(sets, "a"))
            for label, sets in data.get("daxgup", {}).items()]
    for memmap, boot in (data.get("compound") or {}).items():
        for c in compound.settings(boot["facts"]):
            bars.append((f"2M {memmap} compound={c}",
                         median(records.gets(boot["gup_us"], f"u/{c}")),
                         median(records.gets(boot["gup_us"], f"a/{c}"))))
    return bars


def ratio(a, b):
    """a over b, NaN where either is missing (None, 0 or NaN)."""
    return a / b if a and b and a == a and b == b else float("nan")


def line_figures(data):
    """The headline figures of one line's run, for the side-by-side table:
    name -> value (NaN where the line did not measure it)."""
    nan = float("nan")
    smoke = data.get("smoke", {})
    gup = smoke.get("thp_gup_us", {})
    fork = smoke.get("fork_us", {})
    figs = {
        "THP gup off/on (x)": ratio(_summary_median(gup, "T"),
                                    _summary_median(gup, "t")),
    }
    for kb in (16, 64, 2048):
        figs[f"fork {kb}kB vs 4K"] = ratio(
            (fork.get(kb) or fork.get(str(kb)) or {}).get("us"),
            (fork.get(4) or fork.get("4") or {}).get("us"))
    dax = data.get("daxgup", {})
    for mode, name in (("u", "gup"), ("a", "pin")):
        for memmap in ("ram", "dev"):
            figs[f"dax {name}-fast 4K/2M {memmap} (x)"] = ratio(
                _summary_median(dax.get(f"4K/{memmap}", {}), mode),
                _summary_median(dax.get(f"2M/{memmap}", {}), mode))
    dedup = data.get("dedup", {})
    bind = {}
    for key, label in (("without", "memmap MiB/GiB, no dedup"),
                       ("with", "memmap MiB/GiB, dedup")):
        d = dedup.get(key)
        figs[label] = bind[key] = nan
        if d:
            facts, _, events = compound.from_data(d)
            vals = compound.per_gib(facts, events, "memmap_pages", 1)
            figs[label] = median(vals)
            bind[key] = median(compound.per_gib(facts, events, "bind_us", 1))
    # namespace bring-up: a 2M compound bind, deduplicated or not
    figs["dax bind no dedup/dedup (x)"] = ratio(bind["without"],
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
    return "\n".join(["", "  Both kernel lines side by side (guest-measured "
                      "in instructions; ratios carry over, times do not)"]
                     + table(cells))


def run(arts, opts, workloads, versions=None, sizes=Sizes()):
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
    found, figures = [], {}
    for name, art in arts.items():
        emit(f"\n===== Linux {name} =====")
        line_data, line_found = run_line(art, opts, workloads, sizes, emit)
        data["lines"][name] = line_data
        figures[name] = line_figures(line_data)
        found += [f"Linux {name}: {p}" for p in line_found]
    if len(arts) > 1:
        emit(render_lines(figures))
    data["figures"] = figures
    data["problems"] = found
    text = "\n".join(out)
    print(text)
    # the charts: the first line's figures
    first: dict = next(iter(data["lines"].values()), {})
    results.write(where, text, data,
                  (first.get("smoke") or {}).get("fork_us"), published.FORK,
                  gup_bars(first), sizes.dax_mb)
    say(f"contdax: results in {where}")
    for p in found:
        say(f"contdax: error: {p}")
    return 1 if found else 0
