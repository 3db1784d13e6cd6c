#!/usr/bin/env bash
# Live test of --host in the kernel filter (issue 12, item 9): in a throw-away namespace
# (np-host-<PID>, only its loopback up), two watchers on lo at once while 3 pings go to
# 127.0.0.1:
#   all   watch -i lo -c 6 -w all.pcap            (no --host: every frame)
#   host  watch -i lo -c 6 --host LONG --host 10.77.0.9
# where LONG is 127.0.0.1 written as inet_aton() takes it, with 300 leading zeros before the
# octal 0177 ("000...0177.0.0.1", 309 bytes). Both must end by themselves (-c 6) with status
# 0, the host run must name "host 127.0.0.1" and "host 10.77.0.9" in its filter, and print
# the lines that `watch -r all.pcap --host LONG --host 10.77.0.9` prints (live == replay, but
# for the time column: each capture stamps its frames itself). Before the fix the kernel
# filter was cut to 256 bytes ("host 000...0"), and even uncut, libpcap reads 0177 as decimal
# 177: nothing was captured, exit 0; and only the last --host went into the kernel filter.
# Usage: test_host_filter.sh NETPROBE   (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-host-filter
NP=${1:?usage: test_host_filter.sh NETPROBE}
lt_need_root "$name"
lt_need_cmds "$name" ip timeout ping
ns=np-host-$$
work=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
no() { echo "FAIL $name: $*"; fail=1; }

ip netns add "$ns" && ip -n "$ns" link set lo up || { echo "FAIL $name: namespace setup"; exit 1; }
long="$(printf '0%.0s' $(seq 300))177.0.0.1"
[ ${#long} -eq 309 ] || { echo "FAIL $name: bad test address"; exit 1; }

ip netns exec "$ns" timeout -k 2 8 "$NP" watch -i lo -c 6 -w "$work/all.pcap" --no-summary \
	>"$work/all.out" 2>"$work/all.err" &
pids+=($!)
ip netns exec "$ns" timeout -k 2 8 "$NP" watch -i lo -c 6 --host "$long" --host 10.77.0.9 \
	--no-summary >"$work/host.out" 2>"$work/host.err" &
pids+=($!)
# Both say "watching" once their filter is in the kernel (at most 10 s).
for _ in $(seq 100); do
	[ "$(cat "$work/all.err" "$work/host.err" | grep -c '^netprobe: watching ')" -ge 2 ] && break
	sleep 0.1
done
ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 127.0.0.1 >/dev/null
# 3 echo requests + 3 replies = 6 frames: both end by themselves; give them at most 10 s.
for i in 0 1; do
	for _ in $(seq 100); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.1; done
done
wait "${pids[0]}"
rc_all=$?
wait "${pids[1]}"
rc_host=$?
pids=()

[ "$rc_all" -eq 0 ] || no "watch -i lo -w: exit $rc_all: $(cat "$work/all.err")"
if [ "$rc_host" -eq 0 ]; then
	echo "PASS $name: watch -i lo --host <309 bytes> ended by itself after 6 packets"
else
	no "watch -i lo --host <309 bytes>: exit $rc_host (want 0 after -c 6)"
fi
if grep -q '^netprobe: watching lo, filter: .*host 127\.0\.0\.1 or host 10\.77\.0\.9' "$work/host.err"; then
	echo "PASS $name: the kernel filter has both addresses"
else
	no "kernel filter: $(grep '^netprobe: watching' "$work/host.err" | cut -c1-200)"
fi
n=$(grep -c 'ICMP' "$work/host.out")
[ "$n" -eq 6 ] || no "live --host printed $n ICMP lines, want 6"
"$NP" watch -r "$work/all.pcap" --host "$long" --host 10.77.0.9 --no-summary >"$work/replay.out" 2>&1
# Each capture stamps its frames itself (a microsecond apart): compare all but the time.
notime() { awk '{ $2 = ""; print }' "$1"; }
if [ "$n" -eq 6 ] && [ "$(notime "$work/host.out")" = "$(notime "$work/replay.out")" ]; then
	echo "PASS $name: live --host prints what -r with the same --host prints"
else
	no "live --host output differs from -r: $(diff "$work/host.out" "$work/replay.out" | head -8)"
fi
exit $fail
