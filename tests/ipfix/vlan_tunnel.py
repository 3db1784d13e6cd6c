#!/usr/bin/env python3
"""vlan_tunnel.py NETPROBE - the VLAN and the tunnel a conversation rode, in its IPFIX record
(vlanId, IE 58; npTunnelId 32473/5 and npTunnelType 32473/11) and its ECS record
(network.vlan.id; netprobe.tunnel {type,id}), the same for TCP and UDP. A synthetic capture
(written here, raw pcap, Ethernet):

  U  10.77.20.1:5000 <-> 10.77.20.2:53      UDP, 802.1Q VLAN 100 (query and reply)
  T  10.77.21.1:40000 <-> 10.77.21.2:80     TCP handshake, VLAN 200
  P  10.77.24.1:7000  -> 10.77.24.2:7001    UDP, no VLAN
  VXLAN on VLAN 300, outer 10.77.22.1:50000 <-> 10.77.22.2:4789 (RFC 7348), VNI 4242:
  IU 10.77.23.1:6000 <-> 10.77.23.2:6001    UDP inside it
  IT 10.77.23.1:41000 <-> 10.77.23.2:443    TCP handshake inside it

Expected: U vlan 100; T vlan 200; P none; the outer VXLAN UDP conversations vlan 300 and no
tunnel (they carry it); IU and IT vlan 300 (the outer tag of their first packet, as for TCP)
and VXLAN 4242. The records are read by tcp_stream.py's own decoder from --ipfix tcp:[::1]:PORT."""
import json, os, socket, struct, subprocess, sys, tempfile, threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcp_stream import decode, read_stream  # noqa: E402

T0 = 1700000000
MAC_A, MAC_B = b"\x02\0\0\0\0\x01", b"\x02\0\0\0\0\x02"


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, l4):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, ip4(src),
                      ip4(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + l4


def udp(src, sport, dst, dport, payload):
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def tcp(src, sport, dst, dport, flags, seq, ack):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]
    return ipv4(src, dst, 6, seg)


def eth(ip, vlan=None, rev=False):
    macs = MAC_B + MAC_A if rev else MAC_A + MAC_B
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return macs + tag + b"\x08\x00" + ip


def vxlan(inner_ip, rev):
    """inner_ip in VXLAN VNI 4242 on VLAN 300, outer UDP from the sending VTEP's port 5000x."""
    v = struct.pack("!BBHI", 0x08, 0, 0, 4242 << 8) + eth(inner_ip, rev=rev)
    o = ("10.77.22.2", 50001, "10.77.22.1") if rev else ("10.77.22.1", 50000, "10.77.22.2")
    return eth(udp(o[0], o[1], o[2], 4789, v), vlan=300, rev=rev)


SYN, ACK = 0x02, 0x10
A, B = "10.77.23.1", "10.77.23.2"
FRAMES = [
    eth(udp("10.77.20.1", 5000, "10.77.20.2", 53, bytes(20)), vlan=100),
    eth(udp("10.77.20.2", 53, "10.77.20.1", 5000, bytes(40)), vlan=100, rev=True),
    eth(tcp("10.77.21.1", 40000, "10.77.21.2", 80, SYN, 1000, 0), vlan=200),
    eth(tcp("10.77.21.2", 80, "10.77.21.1", 40000, SYN | ACK, 5000, 1001), vlan=200, rev=True),
    eth(tcp("10.77.21.1", 40000, "10.77.21.2", 80, ACK, 1001, 5001), vlan=200),
    eth(udp("10.77.24.1", 7000, "10.77.24.2", 7001, bytes(10))),
    vxlan(udp(A, 6000, B, 6001, bytes(30)), False),
    vxlan(udp(B, 6001, A, 6000, bytes(30)), True),
    vxlan(tcp(A, 41000, B, 443, SYN, 7000, 0), False),
    vxlan(tcp(B, 443, A, 41000, SYN | ACK, 9000, 7001), True),
    vxlan(tcp(A, 41000, B, 443, ACK, 7001, 9001), False),
]

# source port -> (protocol, vlan or None, tunnel id or None)
WANT = {5000: (17, 100, None), 40000: (6, 200, None), 7000: (17, None, None),
        50000: (17, 300, None), 50001: (17, 300, None), 6000: (17, 300, 4242),
        41000: (6, 300, 4242)}


def write_pcap(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(FRAMES):
            f.write(struct.pack("<IIII", T0, i * 1000, len(fr), len(fr)))
            f.write(fr)


def run(np_bin, pcap):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.bind(("::1", 0))
    srv.listen(1)
    srv.settimeout(30)
    got = []

    def accept():
        conn, _ = srv.accept()
        conn.settimeout(30)
        read_stream(conn, got)
    t = threading.Thread(target=accept)
    t.start()
    p = subprocess.run([np_bin, "watch", "-r", pcap, "--json=ecs", "--ipfix",
                        "tcp:[::1]:%d" % srv.getsockname()[1]],
                       capture_output=True, text=True, timeout=60)
    t.join(30)
    srv.close()
    if p.returncode != 0 or not got:
        sys.exit("FAIL: netprobe exit %d: %s" % (p.returncode, p.stderr.strip()))
    ecs = [json.loads(l) for l in p.stdout.splitlines()]
    return [d for d in ecs if d["event"]["action"] == "conversation"], decode(got[0])


def main():
    np_bin, errors = sys.argv[1], []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "vlan-tunnel.pcap")
        write_pcap(pcap)
        ecs, recs = run(np_bin, pcap)
    got_ipfix = {}
    for r in recs:
        tun = r[(32473, 5)] if r[(32473, 11)] else None
        if r[(32473, 11)] not in (0, 1):
            errors.append("IPFIX record of port %d: npTunnelType %d, want 1 (VXLAN) or 0" %
                          (r[(0, 7)], r[(32473, 11)]))
        got_ipfix[r[(0, 7)]] = (r[(0, 4)], r[(0, 58)] or None, tun)
    if got_ipfix != WANT:
        errors.append("IPFIX (source port: protocol, vlanId, npTunnelId) %s, want %s" %
                      (got_ipfix, WANT))
    got_ecs = {}
    for d in ecs:
        vlan = d["network"].get("vlan", {}).get("id")
        tun = d.get("netprobe", {}).get("tunnel")
        if tun is not None and tun.get("type") != "vxlan":
            errors.append("ECS netprobe.tunnel %s, want type vxlan" % tun)
        got_ecs[d["source"]["port"]] = (int(d["network"]["iana_number"]),
                                        int(vlan) if vlan is not None else None,
                                        tun["id"] if tun else None)
    if got_ecs != WANT:
        errors.append("ECS (source port: iana_number, network.vlan.id, netprobe.tunnel.id) %s, "
                      "want %s" % (got_ecs, WANT))
    for e in errors:
        print("FAIL", e)
    print("%d ECS conversation records, %d IPFIX records checked, %d errors" %
          (len(ecs), len(recs), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
