#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Seed 003's device-dax gup benchmark on /dev/dax0.0: gup_test over a
# shared mapping of SIZE_MB, 512 pages per call, 10 repeats, with
# get_user_pages_fast (-u), pin_user_pages_fast (-a) and a longterm pin
# (-L).  Facts first as key=value, then each mode between
# daxgup_begin=/daxgup_end= lines.
# Usage: daxgup.sh [SIZE_MB]

size=${1:-256}
dev=/sys/bus/dax/devices/dax0.0
[ -c /dev/dax0.0 ] || { echo "daxgup: no /dev/dax0.0" >&2; exit 1; }
echo "dax_align=$(cat $dev/align)"
echo "dax_size=$(cat $dev/size)"
for mode in u a L; do
	echo "daxgup_begin=$mode"
	gup_test -f /dev/dax0.0 -m "$size" -r 10 -S -$mode -n 512 -w ||
		echo "daxgup_status=$?"
	echo "daxgup_end=$mode"
done
