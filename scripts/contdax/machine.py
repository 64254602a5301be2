# SPDX-License-Identifier: GPL-2.0-or-later
"""Booting the emulated machine and running a command in it.

The command travels base64-encoded on the kernel command line.  Its stdout,
stderr and exit status come back on three virtio serial ports, each a unix
socket here, so that kernel messages (on the pl011 console, kept in a log
file) never mix with the command's output.
"""

import base64
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import cache, contpte
from .qmp import Qmp
from .ui import ContdaxError, UsageError, die_with_parent

EXIT_TIMEOUT = 124
EXIT_GUEST_FAILED = 125
PORTS = ("stdout", "stderr", "status")
# Bytes of a port kept in memory: the rest is streamed (exec) and counted
# in Result.dropped, so a guest's output never costs the host more.  The
# status port carries one line.
KEEP = 16 << 20
STATUS_KEEP = 4096
_STATUS = re.compile(r"contdax-exit (\d{1,3})")
COMMAND_LINE_SIZE = 2048   # arm64's, with its NUL
CMDLINE_MAX = COMMAND_LINE_SIZE - 256  # the command, beside the fixed part


UEFI_FIRMWARE = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")
_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text, option):
    """Bytes in a size like 4G, 512M, 2M or 4096; UsageError otherwise."""
    m = re.fullmatch(r"(\d+)([KMGT]?)i?B?", text.strip(), re.I)
    if not m or int(m.group(1)) == 0:
        raise UsageError(f"{option}: '{text}' is not a size (like 4G, 512M)")
    return int(m.group(1)) * _SUFFIX[m.group(2).upper()]


@dataclass
class NvdimmOptions:
    """One nvdimm-dax device, its backing file and how the guest boots."""
    size: int
    align: str = "2M"
    memmap: str = "dev"
    mode: str = "devdax"
    path: Optional[Path] = None
    format: str = "auto"
    page_size: str = "4K"   # the guest kernel's, which the info block needs


@dataclass
class MachineOptions:
    smp: int = 2
    mem: str = "2G"
    cpu: str = "max"
    qemu_args: list = field(default_factory=list)
    timeout: float = 600.0
    boot: str = "dt"
    nvdimm: Optional[NvdimmOptions] = None
    contpte: Optional[str] = None   # the MMU model's mode; None: no change
    kernel_args: tuple = ()  # appended to the kernel command line
    # The guest's clock counts its instructions (-icount shift=0: 1 ns
    # each; vCPUs take turns on one host thread): what the guest times is
    # the work it did, the same from run to run on a loaded host
    icount: bool = False

    def cpu_arg(self):
        if self.contpte:
            return f"{self.cpu},contpte={self.contpte}"
        return self.cpu

    def ram(self):
        """--mem in bytes (QEMU's -m: a bare number is MiB)."""
        return parse_size(self.mem if self.mem[-1:].isalpha()
                          else self.mem + "M", "--mem")

    def args(self):
        """QEMU arguments for memory, firmware and the nvdimm."""
        if not self.nvdimm:
            mem = ["-m", self.mem]
        else:
            ram = self.ram()
            nv = self.nvdimm
            mem = ["-M", "virt,nvdimm=on",
                   "-m", f"{ram >> 20}M,slots=1,maxmem="
                         f"{(ram + nv.size) >> 20}M",
                   "-object", f"memory-backend-file,id=cxnv0,share=on,"
                              f"mem-path={nv.path},size={nv.size}",
                   "-device", f"nvdimm-dax,id=nvdimm0,memdev=cxnv0,"
                              f"align={nv.align},memmap={nv.memmap},"
                              f"mode={nv.mode},format={nv.format},"
                              f"page-size={nv.page_size}"]
        if self.boot == "acpi":
            mem += ["-bios", str(UEFI_FIRMWARE)]
        return mem


class GuestTimeout(ContdaxError):
    exit_code = EXIT_TIMEOUT
    contpte = None      # the model's counters read just before the kill


class GuestFailed(ContdaxError):
    exit_code = EXIT_GUEST_FAILED


