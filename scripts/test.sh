#!/usr/bin/env bash
# Run every test: native Rust tests, the wasm smoke test in headless Chromium,
# and the page's end-to-end tests (Playwright) against a freshly built module.
# Installs what is missing first (apt chromium + chromium-driver,
# wasm-bindgen-cli, the wasm32 target, node_modules), quickly skipping what is there.
#
# Usage: scripts/test.sh
# Stops at the first failure (non-zero exit). Ends with the tests passed per stage and
# "N passed, M failed" (N, M: stages).
#
# Time limits per stage (seconds; 0 = none), overridable from the environment:
#   MCP_NATIVE_TIMEOUT (2400), MCP_WASM_TIMEOUT (1200), MCP_E2E_TIMEOUT (1200)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MCP_ROOT"

NATIVE_TIMEOUT="${MCP_NATIVE_TIMEOUT:-2400}"
WASM_TIMEOUT="${MCP_WASM_TIMEOUT:-1200}"
E2E_TIMEOUT="${MCP_E2E_TIMEOUT:-1200}"

PASSED=0
FAILED=0
CURRENT=""          # the suite being run, for the failure message
CURRENT_START=0
TIMINGS=()          # "name<TAB>seconds<TAB>result"
SERVER_PID=""
TEST_COUNTS=()
# cargo_test_count LOG: the tests cargo test reported passed in LOG (the sum of its "test result" lines).
cargo_test_count() {
  sed -nE 's/^test result: ok\. ([0-9]+) passed.*/\1/p' "$1" | awk '{ n += $1 } END { print n + 0 }'
}
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/mc-playground-test.XXXXXX")"
T_ALL=$(now)

