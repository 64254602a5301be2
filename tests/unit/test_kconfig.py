# SPDX-License-Identifier: GPL-2.0-or-later
import tempfile
import unittest
from pathlib import Path

import contdax_path  # noqa: F401
from contdax import kconfig, kernel_build
from contdax.ui import ContdaxError


class KconfigTest(unittest.TestCase):
    def fragment(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".config", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(Path(f.name).unlink)
        return f.name

    def test_parse_forms(self):
        v = kconfig.parse('CONFIG_A=y\n# CONFIG_B is not set\n'
                          '# comment\n\nCONFIG_C="-x"\nCONFIG_D=0x10\n')
        self.assertEqual(v["CONFIG_A"], ("y", 1))
        self.assertEqual(v["CONFIG_B"], ("n", 2))
        self.assertEqual(v["CONFIG_C"], ('"-x"', 5))
        self.assertEqual(v["CONFIG_D"], ("0x10", 6))

    def test_parse_rejects_garbage(self):
        with self.assertRaises(ValueError):
            kconfig.parse("CONFIG_A=y\nFOO=bar\n")

    def test_later_fragment_wins(self):
        a = self.fragment("CONFIG_A=y\n")
        b = self.fragment("# CONFIG_A is not set\n")
        self.assertEqual(kconfig.requested([a, b])["CONFIG_A"],
                         ("n", f"{b}:1"))

    def test_bad_fragment_is_one_line_error(self):
        bad = self.fragment("CONFIG_A=y\nnonsense\n")
        with self.assertRaises(ContdaxError) as cm:
            kconfig.requested([bad])
        self.assertIn(bad, str(cm.exception))
        self.assertNotIn("\n", str(cm.exception))

    def test_dropped_names_symbol_and_line(self):
        frag = self.fragment("CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\n"
                             "CONFIG_S=\"-contdax\"\n")
        want = kconfig.requested([frag])
        final = ("CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S=\"-contdax\"\n")
        missing = kconfig.dropped(want, final)
        self.assertEqual(len(missing), 1)
        self.assertIn("CONFIG_B=y", missing[0])
        self.assertIn(f"{frag}:2", missing[0])
        self.assertIn("Kconfig gave n", missing[0])

    def test_absent_symbol_counts_as_n(self):
        frag = self.fragment("CONFIG_NO_SUCH_THING=y\n")
        self.assertEqual(len(kconfig.dropped(kconfig.requested([frag]), "")),
                         1)

    def test_every_kernel_boots_by_acpi_too(self):
        for granule in kernel_build.GRANULES:
            want = kconfig.requested(kernel_build.fragments(
                contdax_path.REPO, granule=granule))
            for sym in ("CONFIG_ARM64_CONTPTE", "CONFIG_GUP_TEST",
                        "CONFIG_VIRTIO_CONSOLE", "CONFIG_DEV_DAX_PMEM",
                        "CONFIG_ACPI", "CONFIG_EFI_STUB", "CONFIG_ACPI_NFIT",
                        "CONFIG_PCI"):
                self.assertEqual(want[sym][0], "y", (granule, sym))

if __name__ == "__main__":
    unittest.main()
