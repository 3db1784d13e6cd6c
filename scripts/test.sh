#!/usr/bin/env bash
# Second command of the README (and what CI runs): install what is missing, then build and run
# the whole suite twice: a normal build, and an ASan+UBSan build that runs every test again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
status=0
for variant in build:OFF build-asan:ON; do
	dir=${variant%%:*}
	san=${variant##*:}
	echo "== $dir (sanitizers $san)"
	cmake -S . -B "$dir" -DNP_SANITIZE="$san" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir "$dir" --output-on-failure -j"$jobs" || status=1
done
exit $status
