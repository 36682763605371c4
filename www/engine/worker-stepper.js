// The stepper over Web Workers (pool.js, lab-worker.js): the page's own Lab holds the problem and
// the step-0 frame and is never stepped; each frame draws from the workers' latest replies
// (Float64Array copies). See stepper.js for the interface.

import { WorkerPool } from "./pool.js";
import { normaliseMetrics } from "../schema.js";

export class WorkerStepper {
  /** env: {lab(), enabled(), count()}; hooks: see stepper.js. Throws if the browser has no workers. */
  constructor(env, hooks) {
    this.env = env;
    this.hooks = hooks;
    this.startFrames = []; // each run's step-0 frame (from the page's lab), drawn until the workers answer
    this.drawn = -1; // the pool version last drawn
    this.frameMs = 1000 / 60; // the time between animation frames, smoothed
    this.lastTick = 0;
    this.throttled = false;
    this.replaced = false; // the workers failed and the page's thread took over
    this.pool = new WorkerPool({
      onState: () => this.onState(),
      onTrap: (slot, message) => this.onTrap(slot, message),
      onError: (message) => hooks.onError(`A worker reported an error: ${message}.`),
      onFail: (err, midway) => hooks.onFail(err, midway),
      current: () => ({ config: env.lab().config_json(), enabled: env.enabled() }),
    });
  }

  get size() { return this.pool.size; }

  /** The PCA runs in a worker of its own: it never holds up the page. */
  get blocksPage() { return false; }

  install(lab, enabled, startFrames) {
    this.startFrames = startFrames;
    this.pool.install(lab.config_json(), enabled, startFrames.slice());
  }

  reset() { this.pool.reset(this.startFrames.slice()); }

  setEnabled(i, on) { this.pool.setEnabled(i, on); }

  setLearningRate(i, v) { this.pool.setLearningRate(i, v); }

  /** Run i's latest frame from the workers (or its step-0 frame). */
  frame(i) { return this.pool.frames[i] ?? this.startFrames[i]; }

  /** Run i's figures to decide on steps: the workers' latest, not the last drawn. */
  latest(i) { return this.metrics(i); }

  onState() {
    this.hooks.stepped();
    if (this.hooks.playing()) this.pool.pump(this.hooks.limit, this.hooks.names());
    else this.hooks.requestRender();
  }

  /**
   * A worker's core trapped: its runs start over in a new worker; the others go on. Playing or
   * paused stays as the user left it.
   */
  onTrap(slot, message) {
    for (const i of slot.own) this.pool.frames[i] = this.startFrames[i];
    this.hooks.onRunsRestarted(slot.own, message);
  }

  /** One animation frame: grant the workers this frame's steps, send idle ones a batch, draw the latest. */
  tick(ctx) {
    const pool = this.pool;
    if (!ctx.hasLive()) {
      this.hooks.render();
      return false;
    }
    if (ctx.autoStop && ctx.remaining() <= 0 && !pool.busy) {
      // Every live, enabled run reached the run length: stop; Play goes on past it.
      ctx.autoStop = false;
      this.hooks.render();
      return false;
    }
    pool.allow(ctx.stepsPerFrame);
    pool.pump(this.hooks.limit, this.hooks.names());
    // The workers fall behind when a frame's steps take longer than a frame.
    const now = performance.now();
    if (this.lastTick > 0 && now - this.lastTick < 1000) this.frameMs = 0.9 * this.frameMs + 0.1 * (now - this.lastTick);
    this.lastTick = now;
    this.throttled = pool.msPerStep * ctx.stepsPerFrame > this.frameMs;
    // Draw only what is new: a frame without a reply from the workers has nothing to show.
    if (pool.version !== this.drawn) this.hooks.render();
    return true;
  }

