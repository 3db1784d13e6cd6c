#!/usr/bin/env bash
# Live test of the interfaces `watch` knows, in the namespace topology of netns.sh (R: lo,
# veth-ra, veth-rb, all up) plus a veth pair with both ends in R left down (np-down0/1):
#   list-vs-tcpdump  `watch -D` prints exactly what `tcpdump -D` prints in R (same libpcap)
#   list-lines       numbered 1..N; lo [Up, Running, Loopback]; veth-ra [Up, Running, ...];
#                    np-down0 neither Up nor Running; any with its description
#   list-exclusive   -D with -r: one line, exit 2
#   unknown-if       -i nosuch0: exit 2, one line naming R's interfaces (and -D)
#   any-text/json/v  in R (the router), watch -i any while A pings B (2 echo requests): each
#                    request is seen "veth-ra In" and forwarded "veth-rb Out", each reply
#                    "veth-rb In" and "veth-ra Out" (tcpdump -i any prints the same names and
#                    directions); JSON "ifname"/"dir"; -v "Interface name: veth-ra"
#   any-file         the -w file of that run is LINUX_SLL2; read back, the lines show
#                    "if#N In"/"if#N Out" with N veth-ra's index in R (a file has no names)
# Usage: test_ifaces.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-ifaces
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout "$LT_PY"
echo "live ifaces: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
# Both ends in R, never up: an interface to list that is down.
if ! lt_do ip -n "$LT_NS_R" link add np-down0 type veth peer name np-down1; then
	lt_fail "setup: the down veth pair"
	lt_finish
	exit 1
fi

lt_run "$LT_NS_R" list 10 "$NP" watch -D
out=$LT_WORK/list.out
if [ "$LT_RC" -ne 0 ] || [ -s "$LT_WORK/list.err" ]; then
	lt_fail "list: exit $LT_RC, stderr: $(head -c 200 "$LT_WORK/list.err")"
elif command -v tcpdump >/dev/null; then
	ip netns exec "$LT_NS_R" tcpdump -D >"$LT_WORK/tcpdump-D" 2>/dev/null
	if cmp -s "$out" "$LT_WORK/tcpdump-D"; then lt_pass list-vs-tcpdump; else
		lt_fail "list-vs-tcpdump: watch -D differs from tcpdump -D"
		diff "$LT_WORK/tcpdump-D" "$out" | head -10 | sed 's/^/  /'
	fi
else
	lt_skip "list-vs-tcpdump: no tcpdump"
fi
why=""
n=$(wc -l <"$out")
[ "$(cut -d. -f1 "$out" | tr '\n' ' ')" = "$(seq -s ' ' 1 "$n") " ] || why="$why not numbered 1..$n;"
grep -Eq '^[0-9]+\.lo \[Up, Running, Loopback\]$' "$out" || why="$why no 'lo [Up, Running, Loopback]';"
grep -Eq '^[0-9]+\.veth-ra \[Up, Running(, Connected)?\]$' "$out" || why="$why no 'veth-ra [Up, Running]';"
grep -Eq '^[0-9]+\.veth-rb \[Up, Running(, Connected)?\]$' "$out" || why="$why no 'veth-rb [Up, Running]';"
grep -Eq '^[0-9]+\.np-down0( \[(none|Disconnected|none, Disconnected)\])?$' "$out" || why="$why np-down0 not shown down;"
grep -Eq '^[0-9]+\.any \(Pseudo-device that captures on all interfaces\) \[Up, Running\]$' "$out" ||
	why="$why no 'any';"
if [ -z "$why" ]; then lt_pass "list-lines ($n interfaces)"; else
	lt_fail "list-lines:$why"
	sed 's/^/  /' "$out"
fi

lt_run "$LT_NS_R" list-r 10 "$NP" watch -D -r /dev/null
if [ "$LT_RC" -eq 2 ] && [ "$(wc -l <"$LT_WORK/list-r.err")" -eq 1 ] && [ ! -s "$LT_WORK/list-r.out" ] &&
	grep -q -- '-D lists the interfaces' "$LT_WORK/list-r.err"; then
	lt_pass list-exclusive
