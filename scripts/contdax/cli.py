# SPDX-License-Identifier: GPL-2.0-or-later
"""contdax command line: drives builds and boots; no logic that belongs in C."""

import argparse
import json
import shlex
import subprocess
import sys
import traceback
from dataclasses import replace
from pathlib import Path

from . import (bench, bugs, cache, compare, contpte, deps, export_patches,
               fuzz, guest_files, initramfs, kernel_build, linux_lines,
               machine, patches, qemu_build, report, results, sources,
               suites, workloads)
from .workloads import common, compound, dedup
from .ui import (ContdaxError, Terminated, UsageError, say, step,
                 unwind_on_sigterm)

REPO = Path(__file__).resolve().parents[2]
# exec --contpte: the command succeeded, the MMU model found violations
EXIT_CONTPTE_VIOLATIONS = 126
MEM_DEFAULT = "2G"
# dax alignments a guest offers per page size: a page, a PMD, a PUD (the
# PUD only where nvdimm-dax can place it); the PMD is the default
DAX_ALIGNS = {"4k": ("4K", "2M", "1G"), "16k": ("16K", "32M"),
              "64k": ("64K", "512M")}


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive "
                                         "integer")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive "
                                         "number of seconds")
    return value


def _machine_options(p, timeout):
    g = p.add_argument_group("machine")
    g.add_argument("--smp", type=_positive_int, default=2,
                   help="vCPUs (default 2)")
    g.add_argument("--mem", default=MEM_DEFAULT,
                   help=f"guest RAM (default {MEM_DEFAULT}; 4G for run "
                   "--full)")
    g.add_argument("--cpu", default="max", help="-cpu value (default max)")
    g.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="extra QEMU argument (repeatable)")
    g.add_argument("--kernel-arg", action="append", default=[],
                   metavar="WORD", type=_kernel_word,
                   help="extra word on the guest kernel's command line, "
                   "e.g. dax_vmemmap_optimize=off (repeatable)")
    g.add_argument("--put", action="append", default=[],
                   metavar="HOST[:GUEST]",
                   help="put a file or directory tree into the guest, at "
                   "GUEST (default /root/NAME); modes kept, no rebuild "
                   "(repeatable)")
    g.add_argument("--timeout", type=_positive_float, default=timeout,
                   help=f"seconds before a guest is killed (default "
                        f"{timeout:g})")
    g.add_argument("--contpte", choices=contpte.MODES,
                   help="the contpte MMU model: off, on (cache contiguous "
                   "groups), check (on, and report misprogrammed groups), "
                   "strict (check, and raise the TLB conflict abort); "
                   "default: the -cpu default (off)")
    g.add_argument("--boot", choices=["dt", "acpi"], default="dt",
                   help="dt: direct kernel boot, device tree (default); "
                   "acpi: UEFI firmware and ACPI")
    g = p.add_argument_group("nvdimm-dax")
    g.add_argument("--nvdimm", metavar="SIZE",
                   help="add an nvdimm-dax of this size (e.g. 4G)")
    g.add_argument("--align",
                   help="its dax alignment: 4K, 2M, 1G; 16K, 32M with "
                   "--granule 16k; 64K, 512M with --granule 64k (default "
                   "the PMD size: 2M, 32M, 512M)")
    g.add_argument("--memmap", choices=["dev", "ram"],
                   help="where the guest keeps its struct pages (default "
                   "dev)")
    g.add_argument("--dax-mode", choices=["devdax", "fsdax"],
                   help="/dev/daxN.M or /dev/pmemN "
                   "(default devdax)")
    g.add_argument("--nvdimm-format", choices=["auto", "never", "force"],
                   help="auto: write the info block only into a file "
                   "without data (default); never: leave the namespace raw; "
                   "force: "
                   "overwrite whatever is there (destructive)")
    g.add_argument("--nvdimm-file", metavar="FILE",
                   help="backing file (default: one per size and settings "
                   "in the cache); never overwritten unless it is empty or "
                   "holds the same info block")
    _kernel_options(p)


