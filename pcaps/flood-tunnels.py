#!/usr/bin/env python3
"""flood-tunnels.py - SYN floods against one inner address in several VXLAN segments (issue 14).

The same inner target, 10.77.60.2:80, sits in four VNIs (one overlay address reused by four
tenants). The SYN-flood detector must count each VNI's target apart, as the tracker keys
conversations. Made for --flood-rate 10 --flood-half-open 15 (small numbers, a small file):
  0 s .. 2 s    VNI 1: 40 SYNs (20/s) from 40 sources, never answered: a flood in VNI 1
  0.5 s .. 2 s  VNI 2: 4 SYNs from one client, each refused by a RST/ACK: no flood in VNI 2,
                so the refusals are shown (keyed without the VNI they would join VNI 1's
                flood, be counted in its RSTs and hidden); a fifth at 10.1 s, whose time
                lets VNI 1's episode end (a whole window, 5 s, below half the rate)
  20 s .. 21 s  VNIs 3 and 4: 8 SYNs each (8/s, 8 half-open), interleaved: below the
                thresholds in each; keyed without the VNI they would make 16/s and 16
                half-open, a flood
Each frame: Ethernet, IPv4 10.77.200.1 -> 10.77.200.2 (RFC 791 header sum), UDP to port 4789
(RFC 768 sum with the pseudo-header), VXLAN (RFC 7348, I flag), the inner Ethernet, IPv4 and
TCP with correct sums. Nothing is sent anywhere: this writes a file.
Usage: flood-tunnels.py OUTPUT
"""
import struct
import sys

T0 = 1796259600
SYN, RST, ACK = 2, 4, 16
MAC_OA, MAC_OB = bytes.fromhex("027700c80001"), bytes.fromhex("027700c80002")
MAC_IA, MAC_IB = bytes.fromhex("0277003c0001"), bytes.fromhex("0277003c0002")
OUT_A, OUT_B = bytes([10, 77, 200, 1]), bytes([10, 77, 200, 2])
TARGET, TPORT = bytes([10, 77, 60, 2]), 80


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp(src, dst, sp, dp, flags, seq, ack):
    opts = struct.pack("!BBH", 2, 4, 1460) if flags & SYN else b""
    off = (20 + len(opts)) // 4
    t = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, off << 4, flags,
                    0 if flags & RST else 64240, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(t))
    return t[:16] + struct.pack("!H", csum(pseudo + t)) + t[18:]


class Wire:
    def __init__(self):
        self.ident = 0x2000
        self.frames = []

    def segment(self, us, vni, to_target, peer, pport, flags, seq, ack):
        self.ident += 1
        src, dst = (peer, TARGET) if to_target else (TARGET, peer)
        sp, dp = (pport, TPORT) if to_target else (TPORT, pport)
        inner = ipv4(src, dst, 6, tcp(src, dst, sp, dp, flags, seq, ack), self.ident)
        emac = (MAC_IB + MAC_IA) if to_target else (MAC_IA + MAC_IB)
        inner = emac + struct.pack("!H", 0x0800) + inner
        vx = struct.pack("!HHI", 0x0800, 0, vni << 8) + inner
        osrc, odst = (OUT_A, OUT_B) if to_target else (OUT_B, OUT_A)
        usport = 49152 + (vni * 131 + pport) % 16384  # a flow hash, as Linux picks it
        udp = struct.pack("!HHHH", usport, 4789, 8 + len(vx), 0) + vx
        pseudo = osrc + odst + struct.pack("!BBH", 0, 17, len(udp))
        udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
        outer = ipv4(osrc, odst, 17, udp, self.ident)
        emac = (MAC_OB + MAC_OA) if to_target else (MAC_OA + MAC_OB)
        self.frames.append((us, emac + struct.pack("!H", 0x0800) + outer))

    def write(self, path):
        self.frames.sort(key=lambda f: f[0])
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
            for us, data in self.frames:
                f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000, len(data),
                                    len(data)))
                f.write(data)


def main():
    out = sys.argv[1] if len(sys.argv) == 2 else sys.exit(__doc__.strip().split("\n")[-1])
    w = Wire()
    for i in range(40):  # VNI 1: the flood, one SYN every 50 ms from 40 sources
        w.segment(i * 50000, 1, True, bytes([10, 77, 61, 1 + i]), 1024 + i, SYN,
                  0x10000000 + i * 7919, 0)
    for i in range(5):  # VNI 2: a client refused four times in the flood, once 10 s later
        t, seq = 500000 + i * 400000 + 1000 + (i == 4) * 8000000, 0x20000000 + i * 1000
        w.segment(t, 2, True, bytes([10, 77, 62, 1]), 41000 + i, SYN, seq, 0)
        w.segment(t + 150, 2, False, bytes([10, 77, 62, 1]), 41000 + i, RST | ACK, 0, seq + 1)
    for i in range(8):  # VNIs 3 and 4: eight SYNs each in one second, never answered
        for vni in (3, 4):
            w.segment(20000000 + i * 125000 + (vni - 3) * 60000, vni, True,
                      bytes([10, 77, 60 + vni, 1 + i]), 2048 + i, SYN,
                      0x30000000 + vni * 100000 + i * 7, 0)
    w.write(out)


if __name__ == "__main__":
    main()
