#!/usr/bin/env bash
# Live test of `netprobe ping --syn` / `--udp` against the services of netns.sh's target B
# (10.77.20.2, one router hop from A):
#   syn-open     --syn -p 8888: verdict open, reply.tcp flags SYN+ACK (18) from port 8888,
#                exit 0; about 1 s later B holds no half-open (SYN-RECV) nor established
#                connection from A (the probe's SYN/ACK was answered with a RST)
#   syn-closed   --syn -p 9999: verdict closed, reply.tcp has RST, exit 0 (an answer came)
#   syn-filtered --syn -p 8899 (dropped by iptables in B): verdict filtered, no reply/from/rtt,
#                summary received 0, exit 1
#   udp-closed   --udp -p 9999: verdict closed, ICMP port unreachable from 10.77.20.2 quoting
#                our datagram (reply.icmp.quote.udp.dport 9999), exit 0
#   udp-open     --udp -p 7777 (echo service): verdict open, reply.udp from port 7777, exit 0
#   syn6-open, udp6-closed   the same over IPv6 (SKIP when netprobe says IPv6 probes are
#                not supported)
#   offload-*    checksum offload back on (ethtool -K tx on, the veth default) on every veth
#                end: --syn and --udp to the open ports, over IPv4 and IPv6. The SYN/ACK and
#                the UDP echo then come back with their checksums unfilled (only the
#                pseudo-header sum, as on every container network): no reply may say
#                "csum_status":"bad", and at least one must say "offloaded" (so the case
#                really ran with offload on). 35ba368 called them all "bad".
# Usage: test_probes.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-probes
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip ss timeout ethtool "$LT_PY"
echo "live probes: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

# answered RUN VERDICT FROM COUNT: COUNT probes (seq 1..COUNT), each with VERDICT, from FROM,
# with an rtt and a decoded reply.
answered() {
	local run=$1 verdict=$2 from=$3 count=$4
	lt_expect_jsonlines "$run"
	lt_expect_json "$run" "probe-count" "len(probes) == $count" "len(probes)"
	lt_expect_json "$run" "seq" "[p.get('seq') for p in probes] == [$(seq -s, 1 "$count")]" \
		"[p.get('seq') for p in probes]"
	lt_expect_json "$run" "verdict-$verdict" "len(probes) > 0 and all(p.get('verdict') == '$verdict' for p in probes)" \
		"[p.get('verdict') for p in probes]"
	lt_expect_json "$run" "from" "len(probes) > 0 and all(p.get('from') == '$from' for p in probes)" \
		"[p.get('from') for p in probes]"
	lt_expect_json "$run" "rtt" "len(probes) > 0 and all(num(p.get('rtt_ms')) and 0 <= p['rtt_ms'] < 5000 for p in probes)" \
		"[p.get('rtt_ms') for p in probes]"
	lt_expect_json "$run" "reply-ip-src" "len(probes) > 0 and all(get(p, 'reply.ip.src') == '$from' for p in probes)" \
		"[get(p, 'reply.ip') for p in probes]"
	lt_expect_json "$run" "summary-received" \
		"summary.get('transmitted') == $count and summary.get('received') == $count and summary.get('loss_pct') == 0" \
		"summary"
}

# unsupported RUN: netprobe refused RUN as not supported (exit 2 and says so).
unsupported() {
	[ "$(cat "$LT_WORK/$1.rc")" = 2 ] && grep -Eiq 'not supported|unsupported' "$LT_WORK/$1.err"
}

# 1. SYN to the open port, and nothing left behind in B.
lt_run "$LT_NS_A" syn-open 20 "$NP" ping --syn -p "$LT_TCP_OPEN" -c 2 -i 0.2 -W 2 --json "$LT_B4"
lt_expect_rc syn-open 0
answered syn-open open "$LT_B4" 2
lt_expect_json syn-open "reply-tcp-synack" \
	"len(probes) > 0 and all(get(p, 'reply.tcp.flags') == 18 and get(p, 'reply.tcp.sport') == $LT_TCP_OPEN for p in probes)" \
	"[(get(p, 'reply.tcp.sport'), get(p, 'reply.tcp.flags'), get(p, 'reply.tcp.flag_names')) for p in probes]"
sleep 1
left=$(lt_synrecv_from "$LT_A4" 2>"$LT_WORK/ss.err")
if [ "$left" -eq 0 ]; then
	lt_pass "syn-open/no-half-open-in-B"
else
	lt_fail "syn-open/no-half-open-in-B: $left connection(s) from $LT_A4 in B 1 s later: $(tr '\n' ' ' <"$LT_WORK/ss.err")"
