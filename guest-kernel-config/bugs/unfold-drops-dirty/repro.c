// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for a realistic contpte bug (written for contdax, not
 * shipped): contpte_convert() keeps only the dirty state of the entry the
 * caller changes instead of gathering it from the whole block.
 *
 * A 64K mTHP, folded into one contiguous block, is freed lazily
 * (MADV_FREE): clean and old.  A load of page 5 makes the vCPU cache the
 * block from entry 5; a store to page 0 then has hardware set the dirty
 * state, and with -cpu max,hwupdate=cached it lands on entry 5, the entry
 * the block was cached from, as the architecture allows.  MADV_PAGEOUT
 * reclaims the folio: unmapping unfolds the block from entry 0, and the
 * buggy unfold drops entry 5's dirty state, so the re-dirtied lazyfree
 * folio is discarded and the store to page 0 is lost.
 *
 * Prints "ok" and exits 0 when page 0 still holds what was stored; prints
 * "lost data: ..." and exits 1 when it does not.
 */
#include "../mthp-block.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#define PATTERN		0x5a

int main(void)
{
	uint8_t *block;
	uint8_t seen;

	/* one vCPU: the block must be cached where the store happens */
	pin(0);
	block = mthp_block(1);
	if (madvise(block, BLOCK, MADV_FREE)) {
		perror("madvise(MADV_FREE)");
		return 2;
	}
	peek(&block[5 * 4096]);		/* cache the block from entry 5 */
	poke(&block[0], PATTERN);	/* re-dirty the folio: keep it */
	if (madvise(block, BLOCK, MADV_PAGEOUT)) {
		perror("madvise(MADV_PAGEOUT)");
		return 2;
	}
	seen = peek(&block[0]);
	if (seen != PATTERN) {
		printf("lost data: page 0 reads 0x%02x after reclaim, the store after MADV_FREE wrote 0x%02x\n",
		       seen, PATTERN);
		return 1;
	}
	printf("ok\n");
	return 0;
}
