# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax export-patches DIR`: the QEMU side as a git format-patch series.

contdax builds QEMU as Debian's source, plus the small hooks of
patches/qemu/ into upstream files, plus an overlay of new files.  A QEMU
developer wants one series instead, each new file in the patch that
builds it.  patches/qemu-export.toml says which hooks and files make each
patch; the series is made in a scratch git tree of the pristine source
with `git am` and written with `git format-patch --cover-letter`.
"""

import fnmatch
import os
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, patches, qemu_build, sources
from .ui import ContdaxError, UsageError, step

PLAN = "patches/qemu-export.toml"
# fixed identities and dates: the same inputs give the same series
GIT_ENV = {
    "GIT_COMMITTER_NAME": "contdax", "GIT_COMMITTER_EMAIL": "contdax@invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    # no gc in the background, still writing while the tree is removed
    "GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "gc.auto",
    "GIT_CONFIG_VALUE_0": "0", "GIT_CONFIG_KEY_1": "maintenance.auto",
    "GIT_CONFIG_VALUE_1": "false",
}


@dataclass
class ExportPatch:
    hooks: list                 # paths of patches/qemu/ hooks, in order
    files: list                 # overlay files, relative to the repo
    subject: str = ""           # with body: replaces the hook's message
    body: str = ""
    maintainers: list = field(default_factory=list)


def overlay_files(repo):
    """Every new file the build overlays on the QEMU source."""
    return sorted(p.relative_to(repo).as_posix()
                  for d in qemu_build.OVERLAY_DIRS if (repo / d).exists()
                  for p in (repo / d).rglob("*") if p.is_file())


def load(repo):
    """(cover, [ExportPatch]) of the plan, checked: every hook and every
    overlay file in exactly one patch."""
    path = repo / PLAN
    try:
        plan = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ContdaxError(f"{PLAN}: {e}") from None
    hooks = {p.name[:4]: p for p in patches.read_series(
        repo / "patches/qemu")}
    files = overlay_files(repo)
    used_hooks, used_files, out = [], [], []
    for n, entry in enumerate(plan.get("patch", []), 1):
        where = f"{PLAN}: patch {n}"
        for h in entry.get("hooks", []):
            if h not in hooks:
                raise ContdaxError(f"{where}: no hook {h} in "
                                   "patches/qemu/series")
        picked = []
        for pattern in entry.get("files", []):
            match = [f for f in files if fnmatch.fnmatch(f, pattern)]
            if not match:
                raise ContdaxError(f"{where}: '{pattern}' matches no "
                                   "overlay file")
            picked += [f for f in match if f not in picked]
        if bool(entry.get("subject")) != bool(entry.get("body")) or not (
                entry.get("hooks") or entry.get("subject")):
            raise ContdaxError(f"{where}: a subject needs a body, and a "
                               "patch without hooks needs both")
        used_hooks += entry.get("hooks", [])
        used_files += picked
        out.append(ExportPatch(
            [hooks[h] for h in entry.get("hooks", [])], picked,
            entry.get("subject", ""), entry.get("body", "").strip(),
            entry.get("maintainers", [])))
    for kind, used, every in (("hook", used_hooks, sorted(hooks)),
                              ("overlay file", used_files, files)):
        twice = sorted({u for u in used if used.count(u) > 1})
        missing = [e for e in every if e not in used]
        if twice or missing:
            raise ContdaxError(f"{PLAN}: every {kind} must be in exactly "
                               f"one patch: twice {twice}, in none "
                               f"{missing}")
    return plan.get("cover", {}), out


def add_maintainers(text, section, lines, after=None):
    """MAINTAINERS text with lines' F: entries added to section, or with
    the whole section (lines as its body) after the section `after`."""
    blocks = text.split("\n\n")
    for i, block in enumerate(blocks):
        if block.split("\n", 1)[0] == section:
            new = [ln for ln in lines.strip().splitlines()
                   if ln.startswith("F:")]
            body = block.rstrip("\n")
            blocks[i] = body + "\n" + "\n".join(new) + block[len(body):]
            return "\n\n".join(blocks)
    for i, block in enumerate(blocks):
        if after and block.split("\n", 1)[0] == after:
            blocks.insert(i + 1, f"{section}\n{lines.strip()}")
            return "\n\n".join(blocks)
    raise ContdaxError(f"{PLAN}: MAINTAINERS has no section "
                       f"'{after or section}'")


def _git(s, tree, *args):
    s.run(["git", "-C", tree, *args], env=GIT_ENV)


def _author(tree):
    """(name, email) of the last commit's author."""
    out = subprocess.run(["git", "-C", tree, "log", "-1",
                          "--format=%an%n%ae"], capture_output=True,
                         text=True, check=True,
                         env=dict(os.environ, **GIT_ENV)).stdout
    return tuple(out.splitlines())


