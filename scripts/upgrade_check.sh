#!/usr/bin/env bash
# A real framework upgrade, checked in two fresh environments: scripts/upgrade_check.py does
# the work (its --help and docs/upgrade-check.md say how). Without arguments: TensorFlow
# $TF_A -> $TF_B (tensorflow-cpu 2.20.0 -> 2.21.0).
#
#   scripts/upgrade_check.sh                                   # tensorflow-cpu 2.20.0 -> 2.21.0
#   scripts/upgrade_check.sh --vary numpy 1.26.4 2.4.6         # any of tensorflow, torch, numpy, keras
#   scripts/upgrade_check.sh --vary keras 3.10.0 3.15.1 -k 002 --backends numpy,torch,tensorflow
#
# Exit code: the check's (1 when an output drifted or a case raises under B), 2 when an
# environment could not be made.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ $# -eq 0 ]; then
  set -- --vary tensorflow "${TF_A:-2.20.0}" "${TF_B:-2.21.0}"
fi
exec "$PYTHON" scripts/upgrade_check.py --python "$PYTHON" "$@"
