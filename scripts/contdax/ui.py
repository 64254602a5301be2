# SPDX-License-Identifier: GPL-2.0-or-later
"""Errors, progress display and logged subprocesses for the contdax CLI.

Every long step prints its name and elapsed time; the full output of the
commands it runs goes to a log file whose path is printed on failure.
"""

import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path


class ContdaxError(Exception):
    """A failure reported to the user as one line, never as a traceback."""

    exit_code = 1


class UsageError(ContdaxError):
    """Bad command-line input."""

    exit_code = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM, unwound like an interrupt: each step kills what it
    started, and no half-built cache entry is left trusted."""


def _terminated(signum, frame):
    raise Terminated


def unwind_on_sigterm():
    signal.signal(signal.SIGTERM, _terminated)


def die_with_parent():
    """preexec_fn: the child gets SIGKILL when contdax's thread that
    started it ends, however contdax ends (SIGKILL too), so a killed run
    leaves no build, fuzzer or guest running behind it."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def fmt_elapsed(seconds):
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    return f"{seconds // 60}m{seconds % 60:02d}s"


_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\]")


class Step:
    """One named step: a log file, a clock, and a heartbeat while it runs."""

    def __init__(self, name, log_dir):
        self.name = name
        self.start = time.monotonic()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{stamp}-{os.getpid()}-{slug}.log"
        self.log = open(self.log_path, "a", encoding="utf-8", errors="replace")
        self.detail = ""

    def elapsed(self):
        return fmt_elapsed(time.monotonic() - self.start)

    def run(self, cmd, cwd=None, env=None, ok_codes=(0,)):
        """Run cmd with its output in the log; raise ContdaxError on failure."""
        self.log.write(f"$ {' '.join(str(c) for c in cmd)}\n")
        self.log.flush()
        full_env = dict(os.environ, LC_ALL="C", **(env or {}))
        try:
            proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd,
                                    env=full_env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True,
                                    errors="replace",
                                    preexec_fn=die_with_parent)
        except OSError as e:
            raise ContdaxError(f"{self.name}: cannot run {cmd[0]}: "
                               f"{e.strerror}") from None
        out = proc.stdout
        assert out is not None      # stdout=PIPE
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(stop,),
                                daemon=True)
        beat.start()
        try:
            for line in out:
                self.log.write(line)
                m = _PROGRESS.match(line)
                if m:
                    self.detail = f"[{m.group(1)}/{m.group(2)}]"
            rc = proc.wait()
        finally:
            stop.set()
            beat.join()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
            self.log.flush()
        if rc not in ok_codes:
            raise ContdaxError(f"{self.name}: '{Path(str(cmd[0])).name}' "
                               f"exited with status {rc}; full log: "
                               f"{self.log_path}")
        return rc

    def _heartbeat(self, stop):
        interval = 2 if sys.stderr.isatty() else 30
        while not stop.wait(interval):
            say(f"    {self.name}: {self.elapsed()} {self.detail}".rstrip())

    def fail(self, msg):
        """Raise a one-line error that also points at the log."""
        self.log.write(f"error: {msg}\n")
        self.log.flush()
        raise ContdaxError(f"{self.name}: {msg} (full log: {self.log_path})")


@contextmanager
def step(name, log_dir):
    say(f"==> {name}")
    s = Step(name, log_dir)
    try:
        yield s
    except ContdaxError:
        say(f"    {name}: failed after {s.elapsed()}")
        raise
    except BaseException:
        s.log.write("interrupted or crashed\n")
        raise
    finally:
        s.log.close()
    say(f"    {name}: done in {s.elapsed()}")
