#!/usr/bin/env bash
# -w FILE against another local user who races it (SECURITY.md, promise 4): FILE sits in a
# directory that user (nobody) may write, and an attacker loop swaps FILE, hundreds of times a
# second, between a FIFO of theirs (with a reader) and a symbolic link to a root-only 0600 file,
# while root runs `netprobe watch -r CAPTURE -w FILE` again and again. netprobe opens FILE once
# without following links and judges what it opened (fstat), so each run either writes the
# FIFO it opened or refuses the link (exit 2, "is a symbolic link"); the protected file must
# never change (sha256 before and after). Bounded: at most TRIES runs (600) or 40 s, each run
# under timeout. On 35ba368 (stat, then open following links) the file is overwritten within a
# few tries.
# Needs root (a second user); without root it skips (77) unless CI=true.
# Usage: w_race.sh NETPROBE [TRIES]
set -u
np=${1:?usage: w_race.sh NETPROBE [TRIES]}
tries=${2:-600}
case $np in /*) ;; *) np=$PWD/$np ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then echo "FAIL w_race: needs root (CI=true: it must run)"; exit 1; fi
	echo "SKIP w_race: needs root (a second user)"
	exit 77
fi
# The attacker runs as nobody: a python3 it can execute (not a per-user shim).
py=$(command -v /usr/bin/python3 || command -v python3)
for c in setpriv timeout sha256sum; do
	command -v "$c" >/dev/null || { echo "FAIL missing command $c"; exit 1; }
done
tmp=$(mktemp -d)
chmod 755 "$tmp"
attacker=
cleanup() {
	[ -n "$attacker" ] && kill "$attacker" 2>/dev/null && wait "$attacker" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
good=$tmp/good.pcap
cp "$top/pcaps/tcp-handshake-data-teardown.pcap" "$good"
chmod 644 "$good"
secret=$tmp/secret
head -c 4096 /dev/urandom >"$secret"
chmod 600 "$secret"
before=$(sha256sum <"$secret")
d=$tmp/shared
mkdir "$d"
chown nobody "$d"

cat >"$tmp/attack.py" <<'PY'
import os, sys, time
d, target, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
F = os.path.join(d, "cap.pcap")
fds, i, end = [], 0, time.monotonic() + secs
while time.monotonic() < end and not os.path.exists(os.path.join(d, "stop")):
    i += 1
    f = os.path.join(d, "f%d" % i)
    os.mkfifo(f, 0o666)
    fds.append(os.open(f, os.O_RDONLY | os.O_NONBLOCK))  # a reader: root's open does not wait
    os.rename(f, F)
    l = os.path.join(d, "l%d" % i)
    os.symlink(target, l)
    os.rename(l, F)
    while len(fds) > 64:
        os.close(fds.pop(0))
print(i, file=sys.stderr)
PY
timeout -k 2 60 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$py" "$tmp/attack.py" "$d" "$secret" 50 2>"$tmp/attack.err" &
attacker=$!
sleep 0.2
runs=0 wrote=0 refused=0 other=0 changed_at=0
start=$(date +%s)
while [ "$runs" -lt "$tries" ] && [ $(($(date +%s) - start)) -lt 40 ]; do
	runs=$((runs + 1))
	timeout -k 1 5 "$np" watch -r "$good" -w "$d/cap.pcap" --no-summary >/dev/null 2>"$tmp/e"
	case $? in
	0) wrote=$((wrote + 1)) ;;
	2) if grep -q 'is a symbolic link' "$tmp/e"; then refused=$((refused + 1)); else other=$((other + 1)); fi ;;
	*) other=$((other + 1)) ;;
	esac
	if [ "$changed_at" -eq 0 ] && [ "$(sha256sum <"$secret")" != "$before" ]; then
		changed_at=$runs
		break
	fi
done
touch "$d/stop"
wait "$attacker"
attacker=
echo "  $runs runs: $wrote wrote a FIFO, $refused refused a link, $other other; attacker swapped $(tail -n 1 "$tmp/attack.err") times"
if [ "$changed_at" -eq 0 ] && [ "$(sha256sum <"$secret")" = "$before" ]; then
	ok "race/protected-file-unchanged ($runs runs)"
else
	bad "race/protected-file-unchanged: the root-only file was overwritten at run $changed_at"
fi
# The race was really run: both outcomes were seen.
if [ "$runs" -ge 50 ] && [ "$refused" -gt 0 ] && [ "$wrote" -gt 0 ]; then
	ok "race/both-sides-seen"
else
	bad "race/both-sides-seen: $runs runs, $wrote wrote, $refused refused, $other other"
fi
echo "w_race: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
