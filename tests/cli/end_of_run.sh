#!/usr/bin/env bash
# Every way an offline run can end, ends cleanly (no root needed; live runs: tests/live).
# A large capture is generated at test time (gen_synflood, 500,000 SYNs, ~38 MB, never
# committed) and replayed:
#   head        watch -r BIG | head -1: netprobe exits 0 (a reader closing the pipe is a normal
#               end; it is not killed by SIGPIPE), within a few seconds, having read only a
#               small part of the capture (the summary on stderr says how many packets);
#   head-json   the same with --json: the summary (text) on stderr, exit 0;
#   head-w      the same with -w: FILE (no FILE.partial) read by tcpdump and tshark without
#               error, as many frames as the summary counted, and its replay starts with the
#               line head printed;
#   w-stdout    watch -r BIG -w - | tcpdump -r - -c 3: exit 0, tcpdump reads 3 packets;
#   full-stdout watch -r BIG > /dev/full: exit 2, one line "writing standard output failed";
#   count       -c 100 -w FILE: FILE has 100 frames (tcpdump, tshark), its replay == the output;
#   eof         end of file with -w: the replay of FILE == the output;
#   sigint/sigterm/sighup  the capture arrives through a FIFO whose writer stalls after 1 MB; the
#               signal ends the blocked read: exit 0, the summary on stderr, FILE complete
#               (tcpdump, tshark) with exactly the frames printed, and its replay == the output.
# Usage: end_of_run.sh NETPROBE GEN_SYNFLOOD
set -u
np=${1:?usage: end_of_run.sh NETPROBE GEN_SYNFLOOD}
gen=${2:?usage: end_of_run.sh NETPROBE GEN_SYNFLOOD}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
for c in tcpdump tshark timeout; do
	command -v "$c" >/dev/null || { echo "FAIL missing command $c (scripts/deps.sh installs it)"; exit 1; }
done
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# frames FILE: how many frames tcpdump -r reads (status 0, no warning), else -1.
frames_tcpdump() {
	local n
	if timeout -k 2 60 tcpdump -n -r "$1" >"$tmp/td.out" 2>"$tmp/td.err" &&
		! grep -qiE 'truncated|error' "$tmp/td.err"; then
		n=$(grep -c . "$tmp/td.out")
		echo "$n"
	else
		echo -1
	fi
}
frames_tshark() {
	local n
	if timeout -k 2 120 tshark -n -r "$1" -T fields -e frame.number >"$tmp/ts.out" 2>"$tmp/ts.err" &&
		! grep -v -i 'running as user' "$tmp/ts.err" | grep -q .; then
		n=$(grep -c . "$tmp/ts.out")
		echo "$n"
	else
		echo -1
	fi
}
# readers NAME FILE WANT: tcpdump and tshark both read WANT frames from FILE without error.
readers() {
	local name=$1 file=$2 want=$3 a b
	a=$(frames_tcpdump "$file")
	b=$(frames_tshark "$file")
	if [ "$a" = "$want" ] && [ "$b" = "$want" ]; then
		ok "$name/readers (tcpdump and tshark read $want frames)"
	else
		bad "$name/readers: tcpdump read $a, tshark $b frames (-1: error), want $want"
		head -n 3 "$tmp/td.err" "$tmp/ts.err" | sed 's/^/  /'
	fi
}
# packet_lines FILE: the packet lines of text output (not the ⇒ event lines).
packet_lines() { grep -v ' ⇒ ' "$1"; }
# summary_packets ERRFILE: the packet count of the text summary on stderr, or empty.
summary_packets() { sed -nE 's/^netprobe: ([0-9]+) packets: .*/\1/p' "$1" | head -n 1; }
# same_replay NAME FILE OUT: watch -r FILE prints exactly OUT.
same_replay() {
	local name=$1 file=$2 out=$3
	timeout -k 2 60 "$np" watch -r "$file" >"$tmp/replay.out" 2>/dev/null
	if cmp -s "$tmp/replay.out" "$out" && [ -s "$out" ]; then
		ok "$name/replay-identical ($(grep -c . "$out") lines)"
	else
		bad "$name/replay-identical: replay of $file differs from the run's output ($(grep -c . "$tmp/replay.out") vs $(grep -c . "$out") lines)"
		diff "$out" "$tmp/replay.out" | head -n 4 | cut -c 1-200 | sed 's/^/  /'
	fi
}
no_partial() {
	local name=$1 file=$2
	if [ -f "$file" ] && [ ! -e "$file.partial" ]; then
		ok "$name/file-complete ($(basename "$file") exists, no .partial)"
	else
		bad "$name/file-complete: $(ls -1 "$file"* 2>/dev/null | tr '\n' ' ')"
	fi
}

