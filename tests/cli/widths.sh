#!/usr/bin/env bash
# What fits an 80-column terminal (no root needed). Under a pseudo-terminal (script(1)) of a
# given size, with TZ=UTC NO_COLOR=1:
#   q-80        watch -q on every bundled IPv4 capture: every packet line is at most 80
#               columns (the event lines, "⇒", are not packet lines and are not checked);
#   ladder-80   watch --ladder on every bundled TCP capture in an 80-column terminal: every
#               line of every diagram is at most 80 columns and each state name is whole
#               (SYN-RECEIVED never broken, as it was at 86);
#   ladder-200  in a 200-column terminal the diagram is the width it always had (86), the
#               same text as when output is not a terminal;
#   not-a-tty   to a pipe with COLUMNS=80 exported, the diagram is 86 wide all the same (saved
#               output does not depend on the terminal), and --width 80 gives the 80-column
#               form of the terminal (the goldens *-ladder-80 hold that form);
#   refused     --width outside 60-200, and -q with --json or --events: exit 2, one line.
# Columns are counted as characters (the arrows "→" and "⇒" are one column each).
# Usage: widths.sh NETPROBE
set -u
np=${1:?usage: widths.sh NETPROBE}
top=$(cd "$(dirname "$0")/../.." && pwd)
pcaps=$top/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v script >/dev/null || { echo "FAIL: script(1) (util-linux) is needed"; exit 1; }
export TZ=UTC NO_COLOR=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# in_tty COLS OUT ARGS...: run netprobe ARGS under a COLS-wide pseudo-terminal, stdout to OUT
# (carriage returns removed), bounded by timeout.
in_tty() {
	local cols=$1 out=$2 cmd a
	shift 2
	cmd="stty cols $cols rows 50; exec $(printf '%q' "$np")"
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	timeout -k 2 20 script -qec "$cmd" /dev/null </dev/null 2>&1 | tr -d '\r' >"$out"
}
# widest FILE [REGEX-TO-SKIP]: the widest line, in characters.
widest() {
	python3 -c 'import sys
skip = sys.argv[2] if len(sys.argv) > 2 else None
import re
w = [len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8") if not (skip and re.search(skip, l))]
print(max(w or [0]))' "$@"
}

for f in "$pcaps"/*.pcap; do
	b=$(basename "$f" .pcap)
	# teredo: IPv6 inside; macsec-enc: nothing past the MAC addresses is readable.
	case $b in *ipv6* | icmp6* | 6in4* | teredo* | macsec-enc*) continue ;; esac
	in_tty 80 "$tmp/$b.q" watch -q --no-summary -r "$f"
	# The promise is for IPv4 lines: event lines, IPv6 packets (csum-offload-veth has both
	# families) and frames cut before any address (MAC addresses: eth-cut-header) may be longer.
	skip='⇒|::|([0-9a-f]+:){3}'
	w=$(widest "$tmp/$b.q" "$skip")
	n=$(grep -Evc "$skip" "$tmp/$b.q")
	if [ "$n" -gt 0 ] && [ "$w" -le 80 ]; then ok "q-80 $b: $n packet lines, widest $w"
	else ko "q-80 $b: $n packet lines, widest $w columns: $(grep -Ev "$skip" "$tmp/$b.q" | awk 'length > 80' | head -2)"; fi
done

for f in "$pcaps"/tcp-*.pcap; do
	b=$(basename "$f" .pcap)
	in_tty 80 "$tmp/$b.l" watch --ladder --events --no-summary -r "$f"
	sed -n '/ ladder: /,/^$/p' "$tmp/$b.l" >"$tmp/$b.lad"
	w=$(widest "$tmp/$b.lad")
	if [ -s "$tmp/$b.lad" ] && [ "$w" -le 80 ]; then ok "ladder-80 $b: widest $w"
	else ko "ladder-80 $b: widest $w columns, want <= 80 (or no diagram)"; fi
done
if grep -q '|  SYN-RECEIVED$' "$tmp/tcp-handshake-data-teardown.lad"; then
	ok "ladder-80: SYN-RECEIVED whole at the end of its line"
else
	ko "ladder-80: no whole SYN-RECEIVED: $(grep -n 'SYN-RE' "$tmp/tcp-handshake-data-teardown.lad")"
fi

hs=$pcaps/tcp-handshake-data-teardown.pcap
in_tty 200 "$tmp/wide" watch --ladder --no-summary -r "$hs"
"$np" watch --ladder --no-summary -r "$hs" >"$tmp/pipe" 2>&1
COLUMNS=80 "$np" watch --ladder --no-summary -r "$hs" >"$tmp/pipe80" 2>&1
w=$(sed -n '/ ladder: /,/^$/p' "$tmp/pipe" | python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in sys.stdin))')
[ "$w" -eq 86 ] && ok "not-a-tty: the diagram is 86 wide" || ko "not-a-tty: the diagram is $w wide, want 86"
cmp -s "$tmp/wide" "$tmp/pipe" && ok "ladder-200: as to a pipe" ||
	ko "ladder-200: differs from the output to a pipe: $(diff "$tmp/wide" "$tmp/pipe" | head -4)"
cmp -s "$tmp/pipe80" "$tmp/pipe" && ok "not-a-tty: COLUMNS=80 changes nothing" ||
	ko "not-a-tty: COLUMNS=80 changed the output"
in_tty 80 "$tmp/tty80" watch --ladder --no-summary -r "$hs"
"$np" watch --ladder --no-summary --width 80 -r "$hs" >"$tmp/w80" 2>&1
cmp -s "$tmp/tty80" "$tmp/w80" && ok "--width 80 == an 80-column terminal" ||
	ko "--width 80 differs from an 80-column terminal: $(diff "$tmp/tty80" "$tmp/w80" | head -4)"
# Refused, with status 2 and one line: widths out of range, -q where no packet line is printed.
for args in "--width 59" "--width 201" "--width 8x" "-q --json" "-q --events"; do
	# shellcheck disable=SC2086
	"$np" watch -r "$hs" $args >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/bad.out" ] && [ "$(grep -c . "$tmp/bad.err")" -eq 1 ]; then
		ok "refused: $args ($(cat "$tmp/bad.err"))"
	else
		ko "$args: exit $rc, stderr: $(head -c 200 "$tmp/bad.err")"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
