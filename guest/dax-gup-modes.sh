#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The gup_test of "mm, sparse-vmemmap: Introduce compound devmaps for
# device-dax" (v4) on /dev/dax0.0, once per MODE (gup_test's -u, -a,
# -L...): a shared mapping of SIZE_MB, 512 pages per call, 10 repeats,
# writable.  Each mode's timings are records (record.sh) of the set
# MODE[/TAG].
# Usage: dax-gup-modes.sh SIZE_MB TAG MODE...

. record.sh
size=$1
tag=$2
shift 2
for mode in "$@"; do
	gup_run "$mode${tag:+/$tag}" -f /dev/dax0.0 -m "$size" -r 10 -S \
		-"$mode" -n 512 -w
done
