# SPDX-License-Identifier: GPL-2.0-or-later
"""The bug corpus: every entry is complete and names a real line, a patch,
a reproducer and what must catch it; a broken entry is refused by name;
the table says detected or missed, and clean or not, per bug."""
import tempfile
import unittest
from pathlib import Path

import contdax_path
from contdax import bugs, linux_lines
from contdax.ui import ContdaxError, UsageError

REPO = contdax_path.REPO


class CorpusTest(unittest.TestCase):
    def test_every_entry_loads(self):
        corpus = bugs.corpus(REPO)
        self.assertGreaterEqual(
            len([b for b in corpus if b.kind == "shipped"]), 3)
        for bug in corpus:
            with self.subTest(bug=bug.name):
                self.assertIn(bug.line, linux_lines.LINES)
                self.assertTrue(bug.patch.is_file())
                self.assertFalse(bug.patch.name.startswith("fix-"))
                if bug.fix:
                    self.assertIn(bug.commit[:12], bug.fix.read_text())
                self.assertTrue((bug.path / "repro.c").is_file())
                self.assertTrue(bug.detect)
                self.assertIn(bug.contpte, ("check", "strict"))
                if not bug.realistic:
                    self.assertRegex(bug.commit, r"^[0-9a-f]{40}$")
                self.assertRegex(bug.fixes, r"^[0-9a-f]{12} \(\"")

    def test_the_required_bug_is_there(self):
        titles = [b.title for b in bugs.corpus(REPO) if not b.realistic]
        self.assertIn("arm64: contpte: fix set_access_flags() no-op check "
                      "for SMMU/ATS faults", titles)

    def test_both_lines_have_bugs(self):
        self.assertEqual({b.line for b in bugs.corpus(REPO)},
                         set(linux_lines.LINES))

    def test_kind_and_options(self):
        kinds = {b.name: (b.kind, b.needs_options)
                 for b in bugs.corpus(REPO)}
        self.assertEqual(kinds["set-access-flags-noop"], ("shipped", True))
        self.assertEqual(kinds["unfold-drops-dirty"], ("realistic", True))
        self.assertEqual(kinds["mprotect-batch-exclusive"],
                         ("rc only", False))

    def test_one_needs_hardware_updates_on_another_member(self):
        self.assertTrue([b for b in bugs.corpus(REPO)
                         if "hwupdate=cached" in b.cpu])

    def test_fix_patch_is_told_from_the_bug_patch(self):
        with tempfile.TemporaryDirectory() as tmp:
            entry = Path(tmp) / "pair"
            entry.mkdir()
            src = bugs.corpus_dir(REPO) / "set-access-flags-noop"
            (entry / "bug.toml").write_text((src / "bug.toml").read_text())
            (entry / "repro.c").write_text("int main(void) { return 0; }\n")
            (entry / "0001-put-back.patch").write_text("bug\n")
            self.assertIsNone(bugs.load(entry).fix)
            (entry / "fix-0001-upstream.patch").write_text("fix\n")
            bug = bugs.load(entry)
            self.assertEqual(bug.patch.name, "0001-put-back.patch")
            self.assertEqual(bug.fix.name, "fix-0001-upstream.patch")
            (entry / "fix-0002-another.patch").write_text("fix\n")
            with self.assertRaisesRegex(ContdaxError, "at most one "
                                        "fix-\\*.patch"):
                bugs.load(entry)

    def test_unknown_name_is_refused(self):
        with self.assertRaises(UsageError) as cm:
            bugs.select(REPO, ["no-such-bug"])
        self.assertIn("no bug 'no-such-bug'", str(cm.exception))
        self.assertIn("set-access-flags-noop", str(cm.exception))

    def test_broken_entry_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            entry = Path(tmp) / "half"
            entry.mkdir()
            (entry / "bug.toml").write_text('title = "x"\n')
            with self.assertRaisesRegex(ContdaxError, "bug half: bug.toml "
                                        "lacks commit"):
                bugs.load(entry)
            (entry / "bug.toml").write_text("title = \n")
            with self.assertRaisesRegex(ContdaxError, "bug half: bad"):
                bugs.load(entry)

    def test_table_flags_misses_and_dirty_fixed_kernels(self):
        corpus = bugs.corpus(REPO)
        rows = [(corpus[0], bugs.Outcome(True, "contpte: fault-loop: VA 0x1",
                                         12.0, False, True, "clean")),
                (corpus[1], bugs.Outcome(False, "", 30.0, False, False,
                                         "exit 1: lost data"))]
        text = bugs.render(rows)
        lines = text.splitlines()
        self.assertIn("detected", lines[1])
        self.assertIn("contpte: fault-loop: VA 0x1", lines[1])
        self.assertIn("MISSED", lines[2])
        self.assertIn("REPORTS", lines[2])
        self.assertIn("fixed kernel: exit 1: lost data", lines[3])


if __name__ == "__main__":
    unittest.main()
