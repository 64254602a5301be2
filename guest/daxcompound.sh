#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Seed 003 before and after, in one boot: /dev/dax0.0 is rebound
# (dax-rebind.sh) with device_dax.compound=0 (order-0 struct pages, the
# series' "before") and =1 (compound pages), alternating, ROUNDS times.
# Needs the project's compound-devmap patch.  After each bind, gup_test -u
# and -a as daxgup.sh runs them, between daxgup_begin=MODE/C and
# daxgup_end= lines.  The last line counts kernel warnings.
# Usage: daxcompound.sh [SIZE_MB] [ROUNDS]

size=${1:-256}
rounds=${2:-5}
param=/sys/module/device_dax/parameters/compound
[ -w $param ] || { echo "daxcompound: no $param (unpatched kernel?)" >&2; exit 1; }

echo "page_size=$(getconf PAGESIZE)"
echo "dax_align=$(cat /sys/bus/dax/devices/dax0.0/align)"
echo "dax_size=$(cat /sys/bus/dax/devices/dax0.0/size)"
# struct pages cover the whole namespace, info block included
echo "ns_size=$(cat /sys/bus/nd/devices/namespace0.0/size)"
initial=$(cat $param)
round=1
while [ $round -le "$rounds" ]; do
	for c in 0 1; do
		dax-rebind.sh $c || exit 1
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
