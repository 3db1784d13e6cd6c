#!/usr/bin/env python3
"""stats_diff.py - the numbers of `netprobe stats --json` compared with tshark's own tables:
`-z conv,tcp`, `-z conv,udp`, `-z conv,ip`, `-z conv,ipv6`, `-z endpoints,ip`,
`-z endpoints,ipv6` and `-z io,stat,1`, for every capture given (files or directories; with
--sample N, N captures evenly spaced in each directory's sorted list).

Rows are matched by their two endpoints (tshark's A is not always netprobe's A, so each row is
put in a canonical order, its directions with it); several rows with the same endpoints (a port
reused, the same 5-tuple in two tunnels) are compared as a sorted list. Compared: packets and
bytes each way (tshark prints bytes as Wireshark's format_size: "7794 bytes", "224 kB", so
netprobe's byte counts are put in the same words), the relative start (tshark: 9 decimals,
netprobe: 6) and the duration (tshark: 4 decimals); per endpoint its packets and bytes, sent and
received; per I/O interval its packets and bytes. Every disagreement prints as

    FILE TABLE KEY: tshark ... netprobe ...

and fails the run unless STATS_EXCEPTIONS.md covers it (fenced block `exceptions`: FILE TABLE
reason, FILE a glob, TABLE conv-tcp, conv-udp, conv-ip, endpoints, io, io-zero-duration or *).

tshark's output for each capture is cached with --tshark-cache DIR, keyed by the capture's
bytes, tshark's version and the command, so a second build's run does not run tshark again.
The I/O table of a capture spanning more than MAX_IO_SPAN seconds is not compared (tshark would
print every empty second of it).
"""
import argparse
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys

TABLES = ("conv,tcp", "conv,udp", "conv,ip", "conv,ipv6", "endpoints,ip", "endpoints,ipv6",
          "io,stat,1")
CONV_ROW = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+ \w+)\s+(\d+)\s+(\d+ \w+)\s+(\d+)\s+"
                      r"(\d+ \w+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$")
EP_ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
MAX_IO_SPAN = 3600  # seconds
IO_ROW = re.compile(r"^\|\s*([\d.]+)\s*<>\s*([\d.]+|Dur)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|")


