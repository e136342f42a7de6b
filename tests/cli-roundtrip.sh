#!/bin/bash
# End-to-end CLI behaviour: count, map/unmap round trips through both formats, check.
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-cli-rt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fails=$((fails + 1)); }

# count: the space sizes of CLAIMS.md
out=$("$bin" count --space eos --vocab 8 --horizon 4)
grep -q '^responses  *585$' <<<"$out" && ok || ko "count E(8,4): $out"
grep -q '^states  *585$' <<<"$out" && ok || ko "states E(8,4)"
out=$("$bin" count --space fixed --vocab 4 --horizon 8)
grep -q '^responses  *65536$' <<<"$out" && ok || ko "count F(4,8)"
out=$("$bin" count --space fixed --vocab 65536 --horizon 64)
# 2^1024, written out independently of the program
p1024=179769313486231590772930519078902473361797697894230657273430081157732675805500963132708477322407536021120113879871393357658789768814416622492847430639474124377767893424865485276302219601246094119453082952085005768838150682342462881473913110540827237163350510684586298239947245938479716304835356329624224137216
grep -q "^responses  *$p1024\$" <<<"$out" && ok || ko "count F(65536,64) must be exactly 2^1024: $out"
grep -q '^allowed  *no' <<<"$out" && ok || ko "huge space must be refused"

# an E(2,3) reward table with dyadic values written by hand, two prompts
sp=(--space eos --vocab 2 --horizon 3 --prompts 2)
{
  echo "prompt,prefix,action,value"
  for p in 0 1; do
    for pre in "" "0" "1"; do
      echo "$p,$pre,0,0.$((p + 1))25"; echo "$p,$pre,1,-1.5"; echo "$p,$pre,EOS,0.75"
    done
    for pre in "0 0" "0 1" "1 0" "1 1"; do echo "$p,$pre,EOS,-0.$((p + 3))"; done
  done
} >"$tmp/r.csv"

"$bin" map "${sp[@]}" --in "$tmp/r.csv" --out "$tmp/q.npy" && ok || ko "map csv->npy"
"$bin" unmap "${sp[@]}" --in "$tmp/q.npy" --out "$tmp/r2.csv" --digits 17 && ok || ko "unmap npy->csv"
"$bin" map "${sp[@]}" --in "$tmp/r.csv" --out "$tmp/q40.csv" --digits 40 && ok || ko "map digits 40"
# 40 digits must really be 40 significant digits
grep -q -E ',[-]?[0-9]\.[0-9]{39}e[-+][0-9]+$' "$tmp/q40.csv" && ok || ko "40 digits: $(sed -n 2p "$tmp/q40.csv")"
"$bin" unmap "${sp[@]}" --in "$tmp/q40.csv" --out "$tmp/r40.csv" --digits 17 && ok || ko "unmap csv"
# the round trip gives back r to 17 digits: compare values as printed
sed 1d "$tmp/r40.csv" | cut -d, -f4 >"$tmp/a"
"$bin" unmap "${sp[@]}" --in "$tmp/q40.csv" --out "$tmp/r40b.csv" && ok || ko "unmap default digits"
cmp -s "$tmp/r40.csv" "$tmp/r40b.csv" && ok || ko "default --digits is 17"
awk -F, 'NR > 1 && $4 != "-inf" { v[$1 "," $2 "," $3] = $4 } END { for (k in v) print k "," v[k] }' "$tmp/r.csv" | sort >"$tmp/want"
awk -F, 'NR > 1 && $4 != "-inf" { print $1 "," $2 "," $3 "," $4 + 0 }' "$tmp/r40.csv" | sort >"$tmp/got"
awk -F, '{ print $1 "," $2 "," $3 "," $4 + 0 }' "$tmp/want" | sort >"$tmp/want2"
diff -q "$tmp/want2" "$tmp/got" >/dev/null && ok || ko "unmap(map(r)) != r: $(diff "$tmp/want2" "$tmp/got" | head -4)"

# check: the exact M(r) passes, a perturbed one fails with exit 1, a row-shifted one passes
"$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q40.csv" >"$tmp/out" && ok || ko "check exact: $(cat "$tmp/out")"
grep -q "same distribution within tol.*yes" "$tmp/out" && ok || ko "check output"
awk -F, 'BEGIN { OFS = "," } NR == 3 { $4 = $4 + 0.001 } { print }' "$tmp/q40.csv" >"$tmp/qbad.csv"
"$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qbad.csv" >"$tmp/out"
[ $? -eq 1 ] && ok || ko "check must fail on a perturbed table"
grep -q "worst abs error  1.0[0-9]e-03  at prompt 0 prefix () action 1" "$tmp/out" && ok || ko "worst error location: $(cat "$tmp/out")"
# adding a constant to every logit of one state leaves the distribution unchanged
awk -F, 'BEGIN { OFS = "," } NR > 1 && $1 == 1 && $2 == "0 1" && $4 != "-inf" { $4 = $4 + 3 } { print }' "$tmp/q40.csv" >"$tmp/qshift.csv"
"$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qshift.csv" >"$tmp/out" && ok || ko "row shift must pass: $(cat "$tmp/out")"

