#!/usr/bin/env bash
# app_vs_tshark.sh - netprobe beside tshark on a capture that is mostly DNS, HTTP/1.1 and TLS
# (bench/gen_app.py: the application captures of pcaps/, copied onto distinct address pairs),
# where both decode the same layers (Ethernet, IP, TCP/UDP, DNS, HTTP, TLS; TCP reassembly of
# messages over several segments, request/response pairing). In one run, so that the ratios
# compare numbers measured under the same load: the commands take turns, one run of each per
# round (netprobe text, -v, --json, tshark -n, -V, -T json, -T fields, and with --base an older
# netprobe's text, -v and --json right after this one's).
#
# Every command: stdout to /dev/null, TZ=UTC LC_ALL=C, bounded by `timeout`, CPU time (user +
# system) and wall time from bash's `time`, peak RSS from GNU time. Medians, and the fastest
# run (the steadier figure on a shared machine); ratios of CPU time per frame. Prints a Markdown
# report on stdout; exits 1 if any command fails.
#
# Usage: app_vs_tshark.sh --netprobe NP [--capture FILE | --frames N] [--runs N]
#                         [--tshark-runs M] [--tshark-count N] [--base NP_OLD] [--timeout S]
#   --capture FILE   measure this capture (default: gen_app.py writes --frames frames, 240000,
#                    into a temporary directory, deleted at the end)
#   --runs N         netprobe runs per command (5); --tshark-runs M for tshark's (3)
#   --tshark-count N tshark reads only the first N frames (-c N); ratios stay per frame
#   --base NP_OLD    also an older netprobe (e.g. from before the application decoders)
set -u
export TZ=UTC LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	sed -n '/^# Usage:/,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}
np='' cap='' frames=240000 runs=5 truns=3 tcount=0 base='' tmo=1800
while [ $# -gt 0 ]; do
	case $1 in
	--netprobe) np=${2:?}; shift 2 ;;
	--capture) cap=${2:?}; shift 2 ;;
	--frames) frames=${2:?}; shift 2 ;;
	--runs) runs=${2:?}; shift 2 ;;
	--tshark-runs) truns=${2:?}; shift 2 ;;
	--tshark-count) tcount=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "app_vs_tshark.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$np" ] || usage
