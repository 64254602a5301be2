# SPDX-License-Identifier: GPL-2.0-or-later
"""Kconfig fragments: what they request, and what Kconfig actually kept.

merge_config.sh only warns when a requested value does not survive (an
unmet dependency, a misspelt symbol); contdax makes that a build error that
names every such symbol and the fragment line that asked for it.
"""

import re
from pathlib import Path

from .ui import ContdaxError

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def parse(text):
    """Symbol -> value ('n' for '# CONFIG_X is not set'), with line numbers."""
    values = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        m = _SET.match(line)
        if m:
            values[m.group(1)] = (m.group(2), n)
            continue
        m = _UNSET.match(line)
        if m:
            values[m.group(1)] = ("n", n)
            continue
        if line and not line.startswith("#"):
            raise ValueError(f"line {n}: not a Kconfig assignment: {line}")
    return values


def requested(fragments):
    """Symbol -> (value, 'file:line'); later fragments override earlier."""
    want = {}
    for frag in fragments:
        try:
            values = parse(Path(frag).read_text())
        except ValueError as e:
            raise ContdaxError(f"kernel config fragment {frag}: {e}") from None
        for sym, (value, n) in values.items():
            want[sym] = (value, f"{frag}:{n}")
    return want


def dropped(want, final_text):
    """Requested settings that the final .config does not have."""
    final = {sym: v for sym, (v, _) in parse(final_text).items()}
    missing = []
    for sym, (value, where) in want.items():
        got = final.get(sym, "n")
        if got != value:
            missing.append(f"{sym}={value} ({where}; Kconfig gave {got})")
    return missing
