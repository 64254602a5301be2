# SPDX-License-Identifier: GPL-2.0-or-later
"""Plain-text tables for report.txt: each column as wide as its widest
cell, so that no cell runs into the next however large a --full figure
grows."""

GAP = "  "


def table(rows, indent="  "):
    """rows: lists of cells (str).  The first column is left-aligned, the
    others right-aligned; a row may be shorter than the others."""
    width = [0] * max(len(r) for r in rows)
    for r in rows:
        for i, cell in enumerate(r):
            width[i] = max(width[i], len(cell))
    out = []
    for r in rows:
        cells = [c.ljust(width[0]) if i == 0 else c.rjust(width[i])
                 for i, c in enumerate(r)]
        out.append((indent + GAP.join(cells)).rstrip())
    return out
