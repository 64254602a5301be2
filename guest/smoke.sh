#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The smoke set of `contdax run`: facts about the guest as key=value lines,
# then the THP gup benchmark of "mm/gup: Accelerate thp gup even for
# "pages != NULL"" with THP (-t) and without (-T).
# Usage: smoke.sh [SIZE_MB] [FORK_MB]

size=${1:-512}
fork_mb=${2:-64}
echo "release=$(uname -r)"
echo "page_size=$(getconf PAGESIZE)"
thp=/sys/kernel/mm/transparent_hugepage
sizes=$(ls -d $thp/hugepages-*kB | sed 's/.*hugepages-//; s/kB$//' | sort -n |
	sed 's/$/kB/' | tr '\n' ' ')
echo "mthp_sizes=${sizes% }"
echo "thp_enabled=$(cat $thp/enabled)"
echo "contpte=$(zcat /proc/config.gz | sed -n 's/^CONFIG_ARM64_CONTPTE=//p')"
echo "mem_total_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
pmd_faults() {
	cat $thp/hugepages-2048kB/stats/anon_fault_alloc
}
for mode in t T; do
	echo "gup_begin=$mode"
	before=$(pmd_faults)
	gup_test -m "$size" -$mode -L -n 1024 -r 10 || echo "gup_status=$?"
	echo "gup_thp_faults=$(($(pmd_faults) - before))"
	echo "gup_end=$mode"
done
# "mm: Batch-copy PTE ranges during fork()": fork() over memory populated
# with one mTHP size at a time
forkbench -s "$fork_mb" -r 5 4 16 32 64 128 256 512 1024 2048 || echo "forkbench_status=$?"
