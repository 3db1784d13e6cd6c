#!/usr/bin/env bash
# bench/scan_vs_peers.sh NETPROBE - a 1,000-port SYN probe run (8000-8999 on the target of
# tests/live/netns.sh: 8888 open, 8899 dropped, the rest closed) by netprobe, nping and hping3,
# each at 1,000 probes a second, in the same throw-away namespaces: wall time and probes
# answered. Root; the namespaces are deleted on exit (netns.sh's trap).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/live/netns.sh"
NP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
lt_need_root scan-bench
lt_setup || exit 1
t() { # LABEL CMD... : wall seconds into $LT_WORK/LABEL.time, output into LABEL.out
	local s e
	s=$(date +%s.%N)
	timeout -k 2 120 ip netns exec "$LT_NS_A" "${@:2}" >"$LT_WORK/$1.out" 2>"$LT_WORK/$1.err"
	e=$(date +%s.%N)
	echo "$e - $s" | bc >"$LT_WORK/$1.time"
}
t netprobe "$NP" ping --syn -p 8000-8999 --rate 1000/s -W 1 --json "$LT_B4"
np_ans=$(grep -c '"from"' "$LT_WORK/netprobe.out")
np_open=$(grep -c '"verdict":"open"' "$LT_WORK/netprobe.out")
np_closed=$(grep -c '"verdict":"closed","from"' "$LT_WORK/netprobe.out")
if command -v nping >/dev/null; then
	t nping nping --tcp -p 8000-8999 --rate 1000 -c 1 -H "$LT_B4"
	ng_ans=$(grep -c '^RCVD' "$LT_WORK/nping.out")
else ng_ans="(no nping)"; fi
if command -v hping3 >/dev/null; then
	t hping3 hping3 -S -p ++8000 -c 1000 -i u1000 "$LT_B4"
	hp_ans=$(grep -c 'flags=' "$LT_WORK/hping3.out")
else hp_ans="(no hping3)"; fi
printf '%-10s %8s %10s\n' tool seconds answered
printf '%-10s %8.2f %10s   (open %s, closed %s; includes -W 1 s for the last answers)\n' netprobe "$(cat "$LT_WORK/netprobe.time")" "$np_ans" "$np_open" "$np_closed"
[ -e "$LT_WORK/nping.time" ] && printf '%-10s %8.2f %10s\n' nping "$(cat "$LT_WORK/nping.time")" "$ng_ans"
[ -e "$LT_WORK/hping3.time" ] && printf '%-10s %8.2f %10s\n' hping3 "$(cat "$LT_WORK/hping3.time")" "$hp_ans"
