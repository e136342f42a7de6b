#!/bin/bash
# The mutation test of the fast arithmetic: tests/t-interval built with the kernels' error
# bounds dropped (mut1) or set below their real error (mut2) must fail its containment tests;
# this test passes when both mutants are caught and fails when either survives.
set -u
b="${top_builddir:-.}/tests"
fails=0
for m in mut1 mut2; do
  out=$(CK_FORK=yes AE_TEST_MULTIPLIER=0.01 "$b/t-interval-$m" 2>&1)
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "FAIL: mutant $m survived (t-interval passed with the error bound mutated)"
    fails=$((fails + 1))
  elif ! printf '%s\n' "$out" | grep -q "does not contain\|misses"; then
    echo "FAIL: mutant $m failed for another reason than containment: $(printf '%s\n' "$out" | tail -5)"
    fails=$((fails + 1))
  else
    echo "mutant $m caught: $(printf '%s\n' "$out" | grep -m1 'does not contain\|misses')"
  fi
done
[ "$fails" -eq 0 ]
