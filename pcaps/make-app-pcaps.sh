#!/usr/bin/env bash
# make-app-pcaps.sh - record the application-protocol captures (DNS, HTTP/1.1, TLS) of REAL
# traffic for netprobe's tests, in two throw-away network namespaces.
#
# Usage: bash pcaps/make-app-pcaps.sh [OUTDIR]      (OUTDIR defaults to this directory)
#
# The namespaces np-ap-<PID>-c (client, 10.77.2.1) and np-ap-<PID>-s (server, 10.77.2.2) are
# joined by one veth pair with both ends inside them; no default route, no host-side
# interface, TX checksum offload off (every checksum in the files is real). The servers are
# apppeer.py (DNS on UDP and TCP 53; HTTP on 80) and `openssl s_server` (TLS on 443); the
# clients dig, curl and `openssl s_client`. Every process is bounded by timeout and killed by
# its PID on exit; a trap deletes the namespaces. Must run as root.
# Needs: iproute2, tcpdump, ethtool, timeout, python3, dig, curl, openssl, tshark.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${1:-$SCRIPT_DIR}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
for cmd in ip tcpdump ethtool timeout dig curl openssl tshark; do
    command -v "$cmd" >/dev/null || { echo "missing command: $cmd" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "must run as root (network namespaces)" >&2; exit 1; }
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)

NS_C="np-ap-$$-c" NS_S="np-ap-$$-s"
V4_C=10.77.2.1 V4_S=10.77.2.2
WORK=$(mktemp -d /tmp/np-app-pcaps.XXXXXX)
PIDS=()

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ip netns add "$NS_C"
ip netns add "$NS_S"
ip -n "$NS_C" link add veth-c address 02:77:00:00:02:01 type veth peer name veth-s \
    netns "$NS_S" address 02:77:00:00:02:02
for side in "$NS_C:veth-c:$V4_C" "$NS_S:veth-s:$V4_S"; do
    IFS=: read -r ns ifc addr <<<"$side"
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    nsx "$ns" ip link set lo up
    nsx "$ns" ip addr add "$addr/24" dev "$ifc"
    nsx "$ns" ip link set "$ifc" up
    nsx "$ns" ethtool -K "$ifc" tx off >/dev/null
done
ip -n "$NS_C" neigh replace $V4_S lladdr 02:77:00:00:02:02 dev veth-c nud permanent
ip -n "$NS_S" neigh replace $V4_C lladdr 02:77:00:00:02:01 dev veth-s nud permanent

CAP_PID="" CAP_NAME=""
start_capture() {
    CAP_NAME=$1
    timeout 60 ip netns exec "$NS_S" tcpdump -n -U --immediate-mode -Z root -i veth-s \
        -w "$WORK/$CAP_NAME" 2>"$WORK/$CAP_NAME.log" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    for ((i = 0; i < 100; i++)); do
        grep -q "listening on" "$WORK/$CAP_NAME.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "tcpdump for $CAP_NAME did not start" >&2
    exit 1
}
stop_capture() {
    sleep 0.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    mv -f "$WORK/$CAP_NAME" "$OUTDIR/$CAP_NAME"
    echo "  $CAP_NAME: $(grep -Eo '[0-9]+ packets? captured' "$WORK/$CAP_NAME.log")"
}
# spawn SECONDS CMD...: a server in the server namespace; its PID in BG_PID.
spawn() {
    local t=$1
    shift
    timeout "$t" ip netns exec "$NS_S" "$@" &
    BG_PID=$!
    PIDS+=("$BG_PID")
}
wait_file() {
    for ((i = 0; i < 100; i++)); do [[ -e $1 ]] && return 0; sleep 0.05; done
    echo "$2 did not come up" >&2
    exit 1
}
# check FILE N FILTER: tshark must find exactly N frames matching FILTER.
check() {
    local n
    n=$(tshark -n -r "$OUTDIR/$1" -Y "$3" -T fields -e frame.number 2>/dev/null | wc -l)
    ((n == $2)) || { echo "CHECK FAILED: $1: $n frames match '$3', expected $2" >&2; exit 1; }
}
client() { timeout 10 ip netns exec "$NS_C" "$@"; }

# --- dns.pcap: A, AAAA, CNAME, MX, TXT, SRV, PTR, NS, NXDOMAIN over UDP; A over TCP ---------
echo "recording into $OUTDIR"
start_capture dns.pcap
spawn 30 "$PY" "$SCRIPT_DIR/apppeer.py" dns $V4_S "$WORK/dns.ready"
DNS_PID=$BG_PID
wait_file "$WORK/dns.ready" "DNS responder"
D=(dig @$V4_S +tries=1 +time=2 +nocookie)
client "${D[@]}" www.example.test A >/dev/null
client "${D[@]}" www.example.test AAAA >/dev/null
client "${D[@]}" +noedns alias.example.test A >/dev/null
client "${D[@]}" nx.example.test A >/dev/null
client "${D[@]}" example.test MX >/dev/null
client "${D[@]}" example.test TXT >/dev/null
client "${D[@]}" _http._tcp.example.test SRV >/dev/null
client "${D[@]}" -x 10.77.0.5 >/dev/null
client "${D[@]}" example.test NS >/dev/null
client "${D[@]}" +tcp www.example.test A >/dev/null
stop_capture
kill -TERM "$DNS_PID" 2>/dev/null || true
wait "$DNS_PID" 2>/dev/null || true
check dns.pcap 9 "dns.flags.response == 0 && udp"
check dns.pcap 9 "dns.flags.response == 1 && udp"
check dns.pcap 1 "dns.flags.rcode == 3"
check dns.pcap 2 "dns && tcp"

