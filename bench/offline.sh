#!/usr/bin/env bash
# offline.sh - offline decode benchmark: netprobe `watch -r` (text, -v, --json, --events) beside
# tcpdump, tshark and a bare libpcap read loop (the floor) on the same captures, in one run, so
# that the ratios compare numbers measured minutes apart on the same machine and load.
#
# Every command: stdout to /dev/null, stderr kept (shown if it fails), TZ=UTC and LC_ALL=C in the
# environment (without TZ glibc re-reads the zone file for each timestamp tcpdump prints), wall
# time and CPU time (user + system, of the command and its children) from bash's `time`, peak RSS
# from GNU time (%M), bounded by `timeout`. Median of --runs runs (--slow-runs for tshark, and for
# tcpdump on the /15 flood, which take tens of seconds a run). The ratios are computed from CPU
# time, which a busy machine disturbs far less than wall time (a process waiting for a core
# accrues none); the wall-time ratios are shown beside them. Times below bash's 1 ms
# resolution count as 1 ms. Prints a Markdown report on stdout; exits 1 if any command fails or
# any number is missing.
#
# mixedw (--mixed-wide) is the mixed traffic with IPv4 addresses spread over the whole space
# (gen_mixed -w): tcpdump's address-string cache hashes the first 12 bits of an address, so
# every 10.77.x.x address of the mixed capture lands in one bucket; tshark is not run on it.
#
# Usage: offline.sh --netprobe NP --loop PCAP_LOOP --mixed FILE [--mixed-wide FILE]
#                   [--flood FILE] [--flood15 FILE] [--runs N] [--slow-runs M] [--timeout S]
#                   [--no-tshark] [--tools "bare np_text np_v np_json np_events np_A tcpdump_n ..."]
#                   [--tshark-count N] [--base NP_OLD]
# --tshark-count N: tshark reads only the first N frames of each capture (-c N), for a machine
# too busy to wait for it; every ratio compares costs per frame, so it stays meaningful (tshark's
# cost per frame grows with the capture: a prefix flatters tshark, not netprobe).
# --base NP_OLD: a netprobe built from another commit (bench/run --base REV builds one); its text,
# -v and --json runs on mixed alternate with this netprobe's, and a table gives this netprobe's
# CPU time over the other's (the median and the fastest run of each).
set -u
export TZ=UTC LC_ALL=C

usage() {
	sed -n '/^# Usage:/,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}

np='' loop='' runs=5 slow_runs=1 tmo=900 tshark=1 only='' tcount=0 base=''
declare -A capfile=()
caps=()
while [ $# -gt 0 ]; do
	case $1 in
	--netprobe) np=${2:?}; shift 2 ;;
	--loop) loop=${2:?}; shift 2 ;;
	--mixed | --flood | --flood15) caps+=("${1#--}"); capfile[${1#--}]=${2:?}; shift 2 ;;
	--mixed-wide) caps+=(mixedw); capfile[mixedw]=${2:?}; shift 2 ;;
	--tools) only=${2:?}; shift 2 ;;
	--tshark-count) tcount=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	--runs) runs=${2:?}; shift 2 ;;
	--slow-runs) slow_runs=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--no-tshark) tshark=0; shift ;;
	-h | --help) usage 0 ;;
	*) echo "offline.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$np" ] && [ -n "$loop" ] && [ -n "${capfile[mixed]:-}" ] || usage
[[ $tcount =~ ^[0-9]+$ ]] || { echo "offline.sh: bad --tshark-count '$tcount'" >&2; exit 2; }
for n in "$runs" "$slow_runs" "$tmo"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "offline.sh: '$n' is not a positive number" >&2; exit 2; }
done
need=("$np" "$loop" /usr/bin/time tcpdump timeout)
[ -n "$base" ] && need+=("$base")
[ $tshark = 1 ] && need+=(tshark)
for c in "${need[@]}"; do
	command -v "$c" >/dev/null || { echo "offline.sh: '$c' not found" >&2; exit 2; }
done
/usr/bin/time -f %M -o /dev/null true 2>/dev/null || { echo "offline.sh: GNU time needed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

tools=(bare np_text np_v np_json np_events np_A tcpdump_n tcpdump_nnv tcpdump_A)
[ $tshark = 1 ] && tools+=(tshark_n tshark_json)
if [ -n "$only" ]; then
	for t in $only; do
		case " ${tools[*]} " in *" $t "*) ;; *) echo "offline.sh: unknown tool '$t' (${tools[*]})" >&2; exit 2 ;; esac
	done
	read -r -a tools <<<"$only"
