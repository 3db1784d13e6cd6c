#!/usr/bin/env bash
# make-pcaps.sh - record small captures of REAL traffic for netprobe's tests.
#
# Usage: bash pcaps/make-pcaps.sh [OUTDIR]     (OUTDIR defaults to this script's directory)
#
# Everything happens inside two throw-away network namespaces created here
# (np-pc-<PID>-c = client, np-pc-<PID>-s = server) joined by one veth pair whose
# two ends both live in those namespaces, plus loopback inside the client one.
# No traffic ever leaves them: no default route, no host-side interface.
# Must run as root.  Re-running overwrites the captures in OUTDIR.
# Needs: iproute2, tcpdump, ethtool, coreutils timeout, ping, python3.
# Each capture is sanity-checked with `tcpdump -r` right after recording (packet
# counts, SYN/FIN/RST, ICMP types, link type); any mismatch fails the run.
# See README.md next to this script for what each capture contains.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${1:-$SCRIPT_DIR}
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

for cmd in ip tcpdump ethtool timeout ping "$PY"; do
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

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "server":
    server(args[0], int(args[1]), args[2], args[3])
elif cmd == "client":
    client(args[0], int(args[1]), args[2])
elif cmd == "refused":
    refused(args[0], int(args[1]))
elif cmd == "udp":
    udp(args[0], int(args[1]))
else:
    sys.exit("unknown command " + cmd)
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

# --- IPv4 captures on the server-side veth -----------------------------------
echo "recording IPv4 captures into $OUTDIR"

# 1. Full connection: handshake, one line each way, client FIN first, server FIN.
start_capture "$NS_S" "$IF_S" tcp-handshake-data-teardown.pcap
tcp_conversation "$NS_S" "$NS_C" "$V4_S" client-closes
stop_capture
expect tcp-handshake-data-teardown.pcap 8 14
expect tcp-handshake-data-teardown.pcap 2 2 "$SYN"
expect tcp-handshake-data-teardown.pcap 2 2 "$FIN"
first_fin_from tcp-handshake-data-teardown.pcap "$V4_C"

# 2. SYN to a closed port -> RST/ACK.
start_capture "$NS_S" "$IF_S" tcp-refused.pcap
timeout 10 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" refused "$V4_S" "$CLOSED_PORT"
stop_capture
expect tcp-refused.pcap 2 2
expect tcp-refused.pcap 1 1 'tcp[tcpflags] & tcp-rst != 0'

# 3. Server answers, then closes first; the client closes after seeing EOF.
start_capture "$NS_S" "$IF_S" tcp-server-closes-first.pcap
tcp_conversation "$NS_S" "$NS_C" "$V4_S" server-closes
stop_capture
expect tcp-server-closes-first.pcap 8 14
expect tcp-server-closes-first.pcap 2 2 "$FIN"
first_fin_from tcp-server-closes-first.pcap "$V4_S"

# 4. Three ICMP echo request/reply pairs.
start_capture "$NS_S" "$IF_S" icmp-ping.pcap
timeout 10 ip netns exec "$NS_C" ping -q -c 3 -i 0.2 -W 2 "$V4_S" >/dev/null
stop_capture
expect icmp-ping.pcap 6 6
expect icmp-ping.pcap 3 3 'icmp[icmptype] == icmp-echoreply'

# 5. One UDP datagram to a closed port -> ICMP port unreachable.
start_capture "$NS_S" "$IF_S" udp-port-unreachable.pcap
timeout 10 ip netns exec "$NS_C" "$PY" "$WORK/peer.py" udp "$V4_S" "$CLOSED_PORT"
stop_capture
expect udp-port-unreachable.pcap 2 2
expect udp-port-unreachable.pcap 1 1 'icmp[icmptype] == icmp-unreach'

# 6. Same conversation as #1, but `-i any` in the client namespace. tcpdump
#    4.99 would pick LINUX_SLL2 for "any" anyway; -y makes it explicit.
start_capture "$NS_C" any tcp-any-sll2.pcap -y LINUX_SLL2
tcp_conversation "$NS_S" "$NS_C" "$V4_S" client-closes
stop_capture
expect tcp-any-sll2.pcap 8 14
expect tcp-any-sll2.pcap 2 2 "$FIN"
# (captured into a variable, not piped to grep -q: that races with pipefail)
hdr=$(tcpdump -r "$OUTDIR/tcp-any-sll2.pcap" -c 1 2>&1 >/dev/null)
[[ $hdr == *"link-type LINUX_SLL2"* ]] ||
    { echo "CHECK FAILED: tcp-any-sll2.pcap: $hdr" >&2; exit 1; }

# 7. Same conversation over loopback inside the client namespace only.
#    Loopback never fills TCP checksums (offloaded), which is kept on purpose.
start_capture "$NS_C" lo tcp-loopback.pcap
tcp_conversation "$NS_C" "$NS_C" 127.0.0.1 client-closes
stop_capture
expect tcp-loopback.pcap 8 14
expect tcp-loopback.pcap 2 2 "$FIN"

# --- IPv6 phase ---------------------------------------------------------------
# Enable IPv6 on the veth ends now, with static addresses (nodad: usable at
# once).  Enabling triggers a few MLD reports; wait for them to pass before
# recording.  No neighbour entries are pre-populated, so #8 shows NS/NA.
for side in "$NS_C:$IF_C:$V6_C" "$NS_S:$IF_S:$V6_S"; do
    IFS=: read -r ns iface addr <<<"$side"
    nsx "$ns" sysctl -qw "net.ipv6.conf.$iface.disable_ipv6=0"
    nsx "$ns" ip -6 addr add "$addr/64" dev "$iface" nodad
done
sleep 3
ip -n "$NS_C" -6 neigh flush dev "$IF_C"
ip -n "$NS_S" -6 neigh flush dev "$IF_S"

# 8. Conversation #1 over IPv6, including the neighbour discovery it triggers.
start_capture "$NS_S" "$IF_S" tcp-ipv6.pcap
tcp_conversation "$NS_S" "$NS_C" "$V6_S" client-closes
stop_capture
expect tcp-ipv6.pcap 10 20
expect tcp-ipv6.pcap 8 14 'ip6 and tcp'
expect tcp-ipv6.pcap 1 4 'icmp6 and ip6[40] == 135'   # neighbour solicitation
expect tcp-ipv6.pcap 1 4 'icmp6 and ip6[40] == 136'   # neighbour advertisement

# Pin the neighbours now so #9 is exactly the echo traffic (no re-probes).
ip -n "$NS_C" -6 neigh replace "$V6_S" lladdr "$MAC_S" dev "$IF_C" nud permanent
ip -n "$NS_S" -6 neigh replace "$V6_C" lladdr "$MAC_C" dev "$IF_S" nud permanent

# 9. Three ICMPv6 echo request/reply pairs.
start_capture "$NS_S" "$IF_S" icmp6-ping.pcap
timeout 10 ip netns exec "$NS_C" ping -6 -q -c 3 -i 0.2 -W 2 "$V6_S" >/dev/null
stop_capture
expect icmp6-ping.pcap 6 6
expect icmp6-ping.pcap 3 3 'icmp6 and ip6[40] == 129'  # echo reply

echo "done; captures are in $OUTDIR"
