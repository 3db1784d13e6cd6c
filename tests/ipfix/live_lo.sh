#!/bin/bash
# live_lo.sh NETPROBE - --ipfix on a live capture, inside the real sandbox after the privilege
# drop (root): nfcapd on a loopback port, a web server on another, `watch -i lo --port P
# --duration 3 --ipfix ... --json=ecs` (with and without -w FILE: the -w worker opens it) while
# curl fetches twice; exit 0, no forbidden system call, and nfdump reads back the two
# conversations with netprobe's packets and bytes each way. Loopback only.
set -u
NP=$1
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the privilege drop)"; exit 77; }
for c in nfcapd nfdump curl python3 ss; do
	command -v $c >/dev/null || { echo "SKIP: no $c"; exit 77; }
done
TMP=$(mktemp -d)
chmod 755 "$TMP"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
freeport() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}
wait_listen() { # proto port
	for _ in $(seq 50); do ss -"$1"ln | grep -q "127.0.0.1:$2 " && return 0; sleep 0.1; done
	return 1
}
fail=0
WEB=$(freeport SOCK_STREAM)
mkdir "$TMP/www" && echo hello >"$TMP/www/index.html"
python3 -m http.server "$WEB" --bind 127.0.0.1 --directory "$TMP/www" >/dev/null 2>&1 &
PIDS+=($!)
wait_listen t "$WEB" || { echo "FAIL: web server"; exit 1; }
for mode in plain write; do
	PORT=$(freeport SOCK_DGRAM)
	rm -rf "$TMP/flows" && mkdir "$TMP/flows"
	nfcapd -b 127.0.0.1 -p "$PORT" -w "$TMP/flows" >"$TMP/nfcapd.log" 2>&1 &
	NF=$!
	wait_listen u "$PORT" || { echo "FAIL: nfcapd"; kill $NF; exit 1; }
	extra=()
	[ $mode = write ] && extra=(-w "$TMP/cap.pcap" --overwrite)
	"$NP" watch -i lo --port "$WEB" --duration 3 --ipfix "127.0.0.1:$PORT" --json=ecs "${extra[@]}" \
		>"$TMP/ecs" 2>"$TMP/err" &
	W=$!
	for _ in $(seq 50); do grep -q watching "$TMP/err" && break; sleep 0.1; done
	sleep 0.3
	curl -s -o /dev/null "http://127.0.0.1:$WEB/" && curl -s -o /dev/null "http://127.0.0.1:$WEB/"
	wait $W
	rc=$?
	sleep 0.3
	kill $NF && wait $NF
	if [ $rc != 0 ] || grep -q "forbidden system call" "$TMP/err"; then
		echo "FAIL $mode: exit $rc: $(cat "$TMP/err")"
		fail=1
		continue
	fi
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["event"]["action"] == "conversation":
        s, t = d["source"], d["destination"]
        print(s["ip"], s["port"], t["ip"], t["port"], s["packets"], s["bytes"], t["packets"], t["bytes"])
' "$TMP/ecs" | sort >"$TMP/want"
	nfdump -R "$TMP/flows" -q -N -o 'fmt:%sa %sp %da %dp %ipkt %ibyt %opkt %obyt' |
		awk 'NF == 8 { $1 = $1; print }' | sort >"$TMP/got"
	if [ "$(wc -l <"$TMP/want")" != 2 ] || ! diff "$TMP/want" "$TMP/got"; then
		echo "FAIL $mode: netprobe's conversations vs nfdump's records:"
		cat "$TMP/want" "$TMP/got"
		fail=1
	else
		echo "ok $mode: 2 conversations, the same in nfdump"
	fi
done
exit $fail
