#!/bin/bash
# Numerical extremes through every command that reads a table: values at the edges of float64
# (+-1e308, the largest double, subnormals, +-745 where exp leaves double range) and decimals
# beyond it (1e999, 1e999999999) at allowed entries. Each run must end with a verdict (exit 0
# or 1) or with exit 2 and one line on stderr: never a signal (Arb/FLINT abort). Then the
# specific outcomes: .npy output out of float64 range is refused (issue 9, item 8), and an
# output that is exactly 0 from decimal inputs is written as 0 (item 7); train's certified
# bounds stay bounds when its iterates diverge.
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-cli-extremes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# run CMD...: exit 0, 1 or 2 (2 with exactly one stderr line), never killed by a signal
run() {
  timeout 300 "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -gt 2 ]; then
    fail "$* -> exit $rc (signal or crash); stderr: $(head -c 300 "$tmp/err")"
  elif [ "$rc" -eq 2 ] && [ "$lines" -ne 1 ]; then
    fail "$* -> exit 2 with $lines stderr lines:"; cat "$tmp/err"
  else
    pass=$((pass + 1))
  fi
  return "$rc"
}

# npy PATH ROWS COLS HEX...: a little-endian float64 .npy from the big-endian hex of each value
npy() {
  local path=$1 hdr pad out="" h i
  hdr="{'descr': '<f8', 'fortran_order': False, 'shape': ($2, $3), }"
  printf -v pad '%*s' $((117 - ${#hdr})) ''
  shift 3
  for h in "$@"; do
    for i in 14 12 10 8 6 4 2 0; do out+="\\x${h:$i:2}"; done
  done
  printf '\x93NUMPY\x01\x00\x76\x00%s%s\n' "$hdr" "$pad" >"$path"
  printf "$out" >>"$path"
}

e22=(--space eos --vocab 2 --horizon 2)
f22=(--space fixed --vocab 2 --horizon 2)
# E(2,2): rows root, (0), (1); columns 0, 1, EOS; tokens below the root are masked
csv_e22() { # PATH v(root,0) v(root,1) v(root,EOS) v(0,EOS) v(1,EOS)
  printf 'prompt,prefix,action,value\n0,,0,%s\n0,,1,%s\n0,,EOS,%s\n0,0,EOS,%s\n0,1,EOS,%s\n' \
    "$2" "$3" "$4" "$5" "$6" >"$1"
}
# F(2,2): rows root, (0), (1); columns 0, 1; tokens at depth 1 end the response
csv_f22() { # PATH v(root,0) v(root,1) v(0,0) v(0,1) v(1,0) v(1,1)
  printf 'prompt,prefix,action,value\n0,,0,%s\n0,,1,%s\n0,0,0,%s\n0,0,1,%s\n0,1,0,%s\n0,1,1,%s\n' \
    "$2" "$3" "$4" "$5" "$6" "$7" >"$1"
}
csv_e22 "$tmp/good.csv" 0.5 -0.25 1 0 2
csv_f22 "$tmp/goodf.csv" 0.5 -0.25 1 0 2 -1

# every command that reads table X (space options in "$@"), G a good table of the same space
matrix() { # X G space-options...
  local x=$1 g=$2
  shift 2
  run "$bin" map "$@" --in "$x" --out "$tmp/q.csv"
  run "$bin" map "$@" --in "$x" --out "$tmp/q.npy"
  run "$bin" unmap "$@" --in "$x" --out "$tmp/r.csv"
  run "$bin" unmap "$@" --in "$x" --out "$tmp/r.npy"
  run "$bin" check "$@" --rewards "$x" --logits "$g"
  run "$bin" check "$@" --rewards "$g" --logits "$x"
  run "$bin" verify C1 C2 "$@" --rewards "$x" --out "$tmp/v" --quiet
  run "$bin" verify distill "$@" --rewards "$x" --out "$tmp/v" --quiet
  run "$bin" verify distill "$@" --rewards "$g" --logits "$x" --out "$tmp/v" --quiet
}

# decimals, some beyond double range (CSV values are exact decimals of any size)
for v in 1e308 -1e308 1.7976931348623157e308 -1.7976931348623157e308 1e999 -1e999 \
         1e999999999 -1e999999999 4.9e-324 -4.9e-324 1e-999999999 745 -745; do
  csv_e22 "$tmp/x.csv" "$v" -0.25 1 0 2          # a token with a subtree below it
  matrix "$tmp/x.csv" "$tmp/good.csv" "${e22[@]}"
done
for v in 1e308 -1e999 1e999999999 4.9e-324 -745; do
  csv_e22 "$tmp/x.csv" 0.5 -0.25 1 0 "$v"        # EOS below the root
  matrix "$tmp/x.csv" "$tmp/good.csv" "${e22[@]}"
done
for v in 1e308 -1e999 1e999999999 -745; do
  csv_f22 "$tmp/x.csv" 0.5 "$v" 1 0 2 "$v"
  matrix "$tmp/x.csv" "$tmp/goodf.csv" "${f22[@]}"
done
# the same edges as float64 .npy (hex: 1e308, -1e308, max, -max, 5e-324, -5e-324, DBL_MIN,
# 745, -745) at the root's token 0; the rest 0.5 -0.25 1 | -inf -inf 0 | -inf -inf 2
ninf=fff0000000000000
for h in 7fe1ccf385ebc8a0 ffe1ccf385ebc8a0 7fefffffffffffff ffefffffffffffff 0000000000000001 \
         8000000000000001 0010000000000000 4087480000000000 c087480000000000; do
  npy "$tmp/x.npy" 3 3 "$h" bfd0000000000000 3ff0000000000000 $ninf $ninf 0000000000000000 \
      $ninf $ninf 4000000000000000
  matrix "$tmp/x.npy" "$tmp/good.csv" "${e22[@]}"
done

# item 1: the reported case, a valid <f8 table with 1e308 at an allowed entry, is a verdict
npy "$tmp/big.npy" 3 3 7fe1ccf385ebc8a0 bfd0000000000000 3ff0000000000000 $ninf $ninf \
    7fe1ccf385ebc8a0 $ninf $ninf 4000000000000000
csv_e22 "$tmp/big.csv" 1e308 -0.25 1 0 2
for x in big.npy big.csv; do
  run "$bin" verify C1 "${e22[@]}" --rewards "$tmp/$x" --out "$tmp/v" --quiet
  rc=$?
  [ "$rc" -le 1 ] || fail "verify C1 on $x: exit $rc, expected a verdict"
done

# check at a precision too low for 1e308: every printed bound is a bound (inf), never nan
run "$bin" check "${e22[@]}" --rewards "$tmp/big.csv" --logits "$tmp/good.csv" --prec 32 --max-prec 32
grep -qi nan "$tmp/out" && fail "check at 32 bits printed a NaN bound: $(cat "$tmp/out")"

# item 8: map would give q(root,0) = 1.7e308 + 1.7e308 (doubles) beyond float64: exit 2 naming the entry
# and suggesting .csv, no .npy written; the .csv holds it and unmap gives the table back
npy "$tmp/over.npy" 3 3 7fee42d130773b76 bfd0000000000000 3ff0000000000000 $ninf $ninf \
    7fee42d130773b76 $ninf $ninf 4000000000000000
csv_e22 "$tmp/over.csv" 1e999 -0.25 1 0 2
for x in over.npy over.csv; do
  rm -f "$tmp/q.npy"
  run "$bin" map "${e22[@]}" --in "$tmp/$x" --out "$tmp/q.npy"
  rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q 'q.npy: prompt 0, prefix "", action 0: .*float64.*\.csv' "$tmp/err"; then
    fail "map $x to .npy: exit $rc, stderr: $(cat "$tmp/err")"
  fi
  ls "$tmp" | grep -q '^q\.npy' && fail "map $x to .npy left a file behind"
done
run "$bin" map "${e22[@]}" --in "$tmp/over.npy" --out "$tmp/q.csv" &&
  run "$bin" unmap "${e22[@]}" --in "$tmp/q.csv" --out "$tmp/back.npy" &&
  cmp -s "$tmp/back.npy" "$tmp/over.npy" || fail "over.npy through q.csv and back differs"
grep -q '^0,,0,3.3999999999999999e+308$' "$tmp/q.csv" || fail "q.csv: $(sed -n 2p "$tmp/q.csv")"

# item 7: outputs that are exactly 0 from decimals that no float or ball holds exactly
csv_e22 "$tmp/zero.csv" 0.1 -0.25 1 -0.1 2      # q(root,0) = 0.1 + V(0) = 0.1 - 0.1
for o in q.csv q.npy; do
  run "$bin" map "${e22[@]}" --in "$tmp/zero.csv" --out "$tmp/$o"
  rc=$?
  [ "$rc" -eq 0 ] || fail "map zero.csv to $o: exit $rc, stderr: $(cat "$tmp/err")"
done
grep -q '^0,,0,0.0000000000000000e+00$' "$tmp/q.csv" || fail "map zero.csv: $(sed -n 2p "$tmp/q.csv")"
[ "$(od -A n -t x1 -j 128 -N 8 "$tmp/q.npy" | tr -d ' ')" = 0000000000000000 ] ||
  fail "map zero.csv to .npy: entry 0 is not +0"
csv_e22 "$tmp/zq.csv" 0.1 -0.25 1 0.1 2         # r(root,0) = 0.1 - V(0) = 0.1 - 0.1
run "$bin" unmap "${e22[@]}" --in "$tmp/zq.csv" --out "$tmp/r.csv"
rc=$?
[ "$rc" -eq 0 ] || fail "unmap zq.csv: exit $rc, stderr: $(cat "$tmp/err")"
grep -q '^0,,0,0.0000000000000000e+00$' "$tmp/r.csv" || fail "unmap zq.csv: $(sed -n 2p "$tmp/r.csv")"
# F(1,3): one response; q(root,0) = 0.1 + 0.2 - 0.3 = 0, q((0),0) = 0.2 - 0.3 is not
printf 'prompt,prefix,action,value\n0,,0,0.1\n0,0,0,0.2\n0,0 0,0,-0.3\n' >"$tmp/chain.csv"
run "$bin" map --space fixed --vocab 1 --horizon 3 --in "$tmp/chain.csv" --out "$tmp/q.csv"
rc=$?
[ "$rc" -eq 0 ] || fail "map chain.csv: exit $rc, stderr: $(cat "$tmp/err")"
printf 'prompt,prefix,action,value\n0,,0,0.0000000000000000e+00\n0,0,0,-1.0000000000000000e-01\n0,0 0,0,-3.0000000000000000e-01\n' |
  cmp -s - "$tmp/q.csv" || fail "map chain.csv: $(cat "$tmp/q.csv")"

# -inf at allowed entries (banned tokens, issue 13): every command that reads a table runs on
# it. E(2,2) with the root's token 1 banned: q = r + the child's value, exact here:
# q = (0.5 + 0, -inf, 1 | 0 | 2). F(2,2) with (0),1 and (1),1 banned: q(root,0) = 0.5 + 1,
# q(root,1) = -0.25 + 2. The same tables as .npy; and their maps given back by unmap.
csv_e22 "$tmp/ban.csv" 0.5 -inf 1 0 2
csv_f22 "$tmp/banf.csv" 0.5 -0.25 1 -inf 2 -inf
npy "$tmp/ban.npy" 3 3 3fe0000000000000 $ninf 3ff0000000000000 $ninf $ninf 0000000000000000 \
    $ninf $ninf 4000000000000000
npy "$tmp/banf.npy" 3 2 3fe0000000000000 bfd0000000000000 3ff0000000000000 $ninf 4000000000000000 $ninf
want_e='5.0000000000000000e-01 -inf 1.0000000000000000e+00 -inf -inf 0.0000000000000000e+00 -inf -inf 2.0000000000000000e+00'
want_f='1.5000000000000000e+00 1.7500000000000000e+00 1.0000000000000000e+00 -inf 2.0000000000000000e+00 -inf'
for x in ban.csv ban.npy banf.csv banf.npy; do
  case $x in ban.*) sp=("${e22[@]}") want=$want_e good=$tmp/good.csv ;; *) sp=("${f22[@]}") want=$want_f good=$tmp/goodf.csv ;; esac
  matrix "$tmp/$x" "$good" "${sp[@]}"
  run "$bin" map "${sp[@]}" --in "$tmp/$x" --out "$tmp/q.csv"
  rc=$?
  got=$(awk -F, 'NR > 1 { printf "%s%s", sep, $4; sep = " " }' "$tmp/q.csv")
  [ "$rc" -eq 0 ] && [ "$got" = "$want" ] || fail "map $x: exit $rc, q = $got, want $want; $(cat "$tmp/err")"
  run "$bin" map "${sp[@]}" --in "$tmp/$x" --out "$tmp/q.npy" || fail "map $x to .npy: $(cat "$tmp/err")"
  for q in q.csv q.npy; do
    run "$bin" unmap "${sp[@]}" --in "$tmp/$q" --out "$tmp/r.csv" || fail "unmap $q of $x: $(cat "$tmp/err")"
    run "$bin" unmap "${sp[@]}" --in "$tmp/$q" --out "$tmp/r.npy" || fail "unmap $q of $x to .npy: $(cat "$tmp/err")"
    run "$bin" map "${sp[@]}" --in "$tmp/r.npy" --out "$tmp/q2.csv"
    cmp -s "$tmp/q.csv" "$tmp/q2.csv" || fail "map(unmap($q)) of $x: $(cat "$tmp/q2.csv")"
    run "$bin" check "${sp[@]}" --rewards "$tmp/$x" --logits "$tmp/$q" --atol 0 ||
      fail "check $x against its map $q: $(cat "$tmp/out" "$tmp/err")"
  done
  run "$bin" verify C1 C2 "${sp[@]}" --rewards "$tmp/$x" --out "$tmp/v" --quiet
  rc=$?
  [ "$rc" -eq 0 ] && ! grep -qv ',verified,\|^claim,' "$tmp/v/claims.csv" ||
    fail "verify C1 C2 on $x: exit $rc, $(grep -v ',verified,' "$tmp/v/claims.csv" | head -3) $(cat "$tmp/err")"
  run "$bin" verify distill "${sp[@]}" --rewards "$tmp/$x" --out "$tmp/v" --quiet
  rc=$?
  [ "$rc" -eq 0 ] || fail "verify distill on $x: exit $rc, $(grep -v ',verified,' "$tmp/v/distill.csv" | head -3)"
  run "$bin" verify distill "${sp[@]}" --rewards "$tmp/$x" --logits "$tmp/q.npy" --out "$tmp/v" --quiet ||
    fail "verify distill on $x with its map as the student: $(cat "$tmp/err")"
done
# a logit where r bans: p_q puts mass where p_R has none, KL(p_q||p_R) = inf, said in words
run "$bin" map "${e22[@]}" --in "$tmp/ban.csv" --out "$tmp/q.csv"
awk -F, 'BEGIN { OFS = "," } NR == 3 { $4 = "0.25" } { print }' "$tmp/q.csv" >"$tmp/unban.csv"
run "$bin" check "${e22[@]}" --rewards "$tmp/ban.csv" --logits "$tmp/unban.csv"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'KL(p_Q||p_R) <= inf' "$tmp/out" &&
  grep -q 'KL(p_q||p_r) = inf: p_q puts mass on responses that p_r gives probability 0 (q finite, q\* = -inf at prompt 0 prefix () action 1)' "$tmp/out" ||
  fail "check of a logit that unbans: exit $rc, $(cat "$tmp/out" "$tmp/err")"
run "$bin" verify distill "${e22[@]}" --rewards "$tmp/ban.csv" --logits "$tmp/unban.csv" --out "$tmp/v" --quiet
rc=$?
[ "$rc" -eq 2 ] && grep -q "unban.csv: prompt 0, prefix \"\", action 1: finite, but the teacher's q\* = M(r) is -inf there" "$tmp/err" ||
  fail "distill student that unbans: exit $rc, $(cat "$tmp/err")"
# every root action banned: no response has positive probability, exit 2 for every command
csv_e22 "$tmp/dead.csv" -inf -inf -inf 0 2
for cmd in "map --in $tmp/dead.csv --out $tmp/q.csv" "check --rewards $tmp/dead.csv --logits $tmp/good.csv" \
           "verify C2 --rewards $tmp/dead.csv --out $tmp/v" "verify distill --rewards $tmp/dead.csv --out $tmp/v"; do
  run "$bin" $cmd "${e22[@]}"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q 'dead.csv: prompt 0: every response has reward -inf (V = -inf at the root), so p_R is not defined' "$tmp/err" ||
    fail "${cmd%% *} on a dead root: exit $rc, $(cat "$tmp/err")"
done
run "$bin" unmap "${e22[@]}" --in "$tmp/dead.csv" --out "$tmp/r.csv"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'dead.csv: prompt 0: every logit of the root row is -inf, so p_q is not defined' "$tmp/err" ||
  fail "unmap of a dead root: exit $rc, $(cat "$tmp/err")"
# F(2,2) with the row of (1) banned: V(1) = -inf, so q(root,1) = -inf whatever r(root,1) is. M
# is not injective there: C1 and unmap refuse, naming the entry; map, C2 and check run
csv_f22 "$tmp/deadrow.csv" 0.5 -0.25 1 0 -inf -inf
run "$bin" verify C1 "${f22[@]}" --rewards "$tmp/deadrow.csv" --out "$tmp/v" --quiet
rc=$?
[ "$rc" -eq 2 ] && grep -q 'deadrow.csv: prompt 0, prefix "", action 1: every response through this entry has reward -inf (V = -inf at prompt 0, prefix "1"), so M(r) is -inf there whatever its reward: M is not injective on this table' "$tmp/err" ||
  fail "verify C1 on a state of value -inf: exit $rc, $(cat "$tmp/err")"
run "$bin" map "${f22[@]}" --in "$tmp/deadrow.csv" --out "$tmp/q.csv" || fail "map deadrow.csv: $(cat "$tmp/err")"
run "$bin" unmap "${f22[@]}" --in "$tmp/q.csv" --out "$tmp/r.csv"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'q.csv: prompt 0, prefix "", action 1: the logits of its child (prompt 0, prefix "1") are all -inf (V_q = -inf), so M^-1 cannot determine the reward here' "$tmp/err" ||
  fail "unmap of a row of -inf: exit $rc, $(cat "$tmp/err")"
run "$bin" check "${f22[@]}" --rewards "$tmp/deadrow.csv" --logits "$tmp/q.csv" || fail "check deadrow.csv: $(cat "$tmp/out")"
run "$bin" verify C2 "${f22[@]}" --rewards "$tmp/deadrow.csv" --out "$tmp/v" --quiet ||
  fail "verify C2 on deadrow.csv: $(grep -v ',verified,' "$tmp/v/claims.csv")"

# generated instances and the streaming walks at the precision floor (32 bits, no escalation):
# a verdict, undecided allowed
run "$bin" verify --stream "${e22[@]}" --prec 32 --max-prec 32 --out "$tmp/v" --quiet
run "$bin" verify C1 C2 C3 C4 C5 C6 "${e22[@]}" --prec 32 --max-prec 32 --out "$tmp/v" --quiet
run "$bin" verify distill "${f22[@]}" --prec 32 --max-prec 32 --out "$tmp/v" --quiet

# train: a learning rate of 1e308 drives the iterates to +-1e306 by step 2; the certified
# upper bounds (gaps, KL) must stay upper bounds (they once read 0 from a NaN) and decide
run "$bin" train --space fixed --vocab 2 --horizon 2 --lr 1e308 --steps 5 --seeds 1 --targets zipf \
  --out "$tmp/t" --quiet
rc=$?
[ "$rc" -eq 0 ] || fail "train --lr 1e308: exit $rc, stderr: $(cat "$tmp/err")"
bad=$(sed 's/^"[^"]*",//' "$tmp/t/train.csv" |
  awk -F, '$2 == "1e+308" && $4 >= 2 && ($6 + 0 < 1e300 || $7 + 0 < 1e300 || $10 + 0 < 1e300)')
[ -z "$bad" ] || fail "train --lr 1e308: upper bounds below the diverged KL: $bad"

echo "cli-extremes: $pass runs passed, $fails failed"
[ "$fails" -eq 0 ]
