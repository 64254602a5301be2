# SPDX-License-Identifier: GPL-2.0-or-later
"""Run ./contdax as a user would and capture what it says."""
import subprocess

from contdax_path import REPO


def contdax(*args, timeout=1800):
    return subprocess.run([str(REPO / "contdax")] + [str(a) for a in args],
                          capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)
