#!/usr/bin/env bash
# The Python package's test command (called by scripts/test.sh): builds the ceaseless wheel with the
# pinned maturin, installs it into .venv at the repository root, and runs pytest against a real
# Centrifugo and mypy --strict on the package, the tests and the typed example.
#
#   python/run-tests.sh            # build, install, pytest, mypy
#   python/run-tests.sh --bench    # and the benchmark's smoke run
#
# Reuses the workspace's cargo target directory, so the Rust core is not built twice. Needs python3
# (3.9+) with venv, the Rust toolchain, and Go for the first build of Centrifugo.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="$venv/bin/python"

echo "=== python: tools in $venv"
[ -x "$py" ] || python3 -m venv "$venv"
"$py" -m pip install --quiet --disable-pip-version-check -r python/requirements-dev.txt
"$venv/bin/maturin" --version

echo "=== python: Centrifugo"
scripts/install-centrifugo.sh

echo "=== python: wheel (maturin build --release)"
locked=()
[ -f Cargo.lock ] && locked=(--locked)
wheels="$root/target/wheels"
rm -f "$wheels"/ceaseless-*.whl
"$venv/bin/maturin" build --release "${locked[@]}" -m python/Cargo.toml --out "$wheels"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/ceaseless-*.whl

cd python
echo "=== python: pytest"
"$py" -m pytest
echo "=== python: mypy --strict"
"$venv/bin/mypy" --strict examples/chat.py python/ceaseless tests bench
if [ "${1:-}" = "--bench" ]; then
  echo "=== python: benchmark (smoke)"
  "$py" bench/bench_receive.py --smoke
fi
