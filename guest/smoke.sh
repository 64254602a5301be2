#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The smoke set of `contdax run`, as records (record.sh): facts about the
# guest, then the THP gup benchmark of "mm/gup: Accelerate thp gup even
# for "pages != NULL"" with THP (-t) and without (-T), with the PMD THPs
# each run faulted in, then forkbench.
# Usage: smoke.sh [SIZE_MB] [FORK_MB]

. record.sh
size=${1:-512}
fork_mb=${2:-64}
thp=/sys/kernel/mm/transparent_hugepage
sizes=$(ls -d $thp/hugepages-*kB | sed 's/.*hugepages-//; s/kB$//' | sort -n |
	sed 's/$/kB/' | tr '\n' ' ')
record fact release="$(uname -r)" page_size="$(getconf PAGESIZE)" \
	mthp_sizes="${sizes% }" thp_enabled="$(cat $thp/enabled)" \
	contpte="$(zcat /proc/config.gz | sed -n 's/^CONFIG_ARM64_CONTPTE=//p')" \
	mem_total_kb="$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
pmd_faults() {
	cat $thp/hugepages-2048kB/stats/anon_fault_alloc
}
for mode in t T; do
	before=$(pmd_faults)
	gup_run $mode -m "$size" -$mode -L -n 1024 -r 10
	record thp_faults set=$mode faults=$(($(pmd_faults) - before))
done
# "mm: Batch-copy PTE ranges during fork()": fork() over memory populated
# with one mTHP size at a time
forkbench -s "$fork_mb" -r 5 4 16 32 64 128 256 512 1024 2048 ||
	record fact forkbench_status=$?
