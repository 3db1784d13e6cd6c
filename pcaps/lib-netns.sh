# shellcheck shell=bash
# lib-netns.sh - sourced by make-app-pcaps.sh and make-seg-pcaps.sh: two throw-away network
# namespaces, np-<TAG>-<PID>-c (client, 10.77.2.1) and np-<TAG>-<PID>-s (server, 10.77.2.2),
# joined by one veth pair with both ends inside them (no default route, no host-side
# interface, IPv6 off, static neighbours, TX checksum offload off: every checksum in the files
# is real); a trap that kills every process started (by PID) and deletes the namespaces; and
# the helpers the recordings use (start_capture/stop_capture with tcpdump on the server side,
# spawn a server, wait_file, client, check a file with tshark).
#
# The caller sets, before sourcing: SCRIPT_DIR, NETNS_TAG (the namespaces' and the work
# directory's tag), NETNS_ETHTOOL (the `ethtool -K` offloads to turn off on each end), and
# NETNS_MTU (empty: the veth default); OUTDIR is the script's first argument (default: SCRIPT_DIR).
# Must run as root.
# Needs: iproute2, tcpdump, ethtool, timeout, python3, dig, curl, openssl, tshark.
OUTDIR=${1:-$SCRIPT_DIR}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
for cmd in ip tcpdump ethtool timeout dig curl openssl tshark; do
    command -v "$cmd" >/dev/null || { echo "missing command: $cmd" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "must run as root (network namespaces)" >&2; exit 1; }
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(command -v python3)

NS_C="np-$NETNS_TAG-$$-c" NS_S="np-$NETNS_TAG-$$-s"
V4_C=10.77.2.1 V4_S=10.77.2.2
WORK=$(mktemp -d "/tmp/np-$NETNS_TAG-pcaps.XXXXXX")
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
    # shellcheck disable=SC2086 # the offloads are words
    nsx "$ns" ethtool -K "$ifc" $NETNS_ETHTOOL >/dev/null
    [[ -z ${NETNS_MTU:-} ]] || nsx "$ns" ip link set "$ifc" mtu "$NETNS_MTU"
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

# tls_handshakes: a TLS 1.2 and a TLS 1.3 handshake (s_client offers h2 and http/1.1 by ALPN,
# the server picks http/1.1), each to a fresh `openssl s_server` on 443 with $WORK/key.pem and
# $WORK/cert.pem, each carrying "hello".
tls_handshakes() {
    local v i
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
}
