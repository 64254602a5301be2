# SPDX-License-Identifier: GPL-2.0-or-later
import unittest
from unittest import mock

import contdax_path  # noqa: F401
from contdax import deps
from contdax.ui import ContdaxError


class DepsTest(unittest.TestCase):
    def test_without_root_prints_the_exact_commands(self):
        todo = [("cpio", None), ("meson", "bookworm-backports")]
        with mock.patch.object(deps, "missing", return_value=todo), \
                mock.patch.object(deps, "apt_configured", return_value=False), \
                mock.patch.object(deps, "_privilege", return_value=None):
            with self.assertRaises(ContdaxError) as cm:
                deps.ensure(step=None)
        msg = str(cm.exception)
        self.assertNotIn("\n", msg)
        for part in ("sudo dpkg --add-architecture arm64",
                     "sudo tee /etc/apt/sources.list.d/contdax.sources",
                     "Pin: release n=trixie\\nPin-Priority: 100\\n",
                     "sudo apt-get update",
                     "sudo apt-get install -y --no-install-recommends cpio",
                     "-t bookworm-backports meson"):
            self.assertIn(part, msg)

    def test_nothing_to_do(self):
        with mock.patch.object(deps, "missing", return_value=[]), \
                mock.patch.object(deps, "apt_configured", return_value=True), \
                mock.patch.object(deps, "_privilege") as priv:
            deps.ensure(step=None, need_apt_lists=True)
        priv.assert_not_called()


if __name__ == "__main__":
    unittest.main()
