# SPDX-License-Identifier: GPL-2.0-or-later
"""A killed contdax leaves nothing of its own running: what it starts
(a build, a fuzzer, a guest) dies with it, under SIGKILL too, and
SIGTERM unwinds it like an interrupt, with exit status 143."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from contdax_path import REPO

# A step running a command that writes nothing: only being killed with its
# parent can end it early (no SIGPIPE from a closed log pipe).
STEP = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from contdax.ui import step
with step("sleep", Path(sys.argv[2])) as s:
    s.run(["sleep", "600"])
"""

FUZZER = "fuzz-contpte-check"


def _stat(pid):
    """(state, parent pid) of pid, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _children(pid):
    return [int(d) for d in os.listdir("/proc")
            if d.isdigit() and (_stat(int(d)) or ("", 0))[1] == pid]


class KilledTest(unittest.TestCase):
    def wait_child(self, proc, name, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assertIsNone(proc.poll(), f"{name}'s parent ended early")
            for child in _children(proc.pid):
                if name in _cmdline(child):
                    return child
            time.sleep(0.2)
        self.fail(f"no {name} started")

    def start_fuzzer(self):
        """contdax fuzz, once its fuzzer runs: (contdax, fuzzer pid)."""
        proc = subprocess.Popen([str(REPO / "contdax"), "fuzz", "--runs",
                                 "2000000000", "contpte-check"],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        self.addCleanup(self.kill_group, proc)
        # a cold cache builds the fuzzers first
        return proc, self.wait_child(proc, FUZZER, 900)

    def kill_group(self, proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def assert_gone(self, pid, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = _stat(pid)
            if st is None or st[0] == "Z":
                return
            time.sleep(0.1)
        self.fail(f"pid {pid} outlived contdax")

    def test_sigkill_takes_a_steps_command_along(self):
        with tempfile.TemporaryDirectory() as logs:
            proc = subprocess.Popen([sys.executable, "-c", STEP,
                                     str(REPO / "scripts"), logs],
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL,
                                    start_new_session=True)
            self.addCleanup(self.kill_group, proc)
            sleeper = self.wait_child(proc, "sleep", 60)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            self.assert_gone(sleeper, timeout=2)

    def test_sigterm_unwinds_and_exits_143(self):
        proc, fuzzer = self.start_fuzzer()
        os.kill(proc.pid, signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=60), 143)
        self.assert_gone(fuzzer)


if __name__ == "__main__":
    unittest.main()
