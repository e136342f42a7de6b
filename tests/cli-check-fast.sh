#!/bin/bash
# check's fast path (issue 12): .npy tables memory-mapped and checked in double balls. On smaller
# versions of the benchmark's spaces: a faithful table (armebm's own correctly rounded M(r))
# passes, one root logit off by 0.5 fails, noise of 1e-10 passes at --tol 1e-9; the output is
# the same bytes at 1, 2 and 3 threads and for big-endian and little-endian files; float32
# tables; the Arb path takes over when the balls cannot decide (--atol below their width), and
# only then needs the memory of tables of balls; the reader's messages are kept.
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-cli-check-fast.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fails=$((fails + 1)); }
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 not found"
  exit 77
fi
expect() {
  local want=$1 what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] && ok || ko "$what: exit $got, expected $want: $(cat "$tmp/out" "$tmp/err" | head -12)"
}
# variants of q.npy (a float64 little-endian file as armebm writes it): root+0.5, 1e-10 noise,
# big-endian, float32, -inf at an unmasked entry
variants() {
  python3 - "$1" <<'PY'
import random, struct, sys
d = sys.argv[1]
raw = open(d + "/q.npy", "rb").read()
hl = struct.unpack("<H", raw[8:10])[0]
head, data = raw[:10 + hl].decode("latin1"), raw[10 + hl:]
v = list(struct.unpack("<%dd" % (len(data) // 8), data))
def save(name, vals, descr="<f8"):
    h = head[10:].replace("'<f8'", "'%s'" % descr).rstrip("\n").rstrip()
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    fmt = {"<f8": "<%dd", ">f8": ">%dd", "<f4": "<%df", ">f4": ">%df"}[descr] % len(vals)
    open(d + "/" + name, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode("latin1") + struct.pack(fmt, *vals))
w = list(v); w[0] += 0.5; save("q-root.npy", w)
rnd = random.Random(5)
save("q-noise.npy", [x + 1e-10 * (2 * rnd.random() - 1) if x != float("-inf") else x for x in v])
save("q-be.npy", v, ">f8")
save("q-f4.npy", v, "<f4")
save("q-f4be.npy", v, ">f4")
w = list(v); w[1] = float("-inf"); save("q-ninf.npy", w)
PY
}

for spec in "fixed 8 3" "fixed 4 5" "fixed 3 6" "eos 2 9" "eos 3 5"; do
  set -- $spec
  sp=(--space "$1" --vocab "$2" --horizon "$3")
  "$bin" map "${sp[@]}" --example "$tmp/r.npy" && "$bin" map "${sp[@]}" --in "$tmp/r.npy" --out "$tmp/q.npy" || ko "map $spec"
  variants "$tmp" || ko "variants $spec"
  for t in 1 2 3; do
    expect 0 "$spec faithful, $t threads" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q.npy" --threads $t
    cp "$tmp/out" "$tmp/out.$t"
  done
  grep -q "precision 53 bits" "$tmp/out.1" && ok || ko "$spec: not decided by the fast path: $(cat "$tmp/out.1")"
  cmp -s "$tmp/out.1" "$tmp/out.2" && cmp -s "$tmp/out.1" "$tmp/out.3" && ok || ko "$spec: output depends on the thread count"
  expect 0 "$spec big-endian" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q-be.npy"
  cmp -s "$tmp/out.1" "$tmp/out" && ok || ko "$spec: big-endian output differs: $(diff "$tmp/out.1" "$tmp/out")"
  expect 1 "$spec root +0.5" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q-root.npy"
  grep -q "^result           failed at 53 bits: KL fails tol 1e-09" "$tmp/out" && ok || ko "$spec root: $(cat "$tmp/out")"
  expect 0 "$spec 1e-10 noise" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q-noise.npy" --tol 1e-9
  expect 0 "$spec float32" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q-f4.npy"
  expect 1 "$spec float32 --atol 1e-12" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q-f4be.npy" --atol 1e-12
  grep -q "^abs error within atol 1e-12: NO (certified)$" "$tmp/out" && ok || ko "$spec f4 atol: $(cat "$tmp/out")"
  # below the balls' width: the Arb path decides, at 128 bits
  expect 0 "$spec --atol 1e-14" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q.npy" --atol 1e-14
  grep -q "precision 128 bits" "$tmp/out" && ok || ko "$spec: --atol 1e-14 not by Arb: $(cat "$tmp/out")"
  # -inf at an allowed entry (a banned token) goes to the Arb path: an infinite KL, said in words
  expect 1 "$spec -inf" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q-ninf.npy"
  grep -q "precision 128 bits" "$tmp/out" && grep -q "KL(p_r||p_q) = inf: p_q gives probability 0" "$tmp/out" &&
    ok || ko "$spec -inf: $(cat "$tmp/out")"
done

# table-free: F(8,5) in 2 MiB, where tables of balls need more (refused, as the Arb path is)
sp=(--space fixed --vocab 8 --horizon 5)
"$bin" map "${sp[@]}" --example "$tmp/r.npy" && "$bin" map "${sp[@]}" --in "$tmp/r.npy" --out "$tmp/q.npy" || ko "map F(8,5)"
expect 0 "F(8,5) in 2 MiB" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q.npy" --max-memory 2M
expect 2 "F(8,5) Arb path in 2 MiB" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/q.npy" --max-memory 2M --atol 1e-14
grep -q "check on space F(8,5).*above --max-memory" "$tmp/err" && ok || ko "memory message: $(cat "$tmp/err")"
# the reader's messages on a mapped file: truncated data, data after the end
head -c 1000 "$tmp/q.npy" >"$tmp/short.npy"
expect 2 "truncated" "$bin" check "${sp[@]}" --rewards "$tmp/r.npy" --logits "$tmp/short.npy"
grep -q "short.npy:byte 1000: data truncated" "$tmp/err" && ok || ko "truncated: $(cat "$tmp/err")"
cp "$tmp/q.npy" "$tmp/long.npy" && printf 'x' >>"$tmp/long.npy"
expect 2 "trailing data" "$bin" check "${sp[@]}" --rewards "$tmp/long.npy" --logits "$tmp/q.npy"
grep -q "long.npy:byte [0-9]*: unexpected data after the last value" "$tmp/err" && ok || ko "trailing: $(cat "$tmp/err")"

echo "cli-check-fast: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
