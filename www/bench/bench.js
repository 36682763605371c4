// The benchmark page's driver (bench.html): loads the bench build of the module
// (www/bench/pkg/, made by scripts/bench.sh) and runs the cases of src/bench.rs in this browser.
// scripts/bench_browser.mjs calls window.mcpBench.run() through Playwright; a person can press
// the buttons. Cases run one at a time on the main thread, yielding between them.

const $ = (id) => document.getElementById(id);
const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

function addRow(table, cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c;
    tr.append(td);
  }
  $(table).querySelector("tbody").append(tr);
  $(table).hidden = false;
}

const us = (secs) => (secs * 1e6).toFixed(secs < 1e-5 ? 2 : 1);

async function main() {
  let mod;
  try {
    mod = await import("./pkg/mc_playground.js");
    await mod.default();
  } catch (e) {
    $("status").textContent = `could not load www/bench/pkg/ (run scripts/bench.sh): ${e}`;
    $("status").className = "error";
    throw e;
  }

  /**
   * Runs the yardsticks at every size (unless `units` is false) and the given cases (default:
   * the default plan, or every case with `full`). `sampling` is {sample_secs, samples,
   * warmup_secs} or undefined for the defaults. `onProgress(done, total, result)` is called
   * after each item. Returns {platform, simd128, userAgent, sampling, units, cases}.
   */
  async function run({ full = false, cases, units = true, sampling, onProgress } = {}) {
    const plan = cases ?? JSON.parse(mod.bench_plan(full));
    const sizes = Array.from(mod.bench_sizes());
    const samplingJson = sampling ? JSON.stringify(sampling) : "";
    const total = (units ? sizes.length : 0) + plan.length;
    const out = {
      platform: "wasm",
      simd128: mod.bench_simd128(),
      userAgent: navigator.userAgent,
      sampling: sampling ?? null,
      units: [],
      cases: [],
    };
    let done = 0;
    const progress = (r) => {
      done += 1;
      $("status").textContent = `${done} / ${total}`;
      if (onProgress) onProgress(done, total, r);
    };
    for (const table of ["units", "cases"]) $(table).querySelector("tbody").replaceChildren();
    if (units) {
      for (const n of sizes) {
        await yieldToBrowser();
        const u = JSON.parse(mod.bench_unit(n, samplingJson));
        out.units.push(u);
        addRow("units", [n, "", us(u.matmul_secs), us(u.kernel_matmul_secs), us(u.svd_reference_secs), us(u.svd_fast_secs)]);
        progress(u);
      }
    }
    for (const c of plan) {
      await yieldToBrowser();
      const r = JSON.parse(mod.bench_case(JSON.stringify(c), samplingJson));
      out.cases.push(r);
      addRow("cases", [r.method, r.penalty, r.size, Math.round(r.steps_per_sec), us(r.step_secs)]);
      progress(r);
    }
    $("status").textContent = `done: ${out.cases.length} cases`;
    return out;
  }

  window.mcpBench = { run, plan: (full) => JSON.parse(mod.bench_plan(full)), simd128: mod.bench_simd128() };
  for (const [id, full] of [["run", false], ["run-full", true]]) {
    $(id).disabled = false;
    $(id).addEventListener("click", async () => {
      $("run").disabled = $("run-full").disabled = true;
      try {
        await run({ full });
      } finally {
        $("run").disabled = $("run-full").disabled = false;
      }
    });
  }
  $("status").textContent = `ready (simd128: ${mod.bench_simd128()})`;
  document.body.dataset.ready = "true";
}

main();