def _kernel_options(p):
    g = p.add_argument_group("kernel")
    g.add_argument("--linux", metavar="LINE",
                   help="the guest kernel line: "
                   f"{', '.join(linux_lines.LINES)} (default "
                   f"{linux_lines.DEFAULT}; with --kernel-src, the tree's "
                   "own)")
    g.add_argument("--kernel", metavar="IMAGE",
                   help="boot this prebuilt arm64 Image")
    g.add_argument("--granule", choices=kernel_build.GRANULES, default="4k",
                   help="the guest kernel's page size (default 4k); each "
                   "is built and cached on first use")
    g.add_argument("--kernel-src", metavar="DIR",
                   help="build this Linux tree with the project's fragments")
    g.add_argument("--kernel-patch", action="append", default=[],
                   metavar="FILE", help="extra patch on top of the Debian "
                   "source and guest-kernel-config/patches/LINE, or of "
                   "--kernel-src (repeatable)")
    g.add_argument("--project-patches", action="store_true",
                   help="with --kernel-src: apply guest-kernel-config/"
                   "patches/LINE too (the Debian source always gets them); "
                   "patches go to a copy, your tree is not written")
    g.add_argument("--kernel-config", action="append", default=[],
                   metavar="FRAGMENT", help="extra Kconfig fragment, merged "
                   "after guest-kernel-config/*.config (repeatable)")


def build_parser():
    p = Parser(prog="contdax", description="arm64 device-dax and contpte in "
               "an emulated machine: build, boot, test, report.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    c = sub.add_parser("run", help="build what is stale, boot, run the "
                       "workloads, print the report")
    c.add_argument("--only", action="append", choices=workloads.NAMES,
                   metavar="NAME", help="run only this workload "
                   f"(repeatable): {', '.join(workloads.NAMES)}")
    c.add_argument("--full", action="store_true",
                   help="the published benchmarks' own sizes as far as "
                   "24 GiB of host memory allows: 1 GiB fork, 16G device-dax "
                   "gup on a 17G nvdimm-dax (sparse, removed after each "
                   "boot), 4G guest")
    _machine_options(c, 900)
    c = sub.add_parser("test", help="run every test suite")
    c.add_argument("--suite", action="append", choices=suites.NAMES,
                   help="run only this suite (repeatable)")
    c = sub.add_parser("exec", help="boot, run CMD in the guest, exit with "
                       "its status")
    _machine_options(c, 600)
    c.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD...")
    c = sub.add_parser("bench", help="benchmark: the same guest workload "
                       "under each mode, side by side, as ratios")
    c.add_argument("what", choices=["contpte"])
    c.add_argument("--repeats", type=_positive_int, default=5,
                   help="rounds of all modes (default 5)")
    c.add_argument("--only", action="append", metavar="VARIANT",
                   choices=bench.VARIANTS,
                   help="run only this variant and what its ratio is taken "
                   "to (repeatable): " + ", ".join(bench.VARIANTS))
    _machine_options(c, 900)
    c = sub.add_parser("bugs", help="the contpte bug corpus: build each "
                       "bug's kernel, run its reproducer there and on the "
                       "fixed kernel, one row per bug")
    c.add_argument("names", nargs="*", metavar="NAME",
                   help="bugs to run (default: all of "
                   "guest-kernel-config/bugs/)")
    c = sub.add_parser("fuzz", help="fuzz the info-block parser and the "
                       "contiguous-group checker (libFuzzer, ASan, UBSan)")
    c.add_argument("--runs", type=_positive_int, default=10_000_000,
                   help="executions per target (default 10000000)")
    c.add_argument("targets", nargs="*", metavar="TARGET",
                   help=f"targets (default all: {', '.join(fuzz.TARGETS)})")
    c = sub.add_parser("shell", help="interactive guest console")
    _machine_options(c, 600)
    c = sub.add_parser("build", help="build QEMU, the kernel and the "
                       "initramfs")
    _kernel_options(c)
    c = sub.add_parser("qemu", help="run the built qemu-system-aarch64",
                       prefix_chars="\0")
    c.add_argument("args", nargs=argparse.REMAINDER)
    c = sub.add_parser("compare", help="every ratio of two runs' results "
                       "side by side, with how far they differ")
    c.add_argument("first", metavar="A", help="a results directory (or "
                   "its name under `contdax path results`)")
    c.add_argument("second", metavar="B", help="another")
    c = sub.add_parser("path", help="print where an artifact is")
    c.add_argument("what", choices=["qemu", "kernel", "initramfs", "cache",
                                    "logs", "results"])
    _kernel_options(c)
    c = sub.add_parser("export-patches", help="write the QEMU side as a "
                       "git format-patch series for Debian's QEMU source")
    c.add_argument("dir", metavar="DIR",
                   help="where the series goes: a new or empty directory")
    sub.add_parser("version", help="contdax, QEMU and kernel versions")
    sub.add_parser("setup", help="install host dependencies")
    sub.add_parser("clean", help="remove everything contdax cached")
    return p


