# SPDX-License-Identifier: GPL-2.0-or-later
"""Make the CLI's package importable from the test directories."""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
