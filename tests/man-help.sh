#!/bin/bash
# The man page documents every command and option that --help lists, and nothing more.
set -u
bin="${top_builddir:-.}/armebm"
man="${top_srcdir:-.}/doc/armebm.1"
fails=0
pass=0
# the commands, from the program's own list (so that a new command is covered too)
cmds=$("$bin" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p')
[ -n "$cmds" ] || { echo "FAIL: no command list in armebm --help"; fails=$((fails + 1)); }
help=$("$bin" --help)
for cmd in $cmds; do
  help="$help $("$bin" "$cmd" --help)"
done
for opt in $(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u); do
  if grep -q -- "${opt//-/\\\\-}\|$opt" "$man"; then pass=$((pass + 1)); else echo "FAIL: $opt not in the man page"; fails=$((fails + 1)); fi
done
for opt in $(grep -o -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\//g' | sort -u); do
  if grep -q -- "$opt" <<<"$help"; then pass=$((pass + 1)); else echo "FAIL: man page documents $opt, --help does not"; fails=$((fails + 1)); fi
done
# options named in the man page's roff source (\-\-name), one per line
man_opts() { grep -o -- '\\-\\-[a-z][a-z\\-]*' | sed 's/\\//g' | sort -u; }
common=$(sed -n '/^\.SS Common options/,/^\.S[SH] /p' "$man" | man_opts)
# each command's own usage: a SYNOPSIS line ".B armebm CMD", and every option of its usage lines
# (armebm CMD --help up to the first line of prose) in that synopsis, in its own "Options of"
# section, or among the common options: not merely somewhere in the page
for cmd in $cmds; do
  if ! block=$(awk -v c="$cmd" '/^\.B armebm /{on = ($3 == c); if (on) n++} /^\.(PP|SH)/{on = 0} on; END {if (!n) exit 1}' "$man"); then
    echo "FAIL: command $cmd has no usage line (.B armebm $cmd) in the SYNOPSIS of the man page"; fails=$((fails + 1)); continue
  fi
  syn=$(man_opts <<<"$block")
  own=$(awk -v c="$cmd" '/^\.SS Options of /{on = index(" " substr($0, 16) " ", " " c " ") > 0; next} /^\.S[SH] /{on = 0} on' "$man" | man_opts)
  for opt in $("$bin" "$cmd" --help | awk 'NR == 1 || /^ / {print; next} {exit}' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    if grep -qx -- "$opt" <<<"$syn
$own
$common"; then pass=$((pass + 1)); else echo "FAIL: $cmd $opt (its usage line) is not in $cmd's synopsis, its options section or the common options"; fails=$((fails + 1)); fi
  done
done
# each command has its own entry under COMMANDS: a .TP whose tag line is ".B CMD" (or ".BR CMD ...")
commands=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man" | sed -n '/^\.TP/{n;s/^\.BR\{0,1\} \([a-z]*\).*/\1/p}')
for cmd in $cmds help version; do
  if grep -qx -- "$cmd" <<<"$commands"; then pass=$((pass + 1)); else echo "FAIL: command $cmd has no .TP entry under COMMANDS in the man page"; fails=$((fails + 1)); fi
done
# and every command the man page lists is one the program knows
for cmd in $commands; do
  if "$bin" help "$cmd" >/dev/null 2>&1; then pass=$((pass + 1)); else echo "FAIL: man page lists command $cmd, armebm does not know it"; fails=$((fails + 1)); fi
done
echo "man-help: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
