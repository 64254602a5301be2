# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel's mm selftest suite (run_vmtests.sh, its default set) under
--contpte off and under --contpte strict, one boot each, as one table:
per test the outcome in both modes, its cases (kselftest results) and
why what skipped skipped.  A test that passes under off and fails under
strict is a finding of the model's: the guest did something the model
rejects, or the model broke what the guest relies on.  Only with
`run --only selftests`: two runs of the suite take a while."""

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Optional, Tuple

from .. import cache, contpte, machine
from ..texttable import table
from ..ui import say

MODES = ("off", "strict")
# hugetlb pages of the other sizes first: the runner reserves only the
# default size's, and cow, gup_longterm and uffd skip a size without;
# and swap, which their swap-out cases need
COMMAND = "hugetlb-pool.sh large && zram-swap.sh && run_vmtests.sh"
# seconds one run of the default set may take in TCG
TIMEOUT = 5400
# migration needs two threads besides itself, numa_num_task_cpus() - 1
# on 6.12 and - 2 on 7.3: fewer vCPUs skip all its cases
SMP = 4
# mremap_test maps 2 GiB, which overcommit refuses a 2G guest; and a 1G
# hugetlb page (hugetlb-pool.sh) needs a free 1G-aligned range inside
# one zone of one node: with 3G per node, node 1 has [5G, 6G) free of
# its memmap (at its top) and of the swiotlb buffer (below 4G)
MEM = "6G"
# memfd_secret needs the linear map in pages to take its pages out of
# it; mkdirty writes to its own /proc/self/mem, which 7.3's Kconfig
# default (PROC_MEM_FORCE_PTRACE) refuses without a tracer
KERNEL_ARGS = ("rodata=full", "proc_mem.force_override=always")
# tests run_vmtests.sh leaves out itself, printing only "# SKIP ./NAME"
RUNNER_SKIPS = {
    "on-fault-limit": "run_vmtests.sh runs it only through sudo, which "
                      "the guest has not",
}
# tests whose verdict says nothing in this guest, and why
HOLLOW = {
    "test_vmalloc.sh smoke": "a pass of nothing: test_vmalloc is not in "
                             "this kernel (no loadable modules) and the "
                             "script ignores modprobe's failure",
    "test_hmm.sh smoke": "its cases need the test_hmm module, which this "
                         "kernel has not (no loadable modules); the script "
                         "ignores modprobe's failure and exits 0",
}
# why tests that end with kselftest's skip status (4) but state no
# reason for it skip
UNSTATED_SKIPS = {
    "va_high_addr_switch.sh": "it needs user addresses above 48 bits "
                              "(52-bit VA), which this arm64 kernel has not",
    "khugepaged": "no skip: 6.12's khugepaged exits with its count of "
                  "failed cases, and four failed cases read as "
                  "kselftest's skip (its output says which)",
}
_RUNNING = re.compile(r"^# running (.+)$")
_VERDICT = re.compile(r"^# \[(PASS|SKIP|FAIL)\]$")
_EXIT = re.compile(r"^not ok \d+ .* # exit=(\d+)$")
_RUNNER_SKIP = re.compile(r"^# SKIP \./(\S+)$")
_SUMMARY = re.compile(r"^# SUMMARY: PASS=(\d+) SKIP=(\d+) FAIL=(\d+)$")
# a kselftest result inside a test's output (one "# " of the runner's)
_CASE = re.compile(r"^(not )?ok \d+\s*(.*?)(?:\s*#\s*(SKIP|XFAIL|TODO)"
                   r"\b\s*(.*))?$")
_PLAN_SKIP = re.compile(r"^1\.\.0 # SKIP\s*(.*)$")
# a message inside a test's output (ksft_print_msg)
_MSG = re.compile(r"^# (.*)$")
# uffd-unit-tests names the skipped case and gives the reason after it,
# in parentheses: "wp-fork on anon (feature missing)"
_UFFD_SKIP = re.compile(r"^.* \(([^()]+)\)$")


@dataclass
class Test:
    """One run_test of run_vmtests.sh: a program and its arguments."""
    name: str                   # as run_vmtests.sh names it: "gup_test -u"
    status: str = "run"         # pass, fail or skip once it ended
    exit: int = 0
    passed: int = 0             # its kselftest cases
    failed: int = 0
    skips: Counter = field(default_factory=Counter)     # reason -> cases
    failures: list = field(default_factory=list)        # failed cases
    last: str = ""              # its last line of output
    title: str = ""             # the case its last "[RUN] ..." announced
    said: str = ""              # its last message since that or a result

    @property
    def skipped(self):
        return sum(self.skips.values())

    def reasons(self):
        """Why it or its cases skipped: [(reason, cases)], commonest
        first; a skipped test without a stated reason gives its last
        line, or what UNSTATED_SKIPS knows."""
        if self.status == "skip" and not self.skips:
            return [(UNSTATED_SKIPS.get(self.name) or self.last
                     or "no reason printed", 1)]
        return self.skips.most_common()


@dataclass
class Suite:
    tests: dict                 # name -> Test, in run order
    summary: Tuple[int, ...] = ()   # run_vmtests.sh's PASS, SKIP, FAIL
    contpte: Optional[dict] = None  # the model's counters (QMP)
    status: int = 0             # run_vmtests.sh's exit status
    output: str = ""            # the file that keeps its whole output


def _skip_reason(test, text):
    """Why a case skipped, from its "# SKIP text".  Since 6.15 the cow,
    gup and hugetlb tests (log_test_result()) skip with the case's
    title, having printed the reason as a message before it."""
    if not text or text == test.title:
        return test.said or "no reason printed"
    m = _UFFD_SKIP.match(text)
    if m and test.name == "uffd-unit-tests":
        return m[1]
    return text


def _case(test, line):
    m = _PLAN_SKIP.match(line)
    if m:
        test.skips[m[1].strip() or "no reason printed"] += 1
        return
    m = _MSG.match(line)
    if m:
        text = m[1].strip()
        if text.startswith("[RUN] "):
            test.title, test.said = text[len("[RUN] "):], ""
        elif text:
            test.said = text
        return
    m = _CASE.match(line)
    if not m:
        return
    failed, desc, directive, reason = m.groups()
    if directive == "SKIP":
        test.skips[_skip_reason(test, reason.strip() or desc)] += 1
    elif failed and directive is None:
        test.failed += 1
        test.failures.append(desc)
    elif not failed and directive is None:
        test.passed += 1
    test.said = ""


def parse(text, stats=None, status=0):
    """run_vmtests.sh's output (its TAP prefix on) as a Suite."""
    tests: dict = {}
    summary: Tuple[int, ...] = ()
    cur, underline = None, False
    for line in text.splitlines():
        line = line.rstrip()
        m = _RUNNING.match(line)
        if m:
            name = re.sub(r"^(bash )?\./", "", m[1].strip())
            while name in tests:
                name += "'"
            cur = tests[name] = Test(name)
            # the title's underline (busybox tr makes it no line of
            # dashes) is the runner's, not the test's
            underline = True
            continue
        if cur and cur.status == "run" and underline:
            underline = False
            continue
        if cur and cur.status == "run":
            m = _VERDICT.match(line)
            if m:
                cur.status = m[1].lower()
            elif line.startswith("# "):
                inner = line[2:]
                _case(cur, inner)
                if inner.strip():
                    cur.last = inner.strip().lstrip("# ")
            continue
        m = _EXIT.match(line)
        if m and cur:
            cur.exit = int(m[1])
        m = _RUNNER_SKIP.match(line)
        if m:
            name = m[1]
            tests[name] = Test(name, "skip")
            tests[name].skips[RUNNER_SKIPS.get(
                name, "run_vmtests.sh did not run it")] += 1
        m = _SUMMARY.match(line)
        if m:
            summary = tuple(int(g) for g in m.groups())
    return Suite(tests, summary, stats, status)


