# completion/bpfkit.bash — bash completion for bpfkit and xdpfw, installed as
# share/bash-completion/completions/{bpfkit,xdpfw}. Commands, verbs and
# options come from the tools' own --help texts (so completion never lags
# behind the tools); interfaces for --iface and xdpfw load/unload, values for
# --mode/--policy/--type, file names elsewhere.

# The first words of a --help "Commands:" block.
_bpfkit_help_commands()
{
	"$@" --help 2>/dev/null | awk '/^Commands:/ { on = 1; next } on && /^[^ ]/ { on = 0 }
		on && /^  [a-z]/ { print $1 }' | sort -u
}

# Every option a --help text mentions.
_bpfkit_help_options()
{
	"$@" --help 2>/dev/null | grep -oE '(^|[][ ,(|])--?[A-Za-z][A-Za-z0-9-]*' |
		sed -E 's/^[][ ,(|]//' | sort -u
}

_bpfkit_complete()
{
	local tool=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
	local i cmd="" cmd_at=0 verb="" w
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# the command: the first word that is not a global option or its value
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-n | --netns | --pin-dir) ((i++)) ;;
		-*) ;;
		*) cmd=$w; cmd_at=$i; break ;;
		esac
	done

	case $prev in
	-i | --iface)
		COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
	-n | --netns)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{print $1}')" -- "$cur")); return ;;
	-m | --mode)
		COMPREPLY=($(compgen -W "auto native skb hw" -- "$cur")); return ;;
	-p | --policy)
		[ "$tool" = xdpfw ] && { COMPREPLY=($(compgen -W "allow deny" -- "$cur")); return; } ;;
	--type)
		COMPREPLY=($(compgen -W "$("$tool" new --type 2>&1 | awk 'NR > 1 && /^  [a-z]/ {print $1}')" -- "$cur"))
		return ;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_bpfkit_help_options "$tool")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_bpfkit_help_commands "$tool") help" -- "$cur"))
		fi
		return
	fi

	# a verb (prog list, obj dump, rule add): listed by the command's help
	local verbs
	verbs=$(_bpfkit_help_commands "$tool" "$cmd")
	[ "$tool" = xdpfw ] && [ "$cmd" = rule ] && verbs="add del list"
	if [ -n "$verbs" ]; then
		if ((COMP_CWORD == cmd_at + 1)); then
			[[ $cur != -* ]] && { COMPREPLY=($(compgen -W "$verbs" -- "$cur")); return; }
		else
			verb=${COMP_WORDS[cmd_at + 1]}
			[[ " $verbs " == *" $verb "* ]] || verb=""
		fi
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_bpfkit_help_options "$tool" "$cmd" $verb)" -- "$cur"))
		return
	fi
	if [ "$tool" = xdpfw ]; then
		case $cmd in
		load | unload)
			COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
		policy)
			COMPREPLY=($(compgen -W "allow deny" -- "$cur")); return ;;
		esac
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _bpfkit_complete bpfkit xdpfw
