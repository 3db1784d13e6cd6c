#!/usr/bin/env bash
# smoke.sh - keeps the benchmark tools from rotting (CTest bench.smoke, normal build only):
#   1. gen_mixed and gen_synflood write small captures;
#   2. the mixed capture is sane for tshark: every frame read, none malformed, no expert error,
#      no bad IPv4/TCP/UDP/ICMP/ICMPv6 checksum (verified with tshark's checksum options), while
#      good checksums are seen, and a copy with one byte flipped is caught (the check can fail);
#   3. netprobe finds in it exactly the handshakes, FIN teardowns, resets, refusals and
#      retransmissions the generator says it wrote (`watch -r --events`), each at least one;
#   4. offline.sh runs every command once on the small captures and reports every number;
#   5. gen_app.py's DNS/HTTP/TLS capture is sane for tshark (no malformed frame, no expert error,
#      no bad checksum; DNS, HTTP and TLS frames seen), and app_vs_tshark.sh reports every number.
# Usage: smoke.sh NETPROBE GEN_MIXED GEN_SYNFLOOD PCAP_LOOP
set -u
np=${1:?usage: smoke.sh NETPROBE GEN_MIXED GEN_SYNFLOOD PCAP_LOOP}
gen_mixed=${2:?} gen_flood=${3:?} loop=${4:?}
here=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "bench.smoke: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }
key() { sed -n "s/^$1=//p" "$2"; }

# 1. generate
if "$gen_mixed" -o "$tmp/mixed.pcap" -n 5000 >"$tmp/mixed.txt" 2>"$tmp/gen.err" &&
	[ "$(key packets "$tmp/mixed.txt")" = 5000 ]; then
	ok "gen_mixed: 5000 frames"
else
	bad "gen_mixed: $(cat "$tmp/gen.err")"
	finish
fi
if "$gen_flood" -o "$tmp/flood.pcap" -n 2000 >"$tmp/flood.txt" 2>>"$tmp/gen.err" &&
	"$gen_flood" -o "$tmp/flood15.pcap" -n 1000 -p 10.64.0.0/15 >"$tmp/flood15.txt" 2>>"$tmp/gen.err"; then
	ok "gen_synflood: 2000 SYNs, and 1000 from 10.64.0.0/15"
else
	bad "gen_synflood: $(cat "$tmp/gen.err")"
	finish
fi
srcs=$(tcpdump -nr "$tmp/flood15.pcap" 'tcp[tcpflags] == tcp-syn and not src net 10.77.9.0/24' 2>/dev/null |
	awk '{print $3}' | cut -d. -f1-2 | sort -u | tr '\n' ' ')
if [ "$srcs" = "10.64 10.65 " ]; then ok "gen_synflood -p: sources in 10.64.0.0/15 only"; else bad "gen_synflood -p: sources in '$srcs'"; fi

