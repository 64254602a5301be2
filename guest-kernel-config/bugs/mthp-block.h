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

static inline long read_long(const char *path)
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
static inline void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(2);
	}
}

/* A @size-aligned, unpopulated, private anonymous area of @size bytes. */
static inline uint8_t *aligned_area(size_t size)
{
	uint8_t *p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return (uint8_t *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
}

/*
 * An area of @size bytes, written with @fill so that it faults in as one
 * mTHP of that size (@name as in sysfs: "64kB"); exit 2 (a broken setup,
 * not a finding) if it does not.
 */
static inline uint8_t *mthp(const char *name, size_t size, uint8_t fill)
{
	char dir[128], path[160];
	long before;
	uint8_t *p;
	FILE *f;

	snprintf(dir, sizeof(dir),
		 "/sys/kernel/mm/transparent_hugepage/hugepages-%s/", name);
	snprintf(path, sizeof(path), "%senabled", dir);
	f = fopen(path, "w");
	if (sysconf(_SC_PAGESIZE) != 4096 || !f || fputs("always", f) < 0 ||
	    fclose(f)) {
		fprintf(stderr, "setup: needs 4K pages and %s mTHP\n", name);
		exit(2);
	}
	p = aligned_area(size);
	snprintf(path, sizeof(path), "%sstats/anon_fault_alloc", dir);
	before = read_long(path);
	memset(p, fill, size);
	if (read_long(path) != before + 1) {
		fprintf(stderr, "setup: the area is not one %s mTHP\n", name);
		exit(2);
	}
	return p;
}

/* One 64K mTHP: one contiguous block of 16 entries. */
static inline uint8_t *mthp_block(uint8_t fill)
{
	return mthp("64kB", BLOCK, fill);
}

#endif
