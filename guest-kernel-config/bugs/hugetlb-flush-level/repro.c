// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for "arm64: hugetlb: Fix flush_hugetlb_tlb_range()
 * invalidation level" (eed6bfa8b282).
 *
 * Two 64K hugetlb pages (each 16 contiguous 4K entries) in one page
 * table.  The first is written, so that the TLB holds it, then moved
 * elsewhere by mremap().  move_hugetlb_page_tables() clears the old
 * entries without a TLBI and invalidates the old range afterwards with
 * flush_hugetlb_tlb_range(), which before the fix hints level 0 for a
 * CONT_PTE size.  A CPU that takes the hint at its word (FEAT_TTL; with
 * FEAT_LPA2 the hint means level 0) need invalidate nothing: the old
 * address still reaches the page, and a store through it, which must
 * fault, lands in the page that now lives at the new address.
 *
 * Prints "ok" and exits 0 when the store faulted on each of ATTEMPTS
 * moves; "lost data: ..." and exits 1 when one did not.
 */
#include "../hugetlb-64k.h"
#include <setjmp.h>
#include <signal.h>

#define SPAN		(2UL << 20)	/* one page table's reach */
#define ATTEMPTS	8
#define MARK		0x6d6f766564ULL	/* "moved" */

static sigjmp_buf faulted;

static void on_segv(int sig)
{
	siglongjmp(faulted, 1);
}

/*
 * One move: 1 if the store through the old address went through (the
 * bug), 0 if it faulted, 2 if the setup failed.
 */
static int attempt(void)
{
	uint8_t *area, *base, *moved;
	int stale;

	/* Two page tables' reach, aligned: the source and the target. */
	area = mmap(NULL, 3 * SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (area == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	base = (uint8_t *)(((uintptr_t)area + SPAN - 1) & ~(SPAN - 1));
	/*
	 * The second hugetlb page stays behind, so that the page table of
	 * the old range outlives the move and is not freed (which would
	 * flush it with a TLBI of its own).
	 */
	if (!map_hugepages(base, 2, MAP_PRIVATE))
		return 2;
	for (unsigned long off = 0; off < 2 * HPAGE; off += 4096)
		poke(base + off, 0xa5);	/* every 4K page in the TLB */
	poke64(base + 8, MARK);
	moved = mremap(base, HPAGE, HPAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       base + SPAN);
	if (moved == MAP_FAILED) {
		perror("mremap");
		return 2;
	}
	stale = !sigsetjmp(faulted, 1);
	if (stale) {
		poke64(base + 8, 0xdead);	/* no mapping here any more */
		printf("lost data: %s %p, stale TLB entry: the page now at %p reads 0x%llx\n",
		       "a store did not fault after mremap() moved", base,
		       moved, (unsigned long long)peek64(moved + 8));
	} else if (peek64(moved + 8) != MARK) {
		printf("lost data: the moved page reads 0x%llx\n",
		       (unsigned long long)peek64(moved + 8));
		stale = 1;
	}
	munmap(area, 3 * SPAN);
	return stale;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_segv };

	if (reserve_hugepages(4))
		return 2;
	if (sigaction(SIGSEGV, &sa, NULL)) {
		perror("sigaction");
		return 2;
	}
	/*
	 * Several moves, and one stale entry is enough: a timer tick that
	 * switches to another task between the move and the store changes
	 * the ASID, and that flushes QEMU's TLB whatever the bug did.
	 */
	for (int i = 0; i < ATTEMPTS; i++) {
		int ret = attempt();

		if (ret)
			return ret;
	}
	printf("ok\n");
	return 0;
}
