#!/usr/bin/env bash
# Live test of `netprobe watch` (live capture) in netns.sh's topology; all traffic stays
# between the test's namespaces.
#   live-json   in B: watch -i veth-br --port 8888 -w live.pcap --json --duration 4, started
#               in the background; once its stderr has the "watching" line, A makes a TCP
#               connection to B:8888 (peer.py's listener accepts and closes at once, so the
#               exchange is handshake, server FIN, client FIN; no payload, since data sent to a
#               closed socket would be answered with a RST).  netprobe must exit by itself
#               (duration) with status 0, name veth-br on its one "watching" line, and print a
#               handshake and a teardown event for client 10.77.10.1; then
#   replay      watch -r live.pcap --json prints byte-identical packet and event lines (the
#               same frames are decoded, so live output == replay of the -w file), and
#               tcpdump -r and tshark -r read the file without error and count as many packets
#               as netprobe printed
#   sigint      in B: watch -i veth-br -w int.pcap (text output); pings from A to B; SIGINT to
#               netprobe's own PID (not to a wrapper): exit status 0, stderr has the summary
#               line with "received by filter" and "dropped by kernel" figures, and int.pcap is
#               complete (tcpdump -r reads every printed packet, no "truncated" warning)
#   sigterm     the same with SIGTERM; for both, the -w file is complete (no FILE.partial)
#               and its replay prints exactly what the live run printed
#   count       watch -i veth-br -c 4 -w FILE: ends by itself after 4 packets; file, readers,
#               replay as above
#   head        watch -i veth-br -w FILE | head -n 3: netprobe ends by itself once head has
#               gone (exit 0, not SIGPIPE), the summary on stderr, FILE complete and its
#               replay starts with the 3 lines head printed
#   port-lo     in B, a listener on 127.0.0.1:18888 only: watch --port 18888 --duration 2 opens
#               "lo"
#   port-any    watch --port 9999 --duration 1 (nothing listens) opens "any"; so does
#               watch --port 8888 --duration 1 (peer.py listens on 0.0.0.0 and ::)
# Usage: test_watch.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-watch
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip ss timeout env pgrep tcpdump "$LT_PY"
echo "live watch: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
B_IF=veth-br # B's veth towards R

# watching_is RUN IFACE: RUN's stderr has exactly one "watching" line and it names IFACE.
watching_is() {
	local run=$1 want=$2 lines n
	lines=$(grep '^netprobe: watching ' "$LT_WORK/$run.err")
	n=$(printf '%s' "$lines" | grep -c .)
	if [ "$n" -eq 1 ] && grep -q "^netprobe: watching $want, filter: " <<<"$lines"; then
		lt_pass "$run/watching-$want ($lines)"
	else
		lt_fail "$run/watching-$want: $n \"watching\" line(s), want one naming $want: $(tr '\n' '|' <<<"$lines")"
		lt_dump "$run"
	fi
}

# pcap_readers RUN FILE WANT: tcpdump -r (and tshark -r, if installed) read FILE with status 0,
# no "truncated" warning, and count WANT packets each.
pcap_readers() {
	local run=$1 file=$2 want=$3 n rc
	timeout -k 2 30 tcpdump -n -r "$file" >"$LT_WORK/$run.tcpdump.out" 2>"$LT_WORK/$run.tcpdump.err"
	rc=$?
	n=$(grep -c . "$LT_WORK/$run.tcpdump.out")
	if [ "$rc" -eq 0 ] && ! grep -qi truncated "$LT_WORK/$run.tcpdump.err" && [ "$n" -eq "$want" ]; then
		lt_pass "$run/tcpdump-r ($n packets)"
	else
		lt_fail "$run/tcpdump-r: exit $rc, $n packets (want $want), stderr: $(tr '\n' ' ' <"$LT_WORK/$run.tcpdump.err")"
	fi
	if ! command -v tshark >/dev/null 2>&1; then
		if [ "${CI:-}" = true ]; then lt_fail "$run/tshark-r: tshark is not installed (CI=true)"; else lt_skip "$run/tshark-r: tshark is not installed"; fi
		return 0
	fi
	timeout -k 2 60 tshark -n -r "$file" -T fields -e frame.number >"$LT_WORK/$run.tshark.out" 2>"$LT_WORK/$run.tshark.err"
	rc=$?
	n=$(grep -c . "$LT_WORK/$run.tshark.out")
	# tshark warns on stderr when it runs as root; anything else there is a problem
	if [ "$rc" -eq 0 ] && ! grep -v -i 'running as user' "$LT_WORK/$run.tshark.err" | grep -q . && [ "$n" -eq "$want" ]; then
		lt_pass "$run/tshark-r ($n packets)"
	else
		lt_fail "$run/tshark-r: exit $rc, $n packets (want $want), stderr: $(tr '\n' ' ' <"$LT_WORK/$run.tshark.err")"
	fi
}

