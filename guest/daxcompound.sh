#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Seed 003 before and after, in one boot: /dev/dax0.0 is rebound with
# device_dax.compound=0 (order-0 struct pages, the series' "before") and
# =1 (compound pages), alternating, ROUNDS times.  Needs the project's
# compound-devmap patch.  For every bind, one line:
#
#   bind compound=C bind_us=T memmap_pages=N free_kb=K
#
# with the bind time, the pages the memmap took (nr_memmap_pages in
# /proc/vmstat) and the drop in free memory (struct pages and the page
# tables that map them); then gup_test -u and -a as
# daxgup.sh runs them, between daxgup_begin=MODE/C and daxgup_end= lines.
# Before each bind, "unbind compound=C memmap_pages=N" says what the
# hot-remove of the previous bind gave back.  The last line counts kernel warnings.
# Usage: daxcompound.sh [SIZE_MB] [ROUNDS]

size=${1:-256}
rounds=${2:-5}
param=/sys/module/device_dax/parameters/compound
drv=/sys/bus/dax/drivers/device_dax
[ -w $param ] || { echo "daxcompound: no $param (unpatched kernel?)" >&2; exit 1; }
[ -e $drv/dax0.0 ] || { echo "daxcompound: dax0.0 is not bound" >&2; exit 1; }

memmap_pages() { sed -n 's/^nr_memmap_pages //p' /proc/vmstat; }
# free pages including the per-cpu lists, which MemFree leaves out: the
# pages an unbind frees wait there for the next bind to take them back
free_kb() {
	awk -v kb=$(($(getconf PAGESIZE) / 1024)) \
		'$1 == "pages" && $2 == "free" || $1 == "count:" { n += $NF }
		 END { print n * kb }' /proc/zoneinfo
}

echo "page_size=$(getconf PAGESIZE)"
echo "dax_align=$(cat /sys/bus/dax/devices/dax0.0/align)"
echo "dax_size=$(cat /sys/bus/dax/devices/dax0.0/size)"
# struct pages cover the whole namespace, info block included
echo "ns_size=$(cat /sys/bus/nd/devices/namespace0.0/size)"
initial=$(cat $param)
round=1
while [ $round -le "$rounds" ]; do
	for c in 0 1; do
		was=$(sed 's/Y/1/; s/N/0/' $param)
		pages=$(memmap_pages)
		echo dax0.0 > $drv/unbind || exit 1
		echo "unbind compound=$was memmap_pages=$((pages - $(memmap_pages)))"
		echo $c > $param
		pages=$(memmap_pages)
		free=$(free_kb)
		us=$(timed-write $drv/bind dax0.0) || exit 1
		echo "bind compound=$c bind_us=$us" \
			"memmap_pages=$(($(memmap_pages) - pages))" \
			"free_kb=$((free - $(free_kb)))"
		for mode in u a; do
			echo "daxgup_begin=$mode/$c"
			gup_test -f /dev/dax0.0 -m "$size" -r 10 -S -$mode -n 512 -w ||
				echo "daxgup_status=$?"
			echo "daxgup_end=$mode/$c"
		done
	done
	round=$((round + 1))
done
echo "$initial" > $param
echo "kernel_warnings=$(dmesg | grep -c -e 'WARNING:' -e 'BUG:' -e 'Bad page')"
