#!/usr/bin/env bash
# Second command of the README (and what CI runs): install what is missing, then build and run
# the whole suite twice: a normal build, and an ASan+UBSan build that runs every test again; then
# a third, clang build of the libFuzzer harnesses (ASan+UBSan) that fuzzes each for FUZZ_SECONDS
# (default 60) and fails on any finding (fuzz/README.md). In all three, warnings are errors
# (NP_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
status=0
for variant in build:OFF build-asan:ON; do
	dir=${variant%%:*}
	san=${variant##*:}
	echo "== $dir (sanitizers $san)"
	cmake -S . -B "$dir" -DNP_SANITIZE="$san" -DNP_WERROR=ON >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir "$dir" --output-on-failure -j"$jobs" || status=1
done
echo "== build-fuzz (clang, libFuzzer + ASan+UBSan, ${FUZZ_SECONDS:-60} s per harness)"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DNP_FUZZ=ON -DNP_TESTS=OFF -DNP_WERROR=ON \
	>/dev/null
cmake --build build-fuzz -j"$jobs" >/dev/null
ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz || status=1
exit $status
