# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax exec`: the guest runs a command and reports as promised."""
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

from contdax_run import contdax


class PutTest(unittest.TestCase):
    """--put: a program cross-built on the host, and a directory tree,
    run and read in the guest with their modes; the cached initramfs
    stays as it was."""

    def test_own_program_and_tree(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "hello.c").write_text(
                '#include <stdio.h>\n'
                'int main(int c, char **v) '
                '{ printf("hello %s\\n", v[1]); return 3; }\n')
            subprocess.run(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o",
                            tmp / "hello", tmp / "hello.c"], check=True)
            tree = tmp / "tree"
            (tree / "sub").mkdir(parents=True)
            (tree / "sub" / "note").write_text("from the host\n")
            initrd = contdax("path", "initramfs").stdout.strip()
            before = Path(initrd).read_bytes()
            res = contdax("exec", "--put", f"{tmp / 'hello'}:/opt/bin/hello",
                          "--put", f"{tree}:/data", "--", "sh", "-c",
                          "cat /data/sub/note; ls -l /opt/bin/hello; "
                          "/opt/bin/hello guest")
            self.assertEqual(res.returncode, 3, res.stdout + res.stderr)
            self.assertIn("from the host\n", res.stdout)
            self.assertRegex(res.stdout, r"-rwx.* /opt/bin/hello")
            self.assertTrue(res.stdout.endswith("hello guest\n"),
                            res.stdout)
            self.assertEqual(Path(initrd).read_bytes(), before)

    def test_bad_put_is_one_line(self):
        res = contdax("exec", "--put", "/no/such/prog", "--", "true")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertEqual(res.stderr.strip().splitlines(),
                         ["contdax: error: --put /no/such/prog: no such "
                          "file or directory: /no/such/prog"])


class ExecTest(unittest.TestCase):
    def test_uname_is_612(self):
        res = contdax("exec", "--", "uname", "-r")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"^6\.12\.\d+-contdax\n$")

    def test_false_exits_1(self):
        res = contdax("exec", "--", "false")
        self.assertEqual(res.returncode, 1, res.stderr)

    def test_status_stdout_stderr_kept_apart(self):
        res = contdax("exec", "--", "sh", "-c",
                      "echo out; echo err >&2; exit 7")
        self.assertEqual(res.returncode, 7)
        self.assertEqual(res.stdout, "out\n")
        self.assertTrue(res.stderr.endswith("err\n"), res.stderr)

    def test_arguments_survive_quoting(self):
        arg = "it's  \"quoted\" $HOME `x` \\ ;|&"
        res = contdax("exec", "--", "printf", "%s", arg)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, arg)

    def test_machine_options_reach_the_guest(self):
        res = contdax("exec", "--smp", "3", "--mem", "1G", "--", "sh", "-c",
                      "nproc; sed -n 's/MemTotal: *//p' /proc/meminfo")
        self.assertEqual(res.returncode, 0, res.stderr)
        cpus, mem = res.stdout.split("\n")[:2]
        self.assertEqual(cpus, "3")
        kb = int(mem.split()[0])
        self.assertTrue(900 * 1024 < kb <= 1024 * 1024, mem)

    def test_timeout_kills_guest(self):
        tag = f"contdax-timeout-test-{os.getpid()}"
        res = contdax("exec", "--timeout", "5", "--qemu-arg", "-name",
                      "--qemu-arg", tag, "--", "sleep", "60", timeout=120)
        self.assertEqual(res.returncode, 124)
        self.assertIn("timed out after 5s", res.stderr)
        left = subprocess.run(["pgrep", "-f", tag], capture_output=True)
        self.assertEqual(left.returncode, 1, "QEMU left running")

    def test_timeout_keeps_the_model_counters(self):
        res = contdax("exec", "--timeout", "8", "--contpte", "check", "--",
                      "sleep", "60", timeout=120)
        self.assertEqual(res.returncode, 124)
        self.assertRegex(res.stderr, r"timed out after 8s.*; at the "
                         r"timeout: contpte check: [1-9]\d* walks")

    def test_guest_tools_present(self):
        tools = ["gup_test", "cow", "gup_longterm", "smoke.sh", "daxmap",
                 "getconf", "ndctl", "daxctl"]
        res = contdax("exec", "--", "sh", "-c",
                      "test -e /sys/kernel/debug/gup_test && for t in "
                      + " ".join(tools) + "; do command -v $t; done")
        self.assertEqual(res.returncode, 0, res.stderr)
        suite = ("gup_test", "cow", "gup_longterm")
        self.assertEqual(res.stdout.split(),
                         [f"/usr/lib/kselftest/mm/{t}" if t in suite
                          else f"/usr/bin/{t}" for t in tools])

    def test_getconf_pagesize(self):
        res = contdax("exec", "--", "getconf", "PAGESIZE")
        self.assertEqual((res.returncode, res.stdout), (0, "4096\n"))


class RunTest(unittest.TestCase):
    def test_run_prints_the_report(self):
        # every workload but dedup, whose second kernel CI does not build
        # (its table is unit-tested, its kernel is the same recipe)
        res = contdax("run", "--only", "smoke", "--only", "daxgup",
                      "--only", "compound")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("CONFIG_ARM64_CONTPTE        y", res.stdout)
        self.assertRegex(res.stdout, r"THP on -t +\d+ \[\d+\.\.\d+\]")
        self.assertRegex(res.stdout, r"THP off -T +\d+ \[\d+\.\.\d+\]")
        for kb in (4, 16, 64, 2048):
            self.assertRegex(res.stdout, rf"\n  {kb}kB +\d+ \[\d+\.\.\d+\]")
        for config in ("2M/ram", "4K/ram", "2M/dev", "4K/dev"):
            self.assertRegex(res.stdout, rf"\n  {config}" +
                             r"( +\d+ \[\d+\.\.\d+\]){3}\n")
        self.assertIn("4K/2M dev", res.stdout)
        # bring-up: seconds from boot to /dev/dax0.0, rebinds, and the
        # namespace's reserve per GiB of the 16G namespace: the info
        # block's 2 MiB, and with memmap=dev the struct pages too (16 MiB
        # per GiB at 4K pages)
        for config, reserve in (("2M/ram", "0.12"), ("2M/dev", "16.12")):
            self.assertRegex(res.stdout, rf"\n  {config} +\d+\.\d+ +"
                             r"[\d.]+ \[[\d.]+\.\.[\d.]+\] +[\d.]+ +[-\d.]+ +"
                             rf"{reserve}\n")
        for row in ("memmap MiB per GiB (vmstat)", "bind ms per GiB",
                    "get_user_pages_fast us", "pin_user_pages_fast us"):
            self.assertRegex(res.stdout, rf"\n    {re.escape(row)} +[\d.]+ "
                             r"\[[\d.]+\.\.[\d.]+\] +[\d.]+ \[")
        self.assertNotIn("arm64 DAX vmemmap deduplication", res.stdout)
        # the directory is named before the first boot, and report.txt
        # in it is the whole report at the end
        where = re.findall(r"results in (\S+)", res.stderr)
        self.assertEqual(len(set(where)), 1, res.stderr)
        self.assertEqual((Path(where[0]) / "report.txt").read_text(),
                         res.stdout)


if __name__ == "__main__":
    unittest.main()
