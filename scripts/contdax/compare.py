# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax compare A B`: every ratio of two `contdax run` results, side by
side, with how far they differ.

Two default runs of the same tree show how far the report repeats (with
instruction-counted guest time, within a few percent); a run before and
one after a kernel change show what the change did.  Read from each
run's report.json: the side-by-side figures, the fork ratio of every
mTHP size, the device-dax 4K/2M ratio of every gup mode, and the
compound devmaps 0/1 ratios.
"""

import json
from pathlib import Path

from . import report, results
from .texttable import table
from .ui import ContdaxError
from .workloads import compound, records
from .workloads.common import median


def load(where):
    """report.json of a results directory (or the file itself); a bare
    directory name is looked up among the runs' results too."""
    path = Path(where)
    if not path.exists() and (results.root() / where).is_dir():
        path = results.root() / where
    if path.is_dir():
        path = path / "report.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ContdaxError(f"compare: cannot read {path}: "
                           f"{getattr(e, 'strerror', None) or e}")
    if not isinstance(data, dict) or \
            not isinstance(data.get("lines"), dict):
        raise ContdaxError(f"compare: {path} is not a contdax run's "
                           "report.json")
    return data


def line_ratios(data):
    """One line's ratios by name: report.line_figures, and every fork
    size, gup mode and compound row."""
    out = report.line_figures(data)
    fork = (data.get("smoke") or {}).get("fork_us") or {}
    base = (fork.get("4") or {}).get("us")
    for kb, f in fork.items():
        if kb != "4":
            out[f"fork {kb}kB vs 4K"] = report.ratio(f.get("us"), base)
    dax = data.get("daxgup") or {}
    for memmap in ("ram", "dev"):      # gup-fast and pin-fast: line_figures
        a = (dax.get(f"4K/{memmap}") or {}).get("L") or {}
        b = (dax.get(f"2M/{memmap}") or {}).get("L") or {}
        out[f"dax pin-longterm 4K/2M {memmap} (x)"] = report.ratio(
            median(a.get("get")), median(b.get("get")))
    for memmap, boot in (data.get("compound") or {}).items():
        facts, times, events = compound.from_data(boot)
        for mode, name in compound.MODES.items():
            out[f"compound 0/1 {name} {memmap} (x)"] = report.ratio(
                median(records.gets(times, f"{mode}/0")),
                median(records.gets(times, f"{mode}/1")))
        out[f"compound 0/1 bind {memmap} (x)"] = report.ratio(
            median(compound.per_gib(facts, events, "bind_us", 0)),
            median(compound.per_gib(facts, events, "bind_us", 1)))
    return out


def differ(a, b):
    """How far two figures differ, in percent of the smaller one; None if
    either is missing, 0 if both are 0."""
    if a != a or b != b:
        return None
    low = min(abs(a), abs(b))
    if not low:
        return 0.0 if a == b else None
    return abs(a - b) / low * 100


def render(first, second, names=("A", "B")):
    rows = [["", names[0], names[1], "differ"]]
    worst: tuple[float, str] = (0.0, "")
    for line in first["lines"]:
        if line not in second["lines"]:
            continue
        ra = line_ratios(first["lines"][line])
        rb = line_ratios(second["lines"][line])
        for name, a in ra.items():
            b = rb.get(name, float("nan"))
            d = differ(a, b)
            if d is None:
                continue
            rows.append([f"Linux {line} {name}", f"{a:.4g}", f"{b:.4g}",
                         f"{d:.1f}%"])
            worst = max(worst, (d, f"Linux {line} {name}"),
                        key=lambda w: w[0])
    if len(rows) == 1:
        raise ContdaxError("compare: the two runs share no kernel line")
    lines = table(rows, indent="")
    lines.append(f"{len(rows) - 1} ratios; the largest difference: "
                 f"{worst[0]:.1f}%" + (f" ({worst[1]})" if worst[1] else ""))
    return "\n".join(lines)


def run(a, b):
    print(render(load(a), load(b), (Path(a).name, Path(b).name)))
    return 0
