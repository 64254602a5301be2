# SPDX-License-Identifier: GPL-2.0-or-later
"""The export plan: every hook and overlay file in exactly one patch, and
MAINTAINERS sections added where they belong."""
import shutil
import tempfile
import unittest
from pathlib import Path

import contdax_path
from contdax import export_patches
from contdax.ui import ContdaxError

REPO = contdax_path.REPO

MAINTAINERS = """Memory devices
M: Someone <a@b>
F: hw/mem/nvdimm.c

SPICE
S: Orphan
F: ui/spice-*.c
"""


class MaintainersTest(unittest.TestCase):
    def test_new_section_goes_after_the_named_one(self):
        text = export_patches.add_maintainers(
            MAINTAINERS, "NVDIMM-DAX", "M: Us <u@s>\nF: hw/mem/nvdimm-dax*\n",
            after="Memory devices")
        self.assertEqual(text.split("\n\n")[1],
                         "NVDIMM-DAX\nM: Us <u@s>\nF: hw/mem/nvdimm-dax*")
        self.assertTrue(text.split("\n\n")[2].startswith("SPICE"))

    def test_existing_section_gets_only_the_file_lines(self):
        text = export_patches.add_maintainers(
            MAINTAINERS, "SPICE", "M: Not added <n@a>\nF: ui/spice-x.c\n")
        self.assertTrue(text.endswith("F: ui/spice-*.c\nF: ui/spice-x.c\n"))
        self.assertNotIn("Not added", text)

    def test_unknown_anchor_is_an_error(self):
        with self.assertRaisesRegex(ContdaxError, "no section 'Nowhere'"):
            export_patches.add_maintainers(MAINTAINERS, "X", "F: x\n",
                                           after="Nowhere")


class PlanTest(unittest.TestCase):
    def test_the_project_plan_covers_every_hook_and_file_once(self):
        _, plan = export_patches.load(REPO)
        files = [f for p in plan for f in p.files]
        self.assertEqual(sorted(files), export_patches.overlay_files(REPO))
        hooks = [h.name for p in plan for h in p.hooks]
        self.assertEqual(sorted(hooks), sorted(
            p.name for p in (REPO / "patches/qemu").glob("0*.patch")))

    def copy(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        repo = Path(tmp.name)
        for d in ("patches", "hw", "include", "target", "tests/qtest"):
            shutil.copytree(REPO / d, repo / d)
        return repo

    def test_a_file_in_no_patch_is_refused(self):
        repo = self.copy()
        (repo / "hw/mem/stray.c").write_text("/* nobody exports me */\n")
        with self.assertRaisesRegex(ContdaxError,
                                    r"in none \['hw/mem/stray.c'\]"):
            export_patches.load(repo)

    def test_a_hook_in_two_patches_is_refused(self):
        repo = self.copy()
        plan = repo / export_patches.PLAN
        plan.write_text(plan.read_text().replace('hooks = ["0006"]',
                                                 'hooks = ["0004"]'))
        with self.assertRaisesRegex(ContdaxError, r"twice \['0004'\]"):
            export_patches.load(repo)


if __name__ == "__main__":
    unittest.main()
