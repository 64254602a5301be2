# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel's mm selftest suite, built per kernel line by the tree's own
tools/testing/selftests/mm/Makefile and installed as `make install` lays
it out (run_vmtests.sh beside its programs) for the guest's GUEST_DIR.

The programs are static arm64.  The libraries some of them link (libcap,
libnuma, liburing: without liburing cow and gup_longterm leave out their
io_uring cases) come from Debian's arm64 -dev packages of the cross
libc's release (sources.cross_static_versions).
"""

from . import cache, kernel_build, sources
from .ui import step

CC = kernel_build.CROSS + "gcc"
DIR = "tools/testing/selftests/mm"
# where the suite lives in the guest; guest/run_vmtests.sh runs it there
GUEST_DIR = "usr/lib/kselftest/mm"
DEV_PACKAGES = ("libcap-dev:arm64", "libnuma-dev:arm64",
                "liburing-dev:arm64")
LIBDIR = "usr/lib/aarch64-linux-gnu"


def build(repo, line):
    """The directory of line's installed mm selftests, built if stale."""
    made_of, _ = kernel_build.tree_inputs(repo, line)
    libs = sources.cross_static_versions(DEV_PACKAGES)
    inputs = cache.Inputs()
    inputs.add("tree", made_of.key())
    inputs.add("cc", cache.tool_version(CC))
    inputs.add("libs", " ".join(f"{p}={v}" for p, v in libs.items()))
    inputs.add_file("recipe", __file__)
    entry = cache.Entry("mm-selftests", inputs)
    with entry.building() as out:
        if out is None:
            return entry.path / "mm"
        src, _ = kernel_build.tree(repo, line)
        with step(f"Linux {line.name} mm selftests: build",
                  cache.log_dir()) as s:
            hdr, sysroot, work = out / "headers", out / "sysroot", out / "src"
            s.run(["make", "-C", src, f"O={out / 'obj'}"]
                  + kernel_build.MAKE_VARS
                  + ["headers_install", f"INSTALL_HDR_PATH={hdr}"])
            for package, version in libs.items():
                sources.unpack_deb(s, package, sysroot, version)
            # check_config.sh writes local_config.h into the source
            # directory: give it links to the cached tree, not the tree
            s.run(["cp", "-al", src, work])
            make = ["make", "-C", work / DIR, "ARCH=arm64",
                    f"CROSS_COMPILE={kernel_build.CROSS}",
                    f"KHDR_INCLUDES=-isystem {hdr / 'include'}",
                    f"LDFLAGS=-static -L{sysroot / LIBDIR}",
                    f"OUTPUT={out / 'build'}"]
            # check_config.sh compiles with the bare compiler (its $1), so
            # the -dev headers (and liburing.h's linux/blkdev.h) come
            # through gcc's environment: no liburing.h, no io_uring cases
            env = {"C_INCLUDE_PATH": f"{sysroot / 'usr/include'}:"
                                     f"{hdr / 'include'}"}
            (out / "build").mkdir()
            s.run(make + [kernel_build.jobs()], env=env)
            s.run(make + ["install", f"INSTALL_PATH={out / 'mm'}"], env=env)
            local = (work / DIR / "local_config.mk").read_text()
            if "-luring" not in local:
                s.fail("check_config.sh found no liburing")
            s.run(["rm", "-rf", work, out / "obj", out / "build", hdr,
                   sysroot])
    return entry.path / "mm"
