#!/usr/bin/env python3
"""Differential test: netprobe's per-packet JSON vs. tshark's dissection.

Usage:
    tshark_diff.py --netprobe PATH/TO/netprobe [--exceptions FILE] [--verbose]
                   [--jobs N] [--timeout SECONDS] [--max-per-file N]
                   [--tshark-cache DIR] [--tshark TSHARK]
                   CAPTURE_OR_DIR [CAPTURE_OR_DIR ...]

Directories are scanned (non-recursively) for *.pcap, *.pcapng and *.cap.

For every capture file this runs

    netprobe watch -r FILE --json
    tshark -n -r FILE -T fields ... (see TSHARK_ARGS / FIELDS below)

matches packets by frame number (netprobe "n" == tshark frame.number) and
compares the fields listed in FIELDS wherever *both* sides have a value
(netprobe key present and tshark column non-empty).  It also checks that every
frame tshark lists has a netprobe packet object and that netprobe exits 0.
netprobe exiting 2 means "refused" (unsupported link type): that is reported
and only accepted if EXCEPTIONS.md lists it (`FILE * refused reason`).

Every disagreement is printed as

    FILE frame N FIELD: netprobe=X tshark=Y

(N is "*" for file-level problems).  Disagreements matched by an exception
are skipped (shown with --verbose); exceptions that match nothing on a file
that was tested are reported as stale (a warning, not a failure).  The last
line of output is always

    N passed, M failed

(N = files without unexcused disagreements, M = files with some).  Exit
status: 0 if M == 0, 1 if M > 0, 2 on usage / setup errors.

FIELD names are netprobe's JSON paths (len, caplen, ip.src, ip.ttl, ip.id,
ip.proto, tcp.sport, tcp.dport, tcp.seq, tcp.ack, tcp.flags, tcp.win,
tcp.len, udp.sport, udp.dport, udp.len, icmp.type, icmp.code, icmp6.type,
icmp6.code, vxlan.vni; the tunnels' and the innermost packet's; the
application layers': dns.questions.0.name, dns.questions.0.type, dns.rcode,
dns.a, dns.aaaa, http.method, http.uri, http.host, http.status,
tls.records.handshake, tls.sni, tls.alpn.0, and the SVCB/HTTPS records' dns.svcb.priority,
.target, .params.key, .params.length, .mandatory, .alpn, .port, .ipv4hint, .ech, .ipv6hint,
.value (every record of the message, joined as tshark joins them); the pairs: dns.request_in,
dns.time, dns.unsolicited, http.request_in, http.time) plus these pseudo-fields:

    missing    tshark lists the frame, netprobe printed no packet object for it
    extra      netprobe printed a packet whose n tshark does not list (only
               checked when tshark read the whole file without error)
    duplicate  netprobe printed two packet objects with the same n
    json       a netprobe stdout line is not a JSON object / packet lacks "n"
    exit       netprobe exited non-zero (other than 2), crashed or timed out
    refused    netprobe exited 2 (refused the file)
    tshark     tshark could not be run, timed out, or exited non-zero
               without printing any frame

Python 3 standard library only.
"""

import argparse
import base64
import concurrent.futures
import fnmatch
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import threading

CAPTURE_EXTS = (".pcap", ".pcapng", ".cap")

# Preferences: all four names exist in tshark 4.0 (checked with
# `tshark -G currentprefs`).  Turning reassembly off makes tshark report each
# frame's own headers (no reassembled PDUs spanning frames) and *_raw seq/ack
# are on-the-wire values regardless; relative_sequence_numbers:FALSE is kept
# for clarity (it only affects tcp.seq/tcp.ack, which we do not read).
TSHARK_PREFS = [
    "ip.defragment:FALSE",
    "ipv6.defragment:FALSE",
    "tcp.desegment_tcp_streams:FALSE",
    "tcp.relative_sequence_numbers:FALSE",
]