big=$tmp/big.pcap
nsyn=500000
"$gen" -o "$big" -n "$nsyn" >"$tmp/gen.out" || { echo "FAIL gen_synflood"; exit 1; }
total=$(sed -n 's/^packets=//p' "$tmp/gen.out")
echo "end of run: $total packets in $(($(stat -c %s "$big") / 1048576)) MB"

# --- head: | head -1 -------------------------------------------------------------------------
run_head() {
	local name=$1
	shift
	local t0 t1 rc n
	t0=$(now)
	timeout -k 2 60 "$np" watch -r "$big" "$@" 2>"$tmp/$name.err" | head -n 1 >"$tmp/$name.out"
	rc=${PIPESTATUS[0]}
	t1=$(now)
	n=$(summary_packets "$tmp/$name.err")
	local el
	el=$(secs "$t0" "$t1")
	if [ "$rc" -eq 0 ]; then ok "$name/exit-status 0"; else bad "$name/exit-status $rc (want 0; 141 = killed by SIGPIPE)"; fi
	if awk -v e="$el" 'BEGIN { exit !(e < 5) }'; then ok "$name/fast (${el} s)"; else bad "$name/fast: ${el} s"; fi
	if [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt $((total / 20)) ]; then
		ok "$name/stopped-early (summary on stderr: $n of $total packets read)"
	else
		bad "$name/stopped-early: summary packet count '${n}' (want 1..$((total / 20)))"
		head -n 3 "$tmp/$name.err" | sed 's/^/  stderr: /'
	fi
	[ "$(grep -c . "$tmp/$name.out")" -eq 1 ] && ok "$name/one-line" || bad "$name/one-line: $(grep -c . "$tmp/$name.out") lines"
	HEAD_N=$n
}
run_head head
run_head head-json --json
grep -q '^{"type":"packet"' "$tmp/head-json.out" || bad "head-json/json-line: $(head -c 100 "$tmp/head-json.out")"
run_head head-w -w "$tmp/head.pcap"
no_partial head-w "$tmp/head.pcap"
readers head-w "$tmp/head.pcap" "$HEAD_N"
timeout -k 2 60 "$np" watch -r "$tmp/head.pcap" 2>/dev/null | head -n 1 >"$tmp/head-w.replay1"
if cmp -s "$tmp/head-w.replay1" "$tmp/head-w.out"; then ok "head-w/replay-first-line"; else bad "head-w/replay-first-line differs"; fi

# --- -w - into a reader that stops after 3 packets ---------------------------------------------
timeout -k 2 60 "$np" watch -r "$big" -w - 2>"$tmp/wstdout.err" |
	timeout -k 2 60 tcpdump -n -r - -c 3 >"$tmp/wstdout.out" 2>/dev/null
rcs=("${PIPESTATUS[@]}")
if [ "${rcs[0]}" -eq 0 ] && [ "$(grep -c . "$tmp/wstdout.out")" -eq 3 ]; then
	ok "w-stdout (exit ${rcs[0]}, tcpdump read 3 packets)"
else
	bad "w-stdout: netprobe exit ${rcs[0]}, tcpdump exit ${rcs[1]}, $(grep -c . "$tmp/wstdout.out") packets"
	head -n 3 "$tmp/wstdout.err" | sed 's/^/  stderr: /'
fi

# --- stdout on a full device ---------------------------------------------------------------------
timeout -k 2 60 "$np" watch -r "$big" >/dev/full 2>"$tmp/full.err"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(grep -c . "$tmp/full.err")" -eq 1 ] &&
	grep -q '^netprobe: watch: writing standard output failed: No space left on device$' "$tmp/full.err"; then
	ok "full-stdout (exit 2, one line)"
