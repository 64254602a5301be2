# SPDX-License-Identifier: GPL-2.0-or-later
"""Upstream sources from Debian's archive: QEMU 10.0.x, each Linux line's
linux-source package (linux_lines.py), busybox.

The newest version the archive serves within each series is taken and
recorded: versions move, so contdax never pins one that may disappear.
Downloads are kept in the cache under their Debian file names, which carry
the version, and are fetched into a temporary directory first so that a
partial download is never taken for a complete one.

apt verifies each file against the archive's signed indices; dpkg-source
then checks the tarballs against the .dsc's checksums.
"""

import functools
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from . import cache, linux_lines
from .ui import ContdaxError

QEMU_SERIES = "10.0."
BUSYBOX_PACKAGE = "busybox-static:arm64"
# the libc that aarch64-linux-gnu-gcc links against (deps.py installs it)
CROSS_LIBC = "libc6-dev-arm64-cross"


def _newest(versions, prefix=""):
    best = None
    for v in versions:
        upstream = v.split(":", 1)[-1]
        if not upstream.startswith(prefix):
            continue
        if best is None or subprocess.run(
                ["dpkg", "--compare-versions", v, "gt", best]).returncode == 0:
            best = v
    return best


def _apt_query(args):
    out = subprocess.run(["apt-cache"] + args, capture_output=True,
                         text=True)
    return out.stdout


def _apt_state():
    """Changes whenever apt's package lists or sources change."""
    paths = [Path("/var/lib/apt/lists"), Path("/etc/apt/sources.list.d"),
             Path("/etc/apt/preferences.d"), Path("/etc/apt/sources.list")]
    return ":".join(str(p.stat().st_mtime_ns) if p.exists() else "-"
                    for p in paths)


def _memo_many(names, resolve):
    """{name: value}, resolved once per apt state: each apt-cache call
    costs seconds (it reads every package list), so resolve(missing) gets
    all names not yet known at once and returns {name: value}."""
    memo = cache.root() / "apt-versions.json"
    state = _apt_state()
    try:
        data = json.loads(memo.read_text())
    except (OSError, ValueError):
        data = {}
    if data.get("state") != state:
        data = {"state": state, "versions": {}}
    missing = [n for n in names if n not in data["versions"]]
    if missing:
        data["versions"].update(resolve(missing))
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        os.rename(tmp, memo)
    return {n: data["versions"][n] for n in names}


def _memo(name, resolve):
    return _memo_many([name], lambda _: {name: resolve()})[name]


def _resolve_qemu():
    versions = re.findall(r"^Version: (\S+)", _apt_query(["showsrc", "qemu"]),
                          re.M)
    v = _newest(versions, QEMU_SERIES)
    if not v:
        raise ContdaxError("no QEMU 10.0.x source package in the apt lists; "
                           "run './contdax setup' (it adds the trixie "
                           "deb-src entry)")
    return v


def _madison(packages):
    """{package: [(version, release codename)]} from one apt-cache madison
    call; bookworm-updates and bookworm-security count as bookworm."""
    found: dict[str, list] = {p: [] for p in packages}
    for line in _apt_query(["madison"] + list(packages)).splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) >= 3 and fields[0] in found:
            suite = (fields[2].split() + ["", ""])[1]
            found[fields[0]].append((fields[1],
                                     suite.split("/")[0].split("-")[0]))
    return found


def _resolve_binaries(packages):
    """{package: newest version, or None if apt knows none}."""
    return {p: _newest(v for v, _ in found)
            for p, found in _madison(packages).items()}


