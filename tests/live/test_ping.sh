#!/usr/bin/env bash
# Live test of `netprobe ping` (ICMP echo) in the namespace topology of netns.sh:
#   ping4      -c 3 -i 0.2 --json 10.77.20.2 (B, one router hop away): 3 probes, seq 1..3,
#              verdict reply from 10.77.20.2, ttl 63, the decoded echo reply, summary 3/3/0 %,
#              exit 0
#   ping4-text the same without --json: exit 0, something on stdout, nothing on stderr
#   pingR      -c 1 --json 10.77.10.2 (R, on A's own link): a reply with ttl 64
#   down       -c 3 -i 0.2 -W 1 --json 10.77.10.99 (nobody answers ARP): no reply, every
#              probe timeout or unreachable, summary 3/0/100 %, exit 1
#   ping6      -6 -c 3 -i 0.2 --json fd77:20::2: 3 ICMPv6 echo replies, hop limit 63, exit 0
#   badhost, badopt   exit 2, exactly one stderr line naming the problem, empty stdout
#   privs-sudo NETPROBE_DEBUG_PRIVS=1 SUDO_UID=65534 SUDO_GID=65534: the decoding process runs
#              as uid 65534 gid 65534 with CapEff all zeros, and the reply still comes
#   privs-nobody the same without SUDO_*: uid and gid of 'nobody', CapEff all zeros
#   unpriv     run as nobody without capabilities (setpriv): exit 2, one stderr line that
#              mentions sudo and setcap
# Usage: test_ping.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-ping
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip ss timeout setpriv env "$LT_PY"
echo "live ping: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

# ping_checks RUN FROM TTL ICMPKEY ECHOREPLY COUNT: the JSON of a fully answered ping.
ping_checks() {
	local run=$1 from=$2 ttl=$3 icmp=$4 etype=$5 count=$6
	local seqs
	seqs=$(seq -s, 1 "$count")
	lt_expect_jsonlines "$run"
	lt_expect_json "$run" "probe-count" "len(probes) == $count" "len(probes)"
	lt_expect_json "$run" "seq" "[p.get('seq') for p in probes] == [$seqs]" "[p.get('seq') for p in probes]"
	lt_expect_json "$run" "verdict-reply" "len(probes) > 0 and all(p.get('verdict') == 'reply' for p in probes)" \
		"[p.get('verdict') for p in probes]"
	lt_expect_json "$run" "from" "len(probes) > 0 and all(p.get('from') == '$from' for p in probes)" \
		"[p.get('from') for p in probes]"
	lt_expect_json "$run" "ttl-$ttl" "len(probes) > 0 and all(p.get('ttl') == $ttl for p in probes)" \
		"[p.get('ttl') for p in probes]"
	lt_expect_json "$run" "rtt" "len(probes) > 0 and all(num(p.get('rtt_ms')) and 0 <= p['rtt_ms'] < 5000 for p in probes)" \
		"[p.get('rtt_ms') for p in probes]"
	lt_expect_json "$run" "reply-ip" \
		"len(probes) > 0 and all(get(p, 'reply.ip.src') == '$from' and get(p, 'reply.ip.dst') == '$LT_SRC' and get(p, 'reply.ip.ttl') == $ttl for p in probes)" \
		"[(get(p, 'reply.ip.src'), get(p, 'reply.ip.dst'), get(p, 'reply.ip.ttl')) for p in probes]"
	lt_expect_json "$run" "reply-$icmp-echo-reply" \
		"len(probes) > 0 and all(get(p, 'reply.$icmp.type') == $etype for p in probes)" \
		"[get(p, 'reply.$icmp') for p in probes]"
	lt_expect_json "$run" "reply-$icmp-id-seq" \
		"len(set(get(p, 'reply.$icmp.id') for p in probes)) == 1 and len(set(get(p, 'reply.$icmp.seq') for p in probes)) == len(probes)" \
		"[(get(p, 'reply.$icmp.id'), get(p, 'reply.$icmp.seq')) for p in probes]"
	summary_checks "$run" "$count" "$count" 0
	lt_expect_json "$run" "summary-rtt" \
		"all(num(summary.get(k)) for k in ('rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'rtt_mdev_ms')) and summary['rtt_min_ms'] <= summary['rtt_avg_ms'] <= summary['rtt_max_ms'] and summary['rtt_mdev_ms'] >= 0" \
		"[summary.get(k) for k in ('rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'rtt_mdev_ms')]"
}

