// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxmap: map a device-dax character device and report how the kernel
 * mapped it, as key=value lines.
 *
 *   daxmap [-f /dev/dax0.0] [-m MiB] [-w SEED | -c SEED]
 *
 * It maps MiB of the device at an address aligned to the device's
 * alignment, touches one byte per 4 KiB, and reports the page faults that
 * took: with 2 MiB alignment the kernel maps PMDs, one fault per 2 MiB;
 * with 4 KiB alignment, one per page.  -w writes a pattern derived from
 * SEED over the whole range; -c checks it (exit 1 on a mismatch), which is
 * how data is shown to survive a restart of the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = seed ^ (i * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static unsigned long device_align(const char *dev)
{
	char path[256];
	unsigned long align = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/align",
		 strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lu", &align) != 1)
		align = 0;
	if (f)
		fclose(f);
	return align;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dax0.0";
	size_t size = 64UL << 20;
	uint64_t seed = 0, *words;
	int write = 0, check = 0, opt, fd;
	unsigned long align;
	long before, faults;
	char *reserve, *p;
	size_t i, n, bad = 0;
	unsigned long sum = 0;

	while ((opt = getopt(argc, argv, "f:m:w:c:")) != -1) {
		switch (opt) {
		case 'f':
			dev = optarg;
			break;
		case 'm':
			size = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'w':
			write = 1;
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			check = 1;
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: daxmap [-f DEV] [-m MiB] [-w SEED | -c SEED]\n");
			return 2;
		}
	}
	align = device_align(dev);
	if (!align) {
		fprintf(stderr, "daxmap: cannot read the align of %s\n", dev);
		return 1;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "daxmap: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	/* device-dax insists on mappings aligned to its alignment */
	reserve = mmap(NULL, size + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (reserve == MAP_FAILED) {
		perror("daxmap: reserve");
		return 1;
	}
	p = (char *)(((uintptr_t)reserve + align - 1) & ~(align - 1));
	p = mmap(p, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "daxmap: mmap %s: %s\n", dev, strerror(errno));
		return 1;
	}

	/* the sum is printed so that the reads cannot be optimised away */
	before = minflt();
	for (i = 0; i < size; i += 4096)
		sum += p[i];
	faults = minflt() - before;

	words = (uint64_t *)p;
	n = size / sizeof(*words);
	for (i = 0; i < n && (write || check); i++) {
		if (write)
			words[i] = pattern(seed, i);
		else if (words[i] != pattern(seed, i))
			bad++;
	}
	printf("align=%lu\nmapped_mib=%zu\nfaults=%ld\nbyte_sum=%lu\n", align,
	       size >> 20, faults, sum);
	printf("pages_per_fault=%ld\n", faults ? (long)(size / 4096) / faults
	       : 0);
	if (check)
		printf("mismatched_words=%zu\n", bad);
	munmap(p, size);
	close(fd);
	return bad ? 1 : 0;
}
