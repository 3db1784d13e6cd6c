#!/usr/bin/env bash
# build.types: the documented build types (Debug, Release, RelWithDebInfo, MinSizeRel) with gcc
# and with clang, warnings as errors (NP_WERROR=ON): each combination is configured in a
# temporary directory and builds netprobe and the unit tests (where compiler-specific pragmas and
# -Wformat-truncation bit: gcc warns by optimisation level, clang rejects gcc-only warning
# groups), -j2. Any warning fails it, and the output names the combination and the warning.
# Combinations the suite builds anyway are left out unless TYPES_ALL=1: gcc RelWithDebInfo is the
# normal and the ASan build; clang's warnings come from its front end, the same at every
# optimisation level, so one clang type (Release) stands for the four, beside the clang fuzz build.
# Usage: types.sh SOURCE_DIR     (a missing compiler skips with 77, unless CI=true)
set -u
src=${1:?usage: types.sh SOURCE_DIR}
for cc in gcc clang; do
	if ! command -v "$cc" >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then echo "FAIL build.types: $cc is not installed (CI=true)"; exit 1; fi
		echo "SKIP build.types: $cc is not installed"
		exit 77
	fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
targets=(netprobe)
while read -r t; do targets+=("$t"); done < <(sed -n 's/^np_unit_test(\([a-z0-9_]*\) .*/\1/p' \
	"$src/tests/unit/CMakeLists.txt")
fail=0
combos=(gcc:Debug gcc:Release gcc:MinSizeRel clang:Release)
[ "${TYPES_ALL:-0}" = 1 ] && combos=(gcc:Debug gcc:Release gcc:RelWithDebInfo gcc:MinSizeRel
	clang:Debug clang:Release clang:RelWithDebInfo clang:MinSizeRel)
for combo in "${combos[@]}"; do
		cc=${combo%%:*} type=${combo##*:}
		dir=$work/$cc-$type
		start=$(date +%s)
		if ! cmake -S "$src" -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE="$type" \
			-DNP_WERROR=ON >"$dir.log" 2>&1; then
			echo "FAIL build.types: $cc $type: cmake failed:"
			tail -20 "$dir.log"
			fail=1
			continue
		fi
		if timeout -k 5 300 cmake --build "$dir" -j2 --target "${targets[@]}" >"$dir.log" 2>&1; then
			echo "PASS build.types: $cc $type ($(($(date +%s) - start)) s, ${#targets[@]} targets)"
		else
			echo "FAIL build.types: $cc $type:"
			grep -E 'error|warning' "$dir.log" | sort -u | head -10
			fail=1
		fi
		rm -rf "$dir" # the next one needs the disk space more than this one
done
exit $fail
