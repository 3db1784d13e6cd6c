#!/usr/bin/env bash
# Live test: netprobe ping beside iputils ping on the same namespace path (issue 15, iputils
# parity). netns.sh's A - R - B, with the R - B link's MTU lowered to 1000. Each case runs
# iputils `ping -n ARGS` and `netprobe ping ARGS` from A, the path MTU cache of A flushed before
# each, and compares stdout, stderr and the exit status after normalising what differs from
# run to run (RTTs, "time Nms", iputils' "pipe N" and ", ipg/ewma ..."; "netprobe: ping:" is
# iputils' "ping:"):
#   echo       -c 2 -i 0.2                  two reply lines, no TTL repeated, <= 80 columns
#   big        -c 2 -i 0.2 -s 3000           fragmented both ways: "3008 bytes from"
#   max        -c 1 -s 65507                 the largest IPv4 echo: "65515 bytes from"
#   do-local   -c 1 -M do -s 3000            "local error: message too long, mtu=1500", +1 errors
#   do-path    -c 2 -i 0.3 -M do -s 1400     R's "Frag needed and DF set (mtu = 1000)", then the
#                                            local error at the learnt MTU, +2 errors
#   dont       -c 1 -M dont -s 1400          fragmented by R: a reply
#   ttl        -c 1 -t 1                     "From R icmp_seq=1 Time to live exceeded"
#   down       -c 3 -i 0.2 -W 4 (nobody answers ARP for 10.77.10.99): "Destination Host
#              Unreachable" from A's own address, three times
#   tos        -c 1 -Q 0x10                  a reply
#   flood      -c 20 -f -q                   the summary (20 sent, 20 received); its rtt line
#                                            ends ", ipg/ewma G/E ms" in both (G: time/19,
#                                            min <= E <= max)
#   big-if     -c 2 -i 0.2 -I veth-ar -s 3000   fragmented, from the interface (bound to it)
#   do-path-if -c 2 -i 0.3 -I veth-ar -M do -s 1400   R's Frag needed, by that interface
#   big-src    -c 1 -I 10.77.10.1 -s 2000    from that source address
#   (the IPv6 cases are in test_pmtu.sh: IPv6 needs a link MTU of 1280 at least)
# and netprobe alone: -f as nobody is refused in iputils' words (exit 2), and every stdout line
# of every case is at most 80 columns.
# Usage: test_iputils.sh NETPROBE (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-iputils
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip ping timeout setpriv sysctl "$LT_PY"
if ! ping -V 2>&1 | grep -q iputils; then
	lt_unmet "$name" "ping is not iputils ping"
fi
echo "live iputils: netprobe $NP, $(ping -V 2>&1 | head -n 1), namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
lt_do ip -n "$LT_NS_R" link set veth-rb mtu 1000 && lt_do ip -n "$LT_NS_B" link set veth-br mtu 1000 ||
	lt_fail "setup: MTU 1000 on the R - B link"

# norm FILE: the run-to-run differences taken out.
norm() {
	sed -E -e 's/time=[0-9.]+ ms/time=T ms/g' -e 's/time [0-9]+ms/time Tms/' \
		-e 's|^rtt min/avg/max/mdev = [0-9./]+ ms.*|rtt min/avg/max/mdev = R ms|' \
		-e 's/^pipe [0-9]+$//' -e 's/^netprobe: ping: /ping: /' "$1"
}

