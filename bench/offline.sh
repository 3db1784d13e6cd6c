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
#                   [--tshark-count N]
# --tshark-count N: tshark reads only the first N frames of each capture (-c N), for a machine
# too busy to wait for it; every ratio compares costs per frame, so it stays meaningful (tshark's
# cost per frame grows with the capture: a prefix flatters tshark, not netprobe).
set -u
export TZ=UTC LC_ALL=C

usage() {
	sed -n '/^# Usage:/,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}

np='' loop='' runs=5 slow_runs=1 tmo=900 tshark=1 only='' tcount=0
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
# Whether tool $2 runs on capture $1 (tshark not on mixedw: its cost does not depend on that).
runs_on() {
	case $1:$2 in mixedw:tshark_*) return 1 ;; esac
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
	echo "${cmd[*]}"
}

# Median of the numbers on stdin (mean of the middle two for an even count).
median() {
	sort -n | awk '{v[NR] = $1} END {if (NR == 0) exit 1; m = int((NR + 1) / 2);
		if (NR % 2) printf "%.6f\n", v[m]; else printf "%.6f\n", (v[m] + v[m + 1]) / 2}'
}

TIMEFORMAT='%3R %3U %3S'
declare -A wall=() cpu=() wmin=() wmax=() rss=() nruns=() frames=() fbytes=()
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
		n=$runs
		case $t in tshark_*) n=$slow_runs ;; esac
		case $cap:$t in flood15:tcpdump_*) n=$slow_runs ;; esac
		set_cmd "$t" "$f"
		: >"$tmp/walls" && : >"$tmp/cpus" && : >"$tmp/rsss"
		for ((r = 1; r <= n; r++)); do
			{ time timeout -s INT -k 10 "$tmo" /usr/bin/time -f %M -o "$tmp/rss" "${cmd[@]}" \
				>/dev/null 2>"$tmp/err"; } 2>"$tmp/time"
			rc=$?
			if [ $rc -ne 0 ]; then
				echo "offline.sh: FAILED (exit $rc) on $cap: ${cmd[*]}" >&2
				tail -n 5 "$tmp/err" >&2
				fail=1
				break
			fi
			read -r w u sy <"$tmp/time" # seconds, 3 decimals
			echo "$w" >>"$tmp/walls"
			awk -v u="$u" -v s="$sy" 'BEGIN {printf "%.3f\n", u + s}' >>"$tmp/cpus"
			tail -n 1 "$tmp/rss" >>"$tmp/rsss" # KiB
		done
		[ $rc -ne 0 ] && continue
		wall[$cap:$t]=$(median <"$tmp/walls" | awk '{printf "%.3f", $1}')
		cpu[$cap:$t]=$(median <"$tmp/cpus" | awk '{printf "%.3f", $1}')
		wmin[$cap:$t]=$(sort -n "$tmp/walls" | head -n1 | awk '{printf "%.3f", $1}')
		wmax[$cap:$t]=$(sort -n "$tmp/walls" | tail -n1 | awk '{printf "%.3f", $1}')
		rss[$cap:$t]=$(median <"$tmp/rsss" | awk '{printf "%.1f", $1 / 1024}')
		nruns[$cap:$t]=$n
		echo "offline.sh: $cap $t: CPU ${cpu[$cap:$t]} s, wall ${wall[$cap:$t]} s, ${rss[$cap:$t]} MiB (median of $n)" >&2
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---
ver_np=$("$np" --version 2>&1 | head -n1)
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
