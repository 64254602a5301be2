# SPDX-License-Identifier: GPL-2.0-or-later
"""Every QEMU-side C file of the project and every QEMU patch passes
QEMU's own scripts/checkpatch.pl; the guest programs and kernel patches
pass the kernel's.  Both scripts come from the sources the build fetched."""
import subprocess
import unittest

import contdax_path
from contdax import kernel_build, linux_lines, qemu_build

REPO = contdax_path.REPO
C_DIRS = ["hw", "include", "target", "tests/qtest", "tests/unit",
          "tests/fuzz", "tools"]


def c_files():
    files = []
    for d in C_DIRS:
        files += sorted((REPO / d).rglob("*.[ch]"))
    return files


class CheckpatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scripts = {
            "qemu": qemu_build.build(REPO).path / "src/scripts/checkpatch.pl",
            "linux": kernel_build.tree(REPO, linux_lines.get(
                linux_lines.DEFAULT))[0] / "scripts/checkpatch.pl",
        }
        for name, line in linux_lines.LINES.items():
            cls.scripts[f"linux-{name}"] = kernel_build.tree(
                REPO, line)[0] / "scripts/checkpatch.pl"

    def checkpatch(self, tree, path, *flags):
        # relative paths: QEMU's checkpatch applies some rules by path
        # (tests/).  Given a relative path here, the kernel's reads a
        # .patch as a source file (context lines become trailing
        # whitespace), so kernel patches go by absolute path.
        arg = path if tree.startswith("linux") and path.suffix == ".patch" \
            else \
            path.relative_to(REPO)
        res = subprocess.run(["perl", str(self.scripts[tree]), "--no-tree",
                              *flags, str(arg)],
                             cwd=REPO, capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("total: 0 errors, 0 warnings", res.stdout)


def _add(tree, path, *flags):
    setattr(CheckpatchTest, f"test_{path.relative_to(REPO)}",
            lambda self: self.checkpatch(tree, path, *flags))


for _f in c_files():
    _add("qemu", _f, "-f")
for _p in sorted((REPO / "patches/qemu").glob("*.patch")):
    _add("qemu", _p)
_BUGS = REPO / "guest-kernel-config/bugs"
for _f in (sorted((REPO / "guest").glob("*.c")) +
           sorted(_BUGS.glob("*/repro.c")) + sorted(_BUGS.glob("*.h"))):
    _add("linux", _f, "-f")
for _name, _line in linux_lines.LINES.items():
    # each line's patches by that line's own checkpatch
    for _p in sorted(_line.patch_dir(REPO).glob("*.patch")):
        _add(f"linux-{_name}", _p)


if __name__ == "__main__":
    unittest.main()
