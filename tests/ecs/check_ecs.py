#!/usr/bin/env python3
"""check_ecs.py NETPROBE PCAP... - netprobe watch --json=ecs --states over each capture, checked
against the ECS field table (fields.tsv: every key outside netprobe.* is an ECS field, of its
ECS type, with an allowed value where ECS lists them), and each Community ID recomputed here
independently (hashlib's SHA-1, the specification's layout) from the document's own source and
destination, with seed 0 and with --community-id-seed 4242. Conversation records: exactly as
many as the TCP conversations the text summary counts, their network.* sums consistent."""
import base64, datetime, hashlib, ipaddress, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_fields():
    fields = {}
    for line in open(os.path.join(HERE, "fields.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        allowed = set(cols[2].split("|")) if len(cols) > 2 else None
        fields[cols[0]] = (cols[1], allowed)
    return fields


def flatten(obj, prefix=""):
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict) and name != "netprobe":
            yield from flatten(v, name + ".")
        else:
            yield name, v


def community_id(seed, saddr, daddr, sport, dport, proto=6):
    a, b = ipaddress.ip_address(saddr).packed, ipaddress.ip_address(daddr).packed
    if (a, sport) > (b, dport):
        a, b, sport, dport = b, a, dport, sport
    data = seed.to_bytes(2, "big") + a + b + bytes([proto, 0]) + \
        sport.to_bytes(2, "big") + dport.to_bytes(2, "big")
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def check_value(name, typ, allowed, v):
    def date_ok(s):
        return isinstance(s, str) and re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", s) and \
            datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    ok = {
        "date": lambda: date_ok(v),
        "keyword": lambda: isinstance(v, str) and v != "",
        "keyword[]": lambda: isinstance(v, list) and v and all(isinstance(x, str) for x in v),
        "long": lambda: isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63,
        "ip": lambda: isinstance(v, str) and ipaddress.ip_address(v) is not None,
    }[typ]()
    if not ok:
        return "%s: %r is no ECS %s" % (name, v, typ)
    vals = v if isinstance(v, list) else [v]
    if allowed and not set(vals) <= allowed:
        return "%s: %r not among ECS's allowed values" % (name, v)
    return None


def run(netprobe, pcap, seed):
    cmd = [netprobe, "watch", "-r", pcap, "--json=ecs", "--states"]
    if seed:
        cmd += ["--community-id-seed", str(seed)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
    m = re.search(r"netprobe: (\d+) TCP conversations?", p.stderr)
    # the UDP conversations: as `netprobe stats` counts them (compared with tshark -z conv,udp
    # by tests/diff/stats_diff.py)
    st = subprocess.run([netprobe, "stats", "-r", pcap, "--conv", "udp", "--tables", "conv"],
                        capture_output=True, text=True, timeout=120)
    u = re.search(r"^UDP conversations: (\d+)", st.stdout, re.M)
    return p.stdout.splitlines(), int(m.group(1)) if m else None, int(u.group(1)) if u else 0


def main():
    netprobe, pcaps = sys.argv[1], sys.argv[2:]
    fields = load_fields()
    errors, docs, convs, ids, udps = [], 0, 0, 0, 0
    for pcap in pcaps:
        for seed in (0, 4242):
            lines, counted, counted_udp = run(netprobe, pcap, seed)
            nconv = nudp = 0
            for line in lines:
                doc = json.loads(line)
                docs += 1
                flat = dict(flatten(doc))
                for name, v in flat.items():
                    if name == "netprobe":  # netprobe's own namespace: an object
                        if not isinstance(v, dict):
                            errors.append("%s: netprobe is no object" % pcap)
                        continue
                    if name not in fields:
                        errors.append("%s: %s is no field of the table" % (pcap, name))
                        continue
                    e = check_value(name, *fields[name], v)
                    if e:
                        errors.append("%s: %s" % (pcap, e))
                for need in ("@timestamp", "ecs.version", "event.kind", "event.action"):
                    if need not in flat:
                        errors.append("%s: %s missing" % (pcap, need))
                if "source.port" in flat:
                    want = community_id(seed, flat["source.ip"], flat["destination.ip"],
                                        flat["source.port"], flat["destination.port"],
                                        int(flat["network.iana_number"]))
                    ids += 1
                    if flat.get("network.community_id") != want:
                        errors.append("%s: community_id %s, want %s" %
                                      (pcap, flat.get("network.community_id"), want))
                if flat.get("event.action") == "conversation":
                    if flat["network.transport"] == "udp":
                        nudp += 1
                    else:
                        nconv += 1
                    for k in ("bytes", "packets"):
                        if flat["network." + k] != flat["source." + k] + flat["destination." + k]:
                            errors.append("%s: network.%s is not the sum" % (pcap, k))
                    if flat["event.duration"] < 0:
                        errors.append("%s: negative duration" % pcap)
            if counted is not None and nconv != counted:
                errors.append("%s: %d conversation records, the summary counts %d" %
                              (pcap, nconv, counted))
            if nudp != counted_udp:
                errors.append("%s: %d UDP conversation records, netprobe stats counts %d" %
                              (pcap, nudp, counted_udp))
            convs += nconv
            udps += nudp
    for e in errors[:30]:
        print("FAIL", e)
    print("%d documents, %d TCP and %d UDP conversation records, %d Community IDs recomputed, "
          "%d errors" % (docs, convs, udps, ids, len(errors)))
    if not convs or not udps or not ids:
        print("FAIL: nothing checked")
        return 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
