#!/usr/bin/env bash
# Live endings of the newest watch modes, with the sandbox on, in the namespace topology of
# netns.sh (in R, the router, while A pings B every 20 ms): the process structures that
# live.sandbox does not walk.
#   fanout   watch --fanout 2 -i veth-ra          (a parent and two workers)
#   w        watch -i veth-ra -w FILE.pcap        (the renaming parent, the worker and its
#                                                  -w writer thread)
#   multi    watch -i veth-ra -i veth-rb          (one process, two handles per interface)
#   multi-w  watch -i veth-ra -i veth-rb -w FILE.pcapng
# x each way a run ends:
#   end      -c 6 (--fanout: --duration 1, as -c is refused there)
#   int      SIGINT (Ctrl-C), term SIGTERM, 0.5-0.9 s after "watching"
#   pipe     stdout into `head -n 3` (SIGPIPE/EPIPE; not for -w, which prints no packets)
#   tstp     Ctrl-Z then fg (SIGTSTP to the whole tree, SIGCONT) twice, then SIGINT
# Every run: exit 0, as tcpdump's (a reader that left is a normal end); no "sandbox:
# forbidden" line; the summary on stderr ("netprobe: N packets..."); no hang (a 20 s
# watchdog); the expected process tree while it runs (fanout: 2 children, -w: 1, multi: 0) and
# none of its processes left after it (no zombie, no orphan, checked by PID); with -w: FILE
# and no FILE.partial, tcpdump -r reads it whole, with as many frames as "N packets written
# to FILE" says and the summary counted ("netprobe: N packets: ..."), none dropped; 6 after -c 6
# (a signal may come before the first frames left the kernel's ring: as with tcpdump, those
# are "received by filter" but not captured, so 0 is a valid count there).
# Usage: test_endings.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-endings
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout env tcpdump pgrep ping
echo "live endings: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
# Traffic through R for the whole test (bounded): each echo crosses veth-ra and veth-rb.
lt_bg 90 ip netns exec "$LT_NS_A" sh -c 'exec ping -q -i 0.02 -W 1 -w 80 "$1" >/dev/null 2>&1' sh "$LT_B4"

