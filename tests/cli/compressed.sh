#!/usr/bin/env bash
# Compressed capture files (src/capture/zread.c): every capture in pcaps/, gzip'd and zstd'd,
# read from a path, from a redirected stdin and from a pipe, gives output identical to the plain
# file (text, -v tree, JSON, and the -w copy byte for byte); the format is found by its magic,
# never its name; a compressed file cut in the middle or corrupt ends with one clear stderr line
# and exit 2, after every packet decoded before it; xz/bzip2/lz4 are refused in one line; SIGINT
# while the decompressor waits on a FIFO ends the run cleanly.
# Usage: compressed.sh NETPROBE
set -u
np=${1:?usage: compressed.sh NETPROBE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}
for tool in gzip zstd python3; do
	command -v "$tool" >/dev/null || {
		echo "FAIL $tool is needed (scripts/deps.sh installs it)"
		exit 1
	}
done

# same NAME REF_OUT -- ARGS...: stdout+stderr of netprobe ARGS must equal REF_OUT.
same() {
	local name=$1 ref=$2
	shift 3
	"$np" "$@" >"$tmp/got" 2>&1
	if cmp -s "$ref" "$tmp/got"; then ok; else
		bad "$name differs from the plain file"
		diff "$ref" "$tmp/got" | head -5 | sed 's/^/  /'
	fi
}

