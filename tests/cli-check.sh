#!/bin/bash
# check as a regression test: --atol, --rtol, --centered, --mask-below, --json, on tables made
# here (CSV; float32 rounding by Python's struct, no NumPy needed).
set -u
bin="${top_builddir:-.}/armebm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-cli-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fails=$((fails + 1)); }
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 not found"
  exit 77
fi
# runs the command, expects exit status $1
expect() {
  local want=$1 what=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] && ok || ko "$what: exit $got, expected $want: $(cat "$tmp/out" "$tmp/err" | head -12)"
}

sp=(--space eos --vocab 3 --horizon 3 --prompts 2)
python3 - "$tmp/r.csv" <<'PY'
import itertools, sys
V, T, rows = 3, 3, ["prompt,prefix,action,value"]
k = 0
for p in range(2):
    for d in range(T):
        for pre in itertools.product(range(V), repeat=d):
            for a in list(range(V)) + ["EOS"]:
                if d == T - 1 and a != "EOS":
                    continue
                k += 1
                rows.append("%d,%s,%s,%r" % (p, " ".join(map(str, pre)), a, ((37 * k) % 41 - 20) / 7.0))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
"$bin" map "${sp[@]}" --in "$tmp/r.csv" --out "$tmp/q.csv" --digits 40 || ko "map"
# q rounded to float32; q + 3 on every row; masks written as -1e9 (rewards and logits)
python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
def tr(src, dst, f, mask):
    out = []
    for i, l in enumerate(open(src).read().splitlines()):
        c = l.split(",")
        if i > 0:
            c[3] = mask if c[3] == "-inf" else f(float(c[3]))
        out.append(",".join(c))
    open(dst, "w").write("\n".join(out) + "\n")
tr(d + "/q.csv", d + "/q32.csv", lambda x: repr(struct.unpack("f", struct.pack("f", x))[0]), "-inf")
tr(d + "/q.csv", d + "/qshift.csv", lambda x: repr(x + 3), "-inf")
tr(d + "/q.csv", d + "/qmask.csv", repr, "-1e9")
tr(d + "/r.csv", d + "/rmask.csv", repr, "-1e9")
PY

# float32: the distributions agree within 1e-9 (KL ~ eps^2 ~ 1e-15), the logits not within 1e-12
expect 0 "float32, KL" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q32.csv"
expect 1 "float32, --atol 1e-12" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q32.csv" --atol 1e-12
grep -q "^abs error within atol 1e-12: NO (certified)$" "$tmp/out" && ok || ko "atol line: $(cat "$tmp/out")"
grep -q "^same distribution within tol 1e-09: yes (verified)$" "$tmp/out" && ok || ko "KL line: $(cat "$tmp/out")"
expect 0 "float32, --atol 1e-6" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q32.csv" --atol 1e-6
expect 1 "float32, --rtol 1e-12" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q32.csv" --rtol 1e-12
expect 0 "float32, --rtol 1e-6" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q32.csv" --rtol 1e-6

# +3 on every row: same distribution, and the same logits up to a constant per row
expect 0 "shift, KL" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qshift.csv"
expect 1 "shift, --atol" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qshift.csv" --atol 1e-9
grep -q "^worst abs error  3\.0[0-9]e+00  at" "$tmp/out" && ok || ko "shift abs error: $(cat "$tmp/out")"
expect 0 "shift, --centered --atol" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qshift.csv" --atol 1e-9 --centered
grep -q "^centered abs error within atol 1e-09: yes (verified)$" "$tmp/out" && ok || ko "centered line: $(cat "$tmp/out")"
expect 0 "shift, --centered --rtol" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qshift.csv" --rtol 1e-9 --centered

# masks written as -1e9: refused (exit 2, one line naming file, line and reason) unless --mask-below
expect 2 "-1e9 masks" "$bin" check "${sp[@]}" --rewards "$tmp/rmask.csv" --logits "$tmp/qmask.csv"
grep -q "qmask.csv:line [0-9]*:field value: finite value at a masked entry" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] \
  && ok || ko "mask message: $(cat "$tmp/err")"