# run_case MODE END: one run; its verdict lines in $LT_WORK/MODE-END/result.
run_case() {
	local mode=$1 end=$2 d=$LT_WORK/$1-$2
	mkdir -p "$d"
	local r=$d/result out=$d/out err=$d/err file="" args=(watch) kids=0 fail=0
	: >"$r"
	bad() { echo "FAIL $mode-$end/$*" >>"$r"; fail=1; }
	case $mode in
	fanout) args+=(--fanout 2 -i veth-ra); kids=2 ;;
	w) file=$d/cap.pcap; args+=(-i veth-ra -w "$file"); kids=1 ;;
	multi) args+=(-i veth-ra -i veth-rb) ;;
	multi-w) file=$d/cap.pcapng; args+=(-i veth-ra -i veth-rb -w "$file"); kids=1 ;;
	esac
	if [ "$end" = end ]; then
		if [ "$mode" = fanout ]; then args+=(--duration 1); else args+=(-c 6); fi
	fi
	local sink=$out hp=""
	if [ "$end" = pipe ]; then # head reads a FIFO: it is this shell's child, not netprobe's
		sink=$d/fifo
		mkfifo "$sink"
		head -n 3 <"$sink" >"$out" &
		hp=$!
	fi
	ip netns exec "$LT_NS_R" env --default-signal=INT "$NP" "${args[@]}" </dev/null 2>"$err" \
		>"$sink" &
	local pid=$! i tree=()
	(sleep 20; kill -KILL "$pid" 2>/dev/null) &
	local watchdog=$!
	for ((i = 0; i < 200; i++)); do
		grep -q '^netprobe: watching ' "$err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	sleep 0.3
	# shellcheck disable=SC2207 # PIDs: words
	tree=($(lt_tree_pids "$pid"))
	[ "$end" = end ] || [ "${#tree[@]}" = $((kids + 1)) ] ||
		bad "tree: ${#tree[@]} processes (${tree[*]}), want $((kids + 1))"
	case $end in
	int | term)
		sleep "$(lt_ms $((200 + RANDOM % 400)))"
		kill "-${end^^}" "$pid" 2>/dev/null
		;;
	tstp)
		lt_stop_cont "$pid" $((100 + RANDOM % 200))
		sleep 0.2
		lt_stop_cont "$pid" $((100 + RANDOM % 200))
		sleep 0.3
		kill -INT "$pid" 2>/dev/null
		;;
	esac
	wait "$pid"
	local rc=$?
	[ -z "$hp" ] || wait "$hp"
	kill -TERM "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	[ "$rc" = 0 ] || bad "exit-status $rc (want 0; 137: hung until the watchdog; 159: killed by the sandbox)"
	grep -q 'sandbox: forbidden' "$err" && bad "sandbox-kill: $(grep -m1 'sandbox: forbidden' "$err")"
	grep -Eq '^netprobe: [0-9]+ packets?' "$err" ||
		bad "summary: $(head -c 300 "$err" | tr '\n' '|')"
	# The parent reaps its children before it exits: none of them may be left, as a zombie or
	# an orphan (a short grace for the kernel's bookkeeping).
	local p left=()
	for ((i = 0; i < 10; i++)); do
		left=()
		for p in "${tree[@]:1}"; do [ -e "/proc/$p" ] && left+=("$p"); done
		[ "${#left[@]}" = 0 ] && break
		sleep 0.05
	done
	for p in "${left[@]}"; do
		bad "left-behind: pid $p state $(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) ppid $(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)"
	done
	if [ "$end" = pipe ] && [ "$(wc -l <"$out")" != 3 ]; then
		bad "head: $(wc -l <"$out") lines"
	fi
	if [ -n "$file" ]; then
		local said n written dropped
		said=$(grep -E "^netprobe: [0-9]+ packets? written to $file, [0-9]+ dropped" "$err")
		written=$(sed -E 's/^netprobe: ([0-9]+) .*/\1/' <<<"$said")
		dropped=$(sed -E 's/.*, ([0-9]+) dropped.*/\1/' <<<"$said")
		if [ -e "$file.partial" ] || [ ! -f "$file" ]; then
			bad "file-complete: $(cd "$d" && ls cap.* 2>/dev/null | tr '\n' ' ')"
		elif [ -z "$said" ]; then
			bad "written-line: $(head -c 300 "$err" | tr '\n' '|')"
		elif ! n=$(timeout -k 1 10 tcpdump -n -r "$file" 2>"$d/td.err" | wc -l) ||
			grep -qiE 'truncated|error' "$d/td.err"; then
			bad "tcpdump-reads: $(head -c 200 "$d/td.err")"
		elif [ "$n" != "$written" ] || [ "$dropped" != 0 ] || { [ "$end" = end ] && [ "$n" != 6 ]; }; then
			bad "frames: tcpdump reads $n, the summary says $written written, $dropped dropped"
		elif ! grep -q "^netprobe: $n packets\?: " "$err"; then
			bad "frames: $n written, but the summary counts $(grep -m1 -oE '^netprobe: [0-9]+ packets?: ' "$err")"
		fi
	fi
	if [ "$fail" = 0 ]; then
		echo "PASS $mode-$end (exit $rc)" >>"$r"
	else
		echo "  --- $mode-$end: netprobe ${args[*]} -> exit $rc; stderr:" >>"$r"
		head -n 6 "$err" | sed 's/^/  /' >>"$r"
	fi
}

cases=()
for m in fanout w multi multi-w; do
	for e in end int term pipe tstp; do
		case $m-$e in *w-pipe) continue ;; esac
		cases+=("$m $e")
	done
done
lt_matrix 6 run_case "${cases[@]}"
echo "live endings: ${#cases[@]} runs in $LT_MATRIX_SECONDS s"
lt_finish
