// A module worker that steps some of the page's runs off the page's thread (www/engine/pool.js starts
// one per core, minus one for the page). It builds a Lab from the page's whole config and keeps
// the runs it does not own switched off, so every run it owns follows exactly the path it would
// follow in one lab holding every run (the problem and the start depend only on the config), and
// the snapshot budget per run is the same as there (it depends on the number of runs).
//
// Messages are handled one at a time, in order (a step sent after a learning-rate change uses
// the new rate). Replies carry `gen`, the generation of the last init or reset, so that the page
// can drop replies about an experiment it has replaced.
//
// In:  {type: "init", gen, config (JSON), own: [run index], enabled: [bool per run]}
//      {type: "step", seq, k, names}     k steps of every own, live, enabled run; names: histories to send
//      {type: "reset", gen}              every run back to step 0 (hyper-parameters kept)
//      {type: "lr", i, lr}               hot learning-rate change of run i (checked by the page first)
//      {type: "enabled", i, on}          run i on or off (ignored unless run i is own)
//      {type: "call", req, what, i}      what: "snapshots" | "export" (with names) | "matrix_csv" (of run i)
//                                        | "pca" (with counts, steps, data: Lab.joint_trajectory_pca; needs no init)
//      {type: "trap"}                    the test hook: behave as a Rust panic would, at once
// Out: {type: "ready", gen}
//      {type: "state", gen, seq, k, ms, runs: [{i, metrics, sv, W, len, h: {name: Float64Array}}]}
//      {type: "reply", req, gen, value}
//      {type: "trap", message}           the module is dead: the page replaces this worker
//      {type: "error", gen, seq, req, init, message}  anything else that went wrong (a bad config, …);
//                                        seq or req: the step or call it answers, if any; init: true
//                                        if it answers an init (this worker then has no experiment)
// W is m × n, row-major, a copy; every Float64Array is transferred.

import init, { Lab } from "../pkg/mc_playground.js";

let wasm = null;
let lab = null;
let gen = 0;
let own = [];
let dead = false;
let chain = Promise.resolve();

self.onmessage = (event) => {
  chain = chain.then(() => handle(event.data));
};

/** A WebAssembly trap (what a Rust panic becomes), not an ordinary thrown Error. */
function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError || /unreachable|panicked/i.test(String(err && err.message));
}

async function handle(msg) {
  if (dead || !msg || typeof msg !== "object") return;
  if (msg.type === "init") gen = msg.gen; // an error in it (the core cannot load) is about this experiment
  try {
    wasm ??= await init();
    switch (msg.type) {
      case "init": {
        lab?.free();
        lab = null;
        own = msg.own.slice();
        lab = new Lab(msg.config);
        for (let i = 0, n = lab.run_count(); i < n; i++) lab.set_enabled(i, own.includes(i) && msg.enabled[i] !== false);
        self.postMessage({ type: "ready", gen });
        break;
      }
      case "step": {
        if (!lab) throw new Error("this worker has no experiment (its start failed)");
        const t0 = performance.now();
        if (msg.k > 0) lab.step(msg.k);
        const ms = performance.now() - t0;
        postState(msg.seq, msg.k, ms, msg.names);
        break;
      }
      case "reset":
        gen = msg.gen;
        lab?.reset();
        break;
      case "lr":
        lab?.set_learning_rate(msg.i, msg.lr);
        break;
      case "enabled":
        if (own.includes(msg.i)) lab?.set_enabled(msg.i, msg.on);
        break;
      case "call":
        if (!lab && msg.what !== "pca") throw new Error("this worker has no experiment (its start failed)");
        reply(msg);
        break;
      case "trap":
        throw new WebAssembly.RuntimeError("unreachable (simulated panic)");
      default:
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isTrap(err)) {
      dead = true;
      lab = null; // the instance's memory cannot be trusted: never call into it again
      self.postMessage({ type: "trap", message });
    } else self.postMessage({ type: "error", gen, seq: msg.seq, req: msg.req, init: msg.type === "init", message });
  }
}

/** Run i's figures, singular values, W and the named histories, all copies. */
function runState(i, names) {
  const metrics = lab.metrics(i);
  const sv = lab.singular_values(i); // a fresh Float64Array
  const len = lab.history_len(i);
  const ptrs = names.map((h) => lab.history_ptr(i, h));
  const wPtr = lab.matrix_ptr(i);
  const cells = lab.rows() * lab.cols();
  // Views after the last wasm call (memory growth detaches older ones), copied at once.
  const buf = wasm.memory.buffer;
  const W = wPtr ? new Float64Array(buf, wPtr, cells).slice() : new Float64Array(0);
  const h = {};
  names.forEach((name, k) => {
    h[name] = ptrs[k] && len ? new Float64Array(buf, ptrs[k], len).slice() : new Float64Array(0);
  });
  return { i, metrics, sv, W, len, h };
}

function buffersOf(runs) {
  const out = [];
  for (const r of runs) {
    for (const a of [r.sv, r.W, r.steps, r.data, ...Object.values(r.h || {})]) if (a && a.byteLength) out.push(a.buffer);
  }
  return out;
}

function postState(seq, k, ms, names) {
  const runs = own.map((i) => runState(i, names));
  self.postMessage({ type: "state", gen, seq, k, ms, runs }, buffersOf(runs));
}

function reply(msg) {
  let value;
  if (msg.what === "snapshots") {
    value = own.map((i) => ({ i, steps: lab.snapshot_steps(i), data: lab.snapshot_data(i) }));
  } else if (msg.what === "export") {
    value = own.map((i) => runState(i, msg.names));
  } else if (msg.what === "matrix_csv") {
    value = lab.matrix_csv(msg.i);
  } else if (msg.what === "pca") {
    value = Lab.joint_trajectory_pca(msg.counts, msg.steps, msg.data);
  }
  const runs = Array.isArray(value) ? value : [];
  self.postMessage({ type: "reply", req: msg.req, gen, value }, buffersOf(runs));
}
