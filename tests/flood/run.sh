#!/usr/bin/env bash
# SYN flood at scale. gen_synflood writes (into a temporary directory, never committed) a capture
# of COUNT SYNs at 200,000/s from random spoofed IPv4 sources to 10.77.9.2:8888, 10% of them
# answered by the target's SYN/ACK, 5 complete connections from 10.77.9.1 at known points of the
# flood, and 10 s of calm connections before and 12 s after it. `netprobe watch --json` replays
# it under GNU time, and this script checks:
#   - netprobe exits 0 and reads every packet;
#   - exactly one syn_flood "start" and one "end" event (updates allowed), for the target;
#   - the start within the first second of the flood; the end found within the capture (not at
#     its end) and dated within a second of the flood's last SYN; the episode's duration within a
#     second of the flood's;
#   - a handshake and a teardown event for each of the 5 connections made during the flood and
#     for each calm one (right client ports), and no other handshakes;
#   - the summary: one flood episode, peak_in_use <= --max-conv (65536), evicted > 0;
#   - netprobe's peak RSS below a bound set from measurement (see below).
# It prints the generation and replay times and packets/s (not asserted).
# Usage: run.sh NETPROBE GEN [normal|asan]   (NP_FLOOD_COUNT=N overrides the number of SYNs)
set -u
np=${1:?usage: run.sh NETPROBE GEN [normal|asan]}
gen=${2:?usage: run.sh NETPROBE GEN [normal|asan]}
mode=${3:-normal}
max_conv=65536 # netprobe's default --max-conv

# Peak RSS (GNU time %M) measured on Debian 12 x86-64, 2 CPUs, RelWithDebInfo, 1,000,000 SYNs:
#   normal build: 17.0-19.0 MB over several runs -> limit 40 MB;
#   ASan+UBSan build: 25-28.5 MB -> limit 60 MB.
# It is the same for 200,000 and 3,000,000 SYNs (18.9 MB): memory is bounded by the tables
# (--max-conv, --max-half-open, flood targets), not by the number of SYNs. The ASan run takes
# ~20-25 s, so it replays the full 1,000,000 SYNs too; NP_FLOOD_COUNT=N overrides the count.
case $mode in
normal) count=1000000 rss_limit_kb=$((40 * 1024)) ;;
asan) count=1000000 rss_limit_kb=$((60 * 1024)) ;;
*) echo "run.sh: mode must be normal or asan, not '$mode'" >&2; exit 2 ;;
esac
count=${NP_FLOOD_COUNT:-$count}

timebin=/usr/bin/time
if ! "$timebin" -f %M -o /dev/null true 2>/dev/null; then
	echo "run.sh: GNU time ($timebin) is needed to measure peak RSS: apt-get install time" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() {
	pass=$((pass + 1))
	echo "ok   $*"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}
