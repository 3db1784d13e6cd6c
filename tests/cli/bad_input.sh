#!/usr/bin/env bash
# Bad input: each case must give exactly one line on stderr that names the problem, exit
# status 2, and never a crash. A capture cut mid-record still prints every complete packet.
# Usage: bad_input.sh NETPROBE
set -u
np=${1:?usage: bad_input.sh NETPROBE}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
good="$top/pcaps/tcp-handshake-data-teardown.pcap"
pass=0 fail=0

# expect NAME WANT_PACKET_LINES PATTERN -- ARGS...: exit 2, one stderr line matching PATTERN.
expect() {
	local name=$1 want_lines=$2 pattern=$3
	shift 4
	"$np" "$@" >"$tmp/out" 2>"$tmp/err"
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
expect bad-bpf 0 "bad filter expression 'tcp and and'.*syntax error" -- watch -r "$good" tcp and and
expect unknown-option 0 "unknown option '--frobnicate'" -- watch -r "$good" --frobnicate
expect missing-value 0 "option '-r' needs a value" -- watch -r
expect count-zero 0 "invalid packet count '0'" -- watch -r "$good" -c 0
expect count-garbage 0 "invalid packet count 'ten'" -- watch -r "$good" -c ten
expect count-negative 0 "invalid packet count '-1'" -- watch -r "$good" -c -1
expect count-huge 0 "invalid packet count '99999999999999999999999'" -- watch -r "$good" -c 99999999999999999999999
expect port-huge 0 "invalid port '70000'" -- watch -r "$good" --port 70000
expect time-format 0 "invalid time format 'z'" -- watch -r "$good" -t z
expect color 0 "invalid --color 'sometimes'" -- watch -r "$good" --color sometimes
expect read-and-live 0 "-r and -i are exclusive" -- watch -r "$good" -i lo
expect unknown-command 0 "unknown command 'frob'" -- frob
expect no-command 0 "no command given" --

echo "bad input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
