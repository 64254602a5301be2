# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad input: a one-line error naming the culprit, a non-zero exit, no
traceback, and no cache entry that a later run would trust."""
import json
import tempfile
import unittest
from pathlib import Path

import contdax_path
from contdax import cache
from contdax_run import contdax


class BadInputTest(unittest.TestCase):
    def assert_one_line_error(self, res, *needles, code=None):
        self.assertNotEqual(res.returncode, 0)
        if code is not None:
            self.assertEqual(res.returncode, code)
        self.assertNotIn("Traceback", res.stderr)
        errors = [line for line in res.stderr.splitlines()
                  if line.startswith("contdax: error:")]
        self.assertEqual(len(errors), 1, res.stderr)
        for n in needles:
            self.assertIn(n, errors[0])

    def trees_with(self, patch, package):
        """Complete kernel trees of package patched with patch (a file
        name).  A complete entry's marker is its manifest.  Other trees may
        be completed meanwhile, by the background builder of `contdax
        test` or by another run."""
        markers = (cache.root() / "linux-tree").glob(f"*/{cache.MARKER}")
        manifests = [json.loads(m.read_text()) for m in markers]
        return [m for m in manifests if f"patch:{patch}" in m
                and m["linux-source"].startswith(package + " ")]

    def kernels_built_from(self, text):
        """Complete kernel entries one of whose fragments reads text: any
        other kernel may be completed meanwhile, by the background
        builder of `contdax test` or by another run."""
        d = cache.root() / "kernel"
        if not d.exists():
            return []
        # complete ones only: an orphan of a killed build is pruned by the
        # next build of its kind, which is no entry a later run trusts
        return [p.name for p in d.iterdir()
                if (p / cache.MARKER).is_file()
                and any(f.read_text() == text
                        for f in (p / "fragments").glob("*"))]

    def test_unknown_option(self):
        self.assert_one_line_error(contdax("exec", "--bogus", "--", "true"),
                                   "--bogus", code=2)

    def test_unknown_command(self):
        self.assert_one_line_error(contdax("frobnicate"), "frobnicate",
                                   code=2)

    def test_bad_option_values(self):
        self.assert_one_line_error(contdax("exec", "--smp", "0", "--", "true"),
                                   "--smp", code=2)
        self.assert_one_line_error(
            contdax("exec", "--timeout", "-3", "--", "true"), "--timeout",
            code=2)

    def test_kernel_arg_is_one_word(self):
        self.assert_one_line_error(
            contdax("exec", "--kernel-arg", "a b", "--", "true"),
            "--kernel-arg", "'a b'", code=2)
        self.assert_one_line_error(
            contdax("exec", "--kernel-arg", "contdax.cmd=x", "--", "true"),
            "not contdax.*", code=2)

    def test_unknown_fuzz_target(self):
        self.assert_one_line_error(contdax("fuzz", "parser"), "'parser'",
                                   "nvdimm-dax-info, contpte-check")

    def test_export_patches_never_writes_into_a_used_directory(self):
        with tempfile.TemporaryDirectory() as d:
            mine = Path(d) / "mine.txt"
            mine.write_text("the user's")
            res = contdax("export-patches", d, timeout=30)
            self.assert_one_line_error(res, d, "not an empty directory",
                                       code=2)
            self.assertEqual([p.name for p in Path(d).iterdir()],
                             ["mine.txt"])
            self.assertEqual(mine.read_text(), "the user's")

    def test_bad_contpte_mode(self):
        self.assert_one_line_error(
            contdax("exec", "--contpte", "loose", "--", "true"),
            "--contpte", "loose", code=2)

    def test_bench_does_not_take_contpte(self):
        # refused before anything is built or booted
        res = contdax("bench", "contpte", "--contpte", "on", timeout=30)
        self.assert_one_line_error(res, "--contpte", code=2)
        self.assertNotIn("==>", res.stderr + res.stdout)

    def test_qemu_arg_takes_dash_values(self):
        # a QEMU argument that starts with '-' is a value, not an option:
        # here QEMU itself must see and reject it
        res = contdax("exec", "--timeout", "60", "--qemu-arg",
                      "-no-such-qemu-option", "--", "true")
        self.assert_one_line_error(res, "-no-such-qemu-option", code=125)

    def test_exec_without_command(self):
        self.assert_one_line_error(contdax("exec", "--"), "no command",
                                   code=2)

    def test_align_the_granule_does_not_offer(self):
        # refused before anything is built or booted
        for granule, align, offered in (("16k", "2M", "16K, 32M"),
                                        ("64k", "32M", "64K, 512M"),
                                        ("4k", "512M", "4K, 2M, 1G")):
            with self.subTest(granule=granule):
                res = contdax("exec", "--granule", granule, "--nvdimm", "1G",
                              "--align", align, "--", "true", timeout=30)
                self.assert_one_line_error(res, f"--align {align}", offered,
                                           code=2)
                self.assertNotIn("==>", res.stderr + res.stdout)

    def test_run_only_unknown_workload(self):
        res = contdax("run", "--only", "everything", timeout=30)
        self.assert_one_line_error(res, "--only", "everything", code=2)
        self.assertNotIn("==>", res.stderr + res.stdout)

    def test_project_patches_without_kernel_src(self):
        res = contdax("exec", "--project-patches", "--", "true", timeout=30)
        self.assert_one_line_error(res, "--project-patches", "--kernel-src",
                                   code=2)

    def test_missing_kernel_image(self):
        self.assert_one_line_error(
            contdax("exec", "--kernel", "/nonexistent/Image", "--", "true"),
            "--kernel", "/nonexistent/Image", code=2)

    def test_kernel_with_kernel_src(self):
        self.assert_one_line_error(
            contdax("exec", "--kernel", __file__, "--kernel-src", "/tmp",
                    "--", "true"), "--kernel-src", code=2)

    def test_missing_kernel_patch(self):
        self.assert_one_line_error(
            contdax("exec", "--kernel-patch", "/nonexistent.patch", "--",
                    "true"), "/nonexistent.patch", code=2)

    def test_kernel_patch_that_does_not_apply(self):
        with tempfile.TemporaryDirectory() as tmp:
            patch = Path(tmp) / "0001-broken.patch"
            patch.write_text(
                "--- a/mm/gup.c\n+++ b/mm/gup.c\n@@ -1,3 +1,3 @@\n"
                " no such\n-context\n+in gup.c\n here\n")
            res = contdax("exec", "--kernel-patch", patch, "--", "true")
            self.assert_one_line_error(res, "0001-broken.patch", "mm/gup.c")
            self.assertEqual(
                self.trees_with(patch.name, "linux-source-6.12"), [])

    def test_unknown_linux_line(self):
        # refused before anything is built or booted
        for cmd in (["exec", "--linux", "6.6", "--", "true"],
                    ["build", "--linux", "6.6"],
                    ["path", "kernel", "--linux", "6.6"],
                    ["run", "--linux", "6.6"]):
            with self.subTest(cmd=cmd[0]):
                res = contdax(*cmd, timeout=30)
                self.assert_one_line_error(res, "--linux 6.6", "6.12, 7.3",
                                           code=2)
                self.assertNotIn("==>", res.stderr + res.stdout)

    def test_unknown_bug(self):
        res = contdax("bugs", "no-such-bug", timeout=30)
        self.assert_one_line_error(res, "no bug 'no-such-bug'", code=2)
        self.assertNotIn("==>", res.stderr + res.stdout)

    def test_linux_with_prebuilt_kernel(self):
        self.assert_one_line_error(
            contdax("exec", "--kernel", __file__, "--linux", "7.3", "--",
                    "true", timeout=30), "--linux", code=2)

    def test_kernel_src_of_no_known_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "Makefile").write_text("all:\n")
            res = contdax("exec", "--kernel-src", tmp, "--", "true",
                          timeout=30)
            self.assert_one_line_error(res, "--kernel-src", "cannot tell "
                                       "its kernel line", code=2)
            (Path(tmp) / "Makefile").write_text(
                "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\n")
            res = contdax("exec", "--kernel-src", tmp, "--linux", "6.12",
                          "--", "true", timeout=30)
            self.assert_one_line_error(res, "--linux 6.12", "Linux 7.3",
                                       code=2)
            self.assertNotIn("==>", res.stderr + res.stdout)

    def test_patch_for_another_line(self):
        """The 6.12 series' gup-fast devmap patch changes code that 7.3 no
        longer has: one line naming the patch and the line, exit 2, and no
        tree entry."""
        patch = (contdax_path.REPO / "guest-kernel-config/patches/6.12/"
                 "0003-mm-gup-take-a-compound-devmap-folio-s-references-"
                 "onc.patch")
        res = contdax("build", "--linux", "7.3", "--kernel-patch", patch)
        self.assert_one_line_error(res, patch.name, "to Linux 7.3",
                                   "mm/gup.c", code=2)
        self.assertEqual(self.trees_with(patch.name, "linux-source-7.3"),
                         [])

    def test_fragment_symbol_kconfig_drops(self):
        with tempfile.TemporaryDirectory() as tmp:
            frag = Path(tmp) / "bad.config"
            # One misspelt symbol, one whose dependency (ACPI) is off.
            text = ("CONFIG_CONTDAX_NO_SUCH_SYMBOL=y\n"
                    "# CONFIG_ACPI is not set\nCONFIG_ACPI_NFIT=y\n")
            frag.write_text(text)
            res = contdax("exec", "--kernel-config", frag, "--", "true")
            self.assert_one_line_error(res, "CONFIG_CONTDAX_NO_SUCH_SYMBOL",
                                       "CONFIG_ACPI_NFIT", f"{frag}:1")
            self.assertEqual(self.kernels_built_from(text), [])


if __name__ == "__main__":
    unittest.main()