def _check_kernel_args(a):
    """All kernel options checked, before anything is built; sets a.line."""
    if a.kernel and (a.kernel_src or a.kernel_patch or a.kernel_config or
                     a.granule != "4k" or a.linux):
        raise UsageError("--kernel boots a prebuilt Image; it does not go "
                         "with --kernel-src, --kernel-patch, "
                         "--kernel-config, --granule or --linux")
    if a.project_patches and not a.kernel_src:
        raise UsageError("--project-patches goes with --kernel-src; the "
                         "Debian source always gets the project's patches")
    if a.kernel and not Path(a.kernel).is_file():
        raise UsageError(f"--kernel: no such file: {a.kernel}")
    if a.kernel_src and not Path(a.kernel_src).is_dir():
        raise UsageError(f"--kernel-src: no such directory: {a.kernel_src}")
    for opt, files in (("--kernel-patch", a.kernel_patch),
                       ("--kernel-config", a.kernel_config)):
        for f in files:
            if not Path(f).is_file():
                raise UsageError(f"{opt}: no such file: {f}")
    a.line = linux_lines.get(a.linux or linux_lines.DEFAULT)
    if a.kernel_src:
        tree_line = linux_lines.of_tree(a.kernel_src)
        if a.linux and tree_line != a.line:
            raise UsageError(f"--linux {a.linux}: --kernel-src "
                             f"{a.kernel_src} is Linux {tree_line.name}")
        a.line = tree_line


def lines_asked(a):
    """The kernel lines `run` and `build` cover: every line, unless one
    line, a prebuilt Image or a tree of the user's is asked for."""
    if a.linux or a.kernel or a.kernel_src:
        return [a.line]
    return list(linux_lines.LINES.values())


def setup():
    with step("host dependencies", cache.log_dir()) as s:
        deps.ensure(s, need_apt_lists=True)


class Artifacts:
    def __init__(self, qemu, kernel, initrd, line, dedup_switch=False,
                 compound_switch=False):
        self.qemu = qemu
        self.kernel = kernel
        self.initrd = initrd
        self.line = line
        # whether the kernel can turn the DAX vmemmap deduplication off
        # at boot, for its before
        self.dedup_switch = dedup_switch
        # whether the kernel has the project's compound-devmap switch;
        # None: a kernel contdax did not build from the line's series
        self.compound_switch = compound_switch


def prepare(a):
    """Everything a boot needs, built if stale."""
    setup()
    qemu = qemu_build.build(REPO)
    line = a.line
    if a.kernel:
        kernel = kernel_build.Kernel(Path(a.kernel).resolve())
    elif a.kernel_src:
        series = patches.read_series(
            line.patch_dir(REPO)) if a.project_patches else []
        kernel = kernel_build.build_user_tree(
            REPO, a.kernel_src, a.kernel_config, a.granule,
            series + [Path(p).resolve() for p in a.kernel_patch], line)
    else:
        extra = ([Path(p).resolve() for p in a.kernel_patch],
                 a.kernel_config, a.granule)
        kernel = kernel_build.build(REPO, line, *extra)
    initrd = initramfs.build(REPO, line)
    if getattr(a, "put", None):
        initrd = guest_files.initrd_with(initrd, a.put)
    switch = compound.has_compound_switch(REPO, line)
    dedup_off = dedup.has_switch(REPO, line)
    if a.kernel or (a.kernel_src and not a.project_patches):
        # the series has them; the user's kernel may not
        dedup_off = False
        if switch:
            switch = None
    return Artifacts(qemu, kernel, initrd, line, dedup_off, switch)