# stats_line RUN: RUN's stderr has libpcap's figures ("N received by filter, N dropped by
# kernel"); prints the line.
stats_line() {
	local run=$1 line
	line=$(grep -E '[0-9]+ received by filter, [0-9]+ dropped by kernel' "$LT_WORK/$run.err" | tail -n 1)
	if [ -n "$line" ]; then
		lt_pass "$run/stats-received-dropped ($line)"
	else
		lt_fail "$run/stats-received-dropped: no \"N received by filter, N dropped by kernel\" line on stderr"
		lt_dump "$run"
	fi
}

# --- 1. live --json with -w and --duration, then the replay of the file ----------------------
pcap=$LT_WORK/live.pcap
lt_bg_in "$LT_NS_B" live-json 20 "$NP" watch -i "$B_IF" --port "$LT_TCP_OPEN" -w "$pcap" --json --duration 4
t0=$(date +%s%N)
if lt_wait_watching live-json; then
	# A real TCP exchange from A (bounded by its own timeouts): connect, read until the
	# server's FIN (peer.py accepts and closes), close.
	timeout -k 2 10 ip netns exec "$LT_NS_A" "$LT_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
while s.recv(4096):
    pass
s.close()
print("exchange done")' "$LT_B4" "$LT_TCP_OPEN" >"$LT_WORK/exchange.out" 2>&1 ||
		echo "note: the client exchange failed: $(tr '\n' ' ' <"$LT_WORK/exchange.out")"
else
	echo "note: no \"watching\" line within 10 s; the exchange was not made"
fi
lt_bg_reap live-json 15
elapsed=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
lt_expect_rc live-json 0
if awk -v e="$elapsed" 'BEGIN { exit !(e >= 3.5 && e < 10) }'; then
	lt_pass "live-json/duration (exited by itself after ${elapsed} s)"
else
	lt_fail "live-json/duration: exited after ${elapsed} s, want about 4 (--duration 4)"
	lt_dump live-json
fi
watching_is live-json "$B_IF"
lt_expect_jsonlines live-json
client="$LT_A4:"
lt_expect_json live-json "handshake-$LT_A4" \
	"any(o.get('type') == 'event' and o.get('event') == 'handshake' and str(o.get('client', '')).startswith('$client') and o.get('server') == '$LT_B4:$LT_TCP_OPEN' for o in objs)" \
	"[(o.get('event'), o.get('client'), o.get('server')) for o in objs if o.get('type') == 'event']"
lt_expect_json live-json "teardown-$LT_A4" \
	"any(o.get('type') == 'event' and o.get('event') == 'teardown' and str(o.get('client', '')).startswith('$client') and o.get('server') == '$LT_B4:$LT_TCP_OPEN' for o in objs)" \
	"[(o.get('event'), o.get('client'), o.get('server')) for o in objs if o.get('type') == 'event']"
stats_line live-json

# replay of the -w file: the same packet and event lines, byte for byte
if [ -s "$pcap" ]; then
	lt_run "$LT_NS_B" replay 30 "$NP" watch -r "$pcap" --json
	lt_expect_rc replay 0
	grep -E '^\{"type":"(packet|event)"' "$LT_WORK/live-json.out" >"$LT_WORK/live-json.pe"
	grep -E '^\{"type":"(packet|event)"' "$LT_WORK/replay.out" >"$LT_WORK/replay.pe"
	npk=$(grep -c '^{"type":"packet"' "$LT_WORK/live-json.pe")
	nev=$(grep -c '^{"type":"event"' "$LT_WORK/live-json.pe")
	if [ "$npk" -gt 0 ] && cmp -s "$LT_WORK/live-json.pe" "$LT_WORK/replay.pe"; then
		lt_pass "replay/identical-to-live ($npk packet and $nev event lines)"
	else
		lt_fail "replay/identical-to-live: live has $npk packet lines, $nev event lines; replay has $(grep -c '^{"type":"packet"' "$LT_WORK/replay.pe") and $(grep -c '^{"type":"event"' "$LT_WORK/replay.pe"); first differences:"
		diff "$LT_WORK/live-json.pe" "$LT_WORK/replay.pe" | head -n 6 | cut -c 1-300 | sed 's/^/  /'
	fi
	pcap_readers replay "$pcap" "$npk"
else
	lt_fail "replay: $pcap is missing or empty"
	lt_dump live-json
fi

