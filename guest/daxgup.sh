#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Seed 003's device-dax benchmarks on /dev/dax0.0: namespace bring-up,
# BINDS rebinds measured by dax-rebind.sh; then gup_test over a shared
# mapping of SIZE_MB, 512 pages per call, 10 repeats, with
# get_user_pages_fast (-u), pin_user_pages_fast (-a) and a longterm pin
# (-L).  Facts first as key=value, then the rebinds, then each mode
# between daxgup_begin=/daxgup_end= lines.
# Usage: daxgup.sh [SIZE_MB] [BINDS]

size=${1:-256}
binds=${2:-0}
dev=/sys/bus/dax/devices/dax0.0
[ -c /dev/dax0.0 ] || { echo "daxgup: no /dev/dax0.0" >&2; exit 1; }
echo "page_size=$(getconf PAGESIZE)"
echo "dax_align=$(cat $dev/align)"
echo "dax_size=$(cat $dev/size)"
echo "ns_size=$(cat /sys/bus/nd/devices/namespace0.0/size)"
while [ "$binds" -gt 0 ]; do
	dax-rebind.sh || exit 1
	binds=$((binds - 1))
done
for mode in u a L; do
	echo "daxgup_begin=$mode"
	gup_test -f /dev/dax0.0 -m "$size" -r 10 -S -$mode -n 512 -w ||
		echo "daxgup_status=$?"
	echo "daxgup_end=$mode"
done
