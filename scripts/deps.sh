#!/usr/bin/env bash
# Install what netprobe needs to build and test on Debian 12, only what is missing.
# clang and libclang-rt-14-dev: the libFuzzer harnesses (fuzz/); valgrind: mem.memcheck_golden.
# gzip, zstd: compressed captures for cli.compressed (zlib1g-dev, libzstd-dev: reading them).
# libfixbuf-dev: --ipfix; nfdump: its collector in ipfix.nfcapd.
# iputils-tracepath, traceroute, mtr-tiny: the oracles of live.pmtu, live.unpriv and live.report.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libpcap-dev libnet1-dev libcmocka-dev libcap-ng-dev
      libseccomp-dev zlib1g-dev libzstd-dev gzip zstd libfixbuf-dev nfdump
      tshark tcpdump python3 iproute2 ethtool time iptables util-linux ncat iputils-ping iputils-tracepath traceroute mtr-tiny procps groff
      clang libclang-rt-14-dev valgrind)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "netprobe: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
		exit 2
	fi
	echo "installing: ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Wait (2 minutes at most) for another apt or dpkg, e.g. unattended-upgrades, to finish.
	apt-get update -qq -o DPkg::Lock::Timeout=120
	apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}" \
		>/dev/null
fi