# --- 2. SIGINT mid-run (text output), with -w ---------------------------------------------
pcap=$LT_WORK/int.pcap
lt_bg_in "$LT_NS_B" sigint 30 "$NP" watch -i "$B_IF" -w "$pcap"
if lt_wait_watching sigint; then
	timeout -k 2 10 ip netns exec "$LT_NS_A" ping -n -c 3 -i 0.2 -W 2 "$LT_B4" >"$LT_WORK/ping.out" 2>&1 ||
		echo "note: ping A->B failed: $(tail -n 2 "$LT_WORK/ping.out" | tr '\n' ' ')"
	sleep 0.3 # let the last reply reach the ring
else
	echo "note: no \"watching\" line within 10 s; no pings sent"
fi
if [ -n "$NP_PID" ] && kill -0 "$NP_PID" 2>/dev/null; then
	echo "note: SIGINT to netprobe PID $NP_PID ($(tr '\0' ' ' <"/proc/$NP_PID/cmdline" 2>/dev/null | cut -c 1-60))"
	kill -INT "$NP_PID"
else
	echo "note: netprobe's PID not found or already gone; nothing to interrupt"
fi
lt_bg_reap sigint 10
lt_expect_rc sigint 0 130
watching_is sigint "$B_IF"
stats_line sigint
shown=$(grep -c . "$LT_WORK/sigint.out")
if [ "$shown" -ge 6 ]; then
	lt_pass "sigint/packets-printed ($shown lines on stdout)"
else
	lt_fail "sigint/packets-printed: $shown lines on stdout, want at least 6 (3 echo requests and replies)"
	lt_dump sigint
fi
if [ -s "$pcap" ]; then
	pcap_readers sigint "$pcap" "$shown"
else
	lt_fail "sigint: $pcap is missing or empty"
	lt_dump sigint
fi

# replay_same RUN FILE: watch -r FILE prints exactly the packet lines (and event lines) RUN
# printed live.
replay_same() {
	local run=$1 file=$2
	lt_run "$LT_NS_B" "$run-replay" 30 "$NP" watch -r "$file"
	if [ -s "$LT_WORK/$run.out" ] && cmp -s "$LT_WORK/$run.out" "$LT_WORK/$run-replay.out"; then
		lt_pass "$run/replay-identical ($(grep -c . "$LT_WORK/$run.out") lines)"
	else
		lt_fail "$run/replay-identical: live $(grep -c . "$LT_WORK/$run.out") lines, replay $(grep -c . "$LT_WORK/$run-replay.out")"
		diff "$LT_WORK/$run.out" "$LT_WORK/$run-replay.out" | head -n 6 | cut -c 1-200 | sed 's/^/  /'
	fi
}
# no_partial RUN FILE: FILE is there, complete, and no FILE.partial is left.
no_partial() {
	if [ -s "$2" ] && [ ! -e "$2.partial" ]; then
		lt_pass "$1/file-complete (no .partial)"
	else
		lt_fail "$1/file-complete: $(ls -1 "$2"* 2>/dev/null | tr '\n' ' ')"
	fi
}
pings_from_a() { # COUNT: pings from A to B, bounded
	timeout -k 2 10 ip netns exec "$LT_NS_A" ping -n -c "$1" -i 0.2 -W 2 "$LT_B4" >"$LT_WORK/ping.out" 2>&1 ||
		echo "note: ping A->B failed: $(tail -n 2 "$LT_WORK/ping.out" | tr '\n' ' ')"
}
replay_same sigint "$LT_WORK/int.pcap"
no_partial sigint "$LT_WORK/int.pcap"

# --- 2b. SIGTERM mid-run, with -w ------------------------------------------------------------
pcap=$LT_WORK/term.pcap
lt_bg_in "$LT_NS_B" sigterm 30 "$NP" watch -i "$B_IF" -w "$pcap"
if lt_wait_watching sigterm; then
	pings_from_a 3
	sleep 0.3
fi
if [ -n "$NP_PID" ] && kill -0 "$NP_PID" 2>/dev/null; then
	kill -TERM "$NP_PID"
else
	echo "note: netprobe's PID not found or already gone; nothing to terminate"
fi
lt_bg_reap sigterm 10
lt_expect_rc sigterm 0
stats_line sigterm
grep -q '^netprobe: [0-9]* packets: ' "$LT_WORK/sigterm.err" && lt_pass "sigterm/summary-on-stderr" ||
	lt_fail "sigterm/summary-on-stderr"
