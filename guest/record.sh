#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest side of contdax's result protocol, sourced by the workload
# scripts (". record.sh"): each result is one JSON object on a line of
# its own, {"record":"KIND",...}, and the host reads those lines and
# ignores everything else the guest prints.

# record KIND [NAME=VALUE]...: a VALUE that is an integer is written as a
# number, anything else as a string (control characters dropped)
record() {
	line="{\"record\":\"$1\""
	shift
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		case $v in
		'' | - | *[!0-9-]* | ?*-* | 0?* | -0*)
			v="\"$(printf '%s' "$v" | tr -d '\000-\037' |
				sed 's/[\\"]/\\&/g')\""
			;;
		esac
		line="$line,\"$k\":$v"
	done
	printf '%s\n' "$line}"
}

# gup_run SET GUP_TEST_ARGS...: gup_test once, as one "gup" record per
# timing it reports and a "gup_run" record with its exit status
gup_run() {
	set_=$1
	shift
	gup_test "$@" >/tmp/gup_test.out 2>&1
	status=$?
	sed -n 's/.*_BENCHMARK: Time: get:\([0-9]*\) put:\([0-9]*\) us.*/\1 \2/p' \
		/tmp/gup_test.out | while read -r get put; do
		record gup set="$set_" get_us="$get" put_us="$put"
	done
	record gup_run set="$set_" status=$status
}