# 2. tshark's opinion of the mixed capture
ts_opts=(-n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)
bad_filter='_ws.malformed || _ws.expert.severity >= 0x00800000 || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0 || icmpv6.checksum.status == 0'
n=$(tshark "${ts_opts[@]}" -r "$tmp/mixed.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
if [ "$n" = 5000 ]; then ok "tshark reads 5000 frames"; else bad "tshark reads $n frames, want 5000"; fi
tshark "${ts_opts[@]}" -r "$tmp/mixed.pcap" -Y "$bad_filter" >"$tmp/bad.txt" 2>/dev/null
if [ ! -s "$tmp/bad.txt" ]; then ok "tshark: no malformed frame, no expert error, no bad checksum"; else bad "tshark flags frames: $(head -n 3 "$tmp/bad.txt")"; fi
good=$(tshark "${ts_opts[@]}" -r "$tmp/mixed.pcap" -Y 'tcp.checksum.status == 1 && ip.checksum.status == 1' 2>/dev/null | wc -l)
if [ "$good" -gt 2500 ]; then ok "tshark verified $good good IPv4 and TCP checksums"; else bad "tshark verified only $good good checksums"; fi
cp "$tmp/mixed.pcap" "$tmp/flipped.pcap"
size=$(stat -c %s "$tmp/flipped.pcap")
last=$(od -An -tu1 -j $((size - 1)) -N1 "$tmp/flipped.pcap" | tr -d ' ')
printf "$(printf '\\%03o' $((255 - last)))" | dd of="$tmp/flipped.pcap" bs=1 seek=$((size - 1)) conv=notrunc status=none
n=$(tshark "${ts_opts[@]}" -r "$tmp/flipped.pcap" -Y "$bad_filter" 2>/dev/null | wc -l)
if [ "$n" -ge 1 ]; then ok "control: one flipped byte in the last frame is caught ($n frame)"; else bad "control: a flipped byte went unnoticed"; fi

# 3. netprobe's events against the generator's counts
if "$np" watch -r "$tmp/mixed.pcap" --events >"$tmp/events.txt" 2>"$tmp/events.err"; then
	ok "netprobe watch -r --events exits 0"
else
	bad "netprobe watch -r --events: $(tail -n 3 "$tmp/events.err")"
fi
for pair in handshake:tcp_handshakes teardown:tcp_fin_teardowns reset:tcp_resets \
	refused:tcp_refused retransmission:tcp_retransmissions; do
	ev=${pair%%:*} k=${pair#*:}
	want=$(key "$k" "$tmp/mixed.txt")
	got=$(grep -cE "⇒ #[0-9]+ $ev\b" "$tmp/events.txt")
	if [ -n "$want" ] && [ "$want" -gt 0 ] && [ "$got" = "$want" ]; then
		ok "netprobe: $got $ev events = gen_mixed's $k"
	else
		bad "netprobe: $got $ev events, gen_mixed wrote $k=${want:-?}"
	fi
done

# 4. offline.sh, once per command
if "$here/offline.sh" --netprobe "$np" --loop "$loop" --mixed "$tmp/mixed.pcap" --flood "$tmp/flood.pcap" \
	--flood15 "$tmp/flood15.pcap" --runs 1 >"$tmp/offline.md" 2>"$tmp/offline.err"; then
	ok "offline.sh exits 0"
else
	bad "offline.sh failed: $(grep -v '^offline.sh: [a-z0-9]* [a-z_]*: ' "$tmp/offline.err" | head -n 5)"
fi
rows=$(grep -cE '^\| (mixed|flood|flood15) \| `[^`]+` \| 1 \| [0-9]+\.[0-9]{3} \| [0-9]+\.[0-9]{3} \| [0-9.]+–[0-9.]+ \| [0-9]+ \| [0-9]+\.[0-9] \|$' "$tmp/offline.md")
if [ "$rows" = 33 ]; then ok "offline.sh: 33 complete rows (3 captures x 11 commands)"; else bad "offline.sh: $rows complete rows, want 33"; cat "$tmp/offline.md"; fi
r='[0-9]+\.[0-9]{2}× \(wall [0-9]+\.[0-9]{2}×\)'
ratios=$(grep -cE "^\\| .* \\| $r \\| $r \\| $r \\|" "$tmp/offline.md")
if [ "$ratios" = 7 ]; then ok "offline.sh: the 7 ratio rows have a number for every capture"; else bad "offline.sh: $ratios complete ratio rows, want 7"; fi
if grep -qE 'FAILED|missing' "$tmp/offline.md"; then bad "offline.sh report says FAILED or missing"; else ok "offline.sh report: nothing failed or missing"; fi

# 5. the DNS/HTTP/TLS capture and app_vs_tshark.sh
if python3 "$here/gen_app.py" -o "$tmp/app.pcap" -n 1000 >"$tmp/app.txt" 2>"$tmp/gen.err" &&
	[ "$(key packets "$tmp/app.txt")" = 1000 ]; then
	ok "gen_app.py: 1000 frames"
else
	bad "gen_app.py: $(cat "$tmp/gen.err")"
	finish
fi
tshark "${ts_opts[@]}" -r "$tmp/app.pcap" -Y "$bad_filter" >"$tmp/bad.txt" 2>/dev/null
if [ ! -s "$tmp/bad.txt" ]; then ok "tshark on gen_app.py's capture: no malformed frame, no expert error, no bad checksum"; else bad "tshark flags frames of gen_app.py's capture: $(head -n 3 "$tmp/bad.txt")"; fi
protos=$(tshark -n -r "$tmp/app.pcap" -T fields -e _ws.col.Protocol 2>/dev/null | sort -u | tr '\n' ' ')
case $protos in
*DNS*HTTP*TLSv1.2*TLSv1.3*) ok "gen_app.py's capture has DNS, HTTP, TLS 1.2 and 1.3 frames" ;;
*) bad "gen_app.py's capture: protocols '$protos'" ;;
esac
if "$here/app_vs_tshark.sh" --netprobe "$np" --capture "$tmp/app.pcap" --runs 1 --tshark-runs 1 \
	>"$tmp/app.md" 2>"$tmp/app.err" && ! grep -qE 'FAILED|missing' "$tmp/app.md"; then
	ok "app_vs_tshark.sh exits 0, nothing failed or missing"
else
	bad "app_vs_tshark.sh: $(grep -v '^app_vs_tshark.sh: [a-z_]* cpu' "$tmp/app.err" | head -n 5)"
fi
rows=$(grep -cE '^\| tshark .* / netprobe .* \| [0-9]+\.[0-9]{2}× \| [0-9]+\.[0-9]{2}× \|$' "$tmp/app.md")
if [ "$rows" = 4 ]; then ok "app_vs_tshark.sh: 4 ratio rows with numbers"; else bad "app_vs_tshark.sh: $rows ratio rows, want 4"; cat "$tmp/app.md"; fi
finish
