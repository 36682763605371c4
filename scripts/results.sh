#!/usr/bin/env bash
# Regenerate docs/results.md and its figures from the sweeps in docs/sweeps/.
#
# Usage: scripts/results.sh [--threads T]
# Runs every sweep (resuming any that were interrupted: outputs go to docs/results/*.jsonl,
# delete that folder to start over), then writes the tables and SVG figures.
# About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threads=()
[[ "${1:-}" == "--threads" ]] && threads=(--threads "$2")

cargo build --release --quiet --bin mc-playground
bin=target/release/mc-playground
out=docs/results
mkdir -p "$out"

for name in story depth_gd depth_adam observed_adam observed_gd3 observed_classic recovery_map; do
  echo "==> sweep $name" >&2
  "$bin" sweep "docs/sweeps/$name.json" --out "$out/$name.jsonl" "${threads[@]}"
done

"$bin" plot lines "$out/observed_adam.jsonl" "$out/observed_gd3.jsonl" "$out/observed_classic.jsonl" \
  --x problem.observed --out "$out/error_vs_observed.svg" >/dev/null
"$bin" plot map "$out/recovery_map.jsonl" --x problem.observed --y problem.rank --out "$out/recovery_map.svg" >/dev/null
"$bin" plot spectra "$out/story.jsonl" --out "$out/story_spectra.svg" >/dev/null
"$bin" plot lines "$out/depth_gd.jsonl" "$out/depth_adam.jsonl" --x problem.observed --out "$out/depth.svg" >/dev/null

table() { "$bin" table "$@"; }

{
  cat docs/results.head.md
  echo
  echo "## 1. The story table"
  echo
  echo 'Default experiment (30×30, rank 2, 300 observed entries, start at the observations, λ = 0.01,'
  echo 'learning rate 0.01 for all, 3000 steps), each penalty, ten seeds (0–9). Sweep: `docs/sweeps/story.json`.'
  echo
  table "$out/story.jsonl" --rows objective.penalty
  echo
  echo '![Final singular values, mean over penalties and seeds](results/story_spectra.svg)'
  echo
  echo "## 2. Depth against optimizer (the setting of Arora et al., NeurIPS 2019)"
  echo
  echo '100×100, rank 5, 2000 and 5000 observed entries, seeds 0–2. Deep linear networks of depth 1–3'
  echo 'trained by plain GD (learning rate 3, 20 000 steps, Gaussian start with init_scale 0.001, no penalty;'
  echo '`docs/sweeps/depth_gd.json`), beside depth-1 Adam with the ratio penalty (learning rate 0.001,'
  echo 'λ = 0.01, start at the observations, 10 000 steps; `docs/sweeps/depth_adam.json`).'
  echo
  table "$out/depth_gd.jsonl" "$out/depth_adam.jsonl" --rows problem.observed
  echo
  echo '![Test error against observed count, by depth](results/depth.svg)'
  echo
  cat docs/results.arora.md
  echo
  echo "## 3. Error against observed count"
  echo
  echo '100×100, rank 5, 1000 to 5000 observed entries, seeds 0–2: depth-1 Adam + ratio'
  echo '(`observed_adam.json`), depth-3 GD (`observed_gd3.json`), SoftImpute (τ = 1, 500 steps) and ALS'
  echo '(rank 5, ridge 1e-3, 500 sweeps) (`observed_classic.json`).'
  echo
  table "$out/observed_adam.jsonl" "$out/observed_gd3.jsonl" "$out/observed_classic.jsonl" --rows problem.observed
  echo
  echo '![Test error against observed count](results/error_vs_observed.svg)'
  echo
  echo "## 4. Recovery map"
  echo
  echo '30×30, observed count 90–810 (10 % to 90 % of the entries) × rank 1–6, five seeds, Adam and GD'
  echo 'with the ratio penalty at learning rate 0.01 for 3000 steps (`docs/sweeps/recovery_map.json`).'
  echo 'Each square: the fraction of seeds recovered (final test error below 0.05), white 0 to blue 1.'
  echo
  echo '![Recovery maps](results/recovery_map.svg)'
} > docs/results.md
echo "wrote docs/results.md" >&2
