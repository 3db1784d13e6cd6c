#!/usr/bin/env python3
"""gen_app.py - writes a capture that is mostly DNS, HTTP/1.1 and TLS (bench/app_vs_tshark.sh),
built from the real application captures in pcaps/; never committed. Deterministic.

The template is pcaps/dns.pcap, http.pcap, tls.pcap, app-segments.pcap and tls-alert.pcap one
after the other (10 ms apart): DNS over UDP and TCP (A, AAAA, CNAME, NXDOMAIN, MX, TXT, a
response over three segments), HTTP GETs and POSTs (requests and responses split over segments),
TLS 1.2 and 1.3 handshakes (SNI, ALPN, a 1.8 KB ClientHello over two segments), TLS alerts, and
the TCP handshakes, ACKs and teardowns around them (188 frames). Copy d (1, 2, ...) of the
template starts d * SPAN / CONC seconds in, so that about CONC copies are in progress at once,
and its frames are merged with the other copies' in time order until FRAMES frames are written.

Each copy talks between its own pair of addresses, so that the copies are distinct conversations
(to the tracker, the reassembler and the request/response pairing, as to tshark): in every IPv4
or IPv6 frame, the last 16-bit word of the lower address of the pair gets + d and the higher's
- d (mod 0xffff). The one's complement sum over the two addresses is unchanged, so every IPv4
header, TCP and UDP checksum stays exactly as it was captured (correct stays correct; a
loopback capture's offloaded checksum stays offloaded) with no recomputation. Nothing else
changes: ports, sequence numbers, DNS IDs and payloads are the captured ones.

Prints KEY=VALUE lines: packets, copies (started), template_frames, duration_us.

Usage: gen_app.py -o FILE [-n FRAMES] [-c CONC] [--pcaps DIR]
"""
import argparse
import heapq
import os
import struct
import sys

TEMPLATE = ["dns.pcap", "http.pcap", "tls.pcap", "app-segments.pcap", "tls-alert.pcap"]
GAP_US = 10000
T0_US = 1700000000 * 1000000  # any fixed start will do


def read_pcap(path):
    """The frames of a classic little- or big-endian microsecond pcap: (ts_us, orig_len, bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        end = "<"
    elif magic == b"\xa1\xb2\xc3\xd4":
        end = ">"
    else:
        sys.exit(f"gen_app.py: {path}: not a microsecond pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit(f"gen_app.py: {path}: link type {linktype}, not Ethernet")
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            sys.exit(f"gen_app.py: {path}: cut short")
        frames.append((sec * 1000000 + usec, orig, data[off:off + incl]))
        off += incl
    return frames


def template(pcapdir):
    """The template's frames with times relative to its start, and its span in microseconds."""
    out, base = [], 0
    for name in TEMPLATE:
        frames = read_pcap(os.path.join(pcapdir, name))
        t0 = frames[0][0]
        for ts, orig, raw in frames:
            out.append((base + ts - t0, orig, raw))
        base = out[-1][0] + GAP_US
    return out, base


# Where the addresses sit in an untagged Ethernet frame, and their length: (EtherType, source,
# destination, address length).
ADDRS = {0x0800: (14 + 12, 14 + 16, 4), 0x86DD: (14 + 8, 14 + 24, 16)}


def rewrite(raw, d):
    """Frame raw with its address pair moved to copy d's (see the module's comment)."""
    if len(raw) < 14:
        return raw
    where = ADDRS.get(struct.unpack(">H", raw[12:14])[0])
    if where is None:
        return raw
    src, dst, alen = where
    if len(raw) < dst + alen:
        return raw
    a, b = raw[src:src + alen], raw[dst:dst + alen]
    if a == b:
        return raw
    lo, hi = (src, dst) if a < b else (dst, src)
    wlo = struct.unpack(">H", raw[lo + alen - 2:lo + alen])[0] + d
    whi = (struct.unpack(">H", raw[hi + alen - 2:hi + alen])[0] - d) % 0xFFFF
    if wlo > 0xFFFE:
        sys.exit("gen_app.py: too many copies for the template's addresses")
    out = bytearray(raw)
    out[lo + alen - 2:lo + alen] = struct.pack(">H", wlo)
    out[hi + alen - 2:hi + alen] = struct.pack(">H", whi)
    return bytes(out)


def copy_frames(tmpl, d, start_us):
    for ts, orig, raw in tmpl:
        yield (start_us + ts, d, orig, raw)


def main():
    ap = argparse.ArgumentParser(description="a capture that is mostly DNS, HTTP and TLS")
    ap.add_argument("-o", required=True, help="output pcap")
    ap.add_argument("-n", type=int, default=240000, help="frames to write (240000)")
    ap.add_argument("-c", type=int, default=64, help="copies in progress at once (64)")
    ap.add_argument("--pcaps", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "pcaps"))
    o = ap.parse_args()
    if o.n < 1 or o.c < 1:
        sys.exit("gen_app.py: -n and -c must be positive")
    tmpl, span = template(o.pcaps)
    copies = -(-o.n // len(tmpl)) + o.c  # enough copies started to reach n frames
    stagger = max(1, span // o.c)
    merged = heapq.merge(*(copy_frames(tmpl, d, d * stagger) for d in range(1, copies + 1)))
    written, last = 0, 0
    with open(o.o, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for ts, d, orig, raw in merged:
            if written == o.n:
                break
            t = T0_US + ts
            raw = rewrite(raw, d)
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(raw), orig))
            f.write(raw)
            written += 1
            last = ts
    print(f"packets={written}")
    print(f"copies={min(copies, last // stagger)}")
    print(f"template_frames={len(tmpl)}")
    print(f"duration_us={last - stagger}")


if __name__ == "__main__":
    main()
