#!/usr/bin/env bash
# The output modes added after end_of_run.sh (follow, -A, -X, --json --payload, a gzip capture
# on stdin) through every way an offline run ends, with the sandbox on (the default; as root,
# netprobe also drops to nobody first):
#   eof      the plain run: exit 0, nothing on stderr but the summary;
#   pipe     the capture on stdin (`cat FILE | netprobe ... -r -`): the same stdout as eof
#            (follow prints no listing from a pipe or FIFO, as its --help says: compared
#            without it, here and below);
#   head     `| head -1`: exit 0 (a reader closing the pipe is a normal end), one line;
#   int/term the capture through a FIFO whose writer stalls after it: SIGINT or SIGTERM ends the
#            blocked read: exit 0, stdout as in eof (every frame had arrived);
#   stop     SIGTSTP then SIGCONT while blocked, then the writer finishes: exit 0, stdout as eof.
# A run killed by a signal (a seccomp kill is SIGSYS), a sanitizer report or any stderr line that
# is not the summary fails.
# Usage: endings_modes.sh NETPROBE
set -u
np=${1:?usage: endings_modes.sh NETPROBE}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
export TZ=UTC NO_COLOR=1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

cap=$top/pcaps/tutorial-dog.pcap
gz=$tmp/dog.pcap.gz
gzip -c "$cap" >"$gz"
# name|command words (CAP stands for the capture argument)|capture
modes=(
	"follow|follow -r CAP|$cap"
	"follow-json|follow -r CAP --format json u1 1|$cap"
	"watch-A|watch -r CAP -A|$cap"
	"watch-X|watch -r CAP -X -v|$cap"
	"watch-payload|watch -r CAP --json --payload base64|$cap"
	"watch-gz|watch -r CAP -A|$gz"
)

# stderr lines other than netprobe's summary ("netprobe: N packets ...", conversations,
# handshake times, talkers) are failures.
stray() {
	grep -v -E '^netprobe: ' "$1" | grep -v -E '^netprobe: +#|^ +#' | grep . || true
}
check_status() { # name ending status errfile
	if [ "$3" -ne 0 ]; then
		bad "$1 $2: exit $3 (stderr: $(head -3 "$4" | tr '\n' ' '))"
		return 1
	fi
	local s
	s=$(stray "$4")
	if [ -n "$s" ]; then
		bad "$1 $2: unexpected stderr: $(head -3 <<<"$s" | tr '\n' ' ')"
		return 1
	fi
	return 0
}
same() { # name ending file reference
	if cmp -s "$3" "$4"; then ok; else bad "$1 $2: stdout differs from the plain run"; diff "$4" "$3" | head -5; fi
}
# reference name: the plain run's stdout as a pipe or FIFO gives it (follow lists the
# conversations only when it can read the file twice: the dialogues only).
reference() {
	if [ "$1" = follow ]; then
		sed -n '/^===/,$p' "$tmp/$1.eof.out" >"$tmp/$1.eof.dialogue"
		echo "$tmp/$1.eof.dialogue"
	else
		echo "$tmp/$1.eof.out"
	fi
}
# run_fifo name args capfile signal: the capture through a FIFO, the writer stalls, SIGNAL,
# then (stop only) SIGCONT and the writer ends.
run_fifo() {
	local name=$1 args=$2 c=$3 sig=$4 fifo=$tmp/fifo.$1.$4 wp p st
	mkfifo "$fifo"
	if [ "$sig" = stop ]; then
		{ cat "$c"; exec sleep 1; } >"$fifo" &
	else
		{ cat "$c"; exec sleep 30; } >"$fifo" &
	fi
	wp=$!
	pids+=("$wp")
	# shellcheck disable=SC2086 # words, as on a command line
	timeout -k 2 20 "$np" ${args//CAP/$fifo} >"$tmp/$name.$sig.out" 2>"$tmp/$name.$sig.err" &
	p=$!
	sleep 0.4
	case $sig in
	int) kill -INT "$p" ;;
	term) kill -TERM "$p" ;;
	stop)
		kill -TSTP "$p"
		sleep 0.3
		if ! grep -q '^State:.*T' "/proc/$p/status" 2>/dev/null; then
			bad "$name stop: not stopped by SIGTSTP"
		fi
		kill -CONT "$p"
		;;
	esac
	wait "$p"
	st=$?
	kill -TERM "$wp" 2>/dev/null
	wait "$wp" 2>/dev/null
	check_status "$name" "$sig" "$st" "$tmp/$name.$sig.err" &&
		same "$name" "$sig" "$tmp/$name.$sig.out" "$(reference "$name")"
}

for m in "${modes[@]}"; do
	IFS='|' read -r name args c <<<"$m"
	# shellcheck disable=SC2086
	"$np" ${args//CAP/$c} >"$tmp/$name.eof.out" 2>"$tmp/$name.eof.err"
	st=$?
	if ! check_status "$name" eof "$st" "$tmp/$name.eof.err"; then continue; fi
	[ -s "$tmp/$name.eof.out" ] || { bad "$name eof: no output"; continue; }
	ok
	# shellcheck disable=SC2086
	"$np" ${args//CAP/-} <"$c" >"$tmp/$name.pipe.out" 2>"$tmp/$name.pipe.err"
	st=$?
	if check_status "$name" pipe "$st" "$tmp/$name.pipe.err"; then
		same "$name" pipe "$tmp/$name.pipe.out" "$(reference "$name")"
	fi
	# shellcheck disable=SC2086
	"$np" ${args//CAP/$c} 2>"$tmp/$name.head.err" | head -1 >"$tmp/$name.head.out"
	st=${PIPESTATUS[0]}
	if check_status "$name" head "$st" "$tmp/$name.head.err"; then
		if [ "$(wc -l <"$tmp/$name.head.out")" -eq 1 ]; then ok; else bad "$name head: not one line"; fi
	fi
	case $name in watch-gz) continue ;; esac # a FIFO of gzip is the same path as of pcap
	for sig in int term stop; do run_fifo "$name" "$args" "$c" "$sig"; done
done
echo "endings_modes: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
