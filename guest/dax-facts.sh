#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Wait for /dev/dax0.0, then describe it as a fact record: ready_s, the
# guest's uptime in seconds when it appeared (namespace bring-up as time
# from boot), the page size, the device's align and size, and the size
# of its namespace, which its struct pages cover (info block included).
# The wait is needed: the nvdimm bus registers its devices in an async
# domain of its own, which the kernel does not wait for before it starts
# init, and device-dax creates the node only after the memmap is set up.
# Usage: dax-facts.sh [TIMEOUT_S]

. record.sh
timeout=${1:-120}
tries=$((timeout * 100))
while [ ! -c /dev/dax0.0 ]; do
	if [ $tries -le 0 ]; then
		echo "dax-facts: no /dev/dax0.0 after ${timeout}s" >&2
		exit 1
	fi
	tries=$((tries - 1))
	sleep 0.01
done
record fact ready_s="$(cut -d' ' -f1 /proc/uptime)" \
	page_size="$(getconf PAGESIZE)" \
	dax_align="$(cat /sys/bus/dax/devices/dax0.0/align)" \
	dax_size="$(cat /sys/bus/dax/devices/dax0.0/size)" \
	ns_size="$(cat /sys/bus/nd/devices/namespace0.0/size)"
