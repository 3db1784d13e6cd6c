#!/usr/bin/env bash
# Live test of ping with several ports and targets (issue 15), against netns.sh's target B
# (10.77.20.2, one router hop from A), whose ports are: 8888 open (listener), 9999 closed (RST /
# ICMP port unreachable), 8899 DROPped, and here 8898 REJECTed (iptables -j REJECT, ICMP port
# unreachable); every other port of 8890-8900 is closed. 10.77.20.3 is added to B.
#   syn-list     --syn -p 8888,9999,8899,8898: open, closed, filtered (no answer), filtered
#                (ICMP port unreachable) per port, in JSON (target/port/proto/verdict) and in
#                the text table (one row per port, the SYN/ACK's mss/ws/sack, the ICMP reason);
#                exit 0
#   syn-range    --syn -p 8890-8900 --rate 500/s: 11 ports, 8888 not among them, 9 closed and
#                2 filtered; the summary counts them
#   udp-list     --udp -p 7777,9999,8899: open (echo), closed (port unreachable), open|filtered
#   block        ping 10.77.20.0/29: .1 (R), .2 and .3 (B) reply, .4-.6 do not (R's ICMP host
#                unreachable, or nothing within -W); the network and broadcast addresses are
#                not probed; exit 0
#   none         --syn -p 8899 and 8899-8899 to B twice over: nothing answers: exit 1
#   too-many     10.0.0.0/16, 300 hosts, a 20000-probe port range: one stderr line naming
#                the cap, exit 2, nothing sent (no namespace needed for that, but run in A)
#   bad-port     -p 80-70, -p 1,,2, -p 0: one stderr line, exit 2
#   trace-list   trace -p 1,2: refused (one port), exit 2
# Usage: test_scan.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-scan
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip iptables timeout "$LT_PY"
echo "live scan: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
REJ=8898
if ! lt_do nsB iptables -A INPUT -p tcp --dport "$REJ" -j REJECT ||
	! lt_do ip -n "$LT_NS_B" addr add 10.77.20.3/24 dev veth-br; then
	lt_fail "setup: REJECT rule / second address in B"
	lt_finish
	exit 1
fi

