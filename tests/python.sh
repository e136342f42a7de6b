#!/bin/bash
# The Python package's tests (python/tests, pytest) against this build's libarmebm and armebm
# program; skipped (77) when no Python 3 with numpy and pytest is found, or no shared library
# was built. Nothing is written in the source tree (no bytecode, no pytest cache).
set -u
src=${top_srcdir:-.}
build=$(cd "${top_builddir:-.}" && pwd)
lib="$build/.libs/libarmebm.so"
py=""
for cand in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [ -z "$cand" ] || [ "$cand" = : ] || ! command -v "$cand" >/dev/null 2>&1; then continue; fi
  if "$cand" -c 'import numpy, pytest' >/dev/null 2>&1; then py=$cand; break; fi
done
if [ -z "$py" ]; then
  echo "SKIP: no Python 3 with numpy and pytest (Debian: python3-numpy python3-pytest)"
  exit 77
fi
if [ ! -f "$lib" ]; then
  echo "SKIP: no shared library $lib (configured with --disable-shared?)"
  exit 77
fi
export ARMEBM_LIB="$lib" ARMEBM_CLI="$build/armebm" PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH="$src/python:$src/python/tests${PYTHONPATH:+:$PYTHONPATH}"
echo "python: $py, library: $lib"
exec "$py" -m pytest -q -p no:cacheprovider --rootdir="$src/python" "$src/python/tests"
