# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian package resolution: the guest tools' shared-library closure comes
from apt's own metadata, with as few apt-cache calls as the closure has
levels (each call reads every package list: seconds)."""
import os
import subprocess
import tempfile
import unittest
from unittest import mock

import contdax_path  # noqa: F401
from contdax import sources

# tool -> libfoo (Multi-Arch: same) -> libc6; tool -> awk (virtual) and
# a tool dependency (init-system-helpers, not a library)
SHOW = {
    "tool:arm64": "Package: tool\nVersion: 2\nDepends: libfoo1 (>= 1), "
                  "awk | mawk, init-system-helpers\n",
    "libfoo1:arm64": "Package: libfoo1\nVersion: 1.1\nMulti-Arch: same\n"
                     "Depends: libc6 (>= 2.36)\n",
    "libc6:arm64": "Package: libc6\nVersion: 2.41\nMulti-Arch: same\n",
    "init-system-helpers:arm64": "Package: init-system-helpers\n"
                                 "Version: 1.6\nMulti-Arch: foreign\n",
}
MADISON = {"tool:arm64": ["2", "1"], "libfoo1:arm64": ["1.1"],
           "libc6:arm64": ["2.41", "2.36"],
           "init-system-helpers:arm64": ["1.6"]}


class AptMemoTest(unittest.TestCase):
    """A test of apt lookups: the memo of versions in a cache of its own."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        env = mock.patch.dict(os.environ, {"XDG_CACHE_HOME": tmp.name})
        env.start()
        self.addCleanup(env.stop)


class ClosureTest(AptMemoTest):
    def setUp(self):
        super().setUp()
        sources.binary_version.cache_clear()
        self.calls = []

    def apt(self, args):
        self.calls.append(args[0])
        if args[0] == "madison":
            return "".join(f"{p} | {v} | http://deb.debian.org trixie\n"
                           for p in args[1:] for v in MADISON.get(p, []))
        return "\n".join(SHOW[a.split("=")[0]] for a in args[1:])

    def test_libraries_followed_tools_and_virtual_packages_not(self):
        with mock.patch.object(sources, "_apt_query", self.apt):
            got = sources._resolve_closure(["tool:arm64"])
        self.assertEqual(got, ["libc6:arm64", "libfoo1:arm64",
                               "tool:arm64"])
        # one madison and one show per level of the closure, not per
        # package
        self.assertEqual(self.calls.count("madison"), 3)
        self.assertEqual(self.calls.count("show"), 3)

    def test_versions_are_the_newest_and_remembered(self):
        with mock.patch.object(sources, "_apt_query", self.apt):
            self.assertEqual(sources.binary_versions(
                ["tool:arm64", "awk:arm64"]),
                {"tool:arm64": "2", "awk:arm64": None})
            sources.binary_versions(["tool:arm64"])
            with self.assertRaises(sources.ContdaxError):
                sources.binary_version("awk:arm64")
        self.assertEqual(self.calls, ["madison"])


# madison's rows: (version, suite); the cross libc came from bookworm
SUITES = {
    "libnuma-dev:arm64": [("2.0.19-1", "trixie/main"),
                          ("2.0.16-1", "bookworm/main")],
    "libcap-dev:arm64": [("1:2.75-10", "trixie/main"),
                         ("1:2.66-4", "bookworm/main"),
                         ("1:2.66-4+deb12u3", "bookworm-updates/main")],
    "libgone-dev:arm64": [("1.0", "trixie/main")],
    sources.CROSS_LIBC: [("2.41-11cross1", "trixie/main"),
                         ("2.36-8cross1", "bookworm/main")],
}


class CrossStaticTest(AptMemoTest):
    """The -dev packages whose static libraries the mm selftests link
    come from the cross libc's release, not the newest one."""

    @staticmethod
    def apt(args):
        return "".join(f"{p} | {v} | http://deb.debian.org/debian {s} "
                       "arm64 Packages\n"
                       for p in args[1:] for v, s in SUITES.get(p, []))

    def versions(self, packages, installed="2.36-8cross1"):
        run = subprocess.run

        def dpkg(cmd, **kwargs):
            if cmd[0] == "dpkg-query":
                return mock.Mock(stdout=installed)
            return run(cmd, **kwargs)    # dpkg --compare-versions
        with mock.patch.object(sources, "_apt_query", self.apt), \
                mock.patch.object(sources.subprocess, "run", dpkg):
            return sources.cross_static_versions(packages)

    def test_the_cross_libcs_release(self):
        self.assertEqual(self.versions(("libnuma-dev:arm64",
                                        "libcap-dev:arm64")),
                         {"libnuma-dev:arm64": "2.0.16-1",
                          "libcap-dev:arm64": "1:2.66-4+deb12u3"})

    def test_a_package_missing_from_that_release(self):
        with self.assertRaisesRegex(sources.ContdaxError,
                                    "libgone-dev:arm64: no version in "
                                    "Debian bookworm"):
            self.versions(("libgone-dev:arm64",))


if __name__ == "__main__":
    unittest.main()