# summary_checks RUN TRANSMITTED RECEIVED LOSS_PCT: the final summary line.
summary_checks() {
	local run=$1 tx=$2 rx=$3 loss=$4
	lt_expect_json "$run" "summary-last" "len(objs) > 0 and objs[-1].get('type') == 'summary'" \
		"objs[-1] if objs else None"
	lt_expect_json "$run" "summary-$tx-$rx-$loss%" \
		"summary.get('transmitted') == $tx and summary.get('received') == $rx and num(summary.get('loss_pct')) and summary['loss_pct'] == $loss" \
		"[summary.get('transmitted'), summary.get('received'), summary.get('loss_pct')]"
}

# privs_checks RUN UID GID: the NETPROBE_DEBUG_PRIVS line of RUN.
privs_checks() {
	local run=$1 want_uid=$2 want_gid=$3 n line
	local re='^netprobe: decoding as uid=([0-9]+) gid=([0-9]+) CapEff=([0-9a-fA-F]+)$'
	n=$(grep -c '^netprobe: decoding as ' "$LT_WORK/$run.err")
	line=$(grep -m 1 '^netprobe: decoding as ' "$LT_WORK/$run.err")
	if [ "$n" -ne 1 ] || ! [[ $line =~ $re ]]; then
		lt_fail "$run/privs-line: want exactly one line 'netprobe: decoding as uid=U gid=G CapEff=HEX', got $n"
		lt_dump "$run"
		return
	fi
	lt_pass "$run/privs-line ($line)"
	local uid=${BASH_REMATCH[1]} gid=${BASH_REMATCH[2]} cap=${BASH_REMATCH[3]}
	if [ "$uid" -ne 0 ] && [ "$uid" -eq "$want_uid" ]; then lt_pass "$run/uid-$want_uid"; else lt_fail "$run/uid: uid=$uid, want $want_uid (never 0)"; fi
	if [ "$gid" -ne 0 ] && [ "$gid" -eq "$want_gid" ]; then lt_pass "$run/gid-$want_gid"; else lt_fail "$run/gid: gid=$gid, want $want_gid (never 0)"; fi
	if [[ $cap =~ ^0+$ ]]; then lt_pass "$run/CapEff-zero"; else lt_fail "$run/CapEff-zero: CapEff=$cap"; fi
}

# 1. IPv4 through R.
LT_SRC=$LT_A4
lt_run "$LT_NS_A" ping4 20 "$NP" ping -c 3 -i 0.2 --json "$LT_B4"
lt_expect_rc ping4 0
ping_checks ping4 "$LT_B4" 63 icmp 0 3

# 2. Text output.
lt_run "$LT_NS_A" ping4-text 20 "$NP" ping -c 2 -i 0.2 "$LT_B4"
lt_expect_rc ping4-text 0
if [ -s "$LT_WORK/ping4-text.out" ] && [ ! -s "$LT_WORK/ping4-text.err" ]; then
	lt_pass "ping4-text/stdout-only"
else
	lt_fail "ping4-text/stdout-only: want output on stdout and none on stderr"
	lt_dump ping4-text
fi

# 3. IPv4 on A's own link (R): nothing decrements the TTL.
lt_run "$LT_NS_A" pingR 20 "$NP" ping -c 1 --json "$LT_RA4"
lt_expect_rc pingR 0
ping_checks pingR "$LT_RA4" 64 icmp 0 1

# 4. A host that does not exist on A's link.
lt_run "$LT_NS_A" down 30 "$NP" ping -c 3 -i 0.2 -W 1 --json "$LT_DOWN4"
lt_expect_rc down 1
lt_expect_jsonlines down
lt_expect_json down "probe-count" "len(probes) == 3" "len(probes)"
lt_expect_json down "seq" "[p.get('seq') for p in probes] == [1,2,3]" "[p.get('seq') for p in probes]"
lt_expect_json down "verdict-timeout-or-unreachable" \
	"len(probes) > 0 and all(p.get('verdict') in ('timeout', 'unreachable') for p in probes)" \
	"[p.get('verdict') for p in probes]"
lt_expect_json down "timeout-has-no-reply" \
	"all(p.get('reply') is None and p.get('from') is None and p.get('rtt_ms') is None for p in probes if p.get('verdict') == 'timeout')" \
	"[p for p in probes if p.get('verdict') == 'timeout']"
