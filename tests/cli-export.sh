#!/bin/bash
# armebm export: an exported instance, read back by verify, reproduces the committed rows of
# results/ that name it (the rows are the independent values: the suites generated them in
# memory, never through a file); instance text it cannot parse is refused with exit 2.
set -u
bin="${top_builddir:-.}/armebm"
res="${top_srcdir:-.}/results"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Every row of $1 (rows whose claim matches $4), with the instance text $2 put back for
# the file names (and the claim renamed by the sed expression $5, if any), must be a row of
# $3, and there must be at least one.
same_rows() {
  local n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    grep -qFx -- "$line" "$3" && ok || ko "row not in $3: $line"
  done < <(grep -E "^($4)," "$1" | sed -e "s|$2|" -e "${5:-s/^//}")
  [ "$n" -gt 0 ] && ok || ko "no $4 rows in $1"
}

# C1 and C2 on the dyadic teacher of the verify grid, F(8,4), two prompts
sp=(--space 'F(8,4) P=2') # the rows' space column
for fmt in npy csv; do
  "$bin" export "${sp[@]}" --instance dyadic:seed=1 --out "$tmp/r.$fmt" && ok || ko "export dyadic ($fmt)"
  "$bin" verify C1 C2 "${sp[@]}" --rewards "$tmp/r.$fmt" --out "$tmp/v$fmt" --quiet && ok || ko "verify C1 C2 on the export ($fmt)"
  same_rows "$tmp/v$fmt/claims.csv" "file:$tmp/r.$fmt|dyadic:seed=1" "$res/claims.csv" "C1|C2"
done
# the ELBO row depends on the rewards: another seed's export must not reproduce it
"$bin" export "${sp[@]}" --instance dyadic:seed=2 --out "$tmp/r2.npy" && ok || ko "export dyadic seed 2"
"$bin" verify C2 "${sp[@]}" --rewards "$tmp/r2.npy" --out "$tmp/v2" --quiet
row=$(grep '^C2,ELBO < log Z' "$tmp/v2/claims.csv" | sed "s|file:$tmp/r2.npy|dyadic:seed=1|")
grep -qFx -- "$row" "$res/claims.csv" && ko "seed 2 reproduced the seed 1 row" || ok

