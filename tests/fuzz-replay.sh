#!/bin/bash
# Replays every committed fuzz input (tests/fuzz/corpus/H and tests/fuzz/regress/H: the seeds
# and each input a fuzzer once crashed on) through harness H built with the ordinary compiler,
# so the fixed parser faults stay fixed without clang. Under --enable-sanitizers or valgrind
# (LOG_COMPILER) the replays are checked by those too.
set -u
src=${top_srcdir:-.}
bld=${top_builddir:-.}
fail=0
for h in npy csv data options; do
  n=$(ls "$src/tests/fuzz/regress/$h" 2>/dev/null | wc -l)
  if ! out=$("$bld/tests/fuzz/replay-$h" "$src/tests/fuzz/corpus/$h" "$src/tests/fuzz/regress/$h" 2>/dev/null); then
    echo "FAIL: replay-$h crashed or failed on an input of tests/fuzz/{corpus,regress}/$h" >&2
    fail=1
    continue
  fi
  echo "$h: $out ($n regression files)"
  case $out in "replay: 0 inputs"*) echo "FAIL: no inputs for $h" >&2; fail=1 ;; esac
done
exit $fail
