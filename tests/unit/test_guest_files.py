# SPDX-License-Identifier: GPL-2.0-or-later
"""--put: the user's files go into an extra newc archive after a copy of
the initramfs, where Linux unpacks them with their modes; bad specs are
refused by name."""
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import contdax_path  # noqa: F401
from contdax import guest_files
from contdax.ui import UsageError


class ParseTest(unittest.TestCase):
    def test_default_and_given_guest_paths(self):
        with tempfile.NamedTemporaryFile(suffix="-prog") as f:
            host, guest = guest_files.parse(f.name)
            self.assertEqual(guest, "/root/" + Path(f.name).name)
            host, guest = guest_files.parse(f"{f.name}:/opt/t/prog")
            self.assertEqual((host, guest), (Path(f.name), "/opt/t/prog"))

    def test_refusals_name_the_spec(self):
        with tempfile.NamedTemporaryFile() as f:
            for spec, says in ((f"{f.name}:relative/x", "must be absolute"),
                               (f"{f.name}:/", "must be absolute"),
                               (f"{f.name}:/root/../../etc", "without '..'"),
                               ("/no/such/file", "no such file"),
                               (":/root/x", "no such file")):
                with self.subTest(spec=spec):
                    with self.assertRaises(UsageError) as cm:
                        guest_files.parse(spec)
                    self.assertIn(says, str(cm.exception))
                    self.assertIn(spec, str(cm.exception))
                    self.assertNotIn("\n", str(cm.exception))


class ArchiveTest(unittest.TestCase):
    def test_tree_and_file_unpack_with_modes(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            tree = tmp / "tree"
            (tree / "sub").mkdir(parents=True)
            (tree / "sub" / "run.sh").write_text("#!/bin/sh\necho hi\n")
            (tree / "sub" / "run.sh").chmod(0o755)
            (tree / "data").write_bytes(bytes(range(7)))
            (tree / "data").chmod(0o600)
            (tree / "link").symlink_to("data")
            prog = tmp / "prog"
            prog.write_bytes(b"\x7fELF" + b"x" * 5)
            prog.chmod(0o750)
            base = tmp / "initrd"
            base.write_bytes(b"compressed-initramfs")      # 20 bytes
            combined = guest_files.initrd_with(
                base, [(tree, "/opt/t"), (prog, "/root/bin/prog")])
            self.assertEqual(base.read_bytes(), b"compressed-initramfs")
            raw = combined.read_bytes()
            self.assertTrue(raw.startswith(base.read_bytes()))
            start = len(base.read_bytes())
            start += -start % 4
            self.assertEqual(raw[start:start + 6], b"070701")
            out = tmp / "out"
            out.mkdir()
            subprocess.run(["cpio", "-idm", "--quiet"], input=raw[start:],
                           cwd=out, check=True)
            self.assertEqual((out / "opt/t/sub/run.sh").read_text(),
                             "#!/bin/sh\necho hi\n")
            self.assertEqual(os.stat(out / "opt/t/sub/run.sh").st_mode
                             & 0o777, 0o755)
            self.assertEqual((out / "opt/t/data").read_bytes(),
                             bytes(range(7)))
            self.assertEqual(os.stat(out / "opt/t/data").st_mode & 0o777,
                             0o600)
            self.assertEqual(os.readlink(out / "opt/t/link"), "data")
            self.assertEqual(os.stat(out / "root/bin/prog").st_mode & 0o777,
                             0o750)


if __name__ == "__main__":
    unittest.main()