# --- http.pcap: an HTTP/1.1 GET and a POST (curl) on port 80 -------------------------------
start_capture http.pcap
spawn 30 "$PY" "$SCRIPT_DIR/apppeer.py" http $V4_S 80 "$WORK/http.ready"
HTTP_PID=$BG_PID
wait_file "$WORK/http.ready" "HTTP server"
client curl -sS -o /dev/null http://$V4_S/index.html
client curl -sS -o /dev/null -H 'Host: www.example.test' -d 'name=dog' http://$V4_S/submit
stop_capture
kill -TERM "$HTTP_PID" 2>/dev/null || true
wait "$HTTP_PID" 2>/dev/null || true
check http.pcap 2 "http.request"
check http.pcap 2 "http.response"

# --- tls.pcap: TLS 1.2 then TLS 1.3 handshakes with SNI and ALPN (openssl) -----------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=www.example.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
start_capture tls.pcap
for v in tls1_2 tls1_3; do
    spawn 20 openssl s_server -accept $V4_S:443 -key "$WORK/key.pem" -cert "$WORK/cert.pem" \
        -naccept 1 -alpn http/1.1 -quiet
    TLS_PID=$BG_PID
    for ((i = 0; i < 100; i++)); do
        nsx "$NS_S" ss -ltn | grep -q ":443 " && break
        sleep 0.05
    done
    echo hello | client openssl s_client -connect $V4_S:443 -servername www.example.test \
        -alpn h2,http/1.1 -$v >/dev/null 2>&1 || true
    wait "$TLS_PID" 2>/dev/null || true
done
stop_capture
check tls.pcap 2 "tls.handshake.type == 1"
check tls.pcap 2 "tls.handshake.type == 2"
check tls.pcap 2 'tls.handshake.extensions_server_name == "www.example.test"'
# --- dns-svcb.pcap: HTTPS and SVCB answers (RFC 9460) over UDP, one over TCP ----------------
start_capture dns-svcb.pcap
spawn 30 "$PY" "$SCRIPT_DIR/apppeer.py" dns $V4_S "$WORK/svcb.ready"
DNS_PID=$BG_PID
wait_file "$WORK/svcb.ready" "DNS responder"
client "${D[@]}" example.test HTTPS >/dev/null
client "${D[@]}" www.example.test HTTPS >/dev/null
client "${D[@]}" _dns.example.test SVCB >/dev/null
client "${D[@]}" nx.example.test HTTPS >/dev/null
client "${D[@]}" +tcp example.test HTTPS >/dev/null
stop_capture
kill -TERM "$DNS_PID" 2>/dev/null || true
wait "$DNS_PID" 2>/dev/null || true
check dns-svcb.pcap 3 "dns.resp.type == 65 && dns.flags.response == 1"
check dns-svcb.pcap 1 "dns.resp.type == 64 && dns.flags.response == 1"
check dns-svcb.pcap 2 "dns.svcb.svcparam.alpn == \"h3\""
check dns-svcb.pcap 0 "_ws.expert.severity >= 6291456"

# --- dns-tcp-multi.pcap: two, then three DNS queries in one TCP segment, answered in one ---
start_capture dns-tcp-multi.pcap
spawn 30 "$PY" "$SCRIPT_DIR/apppeer.py" dns $V4_S "$WORK/multi.ready"
DNS_PID=$BG_PID
wait_file "$WORK/multi.ready" "DNS responder"
client "$PY" "$SCRIPT_DIR/apppeer.py" dns-pipelined $V4_S www.example.test:1 www.example.test:28
client "$PY" "$SCRIPT_DIR/apppeer.py" dns-pipelined $V4_S example.test:65 nx.example.test:1 \
    example.test:15
stop_capture
kill -TERM "$DNS_PID" 2>/dev/null || true
wait "$DNS_PID" 2>/dev/null || true
check dns-tcp-multi.pcap 2 "dns.flags.response == 0 && dns.count.queries == 1"
check dns-tcp-multi.pcap 1 "dns.id == 0x5102 && dns.id == 0x5100 && dns.flags.response == 0"
check dns-tcp-multi.pcap 1 "dns.id == 0x5102 && dns.flags.rcode == 3 && dns.mx.mail_exchange"
check dns-tcp-multi.pcap 0 "_ws.expert.severity >= 6291456"
echo "done"
