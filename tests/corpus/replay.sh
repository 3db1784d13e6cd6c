#!/usr/bin/env bash
# Replay every capture given (files or directories) in every output format. Each run must
# end with status 0 and a quiet stderr, or be a clean refusal of an unsupported link type
# (status 2, one line); every frame must get its line (text), its tree (-v) and its object
# (--json, also with --payload hex, base64 and text); -A -X and `stats` (text and --json) must
# run clean too. Run with the
# sanitizer build, any ASan/UBSan report fails the run.
# Usage: replay.sh NETPROBE FILE|DIR...
set -u
np=${1:?usage: replay.sh NETPROBE FILE|DIR...}
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC NO_COLOR=1
pass=0 fail=0 refused=0 frames_total=0

check_file() {
	local f=$1 rc frames lines
	"$np" watch -r "$f" --json >"$tmp/json" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "is not supported" "$tmp/err"; then
		refused=$((refused + 1))
		return 0
	fi
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
		echo "FAIL $f --json: exit $rc"; head -5 "$tmp/err"; return 1
	fi
	frames=$(sed -n 's/.*"type":"summary".*"frames":\([0-9]*\).*/\1/p' "$tmp/json")
	if [ -z "$frames" ] || [ "$(grep -c '"type":"packet"' "$tmp/json")" -ne "$frames" ]; then
		echo "FAIL $f --json: packet objects do not match the $frames frames read"; return 1
	fi
	frames_total=$((frames_total + frames))
	"$np" watch -r "$f" --no-summary >"$tmp/text" 2>"$tmp/err"
	rc=$?
	# Packet lines, not the tracker's event lines (marked with ⇒).
	lines=$(grep -vc ' ⇒ ' "$tmp/text")
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ] || [ "$lines" -ne "$frames" ]; then
		echo "FAIL $f: exit $rc, $lines lines for $frames frames"; head -5 "$tmp/err"; return 1
	fi
	"$np" watch -r "$f" --no-summary -v -x >"$tmp/tree" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ] || [ "$(grep -c '^Frame [0-9]*:' "$tmp/tree")" -ne "$frames" ]; then
		echo "FAIL $f -v -x: exit $rc"; head -5 "$tmp/err"; return 1
	fi
	# The payload views: -A and -X (every payload whole), --json --payload in each encoding.
	"$np" watch -r "$f" --no-summary -A -X --payload-max all >"$tmp/payload" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
		echo "FAIL $f -A -X: exit $rc"; head -5 "$tmp/err"; return 1
	fi
	for enc in hex base64 text; do
		"$np" watch -r "$f" --json --payload $enc >"$tmp/json" 2>"$tmp/err"
		rc=$?
		if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ] ||
			[ "$(grep -c '"type":"packet"' "$tmp/json")" -ne "$frames" ]; then
			echo "FAIL $f --json --payload $enc: exit $rc"; head -5 "$tmp/err"; return 1
		fi
	done
	# netprobe stats: the tables in text (sorted, cut) and JSON, whose summary counts every frame.
	"$np" stats -r "$f" --sort bytes --top 20 --interval 0.1 >"$tmp/stats" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
		echo "FAIL $f stats: exit $rc"; head -5 "$tmp/err"; return 1
	fi
	"$np" stats -r "$f" --json >"$tmp/stats" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ] ||
		[ "$(sed -n 's/^{"type":"stats_summary".*"frames":\([0-9]*\).*/\1/p' "$tmp/stats")" != "$frames" ]; then
		echo "FAIL $f stats --json: exit $rc, its summary does not count the $frames frames"
		head -5 "$tmp/err"; return 1
	fi
	return 0
}

for arg in "$@"; do
	if [ -d "$arg" ]; then
		set -- "$arg"/*.pcap "$arg"/*.pcapng "$arg"/*.cap
	else
		set -- "$arg"
	fi
	for f in "$@"; do
		[ -f "$f" ] || continue
		if check_file "$f"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
done
echo "corpus replay: $frames_total frames in $((pass - refused)) captures decoded, $refused refused (unsupported link type)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
