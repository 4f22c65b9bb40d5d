#!/usr/bin/env bash
# System packages causalbayes needs beyond pip: graphviz's `dot` (drawing DAGs)
# and an OpenBLAS that PyTensor can link to (without it PyTensor warns and
# falls back to slow matrix code).  Idempotent; installs only what is missing.
set -euo pipefail

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so ' || missing+=(libopenblas-dev)
gcc_version=$(gcc -dumpversion 2>/dev/null | cut -d. -f1 || true)
if [ -n "$gcc_version" ] && ! ls "/usr/lib/gcc/$(gcc -dumpmachine)/$gcc_version/libgfortran.so" >/dev/null 2>&1; then
  missing+=("libgfortran-$gcc_version-dev")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system dependencies present"
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
