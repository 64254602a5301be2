# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest kernel lines: which Debian source package each builds from.

A line is a Linux release series that contdax boots: its Debian
linux-source package, its own patch series under
guest-kernel-config/patches/<line>/, optional per-line Kconfig fragments
under guest-kernel-config/linux-<line>/ (only for symbols that differ).
The config fragments at the top of guest-kernel-config/ are shared by
every line.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from .ui import UsageError


@dataclass(frozen=True)
class Line:
    name: str
    package: str

    def patch_dir(self, repo):
        return Path(repo) / "guest-kernel-config" / "patches" / self.name

    def fragment_dir(self, repo):
        return Path(repo) / "guest-kernel-config" / f"linux-{self.name}"


LINES = {
    # what the published results were measured on
    "6.12": Line("6.12", "linux-source-6.12"),
    # what contpte developers work on now
    "7.3": Line("7.3", "linux-source-7.3"),
}
# exec, shell, bench, build and path boot or build this line unless told
DEFAULT = "6.12"


def get(name):
    """The Line called name; a UsageError naming the valid lines if none."""
    try:
        return LINES[name]
    except KeyError:
        raise UsageError(f"--linux {name}: unknown kernel line; contdax "
                         f"builds {', '.join(LINES)}") from None


def of_tree(src):
    """The line of a Linux source tree, read from its top Makefile."""
    makefile = Path(src) / "Makefile"
    try:
        text = makefile.read_text(errors="replace")
    except OSError:
        text = ""
    version = re.search(r"^VERSION\s*=\s*(\d+)\s*$", text, re.M)
    patchlevel = re.search(r"^PATCHLEVEL\s*=\s*(\d+)\s*$", text, re.M)
    if not version or not patchlevel:
        raise UsageError(f"--kernel-src {src}: no VERSION and PATCHLEVEL in "
                         f"{makefile}: cannot tell its kernel line")
    name = f"{version[1]}.{patchlevel[1]}"
    if name not in LINES:
        raise UsageError(f"--kernel-src {src}: Linux {name} is not a line "
                         f"contdax knows; it builds {', '.join(LINES)}")
    return LINES[name]
