#!/usr/bin/env python3
"""Messages spanning TCP segments: netprobe's reassembled DNS/HTTP/TLS messages vs tshark's.

For each capture, every frame where tshark (default preferences: TCP reassembly on) reports a
reassembled PDU (tcp.reassembled.length, and the frames of tcp.segment) must be a frame where
netprobe's application object has "reassembled" with the same length and frames, and the
other way round; and each request's pairing (dns.response_to / dns.time, http.request_in /
http.time, on the reassembled messages too) must agree.
Usage: reasm_diff.py NETPROBE CAPTURE...      exit 0 when every capture agrees, 1 otherwise.
"""
import json
import subprocess
import sys

APPS = ("dns", "http", "tls")


def tshark(path):
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-e", "frame.number",
         "-e", "tcp.reassembled.length", "-e", "tcp.segment", "-e", "dns.response_to",
         "-e", "dns.time", "-e", "http.request_in", "-e", "http.time"],
        capture_output=True, text=True, check=True).stdout
    frames = {}
    for line in out.splitlines():
        c = line.split("\t")
        frames[int(c[0])] = c[1:]
    return frames


def netprobe(np, path):
    out = subprocess.run([np, "watch", "-r", path, "--json"], capture_output=True, text=True,
                         check=True).stdout
    frames = {}
    for line in out.splitlines():
        o = json.loads(line)
        if o.get("type") != "packet":
            continue
        app = next((o[k] for k in APPS if k in o), None)
        frames[o["n"]] = app or {}
    return frames


def check(np, path):
    bad = []
    ts, ours = tshark(path), netprobe(np, path)
    for n in sorted(set(ts) | set(ours)):
        t = ts.get(n, [""] * 6)
        a = ours.get(n, {})
        r = a.get("reassembled")
        want = (int(t[0].split(",")[0]), t[1]) if t[0] else None
        got = (r["len"], ",".join(str(f) for f in r["frames"])) if r else None
        if want != got:
            bad.append(f"frame {n} reassembled: netprobe={got} tshark={want}")
        for tv, key, tm in ((t[2], "request_in", t[3]), (t[4], "request_in", t[5])):
            if not tv:
                continue
            if a.get(key) != int(tv) or abs(float(a.get("time", -1)) - float(tm)) > 5e-7:
                bad.append(f"frame {n} {key}: netprobe={a.get(key)},{a.get('time')} tshark={tv},{tm}")
        if a.get("request_in") is not None and not (t[2] or t[4]):
            bad.append(f"frame {n} request_in: netprobe={a['request_in']} tshark=-")
    for b in bad:
        print(f"{path}: {b}")
    print(f"# {path}: {'ok' if not bad else 'FAIL'}; {len(ts)} frames")
    return not bad


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    ok = all([check(sys.argv[1], p) for p in sys.argv[2:]])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
