# SPDX-License-Identifier: GPL-2.0-or-later
"""Make the CLI's package importable from the test directories.

This file and contdax_run.py serve every suite from tests/, which must be
on sys.path: ./contdax test puts it there; to run one test, from its
suite's directory: PYTHONPATH=.. python3 -m unittest MODULE.Class.test
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