fi
# --base: the other build's twin of each of netprobe's text, -v and --json runs.
if [ -n "$base" ]; then
	for m in text v json; do
		case " ${tools[*]} " in *" np_$m "*) tools+=("base_$m") ;; esac
	done
fi
# Whether tool $2 runs on capture $1 (tshark not on mixedw: its cost does not depend on that;
# the --base build only on mixed).
runs_on() {
	case $1:$2 in mixedw:tshark_*) return 1 ;; mixed:base_*) ;; *:base_*) return 1 ;; esac
	case " ${tools[*]} " in *" $2 "*) return 0 ;; esac
	return 1
}

# The command of tool $1 on file $2, into the array `cmd`.
set_cmd() {
	case $1 in
	bare) cmd=("$loop" "$2") ;;
	np_text) cmd=("$np" watch -r "$2") ;;
	np_v) cmd=("$np" watch -r "$2" -v) ;;
	np_json) cmd=("$np" watch -r "$2" --json) ;;
	np_events) cmd=("$np" watch -r "$2" --events) ;;
	base_text) cmd=("$base" watch -r "$2") ;;
	base_v) cmd=("$base" watch -r "$2" -v) ;;
	base_json) cmd=("$base" watch -r "$2" --json) ;;
	np_A) cmd=("$np" watch -r "$2" -A) ;;
	tcpdump_n) cmd=(tcpdump -n -r "$2") ;;
	tcpdump_nnv) cmd=(tcpdump -nn -v -r "$2") ;;
	tcpdump_A) cmd=(tcpdump -n -A -r "$2") ;;
	tshark_n) cmd=(tshark -n -r "$2") ;;
	tshark_json) cmd=(tshark -T json -r "$2") ;;
	esac
	case $1 in tshark_*) [ "$tcount" -gt 0 ] && cmd=("${cmd[@]:0:${#cmd[@]}-2}" -c "$tcount" -r "$2") ;; esac
}
# The command as shown in the table: program name and capture name only.
show_cmd() {
	set_cmd "$1" "$2.pcap"
	cmd[0]=${cmd[0]##*/}
	case $1 in base_*) cmd[0]="${cmd[0]} (--base)" ;; esac
	echo "${cmd[*]}"
}

# Median of the numbers on stdin (mean of the middle two for an even count).
median() {
	sort -n | awk '{v[NR] = $1} END {if (NR == 0) exit 1; m = int((NR + 1) / 2);
		if (NR % 2) printf "%.6f\n", v[m]; else printf "%.6f\n", (v[m] + v[m + 1]) / 2}'
}

TIMEFORMAT='%3R %3U %3S'
declare -A wall=() cpu=() cmin=() wmin=() wmax=() rss=() nruns=() frames=() fbytes=()

# One run of tool $2 on capture $1 (file $3): its wall time, CPU time and peak RSS appended to
# the tool's files in $tmp. Status 1 (reported) when the command fails.
run_once() {
	local k=$1.$2 rc w u sy
	set_cmd "$2" "$3"
	{ time timeout -s INT -k 10 "$tmo" /usr/bin/time -f %M -o "$tmp/rss" "${cmd[@]}" \
		>/dev/null 2>"$tmp/err"; } 2>"$tmp/time"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "offline.sh: FAILED (exit $rc) on $1: ${cmd[*]}" >&2
		tail -n 5 "$tmp/err" >&2
		return 1
	fi
	read -r w u sy <"$tmp/time" # seconds, 3 decimals
	echo "$w" >>"$tmp/$k.walls"
	awk -v u="$u" -v s="$sy" 'BEGIN {printf "%.3f\n", u + s}' >>"$tmp/$k.cpus"
	tail -n 1 "$tmp/rss" >>"$tmp/$k.rsss" # KiB
}

