#!/usr/bin/env bash
# Live test of `netprobe trace --pmtu` (issue 15): path MTU discovery as tracepath does it, in
# netns.sh's topology with the R-B link's MTU lowered to 1400 (A-R keeps 1500). Each case runs
# after `ip route flush cache` in A, so the kernel's learnt path MTU never decides the start.
#   v4, v6, udp4, udp6   trace --pmtu -q 2 (ICMP, --udp; IPv4, IPv6): the header says the
#                probes start at 1500 bytes (A's route MTU); hop 1 is R; hop 2 is B with
#                "pmtu 1400" (R reported fragmentation needed / packet too big, the hop was
#                probed again at 1400); the last line "path MTU 1400"; exit 0
#   json         --json: hop 2's object has "pmtu":1400, the summary "pmtu":1400
#   unpriv-v4, unpriv-udp4  the same as nobody (ICMP datagram socket with
#                IP_PMTUDISC_PROBE; UDP sockets with IP_RECVERR): hop 2 "pmtu 1400"
#   tracepath    iputils tracepath (the oracle, when installed) finds the same path MTU
#                ("Resume: pmtu 1400") from the same start
#   big6, do-path6, do-local6, dont6, big6-if  ping -6 -s 3000; -6 -M do -s 1450 (R's "Packet
#                too big: mtu=1400", then "local error: message too long, mtu: 1400");
#                -6 -M do -s 3000; -6 -M dont -s 1450; -6 -I veth-ar -s 2000: the same
#                output and status as iputils ping (a raw ICMPv6 socket, the kernel
#                fragmenting and reassembling)
#   unpriv-big6, unpriv-do-path6, unpriv-do-local6, unpriv-dont6, unpriv-want6, unpriv-small6
#                the same (and -M want -s 1450, and the default size) with netprobe and
#                iputils ping both as nobody (setpriv; copies without file capabilities, so
#                both use ICMPv6 datagram sockets): netprobe through an ICMPv6 datagram
#                socket (IPV6_MTU_DISCOVER, the kernel fragmenting), saying so in one stderr
#                line; the same output and status as iputils'
#   unpriv-sandbox6  while ping -6 -s 3000 runs as nobody: uid nobody, CapEff 0, NoNewPrivs 1,
#                Seccomp 2
#   report-json, report-v6-udp, unpriv-report, unpriv-report-udp, unpriv-report-udp6
#                trace --report -c 3 --pmtu --json (ICMP over IPv4; --udp over IPv6; as nobody,
#                ICMP datagram socket; as nobody, --udp's one socket, IPv4 and IPv6, the too
#                big errors told by the probe's data from the error queue): every round's hop
#                objects have "pmtu" 1500 at hop 1 (R answered the 1500-byte probe) and 1400 at
#                hop 2 (R reported the smaller MTU, the probe went again at 1400 in the same
#                round), nothing lost, one probe a hop a round; the summary "pmtu":1400, as
#                many received as transmitted
#   report-text  trace --report -c 3 --pmtu: the header "DF from 1500 bytes, path MTU 1400", a
#                PMTU column (1500, 1400), Sent 3 and 0.0% at both hops, "path MTU 1400" last
#   refused      --pmtu with --syn: one line, exit 2
# Usage: test_pmtu.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-pmtu
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout setpriv sysctl "$LT_PY"
echo "live pmtu: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
lt_do nsR ip link set veth-rb mtu 1400
lt_do nsB ip link set veth-br mtu 1400
cp "$NP" "$LT_WORK/np" && chmod 755 "$LT_WORK/np" # LT_WORK is 0755: nobody may run it
lt_do nsA sysctl -qw net.ipv4.ping_group_range="0 2147483647"
U=(setpriv --reuid=nobody --regid=nogroup --clear-groups "$LT_WORK/np")

