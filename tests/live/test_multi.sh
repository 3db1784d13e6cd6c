#!/usr/bin/env bash
# Live test of several -i (watch -i veth-ra -i veth-rb), in the namespace topology of netns.sh:
# in R (the router), while A pings B (2 echo requests):
#   text/json/v   each request is seen "veth-ra In" and forwarded "veth-rb Out", each reply
#                 "veth-rb In" and "veth-ra Out" (the names and directions `-i any` shows),
#                 exactly twice each; JSON "ifname"/"dir"; -v "Interface id: 0 (veth-ra)" and
#                 "Direction: Inbound"; stderr says "watching veth-ra, veth-rb"
#   pcapng        -w FILE.pcapng: tshark reads 8 frames, two interface blocks named veth-ra and
#                 veth-rb with link type Ethernet, each request inbound on veth-ra and outbound
#                 on veth-rb (epb_flags); netprobe -r shows the same lines as live
#   pcap          -w FILE.pcap (both Ethernet): one Ethernet file with the 8 frames
#   mixed-pcap    -i veth-ra -i lo... are both Ethernet too, so a link type that differs comes
#                 from a tun device (RAW): -w x.pcap refused with one line, exit 2, no file left;
#                 -w x.pcapng accepted
#   refusals      -i any -i veth-ra, and the same interface twice: one line, exit 2
# Usage: test_multi.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-multi
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout tshark "$LT_PY"
echo "live multi: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

pings() {
	timeout -k 2 10 ip netns exec "$LT_NS_A" ping -c 2 -i 0.2 -W 2 "$LT_B4" >/dev/null 2>&1
}

# four kinds of line, each exactly twice, in RUN.out (text lines)
four_twice() {
	local out=$1 why="" want
	for want in "veth-ra In .*$LT_A4 → $LT_B4 .*Echo \\(ping\\) request" \
		"veth-rb Out .*$LT_A4 → $LT_B4 .*Echo \\(ping\\) request" \
		"veth-rb In .*$LT_B4 → $LT_A4 .*Echo \\(ping\\) reply" \
		"veth-ra Out .*$LT_B4 → $LT_A4 .*Echo \\(ping\\) reply"; do
		[ "$(grep -Ec "^ +[0-9]+ +[0-9.]+ $want" "$out")" -eq 2 ] || why="$why not twice: /$want/;"
	done
	echo "$why"
}

