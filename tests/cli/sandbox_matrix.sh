#!/usr/bin/env bash
# sandbox_matrix.sh - every offline source kind x every way a run ends x every output mode, run
# inside the real seccomp sandbox (SECURITY.md §1: the allow-list was first derived from the
# suite's straces, so this walks the paths the suite did not: stdin from a pipe or a file,
# Ctrl-Z and fg, signals at random moments, a file size limit). Live capture, ping and trace
# have the same matrix in tests/live/test_sandbox.sh.
#
#   sources  file   -r BIG                      (a capture file)
#            pipe   -r - from a pipe            (the writer stalls after the data for the
#                                               signal endings, so the signal ends a read)
#            redir  -r - < BIG                  (stdin is a regular file)
#            fifo   -r FIFO                     (a named pipe, stalling like pipe)
#   endings  eof       the end of the input
#            count     -c 5
#            duration  --duration 0.3
#            int, term, hup   the signal at a random moment (100-300 ms)
#            epipe     stdout into `head -n 2` (EPIPE: the reader has gone)
#            tstp      SIGTSTP then SIGCONT three times at random moments (Ctrl-Z, fg), then
#                      SIGINT if still running
#            ulimit    `ulimit -f 1000` with -w: the -w file hits the size limit
#            early     SIGINT 0-3 ms after the start: exit 0 as for any SIGINT, or 130 when
#                      it came before a handler could exist, and then no message naming a
#                      FILE.partial that does not exist
#   modes    text, json (--json), w (-w FILE, text on stdout)
#
# Each run must end as documented (README "Exit status", SECURITY.md §4): exit 0 (ulimit: 2);
# never a "sandbox: forbidden system call" line; the summary (text: on stderr; --json: the
# last stdout line, or stderr when the reader has gone); with -w: FILE complete (no
# FILE.partial) and read by tcpdump -r without error; ulimit: exactly one stderr line, naming
# FILE.partial, and no FILE.
#
# Bounded: every run has a 60 s watchdog, every feeder a 60 s timeout (generous: the ASan build,
# several runs at a time on 2 CPUs, once needed more than 15 s to read the capture); runs go 4 at
# a time.
# Usage: sandbox_matrix.sh NETPROBE GEN_SYNFLOOD
set -u
np=${1:?usage: sandbox_matrix.sh NETPROBE GEN_SYNFLOOD}
gen=${2:?usage: sandbox_matrix.sh NETPROBE GEN_SYNFLOOD}
case $np in /*) ;; *) np=$PWD/$np ;; esac
for c in tcpdump timeout env pgrep; do
	command -v "$c" >/dev/null || { echo "FAIL missing command $c (scripts/deps.sh installs it)"; exit 1; }
done
tmp=$(mktemp -d)
cleanup() {
	# feeders and watchdogs are bounded by timeout anyway; end the ones still running
	local p
	for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT


big=$tmp/big.pcap
"$gen" -o "$big" -n 200000 >/dev/null || { echo "FAIL gen_synflood"; exit 1; }

ms() { printf '0.%03d' "$1"; } # ms N -> seconds for sleep (N < 1000)
# caught PID SIG: wait (10 s at most) until PID has a handler for SIG (/proc SigCgt), so a signal
# "at a random moment" lands in the run, not before main() (a slow, loaded or sanitized start)
caught() {
	local n m i
	n=$(kill -l "$2")
	for ((i = 0; i < 1000; i++)); do
		m=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null)
		[ -n "$m" ] || return 0
		(((16#$m >> (n - 1)) & 1)) && return 0
		sleep 0.01
	done
}
rand_ms() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

# pids_of PID: PID and its children (the -w worker), as a terminal's process group would be.
pids_of() { echo "$1" $(pgrep -P "$1" 2>/dev/null); }

# stop_cont PID: Ctrl-Z then fg: SIGTSTP to the run's processes, wait until stopped, a moment,
# SIGCONT. (A stop signal sent to an orphaned process group is discarded by the kernel, which
# a test harness may make of us: then SIGSTOP, which stops and resumes the same way.)
stop_cont() {
	local pid=$1 p i stopped
	local ps=($(pids_of "$pid"))
	kill -TSTP "${ps[@]}" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		stopped=1
		for p in "${ps[@]}"; do
			[ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = T ] || stopped=0
		done
		[ "$stopped" = 1 ] && break
		sleep 0.01
	done
	[ "$stopped" = 1 ] || kill -STOP "${ps[@]}" 2>/dev/null
	sleep "$(ms "$(rand_ms 20 80)")"
	kill -CONT "${ps[@]}" 2>/dev/null
}

# run_case SRC END MODE: one run; its verdict lines go to $tmp/SRC-END-MODE/result.
run_case() {
	local src=$1 end=$2 mode=$3
	local name=$src-$end-$mode d=$tmp/$src-$end-$mode
	mkdir -p "$d"
	local r=$d/result
	: >"$r"
	local args=(watch) out=$d/out cap=$d/cap.pcap
	case $mode in
	json) args+=(--json) ;;
	w) args+=(-w "$cap") ;;
	esac
	case $end in
	count) args+=(-c 5) ;;
	duration) args+=(--duration 0.3) ;;
	esac
	# pipe and FIFO writers stall after the data when a signal is to end the run
	local stall=0
	case $end in int | term | hup | tstp | duration | early) stall=1 ;; esac
	local feeder="" infd
	case $src in
	file) args+=(-r "$big") ;;
	redir) args+=(-r -) ;;
	pipe) args+=(-r -) ;;
	fifo)
		mkfifo "$d/fifo"
		args+=(-r "$d/fifo")
		timeout -k 1 60 sh -c 'cat "$1" >"$2"; [ "$3" = 1 ] && sleep 10' sh "$big" "$d/fifo" "$stall" \
			2>/dev/null &
		feeder=$!
		;;
	esac
	local limit=unlimited
	[ "$end" = ulimit ] && limit=1000 # KiB: the -w file of BIG (15 MB) goes past it
	# stdout: a file; into head for epipe; /dev/null for ulimit (a device has no size limit)
	local pid
	if [ "$src" = pipe ]; then
		exec {infd}< <(timeout -k 1 60 sh -c 'cat "$1"; [ "$2" = 1 ] && sleep 10' sh "$big" "$stall" 2>/dev/null)
		feeder=$!
	elif [ "$src" = redir ]; then
		exec {infd}<"$big"
	else
		exec {infd}</dev/null
	fi
	if [ "$end" = epipe ]; then
		(ulimit -f "$limit"; exec env --default-signal=INT "$np" "${args[@]}") <&"$infd" 2>"$d/err" \
			> >(head -n 2 >"$out") &
	elif [ "$end" = ulimit ]; then
		(ulimit -f "$limit"; exec env --default-signal=INT "$np" "${args[@]}") <&"$infd" 2>"$d/err" \
			>/dev/null &
	else
		(ulimit -f "$limit"; exec env --default-signal=INT "$np" "${args[@]}") <&"$infd" 2>"$d/err" \
			>"$out" &
	fi
	pid=$!
	exec {infd}<&-
	(sleep 60; kill -KILL "$pid" 2>/dev/null) &
	local watchdog=$!
	case $end in
	early)
		sleep "$(ms "$(rand_ms 0 3)")"
		kill -INT "$pid" 2>/dev/null
		;;
	int | term | hup)
		caught "$pid" "${end^^}"
		sleep "$(ms "$(rand_ms 100 300)")"
		kill "-${end^^}" "$pid" 2>/dev/null
		;;
	tstp)
		local k
		for k in 1 2 3; do
			sleep "$(ms "$(rand_ms 20 150)")"
			stop_cont "$pid"
		done
		sleep 0.1
		kill -INT "$pid" 2>/dev/null
		;;
	esac
	wait "$pid"
	local rc=$?
	kill -TERM "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	[ -n "$feeder" ] && kill -TERM "$feeder" 2>/dev/null && wait "$feeder" 2>/dev/null
	sleep 0.05 # let head's process substitution finish writing
	echo "$rc" >"$d/rc"

	local fail=0
	bad() { echo "FAIL $name/$*" >>"$r"; fail=1; }
	local want=0
	[ "$end" = ulimit ] && want=2
	# a signal that comes before main() could install a handler kills as the shell says: 130
	if [ "$end" = early ] && [ "$rc" = 130 ]; then
		want=130
		if grep -q '\.partial' "$d/err" && [ ! -e "$cap.partial" ]; then
			bad "early-message: names a file that was never created: $(grep -m1 '\.partial' "$d/err")"
		fi
	fi
	[ "$rc" = "$want" ] || bad "exit-status $rc (want $want; 159 = killed by the sandbox)"
	if grep -q 'sandbox: forbidden' "$d/err"; then
		bad "sandbox-kill: $(grep -m1 'sandbox: forbidden' "$d/err")"
	fi
	if [ "$end" = ulimit ]; then
		local n
		n=$(grep -c . "$d/err")
		if [ "$n" -ne 1 ] || ! grep -q "$cap.partial" "$d/err"; then
			bad "one-line-naming-partial: $n stderr lines: $(head -c 300 "$d/err" | tr '\n' '|')"
		fi
		[ -e "$cap" ] && bad "no-file: $cap exists after a write error"
		[ -e "$cap.partial" ] || bad "partial-kept: $cap.partial is missing"
	else
		# the summary (an early signal may come before there is anything to summarise)
		if [ "$end" != early ]; then
			if [ "$mode" = json ] && [ "$end" != epipe ]; then
				tail -n 1 "$out" | grep -q '^{"type":"summary"' ||
					bad "json-summary: last stdout line: $(tail -n 1 "$out" | head -c 120)"
			else
				grep -Eq '^netprobe: [0-9]+ packets?: ' "$d/err" ||
					bad "summary-on-stderr: $(head -c 300 "$d/err" | tr '\n' '|')"
			fi
		fi
		if [ "$mode" = w ] && [ "$rc" = 0 ] && [ "$end" = early ] && [ ! -e "$cap" ] &&
			[ ! -e "$cap.partial" ]; then
			# stopped before the file was opened: no file at all is right (SECURITY.md §4),
			# and no message may name one
			grep -q '\.partial' "$d/err" && bad "no-partial-message: $(grep -m1 '\.partial' "$d/err")"
		elif [ "$mode" = w ] && [ "$rc" = 0 ]; then
			if [ -e "$cap.partial" ] || [ ! -f "$cap" ]; then
				bad "file-complete: $(cd "$d" && ls cap.pcap* 2>/dev/null | tr '\n' ' ')"
			else
				# Generous: under the ASan build, several runs at a time on 2 CPUs, tcpdump can
				# take many times its usual second; a timeout is reported as such (124).
				local trc=0
				timeout -k 1 120 tcpdump -n -r "$cap" >/dev/null 2>"$d/td.err" || trc=$?
				if [ "$trc" != 0 ] || grep -qiE 'truncated|error' "$d/td.err"; then
					bad "tcpdump-reads (status $trc): $(head -c 300 "$d/td.err" | tr '\n' '|')"
				fi
			fi
			grep -q '\.partial' "$d/err" && bad "no-partial-message: $(grep -m1 '\.partial' "$d/err")"
		fi
	fi
	if [ "$fail" = 0 ]; then
		echo "PASS $name (exit $rc)" >>"$r"
	else
		echo "  --- $name: netprobe ${args[*]} -> exit $rc; stderr:" >>"$r"
		head -n 6 "$d/err" | sed 's/^/  /' >>"$r"
	fi
}

sources="file pipe redir fifo"
endings="eof count duration int term hup epipe tstp early"
modes="text json w"
cases=()
for s in $sources; do
	for e in $endings; do
		for m in $modes; do cases+=("$s $e $m"); done
	done
	cases+=("$s ulimit w")
done
t0=$(date +%s)
for c in "${cases[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n; done
	# shellcheck disable=SC2086 # three words on purpose
	run_case $c &
done
wait
t1=$(date +%s)

pass=0 fail=0
for c in "${cases[@]}"; do
	set -- $c
	name=$1-$2-$3
	res=$tmp/$name/result
	if grep -q '^FAIL' "$res" 2>/dev/null; then
		fail=$((fail + 1))
		cat "$res"
	elif [ -s "$res" ]; then
		pass=$((pass + 1))
		cat "$res"
	else
		fail=$((fail + 1))
		echo "FAIL $name: no result"
	fi
done
echo "sandbox matrix: ${#cases[@]} runs in $((t1 - t0)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
