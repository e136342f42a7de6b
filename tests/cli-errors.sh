#!/bin/bash
# Bad usage and bad input through the CLI: exit code 2, one line on stderr naming the file and
# the place, and no output file left behind.
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-cli-errors.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0

# expect CODE PATTERN -- command...: exit code, one stderr line matching PATTERN
expect() {
  local code=$1 pat=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne "$code" ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pat" "$tmp/err"; then
    echo "FAIL: $* -> exit $rc (want $code), stderr ($lines lines):"; cat "$tmp/err"
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

sp=(--space eos --vocab 2 --horizon 2)
# a valid E(2,2) reward table: states root,(0),(1); columns 0,1,EOS
cat >"$tmp/good.csv" <<'CSV'
prompt,prefix,action,value
0,,0,0.5
0,,1,-0.25
0,,EOS,1
0,0,EOS,0
0,1,EOS,2
CSV

expect 2 "unknown command" -- "$bin" frobnicate
expect 2 "unknown option '--bogus'" -- "$bin" count --bogus
expect 2 "vocab.*not an integer" -- "$bin" count --space eos --vocab 0 --horizon 3
expect 2 "horizon.*not an integer" -- "$bin" count --space eos --vocab 2 --horizon 65
expect 2 "horizon.*not an integer" -- "$bin" count --space eos --vocab 2 --horizon 3x
expect 2 "--space: 'ragged' is not 'fixed', 'eos' or a results row's space such as 'E(8,4) P=2'" -- "$bin" count --space ragged --vocab 2 --horizon 3
expect 2 "--horizon disagrees with --space 'E(8,4)'" -- "$bin" count --space 'E(8,4)' --horizon 3
expect 2 "--space: 'E(8,4)P=2' is not 'fixed', 'eos'" -- "$bin" count --space 'E(8,4)P=2'
expect 2 "--space 'F(8,0)': V must be in" -- "$bin" count --space 'F(8,0)'
# a row's space sets V, T and P
"$bin" count --space 'E(8,4) P=2' >"$tmp/out" && grep -q '^prompts  *2$' "$tmp/out" && grep -q '^responses  *585$' "$tmp/out" \
  && pass=$((pass + 1)) || { echo "FAIL: count --space 'E(8,4) P=2': $(cat "$tmp/out")"; fails=$((fails + 1)); }
expect 2 "required" -- "$bin" count --space eos --vocab 2
expect 2 "max-work" -- "$bin" verify C1 --space fixed --vocab 16 --horizon 8 --max-work 1000
expect 2 "4294967296 responses" -- "$bin" verify C1 --space fixed --vocab 16 --horizon 8 --max-work 1000
expect 2 "unknown claim" -- "$bin" verify C12
expect 2 "stream checks C1-C4" -- "$bin" verify C5 --stream --space eos --vocab 2 --horizon 3
expect 2 "stream checks C1-C4" -- "$bin" verify --stream
expect 2 "stream checks C1-C4" -- "$bin" verify C2 --stream "${sp[@]}" --rewards "$tmp/good.csv"
expect 2 "max-prec 32 is below --prec 64" -- "$bin" count --space eos --vocab 2 --horizon 2 --prec 64 --max-prec 32
expect 2 "needs --rewards" -- "$bin" verify distill --space eos --vocab 2 --horizon 2 --logits "$tmp/good.csv"
expect 2 "C3 is checked on generated instances only" -- "$bin" verify C3 "${sp[@]}" --rewards "$tmp/good.csv"
expect 2 "seeds" -- "$bin" verify --seeds 1,,2
expect 2 "tol" -- "$bin" check "${sp[@]}" --rewards "$tmp/good.csv" --logits "$tmp/good.csv" --tol nan
expect 2 "required" -- "$bin" map "${sp[@]}" --in "$tmp/good.csv"

# input files: each names the file and the line or byte
bad() { # name content pattern
  printf '%b' "$2" >"$tmp/$1"
  expect 2 "$tmp/$1.*$3" -- "$bin" map "${sp[@]}" --in "$tmp/$1" --out "$tmp/out-$1"
  if ls "$tmp" | grep -q "^out-$1"; then
    echo "FAIL: output file left behind for $1"; fails=$((fails + 1))
  fi
}
hdr='prompt,prefix,action,value\n'
bad missing.csv "${hdr}0,,0,0.5\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n" "missing"
bad dup.csv "${hdr}0,,0,0.5\n0,,0,0.5\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,1,EOS,2\n" "line 3"
bad token.csv "${hdr}0,,0,0.5\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,7,EOS,2\n" "line 6"
bad action.csv "${hdr}0,,0,0.5\n0,,5,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,1,EOS,2\n" "line 3"
bad nan.csv "${hdr}0,,0,nan\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,1,EOS,2\n" "line 2"
bad pinf.csv "${hdr}0,,0,inf\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,1,EOS,2\n" "line 2"
bad masked.csv "${hdr}0,,0,0.5\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,1,EOS,2\n0,1,0,3\n" "line 7"
bad garbage.csv "${hdr}0,,0,1.2.3\n0,,1,-0.25\n0,,EOS,1\n0,0,EOS,0\n0,1,EOS,2\n" "line 2"
bad header.csv "p,prefix,action,value\n0,,0,1\n" "line 1"
bad deep.csv "${hdr}0,1 1,EOS,0\n" "line 2"
bad empty.csv "" ""
bad magic.npy '\x93NUMPZ\x01\x00\x10\x00' "byte"
bad trunc.npy '\x93NUMPY\x01\x00\x76\x00{' "byte"
hdr_npy="{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }"
printf -v pad '%*s' $((118 - ${#hdr_npy})) ''
bad shortdata.npy "\x93NUMPY\x01\x00\x76\x00${hdr_npy}${pad}\n\x00\x00" "byte"
hdr_i4="{'descr': '<i4', 'fortran_order': False, 'shape': (3, 3), }"
printf -v pad4 '%*s' $((118 - ${#hdr_i4})) ''
bad dtype.npy "\x93NUMPY\x01\x00\x76\x00${hdr_i4}${pad4}\n" "i4"
hdr_sh="{'descr': '<f8', 'fortran_order': False, 'shape': (4, 3), }"
printf -v padsh '%*s' $((118 - ${#hdr_sh})) ''
bad shape.npy "\x93NUMPY\x01\x00\x76\x00${hdr_sh}${padsh}\n" "shape"
# map --scores: one finite score per response of E(2,2) (3 responses: EOS, 0 EOS, 1 EOS)
hdr_sc="{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
printf -v padsc '%*s' $((117 - ${#hdr_sc})) '' # 118 header bytes with the newline
z8='\x00\x00\x00\x00\x00\x00\x00\x00'
printf "\x93NUMPY\x01\x00\x76\x00${hdr_sc}${padsc}\n${z8}${z8}${z8}" >"$tmp/scores.npy"
printf "\x93NUMPY\x01\x00\x76\x00${hdr_sc}${padsc}\n${z8}\x00\x00\x00\x00\x00\x00\xf8\x7f${z8}" >"$tmp/nanscore.npy"
hdr_sc4="{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"
printf "\x93NUMPY\x01\x00\x76\x00${hdr_sc4}${padsc}\n${z8}${z8}${z8}${z8}" >"$tmp/score4.npy"
if "$bin" map "${sp[@]}" --scores "$tmp/scores.npy" --out "$tmp/qs.csv" && grep -q '^0,,EOS,0' "$tmp/qs.csv"; then
  pass=$((pass + 1))
else
  echo "FAIL: map --scores on a good file"; fails=$((fails + 1))
fi
expect 2 'nanscore.npy:byte 136: NaN at prompt 0, response "0" (rank 1) (a score must be finite)' -- \
  "$bin" map "${sp[@]}" --scores "$tmp/nanscore.npy" --out "$tmp/q.npy"
expect 2 "score4.npy:byte 60: shape (4,) does not match space E(2,2) with 1 prompt: expected one score per response, (3,) or (1, 3)" -- \
  "$bin" map "${sp[@]}" --scores "$tmp/score4.npy" --out "$tmp/q.npy"
expect 2 "good.csv: scores are read from a .npy file" -- "$bin" map "${sp[@]}" --scores "$tmp/good.csv" --out "$tmp/q.npy"
# verify C6 --data: a .npy or .csv file of probabilities rho(x,y), one per response (E(2,2):
# "", "0", "1"); values finite and >= 0, each prompt some mass, the total within 1e-6 of 1
half='\x00\x00\x00\x00\x00\x00\xe0\x3f' quarter='\x00\x00\x00\x00\x00\x00\xd0\x3f'
one='\x00\x00\x00\x00\x00\x00\xf0\x3f' mquarter='\x00\x00\x00\x00\x00\x00\xd0\xbf' tq='\x00\x00\x00\x00\x00\x00\xe8\x3f'
nan='\x00\x00\x00\x00\x00\x00\xf8\x7f'
rho_npy() { printf "\x93NUMPY\x01\x00\x76\x00${3:-$hdr_sc}${padsc}\n$2" >"$tmp/$1"; }
rho_npy rho.npy "$half$quarter$quarter"
rho_npy rhoneg.npy "$half$tq$mquarter"
rho_npy rhonan.npy "$half$nan$half"
rho_npy rho2.npy "$one$half$half"
rho_npy rho4.npy "$half$quarter$quarter$z8" "$hdr_sc4"
c6=(verify C6 "${sp[@]}" --out "$tmp/c6" --quiet --data)
if "$bin" "${c6[@]}" "$tmp/rho.npy" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && grep -q ',file:.*rho.npy,exact,' "$tmp/c6/claims.csv"; then
  pass=$((pass + 1))
else
  echo "FAIL: verify C6 --data on a good .npy of probabilities: $(cat "$tmp/err")"; fails=$((fails + 1))
fi
expect 2 'rhoneg.npy:byte 144: negative value -0.25 at prompt 0, response "1" (rank 2) (a probability must be >= 0)' -- "$bin" "${c6[@]}" "$tmp/rhoneg.npy"
expect 2 'rhonan.npy:byte 136: NaN at prompt 0, response "0" (rank 1) (a probability must be finite)' -- "$bin" "${c6[@]}" "$tmp/rhonan.npy"
expect 2 'rho2.npy: the probabilities sum to 2, not 1 (within 1e-6' -- "$bin" "${c6[@]}" "$tmp/rho2.npy"
expect 2 'rho4.npy:byte 60: shape (4,) does not match space E(2,2) with 1 prompt: expected one probability per response, (3,) or (1, 3)' -- "$bin" "${c6[@]}" "$tmp/rho4.npy"
printf 'prompt,response,value\n0,,1/3\n0,0,1/3\n0,1,1/3\n' >"$tmp/rho3.csv"
printf 'prompt,response,value\n0,,0.333333\n0,0,0.333333\n0,1,0.333334\n' >"$tmp/rho3d.csv"
printf 'prompt,response,value\n0,,0.333333\n0,0,0.333333\n0,1,0.333333\n' >"$tmp/rho3r.csv"
if "$bin" "${c6[@]}" "$tmp/rho3.csv" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && "$bin" "${c6[@]}" "$tmp/rho3d.csv" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
  pass=$((pass + 1))
else
  echo "FAIL: verify C6 --data on exact CSV probabilities: $(cat "$tmp/err")"; fails=$((fails + 1))
fi
# a total 1 - 1e-6 is accepted, normalised, and said so (without --quiet)
if "$bin" verify C6 "${sp[@]}" --out "$tmp/c6" --data "$tmp/rho3r.csv" >/dev/null 2>"$tmp/err" && \
   grep -q 'rho3r.csv: the probabilities sum to 1 - 1e-06, not exactly 1; each was divided by that sum' "$tmp/err"; then
  pass=$((pass + 1))
else
  echo "FAIL: verify C6 --data on probabilities summing to 1 - 1e-6: $(cat "$tmp/err")"; fails=$((fails + 1))
fi
printf 'prompt,prefix,action,value\n' >"$tmp/rhohdr.csv"
printf 'prompt,response,value\n0,,0.5\n0,0,0.5\n' >"$tmp/rhomiss.csv"
printf 'prompt,response,value\n0,,0.5\n0,0,0.25\n0,0,0.25\n' >"$tmp/rhodup.csv"
printf 'prompt,response,value\n0,,1.5\n0,0,-0.5\n0,1,0\n' >"$tmp/rhominus.csv"
printf 'prompt,response,value\n0,,1/0\n0,0,0\n0,1,0\n' >"$tmp/rhozero.csv"
printf 'prompt,response,value\n0,,0.5\n0,0 1,0.5\n0,1,0\n' >"$tmp/rholong.csv"
printf 'prompt,response,value\n0,,0.5\n0,0,0.5\n0,1,inf\n' >"$tmp/rhoinf.csv"
printf 'prompt,response,value\n0,,1\n0,0,0\n0,1,0\n1,,0\n1,0,0\n1,1,0\n' >"$tmp/rhop1.csv"
expect 2 "rhohdr.csv:line 1: bad header (expected exactly 'prompt,response,value')" -- "$bin" "${c6[@]}" "$tmp/rhohdr.csv"
expect 2 'rhomiss.csv:line 4 (end of file): missing row for prompt 0, response "1" (every response must appear once)' -- "$bin" "${c6[@]}" "$tmp/rhomiss.csv"
expect 2 'rhodup.csv:line 4: duplicate row for prompt 0, response "0" (first at line 3)' -- "$bin" "${c6[@]}" "$tmp/rhodup.csv"
expect 2 "rhominus.csv:line 3:field value: '-0.5': a probability must be >= 0" -- "$bin" "${c6[@]}" "$tmp/rhominus.csv"
expect 2 "rhozero.csv:line 2:field value: '1/0': zero denominator" -- "$bin" "${c6[@]}" "$tmp/rhozero.csv"
expect 2 "rholong.csv:line 3:field response: 2 tokens do not fit E(V,T): at most T-1 = 1 tokens before EOS" -- "$bin" "${c6[@]}" "$tmp/rholong.csv"
expect 2 "rhoinf.csv:line 4:field value: 'inf': a probability must be finite" -- "$bin" "${c6[@]}" "$tmp/rhoinf.csv"
expect 2 "rhop1.csv: prompt 1 has total probability 0 (every prompt needs mass)" -- "$bin" verify C6 --space 'E(2,2) P=2' --out "$tmp/c6" --data "$tmp/rhop1.csv"
expect 2 "two inputs; give one" -- "$bin" map "${sp[@]}" --scores "$tmp/scores.npy" --in "$tmp/good.csv" --out "$tmp/q.npy"
expect 2 "input of map only" -- "$bin" unmap "${sp[@]}" --scores "$tmp/scores.npy" --out "$tmp/q.npy"
expect 2 "(or --scores FILE)" -- "$bin" map "${sp[@]}" --out "$tmp/q.npy"
expect 2 "unknown table format" -- "$bin" map "${sp[@]}" --in "$tmp/good.csv" --out "$tmp/q.txt"
expect 2 "good.csv" -- "$bin" map --space eos --vocab 3 --horizon 2 --in "$tmp/good.csv" --out "$tmp/q.csv"
expect 2 "cannot" -- "$bin" map "${sp[@]}" --in "$tmp/good.csv" --out "$tmp/no/such/dir/q.csv"
expect 2 "nonexistent" -- "$bin" map "${sp[@]}" --in "$tmp/nonexistent.csv" --out "$tmp/q.csv"

# an option without its value says so (issue 9.12), also when abbreviated or last
expect 2 "option '--horizon' needs a value" -- "$bin" verify C1 --space eos --vocab 3 --horizon
expect 2 "option '--horizon' needs a value" -- "$bin" count --space eos --vocab 3 --hor
expect 2 "option '--out' needs a value" -- "$bin" map "${sp[@]}" --in "$tmp/good.csv" --out
expect 2 "unknown option '-x'" -- "$bin" count -xy --space eos --vocab 3 --horizon 2

# endless input (issue 9.3): lines are capped, in tables and data files alike
{ printf 'prompt,prefix,action,value\n'; head -c 5000000 /dev/zero | tr '\0' 7; printf '\n'; } >"$tmp/long.csv"
expect 2 "long.csv: line 2 too long: more than 4194304 bytes" -- "$bin" map "${sp[@]}" --in "$tmp/long.csv" --out "$tmp/q.csv"
head -c 5000000 /dev/zero >"$tmp/zeros.csv"
# (a table's header is checked from its first bytes before anything is allocated: no line is read)
expect 2 "zeros.csv:line 1: bad header" -- "$bin" map "${sp[@]}" --in "$tmp/zeros.csv" --out "$tmp/q.csv"
head -c 5000000 /dev/zero >"$tmp/zeros.txt"
expect 2 "zeros.txt: line 1 too long: more than 4194304 bytes" -- "$bin" verify C6 --space eos --vocab 2 --horizon 3 --data "$tmp/zeros.txt" --out "$tmp/o"
# /dev/zero itself is refused at once or after the cap, not read until memory runs out
ln -s /dev/zero "$tmp/devzero.csv"
expect 2 "devzero.csv:line 1: bad header" -- timeout 60 "$bin" map "${sp[@]}" --in "$tmp/devzero.csv" --out "$tmp/q.csv"
expect 2 "line 1 too long" -- timeout 60 "$bin" verify C6 --space eos --vocab 2 --horizon 3 --data /dev/zero --out "$tmp/o"

# out of memory while reading a line is reported as such, not as an empty or short file: under an
# address-space limit 1 MB above what the program needs to start, a 4 MB line cannot be held
# (skipped under ASan, which reserves terabytes of address space)
real="${top_builddir:-.}/.libs/armebm"; [ -x "$real" ] || real=$bin
if ldd "$real" 2>/dev/null | grep -q 'libasan\|libubsan'; then
  echo "cli-errors: out-of-memory check skipped under the sanitizers"
else
  { printf 'prompt,prefix,action,value\n'; head -c 4000000 /dev/zero | tr '\0' 7; printf '\n'; } >"$tmp/big.csv"
  base=8000
  while [ $base -lt 400000 ] && ! (ulimit -v $base; "$bin" count --space eos --vocab 2 --horizon 2) >/dev/null 2>&1; do
    base=$((base + 1000))
  done
  expect 2 "big.csv: line 2: out of memory reading the line" -- \
    bash -c 'ulimit -v $1; shift; exec "$@"' - $((base + 1000)) "$bin" map "${sp[@]}" --in "$tmp/big.csv" --out "$tmp/q.csv"
fi

# control bytes echoed from input are escaped (issue 9.9): the line holds \x1b, not ESC
noraw() { # like expect, and stderr must not hold a raw control byte
  expect "$@"
  if LC_ALL=C grep -q '[[:cntrl:]]' "$tmp/err"; then
    echo "FAIL: raw control byte on stderr: $(od -c "$tmp/err" | head -3)"; fails=$((fails + 1))
  fi
}
printf 'prompt,prefix,action,value\n0,,0,1\033[31mx\r2\n' >"$tmp/esc.csv"
noraw 2 "line 2:field value: '1\\\\x1b\[31mx\\\\x0d2'" -- "$bin" map "${sp[@]}" --in "$tmp/esc.csv" --out "$tmp/q.csv"
noraw 2 "vocab: '3\\\\x1b\\\\x0a4' is not an integer" -- "$bin" count --space eos --vocab $'3\e\n4' --horizon 2
noraw 2 "unknown claim 'C\\\\x07'" -- "$bin" verify $'C\a'
noraw 2 "no\\\\x1bsuch.csv: cannot open" -- "$bin" map "${sp[@]}" --in "$tmp/no"$'\e'"such.csv" --out "$tmp/q.csv"
printf '0 1\n0 \0331\n' >"$tmp/esc.txt"
noraw 2 "line 2:field token 2: not an integer" -- "$bin" verify C6 --space eos --vocab 2 --horizon 3 --data "$tmp/esc.txt" --out "$tmp/o"

# data files (issue 9.11): digits only, a count needs a response, nothing hides after a NUL
data() { # name content pattern
  printf '%b' "$2" >"$tmp/$1"
  expect 2 "$tmp/$1:$3" -- "$bin" verify C6 --space eos --vocab 2 --horizon 3 --data "$tmp/$1" --out "$tmp/o"
}
data sign.txt '+0 +1\n' "line 1:field token 1: not an integer"
data minus0.txt '0 1\n-0\n' "line 2:field token 1: not an integer"
data sign2.txt '0 +1\n' "line 1:field token 2: not an integer"
data bare.txt '0 1\n* 3\n' "line 2:field count: no response before '\*'"
data bare0.txt '0: * 3\n' "line 1:field count: no response before '\*'"
data plus.txt '0 1 * +3\n' "line 1:field count: expected a positive integer"
data prompt.txt '+0: 1\n' "line 1:field prompt"
data vtab.txt '0 \v1\n' "line 1:field token 2: not an integer"
data nul.txt '0 1\n0\0 1 1\n' "line 2: NUL byte in line"


# usage errors end with a pointer to the command's own help; input errors do not (they name a file)
expect 2 "unknown option '--bogus' (see 'armebm count --help')$" -- "$bin" count --bogus
expect 2 "required (see 'armebm map --help')$" -- "$bin" map --in "$tmp/good.csv"
expect 2 "required (see 'armebm check --help')$" -- "$bin" check --rewards "$tmp/good.csv"
expect 2 "unknown claim 'C99'.*(see 'armebm verify --help')$" -- "$bin" verify C99
expect 2 "both --vocab and --horizon (see 'armebm train --help')$" -- "$bin" train --vocab 2
expect 2 "needs a value (see 'armebm unmap --help')$" -- "$bin" unmap --in
expect 2 "unknown option '-x' (see 'armebm count --help')$" -- "$bin" count -x
expect 2 "takes no --in, --scores or --out (see 'armebm map --help')$" -- "$bin" map "${sp[@]}" --example "$tmp/ex.csv" --out "$tmp/o.csv"
expect 2 "of map only (see 'armebm unmap --help')$" -- "$bin" unmap "${sp[@]}" --example "$tmp/ex.csv"
expect 2 "unknown command 'helpme'" -- "$bin" helpme
# help, -h and version: exit 0, output on stdout, nothing on stderr
ok_out() {
  local pat=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ] || ! grep -q -- "$pat" "$tmp/out"; then
    echo "FAIL: $* -> exit $rc, stdout does not match '$pat' or stderr not empty"; cat "$tmp/err"
    fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}
version=$(sed -n 's/^AC_INIT(\[armebm\], *\[\([^]]*\)\].*/\1/p' "${top_srcdir:-.}/configure.ac")
ok_out "^armebm $version\$" "$bin" version
ok_out "^armebm $version\$" "$bin" --version
ok_out "^Usage: armebm " "$bin" -h
ok_out "^Usage: armebm " "$bin" help
for cmd in verify map unmap check count train; do
  ok_out "^Usage: armebm .*\b$cmd\b" "$bin" help "$cmd"
  ok_out "^Usage: armebm .*\b$cmd\b" "$bin" "$cmd" -h
done

echo "cli-errors: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
