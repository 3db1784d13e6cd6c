#!/usr/bin/env bash
# Live test of least privilege: while netprobe runs, /proc/PID/status of the process that
# decodes packets shows a uid other than 0, CapEff 0, NoNewPrivs 1 and Seccomp 2 (filter mode).
#   watch-live   in B: watch -i veth-br (pings from A): the decoder runs as nobody (65534)
#   watch-w      in B: watch -i veth-br -w FILE in a root-owned 0755 directory: the worker (the
#                child) is nobody, sandboxed; the parent keeps uid 0 only to rename, with
#                CAP_DAC_OVERRIDE and CAP_KILL alone (CapEff 0x22, empty bounding set), and is
#                sandboxed too (Seccomp 2, NoNewPrivs 1); FILE is complete, no FILE.partial
#   watch-fifo   watch -r FIFO with SUDO_UID=4242 SUDO_GID=4242: the drop goes to 4242; the
#                capture written into the FIFO is decoded in full, exit 0
#   watch-user   watch -r FIFO run by nobody (nothing to drop): the sandbox all the same
#   ping, trace  from A to B (10.77.20.2): nobody, CapEff 0, NoNewPrivs 1, Seccomp 2
#   scan         ping --syn with a port list to two targets: the same
#   report       trace --report -c 4: the same
#   ping-big6, ping-big-if, trace-pmtu, report-pmtu   ping -6 -s 3000 (raw ICMPv6 socket),
#                ping -I veth-ar -s 2000 (bound to it), trace --pmtu to the silent 10.77.10.99
#                (3 hops of 1 s, exit 1), trace --report --pmtu -c 4 (hop 2's PMTU 1500):
#                the same checks while they run
#   ping-big, ping-pmtu, flood, vary   ping -s 3000 and -M do (the kernel-built raw ICMP
#                socket), ping -f -w 2, trace --report --vary-flow: the same (the unprivileged
#                modes, ICMP datagram ping and trace and connect() probes, are test_unpriv.sh's)
#   setcap       a copy of netprobe with cap_net_raw,cap_net_admin=eip in a 0755 directory,
#                run as nobody (setpriv, no sudo): watch -i veth-br -c 2 captures the pings
#                from A; ping -c 2 10.77.20.2 from A gets 2 replies; CapEff is 0 after the
#                drop. File capabilities that the filesystem does not honour (checked with a
#                capability-carrying copy of cat) fail in CI with a message saying so.
# Namespaces are named npsbx-<PID>-{a,r,b}. Usage: test_privs.sh NETPROBE (root; without root
# it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
LT_NS_A="npsbx-$$-a" LT_NS_R="npsbx-$$-r" LT_NS_B="npsbx-$$-b"
name=live-privs
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout env pgrep setpriv setcap getcap mkfifo "$LT_PY"
NOBODY=$(id -u nobody)
NOGROUP=$(getent group nogroup | cut -d: -f3)
echo "live privs: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
B_IF=veth-br
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

# field PID NAME: a field of /proc/PID/status ("Uid" gives the four uids).
field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status" 2>/dev/null; }

# sandboxed RUN LABEL PID UID: wait (at most 10 s) until PID is in seccomp filter mode, then
# check that its real, effective, saved and fs uids are UID, CapEff is 0 and NoNewPrivs 1.
sandboxed() {
	local run=$1 label=$2 pid=$3 uid=$4 i seccomp="" uids capeff nnp
	for ((i = 0; i < 200; i++)); do
		seccomp=$(field "$pid" Seccomp)
		[ "$seccomp" = 2 ] && break
		sleep 0.05
	done
	uids=$(field "$pid" Uid | tr -s '\t ' ' ')
	capeff=$(field "$pid" CapEff)
	nnp=$(field "$pid" NoNewPrivs)
	if [ "$seccomp" = 2 ] && [ "$uids" = "$uid $uid $uid $uid" ] && [ "$capeff" = 0000000000000000 ] &&
		[ "$nnp" = 1 ]; then
		lt_pass "$run/$label (pid $pid: Uid $uids, CapEff $capeff, NoNewPrivs $nnp, Seccomp $seccomp)"
	else
		lt_fail "$run/$label: pid $pid: Uid '$uids' (want $uid), CapEff '$capeff', NoNewPrivs '$nnp', Seccomp '$seccomp'"
		lt_dump "$run"
	fi
}

pings_from_a() { # COUNT
	timeout -k 2 10 ip netns exec "$LT_NS_A" ping -n -c "$1" -i 0.2 -W 2 "$LT_B4" >"$LT_WORK/ping.out" 2>&1 ||
		echo "note: ping A->B failed: $(tail -n 2 "$LT_WORK/ping.out" | tr '\n' ' ')"
}