# (tshark field, netprobe path, kind, applicability)
#   kind: "int" decimal or 0x-hex integer, "addr" IP address
#   applicability: None (always), 4 / 6 (only when netprobe ip.v is 4 / 6)
FIELDS = [
    ("frame.number", None, "int", None),
    ("frame.len", "len", "int", None),
    ("frame.cap_len", "caplen", "int", None),
    ("ip.src", "ip.src", "addr", 4),
    ("ip.dst", "ip.dst", "addr", 4),
    ("ip.ttl", "ip.ttl", "int", 4),
    ("ip.id", "ip.id", "int", 4),
    ("ip.proto", "ip.proto", "int", 4),
    ("ipv6.src", "ip.src", "addr", 6),
    ("ipv6.dst", "ip.dst", "addr", 6),
    ("ipv6.hlim", "ip.ttl", "int", 6),
    ("tcp.srcport", "tcp.sport", "int", None),
    ("tcp.dstport", "tcp.dport", "int", None),
    ("tcp.seq_raw", "tcp.seq", "int", None),
    ("tcp.ack_raw", "tcp.ack", "int", None),
    ("tcp.flags", "tcp.flags", "int", None),
    ("tcp.window_size_value", "tcp.win", "int", None),
    ("tcp.len", "tcp.len", "int", None),
    ("udp.srcport", "udp.sport", "int", None),
    ("udp.dstport", "udp.dport", "int", None),
    ("udp.length", "udp.len", "int", None),
    ("icmp.type", "icmp.type", "int", None),
    ("icmp.code", "icmp.code", "int", None),
    ("icmpv6.type", "icmp6.type", "int", None),
    ("icmpv6.code", "icmp6.code", "int", None),
    ("vxlan.vni", "vxlan.vni", "int", None),
]

# The innermost packet of a tunnelled one (issue 14): tshark's LAST value of each field (its
# list runs outermost first) against netprobe's innermost object (down the "inner" chain);
# compared only for packets netprobe found encapsulated ("inner"), and not when the innermost
# transport is an ICMP error, whose quoted header tshark also lists last. The tunnels' own
# fields are tshark's first value against the outermost such object netprobe wrote.
# (tshark field, netprobe path, kind, applicability: innermost ip.v)
INNER_FIELDS = [
    ("ip.src", "ip.src", "addr", 4),
    ("ip.dst", "ip.dst", "addr", 4),
    ("ipv6.src", "ip.src", "addr", 6),
    ("ipv6.dst", "ip.dst", "addr", 6),
    ("tcp.srcport", "tcp.sport", "int", None),
    ("tcp.dstport", "tcp.dport", "int", None),
    ("udp.srcport", "udp.sport", "int", None),
    ("udp.dstport", "udp.dport", "int", None),
    ("udp.length", "udp.len", "int", None),
]
TUNNEL_FIELDS = [
    ("geneve.vni", "geneve.vni", "int"),
    ("gre.proto", "gre.proto", "int"),
    ("erspan.spanid", "erspan.session", "int"),
    ("mpls.label", "mpls.0.label", "int"),
    ("teredo.orig.port", "teredo.origin.port", "int"),
    ("teredo.orig.addr", "teredo.origin.addr", "addr"),
    ("teredo.auth.aulen", "teredo.auth.au_len", "int"),
    ("macsec.TCI", "macsec.tci", "int"),
    ("macsec.AN", "macsec.an", "int"),
    ("macsec.SL", "macsec.sl", "int"),
    ("macsec.PN", "macsec.pn", "int"),
    ("macsec.etype", "macsec.type", "int"),
]


# The application layers (issue 14), in the innermost scope that has their object: tshark's
# first value against netprobe's first of its kind. Strings are compared whole: tshark's
# column joins every value with ",", so the netprobe value must be the column or begin it
# followed by ",".
def _first_rr(pkt, rtype):
    dns = lookup_inner(pkt, "dns")
    for sec in ("answers", "authority", "additional"):
        for rr in dns.get(sec, []):
            if rr.get("type") == rtype and "data" in rr:
                return rr["data"]
    raise KeyError("dns rr")


# SVCB and HTTPS records (RFC 9460): every record's fields in the message, in wire order,
# joined with "," as tshark's column joins them, compared whole ("list"). Keys by number;
# values as tshark's fields hold them (alpn ids one by one, addresses, ech and unknown
# values as hex bytes).
SVC_KEYS = {"mandatory": 0, "alpn": 1, "no-default-alpn": 2, "port": 3, "ipv4hint": 4,
            "ech": 5, "ipv6hint": 6, "dohpath": 7, "ohttp": 8}


def _svcbs(pkt):
    dns = lookup_inner(pkt, "dns")
    out = [rr["svcb"] for sec in ("answers", "authority", "additional")
           for rr in dns.get(sec, []) if "svcb" in rr]
    if not out:
        raise KeyError("dns svcb")
    return out


def _svc_params(pkt, key=None):
    return [sp for s in _svcbs(pkt) for sp in s["params"] if key is None or sp["key"] == key]


def _unescape(v):
    """netprobe's value text (\\DDD, \\X) as hex bytes."""
    out, i = bytearray(), 0
    while i < len(v):
        if v[i] == "\\" and v[i + 1:i + 4].isdigit():
            out.append(int(v[i + 1:i + 4]))
            i += 4
        elif v[i] == "\\":
            out.append(ord(v[i + 1]))
            i += 2
        else:
            out.append(ord(v[i]))
            i += 1
    return out.hex()