fi

# 2. SYN to the closed port: RST.
lt_run "$LT_NS_A" syn-closed 20 "$NP" ping --syn -p "$LT_CLOSED" -c 1 -W 2 --json "$LT_B4"
lt_expect_rc syn-closed 0
answered syn-closed closed "$LT_B4" 1
lt_expect_json syn-closed "reply-tcp-rst" \
	"len(probes) > 0 and all(isinstance(get(p, 'reply.tcp.flags'), int) and get(p, 'reply.tcp.flags') & 4 and get(p, 'reply.tcp.sport') == $LT_CLOSED for p in probes)" \
	"[(get(p, 'reply.tcp.sport'), get(p, 'reply.tcp.flags'), get(p, 'reply.tcp.flag_names')) for p in probes]"

# 3. SYN to the dropped port: silence.
lt_run "$LT_NS_A" syn-filtered 20 "$NP" ping --syn -p "$LT_TCP_DROP" -c 1 -W 1 --json "$LT_B4"
lt_expect_rc syn-filtered 1
lt_expect_jsonlines syn-filtered
lt_expect_json syn-filtered "probe-count" "len(probes) == 1" "len(probes)"
lt_expect_json syn-filtered "verdict-filtered" "len(probes) > 0 and all(p.get('verdict') == 'filtered' for p in probes)" \
	"[p.get('verdict') for p in probes]"
lt_expect_json syn-filtered "no-reply-from-rtt" \
	"all(p.get('reply') is None and p.get('from') is None and p.get('rtt_ms') is None for p in probes)" "probes"
lt_expect_json syn-filtered "summary-received-0" \
	"summary.get('transmitted') == 1 and summary.get('received') == 0 and summary.get('loss_pct') == 100" "summary"

# 4. UDP to the closed port: ICMP port unreachable quoting the probe.
lt_run "$LT_NS_A" udp-closed 20 "$NP" ping --udp -p "$LT_CLOSED" -c 1 -W 2 --json "$LT_B4"
lt_expect_rc udp-closed 0
answered udp-closed closed "$LT_B4" 1
lt_expect_json udp-closed "reply-icmp-port-unreachable" \
	"len(probes) > 0 and all(get(p, 'reply.icmp.type') == 3 and get(p, 'reply.icmp.code') == 3 for p in probes)" \
	"[get(p, 'reply.icmp') for p in probes]"
lt_expect_json udp-closed "quote-udp-dport-$LT_CLOSED" \
	"len(probes) > 0 and all(get(p, 'reply.icmp.quote.udp.dport') == $LT_CLOSED and get(p, 'reply.icmp.quote.ip.dst') == '$LT_B4' for p in probes)" \
	"[get(p, 'reply.icmp.quote') for p in probes]"

# 5. UDP to the echo service.
lt_run "$LT_NS_A" udp-open 20 "$NP" ping --udp -p "$LT_UDP_OPEN" -c 1 -W 2 --json "$LT_B4"
lt_expect_rc udp-open 0
answered udp-open open "$LT_B4" 1
lt_expect_json udp-open "reply-udp-sport-$LT_UDP_OPEN" \
	"len(probes) > 0 and all(get(p, 'reply.udp.sport') == $LT_UDP_OPEN for p in probes)" \
	"[get(p, 'reply.udp') for p in probes]"

# 6. IPv6: the same probes to fd77:20::2, if netprobe does them.
lt_run "$LT_NS_A" syn6-open 20 "$NP" ping -6 --syn -p "$LT_TCP_OPEN" -c 1 -W 2 --json "$LT_B6"
if unsupported syn6-open; then
	lt_skip "syn6-open: $(head -n 1 "$LT_WORK/syn6-open.err")"
else
	lt_expect_rc syn6-open 0
	answered syn6-open open "$LT_B6" 1
	lt_expect_json syn6-open "reply-tcp-synack" \
		"len(probes) > 0 and all(get(p, 'reply.tcp.flags') == 18 and get(p, 'reply.tcp.sport') == $LT_TCP_OPEN for p in probes)" \
		"[(get(p, 'reply.tcp.sport'), get(p, 'reply.tcp.flags')) for p in probes]"
	sleep 1
	left=$(lt_synrecv_from "$LT_A6" 2>"$LT_WORK/ss.err")
	if [ "$left" -eq 0 ]; then
		lt_pass "syn6-open/no-half-open-in-B"
	else
		lt_fail "syn6-open/no-half-open-in-B: $left connection(s) from $LT_A6: $(tr '\n' ' ' <"$LT_WORK/ss.err")"
	fi