def base_args(qemu, kernel, initrd, opts):
    return [str(qemu), "-M", "virt", "-cpu", opts.cpu_arg(),
            "-smp", str(opts.smp),
            "-accel", "tcg", "-nodefaults", "-no-user-config",
            *(["-icount", "shift=0,sleep=on"] if opts.icount else []),
            "-display", "none", "-no-reboot",
            "-kernel", str(kernel), "-initrd", str(initrd)] + opts.args()


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Result:
    def __init__(self, status, stdout, stderr, console, elapsed):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.console = console
        self.elapsed = elapsed
        self.contpte = None         # query-contpte, with --contpte
        self.contpte_reports = []   # the model's guest-error lines
        self.dropped = {}           # per port, bytes beyond KEEP


def kernel_cmdline(opts, encoded):
    """The guest's command line: console, opts.kernel_args, the command
    (base64, read by guest/init).  The kernel would cut a longer one,
    and with it the command, so that is an error."""
    line = " ".join(["console=ttyAMA0 quiet panic=-1", *opts.kernel_args,
                     f"contdax.cmd={encoded}"])
    if len(line) >= COMMAND_LINE_SIZE:
        raise ContdaxError(f"kernel command line too long with the "
                           f"--kernel-arg words ({len(line)} bytes, at "
                           f"most {COMMAND_LINE_SIZE - 1})")
    return line


def execute(qemu, kernel, initrd, command, opts, stream=True):
    """Boot, run command (a shell string) in the guest, return a Result.

    With stream, the guest's stdout and stderr are copied to ours as they
    arrive; they are returned in the Result as well.
    """
    encoded = base64.b64encode(command.encode()).decode()
    if len(encoded) > CMDLINE_MAX:
        raise ContdaxError(f"command too long for the kernel command line "
                           f"({len(encoded)} bytes encoded, at most "
                           f"{CMDLINE_MAX})")
    console = cache.new_log("guest")
    append = kernel_cmdline(opts, encoded)
    with tempfile.TemporaryDirectory(prefix="contdax-") as tmp:
        listeners = {}
        args = base_args(qemu, kernel, initrd, opts) + [
            "-append", append,
            "-chardev", f"file,id=con,path={console}", "-serial",
            "chardev:con", "-device", "virtio-serial-device"]
        for name in PORTS:
            path = os.path.join(tmp, name)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            s.listen(1)
            listeners[name] = s
            args += ["-chardev", f"socket,id={name},path={path}",
                     "-device", f"virtserialport,chardev={name},"
                     f"name=org.contdax.{name}"]
        qmp_path = errors = None
        if opts.contpte:
            # Stop rather than exit at poweroff, so the counters can be read.
            qmp_path = os.path.join(tmp, "qmp")
            errors = os.path.join(tmp, "guest-errors.log")
            args += ["-qmp", f"unix:{qmp_path},server=on,wait=off",
                     "-no-shutdown", "-d", "guest_errors", "-D", errors]
        args += opts.qemu_args
        try:
            result = _run(args, listeners, console, opts.timeout, command,
                          stream, qmp_path)
        except GuestFailed:
            stop = contpte.stopping_report(_read(errors))
            if stop:
                raise GuestFailed(f"the contpte model stopped the guest: "
                                  f"{stop}; console log: {console}") from None
            raise
        except GuestTimeout as e:
            # under check the model reports a fault loop and lets it spin
            stop = contpte.stopping_report(_read(errors))
            counted = ("; at the timeout: "
                       + contpte.summary(opts.contpte, e.contpte)
                       if e.contpte else "")
            if stop:
                raise GuestTimeout(f"{e}; the contpte model reported: "
                                   f"{stop}{counted}") from None
            if counted:
                raise GuestTimeout(f"{e}{counted}") from None
            raise
        result.contpte_reports = contpte.reports(_read(errors))
        return result


def _read(path):
    """A log QEMU wrote, or '' if there is none."""
    # absent when the user's own -D sent QEMU's log elsewhere
    if not path or not os.path.exists(path):
        return ""
    return Path(path).read_text(errors="replace")


def _last_counters(qmp):
    """The model's counters from a QEMU about to be killed, or None."""
    try:
        qmp.sock.settimeout(5.0)
        return qmp.command("query-contpte")
    except (OSError, ValueError, ContdaxError):
        return None