else
	lt_fail "list-exclusive: exit $LT_RC, $(cat "$LT_WORK/list-r.err")"
fi

lt_run "$LT_NS_R" unknown 10 "$NP" watch -i nosuch0 -c 1
err=$LT_WORK/unknown.err
why=""
[ "$LT_RC" -eq 2 ] || why="$why exit $LT_RC;"
[ "$(wc -l <"$err")" -eq 1 ] || why="$why $(wc -l <"$err") stderr lines;"
for ifc in veth-ra veth-rb lo any np-down0; do
	grep -Eq "(available:|,) $ifc[,;]" "$err" || why="$why $ifc not named;"
done
grep -q '^netprobe: watch: nosuch0: no such interface (available: .*; netprobe watch -D lists them)$' "$err" ||
	why="$why not the expected line;"
if [ -z "$why" ]; then lt_pass unknown-if; else lt_fail "unknown-if:$why $(cat "$err")"; fi

# --- -i any: the interface and direction of each frame --------------------------------------
idx_ra=$(ip netns exec "$LT_NS_R" cat /sys/class/net/veth-ra/ifindex)
for mode in text json v; do
	args=(watch -i any -c 8 --duration 8)
	[ $mode = json ] && args+=(--json)
	[ $mode = v ] && args+=(-v)
	[ $mode = text ] && args+=(-w "$LT_WORK/any.pcap")
	args+=(icmp)
	lt_bg_in "$LT_NS_R" "any-$mode" 20 "$NP" "${args[@]}"
	if lt_wait_watching "any-$mode"; then
		timeout -k 2 10 ip netns exec "$LT_NS_A" ping -c 2 -i 0.2 -W 2 "$LT_B4" >/dev/null 2>&1
	fi
	lt_bg_reap "any-$mode" 12
	out=$LT_WORK/any-$mode.out
	why=""
	[ "$LT_RC" -eq 0 ] || why="$why exit $LT_RC;"
	case $mode in
	text)
		for want in "veth-ra In .*$LT_A4 → $LT_B4 .*Echo \\(ping\\) request" \
			"veth-rb Out .*$LT_A4 → $LT_B4 .*Echo \\(ping\\) request" \
			"veth-rb In .*$LT_B4 → $LT_A4 .*Echo \\(ping\\) reply" \
			"veth-ra Out .*$LT_B4 → $LT_A4 .*Echo \\(ping\\) reply"; do
			[ "$(grep -Ec "^ +[0-9]+ +[0-9.]+ $want" "$out")" -eq 2 ] || why="$why not twice: /$want/;"
		done
		;;
	json)
		for want in '"ifname":"veth-ra","dir":"In"' '"ifname":"veth-rb","dir":"Out"' \
			'"ifname":"veth-rb","dir":"In"' '"ifname":"veth-ra","dir":"Out"'; do
			[ "$(grep -c "$want" "$out")" -eq 2 ] || why="$why not twice: $want;"
		done
		;;
	v)
		grep -q '^    Interface name: veth-ra$' "$out" || why="$why no 'Interface name: veth-ra';"
		grep -q '^    Interface name: veth-rb$' "$out" || why="$why no 'Interface name: veth-rb';"
		;;
	esac
	if [ -z "$why" ]; then lt_pass "any-$mode"; else
		lt_fail "any-$mode:$why"
		lt_dump "any-$mode"
	fi
done
lt_run "$LT_NS_R" any-file 20 "$NP" watch -r "$LT_WORK/any.pcap"
why=""
[ "$LT_RC" -eq 0 ] || why="$why exit $LT_RC;"
if command -v capinfos >/dev/null; then
	capinfos -E "$LT_WORK/any.pcap" 2>/dev/null | grep -q "Linux cooked-mode capture v2" || why="$why not LINUX_SLL2;"
fi
[ "$(grep -Ec "^ +[0-9]+ +[0-9.]+ if#$idx_ra +In .*Echo \\(ping\\) request" "$LT_WORK/any-file.out")" -eq 2 ] ||
	why="$why no 'if#$idx_ra In' request lines;"
if [ -z "$why" ]; then lt_pass any-file; else
	lt_fail "any-file:$why"
	lt_dump any-file
fi

lt_finish