else
	bad "full-stdout: exit $rc, stderr: $(head -c 300 "$tmp/full.err")"
fi

# --- -c and end of file, with -w -----------------------------------------------------------------
timeout -k 2 60 "$np" watch -r "$big" -c 100 -w "$tmp/c.pcap" >"$tmp/c.out" 2>"$tmp/c.err"
rc=$?
[ "$rc" -eq 0 ] && ok "count/exit-status 0" || bad "count/exit-status $rc"
no_partial count "$tmp/c.pcap"
readers count "$tmp/c.pcap" 100
[ "$(packet_lines "$tmp/c.out" | grep -c .)" -eq 100 ] && ok "count/100-packets" || bad "count/100-packets: $(packet_lines "$tmp/c.out" | grep -c .)"
# the replay has the -c run's conversations in the same state, except what -c cut off
timeout -k 2 60 "$np" watch -r "$tmp/c.pcap" >"$tmp/c.replay" 2>/dev/null
if cmp -s "$tmp/c.replay" "$tmp/c.out"; then ok "count/replay-identical"; else bad "count/replay-identical"; diff "$tmp/c.out" "$tmp/c.replay" | head -n 4 | cut -c 1-200; fi

good=$top/pcaps/tcp-handshake-data-teardown.pcap
timeout -k 2 60 "$np" watch -r "$good" -w "$tmp/eof.pcap" >"$tmp/eof.out" 2>"$tmp/eof.err"
rc=$?
[ "$rc" -eq 0 ] && ok "eof/exit-status 0" || bad "eof/exit-status $rc"
grep -q '^netprobe: [0-9]* packets: ' "$tmp/eof.err" && ok "eof/summary-on-stderr" || bad "eof/summary-on-stderr"
no_partial eof "$tmp/eof.pcap"
readers eof "$tmp/eof.pcap" "$(packet_lines "$tmp/eof.out" | grep -c .)"
same_replay eof "$tmp/eof.pcap" "$tmp/eof.out"

# --- SIGINT, SIGTERM and SIGHUP while the read is blocked ----------------------------------------
for sig in INT TERM HUP; do
	name=sig${sig,,}
	fifo=$tmp/$name.fifo
	out=$tmp/$name.pcap
	mkfifo "$fifo"
	# The writer: the first 1,000,000 bytes of the capture, then it stalls with the FIFO open.
	timeout -k 2 30 sh -c 'head -c 1000000 "$1"; exec sleep 25' sh "$big" >"$fifo" &
	writer=$!
	pids+=("$writer")
	timeout -k 2 30 env --default-signal=INT,HUP "$np" watch -r "$fifo" -w "$out" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	wrapper=$!
	pids+=("$wrapper")
	npid=""
	for ((i = 0; i < 100; i++)); do
		npid=$(pgrep -P "$wrapper" | head -n 1)
		[ -n "$npid" ] && break
		sleep 0.02
	done
	# netprobe has read all the writer sent when its input position stops moving.
	last=-1
	for ((i = 0; i < 100; i++)); do
		sz=$(stat -c %s "$out.partial" 2>/dev/null || echo 0)
		[ "$sz" -gt 0 ] && [ "$sz" = "$last" ] && break
		last=$sz
		sleep 0.1
	done
	kill -"$sig" "$npid" 2>/dev/null
	t0=$(now)
	wait "$wrapper"
	rc=$?
	el=$(secs "$t0" "$(now)")
	kill -TERM "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
	pids=()
	if [ "$rc" -eq 0 ]; then ok "$name/exit-status 0 (${el} s after SIG$sig)"; else bad "$name/exit-status $rc"; head -n 3 "$tmp/$name.err"; fi
	grep -q '^netprobe: [0-9]* packets: ' "$tmp/$name.err" && ok "$name/summary-on-stderr" || bad "$name/summary-on-stderr"
	no_partial "$name" "$out"
	n=$(packet_lines "$tmp/$name.out" | grep -c .)
	if [ "$n" -gt 1000 ]; then ok "$name/packets-printed ($n)"; else bad "$name/packets-printed: $n"; fi
	readers "$name" "$out" "$n"
	same_replay "$name" "$out" "$tmp/$name.out"
done

echo "end of run: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
