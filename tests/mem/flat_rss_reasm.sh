#!/usr/bin/env bash
# Flat memory with the reassembler holding data. gen_streams streams (through a pipe, never to
# disk) 10,000,000 frames of TCP conversations with payload, 1,000 in progress at once, each
# 3,000 server segments of 40 bytes sent out of order (each block of 8 has its first segment
# last) and one conversation in four losing its second segment for ever, so that everything
# after it waits in the reassembler; into `netprobe follow -r - --format json` with small caps
# (--reasm-mem 16M --buffer-mem 16M), whose output is discarded. What the traffic asks for is far
# beyond the caps (a lossy conversation alone would hold 120 kB, the JSON view holds each
# conversation whole: 120 MB for the 1,000), so only the caps keep memory flat. While it runs,
# VmRSS of netprobe is sampled with the bytes it has read (/proc/PID/io rchar). Checks:
#   - netprobe exits 0 and says on stderr that the caps were reached (holes given up, parts);
#   - flat after warm-up: the peak RSS once 40% of the stream is read <= the peak between 10%
#     and 40% + 2 MB (a conversation lives 30% of the run, and the heap breathes with each
#     generation of them by a megabyte or two: the window holds one whole generation);
#   - below the documented bound: the program (RSS_BASE_KB, 16 MiB) + both caps + 1/4 of them
#     (what malloc keeps as free fragments between the blocks in use: up to 18% measured, 4 to
#     6 MB over 32 MiB, not growing) + the bookkeeping for the conversations in the tables
#     (1152 bytes per slot, NP_FOLLOW_SLOT_BYTES).
# Usage: flat_rss_reasm.sh NETPROBE GEN_STREAMS   (NP_MEM_FRAMES=N overrides the 10,000,000
# frames; NP_MEM_ARGS replaces the caps: "--reasm-mem 4G --buffer-mem 4G" lifts them, and the
# check fails, memory growing to hundreds of MB)
set -u
np=${1:?usage: flat_rss_reasm.sh NETPROBE GEN_STREAMS}
gen=${2:?usage: flat_rss_reasm.sh NETPROBE GEN_STREAMS}
frames=${NP_MEM_FRAMES:-10000000}
args=${NP_MEM_ARGS:---reasm-mem 16M --buffer-mem 16M}
conc=1000
margin_kb=2048
base_kb=${RSS_BASE_KB:-16384}
# 16 MiB + 16 MiB of caps and 1/4 more, 1152 bytes (under 1.2 kB) for each of the at most 2 x conc conversations
# (in progress, and ended but still in the table for its 30 s).
limit_kb=${RSS_LIMIT_KB:-$((base_kb + 32768 * 5 / 4 + 2 * conc * 1152 / 1024))}
tmp=$(mktemp -d)
np_pid=
cleanup() {
	[ -n "$np_pid" ] && kill "$np_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The pcap goes to fd 3, the pipe; the generator's KEY=VALUE manifest to a file.
# shellcheck disable=SC2086
"$gen" -o /dev/fd/3 -n 100000000 -c "$conc" -k 3000 -l 40 -d -x 4 -F "$frames" 3>&1 \
	>"$tmp/manifest" 2>"$tmp/gen.err" |
	exec "$np" follow -r - --format json $args >/dev/null 2>"$tmp/np.err" &
np_pid=$!
t0=$(date +%s%N)
: >"$tmp/samples"
while [ -r "/proc/$np_pid/status" ]; do
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$np_pid/status" 2>/dev/null)
	rchar=$(awk '/^rchar:/ {print $2}' "/proc/$np_pid/io" 2>/dev/null)
	[ -n "$rss" ] && [ -n "$rchar" ] && echo "$(( ($(date +%s%N) - t0) / 1000000 )) $rchar $rss" >>"$tmp/samples"
	sleep 0.2
done
wait "$np_pid"
rc=$?
np_pid=
t1=$(date +%s%N)
packets=$(sed -n 's/^packets=//p' "$tmp/manifest")
total=$(tail -n1 "$tmp/samples" | cut -d' ' -f2)

echo "netprobe follow $args: $packets frames in $(((t1 - t0) / 1000000)) ms, exit $rc"
echo "stderr: $(cat "$tmp/np.err")"
echo "samples (ms since start, bytes read, VmRSS kB), every 10th:"
awk 'NR % 10 == 1 {printf "  %8d %12d %8d\n", $1, $2, $3}' "$tmp/samples"

fail=0
bad() {
	echo "FAIL $*"
	fail=1
}
[ "$rc" -eq 0 ] || bad "netprobe exit $rc: $(head -3 "$tmp/np.err")"
[ -s "$tmp/gen.err" ] && bad "generator: $(head -3 "$tmp/gen.err")"
[ "${packets:-0}" -eq "$frames" ] || bad "the generator wrote ${packets:-?} frames, not $frames"
# The caps must have been in use: holes given up and conversations printed in parts.
if [ -z "${NP_MEM_ARGS:-}" ]; then
	grep -Eq 'caps reached: [1-9][0-9]* holes given up .* [1-9][0-9]* conversations printed in parts' \
		"$tmp/np.err" || bad "the caps were never reached: the test holds no data"
fi
n=$(wc -l <"$tmp/samples")
[ "$n" -ge 10 ] || bad "only $n samples: the run was too short to say anything"
warm=$(awk -v t="$total" '$2 >= t / 10 && $2 < t * 4 / 10 && $3 > m {m = $3} END {print m + 0}' "$tmp/samples")
late=$(awk -v t="$total" '$2 >= t * 4 / 10 && $3 > m {m = $3} END {print m + 0}' "$tmp/samples")
last=$(tail -n1 "$tmp/samples" | cut -d' ' -f3)
peak=$(awk '$3 > m {m = $3} END {print m + 0}' "$tmp/samples")
echo "RSS peak from 10% to 40% read: $warm kB; after 40%: $late kB; at the end: ${last:-?} kB; peak: $peak kB; bound $limit_kb kB"
[ "$warm" -gt 0 ] && [ "$late" -gt 0 ] || bad "no samples in the windows"
[ "$late" -le $((warm + margin_kb)) ] || bad "RSS grew after warm-up: peak $warm kB from 10% to 40%, $late kB later (margin $margin_kb kB)"
[ "$peak" -le "$limit_kb" ] || bad "RSS $peak kB above the bound $limit_kb kB"
[ "$fail" -eq 0 ] && echo "flat_rss_reasm: ok"
exit $fail
