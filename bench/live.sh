#!/usr/bin/env bash
# live.sh - live capture benchmark (root only): tcpreplay pushes a capture through a veth pair
# at fixed rates and at top speed; on the far end netprobe, tcpdump and tshark capture in turn,
# and each one's own count of what it received and what the kernel dropped is reported.
#
#   namespace np-bench-PID-s              namespace np-bench-PID-r
#   vb-s 02:77:fe:00:00:01 ========== vb-r 02:77:fe:00:00:02
#   10.77.254.1/24                        10.77.254.2/24
#
# Both veth ends are created inside the two namespaces (nothing in the host namespace); IPv6 is
# disabled on them (no neighbour discovery or MLD chatter on the link), forwarding is off, and
# there is no route but the connected /24. The replayed frames are addressed to other MACs
# (02:77:44/66/00:...), so the receiving kernel drops them as "other host" right after the
# capture point: they never reach its IP layer (checked: Ip InReceives in the receiving
# namespace does not grow) and cannot be forwarded anywhere. Everything is deleted on exit (trap).
#
# For each capture, rate and tool: start the capturer in the receiving namespace (stdout to
# /dev/null, stderr kept), wait for the line saying it listens, replay with
# `tcpreplay -K -i vb-s --pps=RATE` (or --topspeed), wait until the capturer has been idle for a
# second (it has drained its ring), stop it with SIGINT, read its statistics from stderr.
# Every process runs under `timeout`.
#
# Tools: np (netprobe watch -i vb-r, tracking on, printing), np_w (the same with -w FILE),
#        np_f1, np_f2 (netprobe watch -i vb-r --fanout 1 / --fanout 2: the same work over 1 or
#        2 workers, behind the parent that merges their lines),
#        tcpdump (tcpdump -n -i vb-r), tcpdump_w (tcpdump -i vb-r -w FILE), tshark (tshark -n -i vb-r);
#        np_wB and tcpdump_wB: np_w and tcpdump_w with a 256 MiB kernel ring (-B 262144)
# The -w FILE is on the local disk (the temporary directory); after the run capinfos counts its
# frames, and the loss of a -w run is what never reached the file (netprobe also says how many
# frames its -w buffer could not take: "dropped by the -w writer").
# --np-args "ARGS" adds ARGS to every netprobe command (e.g. --json). At the end, for each
# capture and tool: the highest replay rate reached with nothing lost (kernel, veth or other).
#
# Senders: tcpreplay (the default), or with --blast PATH bench/blast (blast.c: the file loaded
# into memory, sendmmsg on an AF_PACKET socket, paced), which reaches rates tcpreplay does not
# on a small VM.
#
# Usage: live.sh --netprobe NP --capture NAME=FILE [--capture NAME=FILE...]
#                [--rates "100000 300000 1000000 top"] [--tools "np np_w tcpdump tcpdump_w tshark"]
#                (also np_wB tcpdump_wB np_f1 np_f2)
#                [--limit N] [--timeout S] [--blast PATH] [--np-args "ARGS"]
# Exit: 0 done, 1 a run failed or a number is missing, 2 usage, 77 not root.
set -u
export TZ=UTC LC_ALL=C

usage() {
	sed -n '/^# Usage:/,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-2}"
}

