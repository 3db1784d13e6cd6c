#!/usr/bin/env bash
# Golden-output tests: replay each capture of tests/golden/MANIFEST and compare with the
# expected file. Usage: run.sh NETPROBE [--regen]
set -u
np=${1:?usage: run.sh NETPROBE [--regen]}
regen=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export TZ=UTC NO_COLOR=1
pass=0 fail=0
# MANIFEST: `netprobe watch -r CAPTURE ARGUMENTS`; FOLLOW: `netprobe follow -r CAPTURE
# ARGUMENTS`; STATS: `netprobe stats -r CAPTURE ARGUMENTS`.
while read -r cmd name capture args; do
	case "$name" in ''|'#'*) continue ;; esac
	expected="$here/expected/$name.out"
	# shellcheck disable=SC2086 # ARGUMENTS are words, as on a command line
	actual=$(cd "$top" && "$np" "$cmd" -r "pcaps/$capture" $args 2>&1; echo "exit $?")
	if [ "$regen" = --regen ]; then
		printf '%s\n' "$actual" >"$expected"
		continue
	fi
	if [ -f "$expected" ] && diff -u "$expected" <(printf '%s\n' "$actual") >/tmp/np-golden.$$; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: netprobe $cmd -r pcaps/$capture $args"
		head -40 /tmp/np-golden.$$ 2>/dev/null
	fi
done < <(sed "s/^/watch /" "$here/MANIFEST"; sed "s/^/follow /" "$here/FOLLOW"; sed "s/^/stats /" "$here/STATS")
rm -f /tmp/np-golden.$$
[ "$regen" = --regen ] && { echo "regenerated; review with: git diff tests/golden"; exit 0; }
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