# verdicts RUN 'PORT:VERDICT ...': each port's probe objects carry that verdict, target B,
# proto PROTO.
verdicts() {
	local run=$1 want=$2 proto=$3 pv p v
	for pv in $want; do
		p=${pv%%:*} v=${pv#*:}
		lt_expect_json "$run" "port-$p-$v" \
			"[x.get('verdict') for x in probes if x.get('port') == $p] == ['$v'] and all(x.get('target') == '$LT_B4' and x.get('proto') == '$proto' for x in probes)" \
			"[(x.get('target'), x.get('port'), x.get('proto'), x.get('verdict')) for x in probes]"
	done
}
# row RUN REGEX: the text output has a line matching REGEX (ERE).
row() {
	if grep -Eq -- "$2" "$LT_WORK/$1.out"; then
		lt_pass "$1/row /$2/"
	else
		lt_fail "$1/row: no line matches /$2/"
		lt_dump "$1"
	fi
}

# 1. A port list: one verdict per port, JSON then text.
lt_run "$LT_NS_A" syn-list 30 "$NP" ping --syn -p 8888,9999,8899,$REJ -W 1 --json "$LT_B4"
lt_expect_rc syn-list 0
lt_expect_jsonlines syn-list
verdicts syn-list "8888:open 9999:closed 8899:filtered $REJ:filtered" tcp
lt_expect_json syn-list "synack-options" \
	"[get(x, 'reply.tcp.flags') for x in probes if x.get('port') == 8888] == [18]"
lt_expect_json syn-list "reject-icmp" \
	"[(get(x, 'reply.icmp.type'), get(x, 'reply.icmp.code')) for x in probes if x.get('port') == $REJ] == [(3, 3)]"
lt_expect_json syn-list "summary" \
	"summary.get('transmitted') == 4 and summary.get('received') == 3 and summary.get('targets') == 1 and summary.get('ports') == 4 and summary.get('verdicts') == {'open': 1, 'closed': 1, 'filtered': 2}" \
	"summary"
lt_run "$LT_NS_A" syn-list-text 30 "$NP" ping --syn -p 8888,9999,8899,$REJ -W 1 "$LT_B4"
lt_expect_rc syn-list-text 0
row syn-list-text "^PROBE $LT_B4: 1 target, 4 ports/tcp, 4 probes at 100/s$"
row syn-list-text "^$LT_B4$"
row syn-list-text "^PORT +VERDICT +RTT +TTL +ANSWER$"
row syn-list-text "^8888/tcp +open +[0-9.]+ ms +63  SYN/ACK win=[0-9]+ mss=[0-9]+ ws=[0-9]+ sack( ts)?$"
row syn-list-text "^9999/tcp +closed +[0-9.]+ ms +63  RST/ACK win=0$"
row syn-list-text "^8899/tcp +filtered +- +-  no answer in 1 s$"
row syn-list-text "^$REJ/tcp +filtered +[0-9.]+ ms +63  ICMP Port unreachable from $LT_B4$"
row syn-list-text "^4 probes transmitted, 3 answered, time [0-9]+ms$"
row syn-list-text "^4 ports: 1 open, 1 closed, 2 filtered$"

# 2. A range at a set rate.
lt_run "$LT_NS_A" syn-range 30 "$NP" ping --syn -p 8890-8900 --rate 500/s -W 1 --json "$LT_B4"
lt_expect_rc syn-range 0
lt_expect_json syn-range "ports" "sorted(x.get('port') for x in probes) == [8890, 8891, 8892, 8893, 8894, 8895, 8896, 8897, 8898, 8899, 8900]" \
	"sorted(x.get('port') for x in probes)"
verdicts syn-range "8890:closed 8897:closed 8898:filtered 8899:filtered 8900:closed" tcp
lt_expect_json syn-range "summary" \
	"summary.get('ports') == 11 and summary.get('verdicts') == {'closed': 9, 'filtered': 2}" "summary"

# 3. UDP: open (echo), closed, open|filtered (dropped: nothing comes back).
nsB iptables -A INPUT -p udp --dport 8899 -j DROP
lt_run "$LT_NS_A" udp-list 30 "$NP" ping --udp -p "$LT_UDP_OPEN,$LT_CLOSED,8899" -W 1 --json "$LT_B4"
lt_expect_rc udp-list 0
verdicts udp-list "$LT_UDP_OPEN:open $LT_CLOSED:closed 8899:open|filtered" udp

# 4. A /29 where some hosts exist.
lt_run "$LT_NS_A" block 30 "$NP" ping -W 1 --json 10.77.20.0/29
lt_expect_rc block 0
lt_expect_json block "targets" \
	"sorted(x.get('target') for x in probes) == ['10.77.20.1', '10.77.20.2', '10.77.20.3', '10.77.20.4', '10.77.20.5', '10.77.20.6'] and all(x.get('proto') == 'icmp' and 'port' not in x for x in probes)" \
	"[(x.get('target'), x.get('verdict')) for x in probes]"
lt_expect_json block "replies" \
	"sorted(x['target'] for x in probes if x.get('verdict') == 'reply') == ['10.77.20.1', '10.77.20.2', '10.77.20.3']" \
	"[(x.get('target'), x.get('verdict')) for x in probes]"
lt_expect_json block "silent" \
	"all(x.get('verdict') in ('timeout', 'unreachable') for x in probes if x['target'] in ('10.77.20.4', '10.77.20.5', '10.77.20.6'))" \
	"[(x.get('target'), x.get('verdict')) for x in probes]"
lt_expect_json block "summary" "summary.get('targets') == 6 and summary.get('transmitted') == 6 and get(summary, 'verdicts.reply') == 3" "summary"
lt_run "$LT_NS_A" block-text 30 "$NP" ping -W 1 10.77.20.0/29 "$LT_B4"
lt_expect_rc block-text 0
row block-text "^PROBE 10.77.20.0/29 $LT_B4: 6 targets, 6 probes at 100/s$"
row block-text "^TARGET +VERDICT +RTT +TTL +ANSWER$"
row block-text "^10.77.20.3 +reply +[0-9.]+ ms +63  echo reply$"
row block-text "^10.77.20.1 +reply +[0-9.]+ ms +64  echo reply$"
row block-text "^6 targets: 3 reply"

# 5. Nothing answers: exit 1.
lt_run "$LT_NS_A" none 30 "$NP" ping --syn -p 8899 -c 2 --rate 20 -W 0.5 --json "$LT_B4" "$LT_B4"
lt_expect_rc none 1
lt_expect_json none "two-silent" "[x.get('verdict') for x in probes] == ['filtered', 'filtered']" \
	"probes"

# 6. The caps and bad lists: one line, exit 2.
lt_run "$LT_NS_A" too-big-block 10 "$NP" ping 10.0.0.0/16
lt_expect_rc too-big-block 2
lt_expect_one_err_line too-big-block '10\.0\.0\.0/16' 'at most 256 targets'
mapfile -t many < <(for i in $(seq 1 300); do echo "10.77.30.$((i % 250 + 1))"; done)
lt_run "$LT_NS_A" too-many-hosts 10 "$NP" ping "${many[@]}"
lt_expect_rc too-many-hosts 2
lt_expect_one_err_line too-many-hosts 'at most 256 targets'
lt_run "$LT_NS_A" too-many-probes 10 "$NP" ping --syn -p 1-20000 "$LT_B4"
lt_expect_rc too-many-probes 2
lt_expect_one_err_line too-many-probes '20000 probes' 'at most 16384'
for bad in 80-70 1,,2 0 70000 8000-; do
	lt_run "$LT_NS_A" "bad-port-$bad" 10 "$NP" ping --syn -p "$bad" "$LT_B4"
	lt_expect_rc "bad-port-$bad" 2
	lt_expect_one_err_line "bad-port-$bad" "invalid port '$bad'"
done
lt_run "$LT_NS_A" bad-rate 10 "$NP" ping --syn -p 1,2 --rate 0 "$LT_B4"
lt_expect_rc bad-rate 2
lt_expect_one_err_line bad-rate "invalid rate '0'"
lt_run "$LT_NS_A" trace-list 10 "$NP" trace --syn -p 1,2 "$LT_B4"
lt_expect_rc trace-list 2
lt_expect_one_err_line trace-list 'one port at a time'
lt_finish
