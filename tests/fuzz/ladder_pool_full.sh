#!/usr/bin/env bash
# Regression for a fuzz finding (tests/fuzz/regressions/frame/ladder-lone-segment-held-event),
# through the real command line: with --ladder's pool of 1024 drawn conversations used up, a
# conversation that ends (SYN, then RST/ACK) is drawn from its one kept segment. That ladder used
# to live on the tracker's stack, and watch prints it after the packet line, from a dead stack
# frame: garbage flags and "?" states. The capture is written here, at test time: 1030 completed
# handshakes to distinct servers 1 ms apart (no flood), then the refused connection.
# Usage: ladder_pool_full.sh NETPROBE
set -u
np=${1:?usage: ladder_pool_full.sh NETPROBE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/cap.pcap" <<'PY' || exit 1
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def segment(src, dst, sport, dport, flags, seq, ack):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 1, 0, 64, 6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    pseudo = bytes(src) + bytes(dst) + struct.pack('!BBH', 0, 6, 20)
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    return b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' + ip + tcp

out = open(sys.argv[1], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))  # pcap, Ethernet
us = 1700000000 * 1000000
def put(frame):
    global us
    us += 1000
    out.write(struct.pack('<IIII', us // 1000000, us % 1000000, len(frame), len(frame)) + frame)

client = [10, 77, 1, 1]
for i in range(1030):
    server = [10, 77, 2 + i // 250, 1 + i % 250]
    put(segment(client, server, 20000 + i, 80, 0x02, 1000, 0))       # SYN
    put(segment(server, client, 80, 20000 + i, 0x12, 5000, 1001))    # SYN/ACK
    put(segment(client, server, 20000 + i, 80, 0x10, 1001, 5001))    # ACK
server = [10, 77, 9, 9]
put(segment(client, server, 40000, 81, 0x02, 1000, 0))               # SYN
put(segment(server, client, 81, 40000, 0x14, 0, 1001))               # RST/ACK: refused
PY
NO_COLOR=1 "$np" watch -r "$tmp/cap.pcap" --ladder --no-summary >"$tmp/out" 2>"$tmp/err"
rc=$?
ladder=$(grep -A3 '^#1031 ladder: client 10.77.1.1:40000, server 10.77.9.9:81' "$tmp/out")
printf '%s\n' "$ladder"
fail=0
[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] || { echo "FAIL exit $rc, stderr:"; head -5 "$tmp/err"; fail=1; }
grep -q 'CLOSED *|  *|  CLOSED' <<<"$ladder" || { echo "FAIL: initial states are not CLOSED/CLOSED"; fail=1; }
grep -q 'SYN-SENT *|-- SYN seq=0 len=0 -*>|' <<<"$ladder" || { echo "FAIL: the kept segment is not the client's SYN"; fail=1; }
[ "$fail" -eq 0 ] && echo "ladder_pool_full: ok"
exit $fail
