#!/usr/bin/env bash
# Live test of `netprobe trace --report` / `--live` (issue 15) across three routers:
#
#   A 10.77.41.1 -- 10.77.41.2 R1 10.77.42.1 -- 10.77.42.2 R2 10.77.43.1 -- 10.77.43.2 R3
#     10.77.44.1 -- 10.77.44.2 B
#
# (namespaces np-rp-<PID>-{a,r1,r2,r3,b}, both veth ends inside them, no default route: A and
# B route 10.77.40.0/21 to their router, the routers the subnets behind their neighbours; the
# kernel's ICMP rate limit off everywhere, so that only what the test sets limits replies).
#   clean        --report -c 10 --json: the last round names 4 hops (R1, R2, R3, B), each sent
#                10 and received 10 (0% loss), none rate_limited; the JSON objects carry
#                ts, round, the statistics keys; text: the table with 0.0% on every line and
#                no note; exit 0
#   limited      R2 allows itself one ICMP time exceeded a second (iptables -m limit, the
#                rest dropped): R2's hop loses probes, R3 and B do not: hop 2 is rate_limited
#                in JSON, and the text names it in its note line; hops 1, 3 and 4 at 0%
#   udp, syn     --report with --udp and --syn -p 80 (closed at B: a RST ends it) reach B
#   live         --live -c 3 without a terminal: one report at the end, no escape codes;
#                under script(1) (a terminal): the table cleared and redrawn after each round
#   unreached    --report -c 2 -m 2: B not reached in 2 hops: exit 1
#   bad          --report --live, --report -q 2, -c without --report: one line, exit 2
#   mtr          mtr --report -c 10 in the same namespaces, shown beside ours (not compared
#                line by line: mtr probes with its own timing), when mtr is installed: its hop
#                addresses must be ours
# Usage: test_report.sh NETPROBE (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-report
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip iptables timeout sysctl "$LT_PY"
P="np-rp-$$"
NSA=$P-a NS1=$P-r1 NS2=$P-r2 NS3=$P-r3 NSB=$P-b
B=10.77.44.2

rp_setup() {
	local ns conf
	trap lt_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LT_WORK=$(mktemp -d /tmp/np-rp.XXXXXX) || return 1
	for ns in $NSA $NS1 $NS2 $NS3 $NSB; do
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
	link $NSA v-a 10.77.41.1 $NS1 v-1a 10.77.41.2 &&
		link $NS1 v-12 10.77.42.1 $NS2 v-21 10.77.42.2 &&
		link $NS2 v-23 10.77.43.1 $NS3 v-32 10.77.43.2 &&
		link $NS3 v-3b 10.77.44.1 $NSB v-b 10.77.44.2 || return 1
	for ns in $NS1 $NS2 $NS3; do
		lt_do ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
	done
	lt_do ip -n $NSA route add 10.77.40.0/21 via 10.77.41.2 &&
		lt_do ip -n $NS1 route add 10.77.43.0/24 via 10.77.42.2 &&
		lt_do ip -n $NS1 route add 10.77.44.0/24 via 10.77.42.2 &&
		lt_do ip -n $NS2 route add 10.77.41.0/24 via 10.77.42.1 &&
		lt_do ip -n $NS2 route add 10.77.44.0/24 via 10.77.43.2 &&
		lt_do ip -n $NS3 route add 10.77.41.0/24 via 10.77.43.1 &&
		lt_do ip -n $NS3 route add 10.77.42.0/24 via 10.77.43.1 &&
		lt_do ip -n $NSB route add 10.77.40.0/21 via 10.77.44.1 || return 1
	timeout 10 ip netns exec $NSA ping -c 1 -W 2 $B >/dev/null 2>&1 ||
		{ echo "test_report.sh: A cannot reach B" >&2; return 1; }
}
echo "live report: netprobe $NP, namespaces $P-{a,r1,r2,r3,b}"
if ! rp_setup; then
	lt_fail "setup: the five-namespace topology could not be built"
	lt_finish
	exit 1
