#!/usr/bin/env bash
# test_fanout.sh - `watch --fanout 2` on a live interface: a multi-flow capture (bench/gen_mixed:
# TCP, UDP, ICMP, IPv4 and IPv6) is replayed with tcpreplay onto a veth pair whose both ends
# sit in one throw-away namespace (no address, IPv6 off: the link carries nothing else, and the
# frames, addressed to other MACs, never enter an IP stack). Checked against the same capture
# read offline by one process:
#   - every TCP conversation is reported exactly once across the two workers (the (client,
#     server) pairs of the JSON events, counted per conversation number, equal the offline
#     run's), and both workers got some (a worker's numbers are K+1, K+1+N...: the kernel
#     really shared the conversations out);
#   - the merged stdout is whole JSON lines, every one parseable;
#   - the one summary (the workers added up) equals the offline summary: frames, packets by
#     protocol, conversations and their outcomes;
#   - --json=ecs: each conversation's end record comes once (its Community ID once), as many
#     as the offline run's;
#   - --json to /dev/null (stdio's terminal check in the parent's sandbox) ends 0;
#   - the parent and both workers run as a user other than root, without capabilities, with
#     NoNewPrivs and a seccomp filter (/proc/PID/status), and the run as root ends 0.
# Usage: test_fanout.sh NETPROBE GEN_MIXED   (root; otherwise SKIP, exit 77, or FAIL when CI=true)
set -u
export TZ=UTC LC_ALL=C
np=${1:?netprobe}
gen=${2:?gen_mixed}
name=live.fanout
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "FAIL $name: needs root"; exit 1; }
	echo "SKIP $name: needs root for a network namespace"
	exit 77
fi
for c in ip tcpreplay timeout python3; do
	command -v "$c" >/dev/null || {
		[ "${CI:-}" = true ] && { echo "FAIL $name: $c missing"; exit 1; }
		echo "SKIP $name: $c missing"; exit 77; }
done
NS=np-fo-$$
tmp=$(mktemp -d /tmp/np-fanout.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "FAIL $name: $*"; exit 1; }

ip netns add "$NS" || fail "ip netns add"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add fo0 type veth peer name fo1 || fail "veth"
ip -n "$NS" link set fo0 up && ip -n "$NS" link set fo1 up || fail "link up"
[ -z "$(ip -n "$NS" route show)" ] || fail "a route in $NS"

"$gen" -n 4000 -o "$tmp/mix.pcap" >/dev/null || fail "gen_mixed"
"$np" watch -r "$tmp/mix.pcap" --json >"$tmp/off.json" 2>/dev/null || fail "offline --json"
"$np" watch -r "$tmp/mix.pcap" --json=ecs >"$tmp/off.ecs" 2>/dev/null || fail "offline --json=ecs"

# check_confined PID: the netprobe under `timeout` PID (the parent) and its two workers run
# as a user other than root, with no capability, NoNewPrivs and a seccomp filter.
check_confined() {
	local parent p n=0
	parent=$(ps -o pid= --ppid "$1" | tr -d ' ' | head -n1)
	[ -n "$parent" ] || fail "no netprobe process"
	sleep 0.3 # the parent confines itself right after its "workers" line
	for p in "$parent" $(ps -o pid= --ppid "$parent"); do
		local st
		st=$(cat "/proc/$p/status") || fail "no /proc/$p/status"
		awk '/^Uid:/ {exit !($3 != 0)}' <<<"$st" || fail "process $p runs as root: $(grep Uid <<<"$st")"
		grep -Eq '^CapEff:[[:space:]]+0+$' <<<"$st" || fail "process $p has capabilities"
		grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$st" || fail "process $p is not sandboxed"
		grep -Eq '^NoNewPrivs:[[:space:]]+1$' <<<"$st" || fail "process $p: NoNewPrivs not set"
		n=$((n + 1))
	done
	[ $n -eq 3 ] || fail "$n netprobe processes, not a parent and 2 workers"
}

