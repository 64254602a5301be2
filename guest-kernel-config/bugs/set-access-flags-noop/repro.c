// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for "arm64: contpte: fix set_access_flags() no-op check for
 * SMMU/ATS faults" (97c5550b7631).
 *
 * A 64K mTHP, folded into one contiguous block, is made writable-clean and
 * old by MADV_FREE.  vCPU 0, which updates descriptors in hardware, writes
 * page 0: hardware marks entry 0 young and dirty.  Then vCPU 1, which
 * evaluates descriptors one by one (no FEAT_HAFDBS: -cpu
 * max,hafdbs-off=0x2), writes page 5 and faults.  Before the fix the kernel
 * compares the block's gathered view, already young and dirty from entry
 * 0, with what the fault asks for, finds nothing to do and returns without
 * touching entry 5: vCPU 1 takes the same fault forever.
 *
 * Prints "ok" and exits 0 once the writes on vCPU 1 completed, for each of
 * ATTEMPTS fresh blocks.
 */
#include "../mthp-block.h"
#include <pthread.h>

#define ATTEMPTS	8

static uint8_t *block;

static void *write_page5(void *arg)
{
	pin(1);
	poke(&block[5 * 4096], 2);	/* loops here on a buggy kernel */
	return NULL;
}

int main(void)
{
	pthread_t t;

	/*
	 * Several fresh blocks, and one loop is enough: the buggy kernel
	 * loops on the first, but a block that timing let the kernel fix up
	 * some other way must not make the reproducer pass.
	 */
	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		pin(0);
		block = mthp_block(1);
		/* all 16 entries writable-clean and old */
		if (madvise(block, BLOCK, MADV_FREE)) {
			perror("madvise");
			return 2;
		}
		poke(&block[0], 3);	/* vCPU 0: hardware updates entry 0 */
		if (pthread_create(&t, NULL, write_page5, NULL) ||
		    pthread_join(t, NULL)) {
			fprintf(stderr, "pthread failed\n");
			return 2;
		}
		munmap(block, BLOCK);
	}
	printf("ok\n");
	return 0;
}
