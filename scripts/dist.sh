#!/usr/bin/env bash
# Build the static site into a folder (default dist/) that runs from any static host or a file
# server on loopback: index.html and www/ (with the wasm module), relative paths, no server logic.
#
# Usage: scripts/dist.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-dist}"
bash scripts/build.sh
rm -rf "$out"
mkdir -p "$out"
cp index.html "$out/"
# The page's modules, styles, workers and the built module; not the benchmark page's files.
cp -r www "$out/www"
rm -rf "$out/www/bench"
echo "Static site in $out/ — serve it with any static host, e.g.:" >&2
echo "  python3 -m http.server --bind 127.0.0.1 8000 --directory $out" >&2