def _commit(s, repo, tree, p):
    """One patch of the series: its hooks with `git am`, its files, its
    MAINTAINERS lines, and its message."""
    for hook in p.hooks:
        _git(s, tree, "am", "--keep-cr", hook.resolve())
    for rel in p.files:
        qemu_build.add_new_file(repo, rel, tree)
    m = tree / "MAINTAINERS"
    for entry in p.maintainers:
        m.write_text(add_maintainers(m.read_text(), entry["section"],
                                     entry["text"], entry.get("after")))
    _git(s, tree, "add", "-A", "-f")
    if not p.subject:
        _git(s, tree, "commit", "--amend", "--no-edit", "--allow-empty")
        return
    msg = tree.parent / "message"
    name, email = _author(tree)
    msg.write_text(f"{p.subject}\n\n{p.body}\n\n"
                   f"Signed-off-by: {name} <{email}>\n")
    if p.hooks:
        _git(s, tree, "commit", "--amend", "-F", msg)
    else:
        _git(s, tree, "commit", "-F", msg)


def _cover(out, cover):
    letter = out / "0000-cover-letter.patch"
    text = letter.read_text()
    text = text.replace("*** SUBJECT HERE ***", cover.get("subject", ""))
    text = text.replace("*** BLURB HERE ***", cover.get("body", "").strip()
                        .replace("{qemu_version}", sources.qemu_version()))
    letter.write_text(text)


def check_out(out):
    """DIR must be new or empty: nothing of the user's is overwritten."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"export-patches: {out} exists and is not an "
                         "empty directory; nothing written")


def export(repo, out):
    """Write the series into the directory out (new or empty); return the
    paths of the patches written, the cover letter first."""
    out = Path(out)
    check_out(out)
    cover, plan = load(repo)
    with tempfile.TemporaryDirectory(prefix="contdax-export-") as tmp, \
            step(f"export the QEMU side ({sources.qemu_version()})",
                 cache.log_dir()) as s:
        tree = Path(tmp) / "qemu"
        sources.unpack_qemu(s, tree)
        _git(s, tree, "init", "-q")
        _git(s, tree, "add", "-A", "-f")
        _git(s, tree, "-c", "user.name=contdax", "-c",
             "user.email=contdax@invalid", "commit", "-q", "-m",
             f"Debian QEMU {sources.qemu_version()}")
        _git(s, tree, "tag", "pristine")
        for p in plan:
            _commit(s, repo, tree, p)
        out.mkdir(parents=True, exist_ok=True)
        # the cover letter is from the committer: the series' author
        name, email = _author(tree)
        s.run(["git", "-C", tree, "format-patch", "-q", "--cover-letter",
               "--zero-commit", "-o", out.resolve(), "pristine..HEAD"],
              env=dict(GIT_ENV, GIT_COMMITTER_NAME=name,
                       GIT_COMMITTER_EMAIL=email))
        _cover(out, cover)
    return sorted(out.glob("*.patch"))