def _nvdimm(a):
    given = {"--align": a.align, "--memmap": a.memmap,
             "--dax-mode": a.dax_mode, "--nvdimm-file": a.nvdimm_file,
             "--nvdimm-format": a.nvdimm_format}
    if not a.nvdimm:
        for opt, value in given.items():
            if value is not None:
                raise UsageError(f"{opt} needs --nvdimm SIZE")
        return None
    size = machine.parse_size(a.nvdimm, "--nvdimm")
    granule = getattr(a, "granule", "4k")
    aligns = DAX_ALIGNS[granule]
    align, memmap = a.align or aligns[1], a.memmap or "dev"
    mode = a.dax_mode or "devdax"
    if machine.parse_size(align, "--align") not in [
            machine.parse_size(x, "--align") for x in aligns]:
        raise UsageError(f"--align {align}: a {granule} page guest offers "
                         f"dax alignments {', '.join(aligns)}")
    if a.nvdimm_file:
        path = Path(a.nvdimm_file).resolve()
        if not path.parent.is_dir():
            raise UsageError(f"--nvdimm-file: no such directory: "
                             f"{path.parent}")
    else:
        path = cache.root() / "nvdimm" / (
            f"nvdimm-{a.nvdimm}-{align}-{memmap}-{mode}"
            f"{'' if granule == '4k' else '-' + granule}.img")
        path.parent.mkdir(parents=True, exist_ok=True)
    return machine.NvdimmOptions(size=size, align=align, memmap=memmap,
                                 mode=mode, path=path,
                                 format=a.nvdimm_format or "auto",
                                 page_size=granule.upper())


def _kernel_word(text):
    if not text or any(c.isspace() for c in text) \
            or text.startswith("contdax."):
        raise argparse.ArgumentTypeError(
            f"'{text}': one word without spaces, not contdax.*")
    return text


def _opts(a):
    return machine.MachineOptions(smp=a.smp, mem=a.mem, cpu=a.cpu,
                                  qemu_args=a.qemu_arg, timeout=a.timeout,
                                  boot=a.boot, nvdimm=_nvdimm(a),
                                  contpte=a.contpte,
                                  kernel_args=tuple(a.kernel_arg))


def cmd_exec(a, opts):
    argv = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not argv:
        raise UsageError("exec: no command given; usage: contdax exec "
                         "[options] -- CMD...")
    art = prepare(a)
    res = machine.execute(art.qemu.binary, art.kernel.image, art.initrd,
                          shlex.join(argv), opts)
    if opts.contpte:
        return contpte_verdict(opts.contpte, res)
    return res.status


def contpte_verdict(mode, res):
    """Print the model's counters and reports; violations fail a command
    that otherwise succeeded (exit 126)."""
    if contpte.show(mode, res) and res.status == 0:
        return EXIT_CONTPTE_VIOLATIONS
    return res.status


def contdax_version():
    out = subprocess.run(["git", "-C", str(REPO), "describe", "--always",
                          "--dirty", "--tags"], capture_output=True,
                         text=True)
    return out.stdout.strip() or "unknown (not a git checkout)"


def versions(arts):
    """What report.json records: contdax, the sources, each kernel
    booted, by line."""
    v = {"contdax": contdax_version(), "sources": sources.describe(),
         "kernels": {}}
    for name, art in arts.items():
        info = art.kernel.path and Path(art.kernel.path) / "kernel.json"
        v["kernels"][name] = (json.loads(info.read_text())
                              if info and info.is_file()
                              else {"image": str(art.kernel.image)})
    return v


def cmd_version(_a):
    v = {"contdax": contdax_version()}
    v.update({f"{k}-source": val for k, val in sources.describe().items()})
    for k, val in v.items():
        print(f"{k}: {val}")
    return 0


def cmd_path(a):
    if a.what == "cache":
        print(cache.root())
        return 0
    if a.what == "logs":
        print(cache.log_dir())
        return 0
    if a.what == "results":
        print(results.root())
        return 0
    _check_kernel_args(a)
    art = prepare(a)
    print({"qemu": art.qemu.binary, "kernel": art.kernel.image,
           "initramfs": art.initrd}[a.what])
    return 0


