#!/usr/bin/env python3
"""udp_expiry.py NETPROBE - UDP conversations leave the table and are reported as they end,
not only at the end of the capture. A synthetic capture (written here, raw pcap):

  A  10.77.9.1:5000 <-> 10.77.9.2:53     t=0 (query), t=1 (reply); again at t=30
  B  10.77.9.3:6000  -> 10.77.9.4:7000   t=2, t=3
  C  10.77.9.5:9000  -> 10.77.9.6:9001   every 2 s from t=30 to t=50 (11 packets)
  D  10.77.9.7:1000  -> 10.77.9.8:2000   t=100
  E  20 conversations 10.77.8.N:4000 -> 10.77.8.200:4001 at t=200+N/1000 (with --max-conv 16:
     4 pushed out)

`watch -r --json=ecs --ipfix tcp:[::1]:PORT --idle-timeout 10 --ipfix-active-timeout 5`:
  - ECS records in the order the conversations ended: A (ended t=1, reported when the packet
    of t=30 came), B, then A's second conversation (its own record), C, D; @timestamp and
    event.end = the last packet's time, event.start the first's;
  - IPFIX: flowEndReason 1 (idle) for A, B, C and D; 2 (active) for C's periodic records
    (t=36, 42, 48), which add up with its final one to its 11 packets; 4 (end of capture) for
    the 16 of E still there; 5 (lack of resources) for the 4 of E pushed out (--max-conv 16);
  - every UDP packet is counted in exactly one final record."""
import json, os, socket, struct, subprocess, sys, tempfile, threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcp_stream import decode, read_stream  # noqa: E402

T0 = 1700000000


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, sport, dst, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    eth = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00"
    return eth + hdr + udp


def packets():
    a, b = ("10.77.9.1", 5000), ("10.77.9.2", 53)
    out = [(0.0, a, b, 20), (1.0, b, a, 60), (2.0, ("10.77.9.3", 6000), ("10.77.9.4", 7000), 10),
           (3.0, ("10.77.9.3", 6000), ("10.77.9.4", 7000), 10), (30.0, a, b, 20)]
    out += [(30.0 + 2 * i, ("10.77.9.5", 9000), ("10.77.9.6", 9001), 100) for i in range(11)]
    out.append((100.0, ("10.77.9.7", 1000), ("10.77.9.8", 2000), 5))
    out += [(200.0 + n / 1000, ("10.77.8.%d" % n, 4000), ("10.77.8.200", 4001), 1)
            for n in range(1, 21)]
    return sorted(out, key=lambda p: p[0])


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, s, d, n in pkts:
            fr = frame(s[0], s[1], d[0], d[1], bytes(n))
            us = round(t * 10**6)
            f.write(struct.pack("<IIII", T0 + us // 10**6, us % 10**6, len(fr), len(fr)))
            f.write(fr)


def iso(t):
    us = round(t * 10**6)
    import datetime
    d = datetime.datetime.fromtimestamp(T0 + us // 10**6, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % 10**6)


def run(np_bin, pcap, extra):
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
                        "tcp:[::1]:%d" % srv.getsockname()[1], "--idle-timeout", "10",
                        "--ipfix-active-timeout", "5"] + extra,
                       capture_output=True, text=True, timeout=60)
    t.join(30)
    srv.close()
    if p.returncode != 0 or not got:
        sys.exit("FAIL: netprobe exit %d: %s" % (p.returncode, p.stderr.strip()))
    ecs = [json.loads(l) for l in p.stdout.splitlines()]
    return [d for d in ecs if d["event"]["action"] == "conversation"], decode(got[0])


def main():
    np_bin, errors = sys.argv[1], []
    pkts = packets()
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "udp-expiry.pcap")
        write_pcap(pcap, pkts)
        ecs, recs = run(np_bin, pcap, ["--max-conv", "16"])
    got = [(d["source"]["port"], d["source"]["packets"], d["destination"]["packets"],
            d["@timestamp"], d["event"]["start"], d["event"]["end"]) for d in ecs]
    want = [(5000, 1, 1, iso(1), iso(0), iso(1)), (6000, 2, 0, iso(3), iso(2), iso(3)),
            (5000, 1, 0, iso(30), iso(30), iso(30)), (9000, 11, 0, iso(50), iso(30), iso(50)),
            (1000, 1, 0, iso(100), iso(100), iso(100))]
    if got[:5] != want:
        errors.append("ECS records %s, want %s" % (got[:5], want))
    e_ports = sorted(d["source"]["ip"] for d in ecs[5:])
    if len(e_ports) != 20:
        errors.append("%d ECS records for E's 20 conversations" % len(e_ports))
    reasons = {}
    total = 0
    for r in recs:
        key = (r[(0, 7)], r[(0, 136)])
        reasons[key] = reasons.get(key, 0) + 1
        total += r[(0, 2)] + r[(29305, 2)]
    want_r = {(5000, 1): 2, (6000, 1): 1, (9000, 2): 3, (9000, 1): 1, (1000, 1): 1,
              (4000, 5): 4, (4000, 4): 16}
    if reasons != want_r:
        errors.append("IPFIX (source port, flowEndReason): %s, want %s" % (reasons, want_r))
    c = [r for r in recs if r[(0, 7)] == 9000]
    if sum(r[(0, 2)] for r in c) != 11 or sum(r[(0, 1)] for r in c) != 11 * 128:
        errors.append("C's IPFIX records add up to %d packets, %d bytes (want 11, 1408)" %
                      (sum(r[(0, 2)] for r in c), sum(r[(0, 1)] for r in c)))
    if total != len(pkts):
        errors.append("IPFIX records count %d packets of %d" % (total, len(pkts)))
    for e in errors:
        print("FAIL", e)
    print("%d ECS conversation records, %d IPFIX records checked, %d errors" %
          (len(ecs), len(recs), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