shown=$(grep -vc ' ⇒ ' "$LT_WORK/sigterm.out")
if [ "$shown" -ge 6 ]; then lt_pass "sigterm/packets-printed ($shown)"; else lt_fail "sigterm/packets-printed: $shown"; lt_dump sigterm; fi
no_partial sigterm "$pcap"
pcap_readers sigterm "$pcap" "$shown"
replay_same sigterm "$pcap"

# --- 2c. -c: ends by itself after N packets ----------------------------------------------------
pcap=$LT_WORK/count.pcap
lt_bg_in "$LT_NS_B" count 30 "$NP" watch -i "$B_IF" -c 4 -w "$pcap"
lt_wait_watching count && pings_from_a 4
lt_bg_reap count 10
lt_expect_rc count 0
shown=$(grep -vc ' ⇒ ' "$LT_WORK/count.out")
[ "$shown" -eq 4 ] && lt_pass "count/4-packets" || { lt_fail "count/4-packets: $shown"; lt_dump count; }
no_partial count "$pcap"
pcap_readers count "$pcap" 4
replay_same count "$pcap"

# --- 2d. | head: the reader closes the pipe ----------------------------------------------------
# netprobe writes into a pipe whose reader (head) leaves after 3 lines: it must end by itself,
# soon after, exit 0 (not killed by SIGPIPE), the summary on stderr, -w complete.
pcap=$LT_WORK/head.pcap
printf '%s\n' "watch -i $B_IF -w $pcap | head -n 3" >"$LT_WORK/head.cmd"
(
	timeout -k 2 20 ip netns exec "$LT_NS_B" "$NP" watch -i "$B_IF" -w "$pcap" 2>"$LT_WORK/head.err" |
		head -n 3 >"$LT_WORK/head.out"
	exit "${PIPESTATUS[0]}" # netprobe's status, which lt_bg_reap records
) &
BG_PID=$!
LT_PIDS+=("$BG_PID")
if lt_wait_watching head; then
	t0=$(date +%s%N)
	pings_from_a 3
fi
lt_bg_reap head 10
elapsed=$(awk -v a="${t0:-0}" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
lt_expect_rc head 0
if [ "$(cat "$LT_WORK/head.rc")" = 0 ] && awk -v e="$elapsed" 'BEGIN { exit !(e < 5) }'; then
	lt_pass "head/ended-by-itself (${elapsed} s after the first ping)"
else
	lt_fail "head/ended-by-itself: ${elapsed} s"
fi
[ "$(grep -c . "$LT_WORK/head.out")" -eq 3 ] && lt_pass "head/3-lines" || lt_fail "head/3-lines: $(grep -c . "$LT_WORK/head.out")"
grep -q '^netprobe: [0-9]* packets: ' "$LT_WORK/head.err" && lt_pass "head/summary-on-stderr" ||
	{ lt_fail "head/summary-on-stderr"; lt_dump head; }
no_partial head "$pcap"
n=$(timeout -k 2 30 tcpdump -n -r "$pcap" 2>/dev/null | grep -c .)
pcap_readers head "$pcap" "$n"
lt_run "$LT_NS_B" head-replay 30 "$NP" watch -r "$pcap"
if [ "$n" -ge 3 ] && head -n 3 "$LT_WORK/head-replay.out" | cmp -s - "$LT_WORK/head.out"; then
	lt_pass "head/replay-starts-with-live ($n frames in the file)"
else
	lt_fail "head/replay-starts-with-live: $n frames; replay's first lines differ"
fi

# --- 3. interface choice without -i --------------------------------------------------------
lt_bg 30 ip netns exec "$LT_NS_B" "$LT_PY" -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18888))
s.listen(4)
open(sys.argv[1], "w").close()
time.sleep(25)' "$LT_WORK/lo18888.ready"
lo_pid=$LT_LAST_PID
for ((i = 0; i < 100; i++)); do
	[ -e "$LT_WORK/lo18888.ready" ] && break
	sleep 0.05
done
[ -e "$LT_WORK/lo18888.ready" ] || echo "note: the 127.0.0.1:18888 listener in B did not start"

lt_run "$LT_NS_B" port-lo 15 "$NP" watch --port 18888 --duration 2
lt_expect_rc port-lo 0
watching_is port-lo lo
kill -TERM "$lo_pid" 2>/dev/null
wait "$lo_pid" 2>/dev/null
lt_forget "$lo_pid"

lt_run "$LT_NS_B" port-any 15 "$NP" watch --port "$LT_CLOSED" --duration 1
lt_expect_rc port-any 0
watching_is port-any any

lt_run "$LT_NS_B" port-wildcard 15 "$NP" watch --port "$LT_TCP_OPEN" --duration 1
lt_expect_rc port-wildcard 0
watching_is port-wildcard any

lt_finish