def _svc_values(pkt, key, conv):
    vals = [conv(sp["value"]) for sp in _svc_params(pkt, key)]
    if not vals:
        raise KeyError("no such SvcParam")
    return ",".join(vals)


def _svc_unknown(pkt):
    vals = [_unescape(sp["value"]) for sp in _svc_params(pkt)
            if sp["key"] >= 7 and sp["length"]]
    if not vals:
        raise KeyError("no unknown SvcParam")
    return ",".join(vals)


SVCB_FIELDS = [
    ("dns.svcb.svcpriority", "dns.svcb.priority",
     lambda p: ",".join(str(s["priority"]) for s in _svcbs(p))),
    ("dns.svcb.targetname", "dns.svcb.target", lambda p: ",".join(s["target"] for s in _svcbs(p))),
    ("dns.svcb.svcparam.key", "dns.svcb.params.key",
     lambda p: ",".join(str(sp["key"]) for sp in _svc_params(p))),
    ("dns.svcb.svcparam.value.length", "dns.svcb.params.length",
     lambda p: ",".join(str(sp["length"]) for sp in _svc_params(p))),
    ("dns.svcb.svcparam.mandatory.key", "dns.svcb.mandatory",
     lambda p: _svc_values(p, 0, lambda v: ",".join(
         str(SVC_KEYS.get(k, int(k[3:]) if k.startswith("key") else -1)) for k in v.split(",")))),
    ("dns.svcb.svcparam.alpn", "dns.svcb.alpn", lambda p: _svc_values(p, 1, str)),
    ("dns.svcb.svcparam.port", "dns.svcb.port", lambda p: _svc_values(p, 3, str)),
    ("dns.svcb.svcparam.ipv4hint.ip", "dns.svcb.ipv4hint", lambda p: _svc_values(p, 4, str)),
    ("dns.svcb.svcparam.echconfig", "dns.svcb.ech",
     lambda p: _svc_values(p, 5, lambda v: base64.b64decode(v).hex())),
    ("dns.svcb.svcparam.ipv6hint.ip", "dns.svcb.ipv6hint", lambda p: _svc_values(p, 6, str)),
    ("dns.svcb.svcparam.value", "dns.svcb.value", _svc_unknown),
]


def _first_hs(pkt):
    for rec in lookup_inner(pkt, "tls.records"):
        if "handshake" in rec:
            return rec["handshake"]
    raise KeyError("tls handshake")


# (tshark field, netprobe field name in reports, getter, kind)
APP_FIELDS = [
    ("dns.qry.name", "dns.questions.0.name", lambda p: lookup_inner(p, "dns")["questions"][0]["name"], "str"),
    ("dns.qry.type", "dns.questions.0.type", lambda p: lookup_inner(p, "dns")["questions"][0]["type"], "int"),
    ("dns.flags.rcode", "dns.rcode", lambda p: lookup_inner(p, "dns.rcode"), "int"),
    ("dns.a", "dns.a", lambda p: _first_rr(p, 1), "addr"),
    ("dns.aaaa", "dns.aaaa", lambda p: _first_rr(p, 28), "addr"),
    ("http.request.method", "http.method", lambda p: lookup_inner(p, "http.method"), "str"),
    ("http.request.uri", "http.uri", lambda p: lookup_inner(p, "http.uri"), "str"),
    ("http.host", "http.host", lambda p: lookup_inner(p, "http.host"), "str"),
    ("http.response.code", "http.status", lambda p: lookup_inner(p, "http.status"), "int"),
    ("tls.handshake.type", "tls.records.handshake", _first_hs, "int"),
    ("tls.handshake.extensions_server_name", "tls.sni", lambda p: lookup_inner(p, "tls.sni"), "str"),
    ("tls.handshake.extensions_alpn_str", "tls.alpn.0", lambda p: lookup_inner(p, "tls.alpn")[0], "str"),
] + [(t, n, g, "list") for t, n, g in SVCB_FIELDS]
# Requests paired with their responses (issue 14): tshark's one pass (no -2, as netprobe's
# one pass) names the request on the response only. Compared both ways on every packet that
# has netprobe's object: a pairing either side makes alone is a disagreement. "time" is
# seconds, equal to the microsecond.
# (tshark field, netprobe object, its key, kind)
PAIR_FIELDS = [
    ("dns.response_to", "dns", "request_in", "int"),
    ("dns.time", "dns", "time", "time"),
    ("dns.unsolicited", "dns", "unsolicited", "bool"),
    ("http.request_in", "http", "request_in", "int"),
    ("http.time", "http", "time", "time"),
]
ALL_TSHARK = [f[0] for f in FIELDS] + ["inner:" + f[0] for f in INNER_FIELDS] + \
    [f[0] for f in TUNNEL_FIELDS] + ["app:" + f[0] for f in APP_FIELDS] + \
    ["pair:" + f[0] for f in PAIR_FIELDS]

