// The page's numbers are the command line's numbers: the same config run by the native
// binary and by the wasm module in headless Chromium gives the same problem (Ω exactly,
// W* to the last bits) and, for every optimizer, the same iterate after 30 steps to 1e-9
// relative, for every method (measured: most bit for bit, the rest within 3e-15; Adam's paths are
// chaotic, so longer runs are compared by outcome elsewhere).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { launchFresh } from "../../scripts/chromium.mjs";
import { BASE_URL } from "./helpers.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;

function nativeBinary() {
  for (const profile of ["release", "debug"]) {
    const path = join(ROOT, "target", profile, "mc-playground");
    if (existsSync(path)) return path;
  }
  execFileSync("cargo", ["build", "--quiet", "--bin", "mc-playground"], { cwd: ROOT, stdio: "inherit" });
  return join(ROOT, "target", "debug", "mc-playground");
}

const EVERY_METHOD = [
  { name: "adam", learning_rate: 0.01 }, { name: "adam", learning_rate: 0.01, bias_correction: false },
  { name: "rmsprop", learning_rate: 0.01 }, { name: "adagrad", learning_rate: 0.01 },
  { name: "gd", learning_rate: 50 }, { name: "momentum", learning_rate: 0.01 },
  { name: "nesterov", learning_rate: 0.01 }, { name: "adamw", learning_rate: 0.01 },
  { name: "amsgrad", learning_rate: 0.01 }, { name: "nadam", learning_rate: 0.01 },
  { name: "group_rmsprop", learning_rate: 0.3 }, { name: "newton" }, { name: "gradient_flow" },
  { name: "als" }, { name: "soft_impute" },
  { name: "asgd", learning_rate: 0.01 }, { name: "adamax", learning_rate: 0.01 },
  { name: "radam", learning_rate: 0.01 }, { name: "adadelta" },
  { name: "adafactor", learning_rate: 0.01 }, { name: "prodigy" },
  { name: "sign_sgd", learning_rate: 0.01 }, { name: "signum", learning_rate: 0.01 },
  { name: "lion", learning_rate: 0.01 }, { name: "rprop", learning_rate: 0.01 },
  { name: "normalized_gd", learning_rate: 0.1 }, { name: "spectral_descent", learning_rate: 0.01 },
  { name: "muon", learning_rate: 0.01, weight_decay: 0 }, { name: "shampoo", learning_rate: 0.01 }];

const CONFIGS = [
  { problem: { rows: 30, cols: 30, rank: 2, observed: 300, seed: 0 }, steps: 30, optimizers: EVERY_METHOD.slice(0, 8) },
  { problem: { rows: 30, cols: 30, rank: 2, observed: 300, seed: 0 }, steps: 30, optimizers: EVERY_METHOD.slice(8, 15) },
  { problem: { rows: 30, cols: 30, rank: 2, observed: 300, seed: 0 }, steps: 30, optimizers: EVERY_METHOD.slice(15) },
  { problem: { rows: 12, cols: 20, rank: 3, observed: 100, noise: 0.1, seed: 7 }, steps: 30,
    model: { init: "gaussian", init_scale: 0.1 }, objective: { penalty: "nuclear", lambda: 0.05 },
    optimizers: [{ name: "adam", learning_rate: 0.01 }, { name: "gd", learning_rate: 1 }] },
  { problem: { rows: 10, cols: 8, rank: 2, observed: 40, seed: 3 }, steps: 30,
    model: { depth: 3, init: "orthogonal", init_scale: 0.5, width: 6 }, objective: { penalty: "none", lambda: 0 },
    optimizers: [{ name: "gd", learning_rate: 0.5 }, { name: "adam", learning_rate: 0.01 }, { name: "gradient_flow" }] },
];

