#!/usr/bin/env bash
# Build the Debian package, install it on this machine, use the installed binary (version, a
# replay, man page, completion, licence), then remove it and check nothing of it is left.
# Every apt call waits up to 2 minutes for the dpkg lock (DPkg::Lock::Timeout) instead of
# failing when another apt or dpkg runs; the install is made while this script itself holds
# the dpkg frontend lock for 3 s, so that waiting is tested, not assumed.
# Usage: deb.sh BUILD_DIR SOURCE_DIR. Needs root: skipped (77) when not root outside CI.
set -u
build=${1:?usage: deb.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: deb.sh BUILD_DIR SOURCE_DIR}
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "FAIL: the package test must run as root in CI"; exit 1; }
	echo "SKIP: installing a package needs root"; exit 77
fi
pass=0 fail=0
py=$(command -v python3) || { echo "FAIL: python3 is needed"; exit 1; }
check() { # NAME COMMAND...
	local name=$1; shift
	if "$@" >/tmp/np-deb.out 2>&1; then pass=$((pass + 1)); echo "PASS $name"
	else fail=$((fail + 1)); echo "FAIL $name"; head -20 /tmp/np-deb.out; fi
}
if dpkg-query -W netprobe >/dev/null 2>&1; then
	echo "FAIL: a netprobe package is already installed; not touching it"; exit 1
fi
# copyright_matches: the installed copyright file is in Debian's format and its licence text
# (the last License paragraph, " ." for blank lines) is LICENSE's.
copyright_matches() {
	local f=/usr/share/doc/netprobe/copyright
	grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$f" &&
		[ "$(sed -n '/^Redistribution/,$p' "$src/LICENSE")" = \
		  "$(awk '/^License: BSD-3-Clause$/ { t = ""; next } { t = t $0 "\n" } END { printf "%s", t }' "$f" |
		     sed 's/^ //; s/^\.$//')" ]
}
apt_wait=(-o DPkg::Lock::Timeout=120)
export DEBIAN_FRONTEND=noninteractive
holder=""
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null
      apt-get remove -y -qq "${apt_wait[@]}" netprobe >/dev/null 2>&1; rm -f /tmp/np-deb.out /tmp/np-deb.lock' EXIT
check cpack bash -c "cd '$build' && rm -f netprobe_*.deb && cpack -G DEB"
deb=$(ls "$build"/netprobe_*.deb 2>/dev/null | head -n 1)
check depends bash -c "dpkg-deb -f '$deb' Depends | grep -q libpcap0.8 && dpkg-deb -f '$deb' Depends | grep -q libnet1 && dpkg-deb -f '$deb' Depends | grep -q libcap-ng0"
check copyright-in-deb bash -c "dpkg-deb -c '$deb' | grep -q ' \./usr/share/doc/netprobe/copyright\$'"
# Another package manager at work: hold the dpkg frontend lock (an fcntl lock, as apt and dpkg
# take it) for 3 s; the install must wait for it and succeed.
$py -c 'import fcntl, sys, time
f = open("/var/lib/dpkg/lock-frontend", "a")
fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(3)' >/tmp/np-deb.lock 2>&1 &
holder=$!
for _ in $(seq 50); do grep -q held /tmp/np-deb.lock && break; sleep 0.1; done
check lock-held grep -q held /tmp/np-deb.lock
check install apt-get install -y -qq "${apt_wait[@]}" "$(realpath "$deb")"
wait "$holder"
holder=""
check copyright copyright_matches
check version bash -c "/usr/bin/netprobe --version | grep -q '^netprobe [0-9]'"
check replay bash -c "/usr/bin/netprobe watch -r '$src/pcaps/tcp-handshake-data-teardown.pcap' --no-summary | grep -q 'handshake'"
check man bash -c "ls /usr/share/man/man1/netprobe.1* >/dev/null"
check completion bash -c "test -f /usr/share/bash-completion/completions/netprobe && bash --norc -c 'source /usr/share/bash-completion/completions/netprobe && complete -p netprobe'"
check remove apt-get remove -y -qq "${apt_wait[@]}" netprobe
check gone bash -c "! test -e /usr/bin/netprobe && ! dpkg-query -W -f='\${Status}' netprobe 2>/dev/null | grep -q 'install ok'"
echo "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
