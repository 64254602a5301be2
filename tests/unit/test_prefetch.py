# SPDX-License-Identifier: GPL-2.0-or-later
"""The background builder of `contdax test` builds what the suites boot,
in the order they first need it."""
import unittest

import contdax_path
from contdax import bugs, kernel_build, linux_lines, prefetch


class WantedTest(unittest.TestCase):
    def setUp(self):
        self.names = [what for what, _ in
                      prefetch.wanted(contdax_path.REPO, ["cli", "guest"])]

    def test_every_kernel_the_suites_boot(self):
        for line in linux_lines.LINES:
            for granule in kernel_build.GRANULES:
                self.assertIn(f"kernel {line} {granule}", self.names)
            self.assertIn(f"initramfs {line}", self.names)
        for bug in bugs.corpus(contdax_path.REPO):
            self.assertIn(f"bug corpus {bug.name} buggy", self.names)
            if bug.fix:
                self.assertIn(f"bug corpus {bug.name} fixed", self.names)
        self.assertEqual(len(self.names), len(set(self.names)))

    def test_default_line_first_other_granules_last(self):
        # the cli suite boots the default line's 4K kernel first; the
        # granules are the guest suite's last kernels but one (test_lines)
        self.assertEqual(self.names[:2], [
            f"kernel {linux_lines.DEFAULT} 4k",
            f"initramfs {linux_lines.DEFAULT}"])
        first_granule = min(i for i, n in enumerate(self.names)
                            if n.endswith(("16k", "64k")))
        self.assertTrue(all(n.endswith(("16k", "64k"))
                            for n in self.names[first_granule:]))

    def test_the_cli_suite_alone_wants_only_the_default_kernel(self):
        names = [what for what, _ in
                 prefetch.wanted(contdax_path.REPO, ["unit", "cli"])]
        self.assertEqual(names, self.names[:2])


if __name__ == "__main__":
    unittest.main()
