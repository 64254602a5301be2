// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for "arm64: mm: Always make sw-dirty PTEs hw-dirty in
 * pte_modify" (3c0696076aad).
 *
 * A shared 64K hugetlb page (16 contiguous 4K entries) is written, so its
 * entries are dirty, then mprotect()ed to PROT_NONE and back to read-write.
 * Before the fix that leaves them dirty in software only (PTE_DIRTY with
 * AP[2] read-only).  On a CPU that does not update the dirty state in
 * hardware (-cpu max,hafdbs-off=0x1) the next write faults, and
 * huge_ptep_set_access_flags() finds the entry already dirty and changes
 * nothing: the write faults forever.  With hardware dirty updates the
 * write completes without a fault, so the bug stays hidden.
 *
 * Prints "ok" and exits 0 once the write after the mprotect()s completed.
 */
#include "../hugetlb-64k.h"

int main(void)
{
	uint8_t *page;

	if (reserve_hugepages(2))
		return 2;
	page = map_hugepages(NULL, 1, MAP_SHARED);
	if (!page)
		return 2;
	for (unsigned long off = 0; off < HPAGE; off += 4096)
		poke(page + off, 1);			/* dirty */
	if (mprotect(page, HPAGE, PROT_NONE) ||
	    mprotect(page, HPAGE, PROT_READ | PROT_WRITE)) {
		perror("mprotect");
		return 2;
	}
	poke(page + 4096, 2);	/* loops here on a buggy kernel */
	if (peek(page) != 1 || peek(page + 4096) != 2) {
		printf("lost data: the page reads %d %d\n", peek(page),
		       peek(page + 4096));
		return 1;
	}
	printf("ok\n");
	return 0;
}
