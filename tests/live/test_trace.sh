#!/usr/bin/env bash
# Live test of `netprobe trace` through netns.sh's router R to B (10.77.20.2), with ICMP echo
# probes (the default), --udp and --syn -p 8888, each `-m 5 -q 2 -W 1 --json`:
#   exit 0; exactly two hops: ttl 1 from R (10.77.10.2, reached false), ttl 2 from B
#   (10.77.20.2, reached true), each with 1..2 numeric rtt_ms; trace stops once B answered;
#   a final summary line.
#   trace6: the same with -6 to fd77:20::2 (hops fd77:10::2, fd77:20::2); SKIP when netprobe
#   exits 2 saying IPv6 trace is not supported (or does not know -6).
# Usage: test_trace.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-trace
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout "$LT_PY"
echo "live trace: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

# trace_checks RUN HOP1 HOP2
trace_checks() {
	local run=$1 hop1=$2 hop2=$3
	lt_expect_rc "$run" 0
	lt_expect_jsonlines "$run"
	lt_expect_json "$run" "two-hops" "[h.get('ttl') for h in hops] == [1, 2]" "[h.get('ttl') for h in hops]"
	lt_expect_json "$run" "hop1-$hop1-not-reached" \
		"len(hops) > 0 and hops[0].get('ttl') == 1 and hops[0].get('addr') == '$hop1' and hops[0].get('reached') is False" \
		"hops[0] if hops else None"
	lt_expect_json "$run" "hop2-$hop2-reached" \
		"len(hops) > 1 and hops[1].get('ttl') == 2 and hops[1].get('addr') == '$hop2' and hops[1].get('reached') is True" \
		"hops[1] if len(hops) > 1 else None"
	lt_expect_json "$run" "hop-rtts" \
		"len(hops) > 0 and all(isinstance(h.get('rtt_ms'), list) and 1 <= len(h['rtt_ms']) <= 2 and all(num(r) and 0 <= r < 5000 for r in h['rtt_ms']) for h in hops)" \
		"[h.get('rtt_ms') for h in hops]"
	lt_expect_json "$run" "summary-last" "len(objs) > 0 and objs[-1].get('type') == 'summary'" \
		"objs[-1] if objs else None"
}

for variant in "icmp:" "udp:--udp" "syn:--syn -p $LT_TCP_OPEN"; do
	run=trace-${variant%%:*}
	flags=${variant#*:}
	# shellcheck disable=SC2086 # flags is a word list
	lt_run "$LT_NS_A" "$run" 60 "$NP" trace $flags -m 5 -q 2 -W 1 --json "$LT_B4"
	trace_checks "$run" "$LT_RA4" "$LT_B4"
done

lt_run "$LT_NS_A" trace6 60 "$NP" trace -6 -m 5 -q 2 -W 1 --json "$LT_B6"
if [ "$(cat "$LT_WORK/trace6.rc")" = 2 ] &&
	grep -Eiq "not supported|unsupported|unknown option '?-6" "$LT_WORK/trace6.err"; then
	lt_skip "trace6: $(head -n 1 "$LT_WORK/trace6.err")"
else
	trace_checks trace6 "$LT_RA6" "$LT_B6"
fi

lt_finish
