#!/usr/bin/env bash
# bench/trace_vs_mtr.sh NETPROBE - trace --report beside mtr --report (issue 15) in the same
# throw-away namespaces as tests/live/test_report.sh: A - R1 - R2 - R3 - B, 10 rounds each at
# 0.2 s, first on a clean path, then with R2 allowing itself one ICMP time exceeded a second
# (iptables -m limit, the rest dropped). Prints both tables and a line per hop: the address
# each tool saw and its loss. Exit 0 when both tools saw the same hops and agree on which hops
# lose (a time-based limit makes the percentages differ run to run), 1 otherwise. Root; the
# namespaces are deleted on exit (netns.sh's trap).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/../tests/live/netns.sh"
[ $# -eq 1 ] || { echo "usage: $0 NETPROBE" >&2; exit 2; }
NP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
lt_need_root trace-bench
lt_need_cmds trace-bench ip iptables mtr timeout sysctl
P="np-tm-$$"
NSA=$P-a NS1=$P-r1 NS2=$P-r2 NS3=$P-r3 NSB=$P-b
B=10.77.44.2

setup() {
	local ns
	trap lt_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LT_WORK=$(mktemp -d /tmp/np-tm.XXXXXX) || return 1
	for ns in $NSA $NS1 $NS2 $NS3 $NSB; do
		lt_do ip netns add "$ns" || return 1
		LT_CREATED+=("$ns")
		lt_do ip -n "$ns" link set lo up || return 1
		lt_do ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 || return 1
		lt_do ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 || return 1
	done
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
		lt_do ip -n $NSB route add 10.77.40.0/21 via 10.77.44.1
}
setup || { echo "trace_vs_mtr.sh: the namespaces could not be built" >&2; exit 1; }

# hops FILE KIND: "ttl address loss" per hop, from netprobe's or mtr's report.
hops() {
	if [ "$2" = netprobe ]; then
		awk '$1 ~ /^[0-9]+$/ && $3 ~ /%$/ { sub(/%/, "", $3); print $1, $2, $3 }' "$1"
	else
		awk '$1 ~ /^[0-9]+\.\|--$/ { sub(/\..*/, "", $1); sub(/%/, "", $3); print $1, $2, $3 }' "$1"
	fi
}

status=0
# run LABEL: both tools, side by side, and the comparison.
run() {
	local label=$1 t0 t1
	t0=$(date +%s.%N)
	timeout 60 ip netns exec $NSA "$NP" trace --report -c 10 -i 0.2 -W 1 $B >"$LT_WORK/$label.np" 2>&1
	t1=$(date +%s.%N)
	timeout 60 ip netns exec $NSA mtr --report -n -c 10 -i 0.2 $B >"$LT_WORK/$label.mtr" 2>&1
	local t2
	t2=$(date +%s.%N)
	echo "== $label: netprobe trace --report -c 10 -i 0.2 ($(echo "$t1 - $t0" | bc | cut -c1-4) s)"
	cat "$LT_WORK/$label.np"
	echo "== $label: mtr --report -n -c 10 -i 0.2 ($(echo "$t2 - $t1" | bc | cut -c1-4) s)"
	cat "$LT_WORK/$label.mtr"
	echo "== $label: hop, netprobe's address and loss%, mtr's"
	join -a 1 -a 2 -e - -o 0,1.2,1.3,2.2,2.3 <(hops "$LT_WORK/$label.np" netprobe) \
		<(hops "$LT_WORK/$label.mtr" mtr) | tee "$LT_WORK/$label.cmp" | column -t
	# same hops, and the same hops losing (loss > 0) in both
	if awk '$2 != $4 || (($3 > 0) != ($5 > 0)) { bad = 1 } END { exit bad }' "$LT_WORK/$label.cmp" &&
		[ -s "$LT_WORK/$label.cmp" ]; then
		echo "== $label: same hops, same hops losing"
	else
		echo "== $label: DIFFERENT"
		status=1
	fi
	echo
}
run clean
lt_do ip netns exec $NS2 iptables -A OUTPUT -p icmp --icmp-type time-exceeded -m limit --limit 1/second --limit-burst 1 -j ACCEPT &&
	lt_do ip netns exec $NS2 iptables -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP || exit 1
run limited
exit $status
