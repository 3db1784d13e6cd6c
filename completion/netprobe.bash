# bash completion for netprobe                                  -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/netprobe, or source it.
# Needs nothing from the bash-completion package.
# Word splitting of compgen's output is the usual completion idiom here.
# shellcheck disable=SC2086,SC2207

_netprobe_interfaces()
{
	local ifs
	if [[ -d /sys/class/net ]]; then
		ifs=$(command ls /sys/class/net 2>/dev/null)
	fi
	if [[ -z $ifs ]] && command -v ip >/dev/null 2>&1; then
		ifs=$(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
	fi
	printf '%s\n' $ifs
	[[ $1 == any ]] && printf 'any\n'
	return 0
}

_netprobe_captures()
{
	local cur=$1 f
	local IFS=$'\n'
	# directories and capture files; -o filenames marks the directories with a slash
	for f in $(compgen -f -- "$cur" || true); do
		if [[ -d $f ]]; then
			COMPREPLY+=("$f")
		else
			case ${f,,} in
			*.pcap | *.pcapng | *.cap) COMPREPLY+=("$f") ;;
			esac
		fi
	done
	[[ $cur == - || -z $cur ]] && COMPREPLY+=(-)
	if [[ ${#COMPREPLY[@]} -gt 0 ]] && type compopt >/dev/null 2>&1; then
		compopt -o filenames 2>/dev/null || true
	fi
	return 0
}

_netprobe()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[[ $COMP_CWORD -gt 0 ]] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# the subcommand: the first word after "netprobe" that is not an option
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		watch | follow | stats | ping | trace)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	local opts
	case $cmd in
	'')
		if [[ $cur == -* ]]; then
			opts='-h --help -V --version'
		else
			opts='watch follow stats ping trace'
		fi
		COMPREPLY=($(compgen -W "$opts" -- "$cur" || true))
		return 0
		;;
	watch)
		case $prev in
		-r | --read)
			_netprobe_captures "$cur"
			return 0
			;;
		-i | --interface)
			COMPREPLY=($(compgen -W "$(_netprobe_interfaces any)" -- "$cur" || true))
			return 0
			;;
		-t | --time)
			COMPREPLY=($(compgen -W 'r d e a ad u ud' -- "$cur" || true))
			return 0
			;;
		--color)
			COMPREPLY=($(compgen -W 'auto always never' -- "$cur" || true))
			return 0
			;;
		--payload)
			COMPREPLY=($(compgen -W 'hex base64 text' -- "$cur" || true))
			return 0
			;;
		--payload-max)
			COMPREPLY=($(compgen -W 'all' -- "$cur" || true))
			return 0
			;;
		--decode-as)
			COMPREPLY=($(compgen -W 'udp.port=8472:vxlan udp.port=N:vxlan udp.port=N:geneve
				udp.port=N:gtp udp.port=N:dns tcp.port=N:dns tcp.port=N:http
				tcp.port=N:tls' -- "$cur" || true))
			return 0
			;;
		-w | --write)
			_netprobe_captures "$cur"
			return 0
			;;
		--format)
			COMPREPLY=($(compgen -W 'pcap pcapng' -- "$cur" || true))
			return 0
			;;
		-c | --count | --port | --host | --max-conv | --max-half-open | --idle-timeout | \
			--flood-rate | --flood-half-open | --flood-window | --duration | -B | --buffer-size | \
			--width | -C | --file-size | --write-buffer | -G | --rotate-seconds | -W | --file-count | \
			--community-id-seed | --ipfix | --ipfix-active-timeout | --fanout | --fanout-group)
			return 0
			;;
		--post-rotate)
			COMPREPLY=($(compgen -c -- "$cur" || true))
			return 0
			;;
		esac
		opts='-r --read -i --interface -D --list-interfaces -c --count --port --host --decode-as -v --verbose -q --brief -x --hex
		      -A --ascii -X --hex-payload --payload --payload-max --json --json=ecs --community-id-seed --events --states --ladder --width -S --absolute --no-summary -t --time -n --color
		      --ipfix --ipfix-active-timeout -w --write --overwrite --format --write-buffer -C --file-size -G --rotate-seconds -W --file-count
		      --post-rotate --duration -B --buffer-size --fanout --fanout-group
		      --max-conv --max-half-open --idle-timeout --flood-rate --flood-half-open
		      --flood-window -h --help'
		;;
	stats)
		case $prev in
		-r | --read)
			_netprobe_captures "$cur"
			return 0
			;;
		-i | --interface)
			COMPREPLY=($(compgen -W "$(_netprobe_interfaces any)" -- "$cur" || true))
			return 0
			;;
		--tables)
			COMPREPLY=($(compgen -W 'conv endpoints io phs expert' -- "$cur" || true))
			return 0
			;;
		--conv)
			COMPREPLY=($(compgen -W 'tcp udp ip' -- "$cur" || true))
			return 0
			;;
		--sort)
			COMPREPLY=($(compgen -W 'bytes packets duration' -- "$cur" || true))
			return 0
			;;
		-c | --count | --port | --host | --duration | --interval | --top | --max-rows | --max-conv)
			return 0
			;;
		esac
		opts='-r --read -i --interface -c --count --duration --port --host --tables --conv
		      --interval --sort --top --json --max-rows --max-conv -h --help'
		;;
	follow)
		case $prev in
		-r | --read)
			_netprobe_captures "$cur"
			return 0
			;;
		-i | --interface)
			COMPREPLY=($(compgen -W "$(_netprobe_interfaces any)" -- "$cur" || true))
			return 0
			;;
		--format)
			COMPREPLY=($(compgen -W 'text hex raw json' -- "$cur" || true))
			return 0
			;;
		--dir)
			COMPREPLY=($(compgen -W 'client server' -- "$cur" || true))
			return 0
			;;
		--color)
			COMPREPLY=($(compgen -W 'auto always never' -- "$cur" || true))
			return 0
			;;
		--port | --host | --duration | --max-conv | --reasm-conv-mem | --reasm-mem | \
			--reasm-history | --reasm-waiting | --buffer-mem)
			return 0
			;;
		esac
		opts='-r --read -i --interface --port --host --duration --format --dir --color
		      --max-conv --reasm-conv-mem --reasm-mem --reasm-history --reasm-waiting
		      --buffer-mem -h --help'
		;;
	ping)
		case $prev in
		-I | --interface)
			COMPREPLY=($(compgen -W "$(_netprobe_interfaces)" -- "$cur" || true))
			return 0
			;;
		-p | --port | -c | --count | -i | --interval | -W | --timeout | -w | --deadline | \
			-s | --size | -t | --ttl | -Q | --tos | --rate)
			return 0
			;;
		-M | --pmtudisc)
			COMPREPLY=($(compgen -W 'do want dont' -- "$cur" || true))
			return 0
			;;
		esac
		opts='--syn --udp -p --port -4 -6 -c --count -i --interval -f --flood -W --timeout
		      -w --deadline --rate -s --size -M --pmtudisc -t --ttl -Q --tos -I --interface
		      -q --quiet -v --verbose --json -n -h --help'
		;;
	trace)
		case $prev in
		-I | --interface)
			COMPREPLY=($(compgen -W "$(_netprobe_interfaces)" -- "$cur" || true))
			return 0
			;;
		-p | --port | -m | --max-ttl | -q | --queries | -W | --wait | -c | --count | -i | --interval)
			return 0
			;;
		esac
		opts='--udp --syn -p --port -m --max-ttl -q --queries -W --wait -I --interface --pmtu
		      --report --live --vary-flow -c --count -i --interval -4 -6 --json -n -h --help'
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur" || true))
	elif [[ $cmd != watch ]]; then
		# HOST: names from /etc/hosts and the like
		COMPREPLY=($(compgen -A hostname -- "$cur" || true))
	fi
	return 0
}

complete -F _netprobe netprobe
