#!/bin/bash
# Memory bombs from arguments (issue 9, item 2): a run is refused with exit 2 and one line
# naming the bytes needed and --max-memory before anything large is allocated, and a bad input
# file is reported before the tables for it are allocated. Runs under an address-space ulimit,
# so that an allocation made too early aborts instead of passing unnoticed.
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-memory.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
cap=1500000 # KiB of address space for every command below (tables of F(2,28) need 51 GB)
# a sanitizer build reserves terabytes of shadow address space: it cannot start under a cap
{ (ulimit -v $cap; exec "$bin" --version) >/dev/null 2>&1; } 2>/dev/null || cap=unlimited

# expect CODE PATTERN -- command...: exit code, one stderr line matching PATTERN
expect() {
  local code=$1 pat=$2; shift 3
  (ulimit -v $cap; exec "$@") >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne "$code" ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pat" "$tmp/err"; then
    echo "FAIL: $* -> exit $rc (want $code), stderr ($lines lines):"; cat "$tmp/err"
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

# .npy v1.0 header for a float64 table of shape ($1, $2), padded to 64 bytes, no data
npy_header() {
  local dict="{'descr': '<f8', 'fortran_order': False, 'shape': ($1, $2), }"
  local len=$(( (10 + ${#dict} + 1 + 63) / 64 * 64 - 10 ))
  printf '\x93NUMPY\x01\x00'
  printf "\\x$(printf %02x $((len % 256)))\\x$(printf %02x $((len / 256)))"
  printf '%-*s\n' $((len - 1)) "$dict"
}

: >"$tmp/empty.npy"
: >"$tmp/empty.csv"
npy_header 268435455 2 >"$tmp/f2-28.npy"      # F(2,28): right shape, data missing
npy_header 7 2 >"$tmp/f2-3-header.npy"
printf 'prompt,prefix,action,value\n' >"$tmp/header.csv"

# the issue's commands: the input is read before the 2 x 25.7 GB tables are allocated
expect 2 "empty.npy:byte 0: empty file" -- "$bin" map --space fixed --vocab 2 --horizon 28 --in "$tmp/empty.npy" --out "$tmp/x.npy"
expect 2 "empty.npy:byte 0: empty file" -- "$bin" unmap --space eos --vocab 20000 --horizon 2 --in "$tmp/empty.npy" --out "$tmp/x.npy"
expect 2 "empty.csv:line 1: empty file" -- "$bin" map --space fixed --vocab 10000 --horizon 2 --in "$tmp/empty.csv" --out "$tmp/x.npy"
expect 2 "f2-28.npy:byte 128: data truncated" -- "$bin" map --space fixed --vocab 2 --horizon 28 --in "$tmp/f2-28.npy" --out "$tmp/x.npy"
expect 2 "f2-3-header.npy:byte 60: shape (7, 2) does not match space F(2,28)" -- "$bin" map --space fixed --vocab 2 --horizon 28 --in "$tmp/f2-3-header.npy" --out "$tmp/x.npy"
expect 2 "empty.npy:byte 0: empty file" -- "$bin" check --space fixed --vocab 2 --horizon 28 --rewards "$tmp/empty.npy" --logits "$tmp/empty.npy"
expect 2 "f2-28.npy:byte 128: data truncated" -- "$bin" verify C1 --space fixed --vocab 2 --horizon 28 --rewards "$tmp/f2-28.npy" --out "$tmp/o"
expect 2 "none.txt: cannot open" -- "$bin" verify C6 --space fixed --vocab 2 --horizon 28 --prompts 1 --data "$tmp/none.txt" --out "$tmp/o"
# with a readable header the size decides: the default limit (half of the RAM or of the ulimit)
expect 2 "map on space F(2,28) .* needs about [0-9]* bytes .* above --max-memory" -- "$bin" map --space fixed --vocab 2 --horizon 28 --in "$tmp/header.csv" --out "$tmp/x.npy"
expect 2 "C1-C6 on space F(2,28) with 1 prompt(s) at 128 bits needs about .* above --max-memory" -- "$bin" verify C1 --space fixed --vocab 2 --horizon 28 --prompts 1 --out "$tmp/o"
expect 2 "distill on space E(2,27).*above --max-memory" -- "$bin" verify distill --space eos --vocab 2 --horizon 27 --prompts 1 --out "$tmp/o"
expect 2 "train on space F(2,28).*above --max-memory" -- "$bin" train --space fixed --vocab 2 --horizon 28 --out "$tmp/o"
[ ! -e "$tmp/o" ] && pass=$((pass + 1)) || { echo "FAIL: a refused run created its output directory"; fails=$((fails + 1)); }

# the estimate of map: two tables of S*A balls (48 bytes each at 128 bits) and 16 bytes per
# entry for reading; F(2,3) has S*A = 7*2 entries: 14 * 112 = 1568 bytes
cat >"$tmp/f23.csv" <<'CSV'
prompt,prefix,action,value
0,,0,1
0,,1,2
0,0,0,3
0,0,1,4
0,1,0,5
0,1,1,6
0,0 0,0,7
0,0 0,1,8
0,0 1,0,9
0,0 1,1,10
0,1 0,0,11
0,1 0,1,12
0,1 1,0,13
0,1 1,1,14
CSV
expect 2 "needs about 1568 bytes (1.5 KiB) of memory, above --max-memory 1567 bytes" -- "$bin" map --space fixed --vocab 2 --horizon 3 --in "$tmp/f23.csv" --out "$tmp/q.csv" --max-memory 1567
if (ulimit -v $cap; exec "$bin" map --space fixed --vocab 2 --horizon 3 --in "$tmp/f23.csv" --out "$tmp/q.csv" --max-memory 1568) && [ -s "$tmp/q.csv" ]; then
  pass=$((pass + 1))
else
  echo "FAIL: map within --max-memory 1568"; fails=$((fails + 1))
fi
# escalating the precision re-checks the limit: at 256 bits a ball carries a 4-limb mantissa
expect 2 "map on space F(2,3) with 1 prompt(s) at 256 bits needs about" -- "$bin" map --space fixed --vocab 2 --horizon 3 --in "$tmp/f23.csv" --out "$tmp/q.csv" --digits 60 --max-memory 1568
# suffixes are binary multiples
expect 2 "above --max-memory 1024 bytes (1.0 KiB)" -- "$bin" map --space fixed --vocab 2 --horizon 3 --in "$tmp/f23.csv" --out "$tmp/q.csv" --max-memory 1k
expect 2 "at 128 bits needs about .* above --max-memory 1048576 bytes (1.0 MiB)" -- "$bin" verify C1 C2 --space fixed --vocab 4 --horizon 8 --out "$tmp/o" --max-memory 1M
expect 2 "stream on space F(2,30).*above --max-memory 65536 bytes" -- "$bin" verify --stream --space fixed --vocab 2 --horizon 30 --max-work 5000000000 --out "$tmp/o" --max-memory 64K
expect 2 "check on space F(2,3).*above --max-memory" -- "$bin" check --space fixed --vocab 2 --horizon 3 --rewards "$tmp/f23.csv" --logits "$tmp/f23.csv" --max-memory 1k
expect 2 "C1 C2 on space F(2,3).*above --max-memory" -- "$bin" verify C1 --space fixed --vocab 2 --horizon 3 --rewards "$tmp/f23.csv" --out "$tmp/o" --max-memory 1k
expect 2 "C1-C6 on space F(8,4)" -- "$bin" verify --out "$tmp/o" --max-memory 2M
for bad in 0 -5 5X 1.5G 99999999999T G 12KB ''; do
  expect 2 "max-memory: '$bad' is not a positive number of bytes" -- "$bin" count --space eos --vocab 2 --horizon 2 --max-memory "$bad"
done
# count shows the estimates against the limit, and never refuses
out=$("$bin" count --space fixed --vocab 2 --horizon 28 --max-memory 1G)
grep -q "^memory     ~56 GiB for map/unmap at --prec 128 (above --max-memory)$" <<<"$out" && pass=$((pass + 1)) ||
  { echo "FAIL: count memory lines:"; echo "$out"; fails=$((fails + 1)); }

echo "cli-memory: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