def cmd_qemu(a):
    qemu = qemu_build.build(REPO)
    return subprocess.run([str(qemu.binary)] + a.args).returncode


def boot_command(a):
    """run, exec, shell and bench: all input checked before anything is
    built."""
    _check_kernel_args(a)
    if a.command == "bench" and a.contpte:
        raise UsageError("bench contpte: --contpte is what it varies; "
                         "leave it out")
    opts = _opts(a)
    if a.boot == "acpi":
        with step("UEFI firmware", cache.log_dir()) as s:
            deps.ensure(s, extra=deps.ACPI_PACKAGES)
    if a.command == "exec":
        return cmd_exec(a, opts)
    if a.command == "run":
        sizes = common.FULL if a.full else common.Sizes()
        if a.full and a.mem == MEM_DEFAULT:
            opts = replace(opts, mem=sizes.mem)
        arts = {}
        for line in lines_asked(a):
            a.line = line
            arts[line.name] = prepare(a)
        return report.run(arts, opts, workloads.selected(a.only),
                          versions(arts), sizes)
    art = prepare(a)
    if a.command == "bench":
        baseline = qemu_build.build(REPO, model=False)
        return bench.run(art, baseline.binary, opts, a.repeats, a.only)
    return machine.shell(art.qemu.binary, art.kernel.image, art.initrd, opts)


def dispatch(a):
    if a.command in ("run", "exec", "shell", "bench"):
        # checked before any build
        a.put = [guest_files.parse(spec) for spec in a.put]
        return boot_command(a)
    if a.command == "test":
        setup()
        return suites.run(REPO, a.suite or suites.NAMES)
    if a.command == "bugs":
        bugs.select(REPO, a.names)      # names checked before any build
        setup()
        return bugs.run(REPO, qemu_build.build(REPO).binary, a.names)
    if a.command == "fuzz":
        fuzz.check_targets(a.targets)   # checked before set-up
        setup()
        return fuzz.campaign(REPO, a.targets, a.runs)
    if a.command == "build":
        _check_kernel_args(a)
        for line in lines_asked(a):
            a.line = line
            prepare(a)
        return 0
    if a.command == "qemu":
        return cmd_qemu(a)
    if a.command == "path":
        return cmd_path(a)
    if a.command == "compare":
        return compare.run(a.first, a.second)
    if a.command == "export-patches":
        export_patches.check_out(a.dir)     # checked before set-up
        export_patches.load(REPO)
        setup()
        for p in export_patches.export(REPO, a.dir):
            print(p)
        return 0
    if a.command == "version":
        return cmd_version(a)
    if a.command == "setup":
        setup()
        return 0
    if a.command == "clean":
        say(f"removed {cache.clean()}")
        return 0
    raise UsageError(f"unknown command {a.command}")


def _bind_option_values(argv, options=("--qemu-arg",)):
    """Take the word after --qemu-arg as its value even if it starts with
    '-' (argparse would read '--qemu-arg -d' as two options)."""
    out, words = [], iter(argv)
    for word in words:
        if word == "--":
            out += [word] + list(words)
            break
        value = next(words, None) if word in options else None
        out.append(f"{word}={value}" if value is not None else word)
    return out


def main(argv=None):
    unwind_on_sigterm()
    try:
        argv = sys.argv[1:] if argv is None else argv
        a = build_parser().parse_args(_bind_option_values(argv))
        cache.make_private()
        return dispatch(a)
    except ContdaxError as e:
        say(f"contdax: error: {e}")
        return e.exit_code
    except Terminated:
        say("contdax: terminated")
        return 143
    except KeyboardInterrupt:
        say("contdax: interrupted")
        return 130
    except BrokenPipeError:
        return 141
    except Exception as e:  # a bug: still one line, never a traceback
        where = traceback.extract_tb(e.__traceback__)[-1]
        say(f"contdax: internal error: {type(e).__name__}: {e} (at "
            f"{Path(where.filename).name}:{where.lineno}; please report)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
