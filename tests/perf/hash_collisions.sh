#!/usr/bin/env bash
# Hash flooding (issue 12, item 3): the conversation table's cost must not depend on which flows
# an attacker picks. gen_collide writes, into a temporary directory, captures of COUNT spoofed
# SYNs and of COUNT bare ACKs (the ACKs open "mid-stream" conversations: a longer list, up to
# --max-conv) whose conversation keys all fall into one hash chain under the hash netprobe had
# until 35ba368 (a constant seed in the source), and the same captures with random sources.
# `netprobe watch -r CAP --events` replays each RUNS times; the test fails when
#   - a replay exits non-zero, does not read every frame, or runs out its time (TIMEOUT s);
#   - the colliding capture's CPU time (user + system, the best of the runs) is more than
#     MAX_FACTOR times the random one's;
#   - two replays of the same capture print different events (the hash key is new on every run:
#     nothing printed may depend on it).
# On 35ba368 the colliding SYNs take ~60 s for 300,000 (a ~500x factor), so its first replay
# runs out its time and the test fails there; now both take ~0.1 s.
# Usage: hash_collisions.sh NETPROBE GEN_COLLIDE   (NP_COLLIDE_COUNT=N overrides the count)
set -u
np=${1:?usage: hash_collisions.sh NETPROBE GEN_COLLIDE}
gen=${2:?usage: hash_collisions.sh NETPROBE GEN_COLLIDE}
count=${NP_COLLIDE_COUNT:-300000}
runs=3
timeout_s=10
max_factor=3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() {
	pass=$((pass + 1))
	echo "ok   $*"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL $*"
}

for kind in syn ack; do
	for m in random collide; do
		if ! "$gen" -o "$tmp/$kind-$m.pcap" -n "$count" -m "$m" -k "$kind" >/dev/null; then
			bad "generate: $gen -m $m -k $kind failed"
			echo "hash_collisions: $pass passed, $fail failed"
			exit 1
		fi
	done
	declare -A best=()
	for m in random collide; do
		cap=$tmp/$kind-$m.pcap
		best[$m]=
		for i in $(seq 1 "$runs"); do
			out=$tmp/$kind-$m.$i
			t=$( { TIMEFORMAT='%3U %3S'; time timeout "$timeout_s" "$np" watch -r "$cap" --events >"$out" 2>"$out.err"; echo "rc=$?" >"$out.rc"; } 2>&1)
			rc=$(cut -d= -f2 "$out.rc")
			if [ "$rc" = 124 ]; then
				bad "$kind $m: replay $i ran out of its $timeout_s s (the chain is not bounded)"
				best[$m]=timeout
				break
			fi
			if [ "$rc" != 0 ]; then
				bad "$kind $m: replay $i exited $rc"
				sed 's/^/  stderr: /' "$out.err" | head -5
				best[$m]=failed
				break
			fi
			if ! grep -q "^netprobe: $count packets:" "$out.err"; then
				bad "$kind $m: replay $i did not read all $count frames: $(head -n1 "$out.err")"
				best[$m]=failed
				break
			fi
			read -r u s <<<"$t"
			ms=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 + 0.5 }')
			echo "     $kind $m: replay $i: ${ms} ms CPU"
			if [ -z "${best[$m]}" ] || [ "$ms" -lt "${best[$m]}" ]; then best[$m]=$ms; fi
			if [ "$i" -gt 1 ]; then
				if cmp -s "$tmp/$kind-$m.1" "$out" && cmp -s "$tmp/$kind-$m.1.err" "$out.err"; then
					ok "$kind $m: replay $i prints what replay 1 printed (each run draws its own hash key)"
				else
					bad "$kind $m: replay $i prints something else than replay 1 (the hash key shows)"
					diff "$tmp/$kind-$m.1" "$out" | head -5
				fi
			fi
		done
	done
	r=${best[random]} c=${best[collide]}
	case "$r$c" in
	*[!0-9]*) continue ;; # reported above
	esac
	[ "$r" -gt 0 ] || r=1
	factor=$(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.2f", c / r }')
	if awk -v f="$factor" -v m="$max_factor" 'BEGIN { exit !(f <= m) }'; then
		ok "$kind: colliding flows cost ${factor}x random ones ($c ms vs $r ms CPU; at most ${max_factor}x)"
	else
		bad "$kind: colliding flows cost ${factor}x random ones ($c ms vs $r ms CPU; at most ${max_factor}x)"
	fi
done
echo "hash_collisions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