# verify on a user table
"$bin" verify --quiet "${sp[@]}" --rewards "$tmp/r.csv" --out "$tmp/res" && ok || ko "verify --rewards"
grep -q "file:" "$tmp/res/claims.csv" && ok || ko "instance column names the file"

# the streaming walks (C1-C4 by default) give the same bytes whatever the thread count
for t in 1 2 16; do
  "$bin" verify --stream --quiet --space eos --vocab 2 --horizon 12 --prompts 2 --seeds 5 --threads "$t" --out "$tmp/st$t" \
    && ok || ko "verify --stream --threads $t"
done
cmp -s "$tmp/st1/claims.csv" "$tmp/st2/claims.csv" && cmp -s "$tmp/st1/claims.csv" "$tmp/st16/claims.csv" \
  && ok || ko "--stream output depends on --threads"
[ "$(grep -c '(stream)' "$tmp/st1/claims.csv")" -eq 8 ] && ok || ko "--stream rows: $(cut -d, -f1,2 "$tmp/st1/claims.csv")"
# the streaming C2 and C3 rows agree with the table-based ones on the same instance
"$bin" verify C2 C3 C4 --quiet --space eos --vocab 2 --horizon 12 --prompts 2 --seeds 5 --out "$tmp/tb" && ok || ko "verify C2 C3"
for chk in "ELBO < log Z (random q)"; do
  a=$(grep -F "$chk," "$tmp/tb/claims.csv" | cut -d, -f8); b=$(grep -F "$chk (stream)," "$tmp/st1/claims.csv" | cut -d, -f8)
  [ -n "$a" ] && [ "$a" = "$b" ] && ok || ko "$chk: table '$a' vs stream '$b'"
done
# consistency checks: marked, verdict 'consistent', counted apart in the summary, exit 0
out=$("$bin" verify C1 C3 --stream --space eos --vocab 2 --horizon 5 --seeds 1 --threads 1 --out "$tmp/cons") \
  && ok || ko "verify with consistency rows must exit 0"
grep -q '^C1: 1 verified, 0 violated, 0 undecided, 1 consistent (consistency checks, not counted as verified)' <<<"$out" \
  && ok || ko "C1 summary: $out"
grep -q '^C3: 1 verified, 0 violated, 0 undecided, 1 consistent' <<<"$out" && ok || ko "C3 summary: $out"
[ "$(grep -F '(consistency)' "$tmp/cons/claims.csv" | grep -c ',consistent,')" -eq 2 ] \
  && ok || ko "consistency rows: $(cut -d, -f2,12 "$tmp/cons/claims.csv")"

# one extension rule, without regard to case (issue 9.10): q.NPY is written, read and held to the
# accuracy of .npy; at --prec 64 the map reaches the 60 bits .npy needs but not the 64 of 17
# CSV digits, so a case-sensitive accuracy lookup failed here
printf 'prompt,prefix,action,value\n0,,0,0.1\n0,,1,-0.3\n0,,EOS,1.7\n0,0,EOS,0.3\n0,1,EOS,2.9\n' >"$tmp/dec.csv"
d2=(--space eos --vocab 2 --horizon 2 --prec 64 --max-prec 64)
"$bin" map "${d2[@]}" --in "$tmp/dec.csv" --out "$tmp/ext.npy" && ok || ko "map --out ext.npy"
"$bin" map "${d2[@]}" --in "$tmp/dec.csv" --out "$tmp/ext.NPY" && ok || ko "map --out ext.NPY"
cmp -s "$tmp/ext.npy" "$tmp/ext.NPY" && ok || ko "ext.NPY differs from ext.npy"
"$bin" map "${d2[@]}" --in "$tmp/dec.csv" --out "$tmp/ext.Csv" --digits 10 && ok || ko "map --out ext.Csv"
head -1 "$tmp/ext.Csv" | grep -q '^prompt,prefix,action,value$' && ok || ko "ext.Csv is not CSV"
"$bin" unmap --space eos --vocab 2 --horizon 2 --in "$tmp/ext.NPY" --out "$tmp/back.CSV" && ok || ko "unmap --in ext.NPY"

# without --out, verify writes into ./armebm-out, never into a results/ directory (issue 13.4:
# trying the README's commands in the source tree must not rewrite the committed baseline)
mkdir "$tmp/cwd" "$tmp/cwd/results"
bin_abs=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
(cd "$tmp/cwd" && "$bin_abs" verify C1 --space eos --vocab 2 --horizon 2 --seeds 1 --quiet >/dev/null) &&
  [ -f "$tmp/cwd/armebm-out/claims.csv" ] && [ -z "$(ls -A "$tmp/cwd/results")" ] && ok ||
  ko "verify without --out: expected armebm-out/claims.csv and an untouched results/"
