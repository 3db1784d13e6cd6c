#!/usr/bin/env bash
# make-seg-pcaps.sh - record app-segments.pcap: DNS over TCP, HTTP/1.1 and TLS messages that
# span TCP segments (REAL traffic over a veth pair whose MTU is 296 bytes: MSS 256), for the
# reassembly of application messages (src/track/apppdu.c).
#
# Usage: bash pcaps/make-seg-pcaps.sh [OUTDIR]      (OUTDIR defaults to this directory)
#
# The namespaces np-sg-<PID>-c (client, 10.77.2.1) and np-sg-<PID>-s (server, 10.77.2.2) are
# joined by one veth pair with both ends inside them; no default route, no host-side
# interface, TX checksum offload off (every checksum in the files is real). The servers are
# apppeer.py (DNS on UDP and TCP 53; HTTP on 80) and `openssl s_server` (TLS on 443); the
# clients dig, curl and `openssl s_client`. Every process is bounded by timeout and killed by
# its PID on exit; a trap deletes the namespaces. Must run as root.
# Needs: iproute2, tcpdump, ethtool, timeout, python3, dig, curl, openssl, tshark.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETNS_TAG=sg NETNS_ETHTOOL="tx off tso off gso off gro off" NETNS_MTU=296
# shellcheck source=pcaps/lib-netns.sh
. "$SCRIPT_DIR/lib-netns.sh"

# --- app-segments.pcap ---------------------------------------------------------------------
echo "recording into $OUTDIR"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=www.example.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
start_capture app-segments.pcap
# A DNS answer of 3 TXT strings of 200 bytes, over TCP: one message, 3 segments.
spawn 30 "$PY" "$SCRIPT_DIR/apppeer.py" dns $V4_S "$WORK/dns.ready"
DNS_PID=$BG_PID
wait_file "$WORK/dns.ready" "DNS responder"
client dig @$V4_S +tries=1 +time=2 +nocookie +tcp big.example.test TXT >/dev/null
kill -TERM "$DNS_PID" 2>/dev/null || true
wait "$DNS_PID" 2>/dev/null || true
# A GET whose headers take 3 segments, answered by a page of 736 bytes (3 segments); a POST
# whose 600-byte body follows its headers.
spawn 30 "$PY" "$SCRIPT_DIR/apppeer.py" http $V4_S 80 "$WORK/http.ready"
HTTP_PID=$BG_PID
wait_file "$WORK/http.ready" "HTTP server"
PAD=$(printf 'p%.0s' $(seq 1 500))
client curl -sS -o /dev/null -H "X-Pad: $PAD" http://$V4_S/big
client curl -sS -o /dev/null -d "name=$(printf 'd%.0s' $(seq 1 600))" http://$V4_S/submit
kill -TERM "$HTTP_PID" 2>/dev/null || true
wait "$HTTP_PID" 2>/dev/null || true
# TLS 1.2 (the certificate flight spans segments) and TLS 1.3 (the ClientHello with its padding).
tls_handshakes
stop_capture
check app-segments.pcap 1 "dns.flags.response == 1 && tcp"
check app-segments.pcap 2 "http.request"
check app-segments.pcap 2 "http.response"
check app-segments.pcap 2 "tls.handshake.type == 1"
check app-segments.pcap 2 "tls.handshake.type == 2"
echo "done"
