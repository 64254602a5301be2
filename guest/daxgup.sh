#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The device-dax benchmarks of "mm, sparse-vmemmap: Introduce compound
# devmaps for device-dax" (v4) on /dev/dax0.0: namespace bring-up,
# as time from boot (dax-facts.sh) and as BINDS rebinds measured by
# dax-rebind.sh; then gup_test (dax-gup-modes.sh) over SIZE_MB with
# get_user_pages_fast (-u), pin_user_pages_fast (-a) and a longterm pin
# (-L).  Facts first, then the rebinds, then the modes.
# Usage: daxgup.sh [SIZE_MB] [BINDS]

size=${1:-256}
binds=${2:-0}
dax-facts.sh || exit 1
while [ "$binds" -gt 0 ]; do
	dax-rebind.sh || exit 1
	binds=$((binds - 1))
done
dax-gup-modes.sh "$size" "" u a L
