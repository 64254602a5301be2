# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the guest suites' kernels in the background of `contdax test`.

From an empty cache most of `contdax test` is kernel builds, each of which
keeps both cores busy, while the tests between them leave one core idle:
a guest boots on one emulated CPU at a time, checkpatch and the qtests run
on one host thread.  This process builds what the cli and guest suites
will ask for at the lowest CPU priority, so it takes only what the
foreground leaves idle.  It changes nothing the suites see: every build
goes through the cache as a suite's own would, a suite that needs an entry
being built here waits on the entry's lock and then reuses it, and a
failure here is only logged (the suite that needs the kernel builds it
again and fails with its own error).
"""

import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Callable

from . import bugs, cache, initramfs, kernel_build, linux_lines
from .ui import (ContdaxError, Terminated, die_with_parent, fmt_elapsed,
                 unwind_on_sigterm)


def wanted(repo, suites):
    """(what, build) pairs in the order the suites first need them: the
    default line's 4K kernel and initramfs (the cli suite and most guest
    tests); with the guest suite, the other line's, the bug corpus'
    variants (the first guest test), then the other granules."""
    todo: list[tuple[str, Callable[[], object]]] = []
    lines = sorted(linux_lines.LINES.values(),
                   key=lambda line: line.name != linux_lines.DEFAULT)
    if "guest" not in suites:
        lines = lines[:1]
    for line in lines:
        todo.append((f"kernel {line.name} 4k",
                     partial(kernel_build.build, repo, line)))
        todo.append((f"initramfs {line.name}",
                     partial(initramfs.build, repo, line)))
    if "guest" not in suites:
        return todo
    for bug in bugs.corpus(repo):
        line = linux_lines.get(bug.line)
        variants = [[bug.patch.resolve()]]
        if bug.fix:
            variants.append([bug.patch.resolve(), bug.fix.resolve()])
        for patches in variants:
            todo.append((f"bug corpus {bug.name} "
                         f"{'fixed' if len(patches) > 1 else 'buggy'}",
                         partial(kernel_build.build, repo, line, patches)))
    for line in lines:      # test_granules boots 6.12's, test_lines 7.3's
        for granule in kernel_build.GRANULES[1:]:
            todo.append((f"kernel {line.name} {granule}",
                         partial(kernel_build.build, repo, line,
                                 granule=granule)))
    return todo


def start(repo, suites):
    """Start the background builder for these suites; return (process,
    log path)."""
    log = cache.new_log("prefetch")

    def lowest_priority():
        os.nice(19)
        die_with_parent()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "contdax.prefetch", str(repo)]
            + list(suites),
            env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1])),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=lowest_priority)
    return proc, log


def stop(proc):
    """End the builder if the suites finished first: an interrupted build
    leaves no entry (the cache's and the work directories' own rule)."""
    if proc.poll() is None:
        proc.terminate()
    proc.wait()


def main(repo, suites):
    start_time = time.monotonic()
    failed = 0
    for what, build in wanted(repo, suites):
        try:
            build()
        except ContdaxError as e:
            failed += 1
            print(f"prefetch: {what}: {e}", flush=True)
            continue
        print(f"prefetch: {what}: ready at "
              f"{fmt_elapsed(time.monotonic() - start_time)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    unwind_on_sigterm()
    cache.make_private()
    try:
        sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
    except Terminated:
        sys.exit(143)
