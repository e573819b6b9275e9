#!/usr/bin/env bash
# Fuzzes what the core reads from the network (fuzz/: the JSON and Protobuf decoders, fossil delta, the
# HTTP-streaming/SSE stream decoders, the engine fed arbitrary frame sequences) with cargo-fuzz
# (libFuzzer) on a pinned nightly, starting from the committed corpora of real server frames
# (fuzz/corpus/, recorded by fuzz/capture-seeds.mjs).
#
#   scripts/fuzz.sh              # 20 s per target (the CI smoke run)
#   scripts/fuzz.sh 600          # 10 minutes per target
#   scripts/fuzz.sh 60 engine_frames
#
# Installs the nightly toolchain (rustup) and cargo-fuzz (into .tools/cargo-fuzz) when missing. New
# inputs are kept in .tools/fuzz-corpus/, not in the committed corpora. A crash fails the script; the
# input that caused it is in fuzz/artifacts/<target>/ (add it to a regression test, then fix).
# Prints, per target, the inputs tried and the coverage reached.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(decode_json decode_protobuf fossil_delta emulation_stream engine_frames)
fi
nightly=nightly-2026-05-20
cargo_fuzz_version=0.13.2

if ! rustup run "$nightly" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$nightly" --profile minimal
fi
tools="$PWD/.tools/cargo-fuzz"
if [ "$("$tools/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
  cargo "+$nightly" install cargo-fuzz --version "$cargo_fuzz_version" --locked --root "$tools"
fi
export PATH="$tools/bin:$PATH"

cd fuzz
cargo "+$nightly" fuzz build -O 2>&1 | tail -n 3
total=0
for target in "${targets[@]}"; do
  work="../.tools/fuzz-corpus/$target"
  mkdir -p "$work"
  log="$(mktemp)"
  if ! cargo "+$nightly" fuzz run -O "$target" "$work" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target FAILED (the input is in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  done_line="$(grep -E '^#[0-9]+.*DONE' "$log" | tail -n 1)"
  runs="$(echo "$done_line" | sed -E 's/^#([0-9]+).*/\1/')"
  total=$((total + ${runs:-0}))
  echo "fuzz: $target: ${runs:-?} inputs in ${seconds} s, no crash ($(echo "$done_line" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9A-Za-z]+'))"
  rm -f "$log"
done
echo "fuzz: ${#targets[@]} targets, $total inputs, 0 crashes"
