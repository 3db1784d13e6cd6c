#!/usr/bin/env bash
# Live test of ping without privileges (issue 15): a copy of netprobe without file
# capabilities, run as nobody (setpriv, no sudo) in netns.sh's client A.
#   refused      net.ipv4.ping_group_range at its default ("1 0": nobody's group left out):
#                one stderr line naming sudo, setcap and ping_group_range, exit 2
#   echo         ping_group_range "0 2147483647" in A's namespace (the sysctl is per
#                namespace): ping -c 2 10.77.20.2 through an ICMP datagram socket: two reply
#                lines (ttl=63, no ip_id: the kernel does not pass it up), the summary, exit 0;
#                one stderr line saying what is not shown
#   json         the probe objects say "unprivileged":true, verdict reply, from B
#   ttl          -t 1: the router's time exceeded (from the socket's error queue), exit 1
#   echo6, ttl6  ping -6 the same way (an ICMPv6 datagram socket): two replies with hop limit
#                63, one stderr line; -t 1 --json: R's time exceeded, unprivileged, exit 1
#   sandbox      while it runs: uid nobody, CapEff 0, NoNewPrivs 1, Seccomp 2
#   sandbox6     the same while ping -6 -s 3000 runs (ICMPv6 datagram socket, fragmented)
#   syn-*        --syn as nobody falls back to connect() probes (nping --tcp-connect): one
#                stderr line saying so; -p 8888,9999,8899,8898 against B's open, closed (RST),
#                DROPped and REJECTed (icmp-host-prohibited) ports: open, closed, filtered,
#                filtered, no TTL shown, exit 0; one port twice (From lines, exit 0); IPv6
#                closed port as JSON ("method":"connect"); a DROPped port alone: exit 1
#   trace-*      trace as nobody: ICMP datagram socket with the TTL set probe by probe
#                (tracepath's way): R at hop 1, B at hop 2, exit 0; trace --report -c 3: the
#                same two hops, 0% loss
#   udp-*        --udp as nobody: a UDP socket per probe with IP_RECVERR (one stderr line
#                saying so); -p 7777,9999,8899 against B's UDP echo, closed port and DROPped
#                port: open (TTL 63), closed (ICMP port unreachable from B, no TTL shown: the
#                kernel does not pass it up), open|filtered, exit 0; IPv6 as JSON (closed with
#                the ICMPv6 error as its reply object, then open with ttl 63); DROP alone: exit 1
#   trace-udp4/6, trace-syn4/6  trace --udp and trace --syn (connect() with the TTL set and
#                IP_RECVERR) as nobody, IPv4 and IPv6: R at hop 1, B at hop 2, exit 0; the IPv4
#                UDP hops equal unprivileged traceroute's
#   sandbox-report-udp/syn, sandbox-udp  while trace --report and a UDP scan run as nobody:
#                uid nobody, CapEff 0, NoNewPrivs 1, Seccomp 2; the report: both hops at 0%
#                loss, its header saying "fixed flow" for --udp (one UDP socket for the run,
#                the probe told by its data) and "a new flow per probe" for --syn (a
#                connect() each, each its own source port)
#   sandbox-*    the connect() scan and the report while they run: uid nobody, CapEff 0,
#                NoNewPrivs 1, Seccomp 2
# Usage: test_unpriv.sh NETPROBE (root to build the namespaces; without root it skips with 77
# unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-unpriv
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout setpriv sysctl "$LT_PY"
echo "live unpriv: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
cp "$NP" "$LT_WORK/np" && chmod 755 "$LT_WORK/np" # LT_WORK is 0755: nobody may run it
U=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
NPU=$LT_WORK/np

nsA sysctl -qw net.ipv4.ping_group_range="1 0"
lt_run "$LT_NS_A" refused 20 "${U[@]}" "$NPU" ping -c 1 "$LT_B4"
lt_expect_rc refused 2
lt_expect_one_err_line refused 'sudo' 'setcap' 'ping_group_range'