fi
HOPS="['10.77.41.2', '10.77.42.2', '10.77.43.2', '$B']"
# last RUN: the hop objects of the last round
LAST="[h for h in hops if h.get('round') == max(x.get('round') for x in hops)]"

# 1. A clean path.
lt_run $NSA clean 60 "$NP" trace --report -c 10 -i 0.2 -W 1 --json $B
lt_expect_rc clean 0
lt_expect_jsonlines clean
lt_expect_json clean "hops" "[h.get('addr') for h in $LAST] == $HOPS and [h.get('ttl') for h in $LAST] == [1, 2, 3, 4]" "$LAST"
lt_expect_json clean "no-loss" "all(h.get('sent') == 10 and h.get('received') == 10 and h.get('loss_pct') == 0 and h.get('rate_limited') is False for h in $LAST)" "$LAST"
lt_expect_json clean "rounds" "sorted(set(h.get('round') for h in hops)) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]" "sorted(set(h.get('round') for h in hops))"
lt_expect_json clean "keys" "all(isinstance(h.get('ts'), str) and all(num(h.get(k)) for k in ('last_ms', 'avg_ms', 'best_ms', 'worst_ms', 'stdev_ms')) and h['best_ms'] <= h['avg_ms'] <= h['worst_ms'] for h in hops)" "hops[:2]"
lt_expect_json clean "summary" "summary.get('reached') is True and summary.get('transmitted') == summary.get('received')" "summary"
lt_run $NSA clean-text 60 "$NP" trace --report -c 10 -i 0.2 -W 1 $B
lt_expect_rc clean-text 0
if [ "$(grep -cE '^ +[1-4]  10\.77\.4[1-4]\.2 +0\.0% +10 ' "$LT_WORK/clean-text.out")" = 4 ] &&
	grep -Eq '^HOP  ADDRESS .*Loss% +Sent +Last +Avg +Best +Worst +StDev$' "$LT_WORK/clean-text.out" &&
	! grep -q '^note:' "$LT_WORK/clean-text.out"; then
	lt_pass "clean-text/table"
else
	lt_fail "clean-text/table"
	lt_dump clean-text
fi

# 2. R2 limits its ICMP time exceeded to one a second.
lt_do ip netns exec $NS2 iptables -A OUTPUT -p icmp --icmp-type time-exceeded -m limit --limit 1/second --limit-burst 1 -j ACCEPT &&
	lt_do ip netns exec $NS2 iptables -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP ||
	lt_fail "limited: the iptables rules in R2"
lt_run $NSA limited 60 "$NP" trace --report -c 10 -i 0.2 -W 0.5 --json $B
lt_expect_rc limited 0
lt_expect_json limited "hop2-loses" "[h.get('addr') for h in $LAST] == $HOPS and $LAST[1]['loss_pct'] >= 30 and $LAST[1]['rate_limited'] is True" "$LAST"
lt_expect_json limited "others-clean" "all(h.get('loss_pct') == 0 and h.get('rate_limited') is False for h in $LAST if h.get('ttl') != 2)" "$LAST"
lt_run $NSA limited-text 60 "$NP" trace --report -c 10 -i 0.2 -W 0.5 $B
lt_expect_rc limited-text 0
if grep -Eq '^note: hop 2 \(10\.77\.42\.2\) loses [0-9.]+% but the last hop only 0\.0%: that router limits its ICMP replies; it is not loss on the path$' "$LT_WORK/limited-text.out" &&
	grep -Eq '^ +2  10\.77\.42\.2 .*rate-limited$' "$LT_WORK/limited-text.out" &&
	[ "$(grep -c '^note:' "$LT_WORK/limited-text.out")" = 1 ]; then
	lt_pass "limited-text/note-names-hop-2"
else
	lt_fail "limited-text/note-names-hop-2"
	lt_dump limited-text
fi

