#!/usr/bin/env bash
# follow_mem.sh - peak RSS and time of `netprobe follow` and `watch -A` on big synthetic captures
# (issue 13: reassembly memory stays flat; a SYN flood or a million conversations do not grow
# it), and follow's speed beside tshark -z follow on a prefix. Offline only.
# Usage: bench/follow_mem.sh NETPROBE GEN_MIXED GEN_SYNFLOOD GEN_STREAMS WORKDIR
# Writes the captures to WORKDIR (about 16 GB: mixed 1M and 10M frames, a 1M-SYN flood,
# 100k short conversations in progress at once, 1M short conversations with payload 1,000 at
# once and all open at once) and deletes them at the end.
set -euo pipefail
np=$1 gen=$2 flood=$3 streams=$4 dir=$5
mkdir -p "$dir"
trap 'rm -f "$dir"/fm-*.pcap' EXIT
export TZ=UTC LC_ALL=C
# run LABEL CMD...: one row: label, wall s, CPU s, peak RSS MiB
run() {
	local label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$dir/fm-time" "$@" >/dev/null 2>"$dir/fm-err" ||
		{ echo "FAILED: $*" >&2; cat "$dir/fm-err" >&2; exit 1; }
	read -r wall user sys rss <"$dir/fm-time"
	printf '| %s | `%s` | %.2f | %.2f | %.1f |\n' "$label" "${*#"$np "}" "$wall" \
		"$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
}
[ -s "$dir/fm-mixed1m.pcap" ] || "$gen" -o "$dir/fm-mixed1m.pcap" -n 1000000 >/dev/null
[ -s "$dir/fm-mixed10m.pcap" ] || "$gen" -o "$dir/fm-mixed10m.pcap" -n 10000000 >/dev/null
[ -s "$dir/fm-flood.pcap" ] || "$flood" -o "$dir/fm-flood.pcap" -n 1000000 >/dev/null
# 100,000 short conversations with payload in progress at once (gen_mixed's most)
[ -s "$dir/fm-conc100k.pcap" ] || "$gen" -o "$dir/fm-conc100k.pcap" -n 4000000 -c 100000 >/dev/null
# 1,000,000 short conversations, each SYN, SYN/ACK, ACK, a 32-byte request, a 64-byte answer,
# FIN, FIN, ACK: 1,000 in progress at once, and all 1,000,000 open at once (every SYN first)
[ -s "$dir/fm-short1m.pcap" ] || "$streams" -o "$dir/fm-short1m.pcap" -n 1000000 -c 1000 >/dev/null
[ -s "$dir/fm-open1m.pcap" ] || "$streams" -o "$dir/fm-open1m.pcap" -n 1000000 -c 1000000 >/dev/null
echo "| capture | command | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|---|"
for c in mixed1m mixed10m flood conc100k short1m open1m; do
	f=$dir/fm-$c.pcap
	run "$c" "$np" follow -r "$f" --format json
	run "$c" "$np" watch -r "$f" -A
done
# The short conversations with small caps; what the caps cost (follow's stderr)
for c in short1m open1m; do
	run "$c" "$np" follow -r "$dir/fm-$c.pcap" --format json --reasm-mem 16M --buffer-mem 16M \
		--max-conv 8192
	echo "  $c, small caps: $(grep 'caps reached' "$dir/fm-err" || echo 'no cap reached')"
done
# follow's speed beside tshark's on the first 200,000 frames of the mixed capture
editcap -r "$dir/fm-mixed1m.pcap" "$dir/fm-prefix.pcap" 1-200000 2>/dev/null
run prefix200k "$np" follow -r "$dir/fm-prefix.pcap" 1 --format raw --dir server
run prefix200k tshark -n -r "$dir/fm-prefix.pcap" -q -z follow,tcp,raw,0
run prefix200k "$np" follow -r "$dir/fm-prefix.pcap" --format json
run prefix200k tcpdump -n -A -r "$dir/fm-prefix.pcap"
run prefix200k "$np" watch -r "$dir/fm-prefix.pcap" -A
rm -f "$dir/fm-prefix.pcap"