def _run(args, listeners, console, timeout, command, stream, qmp_path=None):
    start = time.monotonic()
    qmp: Qmp | None = None
    counters = None
    try:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)
    except OSError as e:
        raise GuestFailed(f"cannot start {args[0]}: {e.strerror}") from None
    qemu_stdout = proc.stdout
    assert qemu_stdout is not None      # stdout=PIPE
    sel = selectors.DefaultSelector()
    for name, s in listeners.items():
        sel.register(s, selectors.EVENT_READ, ("listen", name))
    sel.register(qemu_stdout, selectors.EVENT_READ, ("qemu", None))
    if qmp_path:
        qmp = Qmp(qmp_path)
        sel.register(qmp, selectors.EVENT_READ, ("qmp", None))
    data = {name: bytearray() for name in PORTS}
    dropped = dict.fromkeys(PORTS, 0)
    conns = []
    qemu_out = bytearray()
    sinks = {"stdout": sys.stdout.buffer, "stderr": sys.stderr.buffer}
    open_streams = 1
    try:
        while open_streams:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                late = _last_counters(qmp) if qmp and not counters else None
                _stop(proc)
                timed_out = GuestTimeout(
                    f"guest timed out after {timeout:g}s running "
                    f"'{command}'; QEMU was killed; console log: {console}")
                timed_out.contpte = late
                raise timed_out
            for key, _ in sel.select(min(left, 1.0)):
                kind, name = key.data
                if kind == "qmp":
                    assert qmp is not None
                    # a strict contpte stop is a guest panic, which
                    # -no-shutdown turns into a pause
                    if {"SHUTDOWN", "GUEST_PANICKED"} & set(
                            qmp.pending_events()):
                        sel.unregister(qmp)
                        counters = qmp.command("query-contpte")
                        qmp.sock.sendall(b'{"execute": "quit"}\n')
                    continue
                if kind == "listen":
                    conn, _ = listeners[name].accept()
                    conns.append(conn)
                    sel.unregister(listeners[name])
                    sel.register(conn, selectors.EVENT_READ, ("port", name))
                    open_streams += 1
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                if kind == "qemu":
                    qemu_out += chunk
                    continue
                room = (STATUS_KEEP if name == "status" else KEEP) - len(
                    data[name])
                kept = chunk[:max(room, 0)]
                data[name] += kept
                dropped[name] += len(chunk) - len(kept)
                if stream and name in sinks:
                    sinks[name].write(chunk)
                    sinks[name].flush()
        proc.wait()
    finally:
        _stop(proc)
        qemu_stdout.close()
        for s in conns + list(listeners.values()):
            s.close()
        if qmp:
            qmp.close()
    elapsed = time.monotonic() - start
    lines = data["status"].decode(errors="replace").strip().splitlines()
    if not lines:
        detail = qemu_out.decode(errors="replace").strip().splitlines()
        why = (f"QEMU said: {detail[-1]}" if detail and proc.returncode
               else "the guest stopped without reporting a status")
        raise GuestFailed(f"{why} (QEMU exit {proc.returncode}); "
                          f"console log: {console}")
    # the last line: init writes it after the command
    status = _STATUS.fullmatch(lines[-1])
    if not status or int(status[1]) > 255:
        raise GuestFailed(f"malformed status from the guest: "
                          f"{lines[-1][:60]!r} (expected 'contdax-exit N', "
                          f"N from 0 to 255); console log: {console}")
    result = Result(int(status[1]), bytes(data["stdout"]),
                    bytes(data["stderr"]), console, elapsed)
    result.contpte = counters
    result.dropped = dropped
    return result


def shell(qemu, kernel, initrd, opts):
    """An interactive guest console on this terminal; Ctrl-A x quits."""
    args = base_args(qemu, kernel, initrd, opts) + [
        "-append", "console=ttyAMA0 panic=-1",
        "-chardev", "stdio,id=con,mux=on,signal=off",
        "-serial", "chardev:con", "-mon", "chardev=con,mode=readline",
    ] + opts.qemu_args
    print("contdax: guest console; Ctrl-A x quits QEMU", file=sys.stderr)
    return subprocess.run(args, preexec_fn=die_with_parent).returncode
