#!/bin/bash
# Output sets (issue 9, items 4-6): a run that fails or is killed before its tables are all
# written leaves the previous set byte-identical and no temporary behind; a second run into a
# directory in use exits 2.
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-outset.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

small=(verify C1 --space fixed --vocab 2 --horizon 2 --quiet)
# the previous set: seeds 1; every new run below uses seeds 2, whose rows differ
"$bin" "${small[@]}" --seeds 1 --out "$tmp/old" || fail "setup run"
"$bin" "${small[@]}" --seeds 2 --out "$tmp/new" || fail "setup run 2"
cmp -s "$tmp/old/claims.csv" "$tmp/new/claims.csv" && fail "seeds 1 and 2 give the same rows: the tests below prove nothing"

fresh() { rm -rf "$tmp/d"; cp -a "$tmp/old" "$tmp/d"; }
# the set in $tmp/d is still the old one, byte for byte, and nothing else is there
intact() {
  local what=$1 f
  for f in claims.csv claims.jsonl claims.md claims.tex; do
    cmp -s "$tmp/old/$f" "$tmp/d/$f" || { fail "$what: $f was replaced (half-replaced set)"; return; }
  done
  f=$(find "$tmp/d" -name '*.tmp.*' -o -name '.armebm.lock')
  [ -z "$f" ] || { fail "$what: left behind: $f"; return; }
  ok
}

# item 4: a write that fails part-way through the set (a file-size limit of 2 KiB: claims.csv
# fits, claims.jsonl does not), with SIGXFSZ ignored so that write() reports EFBIG
size_csv=$(wc -c <"$tmp/new/claims.csv")
size_jsonl=$(wc -c <"$tmp/new/claims.jsonl")
if [ "$size_csv" -lt 2048 ] && [ "$size_jsonl" -gt 2048 ]; then
  fresh
  (trap '' XFSZ; ulimit -f 2; exec "$bin" "${small[@]}" --seeds 2 --out "$tmp/d") 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "claims.jsonl: write failed" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] ||
    { fail "failed write: exit $rc, stderr:"; cat "$tmp/err"; }
  intact "failed write"
else
  fail "sizes changed (claims.csv $size_csv, claims.jsonl $size_jsonl bytes): adjust the 2 KiB limit"
fi

# item 4: a target that cannot be replaced (a directory where claims.tex goes) is found before
# any file is renamed
fresh
rm "$tmp/d/claims.tex"
mkdir "$tmp/d/claims.tex"
"$bin" "${small[@]}" --seeds 2 --out "$tmp/d" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "claims.tex: is a directory" "$tmp/err" || { fail "directory target: exit $rc:"; cat "$tmp/err"; }
rmdir "$tmp/d/claims.tex" && cp "$tmp/old/claims.tex" "$tmp/d/claims.tex"
intact "directory target"

# item 6: the same limit with SIGXFSZ at its default (terminate): cleaned up like SIGINT
fresh
(ulimit -f 2; exec "$bin" "${small[@]}" --seeds 2 --out "$tmp/d") 2>/dev/null
rc=$?
[ "$rc" -eq $((128 + 25)) ] || fail "SIGXFSZ: exit $rc (want 153)"
intact "SIGXFSZ"

# item 6: every terminating signal, delivered while the whole set is written and about to be
# renamed (the test-only hook AE_TEST_HOLD_COMMIT=SECONDS waits there)
wait_for_temps() {
  local i
  for i in $(seq 1 200); do
    [ "$(find "$tmp/d" -name '*.tmp.*' | wc -l)" -ge 4 ] && return 0
    sleep 0.05
  done
  return 1
}
set -m # with job control, background runs do not start with SIGINT and SIGQUIT ignored
for sig in HUP INT QUIT TERM PIPE ALRM USR1 USR2; do
  fresh
  AE_TEST_HOLD_COMMIT=30 "$bin" "${small[@]}" --seeds 2 --out "$tmp/d" 2>/dev/null &
  pid=$!
  if ! wait_for_temps; then
    fail "SIG$sig: the run never reached its commit"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    continue
  fi
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  num=$(kill -l "$sig")
  [ "$rc" -eq $((128 + num)) ] || fail "SIG$sig: exit $rc (want $((128 + num)))"
  intact "SIG$sig"
done

# item 6: the figures of verify distill are staged in a directory of their own; a signal
# then removes the staged files and the staging directory too
rm -rf "$tmp/d"
mkdir "$tmp/d"
AE_TEST_HOLD_COMMIT=30 "$bin" verify distill --space eos --vocab 2 --horizon 2 --seeds 1 --quiet \
  --out "$tmp/d" 2>/dev/null &
pid=$!
for i in $(seq 1 600); do
  [ -n "$(find "$tmp/d" -name '.stage.tmp.*')" ] && [ "$(find "$tmp/d" -name '*.tmp.*' | wc -l)" -ge 9 ] && break
  sleep 0.05
done
kill -HUP "$pid"
wait "$pid"
left=$(find "$tmp/d" -name '*.tmp.*' -o -name '.armebm.lock' -o -name '*.csv' -o -name '*.dat')
[ -z "$left" ] && ok || fail "distill interrupted: left behind: $left"
# uninterrupted, the same run commits everything, figures included, and nothing else stays
"$bin" verify distill --space eos --vocab 2 --horizon 2 --seeds 1 --quiet --out "$tmp/d"
left=$(find "$tmp/d" -name '*.tmp.*' -o -name '.armebm.lock')
[ -z "$left" ] && [ -s "$tmp/d/distill.csv" ] && [ -s "$tmp/d/figures/kl-vs-eps.dat" ] && ok ||
  fail "distill: missing files or left behind: $left"

# item 5: a second run into a directory in use exits 2 at once, touching nothing
fresh
AE_TEST_HOLD_COMMIT=30 "$bin" "${small[@]}" --seeds 2 --out "$tmp/d" 2>/dev/null &
pid=$!
if wait_for_temps; then
  "$bin" "${small[@]}" --seeds 3 --out "$tmp/d" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "directory in use by another armebm run" "$tmp/err" &&
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || { fail "second run: exit $rc, stderr:"; cat "$tmp/err"; }
  "$bin" train --steps 2 --space fixed --vocab 2 --horizon 2 --targets zipf --seeds 1 --quiet \
    --out "$tmp/d" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "directory in use" "$tmp/err" && ok || fail "train into a directory in use: exit $rc"
else
  fail "lock: the first run never reached its commit"
fi
kill -TERM "$pid"
wait "$pid"
intact "lock holder interrupted"
# and once the directory is free again, a run takes it
"$bin" "${small[@]}" --seeds 2 --out "$tmp/d" && cmp -s "$tmp/new/claims.tex" "$tmp/d/claims.tex" && ok ||
  fail "a run after the lock was released did not write its set"

# a signal that was ignored when armebm started (nohup, `cmd &`) stays ignored
fresh
(trap '' HUP; AE_TEST_HOLD_COMMIT=2 exec "$bin" "${small[@]}" --seeds 2 --out "$tmp/d" 2>/dev/null) &
pid=$!
wait_for_temps && kill -HUP "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && cmp -s "$tmp/new/claims.csv" "$tmp/d/claims.csv" && ok || fail "ignored SIGHUP: exit $rc"

echo "cli-outset: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
