#!/usr/bin/env bash
# tunnel_same.sh - an inner TCP session through a tunnel is tracked exactly as the same
# session without it (issue 14): the events (text and JSON) and the summary of each capture
# pcaps/encap.py made must equal those of the capture it wrapped; and the same session under
# two GRE keys is two conversations, not one with every segment retransmitted.
# Usage: tunnel_same.sh NETPROBE
set -u
np=${1:?usage: tunnel_same.sh NETPROBE}
top=$(cd "$(dirname "$0")/../.." && pwd)
export TZ=UTC NO_COLOR=1
fail=0 n=0
check() { # INNER TUNNELLED MODE...
	local inner=$1 tun=$2
	shift 2
	n=$((n + 1))
	if ! diff -u <("$np" watch -r "$top/pcaps/$inner" "$@" 2>&1) \
		<("$np" watch -r "$top/pcaps/$tun" "$@" 2>&1) >/tmp/np-tunnel-same.$$; then
		echo "FAIL $tun $*: not the same as $inner"
		head -20 /tmp/np-tunnel-same.$$
		fail=$((fail + 1))
	fi
}
for t in gre gre-csum gretap erspan2 geneve ipip 4in6 mpls pppoe; do
	for mode in "--events" "--events --json"; do
		# shellcheck disable=SC2086 # the mode is words
		check tcp-handshake-data-teardown.pcap "$t-tcp.pcap" $mode
	done
done
check tcp-ipv6.pcap 6in4-tcp.pcap --events
check tcp-ipv6.pcap 6in4-tcp.pcap --events --json
# Two keys, one inner 5-tuple: two conversations, each with its handshake, no retransmission.
n=$((n + 1))
out=$("$np" watch -r "$top/pcaps/gre-two-keys-tcp.pcap" --events 2>&1)
hs=$(grep -c '⇒ #[0-9]* handshake ' <<<"$out")
rt=$(grep -ci 'retransmission\|dup ack' <<<"$out")
if [ "$hs" -ne 2 ] || [ "$rt" -ne 0 ] || ! grep -q '2 TCP conversations' <<<"$out"; then
	echo "FAIL gre-two-keys-tcp.pcap: $hs handshakes, $rt retransmissions/dup ACKs; want 2, 0"
	fail=$((fail + 1))
fi
rm -f /tmp/np-tunnel-same.$$
echo "tunnel_same: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
