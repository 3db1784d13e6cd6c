#!/usr/bin/env python3
"""apppeer.py - the small servers make-app-pcaps.sh runs in its namespaces.

  dns ADDR READYFILE    a DNS responder (RFC 1035) on UDP and TCP port 53 of ADDR for the zone
                        example.test: A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, PTR, HTTPS and SVCB
                        (RFC 9460: target names uncompressed, as s2.2 says) answers with
                        name compression, NXDOMAIN (with the SOA in the authority section) for
                        names it does not know, an OPT record when the query had one. Serves
                        until killed.
  http ADDR PORT READYFILE  an HTTP/1.1 server answering GET with a small HTML page and POST with
                        a short text, each response written with one send() (one segment), for
                        a bounded number of connections.
  dns-pipelined ADDR NAME:TYPE...  a client putting every query, length-prefixed, in one
                        TCP segment (RFC 7766 s6.2.1.1) and reading the answers.
Only for the test namespaces: it binds the namespace address it is given.
"""
import socket
import struct
import sys
import threading

ZONE = "example.test"
A = {"www.example.test": "10.77.0.5", "ns1.example.test": "10.77.2.2",
     "mail.example.test": "10.77.0.25"}
AAAA = {"www.example.test": "fd77::5"}
CNAME = {"alias.example.test": "www.example.test"}
MX = {"example.test": (10, "mail.example.test")}
TXT = {"example.test": ["v=spf1 -all", "hello world"],
       "big.example.test": ["x" * 200, "y" * 200, "z" * 200]}
SRV = {"_http._tcp.example.test": (0, 5, 80, "www.example.test")}
PTR = {"5.0.77.10.in-addr.arpa": "www.example.test"}
T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SRV, T_OPT = 1, 2, 5, 6, 12, 15, 16, 28, 33, 41
T_SVCB, T_HTTPS = 64, 65
# RFC 9460 SvcParams as (key, value bytes), in increasing key order (s2.2).
# An ECHConfigList (draft-ietf-tls-esni-18 s4) with one version 0xfe0d config for
# ech.example.test: config id 42, X25519 (0x0020), a made-up 32-byte key, one cipher suite,
# maximum_name_length 0, no extensions.
_ECHC = b"\x2a\x00\x20\x00\x20" + bytes(range(32)) + b"\x00\x04\x00\x01\x00\x01" + b"\x00\x10" + \
    b"ech.example.test" + b"\x00\x00"
ECH = struct.pack("!H", len(_ECHC) + 4) + b"\xfe\x0d" + struct.pack("!H", len(_ECHC)) + _ECHC
HTTPS = {"example.test": [(1, ".", [(1, b"\x02h2\x02h3"), (3, b"\x01\xbb"), (4, socket.inet_aton("10.77.0.5")),
                                    (5, ECH), (6, socket.inet_pton(socket.AF_INET6, "fd77::5"))])],
         "www.example.test": [(0, "svc.example.test", [])]}
SVCB = {"_dns.example.test": [
    (1, "dns.example.test", [(0, b"\x00\x01\x00\x03"), (1, b"\x02h2\x03dot"), (2, b""), (3, b"\x20\xfb"),
                             (4, socket.inet_aton("10.77.2.2") + socket.inet_aton("10.77.2.3")),
                             (7, b"/dns-query{?dns}"), (65000, b"hi\x01")]),
    (2, "dns2.example.test", [(1, b"\x03dot"), (6, socket.inet_pton(socket.AF_INET6, "fd77::53"))])]}


class Msg:
    """A response being built, with RFC 1035 s4.1.4 name compression."""

    def __init__(self):
        self.buf = bytearray()
        self.names = {}

    def name(self, n):
        labels = n.rstrip(".").split(".") if n else []
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if suffix in self.names:
                self.buf += struct.pack("!H", 0xc000 | self.names[suffix])
                return
            if len(self.buf) < 0x3fff:
                self.names[suffix] = len(self.buf)
            lab = labels[i].encode()
            self.buf += bytes([len(lab)]) + lab
        self.buf += b"\0"

    def raw_name(self, n):
        """A name without compression (RFC 9460 s2.2: SVCB's TargetName)."""
        for lab in (n.rstrip(".").split(".") if n.rstrip(".") else []):
            self.buf += bytes([len(lab)]) + lab.encode()
        self.buf += b"\0"

    def svcb(self, prio, target, params):
        self.buf += struct.pack("!H", prio)
        self.raw_name(target)
        for key, val in params:
            self.buf += struct.pack("!HH", key, len(val)) + val

    def rr(self, name, rtype, rdata_fn, ttl=300):
        self.name(name)
        self.buf += struct.pack("!HHIH", rtype, 1, ttl, 0)
        at = len(self.buf)
        rdata_fn()
        struct.pack_into("!H", self.buf, at - 2, len(self.buf) - at)


def read_name(q, off):
    labels = []
    while q[off]:
        n = q[off]
        labels.append(q[off + 1:off + 1 + n].decode())
        off += 1 + n
    return ".".join(labels), off + 1


