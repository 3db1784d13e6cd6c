#!/usr/bin/env bash
# How a `watch -w FILE` run ends when something outside stops it (SECURITY.md, promise 4):
#   early-INT/TERM  SIGINT or SIGTERM 0-3 ms after netprobe catches the signal (its SigCgt in
#                   /proc/PID/status), 40 runs each, with -w and without: exit 0, no "died of
#                   signal", no FILE.partial left or named, FILE complete (tcpdump reads it);
#   fifo-wait       SIGTERM while -w FIFO waits for its reader: exit 0, the summary, no message
#                   (no FIFO.partial named: none exists);
#   input-wait      SIGTERM while -r FIFO waits for its writer (-w FILE): exit 0, the summary,
#                   no FILE, nothing named;
#   ulimit-f        a 64 KiB file size limit (ulimit -f 64) and a 38 MB replay: SIGXFSZ is
#                   ignored, so the write fails with EFBIG: exit 2, one line "writing FILE
#                   failed: File too large; what was written is kept in FILE.partial
#                   (incomplete)", FILE.partial read by tcpdump;
#   parent-killed   kill -9 of the -w parent of a live capture (-i lo): the worker ends within
#                   3 s (PR_SET_PDEATHSIG), saying where the capture is (FILE.partial, which
#                   tcpdump reads);
#   worker-killed   a capture read from a FIFO whose writer stalls after 202 frames (~16 KB,
#                   less than the 64 KiB stdio buffer); kill -9 of the worker once it has read
#                   them: FILE.partial holds all of them (flushed when the input went idle),
#                   and the parent names it (exit 137).
# Needs root (live capture on lo); without root it skips (77) unless CI=true.
# Usage: w_signals.sh NETPROBE GEN_SYNFLOOD
set -u
np=${1:?usage: w_signals.sh NETPROBE GEN_SYNFLOOD}
gen=${2:?usage: w_signals.sh NETPROBE GEN_SYNFLOOD}
case $np in /*) ;; *) np=$PWD/$np ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then echo "FAIL w_signals: needs root (CI=true: it must run)"; exit 1; fi
	echo "SKIP w_signals: needs root (live capture on lo)"
	exit 77
fi
for c in tcpdump timeout python3 pgrep; do
	command -v "$c" >/dev/null || { echo "FAIL missing command $c"; exit 1; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
good=$tmp/good.pcap
cp "$top/pcaps/tcp-handshake-data-teardown.pcap" "$good"
frames() { timeout -k 2 30 tcpdump -n -r "$1" 2>/dev/null | grep -c .; }
# worker_of PID: the -w worker (the parent's only child).
worker_of() { pgrep -P "$1" | head -n 1; }

# --- early stop signals --------------------------------------------------------------------------------
cat >"$tmp/early.py" <<'PY'
import os, random, re, signal, subprocess, sys, time
np, good, d, signame, withw = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "w"
sig = getattr(signal, signame)
bad = 0
for i in range(40):
    f = os.path.join(d, "%s-%d.pcap" % (signame, i))
    argv = [np, "watch", "-r", good] + (["-w", f] if withw else [])
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # until netprobe catches the signal
        try:
            st = open("/proc/%d/status" % p.pid).read()
        except OSError:
            break
        m = re.search(r"SigCgt:\s*([0-9a-f]+)", st)
        if m and int(m.group(1), 16) & (1 << (sig - 1)):
            break
    time.sleep(random.uniform(0, 0.003))
    p.send_signal(sig)
    _, err = p.communicate(timeout=20)
    err = err.decode(errors="replace")
    why = []
    if p.returncode != 0:
        why.append("exit %d" % p.returncode)
    if "died of signal" in err:
        why.append("died of signal")
    if withw:
        if os.path.exists(f + ".partial") or ".partial" in err:
            why.append("FILE.partial left or named")
        if not os.path.exists(f):
            why.append("no FILE")
    if why:
        bad += 1
        print("  run %d: %s: %s" % (i, ", ".join(why), err.strip().replace("\n", " | ")[:200]))
print("bad=%d" % bad)
PY
mkdir "$tmp/early"
for sig in SIGINT SIGTERM; do
	for w in w plain; do
		timeout -k 2 120 python3 "$tmp/early.py" "$np" "$good" "$tmp/early" "$sig" "$w" >"$tmp/early.out" 2>&1
		if grep -qx 'bad=0' "$tmp/early.out"; then
			# every FILE written is complete
			badfiles=0
			for f in "$tmp"/early/*.pcap; do
				[ -e "$f" ] || continue
				n=$(frames "$f")
				[ "$n" -ge 0 ] && timeout -k 2 30 tcpdump -n -r "$f" >/dev/null 2>&1 || badfiles=$((badfiles + 1))
			done
			[ "$badfiles" -eq 0 ] && ok "early-$sig-$w (40 runs: exit 0, nothing left as .partial)" ||
				bad "early-$sig-$w: $badfiles files tcpdump cannot read"
		else
			bad "early-$sig-$w: $(grep -c '^  run' "$tmp/early.out") of 40 runs"
			head -n 3 "$tmp/early.out"
		fi
		rm -f "$tmp"/early/*
	done
done

# --- a stop while -w FIFO waits for a reader -------------------------------------------------------------
mkfifo "$tmp/w.fifo"
"$np" watch -r "$good" -w "$tmp/w.fifo" >/dev/null 2>"$tmp/e" &
parent=$!
pids+=("$parent")
for _ in $(seq 50); do worker=$(worker_of "$parent"); [ -n "$worker" ] && break; sleep 0.02; done
sleep 0.3 # the worker is in open(2), waiting
kill -TERM "$parent" # (SIGINT: ignored by background jobs of a non-interactive shell)
waited=0
while kill -0 "$parent" 2>/dev/null && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
if kill -0 "$parent" 2>/dev/null; then
	bad "fifo-wait: still running 5 s after SIGTERM"
	kill -KILL "$parent" $worker 2>/dev/null
else
	wait "$parent"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^netprobe: 0 packets' "$tmp/e" && ! grep -q 'partial\|died\|cannot' "$tmp/e"; then
		ok "fifo-wait (exit 0, the summary, nothing named)"
	else
		bad "fifo-wait: exit $rc, $(head -n 2 "$tmp/e" | tr '\n' '|')"
	fi
fi

# --- a stop while -r FIFO waits for its writer -----------------------------------------------------------
mkfifo "$tmp/r.fifo"
mkdir "$tmp/rw"
"$np" watch -r "$tmp/r.fifo" -w "$tmp/rw/x.pcap" >/dev/null 2>"$tmp/e" &
parent=$!
pids+=("$parent")
sleep 0.5 # the worker is in open(2) of the input, waiting
kill -TERM "$parent"
waited=0
while kill -0 "$parent" 2>/dev/null && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
if kill -0 "$parent" 2>/dev/null; then
	bad "input-wait: still running 5 s after SIGTERM"
else
	wait "$parent"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^netprobe: 0 packets' "$tmp/e" && ! grep -q 'partial\|died\|watch:' "$tmp/e" &&
		[ -z "$(ls -A "$tmp/rw")" ]; then
		ok "input-wait (exit 0, the summary, nothing named or left)"
	else
		bad "input-wait: exit $rc, $(head -n 2 "$tmp/e" | tr '\n' '|'); $(ls "$tmp/rw")"
	fi
fi

# --- ulimit -f: EFBIG, not SIGXFSZ ------------------------------------------------------------------------
big=$tmp/big.pcap
"$gen" -o "$big" -n 500000 >/dev/null || { echo "FAIL gen_synflood"; exit 1; }
mkdir "$tmp/fsz"
timeout -k 2 60 bash -c 'ulimit -f 64; exec "$@"' sh "$np" watch -r "$big" -w "$tmp/fsz/f.pcap" >/dev/null 2>"$tmp/e"
rc=$?
[ "$rc" -eq 2 ] && ok "ulimit-f/exit-status 2" || bad "ulimit-f/exit-status $rc (want 2)"
if [ "$(grep -c . "$tmp/e")" -eq 1 ] && grep -q "^netprobe: watch: writing $tmp/fsz/f\.pcap failed: File too large; what was written is kept in $tmp/fsz/f\.pcap\.partial (incomplete)$" "$tmp/e"; then
	ok "ulimit-f/one-line"
else
	bad "ulimit-f/one-line: $(head -n 3 "$tmp/e" | tr '\n' '|')"
fi
n=$(frames "$tmp/fsz/f.pcap.partial")
[ ! -e "$tmp/fsz/f.pcap" ] && [ "$n" -gt 100 ] && ok "ulimit-f/partial-kept ($n frames)" ||
	bad "ulimit-f/partial-kept: $n frames; $(ls "$tmp/fsz")"

# --- kill -9 of the parent of a live -w run ------------------------------------------------------------
mkdir "$tmp/live"
"$np" watch -i lo -w "$tmp/live/l.pcap" >/dev/null 2>"$tmp/live.err" & # killed by cleanup
parent=$!
pids+=("$parent")
for _ in $(seq 100); do grep -q 'watching lo' "$tmp/live.err" && break; sleep 0.05; done
worker=$(worker_of "$parent")
if [ -z "$worker" ]; then
	bad "parent-killed: no worker found ($(head -n 2 "$tmp/live.err" | tr '\n' '|'))"
else
	pids+=("$worker")
	kill -KILL "$parent"
	wait "$parent" 2>/dev/null
	gone=no
	for _ in $(seq 30); do kill -0 "$worker" 2>/dev/null || { gone=yes; break; }; sleep 0.1; done
	[ "$gone" = yes ] && ok "parent-killed/worker-ends" || bad "parent-killed/worker-ends: worker $worker still runs 3 s later"
	n=$(frames "$tmp/live/l.pcap.partial")
	if [ "$gone" = yes ] && [ "$n" -ge 0 ] && grep -q "the complete capture is in $tmp/live/l\.pcap\.partial" "$tmp/live.err"; then
		ok "parent-killed/partial-named (tcpdump reads $n frames)"
	else
		bad "parent-killed/partial-named: $(tail -n 2 "$tmp/live.err" | tr '\n' '|')"
	fi
fi

# --- kill -9 of the worker while its input stalls ---------------------------------------------------------
small=$tmp/small.pcap
"$gen" -o "$small" -n 100 >/dev/null || { echo "FAIL gen_synflood"; exit 1; }
want=$(frames "$small")
mkfifo "$tmp/in.fifo"
mkdir "$tmp/kw"
(cat "$small"; sleep 30) >"$tmp/in.fifo" &
writer=$!
pids+=("$writer")
"$np" watch -r "$tmp/in.fifo" -w "$tmp/kw/k.pcap" >/dev/null 2>"$tmp/kw.err" &
parent=$!
pids+=("$parent")
sleep 1
worker=$(worker_of "$parent")
if [ -n "$worker" ]; then
	pids+=("$worker")
	kill -KILL "$worker"
fi
wait "$parent"
rc=$?
kill "$writer" 2>/dev/null
n=$(frames "$tmp/kw/k.pcap.partial")
[ "$n" -eq "$want" ] && ok "worker-killed/frames-kept ($n of $want)" ||
	bad "worker-killed/frames-kept: $n of $want in $(stat -c %s "$tmp/kw/k.pcap.partial" 2>/dev/null) bytes"
if [ "$rc" -eq 137 ] && grep -q "died of signal 9; anything captured is in $tmp/kw/k\.pcap\.partial (incomplete)" "$tmp/kw.err"; then
	ok "worker-killed/parent-says-where (exit 137)"
else
	bad "worker-killed/parent-says-where: exit $rc, $(head -n 2 "$tmp/kw.err" | tr '\n' '|')"
fi

echo "w_signals: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
