#!/usr/bin/env bash
# Build the WebAssembly module the page loads, into www/pkg/:
#   cargo build (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -O3
# Installs what is missing first (wasm32 target, wasm-bindgen-cli, node_modules).
#
# Usage: scripts/build.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MCP_ROOT"

CRATE_LIB=mc_playground
OUT_DIR="$MCP_ROOT/www/pkg"
RAW_WASM="$MCP_ROOT/target/$MCP_WASM_TARGET/release/$CRATE_LIB.wasm"
BG_WASM="$OUT_DIR/${CRATE_LIB}_bg.wasm"

t0=$(now)

stage "build: tools"
ensure_wasm_target
ensure_wasm_bindgen_cli
ensure_node_modules
WASM_OPT="$(wasm_opt_bin)"
[[ -x "$WASM_OPT" ]] || die "wasm-opt not found at $WASM_OPT (npm ci should have installed binaryen)"

stage "build: cargo build --release --lib --target $MCP_WASM_TARGET"
run_or_die "cargo build for $MCP_WASM_TARGET failed" \
  cargo build --release --lib --target "$MCP_WASM_TARGET"
[[ -f "$RAW_WASM" ]] || die "cargo build succeeded but $RAW_WASM is missing (is the lib crate-type cdylib?)"

stage "build: wasm-bindgen --target web -> www/pkg/"
rm -rf "$OUT_DIR"
run_or_die "wasm-bindgen failed" \
  wasm-bindgen --target web --no-typescript --out-dir "$OUT_DIR" "$RAW_WASM"
[[ -f "$BG_WASM" ]] || die "wasm-bindgen did not write $BG_WASM"

stage "build: wasm-opt -O3"
info "$WASM_OPT -O3 ${MCP_WASM_OPT_FEATURES[*]}"
before_opt=$(size_of "$BG_WASM")
tmp_wasm="$BG_WASM.opt.tmp"
if ! "$WASM_OPT" -O3 "${MCP_WASM_OPT_FEATURES[@]}" "$BG_WASM" -o "$tmp_wasm"; then
  rm -f "$tmp_wasm"
  die "wasm-opt failed on $BG_WASM"
fi
mv -f "$tmp_wasm" "$BG_WASM"

wasm_bytes=$(size_of "$BG_WASM")
wasm_gz=$(gz_size_of "$BG_WASM")
js_file="$OUT_DIR/$CRATE_LIB.js"
js_gz=$(gz_size_of "$js_file")

printf '\nBuilt www/pkg/ in %s:\n' "$(fmt_secs $(($(now) - t0)))"
printf '  %-24s %8d bytes, %7d gzipped  (%d bytes before wasm-opt)\n' \
  "${CRATE_LIB}_bg.wasm" "$wasm_bytes" "$wasm_gz" "$before_opt"
printf '  %-24s %8d bytes, %7d gzipped\n' "$CRATE_LIB.js" "$(size_of "$js_file")" "$js_gz"
printf '  (the test stage allows %d bytes gzipped for the .wasm; the goal is %d)\n' \
  "$MCP_WASM_GZ_BUDGET" "$MCP_WASM_GZ_GOAL"
