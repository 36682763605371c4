#!/usr/bin/env bash
# Build the wasm module and serve the demo on loopback.
#
# Usage: scripts/serve.sh [PORT]     (default 8000, or the next free port after it)
# Then open the printed URL; Ctrl-C stops the server.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MCP_ROOT"

want_port="${1:-8000}"
if ! [[ "$want_port" =~ ^[0-9]{1,5}$ ]] || ((10#$want_port < 1 || 10#$want_port > 65535)); then
  die "usage: scripts/serve.sh [PORT]   (PORT must be 1-65535, got '$want_port')"
fi
want_port=$((10#$want_port))

bash "$MCP_ROOT/scripts/build.sh"

have python3 || die "python3 not found: it serves the page (python3 -m http.server)"
port="$(free_port "$want_port")" || die "no free port on 127.0.0.1 from $want_port to $((want_port + 99))"
((port == want_port)) || info "port $want_port is taken; using $port"

stage "serving $MCP_ROOT on 127.0.0.1:$port (Ctrl-C to stop)"
printf '\nOpen http://127.0.0.1:%s/\n\n' "$port"
exec python3 -m http.server --bind 127.0.0.1 --directory "$MCP_ROOT" "$port"
