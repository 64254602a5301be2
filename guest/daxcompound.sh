#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Seed 003 before and after, in one boot: /dev/dax0.0 is rebound
# (dax-rebind.sh) with device_dax.compound=0 (order-0 struct pages, the
# series' "before") and =1 (compound pages), alternating, ROUNDS times.
# Needs the project's compound-devmap patch.  Facts first (dax-facts.sh);
# after each bind, gup_test -u and -a as daxgup.sh runs them, tagged /C
# (dax-gup-modes.sh).  The last line counts kernel warnings.
# Usage: daxcompound.sh [SIZE_MB] [ROUNDS]

size=${1:-256}
rounds=${2:-5}
param=/sys/module/device_dax/parameters/compound
[ -w $param ] || { echo "daxcompound: no $param (unpatched kernel?)" >&2; exit 1; }

dax-facts.sh || exit 1
initial=$(cat $param)
round=1
while [ $round -le "$rounds" ]; do
	for c in 0 1; do
		dax-rebind.sh $c || exit 1
		dax-gup-modes.sh "$size" $c u a
	done
	round=$((round + 1))
done
echo "$initial" > $param
echo "kernel_warnings=$(dmesg | grep -c -e 'WARNING:' -e 'BUG:' -e 'Bad page')"