# pmtu_case NAME R B KIND CMD...: a fresh route cache, then CMD trace KIND and its checks.
pmtu_case() {
	local run=$1 r=$2 b=$3 kind=$4
	shift 4
	nsA ip route flush cache 2>/dev/null
	nsA ip -6 route flush cache 2>/dev/null
	# shellcheck disable=SC2086 # $kind: no word, or --udp
	lt_run "$LT_NS_A" "$run" 20 "$@" trace $kind --pmtu -q 2 -W 1 "$b"
	lt_expect_rc "$run" 0
	local out=$LT_WORK/$run.out
	if grep -q ', 1500 bytes (pmtu)$' "$out" &&
		grep -Eq "^ 1  $r( +[0-9.]+ ms)+\$" "$out" &&
		grep -Eq "^ 2  $b( +[0-9.]+ ms)+  pmtu 1400\$" "$out" &&
		[ "$(grep -c '^ [0-9]' "$out")" = 2 ] && [ "$(tail -n 1 "$out")" = "path MTU 1400" ]; then
		lt_pass "$run/from-1500-pmtu-1400-at-hop-2"
	else
		lt_fail "$run/from-1500-pmtu-1400-at-hop-2"
		lt_dump "$run"
	fi
}
pmtu_case v4 "$LT_RA4" "$LT_B4" "" "$NP"
pmtu_case v6 "$LT_RA6" "$LT_B6" "" "$NP"
pmtu_case udp4 "$LT_RA4" "$LT_B4" --udp "$NP"
pmtu_case udp6 "$LT_RA6" "$LT_B6" --udp "$NP"
pmtu_case unpriv-v4 "$LT_RA4" "$LT_B4" "" "${U[@]}"
pmtu_case unpriv-udp4 "$LT_RA4" "$LT_B4" --udp "${U[@]}"

nsA ip route flush cache 2>/dev/null
lt_run "$LT_NS_A" json 20 "$NP" trace --pmtu --json -q 1 -W 1 "$LT_B4"
lt_expect_rc json 0
lt_expect_json json "hop-and-summary-pmtu" "[h.get('pmtu') for h in hops] == [None, 1400] and summary.get('pmtu') == 1400 and summary.get('reached') is True" "[hops, summary]"

# report_case NAME B KIND CMD...: trace --report -c 3 --pmtu --json, a fresh route cache.
report_case() {
	local run=$1 b=$2 kind=$3
	shift 3
	nsA ip route flush cache 2>/dev/null
	nsA ip -6 route flush cache 2>/dev/null
	# shellcheck disable=SC2086 # $kind: no word, or --udp
	lt_run "$LT_NS_A" "$run" 20 "$@" trace $kind --report -c 3 -i 0.1 --pmtu --json -W 1 "$b"
	lt_expect_rc "$run" 0
	lt_expect_json "$run" "per-round-hop-pmtu-1500-1400" \
		"[(h['round'], h['ttl'], h.get('pmtu'), h['sent'], h['received']) for h in hops] == [(r, t, (1500, 1400)[t - 1], r, r) for r in (1, 2, 3) for t in (1, 2)] and summary.get('pmtu') == 1400 and summary.get('transmitted') == summary.get('received') and summary.get('reached') is True" \
		"[hops, summary]"
}
report_case report-json "$LT_B4" "" "$NP"
report_case report-v6-udp "$LT_B6" --udp "$NP"
report_case unpriv-report "$LT_B4" "" "${U[@]}"
report_case unpriv-report-udp "$LT_B4" --udp "${U[@]}"
report_case unpriv-report-udp6 "$LT_B6" --udp "${U[@]}"
nsA ip route flush cache 2>/dev/null
lt_run "$LT_NS_A" report-text 20 "$NP" trace --report -c 3 -i 0.1 --pmtu -W 1 "$LT_B4"
lt_expect_rc report-text 0
out=$LT_WORK/report-text.out
if grep -q ', DF from 1500 bytes, path MTU 1400$' "$out" && grep -Eq '  PMTU$' "$out" &&
	grep -Eq "^  1  $LT_RA4 +0\.0% +3( +[0-9.]+){5} +1500\$" "$out" &&
	grep -Eq "^  2  $LT_B4 +0\.0% +3( +[0-9.]+){5} +1400\$" "$out" &&
	[ "$(tail -n 1 "$out")" = "path MTU 1400" ]; then
	lt_pass "report-text/pmtu-column-1500-1400"
