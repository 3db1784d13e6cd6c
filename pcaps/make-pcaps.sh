#!/usr/bin/env bash
# make-pcaps.sh - record small captures of REAL traffic for netprobe's tests.
#
# Usage: bash pcaps/make-pcaps.sh [OUTDIR] [NAME...]
#   OUTDIR defaults to this script's directory.  NAMEs (with or without .pcap)
#   select captures; the default is all of them.  If the first argument is a
#   capture name, OUTDIR takes its default.  Example, the later captures only:
#     bash pcaps/make-pcaps.sh pcaps tcp-simultaneous-close syn-flood-hping3
#
# Everything happens inside two throw-away network namespaces created here
# (np-pc-<PID>-c = client, np-pc-<PID>-s = server) joined by one veth pair whose
# two ends both live in those namespaces, plus loopback inside the client one.
# No traffic ever leaves them: no default route, no host-side interface.
# Must run as root.  Re-running overwrites the selected captures in OUTDIR
# (and only those).
# Needs: iproute2, tcpdump, ethtool, coreutils timeout, ping, python3; the
# captures from tcp-simultaneous-close on also need iptables, tshark and hping3
# (Debian: apt-get install -y iptables tshark hping3).
# Each capture is sanity-checked with `tcpdump -r` right after recording (packet
# counts, SYN/FIN/RST, ICMP types, link type), the later ones with tshark too
# (sequence analysis); any mismatch fails the run.
# See README.md next to this script for what each capture contains.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Every capture, in the order they are recorded.  The first nine share one
# set-up; the later ones add their own tools (NFQUEUE, iptables, hping3).
ALL_CAPTURES=(
    tcp-handshake-data-teardown tcp-refused tcp-server-closes-first icmp-ping
    udp-port-unreachable vxlan-tcp tcp-any-sll2 tcp-loopback tcp-ipv6 icmp6-ping
    tcp-simultaneous-close tcp-reset-midstream tcp-loss-retransmit
    tcp-midstream-start syn-flood-hping3 csum-offload-veth tutorial-dog tcp-loss-transfer
    tcp-reset-unread
    gre-tcp gre-csum-tcp gretap-tcp erspan2-tcp geneve-tcp ipip-tcp 6in4-tcp 4in6-tcp
    mpls-tcp pppoe-tcp gre-two-keys-tcp gre-two-keys-dog nflog ppp-tcp ppp-serial-tcp chdlc-tcp
    wlan-tcp radiotap-tcp ppi-tcp fddi-tcp track-cases vxlan-flood-vnis vxlan8472-tcp
    teredo-tcp macsec-tcp macsec-enc-tcp
)
LATER_CAPTURES=(tcp-simultaneous-close tcp-reset-midstream tcp-loss-retransmit
    tcp-midstream-start syn-flood-hping3 tcp-loss-transfer tcp-reset-unread)

# known NAME: is NAME (without .pcap) one of ALL_CAPTURES?
known() {
    local c
    for c in "${ALL_CAPTURES[@]}"; do [[ $c == "$1" ]] && return 0; done
    return 1
}

