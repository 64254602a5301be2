/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the bug corpus reproducers of broken copy-on-write: a child that
 * shares a page with its parent after fork() waits until the parent has
 * stored into its side of that page, then says whether it sees the store.
 */
#ifndef COW_CHILD_H
#define COW_CHILD_H

#include "mthp-block.h"	/* first: it defines _GNU_SOURCE */
#include <sys/wait.h>

struct cow_child {
	pid_t pid;
	int go;		/* the parent writes a byte here when it has stored */
};

/*
 * fork() a child that waits for the parent, then reads @shared, which must
 * still hold @fill; if not, it prints "cow broken: ..." naming @how (what
 * the parent did after fork()) and exits 1.  Exit 2 if that fails.
 */
static inline struct cow_child cow_child(const uint8_t *shared, uint8_t fill,
					 const char *how)
{
	struct cow_child c;
	uint8_t seen;
	int go[2];
	char byte;

	if (pipe(go)) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	c.pid = fork();
	if (c.pid < 0) {
		perror("fork");
		exit(2);
	}
	if (c.pid == 0) {
		if (read(go[0], &byte, 1) != 1)
			_exit(2);
		seen = peek(shared);
		if (seen != fill)
			printf("cow broken: the child reads 0x%02x, the parent's store after fork() and %s, where it wrote 0x%02x before fork()\n",
			       seen, how, fill);
		fflush(stdout);		/* _exit() does not */
		_exit(seen == fill ? 0 : 1);
	}
	c.go = go[1];
	return c;
}

/*
 * The parent has stored @stored at @own, its side of the shared page, and
 * @unshared still holds @fill: let the child look.  The reproducer's exit
 * status: 0 and "ok" if the child kept its data, 1 if not, 2 if the setup
 * failed.
 */
static inline int cow_child_verdict(struct cow_child c, const uint8_t *own,
				    uint8_t stored, const uint8_t *unshared,
				    uint8_t fill)
{
	int status;

	if (peek(own) != stored || peek(unshared) != fill) {
		fprintf(stderr, "setup: the parent does not read its own data\n");
		return 2;
	}
	if (write(c.go, "", 1) != 1 || waitpid(c.pid, &status, 0) != c.pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "setup: the child failed\n");
		return 2;
	}
	if (WEXITSTATUS(status))
		return 1;
	printf("ok\n");
	return 0;
}

#endif