PSEUDO_FIELDS = ("missing", "extra", "duplicate", "json", "exit", "refused",
                 "tshark")


def tshark_cmd(tshark, path):
    cmd = [tshark, "-n", "-r", path, "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
           "-E", "header=n"]
    for p in TSHARK_PREFS:
        cmd += ["-o", p]
    # What netprobe dispatches by default and tshark 4.0 does not: VXLAN on Linux's 8472.
    cmd += ["-d", "udp.port==8472,vxlan"]
    for f in ALL_TSHARK:
        cmd += ["-e", f.replace("inner:", "").replace("app:", "").replace("pair:", "")]
    return cmd


# --------------------------------------------------------------------------
# Exceptions file
# --------------------------------------------------------------------------

class Exception_:
    __slots__ = ("file", "frame", "field", "reason", "source", "hits")

    def __init__(self, file, frame, field, reason, source):
        self.file = file
        self.frame = frame          # None = any, else (lo, hi)
        self.field = field
        self.reason = reason
        self.source = source        # "EXCEPTIONS.md:LINE"
        self.hits = 0

    def matches_file(self, name, path):
        return (fnmatch.fnmatchcase(name, self.file)
                or fnmatch.fnmatchcase(path, self.file))

    def matches(self, name, path, frame, field):
        if not self.matches_file(name, path):
            return False
        if self.frame is not None:
            if frame is None:
                return False
            if not (self.frame[0] <= frame <= self.frame[1]):
                return False
        return fnmatch.fnmatchcase(field, self.field)

    def describe(self):
        if self.frame is None:
            fr = "*"
        elif self.frame[0] == self.frame[1]:
            fr = str(self.frame[0])
        else:
            fr = "%d-%d" % self.frame
        return "%s %s %s" % (self.file, fr, self.field)


def _parse_frame_spec(spec):
    if spec == "*":
        return None
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", spec)
    if not m:
        raise ValueError("bad FRAME %r (want N, N-M or *)" % spec)
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if hi < lo:
        raise ValueError("bad FRAME range %r" % spec)
    return (lo, hi)


def load_exceptions(path):
    """Parse EXCEPTIONS.md.

    Exceptions are taken from
      * fenced code blocks whose info string is `exceptions`
        (lines: FILE FRAME FIELD reason...; blank lines and #-comments skipped)
      * markdown table rows of a table whose header row is
        | FILE | FRAME | FIELD | reason |   (case-insensitive)
    Everything else in the file is free text.
    """
    out = []
    errors = []
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    base = os.path.basename(path)
    in_fence = False
    fence_is_exc = False
    fence_marker = ""
    in_table = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        src = "%s:%d" % (base, lineno)
        if in_fence:
            if line.startswith(fence_marker) and line.strip("`~") == "":
                in_fence = False
                continue
            if not fence_is_exc or not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                errors.append("%s: need FILE FRAME FIELD reason: %r"
                              % (src, line))
                continue
            entry = parts
        else:
            m = re.match(r"^(`{3,}|~{3,})\s*([\w.-]*)", line)
            if m:
                in_fence = True
                fence_marker = m.group(1)
                fence_is_exc = m.group(2).lower() == "exceptions"
                in_table = False
                continue
            if not line.startswith("|"):
                in_table = False
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            low = [c.lower().strip("`* ") for c in cells]
            if low[:3] == ["file", "frame", "field"]:
                in_table = True
                continue
            if not in_table:
                continue
            if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                continue
            cells = [c.strip("`") for c in cells]
            if len(cells) < 4 or not cells[3].strip():
                errors.append("%s: need | FILE | FRAME | FIELD | reason |: %r"
                              % (src, line))
                continue
            entry = cells[:3] + ["|".join(cells[3:]).strip()]
        fil, frame, field, reason = entry
        reason = reason.strip()
        if not reason:
            errors.append("%s: exception without a reason" % src)
            continue
        try:
            fr = _parse_frame_spec(frame)
        except ValueError as e:
            errors.append("%s: %s" % (src, e))
            continue
        out.append(Exception_(fil, fr, field, reason, src))
    if in_fence:
        errors.append("%s: unterminated fenced block" % base)
    return out, errors


