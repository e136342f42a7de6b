#!/bin/bash
# Every committed results/*.tex (results-regen.sh keeps them what the code writes) compiles under
# a default preamble with pdflatex, and no '|', '<' or '>' reaches a text font (OT1 has no glyph:
# they print as an em dash or inverted marks). Skipped (77) without pdflatex.
set -u
src="${top_srcdir:-.}"
command -v pdflatex >/dev/null 2>&1 || { echo "SKIP: pdflatex not installed (texlive-latex-base, texlive-latex-recommended)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-tex.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0
for tex in "$src"/results/*.tex; do
  base=$(basename "$tex" .tex)
  n=$((n + 1))
  cp "$tex" "$tmp/$base-body.tex"
  printf '%s\n' '\documentclass{article}' '\usepackage{booktabs,longtable}' '\begin{document}' \
    "\\input{$base-body}" '\end{document}' > "$tmp/$base.tex"
  if ! (cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error "$base.tex" > "$base.out" 2>&1); then
    echo "FAIL: results/$base.tex does not compile:"
    grep -A3 '^!' "$tmp/$base.out" | head -8
    fails=$((fails + 1))
    continue
  fi
  # outside math mode, these three characters are wrong glyphs in OT1
  if sed 's/\$[^$]*\$//g' "$tex" | grep -v '^%' | grep -q '[|<>]'; then
    echo "FAIL: results/$base.tex has '|', '<' or '>' outside math mode:"
    sed 's/\$[^$]*\$//g' "$tex" | grep -v '^%' | grep -n '[|<>]' | head -3
    fails=$((fails + 1))
  fi
done
echo "tex-compile: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
