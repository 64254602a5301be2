# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax fuzz`: coverage-guided fuzzing of the pure logic.

The libFuzzer targets in tests/fuzz/ (built by the top-level meson.build
with clang, ASan and UBSan) take what a user's backing file or a guest's
page tables may hold: nvdimm-dax's info-block parser and classifier, and
the contiguous-group checker.  A campaign starts from the committed
corpus (tests/fuzz/corpus/TARGET), keeps what it finds new in the cache
(fuzz/TARGET, never in the clone) and stops at the first crash, sanitizer
report or broken property, leaving the input beside it.
"""

import re

from . import cache, suites
from .ui import ContdaxError, UsageError, say, step

TARGETS = ("nvdimm-dax-info", "contpte-check")
_STAT = re.compile(r"^stat::(\w+):\s+(\d+)$", re.M)


def check_targets(names):
    for n in names:
        if n not in TARGETS:
            raise UsageError(f"fuzz: no target '{n}'; the targets are "
                             f"{', '.join(TARGETS)}")


def _failures(found):
    """The inputs libFuzzer left in found for a crash, sanitizer report,
    broken property or leak."""
    return sorted(found.glob("crash-*")) + sorted(found.glob("leak-*"))


def campaign(repo, targets, runs):
    """Run each target for runs executions; one row each.  Returns the
    exit status: 1 if any target found a failure."""
    build = suites.unit_build(repo, fuzz=True)
    bad = []
    for name in targets or TARGETS:
        found = cache.root() / "fuzz" / name
        found.mkdir(parents=True, exist_ok=True)
        corpus = repo / "tests" / "fuzz" / "corpus" / name
        # what an earlier campaign left (since fixed) is not this one's
        earlier = _failures(found)
        with step(f"fuzz {name}: {runs} runs", cache.log_dir()) as s:
            s.run([str(build / f"fuzz-{name}"), f"-runs={runs}",
                   "-print_final_stats=1", f"-artifact_prefix={found}/",
                   str(found), str(corpus)], ok_codes=range(256))
            s.log.flush()
            text = s.log_path.read_text(errors="replace")
        stats = {k: int(v) for k, v in _STAT.findall(text)}
        crashes = sorted(set(_failures(found)) - set(earlier))
        ok = stats.get("number_of_executed_units", 0) >= runs and not crashes
        say(f"    {name}: {stats.get('number_of_executed_units', 0)} runs, "
            f"{stats.get('average_exec_per_sec', 0)}/s, "
            f"{stats.get('new_units_added', 0)} new inputs, "
            f"{'no failure' if ok else 'FAILED'}; log {s.log_path}")
        if not ok:
            bad.append(name)
            for c in crashes:
                say(f"    failing input: {c}")
    if bad:
        raise ContdaxError(f"fuzz: {', '.join(bad)} failed; the logs and "
                           f"inputs are named above")
    return 0