np='' rates="100000 300000 1000000 top" tools="np np_w tcpdump tcpdump_w tshark" limit=0 tmo=300
blast=''
npargs=()
caps=()
declare -A capfile=()
while [ $# -gt 0 ]; do
	case $1 in
	--netprobe) np=${2:?}; shift 2 ;;
	--capture) caps+=("${2%%=*}"); capfile[${2%%=*}]=${2#*=}; shift 2 ;;
	--rates) rates=${2:?}; shift 2 ;;
	--tools) tools=${2:?}; shift 2 ;;
	--limit) limit=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--blast) blast=${2:?}; shift 2 ;;
	--np-args) read -ra npargs <<<"${2:?}"; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "live.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$np" ] && [ ${#caps[@]} -gt 0 ] || usage
if [ "$(id -u)" -ne 0 ]; then
	echo "live.sh: needs root (network namespaces); skipped" >&2
	exit 77
fi
for c in "$np" ip tcpreplay tcpdump timeout capinfos; do
	command -v "$c" >/dev/null || { echo "live.sh: '$c' not found" >&2; exit 2; }
done
case " $tools " in *" tshark "*) command -v tshark >/dev/null || { echo "live.sh: tshark not found" >&2; exit 2; } ;; esac
for r in $rates; do
	[[ $r =~ ^([1-9][0-9]*|top)$ ]] || { echo "live.sh: bad rate '$r'" >&2; exit 2; }
done
case $np in /*) ;; *) np=$PWD/$np ;; esac
if [ -n "$blast" ]; then
	[ -x "$blast" ] || { echo "live.sh: '$blast' is not executable" >&2; exit 2; }
	sender=("$blast")
	sender_name=blast
else
	sender=(tcpreplay -K)
	sender_name=tcpreplay
fi

NS_S=np-bench-$$-s NS_R=np-bench-$$-r
MAC_S=02:77:fe:00:00:01 MAC_R=02:77:fe:00:00:02
tmp=$(mktemp -d /tmp/np-bench-live.XXXXXX)
created=()
pids=()

# forget PID: drop a reaped PID, so that cleanup never signals a PID the kernel may reuse.
forget() {
	local keep=() p
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

cleanup() {
	local p ns
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	for ns in "${created[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "live.sh: set-up step failed: $* : $out" >&2
		exit 1
	fi
}

# --- the namespace pair ---
for ns in "$NS_S" "$NS_R"; do
	step ip netns add "$ns"
	created+=("$ns")
	step ip -n "$ns" link set lo up
	step ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
	step ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	step ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
step ip -n "$NS_S" link add vb-s type veth peer name vb-r netns "$NS_R"
step ip -n "$NS_S" link set vb-s address "$MAC_S"
step ip -n "$NS_R" link set vb-r address "$MAC_R"
step ip -n "$NS_S" addr add 10.77.254.1/24 dev vb-s
step ip -n "$NS_R" addr add 10.77.254.2/24 dev vb-r
step ip -n "$NS_S" link set vb-s up
step ip -n "$NS_R" link set vb-r up
for ((i = 0; i < 50; i++)); do
	ip -n "$NS_R" link show vb-r | grep -q LOWER_UP && ip -n "$NS_S" link show vb-s | grep -q LOWER_UP && break
	sleep 0.1
done

# --- checks that nothing can leave the pair ---
checks=()
for ns in "$NS_S" "$NS_R"; do
	routes=$(ip -n "$ns" route show; ip -n "$ns" -6 route show 2>/dev/null)
	if [ "$(ip -n "$ns" route show default)" != "" ] || [ "$(grep -vc '^10\.77\.254\.0/24 dev vb-' <<<"$routes")" != 0 ]; then
		echo "live.sh: unexpected routes in $ns: $routes" >&2
		exit 1
	fi
done
checks+=("no default route, no route but 10.77.254.0/24 in either namespace; forwarding off; IPv6 off")
if ip -o link show | grep -Eq ' vb-(s|r)[@:]'; then
	echo "live.sh: a veth end is in the host namespace" >&2
	exit 1
fi
checks+=("no test interface in the host namespace")
for cap in "${caps[@]}"; do
	f=${capfile[$cap]}
	[ -r "$f" ] || { echo "live.sh: cannot read $f" >&2; exit 2; }
	# Frames addressed to the receiving veth, or broadcast/multicast, would enter its stack.
	n=$(tcpdump -r "$f" -c 1 "ether dst $MAC_R or ether multicast or ether broadcast" 2>/dev/null | wc -l)
	if [ "$n" != 0 ]; then
		echo "live.sh: $f has frames for $MAC_R, broadcast or multicast: not replaying it" >&2
		exit 1
	fi
done
checks+=("no replayed frame is addressed to vb-r's MAC, broadcast or multicast (tcpdump filter over each capture)")

# IPv4 packets the receiving namespace's IP layer took in from anywhere but its loopback: Ip
# InReceives minus lo's received packets (tshark's start talks to itself over lo; IPv6 is off).
ip_in() {
	ip netns exec "$NS_R" sh -c 'echo $(($(awk "/^Ip: [0-9]/ {print \$4}" /proc/net/snmp) -
		$(cat /sys/class/net/lo/statistics/rx_packets)))'
}
ip_in_start=$(ip_in)

# Frames the veth pair itself dropped (the receiving CPU's backlog full, before any capture
# point): vb-s's tx_dropped plus vb-r's rx_dropped.
veth_drops() {
	echo $(($(ip netns exec "$NS_S" cat /sys/class/net/vb-s/statistics/tx_dropped) +
		$(ip netns exec "$NS_R" cat /sys/class/net/vb-r/statistics/rx_dropped)))
}

# CPU ticks (user + system) of PID and its children.
cpu_ticks() {
	local p t=0 v
	for p in $1 $(ps -o pid= --ppid "$1" 2>/dev/null); do
		v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && t=$((t + v))
	done
	echo "$t"
}

# The command of tool $1 (writing to $2 for the -w runs), into the array `cmd`; the regular
# expression of its "listening" line into `ready`.
set_cmd() {
	case $1 in
	np) cmd=("$np" watch -i vb-r "${npargs[@]}"); ready='^netprobe: watching' ;;
	np_w) cmd=("$np" watch -i vb-r -w "$2" "${npargs[@]}"); ready='^netprobe: watching' ;;
	np_f[1-9]) cmd=("$np" watch -i vb-r --fanout "${1#np_f}" "${npargs[@]}")
		ready='^netprobe: [0-9]+ workers? in fanout group' ;;
	tcpdump) cmd=(tcpdump -n -i vb-r); ready='^listening on' ;;
	tcpdump_w) cmd=(tcpdump -i vb-r -w "$2"); ready='listening on' ;;
	np_wB) cmd=("$np" watch -i vb-r -B 262144 -w "$2" "${npargs[@]}"); ready='^netprobe: watching' ;;
	tcpdump_wB) cmd=(tcpdump -i vb-r -B 262144 -w "$2"); ready='listening on' ;;
	tshark) cmd=(tshark -n -i vb-r); ready='^Capturing on' ;;
	*) echo "live.sh: unknown tool '$1'" >&2; exit 2 ;;
	esac
}

# num REGEX FILE: the first number matched by REGEX's group 1 (perl-style) in FILE, or nothing.
num() {
	grep -oP "$1" "$2" | head -n1 | grep -oP '[0-9]+' | head -n1
}

fail=0
rows=()
declare -A best=()
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')

for cap in "${caps[@]}"; do
	f=${capfile[$cap]}
	for rate in $rates; do
		for tool in $tools; do
			set_cmd "$tool" "$tmp/w.pcap"
			rm -f "$tmp/w.pcap" "$tmp/cap.err" "$tmp/rep.out"
			ip_in_run=$(ip_in)
			timeout -k 5 "$tmo" ip netns exec "$NS_R" "${cmd[@]}" >/dev/null 2>"$tmp/cap.err" &
			cpid=$!
			pids+=("$cpid")
			ok=0
			for ((i = 0; i < 200; i++)); do
				grep -Eq "$ready" "$tmp/cap.err" 2>/dev/null && { ok=1; break; }
				kill -0 "$cpid" 2>/dev/null || break
				sleep 0.05
			done
			if [ $ok = 0 ]; then
				echo "live.sh: $tool did not start: $(head -n 3 "$tmp/cap.err")" >&2
				kill -TERM "$cpid" 2>/dev/null
				wait "$cpid" 2>/dev/null
				forget "$cpid"
				fail=1
				rows+=("| $cap | $sender_name | $rate | $tool | FAILED to start | | | | | | | | | | |")
				continue
			fi
			sleep 0.3 # the socket is bound when the line is printed; let it settle
			tpid=$(ps -o pid= --ppid "$cpid" | tr -d ' ' | head -n1)
			[ -n "$tpid" ] || tpid=$cpid
			speed=(--topspeed)
			[ "$rate" != top ] && speed=(--pps="$rate")
			lim=()
			[ "$limit" -gt 0 ] && lim=(--limit="$limit")
			vdrop_run=$(veth_drops)
			timeout -k 5 "$tmo" ip netns exec "$NS_S" "${sender[@]}" -i vb-s "${speed[@]}" "${lim[@]}" "$f" \
				>"$tmp/rep.out" 2>&1
			rrc=$?
			# Drained when the capturer's CPU time has not moved for a second (bounded).
			prev=-1
			for ((i = 0; i < 240; i++)); do
				cur=$(cpu_ticks "$tpid")
				[ "$cur" = "$prev" ] && break
				prev=$cur
				sleep 1
			done
			kill -INT "$tpid" 2>/dev/null
			for ((i = 0; i < 300; i++)); do
				kill -0 "$cpid" 2>/dev/null || break
				sleep 0.1
			done
			kill -TERM "$cpid" 2>/dev/null
			wait "$cpid" 2>/dev/null
			forget "$cpid"

			vdrop=$(($(veth_drops) - vdrop_run))
			[ "$(ip_in)" != "$ip_in_run" ] && echo "live.sh: $cap $rate $tool: Ip InReceives in the receiving namespace went from $ip_in_run to $(ip_in)" >&2
			sent=$(num 'Successful packets:\s+[0-9]+' "$tmp/rep.out")
			failed=$(num 'Failed packets:\s+[0-9]+' "$tmp/rep.out")
			pps=$(grep -oP 'Rated: .*?[0-9.]+ pps' "$tmp/rep.out" | grep -oP '[0-9.]+(?= pps)' | head -n1)
			case $tool in
			np | np_w | np_wB | np_f[1-9])
				got=$(num '[0-9]+ packets shown' "$tmp/cap.err")
				recv=$(num '[0-9]+ received by filter' "$tmp/cap.err")
				kdrop=$(num '[0-9]+ dropped by kernel' "$tmp/cap.err")
				idrop=$(num '[0-9]+ dropped by interface' "$tmp/cap.err")
				;;
			tcpdump | tcpdump_w | tcpdump_wB)
				got=$(num '[0-9]+ packets? captured' "$tmp/cap.err")
				recv=$(num '[0-9]+ packets? received by filter' "$tmp/cap.err")
				kdrop=$(num '[0-9]+ packets? dropped by kernel' "$tmp/cap.err")
				idrop=$(num '[0-9]+ packets? dropped by interface' "$tmp/cap.err")
				;;
			tshark)
				got=$(num '[0-9]+ packets? captured' "$tmp/cap.err")
				recv=''
				kdrop=$(num '[0-9]+ packets? dropped' "$tmp/cap.err")
				[ -z "$kdrop" ] && [ -n "$got" ] && kdrop=0 # tshark says nothing when none
				idrop=''
				;;
			esac
			if [ $rrc -ne 0 ] || [ -z "$sent" ] || [ -z "$got" ] || [ -z "$kdrop" ]; then
				echo "live.sh: $cap $rate $tool: $sender_name exit $rrc, sent '${sent:-}', captured '${got:-}', dropped '${kdrop:-}'" >&2
				sed "s/^/  $sender_name: /" "$tmp/rep.out" | tail -n 8 >&2
				sed 's/^/  capturer: /' "$tmp/cap.err" | tail -n 5 >&2
				fail=1
			fi
			# -w: what the file holds (capinfos), and netprobe's count of the frames its
			# -w buffer could not take; the loss is then what never reached the file.
			infile='—' wdrop='—' kept=${got:-0}
			case $tool in
			np_w | tcpdump_w | np_wB | tcpdump_wB)
				infile=$(capinfos -c -M "$tmp/w.pcap" 2>/dev/null | grep -oP 'Number of packets:\s+\K[0-9]+')
				[ -n "$infile" ] || { echo "live.sh: $cap $rate $tool: capinfos cannot count $tmp/w.pcap" >&2; fail=1; infile='?'; }
				kept=${infile//\?/0}
				[ "${tool#np_}" != "$tool" ] && wdrop=$(num '[0-9]+ dropped by the -w writer' "$tmp/cap.err")
				[ "${tool#np_}" != "$tool" ] && [ -z "$wdrop" ] && { echo "live.sh: $cap $rate $tool: no -w writer line" >&2; fail=1; wdrop='?'; }
				;;
			esac
			loss=$(awk -v s="${sent:-0}" -v g="$kept" 'BEGIN {if (s > 0) printf "%.1f", (s - g) * 100 / s; else print "?"}')
			line="| $cap | $sender_name | $rate | ${cmd[*]##*/} | ${sent:-?} | ${failed:-?} | ${pps:-?} | $vdrop | ${got:-?} | ${recv:-—} | ${kdrop:-?} | ${idrop:-—} | $infile | $wdrop | $loss |"
			line=${line//$tmp\//}
			rows+=("$line")
			# the highest replay rate reached without loss, per capture and tool (the rate
			# reached, not the one asked: on a loaded machine the sender falls short)
			r=${pps%.*}
			if [ "${kdrop:-1}" = 0 ] && [ "$vdrop" = 0 ] && [ "$loss" = 0.0 ] &&
			   [ "${r:-0}" -gt "${best[$cap $tool]:-0}" ]; then
				best[$cap $tool]=$r
			fi
			echo "live.sh: $cap $rate $tool: sent ${sent:-?} at ${pps:-?} pps, veth drops $vdrop, captured ${got:-?}, kernel drops ${kdrop:-?}, in the -w file $infile, -w writer drops $wdrop, loss $loss%" >&2
		done
	done
done
ip_in_end=$(ip_in)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$ip_in_end" != "$ip_in_start" ]; then
	echo "live.sh: the receiving namespace's IP layer received $((ip_in_end - ip_in_start)) packets: frames entered its stack" >&2
	fail=1
fi
checks+=("IPv4 packets taken in by the receiving namespace's IP layer other than over lo (Ip InReceives − lo rx): $ip_in_start before, $ip_in_end after: the replayed frames never entered its stack")

echo "## Live capture over veth, $date_start"
echo
echo "- Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $(uname -sr); load average $load_start at the start, $load_end at the end."
echo "- Versions: $("$np" --version | head -n1); $(tcpdump --version 2>&1 | head -n1); $(if [ -n "$blast" ]; then echo "sender bench/blast"; else tcpreplay --version 2>&1 | head -n1; fi)$(case " $tools " in *" tshark "*) v=$(tshark --version 2>/dev/null | head -n1); echo "; ${v%.}" ;; esac)."
echo "- Replay: \`${sender[*]##*/} -i vb-s --pps=RATE FILE\` (or \`--topspeed\`) in one namespace; capture in the other, stdout to /dev/null, stopped with SIGINT once idle for 1 s. netprobe tracks conversations (always on)."
for c in "${checks[@]}"; do echo "- Checked: $c."; done
echo
echo "| capture | sender | rate asked (pps) | command | sent | failed to send | replay rate (pps) | dropped by veth | captured / shown | received by filter | dropped by kernel | dropped by interface | in the -w file | dropped by the -w writer | loss % |"
echo "|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
printf '%s\n' "${rows[@]}"
echo
echo "Highest replay rate reached without loss (kernel drops 0, veth drops 0, loss 0.0%), of the runs above:"
echo
for cap in "${caps[@]}"; do
	for tool in $tools; do
		set_cmd "$tool" w.pcap
		echo "- $cap, \`${cmd[*]##*/}\`: ${best[$cap $tool]:-none} pps"
	done
done
echo
echo "loss % = (sent − captured) / sent: frames the tool never saw, whether the kernel dropped them from its ring (\"dropped by kernel\") or before any capture point (\"dropped by veth\": the receiving CPU's backlog was full, which no capturer can help). For the -w runs, loss % = (sent − frames in the -w file, counted by capinfos) / sent: it also counts what netprobe's -w buffer could not take (\"dropped by the -w writer\", netprobe's own count)."
echo "The -w file is written to $(df --output=source,fstype "$tmp" | tail -n1 | tr -s ' ' | sed 's/ / (/; s/$/)/') under $(dirname "$tmp"), the local disk."
exit $fail