# --- watch live, no -w: one process, dropped to nobody -----------------------------------
# (the status is read before any traffic: the sandbox is in place before the first packet)
lt_bg_in "$LT_NS_B" watch-live 20 env -u SUDO_UID -u SUDO_GID "$NP" watch -i "$B_IF" --duration 4
if lt_wait_watching watch-live; then
	sandboxed watch-live decoder "$NP_PID" "$NOBODY"
	pings_from_a 2
else
	lt_fail "watch-live: no \"watching\" line"
fi
lt_bg_reap watch-live 10
lt_expect_rc watch-live 0

# --- watch live -w FILE: the worker decodes, the parent renames --------------------------
pcap=$LT_WORK/w.pcap # LT_WORK: root's, 0755: nobody cannot create or rename in it
lt_bg_in "$LT_NS_B" watch-w 20 env -u SUDO_UID -u SUDO_GID "$NP" watch -i "$B_IF" --duration 4 -w "$pcap"
if lt_wait_watching watch-w; then
	worker=$(pgrep -P "$NP_PID" | head -n 1)
	if [ -n "$worker" ]; then
		sandboxed watch-w worker "$worker" "$NOBODY"
	else
		lt_fail "watch-w/worker: netprobe ($NP_PID) has no child"
	fi
	# CapEff 0x22: CAP_DAC_OVERRIDE (1), to rename in any directory, and CAP_KILL (5), to pass
	# a stop signal on to the worker, which is nobody now; the bounding set empty.
	if [ "$(field "$NP_PID" Seccomp)" = 2 ] && [ "$(field "$NP_PID" NoNewPrivs)" = 1 ] &&
		[ "$(field "$NP_PID" CapEff)" = 0000000000000022 ] && [ "$(field "$NP_PID" CapBnd)" = 0000000000000000 ]; then
		lt_pass "watch-w/parent-sandboxed (pid $NP_PID: Seccomp 2, NoNewPrivs 1, CapEff 0x22, CapBnd 0, Uid $(field "$NP_PID" Uid | cut -f1))"
	else
		lt_fail "watch-w/parent-sandboxed: Seccomp '$(field "$NP_PID" Seccomp)' NoNewPrivs '$(field "$NP_PID" NoNewPrivs)' CapEff '$(field "$NP_PID" CapEff)' CapBnd '$(field "$NP_PID" CapBnd)'"
	fi
	pings_from_a 2
else
	lt_fail "watch-w: no \"watching\" line"
fi
lt_bg_reap watch-w 10
lt_expect_rc watch-w 0
if [ -s "$pcap" ] && [ ! -e "$pcap.partial" ] && [ "$(stat -c %u "$LT_WORK")" = 0 ]; then
	lt_pass "watch-w/renamed-in-root-dir ($(stat -c %s "$pcap") bytes, no .partial)"
else
	lt_fail "watch-w/renamed-in-root-dir: $(ls -l "$pcap"* 2>&1 | tr '\n' ' ')"
	lt_dump watch-w
fi

# --- watch -r FIFO, with SUDO_UID/SUDO_GID; and as an ordinary user ------------------------
src=$here/../../pcaps/icmp-ping.pcap
want=$("$NP" watch -r "$src" --no-summary 2>/dev/null | grep -c .)
# fifo_run RUN UID CMD...: CMD reads a FIFO; the capture is written into it, the writer held
# open until the reader is sandboxed, then closed: the reader decodes everything and exits 0.
fifo_run() {
	local run=$1 uid=$2 fifo=$LT_WORK/$1.fifo
	shift 2
	mkfifo -m 0644 "$fifo"
	lt_bg_in "$LT_NS_B" "$run" 20 "$@" watch -r "$fifo" --no-summary
	exec 7>"$fifo"
	cat "$src" >&7
	sandboxed "$run" decoder "$NP_PID" "$uid"
	exec 7>&-
	lt_bg_reap "$run" 10
	lt_expect_rc "$run" 0
	local n
	n=$(grep -c . "$LT_WORK/$run.out")
	if [ "$n" -eq "$want" ] && [ "$want" -gt 0 ]; then lt_pass "$run/decoded-all ($n lines)"; else
		lt_fail "$run/decoded-all: $n lines, want $want"; lt_dump "$run"; fi
}
fifo_run watch-fifo 4242 env SUDO_UID=4242 SUDO_GID=4242 "$NP"
cp "$NP" "$LT_WORK/netprobe-user"
chmod 755 "$LT_WORK/netprobe-user"
fifo_run watch-user "$NOBODY" "${AS_NOBODY[@]}" "$LT_WORK/netprobe-user"

