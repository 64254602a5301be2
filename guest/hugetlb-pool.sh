#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# hugetlb-pool.sh [large]: reserve hugetlb pages of every size up to 32M,
# 64M worth of each, so that the mm selftests run their cases for each
# size: cow, gup_longterm and uffd test every size they find and skip a
# size without free pages.  With "large", also one page of each larger
# size (512M, 1G, 16G) that the kernel can find room for.  run_vmtests.sh
# sizes the pool of the default size itself.
for h in /sys/kernel/mm/hugepages/hugepages-*; do
	kb=${h##*-}
	kb=${kb%kB}
	if [ "$kb" -le 32768 ]; then
		echo $((65536 / kb + 1)) >$h/nr_hugepages
	elif [ "$1" = large ]; then
		echo 1 >$h/nr_hugepages 2>/dev/null
	fi
done
exit 0
