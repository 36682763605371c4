// A module worker for the recovery map: runs a list of (observed fraction, rank, seed) cells,
// each one lab with the map's methods, and reports each cell as it finishes.
//
// In:  {type: "run", job, cells: [{fi, ri, seed, config (JSON string)}]}
// Out: {type: "cell", job, fi, ri, seed, results: [{name, test_error, diverged_at}]}
//      {type: "done", job} | {type: "error", job, message}
// Cancelling is the page's terminate().

import init, { Lab } from "../pkg/mc_playground.js";

let ready = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (!msg || msg.type !== "run") return;
  const { job } = msg;
  try {
    ready ??= init();
    await ready;
    for (const c of msg.cells) {
      const lab = new Lab(c.config);
      try {
        lab.step(c.steps);
        const results = [];
        for (let i = 0; i < lab.run_count(); i++) {
          const m = lab.metrics(i);
          results.push({ name: lab.run_name(i), test_error: m.test_error, diverged_at: m.diverged_at ?? null });
        }
        self.postMessage({ type: "cell", job, fi: c.fi, ri: c.ri, seed: c.seed, results });
      } finally {
        lab.free();
      }
    }
    self.postMessage({ type: "done", job });
  } catch (err) {
    self.postMessage({ type: "error", job, message: err instanceof Error ? err.message : String(err) });
  }
};
