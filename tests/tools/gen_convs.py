#!/usr/bin/env python3
"""gen_convs.py - a synthetic capture of N short TCP conversations with payload, for the memory
measurement of `netprobe follow` (never committed; written at measurement time).

Each conversation: SYN, SYN/ACK, ACK with a 24-byte request, the 32-byte answer, RST from the
client (ends it at once, as a client that closes with unread data does). 100 new conversations
per millisecond of capture time, client addresses 10.77.x.y, ports from 1024 up, server
10.77.255.1:8888. Checksums are not filled in (the follow view does not depend on them).

Usage: gen_convs.py OUT.pcap [N]   (default N = 1000000)
"""
import struct
import sys


def main():
    out = open(sys.argv[1], "wb")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    srv = bytes([10, 77, 255, 1])
    req, resp = b"GET /item/%08d HTTP\r\n", b"HTTP/1.0 200 OK\r\n\r\nitem %08d\r\n"
    buf = []
    for i in range(n):
        cli = bytes([10, 77, (i >> 8) & 0xff, i & 0xff])
        cport = 1024 + (i >> 16)
        t = 1700000000 * 1000000 + i * 10
        isn_c, isn_s = (i * 2654435761) & 0xffffffff, (i * 40503 + 7) & 0xffffffff
        r, a = req % (i % 100000000), resp % (i % 100000000)
        segs = [(0, 0x02, isn_c, 0, b""), (1, 0x12, isn_s, isn_c + 1, b""),
                (0, 0x18, isn_c + 1, isn_s + 1, r), (1, 0x18, isn_s + 1, isn_c + 1 + len(r), a),
                (0, 0x14, isn_c + 1 + len(r), isn_s + 1 + len(a), b"")]
        for k, (d, flags, seq, ack, data) in enumerate(segs):
            src, dst = (cli, srv) if d == 0 else (srv, cli)
            sp, dp = (cport, 8888) if d == 0 else (8888, cport)
            tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50,
                              flags, 65535, 0, 0) + data
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xffff, 0x4000, 64,
                             6, 0, src, dst) + tcp
            frame = eth + ip
            ts = t + k
            buf.append(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(frame), len(frame)))
            buf.append(frame)
        if len(buf) > 100000:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))


if __name__ == "__main__":
    main()
