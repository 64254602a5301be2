#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The gup_test of "mm, sparse-vmemmap: Introduce compound devmaps for
# device-dax" (v4) on /dev/dax0.0, once per MODE (gup_test's -u, -a,
# -L...): a shared mapping of SIZE_MB, 512 pages per call, 10 repeats,
# writable.  Each mode's output goes between daxgup_begin=MODE[/TAG] and
# daxgup_end=MODE[/TAG] lines, a failure as daxgup_status=STATUS.
# Usage: dax-gup-modes.sh SIZE_MB TAG MODE...

size=$1
tag=$2
shift 2
for mode in "$@"; do
	label=$mode${tag:+/$tag}
	echo "daxgup_begin=$label"
	gup_test -f /dev/dax0.0 -m "$size" -r 10 -S -"$mode" -n 512 -w ||
		echo "daxgup_status=$?"
	echo "daxgup_end=$label"
done
