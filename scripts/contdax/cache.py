# SPDX-License-Identifier: GPL-2.0-or-later
"""Build outputs cached outside the clone, keyed by a hash of their inputs.

An entry is <root>/<kind>/<key>/.  It is trusted only when its marker file
exists, and the marker is written last, after the build succeeded: an
interrupted or failed build leaves a directory without a marker, which the
next build of the same key wipes before starting.  Entries are built in
place (not renamed into place) so that absolute paths recorded by meson and
kbuild stay valid.

Old entries do not pile up: when a build publishes a new entry, the
entries of its kind beyond the most recently used KEEP are removed, unless
a contdax process is using them (each holds a shared lock on every entry
it uses until it exits) or building them.
"""

import errno
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from .ui import ContdaxError

MARKER = ".contdax-complete"
# Entries of a kind kept by last use: enough for two checkouts at different
# commits, each with both kernel lines' granules (4K, 16K, 64K) and the bug
# corpus' variants, and their patched kernel trees.  A source tree
# is 1.7-1.8 GB.
KEEP = {"qemu": 3, "linux-tree": 6, "kernel": 24, "mm-selftests": 6,
        "initramfs": 12}
_in_use = []    # this process's shared locks on the entries it uses
# free bytes below which a failed build is blamed on a full file system
LOW_SPACE = 16 << 20


def root():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "contdax"


def log_dir():
    return root() / "logs"


def new_log(name, ext="log"):
    """A fresh file in log_dir() for name: NAME-STAMP-PID.EXT, the pid
    keeping apart two contdax runs that start in the same second."""
    d = log_dir()
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.{ext}"


def make_private():
    """The cache is the user's alone: contdax creates everything with
    umask 077, and the cache, the directories in it and the scratch
    backing files (guest data) of an older cache are made so too."""
    os.umask(0o077)
    top = root()
    top.mkdir(mode=0o700, parents=True, exist_ok=True)
    for p in [top] + [d for d in top.iterdir() if d.is_dir()] + list(
            (top / "nvdimm").glob("*")):
        if p.stat(follow_symlinks=False).st_uid == os.getuid() and \
                not p.is_symlink():
            p.chmod(0o700 if p.is_dir() else 0o600)


def tool_version(cmd):
    """The first line a tool prints for --version: part of a build's key."""
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True,
                             text=True, check=False).stdout
    except OSError:
        return f"{cmd}: missing"
    return out.splitlines()[0] if out else f"{cmd}: no version"


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _tree_files(top, rel_dirs):
    """Every regular file below top/rel_dir, sorted."""
    for rel in rel_dirs:
        base = Path(top) / rel
        if base.exists():
            yield from sorted(p for p in base.rglob("*") if p.is_file())


class Inputs:
    """An ordered record of everything a build depends on."""

    def __init__(self):
        self.items = []
        self._files = []    # (name, path): hashed, read again by changed()
        self._trees = []    # (name, top, rel_dirs): likewise

    def add(self, name, value):
        self.items.append((name, str(value)))

    def add_file(self, name, path):
        self.items.append((name, _digest(path)))
        self._files.append((name, Path(path)))

    def add_tree(self, name, top, rel_dirs):
        """Every regular file below top/rel_dir, by relative path."""
        top = Path(top)
        for path in _tree_files(top, rel_dirs):
            self.items.append((f"{name}:{path.relative_to(top)}",
                               _digest(path)))
        self._trees.append((name, top, rel_dirs))

    def changed(self):
        """The names of the files hashed that differ now: a build reads
        them after they were hashed, so an edit in between would publish
        an entry whose key does not describe it."""
        now = {n: _digest(p) if p.is_file() else None
               for n, p in self._files}
        prefixes = tuple(f"{n}:" for n, _, _ in self._trees)
        for name, top, rel_dirs in self._trees:
            now.update((f"{name}:{p.relative_to(top)}", _digest(p))
                       for p in _tree_files(top, rel_dirs))
        then = {n: v for n, v in self.items
                if n in now or n.startswith(prefixes)}
        return sorted(n for n in then.keys() | now.keys()
                      if then.get(n) != now.get(n))

    def key(self):
        h = hashlib.sha256()
        for name, value in self.items:
            h.update(f"{name}={value}\n".encode())
        return h.hexdigest()[:20]

    def manifest(self):
        return dict(self.items)