else
	lt_fail "report-text/pmtu-column-1500-1400"
	lt_dump report-text
fi

if command -v tracepath >/dev/null; then
	nsA ip route flush cache 2>/dev/null
	lt_run "$LT_NS_A" tracepath 20 tracepath -n "$LT_B4"
	nsA ip route flush cache 2>/dev/null
	lt_run "$LT_NS_A" ours 20 "$NP" trace --pmtu -q 1 -W 1 "$LT_B4"
	theirs=$(sed -n 's/^ *Resume: pmtu \([0-9]*\) .*/\1/p' "$LT_WORK/tracepath.out")
	start=$(sed -n 's/^ *1?: \[LOCALHOST\] *pmtu \([0-9]*\).*/\1/p' "$LT_WORK/tracepath.out")
	ours=$(sed -n 's/^path MTU \([0-9]*\)$/\1/p' "$LT_WORK/ours.out")
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ] && [ "$start" = 1500 ] &&
		grep -q ', 1500 bytes (pmtu)$' "$LT_WORK/ours.out"; then
		lt_pass "tracepath/same-path-mtu ($ours from $start)"
	else
		lt_fail "tracepath/path MTU '$ours' vs tracepath's '$theirs' (from '$start')"
		lt_dump tracepath
	fi
else
	lt_skip "tracepath/not installed (iputils-tracepath)"
fi

