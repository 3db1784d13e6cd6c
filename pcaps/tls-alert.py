#!/usr/bin/env python3
"""tls-alert.py - writes tls-alert.pcap: two TLS conversations refused by the server with
plaintext alerts, made by hand (Ethernet/IPv4/TCP with correct checksums, a full three-way
handshake and teardown each), to check alert levels and descriptions and the names of
cipher suites and groups (GREASE and unknown values included) against tshark.

  conversation 1 (port 40101): ClientHello (TLS 1.2 suites, SNI www.example.test); the server
      answers one segment with two alerts: Warning Unrecognized Name (112), then Fatal
      Handshake Failure (40) - what a server says when no suite is shared.
  conversation 2 (port 40102): ClientHello whose suites hold a GREASE value (0x2a2a) and an
      unassigned one (0x0a0b), whose groups hold GREASE (0x3a3a), x25519 and an unassigned
      one (0x0777); the server answers Fatal with an unassigned description (200).
Usage: tls-alert.py OUT.pcap
"""
import struct
import sys

CLI, SRV = bytes([10, 77, 4, 1]), bytes([10, 77, 4, 2])
MAC_C, MAC_S = b"\x02\x77\x00\x00\x04\x01", b"\x02\x77\x00\x00\x04\x02"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, data=b""):
    l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 502, 0, 0) + data
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, 6, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    l4 = l4[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(l4)) + l4)) + l4[18:]
    macs = MAC_S + MAC_C if src == CLI else MAC_C + MAC_S
    return macs + b"\x08\x00" + h + l4


def ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def client_hello(suites, groups):
    name = b"www.example.test"
    exts = ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
    exts += ext(10, struct.pack("!H", 2 * len(groups)) + b"".join(struct.pack("!H", g) for g in groups))
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", 2 * len(suites)) + \
        b"".join(struct.pack("!H", s) for s in suites) + b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def alert(level, desc):
    return b"\x15\x03\x03\x00\x02" + bytes([level, desc])


def conversation(cport, hello, answer):
    c, s = 1000, 5000
    out = [frame(CLI, SRV, cport, 443, c, 0, 0x02), frame(SRV, CLI, 443, cport, s, c + 1, 0x12),
           frame(CLI, SRV, cport, 443, c + 1, s + 1, 0x10)]
    c, s = c + 1, s + 1
    out.append(frame(CLI, SRV, cport, 443, c, s, 0x18, hello))
    c += len(hello)
    out.append(frame(SRV, CLI, 443, cport, s, c, 0x18, answer))
    s += len(answer)
    out.append(frame(SRV, CLI, 443, cport, s, c, 0x11))
    out.append(frame(CLI, SRV, cport, 443, c, s + 1, 0x11))
    out.append(frame(SRV, CLI, 443, cport, s + 1, c + 1, 0x10))
    return out


frames = conversation(40101, client_hello([0xc02c, 0xc030, 0x009f, 0x00ff], [29, 23]),
                      alert(1, 112) + alert(2, 40))
frames += conversation(40102, client_hello([0x2a2a, 0x1301, 0x0a0b, 0xc02b], [0x3a3a, 29, 0x0777]),
                       alert(2, 200))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1796300000 + i // 8, (i % 8) * 1000, len(fr), len(fr)) + fr)
