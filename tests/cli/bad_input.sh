#!/usr/bin/env bash
# Bad input: each case must give exactly one line on stderr that names the problem, exit
# status 2, and never a crash or a hang (each run is bounded by `timeout`).
#   1. bad command lines, table-driven: tests/cli/bad_cmdline.txt (one case a line, format
#      in its header) -- every subcommand's options with a missing value, negative, 2^64 and
#      larger, garbage, empty; unknown interface and options, conflicting options, an invalid
#      and a 100 kB filter. Also nothing at all on stdout.
#   2. bad input files: a capture cut mid-record still prints every complete packet first.
# Usage: bad_input.sh NETPROBE
set -u
np=${1:?usage: bad_input.sh NETPROBE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
good="$top/pcaps/tcp-handshake-data-teardown.pcap"
pass=0 fail=0

# --- 1. the table ------------------------------------------------------------------------------
# Variables the table's argument columns may use (see its header).
# shellcheck disable=SC2034
GOOD=$good TMP=$tmp U64=18446744073709551616 HUGE=1000000000000000000000000000000
LONG_FILTER="tcp port 1"
while [ ${#LONG_FILTER} -lt 102400 ]; do LONG_FILTER="$LONG_FILTER or tcp port 1"; done
LONG_FILTER=${LONG_FILTER:0:102400}
mkdir -p "$tmp/table"
ncases=0
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	line="$line "
	name=$(trim "${line%% | *}")
	rest=${line#* | }
	pattern=$(trim "${rest%% | *}")
	args=${rest#* | }
	if [ "$rest" = "$line" ] || [ -z "$name" ] || [ -z "$pattern" ]; then
		echo "FAIL table line not understood: $line"
		fail=$((fail + 1))
		continue
	fi
	ncases=$((ncases + 1))
	eval "set -- $args"
	out=$tmp/table/$name.out err=$tmp/table/$name.err
	timeout -k 2 10 "$np" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
	nerr=$(wc -l <"$err")
	[ -s "$err" ] && [ -n "$(tail -c 1 "$err")" ] && nerr=$((nerr + 1)) # unterminated last line
	why=""
	[ "$rc" -eq 2 ] || why="exit $rc (want 2${rc:+$([ "$rc" -ge 124 ] && echo '; timed out or killed')})"
	[ -s "$out" ] && why="$why${why:+, }$(wc -c <"$out") bytes on stdout (want none)"
	[ "$nerr" -eq 1 ] || why="$why${why:+, }$nerr stderr lines (want 1)"
	head -n 1 "$err" | grep -q '^netprobe:' || why="$why${why:+, }stderr does not start with 'netprobe:'"
	grep -Eq -- "$pattern" "$err" || why="$why${why:+, }stderr does not match /$pattern/"
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: $why"
		echo "  args: $args"
		head -c 300 "$err" | head -n 3 | sed 's/^/  stderr: /'
	fi
done <"$here/bad_cmdline.txt"
echo "bad command lines: $ncases cases from bad_cmdline.txt"
[ "$ncases" -ge 100 ] || { echo "FAIL the table has only $ncases cases"; fail=$((fail + 1)); }

# --- 2. bad input files ------------------------------------------------------------------------

# expect NAME WANT_PACKET_LINES PATTERN -- ARGS...: exit 2, one stderr line matching PATTERN.
expect() {
	local name=$1 want_lines=$2 pattern=$3
	shift 4
	timeout -k 2 30 "$np" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines errs
	# Packet lines only: not the tracker's event lines (⇒) nor JSON events and summary.
	lines=$(grep -Evc ' ⇒ |"type":"(event|summary)"' "$tmp/out")
	errs=$(wc -l <"$tmp/err")
	if [ "$rc" -eq 2 ] && [ "$errs" -eq 1 ] && grep -Eq -- "$pattern" "$tmp/err" &&
		{ [ "$want_lines" = any ] || [ "$lines" -eq "$want_lines" ]; }; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc, $errs stderr lines, $lines stdout lines (want 2, 1, $want_lines /$pattern/)"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
	fi
}

# A capture cut in the middle of its 4th record: 24-byte file header, then records of
# 16 + 74, 16 + 74, 16 + 66 bytes; cut 10 bytes into the 4th record's data.
head -c $((24 + 90 + 90 + 82 + 16 + 10)) "$good" >"$tmp/cut.pcap"
# A capture of a link type netprobe does not decode: LINKTYPE_USER0 (147), one 4-byte frame.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00abcd' >"$tmp/user0.pcap"
printf 'this is not a capture file\n' >"$tmp/text.pcap"

expect missing-file 0 "no-such\.pcap.*(No such file|cannot)" -- watch -r "$tmp/no-such.pcap"
expect not-a-capture 0 "text\.pcap.*(unknown file format|bad dump file format)" -- watch -r "$tmp/text.pcap"
expect cut-capture 3 "cut\.pcap.*truncated" -- watch -r "$tmp/cut.pcap"
expect cut-capture-json 3 "cut\.pcap.*truncated" -- watch -r "$tmp/cut.pcap" --json
expect unsupported-link 0 "link type .*147.* not supported" -- watch -r "$tmp/user0.pcap"
# Each command names itself: stats and follow share watch's run but not its name.
expect missing-file-watch 0 "^netprobe: watch: .*no-such\.pcap" -- watch -r "$tmp/no-such.pcap"
expect missing-file-stats 0 "^netprobe: stats: .*no-such\.pcap" -- stats -r "$tmp/no-such.pcap"
expect missing-file-follow 0 "^netprobe: follow: .*no-such\.pcap" -- follow -r "$tmp/no-such.pcap"
expect cut-capture-stats any "^netprobe: stats: .*cut\.pcap.*truncated" -- stats -r "$tmp/cut.pcap"
expect unsupported-link-stats 0 "^netprobe: stats: .*link type .*147.* not supported" -- stats -r "$tmp/user0.pcap"

echo "bad input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
