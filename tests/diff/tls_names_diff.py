#!/usr/bin/env python3
"""TLS names in netprobe's -v tree vs tshark -V, frame by frame.

Compared: "Cipher Suite: NAME (0x....)", "Supported Group: NAME (0x....)", "Supported Version:
NAME (0x....)", the alert's "Level: NAME (N)" and "Description: NAME (N)", and the
ServerHello's "Key Share Group: NAME (N)" (tshark's "Group: NAME (N)"). Every such line of
netprobe's must be one of tshark's for the same frame (as many times); and tshark's cipher
suites, groups and alert fields must all be netprobe's too, unless netprobe says it kept only
the first entries of a long list ("[N more not kept]").
Usage: tls_names_diff.py NETPROBE CAPTURE...      exit 0 when every capture agrees, 1 otherwise.
"""
import collections
import re
import subprocess
import sys

KINDS = re.compile(r"^(Cipher Suite|Supported Group|Supported Version|Level|Description|Group): "
                   r"(.+ \((?:0x[0-9a-f]{4}|\d+)\))$")
FRAME = re.compile(r"^Frame (\d+): ")
BOTH_WAYS = ("Cipher Suite", "Supported Group", "Level", "Description")


def per_frame(text, ours):
    frames = collections.defaultdict(collections.Counter)
    cut = set()
    n = None
    for line in text.splitlines():
        m = FRAME.match(line)
        if m:
            n = int(m.group(1))
            continue
        s = line.strip()
        if ours and s.startswith("Key Share Group: "):
            s = s[len("Key Share "):]
        if ours and s.endswith("more not kept]"):
            cut.add(n)
        m = KINDS.match(s)
        if m and n is not None:
            frames[n][(m.group(1), m.group(2))] += 1
    return frames, cut


def check(np, path):
    ours, cut = per_frame(subprocess.run([np, "watch", "-r", path, "-v"], capture_output=True,
                                         text=True, check=True).stdout, True)
    theirs, _ = per_frame(subprocess.run(["tshark", "-n", "-r", path, "-V"], capture_output=True,
                                         text=True, check=True).stdout, False)
    bad = 0
    names = 0
    for n in sorted(set(ours) | set(theirs)):
        o, t = ours.get(n, collections.Counter()), theirs.get(n, collections.Counter())
        names += sum(o.values())
        for key, k in o.items():
            if t[key] < k:
                print(f"{path}: frame {n}: netprobe '{key[0]}: {key[1]}' x{k}, tshark x{t[key]}")
                bad += 1
        if n in cut:
            continue
        for key, k in t.items():
            if key[0] in BOTH_WAYS and o[key] < k:
                print(f"{path}: frame {n}: tshark '{key[0]}: {key[1]}' x{k}, netprobe x{o[key]}")
                bad += 1
    print(f"{path}: {names} named values compared, {bad} disagreements")
    return bad


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    return 1 if sum(check(sys.argv[1], p) for p in sys.argv[2:]) else 0


if __name__ == "__main__":
    sys.exit(main())
