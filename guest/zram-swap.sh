#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# zram-swap.sh [SIZE]: swap on /dev/zram0, a compressed RAM disk of SIZE
# (default 1G).  The guest has no disk, and without swap MADV_PAGEOUT
# leaves anonymous memory where it is: the mm selftests then skip their
# swap-out cases.
set -e
echo "${1:-1G}" >/sys/block/zram0/disksize
mkswap /dev/zram0 >/dev/null
swapon /dev/zram0