for n in "$frames" "$runs" "$truns" "$tmo"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "app_vs_tshark.sh: '$n' is not a positive number" >&2; exit 2; }
done
[[ $tcount =~ ^[0-9]+$ ]] || { echo "app_vs_tshark.sh: bad --tshark-count '$tcount'" >&2; exit 2; }
need=("$np" tshark capinfos python3 timeout /usr/bin/time)
[ -n "$base" ] && need+=("$base")
for c in "${need[@]}"; do
	command -v "$c" >/dev/null || { echo "app_vs_tshark.sh: '$c' not found" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$cap" ]; then
	cap=$tmp/app.pcap
	echo "app_vs_tshark.sh: writing $frames frames with gen_app.py" >&2
	python3 "$here/gen_app.py" -o "$cap" -n "$frames" >"$tmp/gen.txt" ||
		{ echo "app_vs_tshark.sh: gen_app.py failed" >&2; exit 1; }
fi
[ -r "$cap" ] || { echo "app_vs_tshark.sh: cannot read $cap" >&2; exit 2; }
nframes=$(capinfos -M -c -T "$cap" 2>/dev/null | awk -F'\t' 'NR == 2 {print $2}')
[[ $nframes =~ ^[1-9][0-9]*$ ]] || { echo "app_vs_tshark.sh: capinfos cannot count $cap" >&2; exit 1; }

tc=()
[ "$tcount" -gt 0 ] && tc=(-c "$tcount")
fields=(-T fields -e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e udp.srcport
	-e udp.dstport -e dns.id -e dns.qry.name -e dns.qry.type -e dns.flags.rcode -e dns.a -e dns.aaaa
	-e http.request.method -e http.request.uri -e http.host -e http.response.code
	-e tls.handshake.type -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str)
tools=(np_text np_v np_json)
[ -n "$base" ] && tools+=(base_text base_v base_json)
tools+=(tshark_n tshark_V tshark_json tshark_fields)
set_cmd() {
	case $1 in
	np_text) cmd=("$np" watch -r "$cap") ;;
	np_v) cmd=("$np" watch -r "$cap" -v) ;;
	np_json) cmd=("$np" watch -r "$cap" --json) ;;
	base_text) cmd=("$base" watch -r "$cap") ;;
	base_v) cmd=("$base" watch -r "$cap" -v) ;;
	base_json) cmd=("$base" watch -r "$cap" --json) ;;
	tshark_n) cmd=(tshark -n "${tc[@]}" -r "$cap") ;;
	tshark_V) cmd=(tshark -n -V "${tc[@]}" -r "$cap") ;;
	tshark_json) cmd=(tshark -n -T json "${tc[@]}" -r "$cap") ;;
	tshark_fields) cmd=(tshark -n "${tc[@]}" -r "$cap" "${fields[@]}") ;;
	esac
}
label() {
	case $1 in
	tshark_fields) echo "tshark -n${tc[*]:+ ${tc[*]}} -r app.pcap -T fields -e frame.number … ($(((${#fields[@]} - 2) / 2)) fields: the addresses, ports and DNS/HTTP/TLS fields)" ;;
	*)
		set_cmd "$1"
		cmd[0]=${cmd[0]##*/}
		case $1 in base_*) cmd[0]="${cmd[0]} (--base)" ;; esac
		echo "${cmd[*]}" | sed "s|$cap|app.pcap|"
		;;
	esac
}
nfr() { # frames tool $1 reads
	case $1 in tshark_*) [ "$tcount" -gt 0 ] && [ "$tcount" -lt "$nframes" ] && { echo "$tcount"; return; } ;; esac
	echo "$nframes"
}

TIMEFORMAT='%3R %3U %3S'
fail=0
run_once() {
	local rc w u s
	set_cmd "$1"
	{ time timeout -s INT -k 10 "$tmo" /usr/bin/time -f %M -o "$tmp/rss" "${cmd[@]}" \
		>/dev/null 2>"$tmp/err"; } 2>"$tmp/time"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "app_vs_tshark.sh: FAILED (exit $rc): ${cmd[*]}" >&2
		tail -n 5 "$tmp/err" >&2
		return 1
	fi
	read -r w u s <"$tmp/time"
	echo "$w" >>"$tmp/$1.walls"
	awk -v u="$u" -v s="$s" 'BEGIN {printf "%.3f\n", u + s}' >>"$tmp/$1.cpus"
	tail -n 1 "$tmp/rss" >>"$tmp/$1.rsss"
	echo "app_vs_tshark.sh: $1 cpu $(tail -n 1 "$tmp/$1.cpus") s, wall $w s" >&2
}
median() {
	sort -n | awk '{v[NR] = $1} END {if (NR == 0) exit 1; m = int((NR + 1) / 2);
		if (NR % 2) printf "%.3f\n", v[m]; else printf "%.3f\n", (v[m] + v[m + 1]) / 2}'
}

load_start=$(uptime | sed 's/.*load average: //')
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
rounds=$((runs > truns ? runs : truns))
declare -A failed=()
for ((r = 1; r <= rounds; r++)); do
	for t in "${tools[@]}"; do
		case $t in tshark_*) [ $r -le "$truns" ] || continue ;; *) [ $r -le "$runs" ] || continue ;; esac
		[ -n "${failed[$t]:-}" ] && continue
		run_once "$t" || { failed[$t]=1; fail=1; }
	done
done
load_end=$(uptime | sed 's/.*load average: //')

