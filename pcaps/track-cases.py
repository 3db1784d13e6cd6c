#!/usr/bin/env python3
"""track-cases.py - small synthetic captures of the TCP tracker's corner cases (issue 14).

Each is a few Ethernet/IPv4/TCP frames with correct IP and TCP checksums between 10.77.9.1
(client) and 10.77.9.2 (server), written as pcap; make-pcaps.sh checks each with tshark.
  track-two-isns.pcap    the server answers one SYN with two SYN/ACKs of different initial
                         sequence numbers; the client acknowledges the second: one handshake
  track-bad-synack.pcap  a SYN/ACK that does not acknowledge the SYN (a stray), the client's
                         RST to it (RFC 9293 s3.10.7.3), then the real SYN/ACK: the handshake
                         completes on the real one only
  track-no-syn.pcap      the capture starts at the SYN/ACK: established, no handshake reported
  track-lone-rst.pcap    a lone RST/ACK for a connection never seen, then a SYN left unanswered
                         and its RST 40 s later, after the half-open entry expired (30 s)
Usage: track-cases.py OUTDIR
"""
import os
import struct
import sys

MAC_C, MAC_S = bytes.fromhex("027700090001"), bytes.fromhex("027700090002")
IP_C, IP_S = bytes([10, 77, 9, 1]), bytes([10, 77, 9, 2])
CPORT, SPORT = 40001, 8888
T0 = 1796259600
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(c2s, flags, seq, ack, data=b"", cport=CPORT, ident=[0x100]):
    src, dst = (IP_C, IP_S) if c2s else (IP_S, IP_C)
    sp, dp = (cport, SPORT) if c2s else (SPORT, cport)
    opts = struct.pack("!BBH", 2, 4, 1460) if flags & SYN else b""
    off = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, off << 4, flags,
                      64240 if not flags & RST else 0, 0, 0) + opts + data
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ident[0] += 1
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ident[0], 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    emac = (MAC_S + MAC_C) if c2s else (MAC_C + MAC_S)
    return emac + struct.pack("!H", 0x0800) + ip + tcp


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for us, data in frames:
            f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000, len(data), len(data)))
            f.write(data)


def close(t, cseq, sseq):
    """Data one way, then the client's FIN and the server's, each acknowledged."""
    return [(t, frame(True, PSH | ACK, cseq, sseq, b"dog")),
            (t + 100, frame(False, ACK, sseq, cseq + 3)),
            (t + 200, frame(True, FIN | ACK, cseq + 3, sseq)),
            (t + 300, frame(False, FIN | ACK, sseq, cseq + 4)),
            (t + 400, frame(True, ACK, cseq + 4, sseq + 1))]


def main():
    out = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__.strip().split("\n")[-1])
    c, s1, s2 = 1000, 5000, 900000
    write(os.path.join(out, "track-two-isns.pcap"), [
        (0, frame(True, SYN, c, 0)),
        (100, frame(False, SYN | ACK, s1, c + 1)),
        (1000000, frame(True, SYN, c, 0)),
        (1000100, frame(False, SYN | ACK, s2, c + 1)),
        (1000200, frame(True, ACK, c + 1, s2 + 1))] + close(1000300, c + 1, s2 + 1))
    write(os.path.join(out, "track-bad-synack.pcap"), [
        (0, frame(True, SYN, c, 0)),
        (100, frame(False, SYN | ACK, 777000, 424242)),
        (200, frame(True, RST, 424242, 0)),
        (1000000, frame(True, SYN, c, 0)),
        (1000100, frame(False, SYN | ACK, s1, c + 1)),
        (1000200, frame(True, ACK, c + 1, s1 + 1))] + close(1000300, c + 1, s1 + 1))
    write(os.path.join(out, "track-no-syn.pcap"), [
        (100, frame(False, SYN | ACK, s1, c + 1)),
        (200, frame(True, ACK, c + 1, s1 + 1))] + close(300, c + 1, s1 + 1))
    write(os.path.join(out, "track-lone-rst.pcap"), [
        (0, frame(False, RST | ACK, 0, 31337, cport=40100)),
        (1000000, frame(True, SYN, c, 0, cport=40200)),
        (41000000, frame(True, RST, c + 1, 0, cport=40200))])


if __name__ == "__main__":
    main()
