#!/usr/bin/env bash
# Run nbval over book/ twice more than the test command does (which uses the default thread
# count), so that stored outputs are proven independent of the BLAS thread count, of the CPU
# kernels OpenBLAS picks and of the matplotlib backend:
#   1. OPENBLAS_NUM_THREADS=1 with MPLBACKEND=Agg   (a single thread; and the backend common on
#      headless CI: without `%matplotlib inline` in a notebook's first code cell, figures would
#      not be displayed)
#   2. OPENBLAS_CORETYPE=Haswell   (OpenBLAS's kernels for an older CPU: AVX2, no AVX-512)
# Prints one line per configuration (result and seconds) and exits non-zero if any failed.
#
#   scripts/nbval_matrix.sh                 # uses python3 (or $PYTHON)
#   scripts/nbval_matrix.sh .venv/bin/python
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${PYTHON:-python3}}"

names=() results=() failed=0
run() {  # run NAME [VAR=value ...]
  local name="$1"; shift
  echo "== nbval: $name"
  local start=$SECONDS
  env "$@" "$PY" -m pytest book --nbval --nbval-current-env -q -p no:cacheprovider
  local rc=$?
  local verdict="passed"
  if [ "$rc" = 5 ]; then verdict="no notebooks collected"; rc=0; fi
  if [ "$rc" != 0 ]; then verdict="FAILED (exit $rc)"; failed=1; fi
  names+=("$name"); results+=("$verdict in $((SECONDS - start)) s")
}

run "OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg" OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg
run "OPENBLAS_CORETYPE=Haswell" OPENBLAS_CORETYPE=Haswell

echo "== nbval matrix summary"
for i in "${!names[@]}"; do
  printf '  %-28s %s\n' "${names[$i]}" "${results[$i]}"
done
exit "$failed"
