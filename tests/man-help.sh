#!/bin/bash
# The man page documents every command and option that --help lists, and nothing more.
set -u
bin="${top_builddir:-.}/armebm"
man="${top_srcdir:-.}/doc/armebm.1"
fails=0
pass=0
help=$("$bin" --help)
for cmd in verify map unmap check count train; do
  help="$help $("$bin" "$cmd" --help)"
done
for opt in $(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u); do
  if grep -q -- "${opt//-/\\\\-}\|$opt" "$man"; then pass=$((pass + 1)); else echo "FAIL: $opt not in the man page"; fails=$((fails + 1)); fi
done
for opt in $(grep -o -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\//g' | sort -u); do
  if grep -q -- "$opt" <<<"$help"; then pass=$((pass + 1)); else echo "FAIL: man page documents $opt, --help does not"; fails=$((fails + 1)); fi
done
# each command has its own entry under COMMANDS: a .TP whose tag line is ".B CMD" (or ".BR CMD ...")
commands=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man" | sed -n '/^\.TP/{n;s/^\.BR\{0,1\} \([a-z]*\).*/\1/p}')
for cmd in verify map unmap check count train help version; do
  if grep -qx -- "$cmd" <<<"$commands"; then pass=$((pass + 1)); else echo "FAIL: command $cmd has no .TP entry under COMMANDS in the man page"; fails=$((fails + 1)); fi
done
# and every command the man page lists is one the program knows
for cmd in $commands; do
  if "$bin" help "$cmd" >/dev/null 2>&1; then pass=$((pass + 1)); else echo "FAIL: man page lists command $cmd, armebm does not know it"; fails=$((fails + 1)); fi
done
echo "man-help: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
