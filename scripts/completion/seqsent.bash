# bash completion for seqsent -*- shell-script -*-
#
# Subcommands, their options, option values and file arguments.  The
# options are read from `seqsent COMMAND --help` the first time a command is
# completed (and cached), so completion follows the binary it completes.
#   source scripts/completion/seqsent.bash      (make install puts it where
#   bash-completion finds it)

# _seqsent_opts CMD: one line per option of CMD's --help: "SHORT LONG META",
# "-" for no short name or no value; cached per command.
_seqsent_opts()
{
    # (eval, not ${!var}: zsh runs this file too, through bashcompinit)
    local var="_seqsent_cache_${1//[^A-Za-z0-9]/_}"
    if eval "[[ -z \${$var+x} ]]"; then
        eval "$var=\$(\"\$_seqsent_bin\" \"\$1\" --help 2>/dev/null | _seqsent_parse)"
    fi
    eval "printf '%s\\n' \"\$$var\""
}

# the Options lines of a --help on stdin -> "SHORT LONG META": META is the
# word after the name when it looks like one (capitals, a|b choice, "auto")
_seqsent_parse()
{
    # option lines are indented a little; notes not at all and wrapped help
    # text far more, and either may start with an option's name
    sed -n 's/^[[:blank:]]\{1,10\}\(-[A-Za-z0-9], \)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\)\(.*\)/\1 \2 \3/p' |
        awk '{ short = "-"; i = 1
               if ($1 ~ /^-[A-Za-z0-9],$/) { short = substr($1, 1, 2); i = 2 }
               meta = $(i + 1)
               if (!(meta ~ /^[A-Z]/ || meta ~ /\|/ || meta == "auto")) meta = "-"
               if (!seen[$i]++) print short, $i, meta }'
}

_seqsent()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    _seqsent_bin=${COMP_WORDS[0]}
    COMPREPLY=()
    # the subcommand: the first word after the program that is not an option
    local i cmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} != -* ]] && { cmd=${COMP_WORDS[i]}; break; }
    done
    if [[ -z $cmd ]]; then
        local cmds
        cmds=$("$_seqsent_bin" --help 2>/dev/null | awk '/^Commands:/ { f = 1; next } f && /^[ \t]*$/ { exit } f { print $1 }')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return
    fi
    # the value of the option before the cursor
    if [[ $prev == -* && $COMP_CWORD -gt 2 ]]; then
        local meta
        meta=$(_seqsent_opts "$cmd" | awk -v o="$prev" '$1 == o || $2 == o { print $3; exit }')
        if [[ -n $meta && $meta != - ]]; then
            if [[ $meta == *'|'* || $meta =~ ^[a-z]+$ ]]; then   # a choice of words: lstm|gru|rnn, auto
                COMPREPLY=($(compgen -W "${meta//|/ }" -- "$cur"))
            elif [[ $meta =~ (FILE|MODEL|VECTORS|CHECKPOINT|LM|TEACHER|\.svg) ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return   # a number or another value: nothing to offer
        fi
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_seqsent_opts "$cmd" | awk '{ print $2 }')" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))   # operands are files
}

complete -o filenames -F _seqsent seqsent
