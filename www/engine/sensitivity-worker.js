// A module worker that runs learning-rate sensitivity sweeps off the page's thread, one cell
// (one method alone at one learning rate) at a time, reporting each as it finishes.
//
// In:  {type: "run", job, config (JSON string), from, to, perDecade, steps}
// Out: {type: "start", job, total}
//      {type: "cell", job, done, total, cell}    after every cell
//      {type: "done", job, report}               report = SensitivityRunner.report()
//      {type: "error", job, message}
// Cancelling is the page's terminate(): a cell cannot be interrupted anyway.

import init, { SensitivityRunner } from "../pkg/mc_playground.js";

let ready = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (!msg || msg.type !== "run") return;
  const { job } = msg;
  let runner = null;
  try {
    ready ??= init();
    await ready;
    runner = new SensitivityRunner(msg.config, msg.from, msg.to, msg.perDecade, msg.steps);
    const total = runner.total();
    self.postMessage({ type: "start", job, total });
    while (runner.done() < total) {
      const cell = runner.next();
      if (cell === null || cell === undefined) break;
      self.postMessage({ type: "cell", job, done: runner.done(), total, cell });
    }
    self.postMessage({ type: "done", job, report: runner.report() });
  } catch (err) {
    self.postMessage({ type: "error", job, message: err instanceof Error ? err.message : String(err) });
  } finally {
    if (runner) runner.free();
  }
};
