#!/usr/bin/env bash
# Every benchmark figure of BENCHMARKS.md, in one run on this machine:
#   1. native: steps per second for the cases of src/bench.rs, and the yardsticks
#      (an n × n matrix product, the SVD of a typical iterate): cargo bench --bench steps,
#      timed by criterion (its files in target/criterion/, target/criterion-2lanes/)
#   2. browser: the same cases from the wasm build (feature `bench`, built into
#      www/bench/pkg/) in headless Chromium on bench.html, then the page's frame time on
#      index.html's default experiment (scripts/bench_browser.mjs, Playwright)
#   3. peers: the same step in NumPy and in JAX (jax.jit), from PyPI in .bench-venv/
#      (bench/peers.py, checked against our iterate first)
#   4. the report: bench/report.py turns the JSON of this run into tables
#      (target/bench/report.md); with --update it also rewrites BENCHMARKS.md's figures.
#
# Usage: scripts/bench.sh [--full] [--update] [--quick]
#   --full     every method × penalty × size (default: a subset, see src/bench.rs `plan`)
#   --update   write the figures into BENCHMARKS.md (between its figures markers)
#   --quick    shorter timing: 10 samples (criterion's least) and a short warm-up
#              (for trying the script, not for the record)
# Results: target/bench/{native,native-2lanes,browser,peers,problems}.json and target/bench/report.md.
# Installs what is missing first (as scripts/build.sh does, plus the Python virtual
# environment; Debian's chromium as scripts/test.sh does).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MCP_ROOT"

FULL=()
UPDATE=()
# Every contestant: SAMPLES calls of about SAMPLE_MS each, after a warm-up that sets a call's size.
SAMPLES=31
SAMPLE_MS=5
NATIVE_WARMUP=() # benches/steps.rs's own (0.2 s)
for arg in "$@"; do
  case "$arg" in
    --full) FULL=(--full) ;;
    --update) UPDATE=(--update BENCHMARKS.md) ;;
    --quick)
      SAMPLES=10
      NATIVE_WARMUP=(--warm-up-time 0.05)
      ;;
    -h | --help)
      sed -n '2,21p' "$0"
      exit 0
      ;;
    *) die "unknown argument $arg (see --help)" ;;
  esac
done

SAMPLING=(--sample-ms "$SAMPLE_MS" --samples "$SAMPLES")
# The same in criterion's terms: --measurement-time is the time of all samples, in seconds.
NATIVE_SAMPLING=(--sample-size "$SAMPLES" --measurement-time "$(awk "BEGIN { print $SAMPLES * $SAMPLE_MS / 1000 }")"
  "${NATIVE_WARMUP[@]}")
OUT="$MCP_ROOT/target/bench"
VENV="$MCP_ROOT/.bench-venv"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
mkdir -p "$OUT"
t0=$(now)

stage "bench: tools"
ensure_chromium
ensure_wasm_target
ensure_wasm_bindgen_cli
ensure_node_modules
have python3 || die "python3 not found (the peers and the report need it)"
ensure_venv "$VENV" "$MCP_ROOT/bench/requirements.txt" "numpy, jax"

stage "bench: native (cargo bench --bench steps, criterion)"
run_or_die "the native benchmark failed" \
  cargo bench --bench steps -- "${FULL[@]}" "${NATIVE_SAMPLING[@]}" --out "$OUT/native.json"
# The same step on two lanes (SSE2), the browser's vector width: wasm against native at equal
# width. Criterion's files apart, so that its comparisons do not set 2 lanes against 4.
run_or_die "the native two-lane benchmark failed" \
  env MCP_SIMD_WIDTH=2 CRITERION_HOME="$MCP_ROOT/target/criterion-2lanes" \
  cargo bench --bench steps -- "${NATIVE_SAMPLING[@]}" --out "$OUT/native-2lanes.json" '^step/adam/ratio/'
run_or_die "could not write the peers' problems" \
  cargo bench --bench steps -- --peer-problems "$OUT/problems.json"

stage "bench: wasm build with the bench feature -> www/bench/pkg/"
# Its own target directory, so that the page's build (scripts/build.sh) is not invalidated.
BENCH_TARGET="$MCP_ROOT/target/bench-wasm"
run_or_die "cargo build (bench feature) failed" \
  cargo build --release --lib --target "$MCP_WASM_TARGET" --features bench --target-dir "$BENCH_TARGET"
rm -rf www/bench/pkg
run_or_die "wasm-bindgen failed" wasm-bindgen --target web --no-typescript --out-dir www/bench/pkg \
  "$BENCH_TARGET/$MCP_WASM_TARGET/release/mc_playground.wasm"
run_or_die "wasm-opt failed" "$(wasm_opt_bin)" -O3 "${MCP_WASM_OPT_FEATURES[@]}" \
  www/bench/pkg/mc_playground_bg.wasm -o www/bench/pkg/mc_playground_bg.wasm

stage "bench: the page's module (scripts/build.sh), for the frame time"
bash "$MCP_ROOT/scripts/build.sh"

stage "bench: browser (headless Chromium)"
port="$(free_port 0)" || die "no free port on 127.0.0.1"
python3 -m http.server --bind 127.0.0.1 --directory "$MCP_ROOT" "$port" >"$OUT/http.log" 2>&1 </dev/null &
SERVER_PID=$!
wait_http "http://127.0.0.1:$port/bench.html" 20 || die "the server did not come up on port $port"
run_or_die "the browser benchmark failed" \
  node scripts/bench_browser.mjs --base "http://127.0.0.1:$port/" "${FULL[@]}" "${SAMPLING[@]}" \
  --out "$OUT/browser.json"
cleanup
SERVER_PID=""

stage "bench: peers (NumPy, JAX) in .bench-venv"
run_or_die "the peers' benchmark failed (or a peer disagrees with our iterate)" \
  "$VENV/bin/python" bench/peers.py --problems "$OUT/problems.json" "${SAMPLING[@]}" --out "$OUT/peers.json"

stage "bench: report"
run_or_die "the report failed" python3 bench/report.py --dir "$OUT" --command "scripts/bench.sh $*" \
  --out "$OUT/report.md" "${UPDATE[@]}"
# The verdicts, on the terminal: the report's last section (every target, with this run's figures).
printf '\n'
sed -n '/^### Targets, as measured in this run/,$p' "$OUT/report.md"
printf '\nAll figures in %s (report: %s) in %s.\n' "$OUT" "$OUT/report.md" "$(fmt_secs $(($(now) - t0)))"