# The medians (and extremes) of tool $2's $3 runs on capture $1, into the tables.
summarise() {
	local k=$1:$2 b=$tmp/$1.$2
	wall[$k]=$(median <"$b.walls" | awk '{printf "%.3f", $1}')
	cpu[$k]=$(median <"$b.cpus" | awk '{printf "%.3f", $1}')
	cmin[$k]=$(sort -n "$b.cpus" | head -n1 | awk '{printf "%.3f", $1}')
	wmin[$k]=$(sort -n "$b.walls" | head -n1 | awk '{printf "%.3f", $1}')
	wmax[$k]=$(sort -n "$b.walls" | tail -n1 | awk '{printf "%.3f", $1}')
	rss[$k]=$(median <"$b.rsss" | awk '{printf "%.1f", $1 / 1024}')
	nruns[$k]=$3
	echo "offline.sh: $1 $2: CPU ${cpu[$k]} s, wall ${wall[$k]} s, ${rss[$k]} MiB (median of $3)" >&2
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')

for cap in "${caps[@]}"; do
	f=${capfile[$cap]}
	if ! "$loop" "$f" 2>"$tmp/loop.err" >/dev/null; then
		echo "offline.sh: cannot read $f: $(cat "$tmp/loop.err")" >&2
		exit 1
	fi
	frames[$cap]=$(awk '{print $1}' "$tmp/loop.err")
	fbytes[$cap]=$(stat -c %s "$f")
	for t in "${tools[@]}"; do
		runs_on "$cap" "$t" || continue
		case $t in base_*) continue ;; esac # measured beside their np_ twin, below
		n=$runs
		case $t in tshark_*) n=$slow_runs ;; esac
		case $cap:$t in flood15:tcpdump_*) n=$slow_runs ;; esac
		# --base: the other build's run alternates with this one's, so that both see the
		# same load.
		pair=''
		case $t in np_text | np_v | np_json) runs_on "$cap" "base_${t#np_}" && pair=base_${t#np_} ;; esac
		ok=1
		for ((r = 1; r <= n; r++)); do
			run_once "$cap" "$t" "$f" || { ok=0; break; }
			if [ -n "$pair" ]; then run_once "$cap" "$pair" "$f" || { ok=0; break; }; fi
		done
		[ $ok = 1 ] || { fail=1; continue; }
		summarise "$cap" "$t" "$n"
		[ -n "$pair" ] && summarise "$cap" "$pair" "$n"
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---
ver_np=$("$np" --version 2>&1 | head -n1)
[ -n "$base" ] && ver_np="$ver_np (--base: $("$base" --version 2>&1 | head -n1))"
ver_tcpdump=$(tcpdump --version 2>&1 | head -n1)
ver_libpcap=$(tcpdump --version 2>&1 | sed -n 2p)
ver_tshark=$([ $tshark = 1 ] && tshark --version 2>/dev/null | head -n1 || echo "not run")
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)

label() {
	case $1 in
	bare) echo "bare libpcap loop" ;;
	np_text) echo "netprobe text" ;;
	np_v) echo "netprobe -v" ;;
	np_json) echo "netprobe --json" ;;
	np_events) echo "netprobe --events" ;;
	base_text) echo "--base text" ;;
	base_v) echo "--base -v" ;;
	base_json) echo "--base --json" ;;
	np_A) echo "netprobe -A" ;;
	tcpdump_n) echo "tcpdump -n" ;;
	tcpdump_nnv) echo "tcpdump -nn -v" ;;
	tcpdump_A) echo "tcpdump -n -A" ;;
	tshark_n) echo "tshark -n" ;;
	tshark_json) echo "tshark -T json" ;;
	esac
}
# a / b with 2 decimals (times under 1 ms count as 1 ms), or "missing" (status 1).
ratio() {
	if [ -z "${1:-}" ] || [ -z "${2:-}" ]; then
		echo "missing"
		return 1
	fi
	awk -v a="$1" -v b="$2" 'BEGIN {if (a < 0.001) a = 0.001; if (b < 0.001) b = 0.001;
		printf "%.2f×\n", a / b}'
}
nframes() { # frames tool $2 reads from capture $1
	case $2 in
	tshark_*) [ "$tcount" -gt 0 ] && [ "$tcount" -lt "${frames[$1]}" ] && { echo "$tcount"; return; } ;;
	esac
	echo "${frames[$1]}"
}
perframe() { # CPU (or, with a third argument, wall) ns per frame of cap:tool
	local c=${cpu[$1:$2]:-}
	[ -n "${3:-}" ] && c=${wall[$1:$2]:-}
	[ -n "$c" ] || return 1
	awk -v c="$c" -v n="$(nframes "$1" "$2")" 'BEGIN {if (c < 0.001) c = 0.001; printf "%.0f\n", c * 1e9 / n}'
}

echo "## Offline decode, $date_start"
echo
echo "- Machine: $(nproc) CPUs ($cpu_model), $(uname -sr); load average (1/5/15 min) $load_start at the start, $load_end at the end."
echo "- Versions: $ver_np; $ver_tcpdump, $ver_libpcap; ${ver_tshark%.}."
echo "- Every command with TZ=UTC LC_ALL=C, stdout to /dev/null; median of $runs runs (tshark, and tcpdump on flood15: $slow_runs) of CPU time (user + system) and of wall time (min–max beside it); ns/frame from the CPU time; peak RSS (GNU time %M) median."
[ "$tcount" -gt 0 ] && [ $tshark = 1 ] && echo "- tshark read only the first $tcount frames of each capture (\`-c $tcount\`): its rows and ratios are per frame of that prefix."
for cap in "${caps[@]}"; do
	echo "- $cap.pcap: ${frames[$cap]} frames, $(awk -v b="${fbytes[$cap]}" 'BEGIN {printf "%.1f", b / 1048576}') MiB."
