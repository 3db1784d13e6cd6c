#!/usr/bin/env python3
"""rewrite-overlap.py - make pcaps/tcp-reorder-overlap.pcap from a real capture.

Usage: python3 pcaps/rewrite-overlap.py [IN.pcap [OUT.pcap]]
       (defaults: pcaps/tcp-handshake-data-teardown.pcap -> pcaps/tcp-reorder-overlap.pcap)

The client's one data segment ("hello from client\\n", 18 bytes, a real Linux connection
recorded by make-pcaps.sh) is cut into three and sent as a network that reorders and an
attacker who retransmits with other bytes would (offsets in the client's stream):

  1. [12,18) "lient\\n"   out of order: waits for the bytes before it
  2. [14,18) "XYZ!"      overlaps the waiting copy with different bytes: the first is kept
  3. [0,6)   "hello "    delivers 0..6
  4. [6,12)  "from c"    delivers 6..18 (with the waiting segment)
  5. [6,12)  "from c"    an exact retransmission: no conflict
  6. [3,9)   "LO FRO"    overlaps delivered bytes with different ones: the first is kept

So the client's stream is still "hello from client\\n"; two conflicts (2: 4 bytes at 14,
6: 6 bytes at 3) and one plain retransmission. Every other frame is copied unchanged; the IPv4
total length, identification and header checksum and the TCP checksum are recomputed
(RFC 791, RFC 9293 s3.1), timestamps stay increasing (1 us apart inside the burst). Classic
pcap, Ethernet, IPv4 without options only: what the input is.

Checked with tshark by tests/diff/follow_diff.py (the bytes) and by the golden's check.
"""
import struct
import sys

DATA = b"hello from client\n"
PLAN = [(12, b"lient\n"), (14, b"XYZ!"), (0, b"hello "), (6, b"from c"), (6, b"from c"),
        (3, b"LO FRO")]


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def rebuild(frame, seq, payload, ip_id):
    """The frame with another TCP sequence number and payload: lengths and sums made again."""
    eth, ip = frame[:14], frame[14:]
    ihl = (ip[0] & 15) * 4
    tcp = bytearray(ip[ihl:])
    thl = (tcp[12] >> 4) * 4
    tcp = tcp[:thl] + payload
    struct.pack_into("!I", tcp, 4, seq)
    struct.pack_into("!H", tcp, 16, 0)
    iph = bytearray(ip[:ihl])
    struct.pack_into("!HH", iph, 2, ihl + len(tcp), ip_id)
    struct.pack_into("!H", iph, 10, 0)
    struct.pack_into("!H", iph, 10, csum(bytes(iph)))
    pseudo = bytes(iph[12:20]) + struct.pack("!BBH", 0, 6, len(tcp))
    struct.pack_into("!H", tcp, 16, csum(pseudo + bytes(tcp)))
    return eth + bytes(iph) + bytes(tcp)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "pcaps/tcp-handshake-data-teardown.pcap"
    dst = sys.argv[2] if len(sys.argv) > 2 else "pcaps/tcp-reorder-overlap.pcap"
    raw = open(src, "rb").read()
    ghdr, pos, out, done = raw[:24], 24, [], False
    if struct.unpack("<I", raw[:4])[0] != 0xa1b2c3d4 or struct.unpack("<I", raw[20:24])[0] != 1:
        sys.exit("rewrite-overlap: want a little-endian classic pcap of Ethernet frames")
    while pos + 16 <= len(raw):
        sec, usec, incl, orig = struct.unpack("<IIII", raw[pos:pos + 16])
        frame = raw[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        thl = (tcp[12] >> 4) * 4
        if not done and ip[9] == 6 and tcp[thl:] == DATA:
            seq, ip_id = struct.unpack("!I", tcp[4:8])[0], struct.unpack("!H", ip[4:6])[0]
            for i, (off, payload) in enumerate(PLAN):
                f = rebuild(frame, (seq + off) & 0xffffffff, payload, (ip_id + i) & 0xffff)
                out.append(struct.pack("<IIII", sec, usec + i, len(f), len(f)) + f)
            done = True
            continue
        out.append(struct.pack("<IIII", sec, usec + (len(PLAN) if done else 0), incl, orig) + frame)
    if not done:
        sys.exit("rewrite-overlap: no segment carrying %r in %s" % (DATA, src))
    with open(dst, "wb") as f:
        f.write(ghdr + b"".join(out))


if __name__ == "__main__":
    main()
