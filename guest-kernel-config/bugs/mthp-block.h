/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the bug corpus reproducers: one 64K anonymous mTHP, which Linux maps
 * as one contiguous block of 16 entries on a 4K-page guest.
 */
#ifndef MTHP_BLOCK_H
#define MTHP_BLOCK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "access.h"

#define BLOCK		(64 << 10)
#define MTHP		"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/"

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

/* Run the calling thread on @cpu only; exit 2 if that is not possible. */
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

/*
 * A 64K-aligned block, written with @fill so that it faults in as one 64K
 * mTHP; exit 2 (a broken setup, not a finding) if it does not.
 */
static uint8_t *mthp_block(uint8_t fill)
{
	FILE *f = fopen(MTHP "enabled", "w");
	long before;
	uint8_t *p;

	if (sysconf(_SC_PAGESIZE) != 4096 || !f || fputs("always", f) < 0 ||
	    fclose(f)) {
		fprintf(stderr, "setup: needs 4K pages and 64K mTHP\n");
		exit(2);
	}
	p = mmap(NULL, 2 * BLOCK, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	p = (uint8_t *)(((uintptr_t)p + BLOCK - 1) & ~(uintptr_t)(BLOCK - 1));
	before = read_long(MTHP "stats/anon_fault_alloc");
	memset(p, fill, BLOCK);
	if (read_long(MTHP "stats/anon_fault_alloc") != before + 1) {
		fprintf(stderr, "setup: the block is not one 64K mTHP\n");
		exit(2);
	}
	return p;
}

#endif
