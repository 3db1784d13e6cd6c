#!/usr/bin/env bash
# The bash completion loads cleanly under set -e and completes what it should.
# Usage: completion.sh COMPLETION_FILE
# Needs only bash (not the bash-completion package).
# (the replies are split on purpose when they are shown)
# shellcheck disable=SC2086
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 COMPLETION_FILE" >&2
	exit 2
fi
file=$1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Loading: exit 0, nothing on stderr, and _netprobe bound to netprobe.
if bash --norc --noprofile -c 'set -e; source "$1"; complete -p netprobe' _ "$file" \
	>"$tmp/out" 2>"$tmp/err"; then
	if [ -s "$tmp/err" ]; then
		ko "loading $file wrote on stderr: $(cat "$tmp/err")"
	elif ! grep -q -- '-F _netprobe netprobe' "$tmp/out"; then
		ko "loading $file: netprobe not bound to _netprobe: $(cat "$tmp/out")"
	else
		ok
	fi
else
	ko "loading $file with set -e failed: $(cat "$tmp/err")"
fi

# complete LINE: the words of the command line, the last one being completed ("" after a space).
# Prints COMPREPLY one per line; fails on an error or anything on stderr.
complete_line() {
	bash --norc --noprofile -c '
		set -e
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_netprobe netprobe "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		if [ ${#COMPREPLY[@]} -gt 0 ]; then printf "%s\n" "${COMPREPLY[@]}"; fi
	' _ "$file" "$@" 2>"$tmp/cerr" && [ ! -s "$tmp/cerr" ]
}

run() { # run NAME WORD...: completes the command line WORD..., fills $reply
	local name=$1
	shift
	if ! reply=$(complete_line "$@"); then
		ko "$name: _netprobe failed: $(cat "$tmp/cerr")"
		return 1
	fi
	return 0
}

has_all() { # has_all NAME WORD...: $reply holds every WORD
	local name=$1 w missing=
	shift
	for w in "$@"; do
		printf '%s\n' "$reply" | grep -qxF -- "$w" || missing+=" $w"
	done
	if [ -n "$missing" ]; then
		ko "$name: lacks$missing (got: $(printf '%s ' $reply))"
	else
		ok
	fi
}

is_exactly() { # is_exactly NAME WORD...: $reply is exactly the WORDs, in any order
	local name=$1
	shift
	local want got
	want=$(printf '%s\n' "$@" | sort)
	got=$(printf '%s\n' "$reply" | sed '/^$/d' | sort)
	if [ "$want" = "$got" ]; then
		ok
	else
		ko "$name: want $(printf '%s ' $want)got $(printf '%s ' $got)"
	fi
}

run 'netprobe <TAB>' netprobe '' && has_all 'netprobe <TAB>' watch follow stats ping trace
run 'netprobe stats --sort <TAB>' netprobe stats --sort '' &&
	is_exactly 'netprobe stats --sort <TAB>' bytes packets duration
run 'netprobe stats --conv <TAB>' netprobe stats --conv '' &&
	is_exactly 'netprobe stats --conv <TAB>' tcp udp ip
run 'netprobe follow --format <TAB>' netprobe follow --format '' &&
	is_exactly 'netprobe follow --format <TAB>' text hex raw json
run 'netprobe follow --re<TAB>' netprobe follow --re &&
	is_exactly 'netprobe follow --re<TAB>' --read --reasm-conv-mem --reasm-mem --reasm-history --reasm-waiting
run 'netprobe watch --co<TAB>' netprobe watch --co &&
	is_exactly 'netprobe watch --co<TAB>' --color --community-id-seed --count
run 'netprobe watch -t <TAB>' netprobe watch -t '' &&
	has_all 'netprobe watch -t <TAB>' r d e a ad u ud
run 'netprobe ping -I <TAB>' netprobe ping -I '' && has_all 'netprobe ping -I <TAB>' lo

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