# distillation students of E(3,4), two prompts: their C8/C9 KL rows
sp=(--space 'E(3,4) P=2')
# (a lookahead student's rows are C10 in the grid, the same checks as C8/C9 of a file student)
for inst in 'dyadic:seed=1 adv-rev max eps=1.00e-01' 'dyadic:seed=2 sign eps=1.00e-03' \
            'dyadic:seed=1 value eps=1.00e+00' 'dyadic:seed=1 lookahead k=1'; do
  rename=
  [[ $inst == *lookahead* ]] && rename='s/^C[89],/C10,/'

  teacher=${inst%% *}
  label=${inst#* }
  label=${label% eps=*}
  "$bin" export "${sp[@]}" --instance "$teacher" --out "$tmp/t.npy" && ok || ko "export $teacher"
  "$bin" export "${sp[@]}" --instance "$inst" --out "$tmp/s.npy" && ok || ko "export $inst"
  "$bin" verify distill "${sp[@]}" --rewards "$tmp/t.npy" --logits "$tmp/s.npy" --out "$tmp/d" --quiet \
    && ok || ko "verify distill on $inst"
  same_rows "$tmp/d/distill.csv" "file:$tmp/t.npy file:$tmp/s.npy|$teacher $label" "$res/distill.csv" "C8|C9" "$rename"
done
# an end-signal teacher and its lookahead student, as the rows name them
"$bin" export "${sp[@]}" --instance summod3 --out "$tmp/t.csv" && ok || ko "export summod3"
"$bin" export "${sp[@]}" --instance 'summod3 lookahead k=2 eps=9.99e+00' --out "$tmp/s.csv" && ok || ko "export summod3 lookahead"
"$bin" verify distill "${sp[@]}" --rewards "$tmp/t.csv" --logits "$tmp/s.csv" --out "$tmp/d" --quiet && ok || ko "verify summod3"
same_rows "$tmp/d/distill.csv" "file:$tmp/t.csv file:$tmp/s.csv|summod3 lookahead k=2" "$res/distill.csv" "C8|C9" \
  's/^C[89],/C10,/'

# C6 rows: a row's space and instance fields are all export needs (the space names P); the
# data distribution rho it writes, read back by verify C6 --data, gives the row again
c6_row_exists() { grep -qF -- ",\"$1\",all,$2," "$res/claims.csv" && ok || ko "no C6 row of $1 $2 in results/claims.csv"; }
# the measured column of a certified equality (a bound on a difference of about 1e-36) blanked,
# for files whose rho differs from the generated one by rounding
blank_measured() { sed -E 's/,[0-9]\.[0-9]{2}e-[0-9]+,(0|H = \[[^]]*\]),/,~,\1,/'; }
for case in 'E(8,4) P=2|zipf(s=1):seed=1' 'F(8,4) P=2|random:seed=1 (infimum: 964 zero-mass y)'; do
  space=${case%%|*} inst=${case#*|}
  c6_row_exists "$space" "$inst"
  # exact rho as exact rationals: every C6 row of the instance, byte for byte
  "$bin" export --space "$space" --instance "$inst" --out "$tmp/rho.csv" >"$tmp/msg" && ok || ko "export $inst (csv)"
  grep -q 'exact rationals' "$tmp/msg" && ok || ko "export $inst: no word on exactness: $(cat "$tmp/msg")"
  "$bin" verify C6 --space "$space" --data "$tmp/rho.csv" --out "$tmp/c6" --quiet && ok || ko "verify C6 on $inst (csv)"
  same_rows "$tmp/c6/claims.csv" "file:$tmp/rho.csv|${inst%% (*}" "$res/claims.csv" "C6"
done
# .npy holds the nearest doubles: the same rows, apart from the size of the certified bounds
space='E(8,4) P=2' inst='zipf(s=1):seed=1'
"$bin" export --space "$space" --instance "$inst" --out "$tmp/rho.npy" >"$tmp/msg" && ok || ko "export $inst (npy)"
grep -q 'nearest the exact rational' "$tmp/msg" && ok || ko "export $inst npy: $(cat "$tmp/msg")"
"$bin" verify C6 --space "$space" --data "$tmp/rho.npy" --out "$tmp/c6n" --quiet && ok || ko "verify C6 on $inst (npy)"
blank_measured <"$res/claims.csv" >"$tmp/committed-blank.csv"
blank_measured <"$tmp/c6n/claims.csv" >"$tmp/c6n/blank.csv"
same_rows "$tmp/c6n/blank.csv" "file:$tmp/rho.npy|$inst" "$tmp/committed-blank.csv" "C6"
# a certified rho (not rational) to 40 digits: a file is rational, so verify adds the two exact
# rows; every committed row is reproduced apart from the size of the certified bounds
inst='softmax-normal(t=0.1):seed=1'
c6_row_exists "$space" "$inst"
"$bin" export --space "$space" --instance "$inst" --digits 40 --out "$tmp/rho.csv" >/dev/null && ok || ko "export $inst"
"$bin" verify C6 --space "$space" --data "$tmp/rho.csv" --out "$tmp/c6s" --quiet && ok || ko "verify C6 on $inst"
blank_measured <"$tmp/c6s/claims.csv" | sed "s|file:$tmp/rho.csv|$inst|" >"$tmp/c6s/blank.csv"
n=0
while IFS= read -r line; do
  n=$((n + 1))
  grep -qFx -- "$line" "$tmp/c6s/blank.csv" && ok || ko "committed row not reproduced: $line"
done < <(grep -F ",\"$space\",all,$inst," "$tmp/committed-blank.csv")
[ "$n" -eq 8 ] && ok || ko "$n committed rows of $inst, want 8"
# the prompt count matters: the same instance on one prompt gives another entropy
"$bin" export --space 'E(8,4)' --instance 'zipf(s=1):seed=1' --out "$tmp/rho1.csv" >/dev/null && ok || ko "export P=1"
"$bin" verify C6 --space 'E(8,4)' --data "$tmp/rho1.csv" --out "$tmp/c61" --quiet
h1=$(grep -o 'H = \[[^]]*\]' "$tmp/c61/claims.csv")
grep -qF -- ",\"E(8,4) P=2\",all,zipf(s=1):seed=1,certified,1170,$h1" <(blank_measured <"$res/claims.csv") && \
  ko "one prompt reproduced the two-prompt entropy $h1" || ok
# a note that does not fit the space is refused (the row belongs to another space)
err=$("$bin" export --space 'E(8,4) P=2' --instance 'random:seed=1 (infimum: 964 zero-mass y)' --out "$tmp/bad.csv" 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q 'the note counts 964 zero-mass responses, but random:seed=1 on E(8,4) P=2 has 144' <<<"$err" && \
  [ ! -e "$tmp/bad.csv" ] && ok || ko "a wrong zero-mass note: $err"
# a row's space text must agree with the other space options
err=$("$bin" export --space 'E(8,4) P=2' --prompts 3 --instance uniform --out "$tmp/bad.csv" 2>&1 >/dev/null)
[ $? -eq 2 ] && grep -q -- "--prompts disagrees with --space 'E(8,4) P=2'" <<<"$err" && ok || ko "space clash: $err"

# instance text that names no instance: exit 2, one line naming --instance, no file
for bad in '' 'dyadic' 'dyadic:seed=' 'dyadic:seed=1x' 'gauss:seed=1' 'dyadic:seed=1 wobble eps=1.00e-01' \
           'dyadic:seed=1 sign eps=2.00e-01' 'dyadic:seed=1 sign' 'dyadic:seed=1 adv-fwd eps=1.00e-01' \
           'potential:seed=1 sign eps=1.00e-01' 'summod3 uniform eps=1.00e-01' 'dyadic:seed=1 lookahead k=4' \
           'dyadic:seed=1 sign eps=1.00e-01 extra' 'zipf(s=1.0):seed=1' 'zipf(s=1):seed=x' 'zipf(s=-1):seed=1' \
           'softmax-normal(t=0.1)' 'random:seed=1 (infimum: many)' 'uniform extra' 'random:seed=1 (infimum: 3 zero-mass y) x'; do
  rm -f "$tmp/bad.npy"
  err=$("$bin" export "${sp[@]}" --instance "$bad" --out "$tmp/bad.npy" 2>&1 >/dev/null)
  rc=$?
  [ "$rc" -eq 2 ] && ok || ko "instance '$bad': exit $rc, want 2"
  [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q -- "--instance" <<<"$err" && ok || ko "instance '$bad': message '$err'"
  [ ! -e "$tmp/bad.npy" ] && ok || ko "instance '$bad' wrote a file"
done
"$bin" export "${sp[@]}" --out "$tmp/bad.npy" 2>/dev/null
[ $? -eq 2 ] && ok || ko "export without --instance must exit 2"

echo "cli-export: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
