# SPDX-License-Identifier: GPL-2.0-or-later
"""A guest cannot make the host CLI misbehave through what it writes on
its stdout, stderr and status ports: a malformed or non-UTF-8 status
line, bytes that are not UTF-8, more output than contdax keeps, a status
port held open.  Each ends in the guest's own result or in one line of
error, never a traceback; memory stays bounded.  And what contdax leaves
on disk is the user's alone."""
import stat
import subprocess
import time
import unittest

from contdax_path import REPO
from contdax import cache, machine

# the guest's /dev node of the status port, in $s
STATUS = ("for n in /sys/class/virtio-ports/*/name; do "
          "[ \"$(cat $n)\" = org.contdax.status ] && "
          "s=/dev/$(basename $(dirname $n)); done; ")


def contdax(*args, timeout=600):
    """As a user would run it; output as bytes, since it need not be
    UTF-8."""
    return subprocess.run([str(REPO / "contdax")] + [str(a) for a in args],
                          capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=timeout)


def path_of(what):
    return contdax("path", what).stdout.decode().strip()


class HostileGuestTest(unittest.TestCase):
    def assert_one_line_error(self, res, needle):
        err = res.stderr.decode(errors="replace")
        self.assertNotEqual(res.returncode, 0, err)
        self.assertNotIn("Traceback", err)
        self.assertNotIn("internal error", err)
        errors = [line for line in err.splitlines()
                  if line.startswith("contdax: error:")]
        self.assertEqual(len(errors), 1, err)
        self.assertIn(needle, errors[0])

    def test_malformed_status_lines(self):
        for line in ("contdax-exit banana", "contdax-exit", "hello",
                     "contdax-exit 256", "contdax-exit \\377"):
            with self.subTest(line=line):
                res = contdax("exec", "--", "sh", "-c", STATUS +
                              f"printf '{line}\\n' > $s; poweroff -f")
                self.assert_one_line_error(res, "malformed status")

    def test_bytes_that_are_not_utf8_pass_through(self):
        res = contdax("exec", "--", "sh", "-c",
                      "printf '\\377\\376ok\\n'; printf '\\300\\n' >&2")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, b"\xff\xfeok\n")
        self.assertIn(b"\xc0\n", res.stderr)

    def test_output_beyond_what_is_kept(self):
        size = machine.KEEP + (8 << 20)
        # streamed to the user whole
        res = contdax("exec", "--", "head", "-c", size, "/dev/urandom")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(len(res.stdout), size)
        # kept in memory up to KEEP, the rest counted
        opts = machine.MachineOptions(timeout=300)
        result = machine.execute(path_of("qemu"), path_of("kernel"),
                                 path_of("initramfs"),
                                 f"head -c {size} /dev/zero", opts,
                                 stream=False)
        self.assertEqual(result.status, 0)
        self.assertEqual(len(result.stdout), machine.KEEP)
        self.assertEqual(result.dropped, {"stdout": size - machine.KEEP,
                                          "stderr": 0, "status": 0})

    def test_status_port_held_open_times_out(self):
        res = contdax("exec", "--timeout", "20", "--", "sh", "-c",
                      STATUS + "exec 3>$s; sleep 600", timeout=120)
        self.assertEqual(res.returncode, 124)
        self.assert_one_line_error(res, "timed out after 20s")


class PrivateFilesTest(unittest.TestCase):
    """The cache, its logs and the scratch backing files are the user's
    alone: directories 0700, files 0600."""

    def test_cache_logs_and_backing_files_are_owner_only(self):
        start = time.time()
        res = contdax("exec", "--nvdimm", "64M", "--", "true")
        self.assertEqual(res.returncode, 0, res.stderr)
        for d in (cache.root(), cache.log_dir(), cache.root() / "nvdimm"):
            self.assertEqual(stat.S_IMODE(d.stat().st_mode), 0o700, d)
        new = [p for p in cache.log_dir().iterdir()
               if p.stat().st_mtime >= start - 1]
        self.assertTrue(any(p.name.startswith("guest-") for p in new), new)
        for p in new + list((cache.root() / "nvdimm").iterdir()):
            self.assertEqual(stat.S_IMODE(p.stat().st_mode) & 0o077, 0, p)


if __name__ == "__main__":
    unittest.main()
