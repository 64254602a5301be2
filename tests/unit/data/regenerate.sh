#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate the info blocks the Linux 6.12 guest kernel itself writes,
# which tests/unit/test-nvdimm-dax-info.c compares nvdimm-dax's blocks
# with, byte for byte.  For each case: a raw 1 GiB namespace
# (--nvdimm-format never), reconfigured with Debian's ndctl, which has the
# guest kernel write the block (with a uuid ndctl picks); the block is
# then cut out of the backing file.
# Usage: tests/unit/data/regenerate.sh   (from the repository top)
set -eu
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for case in 4096:dev:devdax 4096:ram:devdax 2097152:dev:devdax \
	    2097152:ram:devdax 2097152:dev:fsdax; do
	IFS=: read -r align memmap mode <<-END
	$case
	END
	map=$memmap; [ "$memmap" = ram ] && map=mem
	rm -f "$tmp/pmem.img"
	./contdax exec --nvdimm 1G --nvdimm-format never \
		--nvdimm-file "$tmp/pmem.img" -- \
		ndctl create-namespace --reconfig namespace0.0 --force \
		--mode "$mode" --map "$map" --align "$align" >/dev/null
	dd if="$tmp/pmem.img" of="$dir/linux-6.12-$mode-$align-$memmap.bin" \
		bs=4096 skip=1 count=1 status=none
	echo "$dir/linux-6.12-$mode-$align-$memmap.bin"
done
