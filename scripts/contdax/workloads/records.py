# SPDX-License-Identifier: GPL-2.0-or-later
"""The guest's result protocol, read on the host: each result is one JSON
object on a line of its own, {"record": KIND, ...} (guest/record.sh writes
them for the shell scripts; forkbench and mthp-stress print them
directly).  Every other line the guest prints (selftest chatter, kernel
messages, a hostile guest's noise) is ignored, and so is a line that
looks like a record but is not one.  The projections below are the shapes
the workloads share."""

import json
from typing import NamedTuple


def parse(text):
    """Every record in text, in order."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith('{"record":'):
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and isinstance(rec.get("record"), str):
            found.append(rec)
    return found


def of(recs, kind):
    """The records of one kind, without their kind."""
    return [{k: v for k, v in r.items() if k != "record"}
            for r in recs if r["record"] == kind]


def facts(recs):
    """Every "fact" record merged, as strings (the later wins)."""
    merged = {}
    for r in of(recs, "fact"):
        merged.update({k: str(v) for k, v in r.items()})
    return merged


def gup_sets(recs):
    """gup_test's timings per set (guest/record.sh's gup_run): the get and
    put times in us, one per repeat over every run of the set, the last
    failing run's exit status (0 if none failed), and for the smoke set
    the PMD THPs its run faulted in."""
    sets: dict[str, dict] = {}

    def one(name):
        return sets.setdefault(name, {"get": [], "put": [], "status": 0,
                                      "thp_faults": None})
    for r in recs:
        if r["record"] == "gup":
            one(r["set"])["get"].append(r["get_us"])
            one(r["set"])["put"].append(r["put_us"])
        elif r["record"] == "gup_run" and r["status"]:
            one(r["set"])["status"] = r["status"]
        elif r["record"] == "thp_faults":
            one(r["set"])["thp_faults"] = r["faults"]
    return sets


def gets(sets, name):
    """The get times of one of gup_sets' sets, none if it did not run."""
    return sets.get(name, {"get": []})["get"]


class DaxBoot(NamedTuple):
    """A boot with an nvdimm-dax: dax-facts.sh's facts, gup_test's sets
    (dax-gup-modes.sh), and the bind and unbind events in order
    (dax-rebind.sh), each its record with the kind under "kind": the
    shape report.json keeps them in."""
    facts: dict
    times: dict
    events: list


def dax_boot(text):
    recs = parse(text)
    events = [{"kind": r["record"],
               **{k: v for k, v in r.items() if k != "record"}}
              for r in recs if r["record"] in ("bind", "unbind")]
    return DaxBoot(facts(recs), gup_sets(recs), events)
