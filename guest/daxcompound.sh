#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The before and after of "mm, sparse-vmemmap: Introduce compound devmaps
# for device-dax" (v4), in one boot: /dev/dax0.0 is rebound
# (dax-rebind.sh) with device_dax.compound=0 (order-0 struct pages, the
# series' "before") and =1 (compound pages), alternating, ROUNDS times.
# The switch is the project's compound-devmap patch (6.12 only): a kernel
# without it, such as 7.x where a PMD leaf must be a PMD-order folio, is
# rebound with compound pages only, and says so (fact compound_switch=0).
# Facts first (dax-facts.sh); after each bind, gup_test -u and -a as
# daxgup.sh runs them, tagged /C (dax-gup-modes.sh).  The last record
# counts kernel warnings.
# Usage: daxcompound.sh [SIZE_MB] [ROUNDS]

. record.sh
size=${1:-256}
rounds=${2:-5}
param=/sys/module/device_dax/parameters/compound

dax-facts.sh || exit 1
if [ -w $param ]; then
	initial=$(cat $param)
	settings="0 1"
	record fact compound_switch=1
else
	settings="1"
	record fact compound_switch=0
fi
round=1
while [ $round -le "$rounds" ]; do
	for c in $settings; do
		if [ "$settings" = 1 ]; then
			dax-rebind.sh || exit 1
		else
			dax-rebind.sh $c || exit 1
		fi
		dax-gup-modes.sh "$size" $c u a
	done
	round=$((round + 1))
done
[ -n "$initial" ] && echo "$initial" > $param
record fact kernel_warnings="$(dmesg | grep -c -e 'WARNING:' -e 'BUG:' \
	-e 'Bad page')"