# ping over IPv6 past one frame and with -M, beside iputils ping (a raw ICMPv6 socket, the
# kernel fragmenting and reassembling; R's "Packet too big: mtu=1400"), on this 1400-byte link
# (test_iputils.sh's 1000-byte one is below IPv6's 1280).
norm() {
	sed -E -e 's/time=[0-9.]+ ms/time=T ms/g' -e 's/time [0-9]+ms/time Tms/' \
		-e 's|^rtt min/avg/max/mdev = [0-9./]+ ms.*|rtt min/avg/max/mdev = R ms|' \
		-e 's/^netprobe: ping: /ping: /' -e 's|^/[^ :]*/ping: |ping: |' -e '/^netprobe: no CAP_NET_RAW: an ICMPv6 datagram socket;/d' "$1"
}
# same6 NAME ARGS...: netprobe ping and iputils ping, both as root; a NAME starting with
# "unpriv-": both as nobody (setpriv; netprobe's copy without file capabilities: an ICMPv6
# datagram socket), netprobe's one stderr line saying so checked apart.
same6() {
	local c=$1 who=() np=("$NP")
	shift
	if ! ping -V 2>&1 | grep -q iputils; then
		lt_skip "$c/iputils ping not installed"
		return
	fi
	if [ "${c#unpriv-}" != "$c" ]; then
		who=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		np=("${U[@]}")
	fi
	local ping=ping
	# as nobody: a copy of iputils ping without its file capabilities, so that it too uses
	# an ICMPv6 datagram socket
	[ ${#who[@]} -gt 0 ] && cp "$(command -v ping)" "$LT_WORK/ping" && chmod 755 "$LT_WORK/ping" && ping=$LT_WORK/ping
	nsA ip -6 route flush cache 2>/dev/null
	lt_run "$LT_NS_A" "$c-iputils" 30 "${who[@]}" "$ping" -n "$@"
	nsA ip -6 route flush cache 2>/dev/null
	lt_run "$LT_NS_A" "$c" 30 "${np[@]}" ping "$@"
	if [ ${#who[@]} -gt 0 ]; then
		if grep -q '^netprobe: no CAP_NET_RAW: an ICMPv6 datagram socket;' "$LT_WORK/$c.err"; then
			lt_pass "$c/says-icmpv6-datagram-socket"
		else
			lt_fail "$c/says-icmpv6-datagram-socket"
		fi
	fi
	local a b
	a=$(norm "$LT_WORK/$c-iputils.out"; echo "-- stderr"; norm "$LT_WORK/$c-iputils.err"; echo "-- exit $(cat "$LT_WORK/$c-iputils.rc")")
	b=$(norm "$LT_WORK/$c.out"; echo "-- stderr"; norm "$LT_WORK/$c.err"; echo "-- exit $(cat "$LT_WORK/$c.rc")")
	if [ "$a" = "$b" ]; then
		lt_pass "$c/same-as-iputils ($(grep -c . "$LT_WORK/$c.out") lines, exit $(cat "$LT_WORK/$c.rc"))"
	else
		lt_fail "$c/same-as-iputils"
		diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | sed 's/^/  /' | head -n 20
	fi
}
same6 big6 -c 2 -i 0.2 -6 -s 3000 "$LT_B6"
same6 do-path6 -c 2 -i 0.3 -6 -M do -s 1450 "$LT_B6"
same6 do-local6 -c 1 -6 -M do -s 3000 "$LT_B6"
same6 dont6 -c 1 -6 -M dont -s 1450 "$LT_B6"
same6 big6-if -c 2 -i 0.2 -6 -I veth-ar -s 2000 "$LT_B6"
same6 unpriv-big6 -c 2 -i 0.2 -6 -s 3000 "$LT_B6"
same6 unpriv-do-path6 -c 2 -i 0.3 -6 -M do -s 1450 "$LT_B6"
same6 unpriv-do-local6 -c 1 -6 -M do -s 3000 "$LT_B6"
same6 unpriv-dont6 -c 1 -6 -M dont -s 1450 "$LT_B6"
same6 unpriv-want6 -c 2 -i 0.3 -6 -M want -s 1450 "$LT_B6"
same6 unpriv-small6 -c 2 -i 0.2 -6 "$LT_B6"
if grep -q '^From fd77:10::2 icmp_seq=1 Packet too big: mtu=1400$' "$LT_WORK/big6.out" &&
	grep -q '^3008 bytes from fd77:20::2: icmp_seq=2 ttl=63' "$LT_WORK/big6.out" &&
	grep -q 'local error: message too long, mtu: 1400' "$LT_WORK/do-path6.err"; then
	lt_pass "big6/packet-too-big-then-3008-bytes-then-local-error"
else
	lt_fail "big6/packet-too-big-then-3008-bytes-then-local-error"
	lt_dump big6
	lt_dump do-path6
fi

lt_bg_in "$LT_NS_A" unpriv-sandbox6 20 "${U[@]}" ping -6 -c 4 -i 0.3 -s 3000 "$LT_B6"
st=""
for ((k = 0; k < 100; k++)); do # NP_PID: setpriv, then the netprobe it execs
	st=$(cat "/proc/$NP_PID/status" 2>/dev/null)
	grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$st" && break
	sleep 0.05
done
if [ "$(awk '$1 == "Uid:" { print $2 }' <<<"$st")" = "$(id -u nobody)" ] &&
	grep -Eq '^CapEff:[[:space:]]+0+$' <<<"$st" && grep -Eq '^NoNewPrivs:[[:space:]]+1$' <<<"$st" &&
	grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$st"; then
	lt_pass "unpriv-sandbox6/nobody-no-caps-nnp-seccomp"
else
	lt_fail "unpriv-sandbox6/nobody-no-caps-nnp-seccomp: $(grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' <<<"$st" | tr '\n\t' '  ')"
fi
lt_bg_reap unpriv-sandbox6 10
lt_expect_rc unpriv-sandbox6 0

lt_run "$LT_NS_A" refused-syn 20 "$NP" trace --pmtu --syn -p "$LT_TCP_OPEN" "$LT_B4"
lt_expect_rc refused-syn 2
lt_expect_one_err_line refused-syn 'pmtu'
lt_finish
