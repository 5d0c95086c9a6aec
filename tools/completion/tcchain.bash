# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# bash completion for tcchain: objects, commands, keywords, device names,
# the slots in use (stage del, stage info), the stage library's names, and
# a stage's params (see _tcchain_params).  Installed by `make install`
# into /usr/share/bash-completion/completions/tcchain.

# The words typed so far, without the options and their arguments.
_tcchain_words()
{
	local i w skip=0
	_tcc_netns=()
	_tcc_args=()
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if ((skip)); then
			skip=0
			_tcc_netns=(-n "$w")
			continue
		fi
		case $w in
		-n | --netns) skip=1 ;;
		-*) ;;
		*) _tcc_args+=("$w") ;;
		esac
	done
}

# Run tcchain quietly with the namespace the command line names.
_tcchain_q()
{
	"${words[0]}" "${_tcc_netns[@]}" "$@" 2>/dev/null
}

_tcchain_devs()
{
	if ((${#_tcc_netns[@]})); then
		ip -n "${_tcc_netns[1]}" -o link show 2>/dev/null |
			awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
	else
		ls /sys/class/net 2>/dev/null
	fi
}

_tcchain_slots()
{
	_tcchain_q -j show | tr ',{' '\n\n' | sed -n 's/^"slot":\([0-9]*\).*/\1/p' | sort -un
}

_tcchain_library()
{
	local d bin
	bin=$(command -v "${words[0]}" 2>/dev/null)
	for d in ${TCCHAIN_STAGE_PATH//:/ } "${bin%/*}/stages" \
		 "${bin%/*}/../lib/tcchain/stages"; do
		[ -d "$d" ] && ls "$d" 2>/dev/null
	done | sed -n 's/\.bpf\.o$//p' | sort -u
}

# The params of the stage named on the line (from its BTF), as NAME=.
# Needs `stage info FILE|NAME` (an object not loaded yet, issue 11): until
# it exists this offers nothing; `stage info SLOT` is a loaded stage.
_tcchain_params()
{
	local stage=$1
	_tcchain_q -j stage info "$stage" | tr ',{' '\n\n' |
		sed -n 's/^"param":"\([^"]*\)".*/\1=/p; s/^"name":"\([^"]*\)","type".*/\1=/p' | sort -u
}

_tcchain()
{
	# Plain COMP_WORDS: no dependency on the bash-completion package.
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	_tcchain_words
	local n=${#_tcc_args[@]} obj=${_tcc_args[0]:-} verb=${_tcc_args[1]:-}

	case $prev in
	-n | --netns)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
		return ;;
	dev)
		COMPREPLY=($(compgen -W "$(_tcchain_devs)" -- "$cur"))
		return ;;
	end | miss)
		COMPREPLY=($(compgen -W "pass drop continue" -- "$cur"))
		return ;;
	prio | handle | id | key | value)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-n -j -p -d -V -h --netns --json --pretty --debug --version --help" -- "$cur"))
		return
	fi
	local target="dev ingress egress"
	if ((n == 0)); then
		COMPREPLY=($(compgen -W "add del show prune stage stats trace map acl mark save apply diff rollback help" -- "$cur"))
		return
	fi
	case $obj in
	apply | diff)
		if [[ $prev == -f ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur") -)
		else
			COMPREPLY=($(compgen -W "-f --dry-run --skip-missing" -- "$cur"))
		fi ;;
	save)
		COMPREPLY=($(compgen -W "--all-namespaces" -- "$cur")) ;;
	rollback)
		COMPREPLY=($(compgen -W "$target" -- "$cur")) ;;
	add)
		COMPREPLY=($(compgen -W "dev ingress egress prio handle end miss" -- "$cur")) ;;
	del | show)
		COMPREPLY=($(compgen -W "$target" -- "$cur")) ;;
	stats)
		if ((n == 1)); then
			COMPREPLY=($(compgen -W "reset cost help -w -o $target" -- "$cur"))
		elif [[ $verb == cost ]] && ((n == 2)); then
			COMPREPLY=($(compgen -W "on off" -- "$cur"))
		elif [[ $verb == cost ]]; then
			COMPREPLY=($(compgen -W "rate $target" -- "$cur"))
		elif [[ $prev == -o ]]; then
			COMPREPLY=($(compgen -W "prometheus" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "-w -x -o count $target" -- "$cur"))
		fi ;;
	trace)
		COMPREPLY=($(compgen -W "count rate proto src dst sport dport help $target" -- "$cur")) ;;
	stage)
		if ((n == 1)); then
			COMPREPLY=($(compgen -W "set del show info help" -- "$cur"))
		elif [[ $verb == set ]] && ((n == 2)); then
			COMPREPLY=($(compgen -W "$(seq 0 31)" -- "$cur"))
		elif [[ $verb == del || $verb == info ]] && ((n == 2)); then
			COMPREPLY=($(compgen -W "$(_tcchain_slots)" -- "$cur"))
		elif [[ $verb == set ]] && ((n == 3)); then
			COMPREPLY=($(compgen -W "$(_tcchain_library)" -- "$cur"))
			compopt -o filenames 2>/dev/null
			COMPREPLY+=($(compgen -f -X '!*.@(o|c)' -- "$cur") $(compgen -d -- "$cur"))
		elif [[ $verb == set ]]; then
			COMPREPLY=($(compgen -W "param prog $target $(_tcchain_params "${_tcc_args[3]}")" -- "$cur"))
			[[ $cur == *=* ]] && COMPREPLY=()
		else
			COMPREPLY=($(compgen -W "$target" -- "$cur"))
		fi ;;
	map)
		if ((n == 1)); then
			COMPREPLY=($(compgen -W "show set del help" -- "$cur"))
		elif ((n == 2)); then
			COMPREPLY=($(compgen -W "$(_tcchain_slots)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "key value $target" -- "$cur"))
		fi ;;
	acl | mark)
		local words="id slot src dst tcp udp icmp icmpv6 sctp proto dport"
		[[ $obj == acl ]] && words+=" drop pass continue"
		[[ $obj == mark ]] && words="id slot src ipv4 ipv6 tcp udp icmp icmpv6 sctp proto dport keep mark priority classid"
		if ((n == 1)); then
			COMPREPLY=($(compgen -W "add del show help" -- "$cur"))
		elif [[ $verb == add ]]; then
			COMPREPLY=($(compgen -W "$words $target" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "id slot $target" -- "$cur"))
		fi ;;
	esac
}
complete -o default -F _tcchain tcchain