def _resolve_cross_release():
    """The Debian release the installed cross libc comes from."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", CROSS_LIBC],
                         capture_output=True, text=True)
    for version, release in _madison([CROSS_LIBC])[CROSS_LIBC]:
        if version == out.stdout.strip():
            return release
    raise ContdaxError(f"{CROSS_LIBC} is not installed from a release in "
                       "the apt lists; run './contdax setup'")


def cross_static_versions(packages):
    """{package: version}: the newest version of each arm64 -dev package
    in the Debian release the cross toolchain's libc comes from.  Their
    static libraries are linked against that libc, and a newer release's
    ask for symbols it lacks (trixie's libnuma.a: glibc 2.38's
    __isoc23_strtoul)."""
    release = _memo("cross-libc-release", _resolve_cross_release)

    def resolve(names):
        found = _madison([n.split(" ", 1)[1] for n in names])
        return {f"{release} {p}": _newest(v for v, r in found[p]
                                          if r == release)
                for p in found}
    versions = _memo_many([f"{release} {p}" for p in packages], resolve)
    missing = [p for p in packages if not versions[f"{release} {p}"]]
    if missing:
        raise ContdaxError(f"{', '.join(missing)}: no version in Debian "
                           f"{release}, the release of {CROSS_LIBC}; run "
                           "'./contdax setup'")
    return {p: versions[f"{release} {p}"] for p in packages}


def binary_versions(packages):
    """{package: the version contdax takes}, None for a package apt does
    not have (a virtual one)."""
    return _memo_many(list(packages), _resolve_binaries)


@functools.lru_cache(maxsize=None)
def qemu_version():
    return _memo("qemu-source", _resolve_qemu)


@functools.lru_cache(maxsize=None)
def binary_version(package):
    v = binary_versions([package])[package]
    if not v:
        raise ContdaxError(f"package {package} not found in the apt lists; "
                           "run './contdax setup'")
    return v


def _resolve_closure(packages):
    """packages and the shared libraries they depend on, recursively,
    from the apt metadata: a dependency is followed when it is
    "Multi-Arch: same" (a library, co-installable per architecture), not
    a tool or a virtual package (init-system-helpers, <awk>): the guest
    runs no maintainer scripts.  Of alternatives, the first is taken."""
    arch = packages[0].split(":")[1]
    seen, todo = [], list(packages)
    while todo:
        # the versions contdax downloads: dependencies change with them
        versions = binary_versions(todo)
        out = _apt_query(["show"] + [f"{p}={versions[p]}" for p in todo])
        todo = []
        for record in out.split("\n\n"):
            fields = dict(re.findall(r"^([\w-]+): (.*)$", record, re.M))
            name = f"{fields.get('Package')}:{arch}"
            if not fields or name in seen or (
                    fields.get("Multi-Arch") != "same" and
                    name not in packages):
                continue
            seen.append(name)
            deps = ", ".join(fields.get(f, "")
                             for f in ("Pre-Depends", "Depends"))
            for dep in filter(None, (d.strip() for d in deps.split(","))):
                first = dep.split("|")[0].split()[0].split(":")[0]
                if f"{first}:{arch}" not in seen + todo:
                    todo.append(f"{first}:{arch}")
        # virtual packages have no version of their own
        known = binary_versions(todo)
        todo = [t for t in todo if known[t]]
    return sorted(seen)


@functools.lru_cache(maxsize=None)
def closure(packages):
    """Memoised _resolve_closure: the same apt lists, the same answer."""
    # the key names the rule too: a memo of another rule is not reused
    return _memo("multi-arch-same-closure:" + ",".join(packages),
                 lambda: _resolve_closure(list(packages)))


def _downloads():
    d = cache.root() / "downloads"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _fetch(step, cmd, want):
    """Run an apt download into a temp dir; move files matching want."""
    dest = _downloads()
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        step.run(cmd, cwd=tmp)
        got = [p for p in Path(tmp).iterdir() if want(p.name)]
        if not got:
            step.fail(f"'{' '.join(cmd)}' downloaded nothing usable")
        for p in got:
            p.rename(dest / p.name)


def qemu_dsc(step):
    """Path of the QEMU .dsc (with its tarballs beside it)."""
    version = qemu_version()
    bare = version.split(":", 1)[-1]
    dsc = _downloads() / f"qemu_{bare}.dsc"
    if not dsc.exists():
        _fetch(step, ["apt-get", "source", "--download-only",
                      f"qemu={version}"], lambda n: n.startswith("qemu_"))
    return dsc


def unpack_qemu(step, dest):
    step.run(["dpkg-source", "--no-copy", "-x", qemu_dsc(step), dest])


def deb(step, package, version=None):
    """Path of the .deb of package's version, by default its newest."""
    version = version or binary_version(package)
    fetch_debs(step, [package], {package: version})
    found = _cached_deb(package, version)
    if not found:
        step.fail(f"apt-get download {package} gave no .deb of version "
                  f"{version}")
    return found


def fetch_debs(step, packages, versions=None):
    """Download, in one apt-get call, the .debs of packages not yet in the
    downloads (of the given versions, else the newest): each call reads
    every package list again."""
    versions = versions or {p: binary_version(p) for p in packages}
    missing = [p for p in packages if not _cached_deb(p, versions[p])]
    if missing:
        _fetch(step, ["apt-get", "download"] +
               [f"{p}={versions[p]}" for p in missing],
               lambda n: n.endswith(".deb"))


def _cached_deb(package, version):
    name = package.split(":")[0]
    arch = package.split(":")[1] if ":" in package else None
    for p in _downloads().glob(f"{name}_*.deb"):
        stem = p.name.replace("%3a", ":")
        if f"_{version}_" in stem and (arch is None or stem.endswith(
                f"_{arch}.deb") or stem.endswith("_all.deb")):
            return p
    return None


def unpack_deb(step, package, dest, version=None):
    step.run(["dpkg-deb", "-x", deb(step, package, version), dest])


def linux_version(line):
    """The exact Debian version of line's linux-source package."""
    return binary_version(line.package)


def unpack_linux(step, line, dest):
    """Unpack line's linux-source tarball so that dest is the tree top."""
    with tempfile.TemporaryDirectory(dir=_downloads()) as tmp:
        unpack_deb(step, line.package, tmp)
        tarballs = list(Path(tmp).glob("usr/src/linux-source-*.tar.xz"))
        if len(tarballs) != 1:
            step.fail(f"{line.package} holds no linux-source tarball")
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        step.run(["tar", "-xf", tarballs[0], "-C", dest,
                  "--strip-components=1"])


def describe():
    """Versions of the upstream sources, for `contdax version`."""
    v = {"qemu": qemu_version()}
    for name, line in linux_lines.LINES.items():
        v[f"linux-{name}"] = linux_version(line)
    v["busybox"] = binary_version(BUSYBOX_PACKAGE)
    return v