def findings(suites):
    """Tests that pass under off and fail under strict."""
    off, strict = suites["off"].tests, suites["strict"].tests
    return [n for n, t in off.items() if t.status == "pass"
            and n in strict and strict[n].status == "fail"]


def problems(suites):
    found = []
    for mode, suite in suites.items():
        if not suite.summary:
            found.append(f"selftests under {mode}: run_vmtests.sh did not "
                         "finish (no SUMMARY line)")
        unfinished = [n for n, t in suite.tests.items() if t.status == "run"]
        if unfinished:
            found.append(f"selftests under {mode}: no verdict for "
                         f"{', '.join(unfinished)}")
    for name in findings(suites):
        found.append(f"selftests: {name} passes under --contpte off and "
                     "fails under strict")
    strict = suites["strict"].contpte
    if strict is None:
        found.append("selftests: no counters from the contpte model")
    else:
        t = strict["total"]
        if contpte.violations(t) or t["conflict-aborts"]:
            found.append(f"selftests under strict: {contpte.violations(t)} "
                         f"violations, {t['conflict-aborts']} conflict "
                         "aborts")
    return found


def _cases(t):
    return f"{t.passed}/{t.failed}/{t.skipped}" if (
        t.passed or t.failed or t.skipped) else ""


def _notes(name, t, label=""):
    """Why test t (or its cases) skipped, and what of it failed."""
    out = [f"    {name}{label}: {HOLLOW[name]}"] if (
        name in HOLLOW and t.status == "pass") else []
    out += [f"    {name}{label}: skip x{c}: {r}" for r, c in t.reasons()]
    out += [f"    {name}{label}: FAIL: {d}" for d in t.failures[:3]]
    if t.status == "fail" and not t.failures:
        out.append(f"    {name}{label}: FAIL: exit {t.exit}: {t.last}")
    return out


