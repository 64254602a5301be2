# SPDX-License-Identifier: GPL-2.0-or-later
"""`--put HOST[:GUEST]`: the user's own files in the guest, no rebuild.

Linux unpacks an initramfs that is several cpio archives one after the
other, compressed or not.  So the user's files go into one more newc
archive, appended to a copy of the cached initramfs: the cache entry is
never written, and nothing is built.  Modes are kept (an executable stays
one), owners become root.
"""

import atexit
import itertools
import os
import posixpath
import shutil
import stat
import tempfile
from pathlib import Path

from .ui import UsageError

# where a file goes without :GUEST
DEFAULT_DIR = "/root"


def parse(spec):
    """'HOST[:GUEST]' -> (host Path, absolute guest path); UsageError if
    HOST does not exist or GUEST leaves the guest's root."""
    host, sep, guest = spec.partition(":")
    path = Path(host).expanduser()
    if not host or not path.exists():
        raise UsageError(f"--put {spec}: no such file or directory: "
                         f"{host or '(empty)'}")
    if not sep:
        guest = posixpath.join(DEFAULT_DIR, path.resolve().name)
    norm = posixpath.normpath(guest) if guest else ""
    if not guest.startswith("/") or norm in ("/", "//") or \
            ".." in guest.split("/"):
        raise UsageError(f"--put {spec}: the guest path must be absolute, "
                         f"below / and without '..', e.g. "
                         f"{posixpath.join(DEFAULT_DIR, path.name)}")
    return path, norm


def _entry(out, ino, name, mode, data=b""):
    """One newc header, name and data, each padded to 4 bytes."""
    raw = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw), 0]
    out.write(b"070701" + b"".join(b"%08X" % f for f in fields))
    out.write(raw + b"\0" * (-(110 + len(raw)) % 4))
    out.write(data + b"\0" * (-len(data) % 4))


def _walk(host, guest):
    """(guest name, host path) for host and, if a directory, all below."""
    yield guest, host
    if host.is_dir() and not host.is_symlink():
        for child in sorted(host.iterdir()):
            yield from _walk(child, f"{guest}/{child.name}")


def write_archive(out, puts):
    """A newc archive of puts [(host Path, guest path)] into the open
    binary file out, with the guest paths' parent directories."""
    inodes = itertools.count(1)     # no two entries alike: no hardlinks
    dirs = set()
    for _, guest in puts:
        parts = guest.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    for d in sorted(dirs):
        _entry(out, next(inodes), d, stat.S_IFDIR | 0o755)
    for host, guest in puts:
        for name, path in _walk(host, guest.strip("/")):
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
            elif stat.S_ISDIR(st.st_mode):
                data = b""
            elif stat.S_ISREG(st.st_mode):
                data = path.read_bytes()
            else:
                raise UsageError(f"--put: {path} is neither a file, a "
                                 f"directory nor a symlink")
            _entry(out, next(inodes), name, st.st_mode, data)
    _entry(out, next(inodes), "TRAILER!!!", 0)


def initrd_with(initrd, puts):
    """A temporary copy of initrd with puts appended, removed at exit."""
    tmp = Path(tempfile.mkdtemp(prefix="contdax-put-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    combined = tmp / "initrd"
    with open(initrd, "rb") as src, open(combined, "wb") as out:
        shutil.copyfileobj(src, out)
        # each archive starts 4-byte aligned; Linux skips the zeroes
        out.write(b"\0" * (-out.tell() % 4))
        write_archive(out, puts)
    return combined
