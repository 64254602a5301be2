# SPDX-License-Identifier: GPL-2.0-or-later
"""The arm64 guest kernel: a line's Debian linux-source, or the user's tree.

The patched source tree of a line is one cache entry (unpacked once per
version and patch set).  Kernels are built out of tree (O=) in a work
directory per line and granule that outlives the build: the patched tree is
synced into the line's work source by content, so that a kernel differing
from the last one built there by one patch or one fragment recompiles only
what that change touches (kbuild's own dependency tracking), not the whole
tree.  The result is copied into the kernel's cache entry, keyed by all its
inputs; the work directory is never trusted after an interrupted build.
.config is allnoconfig plus guest-kernel-config/*.config merged by the
kernel's merge_config.sh, then checked symbol by symbol.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from . import cache, kconfig, linux_lines, patches, sources
from .ui import ContdaxError, step

CROSS = "aarch64-linux-gnu-"
MAKE_VARS = ["ARCH=arm64", f"CROSS_COMPILE={CROSS}",
             "KBUILD_BUILD_USER=contdax", "KBUILD_BUILD_HOST=contdax"]
ARTIFACTS = ["arch/arm64/boot/Image", "vmlinux", "System.map", ".config"]
# ccache's key is the compiler's content, its arguments, the source and
# every header it read, so a hit is the object the compiler would write: it
# is no input of a kernel's cache entry.  It pays where make alone cannot:
# a user tree synced over the line's work source (the sync rewrites the
# patched files, so make recompiles what includes them), and a corpus
# entry's way back from a header every file includes.  Depend mode takes
# the headers from the compiler's own -MMD output instead of running the
# preprocessor a second time, which would cost every miss a quarter more
# and only buys hits where the headers differ.
CCACHE_SIZE = "6G"


GRANULES = ("4k", "16k", "64k")


def fragments(repo, extra=(), granule="4k", line=None):
    """The project's fragments; linux-<line>/ for symbols that differ on
    that line; granule-16k/ or granule-64k/ for those page sizes (4K is
    the base fragments').  ACPI and EFI are in the base fragments: every
    kernel boots both ways, by device tree or by UEFI and ACPI, since a
    flavour of its own cost a full build per granule and line where
    folding it in costs about a minute per build (docs/architecture.md)."""
    top = repo / "guest-kernel-config"
    frags = sorted(top.glob("*.config"))
    line = line or linux_lines.get(linux_lines.DEFAULT)
    frags += sorted(line.fragment_dir(repo).glob("*.config"))
    if granule != "4k":
        frags += sorted((top / f"granule-{granule}").glob("*.config"))
    for f in extra:
        if not Path(f).is_file():
            raise ContdaxError(f"--kernel-config: no such file: {f}")
        frags.append(Path(f).resolve())
    return frags


def jobs():
    return f"-j{os.cpu_count() or 2}"


def tree_inputs(repo, line, extra_patches=()):
    """What line's patched Debian source tree is made of: (cache Inputs,
    the series applied)."""
    inputs = cache.Inputs()
    inputs.add("linux-source",
               f"{line.package} {sources.linux_version(line)}")
    series = patches.read_series(line.patch_dir(repo))
    for p in list(series) + [Path(p) for p in extra_patches]:
        if not p.is_file():
            raise ContdaxError(f"--kernel-patch: no such file: {p}")
        inputs.add_file(f"patch:{p.name}", p)
    return inputs, series


def tree(repo, line, extra_patches=()):
    """line's patched Debian source tree: (path, cache Inputs).

    A tree with extra patches (a bug corpus entry, --kernel-patch) starts
    as hard links to the line's own tree instead of a second unpack of
    1.7 GB: patch(1) writes each file it changes anew and renames it into
    place, so the line's tree is never written through a link.
    """
    inputs, series = tree_inputs(repo, line, extra_patches)
    entry = cache.Entry("linux-tree", inputs)
    with entry.building() as out:
        if out is not None:
            base = tree(repo, line)[0] if extra_patches else None
            with step(f"{line.package} {sources.linux_version(line)}: "
                      "unpack and patch", cache.log_dir()) as s:
                if base:
                    s.run(["cp", "-al", f"{base}/.", out])
                    # the entry's own marker, not a link to the base's
                    (out / cache.MARKER).unlink()
                else:
                    sources.unpack_linux(s, line, out)
                    patches.apply(s, series, out, line.name)
                patches.apply(s, extra_patches, out, line.name)
    return entry.path, inputs


def _configure(s, src, obj, frags, shown=None):
    """merge_config the fragments, then check them symbol by symbol; errors
    name the fragments as shown (the user's files for their copies)."""
    env = {"ARCH": "arm64", "CROSS_COMPILE": CROSS}
    s.run([src / "scripts/kconfig/merge_config.sh", "-n", "-O", obj]
          + frags, cwd=src, env=env)
    want = kconfig.requested(frags)
    names = dict(zip(map(str, frags), map(str, shown or frags)))
    for sym, (value, where) in want.items():
        path, line = where.rsplit(":", 1)
        want[sym] = (value, f"{names.get(path, path)}:{line}")
    missing = kconfig.dropped(want, (obj / ".config").read_text())
    if missing:
        s.fail("Kconfig dropped requested symbols: " + ", ".join(missing))


def _ccache_env():
    return {"CCACHE_DIR": str(cache.root() / "ccache"),
            "CCACHE_MAXSIZE": CCACHE_SIZE,
            "CCACHE_COMPILERCHECK": "content", "CCACHE_DEPEND": "1"}


def _make(s, src, obj, *targets):
    s.run(["make", "-C", src, f"O={obj}", jobs()] + MAKE_VARS
          + [f"CC=ccache {CROSS}gcc"] + list(targets), env=_ccache_env())


def _release(src, obj):
    out = subprocess.run(["make", "-s", "-C", str(src), f"O={obj}"]
                         + MAKE_VARS + ["kernelrelease"],
                         capture_output=True, text=True)
    return out.stdout.strip()


class Kernel:
    def __init__(self, image, path=None):
        self.image = Path(image)
        self.path = path


def _build_into(s, src, obj, out, frags, source_desc, shown=None):
    _configure(s, src, obj, frags, shown)
    _make(s, src, obj, "Image")
    for rel in ARTIFACTS:
        shutil.copy2(obj / rel, out / Path(rel).name.lstrip("."))
    (out / "kernel.json").write_text(json.dumps({
        "source": source_desc,
        "release": _release(src, obj),
        "fragments": [str(f) for f in (shown or frags)],
    }, indent=1))


def _frozen(out, texts):
    """The fragments as they were hashed, written into the entry."""
    d = out / "fragments"
    d.mkdir()
    paths = []
    for n, (name, text) in enumerate(texts):
        path = d / f"{n:02d}-{name}"
        path.write_bytes(text)
        paths.append(path)
    return paths


@contextmanager
def workdir(tree_name, name):
    """A work source and an object directory beside it, locked.

    tree_name is a line; name is a granule for its Debian kernels, or a
    user tree's fragments and patches (granules share no object: the page
    size is read by nearly every file).  One build per work
    source at a time: it is shared by the granules.  An object
    directory whose last build did not finish is wiped, since a killed
    compiler can leave a truncated object newer than its source that make
    would take as up to date.
    """
    top = cache.root() / "kbuild" / tree_name
    top.mkdir(parents=True, exist_ok=True)
    with open(top / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # a flavour contdax no longer builds (obj-4k-acpi, before ACPI
        # went into every kernel) would hold its gigabyte for ever
        for old in top.glob("obj-*"):
            kind = old.name.removeprefix("obj-")
            if old.is_dir() and kind not in GRANULES \
                    and not kind.startswith("user-"):
                shutil.rmtree(old, ignore_errors=True)
        obj = top / f"obj-{name}"
        busy = top / f"obj-{name}.building"
        if busy.exists():
            shutil.rmtree(obj, ignore_errors=True)
        obj.mkdir(exist_ok=True)
        busy.write_text("")
        try:
            yield top / "src", obj
        except ContdaxError:
            # a step that failed cleanly: make deletes what it could not
            # finish (kbuild's .DELETE_ON_ERROR), the objects stay good
            busy.unlink()
            raise
        busy.unlink()


# beside a work source: the key of the tree entry it holds, if it does
SYNCED = "src.tree"


def sync_source(s, tree_path, tree_key, src):
    """Make src hold tree_path's files, rewriting only those whose content
    differs, so that their new mtimes tell make exactly what changed."""
    stamp = src.parent / SYNCED
    if src.is_dir() and stamp.is_file() and stamp.read_text() == tree_key:
        return
    stamp.unlink(missing_ok=True)
    src.mkdir(exist_ok=True)
    s.run(["rsync", "-rlpc", "--delete", f"{tree_path}/", f"{src}/"])
    stamp.write_text(tree_key)


def build(repo, line, extra_patches=(), extra_configs=(), granule="4k"):
    """Build line's Debian kernel with the project's config; return a
    Kernel."""
    # a built kernel needs no tree: unpacking one costs half a minute
    made_of, _ = tree_inputs(repo, line, extra_patches)
    frags = fragments(repo, extra_configs, granule, line)
    # read once: what is hashed is what merge_config gets, even if a
    # fragment is edited while the build runs
    texts = [(f.name, f.read_bytes()) for f in frags]
    inputs = cache.Inputs()
    inputs.add("tree", made_of.key())
    for name, text in texts:
        inputs.add(f"fragment:{name}", hashlib.sha256(text).hexdigest())
    inputs.add("cross-gcc", cache.tool_version(CROSS + "gcc"))
    inputs.add("make", " ".join(MAKE_VARS))
    entry = cache.Entry("kernel", inputs)
    with entry.building() as out:
        if out is not None:
            tree_path, _ = tree(repo, line, extra_patches)
            version = made_of.manifest()["linux-source"].split()[-1]
            name = f"kernel {version} {granule}"
            applied = [k.split(":", 1)[1] for k in made_of.manifest()
                       if k.startswith("patch:")]
            with step(f"{name}: configure and build",
                      cache.log_dir()) as s, \
                    workdir(line.name, granule) as (src, obj):
                sync_source(s, tree_path, made_of.key(), src)
                _build_into(s, src, obj, out, _frozen(out, texts),
                            f"Debian {line.package} {version} with "
                            f"{', '.join(applied) or 'no patches'}",
                            shown=frags)
    return Kernel(entry.path / "Image", entry.path)


def sync_user_tree(s, src, work, patch_list, line=None):
    """work: the user's tree src, with patch_list applied.

    src is only read.  The sync rewrites exactly the files whose content
    differs from src, which also undoes the previous build's patches; the
    patches are then applied again.  So only the files the user changed,
    and the patched ones, look new to make.
    """
    work.mkdir(parents=True, exist_ok=True)
    s.run(["rsync", "-rlpc", "--delete", "--exclude=/.git", f"{src}/",
           f"{work}/"])
    patches.apply(s, patch_list, work, line and line.name)


def _user_objects(repo, line, frags, patch_list, granule):
    """The object directory for a user's tree.

    Configured as the line's own kernels (its fragments, its series), the
    tree shares their granule's objects, so a tree that is Debian's plus
    a few changes recompiles those and what the series patches (the sync
    rewrites each patched file).  Otherwise it gets
    objects of its own per fragments and patches: a user who builds with
    and without a patch that changes Kconfig (the DAX vmemmap select is
    read by mm.h, so by nearly every file) keeps both warm.
    """
    own = fragments(repo, granule=granule, line=line)
    series = patches.read_series(line.patch_dir(repo))
    if list(map(Path, frags)) == own \
            and [Path(p).resolve() for p in patch_list] \
            == [p.resolve() for p in series]:
        return granule
    objs = hashlib.sha256()
    for f in list(frags) + list(patch_list):      # by content: any clone
        objs.update(hashlib.sha256(Path(f).read_bytes()).digest())
    return f"user-{objs.hexdigest()[:12]}"


def build_user_tree(repo, src, extra_configs=(), granule="4k",
                    patch_list=(), line=None):
    """Build the user's own tree out of tree, incrementally.

    A user's tree changes under us, so no hash of its content is taken:
    it is synced into its line's work source, the one the Debian kernels
    of that line are built from, and make decides what is stale.  So a
    tree that differs from Debian's by a few files recompiles what those
    touch, whichever was built there last.  The marker is removed before
    building, so a failed build is never trusted.  The tree itself is
    never written.
    """
    src = Path(src).resolve()
    if not (src / "Makefile").is_file() or not (src / "Kconfig").is_file():
        raise ContdaxError(f"--kernel-src: {src} is not a Linux source tree")
    line = line or linux_lines.of_tree(src)
    frags = fragments(repo, extra_configs, granule, line)
    h = hashlib.sha256(str(src).encode())
    for f in list(frags) + list(patch_list):
        h.update(Path(f).read_bytes())
    objs = _user_objects(repo, line, frags, patch_list, granule)
    out = cache.root() / "kernel-src" / h.hexdigest()[:20]
    out.mkdir(parents=True, exist_ok=True)
    marker = out / cache.MARKER
    marker.unlink(missing_ok=True)
    desc = f"user tree {src}"
    if patch_list:
        desc += " with " + ", ".join(Path(p).name for p in patch_list)
    with step(f"kernel from {src}: sync, configure and build",
              cache.log_dir()) as s, \
            workdir(line.name, objs) as (work, obj):
        # the work source no longer holds a Debian tree entry as such
        (work.parent / SYNCED).unlink(missing_ok=True)
        sync_user_tree(s, src, work, patch_list, line)
        _build_into(s, work, obj, out, frags, desc)
    marker.write_text("{}")
    return Kernel(out / "Image", out)
