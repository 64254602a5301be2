# SPDX-License-Identifier: GPL-2.0-or-later
"""The guest's userland: busybox, the kernel's mm selftest suite
(mm_selftests.py), guest/ programs, and Debian's ndctl, daxctl and bash.

The project's programs are static arm64, cross-built with
gcc-aarch64-linux-gnu.  ndctl and daxctl come as Debian built them, with
the shared objects they load and the dynamic loader in /lib.  All is
packed into a gzip'd newc cpio, written here rather than with cpio(1) so
that /dev/console can be a device node without root.
"""

import gzip
import re
import shutil
import stat
import subprocess

from . import cache, kernel_build, mm_selftests, sources
from .ui import step

CC = kernel_build.CROSS + "gcc"
CFLAGS = ["-Wall", "-O2", "-static"]
# Debian's tools in the guest: the packages (their shared-library
# dependencies follow from the apt metadata) and the programs wanted;
# bash runs the mm selftests' run_vmtests.sh, whose hugetlb cgroup tests
# find their writers with procps' pgrep and stop them with psmisc's
# killall --wait (this busybox has no pgrep, its killall no --wait)
TOOL_PACKAGES = ("ndctl:arm64", "daxctl:arm64", "bash:arm64",
                 "procps:arm64", "psmisc:arm64")
TOOLS = ("usr/bin/ndctl", "usr/bin/daxctl", "usr/bin/bash", "usr/bin/pgrep",
         "usr/bin/killall")
LOADER = "ld-linux-aarch64.so.1"
READELF = kernel_build.CROSS + "readelf"
_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+?)\]")


def _needed(path):
    """The sonames an ELF file's dynamic section asks for."""
    out = subprocess.run([READELF, "-d", str(path)], capture_output=True,
                         text=True, check=True).stdout
    return _NEEDED.findall(out)


def debian_tools(s, out):
    """[(path in the guest, file on the host)]: TOOLS from TOOL_PACKAGES,
    every shared object they need, transitively, and the loader."""
    root = out / "debs"
    packages = sources.closure(TOOL_PACKAGES)
    sources.fetch_debs(s, packages)
    for package in packages:
        sources.unpack_deb(s, package, root)
    dirs = [root / d for d in ("usr/lib/aarch64-linux-gnu",
                               "lib/aarch64-linux-gnu", "usr/lib", "lib")]

    def find(soname):
        for d in dirs:
            if (d / soname).exists():
                return (d / soname).resolve()
        s.fail(f"no package of {', '.join(TOOL_PACKAGES)}'s dependencies "
               f"holds {soname}")

    files = [(t, root / t) for t in TOOLS]
    libs, todo = {LOADER: find(LOADER)}, [root / t for t in TOOLS]
    while todo:
        for soname in _needed(todo.pop()):
            if soname not in libs:
                libs[soname] = find(soname)
                todo.append(libs[soname])
    return files + [(f"lib/{n}", p) for n, p in sorted(libs.items())]


def guest_programs(repo):
    """(source, name in /usr/bin): guest/*.c, and each bug corpus entry's
    reproducer as bug-NAME."""
    progs = [(src, src.stem) for src in sorted((repo / "guest").glob("*.c"))]
    bugs = repo / "guest-kernel-config" / "bugs"
    progs += [(src, f"bug-{src.parent.name}")
              for src in sorted(bugs.glob("*/repro.c"))]
    return progs


def guest_scripts(repo):
    return sorted((repo / "guest").glob("*.sh"))


class Cpio:
    """A minimal newc writer: directories, files, symlinks, device nodes."""

    def __init__(self, path):
        self.f = gzip.GzipFile(path, "wb", compresslevel=6, mtime=0)
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0],
                  rdev[1], len(name) + 1, 0]
        self.ino += 1
        hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.f.write(hdr + name.encode() + b"\0")
        self.f.write(b"\0" * (-(len(hdr) + len(name) + 1) % 4))
        self.f.write(data)
        self.f.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o755):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.f.close()


