#!/usr/bin/env bash
# Fuzz the parsers and the lab with cargo-fuzz (libFuzzer), a few minutes per target.
#
# Usage: scripts/fuzz.sh [TARGET…] [--seconds N]     (targets: config lab; default both, 120 s each)
# Installs cargo-fuzz when missing. cargo-fuzz needs nightly features; on the stable toolchain
# RUSTC_BOOTSTRAP=1 enables them. Crashes land in fuzz/artifacts/TARGET/; turn each into a
# regression test in tests/ (see tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=120
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(config lab)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "==> fuzz $t for ${seconds}s" >&2
  (cd fuzz && cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$seconds" -max_len=4096)
done
