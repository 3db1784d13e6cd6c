#!/usr/bin/env bash
# Live test of trace --report on two equal-cost paths (issue 15, Paris traceroute):
#
#                 10.77.62.1 -- 10.77.62.2 X1 10.77.64.1 -- 10.77.64.2
#   A 10.77.61.1 -- 10.77.61.2 R                                        B (10.77.69.1 on lo)
#                 10.77.63.1 -- 10.77.63.2 X2 10.77.65.1 -- 10.77.65.2
#
# (namespaces np-ec-<PID>-{a,r,x1,x2,b}, both veth ends inside them, no default route.) R
# routes 10.77.69.0/24 over both routers (ip route ... nexthop via X1 nexthop via X2) with L4
# hashing (net.ipv4.fib_multipath_hash_policy=1: the 5-tuple picks the path); B answers from
# 10.77.69.1 and returns through X1; the ICMP rate limit is off everywhere.
#   fixed-N      three runs of trace --report --udp -c 10 --json (each run its own source
#                port): every run sees hop 1 R, hop 2 one of X1/X2 and only that one (no
#                other_addr), 0% loss, hop 3 B: one stable path per flow
#   fixed-icmp   the same with ICMP echo probes (checksum kept constant)
#   vary         --vary-flow -c 16: a new source port per probe, so hop 2 shows both X1 and
#                X2 (other_addr, other_addrs); the text lists the second router under hop 2
#                (the chance that 16 probes all hash alike is 2 in 65536)
#   unpriv-udp-N, unpriv-icmp  the fixed-N and fixed-icmp runs as nobody (setpriv, a copy of
#                netprobe without file capabilities; net.ipv4.ping_group_range opened in A's
#                namespace): --udp is then one UDP socket for the run (bound once: one source
#                port), its TTL set probe by probe and each ICMP error told by the sequence
#                number the error queue gives back in the probe's data; ICMP one datagram socket
#                (one id) with the checksum kept constant (the requests captured on R: one id
#                and one checksum over every sequence number): one stable path per flow as
#                above, and the header says "fixed flow"
#   unpriv-vary  --udp --vary-flow -c 16 as nobody: a UDP socket per probe, each its own
#                source port (what every unprivileged --udp report did before: the
#                unpriv-udp-N checks fail on it), so hop 2 shows both X1 and X2
#   unpriv-sandbox  while an unprivileged fixed-flow --udp report runs: uid nobody, CapEff 0,
#                NoNewPrivs 1, Seccomp 2
#   bad          --vary-flow without --report, and with --syn: one line, exit 2
# Usage: test_ecmp.sh NETPROBE (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-ecmp
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout sysctl setpriv "$LT_PY"
P="np-ec-$$"
NSA=$P-a NSR=$P-r NSX1=$P-x1 NSX2=$P-x2 NSB=$P-b
B=10.77.69.1 R=10.77.61.2 X1=10.77.62.2 X2=10.77.63.2

ec_setup() {
	local ns conf
	trap lt_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LT_WORK=$(mktemp -d /tmp/np-ec.XXXXXX) || return 1
	for ns in $NSA $NSR $NSX1 $NSX2 $NSB; do
		lt_do ip netns add "$ns" || return 1
		LT_CREATED+=("$ns")
		lt_do ip -n "$ns" link set lo up || return 1
		for conf in all default; do
			lt_do ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$conf.rp_filter=0" || return 1
		done
		lt_do ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 || return 1
	done
	# link NS1 IF1 ADDR1 NS2 IF2 ADDR2
	link() {
		lt_do ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" &&
			lt_do ip -n "$1" addr add "$3/24" dev "$2" && lt_do ip -n "$4" addr add "$6/24" dev "$5" &&
			lt_do ip -n "$1" link set "$2" up && lt_do ip -n "$4" link set "$5" up
	}
	link $NSA v-a 10.77.61.1 $NSR v-ra $R &&
		link $NSR v-r1 10.77.62.1 $NSX1 v-1r $X1 &&
		link $NSR v-r2 10.77.63.1 $NSX2 v-2r $X2 &&
		link $NSX1 v-1b 10.77.64.1 $NSB v-b1 10.77.64.2 &&
		link $NSX2 v-2b 10.77.65.1 $NSB v-b2 10.77.65.2 || return 1
	lt_do ip -n $NSB addr add $B/32 dev lo || return 1
	for ns in $NSR $NSX1 $NSX2; do
		lt_do ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
	done
	lt_do ip netns exec $NSR sysctl -qw net.ipv4.fib_multipath_hash_policy=1 &&
		lt_do ip -n $NSA route add 10.77.69.0/24 via $R &&
		lt_do ip -n $NSR route add 10.77.69.0/24 nexthop via $X1 weight 1 nexthop via $X2 weight 1 &&
		lt_do ip -n $NSX1 route add 10.77.61.0/24 via 10.77.62.1 &&
		lt_do ip -n $NSX1 route add 10.77.69.0/24 via 10.77.64.2 &&
		lt_do ip -n $NSX2 route add 10.77.61.0/24 via 10.77.63.1 &&
		lt_do ip -n $NSX2 route add 10.77.69.0/24 via 10.77.65.2 &&
		lt_do ip -n $NSB route add 10.77.61.0/24 via 10.77.64.1 || return 1
	timeout 10 ip netns exec $NSA ping -c 1 -W 2 $B >/dev/null 2>&1 ||
		{ echo "test_ecmp.sh: A cannot reach B" >&2; return 1; }
}
echo "live ecmp: netprobe $NP, namespaces $P-{a,r,x1,x2,b}"
if ! ec_setup; then
	lt_fail "setup: the five-namespace topology could not be built"
	lt_finish
	exit 1
