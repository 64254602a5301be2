# SPDX-License-Identifier: GPL-2.0-or-later
"""The host side of the contpte MMU model: modes, counters, reports.

`--contpte MODE` becomes `-cpu max,contpte=MODE`; the guest-error log
(`-d guest_errors`) carries the model's violation reports, and QMP
query-contpte its counters, read before QEMU is stopped.
"""

from .ui import say

MODES = ("off", "on", "check", "strict")
REPORT_PREFIX = "contpte: "
REPORT_LINES = 20       # reports shown after a boot; the rest are counted


def violations(stats):
    """Total violations in one ContpteStats dict."""
    return sum(stats["violations"].values())


def reports(log_text):
    """The model's guest-error lines, in order."""
    return [line for line in log_text.splitlines()
            if line.startswith(REPORT_PREFIX)]


# a report after which strict stops the guest rather than abort an access
STOPPING_KINDS = ("fault-loop",)


def stopping_report(log_text):
    """The report that made strict stop the guest, if any."""
    for line in reports(log_text):
        if line.split(":", 2)[1].strip() in STOPPING_KINDS:
            return line
    return None


def summary(mode, info):
    """One line for the end of `exec --contpte MODE`."""
    t = info["total"]
    kinds = ", ".join(f"{k} {v}" for k, v in t["violations"].items() if v)
    return (f"contpte {mode}: {t['walks']} walks, {t['contiguous-walks']} "
            f"contiguous, {t['groups-cached']} groups cached, "
            f"{t['group-hits']} hits, {t['group-invalidations']} "
            f"invalidated; violations {violations(t)}"
            + (f" ({kinds})" if kinds else "")
            + f", conflict aborts {t['conflict-aborts']}")


def show(mode, result):
    """After a boot with --contpte: the first reports and the summary on
    stderr.  Returns how many violations the model counted."""
    for line in result.contpte_reports[:REPORT_LINES]:
        say(line)
    if len(result.contpte_reports) > REPORT_LINES:
        say(f"contpte: {len(result.contpte_reports) - REPORT_LINES} more "
            "reports")
    say(summary(mode, result.contpte))
    return violations(result.contpte["total"])
