#!/usr/bin/env bash
# Live pcapng output (-w FILE.pcapng), in the namespace topology of netns.sh:
#   any          in R (the router), watch -i any -w any.pcapng while A pings B (2 requests) and
#                opens a TCP connection to B:8888: tshark reads the file; interface blocks
#                named veth-ra and veth-rb (frame.interface_name); each request forwarded
#                seen inbound on veth-ra and outbound on veth-rb (epb_flags: tshark's
#                frame.packet_flags_direction); the handshake as a frame comment; the
#                statistics block holds the summary and the kernel's counters (capinfos)
#   readback     netprobe -r any.pcapng names each frame's interface and direction, as the
#                live run's lines did ("veth-ra In", "veth-rb Out"), and -v prints the comment
#   named        in B, watch -i veth-b... -w b.pcapng: one interface, named as given
# Usage: test_pcapng.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-pcapng
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout tshark capinfos "$LT_PY"
echo "live pcapng: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

exchange() {
	timeout -k 2 10 ip netns exec "$LT_NS_A" ping -c 2 -i 0.2 -W 2 "$LT_B4" >/dev/null 2>&1
	timeout -k 2 10 ip netns exec "$LT_NS_A" "$LT_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
while s.recv(4096):
    pass
s.close()' "$LT_B4" "$LT_TCP_OPEN" >/dev/null 2>&1
}

# --- any -------------------------------------------------------------------------------------
file=$LT_WORK/any.pcapng
lt_bg_in "$LT_NS_R" any 20 "$NP" watch -i any --duration 4 -w "$file" "icmp or tcp port $LT_TCP_OPEN"
if lt_wait_watching any; then exchange; fi
lt_bg_reap any 12
lt_expect_rc any 0
why=""
[ -s "$file" ] || why="$why no file;"
tshark -r "$file" -T fields -e frame.interface_name -e frame.packet_flags_direction -e icmp.type \
	-e frame.comment >"$LT_WORK/fields" 2>"$LT_WORK/tshark.err" || why="$why tshark refused it;"
# frame.packet_flags_direction: 1 inbound, 2 outbound
[ "$(grep -Ec $'^veth-ra\t(0x0*1|1)\t8' "$LT_WORK/fields")" -eq 2 ] || why="$why requests not inbound on veth-ra;"
[ "$(grep -Ec $'^veth-rb\t(0x0*2|2)\t8' "$LT_WORK/fields")" -eq 2 ] || why="$why requests not outbound on veth-rb;"
[ "$(grep -Ec $'^veth-rb\t(0x0*1|1)\t0' "$LT_WORK/fields")" -eq 2 ] || why="$why replies not inbound on veth-rb;"
grep -q "handshake $LT_A4:[0-9]* → $LT_B4:$LT_TCP_OPEN" "$LT_WORK/fields" || why="$why no handshake comment;"
info=$(capinfos "$file" 2>&1)
echo "$info" | grep -q 'Number of interfaces in file: 2' || why="$why not 2 interfaces;"
tail -c 3000 "$file" | grep -aq "netprobe: [0-9]* packets: [0-9]* TCP, 0 UDP, 8 ICMP" || why="$why no summary in the statistics block;"
echo "$info" | grep -q 'Number of stat entries = 1' || why="$why no statistics block;"
if [ -z "$why" ]; then lt_pass any; else
	lt_fail "any:$why"
	head -20 "$LT_WORK/fields" "$LT_WORK/tshark.err" | sed 's/^/  /'
	lt_dump any
fi

# --- readback --------------------------------------------------------------------------------
lt_run "$LT_NS_R" readback 20 "$NP" watch -r "$file"
why=""
[ "$LT_RC" -eq 0 ] || why="$why exit $LT_RC;"
out=$LT_WORK/readback.out
[ "$(grep -Ec "veth-ra In .*$LT_A4 → $LT_B4 .*Echo \\(ping\\) request" "$out")" -eq 2 ] || why="$why no 'veth-ra In' requests;"
[ "$(grep -Ec "veth-rb Out .*$LT_A4 → $LT_B4 .*Echo \\(ping\\) request" "$out")" -eq 2 ] || why="$why no 'veth-rb Out' requests;"
# the comments are printed between "Packet comments" and the frame's "Frame N:" line
"$NP" watch -r "$file" -v 2>/dev/null | awk '/^Packet comments$/{c=1; next} /^Frame /{c=0} c' |
	grep -q "^    #1 handshake $LT_A4:" ||
	why="$why -v prints no comment;"
if [ -z "$why" ]; then lt_pass readback; else
	lt_fail "readback:$why"
	lt_dump readback
fi

# --- named -----------------------------------------------------------------------------------
B_IF=veth-br # B's veth towards R
file=$LT_WORK/b.pcapng
lt_bg_in "$LT_NS_B" named 20 "$NP" watch -i "$B_IF" --duration 3 -w "$file" icmp
if lt_wait_watching named; then
	timeout -k 2 10 ip netns exec "$LT_NS_A" ping -c 2 -i 0.2 -W 2 "$LT_B4" >/dev/null 2>&1
fi
lt_bg_reap named 12
names=$(tshark -r "$file" -T fields -e frame.interface_name 2>/dev/null | sort -u | tr '\n' ' ')
if [ "$LT_RC" -eq 0 ] && [ "$names" = "$B_IF " ]; then lt_pass "named ($B_IF)"; else
	lt_fail "named: exit $LT_RC, interface names '$names', want '$B_IF'"
	lt_dump named
fi

lt_finish
