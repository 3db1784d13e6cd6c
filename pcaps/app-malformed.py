#!/usr/bin/env python3
"""app-malformed.py - writes app-malformed.pcap: DNS, HTTP and TLS messages that lie, made by
hand (the attack surface of issue 14), each in one Ethernet/IPv4 frame with correct IP, UDP
and TCP checksums. netprobe must record each as a problem (truncated / invalid), never read
past the bytes; fuzz/mkseeds.c turns every frame into a fuzz seed.

  1  DNS response whose answer owner is a pointer to itself (compression loop)
  2  DNS response whose answer owner points past the message
  3  DNS response claiming 5 answers and carrying 1 (a lying count)
  4  DNS query whose name has a 63-byte label promised and 3 bytes there
  5  DNS over TCP whose length prefix promises more than the segment holds
  6  DNS response whose CNAME name runs past its rdlength
  7  TLS ClientHello whose SNI extension length runs past the extensions block
  8  TLS record whose length runs past the segment (the rest in a later segment)
  9  HTTP request line without an end
 10  HTTP response with a bad status code ("HTTP/1.1 2x0 OK"): not HTTP, stays TCP
 11  DNS pointer chain of 40 pointers (past the jump bound)
 12  HTTPS answer (RFC 9460) whose alpn SvcParam claims 40 bytes in a 12-byte record
 13  HTTPS answer whose TargetName is a compression pointer (s2.2: never compressed)
 14  HTTPS answer whose port SvcParam is 3 bytes long
 15  SVCB answer whose alpn id claims 9 bytes of a 3-byte value
 16  HTTPS answer whose rdlength runs past the message
Usage: app-malformed.py OUT.pcap
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


SRC, DST = bytes([10, 77, 3, 1]), bytes([10, 77, 3, 2])


def ip(proto, l4, src=SRC, dst=DST):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    at = 6 if proto == 17 else 16
    l4 = l4[:at] + struct.pack("!H", csum(pseudo + l4)) + l4[at + 2:]
    return b"\x02\x77\x00\x00\x03\x02\x02\x77\x00\x00\x03\x01\x08\x00" + h + l4


def udp(sport, dport, data):
    return ip(17, struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data)


def tcp(sport, dport, data, seq=1000):
    return ip(6, struct.pack("!HHIIBBHHH", sport, dport, seq, 1, 5 << 4, 0x18, 502, 0, 0) + data)


NAME = b"\x03www\x07example\x04test\x00"
Q = NAME + b"\x00\x01\x00\x01"


def hdr(qid, flags, qd, an, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


frames = [
    udp(53, 40001, hdr(1, 0x8180, 1, 1) + Q + b"\xc0\x22" + b"\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x4d\x00\x05"),
    udp(53, 40002, hdr(2, 0x8180, 1, 1) + Q + b"\xc1\x00" + b"\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x4d\x00\x05"),
    udp(53, 40003, hdr(3, 0x8180, 1, 5) + Q + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x4d\x00\x05"),
    udp(40004, 53, hdr(4, 0x0100, 1, 0) + b"\x3fabc"),
    tcp(40005, 53, struct.pack("!H", 300) + hdr(5, 0x0100, 1, 0) + Q),
    udp(53, 40006, hdr(6, 0x8180, 1, 1) + Q + b"\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x02" + b"\x04mail\xc0\x10"),
]
# 7: a ClientHello whose SNI extension claims 200 bytes inside a 30-byte extensions block
ext = struct.pack("!HH", 0, 200) + struct.pack("!HBH", 21, 0, 18) + b"www.example.test"
body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00" + \
    struct.pack("!H", len(ext)) + ext
hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
frames.append(tcp(40007, 443, b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs))
# 8: a handshake record of 4000 bytes of which 40 are here
frames.append(tcp(443, 40008, b"\x16\x03\x03" + struct.pack("!H", 4000) + b"\x0b\x00\x0f\x9c" + b"\x00" * 36))
frames.append(tcp(40009, 80, b"GET /" + b"a" * 100))
frames.append(tcp(80, 40010, b"HTTP/1.1 2x0 OK\r\n\r\n"))
chain = b"".join(struct.pack("!H", 0xc000 | (12 + 2 * (i + 1))) for i in range(40)) + b"\x00"
frames.append(udp(53, 40011, hdr(11, 0x8180, 1, 0) + chain + b"\x00\x01\x00\x01"))
QH = b"\x07example\x04test\x00\x00\x41\x00\x01"  # example.test HTTPS IN, at offset 12


def svcb_answer(qid, rdata, rtype=65, rdlen=None):
    rr = b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 300, len(rdata) if rdlen is None else rdlen)
    q = QH if rtype == 65 else QH[:-4] + b"\x00\x40\x00\x01"
    return udp(53, 40000 + qid, hdr(qid, 0x8180, 1, 1) + q + rr + rdata)


frames.append(svcb_answer(12, b"\x00\x01\x00" + struct.pack("!HH", 1, 40) + b"\x02h2\x02h3"))
frames.append(svcb_answer(13, b"\x00\x01\xc0\x0c" + struct.pack("!HH", 3, 2) + b"\x01\xbb"))
frames.append(svcb_answer(14, b"\x00\x01\x00" + struct.pack("!HH", 3, 3) + b"\x01\xbb\x00"))
frames.append(svcb_answer(15, b"\x00\x01\x00" + struct.pack("!HH", 1, 3) + b"\x09h2", rtype=64))
frames.append(svcb_answer(16, b"\x00\x01\x00" + struct.pack("!HH", 3, 2) + b"\x01\xbb", rdlen=60))

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1796270000 + i, 0, len(fr), len(fr)) + fr)
