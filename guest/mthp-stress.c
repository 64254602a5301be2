// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mthp-stress: churn anonymous memory the way that makes arm64 fold and
 * unfold contpte blocks (64K mTHP), and check every byte at the end.
 *
 * The main thread owns one region and, per iteration, does one of:
 * MADV_DONTNEED of a page, MADV_FREE of 4 pages, mprotect of 4 pages,
 * munmap and remap of a page (each inside a contpte block, so the block
 * must be unfolded), fork with the child checking and dirtying its copy, a
 * gup-fast pin through /sys/kernel/debug/gup_test, and now and then
 * MADV_COLLAPSE of a pmd_sz.  Sizes follow the kernel's page size.  Worker threads write, check and zap pages of
 * their own regions meanwhile, so TLB invalidations cross CPUs.
 *
 * Every page holds a pattern derived from a per-page seed; the program
 * exits 1 if any word differs from what was last written.  It ends with
 * one record (guest/record.sh's protocol): {"record":"mthp_stress",...}
 * with what it did, the mismatches and the elapsed time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The base page, the contpte block (CONT_PTES pages: 16 x 4K, 128 x 16K,
 * 32 x 64K) and the pmd_sz, from the page size the kernel was built with.
 */
static unsigned long page_sz, block_sz, pmd_sz, words;

static void sizes_init(void)
{
	page_sz = sysconf(_SC_PAGESIZE);
	block_sz = page_sz * (page_sz == 4096 ? 16 : page_sz == 16384 ? 128 : 32);
	pmd_sz = page_sz * (page_sz / 8);
	words = page_sz / 8;
}
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/* mm/gup_test.h */
struct gup_test {
	uint64_t get_delta_usec;
	uint64_t put_delta_usec;
	uint64_t addr;
	uint64_t size;
	uint32_t nr_pages_per_call;
	uint32_t gup_flags;
	uint32_t test_flags;
	uint32_t which_pages[8];
};
#define PIN_FAST_BENCHMARK	_IOWR('g', 2, struct gup_test)
#define FOLL_WRITE		0x01

struct region {
	uint8_t *base;
	size_t pages;
	uint64_t *seed;		/* what each page holds; 0: zero page */
};

static atomic_ulong mismatches;
static atomic_int stop;
static int gup_fd = -1;
static unsigned long pins, forks, collapses;

static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void fill(struct region *r, size_t page, uint64_t seed)
{
	uint64_t *p = (uint64_t *)(r->base + page * page_sz);

	for (size_t w = 0; w < words; w++)
		p[w] = seed ? seed ^ w : 0;
	r->seed[page] = seed;
}

static unsigned long check_page(const struct region *r, size_t page)
{
	const uint64_t *p = (const uint64_t *)(r->base + page * page_sz);
	uint64_t seed = r->seed[page];

	for (size_t w = 0; w < words; w++)
		if (p[w] != (seed ? seed ^ w : 0))
			return 1;
	return 0;
}

static unsigned long check_all(const struct region *r)
{
	unsigned long bad = 0;

	for (size_t i = 0; i < r->pages; i++)
		bad += check_page(r, i);
	return bad;
}

/* @bytes of anonymous memory aligned to @align, every page filled. */
static int region_init(struct region *r, size_t bytes, size_t align,
		       uint64_t *state)
{
	uint8_t *raw = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (raw == MAP_FAILED)
		return -1;
	r->base = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(align - 1));
	r->pages = bytes / page_sz;
	r->seed = calloc(r->pages, sizeof(*r->seed));
	if (!r->seed)
		return -1;
	for (size_t i = 0; i < r->pages; i++)
		fill(r, i, rnd(state) | 1);
	return 0;
}

static void *worker(void *arg)
{
	uint64_t state = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	struct region r;

	if (region_init(&r, 2 * block_sz, block_sz, &state)) {
		atomic_fetch_add(&mismatches, 1);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		size_t page = rnd(&state) % r.pages;

		atomic_fetch_add(&mismatches, check_page(&r, page));
		if (rnd(&state) % 8 == 0) {
			madvise(r.base + page * page_sz, page_sz, MADV_DONTNEED);
			r.seed[page] = 0;
			atomic_fetch_add(&mismatches, check_page(&r, page));
		}
		fill(&r, page, rnd(&state) | 1);
	}
	atomic_fetch_add(&mismatches, check_all(&r));
	return NULL;
}