# 3. Other probe kinds.
lt_run $NSA udp 60 "$NP" trace --report --udp -c 3 -i 0.2 -W 0.5 --json $B
lt_expect_rc udp 0
lt_expect_json udp "reaches-B" "[h.get('addr') for h in $LAST][-1] == '$B' and len($LAST) == 4" "$LAST"
lt_run $NSA syn 60 "$NP" trace --report --syn -p 80 -c 3 -i 0.2 -W 0.5 --json $B
lt_expect_rc syn 0
lt_expect_json syn "reaches-B" "[h.get('addr') for h in $LAST][-1] == '$B' and len($LAST) == 4" "$LAST"

# 4. --live without a terminal: the report once, at the end.
lt_run $NSA live 60 "$NP" trace --live -c 3 -i 0.2 -W 0.5 $B
lt_expect_rc live 0
if [ "$(grep -c '^HOP ' "$LT_WORK/live.out")" = 1 ] && ! grep -q $'\033' "$LT_WORK/live.out" &&
	grep -q 'round 3 of 3' "$LT_WORK/live.out"; then
	lt_pass "live/one-report-no-escapes"
else
	lt_fail "live/one-report-no-escapes"
	lt_dump live
fi

# --live on a terminal (script(1) gives it one): the table redrawn after every round, in the
# sandbox (the terminal was asked about before it).
if command -v script >/dev/null 2>&1; then
	lt_run $NSA live-tty 60 script -qec "$NP trace --live -c 3 -i 0.2 -W 0.5 $B" /dev/null
	lt_expect_rc live-tty 0
	if [ "$(grep -o $'\033\\[H\033\\[2J' "$LT_WORK/live-tty.out" | wc -l)" = 3 ] &&
		grep -q 'round 3 of 3' "$LT_WORK/live-tty.out"; then
		lt_pass "live-tty/redrawn-3-times"
	else
		lt_fail "live-tty/redrawn-3-times: $(grep -c 'round' "$LT_WORK/live-tty.out") rounds shown"
		lt_dump live-tty
	fi
else
	lt_skip "live-tty: no script(1)"
fi

# 5. Not reached; bad command lines.
lt_run $NSA unreached 30 "$NP" trace --report -c 2 -m 2 -i 0.2 -W 0.5 $B
lt_expect_rc unreached 1
lt_run $NSA bad-both 10 "$NP" trace --report --live $B
lt_expect_rc bad-both 2
lt_expect_one_err_line bad-both 'exclusive'
lt_run $NSA bad-q 10 "$NP" trace --report -q 2 $B
lt_expect_rc bad-q 2
lt_expect_one_err_line bad-q 'one probe per hop'
lt_run $NSA bad-c 10 "$NP" trace -c 2 $B
lt_expect_rc bad-c 2
lt_expect_one_err_line bad-c '-c goes with --report or --live'

# 6. mtr beside it, same namespaces.
if command -v mtr >/dev/null 2>&1; then
	ip netns exec $NS2 iptables -F OUTPUT
	lt_run $NSA mtr 60 mtr --report -n -c 10 -i 0.2 $B
	lt_run $NSA ours 60 "$NP" trace --report -c 10 -i 0.2 -W 1 $B
	echo "  mtr --report -n -c 10 -i 0.2 $B:"
	sed 's/^/    /' "$LT_WORK/mtr.out"
	echo "  netprobe trace --report -c 10 -i 0.2 $B:"
	sed 's/^/    /' "$LT_WORK/ours.out"
	m=$(grep -oE '\|-- [0-9.]+' "$LT_WORK/mtr.out" | awk '{print $2}' | tr '\n' ' ')
	o=$(grep -oE '^ +[0-9]+  [0-9.]+' "$LT_WORK/ours.out" | awk '{print $2}' | tr '\n' ' ')
	if [ -n "$m" ] && [ "$m" = "$o" ]; then lt_pass "mtr/same-hops ($m)"; else lt_fail "mtr/same-hops: mtr '$m', ours '$o'"; fi
else
	lt_skip "mtr: not installed"
fi
lt_finish
