# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax test`: every suite, one closing line "N passed, N failed".

unit   fast tests of pure logic: the C files built by the top-level
       meson.build, and the CLI's Python modules (tests/unit/)
fuzz   the same C files under libFuzzer, ASan and UBSan (tests/fuzz/):
       each target replays its committed corpus, then runs a fixed,
       seeded number of new inputs
style  QEMU's checkpatch.pl over the project's C files and QEMU patches;
       the exported series applied with git am (tests/style/)
cli    the contdax command's handling of bad input (tests/cli/)
qtest  the project's qtests (tests/qtest/), built inside the QEMU tree
guest  boots of the emulated machine (tests/guest/)

With cli or guest, the kernels they boot (cli: the default line's 4K
kernel only) are built in the background
meanwhile (prefetch.py).

A skipped test is reported as skipped, never as passed.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from dataclasses import dataclass
from pathlib import Path

from . import cache, prefetch
from .ui import ContdaxError, say

NAMES = ["unit", "fuzz", "style", "cli", "qtest", "guest"]


@dataclass
class Count:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped


def python_suite(repo, subdir):
    # the suites' shared helpers (contdax_path, contdax_run) live in tests/
    if str(repo / "tests") not in sys.path:
        sys.path.insert(0, str(repo / "tests"))
    loader = unittest.TestLoader()
    suite = loader.discover(str(repo / "tests" / subdir),
                            top_level_dir=str(repo / "tests" / subdir))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = len(result.failures) + len(result.errors) + len(
        result.unexpectedSuccesses)
    skipped = len(result.skipped)
    return Count(result.testsRun - bad - skipped, bad, skipped)


def unit_build(repo, fuzz=False):
    """The top-level meson build (unit tests and tools/), compiled; with
    fuzz, its libFuzzer targets instead, built by clang.

    A meson build directory belongs to one source tree: it is kept per
    clone (by path), and ninja rebuilds whatever changed in it.
    """
    tree = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:12]
    build = cache.root() / "unit-build" / (tree + ("-fuzz" if fuzz else ""))
    if not (build / "build.ninja").exists():
        shutil.rmtree(build, ignore_errors=True)
        # fuzzers run optimised: a campaign is millions of executions
        subprocess.run(["meson", "setup", str(build), str(repo)]
                       + (["-Dfuzz=true", "-Dbuildtype=debugoptimized"]
                          if fuzz else []), check=True,
                       env=dict(os.environ, CC="clang") if fuzz else None)
    subprocess.run(["ninja", "-C", str(build)], check=True)
    return build


def meson_suite(repo, fuzz=False):
    """C tests of the top-level meson.build: the unit tests, or with fuzz
    the fuzzers' corpus replay and short seeded runs."""
    build = unit_build(repo, fuzz)
    rc = subprocess.run(["meson", "test", "-C", str(build),
                         "--print-errorlogs"]).returncode
    log = build / "meson-logs" / "testlog.json"
    count = Count()
    if log.exists():
        for line in log.read_text().splitlines():
            r = json.loads(line)
            sub = tap_count(r.get("stdout") or "")
            if sub.passed + sub.failed + sub.skipped:
                count.add(sub)
            elif r["result"] == "OK":
                count.passed += 1
            elif r["result"] == "SKIP":
                count.skipped += 1
            else:
                count.failed += 1
    if rc and not count.failed:
        count.failed += 1
    return count


_TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def tap_count(text):
    count = Count()
    for line in text.splitlines():
        m = _TAP.match(line.strip())
        if not m:
            continue
        if "# SKIP" in m.group(2).upper():
            count.skipped += 1
        elif m.group(1) == "ok":
            count.passed += 1
        else:
            count.failed += 1
    return count


def qtest_suite(repo):
    """The project's qtests, run by QEMU's own `meson test`, as QEMU's CI
    runs its qtests (environment, payload path and timeouts from
    tests/qtest/meson.build).  meson writes its logs into the build
    directory, and a cache entry is never written to: it runs in a copy of
    the entry's build directory made of hard links, with logs of its own.
    """
    from . import qemu_build
    qemu = qemu_build.build(repo)
    names = [f"qtest-aarch64/{n}" for n in qemu_build.project_qtests(repo)]
    say(f"==> meson test {' '.join(names)}")
    # in the cache: hard links cannot cross into a /tmp of its own
    with tempfile.TemporaryDirectory(dir=cache.root(),
                                     prefix="qtest-run-") as tmp:
        build = Path(tmp) / "build"
        subprocess.run(["cp", "-al", str(qemu.build), str(build)],
                       check=True)
        logs = build / "meson-logs"
        shutil.rmtree(logs)             # links to the entry's files
        logs.mkdir()
        sys.stdout.flush()
        proc = subprocess.run([str(build / "pyvenv/bin/meson"), "test",
                               "-C", str(build), "--no-rebuild",
                               "--print-errorlogs"] + names)
        results = logs / "testlog.json"
        records = ([json.loads(line) for line in
                    results.read_text().splitlines()]
                   if results.exists() else [])
        if (logs / "testlog.txt").exists():
            kept = cache.new_log("qtest", "txt")
            shutil.copyfile(logs / "testlog.txt", kept)
            say(f"==> every qtest case's output: {kept}")
    return meson_test_count(records, names, proc.returncode)


def meson_test_count(records, names, returncode):
    """Count the TAP results in meson's testlog.json records.  A program
    that failed (or timed out) without a failed TAP line, one that never
    ran, or a failed meson, counts as one failure more."""
    total = Count()
    for r in records:
        count = tap_count(r.get("stdout") or "")
        if r["result"] not in ("OK", "SKIP") and not count.failed:
            say(f"==> {r['name']}: {r['result']}")
            count.failed += 1
        total.add(count)
    ran = {r["name"].rsplit(" / ", 1)[-1] for r in records}
    total.failed += len(set(names) - ran)
    if returncode and not total.failed:
        total.failed += 1
    return total


def run(repo, names):
    builder = None
    if {"cli", "guest"} & set(names):
        builder, log = prefetch.start(repo, names)
        say(f"==> kernels built in the background at the lowest priority; "
            f"log: {log}")
    try:
        total = run_suites(repo, names)
    finally:
        if builder:
            prefetch.stop(builder)
    tail = f", {total.skipped} skipped" if total.skipped else ""
    print(f"{total.passed} passed, {total.failed} failed{tail}", flush=True)
    return 1 if total.failed else 0


def run_suites(repo, names):
    total = Count()
    for name in names:
        say(f"==> suite: {name}")
        try:
            if name == "unit":
                count = python_suite(repo, "unit")
                count.add(meson_suite(repo))
            elif name == "fuzz":
                count = meson_suite(repo, fuzz=True)
            elif name == "qtest":
                count = qtest_suite(repo)
            else:
                count = python_suite(repo, name)
        except (ContdaxError, subprocess.CalledProcessError) as e:
            say(f"contdax: error: suite {name}: {e}")
            count = Count(failed=1)
        say(f"    suite {name}: {count.passed} passed, {count.failed} "
            f"failed, {count.skipped} skipped")
        total.add(count)
    return total
