#!/bin/sh
# One entry point for a fresh Debian machine: installs what is missing, bootstraps, configures,
# builds, then runs the main job (`run`: the default verification suite into results/) or the
# whole test suite (`test`: make check and make distcheck); `bench` also installs numpy, builds
# the MPI variant and runs the benchmarks. Idempotent: each step is skipped when its result is
# already there and up to date.
set -eu
cd "$(dirname "$0")"
mode=${1:-run}
case $mode in
  run|test|build|bench) ;;
  *) echo "usage: $0 [run|test|build|bench]" >&2; exit 2 ;;
esac

pkgs="gcc make autoconf automake libtool pkg-config libgmp-dev libmpfr-dev libflint-dev libflint-arb-dev check gnuplot-nox libopenmpi-dev openmpi-bin"
# the numpy baseline of the benchmarks (bench/baseline_numpy.py)
if [ "$mode" = bench ]; then pkgs="$pkgs python3-numpy"; fi
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
  build) ;;
esac
