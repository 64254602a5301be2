# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian package resolution: the guest tools' shared-library closure comes
from apt's own metadata, with as few apt-cache calls as the closure has
levels (each call reads every package list: seconds)."""
import os
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


class ClosureTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        env = mock.patch.dict(os.environ, {"XDG_CACHE_HOME": tmp.name})
        env.start()
        self.addCleanup(env.stop)
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


if __name__ == "__main__":
    unittest.main()