test("wasm in Chromium agrees with the native command line", async () => {
  const binary = nativeBinary();
  const browser = await launchFresh("mcp-native-wasm-");
  const worst = {};
  try {
    const { page } = browser;
    // Any same-origin document will do; the module is imported into it.
    await page.goto(new URL("www/pkg/mc_playground.js", BASE_URL).href);
    for (const config of CONFIGS) {
      const json = JSON.stringify(config);
      const native = JSON.parse(execFileSync(binary, ["run", "-"], { input: json }).toString());
      const web = await page.evaluate(async ({ json, steps }) => {
        const mod = await import("/www/pkg/mc_playground.js");
        const wasm = await mod.default();
        const lab = new mod.Lab(json);
        const m = lab.rows(), n = lab.cols();
        const copy = (ptr, Type) => Array.from(new Type(wasm.memory.buffer, ptr, m * n));
        const truth = copy(lab.truth_ptr(), Float64Array);
        const mask = copy(lab.observed_mask_ptr(), Uint8Array);
        lab.step(steps);
        const runs = [];
        for (let i = 0; i < lab.run_count(); i++) {
          runs.push({ name: lab.run_name(i), matrix: copy(lab.matrix_ptr(i), Float64Array), metrics: lab.metrics(i) });
        }
        lab.free();
        return { m, n, truth, mask, runs };
      }, { json, steps: config.steps });
      assert.equal(web.runs.length, native.runs.length);
      web.runs.forEach((run, k) => {
        const want = native.runs[k];
        assert.equal(run.name, want.optimizer.name);
        assert.equal(run.metrics.step, want.steps);
        const flat = want.matrix.flat();
        let num = 0, den = 0;
        flat.forEach((v, idx) => { num += (run.matrix[idx] - v) ** 2; den += v * v; });
        const rel = Math.sqrt(num / den);
        // The step's SVD and kernels (src/linalg.rs) have a fixed order of operations, so most
        // methods agree to the last bit; what remains (nalgebra's matrix products outside the
        // step's kernels use FMA natively) stays within a few ulps after 30 steps.
        const tol = 1e-12;
        worst[run.name] = Math.max(worst[run.name] ?? 0, rel);
        assert.ok(rel <= tol, `${run.name} (config ${CONFIGS.indexOf(config)}): relative difference ${rel}`);
        const dt = Math.abs(run.metrics.test_error - want.final.test_error);
        assert.ok(dt <= tol * want.final.test_error + 1e-15, `${run.name}: test error ${run.metrics.test_error} vs ${want.final.test_error}`);
      });
      assert.ok(web.mask.filter((x) => x === 1).length > 0);
    }
    // The problem itself: draw it natively through an explicit config and compare W* bits.
    const config = CONFIGS[0];
    const web = await page.evaluate(async (json) => {
      const mod = await import("/www/pkg/mc_playground.js");
      const wasm = await mod.default();
      const lab = new mod.Lab(json);
      const m = lab.rows(), n = lab.cols();
      const truth = Array.from(new Float64Array(wasm.memory.buffer, lab.truth_ptr(), m * n));
      const mask = Array.from(new Uint8Array(wasm.memory.buffer, lab.observed_mask_ptr(), m * n));
      lab.free();
      return { m, n, truth, mask };
    }, JSON.stringify({ ...config, steps: 0, optimizers: [{ name: "gd", learning_rate: 0 }] }));
    // With learning rate 0 the native run's matrix is its start: Y on Ω (= W* there, no noise).
    const native = JSON.parse(execFileSync(binary, ["run", "-"], {
      input: JSON.stringify({ ...config, steps: 1, optimizers: [{ name: "gd", learning_rate: 0 }] }) }).toString());
    const start = native.runs[0].matrix.flat();
    start.forEach((v, idx) => {
      if (web.mask[idx]) assert.equal(web.truth[idx], v, `W*[${idx}] differs in the browser`);
      else assert.equal(v, 0);
    });
    console.log("largest relative difference after 30 steps, per method:", JSON.stringify(worst));
  } finally {
    await browser.close();
  }
});
