#!/usr/bin/env bash
# Every option that 'netprobe [command] --help' prints must be in the man page, and the man
# page must render without a single groff warning.
# Usage: help_vs_man.sh NETPROBE MANPAGE
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 NETPROBE MANPAGE" >&2
	exit 2
fi
np=$1
man=$2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

if [ ! -r "$man" ]; then
	echo "FAIL: cannot read $man"
	echo "0 passed, 1 failed"
	exit 1
fi
# The source without comment lines, so that an option named only in a comment does not count.
src=$(grep -v '^\.[[:space:]]*\\"' "$man")

for cmd in "" watch follow stats ping trace; do
	label=${cmd:-netprobe}
	# shellcheck disable=SC2086
	help=$("$np" $cmd --help 2>&1)
	if [ -z "$help" ]; then
		ko "$label: 'netprobe $cmd --help' printed nothing"
		continue
	fi
	# Option tokens: -x or --long-name, starting a word (after blank, '[', '(', ',', '|' or quote).
	opts=$(printf '%s\n' "$help" |
		grep -oE "(^|[[:space:][(,|'\"])--?[A-Za-z0-9][A-Za-z0-9-]*" |
		sed -E "s/^[[:space:][(,|'\"]//; s/-+$//" | sort -u)
	if [ -z "$opts" ]; then
		ko "$label: no option found in its --help"
		continue
	fi
	for o in $opts; do
		# Each hyphen may be written \- (as it should) or -; the token must stand alone:
		# not part of a longer option (\-c in \-\-count, \-\-port in \-\-port\-range).
		re=$(printf '%s' "$o" | sed -E 's/-/(\\\\-|-)/g')
		# A here-string, not a pipe: grep -q leaves at the first match, and with pipefail a
		# writer still writing into the closed pipe (bash's printf writes in 4 KiB pieces)
		# would fail the test now and then.
		if grep -qE "(^|[^-A-Za-z0-9\\\\])${re}([^-A-Za-z0-9\\\\]|\\\\[^-]|\\\\\$|\$)" <<<"$src"; then
			ok
		else
			ko "$label: option $o is not in $man"
		fi
	done
done

if ! command -v groff >/dev/null 2>&1; then
	ko "groff is not installed"
else
	warn=$(groff -ww -man -z "$man" 2>&1)
	if [ -z "$warn" ]; then
		ok
	else
		ko "groff -ww -man -z $man:"
		printf '%s\n' "$warn" | sed 's/^/    /'
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