lt_do nsA sysctl -qw net.ipv4.ping_group_range="0 2147483647"
lt_run "$LT_NS_A" echo 20 "${U[@]}" "$NPU" ping -c 2 -i 0.2 "$LT_B4"
lt_expect_rc echo 0
lt_expect_one_err_line echo 'no CAP_NET_RAW' 'datagram socket' 'IP id'
if [ "$(grep -cE "^64 bytes from $LT_B4: icmp_seq=[12] ttl=63 time=[0-9.]+ ms\$" "$LT_WORK/echo.out")" = 2 ] &&
	! grep -q ip_id "$LT_WORK/echo.out" &&
	grep -q '^2 packets transmitted, 2 received, 0% packet loss' "$LT_WORK/echo.out"; then
	lt_pass "echo/two-replies-no-ip_id"
else
	lt_fail "echo/two-replies-no-ip_id"
	lt_dump echo
fi

lt_run "$LT_NS_A" json 20 "${U[@]}" "$NPU" ping -c 2 -i 0.2 --json "$LT_B4"
lt_expect_rc json 0
lt_expect_json json "unprivileged" "len(probes) == 2 and all(p.get('unprivileged') is True and p.get('verdict') == 'reply' and p.get('from') == '$LT_B4' and 0 <= p.get('rtt_ms') < 1000 for p in probes)" "probes"

lt_run "$LT_NS_A" ttl 20 "${U[@]}" "$NPU" ping -c 1 -t 1 -W 1 "$LT_B4"
lt_expect_rc ttl 1
if grep -Eq "^From $LT_RA4 icmp_seq=1 Time to live exceeded\$" "$LT_WORK/ttl.out"; then
	lt_pass "ttl/time-exceeded-from-R"
else
	lt_fail "ttl/time-exceeded-from-R"
	lt_dump ttl
fi

# IPv6 through an ICMPv6 datagram socket (ping_group_range covers it): replies with the hop
# limit, R's time exceeded (hop limit 1) from the error queue, JSON unprivileged
lt_run "$LT_NS_A" echo6 20 "${U[@]}" "$NPU" ping -6 -c 2 -i 0.2 "$LT_B6"
lt_expect_rc echo6 0
lt_expect_one_err_line echo6 'no CAP_NET_RAW' 'ICMPv6 datagram socket' 'flow label'
if [ "$(grep -cE "^64 bytes from $LT_B6: icmp_seq=[12] ttl=63 time=[0-9.]+ ms\$" "$LT_WORK/echo6.out")" = 2 ] &&
	grep -q '^2 packets transmitted, 2 received, 0% packet loss' "$LT_WORK/echo6.out"; then
	lt_pass "echo6/two-replies"
else
	lt_fail "echo6/two-replies"
	lt_dump echo6
fi
lt_run "$LT_NS_A" ttl6 20 "${U[@]}" "$NPU" ping -6 -c 1 -t 1 -W 1 --json "$LT_B6"
lt_expect_rc ttl6 1
lt_expect_json ttl6 "time-exceeded-from-R" "len(probes) == 1 and probes[0].get('unprivileged') is True and probes[0].get('from') == '$LT_RA6' and probes[0].get('verdict') == 'ttl-exceeded'" "probes"

# lt_check_sandbox RUN: while RUN (started with lt_bg_in) runs: Seccomp 2, uid nobody, CapEff 0,
# NoNewPrivs 1.
check_sandbox() {
	local run=$1 st="" all="" uid cap nnp i
	# one read of the status for every field: a short run may end between two reads
	for ((i = 0; i < 100; i++)); do
		all=$(cat "/proc/$NP_PID/status" 2>/dev/null)
		st=$(awk '$1 == "Seccomp:" { print $2 }' <<<"$all")
		[ "$st" = 2 ] && break
		sleep 0.05
	done
	uid=$(awk '$1 == "Uid:" { print $2 }' <<<"$all")
	cap=$(awk '$1 == "CapEff:" { print $2 }' <<<"$all")
	nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$all")
	if [ "$st" = 2 ] && [ "$uid" = "$(id -u nobody)" ] && [ "$cap" = 0000000000000000 ] && [ "$nnp" = 1 ]; then
		lt_pass "$run/nobody-seccomp (Uid $uid, CapEff $cap, NoNewPrivs $nnp, Seccomp $st)"
	else
		lt_fail "$run/nobody-seccomp: Uid '$uid' CapEff '$cap' NoNewPrivs '$nnp' Seccomp '$st'"
	fi
}

