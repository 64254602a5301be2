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
 * Prints "ok" and exits 0 once the write on vCPU 1 completed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCK		(64 << 10)
#define MTHP		"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/"

static volatile uint8_t *block;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(2);
	}
}

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

static void *write_page5(void *arg)
{
	pin(1);
	block[5 * 4096] = 2;	/* loops here on a buggy kernel */
	return NULL;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE), before;
	FILE *f = fopen(MTHP "enabled", "w");
	pthread_t t;
	uint8_t *p;

	if (page != 4096 || !f || fputs("always", f) < 0 || fclose(f)) {
		fprintf(stderr, "setup: needs 4K pages and 64K mTHP\n");
		return 2;
	}
	pin(0);
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
	/* all 16 entries writable-clean and old */
	if (madvise((void *)block, BLOCK, MADV_FREE)) {
		perror("madvise");
		return 2;
	}
	block[0] = 3;		/* vCPU 0: hardware updates entry 0 */
	if (pthread_create(&t, NULL, write_page5, NULL) || pthread_join(t, NULL)) {
		fprintf(stderr, "pthread failed\n");
		return 2;
	}
	printf("ok\n");
	return 0;
}
