#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What exercises arm64 contpte in the guest: anonymous mTHP of one contpte
# block (64K with 4K pages, 2M with 16K or 64K pages; folded into
# contiguous groups), the mm selftests that fork, pin and COW it
# (cow, gup_longterm), and mthp-stress.  Each step is a record
# (record.sh) with its exit status and its selftest's totals line, and
# mthp-stress's own record is passed on; the script fails if any step
# does.
# Usage: contpte-workload.sh [selftests|stress|all] [mthp-stress options]

. record.sh
what=${1:-all}
[ $# -gt 0 ] && shift
thp=/sys/kernel/mm/transparent_hugepage
# the mTHP size that fills one contpte block: 16 x 4K, 128 x 16K, 32 x 64K
page=$(getconf PAGESIZE)
case $page in
4096) block_kb=64 ;;
16384) block_kb=2048 ;;
*) block_kb=2048 ;;
esac
mthp=$thp/hugepages-${block_kb}kB
echo always >$mthp/enabled || exit 1
grep -q " /sys/kernel/debug " /proc/mounts ||
	mount -t debugfs none /sys/kernel/debug
before=$(cat $mthp/stats/anon_fault_alloc)
failed=0

step() {
	name=$1
	shift
	"$@" >/tmp/$name.out 2>&1
	status=$?
	grep -h '^{"record":' /tmp/$name.out
	record step name="$name" status=$status \
		summary="$(grep -h '^# Totals' /tmp/$name.out | tail -1)"
	[ $status -eq 0 ] || { tail -20 /tmp/$name.out >&2; failed=1; }
}

case $what in
selftests | all)
	# hugetlb pages of each size but the largest (1G with 4K pages, half
	# this guest), so that cow and gup_longterm run their hugetlb cases
	# instead of skipping them; what still skips needs swap, which this
	# guest has none of
	hugetlb-pool.sh
	step cow cow
	step gup_longterm gup_longterm
	;;
esac
case $what in
stress | all)
	step mthp-stress mthp-stress "$@"
	;;
esac
record fact mthp_kb=$block_kb \
	mthp_faults=$(($(cat $mthp/stats/anon_fault_alloc) - before))
exit $failed