# The sandbox and the identity while it runs.
lt_bg_in "$LT_NS_A" sandbox 20 "${U[@]}" "$NPU" ping -c 4 -i 0.5 "$LT_B4"
check_sandbox sandbox
lt_bg_reap sandbox 10
lt_expect_rc sandbox 0
lt_bg_in "$LT_NS_A" sandbox6 20 "${U[@]}" "$NPU" ping -6 -c 4 -i 0.5 -s 3000 "$LT_B6"
check_sandbox sandbox6
lt_bg_reap sandbox6 10
lt_expect_rc sandbox6 0

# --syn without privileges: connect() probes. 8898 is REJECTed with an ICMP host prohibited.
nsB iptables -A INPUT -p tcp --dport 8898 -j REJECT --reject-with icmp-host-prohibited 2>/dev/null ||
	lt_do nsB nft add rule inet np_lt input tcp dport 8898 reject with icmp type host-prohibited
lt_run "$LT_NS_A" syn-ports 20 "${U[@]}" "$NPU" ping --syn -p "$LT_TCP_OPEN,$LT_CLOSED,$LT_TCP_DROP,8898" -W 1 "$LT_B4"
lt_expect_rc syn-ports 0
lt_expect_one_err_line syn-ports 'no CAP_NET_RAW' 'connect\(\)'
want="$LT_TCP_OPEN/tcp open - connect() established
$LT_CLOSED/tcp closed - connect() refused
$LT_TCP_DROP/tcp filtered - no answer
8898/tcp filtered - connect() unreachable"
got=$(awk '$1 ~ /^[0-9]+\/tcp$/ { ttl = ($2 == "filtered" && $3 == "-") ? $4 : $5; a = ($3 == "-") ? $5 " " $6 : $6 " " $7; print $1, $2, ttl, a }' "$LT_WORK/syn-ports.out")
if [ "$got" = "$want" ]; then
	lt_pass "syn-ports/verdicts (open, closed, filtered by DROP, filtered by REJECT)"
else
	lt_fail "syn-ports/verdicts: got '$got'"
	lt_dump syn-ports
fi

lt_run "$LT_NS_A" syn-one 20 "${U[@]}" "$NPU" ping --syn -p "$LT_TCP_OPEN" -c 2 -i 0.2 "$LT_B4"
lt_expect_rc syn-one 0
if [ "$(grep -cE "^From $LT_B4: seq=[12] open time=[0-9.]+ ms \| connect\(\) established" "$LT_WORK/syn-one.out")" = 2 ] &&
	grep -q '^2 packets transmitted, 2 received, 0% packet loss' "$LT_WORK/syn-one.out"; then
	lt_pass "syn-one/two-open-lines"
else
	lt_fail "syn-one/two-open-lines"
	lt_dump syn-one
fi
lt_run "$LT_NS_A" syn-json6 20 "${U[@]}" "$NPU" ping --syn -p "$LT_CLOSED" -c 1 --json "$LT_B6"
lt_expect_rc syn-json6 0
lt_expect_json syn-json6 "closed-by-connect" "len(probes) == 1 and probes[0].get('verdict') == 'closed' and probes[0].get('method') == 'connect' and probes[0].get('port') == $LT_CLOSED and 'ttl' not in probes[0]" "probes"
lt_run "$LT_NS_A" syn-drop 20 "${U[@]}" "$NPU" ping --syn -p "$LT_TCP_DROP" -c 1 -W 0.5 "$LT_B4"
lt_expect_rc syn-drop 1

lt_bg_in "$LT_NS_A" sandbox-syn 20 "${U[@]}" "$NPU" ping --syn -p "$LT_TCP_OPEN,$LT_CLOSED,$LT_TCP_DROP" -c 20 --rate 20 -W 0.5 "$LT_B4"
check_sandbox sandbox-syn
lt_bg_reap sandbox-syn 10
lt_expect_rc sandbox-syn 0
n=$(lt_synrecv_from "$LT_A4" 2>/dev/null)
if [ "$n" -eq 0 ]; then lt_pass "syn/no-connection-left-in-B"; else lt_fail "syn/$n connections left in B"; fi