/* One operation on the 64K block at @block of @r. */
static void churn(struct region *r, size_t block, unsigned int op,
		  uint64_t *state)
{
	size_t first = block * (block_sz / page_sz);
	size_t page = first + rnd(state) % (block_sz / page_sz);
	size_t quad = first + (rnd(state) % (block_sz / page_sz / 4)) * 4;
	uint8_t *at = r->base + page * page_sz;
	struct gup_test gup = { 0 };
	pid_t pid;
	int status;

	switch (op) {
	case 0:		/* zap one page of a block */
		madvise(at, page_sz, MADV_DONTNEED);
		r->seed[page] = 0;
		atomic_fetch_add(&mismatches, check_page(r, page));
		fill(r, page, rnd(state) | 1);
		break;
	case 1:		/* lazily free 16K, then write it again */
		madvise(r->base + quad * page_sz, 4 * page_sz, MADV_FREE);
		for (size_t i = quad; i < quad + 4; i++)
			fill(r, i, rnd(state) | 1);
		break;
	case 2:		/* write-protect 16K of a block and back */
		mprotect(r->base + quad * page_sz, 4 * page_sz, PROT_READ);
		for (size_t i = quad; i < quad + 4; i++)
			atomic_fetch_add(&mismatches, check_page(r, i));
		mprotect(r->base + quad * page_sz, 4 * page_sz,
			 PROT_READ | PROT_WRITE);
		fill(r, quad, rnd(state) | 1);
		break;
	case 3:		/* punch a page out of a block and map it again */
		munmap(at, page_sz);
		if (mmap(at, page_sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at) {
			atomic_fetch_add(&mismatches, 1);
			break;
		}
		r->seed[page] = 0;
		fill(r, page, rnd(state) | 1);
		break;
	case 4:		/* fork: the child checks and dirties its copy */
		pid = fork();
		if (pid == 0) {
			unsigned long bad = check_all(r);

			for (size_t i = 0; i < r->pages; i += 7)
				fill(r, i, rnd(state) | 1);
			bad += check_all(r);
			_exit(bad ? 1 : 0);
		}
		for (size_t i = first; i < first + block_sz / page_sz; i++)
			fill(r, i, rnd(state) | 1);
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			atomic_fetch_add(&mismatches, 1);
		forks++;
		break;
	case 5:		/* pin a block with gup-fast, then write it */
		if (gup_fd >= 0) {
			gup.addr = (uintptr_t)(r->base + first * page_sz);
			gup.size = block_sz;
			gup.nr_pages_per_call = block_sz / page_sz;
			gup.gup_flags = FOLL_WRITE;
			if (ioctl(gup_fd, PIN_FAST_BENCHMARK, &gup) == 0)
				pins++;
		}
		fill(r, page, rnd(state) | 1);
		break;
	}
}

int main(int argc, char **argv)
{
	unsigned long mib = 16, iterations = 200, threads = 2;
	uint64_t state = 0x636f6e74707465ULL;
	struct timespec t0, t1;
	pthread_t tid[16];
	struct region r;
	int opt;

	sizes_init();
	while ((opt = getopt(argc, argv, "s:i:t:")) != -1) {
		switch (opt) {
		case 's':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			iterations = strtoul(optarg, NULL, 0);
			break;
		case 't':
			threads = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s MiB] [-i iterations] [-t threads]\n",
				argv[0]);
			return 2;
		}
	}
	if (mib < 2 || mib % 2 || threads > 16 || (mib << 20) % block_sz) {
		fprintf(stderr, "mthp-stress: -s wants an even number of MiB >= 2, -t at most 16\n");
		return 2;
	}
	gup_fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (region_init(&r, mib << 20, (mib << 20) >= pmd_sz ? pmd_sz : block_sz,
			&state)) {
		perror("mthp-stress: mmap");
		return 2;
	}
	for (unsigned long t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, worker, (void *)(t + 1));
	for (unsigned long i = 0; i < iterations; i++) {
		size_t block = rnd(&state) % (r.pages / (block_sz / page_sz));

		churn(&r, block, i % 6, &state);
		if (i % 50 == 49 && r.pages >= pmd_sz / page_sz) {
			size_t pmd = rnd(&state) % (r.pages / (pmd_sz / page_sz));

			if (madvise(r.base + pmd * pmd_sz, pmd_sz, MADV_COLLAPSE) == 0)
				collapses++;
		}
	}
	atomic_store(&stop, 1);
	for (unsigned long t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	atomic_fetch_add(&mismatches, check_all(&r));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"record\":\"mthp_stress\",\"mib\":%lu,\"iterations\":%lu,\"threads\":%lu,\"forks\":%lu,\"pins\":%lu,\"gup_test\":%d,\"collapses\":%lu,\"mismatches\":%lu,\"elapsed_us\":%ld}\n",
	       mib, iterations, threads, forks, pins, gup_fd >= 0, collapses,
	       atomic_load(&mismatches),
	       (t1.tv_sec - t0.tv_sec) * 1000000L +
	       (t1.tv_nsec - t0.tv_nsec) / 1000);
	return atomic_load(&mismatches) ? 1 : 0;
}
