# SPDX-License-Identifier: GPL-2.0-or-later
"""One cache, many contdax processes: ten `exec` started at once while an
entry they all need is stale each get their own right answer, the entry
is built once and left complete; and a build killed with SIGKILL at
random moments never leaves an entry that a later run trusts."""
import gzip
import random
import signal
import subprocess
import time
import unittest
from pathlib import Path

from contdax_path import REPO
from contdax import cache

MARKER = cache.MARKER


def contdax_popen(*args):
    return subprocess.Popen([str(REPO / "contdax")] + [str(a) for a in args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)


def initramfs_entry():
    res = subprocess.run([str(REPO / "contdax"), "path", "initramfs"],
                         capture_output=True, text=True, check=True)
    return Path(res.stdout.strip()).parent


class CacheConcurrencyTest(unittest.TestCase):
    def make_stale(self, entry):
        """As if the entry's build had never finished."""
        (entry / MARKER).unlink(missing_ok=True)
        self.assertFalse((entry / MARKER).exists())

    def assert_nothing_half_built(self, kind):
        top = cache.root() / kind
        for d in top.iterdir():
            if d.is_dir():
                self.assertTrue((d / MARKER).is_file(),
                                f"{d} has no marker but was left behind")

    def test_ten_execs_at_once_while_the_initramfs_is_stale(self):
        entry = initramfs_entry()
        self.make_stale(entry)
        procs = [contdax_popen("exec", "--smp", "1", "--mem", "512M",
                               "--timeout", "600", "--", "sh", "-c",
                               f"echo run {i}; getconf PAGESIZE")
                 for i in range(10)]
        outs = [p.communicate(timeout=900) for p in procs]
        for i, (p, (out, err)) in enumerate(zip(procs, outs)):
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(out, f"run {i}\n4096\n", err)
        builds = sum("initramfs: build: done" in err for _, err in outs)
        self.assertEqual(builds, 1, [err for _, err in outs])
        self.assertTrue((entry / MARKER).is_file())
        self.assertEqual(initramfs_entry(), entry)
        self.assert_nothing_half_built("initramfs")

    def test_builds_killed_at_random_moments_are_never_trusted(self):
        entry = initramfs_entry()
        # how long a build of it takes here, so that the kills land in it
        self.make_stale(entry)
        start = time.monotonic()
        subprocess.run([str(REPO / "contdax"), "path", "initramfs"],
                       capture_output=True, check=True)
        took = time.monotonic() - start
        rng = random.Random(1)
        killed_mid_build = 0
        for attempt in range(10):
            self.make_stale(entry)
            p = contdax_popen("path", "initramfs")
            time.sleep(rng.uniform(0.0, took))
            p.send_signal(signal.SIGKILL)
            p.communicate()
            if (entry / MARKER).exists():
                # finished before the kill: then it is whole
                with gzip.open(entry / "initramfs.cpio.gz") as f:
                    self.assertIn(b"TRAILER!!!", f.read())
            else:
                killed_mid_build += 1
        self.assertGreaterEqual(killed_mid_build, 5)
        # the next run rebuilds what the kills left, and boots with it
        res = subprocess.run([str(REPO / "contdax"), "exec", "--", "echo",
                              "whole"], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=900)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "whole\n")
        self.assertTrue((entry / MARKER).is_file())
        self.assert_nothing_half_built("initramfs")


if __name__ == "__main__":
    unittest.main()