# --- ping and trace from A ------------------------------------------------------------------
lt_bg_in "$LT_NS_A" ping 20 env -u SUDO_UID -u SUDO_GID "$NP" ping -c 3 -i 0.5 "$LT_B4"
sandboxed ping decoder "$NP_PID" "$NOBODY"
lt_bg_reap ping 10
lt_expect_rc ping 0
# TCP 8899 is dropped in B: hop 1 answers, then each hop waits its 1 s.
lt_bg_in "$LT_NS_A" trace 20 env -u SUDO_UID -u SUDO_GID "$NP" trace --syn -p "$LT_TCP_DROP" -m 3 -q 1 -W 1 "$LT_B4"
sandboxed trace decoder "$NP_PID" "$NOBODY"
lt_bg_reap trace 10
lt_expect_rc trace 0 1
grep -q "$LT_RA4" "$LT_WORK/trace.out" && lt_pass "trace/hop1-$LT_RA4" || { lt_fail "trace/hop1-$LT_RA4"; lt_dump trace; }
# trace --report (rounds, fixed flow): the same.
lt_bg_in "$LT_NS_A" report 20 env -u SUDO_UID -u SUDO_GID "$NP" trace --report -c 4 -i 0.5 -W 1 "$LT_B4"
sandboxed report decoder "$NP_PID" "$NOBODY"
lt_bg_reap report 10
lt_expect_rc report 0
grep -Eq "^ +2  $LT_B4 +0\.0%" "$LT_WORK/report.out" && lt_pass "report/table" || { lt_fail "report/table"; lt_dump report; }
# A scan (a port list, two targets, a slow rate so that it is still running when looked at).
lt_bg_in "$LT_NS_A" scan 20 env -u SUDO_UID -u SUDO_GID "$NP" ping --syn -p "$LT_TCP_OPEN,$LT_CLOSED" --rate 2 -W 1 "$LT_B4" "$LT_RB4"
sandboxed scan decoder "$NP_PID" "$NOBODY"
lt_bg_reap scan 10
lt_expect_rc scan 0
grep -Eq "^$LT_TCP_OPEN/tcp +open" "$LT_WORK/scan.out" && lt_pass "scan/open-row" || { lt_fail "scan/open-row"; lt_dump scan; }
# The kernel-built ICMP socket (-s past one frame, -M do), a flood, --vary-flow: the same.
lt_bg_in "$LT_NS_A" ping-big 20 env -u SUDO_UID -u SUDO_GID "$NP" ping -c 3 -i 0.5 -s 3000 "$LT_B4"
sandboxed ping-big decoder "$NP_PID" "$NOBODY"
lt_bg_reap ping-big 10
lt_expect_rc ping-big 0
[ "$(grep -c '^3008 bytes from' "$LT_WORK/ping-big.out")" = 3 ] && lt_pass "ping-big/3-replies" || { lt_fail "ping-big/3-replies"; lt_dump ping-big; }
lt_bg_in "$LT_NS_A" ping-pmtu 20 env -u SUDO_UID -u SUDO_GID "$NP" ping -c 3 -i 0.5 -M do -s 1200 "$LT_B4"
sandboxed ping-pmtu decoder "$NP_PID" "$NOBODY"
lt_bg_reap ping-pmtu 10
lt_expect_rc ping-pmtu 0
lt_bg_in "$LT_NS_A" flood 20 env -u SUDO_UID -u SUDO_GID "$NP" ping -f -q -w 2 "$LT_B4"
sandboxed flood decoder "$NP_PID" "$NOBODY"
lt_bg_reap flood 10
lt_expect_rc flood 0
grep -Eq '^[0-9]{3,} packets transmitted, [0-9]{3,} received' "$LT_WORK/flood.out" && lt_pass "flood/hundreds" || { lt_fail "flood/hundreds"; lt_dump flood; }
lt_bg_in "$LT_NS_A" vary 20 env -u SUDO_UID -u SUDO_GID "$NP" trace --report --vary-flow --udp -c 4 -i 0.5 -W 1 "$LT_B4"
sandboxed vary decoder "$NP_PID" "$NOBODY"
lt_bg_reap vary 10
lt_expect_rc vary 0
# ping -6 past one frame (the raw ICMPv6 socket), ping -I with -s past one frame (bound to
# the interface), trace --pmtu: the same.
lt_bg_in "$LT_NS_A" ping-big6 20 env -u SUDO_UID -u SUDO_GID "$NP" ping -6 -c 3 -i 0.5 -s 3000 "$LT_B6"
sandboxed ping-big6 decoder "$NP_PID" "$NOBODY"
lt_bg_reap ping-big6 10
lt_expect_rc ping-big6 0
[ "$(grep -c '^3008 bytes from' "$LT_WORK/ping-big6.out")" = 3 ] && lt_pass "ping-big6/3-replies" || { lt_fail "ping-big6/3-replies"; lt_dump ping-big6; }
lt_bg_in "$LT_NS_A" ping-big-if 20 env -u SUDO_UID -u SUDO_GID "$NP" ping -I veth-ar -c 3 -i 0.5 -s 2000 "$LT_B4"
sandboxed ping-big-if decoder "$NP_PID" "$NOBODY"
lt_bg_reap ping-big-if 10
lt_expect_rc ping-big-if 0
lt_bg_in "$LT_NS_A" trace-pmtu 20 env -u SUDO_UID -u SUDO_GID "$NP" trace --pmtu -q 1 -W 1 -m 3 "$LT_DOWN4"
sandboxed trace-pmtu decoder "$NP_PID" "$NOBODY"
lt_bg_reap trace-pmtu 10
lt_expect_rc trace-pmtu 1
lt_bg_in "$LT_NS_A" report-pmtu 20 env -u SUDO_UID -u SUDO_GID "$NP" trace --report --pmtu -c 4 -i 0.5 -W 1 "$LT_B4"
sandboxed report-pmtu decoder "$NP_PID" "$NOBODY"
lt_bg_reap report-pmtu 10
lt_expect_rc report-pmtu 0
grep -Eq "^ +2  $LT_B4 +0\.0% +4( +[0-9.]+){5} +1500\$" "$LT_WORK/report-pmtu.out" && lt_pass "report-pmtu/table" || { lt_fail "report-pmtu/table"; lt_dump report-pmtu; }

