#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate the info blocks the Linux 6.12 guest kernel itself writes,
# which tests/unit/test-nvdimm-dax-info.c compares nvdimm-dax's blocks
# with, byte for byte.  For each case: a raw 1 GiB namespace
# (--nvdimm-format never), reconfigured by the guest kernel through sysfs
# with a fixed uuid; the block is then cut out of the backing file.
# Usage: tests/unit/data/regenerate.sh   (from the repository top)
set -eu
uuid=c0ffee00-1234-4abc-8def-0123456789ab
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for case in 4096:dev:devdax 4096:ram:devdax 2097152:dev:devdax \
	    2097152:ram:devdax 2097152:dev:fsdax; do
	IFS=: read -r align memmap mode <<-END
	$case
	END
	kmap=$memmap; [ "$memmap" = dev ] && kmap=pmem
	rm -f "$tmp/pmem.img"
	./contdax exec --nvdimm 1G --nvdimm-format never \
		--nvdimm-file "$tmp/pmem.img" -- \
		nd-reconfig.sh "$uuid" "$align" "$kmap" "$mode" >/dev/null
	dd if="$tmp/pmem.img" of="$dir/linux-6.12-$mode-$align-$memmap.bin" \
		bs=4096 skip=1 count=1 status=none
	echo "$dir/linux-6.12-$mode-$align-$memmap.bin"
done
