#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run_vmtests.sh [-a] [-d] [-t CATEGORY]...: the kernel's mm selftest
# runner, in the directory it was installed to (it runs ./PROGRAM).
cd /usr/lib/kselftest/mm || exit 1
exec bash ./run_vmtests.sh "$@"