# --- setcap: no sudo, file capabilities on a copy ------------------------------------------
capdir=$LT_WORK/cap
mkdir -m 0755 "$capdir"
cp "$NP" "$capdir/netprobe"
cp "$(command -v cat)" "$capdir/cat"
chmod 755 "$capdir/netprobe" "$capdir/cat"
setcap cap_net_raw,cap_net_admin=eip "$capdir/netprobe" && setcap cap_net_raw=eip "$capdir/cat"
got=$(getcap "$capdir/netprobe")
# Does this filesystem honour file capabilities? A capability-carrying cat run by nobody
# shows a non-zero CapEff of its own if it does (overlayfs in some containers does not).
capeff=$("${AS_NOBODY[@]}" "$capdir/cat" /proc/self/status 2>&1 | awk '$1 == "CapEff:" { print $2 }')
if ! grep -q 'cap_net_admin,cap_net_raw=eip' <<<"$got" || [ -z "$capeff" ] || [ "$capeff" = 0000000000000000 ]; then
	msg="file capabilities are not honoured here (getcap: '$got'; a cap_net_raw=eip cat run by nobody has CapEff '$capeff'): the setcap test cannot run on this filesystem"
	if [ "${CI:-}" = true ]; then lt_fail "setcap: $msg"; else lt_skip "setcap: $msg"; fi
else
	lt_pass "setcap/file-caps-honoured ($got; cat as nobody: CapEff $capeff)"
	lt_bg_in "$LT_NS_B" setcap-watch 20 "${AS_NOBODY[@]}" "$capdir/netprobe" watch -i "$B_IF" -c 2
	if lt_wait_watching setcap-watch; then
		sandboxed setcap-watch decoder "$NP_PID" "$NOBODY"
		pings_from_a 2
	else
		lt_fail "setcap-watch: no \"watching\" line"
	fi
	lt_bg_reap setcap-watch 10
	lt_expect_rc setcap-watch 0
	n=$(grep -c 'ICMP' "$LT_WORK/setcap-watch.out")
	[ "$n" -eq 2 ] && lt_pass "setcap-watch/2-packets" || { lt_fail "setcap-watch/2-packets: $n"; lt_dump setcap-watch; }
	lt_bg_in "$LT_NS_A" setcap-ping 20 "${AS_NOBODY[@]}" "$capdir/netprobe" ping -c 2 -i 0.5 "$LT_B4"
	sandboxed setcap-ping decoder "$NP_PID" "$NOBODY"
	lt_bg_reap setcap-ping 10
	lt_expect_rc setcap-ping 0
	grep -q '2 packets transmitted, 2 received' "$LT_WORK/setcap-ping.out" && lt_pass "setcap-ping/2-replies" ||
		{ lt_fail "setcap-ping/2-replies"; lt_dump setcap-ping; }
fi

lt_finish