# --------------------------------------------------------------------------
# Running the tools
# --------------------------------------------------------------------------

def run(cmd, timeout):
    """Returns (rc, stdout, stderr, timed_out). rc None if it could not run."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr, False
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b"", True
    except OSError as e:
        return None, b"", str(e).encode(), False


def clean_tshark_stderr(err):
    lines = err.decode("utf-8", "replace").splitlines()
    return [l for l in lines
            if l.strip() and not l.startswith('Running as user "')]


def parse_tshark(stdout):
    """-> dict frame_number -> {tshark_field: str} (non-empty values only)."""
    frames = {}
    names = ALL_TSHARK
    text = stdout.decode("utf-8", "replace")
    for line in text.split("\n"):
        if not line:
            continue
        cols = line.split("\t")
        if len(cols) != len(names):
            # a killed tshark may leave a partial last line; ignore it
            continue
        try:
            n = int(cols[0])
        except ValueError:
            continue
        # every value of a field, comma-separated (occurrence=a): the inner fields take the
        # last, the others the first
        frames[n] = {k: (v.split(",")[-1] if k.startswith("inner:") else
                         v if k.startswith("app:") else v.split(",")[0])
                     for k, v in zip(names, cols) if v != ""}
    return frames


def parse_int(s):
    s = s.strip()
    if s.lower().startswith("0x"):
        return int(s, 16)
    return int(s, 10)


def lookup(obj, path):
    """netprobe value at dotted path, or KeyError."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise KeyError(path)
        cur = cur[part]
    return cur


def scopes(pkt):
    """The packet object and its "inner" objects, outermost first."""
    out = [pkt]
    while isinstance(out[-1].get("inner"), dict) and len(out) < 16:
        out.append(out[-1]["inner"])
    return out


def lookup_inner(pkt, path):
    """netprobe value at path in the innermost scope that has its first key, or KeyError."""
    head = path.split(".")[0]
    for sc in reversed(scopes(pkt)):
        if head in sc:
            return lookup(sc, path)
    raise KeyError(path)


def lookup_outer(pkt, path):
    """netprobe value at path in the outermost scope that has its first key, or KeyError."""
    head = path.split(".")[0]
    for sc in scopes(pkt):
        if head in sc:
            cur = sc[head]
            for part in path.split(".")[1:]:
                if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                    cur = cur[int(part)]
                elif isinstance(cur, dict) and part in cur:
                    cur = cur[part]
                else:
                    raise KeyError(path)
            return cur
    raise KeyError(path)


def fmt_np(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def compare_value(kind, np_val, ts_val):
    """-> (equal, shown_netprobe, shown_tshark)."""
    if kind == "int":
        try:
            t = parse_int(ts_val)
        except ValueError:
            return False, fmt_np(np_val), ts_val
        # netprobe must emit JSON integers (bool is not an integer here)
        if isinstance(np_val, int) and not isinstance(np_val, bool):
            return np_val == t, str(np_val), ts_val
        return False, fmt_np(np_val), ts_val
    # addr
    try:
        t = ipaddress.ip_address(ts_val)
    except ValueError:
        t = None
    if isinstance(np_val, str):
        try:
            n = ipaddress.ip_address(np_val)
        except ValueError:
            n = None
        if n is not None and t is not None:
            return n == t, np_val, ts_val
        return np_val == ts_val, np_val, ts_val
    return False, fmt_np(np_val), ts_val


class Result:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.disagreements = []     # (frame or None, field, np, ts)
        self.notes = []             # verbose-only info
        self.refused = False
        self.tshark_frames = 0
        self.np_packets = 0
        self.compared = {}          # netprobe field -> count of comparisons

    def add(self, frame, field, np, ts):
        self.disagreements.append((frame, field, np, ts))


def tshark_identity(tshark):
    """String identifying the tshark build (for the optional cache)."""
    rc, out, _, _ = run([tshark, "-v"], 30)
    first = out.decode("utf-8", "replace").splitlines()[:1]
    st = os.stat(tshark)
    return "%s|%d|%d" % (first[0] if first else "?", st.st_size,
                         int(st.st_mtime))


def run_tshark(tshark, path, timeout, cache_dir, ident):
    """-> (rc, stdout bytes, cleaned stderr lines, timed_out)."""
    key = None
    if cache_dir:
        h = hashlib.sha256()
        h.update(ident.encode())
        h.update("\0".join(tshark_cmd("tshark", "")).encode())
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        key = os.path.join(cache_dir, h.hexdigest() + ".json")
        try:
            with open(key, encoding="utf-8") as fh:
                c = json.load(fh)
            return c["rc"], c["stdout"].encode("utf-8"), c["stderr"], False
        except (OSError, ValueError, KeyError):
            pass
    rc, out, err, to = run(tshark_cmd(tshark, path), timeout)
    msgs = clean_tshark_stderr(err)
    if key and rc is not None and not to:
        tmp = "%s.%d.%d.tmp" % (key, os.getpid(), threading.get_ident())
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"rc": rc, "stdout": out.decode("utf-8", "replace"),
                           "stderr": msgs}, fh)
            os.replace(tmp, key)
        except OSError:
            pass
    return rc, out, msgs, to


