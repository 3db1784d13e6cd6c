#!/bin/bash
# tshark_tcp.sh NETPROBE PCAP... - IPFIX over TCP (RFC 7011 s10.4) read by an independent decoder:
# a listener on a free loopback port takes netprobe's --ipfix tcp:127.0.0.1:PORT stream while
# tshark captures it on lo; tshark's IPFIX dissector (`-d tcp.port==PORT,cflow`) must then decode,
# from the reassembled stream, one data record per conversation of netprobe's own ECS lines
# (TCP and UDP): the same addresses, ports, protocol, and packets and octets each way (tshark
# puts the RFC 5103 reverse elements, PEN 29305, in the same fields, after the forward ones).
# Root (capture on lo) and tshark; otherwise SKIP (77).
# Why earlier versions of this script missed records now and then (neither tshark's decoding
# nor netprobe's stream was at fault):
#  - they started the first netprobe run when tshark printed "Capturing on", which tshark
#    prints BEFORE its dumpcap has opened lo: the first capture's connection, with all its
#    records (1 of 3,094 with pcaps/, 10 of 20 of a small set...), was sometimes not captured.
#    The capture is ready when dumpcap reports its file ("File:", sent once the device is open
#    and filtered); and the capture is checked to hold every run's connection, SYN to FIN,
#    with no segment lost, before any record is compared, so a capture that misses packets
#    says so instead of looking like a decoder that reads fewer records;
#  - the collector and tshark ran under `timeout 120`, which a run on a loaded machine
#    outlasted (later runs: "Connection refused"); the bound is now 300 s, above CTest's;
#  - latent: a frame can carry several IPFIX messages (TCP coalesces the small writes) and
#    tshark's fields list a frame's IPv4 and IPv6 addresses apart: records are paired with
#    their addresses through each data set's template id, in order.
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
timeout 300 python3 -c '
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
timeout 300 tshark -q -B 64 -i lo -f "tcp port $PORT" -w "$TMP/ipfix.pcapng" >"$TMP/tshark.log" 2>&1 &
tpid=$!
pids+=($tpid)
# "Capturing on" comes from tshark before dumpcap opens the interface; "File:" from dumpcap
# once the interface is open and filtered (what is sent from then on is captured).
for _ in $(seq 300); do
	[ -e "$TMP/listening" ] && grep -q "File: " "$TMP/tshark.log" && break
	sleep 0.1
done
grep -q "File: " "$TMP/tshark.log" || { echo "FAIL: tshark did not start: $(cat "$TMP/tshark.log")"; exit 1; }
fail=0
runs=0
: >"$TMP/ecs"
for pcap in "$@"; do
	runs=$((runs + 1))
	"$NP" watch -r "$pcap" --ipfix "tcp:127.0.0.1:$PORT" --json=ecs >>"$TMP/ecs" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne 0 ] || grep -q -- "--ipfix" "$TMP/err"; then
		echo "FAIL $pcap: netprobe exit $rc: $(cat "$TMP/err")"
		fail=1
	fi
done
python3 - "$TMP/ecs" >"$TMP/want" <<'PY'
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
sleep 1 # the last segments into the capture
kill -INT "$tpid"
wait "$tpid"
# The capture first: every run's connection from its SYN to netprobe's FIN, none lost.
# (streams, not segments: a FIN that the kernel sent again under load counts once)
tshark -r "$TMP/ipfix.pcapng" -T fields -e tcp.stream -e tcp.dstport -e tcp.flags.syn \
	-e tcp.flags.ack -e tcp.flags.fin -e tcp.analysis.lost_segment \
	-e tcp.analysis.ack_lost_segment 2>/dev/null >"$TMP/segs"
syns=$(awk -F'\t' -v p="$PORT" '$2 == p && $3 == 1 && $4 == 0 { print $1 }' "$TMP/segs" | sort -u | wc -l)
fins=$(awk -F'\t' -v p="$PORT" '$2 == p && $5 == 1 { print $1 }' "$TMP/segs" | sort -u | wc -l)
lost=$(awk -F'\t' '$6 != "" || $7 != ""' "$TMP/segs" | wc -l)
if [ "$syns" -ne "$runs" ] || [ "$fins" -ne "$runs" ] || [ "$lost" -ne 0 ]; then
	echo "FAIL: the capture is incomplete ($runs runs: $syns connections with a SYN, $fins with netprobe's FIN, $lost segments lost):"
	grep -i "captured\|dropped" "$TMP/tshark.log"
	exit 1
fi
tshark -r "$TMP/ipfix.pcapng" -d "tcp.port==$PORT,cflow" -o tcp.desegment_tcp_streams:TRUE \
	-Y cflow -T fields -E occurrence=a -E separator=/t -e cflow.flowset_id -e cflow.srcaddr \
	-e cflow.srcport -e cflow.dstaddr -e cflow.dstport -e cflow.protocol -e cflow.packets \
	-e cflow.octets -e cflow.srcaddrv6 2>"$TMP/dec.err" >"$TMP/dec.raw"
python3 - "$TMP/dec.raw" >"$TMP/got" <<'PY'
import sys
import ipaddress
# One line per frame: each field's values for the frame's records (several messages when TCP
# put them in one segment), comma-separated; packets and octets twice per record (forward,
# then reverse). netprobe puts one record in each data set, so the data sets' template ids
# (0x9001 IPv4, 0x9002 IPv6; 2 is a template set) say, in order, whose addresses come next.
for line in open(sys.argv[1]):
    f = [x.split(",") if x else [] for x in line.rstrip("\n").split("\t")]
    f += [[]] * (9 - len(f))
    sets, sa, sp, da, dp, pr, pk, oc, s6 = f
    data = [int(x) for x in sets if int(x) >= 256]
    if len(data) != len(sp) or len(pk) != 2 * len(sp):
        print("BAD FRAME", line.strip())
        continue
    n4 = n6 = 0
    for i, tid in enumerate(data):
        rest = (pr[i], pk[2 * i], oc[2 * i], pk[2 * i + 1], oc[2 * i + 1])
        if tid == 0x9001:
            print(sa[n4], sp[i], da[n4], dp[i], *rest)
            n4 += 1
        else:
            print("v6", ipaddress.ip_address(s6[n6]).compressed, sp[i], dp[i], *rest)
            n6 += 1
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