# verify distill on a user's teacher draws its figures: the students of kl-vs-eps.dat are those of
# distill.csv (the uniform family's KL at eps = 0.1 appears in both), SVG and PDF when gnuplot is there
printf 'prompt,prefix,action,value\n0,,0,0.5\n0,,1,-0.25\n0,0,0,1\n0,0,1,0\n0,1,0,2\n0,1,1,-1\n' >"$tmp/teach.csv"
"$bin" verify distill --space fixed --vocab 2 --horizon 2 --rewards "$tmp/teach.csv" --out "$tmp/dr" --quiet &&
  ok || ko "verify distill --rewards"
for f in kl-vs-eps.dat kl-vs-eps.gp kl-vs-k.dat kl-vs-k.gp; do
  [ -s "$tmp/dr/figures/$f" ] && ok || ko "verify distill --rewards wrote no figures/$f"
done
kl=$(grep -F 'uniform eps=1.00e-01,' "$tmp/dr/distill.csv" | grep -F 'KL(q||R) <= 2T eps' | cut -d, -f9)
grep -q "^1.000000e-01 $kl " "$tmp/dr/figures/kl-vs-eps.dat" && ok || ko "kl-vs-eps.dat lacks the uniform student's KL $kl"
if command -v gnuplot >/dev/null 2>&1; then
  for f in kl-vs-eps.svg kl-vs-k.svg; do
    [ -s "$tmp/dr/figures/$f" ] && ok || ko "verify distill --rewards did not render figures/$f"
  done
  if gnuplot -e 'set terminal' 2>&1 | grep -q pdfcairo; then
    [ -s "$tmp/dr/figures/kl-vs-eps.pdf" ] && ok || ko "no PDF beside the SVG"
  fi
fi

# map --example: a full reward table of the space (9 rows of E(2,2) = 3 states x 3 columns), every
# allowed entry k/256 with |k| <= 512, exactly the masked ones (the token columns of the depth-1
# states, which must end) -inf; the same bytes every run, another with --seeds 2; the CSV and the
# .npy hold the same table (map of each gives the same logits); the table is a valid input of map.
ex=(--space eos --vocab 2 --horizon 2)
if "$bin" map "${ex[@]}" --example "$tmp/ex.csv" 2>"$tmp/ex.err" && [ ! -s "$tmp/ex.err" ]; then
  ok
  awk -F, 'NR > 1 { n++
    masked = ($2 != "" && $3 != "EOS")
    if (masked != ($4 == "-inf")) bad = bad " mask:" NR
    if (!masked) { k = $4 * 256; if (k != int(k) || k < -512 || k > 512) bad = bad " value:" NR } }
    END { if (n != 9 || bad != "") { print n, bad; exit 1 } }' "$tmp/ex.csv" && ok || ko "map --example table: $(cat "$tmp/ex.csv")"
  "$bin" map "${ex[@]}" --example "$tmp/ex2.csv" && cmp -s "$tmp/ex.csv" "$tmp/ex2.csv" && ok || ko "map --example not deterministic"
  "$bin" map "${ex[@]}" --example "$tmp/ex3.csv" --seeds 2 && ! cmp -s "$tmp/ex.csv" "$tmp/ex3.csv" && ok || ko "map --example ignores --seeds"
  "$bin" map "${ex[@]}" --example "$tmp/ex.npy" &&
    "$bin" map "${ex[@]}" --in "$tmp/ex.csv" --out "$tmp/exq1.csv" &&
    "$bin" map "${ex[@]}" --in "$tmp/ex.npy" --out "$tmp/exq2.csv" &&
    cmp -s "$tmp/exq1.csv" "$tmp/exq2.csv" && ok || ko "map --example: CSV and .npy tables differ or are not valid input"
else
  ko "map --example failed: $(cat "$tmp/ex.err")"
fi

# train's progress: on a terminal (script(1) gives it one) a bar with elapsed time and ETA, ending
# at 100%; with stderr a file, or --quiet, none.
tr=(train --space fixed --vocab 2 --horizon 2 --steps 2000 --seeds 1 --targets zipf)
if command -v script >/dev/null 2>&1; then
  script -qec "'$bin' ${tr[*]} --out '$tmp/tr1'" /dev/null >"$tmp/tty.out" 2>&1
  tr '\r' '\n' <"$tmp/tty.out" | grep -aq '^  \[#*\.*\]  *[0-9]*%  [0-9]* s elapsed, ETA [0-9]* s  F(2,2) zipf' && ok || ko "train on a terminal shows no elapsed/ETA: $(tr '\r' '\n' <"$tmp/tty.out" | head -3)"
  tr '\r' '\n' <"$tmp/tty.out" | grep -aq '^  \[#\{30\}\] 100%  .* done' && ok || ko "train's progress does not end at 100%"
  script -qec "'$bin' ${tr[*]} --quiet --out '$tmp/tr2'" /dev/null >"$tmp/tty.out" 2>&1
  ! grep -aq 'ETA' "$tmp/tty.out" && ok || ko "train --quiet draws progress"
fi
"$bin" "${tr[@]}" --out "$tmp/tr3" >/dev/null 2>"$tmp/tr.err"
! grep -q 'ETA' "$tmp/tr.err" && ok || ko "train draws progress into a file"

echo "cli-roundtrip: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