fi
LAST="[h for h in hops if h.get('round') == max(x.get('round') for x in hops)]"
STABLE="len($LAST) == 3 and $LAST[0].get('addr') == '$R' and $LAST[1].get('addr') in ('$X1', '$X2') and $LAST[2].get('addr') == '$B' and all(h.get('received') == 10 and h.get('loss_pct') == 0 and 'other_addr' not in h for h in $LAST)"

seen=""
for i in 1 2 3; do
	lt_run $NSA fixed-$i 30 "$NP" trace --report --udp -c 10 -i 0.1 -W 0.5 --json $B
	lt_expect_rc fixed-$i 0
	lt_expect_json fixed-$i "one-path" "$STABLE" "$LAST"
	seen="$seen $("$LT_PY" "$LT_DIR/jsonq.py" get "$LT_WORK/fixed-$i.out" "$LAST[1].get('addr')" 2>/dev/null)"
done
echo "  (hop 2 of the three fixed flows:$seen)"
lt_run $NSA fixed-icmp 30 "$NP" trace --report -c 10 -i 0.1 -W 0.5 --json $B
lt_expect_rc fixed-icmp 0
lt_expect_json fixed-icmp "one-path" "$STABLE" "$LAST"

lt_run $NSA vary 30 "$NP" trace --report --udp --vary-flow -c 16 -i 0.1 -W 0.5 --json $B
lt_expect_rc vary 0
lt_expect_json vary "both-paths" "len($LAST) == 3 and $LAST[1].get('other_addr') is True and sorted([$LAST[1].get('addr')] + $LAST[1].get('other_addrs', [])) == ['$X1', '$X2'] and $LAST[2].get('addr') == '$B' and $LAST[2].get('loss_pct') == 0" "$LAST"
lt_run $NSA vary-text 30 "$NP" trace --report --udp --vary-flow -c 16 -i 0.1 -W 0.5 $B
lt_expect_rc vary-text 0
if grep -Eq '^trace report .*, UDP probes, a new flow per probe$' "$LT_WORK/vary-text.out" &&
	grep -Eq '^  2  10\.77\.6[23]\.2 .*\(other addresses answered too\)$' "$LT_WORK/vary-text.out" &&
	grep -Eq '^     10\.77\.6[23]\.2$' "$LT_WORK/vary-text.out"; then
	lt_pass "vary-text/both-routers-listed"
else
	lt_fail "vary-text/both-routers-listed"
	lt_dump vary-text
fi

# Without privileges: a copy of netprobe that nobody may run, without file capabilities.
cp "$NP" "$LT_WORK/np" && chmod 755 "$LT_WORK/np" && chmod 755 "$LT_WORK"
U=(setpriv --reuid=nobody --regid=nogroup --clear-groups "$LT_WORK/np")
lt_do ip netns exec $NSA sysctl -qw net.ipv4.ping_group_range="0 2147483647"
useen=""
for i in 1 2 3; do
	lt_run $NSA unpriv-udp-$i 30 "${U[@]}" trace --report --udp -c 10 -i 0.1 -W 0.5 --json $B
	lt_expect_rc unpriv-udp-$i 0
	lt_expect_json unpriv-udp-$i "one-path" "$STABLE" "$LAST"
	useen="$useen $("$LT_PY" "$LT_DIR/jsonq.py" get "$LT_WORK/unpriv-udp-$i.out" "$LAST[1].get('addr')" 2>/dev/null)"