def render(suites):
    names = list(suites["off"].tests)
    names += [n for n in suites["strict"].tests if n not in names]
    rows = [["test", "off", "strict", "cases pass/fail/skip"]]
    notes = []
    for n in names:
        per = [suites[m].tests.get(n) for m in MODES]
        cells = [t.status if t else "-" for t in per]
        cases = [_cases(t) if t else "" for t in per]
        rows.append([n] + cells + [cases[0] if cases[0] == cases[1]
                                   else " | ".join(cases)])
        off, strict = per
        if off:
            notes += _notes(n, off)
        if strict and (not off or _notes(n, strict) != _notes(n, off)):
            notes += _notes(n, strict, " (strict)")
    lines = ["", "  mm selftests (run_vmtests.sh, default set) under "
             "-cpu max,contpte=off and =strict"]
    lines += table(rows)
    for mode in MODES:
        s = suites[mode]
        if s.summary:
            lines.append(f"  {mode}: PASS={s.summary[0]} SKIP={s.summary[1]}"
                         f" FAIL={s.summary[2]}")
    if suites["strict"].contpte:
        lines.append("  " + contpte.summary("strict",
                                            suites["strict"].contpte))
    found = findings(suites)
    lines.append("  passes under off, fails under strict: "
                 + (", ".join(found) if found else "none"))
    if notes:
        lines += ["", "  why skipped, what failed:"] + notes
    kept = [f"{m}: {suites[m].output}" for m in MODES if suites[m].output]
    if kept:
        lines += ["", "  run_vmtests.sh's whole output: " + "; ".join(kept)]
    return "\n".join(lines)


def as_data(suites):
    return {mode: {"summary": list(s.summary), "status": s.status,
                   "contpte": s.contpte, "output": s.output,
                   "tests": {n: {"status": t.status, "passed": t.passed,
                                 "failed": t.failed,
                                 "skips": dict(t.skips),
                                 "failures": t.failures,
                                 "reasons": t.reasons()}
                             for n, t in s.tests.items()}}
            for mode, s in suites.items()}


def two_nodes(opts):
    """QEMU arguments for two NUMA nodes, each with half the RAM and half
    the vCPUs: migration and the ksm_numa tests need a second node."""
    half, cpus = opts.ram() // 2, max(opts.smp // 2, 1)
    args = []
    for node, own in ((0, range(cpus)), (1, range(cpus, opts.smp))):
        args += ["-object", f"memory-backend-ram,id=numa{node},size={half}",
                 "-numa", f"node,nodeid={node},memdev=numa{node}"
                 + (f",cpus={own[0]}-{own[-1]}" if own else "")]
    return args


def _keep(output, line, mode):
    """The whole output, for what the table leaves out: a log file."""
    path = cache.new_log(f"selftests-{line}-{mode}")
    path.write_bytes(output)
    return path


def run(art, opts, sizes):
    """Two boots: ({mode: Suite}, problems)."""
    suites, consoles = {}, []
    if opts.ram() < machine.parse_size(MEM, "--mem"):
        opts = replace(opts, mem=MEM)
    opts = replace(opts, smp=max(opts.smp, SMP))
    opts = replace(opts, qemu_args=opts.qemu_args + two_nodes(opts),
                   kernel_args=opts.kernel_args + KERNEL_ARGS,
                   timeout=max(opts.timeout, TIMEOUT))
    for mode in MODES:
        say(f"==> workloads: Linux {art.line.name}: mm selftests "
            f"(run_vmtests.sh) under --contpte {mode}")
        res = machine.execute(art.qemu.binary, art.kernel.image, art.initrd,
                              COMMAND, replace(opts, contpte=mode),
                              stream=False)
        say(f"    guest ran for {res.elapsed:.1f}s")
        suites[mode] = parse(res.stdout.decode(errors="replace"),
                             res.contpte, res.status)
        suites[mode].output = str(_keep(res.stdout, art.line.name, mode))
        consoles.append(str(res.console))
    found = problems(suites)
    if found:
        found[-1] += f"; console logs: {', '.join(consoles)}"
    return suites, found