for mode in text json v pcapng pcap; do
	args=(watch -i veth-ra -i veth-rb -c 8 --duration 8)
	[ $mode = json ] && args+=(--json)
	[ $mode = v ] && args+=(-v)
	[ $mode = pcapng ] && args+=(-w "$LT_WORK/multi.pcapng")
	[ $mode = pcap ] && args+=(-w "$LT_WORK/multi.pcap")
	args+=(icmp)
	lt_bg_in "$LT_NS_R" "multi-$mode" 20 "$NP" "${args[@]}"
	if lt_wait_watching "multi-$mode"; then pings; fi
	lt_bg_reap "multi-$mode" 12
	out=$LT_WORK/multi-$mode.out
	why=""
	[ "$LT_RC" -eq 0 ] || why="$why exit $LT_RC;"
	grep -q '^netprobe: watching veth-ra, veth-rb, filter: ' "$LT_WORK/multi-$mode.err" || why="$why no 'watching veth-ra, veth-rb';"
	case $mode in
	text | pcap) why="$why$(four_twice "$out")" ;;
	json)
		for want in '"ifname":"veth-ra","dir":"In"' '"ifname":"veth-rb","dir":"Out"' \
			'"ifname":"veth-rb","dir":"In"' '"ifname":"veth-ra","dir":"Out"'; do
			[ "$(grep -c "$want" "$out")" -eq 2 ] || why="$why not twice: $want;"
		done
		;;
	v)
		grep -q '^    Interface id: 0 (veth-ra)$' "$out" || why="$why no 'Interface id: 0 (veth-ra)';"
		grep -q '^    Interface id: 1 (veth-rb)$' "$out" || why="$why no 'Interface id: 1 (veth-rb)';"
		[ "$(grep -c '^    Direction: Inbound$' "$out")" -eq 4 ] || why="$why not 4 'Direction: Inbound';"
		;;
	pcapng)
		why="$why$(four_twice "$out")"
		f=$LT_WORK/multi.pcapng
		tshark -r "$f" -T fields -e frame.interface_name -e frame.packet_flags_direction -e icmp.type \
			>"$LT_WORK/fields" 2>"$LT_WORK/tshark.err" || why="$why tshark refused it;"
		[ "$(wc -l <"$LT_WORK/fields")" -eq 8 ] || why="$why not 8 frames;"
		[ "$(grep -Ec $'^veth-ra\t(0x0*1|1)\t8' "$LT_WORK/fields")" -eq 2 ] || why="$why requests not inbound on veth-ra;"
		[ "$(grep -Ec $'^veth-rb\t(0x0*2|2)\t8' "$LT_WORK/fields")" -eq 2 ] || why="$why requests not outbound on veth-rb;"
		capinfos "$f" 2>/dev/null | grep -q 'Number of interfaces in file: 2' || why="$why not 2 interfaces;"
		capinfos "$f" 2>/dev/null | grep -q 'Encapsulation = Ethernet' || why="$why not Ethernet;"
		lt_run "$LT_NS_R" multi-back 20 "$NP" watch -r "$f"
		why="$why$(four_twice "$LT_WORK/multi-back.out")"
		;;
	esac
	if [ $mode = pcap ]; then
		capinfos -E "$LT_WORK/multi.pcap" 2>/dev/null | grep -q 'Ethernet' || why="$why the pcap file is not Ethernet;"
		[ "$(capinfos -c -M "$LT_WORK/multi.pcap" 2>/dev/null | grep -oP 'packets:\s+\K[0-9]+')" = 8 ] || why="$why not 8 frames in the pcap file;"
	fi
	if [ -z "$why" ]; then lt_pass "multi-$mode"; else
		lt_fail "multi-$mode:$why"
		lt_dump "multi-$mode"
	fi
done

# --- mixed link types: veth-ra (Ethernet) and a tun device (RAW) -----------------------------
if lt_do ip -n "$LT_NS_R" tuntap add np-tun0 mode tun && lt_do ip -n "$LT_NS_R" link set np-tun0 up; then
	lt_run "$LT_NS_R" mixed-pcap 10 "$NP" watch -i veth-ra -i np-tun0 -c 1 -w "$LT_WORK/mixed.pcap"
	err=$LT_WORK/mixed-pcap.err
	if [ "$LT_RC" -eq 2 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
		grep -q 'a classic pcap file has one link type, but veth-ra is EN10MB and np-tun0 is RAW: write pcapng' "$err" &&
		[ ! -e "$LT_WORK/mixed.pcap" ] && [ ! -e "$LT_WORK/mixed.pcap.partial" ]; then
		lt_pass mixed-pcap
	else
		lt_fail "mixed-pcap: exit $LT_RC, $(wc -l <"$err") lines: $(head -c 300 "$err")"
	fi
	lt_bg_in "$LT_NS_R" mixed-ng 20 "$NP" watch -i veth-ra -i np-tun0 --duration 3 -w "$LT_WORK/mixed.pcapng" icmp
	if lt_wait_watching mixed-ng; then pings; fi
	lt_bg_reap mixed-ng 12
	n=$(tshark -r "$LT_WORK/mixed.pcapng" 2>/dev/null | wc -l)
	if [ "$LT_RC" -eq 0 ] && [ "$n" -eq 4 ]; then lt_pass "mixed-ng (4 frames)"; else
		lt_fail "mixed-ng: exit $LT_RC, $n frames"
		lt_dump mixed-ng
	fi
else
	lt_skip "mixed-pcap: no tun device"
fi

# --- refusals --------------------------------------------------------------------------------
lt_run "$LT_NS_R" ref-any 10 "$NP" watch -i any -i veth-ra -c 1
lt_expect_rc ref-any 2
lt_expect_one_err_line ref-any 'i any captures on every interface already' || true
lt_run "$LT_NS_R" ref-twice 10 "$NP" watch -i veth-ra -i veth-ra -c 1
lt_expect_rc ref-twice 2
lt_expect_one_err_line ref-twice 'the same interface is given twice with -i' || true

lt_finish
