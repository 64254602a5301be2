# SPDX-License-Identifier: GPL-2.0-or-later
"""`contdax shell`: an interactive console on a terminal, as a user has."""
import os
import pty
import select
import subprocess
import time
import unittest

from contdax_path import REPO


class ShellTest(unittest.TestCase):
    def test_prompt_command_poweroff(self):
        master, slave = pty.openpty()
        proc = subprocess.Popen([str(REPO / "contdax"), "shell"],
                                stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        self.addCleanup(os.close, master)
        seen, typed = b"", False
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
            if not typed and b"# " in seen[-100:]:
                os.write(master, b"echo shell-$((40 + 2)); poweroff -f\n")
                typed = True
        if proc.poll() is None:
            proc.kill()
        self.assertEqual(proc.wait(30), 0)
        self.assertTrue(typed, seen[-500:])
        self.assertIn(b"shell-42", seen)


if __name__ == "__main__":
    unittest.main()
