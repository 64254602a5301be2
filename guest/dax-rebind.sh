#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unbind /dev/dax0.0 and bind it again, measured: namespace bring-up
# without a reboot.  With COMPOUND (0 or 1, the project's
# compound-devmap patch), device_dax.compound is set in between.  Prints
# two records (record.sh),
#
#   {"record":"unbind","compound":C,"memmap_pages":N}
#   {"record":"bind","compound":C,"bind_us":T,"memmap_pages":N,"free_kb":K}
#
# what the unbind gave back (nr_memmap_pages in /proc/vmstat), then the
# bind's time, the memmap it took and the drop in free memory (struct
# pages and the page tables that map them).  C is 1 on kernels without
# the switch, which always use compound pages.
# Usage: dax-rebind.sh [COMPOUND]

. record.sh
param=/sys/module/device_dax/parameters/compound
drv=/sys/bus/dax/drivers/device_dax
[ -e $drv/dax0.0 ] || { echo "dax-rebind: dax0.0 is not bound" >&2; exit 1; }
if [ -n "$1" ] && [ ! -w $param ]; then
	echo "dax-rebind: no $param (unpatched kernel?)" >&2
	exit 1
fi

memmap_pages() { sed -n 's/^nr_memmap_pages //p' /proc/vmstat; }
# free pages including the per-cpu lists, which MemFree leaves out: the
# pages an unbind frees wait there for the next bind to take them back
free_kb() {
	awk -v kb=$(($(getconf PAGESIZE) / 1024)) \
		'$1 == "pages" && $2 == "free" || $1 == "count:" { n += $NF }
		 END { print n * kb }' /proc/zoneinfo
}
compound() { if [ -r $param ]; then sed 's/Y/1/; s/N/0/' $param; else echo 1; fi; }

was=$(compound)
pages=$(memmap_pages)
echo dax0.0 > $drv/unbind || exit 1
record unbind compound="$was" memmap_pages=$((pages - $(memmap_pages)))
[ -n "$1" ] && echo "$1" > $param
pages=$(memmap_pages)
free=$(free_kb)
us=$(timed-write $drv/bind dax0.0) || exit 1
record bind compound="$(compound)" bind_us="$us" \
	memmap_pages=$(($(memmap_pages) - pages)) free_kb=$((free - $(free_kb)))
