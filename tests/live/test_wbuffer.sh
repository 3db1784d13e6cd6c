#!/usr/bin/env bash
# Live test of the -w writer's buffer (src/capture/wqueue.c), in the namespace topology of
# netns.sh: in R, `watch -i veth-ra -w FIFO` while A sends 3000 UDP datagrams of 1400 bytes to
# B (udp port 5555, nothing listens: the replies are ICMP, which the filter leaves out).
#   stalled       the FIFO's reader reads nothing until A has sent all (a disk that stalls),
#                 --write-buffer 1M: the capture goes on, the frames the buffer cannot take
#                 are counted ("N packets written to FIFO, D dropped by the -w writer", D > 0),
#                 N + D is every frame read, the file the reader got afterwards holds exactly
#                 N frames and is complete (tcpdump reads it to the end), exit 0
#   stalled-ng    the same with pcapng: the statistics block's comment says how many frames
#                 were not written
#   keeps-up      the reader reads at once: 0 dropped, all 3000 frames in the file
# Usage: test_wbuffer.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-wbuffer
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout tcpdump "$LT_PY"
echo "live wbuffer: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
N_SENT=3000

send_burst() {
	timeout -k 2 20 ip netns exec "$LT_NS_A" "$LT_PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * 1400
for i in range(int(sys.argv[2])):
    s.sendto(payload, (sys.argv[1], 5555))
    if i % 500 == 499:
        time.sleep(0.01)  # the sender socket buffer, not the capture, sets the pace
' "$LT_B4" "$N_SENT" >/dev/null 2>&1
}

# reader FIFO OUT FLAG: opens FIFO (netprobe waits for it), reads nothing until FLAG exists,
# then copies everything to OUT. Started in the background; READER_PID.
reader() {
	timeout -k 2 40 "$LT_PY" -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(600):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
with open(sys.argv[2], "wb") as out:
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        out.write(b)
' "$1" "$2" "$3" &
	READER_PID=$!
	LT_PIDS+=("$READER_PID")
}

# run RUN FIFO-NAME STALL(0/1) EXTRA...: one capture through a FIFO; sets W (written), D
# (dropped), SHOWN, and RUN.pcap holds what the reader got.
run() {
	local run=$1 fifo=$LT_WORK/$2 stall=$3 flag=$LT_WORK/$1.go
	shift 3
	rm -f "$fifo" "$flag"
	mkfifo "$fifo"
	[ "$stall" = 1 ] || touch "$flag"
	reader "$fifo" "$LT_WORK/$run.pcap" "$flag"
	lt_bg_in "$LT_NS_R" "$run" 30 "$NP" watch -i veth-ra -q -w "$fifo" "$@" "udp port 5555"
	if lt_wait_watching "$run"; then
		send_burst
		sleep 0.5 # the last frames through the ring
	fi
	touch "$flag"
	kill -INT "$NP_PID" 2>/dev/null
	lt_bg_reap "$run" 15
	wait "$READER_PID"
	lt_forget "$READER_PID"
	local line
	line=$(grep -E '^netprobe: [0-9]+ packets? written to .*, [0-9]+ dropped by the -w writer' \
		"$LT_WORK/$run.err")
	W=$(echo "$line" | sed -E 's/^netprobe: ([0-9]+) .*/\1/')
	D=$(echo "$line" | sed -E 's/.*, ([0-9]+) dropped by the -w writer.*/\1/')
	SHOWN=$(sed -nE 's/^netprobe: ([0-9]+) packets? shown, .*/\1/p' "$LT_WORK/$run.err")
	KDROP=$(sed -nE 's/.* ([0-9]+) dropped by kernel.*/\1/p' "$LT_WORK/$run.err")
}

# in_file RUN: frames tcpdump reads from RUN.pcap (and whether it read to the end cleanly)
in_file() {
	tcpdump -r "$LT_WORK/$1.pcap" -nn 2>"$LT_WORK/$1.tcpdump.err" | wc -l
}

check_stalled() {
	local run=$1 why=""
	lt_expect_rc "$run" 0
	[ -n "$W" ] && [ -n "$D" ] || why="$why no 'written ... dropped by the -w writer' line;"
	[ -n "$W" ] && [ -n "$D" ] && [ "$D" -gt 0 ] || why="$why nothing dropped although the reader stalled;"
	[ -n "$W" ] && [ -n "$D" ] && [ "$((W + D))" = "$SHOWN" ] || why="$why written $W + dropped $D != read $SHOWN;"
	[ "$KDROP" = 0 ] && [ "$SHOWN" != "$N_SENT" ] && why="$why read $SHOWN of $N_SENT without kernel drops;"
	local got
	got=$(in_file "$run")
	[ "$got" = "$W" ] || why="$why the file holds $got frames, not $W;"
	grep -qi "truncated\|bad dump" "$LT_WORK/$run.tcpdump.err" && why="$why the file is cut: $(head -c 120 "$LT_WORK/$run.tcpdump.err");"
	if [ -z "$why" ]; then lt_pass "$run (written $W, dropped $D, read $SHOWN, kernel drops $KDROP)"; else
		lt_fail "$run:$why"
		lt_dump "$run"
	fi
}

# --- stalled ---------------------------------------------------------------------------------
run stalled fifo.pcap 1 --write-buffer 1M
check_stalled stalled

# --- stalled-ng ------------------------------------------------------------------------------
run stalled-ng fifo.pcapng 1 --write-buffer 1M
check_stalled stalled-ng
if tail -c 4000 "$LT_WORK/stalled-ng.pcap" | grep -aq "^$D frames not written: the -w buffer was full"; then
	lt_pass "stalled-ng/comment"
else
	lt_fail "stalled-ng/comment: the statistics block does not say $D frames were not written"
fi

# --- keeps-up --------------------------------------------------------------------------------
run keeps-up fifo2.pcap 0
why=""
[ "$D" = 0 ] || why="$why dropped ${D:-?} although the reader kept up;"
got=$(in_file keeps-up)
[ "$got" = "$W" ] && [ "$W" = "$SHOWN" ] || why="$why file $got, written $W, read $SHOWN;"
[ "$KDROP" = 0 ] && [ "$SHOWN" != "$N_SENT" ] && why="$why read $SHOWN of $N_SENT without kernel drops;"
if [ -z "$why" ]; then lt_pass "keeps-up (written $W of $SHOWN)"; else
	lt_fail "keeps-up:$why"
	lt_dump keeps-up
fi

lt_finish
