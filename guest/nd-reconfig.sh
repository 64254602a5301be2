#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Let the guest kernel itself turn the raw namespace0.0 of region0 into a
# device-dax (devdax) or pfn (fsdax) namespace, as ndctl create-namespace
# --reconfig would, through sysfs.  The kernel writes the info block; the
# host then compares it with the one nvdimm-dax writes.
# Usage: nd-reconfig.sh UUID ALIGN ram|pmem devdax|fsdax

set -e
uuid=$1 align=$2 map=$3 mode=$4
nd=/sys/bus/nd/devices
ns=namespace0.0

echo "$ns" > /sys/bus/nd/drivers/nd_pmem/unbind
if [ "$mode" = devdax ]; then
	seed=$(cat $nd/region0/dax_seed) driver=dax_pmem
else
	seed=$(cat $nd/region0/pfn_seed) driver=nd_pmem
fi
echo "$uuid" > $nd/$seed/uuid
echo "$align" > $nd/$seed/align
echo "$map" > $nd/$seed/mode
echo "$ns" > $nd/$seed/namespace
echo "$seed" > /sys/bus/nd/drivers/$driver/bind
echo "seed=$seed"
ls /dev | grep -E '^(dax|pmem)' || true
