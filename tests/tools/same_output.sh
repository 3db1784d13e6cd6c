#!/usr/bin/env bash
# same_output.sh - byte-for-byte comparison of two netprobe binaries: stdout, stderr and exit
# status of `watch -r` over every capture we have, in every output mode, under several TZ values.
# Used to prove that a speed-up changed nothing a user can see.
#
#   tests/tools/same_output.sh REF_BINARY NEW_BINARY [CAPTURE_DIR...]
#
# Default capture directories: pcaps/, ../shared/corpus/, tests/fuzz/regressions/ (and
# $NP_SAME_EXTRA, space-separated, e.g. small generated bench captures). The reference outputs
# are cached in $NP_SAME_CACHE (default /tmp/np-same-ref-<hash of REF_BINARY>-<hash of the
# capture list>) so that a rerun only runs the new binary. NP_SAME_ALLOW=REGEX: captures whose
# output is meant to change (a new decoder) are counted and listed apart, not failed. Exit status
# 0 when everything matches, 1 otherwise.
set -u
ref=$(readlink -f "$1") new=$(readlink -f "$2")
shift 2
here=$(cd "$(dirname "$0")/../.." && pwd)
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=("$here/pcaps" "$here/../shared/corpus" "$here/tests/fuzz/regressions")
for d in ${NP_SAME_EXTRA:-}; do dirs+=("$d"); done
jobs=${NP_SAME_JOBS:-2}

mapfile -t caps < <(find "${dirs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \
	-o -path '*/regressions/pcapfile/*' \) 2>/dev/null | sort)
# Output modes (-n is accepted and is a no-op: checked both ways on the common modes).
modes=("" "-n" "-v" "-n -v" "-x" "-v -x" "--json" "--events" "--ladder" "-S" "-S -v"
	"-t a" "-t ad" "-t u" "-t ud" "-t e" "-t d" "-t d -v" "-t ad --events" "--color always"
	"--no-summary" "-q" "-q -t d" "--states" "--events --states" "--ladder --width 72"
	"-w -" "--port 80" "--max-conv 16 --events" "--idle-timeout 1 --ladder")
tzs=(UTC America/New_York Asia/Kolkata -)

refsum=$(sha256sum "$ref" | cut -c1-16)
# Keyed by the capture list too: the cached files are numbered by position in that list, so a
# run over other directories must not read another list's reference outputs.
capsum=$(printf '%s\n' "${caps[@]}" | sha256sum | cut -c1-8)
cache=${NP_SAME_CACHE:-/tmp/np-same-ref-$refsum-$capsum}
out=$(mktemp -d /tmp/np-same-new.XXXXXX)
trap 'rm -rf "$out"' EXIT

# One job per (binary, TZ, mode): runs every capture and writes stdout, stderr, status into
# one file per capture.
run_one() { # bin dest tz modeidx mode
	local bin=$1 dest=$2 tz=$3 mi=$4 mode=$5 i=0
	for c in "${caps[@]}"; do
		local f="$dest/${tz//\//_}.$mi.$i"
		# (netprobe never prints its argv[0]: the two paths cannot make a difference)
		if [ "$tz" = - ]; then
			env -u TZ "$bin" watch -r "$c" $mode >"$f.out" 2>"$f.err" </dev/null
		else
			TZ=$tz "$bin" watch -r "$c" $mode >"$f.out" 2>"$f.err" </dev/null
		fi
		echo $? >"$f.rc"
		i=$((i + 1))
	done
}
export -f run_one
export LC_ALL=C

make_all() { # bin dest
	local bin=$1 dest=$2
	mkdir -p "$dest"
	for tz in "${tzs[@]}"; do
		for mi in "${!modes[@]}"; do
			printf '%s\0%s\0%s\0%s\0%s\0' "$bin" "$dest" "$tz" "$mi" "${modes[$mi]}"
		done
	done | CAPS="$(printf '%s\n' "${caps[@]}")" xargs -0 -n5 -P"$jobs" bash -c \
		'mapfile -t caps <<<"$CAPS"; run_one "$@"' _
}

if [ ! -f "$cache/.complete" ] || [ "$(cat "$cache/.complete")" != "${#caps[@]} ${#modes[@]} ${#tzs[@]}" ]; then
	rm -rf "$cache"
	make_all "$ref" "$cache"
	echo "${#caps[@]} ${#modes[@]} ${#tzs[@]}" >"$cache/.complete"
fi
make_all "$new" "$out"

fail=0 shown=0
declare -A allowed=()
while read -r line; do
	f=${line##*/}
	f=${f%.*}
	tz=${f%%.*} rest=${f#*.}
	mi=${rest%%.*} ci=${rest#*.}
	cap=${caps[$ci]}
	# NP_SAME_ALLOW: a regex of captures whose output is meant to change (a new decoder):
	# counted per capture, not a failure.
	if [ -n "${NP_SAME_ALLOW:-}" ] && [[ $cap =~ $NP_SAME_ALLOW ]]; then
		allowed[$cap]=$(( ${allowed[$cap]:-0} + 1 ))
		continue
	fi
	fail=1
	shown=$((shown + 1))
	[ $shown -le 50 ] && echo "DIFF: TZ=$tz mode='${modes[$mi]}' capture=$cap (${line})"
done < <(diff -rq -x .complete "$cache" "$out" | sed -n 's/^Files .* and \(.*\) differ$/\1/p; s/^Only in \(.*\): \(.*\)$/\1\/\2/p' | sort -u)
for cap in "${!allowed[@]}"; do
	echo "allowed: $cap differs in ${allowed[$cap]} output files (NP_SAME_ALLOW)"
done
n=$(( ${#caps[@]} * ${#modes[@]} * ${#tzs[@]} ))
if [ $fail = 0 ]; then
	echo "same_output: $n runs (${#caps[@]} captures x ${#modes[@]} modes x ${#tzs[@]} TZ) identical${NP_SAME_ALLOW:+ but for the allowed captures}"
else
	echo "same_output: DIFFERENCES in $shown output files (first 50 shown)"
fi
exit $fail
