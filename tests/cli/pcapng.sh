#!/usr/bin/env bash
# pcapng output and netprobe's own pcapng reader (src/capture/pcapng_{r,w}.c):
#   write-ng     -w FILE.pcapng from -r: capinfos accepts it (pcapng, same packet count,
#                "Capture application: netprobe"), tshark reads every frame
#   comments     tshark shows netprobe's analysis as frame.comment on the right frames: the
#                handshake on frame 3, "[TCP Fast Retransmission]" and "[TCP Dup ACK #N]"
#                where netprobe's own line says so; a frame with nothing to say has none
#   isb          the statistics block carries the summary ("netprobe: N packets: ...")
#   same-output  netprobe -r FILE.pcapng prints exactly what -r of the original printed
#                (text, --json), from a path, a pipe and gzip
#   v-comments   -v prints the comments back ("Packet comments" before "Frame N")
#   format       --format pcapng writes pcapng whatever the name; -w - --format pcapng to a
#                pipe; --format pcap keeps a .pcapng name classic pcap; bad values: exit 2
#   round-trip   -r FILE.pcapng -w again.pcapng: the comments are not doubled
#   mixed        pcaps/mixed-linktypes.pcapng (LINUX_SLL2 + two Ethernet interfaces, made by
#                mergecap) which libpcap refuses: every frame decodes, each with its own link
#                type, the lines name each frame's interface; written again as pcapng it keeps
#                three interfaces; written as pcap it keeps only the first link type's frames
#   seed         tests/fuzz/regressions/pcapfile/pcapng-reader-blocks (two sections, both byte
#                orders, 2^-8 resolution with an offset, SPB, obsolete PB): the times and names
#   cut          a pcapng file cut in a block: the frames before it, then one line, exit 2
# Usage: pcapng.sh NETPROBE
set -u
np=${1:?usage: pcapng.sh NETPROBE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}
for tool in tshark capinfos gzip; do
	command -v "$tool" >/dev/null || { echo "FAIL $tool is needed"; exit 1; }
done
src=$top/pcaps/tcp-loss-retransmit.pcap
out=$tmp/loss.pcapng

# --- write-ng --------------------------------------------------------------------------------
"$np" watch -r "$src" -w "$out" >"$tmp/ref.txt" 2>"$tmp/ref.err" || bad "write-ng: exit $?"
nref=$(grep -c '' "$tmp/ref.txt")
info=$(capinfos "$out" 2>&1)
echo "$info" | grep -q 'File type: *Wireshark/... - pcapng' && ok || bad "write-ng: not pcapng: $info"
echo "$info" | grep -q "Number of packets: *$(capinfos -c -M "$src" | awk '/Number of packets/{print $NF}')\$" &&
	ok || bad "write-ng: packet count differs"
echo "$info" | grep -q 'Capture application: *netprobe' && ok || bad "write-ng: no shb_userappl"
[ "$(tshark -r "$out" 2>/dev/null | grep -c '')" = "$(capinfos -c -M "$src" | awk '/Number of packets/{print $NF}')" ] &&
	ok || bad "write-ng: tshark does not read every frame"

# --- comments ----------------------------------------------------------------------------------
tshark -r "$out" -T fields -e frame.number -e frame.comment >"$tmp/comments" 2>/dev/null
grep -q $'^3\t.*#1 handshake 10.77.1.1:35258 → 10.77.1.2:8888' "$tmp/comments" && ok ||
	bad "comments: no handshake comment on frame 3"
# every frame netprobe's line marks, and only those, carry the same note as a comment
for note in 'TCP Fast Retransmission' 'TCP Dup ACK #3' 'TCP Retransmission' 'TCP Window Full'; do
	want=$(grep -F "[$note]" "$tmp/ref.txt" | awk '{print $1}' | tr '\n' ' ')
	got=$(grep -F "[$note]" "$tmp/comments" | cut -f1 | tr '\n' ' ')
	if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else
		bad "comments: [$note] on frames '$got', netprobe's lines say '$want'"
	fi
done
grep -q $'^4\t$' "$tmp/comments" && ok || bad "comments: frame 4 (nothing to say) has a comment"

# --- isb -----------------------------------------------------------------------------------------
# tshark shows no ISB comment; the block is found in the file's last bytes
tail -c 2000 "$out" | grep -aq "netprobe: 252 packets: 252 TCP" && ok || bad "isb: no summary in the last block"

# --- same-output, v-comments ---------------------------------------------------------------------
for mode in "" --json; do
	# shellcheck disable=SC2086
	"$np" watch -r "$src" $mode >"$tmp/a" 2>&1
	# shellcheck disable=SC2086
	"$np" watch -r "$out" $mode >"$tmp/b" 2>&1
	gzip -c "$out" >"$tmp/loss.pcapng.gz"
	# shellcheck disable=SC2086
	cat "$tmp/loss.pcapng.gz" | "$np" watch -r - $mode >"$tmp/c" 2>&1
	if cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/a" "$tmp/c"; then ok; else
		bad "same-output ($mode): -r of the pcapng differs"
		diff "$tmp/a" "$tmp/b" | head -5
	fi
done
"$np" watch -r "$out" -v 2>/dev/null >"$tmp/v"
grep -A1 '^Packet comments$' "$tmp/v" | grep -q '^    \[TCP Fast Retransmission\]$' && ok ||
	bad "v-comments: -v does not print the comments back"