# check NAME CONDITION-STATUS DETAIL: count a check from the status of the test before it.
check() {
	local name=$1 status=$2
	shift 2
	if [ "$status" -eq 0 ]; then ok "$name: $*"; else bad "$name: $*"; fi
}
# The value of KEY in one JSON line (numbers and strings without quotes inside; first match).
jget() {
	grep -o "\"$2\":[^,}]*" <<<"$1" | head -n1 | cut -d: -f2- | tr -d '"'
}
# "SEC.FRACTION" (a timestamp, or a duration with 3 decimals) -> microseconds
ts_us() {
	local s=${1%.*} u=${1#*.}000000
	echo $((s * 1000000 + 10#${u:0:6}))
}
ms() {
	echo $((($2 - $1) / 1000000))
}

# --- generate ---
cap=$tmp/flood.pcap
t0=$(date +%s%N)
if ! "$gen" -o "$cap" -n "$count" >"$tmp/manifest" 2>"$tmp/gen.err"; then
	cat "$tmp/gen.err"
	bad "generate: $gen failed"
	echo "flood: $pass passed, $fail failed"
	exit 1
fi
t1=$(date +%s%N)
declare -A m
while IFS='=' read -r k v; do
	m[$k]=$v
done <"$tmp/manifest"
target=${m[target]} client=${m[client]} packets=${m[packets]}
echo "generated ${m[flood_syns]} flood SYNs, ${m[flood_synacks]} SYN/ACKs, ${m[legit_conns]} connections:" \
	"$packets packets, $(($(stat -c %s "$cap") / 1000000)) MB in $(ms "$t0" "$t1") ms"

# --- replay: every packet as JSON; keep the events (but state changes) and the summary ---
t0=$(date +%s%N)
"$timebin" -f %M -o "$tmp/rss" "$np" watch -r "$cap" --json 2>"$tmp/np.err" |
	LC_ALL=C grep -F -e '{"type":"event"' -e '{"type":"summary"' | LC_ALL=C grep -v -F '"event":"state"' >"$tmp/events"
rc=${PIPESTATUS[0]}
t1=$(date +%s%N)
elapsed_ms=$(ms "$t0" "$t1")
rss_kb=$(tail -n1 "$tmp/rss")
echo "netprobe: $packets packets in $elapsed_ms ms: $((packets * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1))) packets/s;" \
	"peak RSS $((rss_kb / 1024)) MB ($rss_kb kB)"

[ "$rc" -eq 0 ]
check exit $? "netprobe exits 0 (got $rc)"
[ -s "$tmp/np.err" ] && sed 's/^/  stderr: /' "$tmp/np.err" | head -5
summary=$(grep '^{"type":"summary"' "$tmp/events")
[ "$(jget "$summary" packets)" = "$packets" ]
check packets $? "netprobe read all $packets packets (got '$(jget "$summary" packets)')"

# --- the flood episode ---
flood_start=${m[flood_start_us]} last_syn=${m[flood_last_syn_us]} flood_end=${m[flood_end_us]}
starts=$(grep '"event":"syn_flood"' "$tmp/events" | grep '"phase":"start"')
ends=$(grep '"event":"syn_flood"' "$tmp/events" | grep '"phase":"end"')
nstart=$(grep -c . <<<"$starts")
nend=$(grep -c . <<<"$ends")
nupd=$(grep '"event":"syn_flood"' "$tmp/events" | grep -c '"phase":"update"')
[ "$nstart" -eq 1 ] && [ "$nend" -eq 1 ]
check episode $? "exactly one start and one end event (got $nstart start, $nend end, $nupd updates)"
if [ "$nstart" -eq 1 ] && [ "$nend" -eq 1 ]; then
	[ "$(jget "$starts" target)" = "$target" ] && [ "$(jget "$ends" target)" = "$target" ]
	check target $? "the episode is against $target (got $(jget "$starts" target), $(jget "$ends" target))"
	s=$(ts_us "$(jget "$starts" ts)")
	[ "$s" -ge "$flood_start" ] && [ "$s" -lt $((flood_start + 1000000)) ]
	check start-time $? "the start event is $((s - flood_start)) us after the flood's first SYN (want < 1 s)"
	e=$(ts_us "$(jget "$ends" ts)")
	[ "$(jget "$ends" n)" != 0 ]
	check end-in-capture $? "the end was detected within the capture at packet $(jget "$ends" n) (0: only at its end)"
	d=$((e - last_syn))
	[ "${d#-}" -le 1000000 ]
	check end-time $? "the end event is dated $d us from the flood's last SYN (want within 1 s)"
	# The episode's length, as the end event reports it, against the flood's (calm SYNs before
	# and after the flood are not part of it).
	dur=$(jget "$ends" duration_s)
	dur_us=$(ts_us "$dur")
	d=$((dur_us / 1000 - (flood_end - flood_start) / 1000))
	[ "${d#-}" -le 1000 ]
	check duration $? "the episode lasted ${dur} s by the end event, the flood" \
		"$(((flood_end - flood_start) / 1000)) ms (want within 1 s)"
fi

# --- the legitimate connections ---
hs=$(grep '"event":"handshake"' "$tmp/events")
td=$(grep '"event":"teardown"' "$tmp/events")
# conn_events KIND-LINES PORT: how many of the lines are for client:PORT -> target
conn_events() {
	grep -F "\"client\":\"$client:$2\",\"server\":\"$target\"" <<<"$1" | grep -c .
}
IFS=, read -r -a flood_ports <<<"${m[flood_ports]}"
IFS=, read -r -a flood_times <<<"${m[flood_conn_us]}"
IFS=, read -r -a calm_ports <<<"${m[calm_ports]}"
missed=() during=0
for i in "${!flood_ports[@]}"; do
	p=${flood_ports[$i]}
	line=$(grep -F "\"client\":\"$client:$p\"" <<<"$hs" | head -n1)
	if [ "$(conn_events "$hs" "$p")" -ne 1 ] || [ "$(conn_events "$td" "$p")" -ne 1 ]; then
		missed+=("$p")
		continue
	fi
	# During the flood, and soon after its SYN (a handshake takes 1.5 ms here).
	t=$(ts_us "$(jget "$line" ts)")
	if [ "$t" -ge "${flood_times[$i]}" ] && [ "$t" -lt $((flood_times[i] + 100000)) ] &&
		[ "$t" -lt "$flood_end" ]; then
		during=$((during + 1))
	else
		missed+=("$p(at $t)")
	fi
done
[ ${#missed[@]} -eq 0 ]
check flood-handshakes $? "$during of ${#flood_ports[@]} connections made during the flood have one handshake" \
	"and one teardown event, in time${missed[*]:+; wrong: ${missed[*]}}"
missed=()
for p in "${calm_ports[@]}"; do
	if [ "$(conn_events "$hs" "$p")" -ne 1 ] || [ "$(conn_events "$td" "$p")" -ne 1 ]; then
		missed+=("$p")
	fi
done
[ ${#missed[@]} -eq 0 ]
check calm-handshakes $? "${#calm_ports[@]} calm connections have one handshake and one teardown event" \
	"${missed[*]:+; wrong: ${missed[*]}}"
nhs=$(grep -c . <<<"$hs")
want=$((${#flood_ports[@]} + ${#calm_ports[@]}))
[ "$nhs" -eq "$want" ]
check no-other-handshakes $? "$nhs handshake events in all (want $want: half-open flood SYNs never complete)"

# --- bounded state ---
episodes=$(jget "$summary" flood_episodes)
peak=$(jget "$summary" peak_in_use)
evicted=$(jget "$summary" evicted)
[ "$episodes" = 1 ]
check summary-episodes $? "the summary counts $episodes flood episode (want 1)"
[ -n "$peak" ] && [ "$peak" -le "$max_conv" ]
check peak-in-use $? "peak_in_use $peak <= --max-conv $max_conv"
[ -n "$evicted" ] && [ "$evicted" -gt 0 ]
check evicted $? "evicted $evicted > 0"
[ -n "$rss_kb" ] && [ "$rss_kb" -lt "$rss_limit_kb" ]
check rss $? "peak RSS $rss_kb kB < $rss_limit_kb kB ($mode build)"

echo "flood: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