OUTDIR=$SCRIPT_DIR
if (($# > 0)) && ! known "${1%.pcap}"; then
    OUTDIR=$1
    shift
fi
WANTED=()                      # selected captures; empty = all
for name in "$@"; do
    name=${name%.pcap}
    known "$name" || { echo "unknown capture: $name (known: ${ALL_CAPTURES[*]})" >&2; exit 1; }
    WANTED+=("$name")
done

# want NAME: was capture NAME selected?
want() {
    local w
    ((${#WANTED[@]} == 0)) && return 0
    for w in "${WANTED[@]}"; do [[ $w == "$1" ]] && return 0; done
    return 1
}

# want_any NAME...: was any of them selected?
want_any() {
    local n
    for n in "$@"; do want "$n" && return 0; done
    return 1
}

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

# --- fixed topology ---------------------------------------------------------
NS_C="np-pc-$$-c"              # client namespace (PID suffix: parallel runs don't collide)
NS_S="np-pc-$$-s"              # server namespace
IF_C=veth-c IF_S=veth-s        # veth ends, one per namespace
MAC_C=02:77:00:00:01:01        # fixed, locally administered MACs => reproducible frames
MAC_S=02:77:00:00:01:02
V4_C=10.77.1.1 V4_S=10.77.1.2
V6_C=fd77::1   V6_S=fd77::2
PORT=8888                      # the server port
CLOSED_PORT=9999               # nobody listens here
PY=/usr/bin/python3            # system python: no pyenv shims inside the namespaces
[[ -x $PY ]] || PY=$(command -v python3)

NEEDED=(ip tcpdump ethtool timeout ping "$PY")
want_any "${LATER_CAPTURES[@]}" && NEEDED+=(iptables tshark)
want syn-flood-hping3 && NEEDED+=(hping3)
want_any csum-offload-veth tutorial-dog vxlan-flood-vnis vxlan8472-tcp && NEEDED+=(tshark)
want_any gre-tcp gre-csum-tcp gretap-tcp erspan2-tcp geneve-tcp ipip-tcp 6in4-tcp 4in6-tcp \
    mpls-tcp pppoe-tcp gre-two-keys-tcp teredo-tcp macsec-tcp macsec-enc-tcp && NEEDED+=(tshark)
want_any nflog ppp-tcp ppp-serial-tcp chdlc-tcp wlan-tcp radiotap-tcp ppi-tcp fddi-tcp &&
    NEEDED+=(tshark iptables)
for cmd in "${NEEDED[@]}"; do
    command -v "$cmd" >/dev/null || { echo "missing command: $cmd" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "must run as root (network namespaces)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/np-pcaps.XXXXXX)   # helper script, tcpdump logs, raw captures
PIDS=()                                  # background processes we started and not yet reaped

# forget PID: drop a reaped PID from PIDS, so cleanup never signals a PID that
# the kernel may since have handed to some unrelated process.
forget() {
    local keep=() p
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# --- cleanup: runs on every exit path ---------------------------------------
# Kill only the PIDs we started (timeout wrappers forward the signal to their
# child), then delete our two namespaces (which also destroys the veth pair).
cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- traffic helper ---------------------------------------------------------
# A tiny Python client/server gives exact payloads and full control over who
# closes first.  All sockets have timeouts, and every run is also wrapped in
# `timeout`, so nothing can hang.
cat >"$WORK/peer.py" <<'EOF'
import socket, sys

TIMEOUT = 5.0

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def recv_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf

def recv_until_eof(s):
    while s.recv(4096):
        pass

def server(addr, port, mode, readyfile):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT from a previous run
    ls.settimeout(TIMEOUT)
    ls.bind((addr, port))
    ls.listen(1)
    open(readyfile, "w").close()           # tell the shell we are listening
    c, _ = ls.accept()
    ls.close()
    c.settimeout(TIMEOUT)
    recv_line(c)                           # "hello from client\n"
    c.sendall(b"hello from server\n")
    if mode == "client-closes":
        recv_until_eof(c)                  # wait for the client's FIN ...
    c.close()                              # ... then send ours (or send it first)

def client(addr, port, mode):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    s.sendall(b"hello from client\n")
    recv_line(s)                           # "hello from server\n"
    if mode == "client-closes":
        s.shutdown(socket.SHUT_WR)         # our FIN goes out first
    recv_until_eof(s)                      # wait for the server's FIN
    s.close()

def refused(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        s.connect((addr, port))
    except ConnectionRefusedError:
        return
    sys.exit("expected ECONNREFUSED")

def udp(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.connect((addr, port))                # connected: ICMP errors are reported to us
    s.send(b"hello from client\n")
    try:
        s.recv(4096)
    except ConnectionRefusedError:         # the ICMP port unreachable arrived
        return
    sys.exit("expected ICMP port unreachable")

# --- peers for the later captures (tcp-simultaneous-close and after) ---------
# xserver/xclient MODE, one mode per capture; the functions above are unchanged.
import os, struct, time

HELLO_C, HELLO_S = b"hello from client\n", b"hello from server\n"
BULK = bytes(range(256)) * 800             # 204800 bytes for tcp-loss-retransmit

def wait_for(path, limit):
    end = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > end:
            sys.exit("timed out waiting for " + path)
        time.sleep(0.01)

def xserver(addr, port, mode, readyfile, extra):
    count = int(extra[0]) if mode == "flood" else 1
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.settimeout(20)                      # flood: the clients come during it
    ls.bind((addr, port))
    ls.listen(8)
    open(readyfile, "w").close()
    for _ in range(count):
        c, _ = ls.accept()
        c.settimeout(TIMEOUT)
        recv_line(c)                       # "hello from client\n"
        if mode == "bulk":
            c.sendall(BULK)
            c.shutdown(socket.SHUT_WR)
            recv_until_eof(c)
        elif mode == "simultaneous":
            # Agree on a moment to close: written before our line goes out, so
            # the client can read it as soon as it has the line.
            close_at = time.time() + 0.3
            with open(extra[0] + ".tmp", "w") as f:
                f.write(repr(close_at))
            os.rename(extra[0] + ".tmp", extra[0])
            c.sendall(HELLO_S)
            time.sleep(max(0.0, close_at - time.time()))
            c.shutdown(socket.SHUT_WR)     # FIN now, not in answer to the client's
            recv_until_eof(c)
        elif mode == "reset":
            c.sendall(HELLO_S)
            try:
                recv_until_eof(c)
            except ConnectionResetError:
                pass
            else:
                sys.exit("expected a RST from the client")
        elif mode == "unread":
            got = 0
            while got < 8192:              # read 8 KB of the client's 64 KB ...
                chunk = c.recv(8192 - got)
                if not chunk:
                    sys.exit("unread: the client closed early")
                got += len(chunk)
            # ... and close with the rest unread: Linux answers with a RST (RFC 9293
            # s3.10.4: data lost), while more of it is still on the way (the delay line)
        elif mode == "midstream":
            c.sendall(HELLO_S)
            c.settimeout(30)               # the shell starts tcpdump meanwhile
            recv_line(c)                   # "more from client\n"
            c.sendall(b"more from server\n")
            recv_until_eof(c)              # the client's FIN comes first
        else:                              # flood: the plain conversation
            c.sendall(HELLO_S)
            recv_until_eof(c)
        c.close()
    if mode == "flood":
        wait_for(extra[1], 30)             # keep listening until the flood is over
    ls.close()

def xclient(addr, port, mode, extra):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    s.sendall(HELLO_C)
    if mode == "bulk":
        n = 0
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            n += len(chunk)
        if n != len(BULK):
            sys.exit("bulk: got %d bytes, expected %d" % (n, len(BULK)))
        s.close()                          # our FIN answers the server's
        return
    if mode == "unread":
        time.sleep(0.1)                    # the server reads its line alone first
        try:
            s.sendall(BULK[:65536])
            s.recv(1)                      # the server's RST ends this
        except (ConnectionResetError, BrokenPipeError):
            s.close()
            return
        sys.exit("unread: expected a RST from the server")
    recv_line(s)                           # "hello from server\n"
    if mode == "simultaneous":
        wait_for(extra[0], TIMEOUT)
        with open(extra[0]) as f:
            close_at = float(f.read())
        time.sleep(max(0.0, close_at - time.time()))
        s.shutdown(socket.SHUT_WR)         # same moment as the server
        recv_until_eof(s)
    elif mode == "reset":
        # linger on with timeout 0: close() aborts, the kernel sends a RST
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif mode == "midstream":
        open(extra[0], "w").close()        # tell the shell: first exchange done
        wait_for(extra[1], 20)             # ... and wait until tcpdump listens
        s.sendall(b"more from client\n")
        recv_line(s)                       # "more from server\n"
        s.shutdown(socket.SHUT_WR)
        recv_until_eof(s)
    s.close()

# --- UDP echo (csum-offload-veth): one datagram each way ---------------------
def udpserver(addr, port, readyfile):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.bind((addr, port))
    open(readyfile, "w").close()
    data, peer = s.recvfrom(4096)          # "hello from client\n"
    s.sendto(HELLO_S, peer)

def udpclient(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.connect((addr, port))
    s.send(HELLO_C)
    if s.recv(4096) != HELLO_S:
        sys.exit("udp echo: wrong answer")

# --- the tutorial's exchange (tutorial-dog): TCP, then the same over UDP ------
# The server greets with b"Welcome!", the client says b"dog", the server answers
# b"Hello, dog!"; over UDP the client's b"dog" gets b"Hello, dog!" back.  Exact
# lengths are read, so each message is one segment and none waits for another.
def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            sys.exit("tutorial: connection closed early")
        buf += chunk
    return buf

def dogserver(addr, port, readyfile):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.settimeout(TIMEOUT)
    ls.bind((addr, port))
    ls.listen(1)
    us = socket.socket(family(addr), socket.SOCK_DGRAM)
    us.settimeout(TIMEOUT)
    us.bind((addr, port))
    open(readyfile, "w").close()
    c, _ = ls.accept()
    ls.close()
    c.settimeout(TIMEOUT)
    c.sendall(b"Welcome!")
    if recv_exact(c, 3) == b"dog":
        c.sendall(b"Hello, dog!")
    recv_until_eof(c)                      # the client closes first
    c.close()
    data, peer = us.recvfrom(4096)
    if data == b"dog":
        us.sendto(b"Hello, dog!", peer)

def dogclient(addr, port):
    s = socket.create_connection((addr, port), timeout=TIMEOUT)
    if recv_exact(s, 8) != b"Welcome!":
        sys.exit("tutorial: no welcome")
    s.sendall(b"dog")
    if recv_exact(s, 11) != b"Hello, dog!":
        sys.exit("tutorial: wrong answer")
    s.shutdown(socket.SHUT_WR)
    recv_until_eof(s)
    s.close()
    u = socket.socket(family(addr), socket.SOCK_DGRAM)
    u.settimeout(TIMEOUT)
    u.connect((addr, port))
    u.send(b"dog")
    if u.recv(4096) != b"Hello, dog!":
        sys.exit("tutorial: wrong UDP answer")

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "dogserver":
    dogserver(args[0], int(args[1]), args[2])
elif cmd == "dogclient":
    dogclient(args[0], int(args[1]))
elif cmd == "server":
    server(args[0], int(args[1]), args[2], args[3])
elif cmd == "client":
    client(args[0], int(args[1]), args[2])
elif cmd == "refused":
    refused(args[0], int(args[1]))
elif cmd == "udp":
    udp(args[0], int(args[1]))
elif cmd == "xserver":
    xserver(args[0], int(args[1]), args[2], args[3], args[4:])
elif cmd == "xclient":
    xclient(args[0], int(args[1]), args[2], args[3:])
elif cmd == "udpserver":
    udpserver(args[0], int(args[1]), args[2])
elif cmd == "udpclient":
    udpclient(args[0], int(args[1]))
else:
    sys.exit("unknown command " + cmd)
EOF

# A delay line in user space (tcp-simultaneous-close, tcp-loss-retransmit).
# netem is not always there (the kernel these captures were made on lacks
# CONFIG_NET_SCH_NETEM), so an iptables rule hands the packets to NFQUEUE, and
# this helper gives each one back (NF_ACCEPT) DELAY_MS after it arrived, in
# arrival order.  Plain netlink, no library needed.  The rules use
# --queue-bypass: with no helper bound, packets pass undelayed, never dropped.
# Usage: nfq-delay.py QUEUE DELAY_MS READYFILE STOPFILE MAX_SECONDS
# It creates READYFILE once bound to the queue, and exits when STOPFILE exists
# and it holds nothing (exit status 1 if it still held packets at MAX_SECONDS).
cat >"$WORK/nfq-delay.py" <<'EOF'
import os, select, socket, struct, sys, time

# from linux/netlink.h, linux/netfilter/nfnetlink{,_queue}.h
NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQNL_CFG_CMD_BIND, NFQNL_COPY_META, NF_ACCEPT = 1, 1, 1
NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 1, 4, 2
PACKET = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET

def nla(atype, payload):                      # one netlink attribute
    n = 4 + len(payload)
    return struct.pack("=HH", n, atype) + payload + b"\0" * (-n % 4)

def msg(mtype, queue, attrs, flags=NLM_F_REQUEST):
    # nlmsghdr + nfgenmsg (family, version 0, queue number big-endian) + attrs
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attrs
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | mtype,
                       flags, 0, 0) + body

def messages(data):                           # split one recv() into messages
    off = 0
    while off + 16 <= len(data):
        n, mtype, _, _, _ = struct.unpack_from("=IHHII", data, off)
        yield mtype, data[off + 16: off + n]
        off += (n + 3) & ~3

def packet_id(body):                          # the id from NFQA_PACKET_HDR
    off = 4                                   # skip struct nfgenmsg
    while off + 4 <= len(body):
        n, atype = struct.unpack_from("=HH", body, off)
        if atype & 0x3fff == NFQA_PACKET_HDR:
            return struct.unpack_from("!I", body, off + 4)[0]
        off += (n + 3) & ~3
    return None

def verdict(pid):
    s.send(msg(NFQNL_MSG_VERDICT, queue, nla(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))))

queue, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
ready, stop, limit = sys.argv[3], sys.argv[4], float(sys.argv[5])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
s.bind((0, 0))
bind = struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)
s.send(msg(NFQNL_MSG_CONFIG, queue, nla(NFQA_CFG_CMD, bind), NLM_F_REQUEST | NLM_F_ACK))
for mtype, body in messages(s.recv(65536)):
    if mtype == NLMSG_ERROR and struct.unpack_from("=i", body)[0] != 0:
        sys.exit("NFQUEUE bind failed: errno %d" % -struct.unpack_from("=i", body)[0])
# metadata only: we never look at the packet itself
s.send(msg(NFQNL_MSG_CONFIG, queue, nla(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))))
open(ready, "w").close()
held, n, end = [], 0, time.monotonic() + limit    # held: FIFO of (due time, id)
while time.monotonic() < end:
    now = time.monotonic()
    while held and held[0][0] <= now:
        verdict(held.pop(0)[1])
    if not held and os.path.exists(stop):
        break
    wait = min(held[0][0] - now, 0.005) if held else 0.005
    if select.select([s], [], [], max(wait, 0))[0]:
        for mtype, body in messages(s.recv(65536)):
            pid = packet_id(body) if mtype == PACKET else None
            if pid is not None:
                held.append((time.monotonic() + delay, pid))
                n += 1
print("  delay line: %d packet(s) held %g ms%s" % (n, delay * 1000, ", some still held" if held else ""),
      file=sys.stderr)
sys.exit(1 if held else 0)
EOF

# Hand-made frames with known checksums (csum-offload-veth).
cat >"$WORK/csum-frames.py" <<'EOF'
# csum-frames.py IFACE: send hand-made frames with known checksums out of IFACE through an
# AF_PACKET socket, which hands the kernel's driver the bytes exactly as given (no checksum
# fixup, unlike a raw IP socket).  See cap_csum_offload_veth for the list.
import socket, struct, sys, time

MAC_C, MAC_S = bytes.fromhex("027700000101"), bytes.fromhex("027700000102")
V4_C, V4_S = socket.inet_pton(socket.AF_INET, "10.77.1.1"), socket.inet_pton(socket.AF_INET, "10.77.1.2")
V6_C, V6_S = socket.inet_pton(socket.AF_INET6, "fd77::1"), socket.inet_pton(socket.AF_INET6, "fd77::2")

def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def sum16(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))

def pseudo(src, dst, proto, n):                # RFC 9293 s3.1, RFC 8200 s8.1
    if len(src) == 4:
        return fold(sum16(src + dst) + proto + n)
    return fold(sum16(src + dst) + (n >> 16) + (n & 0xffff) + proto)

def l4_sum(src, dst, proto, seg):              # the right checksum, field zeroed in seg
    return ~fold(pseudo(src, dst, proto, len(seg)) + sum16(seg)) & 0xffff

def ip4(proto, payload, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0, V4_C, V4_S)
    h = h[:10] + struct.pack("!H", ~fold(sum16(h)) & 0xffff) + h[12:]
    return MAC_S + MAC_C + b"\x08\x00" + h + payload

def ip6(proto, payload):
    h = struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64, V6_C, V6_S)
    return MAC_S + MAC_C + b"\x86\xdd" + h + payload

def tcp_syn(src, dst, sport, how):
    seg = struct.pack("!HHIIBBHHH", sport, 9999, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = l4_sum(src, dst, 6, seg)
    c = {"right": c, "wrong": (c + 1) & 0xffff}[how]
    return seg[:16] + struct.pack("!H", c) + seg[18:]

def udp(src, dst, sport, data, how):
    seg = struct.pack("!HHHH", sport, 9999, 8 + len(data), 0) + data
    c = l4_sum(src, dst, 17, seg)
    if how == "right":
        c = c or 0xffff                        # a computed 0 is sent as 0xffff (RFC 768)
    elif how == "wrong":
        c = (c + 1) & 0xffff
    elif how == "none":
        c = 0
    return seg[:6] + struct.pack("!H", c) + seg[8:]

def sums_to_zero(src, dst, sport):
    # Two data bytes chosen so that the right checksum computes to 0: the field is 0xffff.
    data = b"sums to zero\n\0\0\0"
    c = l4_sum(src, dst, 17, struct.pack("!HHHH", sport, 9999, 8 + len(data), 0) + data)
    # Adding x to the sum lowers the checksum by x: x = c makes it 0 (in one's complement).
    return data[:-2] + struct.pack("!H", c)

frames = [
    ip4(6, tcp_syn(V4_C, V4_S, 40001, "right"), 1),
    ip4(6, tcp_syn(V4_C, V4_S, 40002, "wrong"), 2),
    ip4(17, udp(V4_C, V4_S, 40003, b"right checksum\n", "right"), 3),
    ip4(17, udp(V4_C, V4_S, 40004, b"wrong checksum\n", "wrong"), 4),
    ip4(17, udp(V4_C, V4_S, 40005, sums_to_zero(V4_C, V4_S, 40005), "right"), 5),
    ip4(17, udp(V4_C, V4_S, 40006, b"no checksum\n", "none"), 6),
    ip6(6, tcp_syn(V6_C, V6_S, 40007, "wrong")),
    ip6(17, udp(V6_C, V6_S, 40008, b"wrong checksum\n", "wrong")),
    ip6(17, udp(V6_C, V6_S, 40009, b"right checksum\n", "right")),
]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for f in frames:
    s.send(f)
    time.sleep(0.05)                           # let each answer come back in order
EOF

# An independent checksum classifier (csum-offload-veth): what each TCP/UDP field holds.
cat >"$WORK/csum-classify.py" <<'EOF'
# csum-classify.py FILE: for each TCP or UDP frame of an EN10MB capture, print
# "N PROTO SPORT DPORT VERDICT", VERDICT being right (the checksum verifies), unfilled (the
# field holds the folded pseudo-header sum, as checksum offload leaves it), none (UDP 0) or
# wrong.  Written apart from netprobe, to check its verdicts against.
import struct, sys

def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def sum16(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))

data = open(sys.argv[1], "rb").read()
magic = struct.unpack_from("<I", data)[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
assert struct.unpack_from(end + "I", data, 20)[0] == 1, "not EN10MB"
off, n = 24, 0
while off + 16 <= len(data):
    _, _, caplen, wirelen = struct.unpack_from(end + "IIII", data, off)
    f = data[off + 16: off + 16 + caplen]
    off += 16 + caplen
    n += 1
    assert caplen == wirelen, "frame %d cut by the snapshot length" % n
    etype = struct.unpack_from("!H", f, 12)[0]
    if etype == 0x0800:
        ihl = (f[14] & 15) * 4
        tot, proto = struct.unpack_from("!H", f, 16)[0], f[23]
        src, dst, l4 = f[26:30], f[30:34], f[14 + ihl: 14 + tot]
        pseudo = fold(sum16(src + dst) + proto + len(l4))
    elif etype == 0x86dd:
        plen, proto = struct.unpack_from("!HB", f, 18)
        src, dst, l4 = f[22:38], f[38:54], f[54: 54 + plen]
        pseudo = fold(sum16(src + dst) + (len(l4) >> 16) + (len(l4) & 0xffff) + proto)
    else:
        continue
    if proto not in (6, 17):
        continue
    at = 16 if proto == 6 else 6
    if proto == 17:
        l4 = l4[: struct.unpack_from("!H", l4, 4)[0]]
    field = struct.unpack_from("!H", l4, at)[0]
    total = fold(fold(sum16(src + dst) + (len(l4) >> 16) + (len(l4) & 0xffff) + proto) + sum16(l4))
    if proto == 17 and field == 0:
        verdict = "none"
    elif total == 0xffff:
        verdict = "right"
    elif field == pseudo:
        verdict = "unfilled"
    else:
        verdict = "wrong"
    sport, dport = struct.unpack_from("!HH", l4)
    print(n, "TCP" if proto == 6 else "UDP", sport, dport, verdict)
EOF

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# --- capture control ---------------------------------------------------------
# start_capture NS IFACE NAME [extra tcpdump args]
# Starts tcpdump (bounded by timeout) and waits until it reports "listening on",
# i.e. the capture socket is really open before any traffic is generated.
# -Z root: stay root so the file in $WORK stays writable; -U: flush per packet.
# --immediate-mode matters: without it libpcap's TPACKET_V3 ring hands packets
# over only when a block fills or its ~1 s timeout expires, and a SIGINT soon
# after a quick exchange silently loses every packet (seen: "0 packets").
CAP_PID="" CAP_NAME=""
start_capture() {
    local ns=$1 iface=$2 name=$3 i
    shift 3
    CAP_NAME=$name
    rm -f "$WORK/$name" "$WORK/$name.log"
    timeout 30 ip netns exec "$ns" tcpdump -n -U --immediate-mode -Z root -i "$iface" "$@" \
        -w "$WORK/$name" 2>"$WORK/$name.log" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    for ((i = 0; i < 100; i++)); do
        grep -q "listening on" "$WORK/$name.log" 2>/dev/null && return 0
        kill -0 "$CAP_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "tcpdump for $name did not start:" >&2
    cat "$WORK/$name.log" >&2
    exit 1
}

# stop_capture: give the last ACKs a moment, SIGINT tcpdump (via the timeout
# wrapper, which forwards it), wait for it, and move the file into OUTDIR.
stop_capture() {
    sleep 0.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || { echo "tcpdump for $CAP_NAME failed:" >&2; cat "$WORK/$CAP_NAME.log" >&2; exit 1; }
    forget "$CAP_PID"
    mv -f "$WORK/$CAP_NAME" "$OUTDIR/$CAP_NAME"
    echo "  $CAP_NAME: $(grep -Eo '[0-9]+ packets? captured' "$WORK/$CAP_NAME.log")"
}

# expect FILE MIN MAX [FILTER...]
# Sanity check of a finished capture: the number of packets matching a tcpdump
# filter (all packets if none) must be within MIN..MAX, else the run fails.
expect() {
    local file=$1 min=$2 max=$3 n
    shift 3
    n=$(tcpdump -n -r "$OUTDIR/$file" "$@" 2>/dev/null | wc -l)
    if ((n < min || n > max)); then
        echo "CHECK FAILED: $file: $n packets match '${*:-all}', expected $min..$max" >&2
        tcpdump -n -r "$OUTDIR/$file" >&2 || true
        exit 1
    fi
}

# first_fin_from FILE ADDR: the first FIN in FILE must come from ADDR.
first_fin_from() {
    local file=$1 addr=$2 line
    line=$(tcpdump -n -r "$OUTDIR/$file" -c 1 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null)
    [[ $line == *" $addr."*" > "* ]] ||
        { echo "CHECK FAILED: $file: first FIN is not from $addr: $line" >&2; exit 1; }
}

FIN='tcp[tcpflags] & tcp-fin != 0'
SYN='tcp[tcpflags] & tcp-syn != 0'

# tcp_conversation SERVER_NS CLIENT_NS ADDR MODE
# Starts the Python server, waits for its "ready" file (so the client never hits
# a closed port), runs the client, waits for both.
tcp_conversation() {
    local sns=$1 cns=$2 addr=$3 mode=$4 spid i
    rm -f "$WORK/ready"
    timeout 15 ip netns exec "$sns" "$PY" "$WORK/peer.py" server "$addr" "$PORT" "$mode" "$WORK/ready" &
    spid=$!
    PIDS+=("$spid")
    for ((i = 0; i < 100; i++)); do
        [[ -e $WORK/ready ]] && break
        sleep 0.05
    done
    [[ -e $WORK/ready ]] || { echo "server did not come up" >&2; exit 1; }
    timeout 15 ip netns exec "$cns" "$PY" "$WORK/peer.py" client "$addr" "$PORT" "$mode"
    wait "$spid"
    forget "$spid"
}

# --- helpers for the later captures -------------------------------------------
# spawn SECONDS NS CMD...: run CMD in namespace NS in the background, bounded by
# timeout; its PID goes to BG_PID (and PIDS, for cleanup).
BG_PID=""
spawn() {
    local t=$1 ns=$2
    shift 2
    timeout "$t" ip netns exec "$ns" "$@" &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# reap PID WHAT: wait for a process started by spawn; fail the run if it failed.
reap() {
    local rc=0
    wait "$1" || rc=$?
    forget "$1"
    ((rc == 0)) || { echo "$2 failed (exit status $rc)" >&2; exit 1; }
}

# wait_file FILE WHAT: wait (at most 5 s) for a file that a helper creates.
wait_file() {
    local i
    for ((i = 0; i < 100; i++)); do
        [[ -e $1 ]] && return 0
        sleep 0.05
    done
    echo "$2 did not come up" >&2
    exit 1
}

# xconversation MODE [ARGS...]: tcp_conversation for the xserver/xclient modes
# of peer.py (IPv4 over the veth); ARGS go to both the server and the client.
xconversation() {
    local mode=$1 spid
    shift
    rm -f "$WORK/ready"
    spawn 30 "$NS_S" "$PY" "$WORK/peer.py" xserver "$V4_S" "$PORT" "$mode" "$WORK/ready" "$@"
    spid=$BG_PID
    wait_file "$WORK/ready" "server ($mode)"
    timeout 30 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" xclient "$V4_S" "$PORT" "$mode" "$@"
    reap "$spid" "server ($mode)"
}

# tshark with TCP sequence analysis on (whatever the user's preferences say).
TSHARK=(tshark -n -o tcp.analyze_sequence_numbers:TRUE)

# ts_count FILE FILTER: how many packets of FILE match a tshark display filter.
ts_count() {
    "${TSHARK[@]}" -r "$OUTDIR/$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
}

# expect_ts FILE MIN MAX FILTER: like expect, with a tshark display filter.
expect_ts() {
    local file=$1 min=$2 max=$3 filter=$4 n
    n=$(ts_count "$file" "$filter")
    if ((n < min || n > max)); then
        echo "CHECK FAILED: $file: $n packets match tshark '$filter', expected $min..$max" >&2
        exit 1
    fi
}

# expect_size FILE MAX_BYTES: the capture file must not be larger than that.
expect_size() {
    local size
    size=$(stat -c %s "$OUTDIR/$1")
    ((size <= $2)) || { echo "CHECK FAILED: $1 is $size bytes, limit $2" >&2; exit 1; }
}

# first_from FILE ADDR FILTER: the first packet matching FILTER comes from ADDR.
first_from() {
    local file=$1 addr=$2 line
    line=$(tcpdump -n -r "$OUTDIR/$file" -c 1 "$3" 2>/dev/null)
    [[ $line == *" $addr."*" > "* ]] ||
        { echo "CHECK FAILED: $file: first '$3' is not from $addr: $line" >&2; exit 1; }
}

# only_port FILE: every packet in FILE is TCP to or from $PORT (no stray IPv6,
# ARP or ICMP).
only_port() {
    local all
    all=$(tcpdump -n -r "$OUTDIR/$1" 2>/dev/null | wc -l)
    expect "$1" "$all" "$all" tcp port "$PORT"
}

# --- namespaces and veth ----------------------------------------------------
echo "setting up namespaces $NS_C / $NS_S"
ip netns add "$NS_C"
ip netns add "$NS_S"
for ns in "$NS_C" "$NS_S"; do
    nsx "$ns" ip link set lo up
    # Quiet IPv6: no router solicitations, no RA processing, no autogenerated
    # link-local address, and IPv6 off on new interfaces until the IPv6 phase.
    for conf in all default; do
        nsx "$ns" sysctl -qw net.ipv6.conf.$conf.accept_ra=0
        nsx "$ns" sysctl -qw net.ipv6.conf.$conf.router_solicitations=0
    done
    nsx "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1
    nsx "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done

# The veth is created inside the client namespace with its peer directly in
# the server namespace: neither end ever exists in the host namespace.
ip -n "$NS_C" link add "$IF_C" address "$MAC_C" type veth \
    peer name "$IF_S" address "$MAC_S" netns "$NS_S"
for side in "$NS_C:$IF_C:$V4_C" "$NS_S:$IF_S:$V4_S"; do
    IFS=: read -r ns iface addr <<<"$side"
    # Ensure the IPv6 knobs really apply to this interface (not just "default").
    nsx "$ns" sysctl -qw "net.ipv6.conf.$iface.disable_ipv6=1"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$iface.addr_gen_mode=1"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$iface.accept_ra=0"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$iface.router_solicitations=0"
    # veth leaves checksums to "hardware" by default, so captured frames would
    # carry unfilled checksums; tx off makes the kernel compute them in software.
    nsx "$ns" ethtool -K "$iface" tx off >/dev/null
    nsx "$ns" ip addr add "$addr/24" dev "$iface"
    nsx "$ns" ip link set "$iface" up
done
# Static ARP entries: keep the IPv4 captures free of ARP chatter (and of stale
# neighbour re-probes landing in a later capture).
ip -n "$NS_C" neigh replace "$V4_S" lladdr "$MAC_S" dev "$IF_C" nud permanent
ip -n "$NS_S" neigh replace "$V4_C" lladdr "$MAC_C" dev "$IF_S" nud permanent
# Check reachability before recording anything (this ping is not captured).
nsx "$NS_C" ping -q -c 1 -W 2 "$V4_S" >/dev/null

# --- the captures -------------------------------------------------------------
# One function per capture, cap_<name with _ for ->; the main loop at the end
# runs the selected ones in the order of ALL_CAPTURES.

# --- IPv4 captures on the server-side veth -----------------------------------

# 1. Full connection: handshake, one line each way, client FIN first, server FIN.
cap_tcp_handshake_data_teardown() {
    start_capture "$NS_S" "$IF_S" tcp-handshake-data-teardown.pcap
    tcp_conversation "$NS_S" "$NS_C" "$V4_S" client-closes
    stop_capture
    expect tcp-handshake-data-teardown.pcap 8 14
    expect tcp-handshake-data-teardown.pcap 2 2 "$SYN"
    expect tcp-handshake-data-teardown.pcap 2 2 "$FIN"
    first_fin_from tcp-handshake-data-teardown.pcap "$V4_C"
}

# 2. SYN to a closed port -> RST/ACK.
cap_tcp_refused() {
    start_capture "$NS_S" "$IF_S" tcp-refused.pcap
    timeout 10 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" refused "$V4_S" "$CLOSED_PORT"
    stop_capture
    expect tcp-refused.pcap 2 2
    expect tcp-refused.pcap 1 1 'tcp[tcpflags] & tcp-rst != 0'
}

# 3. Server answers, then closes first; the client closes after seeing EOF.
cap_tcp_server_closes_first() {
    start_capture "$NS_S" "$IF_S" tcp-server-closes-first.pcap
    tcp_conversation "$NS_S" "$NS_C" "$V4_S" server-closes
    stop_capture
    expect tcp-server-closes-first.pcap 8 14
    expect tcp-server-closes-first.pcap 2 2 "$FIN"
    first_fin_from tcp-server-closes-first.pcap "$V4_S"
}

# 4. Three ICMP echo request/reply pairs.
cap_icmp_ping() {
    start_capture "$NS_S" "$IF_S" icmp-ping.pcap
    timeout 10 ip netns exec "$NS_C" ping -q -c 3 -i 0.2 -W 2 "$V4_S" >/dev/null
    stop_capture
    expect icmp-ping.pcap 6 6
    expect icmp-ping.pcap 3 3 'icmp[icmptype] == icmp-echoreply'
}

# 5. One UDP datagram to a closed port -> ICMP port unreachable.
cap_udp_port_unreachable() {
    start_capture "$NS_S" "$IF_S" udp-port-unreachable.pcap
    timeout 10 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" udp "$V4_S" "$CLOSED_PORT"
    stop_capture
    expect udp-port-unreachable.pcap 2 2
    expect udp-port-unreachable.pcap 1 1 'icmp[icmptype] == icmp-unreach'
}

# 6. Same conversation as #1, but `-i any` in the client namespace. tcpdump
#    4.99 would pick LINUX_SLL2 for "any" anyway; -y makes it explicit.
cap_tcp_any_sll2() {
    local hdr
    start_capture "$NS_C" any tcp-any-sll2.pcap -y LINUX_SLL2
    tcp_conversation "$NS_S" "$NS_C" "$V4_S" client-closes
    stop_capture
    expect tcp-any-sll2.pcap 8 14
    expect tcp-any-sll2.pcap 2 2 "$FIN"
    # (captured into a variable, not piped to grep -q: that races with pipefail)
    hdr=$(tcpdump -r "$OUTDIR/tcp-any-sll2.pcap" -c 1 2>&1 >/dev/null)
    [[ $hdr == *"link-type LINUX_SLL2"* ]] ||
        { echo "CHECK FAILED: tcp-any-sll2.pcap: $hdr" >&2; exit 1; }
}

# 7. Same conversation over loopback inside the client namespace only.
#    Loopback never fills TCP checksums (offloaded), which is kept on purpose.
cap_tcp_loopback() {
    start_capture "$NS_C" lo tcp-loopback.pcap
    tcp_conversation "$NS_C" "$NS_C" 127.0.0.1 client-closes
    stop_capture
    expect tcp-loopback.pcap 8 14
    expect tcp-loopback.pcap 2 2 "$FIN"
}

# --- IPv6 phase ---------------------------------------------------------------
# Enable IPv6 on the veth ends now, with static addresses (nodad: usable at
# once).  Enabling triggers a few MLD reports; wait for them to pass before
# recording.  No neighbour entries are pre-populated, so #8 shows NS/NA.
# (Runs once, before the first IPv6 capture that was selected.)
IPV6_READY=0
ipv6_phase() {
    local side ns iface addr
    for side in "$NS_C:$IF_C:$V6_C" "$NS_S:$IF_S:$V6_S"; do
        IFS=: read -r ns iface addr <<<"$side"
        nsx "$ns" sysctl -qw "net.ipv6.conf.$iface.disable_ipv6=0"
        nsx "$ns" ip -6 addr add "$addr/64" dev "$iface" nodad
    done
    sleep 3
    ip -n "$NS_C" -6 neigh flush dev "$IF_C"
    ip -n "$NS_S" -6 neigh flush dev "$IF_S"
    IPV6_READY=1
}

# 8. Conversation #1 over IPv6, including the neighbour discovery it triggers.
cap_tcp_ipv6() {
    start_capture "$NS_S" "$IF_S" tcp-ipv6.pcap
    tcp_conversation "$NS_S" "$NS_C" "$V6_S" client-closes
    stop_capture
    expect tcp-ipv6.pcap 10 20
    expect tcp-ipv6.pcap 8 14 'ip6 and tcp'
    expect tcp-ipv6.pcap 1 4 'icmp6 and ip6[40] == 135'   # neighbour solicitation
    expect tcp-ipv6.pcap 1 4 'icmp6 and ip6[40] == 136'   # neighbour advertisement
}

# 9. Three ICMPv6 echo request/reply pairs.
cap_icmp6_ping() {
    # Pin the neighbours now so #9 is exactly the echo traffic (no re-probes).
    ip -n "$NS_C" -6 neigh replace "$V6_S" lladdr "$MAC_S" dev "$IF_C" nud permanent
    ip -n "$NS_S" -6 neigh replace "$V6_C" lladdr "$MAC_C" dev "$IF_S" nud permanent

    start_capture "$NS_S" "$IF_S" icmp6-ping.pcap
    timeout 10 ip netns exec "$NS_C" ping -6 -q -c 3 -i 0.2 -W 2 "$V6_S" >/dev/null
    stop_capture
    expect icmp6-ping.pcap 6 6
    expect icmp6-ping.pcap 3 3 'icmp6 and ip6[40] == 129'  # echo reply
}

# --- later captures: IPv4, server-side veth, port 8888 --------------------------
# These come after the first nine so that those are made exactly as before.
# Segmentation offloads go off on both veth ends first: no TSO/GSO, so the
# kernel hands the veth MSS-sized segments rather than 64 KB super-packets, and
# no GRO, so the receiver handles (and ACKs) each segment as it was sent, as on
# a real wire.  Every later capture is also checked to hold nothing but TCP
# port 8888.  (Runs once, before the first later capture that was selected.)
LATER_READY=0
later_phase() {
    local side ns iface
    for side in "$NS_C:$IF_C" "$NS_S:$IF_S"; do
        IFS=: read -r ns iface <<<"$side"
        nsx "$ns" ethtool -K "$iface" tso off gso off gro off >/dev/null
    done
    LATER_READY=1
}

# fins_cross FILE: one FIN from each side, and they crossed on the wire: each
# FIN's ack number is the other FIN's own sequence number (all data acked, the
# FIN not), and both FINs are on the wire before either is acknowledged.
fins_cross() {
    local out verdict
    out=$("${TSHARK[@]}" -r "$OUTDIR/$1" -o tcp.relative_sequence_numbers:FALSE -T fields \
        -e frame.number -e ip.src -e tcp.flags.fin -e tcp.seq -e tcp.len -e tcp.ack 2>/dev/null)
    verdict=$(awk -v c="$V4_C" -v s="$V4_S" '
        { no[NR] = $1; src[NR] = $2; ack[NR] = $6 }
        $3 == 1 { nfin[$2]++; finseq[$2] = ($4 + $5) % 4294967296; finno[$2] = $1; finack[$2] = $6 }
        END {
            if (nfin[c] != 1 || nfin[s] != 1) { print "want exactly one FIN from each side"; exit }
            if (finack[c] != finseq[s]) { print "the client FIN acknowledges the server FIN"; exit }
            if (finack[s] != finseq[c]) { print "the server FIN acknowledges the client FIN"; exit }
            last = finno[c] > finno[s] ? finno[c] : finno[s]
            for (i = 1; i <= NR; i++) {
                other = src[i] == c ? s : c
                if (ack[i] == (finseq[other] + 1) % 4294967296) {
                    if (no[i] < last) { print "a FIN is acknowledged before the other FIN is sent"; exit }
                    acked[src[i]] = 1
                }
            }
            if (!acked[c] || !acked[s]) { print "a FIN is never acknowledged"; exit }
            print "ok"
        }' <<<"$out")
    [[ $verdict == ok ]] && return 0
    echo "CHECK: $1: $verdict" >&2
    "${TSHARK[@]}" -r "$OUTDIR/$1" 2>/dev/null >&2 || true
    return 1
}

# 10. Simultaneous close: the two FINs cross on the wire.  Every port-8888
#     packet leaving either namespace waits 50 ms in the NFQUEUE delay line (a
#     100 ms round trip, what `netem delay 50ms` on both ends would give), and
#     both peers call shutdown(SHUT_WR) at one agreed moment, 0.3 s after the
#     server's line.  Each FIN is sent well before the other can arrive, so
#     neither acknowledges the other: both sockets go FIN-WAIT-1 -> CLOSING ->
#     TIME-WAIT, and each then ACKs the other's FIN.
cap_tcp_simultaneous_close() {
    local f=tcp-simultaneous-close.pcap try hs hc rule_s rule_c
    rule_s=(OUTPUT -o "$IF_S" -p tcp --sport "$PORT" -j NFQUEUE --queue-num 0 --queue-bypass)
    rule_c=(OUTPUT -o "$IF_C" -p tcp --dport "$PORT" -j NFQUEUE --queue-num 0 --queue-bypass)
    for ((try = 1; try <= 3; try++)); do
        rm -f "$WORK"/dl-* "$WORK/close-at"
        nsx "$NS_S" iptables -A "${rule_s[@]}"
        nsx "$NS_C" iptables -A "${rule_c[@]}"
        spawn 30 "$NS_S" "$PY" "$WORK/nfq-delay.py" 0 50 "$WORK/dl-s-ready" "$WORK/dl-stop" 25
        hs=$BG_PID
        spawn 30 "$NS_C" "$PY" "$WORK/nfq-delay.py" 0 50 "$WORK/dl-c-ready" "$WORK/dl-stop" 25
        hc=$BG_PID
        wait_file "$WORK/dl-s-ready" "delay line (server)"
        wait_file "$WORK/dl-c-ready" "delay line (client)"
        start_capture "$NS_S" "$IF_S" $f
        xconversation simultaneous "$WORK/close-at"
        sleep 0.3                      # the last ACKs may still be in the delay lines
        touch "$WORK/dl-stop"
        reap "$hs" "delay line (server)"
        reap "$hc" "delay line (client)"
        stop_capture
        nsx "$NS_S" iptables -D "${rule_s[@]}"
        nsx "$NS_C" iptables -D "${rule_c[@]}"
        fins_cross $f && break
        ((try < 3)) || exit 1
        echo "  the FINs did not cross; again ($((try + 1))/3)"
    done
    only_port $f
    expect $f 9 12
    expect $f 2 2 "$SYN"
    expect $f 2 2 "$FIN"
    expect $f 0 0 'tcp[tcpflags] & tcp-rst != 0'
}

# 11. Reset mid-stream: after one line each way the client aborts: SO_LINGER
#     {on, 0 s} then close() makes its kernel send a RST (with ACK), no FIN.
cap_tcp_reset_midstream() {
    local f=tcp-reset-midstream.pcap
    start_capture "$NS_S" "$IF_S" $f
    xconversation reset
    stop_capture
    only_port $f
    expect $f 7 10
    expect $f 2 2 "$SYN"
    expect $f 0 0 "$FIN"
    expect $f 1 1 'tcp[tcpflags] & tcp-rst != 0'
    first_from $f "$V4_C" 'tcp[tcpflags] & tcp-rst != 0'
    expect_ts $f 2 2 'tcp.len > 0'
}

# 12. Loss and recovery: 200 KB (204800 bytes) from the server to the client,
#     snaplen 128.  The client's end of the "wire" delays and drops:
#     - raw PREROUTING on veth-c drops every 20th full-sized data segment (5 %;
#       iptables statistic nth, so the same segments every run);
#     - INPUT on veth-c queues every segment from the server to the NFQUEUE
#       delay line for 10 ms (a 10 ms round trip, as `netem delay 10ms`).
#     Both act after the server-side capture point.  A drop on the server's own
#     egress would not do without netem: any other egress drop (iptables OUTPUT,
#     a tc filter) is reported back to TCP, which then just sends the segment
#     again as if for the first time.  So the capture shows each lost segment,
#     the client's duplicate ACKs (with SACK blocks) and the retransmissions.
#     Retried (at most 5 times) until tshark sees a retransmission, a duplicate
#     ACK, and an out-of-order segment or fast retransmission.
cap_tcp_loss_retransmit() {
    local f=tcp-loss-retransmit.pcap try drop delay hd dropped n_re n_dup n_fast
    drop=(PREROUTING -i "$IF_C" -p tcp --sport "$PORT" -m length --length 1000:65535
        -m statistic --mode nth --every 20 --packet 10 -j DROP)
    delay=(INPUT -i "$IF_C" -p tcp --sport "$PORT" -j NFQUEUE --queue-num 0 --queue-bypass)
    for ((try = 1; try <= 5; try++)); do
        rm -f "$WORK"/dl-*
        nsx "$NS_C" iptables -t raw -A "${drop[@]}"
        nsx "$NS_C" iptables -A "${delay[@]}"
        spawn 60 "$NS_C" "$PY" "$WORK/nfq-delay.py" 0 10 "$WORK/dl-c-ready" "$WORK/dl-stop" 55
        hd=$BG_PID
        wait_file "$WORK/dl-c-ready" "delay line (client)"
        start_capture "$NS_S" "$IF_S" $f -s 128
        xconversation bulk
        sleep 0.1                      # the last ACK may still be in the delay line
        touch "$WORK/dl-stop"
        reap "$hd" "delay line (client)"
        stop_capture
        dropped=$(nsx "$NS_C" iptables -t raw -L PREROUTING -n -v -x | awk '$3 == "DROP" { print $1 }')
        nsx "$NS_C" iptables -t raw -D "${drop[@]}"
        nsx "$NS_C" iptables -D "${delay[@]}"
        n_re=$(ts_count $f tcp.analysis.retransmission)
        n_dup=$(ts_count $f tcp.analysis.duplicate_ack)
        n_fast=$(ts_count $f 'tcp.analysis.out_of_order or tcp.analysis.fast_retransmission')
        echo "  dropped $dropped; retransmissions $n_re, duplicate ACKs $n_dup," \
            "out-of-order or fast retransmissions $n_fast"
        ((n_re > 0 && n_dup > 0 && n_fast > 0)) && break
        ((try < 5)) || { echo "CHECK FAILED: $f: some kind of loss event is missing" >&2; exit 1; }
        echo "  again ($((try + 1))/5)"
    done
    only_port $f
    expect $f 2 2 "$SYN"
    expect $f 2 2 "$FIN"
    expect $f 0 0 'tcp[tcpflags] & tcp-rst != 0'
    expect_ts $f 142 400 "tcp.srcport == $PORT and tcp.len > 0"
    expect_size $f 300000
}

# 13. Capture started mid-stream: the connection is set up and one line goes
#     each way before tcpdump starts; then one more line each way and a FIN
#     teardown (client first).  The file has no SYN, so no window scale.
cap_tcp_midstream_start() {
    local f=tcp-midstream-start.pcap spid cpid
    rm -f "$WORK/ready" "$WORK/established" "$WORK/go"
    spawn 40 "$NS_S" "$PY" "$WORK/peer.py" xserver "$V4_S" "$PORT" midstream "$WORK/ready"
    spid=$BG_PID
    wait_file "$WORK/ready" "server (midstream)"
    spawn 40 "$NS_C" "$PY" "$WORK/peer.py" xclient "$V4_S" "$PORT" midstream "$WORK/established" "$WORK/go"
    cpid=$BG_PID
    wait_file "$WORK/established" "client (midstream)"
    sleep 0.3                          # let the ACK of the first exchange pass too
    start_capture "$NS_S" "$IF_S" $f
    touch "$WORK/go"
    reap "$cpid" "client (midstream)"
    reap "$spid" "server (midstream)"
    stop_capture
    only_port $f
    expect $f 6 9
    expect $f 0 0 "$SYN"
    expect $f 2 2 "$FIN"
    first_fin_from $f "$V4_C"
    expect_ts $f 2 2 'tcp.len > 0'
}

# flood_interleaved FILE: the client's handshakes lie inside the flood (spoofed
# SYNs both before the first and after the last packet from the client).
flood_interleaved() {
    local verdict
    verdict=$("${TSHARK[@]}" -r "$OUTDIR/$1" -T fields -e frame.number -e ip.src 2>/dev/null |
        awk -v c="$V4_C" -v s="$V4_S" '
            $2 != c && $2 != s { if (!fs) fs = $1; ls = $1 }
            $2 == c { if (!fc) fc = $1; lc = $1 }
            END { print (fs && fc && fs < fc && lc < ls) ? "ok" : "no" }')
    [[ $verdict == ok ]] ||
        { echo "CHECK FAILED: $1: the client's connections are not inside the flood" >&2; exit 1; }
}

# flood_counters: the server namespace's SNMP counters of interest, absolute.
flood_counters() {
    nsx "$NS_S" nstat -asz IpOutNoRoutes TcpPassiveOpens TcpExtListenDrops \
        TcpExtListenOverflows TcpExtSyncookiesSent | awk 'NR > 1 { print $1, $2 }'
}

# 14. SYN flood: hping3 sends 3000 SYNs (1 ms apart) from random spoofed
#     sources to the listener on port 8888, snaplen 96.  During the flood the
#     client makes three normal connections (the conversation of #1).  The
#     server namespace has no route to the spoofed sources (only 10.77.1.0/24,
#     no default route), so its SYN/ACKs to them fail in route lookup and never
#     reach any interface (IpOutNoRoutes counts them).  Because of that, no
#     request waits in the SYN queue and SYN cookies are not needed: the three
#     real handshakes go through normally.
cap_syn_flood_hping3() {
    local f=syn-flood-hping3.pcap spid hpid i rc log links before after
    # The replies to spoofed sources must have nowhere to go: no default route
    # and no interface but lo and veth-s in the server namespace.
    links=$(ip -n "$NS_S" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)
    if [[ -n $(ip -n "$NS_S" route show default) || $links != "lo $IF_S" ]]; then
        echo "refusing to flood: server namespace has a default route or other links ($links)" >&2
        exit 1
    fi
    before=$(flood_counters)
    rm -f "$WORK/ready" "$WORK/flood-over"
    spawn 40 "$NS_S" "$PY" "$WORK/peer.py" xserver "$V4_S" "$PORT" flood "$WORK/ready" 3 "$WORK/flood-over"
    spid=$BG_PID
    wait_file "$WORK/ready" "server (flood)"
    start_capture "$NS_S" "$IF_S" $f -s 96
    spawn 30 "$NS_C" hping3 -q -S --rand-source -p "$PORT" -c 3000 -i u1000 "$V4_S" >"$WORK/hping3.log" 2>&1
    hpid=$BG_PID
    for ((i = 0; i < 3; i++)); do
        sleep 0.6
        timeout 15 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" client "$V4_S" "$PORT" client-closes
    done
    # hping3 exits with 1 when nothing answered, as here: every SYN had a
    # spoofed source.  So check its own count instead.
    rc=0
    wait "$hpid" || rc=$?
    forget "$hpid"
    log=$(cat "$WORK/hping3.log")
    if ((rc > 1)) || [[ $log != *"3000 packets transmitted"* ]]; then
        echo "hping3 failed (exit status $rc):" >&2
        echo "$log" >&2
        exit 1
    fi
    touch "$WORK/flood-over"           # now the server may close its listener
    reap "$spid" "server (flood)"
    stop_capture
    after=$(flood_counters)
    echo "  server-side counters during the flood: $(awk 'NR == FNR { b[$1] = $2; next }
        { printf "%s%s +%d", sep, $1, $2 - b[$1]; sep = ", " }' <(echo "$before") <(echo "$after"))"
    only_port $f
    expect $f 3000 3000 "tcp[tcpflags] == tcp-syn and not src host $V4_C"
    expect $f 3 3 "tcp[tcpflags] == tcp-syn and src host $V4_C"
    expect $f 3 3 'tcp[tcpflags] == (tcp-syn|tcp-ack)'
    expect $f 6 6 "$FIN"
    expect $f 0 0 "src host $V4_S and not dst host $V4_C"
    flood_interleaved $f
    expect_size $f 600000
}

# 15. Checksum offload left on, as on every container network.  veth hands the
#     kernel's TCP and UDP segments on without filling their checksums: the field
#     holds only the pseudo-header sum, for a "card" that never comes, and this
#     is what both ends capture.  Recorded on the client's veth (the sender of the
#     hand-made frames; EN10MB, so no direction mark tells outgoing frames apart):
#     the conversation of #1 over IPv4 and over IPv6, a UDP echo over each (one
#     datagram each way, port 8888), one ping over each (ICMP sums are computed in
#     software, offload or not), then nine frames written through an AF_PACKET
#     socket with known checksums, each 50 ms apart, to the closed port 9999:
#       40001 TCP SYN, right     40004 UDP, wrong (+1)    40007 TCP SYN over IPv6, wrong
#       40002 TCP SYN, wrong     40005 UDP, right: 0xffff 40008 UDP over IPv6, wrong
#       40003 UDP, right         40006 UDP, none (0)      40009 UDP over IPv6, right
#     (40005's data is chosen so that its sum computes to 0, sent as 0xffff, RFC
#     768.)  The server answers the right ones (a RST, ICMP port unreachable) and
#     drops the wrong ones.  Every field is checked with csum-classify.py, which
#     knows nothing of netprobe, and with tshark.
TS_CSUM=(tshark -n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
cap_csum_offload_veth() {
    local f=csum-offload-veth.pcap side ns iface spid v4 v6 got bad
    ip -n "$NS_C" -6 neigh replace "$V6_S" lladdr "$MAC_S" dev "$IF_C" nud permanent
    ip -n "$NS_S" -6 neigh replace "$V6_C" lladdr "$MAC_C" dev "$IF_S" nud permanent
    for side in "$NS_C:$IF_C" "$NS_S:$IF_S"; do
        IFS=: read -r ns iface <<<"$side"
        nsx "$ns" ethtool -K "$iface" tx on >/dev/null
        [[ $(nsx "$ns" ethtool -k "$iface") == *"tx-checksumming: on"* ]] ||
            { echo "CHECK FAILED: tx checksumming is not on for $iface" >&2; exit 1; }
    done
    start_capture "$NS_C" "$IF_C" $f
    for addr in "$V4_S" "$V6_S"; do
        tcp_conversation "$NS_S" "$NS_C" "$addr" client-closes
        rm -f "$WORK/ready"
        spawn 15 "$NS_S" "$PY" "$WORK/peer.py" udpserver "$addr" "$PORT" "$WORK/ready"
        spid=$BG_PID
        wait_file "$WORK/ready" "udp echo server"
        timeout 15 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" udpclient "$addr" "$PORT"
        reap "$spid" "udp echo server"
        timeout 10 ip netns exec "$NS_C" ping -q -c 1 -W 2 "$addr" >/dev/null
    done
    timeout 10 ip netns exec "$NS_C" "$PY" "$WORK/csum-frames.py" "$IF_C"
    stop_capture
    for side in "$NS_C:$IF_C" "$NS_S:$IF_S"; do   # back as the other captures expect it
        IFS=: read -r ns iface <<<"$side"
        nsx "$ns" ethtool -K "$iface" tx off >/dev/null
    done
    expect $f 20 20 "tcp port $PORT"
    expect $f 4 4 "udp port $PORT"
    expect $f 2 2 'icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply'
    expect $f 2 2 'icmp6 and (ip6[40] == 128 or ip6[40] == 129)'
    expect $f 9 9 'src portrange 40001-40009'
    expect $f 1 1 'tcp src port 9999 and tcp[tcpflags] & tcp-rst != 0'
    expect $f 3 3 'icmp[icmptype] == icmp-unreach'
    expect $f 1 1 'icmp6 and ip6[40] == 1'
    expect $f 42 42
    # What each field holds: every kernel-built TCP/UDP segment is unfilled, the
    # hand-made ones are as made, and the kernel's answers to them (RST, ICMP)
    # are right.
    got=$("$PY" "$WORK/csum-classify.py" "$OUTDIR/$f")
    bad=$(awk -v port="$PORT" '
        BEGIN { want[40001] = want[40003] = want[40005] = want[40009] = "right"
                want[40002] = want[40004] = want[40007] = want[40008] = "wrong"
                want[40006] = "none" }
        ($3 == port || $4 == port) && $5 != "unfilled" { print; next }
        $3 in want && $5 != want[$3] { print; next }
        $3 == 9999 && $5 != "right" { print }' <<<"$got")
    [[ -z $bad ]] || { echo "CHECK FAILED: $f: unexpected checksums:" >&2; echo "$bad" >&2; exit 1; }
    expect $f 24 24 "(tcp or udp) and port $PORT"
    v4=$(awk '$5 == "unfilled"' <<<"$got" | wc -l)
    ((v4 == 24)) || { echo "CHECK FAILED: $f: $v4 unfilled checksums, expected 24" >&2; exit 1; }
    # tshark calls the unfilled ones bad too: it cannot tell them from wrong ones.
    n=$("${TS_CSUM[@]}" -r "$OUTDIR/$f" -Y 'tcp.checksum.status == 0 or udp.checksum.status == 0' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 24 + 4)) || { echo "CHECK FAILED: $f: tshark finds $n bad checksums, expected 28" >&2; exit 1; }
    n=$("${TS_CSUM[@]}" -r "$OUTDIR/$f" -Y 'not icmp and udp.srcport == 40005 and udp.checksum == 0xffff and udp.checksum.status == 1' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 1)) || { echo "CHECK FAILED: $f: no right UDP checksum 0xffff from port 40005" >&2; exit 1; }
}

# VXLAN (RFC 7348): a vxlan device in each namespace (VNI 42, UDP port 4789) over the veth,
# inner addresses 10.77.42.1/.2 with pinned neighbours (no inner ARP), the conversation of the
# first file through the tunnel, captured on the underlay (server-side veth).
# vxlan_capture FILE VNI DSTPORT: the first file's conversation between 10.77.VNI.1 and .2,
# carried by the kernel's VXLAN devices with that VNI and UDP destination port.
vxlan_capture() {
    local f=$1 vni=$2 dport=$3 sub=10.77.$2
    ip -n "$NS_C" link add vx0 address "02:77:00:00:$vni:01" type vxlan id "$vni" \
        dstport "$dport" local "$V4_C" remote "$V4_S" dev "$IF_C"
    ip -n "$NS_S" link add vx0 address "02:77:00:00:$vni:02" type vxlan id "$vni" \
        dstport "$dport" local "$V4_S" remote "$V4_C" dev "$IF_S"
    for side in "$NS_C:$sub.1" "$NS_S:$sub.2"; do
        IFS=: read -r ns addr <<<"$side"
        nsx "$ns" sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1
        nsx "$ns" ethtool -K vx0 tx off >/dev/null
        nsx "$ns" ip addr add "$addr/24" dev vx0
        nsx "$ns" ip link set vx0 up
    done
    ip -n "$NS_C" neigh replace "$sub.2" lladdr "02:77:00:00:$vni:02" dev vx0 nud permanent
    ip -n "$NS_S" neigh replace "$sub.1" lladdr "02:77:00:00:$vni:01" dev vx0 nud permanent
    nsx "$NS_C" ping -q -c 1 -W 2 "$sub.2" >/dev/null
    start_capture "$NS_S" "$IF_S" "$f"
    tcp_conversation "$NS_S" "$NS_C" "$sub.2" client-closes
    stop_capture
    ip -n "$NS_C" link del vx0
    ip -n "$NS_S" link del vx0
    # tcpdump prints two lines per tunnelled packet: count with tshark (told the port, which
    # tshark 4.0 decodes as VXLAN on 4789 only).
    local n all
    all=$(tshark -n -r "$OUTDIR/$f" -T fields -e frame.number 2>/dev/null | wc -l)
    n=$(tshark -n -r "$OUTDIR/$f" -d "udp.port==$dport,vxlan" \
        -Y "udp.dstport == $dport && vxlan.vni == $vni && tcp.port == 8888" -T fields \
        -e frame.number 2>/dev/null | wc -l)
    ((n >= 8 && n <= 14 && n == all)) ||
        { echo "CHECK FAILED: $f: $n of $all packets are TCP in VNI $vni, expected 8..14" >&2; exit 1; }
}
cap_vxlan_tcp() { vxlan_capture vxlan-tcp.pcap 42 4789; }
# Linux's own default VXLAN port (8472, from before IANA's 4789; `ip link ... type vxlan`
# without dstport still warns and uses it): netprobe dispatches it by default.
cap_vxlan8472_tcp() { vxlan_capture vxlan8472-tcp.pcap 43 8472; }

# Tunnels this kernel has no driver for (GRE, GRETAP, ERSPAN, Geneve, IPIP, 6in4, 4in6,
# MPLS, PPPoE): encap.py wraps the real session of an earlier capture in each, with correct
# outer lengths and checksums. Checked: tshark decodes every frame as the inner TCP of the
# session with no expert warning or error, and the frame count is the inner capture's.
encap_capture() {
    local kind=$1 inner=$2 f=$3 per=${4:-1} n want ws
    [[ -s $OUTDIR/$inner ]] || { echo "CHECK FAILED: $f needs $inner first" >&2; exit 1; }
    "$PY" "$SCRIPT_DIR/encap.py" "$kind" "$OUTDIR/$inner" "$OUTDIR/$f"
    want=$(($(tshark -n -r "$OUTDIR/$inner" -T fields -e frame.number 2>/dev/null | wc -l) * per))
    n=$(tshark -n -r "$OUTDIR/$f" -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == want)) || { echo "CHECK FAILED: $f: $n frames, expected $want" >&2; exit 1; }
    ws=$(tshark -n -r "$OUTDIR/$f" -q -z expert,warn 2>/dev/null | grep -cE '^ +[0-9]+ ' || true)
    ((ws == 0)) || { echo "CHECK FAILED: $f: tshark reports $ws expert warnings" >&2; exit 1; }
    n=$(tshark -n -r "$OUTDIR/$f" -Y "tcp.port == $PORT" -T fields -e frame.number 2>/dev/null | wc -l)
    ((n > 0)) || { echo "CHECK FAILED: $f: tshark finds no inner TCP on port $PORT" >&2; exit 1; }
}
cap_gre_tcp() { encap_capture gre tcp-handshake-data-teardown.pcap gre-tcp.pcap; }
cap_gre_csum_tcp() { encap_capture gre-csum tcp-handshake-data-teardown.pcap gre-csum-tcp.pcap; }
cap_gretap_tcp() { encap_capture gretap tcp-handshake-data-teardown.pcap gretap-tcp.pcap; }
cap_erspan2_tcp() { encap_capture erspan2 tcp-handshake-data-teardown.pcap erspan2-tcp.pcap; }
cap_geneve_tcp() { encap_capture geneve tcp-handshake-data-teardown.pcap geneve-tcp.pcap; }
cap_ipip_tcp() { encap_capture ipip tcp-handshake-data-teardown.pcap ipip-tcp.pcap; }
cap_6in4_tcp() { encap_capture 6in4 tcp-ipv6.pcap 6in4-tcp.pcap; }
cap_4in6_tcp() { encap_capture 4in6 tcp-handshake-data-teardown.pcap 4in6-tcp.pcap; }
cap_mpls_tcp() { encap_capture mpls tcp-handshake-data-teardown.pcap mpls-tcp.pcap; }
cap_pppoe_tcp() { encap_capture pppoe tcp-handshake-data-teardown.pcap pppoe-tcp.pcap; }
# Teredo (RFC 4380) of tcp-ipv6.pcap, with the indications of each side's first datagram
# (tshark reads them: teredo.auth.nonce on the first two, teredo.orig.addr on the second).
cap_teredo_tcp() {
    encap_capture teredo tcp-ipv6.pcap teredo-tcp.pcap
    local n
    n=$(tshark -n -r "$OUTDIR/teredo-tcp.pcap" -Y 'teredo.auth.nonce == 01:02:03:04:05:06:07:08' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 2)) || { echo "CHECK FAILED: teredo-tcp.pcap: $n authentication indications, expected 2" >&2; exit 1; }
    n=$(tshark -n -r "$OUTDIR/teredo-tcp.pcap" -Y 'teredo.orig.addr == 10.77.200.1 && teredo.orig.port == 40001' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 1)) || { echo "CHECK FAILED: teredo-tcp.pcap: $n origin indications, expected 1" >&2; exit 1; }
}
# MACsec (802.1AE) of the first session: integrity-only (tshark decodes the IPv4 inside, so
# encap_capture's checks apply) and encrypted (GCM-AES-128; tshark shows "MACsec frame" with
# no IPv4: checked apart).
cap_macsec_tcp() { encap_capture macsec tcp-handshake-data-teardown.pcap macsec-tcp.pcap; }
cap_macsec_enc_tcp() {
    local f=macsec-enc-tcp.pcap n
    "$PY" "$SCRIPT_DIR/encap.py" macsec-enc "$OUTDIR/tcp-handshake-data-teardown.pcap" "$OUTDIR/$f"
    n=$(tshark -n -r "$OUTDIR/$f" -Y 'macsec.TCI.E == 1 && macsec.TCI.C == 1 && !ip && !_ws.malformed' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 10)) || { echo "CHECK FAILED: $f: $n encrypted MACsec frames, expected 10" >&2; exit 1; }
}
cap_gre_two_keys_tcp() {
    encap_capture gre-two-keys tcp-handshake-data-teardown.pcap gre-two-keys-tcp.pcap 2
}
# The tutorial's TCP and UDP exchange under GRE keys 1 and 2: follow keeps each 5-tuple's two
# tunnels apart, UDP as well as TCP (two conversations of each).
cap_gre_two_keys_dog() {
    encap_capture gre-two-keys tutorial-dog.pcap gre-two-keys-dog.pcap 2
    local n
    n=$(tshark -n -r "$OUTDIR/gre-two-keys-dog.pcap" -Y "gre.key == 2 && udp.port == $PORT" \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 2)) || { echo "CHECK FAILED: gre-two-keys-dog.pcap: $n UDP datagrams under key 2, expected 2" >&2; exit 1; }
}

# The transfer of tcp-loss-retransmit (204800 bytes from the server, a 10 ms round trip, drops
# after the capture point) with every byte captured (no snaplen), and another drop pattern
# (every 16th full-sized segment from the 5th): the payload views and a reassembler have the
# whole stream, with its retransmissions, to compare against tshark's follow.
cap_tcp_loss_transfer() {
    local f=tcp-loss-transfer.pcap try drop delay hd dropped n_re n_dup
    drop=(PREROUTING -i "$IF_C" -p tcp --sport "$PORT" -m length --length 1000:65535
        -m statistic --mode nth --every 16 --packet 5 -j DROP)
    delay=(INPUT -i "$IF_C" -p tcp --sport "$PORT" -j NFQUEUE --queue-num 0 --queue-bypass)
    for ((try = 1; try <= 5; try++)); do
        rm -f "$WORK"/dl-*
        nsx "$NS_C" iptables -t raw -A "${drop[@]}"
        nsx "$NS_C" iptables -A "${delay[@]}"
        spawn 60 "$NS_C" "$PY" "$WORK/nfq-delay.py" 0 10 "$WORK/dl-c-ready" "$WORK/dl-stop" 55
        hd=$BG_PID
        wait_file "$WORK/dl-c-ready" "delay line (client)"
        start_capture "$NS_S" "$IF_S" $f
        xconversation bulk
        sleep 0.1                      # the last ACK may still be in the delay line
        touch "$WORK/dl-stop"
        reap "$hd" "delay line (client)"
        stop_capture
        dropped=$(nsx "$NS_C" iptables -t raw -L PREROUTING -n -v -x | awk '$3 == "DROP" { print $1 }')
        nsx "$NS_C" iptables -t raw -D "${drop[@]}"
        nsx "$NS_C" iptables -D "${delay[@]}"
        n_re=$(ts_count $f tcp.analysis.retransmission)
        n_dup=$(ts_count $f tcp.analysis.duplicate_ack)
        echo "  dropped $dropped; retransmissions $n_re, duplicate ACKs $n_dup"
        ((n_re > 0 && n_dup > 0)) && break
        ((try < 5)) || { echo "CHECK FAILED: $f: no retransmission or duplicate ACK" >&2; exit 1; }
        echo "  again ($((try + 1))/5)"
    done
    only_port $f
    expect $f 2 2 "$SYN"
    expect $f 2 2 "$FIN"
    expect $f 0 0 'tcp[tcpflags] & tcp-rst != 0'
    # Every byte is there: tshark's reassembled server stream is the 204800 bytes sent.
    local got
    got=$(tshark -n -r "$OUTDIR/$f" -q -z follow,tcp,raw,0 2>/dev/null |
        awk '/^\t/ { gsub(/\t/, ""); printf "%s", $0 }' | xxd -r -p | wc -c)
    ((got == 204800)) || { echo "CHECK FAILED: $f: tshark follows $got server bytes, expected 204800" >&2; exit 1; }
    expect_size $f 400000
}

# A reset with data in flight: the client sends 64 KB, the server reads 8 KB and closes with
# the rest unread, so Linux sends a RST (RFC 9293 s3.10.4) instead of a FIN. The server's
# INPUT delays the client's segments 10 ms after the capture point (the NFQUEUE delay line),
# so segments the capture saw were not yet acknowledged when the RST left: what the reset
# event's "unacknowledged" counts. Snaplen 128 keeps the file small.
cap_tcp_reset_unread() {
    local f=tcp-reset-unread.pcap delay hd ack top
    delay=(INPUT -i "$IF_S" -p tcp --dport "$PORT" -j NFQUEUE --queue-num 0 --queue-bypass)
    rm -f "$WORK"/dl-*
    nsx "$NS_S" iptables -A "${delay[@]}"
    spawn 30 "$NS_S" "$PY" "$WORK/nfq-delay.py" 0 10 "$WORK/dl-s-ready" "$WORK/dl-stop" 25
    hd=$BG_PID
    wait_file "$WORK/dl-s-ready" "delay line (server)"
    start_capture "$NS_S" "$IF_S" $f -s 128
    xconversation unread
    sleep 0.1
    touch "$WORK/dl-stop"
    reap "$hd" "delay line (server)"
    stop_capture
    nsx "$NS_S" iptables -D "${delay[@]}"
    only_port $f
    expect $f 2 2 "$SYN"
    expect $f 0 0 "$FIN"
    first_from $f "$V4_S" 'tcp[tcpflags] & tcp-rst != 0'
    # The first RST acknowledges less than the client had sent before it.
    ack=$(tshark -n -r "$OUTDIR/$f" -Y 'tcp.flags.reset == 1' -T fields -e tcp.ack_raw 2>/dev/null | head -1)
    top=$(tshark -n -r "$OUTDIR/$f" -Y "tcp.dstport == $PORT && tcp.len > 0 && frame.number < \
        $(tshark -n -r "$OUTDIR/$f" -Y 'tcp.flags.reset == 1' -T fields -e frame.number 2>/dev/null | head -1)" \
        -T fields -e tcp.nxtseq -o tcp.relative_sequence_numbers:FALSE 2>/dev/null | sort -n | tail -1)
    ((ack > 0 && top > ack)) ||
        { echo "CHECK FAILED: $f: the RST acknowledges $ack, the client had sent up to $top" >&2; exit 1; }
    expect_size $f 40000
}

# NFLOG (DLT_NFLOG): the client namespace's netfilter logs what it sends to and receives from
# the server (OUTPUT and INPUT, group 5) and tcpdump reads the log group (`-i nflog:5`): a ping
# and the conversation of the first file, each packet seen once, with its hook.
cap_nflog() {
    local f=nflog.pcap n
    nsx "$NS_C" iptables -A OUTPUT -d "$V4_S" -j NFLOG --nflog-group 5
    nsx "$NS_C" iptables -A INPUT -s "$V4_S" -j NFLOG --nflog-group 5
    start_capture "$NS_C" nflog:5 $f
    nsx "$NS_C" ping -q -c 1 -W 2 "$V4_S" >/dev/null
    tcp_conversation "$NS_S" "$NS_C" "$V4_S" client-closes
    stop_capture
    nsx "$NS_C" iptables -D OUTPUT -d "$V4_S" -j NFLOG --nflog-group 5
    nsx "$NS_C" iptables -D INPUT -s "$V4_S" -j NFLOG --nflog-group 5
    [[ $(capinfos -T -E "$OUTDIR/$f" 2>/dev/null | tail -1 | cut -f2) == nflog ]] ||
        { echo "CHECK FAILED: $f: not an NFLOG capture" >&2; exit 1; }
    n=$(tshark -n -r "$OUTDIR/$f" -Y "tcp.port == $PORT && nflog" -T fields -e frame.number \
        2>/dev/null | wc -l)
    ((n >= 8 && n <= 14)) || { echo "CHECK FAILED: $f: $n TCP packets, expected 8..14" >&2; exit 1; }
    n=$(tshark -n -r "$OUTDIR/$f" -Y icmp -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 2)) || { echo "CHECK FAILED: $f: $n ICMP packets, expected 2" >&2; exit 1; }
}

# Link types no interface here has (PPP, Cisco HDLC, 802.11 with radiotap or PPI, FDDI):
# linkwrap.py writes the real session of the first file behind each link header (plus the
# link's own frames: LCP echo, SLARP, beacon and acknowledgements). Checked: tshark decodes
# every frame with no expert warning or error and finds the session's TCP packets.
link_capture() {
    local kind=$1 f=$2 inner=tcp-handshake-data-teardown.pcap n want ws
    [[ -s $OUTDIR/$inner ]] || { echo "CHECK FAILED: $f needs $inner first" >&2; exit 1; }
    "$PY" "$SCRIPT_DIR/linkwrap.py" "$kind" "$OUTDIR/$inner" "$OUTDIR/$f"
    ws=$(tshark -n -r "$OUTDIR/$f" -q -z expert,warn 2>/dev/null | grep -cE '^ +[0-9]+ ' || true)
    ((ws == 0)) || { echo "CHECK FAILED: $f: tshark reports $ws expert warnings" >&2; exit 1; }
    want=$(tshark -n -r "$OUTDIR/$inner" -Y tcp -T fields -e frame.number 2>/dev/null | wc -l)
    n=$(tshark -n -r "$OUTDIR/$f" -Y "tcp.port == $PORT" -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == want)) || { echo "CHECK FAILED: $f: $n TCP packets, expected $want" >&2; exit 1; }
}
cap_ppp_tcp() { link_capture ppp ppp-tcp.pcap; }
cap_ppp_serial_tcp() { link_capture ppp-serial ppp-serial-tcp.pcap; }
cap_chdlc_tcp() { link_capture chdlc chdlc-tcp.pcap; }
cap_wlan_tcp() { link_capture wlan wlan-tcp.pcap; }
cap_radiotap_tcp() { link_capture radiotap radiotap-tcp.pcap; }
cap_ppi_tcp() { link_capture ppi ppi-tcp.pcap; }
cap_fddi_tcp() { link_capture fddi fddi-tcp.pcap; }

# The tracker's corner cases (issue 14), synthetic: track-cases.py writes track-two-isns,
# track-bad-synack, track-no-syn and track-lone-rst.pcap (its docstring says what each holds).
# Checked: tshark reads every frame as TCP on the port, with no malformed frame.
cap_track_cases() {
    local f n all
    "$PY" "$SCRIPT_DIR/track-cases.py" "$OUTDIR"
    for f in track-two-isns track-bad-synack track-no-syn track-lone-rst; do
        all=$(tshark -n -r "$OUTDIR/$f.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
        n=$(tshark -n -r "$OUTDIR/$f.pcap" -Y "tcp.port == $PORT && !_ws.malformed && !_ws.expert.severity == error" \
            -T fields -e frame.number 2>/dev/null | wc -l)
        ((n == all && n > 0)) || { echo "CHECK FAILED: $f.pcap: $n of $all frames clean TCP" >&2; exit 1; }
    done
}

# One inner target in four VXLAN segments (flood-tunnels.py's docstring): the SYN-flood
# detector keys a target by its tunnel. Checked: tshark reads every frame as VXLAN with its
# VNI and the inner TCP to or from port 80, checksums verified (0 bad, 1 good), no malformed frame, and no
# expert warning but the four refusals' "Connection reset".
cap_vxlan_flood_vnis() {
    local f=vxlan-flood-vnis.pcap n vni want
    "$PY" "$SCRIPT_DIR/flood-tunnels.py" "$OUTDIR/$f"
    for vni in 1:40 2:10 3:8 4:8; do
        want=${vni#*:}
        n=$(tshark -n -r "$OUTDIR/$f" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
            -Y "vxlan.vni == ${vni%%:*} && tcp.port == 80 && !_ws.malformed && ip.checksum.status == 1 && udp.checksum.status == 1 && tcp.checksum.status == 1 && !(ip.checksum.status == 0)" \
            -T fields -e frame.number 2>/dev/null | wc -l)
        ((n == want)) || { echo "CHECK FAILED: $f: $n clean frames in VNI ${vni%%:*}, expected $want" >&2; exit 1; }
    done
    n=$(tshark -n -r "$OUTDIR/$f" -Y "_ws.expert.severity >= warning && !(tcp.flags.reset == 1)" \
        -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == 0)) || { echo "CHECK FAILED: $f: $n frames with a warning" >&2; exit 1; }
}

# The tutorial's exchange on port 8888: over TCP the server greets ("Welcome!"), the client
# says "dog", the server answers "Hello, dog!", the client closes first; then over UDP "dog"
# and "Hello, dog!" (issue 13: what -A, -X, --payload and the ladder show). IPv4 on the veth.
cap_tutorial_dog() {
    local f=tutorial-dog.pcap spid
    rm -f "$WORK/ready"
    start_capture "$NS_S" "$IF_S" $f
    spawn 15 "$NS_S" "$PY" "$WORK/peer.py" dogserver "$V4_S" "$PORT" "$WORK/ready"
    spid=$BG_PID
    wait_file "$WORK/ready" "tutorial server"
    timeout 15 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" dogclient "$V4_S" "$PORT"
    reap "$spid" "tutorial server"
    stop_capture
    expect $f 2 2 "$SYN"
    expect $f 2 2 "$FIN"
    expect $f 2 2 "udp port $PORT"
    first_fin_from $f "$V4_C"
    local all
    all=$(tcpdump -n -r "$OUTDIR/$f" 2>/dev/null | wc -l)
    expect $f "$all" "$all" port "$PORT"
    # Each message is one segment or datagram, with exactly its bytes (tshark's own view).
    local got
    got=$(tshark -n -r "$OUTDIR/$f" -Y 'tcp.len > 0 or udp' -T fields -e tcp.payload \
        -e udp.payload 2>/dev/null | tr -d '\t' | tr '\n' ' ')
    [[ $got == "57656c636f6d6521 646f67 48656c6c6f2c20646f6721 646f67 48656c6c6f2c20646f6721 " ]] ||
        { echo "CHECK FAILED: $f: payloads are '$got'" >&2; exit 1; }
}

# --- main -----------------------------------------------------------------------
echo "recording captures into $OUTDIR"
for name in "${ALL_CAPTURES[@]}"; do
    want "$name" || continue
    case $name in
        tcp-ipv6 | icmp6-ping | csum-offload-veth) ((IPV6_READY)) || ipv6_phase ;;
        tcp-simultaneous-close | tcp-reset-midstream | tcp-loss-retransmit | \
            tcp-midstream-start | syn-flood-hping3 | tcp-loss-transfer) ((LATER_READY)) || later_phase ;;
    esac
    "cap_${name//-/_}"
done

echo "done; captures are in $OUTDIR"
