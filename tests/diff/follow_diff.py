#!/usr/bin/env python3
"""follow_diff.py - the bytes `netprobe follow` reassembles, compared with tshark's
`-z follow,tcp,raw,N` and `-z follow,udp,raw,N`, byte for byte per direction, for every stream
with payload of every capture given (files or directories).

Streams are matched by protocol and first frame (tshark numbers its tcp.stream/udp.stream its
own way; netprobe numbers conversations as its tracker does), and the endpoints are checked.
Every disagreement is printed as

    FILE PROTO STREAM WHAT: detail

(STREAM: tshark's stream number; WHAT: c2s, s2c, missing-in-netprobe, missing-in-tshark,
endpoints) and fails the run unless FOLLOW_EXCEPTIONS.md covers it (fenced block `exceptions`:
FILE PROTO STREAM WHAT reason; FILE a glob, STREAM a number or *, WHAT a glob).

tshark runs once per capture: the stream list and the follow of the first FIRST TCP and UDP
streams in one pass, then, for a capture with more, the rest (in groups of GROUP), at most
MAX_STREAMS streams with payload per capture (the first ones; the rest are counted as skipped,
so the run time stays reasonable on captures with thousands of flows).
"""
import argparse
import base64
import fnmatch
import functools
import hashlib
import json
import os
import pickle
import re
import subprocess
import sys

MISSING = re.compile(rb"\[\d+ bytes missing in capture file\]\x00?")
GROUP = 60
FIRST = 24
MAX_STREAMS = 240


def load_exceptions(path):
    rules = []
    if not os.path.exists(path):
        return rules
    inside = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s.startswith("```"):
                inside = s == "```exceptions"
                continue
            if inside and s and not s.startswith("#"):
                parts = s.split(None, 4)
                if len(parts) >= 5:
                    rules.append(parts[:4])
    return rules


def excepted(rules, fname, proto, stream, what):
    for pat, p, st, w in rules:
        if fnmatch.fnmatch(fname, pat) and p in (proto, "*") and \
                (st == "*" or st == str(stream)) and fnmatch.fnmatch(what, w):
            return True
    return False


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for n in sorted(os.listdir(p)):
                if n.endswith((".pcap", ".pcapng", ".cap")):
                    yield os.path.join(p, n)
        else:
            yield p


def follow_args(keys):
    args = []
    for proto, sid in keys:
        args += ["-z", "follow,%s,raw,%d" % (proto, sid)]
    return args


def tshark_streams(path):
    """({(proto, stream): [first_frame, has_payload]}, follow of the first FIRST streams of each
    protocol) from one tshark pass: the field lines, then the -z follow blocks (tshark numbers
    streams from 0 in order of appearance, so most captures need no second pass)."""
    guess = [(p, i) for p in ("tcp", "udp") for i in range(FIRST)]
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-d", "udp.port==8472,vxlan", "-T", "fields", "-E", "separator=|", "-e", "frame.number",
         "-e", "tcp.stream", "-e", "tcp.len", "-e", "udp.stream", "-e", "udp.length"]
        + follow_args(guess),
        capture_output=True, text=True, timeout=600).stdout
    streams = {}
    for line in out.splitlines():
        f = line.split("|")
        if len(f) < 5:
            continue
        frame = int(f[0])
        for proto, sid, ln, hdr in (("tcp", f[1], f[2], 0), ("udp", f[3], f[4], 8)):
            # several values (a quoted header in an ICMP error, a tunnel): the first
            sid = sid.split(",")[0]
            if not sid:
                continue
            e = streams.setdefault((proto, int(sid)), [frame, False])
            lens = [int(x) for x in ln.split(",") if x.isdigit()]
            # no length at all (a malformed header tshark gave up on): follow it anyway
            if not lens or lens[0] > hdr:
                e[1] = True
    return streams, parse_follow(out)


def parse_follow(out):
    """{(proto, stream): (node0, node1, bytes0, bytes1)} from tshark's -z follow,...,raw blocks."""
    res = {}
    for block in out.split("=" * 67):
        m = re.search(r"Filter: (tcp|udp)\.stream eq (\d+)", block)
        if not m:
            continue
        n0 = re.search(r"Node 0: (.*)", block).group(1).strip()
        n1 = re.search(r"Node 1: (.*)", block).group(1).strip()
        data = [bytearray(), bytearray()]
        for line in block.splitlines():
            if re.fullmatch(r"\t?[0-9a-f]+", line):
                b = bytes.fromhex(line.strip())
                # tshark writes a gap as text among the bytes: compared as no bytes
                # (netprobe reports gaps apart from the data)
                if MISSING.fullmatch(b):
                    continue
                data[1 if line.startswith("\t") else 0] += b
        res[(m.group(1), int(m.group(2)))] = (n0, n1, bytes(data[0]), bytes(data[1]))
    return res


def tshark_follow(path, keys):
    """{(proto, stream): (node0, node1, bytes0, bytes1)} for the streams in keys."""
    res = {}
    for i in range(0, len(keys), GROUP):
        args = ["tshark", "-n", "-r", path, "-d", "udp.port==8472,vxlan", "-q"] + follow_args(keys[i:i + GROUP])
        res.update(parse_follow(subprocess.run(args, capture_output=True, text=True,
                                               timeout=900).stdout))
    return res


