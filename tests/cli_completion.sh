#!/bin/sh
# tests/cli_completion.sh - shell completion (scripts/completion): in bash
# and zsh, subcommands, options of a subcommand (read from its --help),
# option values (word choices, files) and operands (tests/cli_library.sh
# checks that `make install` puts them where bash-completion and zsh look).
CLI_NAME=completion . tests/harness.sh

C=$ROOT/scripts/completion
if ! command -v bash >/dev/null 2>&1; then
    skip "completion (needs bash)"
    finish
    exit
fi
touch model.ssm notes.txt
# comp SHELL WORDS...: the completions of the last word (prefix-filtered)
comp() {
    _sh=$1; shift
    _words=""
    for w in "$@"; do _words="$_words '$w'"; done
    if [ "$_sh" = bash ]; then
        bash -c ". '$C/seqsent.bash'; COMP_WORDS=($_words); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _seqsent
                 printf '%s\n' \"\${COMPREPLY[@]}\"" 2>&1 | grep -v '^$' | grep -- "^${_last:-}" | sort | tr '\n' ' ' | sed 's/ $//'
    else
        zsh -c "autoload -U compinit && compinit -u -d '$T/zcomp'; source '$C/_seqsent'; setopt ksharrays
                COMP_WORDS=($_words); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _seqsent
                printf '%s\n' \"\${COMPREPLY[@]}\"" 2>&1 | grep -v '^$' | grep -- "^${_last:-}" | sort | tr '\n' ' ' | sed 's/ $//'
    fi
}
for sh in bash zsh; do
    if ! command -v $sh >/dev/null 2>&1; then skip "$sh completion ($sh not installed)"; continue; fi
    _last=tr; r=$(comp $sh "$S" tr)
    check "$sh: a subcommand from its prefix" '[ "$r" = "train" ]'
    _last=--hid; r=$(comp $sh "$S" train --hid)
    check "$sh: an option of the subcommand" '[ "$r" = "--hidden" ]'
    _last=--emb; r=$(comp $sh "$S" pretrain --emb)
    check "$sh: options differ per subcommand" '[ "$r" = "--embed --embed-dim" ]'
    _last=; r=$(comp $sh "$S" train --cell "")
    check "$sh: the values of a choice" '[ "$r" = "gru lstm rnn" ]'
    _last=; r=$(comp $sh "$S" train --class-weight "")
    check "$sh: a single-word value" '[ "$r" = "auto" ]'
    _last=mod; r=$(comp $sh "$S" predict -m mod)
    check "$sh: a file value of a short option" '[ "$r" = "model.ssm" ]'
    _last=; r=$(comp $sh "$S" train --epochs "")
    check "$sh: nothing for a number" '[ -z "$r" ]'
    _last=no; r=$(comp $sh "$S" eval -m model.ssm no)
    check "$sh: operands are files" '[ "$r" = "notes.txt" ]'
done

finish
