# SPDX-License-Identifier: GPL-2.0-or-later
"""The arm64 guest kernel: Debian's linux-source-6.12, or the user's tree.

The patched source tree is one cache entry (unpacked once per version and
patch set); kernels are built out of tree (O=) from it, so the tree stays
clean.  .config is allnoconfig plus guest-kernel-config/*.config merged by
the kernel's merge_config.sh, then checked symbol by symbol.
"""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from . import cache, kconfig, patches, sources
from .ui import ContdaxError, step

CROSS = "aarch64-linux-gnu-"
MAKE_VARS = ["ARCH=arm64", f"CROSS_COMPILE={CROSS}",
             "KBUILD_BUILD_USER=contdax", "KBUILD_BUILD_HOST=contdax"]
ARTIFACTS = ["arch/arm64/boot/Image", "vmlinux", "System.map", ".config"]


GRANULES = ("4k", "16k", "64k")


def fragments(repo, extra=(), acpi=False, granule="4k"):
    """The project's fragments; boot-acpi/ only for kernels booted by UEFI
    and ACPI (ACPI and EFI are about a third of the build); granule-16k/ or
    granule-64k/ for those page sizes (4K is the base fragments')."""
    top = repo / "guest-kernel-config"
    frags = sorted(top.glob("*.config"))
    if acpi:
        frags += sorted((top / "boot-acpi").glob("*.config"))
    if granule != "4k":
        frags += sorted((top / f"granule-{granule}").glob("*.config"))
    for f in extra:
        if not Path(f).is_file():
            raise ContdaxError(f"--kernel-config: no such file: {f}")
        frags.append(Path(f).resolve())
    return frags


def _jobs():
    return f"-j{os.cpu_count() or 2}"


def tree(repo, extra_patches=(), without=()):
    """The patched Debian source tree: (path, cache Inputs).  without names
    patches of the series to leave out, for before/after comparisons."""
    inputs = cache.Inputs()
    inputs.add("linux-source", sources.binary_version(sources.LINUX_PACKAGE))
    series = [p for p in patches.read_series(
        repo / "guest-kernel-config/patches") if p.name not in without]
    for p in list(series) + [Path(p) for p in extra_patches]:
        if not p.is_file():
            raise ContdaxError(f"--kernel-patch: no such file: {p}")
        inputs.add_file(f"patch:{p.name}", p)
    entry = cache.Entry("linux-tree", inputs)
    with entry.building() as out:
        if out is not None:
            with step(f"linux {inputs.manifest()['linux-source']}: "
                      "unpack and patch", cache.log_dir()) as s:
                sources.unpack_linux(s, out)
                patches.apply(s, series, out)
                patches.apply(s, extra_patches, out)
    return entry.path, inputs


def _configure(s, src, obj, frags):
    env = {"ARCH": "arm64", "CROSS_COMPILE": CROSS}
    s.run([src / "scripts/kconfig/merge_config.sh", "-n", "-O", obj]
          + frags, cwd=src, env=env)
    missing = kconfig.dropped(kconfig.requested(frags),
                              (obj / ".config").read_text())
    if missing:
        s.fail("Kconfig dropped requested symbols: " + ", ".join(missing))


def _make(s, src, obj, *targets):
    s.run(["make", "-C", src, f"O={obj}", _jobs()] + MAKE_VARS
          + list(targets))


def _release(src, obj):
    out = subprocess.run(["make", "-s", "-C", str(src), f"O={obj}"]
                         + MAKE_VARS + ["kernelrelease"],
                         capture_output=True, text=True)
    return out.stdout.strip()


class Kernel:
    def __init__(self, image, path=None):
        self.image = Path(image)
        self.path = path


def _build_into(s, src, obj, out, frags, source_desc):
    _configure(s, src, obj, frags)
    _make(s, src, obj, "Image")
    for rel in ARTIFACTS:
        shutil.copy2(obj / rel, out / Path(rel).name.lstrip("."))
    (out / "kernel.json").write_text(json.dumps({
        "source": source_desc,
        "release": _release(src, obj),
        "fragments": [str(f) for f in frags],
    }, indent=1))


def build(repo, extra_patches=(), extra_configs=(), acpi=False,
          granule="4k", without=()):
    """Build the Debian kernel with the project's config; return a Kernel."""
    src, tree_inputs = tree(repo, extra_patches, without)
    frags = fragments(repo, extra_configs, acpi, granule)
    inputs = cache.Inputs()
    inputs.add("tree", tree_inputs.key())
    for f in frags:
        inputs.add_file(f"fragment:{f.name}", f)
    inputs.add("cross-gcc", cache.tool_version(CROSS + "gcc"))
    inputs.add("make", " ".join(MAKE_VARS))
    entry = cache.Entry("kernel", inputs)
    with entry.building() as out:
        if out is not None:
            version = tree_inputs.manifest()["linux-source"]
            name = f"kernel {version}" + "".join(
                f" without {w.split('-', 1)[0]}" for w in without)
            with step(f"{name}: configure and build",
                      cache.log_dir()) as s:
                obj = out / "build"
                obj.mkdir()
                applied = [k.split(":", 1)[1] for k in
                           tree_inputs.manifest() if k.startswith("patch:")]
                _build_into(s, src, obj, out, frags,
                            f"Debian linux-source-6.12 {version} with "
                            f"{', '.join(applied) or 'no patches'}")
                shutil.rmtree(obj)
    return Kernel(entry.path / "Image", entry.path)


def patched_copy(s, src, dst, patch_list):
    """dst: a copy of the user's tree src with patch_list applied.

    src is only read.  rsync brings dst up to date with src, which also
    undoes the previous run's patches, then they are applied again: only
    the files the user changed and the patched ones are rewritten, so the
    out-of-tree build stays incremental.
    """
    dst.mkdir(parents=True, exist_ok=True)
    s.run(["rsync", "-a", "--delete", "--exclude=/.git", f"{src}/",
           f"{dst}/"])
    patches.apply(s, patch_list, dst)


def build_user_tree(repo, src, extra_configs=(), acpi=False, granule="4k",
                    patch_list=()):
    """Build the user's own tree out of tree, incrementally.

    A user's tree changes under us, so no hash of it is taken: make decides
    what is stale.  The marker is removed before building, so a failed build
    is never trusted.  With patch_list, a patched copy of the tree is built
    instead, and the tree itself is left as it is.
    """
    src = Path(src).resolve()
    if not (src / "Makefile").is_file() or not (src / "Kconfig").is_file():
        raise ContdaxError(f"--kernel-src: {src} is not a Linux source tree")
    frags = fragments(repo, extra_configs, acpi, granule)
    h = hashlib.sha256(str(src).encode())
    for f in list(frags) + list(patch_list):
        h.update(Path(f).read_bytes())
    out = cache.root() / "kernel-src" / h.hexdigest()[:20]
    obj = out / "build"
    obj.mkdir(parents=True, exist_ok=True)
    marker = out / cache.MARKER
    marker.unlink(missing_ok=True)
    desc = f"user tree {src}"
    if patch_list:
        with step(f"copy {src} and apply {len(patch_list)} patches",
                  cache.log_dir()) as s:
            patched_copy(s, src, out / "src", patch_list)
        src = out / "src"
        desc += " with " + ", ".join(Path(p).name for p in patch_list)
    with step(f"kernel from {src}: configure and build", cache.log_dir()) as s:
        _build_into(s, src, obj, out, frags, desc)
    marker.write_text("{}")
    return Kernel(out / "Image", out)
