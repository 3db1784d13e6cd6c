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
NETNS_TAG=ap NETNS_ETHTOOL="tx off" NETNS_MTU=
# shellcheck source=pcaps/lib-netns.sh
. "$SCRIPT_DIR/lib-netns.sh"

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
tls_handshakes
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
