#!/usr/bin/env python3
"""The end-of-run lines on stderr, as a user reads them (issue 12, small things):

  1. Ctrl-C on a terminal: the terminal echoes "^C" where the cursor is, so the summary must
     start on a line of its own (a newline first, as tcpdump prints); not with SIGTERM, and not
     when stderr is a file (nothing to separate there).
  2. The live statistics line starts with "netprobe:" like every other line, with "1 packet"
     in the singular (needs CAP_NET_RAW: runs when root or CI is set, else skipped).

Usage: summary_lines.py NETPROBE CAPTURE.  Exit 0 all passed, 1 a failure, 77 nothing could run.
Every wait is bounded."""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

NP, CAPTURE = sys.argv[1], sys.argv[2]
fails = passes = 0


def check(name, cond, detail=""):
    global fails, passes
    if cond:
        passes += 1
        print(f"ok   {name}")
    else:
        fails += 1
        print(f"FAIL {name}: {detail}")


def handler_installed(pid, sig):
    """Has `pid` installed a handler for `sig` (SigCgt in /proc/PID/status)?"""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (sig - 1)))
    except OSError:
        pass
    return False


def stop_run(sig, stderr_tty):
    """`watch -r -` from a pipe that stays open after the capture's bytes, stopped by `sig`
    once netprobe has its stop handlers (so the signal ends the run, not the process).
    Returns (exit status, stderr text)."""
    with open(CAPTURE, "rb") as f:
        data = f.read()
    if stderr_tty:
        master, slave = pty.openpty()
        err_target = slave
    else:
        err_target = subprocess.PIPE
    p = subprocess.Popen([NP, "watch", "-r", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=err_target)
    if stderr_tty:
        os.close(slave)
    p.stdin.write(data)
    p.stdin.flush()  # and keep it open: the read blocks after the last frame
    deadline = time.monotonic() + 10
    while not handler_installed(p.pid, sig) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.01)
    time.sleep(0.2)  # let it read what was sent
    p.send_signal(sig)
    out = b""
    if stderr_tty:
        end = time.monotonic() + 10
        while time.monotonic() < end:
            r, _, _ = select.select([master], [], [], 0.5)
            if not r:
                if p.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
    else:
        out = p.stderr.read()
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    p.stdin.close()
    return rc, out.decode("utf-8", "replace").replace("\r\n", "\n")


rc, err = stop_run(signal.SIGINT, True)
check("sigint-tty/exit 0", rc == 0, f"exit {rc}")
check("sigint-tty/summary on a line of its own",
      re.match(r"\nnetprobe: \d+ packets?: ", err) is not None, repr(err[:80]))

rc, err = stop_run(signal.SIGTERM, True)
check("sigterm-tty/exit 0", rc == 0, f"exit {rc}")
check("sigterm-tty/no blank line before the summary",
      re.match(r"netprobe: \d+ packets?: ", err) is not None, repr(err[:80]))

rc, err = stop_run(signal.SIGINT, False)
check("sigint-file/exit 0", rc == 0, f"exit {rc}")
check("sigint-file/no blank line before the summary",
      re.match(r"netprobe: \d+ packets?: ", err) is not None, repr(err[:80]))

# --- 2. the live statistics line ---------------------------------------------------------------
if os.geteuid() == 0 or os.environ.get("CI"):
    # Loopback only: once netprobe says it is watching, one UDP datagram to 127.0.0.1:9
    # (discard), and -c 1 ends the run at it: "1 packet shown". --duration bounds the run
    # should the datagram be missed.
    import socket
    p = subprocess.Popen([NP, "watch", "-i", "lo", "--duration", "5", "-c", "1", "udp port 9"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    first = b""
    end = time.monotonic() + 10
    while b"\n" not in first and time.monotonic() < end:
        r, _, _ = select.select([p.stderr], [], [], 0.5)
        if r:
            c = os.read(p.stderr.fileno(), 1)
            if not c:
                break
            first += c
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.sendto(b"x", ("127.0.0.1", 9))
    try:
        rest = p.communicate(timeout=15)[1]
    except subprocess.TimeoutExpired:
        p.kill()
        rest = p.communicate()[1]
    err = (first + rest).decode("utf-8", "replace")
    line = [l for l in err.splitlines() if "received by filter" in l]
    check("live/exit 0", p.returncode == 0, f"exit {p.returncode}: {err[:200]!r}")
    check("live/statistics line starts with 'netprobe:'",
          len(line) == 1 and re.match(r"netprobe: \d+ packets? shown, \d+ received by filter, "
                                      r"\d+ dropped by kernel, \d+ dropped by interface$", line[0]),
          repr(line))
    check("live/'1 packet shown'", len(line) == 1 and line[0].startswith("netprobe: 1 packet shown,"),
          repr(line))
else:
    print("skip live: needs root (or CI set)")

print(f"{passes} passed, {fails} failed")
sys.exit(1 if fails else 0)
