#!/bin/bash
# Builds the MPI variant (--enable-mpi) in _mpi/ and checks that a 2-rank run of the streaming
# walks (C1-C4) writes the same bytes as one process. Run by .ci/run after the main test
# suite; needs libopenmpi-dev and openmpi-bin (setup.sh installs them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# The source tree may be configured in place (setup.sh does), which rules out a second VPATH
# build; build the MPI variant from the distribution tarball instead.
cd "$top"
ver=$(sed -n 's/^AC_INIT(\[armebm\], \[\([^]]*\)\].*/\1/p' configure.ac)
# a tarball older than any source is stale
if [ ! -f "armebm-$ver.tar.gz" ] || [ -n "$(find src tests bench configure.ac Makefile.am -newer "armebm-$ver.tar.gz" -print -quit)" ]; then
  rm -f "armebm-$ver.tar.gz"
  make dist >/dev/null
fi
mkdir -p _mpi
if [ ! -f "_mpi/armebm-$ver/Makefile" ] || [ "armebm-$ver.tar.gz" -nt "_mpi/armebm-$ver/Makefile" ]; then
  rm -rf "_mpi/armebm-$ver"
  tar -xzf "armebm-$ver.tar.gz" -C _mpi
  (cd "_mpi/armebm-$ver" && ./configure --enable-mpi --enable-werror >/dev/null)
fi
cd "_mpi/armebm-$ver"
make -j"$(nproc)" armebm >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/armebm-mpi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
args=(verify --stream --quiet --space eos --vocab 3 --horizon 9 --prompts 2 --seeds 1,2 --threads 1)
fails=0
./armebm "${args[@]}" --out "$tmp/one"
# as root Open MPI needs --allow-run-as-root; two ranks on two cores may need --oversubscribe
mpirun --allow-run-as-root --oversubscribe -np 2 ./armebm "${args[@]}" --out "$tmp/two"
for ext in csv jsonl md tex; do
  cmp -s "$tmp/one/claims.$ext" "$tmp/two/claims.$ext" || { echo "FAIL: 2 ranks differ in claims.$ext"; fails=$((fails + 1)); }
done
grep -q ",verified," "$tmp/two/claims.csv" || { echo "FAIL: 2-rank run did not verify"; fails=$((fails + 1)); }
# consistency checks agree as 'consistent' (not counted as verified, but not a failure)
[ "$(grep -cE ',(verified|consistent),' "$tmp/two/claims.csv")" -eq "$(($(wc -l <"$tmp/two/claims.csv") - 1))" ] \
  || { echo "FAIL: a 2-rank row is not verified"; fails=$((fails + 1)); }
# three ranks of two threads each take chunks of two subtrees from rank 0's queue, in an order
# that depends on timing: the bytes must not
args[${#args[@]}-1]=2
mpirun --allow-run-as-root --oversubscribe -np 3 ./armebm "${args[@]}" --out "$tmp/three"
cmp -s "$tmp/one/claims.csv" "$tmp/three/claims.csv" || { echo "FAIL: 3 ranks x 2 threads differ"; fails=$((fails + 1)); }
echo "mpi: $((7 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
