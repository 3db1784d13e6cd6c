#!/usr/bin/env bash
# netns.sh - throw-away three-namespace topology for netprobe's live tests (ping, trace).
#
# Sourced by tests/live/test_*.sh:   . "$(dirname "$0")/netns.sh"; lt_need_root NAME; lt_setup
# Run directly to check the harness:  bash tests/live/netns.sh selftest
#
#   A (client) veth-ar ====== veth-ra  R (router)  veth-rb ====== veth-br  B (target)
#      10.77.10.1/24            10.77.10.2/24        10.77.20.1/24           10.77.20.2/24
#      fd77:10::1/64            fd77:10::2/64        fd77:20::1/64           fd77:20::2/64
#
# Namespaces np-lt-<PID>-{a,r,b} (PID of the test shell, so parallel runs never collide).
# Both ends of each veth pair are created inside the namespaces: nothing ever appears in the
# host namespace, and there is no default route anywhere; the only routes besides the
# connected ones are A: 10.77.20.0/24 via 10.77.10.2 (fd77:20::/64 via fd77:10::2) and
# B: 10.77.10.0/24 via 10.77.20.1 (fd77:10::/64 via fd77:20::1).  R forwards (IPv4 and IPv6).
# 10.77.10.99 is a "down host" on A's link: nobody answers ARP for it.
# In B: TCP 8888 listens (accepts, closes), UDP 7777 echoes (both families), 9999 is closed
# (TCP RST / ICMP port unreachable) and TCP 8899 is silently dropped by iptables (ip6tables).
#
# Environment of the namespaces (each with the reason):
#   - rp_filter 0 everywhere (a new namespace inherits the host's IPv4 defaults);
#   - IPv6: no RA/RS, no DAD (addresses added with nodad), so addresses work at once;
#   - checksum offload off on every veth end (ethtool -K tx off): a veth otherwise hands
#     kernel-built packets over with their checksums unfilled (only the pseudo-header sum),
#     which netprobe reports as "offloaded"; the tests want real, verified sums, except the
#     last case of test_probes.sh, which turns offload back on to check exactly that;
#   - ICMP/ICMPv6 error rate limit 0 in R and B: the trace tests ask R for several
#     time-exceeded and B for several port-unreachable messages within a second, more than
#     the kernel's per-peer burst, and the tests must not depend on that token bucket.
#
# Cleanup (trap on EXIT, INT, TERM, installed by lt_setup): kill the PIDs this shell started
# in the background (each wrapped in `timeout`, which passes the signal on), wait for them,
# delete the three namespaces (which destroys the veth pairs), remove the work directory.
#
# Tests that need root: without root they print a SKIP line and exit 77, unless CI=true, in
# which case they fail (exit 1).  The same goes for missing commands.

LT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

LT_NS_A="np-lt-$$-a" LT_NS_R="np-lt-$$-r" LT_NS_B="np-lt-$$-b"
LT_A4=10.77.10.1 LT_RA4=10.77.10.2 LT_RB4=10.77.20.1 LT_B4=10.77.20.2 LT_DOWN4=10.77.10.99
LT_A6=fd77:10::1 LT_RA6=fd77:10::2 LT_RB6=fd77:20::1 LT_B6=fd77:20::2
LT_TCP_OPEN=8888 LT_UDP_OPEN=7777 LT_CLOSED=9999 LT_TCP_DROP=8899
LT_MAX_SECONDS=${LT_MAX_SECONDS:-600}   # hard upper bound on every background helper
LT_PY=/usr/bin/python3                  # system python: no pyenv shims inside namespaces
[ -x "$LT_PY" ] || LT_PY=$(command -v python3)

LT_PIDS=()       # background processes we started and have not reaped
LT_CREATED=()    # namespaces we created
LT_WORK=""       # temporary directory (outputs, ready files)
LT_PASS=0 LT_FAIL=0 LT_SKIP=0
declare -A LT_DUMPED=()

# --- preconditions --------------------------------------------------------------------------
# lt_unmet NAME REASON: skip (exit 77), or fail (exit 1) when CI=true.
lt_unmet() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL $1: $2 (CI=true: this test must run)"
		exit 1
	fi
	echo "SKIP $1: $2"
	exit 77
}

# lt_need_root NAME: the test needs root (network namespaces, raw sockets).
lt_need_root() {
	[ "$(id -u)" -eq 0 ] || lt_unmet "$1" "needs root for network namespaces (run it with sudo)"
}

