# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python side passes Debian's pyflakes checks (through flake8, which
honours the `# noqa` of import-for-effect lines) and mypy, with zero
findings."""
import subprocess
import unittest

import contdax_path

REPO = contdax_path.REPO
PYTHON = ["contdax", "scripts", "tests"]


class PythonLintTest(unittest.TestCase):
    def lint(self, *cmd):
        res = subprocess.run(list(cmd), cwd=REPO, capture_output=True,
                             text=True)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_pyflakes(self):
        self.lint("flake8", "--select=F", *PYTHON)

    def test_mypy(self):
        # the CLI, every function body included, annotated or not
        self.lint("mypy", "--ignore-missing-imports", "--no-error-summary",
                  "--check-untyped-defs", "contdax", "scripts/contdax")


if __name__ == "__main__":
    unittest.main()
