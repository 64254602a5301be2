#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The smoke set of `contdax run`: facts about the guest as key=value lines,
# then seed 000's THP gup benchmark with THP (-t) and without (-T).
# Usage: smoke.sh [SIZE_MB]

size=${1:-512}
echo "release=$(uname -r)"
echo "page_size=$(getconf PAGESIZE)"
sizes=
for d in /sys/kernel/mm/transparent_hugepage/hugepages-*kB; do
	[ -d "$d" ] && sizes="$sizes ${d##*hugepages-}"
done
echo "mthp_sizes=${sizes# }"
echo "thp_enabled=$(cat /sys/kernel/mm/transparent_hugepage/enabled)"
echo "contpte=$(zcat /proc/config.gz | sed -n 's/^CONFIG_ARM64_CONTPTE=//p')"
echo "mem_total_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
for thp in t T; do
	echo "gup_begin=$thp"
	gup_test -m "$size" -$thp -L -n 1024 -r 10 || echo "gup_status=$?"
	echo "gup_end=$thp"
done