declare -A cpu=() cmin=() wall=() rss=() n=()
for t in "${tools[@]}"; do
	[ -s "$tmp/$t.cpus" ] || continue
	cpu[$t]=$(median <"$tmp/$t.cpus")
	cmin[$t]=$(sort -n "$tmp/$t.cpus" | head -n 1)
	wall[$t]=$(median <"$tmp/$t.walls")
	rss[$t]=$(median <"$tmp/$t.rsss" | awk '{printf "%.1f", $1 / 1024}')
	n[$t]=$(wc -l <"$tmp/$t.cpus")
done
perframe() { # CPU ns per frame of tool $1 (median; "min" as $2: the fastest run)
	local c=${cpu[$1]:-}
	[ "${2:-}" = min ] && c=${cmin[$1]:-}
	[ -n "$c" ] || return 1
	awk -v c="$c" -v n="$(nfr "$1")" 'BEGIN {if (c < 0.001) c = 0.001; printf "%.0f\n", c * 1e9 / n}'
}
ratio() { # per-frame CPU of $1 over $2, median and fastest
	local a b c d
	a=$(perframe "$1") && b=$(perframe "$2") && c=$(perframe "$1" min) && d=$(perframe "$2" min) ||
		{ echo "missing | missing"; fail=1; return; }
	awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" 'BEGIN {printf "%.2f× | %.2f×\n", a / b, c / d}'
}

echo "## netprobe beside tshark on DNS/HTTP/TLS, $date_start"
echo
echo "- Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $(uname -sr); load average (1/5/15 min) $load_start at the start, $load_end at the end."
echo "- Versions: $("$np" --version 2>&1 | head -n1)$([ -n "$base" ] && echo " (--base: $("$base" --version 2>&1 | head -n1))"); $(tshark --version 2>/dev/null | head -n1 | sed "s/\.$//")."
echo "- Capture: $nframes frames, $(awk -v b="$(stat -c %s "$cap")" 'BEGIN {printf "%.1f", b / 1048576}') MiB$([ -s "$tmp/gen.txt" ] && echo " (\`gen_app.py -n $frames\`: $(tr '\n' ' ' <"$tmp/gen.txt" | sed 's/ $//'))")."
echo "- Every command with TZ=UTC LC_ALL=C, stdout to /dev/null; the commands take turns, one run of each per round; netprobe $runs runs, tshark $truns$([ "$tcount" -gt 0 ] && echo " (on the first $tcount frames, \`-c $tcount\`)"); CPU time = user + system."
echo
echo "| command | runs | CPU s median | CPU s fastest | wall s median | CPU ns/frame | peak RSS MiB |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for t in "${tools[@]}"; do
	if [ -z "${cpu[$t]:-}" ]; then
		echo "| \`$(label "$t")\` | | FAILED | | | | |"
		continue
	fi
	echo "| \`$(label "$t")\` | ${n[$t]} | ${cpu[$t]} | ${cmin[$t]} | ${wall[$t]} | $(perframe "$t") | ${rss[$t]} |"
done
echo
echo "tshark's CPU time per frame over netprobe's (higher means netprobe is faster):"
echo
echo "| ratio | median | fastest |"
echo "|---|--:|--:|"
echo "| tshark -n / netprobe text | $(ratio tshark_n np_text) |"
echo "| tshark -V / netprobe -v | $(ratio tshark_V np_v) |"
echo "| tshark -T json / netprobe --json | $(ratio tshark_json np_json) |"
echo "| tshark -T fields (DNS/HTTP/TLS fields) / netprobe --json | $(ratio tshark_fields np_json) |"
if [ -n "$base" ]; then
	echo
	echo "This netprobe over --base on the same capture (CPU per frame; lower is better):"
	echo
	echo "| output | median | fastest |"
	echo "|---|--:|--:|"
	for m in text v json; do echo "| $m | $(ratio "np_$m" "base_$m") |"; done
fi
exit $fail
