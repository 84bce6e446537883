#!/bin/sh
# check-man.sh - check that the man page is in step with the program.
#
#   sh scripts/check-man.sh [./seqsent [man/seqsent.1]]     (from the repo root)
#
# For every subcommand listed by `seqsent --help`:
#   - man/seqsent.1 has exactly one .SS section for it (".SS tokenize" or
#     ".SS \"seqsent tokenize\"");
#   - every long option that `seqsent CMD --help` lists in its Options section
#     (except --help) appears in that section;
#   - every option the section documents as an item (the tag line after .TP)
#     is one the subcommand still has;
#   - every "(default X" in an option's --help line is in its man entry.
# roff writes hyphens as \- (and may put \& or \% next to them), so the page
# is normalised before searching.  Prints "ok - CMD ..." or "FAIL - CMD ..."
# per subcommand, then "N passed, N failed"; exits 1 on any failure.

BIN=${1:-./seqsent}
MAN=${2:-man/seqsent.1}

passed=0
failed=0
ok()   { echo "ok - $*";   passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-man.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -r "$MAN" ]; then
    fail "$MAN: no such file or not readable"
    finish
fi
"$BIN" --help >"$tmp/help" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ]; then
    fail "'$BIN --help' failed (exit $rc) $(head -1 "$tmp/err")"
    finish
fi

# Subcommands: the first word of each line of the "Commands:" block.
cmds=$(awk '/^Commands:/ { f = 1; next }
            f && /^[ \t]*$/ { exit }
            f && /^[ \t]+[a-z]/ { print $1 }' "$tmp/help")
if [ -z "$cmds" ]; then
    fail "'$BIN --help' lists no subcommands"
    finish
fi

# The Options block of a --help (up to its first blank line), one line per
# option: the help is wrapped to the terminal, and a line indented past the
# option column (12+ blanks) continues the one above.  Group headings
# ("  Network:") stay as lines of their own and name no option.
options_block() {
    awk '/^Options:/ { f = 1; next }
         f && /^[ \t]*$/ { exit }
         f && /^            / { sub(/^[ \t]+/, ""); line = line " " $0; next }
         f { if (line != "") print line; line = $0 }
         END { if (line != "") print line }' "$1"
}

# The page with roff hyphens and zero-width escapes undone.
sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\%//g' -e 's/\\://g' "$MAN" >"$tmp/page"

for cmd in $cmds; do
    # The subcommand's .SS section(s): from ".SS [seqsent ]CMD" to the next .SS/.SH.
    nsec=$(awk -v cmd="$cmd" -v out="$tmp/sec" '
        function heading(s) {
            sub(/^\.SS[ \t]*/, "", s)
            gsub(/\\f[BIRP]/, "", s); gsub(/"/, "", s)
            sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
            return s
        }
        BEGIN { printf "" > out }
        /^\.S[SH]([ \t]|$)/ {
            h = heading($0)
            in_sec = ($0 ~ /^\.SS/) && (h == cmd || h == "seqsent " cmd)
            if (in_sec) n++
            next
        }
        in_sec { print > out }
        END { print n + 0 }' "$tmp/page")
    if [ "$nsec" -eq 0 ]; then
        fail "$cmd: no .SS section in $MAN"
        continue
    fi
    if [ "$nsec" -gt 1 ]; then
        fail "$cmd: $nsec .SS sections in $MAN (expected one)"
        continue
    fi

    "$BIN" "$cmd" --help >"$tmp/chelp" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$cmd: '$BIN $cmd --help' failed (exit $rc) $(head -1 "$tmp/err")"
        continue
    fi
    if ! grep -q '^Options:' "$tmp/chelp"; then
        fail "$cmd: '$BIN $cmd --help' has no Options section"
        continue
    fi
    # Long options: the "--name" that starts each line of the Options block
    # ("  -m, --model MODEL  ..." or "      --json  ...").
    opts=$(options_block "$tmp/chelp" |
           sed -n 's/^[[:blank:]]*\(-[A-Za-z0-9], \)\{0,1\}--\([A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p' |
           grep -v '^help$')

    missing=""
    elsewhere=""
    for o in $opts; do
        if ! grep -Eq -e "--$o([^A-Za-z0-9-]|\$)" "$tmp/sec"; then
            missing="$missing --$o"
            grep -Eq -e "--$o([^A-Za-z0-9-]|\$)" "$tmp/page" && elsewhere="$elsewhere --$o"
        fi
    done

    # Options the section documents as items but the subcommand no longer has.
    documented=$(awk 'tp { tp = 0
                           if (match($0, /--[A-Za-z0-9][A-Za-z0-9-]*/))
                               print substr($0, RSTART + 2, RLENGTH - 2)
                           next }
                      /^\.TP([ \t]|$)/ { tp = 1 }' "$tmp/sec" |
                 grep -v '^help$' | sort -u)
    optlist=" $(printf '%s\n' "$opts" | tr '\n' ' ') "
    stale=""
    for o in $documented; do
        case "$optlist" in
            *" $o "*) ;;
            *) stale="$stale --$o" ;;
        esac
    done

    # Defaults: an option whose help says "(default X" must say X (or "by
    # default") in its man entry: the text after the .TP tag naming it, up to
    # the next .TP/.PP.  Options documented by reference (no entry) pass.
    options_block "$tmp/chelp" >"$tmp/optlines"
    sed -e 's/\\f[BIRP]//g' -e 's/\\(dq/"/g' "$tmp/sec" >"$tmp/secplain"
    baddef=""
    while IFS= read -r line; do
        o=$(printf '%s\n' "$line" | sed -n 's/^[[:blank:]]*\(-[A-Za-z0-9], \)\{0,1\}--\([A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p')
        d=$(printf '%s\n' "$line" | sed -n 's/.*(default:\{0,1\} \([^;),: ]*\).*/\1/p')
        [ -n "$o" ] && [ -n "$d" ] || continue
        entry=$(awk -v o="--$o" 'tp { tp = 0; if (index($0, o)) { on = 1; next } }
                                 /^\.TP/ { tp = 1; on = 0; next } /^\.(PP|SS|SH)/ { on = 0 } on' "$tmp/secplain" |
                sed -e 's/^\.[A-Z][A-Z]* //' -e 's/"//g' | tr '\n' ' ' | sed 's/ \([,;:.)]\)/\1/g')
        [ -z "$entry" ] && continue
        [ "$d" = stdout ] && d="standard output"
        case "$entry" in *"$d"*|*"by default"*) ;; *) baddef="$baddef --$o($d)" ;; esac
    done <"$tmp/optlines"
    if [ -z "$baddef" ]; then
        ok "$cmd: every default in --help is in the man page"
    else
        fail "$cmd: defaults in --help missing from the man entries:$baddef"
    fi

    nopts=$(printf '%s\n' "$opts" | grep -c .)
    if [ -z "$missing" ] && [ -z "$stale" ]; then
        ok "$cmd: .SS section documents all $nopts long option$( [ "$nopts" -eq 1 ] || echo s)"
    else
        msg="$cmd:"
        [ -n "$missing" ] && msg="$msg missing from its .SS section:$missing"
        [ -n "$elsewhere" ] && msg="$msg (found elsewhere in the page:$elsewhere)"
        [ -n "$missing" ] && [ -n "$stale" ] && msg="$msg;"
        [ -n "$stale" ] && msg="$msg documented but not in '$cmd --help':$stale"
        fail "$msg"
    fi
done

finish
