#!/bin/bash
# `make fuzz`: builds the libFuzzer harnesses (fz-*.c) with clang, ASan and UBSan, and runs
# each for FUZZ_SECONDS (default 60) on a copy of its committed corpus plus its regression
# inputs. Without clang and libFuzzer (Debian: clang libclang-rt-14-dev) it says so and
# exits 0, so `make fuzz` never breaks a build that lacks them. Exits 1 when a harness found a
# crash, a leak or undefined behaviour; the input is left in tests/fuzz/build/ and the log
# tells how to turn it into a regression file.
# Environment (set by Makefile.am): srcdir builddir FUZZ_SOURCES FUZZ_CPPFLAGS FUZZ_LIBS;
# optional FUZZ_CC (clang), FUZZ_SECONDS, FUZZ_HARNESSES (default "npy csv data options").
set -u
cc=${FUZZ_CC:-clang}
secs=${FUZZ_SECONDS:-60}
harnesses=${FUZZ_HARNESSES:-npy csv data options}
src=$srcdir
out=$builddir/tests/fuzz/build
mkdir -p "$out/obj" || exit 1

case $secs in ''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS='$secs' is not a number of seconds" >&2; exit 2 ;; esac
probe=$out/probe.c
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; return (int)n * 0; }' > "$probe"
if ! command -v "$cc" >/dev/null 2>&1 ||
   ! "$cc" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" >/dev/null 2>&1; then
  echo "fuzz: skipped: '$cc' with libFuzzer not found (Debian: apt-get install clang libclang-rt-14-dev, or ./setup.sh fuzz)"
  exit 0
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 -std=c11 $san -fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS -I$src/src -I$src/tests/fuzz"
# a header newer than an object rebuilds it
newest_h=$(ls -t "$src"/src/*.h "$src"/src/*/*.h "$src"/tests/fuzz/*.h config.h 2>/dev/null | head -1)
objs=""
for f in $FUZZ_SOURCES src/cli/options.c; do
  case $f in *.c) ;; *) continue ;; esac
  o=$out/obj/$(echo "${f%.c}" | tr / _).o
  if [ ! -f "$o" ] || [ "$src/$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
    # a file that needs what clang lacks here (omp.h) is left out; the link says if it was needed
    "$cc" $cflags -c "$src/$f" -o "$o" 2>"$o.err" || { rm -f "$o"; continue; }
  fi
  objs="$objs $o"
done
rm -f "$out/libfuzz.a"
ar rcs "$out/libfuzz.a" $objs || exit 1

status=0
for h in $harnesses; do
  exe=$out/fz-$h
  if ! "$cc" $cflags -c "$src/tests/fuzz/fz-$h.c" -o "$out/fz-$h.o" ||
     ! "$cc" $san -fsanitize=fuzzer "$out/fz-$h.o" "$out/libfuzz.a" $FUZZ_LIBS -o "$exe"; then
    echo "fuzz: $h: build failed" >&2
    exit 1
  fi
  work=$out/corpus-$h
  mkdir -p "$work"
  log=$out/fz-$h.log
  echo "fuzz: $h: ${secs}s, corpus $work (log $log)"
  # one process on one core; new inputs go to the first directory, never to the committed ones
  (cd "$out" && "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
     -print_final_stats=1 -artifact_prefix="$out/$h-" \
     "$work" "$src/tests/fuzz/corpus/$h" "$src/tests/fuzz/regress/$h") >"$log" 2>&1
  rc=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed "s/^/fuzz: $h: /"
  if [ $rc -ne 0 ]; then
    status=1
    grep -E 'ERROR: |SUMMARY: |^artifact_prefix|Test unit written' "$log" | sed "s/^/fuzz: $h: /"
    echo "fuzz: $h: FAILED (exit $rc): fix the parser, then add the input to tests/fuzz/regress/$h/ so that make check replays it" >&2
  fi
done
exit $status
