# SPDX-License-Identifier: GPL-2.0-or-later
"""A results directory for one `contdax run`: the printed report, every
figure and the versions as report.json, and charts drawn by gnuplot.

  report.txt    what run printed
  report.json   versions, each workload's raw figures, medians, the
                published hardware figures, and the problems found
  fork.svg      fork() time relative to 4K per mTHP size, guest and series
  dax-gup.svg   device-dax gup time per configuration
"""

import json
import os
import time
from pathlib import Path

from . import cache, deps
from .ui import ContdaxError, say, step

PACKAGES = ["gnuplot-nox"]


def root():
    """Where runs keep their results: user data, not the build cache, so
    `contdax clean` leaves them."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share"
    return Path(base) / "contdax" / "results"


def new_dir():
    d = root() / time.strftime("%Y%m%d-%H%M%S")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _fork_data(fork, published):
    base = fork.get(4, {}).get("us")
    rows = []
    for kb in sorted(fork):
        if base:
            s = published.get(kb, "NaN")
            rows.append(f"{kb} {fork[kb]['us'] / base:.4f} {s}")
    return "\n".join(rows)


def _gup_data(bars):
    return "\n".join(f'"{label}" {get:.1f} {pin:.1f}'
                     for label, get, pin in bars)


def _plot_script(out, fork_rows, gup_rows, dax_mb=256):
    script = ['set terminal svg size 800,480 dynamic font "sans,12" '
              'noenhanced', "set key top right"]
    if fork_rows:
        script += [
            f"set output '{out / 'fork.svg'}'",
            "set title 'fork() + child exit vs mTHP size (mm: Batch-copy "
            "PTE ranges during fork())'",
            "set logscale x 2", "set xrange [3:3000]",
            "set xlabel 'mTHP size (kB)'",
            "set ylabel 'time relative to 4 kB pages'",
            "set yrange [0:1.2]",
            "$fork << EOD", fork_rows, "EOD",
            "plot $fork using 1:2 with linespoints title 'guest (TCG)', "
            "$fork using 1:3 with points pt 7 ps 1.5 title "
            "'series, hardware'",
            "unset logscale x", "unset xrange", "unset yrange"]
    if gup_rows:
        script += [
            f"set output '{out / 'dax-gup.svg'}'",
            f"set title 'device-dax gup_test -m {dax_mb} (compound "
            "devmaps v4), median us per run'",
            "set style data histograms", "set style histogram clustered",
            "set style fill solid 0.8", "set logscale y",
            "set xtics rotate by -30", "set bmargin 7", "set xlabel ''",
            "set ylabel 'us (log)'",
            "$gup << EOD", gup_rows, "EOD",
            "plot $gup using 2:xtic(1) title 'get_user_pages_fast', "
            "'' using 3 title 'pin_user_pages_fast'"]
    return "\n".join(script) + "\n"


def write_text(out, text):
    """report.txt as far as the run got: a long run keeps what it measured
    even if a later workload fails or is interrupted."""
    (out / "report.txt").write_text(text + "\n")


def write(out, text, data, fork=None, fork_published=None, gup_bars=(),
          dax_mb=256):
    """Write the results into out; draw what the data allows."""
    write_text(out, text)
    (out / "report.json").write_text(json.dumps(data, indent=1,
                                                sort_keys=True) + "\n")
    fork_rows = _fork_data(fork or {}, fork_published or {})
    gup_rows = _gup_data(gup_bars)
    if not fork_rows and not gup_rows:
        return
    with step("results: charts (gnuplot)", cache.log_dir()) as s:
        deps.ensure(s, extra=PACKAGES)
        script = out / "charts.gp"
        script.write_text(_plot_script(out, fork_rows, gup_rows, dax_mb))
        try:
            s.run(["gnuplot", script])
        except ContdaxError:
            s.fail("gnuplot could not draw the charts")
    say(f"    charts: {', '.join(p.name for p in sorted(out.glob('*.svg')))}")
