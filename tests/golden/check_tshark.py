#!/usr/bin/env python3
"""Check the one-line goldens against tshark's packet list, column by column.

For every MANIFEST entry whose arguments are empty (the default line format), the packet
lines of the expected file (event lines, marked with "⇒", and the summary are skipped) must
agree with `tshark -n -r CAPTURE` on: number, relative time (to the microsecond), source,
destination, protocol, length and Info, including relative sequence numbers, scaled windows
and TCP analysis notes. Normalised away, each for a reason:
  - on tshark's side, ICMP echo "(request in N)" / "(reply in N)" / "(no response found!)"
    pairing notes, which netprobe does not print; and the frame number in "[TCP Dup ACK F#N]",
    which netprobe prints as "[TCP Dup ACK #N]";
  - on our side, the server name after "Client Hello" ("Client Hello (SNI=www.example.test)",
    Wireshark 4.2's wording), which the tshark 4.0 here does not write;
  - on our side, the quoted flow after an ICMP error ("[UDP a:p → b:q]"), which tshark puts in
    the details pane rather than Info; and the tunnels named before an inner packet's Info
    ("VXLAN 42: ", "GRE key=7: ", "MPLS 100/200: ", "Teredo: ", "MACsec: "), which tshark
    leaves out (the tunnels' fields are compared with tshark's by tests/diff/tshark_diff.py);
    and " (encrypted)" after an encrypted MACsec frame's "MACsec frame", which tshark says
    in the details pane (E and C set), not in Info.
TCP and UDP checksum notes ("[TCP CHECKSUM INCORRECT]") are compared apart, against a second
tshark run with checksum checking on: tshark calls an unfilled offload checksum incorrect, and
netprobe does not, so the frames where the two knowingly differ are listed in
tshark-exceptions.txt as "csum GOLDEN-NAME FRAMES reason" (FRAMES: N, N-M, or a comma list).
Usage: check_tshark.py GOLDEN_DIR PCAP_DIR
"""
import re
import subprocess
import sys


# What netprobe dispatches by default and tshark 4.0 does not: VXLAN on Linux's port 8472.
DECODE_AS = ["-d", "udp.port==8472,vxlan"]


def tshark_lines(pcap):
    out = subprocess.run(
        ["tshark", "-n", "-r", pcap] + DECODE_AS + ["-o", "gui.column.format:\"No.\",\"%m\",\"Time\",\"%t\",\"Source\",\"%s\",\"Destination\",\"%d\",\"Protocol\",\"%p\",\"Length\",\"%L\",\"Info\",\"%i\"",
         "-T", "fields", "-e", "_ws.col.No.", "-e", "_ws.col.Time", "-e", "_ws.col.Source",
         "-e", "_ws.col.Destination", "-e", "_ws.col.Protocol", "-e", "_ws.col.Length",
         "-e", "_ws.col.Info"],
        capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


LINE = re.compile(r"^\s*(\d+)\s+(\S+)\s+(?:(\S+)\s+(In|Out|B|M|P|\?)\s+)?(\S*)\s+→\s+(\S*)\s+(\S+)\s+(\d+) (.*)$")

# LINUX_SLL2 lines (-i any) carry the interface ("if#N" from a file) and the direction in
# tcpdump's words, checked against tshark's sll.ifindex and sll.pkttype.
DIRS = {"0": "In", "1": "B", "2": "M", "3": "P", "4": "Out"}


def tshark_sll2(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "frame.number",
                          "-e", "sll.ifindex", "-e", "sll.pkttype"],
                         capture_output=True, text=True, check=True).stdout
    return {w[0]: (f"if#{w[1]}", DIRS.get(w[2], "?"))
            for w in (line.split("\t") for line in out.splitlines()) if len(w) == 3 and w[1]}


def norm_tshark_info(info):
    info = re.sub(r"\[TCP Dup ACK \d+#", "[TCP Dup ACK #", info)
    info = re.sub(r" \((request|reply) in \d+\)| \(no response found!\)", "", info)
    return info.strip()


TUNNELS = re.compile(r"^((VXLAN \d+|Geneve \d+|GRE( key=\d+)?|ERSPAN (I|II|III)( session=\d+)?|"
                     r"MPLS \d+(/\d+)*|PPPoE 0x[0-9a-f]{4}|Teredo|MACsec): )+")


def norm_our_info(info):
    info = TUNNELS.sub("", info)
    info = re.sub(r"(Client Hello) \(SNI=[^)]*\)", r"\1", info)
    info = re.sub(r"^MACsec frame \(encrypted\)$", "MACsec frame", info)
    # (an IPv6 quote has brackets of its own: "[UDP [fd77::1]:40009 → [fd77::2]:9999]")
    # (not Wireshark's own "[TCP segment of a reassembled PDU]")
    info = re.sub(r" \[(UDP|TCP|ICMP|ICMPv6) (?!segment of a reassembled PDU\]$)(\[[^\]]*\]|[^\[\]])*\]$",
                  "", info)
    return info.strip()