def answer(q):
    qid, flags = struct.unpack_from("!HH", q)
    qd, _, _, ar = struct.unpack_from("!HHHH", q, 4)
    name, off = read_name(q, 12)
    qtype, qclass = struct.unpack_from("!HH", q, off)
    edns = ar > 0
    m = Msg()
    key = name.lower()
    known = key in A or key in AAAA or key in CNAME or key in MX or key in TXT or \
        key in SRV or key in PTR or key in HTTPS or key in SVCB or key == ZONE
    rcode = 0 if known else 3
    m.buf += struct.pack("!HHHHHH", qid, 0x8400 | (flags & 0x0100) | rcode, 1, 0, 0, 0)
    m.name(name)
    m.buf += struct.pack("!HH", qtype, qclass)
    an = ns = 0

    def add(rtype, fn, owner=None):
        nonlocal an
        m.rr(owner or name, rtype, fn)
        an += 1

    if key in CNAME:
        add(T_CNAME, lambda: m.name(CNAME[key]))
        key = CNAME[key]
    target = key
    if qtype == T_A and target in A:
        add(T_A, lambda: m.buf.extend(socket.inet_aton(A[target])), target)
    elif qtype == T_AAAA and target in AAAA:
        add(T_AAAA, lambda: m.buf.extend(socket.inet_pton(socket.AF_INET6, AAAA[target])), target)
    elif qtype == T_MX and target in MX:
        add(T_MX, lambda: (m.buf.extend(struct.pack("!H", MX[target][0])), m.name(MX[target][1])))
    elif qtype == T_TXT and target in TXT:
        def txt():
            for s in TXT[target]:
                m.buf += bytes([len(s)]) + s.encode()
        add(T_TXT, txt)
    elif qtype == T_SRV and target in SRV:
        pr, w, port, t = SRV[target]
        add(T_SRV, lambda: (m.buf.extend(struct.pack("!HHH", pr, w, port)), m.name(t)))
    elif qtype == T_PTR and target in PTR:
        add(T_PTR, lambda: m.name(PTR[target]))
    elif qtype in (T_HTTPS, T_SVCB) and target in (HTTPS if qtype == T_HTTPS else SVCB):
        for rec in (HTTPS if qtype == T_HTTPS else SVCB)[target]:
            add(qtype, lambda rec=rec: m.svcb(*rec), target)
    elif qtype == T_NS and target == ZONE:
        add(T_NS, lambda: m.name("ns1." + ZONE))
    if an == 0 and (qtype not in (T_A, T_AAAA) or rcode == 3 or True):
        def soa():
            m.name("ns1." + ZONE)
            m.name("hostmaster." + ZONE)
            m.buf += struct.pack("!IIIII", 2026120301, 3600, 600, 86400, 60)
        m.rr(ZONE, T_SOA, soa, ttl=60)
        ns = 1
    if edns:
        m.buf += b"\0" + struct.pack("!HHIH", T_OPT, 1232, 0, 0)
    struct.pack_into("!HHH", m.buf, 6, an, ns, 1 if edns else 0)
    return bytes(m.buf)


def query(qid, name, qtype):
    m = Msg()
    m.buf += struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    m.raw_name(name)
    m.buf += struct.pack("!HH", qtype, 1)
    return bytes(m.buf)


def pipelined(addr, specs):
    """A DNS-over-TCP client: every query (NAME:TYPE) length-prefixed in ONE send(), then the
    answers read until the server closes."""
    c = socket.create_connection((addr, 53), timeout=5)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = b""
    for i, spec in enumerate(specs):
        name, qtype = spec.split(":")
        q = query(0x5100 + i, name, int(qtype))
        out += struct.pack("!H", len(q)) + q
    c.sendall(out)
    while c.recv(65535):
        pass
    c.close()


def dns(addr, ready):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, 53))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, 53))
    t.listen(4)

    def tcp():
        # Every whole message of what the first read brings (a client may put several
        # length-prefixed queries in one segment, RFC 7766 s6.2.1.1) is answered, the
        # answers written with one send(), then the connection is closed.
        for _ in range(8):
            c, _ = t.accept()
            data = c.recv(65535)
            while len(data) < 2 or len(data) < 2 + struct.unpack_from("!H", data)[0]:
                more = c.recv(65535)
                if not more:
                    break
                data += more
            out = b""
            while len(data) >= 2 and len(data) >= 2 + struct.unpack_from("!H", data)[0]:
                n = struct.unpack_from("!H", data)[0]
                r = answer(data[2:2 + n])
                out += struct.pack("!H", len(r)) + r
                data = data[2 + n:]
            c.sendall(out)
            c.close()
    threading.Thread(target=tcp, daemon=True).start()
    open(ready, "w").close()
    for _ in range(64):
        q, peer = u.recvfrom(4096)
        u.sendto(answer(q), peer)


PAGE = b"<html><body><h1>netprobe</h1></body></html>\n"


def http(addr, port, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    open(ready, "w").close()
    for _ in range(4):
        c, _ = s.accept()
        f = c.makefile("rb")
        while True:
            line = f.readline()
            if not line:
                break
            method = line.split(b" ")[0]
            length = 0
            while True:
                h = f.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                if h.lower().startswith(b"content-length:"):
                    length = int(h.split(b":")[1])
            f.read(length)
            if method == b"GET":
                body, ctype, status = PAGE, b"text/html", b"200 OK"
                if line.split(b" ")[1:2] == [b"/big"]:
                    body = PAGE * 16
            else:
                body, ctype, status = b"thanks\n", b"text/plain", b"201 Created"
            c.sendall(b"HTTP/1.1 " + status + b"\r\nServer: apppeer\r\nContent-Type: " + ctype +
                      b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        c.close()


if __name__ == "__main__":
    if sys.argv[1] == "dns":
        dns(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "dns-pipelined":
        pipelined(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "http":
        http(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit("usage: apppeer.py dns ADDR READY | dns-pipelined ADDR NAME:TYPE... | "
                 "http ADDR PORT READY")
