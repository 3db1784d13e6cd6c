#!/bin/bash
# nfcapd.sh NETPROBE PCAP... - netprobe --ipfix to the real collector: nfcapd (nfdump 1.7)
# listens on a loopback port and writes to a scratch directory; each capture is replayed with
# `watch -r PCAP --ipfix 127.0.0.1:PORT --json=ecs`; nfcapd is stopped (by its PID) and
# `nfdump -R` must show exactly the conversations netprobe counts (TCP: its summary; UDP: the
# rows of `netprobe stats --conv udp`, the table compared with tshark's -z conv,udp), each with
# its protocol and the packets and bytes each way of netprobe's own conversation record (the
# ECS line).
set -u
NP=$1
shift
command -v nfcapd >/dev/null && command -v nfdump >/dev/null || { echo "SKIP: no nfdump"; exit 77; }
TMP=$(mktemp -d)
NFPID=
cleanup() {
	[ -n "$NFPID" ] && kill "$NFPID" 2>/dev/null && wait "$NFPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$TMP/flows"
nfcapd -b 127.0.0.1 -p "$PORT" -w "$TMP/flows" -B 16777216 >"$TMP/nfcapd.log" 2>&1 &
NFPID=$!
# nfcapd is ready when it listens on the port (bounded wait).
for _ in $(seq 50); do
	ss -uln 2>/dev/null | grep -q "127.0.0.1:$PORT " && break
	sleep 0.1
done
fail=0
want_total=0
udp_total=0
: >"$TMP/want"
for pcap in "$@"; do
	if ! "$NP" watch -r "$pcap" --ipfix "127.0.0.1:$PORT" --json=ecs >"$TMP/ecs" 2>"$TMP/err"; then
		echo "FAIL $pcap: netprobe exit $?: $(cat "$TMP/err")"
		fail=1
		continue
	fi
	n=$(sed -n 's/^netprobe: \([0-9]*\) TCP conversations\{0,1\}:.*/\1/p' "$TMP/err")
	sent=$(sed -n 's/^netprobe: IPFIX: \([0-9]*\) records\{0,1\} sent.*/\1/p' "$TMP/err")
	nu=$("$NP" stats -r "$pcap" --conv udp --tables conv | sed -n 's/^UDP conversations: \([0-9]*\)$/\1/p')
	if [ "$((n + ${nu:-0}))" != "$sent" ]; then
		echo "FAIL $pcap: the summary counts $n TCP conversations, stats ${nu:-0} UDP, $sent IPFIX records sent"
		fail=1
	fi
	want_total=$((want_total + n + ${nu:-0}))
	udp_total=$((udp_total + ${nu:-0}))
	python3 - "$TMP/ecs" >>"$TMP/want" <<'PY'
import json, sys, ipaddress
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["event"]["action"] != "conversation":
        continue
    s, t = d["source"], d["destination"]
    print(d["network"]["iana_number"], ipaddress.ip_address(s["ip"]).compressed, s["port"],
          ipaddress.ip_address(t["ip"]).compressed, t["port"],
          s["packets"], s["bytes"], t["packets"], t["bytes"])
PY
done
sleep 0.5 # the last datagrams into nfcapd's socket
kill "$NFPID"
wait "$NFPID"
NFPID=
nfdump -R "$TMP/flows" -q -N -6 -o 'fmt:%pr %sa %sp %da %dp %ipkt %ibyt %opkt %obyt' 2>"$TMP/nfdump.err" |
	awk 'NF == 9 { $1 = $1; print }' >"$TMP/got.raw"
python3 - "$TMP/got.raw" >"$TMP/got" <<'PY'
import ipaddress, sys
for line in open(sys.argv[1]):
    f = line.split()
    f[1] = ipaddress.ip_address(f[1]).compressed
    f[3] = ipaddress.ip_address(f[3]).compressed
    print(" ".join(f))
PY
sort "$TMP/want" >"$TMP/want.s"
sort "$TMP/got" >"$TMP/got.s"
got_total=$(wc -l <"$TMP/got.s")
if ! diff -u "$TMP/want.s" "$TMP/got.s" >"$TMP/diff"; then
	echo "FAIL: nfdump's records differ from netprobe's conversations (- netprobe, + nfdump):"
	head -40 "$TMP/diff"
	fail=1
fi
echo "conversations counted by netprobe: $want_total (of which UDP $udp_total); records nfdump read: $got_total"
[ "$want_total" -gt 0 ] && [ "$udp_total" -gt 0 ] && [ "$want_total" = "$got_total" ] || fail=1
exit $fail
