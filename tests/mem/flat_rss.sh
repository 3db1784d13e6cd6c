#!/usr/bin/env bash
# Flat memory over a long replay. gen_synflood streams (through a pipe, never to disk) a capture
# of COUNT spoofed SYNs from random sources (the worst case for the tables: every SYN a new
# conversation and half of a new flood-target entry), 10% answered by SYN/ACK, and complete
# connections before, during and after the flood, into `netprobe watch -r - --events`. While it
# runs, VmRSS of netprobe is sampled from /proc/PID/status with the bytes it has read so far
# (/proc/PID/io rchar), and printed. Checks:
#   - netprobe exits 0 and reads every packet (the count in its summary on stderr);
#   - flat after warm-up: RSS at the end <= RSS once 10% of the stream is read + 2 MB, and the
#     peak RSS after warm-up <= that too;
#   - below a bound (RSS_LIMIT_KB, default 64 MB: the tables at the default sizes).
# Usage: flat_rss.sh NETPROBE GEN   (NP_MEM_COUNT=N overrides the 10,000,000 SYNs; NP_MEM_ARGS adds
# watch options, e.g. "--max-conv 16777216 --max-half-open 16777216" shows the check failing;
# NP_MEM_FOLLOW=1 runs `netprobe follow -r - --format json` instead, the reassembler and
# follow's tables under the same flood: it prints no packet count, so that check is skipped)
set -u
np=${1:?usage: flat_rss.sh NETPROBE GEN}
gen=${2:?usage: flat_rss.sh NETPROBE GEN}
count=${NP_MEM_COUNT:-10000000}
margin_kb=2048
limit_kb=${RSS_LIMIT_KB:-65536}
tmp=$(mktemp -d)
np_pid=
cleanup() {
	[ -n "$np_pid" ] && kill "$np_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The pcap goes to fd 3, the pipe; the generator's KEY=VALUE manifest to a file.
"$gen" -o /dev/fd/3 -n "$count" 3>&1 >"$tmp/manifest" 2>"$tmp/gen.err" |
	if [ -n "${NP_MEM_FOLLOW:-}" ]; then
		exec "$np" follow -r - --format json ${NP_MEM_ARGS:-}
	else
		exec "$np" watch -r - --events ${NP_MEM_ARGS:-}
	fi >"$tmp/events" 2>"$tmp/np.err" &
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

echo "netprobe $([ -n "${NP_MEM_FOLLOW:-}" ] && echo follow || echo watch): $packets packets in $(((t1 - t0) / 1000000)) ms, exit $rc"
echo "samples (ms since start, bytes read, VmRSS kB):"
awk '{printf "  %8d %12d %8d\n", $1, $2, $3}' "$tmp/samples"

fail=0
bad() {
	echo "FAIL $*"
	fail=1
}
[ "$rc" -eq 0 ] || bad "netprobe exit $rc: $(head -3 "$tmp/np.err")"
[ -s "$tmp/gen.err" ] && bad "generator: $(head -3 "$tmp/gen.err")"
got=$(sed -n 's/^netprobe: \([0-9]*\) packets:.*/\1/p' "$tmp/np.err")
[ -n "${NP_MEM_FOLLOW:-}" ] || { [ -n "$packets" ] && [ "$got" = "$packets" ]; } || bad "netprobe read ${got:-?} packets, the generator wrote ${packets:-?}"
n=$(wc -l <"$tmp/samples")
[ "$n" -ge 10 ] || bad "only $n samples: the run was too short to say anything"
# The first sample with 10% of the stream read is the warm-up mark.
warm=$(awk -v t="$total" '$2 >= t / 10 {print $3; exit}' "$tmp/samples")
last=$(tail -n1 "$tmp/samples" | cut -d' ' -f3)
peak_after=$(awk -v t="$total" '$2 >= t / 10 && $3 > m {m = $3} END {print m + 0}' "$tmp/samples")
echo "RSS after warm-up (10% read): ${warm:-?} kB; at the end: ${last:-?} kB; peak after warm-up: $peak_after kB"
if [ -n "$warm" ] && [ -n "$last" ]; then
	[ "$last" -le $((warm + margin_kb)) ] || bad "RSS grew after warm-up: $warm kB -> $last kB at the end (margin $margin_kb kB)"
	[ "$peak_after" -le $((warm + margin_kb)) ] || bad "RSS peaked at $peak_after kB after warm-up at $warm kB"
	[ "$peak_after" -le "$limit_kb" ] || bad "RSS $peak_after kB above the bound $limit_kb kB"
fi
[ "$fail" -eq 0 ] && echo "flat_rss: ok"
exit $fail