# trace without privileges: tracepath's way, on the ICMP datagram socket.
lt_run "$LT_NS_A" trace-plain 20 "${U[@]}" "$NPU" trace -q 2 -W 1 "$LT_B4"
lt_expect_rc trace-plain 0
if grep -Eq "^ 1  $LT_RA4  [0-9.]+ ms  [0-9.]+ ms\$" "$LT_WORK/trace-plain.out" &&
	grep -Eq "^ 2  $LT_B4  [0-9.]+ ms  [0-9.]+ ms\$" "$LT_WORK/trace-plain.out" &&
	[ "$(grep -c '^ [0-9]' "$LT_WORK/trace-plain.out")" = 2 ]; then
	lt_pass "trace-plain/R-then-B"
else
	lt_fail "trace-plain/R-then-B"
	lt_dump trace-plain
fi
lt_bg_in "$LT_NS_A" trace-report 20 "${U[@]}" "$NPU" trace --report -c 3 -i 0.3 "$LT_B4"
check_sandbox trace-report
lt_bg_reap trace-report 15
lt_expect_rc trace-report 0
if grep -Eq "^  1  $LT_RA4 +0\.0% +3 " "$LT_WORK/trace-report.out" &&
	grep -Eq "^  2  $LT_B4 +0\.0% +3 " "$LT_WORK/trace-report.out" &&
	! grep -q '^  3 ' "$LT_WORK/trace-report.out"; then
	lt_pass "trace-report/two-hops-no-loss"
else
	lt_fail "trace-report/two-hops-no-loss"
	lt_dump trace-report
fi
# --udp without privileges: a UDP socket per probe with IP_RECVERR (traceroute's and
# tracepath's way). UDP 8899 is DROPped in B: silence, open|filtered as nping says.
nsB iptables -A INPUT -p udp --dport "$LT_TCP_DROP" -j DROP 2>/dev/null ||
	lt_do nsB nft add rule inet np_lt input udp dport "$LT_TCP_DROP" drop
lt_run "$LT_NS_A" udp-ports 20 "${U[@]}" "$NPU" ping --udp -p "$LT_UDP_OPEN,$LT_CLOSED,$LT_TCP_DROP" -W 1 "$LT_B4"
lt_expect_rc udp-ports 0
lt_expect_one_err_line udp-ports 'no CAP_NET_RAW' 'UDP socket' 'IP_RECVERR'
want="$LT_UDP_OPEN/udp open 63 UDP answer
$LT_CLOSED/udp closed - ICMP Port unreachable from $LT_B4
$LT_TCP_DROP/udp open|filtered - no answer in 1 s"
got=$(awk '$1 ~ /^[0-9]+\/udp$/ { if ($3 == "-") { ttl = $4; f = 5 } else { ttl = $5; f = 6 } a = $f; for (i = f + 1; i <= NF; i++) a = a " " $i; print $1, $2, ttl, a }' "$LT_WORK/udp-ports.out")
if [ "$got" = "$want" ]; then
	lt_pass "udp-ports/verdicts (open with its TTL, closed by port unreachable, open|filtered by DROP)"
else
	lt_fail "udp-ports/verdicts: got '$got'"
	lt_dump udp-ports
fi
lt_run "$LT_NS_A" udp-json6 20 "${U[@]}" "$NPU" ping --udp -p "$LT_CLOSED,$LT_UDP_OPEN" -c 1 --json "$LT_B6"
lt_expect_rc udp-json6 0
lt_expect_json udp-json6 "closed-then-open" "len(probes) == 2 and [p.get('verdict') for p in probes] == ['closed', 'open'] and all(p.get('unprivileged') is True and p.get('from') == '$LT_B6' for p in probes) and probes[0]['reply']['icmp6']['type'] == 1 and probes[1]['ttl'] == 63" "probes"
lt_run "$LT_NS_A" udp-drop 20 "${U[@]}" "$NPU" ping --udp -p "$LT_TCP_DROP" -c 1 -W 0.5 "$LT_B4"
lt_expect_rc udp-drop 1

