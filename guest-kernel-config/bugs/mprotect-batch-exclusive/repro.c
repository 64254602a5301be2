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
#include "../mthp-block.h"
#include <sys/wait.h>

#define HALF		(BLOCK / 2)
#define FILL		0x11
#define PARENT		0xee

/* The child: wait for the parent's store, then report what it reads. */
static void child(int from_parent, const uint8_t *shared)
{
	char go;
	uint8_t seen;

	if (read(from_parent, &go, 1) != 1)
		_exit(2);
	seen = peek(shared);
	if (seen != FILL)
		printf("cow broken: the child reads 0x%02x, the parent's store after fork() and mprotect(), where it wrote 0x%02x before fork()\n",
		       seen, FILL);
	fflush(stdout);		/* _exit() does not */
	_exit(seen == FILL ? 0 : 1);
}

int main(void)
{
	uint8_t *block = mthp_block(FILL);
	int go[2], status;
	pid_t pid;

	if (madvise(block, HALF, MADV_DONTFORK)) {
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
		child(go[0], &block[HALF]);
	if (mprotect(block + HALF, HALF, PROT_READ) ||
	    mprotect(block + HALF, HALF, PROT_READ | PROT_WRITE)) {
		perror("mprotect");
		return 2;
	}
	poke(&block[HALF], PARENT);
	if (peek(&block[HALF]) != PARENT || peek(&block[0]) != FILL) {
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