on_exit() {
  local rc=$?
  set +e
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if ((rc != 0)); then
    if [[ -n "$CURRENT" ]]; then
      FAILED=$((FAILED + 1))
      TIMINGS+=("$CURRENT"$'\t'"$(($(now) - CURRENT_START))"$'\t'"FAILED")
      printf '\n%sFAILED: %s (exit %d)%s\n' "$_MCP_RED$_MCP_BOLD" "$CURRENT" "$rc" "$_MCP_RESET" >&2
    elif ((FAILED == 0)); then
      FAILED=1
    fi
  fi
  rm -rf "$WORK_DIR"
  printf '\n%s==> summary (%s)%s\n' "$_MCP_BOLD" "$(fmt_secs $(($(now) - T_ALL)))" "$_MCP_RESET"
  local row name secs result
  for row in "${TIMINGS[@]}"; do
    IFS=$'\t' read -r name secs result <<<"$row"
    printf '  %-7s %7s  %s\n' "$result" "$(fmt_secs "$secs")" "$name"
  done
  echo
  ((${#TEST_COUNTS[@]} == 0)) || echo "tests passed per stage: ${TEST_COUNTS[*]}"
  echo "$PASSED passed, $FAILED failed"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# begin NAME: start a timed step. A failure (set -e) before `pass` marks it failed.
begin() {
  CURRENT="$1"
  CURRENT_START=$(now)
  stage "$1"
}
# pass [counted]: close the current step; "counted" (default) adds to "N passed".
pass() {
  TIMINGS+=("$CURRENT"$'\t'"$(($(now) - CURRENT_START))"$'\t'"ok")
  [[ "${1:-counted}" == counted ]] && PASSED=$((PASSED + 1))
  CURRENT=""
}

# with_timeout SECS cmd...: run cmd, killing its whole process group after SECS.
with_timeout() {
  local secs=$1
  shift
  if ((secs > 0)) && have timeout; then
    local rc=0 fg=()
    # On a terminal keep the command in the foreground so Ctrl-C reaches it;
    # otherwise (CI) let timeout kill its whole process group (browser included).
    [[ -t 0 ]] && fg=(--foreground)
    timeout "${fg[@]}" --kill-after=30 "$secs" "$@" || rc=$?
    if ((rc == 124 || rc == 137)); then
      warn "timed out after $(fmt_secs "$secs"): $*"
    fi
    return "$rc"
  else
    "$@"
  fi
}

# --- 0. tools ------------------------------------------------------------------
# A setup failure is reported as a failed step, but a successful setup isn't
# counted among the passed test suites.
begin "setup: tools (chromium, wasm32 target, wasm-bindgen-cli, node_modules)"
ensure_chromium
ensure_wasm_target
ensure_wasm_bindgen_cli
ensure_node_modules
have python3 || die "python3 not found: the e2e stage serves the page with python3 -m http.server"
# NumPy for the exported scripts (tests/export_python.rs, in the native stage).
info "NumPy in $(dirname "$(dirname "$(ensure_test_venv)")")"
info "$("$MCP_CHROMIUM" --version 2>/dev/null | head -n1), $("$MCP_CHROMEDRIVER" --version | head -n1 | cut -d' ' -f1-2)"
pass uncounted

# --- 1. native tests -------------------------------------------------------------
begin "1/3 native tests: cargo test (unit, integration, doc)"
with_timeout "$NATIVE_TIMEOUT" cargo test 2>&1 | tee "$WORK_DIR/native.log"
TEST_COUNTS+=("native $(cargo_test_count "$WORK_DIR/native.log")")
pass

# --- 2. wasm smoke test in headless Chromium ----------------------------------------
# wasm-bindgen-test-runner (from wasm-bindgen-cli) starts chromedriver, which
# starts Chromium with the capabilities in ./webdriver.json (binary
# /usr/bin/chromium; headless, no sandbox, no background networking).
begin "2/3 wasm tests: cargo test --target $MCP_WASM_TARGET --test wasm (headless Chromium)"
[[ -f tests/wasm.rs ]] || die "tests/wasm.rs is missing"
with_timeout "$WASM_TIMEOUT" \
  env -u NO_HEADLESS \
  -u GECKODRIVER -u GECKODRIVER_REMOTE -u SAFARIDRIVER -u SAFARIDRIVER_REMOTE \
  -u MSEDGEDRIVER -u MSEDGEDRIVER_REMOTE -u CHROMEDRIVER_REMOTE \
  -u WASM_BINDGEN_TEST_ONLY_NODE -u WASM_BINDGEN_TEST_ADDRESS \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER="$MCP_CHROMEDRIVER" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$MCP_ROOT/webdriver.json" \
  WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
  WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}" \
  cargo test --target "$MCP_WASM_TARGET" --test wasm 2>&1 | tee "$WORK_DIR/wasm.log"
TEST_COUNTS+=("wasm $(cargo_test_count "$WORK_DIR/wasm.log")")
pass

# --- 3. build + end-to-end tests in the page -------------------------------------------
begin "3/3 e2e: scripts/build.sh, then node --test tests/e2e/ against the served page"
[[ -d tests/e2e ]] || die "tests/e2e/ is missing"
bash "$MCP_ROOT/scripts/build.sh"
stage "e2e: the module's size (gzip -9) within the budget"
check_wasm_size "$MCP_ROOT/www/pkg/mc_playground_bg.wasm"

port="$(free_port 0)" || die "no free port on 127.0.0.1"
base_url="http://127.0.0.1:$port/"
stage "e2e: serving $MCP_ROOT at $base_url"
python3 -m http.server --bind 127.0.0.1 --directory "$MCP_ROOT" "$port" \
  >"$WORK_DIR/http.log" 2>&1 </dev/null &
SERVER_PID=$!
if ! wait_http "${base_url}index.html" 20 || ! kill -0 "$SERVER_PID" 2>/dev/null; then
  cat "$WORK_DIR/http.log" >&2 || true
  die "the test server did not come up at ${base_url}index.html"
fi

stage "e2e: node --test tests/e2e/"
e2e_rc=0
with_timeout "$E2E_TIMEOUT" env MCP_BASE_URL="$base_url" node --test tests/e2e/ 2>&1 |
  tee "$WORK_DIR/e2e.log" || e2e_rc=$?
if ((e2e_rc != 0)); then
  printf '\n(last lines of the test server log)\n' >&2
  tail -n 20 "$WORK_DIR/http.log" >&2 || true
  exit "$e2e_rc"
fi
e2e_count="$(sed -nE 's/^(# |ℹ )tests ([0-9]+)$/\2/p' "$WORK_DIR/e2e.log" | tail -n1)"
[[ -n "$e2e_count" && "$e2e_count" -gt 0 ]] ||
  die "node --test ran no test in tests/e2e/ (name the files *.test.js / *.test.mjs)"
TEST_COUNTS+=("e2e $e2e_count")
pass

CURRENT=""
