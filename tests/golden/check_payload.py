#!/usr/bin/env python3
"""Check the payload goldens (-A, -X, -v's payload line, --json --payload, the ladder's
snippets) against tshark's bytes and tcpdump -A's text.

Usage: check_payload.py GOLDEN_DIR PCAP_DIR

For every MANIFEST case whose arguments show payload (-A, -X, --payload, -v, --ladder), each
payload netprobe printed is compared with the bytes tshark reads for that frame
(`-e tcp.payload -e udp.payload`, hex), rendered here by an independent implementation of
the rules in the README (tcpdump -A's: printable ASCII, tab, space and LF kept, a CR before
a LF dropped, other bytes '.'; plus valid printable UTF-8). For -A, where a payload is plain
ASCII, tcpdump -A's text for the frame must also end with what netprobe printed. Exit 1 on
any difference.
"""
import base64
import json
import os
import re
import subprocess
import struct
import sys

DEFAULT_MAX = 512
ELLIPSIS = "\u2026"


_TSHARK = {}
_FRAMES = {}


def tshark_payloads(pcap):
    """frame number -> (payload bytes captured, payload length by the headers, "tcp"/"udp")."""
    if pcap not in _TSHARK:
        _TSHARK[pcap] = read_tshark(pcap)
    return dict(_TSHARK[pcap])