def check_file(path, netprobe, tshark, timeout, cache_dir=None, ident=""):
    r = Result(path)

    # --- tshark -------------------------------------------------------
    trc, tout, tmsgs, tto = run_tshark(tshark, path, timeout, cache_dir,
                                       ident)
    if tto:
        r.add(None, "tshark", "-", "timeout after %gs" % timeout)
    elif trc is None:
        r.add(None, "tshark", "-", "could not run: %s" % " ".join(tmsgs))
    tframes = parse_tshark(tout)
    r.tshark_frames = len(tframes)
    if trc not in (0, None) and not tto and not tframes:
        # tshark read nothing: unreadable file, or a bad -o/-e (which would
        # otherwise make every file pass vacuously)
        r.add(None, "tshark", "-", "exit %d, no frames: %s"
              % (trc, " | ".join(tmsgs)[:200]))
    tshark_complete = (trc == 0 and not tto and not tmsgs)
    if trc not in (0, None) or tmsgs:
        r.notes.append("tshark rc=%s: %s" % (trc, " | ".join(tmsgs)[:300]))

    # --- netprobe -----------------------------------------------------
    nrc, nout, nerr, nto = run([netprobe, "watch", "-r", path, "--json"],
                               timeout)
    nmsg = nerr.decode("utf-8", "replace").strip().replace("\n", " | ")
    if nmsg:
        r.notes.append("netprobe stderr: %s" % nmsg[:300])

    if nrc == 2:
        r.refused = True
        r.add(None, "refused", "exit 2" + (" (%s)" % nmsg[:120] if nmsg else ""),
              "%d frames" % len(tframes))
        return r
    if nto:
        r.add(None, "exit", "timeout after %gs" % timeout, "-")
    elif nrc is None:
        r.add(None, "exit", "could not run: %s" % nmsg[:200], "-")
    elif nrc < 0:
        r.add(None, "exit", "killed by signal %d" % -nrc, "-")
    elif nrc != 0:
        r.add(None, "exit", "exit %d" % nrc, "-")

    packets = {}
    text = nout.decode("utf-8", "replace")
    lines = text.split("\n")
    if nto and lines and not text.endswith("\n"):
        lines = lines[:-1]          # partial last line of a killed process
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            r.add(None, "json", "line %d: %s" % (i, line[:80]), "-")
            continue
        if not isinstance(obj, dict):
            r.add(None, "json", "line %d: not an object" % i, "-")
            continue
        if obj.get("type") != "packet":
            continue
        n = obj.get("n")
        if not isinstance(n, int) or isinstance(n, bool):
            r.add(None, "json", "line %d: packet without integer n" % i, "-")
            continue
        if n in packets:
            r.add(n, "duplicate", "line %d" % i, "-")
            continue
        packets[n] = obj
    r.np_packets = len(packets)

    # --- compare ------------------------------------------------------
    for n in sorted(tframes):
        tf = tframes[n]
        pkt = packets.get(n)
        if pkt is None:
            r.add(n, "missing", "-", "frame.len=%s" % tf.get("frame.len", "?"))
            continue
        ip = pkt.get("ip")
        ipv = ip.get("v") if isinstance(ip, dict) else None
        for tfield, npath, kind, only_v in FIELDS:
            if npath is None:
                continue
            if only_v is not None and ipv != only_v:
                continue
            if tfield not in tf:
                continue
            try:
                nv = lookup(pkt, npath)
            except KeyError:
                continue
            r.compared[npath] = r.compared.get(npath, 0) + 1
            ok, shown_n, shown_t = compare_value(kind, nv, tf[tfield])
            if not ok:
                r.add(n, npath, shown_n, shown_t)
        compare_tunnel(r, n, tf, pkt)
        compare_app(r, n, tf, pkt)
        compare_pairs(r, n, tf, pkt)
    extra = sorted(set(packets) - set(tframes))
    if extra:
        if tshark_complete:
            for n in extra:
                r.add(n, "extra", "packet", "-")
        else:
            r.notes.append("netprobe printed %d frame(s) tshark did not "
                           "(tshark stopped early): %s"
                           % (len(extra), _ranges(extra)))
    return r


