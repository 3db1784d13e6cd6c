#!/usr/bin/env python3
"""encap.py - wrap a REAL captured session in the tunnels this kernel cannot make.

The test kernel has no GRE, Geneve, IPIP or GRETAP drivers (`ip link add ... type gre` says
"Unknown device type"), so the captures of those tunnels are made here from a real capture:
each inner IP packet of INPUT (an Ethernet pcap recorded by make-pcaps.sh) is put in the
encapsulation, byte for byte, with correct outer lengths and checksums (RFC 791 header sum,
RFC 768 UDP sum with the pseudo-header, RFC 2784 GRE sum where asked), the original
timestamps and addresses in 10.77.0.0/16. Nothing is sent anywhere: this writes files.

Usage: encap.py KIND INPUT OUTPUT
KIND: gre (key 1001, sequence numbers), gre-csum (key, seq and checksum), gretap (key 7,
Ethernet inside), erspan2 (session 100), geneve (VNI 77, one option), ipip, 6in4 (INPUT
IPv6), 4in6, mpls (labels 100 and 200), pppoe (session 0x0042), gre-two-keys (the session
twice, interleaved, under keys 1 and 2: the same inner 5-tuple in two tunnels), teredo
(INPUT IPv6: Teredo, RFC 4380, between client 10.77.200.1:40001 and server port 3544; the
client's first datagram carries an authentication indication, the server's first an
authentication and an origin indication), macsec (IEEE 802.1AE integrity-only: the frame in
clear with a real GCM-AES-128 ICV), macsec-enc (the same, encrypted with GCM-AES-128). MACsec's
key is MACSEC_KEY below (an SCI per sender: its MAC address and port 1; the packet number
counts per direction from 1), so a reader given the key can check every ICV.
"""
import struct
import sys

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
MAC_A, MAC_B = bytes.fromhex("027700c80001"), bytes.fromhex("027700c80002")
OUT4_A, OUT4_B = bytes([10, 77, 200, 1]), bytes([10, 77, 200, 2])
OUT6_A = bytes.fromhex("fd00004d00c8000000000000000000" + "01")
OUT6_B = bytes.fromhex("fd00004d00c8000000000000000000" + "02")


def csum(data):
    """RFC 1071 one's-complement sum, complemented."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_pcap(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            sys.exit("encap.py: %s: not a little-endian pcap file" % path)
        if struct.unpack("<I", hdr[20:24])[0] != 1:
            sys.exit("encap.py: %s: not an Ethernet capture" % path)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, usec, incl, orig = struct.unpack("<IIII", rec)
            data = f.read(incl)
            if incl != orig:
                sys.exit("encap.py: %s: a packet was cut by the snapshot length" % path)
            yield sec, usec, data


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for sec, usec, data in frames:
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


class Outer:
    """The outer headers' state: IPv4 identification per direction."""

    def __init__(self):
        self.ident = {True: 0x3100, False: 0x5200}

    def ipv4(self, fwd, proto, payload):
        self.ident[fwd] = (self.ident[fwd] + 1) & 0xFFFF
        src, dst = (OUT4_A, OUT4_B) if fwd else (OUT4_B, OUT4_A)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), self.ident[fwd], 0x4000,
                        64, proto, 0, src, dst)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        return h + payload

    @staticmethod
    def ipv6(fwd, nxt, payload):
        src, dst = (OUT6_A, OUT6_B) if fwd else (OUT6_B, OUT6_A)
        return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, 64, src, dst) + payload

    @staticmethod
    def udp4(fwd, sport, dport, payload):
        src, dst = (OUT4_A, OUT4_B) if fwd else (OUT4_B, OUT4_A)
        ln = 8 + len(payload)
        pseudo = src + dst + struct.pack("!BBH", 0, 17, ln)
        h = struct.pack("!HHHH", sport, dport, ln, 0)
        c = csum(pseudo + h + payload) or 0xFFFF
        return struct.pack("!HHHH", sport, dport, ln, c) + payload


def eth(fwd, etype, payload):
    dst, src = (MAC_B, MAC_A) if fwd else (MAC_A, MAC_B)
    return dst + src + struct.pack("!H", etype) + payload


def gre(proto, payload, key=None, seq=None, with_csum=False):
    flags = (0x8000 if with_csum else 0) | (0x2000 if key is not None else 0) | \
            (0x1000 if seq is not None else 0)
    opt = b""
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    if with_csum:
        body = struct.pack("!HHHH", flags, proto, 0, 0) + opt + payload
        return struct.pack("!HHHH", flags, proto, csum(body), 0) + opt + payload
    return struct.pack("!HH", flags, proto) + opt + payload


