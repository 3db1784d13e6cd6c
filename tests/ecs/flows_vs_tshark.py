#!/usr/bin/env python3
"""flows_vs_tshark.py NETPROBE PCAP... - the per-conversation counts netprobe reports (ECS
conversation records, the same numbers --ipfix sends) against tshark's own dissection:
packets and IP bytes (the innermost IP header's total length; IPv6: payload length + 40)
each way, per TCP stream (tcp.stream), and the TCP flags seen each way. Conversations are
matched by their two endpoints (tshark has no client/server roles)."""
import collections, concurrent.futures, ipaddress, json, os, subprocess, sys

# Explained differences (tests/diff/EXCEPTIONS.md has the same one for the packet lines):
# tshark's tcp.stream ignores the tunnel a segment came through; netprobe keys a conversation
# by its tunnels' identifiers too, so the same inner 5-tuple under two GRE keys is two
# conversations here and one stream there: their counts are added before comparing. The same
# for track-lone-rst.pcap's second pair: a SYN left unanswered, its half-open entry expired
# (40 s of silence), then a RST: two conversations for netprobe (the lone RST is one of its
# own, as --events says), one tcp.stream for tshark.
MERGE_BY_ENDPOINTS = {"gre-two-keys-tcp.pcap", "gre-two-keys-dog.pcap", "track-lone-rst.pcap"}

FLAGS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10, "URG": 0x20,
         "ECE": 0x40, "CWR": 0x80, "AE": 0x100}


def last(field):
    return field.split(",")[-1] if field else ""


def tshark_convs(pcap):
    out = subprocess.run(
        ["tshark", "-n", "-r", pcap, "-d", "udp.port==8472,vxlan", "-Y", "tcp", "-T", "fields", "-E", "separator=|",
         "-e", "tcp.stream", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
         "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "ip.len", "-e", "ipv6.plen",
         "-e", "tcp.flags", "-e", "frame.protocols"],
        capture_output=True, text=True, check=True, timeout=120).stdout
    convs = collections.OrderedDict()
    for line in out.splitlines():
        st, s4, d4, s6, d6, sp, dp, l4, l6, fl, protos = line.split("|")
        # the innermost IP: the last of each list; IPv4 inside IPv6 or the other way round
        # by the order of the protocols in the frame
        inner6 = protos.rfind(":ipv6") > protos.rfind(":ip:")
        if inner6:
            src, dst, size = last(s6), last(d6), int(last(l6)) + 40
        else:
            src, dst, size = last(s4), last(d4), int(last(l4))
        a = (ipaddress.ip_address(src).compressed, int(last(sp)))
        b = (ipaddress.ip_address(dst).compressed, int(last(dp)))
        c = convs.setdefault(last(st), {})
        d = c.setdefault(a, [0, 0, 0])
        c.setdefault(b, [0, 0, 0])
        d[0] += 1
        d[1] += size
        d[2] |= int(last(fl), 16) & 0x1ff
    result = collections.Counter()
    for c in convs.values():
        result[tuple(sorted((ep, tuple(v)) for ep, v in c.items()))] += 1
    return result


def flag_bits(text):
    return sum(FLAGS[f.strip()] for f in text.split(",") if f.strip())


def netprobe_convs(np_bin, pcap):
    out = subprocess.run([np_bin, "watch", "-r", pcap, "--json=ecs"], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    result = collections.Counter()
    for line in out.splitlines():
        d = json.loads(line)
        if d["event"]["action"] != "conversation" or d["network"]["transport"] != "tcp":
            continue  # tcp.stream's conversations (UDP ones: check_ecs.py, nfcapd.sh)
        n = d["netprobe"]
        eps = []
        for side, role in (("source", "client"), ("destination", "server")):
            e = d[side]
            eps.append(((ipaddress.ip_address(e["ip"]).compressed, e["port"]),
                        (e["packets"], e["bytes"], flag_bits(n[role]["flags"]))))
        result[tuple(sorted(eps))] += 1
    return result


def merged(convs):
    sums = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0, 0]))
    for key, n in convs.items():
        eps = tuple(ep for ep, _ in key)
        for ep, (pk, by, fl) in key:
            v = sums[eps][ep]
            v[0] += pk * n
            v[1] += by * n
            v[2] |= fl
    return collections.Counter(tuple(sorted((ep, tuple(v)) for ep, v in d.items()))
                               for d in sums.values())


def compare(np_bin, pcap):
    want, got = tshark_convs(pcap), netprobe_convs(np_bin, pcap)
    n = sum(got.values())
    if os.path.basename(pcap) in MERGE_BY_ENDPOINTS:
        got = merged(got)
    return want, got, n


def main():
    np_bin, pcaps = sys.argv[1], sys.argv[2:]
    fails, total = 0, 0
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: compare(np_bin, p), pcaps))
    for pcap, (want, got, n) in zip(pcaps, results):
        total += n
        if want != got:
            fails += 1
            print("FAIL %s:" % pcap)
            for k in (want - got):
                print("  tshark only:  ", k)
            for k in (got - want):
                print("  netprobe only:", k)
    print("%d conversations in %d captures; %d captures differ" % (total, len(pcaps), fails))
    return 1 if fails or not total else 0


if __name__ == "__main__":
    sys.exit(main())
