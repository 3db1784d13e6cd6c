#!/usr/bin/env python3
"""tcp_stream.py NETPROBE PCAP... - --ipfix tcp:[::1]:PORT and --ipfix-active-timeout: each
capture's packets are spread 1.5 s apart (a copy with rewritten timestamps), so that every
conversation lasts longer than the 5 s active timeout; a TCP listener here reads the IPFIX
message stream (RFC 7011: version 10, message lengths, template and data sets) and decodes the
records by their templates. Per conversation: the periodic records (flowEndReason 2) and the
final one add up to the packets and bytes each way of netprobe's ECS record, exactly one final
record each, and at least one periodic record for any conversation longer than the timeout
(TCP and UDP: dns.pcap)."""
import ipaddress, json, os, socket, struct, subprocess, sys, tempfile, threading

ACTIVE = 5


def stretch(src, dst):
    data = open(src, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        return False
    out, off, i = [data[:24]], 24, 0
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        t = 1700000000 * 10**6 + i * 1500000
        frac = t % 10**6 if magic == 0xa1b2c3d4 else (t % 10**6) * 1000
        out.append(struct.pack("<IIII", t // 10**6, frac, incl, orig))
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
        i += 1
    open(dst, "wb").write(b"".join(out))
    return True


def read_stream(conn, sink):
    buf = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        buf += chunk
    sink.append(buf)


def decode(stream):
    templates, records, off = {}, [], 0
    while off < len(stream):
        ver, length = struct.unpack("!HH", stream[off:off + 4])
        assert ver == 10 and length >= 16, "bad message header at %d" % off
        msg, off = stream[off + 16:off + length], off + length
        p = 0
        while p + 4 <= len(msg):
            sid, slen = struct.unpack("!HH", msg[p:p + 4])
            body, p = msg[p + 4:p + slen], p + slen
            if sid == 2:
                q = 0
                while q + 4 <= len(body):
                    tid, n = struct.unpack("!HH", body[q:q + 4])
                    q += 4
                    fields = []
                    for _ in range(n):
                        ie, flen = struct.unpack("!HH", body[q:q + 4])
                        q += 4
                        pen = 0
                        if ie & 0x8000:
                            pen = struct.unpack("!I", body[q:q + 4])[0]
                            q += 4
                        fields.append((pen, ie & 0x7fff, flen))
                    templates[tid] = fields
            elif sid >= 256:
                fields = templates[sid]
                size = sum(f[2] for f in fields)
                for r in range(len(body) // size):
                    rec, q = {}, r * size
                    for pen, ie, flen in fields:
                        v = body[q:q + flen]
                        q += flen
                        rec[(pen, ie)] = ipaddress.ip_address(v).compressed \
                            if ie in (8, 12, 27, 28) and pen == 0 else int.from_bytes(v, "big")
                    records.append(rec)
    return records


def main():
    np_bin, pcaps = sys.argv[1], sys.argv[2:]
    errors, finals, periodic = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for pcap in pcaps:
            slow = os.path.join(tmp, "slow.pcap")
            if not stretch(pcap, slow):
                continue
            srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            srv.bind(("::1", 0))
            srv.listen(1)
            srv.settimeout(30)
            port = srv.getsockname()[1]
            got = []
            t = None

            def accept():
                conn, _ = srv.accept()
                conn.settimeout(30)
                read_stream(conn, got)
            t = threading.Thread(target=accept)
            t.start()
            p = subprocess.run([np_bin, "watch", "-r", slow, "--json=ecs",
                                "--ipfix", "tcp:[::1]:%d" % port,
                                "--ipfix-active-timeout", str(ACTIVE)],
                               capture_output=True, text=True, timeout=60)
            t.join(30)
            srv.close()
            if p.returncode != 0 or not got:
                errors.append("%s: exit %d %s" % (pcap, p.returncode, p.stderr.strip()))
                continue
            recs = decode(got[0])
            sums = {}
            for r in recs:
                src = r.get((0, 8), r.get((0, 27)))
                dst = r.get((0, 12), r.get((0, 28)))
                k = (src, r[(0, 7)], dst, r[(0, 11)])
                s = sums.setdefault(k, [0, 0, 0, 0, 0, 0])
                s[0] += r[(0, 2)]
                s[1] += r[(0, 1)]
                s[2] += r[(29305, 2)]
                s[3] += r[(29305, 1)]
                if r[(0, 136)] == 2:
                    s[5] += 1
                    periodic += 1
                else:
                    s[4] += 1
                    finals += 1
            for line in p.stdout.splitlines():
                d = json.loads(line)
                if d["event"]["action"] != "conversation":
                    continue
                a, b = d["source"], d["destination"]
                k = (ipaddress.ip_address(a["ip"]).compressed, a["port"],
                     ipaddress.ip_address(b["ip"]).compressed, b["port"])
                want = [a["packets"], a["bytes"], b["packets"], b["bytes"]]
                s = sums.pop(k, None)
                if not s or s[:4] != want or s[4] != 1:
                    errors.append("%s %s: IPFIX %s, netprobe %s" % (pcap, k, s, want))
                elif d["event"]["duration"] > ACTIVE * 10**9 and s[5] == 0:
                    errors.append("%s %s: no periodic record" % (pcap, k))
            if sums:
                errors.append("%s: records for no conversation: %s" % (pcap, list(sums)))
    for e in errors:
        print("FAIL", e)
    print("%d final and %d periodic records checked, %d errors" % (finals, periodic, len(errors)))
    return 1 if errors or not finals or not periodic else 0


if __name__ == "__main__":
    sys.exit(main())
