# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax bugs`: the corpus of contpte kernel bugs, caught in the act.

Each entry of guest-kernel-config/bugs/NAME/ puts one bug back into a
kernel line (normally the revert of its upstream fix) and names what must
catch it:

  bug.toml   the fix's upstream title, commit and Fixes: tag, the line,
             the contdax options the reproducer needs, the report that
             must appear, and whether the bug shipped in a release, was
             in a mainline release candidate only ("rc_only"), or was
             written for contdax ("realistic")
  *.patch    the patch that puts the bug back
  fix-*.patch  optional: the upstream fix, for a bug whose exposure the
             line has since lost another way; the fixed kernel is then
             the buggy one plus the fix, not the line's own
  repro.c    the guest reproducer, in the initramfs as bug-NAME

The buggy kernel is the line's kernel plus that one patch, built in the
line's work directory, so only what the patch touches is recompiled.  The
reproducer then runs on the buggy kernel, where the report must appear,
and on the fixed kernel, where it must stay clean: exit 0 and no
violation.
"""

import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import contpte, initramfs, kernel_build, linux_lines, machine
from .ui import ContdaxError, UsageError, say

FIELDS = ("title", "commit", "fixes", "line", "summary", "cpu", "contpte",
          "smp", "command", "detect", "timeout")


@dataclass(frozen=True)
class Bug:
    name: str
    path: Path
    title: str          # the fix's upstream title
    commit: str         # the fix's upstream commit id
    fixes: str          # its Fixes: tag
    line: str
    summary: str
    cpu: str            # -cpu value
    contpte: str        # --contpte mode
    smp: int
    command: str        # the reproducer's command line in the guest
    detect: str         # what must appear on the buggy kernel
    timeout: float
    realistic: bool = False     # written for contdax, not a shipped bug
    rc_only: bool = False       # in a mainline -rc, fixed before release

    @property
    def kind(self):
        if self.realistic:
            return "realistic"
        return "rc only" if self.rc_only else "shipped"

    @property
    def needs_options(self):
        """Whether the bug's CPU options are what shows it: a reproducer
        that checks its own data on plain -cpu max needs none."""
        return self.cpu != "max"

    @property
    def patch(self):
        return _patches(self.path)[0][0]

    @property
    def fix(self):
        """The upstream fix applied on top of the bug, or None when the
        line's own kernel is the fixed one."""
        fixes = _patches(self.path)[1]
        return fixes[0] if fixes else None


def _patches(path):
    """An entry's patches: (those that put the bug back, fix-*.patch)."""
    found = sorted(path.glob("*.patch"))
    return ([p for p in found if not p.name.startswith("fix-")],
            [p for p in found if p.name.startswith("fix-")])


def corpus_dir(repo):
    return Path(repo) / "guest-kernel-config" / "bugs"


