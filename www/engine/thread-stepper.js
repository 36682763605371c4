// The stepper on the page's own thread (no workers in the browser, or ?workers=0): it steps the
// page's Lab. Only scalars and small copies cross the boundary per frame; the m×n matrices and
// the histories are read through typed-array views over wasm memory, made after the frame's
// last wasm call (memory growth detaches older views). See stepper.js for the interface.

import { isTrap, readFrames } from "./core.js";
import { normaliseMetrics } from "../schema.js";

/** Milliseconds of stepping per frame, at most; keeps big problems and slow methods responsive. */
const FRAME_BUDGET_MS = 35;

export class ThreadStepper {
  /** env: {lab(), memory(), cells(), count()}; hooks: see stepper.js. */
  constructor(env, hooks) {
    this.env = env;
    this.hooks = hooks;
    this.msPerStep = 0; // measured cost of one lab.step(1), smoothed
    this.throttled = false;
  }

  get size() { return 0; }

  /** A PCA here runs on the page's thread: a costly one freezes the page meanwhile. */
  get blocksPage() { return true; }

  install() {
    this.msPerStep = 0; // measured again on the new lab's first frame
  }

  reset() { this.env.lab().reset(); }

  setEnabled() { /* the page's lab is the one stepped: set already */ }

  setLearningRate() { /* the page's lab is the one stepped: set already */ }

  /** Run i's figures to decide on steps: those last drawn (`drawn`). */
  latest(i, drawn) { return drawn; }

  /**
   * Most steps of the page's own lab in one go (FRAME_BUDGET_MS of measured work); the first of a
   * lab is one step, to measure its cost before taking more.
   */
  batch() {
    return this.msPerStep > 0 ? Math.max(1, Math.floor(FRAME_BUDGET_MS / this.msPerStep)) : 1;
  }

  /** Smooths in the measured cost of the page's k steps begun at t0. */
  measure(t0, k) {
    const perStep = (performance.now() - t0) / k;
    this.msPerStep = this.msPerStep > 0 ? 0.8 * this.msPerStep + 0.2 * perStep : perStep;
  }

  /** One animation frame's steps. ctx: {stepsPerFrame, autoStop (read and written), remaining(), hasLive()}. */
  tick(ctx) {
    const hooks = this.hooks;
    // Big problems: do fewer steps per frame rather than freeze the page.
    let k = Math.min(ctx.stepsPerFrame, this.batch());
    this.throttled = this.msPerStep > 0 && k < ctx.stepsPerFrame;
    if (!ctx.hasLive()) {
      hooks.render();
      return false;
    }
    if (ctx.autoStop) {
      const rem = ctx.remaining();
      if (rem <= 0) {
        // Every live, enabled run is done (or none is left to step: then stay armed).
        ctx.autoStop = !ctx.hasLive();
        hooks.render();
        return false;
      }
      k = Math.min(k, rem);
    }
    const t0 = performance.now();
    try {
      this.env.lab().step(k);
    } catch (err) {
      // A trap in the core (a Rust panic) must never freeze the page: rebuild it and go on.
      if (isTrap(err)) {
        hooks.onTrap(err);
        return false;
      }
      throw err;
    }
    this.measure(t0, k);
    hooks.stepped();
    hooks.render();
    if (ctx.autoStop && ctx.remaining() <= 0) {
      ctx.autoStop = false;
      return false;
    }
    return true;
  }

  /** Every run's frame to draw now (views over wasm memory: draw at once). */
  frames(names) { return readFrames(this.env, this.env.lab(), names, false); }

  /** stepBy on the page's thread: batches of a frame's budget, the page free to answer between them. */
  async stepBy(k, current) {
    const lab = this.env.lab();
    for (let left = k; left > 0 && current() && this.env.lab() === lab;) {
      const n = Math.min(left, this.batch());
      const t0 = performance.now();
      try {
        lab.step(n);
      } catch (err) {
        if (!isTrap(err)) throw err;
        return this.hooks.onTrap(err); // as while playing: a fresh core, the experiment from its start
      }
      this.measure(t0, n);
      left -= n;
      this.hooks.stepped();
      this.hooks.render();
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  cancelSteps() {}

  idle() { return Promise.resolve(); }

  /** Runs `fn` once the batches already sent are in: here at once (returns true). */
  afterBatches(fn) {
    fn();
    return true;
  }

  /** The joint PCA of the runs' trajectories: {result, cost} (step: the counter's). */
  async pca() {
    const t0 = performance.now();
    let result = null;
    try {
      result = this.env.lab().trajectory_pca();
    } catch (err) {
      console.warn("mc-playground: trajectory_pca failed:", err);
    }
    return { result, cost: performance.now() - t0 };
  }

  /** Every run's kept snapshots (copies): [{steps, data}], data column-major m × n. */
  async snapshots() {
    const lab = this.env.lab();
    return Array.from({ length: this.env.count() }, (_, i) => ({ steps: lab.snapshot_steps(i), data: lab.snapshot_data(i) }));
  }

  /** Every run's state with the histories `names` (copies). */
  async states(names) { return readFrames(this.env, this.env.lab(), names, true); }

  /** Run i's W, m × n row-major (a view to read at once), or null. */
  matrix(i) {
    const ptr = this.env.lab().matrix_ptr(i);
    return ptr ? new Float64Array(this.env.memory().buffer, ptr, this.env.cells()) : null;
  }

  /** Run i's drawn histories (step, train_error, effective_rank): {len, h}, views to read at once. */
  history(i) { return readFrames(this.env, this.env.lab(), ["step", "train_error", "effective_rank"], false)[i] ?? null; }

  /** Run i's figures, normalised. */
  metrics(i) { return normaliseMetrics(this.env.lab().metrics(i)); }

  /** Run i's W as CSV (the core's round-trip-exact numbers). */
  async matrixCsv(i) { return this.env.lab().matrix_csv(i); }

  /** For the browser test of the trap path: the page's next step traps. */
  simulateTrap() {
    const lab = this.env.lab();
    const real = lab.step.bind(lab);
    lab.step = () => {
      lab.step = real;
      throw new WebAssembly.RuntimeError("unreachable (simulated panic)");
    };
  }
}
