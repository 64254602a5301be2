# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU: Debian's 10.0.x source + patches/qemu + the project's files, built.

Patches are small hooks into upstream files; the project's own files
(hw/, target/, tests/qtest/, include/) are copied over the tree and may only
add files, never replace an upstream one.
"""

import json
import shutil

from . import cache, deps, patches, sources
from .ui import ContdaxError, step

OVERLAY_DIRS = ["hw", "target", "tests/qtest", "include"]
# The build's device set (a build choice, not part of the exported series).
DEVICES = "configs/devices/aarch64-softmmu/contdax.mak"
# Bare-metal guest code the qtests boot (tests/qtest/NAME-payload/).
PAYLOAD_CC = "aarch64-linux-gnu-gcc"
PAYLOAD_CFLAGS = [
    "-ffreestanding", "-nostdlib", "-static", "-mgeneral-regs-only", "-O2",
    "-Wall", "-Wextra", "-Werror", "-fno-pie", "-no-pie",
    "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments",
]
CONFIGURE = [
    "--target-list=aarch64-softmmu", "--disable-docs", "--disable-werror",
    "--enable-fdt=system", "--disable-user", "--without-default-features",
    "--enable-tcg", "--disable-install-blobs", "--python=/usr/bin/python3",
    "--without-default-devices", "--with-devices-aarch64=contdax",
    "--disable-debug-info",
]


def project_qtests(repo):
    """The project's qtest programs, by name (tests/qtest/NAME.c)."""
    return sorted(p.stem for p in (repo / "tests/qtest").glob("*-test.c"))


def _inputs(repo):
    inputs = cache.Inputs()
    inputs.add("qemu-source", sources.qemu_version())
    for p in patches.read_series(repo / "patches/qemu"):
        inputs.add_file(f"patch:{p.name}", p)
    inputs.add_tree("overlay", repo, OVERLAY_DIRS)
    inputs.add_file("devices", repo / DEVICES)
    inputs.add("configure", " ".join(CONFIGURE))
    inputs.add("cc", cache.tool_version("cc"))
    inputs.add("payload-cc", cache.tool_version(PAYLOAD_CC))
    inputs.add("payload-cflags", " ".join(PAYLOAD_CFLAGS))
    # meson --version takes seconds; its package version says the same
    for pkg, version in sorted(deps.installed_versions(
            ["meson", "ninja-build"]).items()):
        inputs.add(pkg, version)
    return inputs


def add_new_file(repo, rel, src):
    """Copy the overlay file repo/rel to src/rel, which must not exist."""
    dest = src / rel
    if dest.exists():
        raise ContdaxError(f"overlay file {rel} would replace an upstream "
                           "file; change upstream files with a patch in "
                           "patches/qemu/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / rel, dest)


def _overlay(repo, src):
    for rel in OVERLAY_DIRS:
        base = repo / rel
        if not base.exists():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            add_new_file(repo, path.relative_to(repo), src)


class QemuBuild:
    def __init__(self, path):
        self.path = path
        self.build = path / "build"
        self.binary = self.build / "qemu-system-aarch64"

    def qtest(self, name):
        return self.build / "tests/qtest" / name

    def payloads(self):
        """Environment naming each payload: CONTPTE_PAYLOAD=..."""
        d = self.build / "tests/qtest"
        return {p.stem.upper().replace("-", "_"): str(p)
                for p in sorted(d.glob("*-payload.elf"))}


def _build_payloads(s, src, build):
    """Cross-build each tests/qtest/NAME-payload/ into NAME-payload.elf."""
    for d in sorted((src / "tests/qtest").glob("*-payload")):
        if not d.is_dir():
            continue
        sources_ = sorted(d.glob("*.S")) + sorted(d.glob("*.c"))
        s.run([PAYLOAD_CC] + PAYLOAD_CFLAGS + ["-T", d / "payload.ld"] +
              sources_ + ["-o", build / "tests/qtest" / f"{d.name}.elf"])


def build(repo):
    """Build QEMU if its cache entry is missing; return a QemuBuild."""
    logs = cache.log_dir()
    with step("qemu: sources", logs) as s:
        entry = cache.Entry("qemu", _inputs(repo))
        series = patches.read_series(repo / "patches/qemu")
    with entry.building() as out:
        if out is None:
            return QemuBuild(entry.path)
        src = out / "src"
        with step(f"qemu {sources.qemu_version()}: unpack and patch",
                  logs) as s:
            sources.unpack_qemu(s, src)
            patches.apply(s, series, src)
            _overlay(repo, src)
            add_new_file(repo, DEVICES, src)
        with step("qemu: configure", logs) as s:
            (out / "build").mkdir()
            s.run([src / "configure"] + CONFIGURE, cwd=out / "build")
        targets = ["qemu-system-aarch64"] + [
            f"tests/qtest/{t}" for t in project_qtests(repo)]
        with step("qemu: build", logs) as s:
            s.run(["ninja", "-C", out / "build"] + targets)
        with step("qemu: test payloads", logs) as s:
            _build_payloads(s, src, out / "build")
        (out / "versions.json").write_text(json.dumps({
            "qemu-source": sources.qemu_version(),
            "patches": [p.name for p in series],
        }, indent=1))
    return QemuBuild(entry.path)