def read_tshark(pcap):
    out = subprocess.run(
        ["tshark", "-n", "-r", pcap, "-d", "udp.port==8472,vxlan", "-T", "fields", "-e", "frame.number", "-e", "tcp.payload",
         "-e", "udp.payload", "-e", "tcp.len", "-e", "udp.length", "-e", "frame.protocols",
         "-e", "icmp.type", "-e", "icmpv6.type", "-e", "ip.len", "-e", "ip.hdr_len",
         "-e", "ipv6.plen", "-e", "data.data"],
        capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        f = line.split("\t")
        n = int(f[0])
        # The innermost transport protocol: in a tunnel its fields come last; inside an ICMP
        # error (a quoted header) there is no payload of ours.
        xport = [p for p in f[5].split(":") if p in ("tcp", "udp", "icmp", "icmpv6")]
        inner = xport[-1] if xport else ""
        if xport in (["icmp"], ["icmpv6"]):
            echo = icmp_echo(pcap, n, f)
            if echo:
                res[n] = echo
            continue
        if "icmp" in xport or "icmpv6" in xport:
            continue
        tp, up = f[1].split(",")[-1], f[2].split(",")[-1]
        tl = f[3].split(",")[-1] if f[3] else ""
        ul = f[4].split(",")[-1] if f[4] else ""
        if inner == "tcp" and tl:
            res[n] = (bytes.fromhex(tp), int(tl), "tcp")
        elif inner == "udp" and ul:
            res[n] = (bytes.fromhex(up), int(ul) - 8, "udp")
    return {n: v for n, v in res.items() if v[1] > 0}


def pcap_frames(pcap):
    """The frames of a little-endian microsecond pcap (what pcaps/ holds), by number."""
    if pcap not in _FRAMES:
        raw, frames, off = open(pcap, "rb").read(), {}, 24
        while off + 16 <= len(raw):
            incl = struct.unpack_from("<I", raw, off + 8)[0]
            frames[len(frames) + 1] = raw[off + 16:off + 16 + incl]
            off += 16 + incl
        _FRAMES[pcap] = frames if raw[:4] == b"\xd4\xc3\xb2\xa1" else {}
    return _FRAMES[pcap]


def icmp_echo(pcap, n, f):
    """An echo request/reply's data (after the 8-byte header), plain Ethernet frames only:
    tshark's data.data where it holds all of it (ICMPv6), else the frame's bytes at the offset
    tshark's header lengths give (ICMP: tshark takes ping's timestamp out of data.data)."""
    if f[6] in ("0", "8") and f[8] and f[9] and f[5].startswith("eth:ethertype:ip:icmp"):
        length = int(f[8]) - int(f[9]) - 8
        frame = pcap_frames(pcap).get(n)
        if frame is None or length <= 0:
            return None
        start = 14 + int(f[9]) + 8
        return (frame[start:start + length], length, "icmp")
    if f[7] in ("128", "129") and f[10]:
        length = int(f[10]) - 8
        data = bytes.fromhex(f[11]) if f[11] else b""
        return (data, length, "icmp") if length > 0 and len(data) <= length else None
    return None


def utf8_visible(data, i):
    """Length of a valid, visible multi-byte UTF-8 character at data[i], else 0."""
    for k in (2, 3, 4):
        try:
            ch = data[i:i + k].decode("utf-8")
        except UnicodeDecodeError:
            continue
        cp = ord(ch)
        if len(ch) != 1 or cp < 0xa0:
            return 0
        hidden = (0x200b <= cp <= 0x200f or 0x2028 <= cp <= 0x202e or 0x2060 <= cp <= 0x206f
                  or cp == 0xfeff or 0xfff9 <= cp <= 0xfffb or 0xfdd0 <= cp <= 0xfdef
                  or (cp & 0xfffe) == 0xfffe or 0xe0000 <= cp <= 0xe007f)
        return 0 if hidden else k
    return 0


def render_text(data):
    out, i = [], 0
    while i < len(data):
        b = data[i]
        if b == 0x0d and i + 1 < len(data) and data[i + 1] == 0x0a:
            i += 1
            continue
        k = utf8_visible(data, i) if b >= 0x80 else 0
        if k:
            out.append(data[i:i + k].decode())
            i += k
            continue
        out.append(chr(b) if 0x20 <= b < 0x7f or b in (0x09, 0x0a) else ".")
        i += 1
    return "".join(out)


def more_text(captured, length, shown):
    more, lost = length - shown, length - captured
    if not more:
        return None
    if lost == more:
        return "%s (%d byte%s not captured)" % (ELLIPSIS, more, "" if more == 1 else "s")
    s = "%s (%d more byte%s" % (ELLIPSIS, more, "" if more == 1 else "s")
    return s + (", %d not captured)" % lost if lost else ")")


def escape_snippet(data, utf8):
    esc = {0x0d: "\\r", 0x0a: "\\n", 0x09: "\\t", 0x22: '\\"', 0x5c: "\\\\"}
    out, i = [], 0
    while i < len(data):
        b = data[i]
        k = utf8_visible(data, i) if utf8 and b >= 0x80 else 0
        if b in esc:
            out.append(esc[b])
        elif k:
            out.append(data[i:i + k].decode())
            i += k
            continue
        else:
            out.append(chr(b) if 0x20 <= b < 0x7f else ".")
        i += 1
    return "".join(out)


def split_packets(text):
    """frame number -> the lines printed after its packet line (payload text, hex rows)."""
    blocks, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^ {0,4}(\d+) +\d+\.\d{6} ", line)
        if m:
            cur = int(m.group(1))
            blocks[cur] = []
        elif " \u21d2 " in line or line.startswith("netprobe:") or line.startswith("exit "):
            cur = None
        elif cur is not None:
            blocks[cur].append(line)
    return blocks


def tcpdump_texts(pcap):
    out = subprocess.run(["tcpdump", "-n", "-A", "-r", pcap], capture_output=True,
                         check=True).stdout.decode("latin-1")
    texts, cur = [], None
    for line in out.splitlines(keepends=True):
        if re.match(r"^\d\d:\d\d:\d\d\.\d{6} ", line):
            cur = []
            texts.append(cur)
        elif cur is not None:
            cur.append(line)
    return ["".join(t) for t in texts]


def check_text(lines, data, length, cap, errors, where, dump):
    shown = min(len(data), cap)
    want = render_text(data[:shown]).split("\n")
    if want and want[-1] == "":
        want.pop()
    want = [("        " + w) if w else "" for w in want]
    more = more_text(len(data), length, shown)
    if more:
        want.append("        " + more)
    got = lines[:len(want)]
    if got != want:
        errors.append("%s -A: %r, want %r" % (where, got, want))
    del lines[:len(want)]
    ascii_only = all(0x20 <= b < 0x7f or b in (9, 10, 13) for b in data[:shown])
    if dump is not None and ascii_only and shown == len(data) == length:
        if not dump.rstrip("\n").endswith(render_text(data).rstrip("\n").replace("\r", ".")):
            errors.append("%s -A: tcpdump -A's text does not end with netprobe's" % where)


def check_hex(lines, data, length, cap, errors, where):
    shown = min(len(data), cap)
    got = b""
    while lines and re.match(r"^[0-9a-f]{4}  ", lines[0]):
        row = lines.pop(0)
        got += bytes.fromhex(row[6:55].replace(" ", ""))
    if got != data[:shown]:
        errors.append("%s -X: bytes %s, want %s" % (where, got.hex(), data[:shown].hex()))
    more = more_text(len(data), length, shown)
    if more:
        if not lines or lines.pop(0) != more:
            errors.append("%s -X: no line %r" % (where, more))
    if not lines or lines.pop(0) != "":
        errors.append("%s -X: no blank line after the dump" % where)


def check_lines(text, args, pay, pcap, errors, name):
    cap = DEFAULT_MAX
    m = re.search(r"--payload-max (\S+)", args)
    if m:
        cap = 1 << 40 if m.group(1) == "all" else int(m.group(1))
    dumps = tcpdump_texts(pcap) if "-A" in args.split() else None
    blocks = split_packets(text)
    for n, lines in blocks.items():
        where = "%s frame %d" % (name, n)
        if n not in pay:
            if lines and ("-A" in args.split() or "-X" in args.split()):
                errors.append("%s: payload lines for a frame without payload" % where)
            continue
        data, length, _ = pay[n]
        lines = list(lines)
        if "-A" in args.split():
            check_text(lines, data, length, cap, errors, where, dumps[n - 1] if dumps else None)
        if "-X" in args.split():
            check_hex(lines, data, length, cap, errors, where)
    return len(blocks)


def check_json(text, args, pay, errors, name):
    enc = re.search(r"--payload (\S+)", args).group(1)
    m = re.search(r"--payload-max (\S+)", args)
    cap = (1 << 40 if m.group(1) == "all" else int(m.group(1))) if m else 1 << 40
    seen = 0
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if o.get("type") != "packet":
            continue
        n, p = o["n"], o.get("payload")
        if n not in pay:
            if p is not None:
                errors.append("%s frame %d: payload member without payload" % (name, n))
            continue
        data, length, _ = pay[n]
        shown = data[:cap]
        want = {"encoding": enc, "len": length, "data_len": len(shown),
                "data": {"hex": shown.hex(), "base64": base64.b64encode(shown).decode(),
                         "text": json_text(shown)}[enc]}
        if p != want:
            errors.append("%s frame %d: %r, want %r" % (name, n, p, want))
        seen += 1
    return seen


def json_text(data):
    s = escape_snippet(data, True)
    return s.replace('\\r', '\r').replace('\\n', '\n').replace('\\t', '\t') \
        .replace('\\"', '"').replace('\\\\', '\\')


def check_tree(text, pay, errors, name):
    pay = {n: v for n, v in pay.items() if v[2] != "icmp"}  # the tree quotes TCP/UDP only
    frames = [int(m) for m in re.findall(r"^Frame (\d+):", text, re.M)]
    lines = re.findall(r"^    (TCP|UDP) payload \((\d+) bytes\)(?:: (.*))?$", text, re.M)
    # A tunnel over UDP: the outer UDP's line (its payload is the inner frame) quotes nothing.
    if re.search(r"^(Virtual eXtensible|Generic Network Virtualization|GPRS Tunneling|Teredo IPv6)",
                 text, re.M):
        lines = [x for x in lines if x[0] != "UDP" or x[2]]
    if len(lines) != len(pay):
        errors.append("%s: %d payload lines, %d frames with payload" % (name, len(lines),
                                                                          len(pay)))
        return 0
    for (proto, n, snip), frame in zip(lines, sorted(pay)):
        data, length, _ = pay[frame]
        if int(n) != length or frame not in frames:
            errors.append("%s frame %d: payload line says %s bytes, want %d" % (name, frame, n,
                                                                                 length))
        full = '"' + escape_snippet(data, True) + '"'
        if snip and not (snip == full or (snip.endswith('"' + ELLIPSIS) and
                                          full.startswith(snip[:-2]))):
            errors.append("%s frame %d: snippet %s, bytes %s" % (name, frame, snip, full))
    return len(lines)


def check_ladder(text, pay, errors, name):
    arrows = re.findall(r'len=(\d+)(?: ("(?:[^"\\]|\\.)*"' + ELLIPSIS + '?))?', text)
    arrows = [a for a in arrows if a[0] != "0"]
    data_frames = [n for n in sorted(pay) if pay[n][2] == "tcp"]
    count = 0
    for (ln, snip), frame in zip(arrows, data_frames):
        data, length, _ = pay[frame]
        full = '"' + escape_snippet(data, False) + '"'
        ok = int(ln) == length and (not snip or snip == full or
                                    (snip.endswith(ELLIPSIS) and full.startswith(snip[:-2])))
        if not ok:
            errors.append("%s: arrow len=%s %s, frame %d bytes %s" % (name, ln, snip, frame,
                                                                      full))
        count += bool(snip)
    return count


def main():
    gdir, pdir = sys.argv[1], sys.argv[2]
    errors, checked = [], 0
    for line in open(os.path.join(gdir, "MANIFEST")):
        if not line.strip() or line.startswith("#"):
            continue
        name, capture, *rest = line.split()
        args = " ".join(rest)
        words = rest
        if not any(w in words for w in ("-A", "-X", "--payload", "-v", "--ladder")):
            continue
        pcap = os.path.join(pdir, capture)
        text = open(os.path.join(gdir, "expected", name + ".out"), encoding="utf-8").read()
        pay = tshark_payloads(pcap)
        if "-c" in words:
            limit = int(words[words.index("-c") + 1])
            pay = {n: v for n, v in pay.items() if n <= limit}
        if "--payload" in words:
            checked += check_json(text, args, pay, errors, name)
        elif "-v" in words:
            checked += check_tree(text, pay, errors, name)
        elif "--ladder" in words:
            checked += check_ladder(text, pay, errors, name)
        else:
            checked += check_lines(text, args, pay, pcap, errors, name)
    for e in errors:
        print("FAIL", e)
    print("payload goldens: %d items checked against tshark, %d differences" % (checked,
                                                                                 len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
