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
# The hooks of the nvdimm-dax device and the qtest list; the rest of the
# series hooks in the contpte model.  `bench contpte` measures the model's
# off mode against QEMU built with these only.
DEVICE_HOOKS = ("0001", "0002", "0003")
# The cross compiler QEMU's meson builds the qtests' bare-metal payloads
# with (tests/qtest/NAME-payload/, built by patches/qemu/0001).
PAYLOAD_CC = "aarch64-linux-gnu-gcc"
PAYLOADS = ["contpte-payload.elf"]
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


def series(repo, model=True):
    """The hook patches, in order; without the model's if not model."""
    hooks = patches.read_series(repo / "patches/qemu")
    return hooks if model else [p for p in hooks
                                if p.name[:4] in DEVICE_HOOKS]


def _inputs(repo, model):
    inputs = cache.Inputs()
    inputs.add("qemu-source", sources.qemu_version())
    for p in series(repo, model):
        inputs.add_file(f"patch:{p.name}", p)
    inputs.add_tree("overlay", repo, OVERLAY_DIRS)
    inputs.add_file("devices", repo / DEVICES)
    inputs.add("configure", " ".join(CONFIGURE))
    inputs.add("cc", cache.tool_version("cc"))
    inputs.add("payload-cc", cache.tool_version(PAYLOAD_CC))
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


def build(repo, model=True):
    """Build QEMU if its cache entry is missing; return a QemuBuild.

    Without model, only qemu-system-aarch64 is built, with the device
    hooks alone: the baseline the contpte model's cost is measured on.
    """
    logs = cache.log_dir()
    name = "qemu" if model else "qemu without the contpte model"
    with step(f"{name}: sources", logs) as s:
        inputs = _inputs(repo, model)
        if not model:
            inputs.add("variant", "device hooks only")
        entry = cache.Entry("qemu", inputs)
        hooks = series(repo, model)
    with entry.building() as out:
        if out is None:
            return QemuBuild(entry.path)
        src = out / "src"
        with step(f"{name} {sources.qemu_version()}: unpack and patch",
                  logs) as s:
            sources.unpack_qemu(s, src)
            patches.apply(s, hooks, src)
            _overlay(repo, src)
            add_new_file(repo, DEVICES, src)
        with step(f"{name}: configure", logs) as s:
            (out / "build").mkdir()
            s.run([src / "configure"] + CONFIGURE, cwd=out / "build")
        targets = ["qemu-system-aarch64"]
        if model:
            targets += [f"tests/qtest/{t}" for t in
                        project_qtests(repo) + PAYLOADS]
        with step(f"{name}: build", logs) as s:
            s.run(["ninja", "-C", out / "build"] + targets)
        (out / "versions.json").write_text(json.dumps({
            "qemu-source": sources.qemu_version(),
            "patches": [p.name for p in hooks],
        }, indent=1))
    return QemuBuild(entry.path)