class Entry:
    def __init__(self, kind, inputs):
        self.kind = kind
        self.inputs = inputs
        self.key = inputs.key()
        self.path = root() / kind / self.key

    def complete(self):
        return (self.path / MARKER).is_file()

    def manifest(self):
        return json.loads((self.path / MARKER).read_text())

    def _prune_orphans(self):
        """Remove unmarked directories of killed builds of this kind.

        A directory whose lock nobody holds and that has no marker is the
        remains of an interrupted build: never trusted, only disk space.
        """
        for lock_path in self.path.parent.glob("*.lock"):
            other = lock_path.with_suffix("")
            if other == self.path or not other.is_dir() or (
                    other / MARKER).exists():
                continue
            with open(lock_path, "w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                shutil.rmtree(other, ignore_errors=True)

    def _full(self, what):
        return (f"{self.kind}: the file system of {self.path} is full "
                f"({what}); nothing was cached: free space and run again")

    def _use(self):
        """Hold a shared lock on the entry for the rest of this process, so
        that no prune removes it under us."""
        use = open(self.path.parent / f"{self.key}.use", "w")
        fcntl.flock(use, fcntl.LOCK_SH)
        _in_use.append(use)

    @contextmanager
    def building(self):
        """Yield the entry's directory to build into, or None if complete.

        Holds a lock so that two contdax processes do not build the same
        entry at once; the second waits and then finds it complete.  Either
        way the entry counts as used now, and is in use until we exit.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.parent / f"{self.key}.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._use()
            if self.complete():
                os.utime(self.path / MARKER)
                yield None
                return
            self._prune_orphans()
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir()
            ok = False
            try:
                yield self.path
                changed = self.inputs.changed()
                if changed:
                    raise ContdaxError(
                        f"{self.kind}: {', '.join(changed[:3])} changed "
                        "during the build, which is not cached; run again")
                ok = True
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                raise ContdaxError(self._full(e.strerror)) from None
            except ContdaxError as e:
                # a tool that ran out of space said so in its log only
                if shutil.disk_usage(self.path).free < LOW_SPACE:
                    raise ContdaxError(self._full(str(e))) from None
                raise
            finally:
                if not ok:
                    shutil.rmtree(self.path, ignore_errors=True)
            tmp = self.path / (MARKER + ".tmp")
            tmp.write_text(json.dumps(self.inputs.manifest(), indent=1))
            os.rename(tmp, self.path / MARKER)
        prune(self.kind)


def _try_lock(path):
    """An exclusive lock on path if nobody holds one, else None."""
    f = open(path, "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        return None
    return f


def prune(kind):
    """Remove the complete entries of kind beyond its KEEP most recently
    used; return the paths removed.  An entry being built or used by any
    contdax process stays.  The lock files stay too: removing one could
    let two processes lock different files of the same name."""
    top = root() / kind
    done = sorted((m.stat().st_mtime, m.parent)
                  for m in top.glob(f"*/{MARKER}"))
    removed = []
    for _, path in done[:max(len(done) - KEEP.get(kind, 4), 0)]:
        build = _try_lock(top / f"{path.name}.lock")
        if build is None:
            continue
        with build:
            use = _try_lock(top / f"{path.name}.use")
            if use is None:
                continue
            with use:
                (path / MARKER).unlink(missing_ok=True)
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def clean():
    """Remove everything contdax cached; return the path removed."""
    top = root()
    if top.exists():
        shutil.rmtree(top)
    return top
