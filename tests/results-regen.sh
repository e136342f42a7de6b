#!/bin/bash
# The committed results/ must be exactly what the default suite produces now.
set -u
bin="${top_builddir:-.}/armebm"
src="${top_srcdir:-.}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin" verify --quiet --out "$tmp" || { echo "FAIL: default suite did not verify"; exit 1; }
fails=0
for ext in csv jsonl md tex; do
  if ! cmp "$src/results/claims.$ext" "$tmp/claims.$ext"; then
    echo "FAIL: results/claims.$ext differs from a fresh run (make results regenerates it)"
    diff "$src/results/claims.$ext" "$tmp/claims.$ext" | head -5
    fails=$((fails + 1))
  fi
done
echo "results-regen: $((4 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
