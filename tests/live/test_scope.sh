#!/usr/bin/env bash
# Live test of `netprobe ping` to a scoped IPv6 link-local address (RFC 4007 s11), in the
# namespace topology of netns.sh: from A, R's link-local address on the A-R link, written
# "fe80::…%veth-ar" as iputils takes it.
#   ll-text   -c 2 -i 0.2 ADDR%veth-ar: exit 0; the PING line and every reply line name the
#             address with its "%veth-ar" (iputils prints "64 bytes from fe80::1%veth0")
#   ll-json   the same with --json: every probe a reply, "from" with the scope
#   ll-wrong  ADDR%lo (the wrong link): no reply, exit 1, no crash; the scope is kept
# Usage: test_scope.sh NETPROBE      (root; without root it skips with 77 unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-scope
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout "$LT_PY"
echo "live scope: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi

# R's link-local address on the A-R link (made when the link came up; no DAD in netns.sh).
ll=""
for ((i = 0; i < 50; i++)); do
	ll=$(ip -n "$LT_NS_R" -6 -o addr show dev veth-ra scope link | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
	[ -n "$ll" ] && break
	sleep 0.1
done
if [ -z "$ll" ]; then
	lt_fail "setup: veth-ra has no link-local address"
	lt_finish
	exit 1
fi
target="$ll%veth-ar"
echo "target: $target"

lt_run "$LT_NS_A" ll-text 20 "$NP" ping -c 2 -i 0.2 -W 2 "$target"
lt_expect_rc ll-text 0
if grep -qF "PING $target($target) " "$LT_WORK/ll-text.out"; then
	lt_pass "ll-text/PING-line-keeps-scope"
else
	lt_fail "ll-text/PING-line-keeps-scope: no 'PING $target($target) '"
	lt_dump ll-text
fi
n=$(grep -cF "bytes from $target: icmp_seq=" "$LT_WORK/ll-text.out")
if [ "$n" -eq 2 ]; then
	lt_pass "ll-text/replies-from-$target"
else
	lt_fail "ll-text/replies-from-$target: $n lines, want 2"
	lt_dump ll-text
fi

lt_run "$LT_NS_A" ll-json 20 "$NP" ping -c 2 -i 0.2 -W 2 --json "$target"
lt_expect_rc ll-json 0
lt_expect_json ll-json "from-with-scope" \
	"len(probes) == 2 and all(p.get('verdict') == 'reply' and p.get('from') == '$target' for p in probes)" \
	"[(p.get('verdict'), p.get('from')) for p in probes]"

# The wrong link: the probe leaves by lo, where nobody has R's address.
lt_run "$LT_NS_A" ll-wrong 20 "$NP" ping -c 1 -W 1 "$ll%lo"
lt_expect_rc ll-wrong 1 2
if grep -qF "$ll%lo" "$LT_WORK/ll-wrong.out" "$LT_WORK/ll-wrong.err"; then
	lt_pass "ll-wrong/keeps-scope"
else
	lt_fail "ll-wrong/keeps-scope"
	lt_dump ll-wrong
fi

lt_finish