  /** Every run's latest frame from the workers; asks them for any history not in it yet. */
  frames(names) {
    let missing = false;
    const frames = Array.from({ length: this.env.count() }, (_, i) => {
      const f = this.frame(i);
      const h = {};
      for (const name of names) {
        h[name] = f.h[name];
        if (!h[name]) {
          missing = true;
          h[name] = new Float64Array(0);
        }
      }
      return { metrics: normaliseMetrics(f.metrics), sv: f.sv, len: f.len, h, W: f.W && f.W.length ? f.W : null };
    });
    if (missing) this.pool.refresh(names);
    this.drawn = this.pool.version;
    return frames;
  }

  /**
   * k steps of every live, enabled run, after the batches sent while playing (so that the pause
   * shows at once); `current()` false: dropped.
   */
  stepBy(k, current) {
    const pool = this.pool;
    return pool.idle().then(() => (!this.replaced && current() ? pool.step(k, this.hooks.names()) : null)).then(() => this.hooks.render());
  }

  cancelSteps() { this.pool.cancelSteps(); }

  idle() { return this.pool.idle(); }

  /** Runs `fn` once the batches already sent are in and drawn (a batch cannot be called back); returns false (not yet). */
  afterBatches(fn) {
    this.pool.idle().then(fn);
    return false;
  }

  /**
   * The joint PCA: the runs' snapshots gathered from the workers, computed in a worker of its own.
   * {stale: true} if the experiment changed meanwhile (compute again later), {gone: true} if it
   * changed while computing, else {result, cost, step} (step: the newest step of the snapshots).
   */
  async pca() {
    const pool = this.pool;
    const gen = pool.gen;
    const runs = await this.snapshots();
    if (!runs) return { stale: true };
    const counts = runs.map((r) => r.steps.length);
    const steps = new Float64Array(counts.reduce((a, c) => a + c, 0));
    const data = new Float64Array(runs.reduce((a, r) => a + r.data.length, 0));
    let s0 = 0;
    let d0 = 0;
    for (const r of runs) {
      steps.set(r.steps, s0);
      data.set(r.data, d0);
      s0 += r.steps.length;
      d0 += r.data.length;
    }
    // The last snapshot of every run is its newest step: the step the PCA shows.
    const shown = Math.max(0, ...runs.map((r) => (r.steps.length ? r.steps[r.steps.length - 1] : 0)));
    const t0 = performance.now();
    let result = null;
    try {
      result = await pool.pca(Float64Array.from(counts), steps, data);
    } catch (err) {
      console.warn("mc-playground: trajectory_pca failed:", err);
    }
    if (this.replaced || pool.gen !== gen) return { gone: true };
    return { result, cost: performance.now() - t0, step: shown };
  }

  /**
   * Every run's kept snapshots, gathered from the workers: [{steps, data}] in run order (data in
   * the core's storage order, column-major m × n), or null if the experiment changed meanwhile.
   */
  async snapshots() {
    const pool = this.pool;
    const gen = pool.gen;
    const runs = WorkerPool.byRun(await pool.call("snapshots"));
    if (this.replaced || pool.gen !== gen || runs.length !== this.env.count()) return null;
    return runs.map((r) => ({ steps: r.steps, data: r.data }));
  }

  /** Every run's state with the histories `names` (copies), once the batches on their way are in. */
  async states(names, count) {
    const runs = WorkerPool.byRun(await this.pool.call("export", { names }));
    if (runs.length !== count) throw new Error("a worker was restarted meanwhile; try again");
    return runs.map((r) => ({ ...r, metrics: normaliseMetrics(r.metrics) }));
  }

  matrix(i) {
    const W = this.frame(i)?.W;
    return W && W.length ? W : null;
  }

  history(i) { return this.frame(i) ?? null; }

  metrics(i) { return normaliseMetrics(this.frame(i)?.metrics); }

  async matrixCsv(i) {
    const [csv] = await this.pool.call("matrix_csv", { i });
    return csv ?? "";
  }

  /** For the browser test of the trap path: the first worker's core traps at once, as on a panic. */
  simulateTrap() { this.pool.slots[0]?.worker.postMessage({ type: "trap" }); }
}
