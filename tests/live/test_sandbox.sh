#!/usr/bin/env bash
# Live half of the sandbox matrix (tests/cli/sandbox_matrix.sh has the offline sources): every
# live source kind x every way it ends x every output mode, inside the real seccomp sandbox, in
# the namespace topology of netns.sh (client A, router R, target B).
#
#   watch -i veth-ar (in A, while A pings B every 50 ms) x text / --json / -w FILE:
#     count     -c 5                                   exit 0
#     duration  --duration 1                           exit 0
#     int, term, hup  the signal 0.4-0.8 s after "watching"    exit 0
#     epipe     stdout into head -n 2                  exit 0
#     tstp      SIGTSTP + SIGCONT three times at random moments (Ctrl-Z, fg), then SIGINT:
#               exit 0 (35ba368: "forbidden system call 219 (restart_syscall)", exit 159)
#     linkdown  `ip link set IF down` on a veth pair of its own: exit 2, exactly one stderr line
#               saying the interface went down, the summary, the -w file renamed and readable
#               (35ba368: "forbidden system call 55 (getsockopt)", exit 159)
#     linkdel   `ip link del IF`: the same, "the interface was removed"
#   ping -c 5 -i 0.2 B x text / --json: eof (all sent) exit 0; int, term, hup mid-run exit 0
#     (answers came); epipe (| head -n 2) exit 0; tstp x3 exit 0
#   trace --syn -p 8899 -m 3 -W 0.5 B (the last hop drops: it waits) x text / --json: eof,
#     int, epipe, tstp: exit 1 (B never answers) and never 159; trace (ICMP) B: exit 0
# Every run: no "sandbox: forbidden system call" line; the summary (watch text: stderr;
# --json: the last stdout line unless stdout's reader has gone; ping text: the statistics on
# stdout or, after EPIPE, stderr); with -w: FILE, no FILE.partial, tcpdump -r reads it.
# Runs go several at a time, each under a 20 s watchdog.
# Usage: test_sandbox.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-sandbox
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout env tcpdump pgrep ping "$LT_PY"
echo "live sandbox matrix: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

# Traffic on veth-ar for the whole test: A pings B every 50 ms (bounded).
lt_bg 120 ip netns exec "$LT_NS_A" sh -c 'exec ping -q -i 0.05 -W 1 -w 110 "$1" >/dev/null 2>&1' sh "$LT_B4"

# A veth pair of its own for each link case (it is taken down or deleted): vdK in A
# (10.77.4K.1) to vdKb in B (10.77.4K.2), with A pinging across it.
link_pair() {
	local k=$1
	ip -n "$LT_NS_A" link add "vd$k" type veth peer name "vd${k}b" netns "$LT_NS_B" &&
		ip -n "$LT_NS_A" addr add "10.77.4$k.1/24" dev "vd$k" &&
		ip -n "$LT_NS_B" addr add "10.77.4$k.2/24" dev "vd${k}b" &&
		ip -n "$LT_NS_A" link set "vd$k" up && ip -n "$LT_NS_B" link set "vd${k}b" up
}

ms() { lt_ms "$1"; }
rand_ms() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

# stop_cont PID: Ctrl-Z, fg (netns.sh), stopped for 50-300 ms.
stop_cont() { lt_stop_cont "$1" "$(rand_ms 50 300)"; }

# wait_ready FILE PID: until FILE (stderr) says "watching" (watch) or PID has run 0.5 s.
wait_ready() {
	local f=$1 pid=$2 i
	for ((i = 0; i < 100; i++)); do
		grep -q '^netprobe: watching ' "$f" 2>/dev/null && { sleep 0.2; return 0; }
		kill -0 "$pid" 2>/dev/null || return 1
		[ "$3" = probe ] && [ "$i" -ge 10 ] && return 0
		sleep 0.05
	done
}

