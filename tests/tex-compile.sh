#!/bin/bash
# Every committed results/*.tex (results-regen.sh keeps them what the code writes) compiles under
# a default preamble with pdflatex, and no '|', '<' or '>' reaches a text font (OT1 has no glyph:
# they print as an em dash or inverted marks). With pdflscape installed too, each table fits the
# text width of a default article page (the wide ones on landscape pages): no overfull
# alignment. Numbers are split at their decimal point. Skipped (77) without pdflatex.
set -u
src="${top_srcdir:-.}"
command -v pdflatex >/dev/null 2>&1 || { echo "SKIP: pdflatex not installed (texlive-latex-base, texlive-latex-recommended)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-tex.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0  # failed checks
bad=0    # files with a failed check
n=0
lscape=0
command -v kpsewhich >/dev/null 2>&1 && [ -n "$(kpsewhich pdflscape.sty)" ] && lscape=1
[ "$lscape" -eq 1 ] || echo "note: pdflscape.sty not found: the widths are not checked"
# document NAME PACKAGES BODY: a default article loading PACKAGES and \input-ing BODY
document() {
  printf '%s\n' '\documentclass{article}' "\\usepackage{$2}" '\begin{document}' "\\input{$3}" '\end{document}' >"$tmp/$1.tex"
}
latex() { (cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error "$1.tex" >"$1.out" 2>&1); }
for tex in "$src"/results/*.tex; do
  base=$(basename "$tex" .tex)
  n=$((n + 1))
  before=$fails
  cp "$tex" "$tmp/$base-body.tex"
  document "$base" booktabs,longtable "$base-body"
  if ! latex "$base"; then
    echo "FAIL: results/$base.tex does not compile:"
    grep -A3 '^!' "$tmp/$base.out" | head -8
    fails=$((fails + 1))
    bad=$((bad + 1))
    continue
  fi
  # outside math mode, these three characters are wrong glyphs in OT1
  if sed 's/\$[^$]*\$//g' "$tex" | grep -v '^%' | grep -q '[|<>]'; then
    echo "FAIL: results/$base.tex has '|', '<' or '>' outside math mode:"
    sed 's/\$[^$]*\$//g' "$tex" | grep -v '^%' | grep -n '[|<>]' | head -3
    fails=$((fails + 1))
  fi
  # numbers aligned on the decimal point: split into two columns, "6&.29e-29"
  if ! grep -q '[0-9]&\.[0-9]' "$tex"; then
    echo "FAIL: results/$base.tex has no number split at its decimal point"
    fails=$((fails + 1))
  fi
  if [ "$lscape" -eq 1 ]; then
    # longtable settles its column widths over runs: the third sees the final ones
    document "$base-w" booktabs,longtable,pdflscape "$base-body"
    latex "$base-w" && latex "$base-w" && latex "$base-w"
    if grep -q 'Overfull \\hbox .* in alignment' "$tmp/$base-w.log"; then
      echo "FAIL: results/$base.tex is wider than the text width: $(grep -m1 'Overfull \\hbox .* in alignment' "$tmp/$base-w.log")"
      fails=$((fails + 1))
    fi
  fi
  [ "$fails" -eq "$before" ] || bad=$((bad + 1))
done
echo "tex-compile: $((n - bad)) files passed, $bad failed"
[ "$fails" -eq 0 ]
