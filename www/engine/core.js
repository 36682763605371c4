// The WebAssembly core: loading it (and, after a trap, a fresh instance of it), reading its
// buffers, and telling a trap from an ordinary error.

import { normaliseMetrics } from "../schema.js";

let instances = 0;

/**
 * Loads the core: {wasm (its exports, wasm.memory), Lab, SensitivityRunner}. `fresh`: a new
 * instance of the module (a new URL makes a new ES module), for after a trap.
 */
export async function loadCore(fresh = false) {
  if (fresh) instances += 1;
  const mod = await import(fresh ? `../pkg/mc_playground.js?instance=${instances}` : "../pkg/mc_playground.js");
  const wasm = await mod.default();
  return { wasm, Lab: mod.Lab, SensitivityRunner: mod.SensitivityRunner };
}

/** A WebAssembly trap (what a Rust panic becomes), not an ordinary thrown Error. */
export function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError || /unreachable|panicked/i.test(String(err && err.message));
}

/**
 * Every run's frame from a lab: {metrics, sv, W (m×n row-major), len, h: {name: history}}.
 * Wasm calls first (any may grow memory), then views over wasm memory; `copy`: copies that
 * outlive the next wasm call (else views, to draw at once). `env`: {memory(), cells(), count()}.
 */
export function readFrames(env, lab, names, copy) {
  const cells = env.cells();
  const frame = Array.from({ length: env.count() }, (_, i) => {
    const metrics = normaliseMetrics(lab.metrics(i));
    const sv = lab.singular_values(i);
    const len = lab.history_len(i) || 0;
    const ptrs = names.map((h) => lab.history_ptr(i, h));
    const matrix = lab.matrix_ptr(i);
    return { metrics, sv, len, ptrs, matrix };
  });
  const buf = env.memory().buffer;
  const view = (p, len) => {
    const v = new Float64Array(buf, p, len);
    return copy ? v.slice() : v;
  };
  return frame.map(({ metrics, sv, len, ptrs, matrix }) => {
    const h = {};
    names.forEach((name, k) => {
      h[name] = ptrs[k] && len ? view(ptrs[k], len) : new Float64Array(0);
    });
    return { metrics, sv, len, h, W: matrix ? view(matrix, cells) : null };
  });
}
