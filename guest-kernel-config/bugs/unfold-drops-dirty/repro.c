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
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#define BLOCK		(64 << 10)
#define MTHP		"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/"
#define PATTERN		0x5a

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f || fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE), before;
	FILE *f = fopen(MTHP "enabled", "w");
	volatile uint8_t *block;
	cpu_set_t set;
	uint8_t *p, seen;

	if (page != 4096 || !f || fputs("always", f) < 0 || fclose(f)) {
		fprintf(stderr, "setup: needs 4K pages and 64K mTHP\n");
		return 2;
	}
	/* one vCPU: the block must be cached where the store happens */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return 2;
	}
	p = mmap(NULL, 2 * BLOCK, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	block = (uint8_t *)(((uintptr_t)p + BLOCK - 1) & ~(uintptr_t)(BLOCK - 1));
	before = read_long(MTHP "stats/anon_fault_alloc");
	memset((void *)block, 1, BLOCK);
	if (read_long(MTHP "stats/anon_fault_alloc") != before + 1) {
		fprintf(stderr, "setup: the block is not one 64K mTHP\n");
		return 2;
	}
	if (madvise((void *)block, BLOCK, MADV_FREE)) {
		perror("madvise(MADV_FREE)");
		return 2;
	}
	(void)block[5 * 4096];		/* cache the block from entry 5 */
	block[0] = PATTERN;		/* re-dirty the folio: keep it */
	if (madvise((void *)block, BLOCK, MADV_PAGEOUT)) {
		perror("madvise(MADV_PAGEOUT)");
		return 2;
	}
	seen = block[0];
	if (seen != PATTERN) {
		printf("lost data: page 0 reads 0x%02x after reclaim, the store "
		       "after MADV_FREE wrote 0x%02x\n", seen, PATTERN);
		return 1;
	}
	printf("ok\n");
	return 0;
}
