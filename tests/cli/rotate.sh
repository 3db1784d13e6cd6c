#!/usr/bin/env bash
# -w rotation (src/cli/watch_out.c, watch_rotate.c) over a synthetic capture whose packet times
# drive -G: 120 UDP frames of 500 bytes, one every 100 ms for 12 s, starting 0.5 s after an
# epoch second that is a multiple of 10 (1790000000, 14:13:20 UTC; TZ=UTC, so local boundaries
# are UTC ones).
#   C          -C 10k: files of at most 10240 bytes, all but the last fuller than 10240 less one
#              frame, together every frame once, in order (mergecap of them reads as the input)
#   G          -G 2: one file per 2-second period the packets fall in (7: 0.5-2, 2-4, ... 12-12.4),
#              each holding only frames of its period, named by its start (strftime %S)
#   W          -W without -C/-G: exit 2, one line
#   CW         -C 10k -W 3: the last 3 files kept, the older ones deleted
#   GW         -G 2 -W 2: the last 2 periods kept
#   CGW        -C 10k -G 4 -W 4: a new file at each 4 s boundary and whenever 10k would be passed;
#              4 kept; none crosses a boundary nor passes 10k
#   foreign    a file of the pattern's name this run did not make survives the ring; a file
#              named like a ring file but replaced by another (new inode) is not deleted
#   pcapng     -C 10k --format pcapng: every file readable by tshark, with its own interface and
#              statistics blocks
#   post       --post-rotate gzip: every completed file gzip'd (FILE.gz), none left plain
#   replay     every file written replays cleanly (exit 0) through netprobe and capinfos
#   live       -G 1 on a live capture of lo (root only): files on second boundaries
# Usage: rotate.sh NETPROBE
set -u
np=${1:?usage: rotate.sh NETPROBE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}
python3 - "$tmp/in.pcap" <<'PY'
import struct, sys
t0 = 1790000000  # a multiple of 10
out = open(sys.argv[1], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
for i in range(120):
    us = 500000 + i * 100000
    payload = bytes([i]) * 472
    udp = struct.pack('!HHHH', 40000, 9, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 77, 0, 1]), bytes([10, 77, 0, 2])) + udp
    out.write(struct.pack('<IIII', t0 + us // 1000000, us % 1000000, len(ip), len(ip)) + ip)
PY
"$np" watch -r "$tmp/in.pcap" -q --no-summary >"$tmp/in.txt" 2>&1

count() { capinfos -c -M "$1" 2>/dev/null | awk '/Number of packets/{print $NF}'; }
# check_all DIR: each file replays cleanly; together, in name order, they are the input
check_all() {
	local d=$1 name=$2 f
	for f in "$d"/*; do
		[ -f "$f" ] || continue
		case $f in *.partial) bad "$name: $f left .partial"; continue ;; esac
		"$np" watch -r "$f" -q >/dev/null 2>&1 || bad "$name: $f does not replay (exit $?)"
	done
}
run() { # DIR ARGS...: netprobe watch -r in.pcap -w DIR/PATTERN ARGS
	local d=$1
	shift
	mkdir -p "$d"
	"$np" watch -r "$tmp/in.pcap" -q --no-summary "$@" >/dev/null 2>"$d.err"
}

# --- C -------------------------------------------------------------------------------------
run "$tmp/C" -w "$tmp/C/cap.pcap" -C 10k || bad "C: exit $?"
n=$(ls "$tmp/C" | wc -l)
# 24 + 120 x (16 + 500) = 61944 bytes; 19 frames (9828 bytes + 24) fit in 10240
[ "$n" -eq 7 ] && ok || bad "C: $n files, want 7"
big=0
for f in "$tmp"/C/*; do
	s=$(stat -c %s "$f")
	[ "$s" -le 10240 ] || big=1
done
[ $big -eq 0 ] && ok || bad "C: a file passes 10240 bytes"
[ "$(stat -c %s "$tmp/C/cap_00001.pcap")" -eq $((24 + 19 * 516)) ] && ok || bad "C: the first file is not 19 frames"
mergecap -a -w "$tmp/C.all" "$tmp"/C/cap_*.pcap && "$np" watch -r "$tmp/C.all" -q --no-summary 2>&1 | cmp -s - "$tmp/in.txt" &&
	ok || bad "C: the files together are not the input"
check_all "$tmp/C" C

# --- G -------------------------------------------------------------------------------------
run "$tmp/G" -w "$tmp/G/g-%H%M%S.pcap" -G 2 || bad "G: exit $?"
names=$(cd "$tmp/G" && ls | tr '\n' ' ')
want="g-141320_00001.pcap g-141322_00002.pcap g-141324_00003.pcap g-141326_00004.pcap g-141328_00005.pcap g-141330_00006.pcap g-141332_00007.pcap "
[ "$names" = "$want" ] && ok || bad "G: names '$names', want '$want'"
cnts=""
for f in "$tmp"/G/*; do cnts="$cnts$(count "$f") "; done
[ "$cnts" = "15 20 20 20 20 20 5 " ] && ok || bad "G: frames per file '$cnts', want '15 20 20 20 20 20 5 '"
bound=0
for f in "$tmp"/G/*; do
	# every frame of a file lies in one 2 s period, the one its name starts
	lo=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | head -1)
	hi=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | tail -1)
	start=$(date -u -d "@$(( ${lo%.*} / 2 * 2 ))" +%H%M%S)
	case $f in *"g-${start}_"*) ;; *) bound=1 ;; esac
	[ "$(( ${lo%.*} / 2 ))" -eq "$(( ${hi%.*} / 2 ))" ] || bound=1
done
[ $bound -eq 0 ] && ok || bad "G: a file crosses a 2 s boundary"
check_all "$tmp/G" G

# --- W alone ---------------------------------------------------------------------------------
"$np" watch -r "$tmp/in.pcap" -w "$tmp/x.pcap" -W 3 >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '' "$tmp/err")" -eq 1 ] && ok || bad "W: exit $rc, $(cat "$tmp/err")"
for args in "-C 0" "-C 10x" "-C 2000000" "-C 2T" "-G 0" "-W 0" "-C 10k -w -" "-C 10k -w /nonexistent/d/x.pcap"; do
	# shellcheck disable=SC2086
	"$np" watch -r "$tmp/in.pcap" -w "$tmp/y.pcap" $args >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(grep -c '' "$tmp/err")" -eq 1 ] && ok || bad "bad '$args': exit $rc, $(cat "$tmp/err")"
done

# --- CW, GW, CGW -------------------------------------------------------------------------------
run "$tmp/CW" -w "$tmp/CW/cap.pcap" -C 10k -W 3 || bad "CW: exit $?"
[ "$(cd "$tmp/CW" && ls | tr '\n' ' ')" = "cap_00005.pcap cap_00006.pcap cap_00007.pcap " ] && ok ||
	bad "CW: kept '$(ls "$tmp/CW" | tr '\n' ' ')', want files 5-7"
check_all "$tmp/CW" CW
run "$tmp/GW" -w "$tmp/GW/g.pcap" -G 2 -W 2 || bad "GW: exit $?"
[ "$(cd "$tmp/GW" && ls | tr '\n' ' ')" = "g_00006.pcap g_00007.pcap " ] && ok ||
	bad "GW: kept '$(ls "$tmp/GW" | tr '\n' ' ')', want files 6-7"
run "$tmp/CGW" -w "$tmp/CGW/c.pcap" -C 10k -G 4 -W 4 || bad "CGW: exit $?"
total=0 big=0 cross=0
for f in "$tmp"/CGW/*; do
	[ "$(stat -c %s "$f")" -le 10240 ] || big=1
	lo=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | head -1)
	hi=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | tail -1)
	[ "$(( ${lo%.*} / 4 ))" -eq "$(( ${hi%.*} / 4 ))" ] || cross=1
	total=$((total + 1))
done
[ $total -eq 4 ] && [ $big -eq 0 ] && [ $cross -eq 0 ] && ok ||
	bad "CGW: $total files (want 4), too big: $big, crossing a boundary: $cross"
# 0.5-4 s: 35 frames (19 + 16), 4-8: 40 (19 + 19 + 2), 8-12: 40 (19 + 19 + 2), 12-12.4: 5 => 9 files
[ "$(cd "$tmp/CGW" && ls | tr '\n' ' ')" = "c_00006.pcap c_00007.pcap c_00008.pcap c_00009.pcap " ] && ok ||
	bad "CGW: kept '$(ls "$tmp/CGW" | tr '\n' ' ')', want files 6-9"
check_all "$tmp/CGW" CGW

# --- foreign ---------------------------------------------------------------------------------
# The capture comes through a pipe: the first 25 frames, then (once file 1 is complete) file 1
# is replaced by another file of the same name (a new inode), then the rest.
mkdir -p "$tmp/F"
echo mine >"$tmp/F/cap_00000.pcap"          # the pattern's name, not made by this run
echo keep >"$tmp/F/other.pcap"
python3 - "$tmp/in.pcap" "$tmp/F/cap_00001.pcap" <<'PY' |
import os, sys, time
data = open(sys.argv[1], 'rb').read()
cut = 24 + 25 * 516
sys.stdout.buffer.write(data[:cut]); sys.stdout.flush()
for _ in range(100):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
tmp = sys.argv[2] + '.copy'
open(tmp, 'wb').write(open(sys.argv[2], 'rb').read())
os.rename(tmp, sys.argv[2])
sys.stdout.buffer.write(data[cut:]); sys.stdout.flush()
PY
	"$np" watch -r - -q --no-summary -w "$tmp/F/cap.pcap" -C 10k -W 2 >/dev/null 2>"$tmp/F.err"
[ -f "$tmp/F/cap_00000.pcap" ] && [ -f "$tmp/F/other.pcap" ] && ok || bad "foreign: a file this run did not make was deleted"
[ -f "$tmp/F/cap_00001.pcap" ] && ok || bad "foreign: file 1, replaced by another, was deleted by the ring"
grep -q 'cap_00001.pcap is no longer the file netprobe made: left alone' "$tmp/F.err" && ok ||
	bad "foreign: no word on the replaced file: $(cat "$tmp/F.err")"
[ ! -e "$tmp/F/cap_00002.pcap" ] && [ -f "$tmp/F/cap_00007.pcap" ] && ok || bad "foreign: the ring did not work: $(ls "$tmp/F" | tr '\n' ' ')"

# --- pcapng ------------------------------------------------------------------------------------
run "$tmp/N" -w "$tmp/N/n.pcapng" -C 10k || bad "pcapng: exit $?"
good=0 all=0
for f in "$tmp"/N/*; do
	all=$((all + 1))
	capinfos "$f" 2>/dev/null | grep -q 'Number of stat entries = 1' && tshark -r "$f" >/dev/null 2>&1 && good=$((good + 1))
done
[ $all -ge 6 ] && [ $good -eq $all ] && ok || bad "pcapng: $good of $all files with their statistics block"
check_all "$tmp/N" pcapng

# --- post ----------------------------------------------------------------------------------
run "$tmp/P" -w "$tmp/P/p.pcap" -G 4 --post-rotate gzip || bad "post: exit $?"
[ "$(ls "$tmp/P" | grep -c '\.pcap\.gz$')" -eq 4 ] && [ "$(ls "$tmp/P" | grep -c '\.pcap$')" -eq 0 ] && ok ||
	bad "post: $(ls "$tmp/P" | tr '\n' ' ')"
for f in "$tmp"/P/*.gz; do "$np" watch -r "$f" -q >/dev/null 2>&1 || bad "post: $f does not replay"; done

# --- live ----------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v timeout >/dev/null; then
	mkdir -p "$tmp/L"
	"$np" watch -i lo -q --duration 3.5 -w "$tmp/L/l.pcap" -G 1 udp port 9 >/dev/null 2>"$tmp/L.err" &
	pid=$!
	sleep 0.5
	for _ in $(seq 1 30); do echo x >/dev/udp/127.0.0.1/9 2>/dev/null; sleep 0.1; done
	wait $pid
	rc=$?
	n=$(ls "$tmp/L" | wc -l)
	cross=0
	for f in "$tmp"/L/*; do
		lo=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | head -1)
		hi=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | tail -1)
		[ "${lo%.*}" = "${hi%.*}" ] || cross=1
	done
	[ $rc -eq 0 ] && [ "$n" -ge 3 ] && [ $cross -eq 0 ] && ok || bad "live: exit $rc, $n files, crossing: $cross $(cat "$tmp/L.err")"
	check_all "$tmp/L" live
fi

echo "rotate: $pass passed, $fail failed"
[ $fail -eq 0 ]