NOTES = re.compile(r"^(\[TCP [^\]]*\] )+")
CSUM_NOTE = re.compile(r" \[(TCP|UDP) CHECKSUM INCORRECT\]")


def tshark_csum_notes(pcap):
    """Frame number -> the TCP/UDP checksum notes tshark puts in Info when it checks them."""
    out = subprocess.run(
        ["tshark", "-n", "-r", pcap] + DECODE_AS + ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
         "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"],
        capture_output=True, text=True, check=True).stdout
    notes = {}
    for line in out.splitlines():
        no, _, info = line.partition("\t")
        notes[no] = sorted(set(CSUM_NOTE.findall(info)))
    return notes


def frames(spec):
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += [str(n) for n in range(int(lo), int(hi or lo) + 1)]
    return out


# ("link GOLDEN-NAME FRAMES reason"): link-layer frames netprobe names but does not decode
# further (PPP LCP, SLARP, 802.11 management and control frames): only their number, time and
# length are compared, tshark's columns coming from the body it decodes.
LINK_ONLY = set()


def load_exceptions(path):
    """(golden name, frame) pairs whose leading TCP analysis notes are not compared, and those
    whose checksum notes knowingly differ from tshark's ("csum" lines)."""
    notes, csums = set(), set()
    for raw in open(path):
        words = raw.split()
        if len(words) >= 4 and words[0] == "csum":
            csums.update((words[1], n) for n in frames(words[2]))
        elif len(words) >= 4 and words[0] == "link":
            LINK_ONLY.update((words[1], n) for n in frames(words[2]))
        elif len(words) >= 3 and not words[0].startswith("#"):
            notes.add((words[0], words[1]))
    return notes, csums


def main():
    golden_dir, pcap_dir = sys.argv[1], sys.argv[2]
    exceptions, csum_exceptions = load_exceptions(
        f"{golden_dir}/tshark-exceptions.txt")
    used, csum_used, link_used = set(), set(), set()
    checked = failed = 0
    for raw in open(f"{golden_dir}/MANIFEST"):
        words = raw.split()
        if not words or words[0].startswith("#") or len(words) != 2:
            continue
        name, capture = words
        ours = [LINE.match(l) for l in open(f"{golden_dir}/expected/{name}.out")
                if not l.startswith(("exit ", "netprobe: ")) and " ⇒ " not in l]
        theirs = tshark_lines(f"{pcap_dir}/{capture}")
        their_csums = tshark_csum_notes(f"{pcap_dir}/{capture}")
        their_sll2 = tshark_sll2(f"{pcap_dir}/{capture}")
        if len(ours) != len(theirs) or not all(ours):
            print(f"FAIL {name}: {len(ours)} lines vs tshark's {len(theirs)}")
            failed += 1
            continue
        for m, t in zip(ours, theirs):
            checked += 1
            n, tm, ifc, direction, src, dst, proto, length, info = m.groups()
            if (ifc, direction) != their_sll2.get(n, (None, None)):
                failed += 1
                print(f"FAIL {name} frame {n}: interface/direction: netprobe {ifc} {direction}, "
                      f"tshark {their_sll2.get(n)}")
            csums = sorted(set(CSUM_NOTE.findall(info)))
            info = CSUM_NOTE.sub("", info)
            if (name, n) in csum_exceptions:
                if csums != their_csums.get(n, []):
                    csum_used.add((name, n))
            elif csums != their_csums.get(n, []):
                failed += 1
                print(f"FAIL {name} frame {n}: checksum notes: netprobe {csums}, "
                      f"tshark {their_csums.get(n, [])}")
            want = [t[0], t[2], t[3], t[4], t[5], norm_tshark_info(t[6])]
            got = [n, src, dst, proto, length, norm_our_info(info)]
            if (name, n) in LINK_ONLY:
                link_used.add((name, n))
                want, got = want[:1] + want[4:5], got[:1] + got[4:5]
            if (name, n) in exceptions:
                used.add((name, n))
                want[-1] = NOTES.sub("", want[-1])
                got[-1] = NOTES.sub("", got[-1])
            if got != want or abs(float(tm) - float(t[1])) > 1e-6:
                failed += 1
                print(f"FAIL {name} frame {n}:\n  netprobe: {tm} {got}\n  tshark:   {t[1]} {want}")
    for stale in sorted(exceptions - used):
        print(f"FAIL stale exception {stale[0]} {stale[1]}: it matched no line")
        failed += 1
    for stale in sorted(LINK_ONLY - link_used):
        print(f"FAIL stale link exception {stale[0]} {stale[1]}: it matched no line")
        failed += 1
    for stale in sorted(csum_exceptions - csum_used):
        print(f"FAIL stale checksum exception {stale[0]} {stale[1]}: netprobe and tshark agree there")
        failed += 1
    print(f"tshark line check: {checked} lines checked, {failed} mismatches, "
          f"{len(used)} listed exceptions, {len(csum_used)} listed checksum exceptions")
    print(f"{checked - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
