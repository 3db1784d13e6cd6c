#!/usr/bin/env bash
# First command of the README: install what is missing, build, and replay a bundled capture
# of a real TCP connection (handshake, data both ways, teardown) with netprobe.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNP_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/netprobe watch -r pcaps/tcp-handshake-data-teardown.pcap "$@"
