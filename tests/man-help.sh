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
for cmd in verify map unmap check count train; do
  if grep -q "^\.SS.*$cmd\|^\.B.*$cmd\|^\.TP.*$cmd\|$cmd" "$man"; then pass=$((pass + 1)); else echo "FAIL: command $cmd not in man page"; fails=$((fails + 1)); fi
done
echo "man-help: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