# lt_need_cmds NAME CMD...: every CMD must exist.
lt_need_cmds() {
	local name=$1 c missing=()
	shift
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
	[ ${#missing[@]} -eq 0 ] || lt_unmet "$name" "missing command(s): ${missing[*]}"
}

# --- process bookkeeping ------------------------------------------------------------------------
# lt_bg SECONDS CMD...: start CMD in the background under `timeout SECONDS`; LT_LAST_PID.
lt_bg() {
	local t=$1
	shift
	timeout -k 2 "$t" "$@" &
	LT_LAST_PID=$!
	LT_PIDS+=("$LT_LAST_PID")
}

# lt_bg_in NS RUN SECONDS CMD...: start CMD in namespace NS in the background under `timeout`,
# like lt_run but without waiting (RUN.{cmd,out,err} as lt_run writes them). SIGINT is reset to
# its default disposition (a non-interactive shell starts background jobs with SIGINT ignored,
# which a terminal's Ctrl-C never does). Sets BG_PID (the `timeout` wrapper) and NP_PID (the
# command itself: ip netns exec and env exec, so it is timeout's only child).
lt_bg_in() {
	local ns=$1 run=$2 t=$3 i
	shift 3
	printf '%s\n' "$*" >"$LT_WORK/$run.cmd"
	timeout -k 2 "$t" env --default-signal=INT ip netns exec "$ns" "$@" \
		>"$LT_WORK/$run.out" 2>"$LT_WORK/$run.err" &
	BG_PID=$!
	LT_PIDS+=("$BG_PID")
	NP_PID=""
	for ((i = 0; i < 100; i++)); do
		NP_PID=$(pgrep -P "$BG_PID" | head -n 1)
		[ -n "$NP_PID" ] && break
		sleep 0.02
	done
}

# lt_bg_reap RUN SECONDS: wait (bounded: SIGTERM to the wrapper after SECONDS) for lt_bg_in's
# run; its status goes to RUN.rc and LT_RC.
lt_bg_reap() {
	local run=$1 t=$2 i
	for ((i = 0; i < t * 20; i++)); do
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -TERM "$BG_PID" 2>/dev/null
	wait "$BG_PID"
	LT_RC=$?
	lt_forget "$BG_PID"
	echo "$LT_RC" >"$LT_WORK/$run.rc"
}

# lt_wait_watching RUN: poll (at most 10 s) until RUN's stderr has netprobe's "watching" line
# or the run ended; status 0 when the line is there.
lt_wait_watching() {
	local run=$1 i
	for ((i = 0; i < 200; i++)); do
		grep -q '^netprobe: watching ' "$LT_WORK/$run.err" 2>/dev/null && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^netprobe: watching ' "$LT_WORK/$run.err" 2>/dev/null
}

# lt_forget PID: drop a reaped PID, so cleanup never signals a PID the kernel may reuse.
lt_forget() {
	local keep=() p
	for p in "${LT_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	LT_PIDS=("${keep[@]}")
}

# lt_teardown: idempotent cleanup (see the header).
lt_teardown() {
	local pid ns i
	for pid in "${LT_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${LT_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	LT_PIDS=()
	for ((i = ${#LT_CREATED[@]} - 1; i >= 0; i--)); do
		ns=${LT_CREATED[i]}
		ip netns del "$ns" 2>/dev/null || true
	done
	LT_CREATED=()
	if [ -n "$LT_WORK" ]; then
		rm -rf "$LT_WORK"
		LT_WORK=""
	fi
}

lt_on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	lt_teardown
	exit "$rc"
}

# lt_ms MS: milliseconds as seconds for sleep (1234 -> 1.234).
lt_ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# lt_tree_pids PID: PID and its children (a -w parent's worker, --fanout's workers).
lt_tree_pids() { echo "$1" $(pgrep -P "$1" 2>/dev/null); }

# lt_stop_cont PID MS: Ctrl-Z, then fg after MS milliseconds: SIGTSTP to PID and its children,
# as a terminal sends it to the foreground process group; SIGSTOP when a SIGTSTP to an
# orphaned process group is discarded (tests/cli/sandbox_matrix.sh), then SIGCONT.
lt_stop_cont() {
	local pid=$1 p i stopped=0
	# shellcheck disable=SC2207 # PIDs: words
	local ps=($(lt_tree_pids "$pid"))
	kill -TSTP "${ps[@]}" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		stopped=1
		for p in "${ps[@]}"; do
			[ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = T ] || stopped=0
		done
		[ "$stopped" = 1 ] && break
		sleep 0.01
	done
	[ "$stopped" = 1 ] || kill -STOP "${ps[@]}" 2>/dev/null
	sleep "$(lt_ms "$2")"
	kill -CONT "${ps[@]}" 2>/dev/null
}

# lt_matrix MAX FUNC CASE...: `FUNC CASE` (the case's words) for each case, in the background,
# at most MAX at a time; then each case's verdict lines, which FUNC wrote in
# $LT_WORK/<the case's words joined by ->/result: a FAIL line fails it, PASS lines pass it,
# nothing is "no result". LT_MATRIX_SECONDS: how long the runs took.
lt_matrix() {
	local max=$1 fn=$2 c p t0 res running=() alive
	shift 2
	t0=$(date +%s)
	for c in "$@"; do
		while :; do
			alive=()
			for p in "${running[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
			running=("${alive[@]}")
			[ "${#running[@]}" -lt "$max" ] && break
			sleep 0.05
		done
		# shellcheck disable=SC2086 # the case's words
		"$fn" $c &
		running+=("$!")
	done
	for p in "${running[@]}"; do wait "$p"; done
	LT_MATRIX_SECONDS=$(($(date +%s) - t0))
	for c in "$@"; do
		res=$LT_WORK/${c// /-}/result
		if grep -q '^FAIL' "$res" 2>/dev/null; then
			LT_FAIL=$((LT_FAIL + 1))
			cat "$res"
		elif [ -s "$res" ]; then
			LT_PASS=$((LT_PASS + 1))
			cat "$res"
		else
			lt_fail "${c// /-}: no result"
		fi
	done
}

# --- topology -------------------------------------------------------------------------------
# lt_do CMD...: run a set-up step; on failure say which one and what it printed.
lt_do() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "netns.sh: set-up step failed: $*" >&2
		[ -n "$out" ] && printf '  %s\n' "$out" >&2
		return 1
	fi
}

nsA() { ip netns exec "$LT_NS_A" "$@"; }
nsR() { ip netns exec "$LT_NS_R" "$@"; }
nsB() { ip netns exec "$LT_NS_B" "$@"; }

# lt_iface NS IFACE MAC ADDR4 ADDR6: configure one veth end.
lt_iface() {
	local ns=$1 ifc=$2 mac=$3 a4=$4 a6=$5
	lt_do ip -n "$ns" link set "$ifc" address "$mac" || return 1
	lt_do ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$ifc.rp_filter=0" || return 1
	lt_do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" || return 1
	lt_do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_ra=0" || return 1
	lt_do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.router_solicitations=0" || return 1
	if command -v ethtool >/dev/null 2>&1; then
		lt_do ip netns exec "$ns" ethtool -K "$ifc" tx off || return 1
	fi
	lt_do ip -n "$ns" addr add "$a4/24" dev "$ifc" || return 1
	lt_do ip -n "$ns" -6 addr add "$a6/64" dev "$ifc" nodad || return 1
	lt_do ip -n "$ns" link set "$ifc" up || return 1
}

# lt_drop_rule: TCP 8899 dropped in B's INPUT (iptables/ip6tables, else nft).
lt_drop_rule() {
	if command -v iptables >/dev/null 2>&1 && command -v ip6tables >/dev/null 2>&1 &&
		nsB iptables -A INPUT -p tcp --dport "$LT_TCP_DROP" -j DROP 2>/dev/null &&
		nsB ip6tables -A INPUT -p tcp --dport "$LT_TCP_DROP" -j DROP 2>/dev/null; then
		return 0
	fi
	lt_do nsB nft -f - <<EOF
table inet np_lt {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport $LT_TCP_DROP drop
	}
}
EOF
}

# lt_setup: build the topology and start the listeners; installs the cleanup trap.
# Returns 1 (after cleaning up) when a step fails.
lt_setup() {
	local ns conf i
	trap lt_on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LT_WORK=$(mktemp -d /tmp/np-lt.XXXXXX) || return 1
	chmod 755 "$LT_WORK" # the unprivileged test runs a copy of netprobe from here

	for ns in "$LT_NS_A" "$LT_NS_R" "$LT_NS_B"; do
		lt_do ip netns add "$ns" || { lt_teardown; return 1; }
		LT_CREATED+=("$ns")
		lt_do ip -n "$ns" link set lo up || { lt_teardown; return 1; }
		for conf in all default; do
			lt_do ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$conf.rp_filter=0" &&
				lt_do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$conf.accept_ra=0" &&
				lt_do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$conf.router_solicitations=0" &&
				lt_do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$conf.accept_dad=0" ||
				{ lt_teardown; return 1; }
		done
	done
	# Each pair is created in one namespace with its peer directly in the other.
	lt_do ip -n "$LT_NS_A" link add veth-ar type veth peer name veth-ra netns "$LT_NS_R" &&
		lt_do ip -n "$LT_NS_R" link add veth-rb type veth peer name veth-br netns "$LT_NS_B" &&
		lt_iface "$LT_NS_A" veth-ar 02:77:10:00:00:01 "$LT_A4" "$LT_A6" &&
		lt_iface "$LT_NS_R" veth-ra 02:77:10:00:00:02 "$LT_RA4" "$LT_RA6" &&
		lt_iface "$LT_NS_R" veth-rb 02:77:20:00:00:01 "$LT_RB4" "$LT_RB6" &&
		lt_iface "$LT_NS_B" veth-br 02:77:20:00:00:02 "$LT_B4" "$LT_B6" ||
		{ lt_teardown; return 1; }

	# R routes; R and B answer every probe with its ICMP error (no rate limit).
	lt_do nsR sysctl -qw net.ipv4.ip_forward=1 &&
		lt_do nsR sysctl -qw net.ipv6.conf.all.forwarding=1 &&
		lt_do nsR sysctl -qw net.ipv4.icmp_ratelimit=0 &&
		lt_do nsR sysctl -qw net.ipv6.icmp.ratelimit=0 &&
		lt_do nsB sysctl -qw net.ipv4.icmp_ratelimit=0 &&
		lt_do nsB sysctl -qw net.ipv6.icmp.ratelimit=0 ||
		{ lt_teardown; return 1; }

	# The only non-connected routes: A and B reach each other's subnet through R.
	lt_do ip -n "$LT_NS_A" route add 10.77.20.0/24 via "$LT_RA4" &&
		lt_do ip -n "$LT_NS_A" -6 route add fd77:20::/64 via "$LT_RA6" &&
		lt_do ip -n "$LT_NS_B" route add 10.77.10.0/24 via "$LT_RB4" &&
		lt_do ip -n "$LT_NS_B" -6 route add fd77:10::/64 via "$LT_RB6" ||
		{ lt_teardown; return 1; }

	lt_drop_rule || { lt_teardown; return 1; }

	# Listeners in B, bounded by timeout and by their own MAX_SECONDS.
	lt_bg "$((LT_MAX_SECONDS + 5))" ip netns exec "$LT_NS_B" \
		"$LT_PY" "$LT_DIR/peer.py" serve "$LT_WORK/listeners.ready" "$LT_MAX_SECONDS"
	LT_LISTENER_PID=$LT_LAST_PID
	for ((i = 0; i < 100; i++)); do
		[ -e "$LT_WORK/listeners.ready" ] && break
		kill -0 "$LT_LISTENER_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -e "$LT_WORK/listeners.ready" ]; then
		echo "netns.sh: the listeners in $LT_NS_B did not start" >&2
		lt_teardown
		return 1
	fi

	# Wait (bounded) until both veth links are up on every end.
	for ((i = 0; i < 50; i++)); do
		if ip -n "$LT_NS_A" link show veth-ar | grep -q LOWER_UP &&
			ip -n "$LT_NS_R" link show veth-ra | grep -q LOWER_UP &&
			ip -n "$LT_NS_R" link show veth-rb | grep -q LOWER_UP &&
			ip -n "$LT_NS_B" link show veth-br | grep -q LOWER_UP; then
			return 0
		fi
		sleep 0.1
	done
	echo "netns.sh: the veth links did not come up" >&2
	lt_teardown
	return 1
}

# lt_synrecv_from ADDR: how many connections in B from ADDR are half open (SYN-RECV) or
# established (a probe must leave neither behind).  Prints the ss lines to stderr.
lt_synrecv_from() {
	local lines
	lines=$(nsB ss -Htan state syn-recv state established 2>/dev/null |
		awk -v a="$1" '{ p = $NF; sub(/:[0-9]+$/, "", p); gsub(/[][]/, "", p); if (p == a) print }')
	[ -n "$lines" ] && printf '%s\n' "$lines" >&2
	printf '%s\n' "$lines" | grep -c .
}

# --- running commands and reporting -----------------------------------------------------------
lt_pass() { LT_PASS=$((LT_PASS + 1)); echo "PASS $*"; }
lt_fail() { LT_FAIL=$((LT_FAIL + 1)); echo "FAIL $*"; }
lt_skip() { LT_SKIP=$((LT_SKIP + 1)); echo "SKIP $*"; }

# lt_finish: the final line; status 1 on any failure.
lt_finish() {
	[ "$LT_SKIP" -gt 0 ] && echo "($LT_SKIP skipped)"
	echo "$LT_PASS passed, $LT_FAIL failed"
	[ "$LT_FAIL" -eq 0 ]
}

# lt_run NS RUN SECONDS CMD...: run CMD in namespace NS under `timeout`; stdout, stderr and
# exit status go to $LT_WORK/RUN.{out,err,rc}, the status also to LT_RC.
lt_run() {
	local ns=$1 run=$2 t=$3
	shift 3
	printf '%s\n' "$*" >"$LT_WORK/$run.cmd"
	timeout -k 2 "$t" ip netns exec "$ns" "$@" >"$LT_WORK/$run.out" 2>"$LT_WORK/$run.err"
	LT_RC=$?
	echo "$LT_RC" >"$LT_WORK/$run.rc"
}

# lt_dump RUN: show what RUN did (once per run), after its first FAIL line.
lt_dump() {
	local run=$1 f=$LT_WORK/$1
	[ -n "${LT_DUMPED[$run]:-}" ] && return 0
	LT_DUMPED[$run]=1
	echo "  --- $run: $(cat "$f.cmd" 2>/dev/null) -> exit $(cat "$f.rc" 2>/dev/null)"
	if [ -s "$f.out" ]; then
		head -n 25 "$f.out" | sed 's/^/  stdout: /'
		[ "$(wc -l <"$f.out")" -gt 25 ] && echo "  stdout: ... ($(wc -l <"$f.out") lines)"
	else
		echo "  stdout: (empty)"
	fi
	if [ -s "$f.err" ]; then
		head -n 10 "$f.err" | sed 's/^/  stderr: /'
	else
		echo "  stderr: (empty)"
	fi
}

# lt_expect_rc RUN WANT...: RUN exited with one of the WANT statuses.
lt_expect_rc() {
	local run=$1 rc
	shift
	rc=$(cat "$LT_WORK/$run.rc")
	local w
	for w in "$@"; do
		if [ "$rc" = "$w" ]; then
			lt_pass "$run/exit-status ($rc)"
			return 0
		fi
	done
	local why="exit status $rc, want $*"
	[ "$rc" = 124 ] && why="$why (killed by timeout: SIGTERM)"
	[ "$rc" = 137 ] && why="$why (killed by timeout: SIGTERM was not enough, SIGKILL)"
	lt_fail "$run/exit-status: $why"
	lt_dump "$run"
	return 1
}

# lt_expect_json RUN LABEL EXPR [SHOW]: a jsonq.py check on RUN's stdout.
lt_expect_json() {
	local run=$1 label=$2 msg
	shift 2
	if msg=$("$LT_PY" "$LT_DIR/jsonq.py" check "$LT_WORK/$run.out" "$@"); then
		lt_pass "$run/$label"
	else
		lt_fail "$run/$label: $msg"
		lt_dump "$run"
	fi
}

# lt_expect_jsonlines RUN: every stdout line is a JSON object with a "type".
lt_expect_jsonlines() {
	local run=$1 msg
	if [ ! -s "$LT_WORK/$run.out" ]; then
		lt_fail "$run/json-lines: no output"
		lt_dump "$run"
	elif msg=$("$LT_PY" "$LT_DIR/jsonq.py" lint "$LT_WORK/$run.out"); then
		lt_pass "$run/json-lines"
	else
		lt_fail "$run/json-lines: $(printf '%s' "$msg" | head -n 3 | tr '\n' ' ')"
		lt_dump "$run"
	fi
}

# lt_expect_one_err_line RUN [REGEX...]: exactly one stderr line, matching every REGEX (ERE,
# case-insensitive).
lt_expect_one_err_line() {
	local run=$1 n re
	shift
	n=$(wc -l <"$LT_WORK/$run.err")
	# a last line without its newline still counts
	[ -s "$LT_WORK/$run.err" ] && [ -n "$(tail -c 1 "$LT_WORK/$run.err")" ] && n=$((n + 1))
	if [ "$n" -ne 1 ]; then
		lt_fail "$run/one-stderr-line: $n stderr lines"
		lt_dump "$run"
		return 1
	fi
	for re in "$@"; do
		if ! grep -Eiq -- "$re" "$LT_WORK/$run.err"; then
			lt_fail "$run/one-stderr-line: stderr does not match /$re/: $(cat "$LT_WORK/$run.err")"
			lt_dump "$run"
			return 1
		fi
	done
	lt_pass "$run/one-stderr-line"
}

# lt_netprobe_path TESTNAME PATH: set NP to the absolute path of PATH, or fail the test
# (exit 1) when it is not an executable file (exit 2 when it was not given at all).
lt_netprobe_path() {
	local p=$2
	if [ -z "$p" ]; then
		echo "usage: $1 NETPROBE" >&2
		exit 2
	fi
	case $p in /*) ;; *) p=$PWD/$p ;; esac
	if [ ! -f "$p" ] || [ ! -x "$p" ]; then
		echo "FAIL $1: netprobe binary '$p' is not an executable file"
		echo "0 passed, 1 failed"
		exit 1
	fi
	# shellcheck disable=SC2034 # NP is used by the test scripts
	NP=$p
}

# --- selftest ---------------------------------------------------------------------------------
# Check the harness alone (no netprobe): topology, reachability, listeners, the dropped port,
# the absence of default routes and host-side interfaces, and a clean teardown.
lt_selftest() {
	local name=netns-selftest out ns route pid
	lt_need_root "$name"
	lt_need_cmds "$name" ip ping ss timeout sysctl ncat "$LT_PY"
	echo "netns selftest: namespaces $LT_NS_A $LT_NS_R $LT_NS_B"
	if ! lt_setup; then
		lt_fail "setup"
		lt_finish
		exit 1
	fi
	lt_pass "setup"

	# chk LABEL CMD...: PASS when CMD succeeds (its output goes with a FAIL line).
	chk() {
		local label=$1
		shift
		if out=$("$@" 2>&1); then lt_pass "$label"; else lt_fail "$label: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
	}
	# peer_is LABEL WANT NS peer.py-ARGS...: peer.py's verdict from namespace NS is WANT.
	peer_is() {
		local label=$1 want=$2 ns=$3 got
		shift 3
		got=$(timeout -k 2 10 ip netns exec "$ns" "$LT_PY" "$LT_DIR/peer.py" "$@" 2>&1)
		if [ "$got" = "$want" ]; then lt_pass "$label ($got)"; else lt_fail "$label: got '$got', want '$want'"; fi
	}

	chk "ping A->R 10.77.10.2" timeout 10 ip netns exec "$LT_NS_A" ping -n -c 1 -W 2 "$LT_RA4"
	out=$(timeout 10 ip netns exec "$LT_NS_A" ping -n -c 1 -W 2 "$LT_B4" 2>&1)
	if grep -q "ttl=63" <<<"$out"; then lt_pass "ping A->B 10.77.20.2 through R (ttl=63)"; else lt_fail "ping A->B through R: $(tr '\n' ' ' <<<"$out")"; fi
	out=$(timeout 10 ip netns exec "$LT_NS_A" ping -n -c 1 -W 2 -t 1 "$LT_B4" 2>&1)
	if grep -q "From $LT_RA4 .*Time to live exceeded" <<<"$out"; then lt_pass "ping -t 1: time exceeded from R $LT_RA4"; else lt_fail "ping -t 1: $(tr '\n' ' ' <<<"$out")"; fi
	chk "ping -6 A->R fd77:10::2" timeout 10 ip netns exec "$LT_NS_A" ping -6 -n -c 1 -W 2 "$LT_RA6"
	out=$(timeout 10 ip netns exec "$LT_NS_A" ping -6 -n -c 1 -W 2 "$LT_B6" 2>&1)
	if grep -q "ttl=63" <<<"$out"; then lt_pass "ping -6 A->B fd77:20::2 through R (hop limit 63)"; else lt_fail "ping -6 A->B through R: $(tr '\n' ' ' <<<"$out")"; fi
	out=$(timeout 10 ip netns exec "$LT_NS_A" ping -6 -n -c 1 -W 2 -t 1 "$LT_B6" 2>&1)
	if grep -q "From $LT_RA6 .*Time exceeded" <<<"$out"; then lt_pass "ping -6 -t 1: time exceeded from R $LT_RA6"; else lt_fail "ping -6 -t 1: $(tr '\n' ' ' <<<"$out")"; fi
	chk "ping B->A 10.77.10.1 (return route)" timeout 10 ip netns exec "$LT_NS_B" ping -n -c 1 -W 2 "$LT_A4"
	timeout 15 ip netns exec "$LT_NS_A" ping -n -c 1 -W 1 "$LT_DOWN4" >/dev/null 2>&1
	local rc=$?
	if [ "$rc" -eq 1 ]; then lt_pass "down host 10.77.10.99 does not answer (ping exit 1)"; else lt_fail "down host 10.77.10.99: ping exit $rc, want 1"; fi

	peer_is "TCP 8888 open (python)" open "$LT_NS_A" tcp "$LT_B4" "$LT_TCP_OPEN"
	chk "TCP 8888 open (ncat -z)" timeout 10 ip netns exec "$LT_NS_A" ncat -z -w 2 "$LT_B4" "$LT_TCP_OPEN"
	peer_is "TCP 9999 closed" closed "$LT_NS_A" tcp "$LT_B4" "$LT_CLOSED"
	peer_is "TCP 8899 dropped" filtered "$LT_NS_A" tcp "$LT_B4" "$LT_TCP_DROP" 1
	peer_is "UDP 7777 echo" open "$LT_NS_A" udp "$LT_B4" "$LT_UDP_OPEN"
	peer_is "UDP 9999 closed (ICMP port unreachable)" closed "$LT_NS_A" udp "$LT_B4" "$LT_CLOSED"
	peer_is "TCP [fd77:20::2]:8888 open" open "$LT_NS_A" tcp "$LT_B6" "$LT_TCP_OPEN"
	peer_is "TCP [fd77:20::2]:9999 closed" closed "$LT_NS_A" tcp "$LT_B6" "$LT_CLOSED"
	peer_is "TCP [fd77:20::2]:8899 dropped" filtered "$LT_NS_A" tcp "$LT_B6" "$LT_TCP_DROP" 1
	peer_is "UDP [fd77:20::2]:7777 echo" open "$LT_NS_A" udp "$LT_B6" "$LT_UDP_OPEN"
	peer_is "UDP [fd77:20::2]:9999 closed" closed "$LT_NS_A" udp "$LT_B6" "$LT_CLOSED"
	sleep 1
	local n
	n=$(lt_synrecv_from "$LT_A4" 2>/dev/null)
	if [ "$n" -eq 0 ]; then lt_pass "no SYN-RECV/ESTAB in B from A after the plain connects"; else lt_fail "$n SYN-RECV/ESTAB connections in B from A"; fi

	for ns in "$LT_NS_A" "$LT_NS_R" "$LT_NS_B"; do
		route=$(ip -n "$ns" route show default; ip -n "$ns" -6 route show default)
		if [ -z "$route" ]; then lt_pass "no default route in $ns"; else lt_fail "default route in $ns: $route"; fi
	done
	out=$(ip -o link show 2>/dev/null | grep -E 'veth-(ar|ra|rb|br)\b' || true)
	if [ -z "$out" ]; then lt_pass "no test interface in the host namespace"; else lt_fail "test interfaces in the host namespace: $out"; fi

	pid=$LT_LISTENER_PID
	lt_teardown
	out=$(ip netns list | grep -E "^np-lt-$$-" || true)
	if [ -z "$out" ]; then lt_pass "teardown: no np-lt-$$-* namespace left"; else lt_fail "teardown: left $out"; fi
	if kill -0 "$pid" 2>/dev/null; then lt_fail "teardown: listener PID $pid still running"; else lt_pass "teardown: listener PID $pid gone"; fi
	out=$(ip netns list | grep -E '^np-lt-' || true)
	[ -n "$out" ] && echo "note: other np-lt-* namespaces exist (other runs?): $(tr '\n' ' ' <<<"$out")"
	lt_finish
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case ${1:-} in
	selftest) lt_selftest ;;
	*)
		echo "usage: bash $0 selftest   (or source it from a test)" >&2
		exit 2
		;;
	esac
fi