done
echo
echo "| capture | command | runs | CPU s | wall s | wall min–max s | CPU ns/frame | peak RSS MiB |"
echo "|---|---|--:|--:|--:|--:|--:|--:|"
for cap in "${caps[@]}"; do
	for t in "${tools[@]}"; do
		runs_on "$cap" "$t" || continue
		k=$cap:$t
		if [ -z "${wall[$k]:-}" ]; then
			echo "| $cap | \`$(show_cmd "$t" "$cap")\` | | FAILED | | | | |"
			continue
		fi
		echo "| $cap | \`$(show_cmd "$t" "$cap")\` | ${nruns[$k]} | ${cpu[$k]} | ${wall[$k]} | ${wmin[$k]}–${wmax[$k]} | $(perframe "$cap" "$t") | ${rss[$k]} |"
	done
done
echo
echo "Ratios from this run: of CPU time per frame (medians), with the wall-time ratio in parentheses (higher means netprobe is faster, except where the row says otherwise):"
echo
echo "| ratio | $(printf '%s | ' "${caps[@]}")target |"
echo "|---|$(printf -- '--:|%.0s' "${caps[@]}")---|"
row() { # NAME TARGET NUM_TOOL DEN_TOOL
	local line="| $1 |" c v w
	runs_on mixed "$3" && runs_on mixed "$4" || return 0 # not asked for
	for c in "${caps[@]}"; do
		if ! runs_on "$c" "$3" || ! runs_on "$c" "$4"; then
			line+=" — |"
			continue
		fi
		v=$(ratio "$(perframe "$c" "$3")" "$(perframe "$c" "$4")") || fail=1
		w=$(ratio "$(perframe "$c" "$3" wall)" "$(perframe "$c" "$4" wall)") || fail=1
		line+=" $v (wall $w) |"
	done
	echo "$line $2 |"
}
row "tcpdump -n / netprobe text" "≥ 4× (mixed)" tcpdump_n np_text
row "tcpdump -nn -v / netprobe -v" "" tcpdump_nnv np_v
row "tcpdump -n -A / netprobe -A" "" tcpdump_A np_A
if [ $tshark = 1 ]; then
	row "tshark -n / netprobe text" "" tshark_n np_text
	row "tshark -T json / netprobe --json" "≥ 50×" tshark_json np_json
fi
row "netprobe text / bare loop (lower is better)" "≤ 2× (mixed)" np_text bare
row "netprobe --json / bare loop (lower is better)" "" np_json bare
if [ -n "$base" ]; then
	echo
	echo "This netprobe against --base on mixed.pcap, their runs alternating (CPU time per frame; lower is better, the target is ≤ 1.05×):"
	echo
	echo "| output | --base CPU s (median / fastest) | this CPU s (median / fastest) | this / --base, median | this / --base, fastest |"
	echo "|---|--:|--:|--:|--:|"
	for m in text v json; do
		runs_on mixed "np_$m" || continue
		a=mixed:base_$m b=mixed:np_$m
		if [ -z "${cpu[$a]:-}" ] || [ -z "${cpu[$b]:-}" ]; then
			echo "| $(label "np_$m") | | | missing | missing |"
			fail=1
			continue
		fi
		echo "| $(label "np_$m") | ${cpu[$a]} / ${cmin[$a]} | ${cpu[$b]} / ${cmin[$b]} | $(ratio "${cpu[$b]}" "${cpu[$a]}") | $(ratio "${cmin[$b]}" "${cmin[$a]}") |"
	done
fi
for cap in "${caps[@]}"; do
	case $cap in mixed | mixedw) continue ;; esac
	echo
	echo "CPU cost per frame of $cap.pcap over mixed.pcap (lower is better; target ≤ 1.5× with tracking on), and peak RSS on $cap.pcap (target ≤ 64 MiB):"
	echo
	echo "| command | CPU ns/frame mixed | CPU ns/frame $cap | ratio | peak RSS MiB on $cap |"
	echo "|---|--:|--:|--:|--:|"
	for t in np_text np_v np_json np_events tcpdump_n tshark_n; do
		runs_on mixed "$t" || continue
		a=$(perframe mixed "$t") && b=$(perframe "$cap" "$t") || { fail=1; continue; }
		echo "| $(label "$t") | $a | $b | $(ratio "$b" "$a") | ${rss[$cap:$t]} |"
	done
done
exit $fail