summary_checks down 3 0 100

# 5. IPv6 through R.
LT_SRC=$LT_A6
lt_run "$LT_NS_A" ping6 20 "$NP" ping -6 -c 3 -i 0.2 --json "$LT_B6"
lt_expect_rc ping6 0
ping_checks ping6 "$LT_B6" 63 icmp6 129 3

# 6. Mistakes: exit 2, one line on stderr, nothing on stdout.
for c in "badhost:no-such-host.invalid:ping -c 1 no-such-host.invalid" \
	"badopt:frobnicate:ping --frobnicate $LT_B4"; do
	IFS=: read -r run what args <<<"$c"
	# shellcheck disable=SC2086 # args is a word list
	lt_run "$LT_NS_A" "$run" 20 "$NP" $args
	lt_expect_rc "$run" 2
	lt_expect_one_err_line "$run" "$what"
	if [ ! -s "$LT_WORK/$run.out" ]; then lt_pass "$run/empty-stdout"; else lt_fail "$run/empty-stdout"; lt_dump "$run"; fi
done

# 7. Privilege drop after the capture is open: to SUDO_UID/SUDO_GID, else to nobody.
LT_SRC=$LT_A4
lt_run "$LT_NS_A" privs-sudo 20 env -u SUDO_USER NETPROBE_DEBUG_PRIVS=1 SUDO_UID=65534 SUDO_GID=65534 \
	"$NP" ping -c 1 --json "$LT_B4"
lt_expect_rc privs-sudo 0
privs_checks privs-sudo 65534 65534
lt_expect_json privs-sudo "verdict-reply" "len(probes) == 1 and probes[0].get('verdict') == 'reply'" \
	"[p.get('verdict') for p in probes]"

lt_run "$LT_NS_A" privs-nobody 20 env -u SUDO_UID -u SUDO_GID -u SUDO_USER -u SUDO_COMMAND NETPROBE_DEBUG_PRIVS=1 \
	"$NP" ping -c 1 --json "$LT_B4"
lt_expect_rc privs-nobody 0
privs_checks privs-nobody "$(id -u nobody)" "$(id -g nobody)"
lt_expect_json privs-nobody "verdict-reply" "len(probes) == 1 and probes[0].get('verdict') == 'reply'" \
	"[p.get('verdict') for p in probes]"

# 7b. The reader of the output leaves: `ping -c 20 ... | head -n 2` ends at once (not after
# 20 probes, not killed by SIGPIPE), exit 0, its summary on stderr.
printf '%s\n' "ping -c 20 -i 0.2 $LT_B4 | head -n 2" >"$LT_WORK/head.cmd"
t0=$(date +%s%N)
timeout -k 2 20 ip netns exec "$LT_NS_A" "$NP" ping -c 20 -i 0.2 "$LT_B4" 2>"$LT_WORK/head.err" |
	head -n 2 >"$LT_WORK/head.out"
echo "${PIPESTATUS[0]}" >"$LT_WORK/head.rc"
el=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
lt_expect_rc head 0
if awk -v e="$el" 'BEGIN { exit !(e < 2) }'; then lt_pass "head/prompt (${el} s)"; else lt_fail "head/prompt: ${el} s (20 probes take 4 s)"; fi
if grep -q 'packets transmitted, [1-9][0-9]* received' "$LT_WORK/head.err" && [ "$(grep -c . "$LT_WORK/head.out")" -eq 2 ]; then
	lt_pass "head/summary-on-stderr ($(grep 'transmitted' "$LT_WORK/head.err"))"
else
	lt_fail "head/summary-on-stderr"
	lt_dump head
fi

# 8. No privilege at all. A plain copy (no file capabilities, readable by nobody) is run.
cp "$NP" "$LT_WORK/netprobe-unpriv" && chmod 755 "$LT_WORK/netprobe-unpriv"
lt_run "$LT_NS_A" unpriv 20 setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$LT_WORK/netprobe-unpriv" ping -c 1 "$LT_B4"
lt_expect_rc unpriv 2
lt_expect_one_err_line unpriv sudo setcap
if [ ! -s "$LT_WORK/unpriv.out" ]; then lt_pass "unpriv/empty-stdout"; else lt_fail "unpriv/empty-stdout"; lt_dump unpriv; fi

lt_finish
