#!/usr/bin/env bash
# The million-step soak test of the default experiment (about 10 minutes), natively.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo test --release --test soak -- --ignored --nocapture
