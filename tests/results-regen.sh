#!/bin/bash
# The committed results/ must be exactly what the default suite and the committed training grid
# (TRAIN_RESULTS_ARGS, from Makefile.am: `make results`) produce now: tables and figure data and
# scripts byte for byte (the rendered SVG/PDF depend on the gnuplot version, so they are not).
set -u
bin="${top_builddir:-.}/armebm"
src="${top_srcdir:-.}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin" verify --quiet --out "$tmp" || { echo "FAIL: default suite did not verify"; exit 1; }
# shellcheck disable=SC2086 # the arguments are words
"$bin" train ${TRAIN_RESULTS_ARGS:---space fixed --vocab 8 --horizon 4 --steps 1000 --seeds 1} --quiet --out "$tmp" ||
  { echo "FAIL: the committed training grid did not verify"; exit 1; }
fails=0
n=0
files=()
for base in claims stream distill distill-summary summary train train-summary; do
  for ext in csv jsonl md tex; do
    files+=("$base.$ext")
  done
done
for fig in kl-vs-eps kl-vs-k train-gaps train-dist train-kl train-lr; do
  files+=("figures/$fig.dat" "figures/$fig.gp")
done
for f in "${files[@]}"; do
  n=$((n + 1))
  if ! cmp "$src/results/$f" "$tmp/$f"; then
    echo "FAIL: results/$f differs from a fresh run (make results regenerates it)"
    diff "$src/results/$f" "$tmp/$f" | head -5
    fails=$((fails + 1))
  fi
done
echo "results-regen: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
