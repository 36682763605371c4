#!/usr/bin/env bash
# Regenerate docs/results.md and its figures from the sweeps in docs/sweeps/.
#
# Usage: scripts/results.sh [--threads T]
# Runs every sweep (resuming any that were interrupted: outputs go to docs/results/*.jsonl,
# delete that folder to start over), then writes the tables and SVG figures.
# About 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threads=()
[[ "${1:-}" == "--threads" ]] && threads=(--threads "$2")

cargo build --release --quiet --bin mc-playground
bin=target/release/mc-playground
out=docs/results
mkdir -p "$out"

for name in story depth_gd depth_adam observed_adam observed_gd3 observed_classic recovery_map \
    property_equal defaults_1 defaults_2 equal_1 equal_2; do
  echo "==> sweep $name" >&2
  "$bin" sweep "docs/sweeps/$name.json" --out "$out/$name.jsonl" "${threads[@]}"
done

# "Which property matters?" at tuned rates: the tuned race's protocol (the sensitivity grid
# 10^-4 … 10^3, two rates a decade, on seed 0) picks each method's rate; the tuned config then
# runs on seeds 0–9 (1–9 held out of the tuning).
if [[ ! -s "$out/property_sensitivity.json" ]]; then
  echo "==> sensitivity property_tune" >&2
  "$bin" sensitivity docs/sweeps/property_tune.json "${threads[@]}" > "$out/property_sensitivity.json"
fi
python3 - "$out/property_sensitivity.json" "$out/property_tuned.sweep.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
json.dump({"base": report["tuned_config"], "axes": {"problem.seed": list(range(10))}}, open(sys.argv[2], "w"))
PY
echo "==> sweep property_tuned" >&2
"$bin" sweep "$out/property_tuned.sweep.json" --out "$out/property_tuned.jsonl" "${threads[@]}"
tuned_rates() {
  python3 - "$out/property_sensitivity.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print("| method | tuned learning rate | its test error on seed 0 |")
print("|---|---|---|")
for b in report["best"]:
    rate = "–" if b["learning_rate"] is None else f"{b['learning_rate']:.3g}"
    print(f"| {b['label']} | {rate} | {b['test_error']:.3g} |")
PY
}

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
  echo
  cat docs/results.property.md
  echo
  echo '### At the equal rate 0.01'
  echo
  echo 'Default experiment, ten seeds (0–9), every method at learning rate 0.01, Muon with weight decay 0'
  echo '(`docs/sweeps/property_equal.json`).'
  echo
  table "$out/property_equal.jsonl"
  echo
  echo '### At tuned rates'
  echo
  echo 'Each rate picked by the tuned race'"'"'s protocol: final test error on seed 0 over the grid 10⁻⁴ … 10³,'
  echo 'two rates a decade (`docs/sweeps/property_tune.json`, `mc-playground sensitivity`):'
  echo
  tuned_rates
  echo
  echo 'The same rates on seeds 0–9 (seeds 1–9 were not used to pick them):'
  echo
  table "$out/property_tuned.jsonl"
  echo
  cat docs/results.defaults.md
  echo
  echo '### Every method at its defaults'
  echo
  echo 'Default experiment, ten seeds (0–9), 3000 steps, each method with every hyper-parameter at its'
  echo 'default, its learning rate included (`docs/sweeps/defaults_1.json`, `defaults_2.json`).'
  echo
  table "$out/defaults_1.jsonl" "$out/defaults_2.jsonl"
  echo
  echo '### Every method at the equal rate 0.01'
  echo
  echo 'The same, with learning rate 0.01 for every method that has one; the rest at their defaults (Muon'
  echo 'at its default weight decay 0.1 here) (`docs/sweeps/equal_1.json`, `equal_2.json`).'
  echo
  table "$out/equal_1.jsonl" "$out/equal_2.jsonl"
} > docs/results.md
echo "wrote docs/results.md" >&2
