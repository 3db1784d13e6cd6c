#!/usr/bin/env bash
# Seeds, then replay or fuzz one harness. Seeds are made here, at test time, from pcaps/ and the
# shared corpus (fuzz/mkseeds.c), never committed.
#   run.sh replay BIN KIND MKSEEDS SRC CORPUS   every regression input and every seed through
#                                               BIN (a *_replay build, gcc or ASan): must not crash
#   run.sh fuzz BIN KIND MKSEEDS SRC CORPUS     libFuzzer for FUZZ_SECONDS (default 60) from the
#                                               seeds and the regressions: fails on any finding
# KIND is frame or pcapfile. Environment for fuzz: FUZZ_SECONDS; FUZZ_CORPUS, a directory that
# keeps the inputs libFuzzer finds (default: a temporary one); FUZZ_ARTIFACTS, where crashing
# inputs go (default: ./fuzz-artifacts); FUZZ_ARGS, more libFuzzer flags.
set -u
mode=${1:?usage: run.sh replay|fuzz BIN KIND MKSEEDS SRC CORPUS}
bin=${2:?} kind=${3:?} mkseeds=${4:?} src=${5:?} corpus=${6:?}
case $kind in frame|pcapfile) ;; *) echo "run.sh: KIND is frame or pcapfile, not '$kind'" >&2; exit 2 ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/frame" "$tmp/pcapfile"
shopt -s nullglob
caps=("$src"/pcaps/*.pcap "$src"/pcaps/*.pcapng "$corpus"/*.pcap "$corpus"/*.pcapng)
if [ ${#caps[@]} -lt 10 ]; then
	echo "run.sh: too few captures for seeds (${#caps[@]}); is $corpus there?" >&2
	exit 1
fi
"$mkseeds" "$tmp/frame" "$tmp/pcapfile" "${caps[@]}" || exit 1
# Compressed files (src/capture/zread.c): pcaps/ gzip'd and zstd'd, whole and cut in half.
for c in "$src"/pcaps/*.pcap; do
	b=$(basename "$c" .pcap)
	if command -v gzip >/dev/null; then
		gzip -c "$c" >"$tmp/pcapfile/gz-$b"
		head -c $(($(stat -c %s "$tmp/pcapfile/gz-$b") / 2)) "$tmp/pcapfile/gz-$b" >"$tmp/pcapfile/gzcut-$b"
	fi
	if command -v zstd >/dev/null; then
		zstd -q -c "$c" >"$tmp/pcapfile/zst-$b"
		head -c $(($(stat -c %s "$tmp/pcapfile/zst-$b") / 2)) "$tmp/pcapfile/zst-$b" >"$tmp/pcapfile/zstcut-$b"
	fi
done
seeds=$tmp/$kind
regress=$src/tests/fuzz/regressions/$kind
echo "$kind: $(ls "$seeds" | wc -l) seeds, $(ls "$regress" | wc -l) regression inputs"

case $mode in
replay)
	"$bin" "$regress" "$seeds"
	;;
fuzz)
	secs=${FUZZ_SECONDS:-60}
	out=${FUZZ_CORPUS:-$tmp/new}
	art=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
	mkdir -p "$out" "$art"
	# -timeout: one input taking 10 s is a finding (a hang); -rss_limit_mb: so is 2 GB.
	# shellcheck disable=SC2086 # FUZZ_ARGS are words
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-dict="$src/fuzz/$kind.dict" -artifact_prefix="$art/$kind-" ${FUZZ_ARGS:-} \
		"$out" "$regress" "$seeds"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "run.sh: fuzz_$kind found a problem (exit $rc); inputs in $art:" >&2
		ls -l "$art" >&2
	fi
	exit $rc
	;;
*)
	echo "run.sh: mode is replay or fuzz, not '$mode'" >&2
	exit 2
	;;
esac