# trace_hops NAME ADDR...: the hop lines of NAME.out are exactly ADDR at hop 1, 2, ...
trace_hops() {
	local run=$1 i=0 a
	shift
	for a in "$@"; do
		i=$((i + 1))
		grep -Eq "^ $i  $a( +[0-9.]+ ms)+\$" "$LT_WORK/$run.out" || return 1
	done
	[ "$(grep -c '^ [0-9]' "$LT_WORK/$run.out")" = "$#" ]
}
# trace --udp and --syn without privileges, IPv4 and IPv6; traceroute (UDP, unprivileged) is
# the oracle for the IPv4 hops.
for t in "udp4 --udp $LT_B4 $LT_RA4" "udp6 --udp $LT_B6 $LT_RA6" \
	"syn4 --syn $LT_TCP_OPEN $LT_B4 $LT_RA4" "syn6 --syn $LT_CLOSED $LT_B6 $LT_RA6"; do
	# shellcheck disable=SC2086 # the words of one case
	set -- $t
	tn=$1
	if [ "$2" = --udp ]; then args=(--udp); dst=$3 r=$4; else args=(--syn -p "$3"); dst=$4 r=$5; fi
	lt_run "$LT_NS_A" "trace-$tn" 20 "${U[@]}" "$NPU" trace "${args[@]}" -q 2 -W 1 "$dst"
	lt_expect_rc "trace-$tn" 0
	if trace_hops "trace-$tn" "$r" "$dst"; then
		lt_pass "trace-$tn/R-then-B"
	else
		lt_fail "trace-$tn/R-then-B"
		lt_dump "trace-$tn"
	fi
done
lt_expect_one_err_line trace-syn4 'no CAP_NET_RAW' 'connect\(\)' 'TTL' 'IP_RECVERR'
if command -v traceroute >/dev/null; then
	lt_run "$LT_NS_A" traceroute 20 "${U[@]}" traceroute -n -q 1 -w 1 "$LT_B4"
	ours=$(awk '/^ [0-9]/ { print $1, $2 }' "$LT_WORK/trace-udp4.out")
	theirs=$(awk '/^ [0-9]/ { print $1, $2 }' "$LT_WORK/traceroute.out")
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
		lt_pass "trace-udp4/same-hops-as-traceroute-unprivileged"
	else
		lt_fail "trace-udp4/hops '$ours' vs traceroute's '$theirs'"
	fi
fi
for k in udp syn; do
	# --udp: one socket for the run (Paris); --syn: a connect() each, a port each
	if [ $k = udp ]; then args=(--udp) flow="fixed flow"; else args=(--syn -p "$LT_TCP_OPEN") flow="a new flow per probe"; fi
	lt_bg_in "$LT_NS_A" "sandbox-report-$k" 20 "${U[@]}" "$NPU" trace "${args[@]}" --report -c 3 -i 0.3 "$LT_B4"
	check_sandbox "sandbox-report-$k"
	lt_bg_reap "sandbox-report-$k" 15
	lt_expect_rc "sandbox-report-$k" 0
	if grep -Eq "^  1  $LT_RA4 +0\.0% +3 " "$LT_WORK/sandbox-report-$k.out" &&
		grep -Eq "^  2  $LT_B4 +0\.0% +3 " "$LT_WORK/sandbox-report-$k.out" &&
		grep -q "$flow" "$LT_WORK/sandbox-report-$k.out"; then
		lt_pass "sandbox-report-$k/two-hops-no-loss-${flow// /-}"
	else
		lt_fail "sandbox-report-$k/two-hops-no-loss-${flow// /-}"
		lt_dump "sandbox-report-$k"
	fi
done
lt_bg_in "$LT_NS_A" sandbox-udp 20 "${U[@]}" "$NPU" ping --udp -p "$LT_UDP_OPEN,$LT_CLOSED,$LT_TCP_DROP" -c 20 --rate 20 -W 0.5 "$LT_B4"
check_sandbox sandbox-udp
lt_bg_reap sandbox-udp 10
lt_expect_rc sandbox-udp 0
lt_finish
