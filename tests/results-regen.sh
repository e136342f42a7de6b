#!/bin/bash
# The committed results/ must be exactly what the default suite produces now.
set -u
bin="${top_builddir:-.}/armebm"
src="${top_srcdir:-.}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin" verify --quiet --out "$tmp" || { echo "FAIL: default suite did not verify"; exit 1; }
fails=0
n=0
for base in claims stream distill distill-summary summary; do
  for ext in csv jsonl md tex; do
    n=$((n + 1))
    if ! cmp "$src/results/$base.$ext" "$tmp/$base.$ext"; then
      echo "FAIL: results/$base.$ext differs from a fresh run (make results regenerates it)"
      diff "$src/results/$base.$ext" "$tmp/$base.$ext" | head -5
      fails=$((fails + 1))
    fi
  done
done
echo "results-regen: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