# same CASE ARGS...: iputils and netprobe, the same output and status.
same() {
	local c=$1 w=80
	shift
	ip -n "$LT_NS_A" route flush cache 2>/dev/null
	ip -n "$LT_NS_A" -6 route flush cache 2>/dev/null
	lt_run "$LT_NS_A" "$c-iputils" 30 ping -n "$@"
	ip -n "$LT_NS_A" route flush cache 2>/dev/null
	ip -n "$LT_NS_A" -6 route flush cache 2>/dev/null
	lt_run "$LT_NS_A" "$c" 30 "$NP" ping "$@"
	local a b
	a=$(norm "$LT_WORK/$c-iputils.out"; echo "-- stderr"; norm "$LT_WORK/$c-iputils.err"; echo "-- exit $(cat "$LT_WORK/$c-iputils.rc")")
	b=$(norm "$LT_WORK/$c.out"; echo "-- stderr"; norm "$LT_WORK/$c.err"; echo "-- exit $(cat "$LT_WORK/$c.rc")")
	if [ "$a" = "$b" ]; then
		lt_pass "$c/same-as-iputils ($(grep -c . "$LT_WORK/$c.out") lines, exit $(cat "$LT_WORK/$c.rc"))"
	else
		lt_fail "$c/same-as-iputils"
		diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | sed 's/^/  /' | head -n 20
	fi
	if awk -v w=$w 'length($0) > w { bad = 1 } END { exit bad }' "$LT_WORK/$c.out"; then
		lt_pass "$c/at-most-80-columns"
	else
		lt_fail "$c/at-most-80-columns"
		lt_dump "$c"
	fi
}

same echo -c 2 -i 0.2 "$LT_B4"
same big -c 2 -i 0.2 -s 3000 "$LT_B4"
same max -c 1 -s 65507 "$LT_B4"
same do-local -c 1 -M do -s 3000 "$LT_B4"
same do-path -c 2 -i 0.3 -M do -s 1400 "$LT_B4"
same dont -c 1 -M dont -s 1400 "$LT_B4"
same ttl -c 1 -t 1 "$LT_B4"
same down -c 3 -i 0.2 -W 4 "$LT_DOWN4"
same tos -c 1 -Q 0x10 "$LT_B4"
same flood -c 20 -f -q "$LT_B4"
same big-if -c 2 -i 0.2 -I veth-ar -s 3000 "$LT_B4"
same do-path-if -c 2 -i 0.3 -I veth-ar -M do -s 1400 "$LT_B4"
same big-src -c 1 -I "$LT_A4" -s 2000 "$LT_B4"
# -f's statistics: iputils' ", ipg/ewma IPG/EWMA ms" (norm leaves the rtt line out): the gap is
# the run's time over the 19 gaps, the moving average lies between min and max.
for run in flood flood-iputils; do
	if "$LT_PY" - "$LT_WORK/$run.out" <<'PY'; then
import re, sys
text = open(sys.argv[1]).read()
t = int(re.search(r"time (\d+)ms", text).group(1))
m = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/[\d.]+ ms, ipg/ewma (\d+\.\d{3})/(\d+\.\d{3}) ms$", text, re.M)
lo, hi, ipg, ewma = float(m.group(1)), float(m.group(3)), float(m.group(4)), float(m.group(5))
sys.exit(0 if abs(ipg - t / 19) <= 1.0 and lo - 0.001 <= ewma <= hi + 0.001 else 1)
PY
		lt_pass "$run/ipg-ewma ($(grep -o 'ipg/ewma [0-9./]* ms' "$LT_WORK/$run.out"))"
	else
		lt_fail "$run/ipg-ewma"
		lt_dump "$run"
	fi
done
if grep -q 'Frag needed and DF set (mtu = 1000)' "$LT_WORK/do-path.out" &&
	grep -q '^3008 bytes from' "$LT_WORK/big.out" &&
	grep -q 'Destination Host Unreachable' "$LT_WORK/down.out"; then
	lt_pass "cases/say-what-they-test (Frag needed, 3008 bytes, Destination Host Unreachable)"
else
	lt_fail "cases/say-what-they-test"
fi

cp "$NP" "$LT_WORK/np" && chmod 755 "$LT_WORK/np"
lt_run "$LT_NS_A" flood-user 10 setpriv --reuid=nobody --regid=nogroup --clear-groups "$LT_WORK/np" ping -f -c 2 "$LT_B4"
lt_expect_rc flood-user 2
lt_expect_one_err_line flood-user 'cannot flood; minimal interval allowed for user is 200ms'
lt_finish
