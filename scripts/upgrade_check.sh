#!/usr/bin/env bash
# A real framework upgrade, checked: two virtual environments that differ only in their
# TensorFlow, a baseline saved in the first and checked in the second.
#
#   scripts/upgrade_check.sh                      # tensorflow-cpu 2.20.0 -> 2.21.0
#   TF_A=2.15.1 TF_B=2.16.2 EXTRA_B=keras==3.3.3 scripts/upgrade_check.sh   # Keras 2 -> 3
#   SELECT='003 or 001' scripts/upgrade_check.sh  # a -k expression
#   BACKENDS=numpy,torch,tensorflow scripts/upgrade_check.sh  # default: all, execution modes too
#
# Each venv is made with --system-site-packages, so PyTorch, NumPy, pandas and Keras come
# from the interpreter that runs this script (install them first: `make install`) unless
# the TensorFlow asked for needs others (TF 2.15 and 2.16 want numpy<2 and their own
# Keras: pip installs those into the venv). tensorflow-cpu itself is installed into the
# venv with --ignore-installed so that it shadows any system TensorFlow, then its
# missing dependencies are resolved under constraints.txt (which pins torch: a bare torch
# would pull CUDA), with EXTRA_A / EXTRA_B as further requirements. The script checks
# that `import tensorflow` in each venv gives the version asked for, from the venv.
#
# The catalogue is copied once to $OUT/cases, so both sides run the same cases even if
# cases/ changes meanwhile. Writes to $OUT (build/upgrade-check/): that copy, the
# baseline saved under A, and B's drift.csv, drift.json, results and report. Exits with
# `baseline check`'s code: 1 when an output drifted beyond tolerance or a case raises
# under B, 0 when nothing did. A venv is reused when it was made with the same
# requirements; KEEP_VENVS=0 removes both afterwards (about 1.3 GB each).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
TF_A=${TF_A:-2.20.0}
TF_B=${TF_B:-2.21.0}
OUT=${OUT:-build/upgrade-check}
EXTRA_A=${EXTRA_A:-}
EXTRA_B=${EXTRA_B:-}
VENV_A=${VENV_A:-build/venv-tf-A}
VENV_B=${VENV_B:-build/venv-tf-B}
SELECT=${SELECT:-}
BACKENDS=${BACKENDS:-all}
KEEP_VENVS=${KEEP_VENVS:-1}
PIP=(-m pip install --quiet --disable-pip-version-check)

make_venv() {  # make_venv DIR TENSORFLOW_VERSION "EXTRA REQUIREMENTS"
  local dir=$1 version=$2 extra=$3 started=$SECONDS
  local spec="tensorflow-cpu==$version $extra"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.upgrade-check-spec" 2>/dev/null)" = "$spec" ]; then
    echo "== $dir: $spec (made before)"
  else
    echo "== $dir: $spec"
    rm -rf "$dir"
    "$PYTHON" -m venv --system-site-packages "$dir"
    "$dir/bin/python" "${PIP[@]}" --ignore-installed --no-deps "tensorflow-cpu==$version"
    # shellcheck disable=SC2086  # EXTRA is a list of requirements
    "$dir/bin/python" "${PIP[@]}" -c constraints.txt "tensorflow-cpu==$version" $extra
    "$dir/bin/python" "${PIP[@]}" --no-deps --no-build-isolation -e .
    echo "$spec" > "$dir/.upgrade-check-spec"
    echo "   made in $((SECONDS - started))s"
  fi
  "$dir/bin/python" - "$version" "$dir" <<'PY'
import os, sys
import tensorflow as tf
version, venv = sys.argv[1], os.path.realpath(sys.argv[2])
where = os.path.realpath(tf.__file__)
assert tf.__version__ == version, f"tensorflow {tf.__version__} imported, {version} expected"
assert where.startswith(venv), f"tensorflow imported from {where}, not from the venv {venv}"
import keras, numpy, torch
def origin(module):
    return "venv" if os.path.realpath(module.__file__).startswith(venv) else "shared"
print(f"   tensorflow {tf.__version__} (venv); " + ", ".join(
    f"{m.__name__} {m.__version__} ({origin(m)})" for m in (keras, numpy, torch)))
PY
}

"$PYTHON" -c 'import torch, numpy, pandas' 2>/dev/null || {
  echo "torch, numpy and pandas must be installed for $PYTHON first: make install" >&2; exit 2; }

make_venv "$VENV_A" "$TF_A" "$EXTRA_A"
make_venv "$VENV_B" "$TF_B" "$EXTRA_B"

rm -rf "$OUT/cases" && mkdir -p "$OUT" && cp -r cases "$OUT/cases"

baseline="$OUT/baseline-tf-$TF_A.npz"
select=()
[ -n "$SELECT" ] && select=(-k "$SELECT")

echo "== saving the baseline under tensorflow-cpu $TF_A"
started=$SECONDS
"$VENV_A/bin/python" -m equivalence baseline save "$OUT/cases" --path "$baseline" --backends "$BACKENDS" --force -q "${select[@]}" \
  2> "$OUT/save.log"
echo "   save took $((SECONDS - started))s"

echo "== checking it under tensorflow-cpu $TF_B"
started=$SECONDS
status=0
"$VENV_B/bin/python" -m equivalence baseline check "$baseline" "$OUT/cases" --out "$OUT/tf-$TF_B" -q "${select[@]}" \
  2> "$OUT/check.log" || status=$?
echo "   check took $((SECONDS - started))s; exit code $status (1: drift or errors found)"

if [ "$KEEP_VENVS" = 0 ]; then
  rm -rf "$VENV_A" "$VENV_B"
fi
exit "$status"