# run_case KIND END MODE: one run; verdict lines in $LT_WORK/KIND-END-MODE/result.
run_case() {
	local kind=$1 end=$2 mode=$3
	local cname=$kind-$end-$mode d=$LT_WORK/$kind-$end-$mode
	mkdir -p "$d"
	local r=$d/result out=$d/out cap=$d/cap.pcap args=() want=0 k="" iface=veth-ar
	: >"$r"
	case $kind in
	watch)
		case $end in
		linkdown) k=1 ;;
		linkdel) k=2 ;;
		esac
		[ "$mode" = json ] && k=${k:+$((k + 2))}
		[ "$mode" = w ] && k=${k:+$((k + 4))}
		if [ -n "$k" ]; then
			iface=vd$k
			link_pair "$k" || { echo "FAIL $cname/setup: veth pair vd$k" >>"$r"; return; }
			(timeout -k 1 15 ip netns exec "$LT_NS_A" ping -q -i 0.05 -W 1 -w 10 "10.77.4$k.2" \
				>/dev/null 2>&1 &)
			want=2
		fi
		args=(watch -i "$iface")
		case $end in
		count) args+=(-c 5) ;;
		duration) args+=(--duration 1) ;;
		esac
		;;
	ping) args=(ping -c 5 -i 0.2) ;;
	trace)
		args=(trace --syn -p "$LT_TCP_DROP" -m 3 -q 1 -W 0.5)
		want=1
		[ "$end" = icmp ] && { args=(trace -q 1); want=0; }
		;;
	esac
	case $mode in
	json) args+=(--json) ;;
	w) args+=(-w "$cap") ;;
	esac
	[ "$kind" = watch ] || args+=("$LT_B4")
	if [ "$end" = epipe ]; then
		ip netns exec "$LT_NS_A" env --default-signal=INT "$NP" "${args[@]}" </dev/null 2>"$d/err" \
			> >(head -n 2 >"$out") &
	else
		ip netns exec "$LT_NS_A" env --default-signal=INT "$NP" "${args[@]}" </dev/null 2>"$d/err" \
			>"$out" &
	fi
	local pid=$!
	(sleep 20; kill -KILL "$pid" 2>/dev/null) &
	local watchdog=$!
	local ready=watch
	[ "$kind" = watch ] || ready=probe
	wait_ready "$d/err" "$pid" "$ready"
	case $end in
	int | term | hup)
		sleep "$(ms "$(rand_ms 400 800)")"
		kill "-${end^^}" "$pid" 2>/dev/null
		;;
	tstp)
		local n
		for n in 1 2 3; do
			sleep "$(ms "$(rand_ms 20 200)")"
			stop_cont "$pid"
		done
		[ "$kind" = watch ] && { sleep 0.2; kill -INT "$pid" 2>/dev/null; }
		;;
	linkdown)
		sleep 0.5
		ip -n "$LT_NS_A" link set "$iface" down
		;;
	linkdel)
		sleep 0.5
		ip -n "$LT_NS_A" link del "$iface"
		;;
	esac
	wait "$pid"
	local rc=$?
	kill -TERM "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	sleep 0.05
	[ "$end" = linkdown ] && ip -n "$LT_NS_A" link del "$iface" 2>/dev/null

	local fail=0
	bad() { echo "FAIL $cname/$*" >>"$r"; fail=1; }
	[ "$rc" = "$want" ] || bad "exit-status $rc (want $want; 159 = killed by the sandbox)"
	grep -q 'sandbox: forbidden' "$d/err" && bad "sandbox-kill: $(grep -m1 'sandbox: forbidden' "$d/err")"
	if [ "$kind" = watch ]; then
		if [ -n "$k" ]; then
			local n re="^netprobe: watch: $iface: the interface (went down|was removed)"
			[ "$end" = linkdel ] && re="^netprobe: watch: $iface: the interface was removed"
			n=$(grep -cE "$re" "$d/err")
			[ "$n" = 1 ] || bad "one-line: $n lines matching /$re/: $(head -c 400 "$d/err" | tr '\n' '|')"
			grep -vE "$re|^netprobe: watching |^netprobe: |packets shown" "$d/err" | grep -q . &&
				bad "only-that-line: $(grep -vE "$re|^netprobe: " "$d/err" | head -n 2 | tr '\n' '|')"
		fi
		if [ "$mode" = json ] && [ "$end" != epipe ]; then
			tail -n 1 "$out" | grep -q '^{"type":"summary"' ||
				bad "json-summary: last stdout line: $(tail -n 1 "$out" | head -c 120)"
		else
			grep -Eq '^netprobe: [0-9]+ packets?: ' "$d/err" ||
				bad "summary-on-stderr: $(head -c 300 "$d/err" | tr '\n' '|')"
		fi
		if [ "$mode" = w ]; then
			if [ -e "$cap.partial" ] || [ ! -f "$cap" ]; then
				bad "file-complete: $(cd "$d" && ls cap.pcap* 2>/dev/null | tr '\n' ' ')"
			elif ! timeout -k 1 20 tcpdump -n -r "$cap" >"$d/td.out" 2>"$d/td.err" ||
				grep -qiE 'truncated|error' "$d/td.err"; then
				bad "tcpdump-reads: $(head -c 200 "$d/td.err")"
			elif ! [ -s "$d/td.out" ]; then
				bad "tcpdump-reads: no frames in $cap"
			fi
		fi
	elif [ "$kind" = ping ]; then
		if [ "$mode" = json ] && [ "$end" != epipe ]; then
			tail -n 1 "$out" | grep -q '^{"type":"summary"' ||
				bad "json-summary: last stdout line: $(tail -n 1 "$out" | head -c 120)"
		elif [ "$end" = epipe ]; then
			grep -q 'packets transmitted' "$d/err" || grep -q '"type":"summary"' "$d/err" ||
				bad "summary-on-stderr: $(head -c 300 "$d/err" | tr '\n' '|')"
		else
			grep -q 'packets transmitted' "$out" || bad "statistics: $(tail -n 3 "$out" | tr '\n' '|')"
		fi
	elif [ "$mode" = json ] && [ "$end" != epipe ]; then
		tail -n 1 "$out" | grep -q '^{"type":"summary"' ||
			bad "json-summary: last stdout line: $(tail -n 1 "$out" | head -c 120)"
	fi
	if [ "$fail" = 0 ]; then
		echo "PASS $cname (exit $rc)" >>"$r"
	else
		echo "  --- $cname: netprobe ${args[*]} -> exit $rc; stderr:" >>"$r"
		head -n 6 "$d/err" | sed 's/^/  /' >>"$r"
	fi
}

cases=()
for m in text json w; do
	for e in count duration int term hup epipe tstp linkdown linkdel; do cases+=("watch $e $m"); done
done
for m in text json; do
	for e in eof int term hup epipe tstp; do cases+=("ping $e $m"); done
	for e in eof int epipe tstp icmp; do cases+=("trace $e $m"); done
done
# at most 7 at a time (the listeners and the traffic ping are jobs too: only ours count)
lt_matrix 7 run_case "${cases[@]}"
echo "live sandbox matrix: ${#cases[@]} runs in $LT_MATRIX_SECONDS s"
lt_finish