expect 0 "-1e9 masks, --mask-below -1e8" "$bin" check "${sp[@]}" --rewards "$tmp/rmask.csv" --logits "$tmp/qmask.csv" --mask-below -1e8
expect 2 "-1e9 masks, --mask-below -2e9" "$bin" check "${sp[@]}" --rewards "$tmp/rmask.csv" --logits "$tmp/qmask.csv" --mask-below -2e9
# the same in .npy (float64, as numpy.save writes it), where the reader sees each double
python3 - "$tmp/qmask.csv" "$tmp/qmask.npy" <<'PY'
import struct, sys
rows = [l.split(",") for l in open(sys.argv[1]).read().splitlines()[1:]]
vals = [float(r[3]) for r in rows]  # canonical order: the map writes rows in it
hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 13, 4), }"
hdr += " " * ((64 - (10 + len(hdr) + 1) % 64) % 64) + "\n"
with open(sys.argv[2], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
    f.write(struct.pack("<%dd" % len(vals), *vals))
PY
expect 2 "-1e9 masks, npy" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qmask.npy"
grep -q "qmask.npy:byte [0-9]*: finite value at a masked entry" "$tmp/err" && ok || ko "npy mask message: $(cat "$tmp/err")"
expect 0 "-1e9 masks, npy, --mask-below -1e8" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qmask.npy" --mask-below -1e8
expect 2 "--mask-below nan" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q.csv" --mask-below nan
grep -q "^armebm check: --mask-below: 'nan' is not a finite number (see 'armebm check --help')$" "$tmp/err" && ok || ko "$(cat "$tmp/err")"
expect 2 "--atol -1" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q.csv" --atol -1
grep -q "^armebm check: --atol: '-1' is not a finite number >= 0 (see 'armebm check --help')$" "$tmp/err" && ok || ko "$(cat "$tmp/err")"

# --json: one object with the criteria, the measures and their locations, KL per prompt, verdict
expect 1 "--json" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/q32.csv" --atol 1e-12 --json
python3 - "$tmp/out" <<'PY' && ok || ko "json: $(cat "$tmp/out")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["space"] == "E(3,3)" and j["prompts"] == 2 and j["precision"] >= 53, j
assert j["passed"] is False and j["verdict"] == "violated", j
c = {x["name"]: x for x in j["criteria"]}
assert c["kl"]["verdict"] == "verified" and c["kl"]["limit"] == 1e-9 and 0 <= c["kl"]["value_upper"] < 1e-12
a = c["atol"]
assert a["verdict"] == "violated" and a["centered"] is False and a["limit"] == 1e-12
assert 1e-9 < a["value_upper"] < 1e-6 and a["value_upper"] == j["abs_error"]["upper"]
assert set(a["location"]) == {"prompt", "state", "action", "entry"} and a["location"]["prompt"] in (0, 1)
assert len(j["kl"]) == 2 and all(0 <= k["kl_r_q_upper"] < 1e-12 and 0 <= k["kl_q_r_upper"] < 1e-12 for k in j["kl"])
assert j["rel_error"]["upper"] <= j["abs_error"]["upper"]  # divided by max(1, |q*|) >= 1
assert "atol" in j["message"]
PY
expect 0 "--json passing" "$bin" check "${sp[@]}" --rewards "$tmp/r.csv" --logits "$tmp/qshift.csv" --json --centered --atol 1e-9 --rtol 1e-9
python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["passed"] is True and j["verdict"] == "verified" and len(j["criteria"]) == 3
r = [c for c in j["criteria"] if c["name"] == "rtol"][0]
assert r["centered"] is True and r["location"] == j["centered_rel_error"]["location"]
assert r["value_upper"] == j["centered_rel_error"]["upper"] < 1e-9 < j["rel_error"]["upper"]' \
  <"$tmp/out" && ok || ko "json passing: $(cat "$tmp/out")"

# verify --json: the summary as one object, nothing else on stdout
expect 0 "verify --json" "$bin" verify C1 C3 --space eos --vocab 2 --horizon 3 --seeds 1 --json --out "$tmp/v"
python3 - "$tmp/out" <<'PY' && ok || ko "verify json: $(cat "$tmp/out")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["command"] == "verify" and j["passed"] is True and j["verdict"] == "verified", j
c = {x["claim"]: x for x in j["claims"]}
assert set(c) == {"C1", "C3"} and c["C1"]["verified"] > 0 and c["C1"]["violated"] == 0, c
assert j["not_verified"] == [] and j["tables"] == [sys.argv[1].rsplit("/", 1)[0] + "/v/claims.csv"], j
PY

echo "cli-check: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
