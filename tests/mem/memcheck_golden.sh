#!/usr/bin/env bash
# valgrind memcheck over the golden suite: every entry of tests/golden/MANIFEST (so every output
# mode it uses) runs under memcheck with a full leak check. An entry fails on any memcheck error
# (invalid read/write, use of uninitialised values, bad free) or any leak (definite, indirect,
# possible or still reachable), through --error-exitcode, and if its output differs from the
# golden file (so the run under valgrind is the same run as the golden test's).
# By default an entry runs only if its capture or its arguments are new to the run (in MANIFEST
# order): every capture and every option set the goldens use passes memcheck once, in about half
# the entries (the ASan+UBSan build runs all of them anyway); MEMCHECK_ALL=1 runs every entry.
# Usage: memcheck_golden.sh NETPROBE
set -u
np=${1:?usage: memcheck_golden.sh NETPROBE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
golden=$top/tests/golden
if ! command -v valgrind >/dev/null; then
	echo "memcheck_golden: valgrind is needed: apt-get install valgrind" >&2
	exit 2
fi
export TZ=UTC NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 same=0
declare -A seen_cap=() seen_args=()
while read -r name capture args; do
	case "$name" in '' | '#'*) continue ;; esac
	if [ "${MEMCHECK_ALL:-0}" != 1 ] && [ -n "${seen_cap[$capture]:-}" ] &&
		[ -n "${seen_args[x$args]:-}" ]; then
		same=$((same + 1))
		continue
	fi
	seen_cap[$capture]=1 seen_args[x$args]=1
	# shellcheck disable=SC2086 # ARGUMENTS are words, as on a command line
	# NETPROBE_NO_SANDBOX=1: valgrind cannot run a seccomp filter (it has no seccomp(2)
	# wrapper, and the filter would bind valgrind itself); its warning line is left out.
	# --vgdb=no: run as root, netprobe drops to nobody, who could not remove valgrind's
	# gdbserver FIFOs in /tmp afterwards.
	actual=$(cd "$top" && { NETPROBE_NO_SANDBOX=1 valgrind --tool=memcheck -q --error-exitcode=99 --vgdb=no \
		--leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--suppressions="$here/valgrind.supp" \
		--log-file="$tmp/vg.$name" "$np" watch -r "pcaps/$capture" $args 2>&1; echo "exit $?"; } |
		grep -v '^netprobe: warning: NETPROBE_NO_SANDBOX=1: ')
	if [ -s "$tmp/vg.$name" ] || grep -q '^exit 99$' <<<"$actual"; then
		fail=$((fail + 1))
		echo "FAIL $name: memcheck on netprobe watch -r pcaps/$capture $args"
		head -40 "$tmp/vg.$name"
	elif ! diff -u "$golden/expected/$name.out" <(printf '%s\n' "$actual") >"$tmp/diff"; then
		fail=$((fail + 1))
		echo "FAIL $name: output under valgrind differs from the golden file"
		head -20 "$tmp/diff"
	else
		pass=$((pass + 1))
	fi
done <"$golden/MANIFEST"
echo "memcheck: $pass passed, $fail failed, $same left out (capture and arguments each met before)"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
