# SPDX-License-Identifier: GPL-2.0-or-later
"""Patch series: a directory with a `series` file naming patches in order.

Each patch is first tried with --dry-run, so that a patch that does not
apply leaves the tree untouched, and the error names the patch and the file
it failed on.
"""

import re
from pathlib import Path

from .ui import ContdaxError, UsageError


def read_series(directory):
    """The patches listed in directory/series, in order."""
    directory = Path(directory)
    series = directory / "series"
    if not series.exists():
        return []
    patches = []
    for n, line in enumerate(series.read_text().splitlines(), 1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        path = directory / name
        if not path.is_file():
            raise ContdaxError(f"{series}:{n}: patch '{name}' does not exist")
        patches.append(path)
    return patches


def _failed_file(output):
    """The file a failed `patch` run complained about."""
    current = None
    for line in output.splitlines():
        m = re.match(r"(?:checking|patching) file (.+)$", line)
        if m:
            current = m.group(1).strip("'")
        if "FAILED" in line or "Reversed" in line or "malformed" in line:
            return current or "?"
        m = re.match(r"can't find file to patch.*", line)
        if m:
            return "a file missing from the tree"
    m = re.search(r"\|[-+]{3} (?:a/|b/)?(\S+)", output)
    return m.group(1) if m else "?"


def apply(step, patch_paths, tree, line=None):
    """Apply the patches to tree in order, or fail naming the patch, the
    file and the kernel line (exit 2: the input does not fit the line)."""
    for patch in patch_paths:
        patch = Path(patch)
        if not patch.is_file():
            raise ContdaxError(f"patch {patch} does not exist")
        for dry in (True, False):
            cmd = ["patch", "-p1", "--forward", "--batch", "--no-backup-if-"
                   "mismatch", "-r", "-", "-i", str(patch.resolve())]
            if dry:
                cmd.insert(1, "--dry-run")
            log_start = step.log.tell()
            try:
                step.run(cmd, cwd=tree)
            except ContdaxError:
                step.log.flush()
                with open(step.log_path, encoding="utf-8",
                          errors="replace") as f:
                    f.seek(log_start)
                    out = f.read()
                on = f" to Linux {line}" if line else ""
                try:
                    step.fail(f"patch {patch} does not apply{on}: "
                              f"{_failed_file(out)}")
                except ContdaxError as e:
                    raise UsageError(str(e)) from None