# --- 1. every capture, both formats, three ways in, three output modes ------------------------
n=0
for f in "$top"/pcaps/*.pcap; do
	b=$(basename "$f" .pcap)
	gzip -9 -c "$f" >"$tmp/$b.pcap.gz"
	zstd -q -19 -c "$f" >"$tmp/$b.pcap.zst"
	for mode in "" -v --json; do
		# shellcheck disable=SC2086
		"$np" watch $mode -r "$f" >"$tmp/ref" 2>&1
		for z in gz zst; do
			c=$tmp/$b.pcap.$z
			# shellcheck disable=SC2086
			same "$b.$z path $mode" "$tmp/ref" -- watch $mode -r "$c"
			# shellcheck disable=SC2086
			same "$b.$z stdin $mode" "$tmp/ref" -- watch $mode -r - <"$c"
			# shellcheck disable=SC2086
			cat "$c" | "$np" watch $mode -r - >"$tmp/got" 2>&1
			if cmp -s "$tmp/ref" "$tmp/got"; then ok; else bad "$b.$z pipe $mode differs"; fi
		done
	done
	n=$((n + 1))
done
echo "compressed: $n captures compared (gzip, zstd x path, stdin, pipe x text, -v, --json)"
[ "$n" -ge 10 ] || bad "only $n captures in pcaps/"

# -w from a compressed capture writes the same pcap as from the plain one.
f=$top/pcaps/tcp-loss-retransmit.pcap
"$np" watch -q -r "$f" -w "$tmp/plain-w.pcap" >/dev/null 2>&1
for z in gz zst; do
	cat "$tmp/tcp-loss-retransmit.pcap.$z" | "$np" watch -q -r - -w "$tmp/$z-w.pcap" >/dev/null 2>&1
	if cmp -s "$tmp/plain-w.pcap" "$tmp/$z-w.pcap"; then ok; else bad "-w from .$z differs"; fi
done

# --- 2. by magic, not by name -----------------------------------------------------------------
cp "$tmp/tcp-loss-retransmit.pcap.gz" "$tmp/looks-plain.pcap"
cp "$tmp/tcp-loss-retransmit.pcap.zst" "$tmp/no-suffix"
cp "$f" "$tmp/looks-compressed.pcap.gz"
"$np" watch -r "$f" >"$tmp/ref" 2>&1
for c in looks-plain.pcap no-suffix looks-compressed.pcap.gz; do
	same "name $c" "$tmp/ref" -- watch -r "$tmp/$c"
done
# Several gzip members (cat a.gz b.gz, what gzip(1) reads as one file), and a pcapng inside.
head -c 1000 "$f" | gzip -c >"$tmp/multi.gz"
tail -c +1001 "$f" | gzip -c >>"$tmp/multi.gz"
same "gzip members" "$tmp/ref" -- watch -r "$tmp/multi.gz"
if command -v editcap >/dev/null; then
	editcap -F pcapng "$f" "$tmp/ng.pcapng" 2>/dev/null
	"$np" watch -r "$tmp/ng.pcapng" >"$tmp/ref-ng" 2>&1
	zstd -q -c "$tmp/ng.pcapng" >"$tmp/ng.zst"
	same "pcapng in zstd" "$tmp/ref-ng" -- watch -r "$tmp/ng.zst"
fi

# --- 3. cut, corrupt, refused -------------------------------------------------------------------
# A capture large enough for several compressed blocks: a handshake, data and teardown
# (10 frames) repeated 3000 times, timestamps moved on by 1 s each time (2.3 MB).
python3 - "$top/pcaps/tcp-handshake-data-teardown.pcap" "$tmp/big.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
hdr, recs, off = d[:24], [], 24
while off + 16 <= len(d):
    s, us, cl, ln = struct.unpack('<IIII', d[off:off + 16])
    recs.append((s, us, d[off + 16:off + 16 + cl], ln))
    off += 16 + cl
with open(sys.argv[2], 'wb') as o:
    o.write(hdr)
    for i in range(3000):
        for s, us, data, ln in recs:
            o.write(struct.pack('<IIII', s + i, us, len(data), ln) + data)
EOF
"$np" watch -r "$tmp/big.pcap" 2>/dev/null | grep -v ' ⇒ ' >"$tmp/big.ref"
"$np" watch --json -r "$tmp/big.pcap" 2>/dev/null | grep '"type":"packet"' >"$tmp/big.json"
total=$(wc -l <"$tmp/big.ref")
gzip -c "$tmp/big.pcap" >"$tmp/big.gz"
zstd -q -c "$tmp/big.pcap" >"$tmp/big.zst"
# expect_cut NAME REF PATTERN -- ARGS...: exit 2, one stderr line /PATTERN/, and the packets
# printed before it are the first ones of the full output REF (at least one, not all).
expect_cut() {
	local name=$1 ref=$2 pattern=$3
	shift 4
	"$np" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local rc=$? got
	grep -v ' ⇒ ' "$tmp/out" | grep -v '"type":"\(event\|summary\)"' >"$tmp/pk"
	got=$(wc -l <"$tmp/pk")
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -Eq -- "$pattern" "$tmp/err" &&
		[ "$got" -gt 0 ] && [ "$got" -lt "$total" ] && cmp -s "$tmp/pk" <(head -n "$got" "$ref"); then
		ok
	else
		bad "$name: exit $rc, $got of $total packets, stderr: $(head -c 200 "$tmp/err")"
	fi
}
for z in gz zst; do
	sz=$(stat -c %s "$tmp/big.$z")
	head -c $((sz / 2)) "$tmp/big.$z" >"$tmp/cut.$z"
	kind=$([ $z = gz ] && echo gzip || echo zstd)
	expect_cut "cut .$z" "$tmp/big.ref" "cut\.$z: truncated $kind data" -- watch -r "$tmp/cut.$z"
	expect_cut "cut .$z --json" "$tmp/big.json" "truncated $kind data" -- watch --json -r "$tmp/cut.$z"
	cat "$tmp/cut.$z" | "$np" watch -r - >/dev/null 2>"$tmp/err"
	rc=$?
	{ [ $rc -eq 2 ] && grep -q "^netprobe: watch: -: truncated $kind data" "$tmp/err"; } && ok ||
		bad "cut .$z from a pipe: exit $rc: $(cat "$tmp/err")"
	# Corrupt: a byte of the check at the end (gzip's CRC-32, 6 bytes from the end; zstd's
	# content checksum, the last byte: the decompressor says so), or one in the middle (gzip's CRC-32 is checked only at the end of the member, so libpcap may meet
	# the garbage first, and say so in its words: still one line, exit 2).
	for at in $([ $z = gz ] && echo -6 || echo -1) half; do
		python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); i=len(d)//2 if sys.argv[3]=='half' else int(sys.argv[3]); d[i]^=0x55; open(sys.argv[2],'wb').write(d)" \
			"$tmp/big.$z" "$tmp/corrupt.$z" $at
		"$np" watch -q -r "$tmp/corrupt.$z" >/dev/null 2>"$tmp/err"
		rc=$?
		want="corrupt $kind data"
		[ $at = half ] && want="$want|invalid packet capture length|truncated dump file"
		{ [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -Eq "$want" "$tmp/err"; } && ok ||
			bad "corrupt .$z at $at: exit $rc: $(cat "$tmp/err")"
	done
	# Only the magic: cut before any data.
	head -c 3 "$tmp/big.$z" >"$tmp/magic.$z"
	"$np" watch -r "$tmp/magic.$z" >/dev/null 2>"$tmp/err"
	rc=$?
	{ [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -Eq "truncated ($kind data|dump file)" "$tmp/err"; } && ok ||
		bad "3 bytes of .$z: exit $rc: $(cat "$tmp/err")"
done
# Compressed text is not a capture: libpcap's words, once.
gzip -c "$top/README.md" >"$tmp/readme.gz"
"$np" watch -r "$tmp/readme.gz" >/dev/null 2>"$tmp/err"
rc=$?
{ [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "readme.gz: unknown file format" "$tmp/err"; } && ok ||
	bad "gzip'd text: exit $rc: $(cat "$tmp/err")"
# Formats recognised but not read: one line saying what to do.
printf '\xfd7zXZ\x00\x00\x04' >"$tmp/x.xz"
printf 'BZh91AY&SY' >"$tmp/x.bz2"
printf '\x04\x22\x4d\x18\x64\x40\xa7' >"$tmp/x.lz4"
for c in x.xz:xz x.bz2:bzip2 x.lz4:lz4; do
	"$np" watch -r "$tmp/${c%%:*}" >/dev/null 2>"$tmp/err"
	rc=$?
	{ [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "${c#*:}-compressed file: netprobe reads gzip and zstd" "$tmp/err"; } && ok ||
		bad "${c#*:}: exit $rc: $(cat "$tmp/err")"
done

# --- 4. a stop while the decompressor waits on a pipe --------------------------------------------
# A FIFO whose writer sends a whole compressed capture, then holds the pipe open: SIGINT during
# the read that waits (EINTR through the decompressing stream, inside the sandbox) is a normal
# end: exit 0, every packet printed, the summary.
f=$top/pcaps/tcp-handshake-data-teardown.pcap
"$np" watch -r "$f" 2>/dev/null >"$tmp/ref"
for z in gz zst; do
	mkfifo "$tmp/fifo.$z"
	{ cat "$tmp/tcp-handshake-data-teardown.pcap.$z"; sleep 5; } >"$tmp/fifo.$z" &
	wpid=$!
	"$np" watch -r "$tmp/fifo.$z" >"$tmp/out" 2>"$tmp/err" &
	npid=$!
	# The whole capture is in the pipe at once, read within a second (stdout, a file, is
	# written at the end: no line to wait for); the writer holds the pipe 5 s.
	sleep 1
	if ! kill -INT "$npid" 2>/dev/null; then
		bad "SIGINT on a .$z FIFO: netprobe had ended before the stop (the writer had not)"
	fi
	wait "$npid"
	rc=$?
	kill "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	{ [ $rc -eq 0 ] && cmp -s "$tmp/ref" "$tmp/out" && grep -q '^netprobe: 10 packets' "$tmp/err"; } && ok ||
		bad "SIGINT on a .$z FIFO: exit $rc, $(wc -l <"$tmp/out") lines, stderr: $(head -c 200 "$tmp/err")"
done

echo "compressed: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
