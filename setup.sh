#!/bin/sh
# One entry point for a fresh Debian machine: installs what is missing, bootstraps, configures,
# builds, then runs the main job (`run`: the default verification suite into results/) or the
# whole test suite (`test`: make check and make distcheck); `bench` also installs numpy, builds
# the MPI variant and runs the benchmarks; `fuzz` also installs clang with libFuzzer and runs
# `make fuzz` (each fuzz harness for FUZZ_SECONDS, default 60). Idempotent: each step is skipped when its result is
# already there and up to date.
set -eu
cd "$(dirname "$0")"
mode=${1:-run}
case $mode in
  run|test|build|bench|fuzz) ;;
  *) echo "usage: $0 [run|test|build|bench|fuzz]" >&2; exit 2 ;;
esac

pkgs="gcc make autoconf automake libtool pkg-config libgmp-dev libmpfr-dev libflint-dev libflint-arb-dev check gnuplot-nox libopenmpi-dev openmpi-bin"
# the Python package's tests (tests/python.sh: pytest, numpy, and torch for the PyTorch ones)
if [ "$mode" = test ]; then pkgs="$pkgs python3 python3-numpy python3-pytest python3-torch"; fi
# the numpy baseline of the benchmarks (bench/baseline_numpy.py)
if [ "$mode" = bench ]; then pkgs="$pkgs python3-numpy"; fi
# the fuzz harnesses (tests/fuzz): clang and its libFuzzer/sanitizer runtimes
if [ "$mode" = fuzz ]; then pkgs="$pkgs clang libclang-rt-14-dev"; fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root, or install sudo, to install:$missing" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
  autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
  ./configure --enable-werror
fi
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"

case $mode in
  run) ./armebm verify --out results ;;
  test) make -j"$jobs" check && make distcheck ;;
  bench) bash tests/mpi-test.sh && make bench ;;
  fuzz) make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" ;;
  build) ;;
esac
