#!/usr/bin/env python3
"""linkwrap.py - put a REAL captured session on the link types no interface here produces.

There is no PPP, Cisco HDLC, 802.11 or FDDI device in the test namespaces, so those captures
are made from a real one: each IP (and ARP) packet of INPUT (an Ethernet pcap recorded by
make-pcaps.sh) is written, byte for byte, behind the link header of KIND, with the original
timestamps. A few link-only frames are added where the link type has its own traffic (a PPP LCP
echo, a Cisco SLARP keepalive, an 802.11 beacon and acknowledgement), so that frames named but
not decoded further are in the suite too. Nothing is sent anywhere: this writes files.

Usage: linkwrap.py KIND INPUT OUTPUT
KIND: ppp (DLT_PPP 9, no address/control, an LCP echo first), ppp-serial (DLT_PPP_SERIAL 50,
RFC 1662 framing 0xff 0x03), chdlc (DLT_C_HDLC 104, a SLARP keepalive first), wlan
(DLT_IEEE802_11 105: QoS data to and from the access point with LLC/SNAP, a beacon first and an
acknowledgement after every data frame), radiotap (127: the same behind a radiotap header), ppi
(192: the same behind a PPI header), fddi (DLT_FDDI 10: LLC/SNAP frames).
"""
import struct
import sys

from encap import read_pcap

DLT = {"ppp": 9, "ppp-serial": 50, "chdlc": 104, "wlan": 105, "radiotap": 127, "ppi": 192,
       "fddi": 10}
BSSID = bytes.fromhex("027700c8aa01")
SNAP = bytes.fromhex("aaaa03000000")


def write_pcap(path, dlt, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, dlt))
        for sec, usec, data in frames:
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


def earlier(sec, usec, us):
    t = sec * 1000000 + usec - us
    return t // 1000000, t % 1000000


class Wlan:
    """802.11 frames in one BSS: the first sender is the station, the other is behind the AP."""

    def __init__(self):
        self.seq = 0

    def sc(self):
        self.seq = (self.seq + 1) & 0xFFF
        return struct.pack("<H", self.seq << 4)

    def beacon(self):
        body = struct.pack("<QHH", 0, 100, 0x0401) + bytes([0, 13]) + b"netprobe-test"
        return bytes([0x80, 0x00]) + struct.pack("<H", 0) + b"\xff" * 6 + BSSID + BSSID + \
            self.sc() + body

    @staticmethod
    def ack(ra):
        return bytes([0xD4, 0x00]) + struct.pack("<H", 0) + ra

    def data(self, to_ap, sa, da, etype, payload):
        # QoS Data (type 2, subtype 8); To DS from the station, From DS towards it
        if to_ap:
            hdr = bytes([0x88, 0x01]) + struct.pack("<H", 44) + BSSID + sa + da
        else:
            hdr = bytes([0x88, 0x02]) + struct.pack("<H", 44) + da + BSSID + sa
        return hdr + self.sc() + b"\x00\x00" + SNAP + struct.pack("!H", etype) + payload


def radiotap(frame):
    # flags (no FCS), rate 6 Mb/s, channel 2437 MHz 2 GHz OFDM, antenna signal -42 dBm
    fields = struct.pack("<BBHHb", 0x00, 12, 2437, 0x00C0, -42)
    return struct.pack("<BBHI", 0, 0, 8 + len(fields), 0x2E) + fields + frame


def ppi(frame):
    return struct.pack("<BBHI", 0, 0, 8, 105) + frame


WRAP = {"wlan": lambda frame: frame, "radiotap": radiotap, "ppi": ppi}


def extras(kind, sec, usec, wl):
    """The link's own frames in front of the session."""
    s, u = earlier(sec, usec, 1000)
    if kind == "ppp":
        lcp = bytes([9, 1]) + struct.pack("!HI", 8, 0x4E500001)
        yield s, u, struct.pack("!H", 0xC021) + lcp
        reply = bytes([10, 1]) + lcp[2:4] + struct.pack("!I", 0x4E500002)
        yield (*earlier(s, u, -50), struct.pack("!H", 0xC021) + reply)
    elif kind == "chdlc":
        yield s, u, bytes([0x8F, 0x00]) + struct.pack("!HIIIH", 0x8035, 2, 1, 0, 0xFFFF)
    elif kind in ("wlan", "radiotap", "ppi"):
        yield s, u, WRAP[kind](wl.beacon())


def wrap(kind, frames):
    wl = Wlan()
    first = None
    for sec, usec, data in frames:
        etype = struct.unpack("!H", data[12:14])[0]
        if etype not in (0x0800, 0x86DD, 0x0806):
            continue
        dst, src, payload = data[0:6], data[6:12], data[14:]
        if first is None:
            first = src
            yield from extras(kind, sec, usec, wl)
        if kind == "ppp":
            yield sec, usec, struct.pack("!H", 0x0021 if etype == 0x0800 else 0x0057) + payload
        elif kind == "ppp-serial":
            yield sec, usec, bytes([0xFF, 0x03]) + \
                struct.pack("!H", 0x0021 if etype == 0x0800 else 0x0057) + payload
        elif kind == "chdlc":
            yield sec, usec, bytes([0x0F, 0x00]) + struct.pack("!H", etype) + payload
        elif kind == "fddi":
            yield sec, usec, bytes([0x50]) + dst + src + SNAP + struct.pack("!H", etype) + payload
        elif kind in ("wlan", "radiotap", "ppi"):
            to_ap = src == first
            f = wl.data(to_ap, src, dst, etype, payload)
            a = Wlan.ack(BSSID if to_ap else dst)
            wrapf = WRAP[kind]
            yield sec, usec, wrapf(f)
            yield (*earlier(sec, usec, -1), wrapf(a))
        else:
            sys.exit("linkwrap.py: unknown kind %s" % kind)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in DLT:
        sys.exit(__doc__.strip().split("\n\n")[2])
    kind, src, dst = sys.argv[1:]
    frames = sorted(wrap(kind, read_pcap(src)), key=lambda f: (f[0], f[1]))
    write_pcap(dst, DLT[kind], frames)


if __name__ == "__main__":
    main()
