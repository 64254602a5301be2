// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timed-write FILE STRING: write STRING to FILE in one write(2) and print
 * the microseconds the write took (CLOCK_MONOTONIC).  For sysfs writes
 * whose cost is the measurement, such as binding a dax device: busybox's
 * date has no sub-second format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long t0, t1;
	ssize_t n;
	size_t len;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: timed-write FILE STRING\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "timed-write: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	len = strlen(argv[2]);
	t0 = now_ns();
	n = write(fd, argv[2], len);
	t1 = now_ns();
	if (n != (ssize_t)len) {
		fprintf(stderr, "timed-write: %s: %s\n", argv[1],
			n < 0 ? strerror(errno) : "short write");
		return 1;
	}
	close(fd);
	printf("%lld\n", (t1 - t0) / 1000);
	return 0;
}