def geneve(vni, payload):
    # one option: class 0x0103 (Linux), type 0x80 (critical bit clear), 4 bytes of data
    opt = struct.pack("!HBB", 0x0103, 0x01, 1) + bytes.fromhex("0a4d0001")
    return struct.pack("!BBHI", len(opt) // 4, 0, 0x6558, vni << 8) + opt + payload


def mpls(labels, payload):
    out = b""
    for i, lab in enumerate(labels):
        out += struct.pack("!I", (lab << 12) | ((1 if i == len(labels) - 1 else 0) << 8) | 64)
    return out + payload


def pppoe(session, ip, ver):
    ppp = struct.pack("!H", 0x0021 if ver == 4 else 0x0057) + ip
    return struct.pack("!BBHH", 0x11, 0x00, session, len(ppp)) + ppp


MACSEC_KEY = b"netprobe-macsec!"


def teredo(fwd, n, ip):
    """The IPv6 packet in Teredo's UDP, with the indications of the first one each way."""
    ind = b""
    if n == 1:  # authentication indication (s5.1.1): no client id or value, a nonce, confirm 0
        ind += struct.pack("!HBB", 1, 0, 0) + bytes(range(1, 9)) + b"\0"
    if n == 1 and not fwd:  # origin indication: the client's mapped port and address, inverted
        ind += struct.pack("!HH", 0, 40001 ^ 0xFFFF) + bytes(b ^ 0xFF for b in OUT4_A)
    sport, dport = (40001, 3544) if fwd else (3544, 40001)
    return Outer.udp4(fwd, sport, dport, ind + ip)


def macsec(frame, pn, encrypt):
    """A frame under MACsec (802.1AE): SecTAG with SC (the SCI: the sender's MAC, port 1),
    then the user data (Ethertype and payload) in clear or encrypted, and the GCM ICV."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    addrs, user = frame[:12], frame[12:]
    tci = 0x20 | (0x0C if encrypt else 0)  # SC; E and C when encrypted; AN 0
    sl = len(user) if len(user) < 48 else 0
    sci = frame[6:12] + b"\x00\x01"
    tag = struct.pack("!HBBI", 0x88E5, tci, sl, pn) + sci
    iv = sci + struct.pack("!I", pn)
    gcm = AESGCM(MACSEC_KEY)
    if encrypt:
        return addrs + tag + gcm.encrypt(iv, user, addrs + tag)
    return addrs + tag + user + gcm.encrypt(iv, b"", addrs + tag + user)


def wrap(kind, frames):
    """Yield the encapsulated frames of every IP packet in `frames`."""
    outer = Outer()
    first_src = None
    seqs = {True: 0, False: 0}
    for sec, usec, data in frames:
        etype = struct.unpack("!H", data[12:14])[0]
        ip = data[14:]
        ver = ip[0] >> 4
        if etype not in (ETH_IPV4, ETH_IPV6):
            continue
        src = ip[12:16] if ver == 4 else ip[8:24]
        if first_src is None:
            first_src = src
        fwd = src == first_src
        seqs[fwd] += 1
        inner_eth = data  # the captured frame itself, for the tunnels that carry Ethernet
        ipproto = 4 if ver == 4 else 41
        if kind == "gre":
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(fwd, 47, gre(etype, ip, 1001, seqs[fwd])))
        elif kind == "gre-csum":
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(
                fwd, 47, gre(etype, ip, 1001, seqs[fwd], with_csum=True)))
        elif kind == "gre-two-keys":
            for k, dus in ((1, 0), (2, 1)):
                yield sec, usec + dus, eth(fwd, ETH_IPV4, outer.ipv4(fwd, 47, gre(etype, ip, k)))
        elif kind == "gretap":
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(fwd, 47, gre(0x6558, inner_eth, 7)))
        elif kind == "erspan2":
            # ERSPAN type II (draft-foschiano-erspan s4.1): ver 1, VLAN 0, CoS 0, En 0, T 0,
            # session 100, index 5; GRE carries a sequence number (that is what makes it II)
            hdr = struct.pack("!HHI", 0x1000, 100, 5)
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(fwd, 47, gre(
                0x88BE, hdr + inner_eth, seq=seqs[True] + seqs[False])))
        elif kind == "geneve":
            sport = 49152 + (0 if fwd else 1)
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(
                fwd, 17, Outer.udp4(fwd, sport, 6081, geneve(77, inner_eth))))
        elif kind in ("ipip", "6in4"):
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(fwd, ipproto, ip))
        elif kind == "4in6":
            yield sec, usec, eth(fwd, ETH_IPV6, Outer.ipv6(fwd, ipproto, ip))
        elif kind == "mpls":
            yield sec, usec, eth(fwd, 0x8847, mpls([100, 200] if fwd else [300, 400], ip))
        elif kind == "pppoe":
            yield sec, usec, eth(fwd, 0x8864, pppoe(0x0042, ip, ver))
        elif kind == "teredo":
            yield sec, usec, eth(fwd, ETH_IPV4, outer.ipv4(fwd, 17, teredo(fwd, seqs[fwd], ip)))
        elif kind in ("macsec", "macsec-enc"):
            yield sec, usec, macsec(inner_eth, seqs[fwd], kind == "macsec-enc")
        else:
            sys.exit("encap.py: unknown kind %s" % kind)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().split("\n\n")[2])
    kind, src, dst = sys.argv[1:]
    write_pcap(dst, list(wrap(kind, read_pcap(src))))


if __name__ == "__main__":
    main()