awk '/^Packet comments$/{c=1; next} c && /^Frame /{print; exit}' "$tmp/v" | grep -q '^Frame 1:' && ok ||
	bad "v-comments: the first comments are not frame 1's"

# --- format ---------------------------------------------------------------------------------------
"$np" watch -r "$src" -w "$tmp/plain.cap" --format pcapng >/dev/null 2>&1
[ "$(head -c4 "$tmp/plain.cap" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] && ok || bad "format: --format pcapng did not write pcapng"
"$np" watch -r "$src" -w "$tmp/classic.pcapng" --format pcap >/dev/null 2>&1
[ "$(head -c4 "$tmp/classic.pcapng" | od -An -tx1 | tr -d ' ')" = d4c3b2a1 ] && ok || bad "format: --format pcap did not write pcap"
"$np" watch -r "$src" -w - --format pcapng 2>/dev/null | tshark -r - -T fields -e frame.comment 2>/dev/null |
	grep -q 'TCP Fast Retransmission' && ok || bad "format: -w - --format pcapng through a pipe"
for args in "--format pcapng" "-w $tmp/x --format ng" "-w $tmp/y --format="; do
	# shellcheck disable=SC2086
	"$np" watch -r "$src" $args >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(grep -c '' "$tmp/err")" -eq 1 ]; then ok; else
		bad "format: '$args' gave exit $rc, stderr: $(cat "$tmp/err")"
	fi
done

# --- round-trip -----------------------------------------------------------------------------------
"$np" watch -r "$out" -w "$tmp/again.pcapng" >/dev/null 2>&1
tshark -r "$tmp/again.pcapng" -T fields -e frame.comment >"$tmp/again" 2>/dev/null
tshark -r "$out" -T fields -e frame.comment >"$tmp/once" 2>/dev/null
cmp -s "$tmp/again" "$tmp/once" && ok || bad "round-trip: the comments changed when written again"

# --- mixed ----------------------------------------------------------------------------------------
mixed=$top/pcaps/mixed-linktypes.pcapng
"$np" watch -r "$mixed" >"$tmp/m" 2>"$tmp/m.err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '' "$tmp/m")" -ge 26 ] && ok || bad "mixed: exit $rc, $(head -1 "$tmp/m.err")"
[ "$(grep -c '^ *[0-9]* *[0-9.]* if#1  -  .*ICMP' "$tmp/m")" = 6 ] && ok || bad "mixed: ICMP frames not on if#1 (Ethernet)"
[ "$(grep -Ec '^ *[0-9]+ +[0-9.]+ if#2  (In |Out) .*TCP' "$tmp/m")" = 10 ] && ok || bad "mixed: SLL2 frames without their direction"
grep -q 'netprobe: 26 packets' "$tmp/m.err" && ok || bad "mixed: not 26 packets"
"$np" watch -r "$mixed" -v 2>/dev/null | grep -c '^    Link type: ' | grep -q '^26$' && ok || bad "mixed: -v link types"
[ "$("$np" watch -r "$mixed" -v 2>/dev/null | grep -c '^    Link type: LINUX_SLL2')" = 10 ] && ok || bad "mixed: not 10 SLL2 frames"
"$np" watch -r "$mixed" -w "$tmp/m2.pcapng" >/dev/null 2>&1
[ "$(capinfos "$tmp/m2.pcapng" | awk '/Number of interfaces/{print $NF}')" = 3 ] && ok || bad "mixed: rewritten with other than 3 interfaces"
"$np" watch -r "$tmp/m2.pcapng" >"$tmp/m3" 2>/dev/null
cmp -s "$tmp/m" "$tmp/m3" && ok || bad "mixed: the rewritten file reads differently"
"$np" watch -r "$mixed" -w "$tmp/m.pcap" >/dev/null 2>"$tmp/mp.err"
[ "$(capinfos -c -M "$tmp/m.pcap" | awk '/Number of packets/{print $NF}')" = 10 ] && ok || bad "mixed: pcap output does not hold the 10 SLL2 frames"
grep -q 'not written to a classic pcap file' "$tmp/mp.err" && ok || bad "mixed: no warning for the frames left out"

# --- seed: every block the reader knows (tests/fuzz/mk_pcapng_seed.py) --------------------------
"$np" watch -r "$top/tests/fuzz/regressions/pcapfile/pcapng-reader-blocks" -t e >"$tmp/seed" 2>/dev/null
rc=$?
# if_tsresol 2^-8 with if_tsoffset 100 s: 1100 s; SPB: no time; the obsolete PB on raw-big; the
# second (little-endian) section's one unnamed interface: no name shown
if [ $rc -eq 0 ] && [ "$(grep -c '' "$tmp/seed")" -eq 4 ] && grep -q '^    1 1100.000000 eth-big Out ' "$tmp/seed" &&
	grep -q '^    3   2.000000 raw-big - ' "$tmp/seed" && grep -q '^    4   3.000000       10.77.0.1' "$tmp/seed"; then ok; else
	bad "seed: exit $rc, $(cat "$tmp/seed")"
fi

# --- cut ------------------------------------------------------------------------------------------
head -c 5000 "$out" >"$tmp/cut.pcapng"
"$np" watch -r "$tmp/cut.pcapng" >"$tmp/cut.out" 2>"$tmp/cut.err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'truncated pcapng dump file' "$tmp/cut.err" && [ -s "$tmp/cut.out" ]; then ok; else
	bad "cut: exit $rc, $(cat "$tmp/cut.err")"
fi

echo "pcapng: $pass passed, $fail failed"
[ $fail -eq 0 ]