def ws_size(n):
    """Wireshark 4.0's format_size (SI prefixes, integer division), as -z conv prints bytes."""
    for power, unit in ((10 ** 12, "TB"), (10 ** 9, "GB"), (10 ** 6, "MB"), (10 ** 3, "kB")):
        if n // power >= 10:
            return "%d %s" % (n // power, unit)
    return "%d bytes" % n


def load_exceptions(path):
    rules = []
    inside = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s.startswith("```"):
                inside = s == "```exceptions"
                continue
            if inside and s and not s.startswith("#"):
                parts = s.split(None, 2)
                if len(parts) == 3:
                    rules.append(parts[:2])
    return rules


def excepted(rules, fname, table):
    return any(fnmatch.fnmatch(fname, f) and t in (table, "*") for f, t in rules)


def captures(paths, sample):
    for p in paths:
        if not os.path.isdir(p):
            yield p
            continue
        names = sorted(n for n in os.listdir(p) if n.endswith((".pcap", ".pcapng", ".cap")))
        if sample and len(names) > sample:
            names = [names[i * len(names) // sample] for i in range(sample)]
        for n in names:
            yield os.path.join(p, n)


def split_ep(s, ports):
    if not ports:
        return (s, None)
    addr, _, port = s.rpartition(":")
    return (addr, int(port))


def canon(a, b, ab, ba):
    """The row in one order of its endpoints, whichever way tshark or netprobe put them."""
    if (a[0], a[1] or 0) <= (b[0], b[1] or 0):
        return (a, b), ab, ba
    return (b, a), ba, ab


def parse_tshark(out):
    """{table: rows} from one tshark run with every -z of TABLES."""
    res = {"conv-tcp": [], "conv-udp": [], "conv-ip": [], "endpoints": [], "io": []}
    table = None
    for line in out.splitlines():
        head = line.strip()
        if head.endswith("Conversations"):
            kind = head.split()[0]
            table = {"TCP": "conv-tcp", "UDP": "conv-udp"}.get(kind, "conv-ip")
            ports = kind in ("TCP", "UDP")
            continue
        if head.endswith("Endpoints"):
            table = "endpoints"
            continue
        if head.startswith("| IO Statistics"):
            table = "io"
            continue
        m = CONV_ROW.match(line) if table and table.startswith("conv") else None
        if m:
            g = m.groups()
            key, ab, ba = canon(split_ep(g[0], ports), split_ep(g[1], ports),
                                (int(g[4]), g[5]), (int(g[2]), g[3]))
            res[table].append((key, ab, ba, float(g[8]), float(g[9])))
            continue
        m = EP_ROW.match(line) if table == "endpoints" else None
        if m:
            res["endpoints"].append((m.group(1), tuple(int(x) for x in m.groups()[1:])))
            continue
        m = IO_ROW.match(line) if table == "io" else None
        if m:
            res["io"].append((int(m.group(3)), int(m.group(4))))
    return res


_VERSION = []


def tshark_version():
    """Asked once per run (it takes tshark a second to start)."""
    if not _VERSION:
        _VERSION.append(subprocess.run(["tshark", "--version"], capture_output=True).stdout)
    return _VERSION[0]


def tshark_view(path, cache_dir, with_io):
    """tshark's tables of path, parsed. Its output is cached in cache_dir, keyed by the
    capture's bytes, tshark's version and the command, so that the second build's run (ASan)
    and a change of this script's parsing do not run tshark again."""
    cmd = ["tshark", "-n", "-r", path, "-d", "udp.port==8472,vxlan", "-q"]
    for t in TABLES:
        if with_io or not t.startswith("io,"):
            cmd += ["-z", t]
    key = None
    if cache_dir:
        h = hashlib.sha256()
        for part in (open(path, "rb").read(), " ".join(cmd[4:]).encode(), tshark_version()):
            h.update(hashlib.sha256(part).digest())
        key = os.path.join(cache_dir, h.hexdigest() + ".txt")
        try:
            with open(key, encoding="utf-8") as f:
                out = f.read()
            return parse_tshark(out[1:]) if out.startswith("+") else None
        except OSError:
            pass
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    out = ("+" + r.stdout) if r.returncode == 0 else "-"
    if key:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = "%s.%d" % (key, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(out)
        os.replace(tmp, key)
    return parse_tshark(out[1:]) if out.startswith("+") else None


def netprobe_view(np, path):
    r = subprocess.run([np, "stats", "-r", path, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    res = {"conv-tcp": [], "conv-udp": [], "conv-ip": [], "endpoints": [], "io": []}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        if o["type"] == "conversation":
            a = (o["a"], o.get("a_port"))
            b = (o["b"], o.get("b_port"))
            key, ab, ba = canon(a, b, (o["frames_ab"], ws_size(o["bytes_ab"])),
                                (o["frames_ba"], ws_size(o["bytes_ba"])))
            res["conv-" + o["proto"]].append((key, ab, ba, o["start"], o["duration"]))
        elif o["type"] == "endpoint":
            res["endpoints"].append((o["ip"], (o["frames"], o["bytes"], o["tx_frames"],
                                               o["tx_bytes"], o["rx_frames"], o["rx_bytes"])))
        elif o["type"] == "interval":
            res["io"].append((o["frames"], o["bytes"]))
        elif o["type"] == "stats_summary":
            res["duration"] = o["duration"]
    return res


def same_conv(t, n):
    """One tshark row and one netprobe row: equal counts, times within the printed precision."""
    return t[1:3] == n[1:3] and abs(t[3] - n[3]) <= 1.5e-6 and abs(t[4] - n[4]) <= 0.00005 + 1e-6


def diff_conv(rows_t, rows_n):
    out = []
    keys = {}
    for side, rows in ((0, rows_t), (1, rows_n)):
        for r in rows:
            keys.setdefault(r[0], ([], []))[side].append(r)
    for key, (t, n) in sorted(keys.items(), key=lambda kv: repr(kv[0])):
        t.sort(key=repr)
        n.sort(key=repr)
        if len(t) != len(n) or not all(same_conv(a, b) for a, b in zip(t, n)):
            out.append("%s: tshark %s netprobe %s" % (
                key, [r[1:] for r in t], [(r[1], r[2], round(r[3], 6), round(r[4], 6)) for r in n]))
    return out


def diff_io(t, n):
    # tshark's last interval is cut at the capture's end, and a capture shorter than the
    # interval gets one interval as long as itself: the counts per index are what compare.
    if t == n:
        return []
    for i in range(max(len(t), len(n))):
        a = t[i] if i < len(t) else None
        b = n[i] if i < len(n) else None
        if a != b:
            return ["interval %d: tshark %s netprobe %s (%d and %d intervals)" % (i, a, b, len(t), len(n))]
    return []


def compare(np, path, cache_dir):
    n = netprobe_view(np, path)
    if n is None:
        return [("*", "netprobe stats failed")], False
    # tshark prints every interval up to the last packet: a capture spanning weeks (a clock
    # that jumped) would take it minutes and millions of lines; its I/O table is not compared.
    long_span = n.get("duration", 0) > MAX_IO_SPAN
    t = tshark_view(path, cache_dir, not long_span)
    if t is None:
        return [("*", "tshark could not read it (skipped)")], True
    res = []
    for table in ("conv-tcp", "conv-udp", "conv-ip"):
        res += [(table, d) for d in diff_conv(t[table], n[table])]
    te, ne = dict(t["endpoints"]), dict(n["endpoints"])
    for addr in sorted(set(te) | set(ne)):
        if te.get(addr) != ne.get(addr):
            res.append(("endpoints", "%s: tshark %s netprobe %s" % (addr, te.get(addr), ne.get(addr))))
    # tshark 4.0 prints no interval at all for a capture whose packets share one time stamp
    # (duration 0); netprobe's one interval holds them.
    io = "io-zero-duration" if not t["io"] and n.get("duration") == 0 else "io"
    if not long_span:
        res += [(io, d) for d in diff_io(t["io"], n["io"])]
    return res, False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netprobe", required=True)
    ap.add_argument("--exceptions", default=os.path.join(os.path.dirname(__file__),
                                                         "STATS_EXCEPTIONS.md"))
    ap.add_argument("--tshark-cache", metavar="DIR", default=None)
    ap.add_argument("--sample", type=int, default=0,
                    help="captures per directory, evenly spaced (0: all)")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    rules = load_exceptions(a.exceptions)
    files = bad = excused = 0
    for path in captures(a.paths, a.sample):
        files += 1
        fname = os.path.basename(path)
        diffs, skipped = compare(a.netprobe, path, a.tshark_cache)
        for table, detail in diffs:
            if skipped or excepted(rules, fname, table):
                excused += 1
                continue
            bad += 1
            print("%s %s %s" % (fname, table, detail))
    print("stats_diff: %d captures, %d differences explained, %d unexplained" % (files, excused, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
