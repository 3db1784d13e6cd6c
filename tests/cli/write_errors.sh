#!/usr/bin/env bash
# -w FILE when it cannot be written as asked: a clear one-line error and exit 2, and never a
# partial file under FILE's name (design: the capture is written as FILE.partial and renamed to
# FILE only at a clean end; on an error the data stays in FILE.partial and the message says so).
#   exists          FILE exists: exit 2, one line, FILE untouched, no FILE.partial;
#   overwrite       ... with --overwrite: exit 0, FILE replaced (tcpdump reads the new frames);
#   partial-exists  FILE.partial left by an earlier run: exit 2, one line naming it;
#   no-dir          a directory that does not exist: exit 2, one line naming the path and
#                   "No such file or directory", nothing created;
#   ro-mount        a read-only mount (tmpfs mounted ro in a private mount namespace): exit 2,
#                   "Read-only file system";
#   ro-unprivileged a directory without write permission, as user nobody: "Permission denied";
#   full-disk       a 256 KiB tmpfs (private mount namespace) and a 38 MB replay: exit 2, one
#                   line "writing FILE failed: No space left on device; what was written is kept
#                   in FILE.partial (incomplete)", no FILE, FILE.partial non-empty and read by
#                   tcpdump up to where it was cut (its frames are a prefix of the replay's);
#   full-disk-json  the same with --json on stdout: nothing after the error, exit 2;
#   fifo            FILE is a FIFO read by tcpdump: written directly, exit 0, tcpdump reads all;
#   symlink-*       FILE a symbolic link (to a root-only file, to another user's FIFO with a
#                   reader, dangling), with and without --overwrite: exit 2, one line "FILE is a
#                   symbolic link: refused", the target unchanged, the FIFO's reader gets nothing,
#                   no FILE.partial;
#   stdout          -w /dev/stdout, and -w P when standard output is the FIFO P: exit 2, one
#                   line "is standard output: use -w -", no pcap bytes among the text;
#   foreign-fifo    FILE a FIFO of nobody's (with a reader) in a sticky world-writable directory:
#                   exit 2, one line "is a FIFO of another user", the reader gets nothing;
#                   the same FIFO in nobody's own (not sticky) directory is written, as asked;
#   planted-partial another user (nobody) plants a world-writable FILE.partial in a sticky
#                   world-writable directory and keeps a hard link to it; --overwrite: exit 0,
#                   FILE owned by root and not world-writable, the planted inode unchanged.
# Needs root (mounts, a second user); without root it skips (77) unless CI=true.
# Usage: write_errors.sh NETPROBE GEN_SYNFLOOD
set -u
np=${1:?usage: write_errors.sh NETPROBE GEN_SYNFLOOD}
gen=${2:?usage: write_errors.sh NETPROBE GEN_SYNFLOOD}
case $np in /*) ;; *) np=$PWD/$np ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then echo "FAIL write_errors: needs root (CI=true: it must run)"; exit 1; fi
	echo "SKIP write_errors: needs root (mounts in a private namespace, a second user)"
	exit 77
fi
for c in tcpdump unshare mount setpriv timeout; do
	command -v "$c" >/dev/null || { echo "FAIL missing command $c"; exit 1; }
done
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
good=$tmp/good.pcap
cp "$top/pcaps/tcp-handshake-data-teardown.pcap" "$good"
chmod 644 "$good"

# one_line NAME ERRFILE REGEX: exactly one stderr line, "netprobe: watch: ..." matching REGEX.
one_line() {
	local name=$1 f=$2 re=$3
	if [ "$(grep -c . "$f")" -eq 1 ] && grep -q '^netprobe: watch: ' "$f" && grep -Eq -- "$re" "$f"; then
		ok "$name/one-line ($(cat "$f"))"
	else
		bad "$name/one-line: want one line matching /$re/, got: $(head -n 4 "$f" | tr '\n' '|')"
	fi
}
rc_is() {
	if [ "$2" -eq "$3" ]; then ok "$1/exit-status $2"; else bad "$1/exit-status $2 (want $3)"; fi
}

# --- exists, overwrite, partial-exists -------------------------------------------------------------
d=$tmp/d
mkdir "$d"
printf 'precious\n' >"$d/cap.pcap"
timeout -k 2 30 "$np" watch -r "$good" -w "$d/cap.pcap" >"$tmp/o" 2>"$tmp/e"
rc_is exists $? 2
one_line exists "$tmp/e" "cap\.pcap exists: .*--overwrite"
[ "$(cat "$d/cap.pcap")" = precious ] && [ ! -e "$d/cap.pcap.partial" ] && [ ! -s "$tmp/o" ] &&
	ok "exists/untouched" || bad "exists/untouched: $(ls "$d")"

timeout -k 2 30 "$np" watch -r "$good" -w "$d/cap.pcap" --overwrite >"$tmp/o" 2>"$tmp/e"
rc_is overwrite $? 0
n=$(timeout -k 2 30 tcpdump -n -r "$d/cap.pcap" 2>/dev/null | grep -c .)
[ "$n" -eq 10 ] && [ ! -e "$d/cap.pcap.partial" ] && ok "overwrite/replaced ($n frames)" ||
	bad "overwrite/replaced: tcpdump reads $n frames; $(ls "$d")"

printf 'left over\n' >"$d/new.pcap.partial"
timeout -k 2 30 "$np" watch -r "$good" -w "$d/new.pcap" >"$tmp/o" 2>"$tmp/e"
rc_is partial-exists $? 2
one_line partial-exists "$tmp/e" "new\.pcap\.partial exists \(an incomplete capture left by an earlier run\?\)"
[ ! -e "$d/new.pcap" ] && [ "$(cat "$d/new.pcap.partial")" = "left over" ] && ok "partial-exists/untouched" ||
	bad "partial-exists/untouched"

# --- no-dir -----------------------------------------------------------------------------------------
timeout -k 2 30 "$np" watch -r "$good" -w "$tmp/no-such-dir/x.pcap" >"$tmp/o" 2>"$tmp/e"
rc_is no-dir $? 2
one_line no-dir "$tmp/e" "cannot write $tmp/no-such-dir/x\.pcap: No such file or directory"
[ ! -e "$tmp/no-such-dir" ] && [ ! -s "$tmp/o" ] && ok "no-dir/nothing-created" || bad "no-dir/nothing-created"

# --- read-only: a ro mount, and a directory nobody may write to -------------------------------------
mkdir "$tmp/ro"
timeout -k 2 30 unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs -o ro,size=64k tmpfs "$1" &&
	exec "$2" watch -r "$3" -w "$1/x.pcap"' sh "$tmp/ro" "$np" "$good" >"$tmp/o" 2>"$tmp/e"
rc_is ro-mount $? 2
one_line ro-mount "$tmp/e" "cannot write $tmp/ro/x\.pcap: Read-only file system"

mkdir "$tmp/locked"
chmod 555 "$tmp/locked"
timeout -k 2 30 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$np" watch -r "$good" -w "$tmp/locked/x.pcap" >"$tmp/o" 2>"$tmp/e"
rc_is ro-unprivileged $? 2
one_line ro-unprivileged "$tmp/e" "cannot write $tmp/locked/x\.pcap: Permission denied"
[ -z "$(ls -A "$tmp/locked")" ] && ok "ro-unprivileged/nothing-created" || bad "ro-unprivileged/nothing-created"

# --- a full disk ------------------------------------------------------------------------------------
big=$tmp/big.pcap
"$gen" -o "$big" -n 500000 >/dev/null || { echo "FAIL gen_synflood"; exit 1; }
chmod 644 "$big"
for mode in text json; do
	name=full-disk
	extra=()
	[ "$mode" = json ] && name=full-disk-json extra=(--json)
	mkdir -p "$tmp/$name"
	# In a private mount namespace: the tmpfs disappears with it, whatever happens here. The
	# checks of the files run inside too (afterwards they are gone); their findings are printed.
	timeout -k 2 120 unshare -m bash -c '
		dir=$1 np=$2 big=$3 out=$4
		shift 4
		mount --make-rprivate / && mount -t tmpfs -o size=256k tmpfs "$dir" || exit 99
		"$np" watch -r "$big" -w "$dir/f.pcap" "$@" >"$out.stdout" 2>"$out.err"
		echo $? >"$out.rc"
		ls -1 "$dir" >"$out.ls"
		stat -c %s "$dir/f.pcap.partial" >"$out.size" 2>/dev/null
		tcpdump -n -r "$dir/f.pcap.partial" >"$out.tcpdump" 2>"$out.tcpdump.err"
		cp "$dir/f.pcap.partial" "$out.partial" 2>/dev/null || true
		exit 0' sh "$tmp/$name" "$np" "$big" "$tmp/$name-r" "${extra[@]}"
	inner=$?
	if [ "$inner" -ne 0 ]; then
		bad "$name: the private mount namespace could not be set up (status $inner)"
		continue
	fi
	rc_is "$name" "$(cat "$tmp/$name-r.rc")" 2
	one_line "$name" "$tmp/$name-r.err" \
		"writing $tmp/$name/f\.pcap failed: No space left on device; what was written is kept in $tmp/$name/f\.pcap\.partial \(incomplete\)$"
	if [ "$(cat "$tmp/$name-r.ls")" = f.pcap.partial ]; then
		ok "$name/only-partial (no f.pcap)"
	else
		bad "$name/only-partial: the directory holds: $(tr '\n' ' ' <"$tmp/$name-r.ls")"
	fi
	size=$(cat "$tmp/$name-r.size" 2>/dev/null || echo 0)
	n=$(grep -c . "$tmp/$name-r.tcpdump")
	if [ "$size" -gt 100000 ] && [ "$n" -gt 1000 ]; then
		ok "$name/partial-kept ($size bytes, tcpdump reads $n frames: $(tail -n 1 "$tmp/$name-r.tcpdump.err" | cut -c 1-60))"
	else
		bad "$name/partial-kept: $size bytes, $n frames"
	fi
	# What it holds is the capture's start, frame for frame.
	timeout -k 2 60 tcpdump -n -r "$big" -c "$n" 2>/dev/null >"$tmp/$name.expected"
	if [ "$n" -gt 0 ] && cmp -s "$tmp/$name.expected" "$tmp/$name-r.tcpdump"; then
		ok "$name/partial-is-prefix"
	else
		bad "$name/partial-is-prefix"
	fi
	if [ "$mode" = json ]; then
		if tail -n 1 "$tmp/$name-r.stdout" | grep -q '"type":"summary"'; then
			bad "$name/no-summary-after-error: stdout ends with a summary"
		else
			ok "$name/no-summary-after-error"
		fi
	fi
done

# --- a FIFO: written directly --------------------------------------------------------------------------
mkfifo "$tmp/cap.fifo"
timeout -k 2 30 tcpdump -n -r "$tmp/cap.fifo" >"$tmp/fifo.tcpdump" 2>/dev/null &
reader=$!
timeout -k 2 30 "$np" watch -r "$good" -w "$tmp/cap.fifo" >"$tmp/o" 2>"$tmp/e"
rc_is fifo $? 0
wait "$reader"
n=$(grep -c . "$tmp/fifo.tcpdump")
[ "$n" -eq 10 ] && [ -p "$tmp/cap.fifo" ] && [ ! -e "$tmp/cap.fifo.partial" ] &&
	ok "fifo/read-by-tcpdump ($n frames)" || bad "fifo/read-by-tcpdump: $n frames"

# --- symbolic links: never followed -----------------------------------------------------------------
sl=$tmp/sl
mkdir "$sl"
printf 'root only\n' >"$tmp/secret"
chmod 600 "$tmp/secret"
mkfifo "$sl/their.fifo"
for kind in file fifo dangling; do
	case $kind in
	file) to=$tmp/secret ;;
	fifo) to=$sl/their.fifo ;;
	dangling) to=$sl/nowhere.pcap ;;
	esac
	for ow in "" --overwrite; do
		name=symlink-$kind${ow:+-overwrite}
		rm -f "$sl/cap.pcap"
		ln -s "$to" "$sl/cap.pcap"
		# a reader on the FIFO, so that a run that followed the link would not wait forever
		timeout -k 1 5 cat "$sl/their.fifo" >"$tmp/fifo.got" &
		reader=$!
		timeout -k 2 30 "$np" watch -r "$good" -w "$sl/cap.pcap" $ow >"$tmp/o" 2>"$tmp/e"
		rc_is "$name" $? 2
		one_line "$name" "$tmp/e" "$sl/cap\.pcap is a symbolic link: refused"
		exec 9<>"$sl/their.fifo" # a writer that goes away: the reader ends (O_RDWR never waits)
		exec 9>&-
		wait "$reader"
		if [ ! -s "$tmp/fifo.got" ] && [ "$(cat "$tmp/secret")" = "root only" ] &&
			[ -L "$sl/cap.pcap" ] && [ ! -e "$sl/cap.pcap.partial" ] && [ ! -e "$sl/nowhere.pcap" ]; then
			ok "$name/nothing-written"
		else
			bad "$name/nothing-written: FIFO got $(stat -c %s "$tmp/fifo.got") bytes; $(ls "$sl" | tr '\n' ' ')"
		fi
	done
done

# --- standard output as FILE ------------------------------------------------------------------------
timeout -k 2 30 "$np" watch -r "$good" -w /dev/stdout >"$tmp/o" 2>"$tmp/e"
rc_is stdout-dev $? 2
one_line stdout-dev "$tmp/e" "/dev/stdout is standard output.*: use -w - to write the capture there"
[ ! -s "$tmp/o" ] && ok "stdout-dev/nothing-on-stdout" || bad "stdout-dev/nothing-on-stdout: $(stat -c %s "$tmp/o") bytes"
mkfifo "$tmp/out.fifo"
timeout -k 1 10 cat "$tmp/out.fifo" >"$tmp/o" &
reader=$!
timeout -k 2 30 "$np" watch -r "$good" -w "$tmp/out.fifo" >"$tmp/out.fifo" 2>"$tmp/e"
rc_is stdout-fifo $? 2
wait "$reader"
one_line stdout-fifo "$tmp/e" "out\.fifo is standard output: use -w - to write the capture there"
[ ! -s "$tmp/o" ] && ok "stdout-fifo/nothing-on-stdout" || bad "stdout-fifo/nothing-on-stdout: $(stat -c %s "$tmp/o") bytes"

# --- a FIFO of another user in a shared directory ---------------------------------------------------
ff=$tmp/ff
mkdir "$ff"
chmod 1777 "$ff"
setpriv --reuid=nobody --regid=nogroup --clear-groups mkfifo -m 666 "$ff/cap.pcap"
timeout -k 1 5 cat "$ff/cap.pcap" >"$tmp/fifo.got" &
reader=$!
timeout -k 2 30 "$np" watch -r "$good" -w "$ff/cap.pcap" >"$tmp/o" 2>"$tmp/e"
rc_is foreign-fifo $? 2
one_line foreign-fifo "$tmp/e" "$ff/cap\.pcap is a FIFO of another user \(uid [0-9]+\) in a shared directory: refused"
exec 9<>"$ff/cap.pcap" # a writer that goes away: the reader ends
exec 9>&-
wait "$reader"
[ ! -s "$tmp/fifo.got" ] && ok "foreign-fifo/nothing-written" || bad "foreign-fifo/nothing-written: $(stat -c %s "$tmp/fifo.got") bytes"
chmod 755 "$ff"
chown nobody "$ff"
timeout -k 1 5 cat "$ff/cap.pcap" >"$tmp/fifo.got" &
reader=$!
timeout -k 2 30 "$np" watch -r "$good" -w "$ff/cap.pcap" >"$tmp/o" 2>"$tmp/e"
rc_is foreign-fifo-own-dir $? 0
wait "$reader"
[ -s "$tmp/fifo.got" ] && ok "foreign-fifo-own-dir/written" || bad "foreign-fifo-own-dir/written: nothing"

# --- a FILE.partial planted by another user, and --overwrite ----------------------------------------
st=$tmp/sticky
mkdir "$st"
chmod 1777 "$st"
setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c \
	'umask 0; printf planted >"$1/cap.pcap.partial" && ln "$1/cap.pcap.partial" "$1/keep"' sh "$st"
(umask 022; timeout -k 2 30 "$np" watch -r "$good" -w "$st/cap.pcap" --overwrite >"$tmp/o" 2>"$tmp/e")
rc_is planted-partial $? 0
owner=$(stat -c %U "$st/cap.pcap" 2>/dev/null)
mode=$(stat -c %a "$st/cap.pcap" 2>/dev/null)
n=$(timeout -k 2 30 tcpdump -n -r "$st/cap.pcap" 2>/dev/null | grep -c .)
if [ "$owner" = root ] && [ $((0$mode & 2)) -eq 0 ] && [ "$n" -eq 10 ]; then
	ok "planted-partial/file-is-roots (owner $owner, mode $mode, $n frames)"
else
	bad "planted-partial/file-is-roots: owner $owner, mode $mode, $n frames"
fi
[ "$(cat "$st/keep")" = planted ] && [ ! -e "$st/cap.pcap.partial" ] &&
	ok "planted-partial/planted-inode-unchanged" || bad "planted-partial/planted-inode-unchanged: $(cat "$st/keep" | head -c 40 | od -c | head -2)"

echo "write errors: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
