// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for "mm/mremap: honour writable bit in mremap pte batching",
 * a bug of mremap()'s PTE batching for large folios (v6.17 up to 6.17.8).
 *
 * One 128K mTHP: two contiguous blocks of 16 entries on a 4K-page guest.
 * Its first half is MADV_DONTFORK, so fork() shares only the second half
 * with the child: that block becomes read-only in both processes, while
 * the first stays writable in the parent.  MADV_DOFORK merges the two
 * halves back into one VMA, and mremap() moves the whole folio.  On
 * arm64 mremap() batches only from a contiguous entry, and a block is
 * contiguous only if all its entries have the same permissions; but the
 * batch runs on over the whole folio, into the read-only block.  The
 * buggy batch ignores the write permission and maps all 32 entries as
 * the first one, writable, so the parent's store goes into the page the
 * child still maps instead of into a copy.
 *
 * Prints "ok" and exits 0 when the child still reads its own data; prints
 * "cow broken: ..." and exits 1 when it reads the parent's store; exits 2
 * when the setup fails.
 */
#include "../cow-child.h"

#define SIZE		(128 << 10)
#define HALF		(SIZE / 2)
#define FILL		0x22
#define PARENT		0xdd

int main(void)
{
	uint8_t *folio = mthp("128kB", SIZE, FILL);
	uint8_t *to = aligned_area(SIZE);
	struct cow_child child;

	if (madvise(folio, HALF, MADV_DONTFORK)) {
		perror("madvise(MADV_DONTFORK)");
		return 2;
	}
	child = cow_child(&folio[HALF], FILL, "mremap()");
	if (madvise(folio, HALF, MADV_DOFORK)) {
		perror("madvise(MADV_DOFORK)");
		return 2;
	}
	/* fails if the halves did not merge back into one VMA */
	if (mremap(folio, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, to) != to) {
		perror("mremap");
		return 2;
	}
	poke(&to[HALF], PARENT);
	return cow_child_verdict(child, &to[HALF], PARENT, &to[0], FILL);
}