def load(path):
    """The Bug described by path/bug.toml; ContdaxError if it is broken."""
    path = Path(path)
    try:
        data = tomllib.loads((path / "bug.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ContdaxError(f"bug {path.name}: bad bug.toml: {e}") from None
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise ContdaxError(f"bug {path.name}: bug.toml lacks "
                           f"{', '.join(missing)}")
    bug_patches, fixes = _patches(path)
    if len(bug_patches) != 1 or len(fixes) > 1 \
            or not (path / "repro.c").is_file():
        raise ContdaxError(f"bug {path.name}: needs one *.patch, at most "
                           f"one fix-*.patch, and repro.c")
    linux_lines.get(data["line"])
    return Bug(name=path.name, path=path,
               realistic=bool(data.get("realistic", False)),
               rc_only=bool(data.get("rc_only", False)),
               **{f: data[f] for f in FIELDS})


def corpus(repo):
    return [load(p) for p in sorted(corpus_dir(repo).iterdir())
            if p.is_dir()]


def select(repo, names):
    bugs = corpus(repo)
    known = {b.name: b for b in bugs}
    for n in names:
        if n not in known:
            raise UsageError(f"bugs: no bug '{n}'; the corpus has "
                             f"{', '.join(known)}")
    return [known[n] for n in names] if names else bugs


@dataclass
class Outcome:
    detected: bool
    by: str             # the report or line that showed it
    seconds: float
    plain: bool         # detected with plain -cpu max as well
    clean: bool         # the fixed kernel ran the reproducer clean
    clean_note: str


def _boot(qemu, kernel, initrd, bug, cpu=None):
    opts = machine.MachineOptions(smp=bug.smp, cpu=cpu or bug.cpu,
                                  contpte=bug.contpte, timeout=bug.timeout)
    start = time.monotonic()
    try:
        res = machine.execute(qemu, kernel.image, initrd, bug.command, opts,
                              stream=False)
    except machine.GuestTimeout as e:
        return None, str(e), time.monotonic() - start
    except machine.GuestFailed as e:
        return None, str(e), time.monotonic() - start
    text = "\n".join([res.stdout.decode(errors="replace"),
                      res.stderr.decode(errors="replace")]
                     + res.contpte_reports)
    return res, text, time.monotonic() - start


def _first_line_with(text, needle):
    for line in text.splitlines():
        if needle in line:
            return line.strip()
    return ""


def check(qemu, initrd, bug, buggy, fixed):
    """Run bug's reproducer on both kernels, and on the buggy one also
    with plain -cpu max, to show what the CPU options add; an Outcome."""
    _, text, seconds = _boot(qemu, buggy, initrd, bug)
    found = _first_line_with(text, bug.detect)
    _, text, _ = _boot(qemu, buggy, initrd, bug, cpu="max")
    plain = bool(_first_line_with(text, bug.detect))
    res, text, _ = _boot(qemu, fixed, initrd, bug)
    if res is None:
        clean, note = False, text.splitlines()[0] if text else "failed"
    elif res.status:
        clean, note = False, (f"exit {res.status}: "
                              f"{text.strip().splitlines()[-1:]}")
    elif contpte.violations(res.contpte["total"]):
        clean, note = False, contpte.summary(bug.contpte, res.contpte)
    else:
        clean, note = True, "clean"
    return Outcome(bool(found), found, seconds, plain, clean, note)


def render(rows):
    lines = [f"{'bug':<24} {'line':<5} {'kind':<10} {'options':<27} "
             f"{'buggy kernel':<13} {'in':>5}  {'-cpu max':<9} "
             f"{'fixed':<8} report"]
    for bug, out in rows:
        options = bug.cpu.removeprefix("max,") if bug.needs_options else "-"
        lines.append(
            f"{bug.name:<24} {bug.line:<5} "
            f"{bug.kind:<10} "
            f"{options:<27} "
            f"{'detected' if out.detected else 'MISSED':<13} "
            f"{out.seconds:>4.0f}s  "
            f"{'detected' if out.plain else 'missed':<9} "
            f"{'clean' if out.clean else 'REPORTS':<8} "
            f"{(out.by if out.detected else '-')[:110]}")
        if not out.clean:
            lines.append(f"    fixed kernel: {out.clean_note}")
    lines.append("buggy kernel: the reproducer with the bug's options; "
                 "-cpu max: the same without them; fixed: the line's own "
                 "kernel (or the buggy one plus the upstream fix), with the "
                 "options")
    return "\n".join(lines)


def run(repo, qemu, names):
    rows = []
    for bug in select(repo, names):
        line = linux_lines.get(bug.line)
        say(f"==> bug {bug.name}: {bug.title} ({bug.commit[:12]})")
        buggy = kernel_build.build(repo, line, [bug.patch.resolve()])
        fixed = (kernel_build.build(repo, line, [bug.patch.resolve(),
                                                 bug.fix.resolve()])
                 if bug.fix else kernel_build.build(repo, line))
        initrd = initramfs.build(repo, line)
        rows.append((bug, check(qemu, initrd, bug, buggy, fixed)))
    print(render(rows))
    bad = [b.name for b, o in rows if not o.detected or not o.clean]
    return 1 if bad else 0