@functools.lru_cache(maxsize=None)
def tshark_version():
    return subprocess.run(["tshark", "--version"], capture_output=True).stdout


def tshark_view(path, cache_dir):
    """(streams, follow) for path; with cache_dir, kept there keyed by the capture's bytes, the
    tshark version and this script's text, so the second build's run (ASan) reads tshark once."""
    key = None
    if cache_dir:
        h = hashlib.sha256()
        for part in (open(path, "rb").read(), open(__file__, "rb").read(),
                     tshark_version()):
            h.update(hashlib.sha256(part).digest())
        key = os.path.join(cache_dir, h.hexdigest() + ".pickle")
        try:
            with open(key, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.PickleError, EOFError):
            pass
    streams, follow = tshark_streams(path)
    keys = sorted(k for k, v in streams.items() if v[1])[:MAX_STREAMS]
    follow = {k: follow[k] for k in keys if k in follow}
    follow.update(tshark_follow(path, [k for k in keys if k not in follow]))
    view = (streams, follow)
    if key:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = "%s.%d" % (key, os.getpid())
        with open(tmp, "wb") as f:
            pickle.dump(view, f)
        os.replace(tmp, key)
    return view


def netprobe_convs(np, path):
    r = subprocess.run([np, "follow", "-r", path, "--format", "json", "--color", "never"],
                       capture_output=True, text=True, timeout=600)
    convs = {}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        data = [bytearray(), bytearray()]
        for ch in o["chunks"]:
            data[0 if ch["dir"] == "c2s" else 1] += base64.b64decode(ch["data"])
        convs[(o["proto"], o["first_frame"])] = (o, bytes(data[0]), bytes(data[1]))
    return r.returncode, convs


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def compare(np, path, rules, counts, cache_dir):
    fname = os.path.basename(path)
    problems = []
    rc, convs = netprobe_convs(np, path)
    if rc != 0:
        problems.append((fname, "*", "*", "exit", "netprobe follow exit status %d" % rc))
        return problems
    streams, follow = tshark_view(path, cache_dir)
    keys = sorted(k for k, v in streams.items() if v[1])
    counts["skipped"] += max(0, len(keys) - MAX_STREAMS)
    keys = keys[:MAX_STREAMS]
    matched = set()
    for key in keys:
        proto, sid = key
        first = streams[key][0]
        t = follow.get(key)
        if t is None:
            problems.append((fname, proto, sid, "tshark", "no follow output"))
            continue
        n0, n1, t0, t1 = t
        c = convs.get((proto, first))
        if c is None:
            if t0 or t1:
                problems.append((fname, proto, sid, "missing-in-netprobe",
                                 "tshark has %d+%d bytes from frame %d" % (len(t0), len(t1), first)))
            continue
        matched.add((proto, first))
        o, c2s, s2c = c
        if {n0, n1} != {o["client"], o["server"]}:
            problems.append((fname, proto, sid, "endpoints",
                             "tshark %s %s, netprobe %s %s" % (n0, n1, o["client"], o["server"])))
            continue
        tc, ts = (t0, t1) if n0 == o["client"] else (t1, t0)
        counts["streams"] += 1
        for what, mine, theirs in (("c2s", c2s, tc), ("s2c", s2c, ts)):
            counts["bytes"] += len(theirs)
            if mine != theirs:
                problems.append((fname, proto, sid, what,
                                 "netprobe %d bytes, tshark %d, first difference at %d (netprobe conv %d)"
                                 % (len(mine), len(theirs), first_diff(mine, theirs), o["conv"])))
    if len(keys) < MAX_STREAMS:
        for (proto, first), (o, c2s, s2c) in sorted(convs.items()):
            if (proto, first) not in matched and (c2s or s2c):
                problems.append((fname, proto, "*", "missing-in-tshark",
                                 "netprobe conv %d from frame %d has %d+%d bytes"
                                 % (o["conv"], first, len(c2s), len(s2c))))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netprobe", required=True)
    ap.add_argument("--exceptions", default=os.path.join(os.path.dirname(__file__),
                                                          "FOLLOW_EXCEPTIONS.md"))
    ap.add_argument("--tshark-cache", metavar="DIR", default=None,
                    help="keep tshark's view of each capture in DIR (keyed by its bytes, the "
                         "tshark version and this script)")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    rules = load_exceptions(a.exceptions)
    counts = {"streams": 0, "bytes": 0, "skipped": 0}
    failed = accepted = files = 0
    for path in captures(a.paths):
        files += 1
        for fname, proto, sid, what, detail in compare(a.netprobe, path, rules, counts, a.tshark_cache):
            ok = excepted(rules, fname, proto, sid, what)
            accepted += ok
            failed += not ok
            print("%s%s %s %s %s: %s" % ("(accepted) " if ok else "", fname, proto, sid, what,
                                         detail))
    print("follow_diff: %d captures, %d streams equal or explained, %d bytes compared, "
          "%d streams over the per-capture cap skipped, %d accepted, %d failed"
          % (files, counts["streams"], counts["bytes"], counts["skipped"], accepted, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