# where the guest's module index lives (depmod wants a version-shaped
# name); guest/init links /lib/modules/$(uname -r) to it
MODULES_DIR = "lib/modules/0.0-contdax"


def kernel_modules(s, repo, out):
    """MODULES_DIR: the index of the built-in modules that
    guest/modules.builtin lists, made by depmod.  The kernels have no
    loadable modules, but libkmod, through which daxctl asks for kmem,
    knows a built-in one only from that index."""
    top = out / "modules"
    d = top / MODULES_DIR
    d.mkdir(parents=True)
    shutil.copy(repo / "guest/modules.builtin", d / "modules.builtin")
    (d / "modules.order").write_text("")
    s.run(["depmod", "-b", top, d.name])
    return [(f"{MODULES_DIR}/{p.name}", p) for p in sorted(d.iterdir())]


def _tree(c, top, under):
    """top's files and directories, modes kept, as under/... in c."""
    c.dir(under)
    for p in sorted(top.rglob("*")):
        name = f"{under}/{p.relative_to(top)}"
        if p.is_symlink():
            c.symlink(name, str(p.readlink()))
        elif p.is_dir():
            c.dir(name)
        else:
            c.file(name, p.read_bytes(), p.stat().st_mode & 0o777)


def _write(path, busybox, init, programs, tools, selftests):
    c = Cpio(path)
    for d in ["bin", "sbin", "dev", "etc", "lib", "lib/modules",
              MODULES_DIR, "proc", "sys", "tmp", "root", "mnt", "usr",
              "usr/bin", "usr/sbin", "usr/lib", "usr/lib/kselftest"]:
        c.dir(d)
    _tree(c, selftests, mm_selftests.GUEST_DIR)
    # run_vmtests.sh and its helpers ask for #!/bin/bash
    c.symlink("bin/bash", "/usr/bin/bash")
    c.chardev("dev/console", 5, 1)
    c.file("init", init.read_bytes())
    c.file("bin/busybox", busybox.read_bytes())
    for p in programs:
        c.file(f"usr/bin/{p.name}", p.read_bytes())
    for name, p in tools:
        c.file(name, p.read_bytes())
    c.close()


def build(repo, line):
    """Return the path of line's initramfs, building it if stale."""
    tests = mm_selftests.build(repo, line)
    inputs = cache.Inputs()
    inputs.add("busybox", sources.binary_version(sources.BUSYBOX_PACKAGE))
    inputs.add("selftests", tests.parent.name)
    inputs.add("cc", cache.tool_version(CC))
    inputs.add_tree("guest", repo, ["guest", "guest-kernel-config/bugs"])
    inputs.add("tools", " ".join(f"{p}={sources.binary_version(p)}" for p
                                 in sources.closure(TOOL_PACKAGES)))
    entry = cache.Entry("initramfs", inputs)
    with entry.building() as out:
        if out is not None:
            with step("initramfs: build", cache.log_dir()) as s:
                sources.unpack_deb(s, sources.BUSYBOX_PACKAGE, out / "bb")
                busybox = [p for p in ("bin/busybox", "usr/bin/busybox")
                           if (out / "bb" / p).is_file()]
                if not busybox:
                    s.fail(f"{sources.BUSYBOX_PACKAGE} holds no busybox "
                           "binary")
                progs = out / "guest-bin"
                progs.mkdir()
                for src, name in guest_programs(repo):
                    s.run([CC] + CFLAGS + [src, "-lpthread", "-o",
                                           progs / name])
                programs = sorted(progs.iterdir()) + guest_scripts(repo)
                _write(out / "initramfs.cpio.gz", out / "bb" / busybox[0],
                       repo / "guest/init", programs,
                       debian_tools(s, out) + kernel_modules(s, repo, out),
                       tests)
                s.run(["rm", "-rf", out / "debs"])
    return entry.path / "initramfs.cpio.gz"
