#!/usr/bin/env bash
# ts_usec.sh - a record whose microseconds field holds 1,000,000 or more (seen in the held-out
# set, issue 14) has one time in every output: 1701999731 s + 1011041 us is 1701999732.011041
# in --json's ts, in -t e's time column and in -v's Epoch Time.
# Usage: ts_usec.sh NETPROBE
set -u
np=${1:?usage: ts_usec.sh NETPROBE}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export TZ=UTC NO_COLOR=1
python3 - "$dir/ts.pcap" <<'PY'
import struct, sys
# Ethernet / IPv4 10.77.0.1 -> 10.77.0.2 / UDP 1000 -> 2000, no checksum, 2 data bytes
ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 30, 1, 0, 64, 17, 0,
                           bytes([10, 77, 0, 1]), bytes([10, 77, 0, 2])))
s = sum(struct.unpack("!10H", bytes(ip)))
s = (s & 0xffff) + (s >> 16)
ip[10:12] = struct.pack("!H", ~s & 0xffff)
frame = bytes(12) + b"\x08\x00" + bytes(ip) + struct.pack("!HHHH", 1000, 2000, 10, 0) + b"hi"
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1701999731, 1011041, len(frame), len(frame)) + frame)
PY
want=1701999732.011041
fail=0
got=$("$np" watch -r "$dir/ts.pcap" --json 2>/dev/null | head -1 | grep -o '"ts":"[^"]*"')
[ "$got" = "\"ts\":\"$want\"" ] || { echo "FAIL --json: $got, want ts $want"; fail=1; }
got=$("$np" watch -r "$dir/ts.pcap" -t e 2>/dev/null | head -1 | awk '{print $2}')
[ "$got" = "$want" ] || { echo "FAIL -t e: $got, want $want"; fail=1; }
got=$("$np" watch -r "$dir/ts.pcap" -v 2>/dev/null | grep -o 'Epoch Time: [0-9.]*')
[ "$got" = "Epoch Time: $want" ] || { echo "FAIL -v: $got, want $want"; fail=1; }
[ "$fail" -eq 0 ] && echo "ts_usec: 3 passed, 0 failed"
exit "$fail"
