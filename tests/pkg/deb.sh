#!/usr/bin/env bash
# Build the Debian package, install it on this machine, use the installed binary (version, a
# replay, man page, completion), then remove it and check nothing of it is left.
# Usage: deb.sh BUILD_DIR SOURCE_DIR. Needs root: skipped (77) when not root outside CI.
set -u
build=${1:?usage: deb.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: deb.sh BUILD_DIR SOURCE_DIR}
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "FAIL: the package test must run as root in CI"; exit 1; }
	echo "SKIP: installing a package needs root"; exit 77
fi
pass=0 fail=0
check() { # NAME COMMAND...
	local name=$1; shift
	if "$@" >/tmp/np-deb.out 2>&1; then pass=$((pass + 1)); echo "PASS $name"
	else fail=$((fail + 1)); echo "FAIL $name"; head -20 /tmp/np-deb.out; fi
}
if dpkg-query -W netprobe >/dev/null 2>&1; then
	echo "FAIL: a netprobe package is already installed; not touching it"; exit 1
fi
trap 'dpkg -r netprobe >/dev/null 2>&1; rm -f /tmp/np-deb.out' EXIT
check cpack bash -c "cd '$build' && rm -f netprobe_*.deb && cpack -G DEB"
deb=$(ls "$build"/netprobe_*.deb 2>/dev/null | head -n 1)
check depends bash -c "dpkg-deb -f '$deb' Depends | grep -q libpcap0.8 && dpkg-deb -f '$deb' Depends | grep -q libnet1 && dpkg-deb -f '$deb' Depends | grep -q libcap-ng0"
check install dpkg -i "$deb"
check version bash -c "/usr/bin/netprobe --version | grep -q '^netprobe [0-9]'"
check replay bash -c "/usr/bin/netprobe watch -r '$src/pcaps/tcp-handshake-data-teardown.pcap' --no-summary | grep -q 'handshake'"
check man bash -c "ls /usr/share/man/man1/netprobe.1* >/dev/null"
check completion bash -c "test -f /usr/share/bash-completion/completions/netprobe && bash --norc -c 'source /usr/share/bash-completion/completions/netprobe && complete -p netprobe'"
check remove dpkg -r netprobe
check gone bash -c "! test -e /usr/bin/netprobe && ! dpkg-query -W -f='\${Status}' netprobe 2>/dev/null | grep -q 'install ok'"
echo "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
