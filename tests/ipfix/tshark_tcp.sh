#!/bin/bash
# tshark_tcp.sh NETPROBE PCAP... - IPFIX over TCP (RFC 7011 s10.4) read by an independent decoder:
# a listener on a free loopback port takes netprobe's --ipfix tcp:127.0.0.1:PORT stream while
# tshark captures it on lo; tshark's IPFIX dissector (`-d tcp.port==PORT,cflow`) must then decode,
# from the reassembled stream, one data record per conversation of netprobe's own ECS lines
# (TCP and UDP): the same addresses, ports, protocol, and packets and octets each way (tshark
# puts the RFC 5103 reverse elements, PEN 29305, in the same fields, after the forward ones).
# Root (capture on lo) and tshark; otherwise SKIP (77).
# NOT IN CTEST: unreliable. All of pcaps/ passed in 2 runs of 4 (3,094 records), the SYN flood
# alone passed; other runs missed 1 of 3,092, 10 of 3,021, and once 10 of 20 records of a
# small set. The cause is not found (tshark's reassembly of messages that straddle segments,
# or the capture on a machine loaded to 15, are suspects; nfcapd over UDP and tcp_stream.py's
# own decoding of the same TCP stream read every record). A manual check, not a verdict.
set -u
NP=$1
shift
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to capture on lo"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
TMP=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the collector: accepts connections one after another and reads them to their end (bounded)
timeout 120 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    while c.recv(65536): pass
    c.close()
' "$PORT" "$TMP/listening" &
pids+=($!)
timeout 120 tshark -q -B 64 -i lo -f "tcp port $PORT" -w "$TMP/ipfix.pcapng" >"$TMP/tshark.log" 2>&1 &
tpid=$!
pids+=($tpid)
for _ in $(seq 100); do
	[ -e "$TMP/listening" ] && grep -q "Capturing on" "$TMP/tshark.log" && break
	sleep 0.1
done
grep -q "Capturing on" "$TMP/tshark.log" || { echo "FAIL: tshark did not start: $(cat "$TMP/tshark.log")"; exit 1; }
fail=0
: >"$TMP/want"
for pcap in "$@"; do
	if ! "$NP" watch -r "$pcap" --ipfix "tcp:127.0.0.1:$PORT" --json=ecs >"$TMP/ecs" 2>"$TMP/err"; then
		echo "FAIL $pcap: netprobe exit $?: $(cat "$TMP/err")"
		fail=1
	fi
	python3 - "$TMP/ecs" >>"$TMP/want" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["event"]["action"] == "conversation":
        s, t = d["source"], d["destination"]
        if ":" not in s["ip"]:  # IPv4 (tshark's srcaddr/dstaddr; IPv6 is counted apart)
            print(s["ip"], s["port"], t["ip"], t["port"], d["network"]["iana_number"],
                  s["packets"], s["bytes"], t["packets"], t["bytes"])
        else:
            print("v6", s["ip"], s["port"], t["port"], d["network"]["iana_number"],
                  s["packets"], s["bytes"], t["packets"], t["bytes"])
PY
done
sleep 1 # the last segments into the capture
kill -INT "$tpid"
wait "$tpid"
tshark -r "$TMP/ipfix.pcapng" -d "tcp.port==$PORT,cflow" -o tcp.desegment_tcp_streams:TRUE \
	-Y cflow -T fields -E occurrence=a -E separator=/t -e cflow.srcaddr -e cflow.srcport \
	-e cflow.dstaddr -e cflow.dstport -e cflow.protocol -e cflow.packets -e cflow.octets \
	-e cflow.srcaddrv6 2>"$TMP/dec.err" >"$TMP/dec.raw"
python3 - "$TMP/dec.raw" >"$TMP/got" <<'PY'
import sys
import ipaddress
# one line per IPFIX message: each field's values for the message's records, comma-separated;
# packets and octets twice per record (forward, then reverse). netprobe sends a message per
# record, so a message's IPv4 or IPv6 addresses are its one record's.
for line in open(sys.argv[1]):
    f = [x.split(",") if x else [] for x in line.rstrip("\n").split("\t")]
    f += [[]] * (8 - len(f))
    sa, sp, da, dp, pr, pk, oc, s6 = f
    for i in range(len(sp)):
        rest = (pr[i], pk[2 * i], oc[2 * i], pk[2 * i + 1], oc[2 * i + 1])
        if i < len(sa):
            print(sa[i], sp[i], da[i], dp[i], *rest)
        else:
            print("v6", ipaddress.ip_address(s6[i - len(sa)]).compressed, sp[i], dp[i], *rest)
PY
sort "$TMP/want" >"$TMP/want.s"
sort "$TMP/got" >"$TMP/got.s"
if ! diff -u "$TMP/want.s" "$TMP/got.s" >"$TMP/diff"; then
	echo "FAIL: tshark's IPFIX records differ from netprobe's conversations (- netprobe, + tshark):"
	head -30 "$TMP/diff"
	head -5 "$TMP/dec.err"
	fail=1
fi
grep -i "dropped" "$TMP/tshark.log"
n=$(wc -l <"$TMP/want.s")
echo "conversations: $n netprobe, $(wc -l <"$TMP/got.s") records tshark decoded over TCP"
[ "$n" -gt 0 ] || fail=1
exit $fail
