// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reproducer for "mm/mremap: honour writable bit in mremap pte batching",
 * a bug of mremap()'s PTE batching for large folios (v6.17 up to 6.17.8).
 *
 * One 128K mTHP: two contiguous blocks of 16 entries on a 4K-page guest.
 * Its first half is MADV_DONTFORK, so fork() shares only the second half
 * with the child: that block becomes read-only in both processes, while
 * the first stays writable in the parent.  MADV_DOFORK merges the two
 * halves back into one VMA, and mremap() moves the whole folio.  On
 * arm64 mremap() batches only from a contiguous entry, and a block is
 * contiguous only if all its entries have the same permissions; but the
 * batch runs on over the whole folio, into the read-only block.  The
 * buggy batch ignores the write permission and maps all 32 entries as
 * the first one, writable, so the parent's store goes into the page the
 * child still maps instead of into a copy.
 *
 * Prints "ok" and exits 0 when the child still reads its own data; prints
 * "cow broken: ..." and exits 1 when it reads the parent's store; exits 2
 * when the setup fails.
 */
#include "../mthp-block.h"
#include <sys/wait.h>

#define SIZE		(128 << 10)
#define HALF		(SIZE / 2)
#define FILL		0x22
#define PARENT		0xdd

/* The child: wait for the parent's store, then report what it reads. */
static void child(int from_parent, const uint8_t *shared)
{
	char go;
	uint8_t seen;

	if (read(from_parent, &go, 1) != 1)
		_exit(2);
	seen = peek(shared);
	if (seen != FILL)
		printf("cow broken: the child reads 0x%02x, the parent's store after fork() and mremap(), where it wrote 0x%02x before fork()\n",
		       seen, FILL);
	fflush(stdout);		/* _exit() does not */
	_exit(seen == FILL ? 0 : 1);
}

int main(void)
{
	uint8_t *folio = mthp("128kB", SIZE, FILL);
	uint8_t *to = aligned_area(SIZE);
	int go[2], status;
	pid_t pid;

	if (madvise(folio, HALF, MADV_DONTFORK)) {
		perror("madvise(MADV_DONTFORK)");
		return 2;
	}
	if (pipe(go)) {
		perror("pipe");
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0)
		child(go[0], &folio[HALF]);
	if (madvise(folio, HALF, MADV_DOFORK)) {
		perror("madvise(MADV_DOFORK)");
		return 2;
	}
	/* fails if the halves did not merge back into one VMA */
	if (mremap(folio, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, to) != to) {
		perror("mremap");
		return 2;
	}
	poke(&to[HALF], PARENT);
	if (peek(&to[HALF]) != PARENT || peek(&to[0]) != FILL) {
		fprintf(stderr, "setup: the parent does not read its own data\n");
		return 2;
	}
	if (write(go[1], "", 1) != 1 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "setup: the child failed\n");
		return 2;
	}
	if (WEXITSTATUS(status))
		return 1;
	printf("ok\n");
	return 0;
}
