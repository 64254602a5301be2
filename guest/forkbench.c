// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * forkbench: the cost of fork() for anonymous memory populated with one
 * mTHP size at a time ("mm: Batch-copy PTE ranges during fork()").
 *
 * For each size it enables only that mTHP size (4K: none), maps and
 * populates SIZE MiB, then times fork() + the child's exit + waitpid()
 * over repeats.  One more, untimed, child checks the first word of every
 * page, so a fork that lost data fails the run.  munmap is timed once.  One
 * record (guest/record.sh's protocol) per size:
 *
 *   {"record":"fork","size_kb":64,"repeats":5,"fork_us":<median>,"min":<>,
 *    "max":<>,"munmap_us":<>,"mthp_allocs":<>,"child_ok":1}
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THP "/sys/kernel/mm/transparent_hugepage"
#define MAX_REPEATS 64

static long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Enable exactly one mTHP size (0: none, base pages only). */
static int only_size(unsigned long kb)
{
	DIR *d = opendir(THP);
	struct dirent *e;
	char path[512];
	unsigned long size;
	int found = kb == 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (sscanf(e->d_name, "hugepages-%lukB", &size) != 1)
			continue;
		snprintf(path, sizeof(path), THP "/%s/enabled", e->d_name);
		/* some sizes are file-only: their anon switch is read-only */
		if (write_file(path, size == kb ? "always" : "never") == 0)
			found |= size == kb;
	}
	closedir(d);
	return found ? 0 : -1;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int fork_and_check(const uint8_t *buf, size_t len, size_t page,
			  unsigned long kb)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		for (size_t off = 0; off < len; off += page)
			if (*(const uint64_t *)(buf + off) != (off ^ kb))
				_exit(1);
		_exit(0);
	}
	return pid < 0 || waitpid(pid, &status, 0) != pid ||
	       !WIFEXITED(status) || WEXITSTATUS(status);
}

static int bench(unsigned long kb, unsigned long mib, int repeats)
{
	size_t len = mib << 20, page = sysconf(_SC_PAGESIZE);
	size_t align = 2UL << 20;
	long times[MAX_REPEATS], allocs_before = 0, allocs = 0, t, unmap;
	char path[256];
	uint8_t *raw, *buf;
	int ok = 1;

	if (only_size(kb)) {
		fprintf(stderr, "forkbench: no mTHP size %lukB\n", kb);
		return -1;
	}
	snprintf(path, sizeof(path), THP "/hugepages-%lukB/stats/anon_fault_alloc",
		 kb);
	if (kb)
		allocs_before = read_long(path);
	raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	buf = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(align - 1));
	for (size_t off = 0; off < len; off += page)
		*(uint64_t *)(buf + off) = off ^ kb;
	if (kb)
		allocs = read_long(path) - allocs_before;

	/* timed: fork, the child exits at once, the parent reaps it */
	for (int r = 0; r < repeats; r++) {
		pid_t pid;
		int status;

		t = now_us();
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			ok = 0;
		times[r] = now_us() - t;
	}
	/* untimed: a child must see every page the parent wrote */
	if (ok && fork_and_check(buf, len, page, kb))
		ok = 0;
	t = now_us();
	munmap(raw, len + align);
	unmap = now_us() - t;
	qsort(times, repeats, sizeof(times[0]), cmp_long);
	printf("{\"record\":\"fork\",\"size_kb\":%lu,\"repeats\":%d,\"fork_us\":%ld,\"min\":%ld,\"max\":%ld,\"munmap_us\":%ld,\"mthp_allocs\":%ld,\"child_ok\":%d}\n",
	       kb ? kb : page / 1024, repeats, times[repeats / 2], times[0],
	       times[repeats - 1], unmap, allocs, ok);
	fflush(stdout);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned long mib = 64;
	int repeats = 5, opt, rc = 0;

	while ((opt = getopt(argc, argv, "s:r:")) != -1) {
		switch (opt) {
		case 's':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			repeats = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc || !mib || repeats < 1 || repeats > MAX_REPEATS)
		goto usage;
	for (int i = optind; i < argc; i++) {
		/* "4" means base pages: the guest's page size, no mTHP */
		unsigned long kb = strtoul(argv[i], NULL, 0);
		int r = bench(kb * 1024 == (unsigned long)sysconf(_SC_PAGESIZE) ?
			      0 : kb, mib, repeats);

		if (r < 0)
			return 2;
		rc |= r;
	}
	only_size(0);
	return rc;
usage:
	fprintf(stderr, "usage: %s [-s MiB] [-r repeats (1-%d)] SIZE_KB...\n",
		argv[0], MAX_REPEATS);
	return 2;
}
