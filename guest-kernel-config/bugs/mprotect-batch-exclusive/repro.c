// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for "mm: pass page directly instead of using folio_page",
 * a bug of mprotect()'s PTE batching for large folios (mainline
 * v6.17-rc1, fixed before v6.17).
 *
 * One 64K mTHP.  Its first half is MADV_DONTFORK, so fork() shares only
 * the second half with the child: pages 8-15 of the folio lose their
 * anon-exclusive state and are mapped read-only in both processes, while
 * pages 0-7 stay exclusive and writable in the parent.  The parent then
 * makes the second half read-only and writable again with mprotect().
 * That batch maps pages 8-15; the buggy kernel judges whether it may map
 * them writable without a write fault by pages 0-7, which are exclusive,
 * so the parent's store goes into the page the child still maps instead
 * of into a copy.
 *
 * Prints "ok" and exits 0 when the child still reads its own data; prints
 * "cow broken: ..." and exits 1 when it reads the parent's store; exits 2
 * when the setup fails.
 */
#include "../cow-child.h"

#define HALF		(BLOCK / 2)
#define FILL		0x11
#define PARENT		0xee

int main(void)
{
	uint8_t *block = mthp_block(FILL);
	struct cow_child child;

	if (madvise(block, HALF, MADV_DONTFORK)) {
		perror("madvise(MADV_DONTFORK)");
		return 2;
	}
	child = cow_child(&block[HALF], FILL, "mprotect()");
	if (mprotect(block + HALF, HALF, PROT_READ) ||
	    mprotect(block + HALF, HALF, PROT_READ | PROT_WRITE)) {
		perror("mprotect");
		return 2;
	}
	poke(&block[HALF], PARENT);
	return cow_child_verdict(child, &block[HALF], PARENT, &block[0], FILL);
}
