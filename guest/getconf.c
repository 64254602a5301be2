// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * getconf: the sysconf(3) values busybox's userland lacks, by their POSIX
 * names (getconf PAGESIZE, getconf _NPROCESSORS_ONLN, ...).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	int id;
} vars[] = {
	{ "PAGESIZE", _SC_PAGESIZE },
	{ "PAGE_SIZE", _SC_PAGESIZE },
	{ "_NPROCESSORS_ONLN", _SC_NPROCESSORS_ONLN },
	{ "_NPROCESSORS_CONF", _SC_NPROCESSORS_CONF },
	{ "_PHYS_PAGES", _SC_PHYS_PAGES },
	{ "_AVPHYS_PAGES", _SC_AVPHYS_PAGES },
	{ "CLK_TCK", _SC_CLK_TCK },
	{ "OPEN_MAX", _SC_OPEN_MAX },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: getconf NAME\n");
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		if (!strcmp(argv[1], vars[i].name)) {
			printf("%ld\n", sysconf(vars[i].id));
			return 0;
		}
	}
	fprintf(stderr, "getconf: unknown variable %s\n", argv[1]);
	return 1;
}