fi

lt_run "$LT_NS_A" udp6-closed 20 "$NP" ping -6 --udp -p "$LT_CLOSED" -c 1 -W 2 --json "$LT_B6"
if unsupported udp6-closed; then
	lt_skip "udp6-closed: $(head -n 1 "$LT_WORK/udp6-closed.err")"
else
	lt_expect_rc udp6-closed 0
	answered udp6-closed closed "$LT_B6" 1
	lt_expect_json udp6-closed "reply-icmp6-port-unreachable" \
		"len(probes) > 0 and all(get(p, 'reply.icmp6.type') == 1 and get(p, 'reply.icmp6.code') == 4 for p in probes)" \
		"[get(p, 'reply.icmp6') for p in probes]"
	lt_expect_json udp6-closed "quote-udp-dport-$LT_CLOSED" \
		"len(probes) > 0 and all(get(p, 'reply.icmp6.quote.udp.dport') == $LT_CLOSED for p in probes)" \
		"[get(p, 'reply.icmp6.quote') for p in probes]"
fi

# 7. Checksum offload on, as veth has it by default (netns.sh turns it off for the cases above).
offload_on=1
for end in "$LT_NS_A:veth-ar" "$LT_NS_R:veth-ra" "$LT_NS_R:veth-rb" "$LT_NS_B:veth-br"; do
	ip netns exec "${end%%:*}" ethtool -K "${end#*:}" tx on >/dev/null 2>&1 &&
		ip netns exec "${end%%:*}" ethtool -k "${end#*:}" 2>/dev/null | grep -q '^tx-checksumming: on' ||
		offload_on=0
done
if [ "$offload_on" = 1 ]; then
	lt_pass "offload/tx-checksumming-on"
else
	lt_fail "offload/tx-checksumming-on: ethtool could not turn tx checksumming on for every veth end"
fi
# not_bad RUN PROTO: every reply's PROTO checksum verdict is good or offloaded, never bad.
not_bad() {
	lt_expect_json "$1" "reply-$2-csum-not-bad" \
		"len(probes) > 0 and all(get(p, 'reply.$2.csum_status') in ('good', 'offloaded') for p in probes)" \
		"[(get(p, 'reply.$2.csum'), get(p, 'reply.$2.csum_status')) for p in probes]"
}
lt_run "$LT_NS_A" offload-syn 20 "$NP" ping --syn -p "$LT_TCP_OPEN" -c 2 -i 0.2 -W 2 --json "$LT_B4"
lt_expect_rc offload-syn 0
answered offload-syn open "$LT_B4" 2
not_bad offload-syn tcp
lt_run "$LT_NS_A" offload-udp 20 "$NP" ping --udp -p "$LT_UDP_OPEN" -c 2 -i 0.2 -W 2 --json "$LT_B4"
lt_expect_rc offload-udp 0
answered offload-udp open "$LT_B4" 2
not_bad offload-udp udp
offload_runs="offload-syn offload-udp"
lt_run "$LT_NS_A" offload-syn6 20 "$NP" ping -6 --syn -p "$LT_TCP_OPEN" -c 1 -W 2 --json "$LT_B6"
if unsupported offload-syn6; then
	lt_skip "offload-syn6: $(head -n 1 "$LT_WORK/offload-syn6.err")"
else
	lt_expect_rc offload-syn6 0
	answered offload-syn6 open "$LT_B6" 1
	not_bad offload-syn6 tcp
	offload_runs="$offload_runs offload-syn6"
fi
lt_run "$LT_NS_A" offload-udp6 20 "$NP" ping -6 --udp -p "$LT_UDP_OPEN" -c 1 -W 2 --json "$LT_B6"
if unsupported offload-udp6; then
	lt_skip "offload-udp6: $(head -n 1 "$LT_WORK/offload-udp6.err")"
else
	lt_expect_rc offload-udp6 0
	answered offload-udp6 open "$LT_B6" 1
	not_bad offload-udp6 udp
	offload_runs="$offload_runs offload-udp6"
fi
# The replies really were unfilled: each run has at least one "offloaded" verdict.
for run in $offload_runs; do
	if grep -q '"csum_status":"offloaded"' "$LT_WORK/$run.out"; then
		lt_pass "$run/some-reply-offloaded"
	else
		lt_fail "$run/some-reply-offloaded: no reply checksum reported offloaded (unfilled pseudo-header sum)"
		lt_dump "$run"
	fi
done

lt_finish
