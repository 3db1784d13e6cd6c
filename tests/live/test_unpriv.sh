#!/usr/bin/env bash
# Live test of ping without privileges (issue 15): a copy of netprobe without file
# capabilities, run as nobody (setpriv, no sudo) in netns.sh's client A.
#   refused      net.ipv4.ping_group_range at its default ("1 0": nobody's group left out):
#                one stderr line naming sudo, setcap and ping_group_range, exit 2
#   echo         ping_group_range "0 2147483647" in A's namespace (the sysctl is per
#                namespace): ping -c 2 10.77.20.2 through an ICMP datagram socket: two reply
#                lines (ttl=63, no ip_id: the kernel does not pass it up), the summary, exit 0;
#                one stderr line saying what is not shown
#   json         the probe objects say "unprivileged":true, verdict reply, from B
#   ttl          -t 1: the router's time exceeded (from the socket's error queue), exit 1
#   sandbox      while it runs: uid nobody, CapEff 0, NoNewPrivs 1, Seccomp 2
#   syn          --syn as nobody: no raw socket and no datagram kind for it: one line naming
#                sudo and setcap, exit 2 (the connect() fallback is not there yet)
# Usage: test_unpriv.sh NETPROBE (root to build the namespaces; without root it skips with 77
# unless CI=true)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/live/netns.sh
. "$here/netns.sh"
name=live-unpriv
lt_netprobe_path "$name" "${1:-}"
lt_need_root "$name"
lt_need_cmds "$name" ip timeout setpriv sysctl "$LT_PY"
echo "live unpriv: netprobe $NP, namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
if ! lt_setup; then
	lt_fail "setup: the namespace topology could not be built"
	lt_finish
	exit 1
fi
cp "$NP" "$LT_WORK/np" && chmod 755 "$LT_WORK/np" # LT_WORK is 0755: nobody may run it
U=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
NPU=$LT_WORK/np

nsA sysctl -qw net.ipv4.ping_group_range="1 0"
lt_run "$LT_NS_A" refused 20 "${U[@]}" "$NPU" ping -c 1 "$LT_B4"
lt_expect_rc refused 2
lt_expect_one_err_line refused 'sudo' 'setcap' 'ping_group_range'

lt_do nsA sysctl -qw net.ipv4.ping_group_range="0 2147483647"
lt_run "$LT_NS_A" echo 20 "${U[@]}" "$NPU" ping -c 2 -i 0.2 "$LT_B4"
lt_expect_rc echo 0
lt_expect_one_err_line echo 'no CAP_NET_RAW' 'datagram socket' 'IP id'
if [ "$(grep -cE "^64 bytes from $LT_B4: icmp_seq=[12] ttl=63 time=[0-9.]+ ms \\| Echo \\(ping\\) reply" "$LT_WORK/echo.out")" = 2 ] &&
	! grep -q ip_id "$LT_WORK/echo.out" &&
	grep -q '^2 packets transmitted, 2 received, 0% packet loss' "$LT_WORK/echo.out"; then
	lt_pass "echo/two-replies-no-ip_id"
else
	lt_fail "echo/two-replies-no-ip_id"
	lt_dump echo
fi

lt_run "$LT_NS_A" json 20 "${U[@]}" "$NPU" ping -c 2 -i 0.2 --json "$LT_B4"
lt_expect_rc json 0
lt_expect_json json "unprivileged" "len(probes) == 2 and all(p.get('unprivileged') is True and p.get('verdict') == 'reply' and p.get('from') == '$LT_B4' and 0 <= p.get('rtt_ms') < 1000 for p in probes)" "probes"

lt_run "$LT_NS_A" ttl 20 "${U[@]}" "$NPU" ping -c 1 -t 1 -W 1 "$LT_B4"
lt_expect_rc ttl 1
if grep -Eq "^From $LT_RA4: seq=1 ttl-exceeded time=[0-9.]+ ms" "$LT_WORK/ttl.out"; then
	lt_pass "ttl/time-exceeded-from-R"
else
	lt_fail "ttl/time-exceeded-from-R"
	lt_dump ttl
fi

# The sandbox and the identity while it runs.
lt_bg_in "$LT_NS_A" sandbox 20 "${U[@]}" "$NPU" ping -c 4 -i 0.5 "$LT_B4"
st=""
for ((i = 0; i < 100; i++)); do
	st=$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$NP_PID/status" 2>/dev/null)
	[ "$st" = 2 ] && break
	sleep 0.05
done
uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$NP_PID/status" 2>/dev/null)
cap=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$NP_PID/status" 2>/dev/null)
nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$NP_PID/status" 2>/dev/null)
if [ "$st" = 2 ] && [ "$uid" = "$(id -u nobody)" ] && [ "$cap" = 0000000000000000 ] && [ "$nnp" = 1 ]; then
	lt_pass "sandbox/nobody-seccomp (Uid $uid, CapEff $cap, NoNewPrivs $nnp, Seccomp $st)"
else
	lt_fail "sandbox/nobody-seccomp: Uid '$uid' CapEff '$cap' NoNewPrivs '$nnp' Seccomp '$st'"
fi
lt_bg_reap sandbox 10
lt_expect_rc sandbox 0

lt_run "$LT_NS_A" syn 20 "${U[@]}" "$NPU" ping --syn -p "$LT_TCP_OPEN" -c 1 "$LT_B4"
lt_expect_rc syn 2
lt_expect_one_err_line syn 'sudo' 'setcap'
lt_finish