def compare_app(r, n, tf, pkt):
    """The application layers' fields (APP_FIELDS)."""
    for tfield, name, get, kind in APP_FIELDS:
        col = tf.get("app:" + tfield)
        if col is None:
            continue
        try:
            nv = get(pkt)
        except (KeyError, IndexError, TypeError):
            continue
        r.compared[name] = r.compared.get(name, 0) + 1
        if kind == "str":
            ok = isinstance(nv, str) and (col == nv or col.startswith(nv + ","))
            shown_n, shown_t = fmt_np(nv), col
        elif kind == "list":
            ok = nv == col
            shown_n, shown_t = nv, col
        else:
            ok, shown_n, shown_t = compare_value(kind, nv, col.split(",")[0])
        if not ok:
            r.add(n, name, shown_n, shown_t)


def compare_pairs(r, n, tf, pkt):
    """The request a response answers and the time since it (PAIR_FIELDS)."""
    for tfield, obj, key, kind in PAIR_FIELDS:
        try:
            o = lookup_inner(pkt, obj)
        except KeyError:
            continue
        col = tf.get("pair:" + tfield)
        nv = o.get(key) if isinstance(o, dict) else None
        if col is None and nv is None:
            continue
        name = obj + "." + key
        r.compared[name] = r.compared.get(name, 0) + 1
        if col is None or nv is None:
            r.add(n, name, fmt_np(nv) if nv is not None else "-", col or "-")
        elif kind == "bool":
            if not (nv is True and col == "1"):
                r.add(n, name, fmt_np(nv), col)
        elif kind == "time":
            try:
                ok = isinstance(nv, (int, float)) and abs(float(col) - nv) < 5e-7
            except ValueError:
                ok = False
            if not ok:
                r.add(n, name, fmt_np(nv), col)
        else:
            ok, shown_n, shown_t = compare_value(kind, nv, col.split(",")[0])
            if not ok:
                r.add(n, name, shown_n, shown_t)


def compare_tunnel(r, n, tf, pkt):
    """The innermost packet's fields and the tunnels' (INNER_FIELDS, TUNNEL_FIELDS)."""
    for tfield, npath, kind in TUNNEL_FIELDS:
        if tfield not in tf:
            continue
        try:
            nv = lookup_outer(pkt, npath)
        except KeyError:
            continue
        r.compared[npath] = r.compared.get(npath, 0) + 1
        ok, shown_n, shown_t = compare_value(kind, nv, tf[tfield])
        if not ok:
            r.add(n, npath, shown_n, shown_t)
    if "inner" not in pkt:
        return
    inner = scopes(pkt)[-1]
    if "icmp" in inner or "icmp6" in inner:
        return
    try:
        ipv = lookup_inner(pkt, "ip.v")
    except KeyError:
        ipv = None
    for tfield, npath, kind, only_v in INNER_FIELDS:
        key = "inner:" + tfield
        if key not in tf or (only_v is not None and ipv != only_v):
            continue
        try:
            nv = lookup_inner(pkt, npath)
        except KeyError:
            continue
        field = "inner." + npath
        r.compared[field] = r.compared.get(field, 0) + 1
        ok, shown_n, shown_t = compare_value(kind, nv, tf[key])
        if not ok:
            r.add(n, field, shown_n, shown_t)