# run_fanout MODE OUT: --fanout 2 on fo1, the capture replayed on fo0, SIGINT once idle.
run_fanout() {
	local mode=$1 out=$2 i
	timeout -k 5 60 ip netns exec "$NS" "$np" watch -i fo1 --fanout 2 "$mode" >"$out" 2>"$out.err" &
	local cpid=$!
	pids+=("$cpid")
	for ((i = 0; i < 100; i++)); do
		grep -q 'workers in fanout group' "$out.err" 2>/dev/null && break
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '2 workers in fanout group' "$out.err" || fail "$mode: the workers did not start: $(cat "$out.err")"
	[ "$mode" = --json ] && check_confined "$cpid"
	timeout 60 ip netns exec "$NS" tcpreplay -q -i fo0 --pps=4000 "$tmp/mix.pcap" >"$tmp/rep.out" 2>&1 ||
		fail "tcpreplay: $(tail -n 3 "$tmp/rep.out")"
	sleep 1.5 # a read timeout (100 ms) hands the ring's last block over
	kill -INT "$cpid"
	wait "$cpid"
	local rc=$?
	pids=()
	[ $rc -eq 0 ] || fail "$mode: exit $rc: $(cat "$out.err")"
}

run_fanout --json "$tmp/fo.json"
python3 - "$tmp/off.json" "$tmp/fo.json" <<'EOF' || fail "--json: see above"
import json, sys, collections
def load(path):
    convs, summary = {}, None
    for line in open(path):
        o = json.loads(line)  # every line whole JSON
        if o.get("type") == "event" and "conv" in o and "client" in o:
            convs.setdefault(o["conv"], (o["client"], o["server"]))
        elif o.get("type") == "summary":
            summary = o
    return convs, summary
off, soff = load(sys.argv[1])
fo, sfo = load(sys.argv[2])
bad = []
coff = collections.Counter(off.values())
cfo = collections.Counter(fo.values())
if coff != cfo:
    bad.append("conversations differ: only offline %s, only fanout %s" %
               (list((coff - cfo).items())[:5], list((cfo - coff).items())[:5]))
workers = collections.Counter(c % 2 for c in fo)
if len(workers) != 2:
    bad.append("one worker had every conversation: %s" % dict(workers))
if sfo is None:
    bad.append("no summary")
else:
    for k in ("frames", "packets", "protocols"):
        if soff[k] != sfo[k]:
            bad.append("summary %s: offline %s, fanout %s" % (k, soff[k], sfo[k]))
    for k in ("total", "completed", "closed", "refused", "reset", "open", "half_open"):
        if soff["conversations"][k] != sfo["conversations"][k]:
            bad.append("summary conversations.%s: offline %s, fanout %s" %
                       (k, soff["conversations"][k], sfo["conversations"][k]))
for b in bad:
    print(b)
print("fanout --json: %d conversations (worker 0: %d, worker 1: %d), %d frames" %
      (len(fo), workers[1], workers[0], sfo["frames"] if sfo else -1))
sys.exit(1 if bad else 0)
EOF

run_fanout --json=ecs "$tmp/fo.ecs"
python3 - "$tmp/off.ecs" "$tmp/fo.ecs" <<'EOF' || fail "--json=ecs: see above"
import json, sys, collections
def ends(path):
    c = collections.Counter()
    for line in open(path):
        o = json.loads(line)
        if o["event"]["kind"] == "event" and "end" in o["event"]["type"]:
            c[(o["network"]["community_id"], o["source"]["ip"], o["source"]["port"])] += 1
    return c
off, fo = ends(sys.argv[1]), ends(sys.argv[2])
if off != fo:
    print("ECS conversation ends differ: only offline %s, only fanout %s" %
          (list((off - fo).items())[:5], list((fo - off).items())[:5]))
    sys.exit(1)
print("fanout --json=ecs: %d conversation records, as offline" % sum(fo.values()))
EOF
grep -q 'dropped by kernel' "$tmp/fo.ecs.err" || fail "no kernel counters line"
# stdout a character device (/dev/null): stdio asks whether it is a terminal before the
# parent's first write (the JSON summary), inside the parent's sandbox
timeout -k 5 30 ip netns exec "$NS" "$np" watch -i fo1 --fanout 2 --json --duration 1 >/dev/null 2>"$tmp/null.err" ||
	fail "--json >/dev/null: exit $?: $(cat "$tmp/null.err")"
echo "PASS $name"
