/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the bug corpus reproducers: 64K hugetlb pages, which arm64 maps as
 * 16 contiguous 4K entries (CONT_PTE_SIZE) on a 4K-page guest.
 */
#ifndef HUGETLB_64K_H
#define HUGETLB_64K_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "access.h"

#define HPAGE		(64UL << 10)
#define MAP_HUGE_64KB	(16U << 26)	/* log2(64K) << MAP_HUGE_SHIFT */
#define NR_HUGEPAGES	"/sys/kernel/mm/hugepages/hugepages-64kB/nr_hugepages"

/* Reserve @n 64K hugetlb pages; -1 with a message if the kernel cannot. */
static int reserve_hugepages(int n)
{
	FILE *f = fopen(NR_HUGEPAGES, "w");

	if (!f || fprintf(f, "%d\n", n) < 0 || fclose(f)) {
		fprintf(stderr, "%s: %s\n", NR_HUGEPAGES, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * @n 64K hugetlb pages, read-write, at @addr if not NULL (MAP_FIXED);
 * NULL with a message on failure.
 */
static void *map_hugepages(void *addr, int n, int flags)
{
	void *p = mmap(addr, n * HPAGE, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_64KB |
		       (addr ? MAP_FIXED : 0), -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap MAP_HUGETLB 64K");
		return NULL;
	}
	return p;
}

#endif
