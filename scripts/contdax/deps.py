# SPDX-License-Identifier: GPL-2.0-or-later
"""Host dependencies, installed from Debian's archive by package name.

QEMU 10.0 needs meson >= 1.5 (bookworm-backports), its source package
comes from trixie and linux-source-7.3 from trixie-backports; the suites
are added with deb-src entries, trixie pinned at priority 100 and the
backports suites at their default 100, so that nothing else on the host is
upgraded.  The arm64
architecture is added so that `apt-get download busybox-static:arm64`
resolves; nothing of that architecture is ever installed on the host.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from .ui import ContdaxError, say

HOST_PACKAGES = [
    "build-essential", "ninja-build", "pkg-config", "libglib2.0-dev",
    "libfdt-dev", "libpixman-1-dev", "flex", "bison", "bc", "libssl-dev",
    "libelf-dev", "cpio", "rsync", "xz-utils", "dpkg-dev", "patch",
    "python3-venv", "python3-tomli", "gcc-aarch64-linux-gnu",
    "libc6-dev-arm64-cross", "gzip",
    # disk images the nvdimm-dax qtests must refuse to format
    "fdisk", "e2fsprogs", "xfsprogs",
    # export-patches; the shared objects ndctl and daxctl need; depmod,
    # for the index of the guest's built-in modules
    "git", "binutils-aarch64-linux-gnu", "kmod",
    # the fuzz suite: libFuzzer and the sanitizers' runtimes
    "clang", "libclang-rt-dev",
    # the style suite's Python checks
    "flake8", "mypy",
    # kernel objects shared between a line's kernels, corpus entries and
    # user trees
    "ccache",
]
# Only for --boot acpi: UEFI firmware for -M virt.
ACPI_PACKAGES = ["qemu-efi-aarch64"]
# (package, suite, minimum version)
BACKPORTED = [("meson", "bookworm-backports", "1.5")]

SOURCES_FILE = Path("/etc/apt/sources.list.d/contdax.sources")
PREFS_FILE = Path("/etc/apt/preferences.d/contdax")
EXTRA_SUITES = "trixie trixie-backports bookworm-backports"
PIN = "Package: *\nPin: release n=trixie\nPin-Priority: 100\n"


def installed_versions(packages):
    """Package -> installed version, for those installed (one dpkg call)."""
    out = subprocess.run(["dpkg-query", "-W",
                          "-f=${Package}\t${Status}\t${Version}\n"]
                         + list(packages), capture_output=True, text=True)
    have = {}
    for line in out.stdout.splitlines():
        name, status, version = line.split("\t")
        if status == "install ok installed":
            have[name] = version
    return have


def _version_ge(a, b):
    return subprocess.run(["dpkg", "--compare-versions", a, "ge", b]
                          ).returncode == 0


def _debian_source():
    """URI and keyring of the host's Debian archive entry, for our suites."""
    uri, keyring = "http://deb.debian.org/debian", \
        "/usr/share/keyrings/debian-archive-keyring.gpg"
    deb822 = Path("/etc/apt/sources.list.d/debian.sources")
    if deb822.exists():
        for stanza in deb822.read_text().split("\n\n"):
            if "debian-security" in stanza:
                continue
            m = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
            k = re.search(r"^Signed-By:\s*(\S+)", stanza, re.M)
            if m:
                uri = m.group(1)
                keyring = k.group(1) if k else keyring
                break
    return uri, keyring


def _sources_text():
    uri, keyring = _debian_source()
    return (f"Types: deb deb-src\nURIs: {uri}\nSuites: {EXTRA_SUITES}\n"
            f"Components: main\nSigned-By: {keyring}\n")


def missing(extra=()):
    """Packages to install, as (name, suite or None)."""
    plain = HOST_PACKAGES + list(extra)
    have = installed_versions(plain + [p for p, _, _ in BACKPORTED])
    todo: list[tuple[str, str | None]] = [(p, None) for p in plain
                                          if p not in have]
    for pkg, suite, minimum in BACKPORTED:
        if pkg not in have or not _version_ge(have[pkg], minimum):
            todo.append((pkg, suite))
    return todo


def apt_configured():
    foreign = subprocess.run(["dpkg", "--print-foreign-architectures"],
                             capture_output=True, text=True).stdout.split()
    try:
        current = (SOURCES_FILE.read_text(), PREFS_FILE.read_text())
    except OSError:
        return False
    # an entry written by an older contdax lacks a suite: write it anew
    return current == (_sources_text(), PIN) and "arm64" in foreign


def _commands(todo):
    cmds = []
    if not apt_configured():
        cmds.append(["dpkg", "--add-architecture", "arm64"])
        cmds.append(["write", str(SOURCES_FILE), _sources_text()])
        cmds.append(["write", str(PREFS_FILE), PIN])
    cmds.append(["apt-get", "update"])
    plain = [p for p, s in todo if s is None]
    if plain:
        cmds.append(["apt-get", "install", "-y", "--no-install-recommends"]
                    + plain)
    for suite in sorted({s for _, s in todo if s}):
        cmds.append(["apt-get", "install", "-y", "--no-install-recommends",
                     "-t", suite] + [p for p, s in todo if s == suite])
    return cmds


def _privilege():
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(
            ["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "DEBIAN_FRONTEND=noninteractive"]
    return None


def ensure(step, need_apt_lists=False, extra=()):
    """Install what is missing; with need_apt_lists, also set up sources."""
    todo = missing(extra)
    if not todo and (apt_configured() or not need_apt_lists):
        return
    cmds = _commands(todo)
    prefix = _privilege()
    if prefix is None:
        shown = []
        for c in cmds:
            if c[0] == "write":
                text = c[2].replace("\n", "\\n")
                shown.append(f"printf '{text}' | sudo tee {c[1]}")
            else:
                shown.append("sudo " + " ".join(c))
        raise ContdaxError("missing host packages "
                           f"({', '.join(p for p, _ in todo) or 'apt sources'})"
                           "; run as root, or run: " + " && ".join(shown))
    say(f"    installing: {', '.join(p for p, _ in todo) or 'apt sources'}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    for c in cmds:
        if c[0] == "write":
            if prefix:
                subprocess.run(prefix + ["tee", c[1]], input=c[2], text=True,
                               stdout=subprocess.DEVNULL, check=True)
            else:
                Path(c[1]).write_text(c[2])
            continue
        step.run(prefix + c, env=env)
    still = missing(extra)
    if still:
        step.fail("still missing after install: "
                  + ", ".join(p for p, _ in still))