def _ranges(nums):
    out = []
    start = prev = None
    for n in nums:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append((start, prev))
            start = prev = n
    if start is not None:
        out.append((start, prev))
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in out)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def collect_files(args_paths):
    files = []
    for p in args_paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                full = os.path.join(p, name)
                if name.lower().endswith(CAPTURE_EXTS) and os.path.isfile(full):
                    files.append(full)
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise FileNotFoundError(p)
    return files


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Compare netprobe's JSON packet output with tshark.")
    ap.add_argument("--netprobe", required=True,
                    help="path to the netprobe binary")
    ap.add_argument("--tshark", default="tshark",
                    help="tshark binary (default: tshark from PATH)")
    ap.add_argument("--exceptions", default=None,
                    help="exceptions file (default: EXCEPTIONS.md next to "
                         "this script, if present)")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="also show excused disagreements, per-file notes "
                         "and per-field comparison counts")
    ap.add_argument("--jobs", "-j", type=int, default=2,
                    help="files checked in parallel (default 2)")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="timeout per command, seconds (default 30)")
    ap.add_argument("--max-per-file", type=int, default=0,
                    help="print at most N unexcused disagreements per file "
                         "(0 = all, the default)")
    ap.add_argument("--tshark-cache", metavar="DIR", default=None,
                    help="cache tshark's output in DIR, keyed by the capture's "
                         "SHA-256, the tshark command line and the tshark "
                         "build; speeds up re-runs (off by default)")
    ap.add_argument("paths", nargs="+", metavar="CAPTURE_OR_DIR")
    args = ap.parse_args(argv)

    netprobe = args.netprobe
    if not (os.path.isfile(netprobe) and os.access(netprobe, os.X_OK)):
        print("error: netprobe binary not executable: %s" % netprobe,
              file=sys.stderr)
        return 2
    tshark = shutil.which(args.tshark)
    if not tshark:
        print("error: tshark not found: %s" % args.tshark, file=sys.stderr)
        return 2
    try:
        files = collect_files(args.paths)
    except FileNotFoundError as e:
        print("error: no such file or directory: %s" % e, file=sys.stderr)
        return 2
    if not files:
        print("error: no capture files found", file=sys.stderr)
        return 2

    exc_path = args.exceptions
    if exc_path is None:
        cand = os.path.join(here, "EXCEPTIONS.md")
        exc_path = cand if os.path.isfile(cand) else None
    exceptions = []
    if exc_path is not None:
        try:
            exceptions, errs = load_exceptions(exc_path)
        except OSError as e:
            print("error: cannot read exceptions file: %s" % e,
                  file=sys.stderr)
            return 2
        if errs:
            for e in errs:
                print("error: %s" % e, file=sys.stderr)
            return 2

    passed = failed = 0
    field_tally = {}                # field -> [count, set(files)]
    compared_tally = {}
    lock = threading.Lock()

    ident = ""
    if args.tshark_cache:
        try:
            os.makedirs(args.tshark_cache, exist_ok=True)
        except OSError as e:
            print("error: cannot create cache dir: %s" % e, file=sys.stderr)
            return 2
        ident = tshark_identity(tshark)

    def job(path):
        return check_file(path, netprobe, tshark, args.timeout,
                          args.tshark_cache, ident)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for r in ex.map(job, files):
            with lock:
                unexcused = []
                for frame, field, npv, tsv in r.disagreements:
                    hit = None
                    for e in exceptions:
                        if e.matches(r.name, r.path, frame, field):
                            hit = e
                            break
                    fr = "*" if frame is None else str(frame)
                    line = "%s frame %s %s: netprobe=%s tshark=%s" % (
                        r.name, fr, field, npv, tsv)
                    if hit is not None:
                        hit.hits += 1
                        if args.verbose:
                            print("excused (%s): %s" % (hit.source, line))
                    else:
                        unexcused.append(line)
                        t = field_tally.setdefault(field, [0, set()])
                        t[0] += 1
                        t[1].add(r.name)
                limit = args.max_per_file
                shown = unexcused if limit <= 0 else unexcused[:limit]
                for line in shown:
                    print(line)
                if len(shown) < len(unexcused):
                    print("%s: ... %d more disagreement(s) not shown "
                          "(--max-per-file 0 shows all)"
                          % (r.name, len(unexcused) - len(shown)))
                for k, v in r.compared.items():
                    compared_tally[k] = compared_tally.get(k, 0) + v
                if args.verbose:
                    status = "FAIL" if unexcused else "ok"
                    if r.refused:
                        status += " (refused)"
                    print("# %s: %s; tshark %d frames, netprobe %d packets, "
                          "%d values compared"
                          % (r.name, status, r.tshark_frames, r.np_packets,
                             sum(r.compared.values())))
                    for note in r.notes:
                        print("#   %s" % note)
                if unexcused:
                    failed += 1
                else:
                    passed += 1
                sys.stdout.flush()

    sys.stdout.flush()
    tested = [(os.path.basename(f), f) for f in files]
    for e in exceptions:
        if e.hits == 0 and any(e.matches_file(n, p) for n, p in tested):
            print("warning: stale exception (matched nothing) at %s: %s"
                  % (e.source, e.describe()), file=sys.stderr)

    if field_tally:
        print("unexcused disagreements by field: " + ", ".join(
            "%s %d (%d files)" % (k, v[0], len(v[1]))
            for k, v in sorted(field_tally.items(),
                               key=lambda kv: (-kv[1][0], kv[0]))))
    if args.verbose or compared_tally:
        print("values compared: %d (%s)" % (
            sum(compared_tally.values()),
            ", ".join("%s %d" % kv for kv in sorted(compared_tally.items()))))
    sys.stderr.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