done
echo "  (hop 2 of the three unprivileged UDP flows:$useen)"
lt_expect_one_err_line unpriv-udp-1 'no CAP_NET_RAW' 'UDP socket' 'IP_RECVERR'
# the echo requests as they leave A (captured on R): one id, one checksum for every probe
ip netns exec $NSR timeout 20 tcpdump -i v-ra -w "$LT_WORK/unpriv-icmp.pcap" -U 'icmp[0] == 8' 2>/dev/null &
TD=$!
LT_PIDS+=("$TD")
sleep 1
lt_run $NSA unpriv-icmp 30 "${U[@]}" trace --report -c 10 -i 0.1 -W 0.5 --json $B
lt_expect_rc unpriv-icmp 0
lt_expect_json unpriv-icmp "one-path" "$STABLE" "$LAST"
sleep 0.5
kill -INT "$TD" 2>/dev/null
wait "$TD" 2>/dev/null
lt_forget "$TD"
if command -v tshark >/dev/null; then
	flows=$(tshark -r "$LT_WORK/unpriv-icmp.pcap" -T fields -e icmp.ident -e icmp.checksum 2>/dev/null | sort | uniq -c)
	seqs=$(tshark -r "$LT_WORK/unpriv-icmp.pcap" -T fields -e icmp.seq 2>/dev/null | sort -u | wc -l)
	if [ "$(wc -l <<<"$flows")" = 1 ] && [ "$seqs" -ge 30 ]; then
		lt_pass "unpriv-icmp/one-id-one-checksum ($seqs sequence numbers:$flows)"
	else
		lt_fail "unpriv-icmp/one-id-one-checksum: $seqs sequence numbers, id/checksum: $flows"
	fi
fi
lt_run $NSA unpriv-vary 30 "${U[@]}" trace --report --udp --vary-flow -c 16 -i 0.1 -W 0.5 --json $B
lt_expect_rc unpriv-vary 0
lt_expect_json unpriv-vary "both-paths" "len($LAST) == 3 and $LAST[1].get('other_addr') is True and sorted([$LAST[1].get('addr')] + $LAST[1].get('other_addrs', [])) == ['$X1', '$X2'] and $LAST[2].get('addr') == '$B'" "$LAST"
lt_bg_in $NSA unpriv-sandbox 30 "${U[@]}" trace --report --udp -c 12 -i 0.25 -W 0.5 $B
st=""
for ((k = 0; k < 100; k++)); do # NP_PID: setpriv, then the netprobe it execs
	st=$(cat "/proc/$NP_PID/status" 2>/dev/null)
	grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$st" && break
	sleep 0.05
done
if [ "$(awk '$1 == "Uid:" { print $2 }' <<<"$st")" = "$(id -u nobody)" ] &&
	grep -Eq '^CapEff:[[:space:]]+0+$' <<<"$st" && grep -Eq '^NoNewPrivs:[[:space:]]+1$' <<<"$st" &&
	grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$st"; then
	lt_pass "unpriv-sandbox/nobody-no-caps-nnp-seccomp"
else
	lt_fail "unpriv-sandbox/nobody-no-caps-nnp-seccomp: $(grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' <<<"$st" | tr '\n\t' '  ')"
fi
lt_bg_reap unpriv-sandbox 15
lt_expect_rc unpriv-sandbox 0
if grep -Eq '^trace report .*, UDP probes, fixed flow$' "$LT_WORK/unpriv-sandbox.out" &&
	grep -Eq '^  2  10\.77\.6[23]\.2 ' "$LT_WORK/unpriv-sandbox.out" &&
	! grep -q 'other addresses answered' "$LT_WORK/unpriv-sandbox.out"; then
	lt_pass "unpriv-sandbox/fixed-flow-one-router"
else
	lt_fail "unpriv-sandbox/fixed-flow-one-router"
	lt_dump unpriv-sandbox
fi

lt_run $NSA bad-plain 10 "$NP" trace --vary-flow $B
lt_expect_rc bad-plain 2
lt_expect_one_err_line bad-plain 'vary-flow' 'report'
lt_run $NSA bad-syn 10 "$NP" trace --report --vary-flow --syn -p 80 $B
lt_expect_rc bad-syn 2
lt_expect_one_err_line bad-syn 'vary-flow' 'TCP'
lt_finish
